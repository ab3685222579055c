//! termdaw's log file, `termdaw.log` in the user's state (or cache)
//! directory, and pointing stderr at it while the terminal UI owns the
//! screen.
//!
//! Control thread (the main thread), at start-up and shutdown. ALSA and
//! JACK print to stderr while devices open and later, which would scribble
//! over the UI, so stderr itself (descriptor 2, which C libraries write to)
//! is redirected, not a Rust logger. Never called from the audio thread.

use std::os::fd::AsRawFd;
use std::path::PathBuf;

/// Where the log goes, if the platform has a state or cache directory.
pub fn path() -> Option<PathBuf> {
    let dirs = directories::ProjectDirs::from("", "", "termdaw")?;
    Some(
        dirs.state_dir()
            .unwrap_or(dirs.cache_dir())
            .join("termdaw.log"),
    )
}

/// Point stderr at the log file until the returned guard drops. `None`
/// when it cannot (stderr stays where it was).
pub fn redirect_stderr() -> Option<StderrGuard> {
    let path = path()?;
    std::fs::create_dir_all(path.parent()?).ok()?;
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .ok()?;
    // SAFETY: dup/dup2 on valid descriptors; the saved one is restored on drop.
    let saved = unsafe { libc::dup(2) };
    if saved < 0 {
        return None;
    }
    if unsafe { libc::dup2(file.as_raw_fd(), 2) } < 0 {
        unsafe { libc::close(saved) };
        return None;
    }
    Some(StderrGuard { saved })
}

/// Puts stderr back when dropped, so errors printed after the UI closes
/// reach the terminal.
pub struct StderrGuard {
    saved: i32,
}

impl Drop for StderrGuard {
    fn drop(&mut self) {
        // SAFETY: `saved` is the descriptor dup'ed in redirect_stderr.
        unsafe {
            libc::dup2(self.saved, 2);
            libc::close(self.saved);
        }
    }
}
