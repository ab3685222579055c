//! `termdaw ask SESSION.ron "prompt"`: one chat turn without the UI.
//!
//! Control thread (the command's main thread). Loads the session without an
//! engine, runs one reply through the same [`Chat`] the pane uses, prints
//! the streamed text and each change as it lands, and, if anything
//! changed, saves the session file atomically (the previous version kept as
//! `NAME.ron.bak`, so `mv NAME.ron.bak NAME.ron` undoes the reply).

use std::io::Write;
use std::path::Path;
use std::time::Duration;

use super::config::ChatConfig;
use super::history::{self, History};
use super::pane::{Chat, Update};
use crate::patch::PatchError;
use crate::session::Session;

/// Why `ask` failed.
#[derive(Debug, thiserror::Error)]
pub enum AskError {
    #[error("{}", .0.report())]
    Session(Box<PatchError>),
    #[error("{0}")]
    Chat(String),
    #[error("saving {file}: {source}")]
    Save {
        file: String,
        #[source]
        source: std::io::Error,
    },
    #[error("writing the output: {0}")]
    Output(#[from] std::io::Error),
}

impl From<PatchError> for AskError {
    fn from(e: PatchError) -> Self {
        AskError::Session(Box::new(e))
    }
}

/// What a turn did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AskSummary {
    pub text: String,
    pub changes: Vec<String>,
    pub saved: bool,
}

/// Run one turn on the session file at `path`. `data_dir` holds the history
/// (None: the user's data directory; the history is not kept if there is none).
pub fn ask(
    cfg: ChatConfig,
    path: &Path,
    prompt: &str,
    data_dir: Option<&Path>,
    out: &mut dyn Write,
) -> Result<AskSummary, AskError> {
    let mut session = Session::load(path, 48_000.0, None)?;
    let dir = data_dir.map(Path::to_path_buf).or_else(history::data_dir);
    let (hist, problems) = match dir {
        Some(d) => History::open(history::file_for(&d, Some(path))),
        None => (History::in_memory(), Vec::new()),
    };
    for p in problems {
        writeln!(out, "warning: chat history: {p}")?;
    }
    let mut chat = Chat::new(cfg, hist);
    if let Some(m) = chat.config().missing_key() {
        return Err(AskError::Chat(m));
    }
    chat.send(prompt, &session);
    let mut summary = AskSummary::default();
    let mut failed = None;
    let mut at_line_start = true;
    while chat.is_busy() {
        for u in chat.poll(&mut session) {
            match u {
                Update::Text(t) => {
                    write!(out, "{t}")?;
                    at_line_start = t.ends_with('\n');
                    summary.text += &t;
                }
                Update::Change(c) => {
                    if !at_line_start {
                        writeln!(out)?;
                    }
                    writeln!(out, "  ✓ {c}")?;
                    at_line_start = true;
                    summary.changes.push(c);
                }
                Update::Refused(r) => {
                    if !at_line_start {
                        writeln!(out)?;
                    }
                    let first = r.lines().next().unwrap_or("");
                    writeln!(out, "  ✗ {first}")?;
                    at_line_start = true;
                }
                Update::Notice(m) => {
                    if !at_line_start {
                        writeln!(out)?;
                    }
                    writeln!(out, "  ! {m}")?;
                    at_line_start = true;
                }
                Update::Failed(m) => failed = Some(m),
                Update::Calling(_) | Update::Done => {}
            }
        }
        out.flush()?;
        if chat.is_busy() {
            std::thread::sleep(Duration::from_millis(5));
        }
    }
    if !at_line_start {
        writeln!(out)?;
    }
    if let Some(m) = failed {
        return Err(AskError::Chat(m));
    }
    if session.is_dirty() {
        session.save().map_err(|source| AskError::Save {
            file: path.display().to_string(),
            source,
        })?;
        summary.saved = true;
        writeln!(
            out,
            "saved {} (previous version: {}.bak)",
            path.display(),
            path.file_name()
                .map(|n| n.to_string_lossy())
                .unwrap_or_default()
        )?;
    }
    Ok(summary)
}
