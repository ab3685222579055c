//! Hot reload: watching the session file (and the files it includes) and
//! turning each save into Actions applied on the session's quantum.
//!
//! Control thread only. (Being built for the hot-reload issue; the TUI polls
//! [`Reloader::poll`] each frame.)

use crate::session::Session;

/// What a reload did, for the status line.
#[derive(Debug, Clone, PartialEq)]
pub enum ReloadStatus {
    /// The file changed and its changes were queued to land on the quantum.
    /// `lands_at` is the song beat where they take effect (None: at once).
    Applied { changes: Vec<String>, took: std::time::Duration, lands_at: Option<f64> },
    /// The file is wrong; the last good state keeps playing.
    Failed { report: String },
}

/// Watches a session's files.
#[derive(Default)]
pub struct Reloader {}

impl Reloader {
    /// Control thread: start watching the session file at `path` (and, once
    /// includes exist, the files it includes).
    pub fn watch(_path: &std::path::Path) -> Result<Self, String> {
        Ok(Self {})
    }

    /// Control thread: called by the UI loop; applies pending saves to `session`.
    pub fn poll(&mut self, _session: &mut Session) -> Option<ReloadStatus> {
        None
    }
}
