//! Files the musician names, at the edge: read within a size bound
//! ([`read_text`]: configs, key maps, themes, sessions), and written
//! (`render -o`, `process -o`, `process_sample`) never over something the
//! command reads, never over a session, and never leaving a temporary file
//! behind ([`check`], [`Temp`]).
//!
//! Control thread (or a command's main thread); file I/O only, no audio.

use std::io::Read;
use std::path::{Path, PathBuf};

/// The largest config, key map or theme file read (they are a few
/// kilobytes); a bigger file is refused unread.
pub const MAX_CONFIG_BYTES: u64 = 1 << 20;

/// A text file's contents, refused with a plain error when it is larger
/// than `max` bytes (read through the limit, so a huge file or a device
/// that never ends is never read whole).
pub fn read_text(path: &Path, max: u64) -> std::io::Result<String> {
    let f = open_regular(path)?;
    let mut text = String::new();
    // One byte past the limit tells a file at the limit from a bigger one.
    f.take(max + 1).read_to_string(&mut text)?;
    if text.len() as u64 > max {
        return Err(std::io::Error::other(format!(
            "the file is larger than {}; a text file of this kind is far smaller",
            size(max)
        )));
    }
    Ok(text)
}

/// Open a file for reading, refusing what is not a regular file before
/// opening it: opening a FIFO or a device path (one a session, OSC or the
/// chat can name) would block the thread until something writes to it.
pub fn open_regular(path: &Path) -> std::io::Result<std::fs::File> {
    if !std::fs::metadata(path)?.is_file() {
        return Err(std::io::Error::other("not a regular file"));
    }
    std::fs::File::open(path)
}

fn size(bytes: u64) -> String {
    if bytes >= 1 << 20 {
        format!("{} MB", bytes >> 20)
    } else {
        format!("{} KB", bytes >> 10)
    }
}

/// Why an output path is refused.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error(
        "{0} is a session file: termdaw never writes audio over a .ron file (choose a .wav name)"
    )]
    Session(PathBuf),
    #[error(
        "{out} is {what} this command reads: writing it would destroy it (choose another name)"
    )]
    Input { out: PathBuf, what: &'static str },
}

/// One thing a command reads, and what it is (for the message).
pub struct Input<'a> {
    pub path: &'a Path,
    pub what: &'static str,
}

/// Refuse `out` when it is a `.ron` file or the same file as one of
/// `inputs` (through any path: symlinks, `..`, hard links).
pub fn check(out: &Path, inputs: &[Input<'_>]) -> Result<(), OutputError> {
    if out
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("ron"))
    {
        return Err(OutputError::Session(out.to_path_buf()));
    }
    let Ok(o) = std::fs::metadata(out) else {
        // Nothing there yet: it cannot be anything we read.
        return Ok(());
    };
    for i in inputs {
        if std::fs::metadata(i.path).is_ok_and(|m| same_file(&o, &m)) {
            return Err(OutputError::Input {
                out: out.to_path_buf(),
                what: i.what,
            });
        }
    }
    Ok(())
}

#[cfg(unix)]
fn same_file(a: &std::fs::Metadata, b: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    (a.dev(), a.ino()) == (b.dev(), b.ino())
}

#[cfg(not(unix))]
fn same_file(a: &std::fs::Metadata, b: &std::fs::Metadata) -> bool {
    a.len() == b.len() && a.modified().ok() == b.modified().ok()
}

/// A temporary file beside the output, named for this process, removed
/// unless [`Temp::commit`] renames it into place.
pub struct Temp {
    path: PathBuf,
    done: bool,
}

/// Where [`Temp::beside`] writes for `out`: `.NAME.tmp-PID` in its folder.
pub fn temp_path(out: &Path) -> PathBuf {
    let mut name = std::ffi::OsString::from(".");
    name.push(out.file_name().unwrap_or_default());
    name.push(format!(".tmp-{}", std::process::id()));
    out.with_file_name(name)
}

impl Temp {
    pub fn beside(out: &Path) -> Temp {
        Temp {
            path: temp_path(out),
            done: false,
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Move the finished file into place.
    pub fn commit(mut self, out: &Path) -> std::io::Result<()> {
        std::fs::rename(&self.path, out)?;
        self.done = true;
        Ok(())
    }
}

impl Drop for Temp {
    fn drop(&mut self) {
        if !self.done {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_input_through_another_path_and_any_ron_file_are_refused() {
        let dir = std::env::temp_dir().join(format!("termdaw-outfile-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        let wav = dir.join("kick.wav");
        std::fs::write(&wav, b"RIFF").unwrap();
        let input = [Input {
            path: &wav,
            what: "a sample",
        }];
        let other = dir.join("sub/../kick.wav");
        assert!(matches!(
            check(&other, &input),
            Err(OutputError::Input { .. })
        ));
        assert!(matches!(
            check(&dir.join("x.RON"), &[]),
            Err(OutputError::Session(_))
        ));
        assert!(check(&dir.join("new.wav"), &input).is_ok());
        {
            let t = Temp::beside(&dir.join("out.wav"));
            std::fs::write(t.path(), b"partial").unwrap();
        }
        let left: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().contains(".tmp-"))
            .collect();
        assert!(left.is_empty(), "a dropped temp file stays");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
