//! The conversation, saved per session as JSON Lines in the user's data
//! directory (`~/.local/share/termdaw/chat/` on Linux), resumed on start;
//! `/clear` starts afresh.
//!
//! Control side (UI thread); small appends only, after a whole reply has
//! finished. A reply that failed or was cancelled is never written, so the
//! file always holds whole turns the providers accept. Only messages are
//! written (what the musician and the model said, tool calls and their
//! results): never the configuration or the API key.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::message::Message;

/// Most messages sent to the model from the past (whole turns are kept).
pub const CONTEXT_MESSAGES: usize = 60;

/// The largest chat history file (months of turns are a few MB). A file
/// that grows past it is moved aside to `NAME.jsonl.old` (replacing the one
/// before) and starts again from the recent context; a longer file (from
/// elsewhere) is read from its last this-many bytes.
pub const MAX_HISTORY_BYTES: u64 = 16 << 20;

#[derive(Debug)]
pub struct History {
    path: Option<PathBuf>,
    messages: Vec<Message>,
}

/// termdaw's data directory, if the platform has one.
pub fn data_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "termdaw").map(|d| d.data_dir().to_path_buf())
}

/// The history file for a session: named after the session file, with a
/// hash of its full path so two `live.ron`s in different folders differ.
pub fn file_for(dir: &Path, session: Option<&Path>) -> PathBuf {
    let (stem, full) = match session {
        Some(p) => {
            let full = std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
            let stem = p
                .file_stem()
                .map(|s| s.to_string_lossy().to_string())
                .unwrap_or_else(|| "session".into());
            (stem, full.display().to_string())
        }
        None => ("unsaved".to_string(), String::new()),
    };
    // FNV-1a: stable across runs and platforms.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in full.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    let stem: String = stem
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    dir.join("chat")
        .join(format!("{stem}-{:08x}.jsonl", h as u32))
}

impl History {
    /// A history that is not saved.
    pub fn in_memory() -> Self {
        History {
            path: None,
            messages: Vec::new(),
        }
    }

    /// Open (and read) the history at `path` (of a file past
    /// [`MAX_HISTORY_BYTES`], its last whole lines within that size). Lines
    /// that do not parse are skipped; a trailing unfinished turn is
    /// dropped. Returns the problems.
    pub fn open(path: PathBuf) -> (Self, Vec<String>) {
        let mut problems = Vec::new();
        let mut messages = Vec::new();
        match read_tail(&path, MAX_HISTORY_BYTES) {
            Ok((text, whole)) => {
                let at = |i: usize| match whole {
                    true => format!("{}:{}", path.display(), i + 1),
                    false => format!(
                        "{} (line {} of its last {} MB)",
                        path.display(),
                        i + 1,
                        MAX_HISTORY_BYTES >> 20
                    ),
                };
                for (i, line) in text.lines().enumerate() {
                    if line.trim().is_empty() {
                        continue;
                    }
                    match serde_json::from_str::<Message>(line) {
                        Ok(m) => messages.push(m),
                        Err(e) => problems.push(format!("{}: {e}", at(i))),
                    }
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => problems.push(format!("{}: {e}", path.display())),
        }
        let mut h = History {
            path: Some(path),
            messages,
        };
        h.trim_unfinished();
        h.keep_recent();
        (h, problems)
    }

    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    pub fn messages(&self) -> &[Message] {
        &self.messages
    }

    /// The recent past to send: at most [`CONTEXT_MESSAGES`], starting at a prompt.
    pub fn context(&self) -> &[Message] {
        let n = self.messages.len();
        let mut start = n.saturating_sub(CONTEXT_MESSAGES);
        while start < n && !self.messages[start].is_prompt() {
            start += 1;
        }
        &self.messages[start..]
    }

    /// Add a finished turn (the prompt, the model's messages, the tool
    /// results) and append it to the file. A file that would grow past
    /// [`MAX_HISTORY_BYTES`] is moved aside first and starts again with
    /// the context the model is sent (so nothing it remembers is lost).
    pub fn push_turn(&mut self, turn: &[Message]) -> std::io::Result<()> {
        let text = lines(turn)?;
        let Some(path) = self.path.clone() else {
            self.messages.extend_from_slice(turn);
            self.keep_recent();
            return Ok(());
        };
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let size = std::fs::metadata(&path).map_or(0, |m| m.len());
        if size + text.len() as u64 > MAX_HISTORY_BYTES {
            let mut old = path.clone().into_os_string();
            old.push(".old");
            std::fs::rename(&path, &old)?;
            self.keep_recent();
            std::fs::write(&path, lines(self.context())?)?;
        }
        self.messages.extend_from_slice(turn);
        self.keep_recent();
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)?;
        f.write_all(text.as_bytes())
    }

    /// Memory holds a bounded past: whole turns, far more than the context.
    fn keep_recent(&mut self) {
        let n = self.messages.len();
        if n > 4 * CONTEXT_MESSAGES {
            let mut start = n - 2 * CONTEXT_MESSAGES;
            while start < n && !self.messages[start].is_prompt() {
                start += 1;
            }
            self.messages.drain(..start);
        }
    }

    /// Forget everything (and empty the file).
    pub fn clear(&mut self) -> std::io::Result<()> {
        self.messages.clear();
        match &self.path {
            Some(p) if p.exists() => std::fs::write(p, ""),
            _ => Ok(()),
        }
    }

    /// Drop messages after the last complete reply (an assistant message with no tool calls).
    fn trim_unfinished(&mut self) {
        let keep = self
            .messages
            .iter()
            .rposition(|m| m.role == super::message::Role::Assistant && m.tool_calls().is_empty())
            .map(|i| i + 1)
            .unwrap_or(0);
        self.messages.truncate(keep);
    }
}

/// Messages as JSON Lines.
fn lines(messages: &[Message]) -> std::io::Result<String> {
    let mut text = String::new();
    for m in messages {
        text += &serde_json::to_string(m).map_err(std::io::Error::other)?;
        text.push('\n');
    }
    Ok(text)
}

/// The text of `path`, or of its last `max` bytes from the first whole
/// line in them; and whether that is the whole file.
fn read_tail(path: &Path, max: u64) -> std::io::Result<(String, bool)> {
    use std::io::{Read, Seek, SeekFrom};
    let mut f = crate::files::open_regular(path)?;
    let len = f.metadata()?.len();
    if len <= max {
        return crate::files::read_text(path, max).map(|t| (t, true));
    }
    f.seek(SeekFrom::Start(len - max))?;
    let mut bytes = Vec::new();
    f.take(max).read_to_end(&mut bytes)?;
    let cut = bytes
        .iter()
        .position(|&b| b == b'\n')
        .map_or(bytes.len(), |i| i + 1);
    Ok((String::from_utf8_lossy(&bytes[cut..]).into_owned(), false))
}
