//! Hot reload: watching the session file (and the files it includes) and
//! turning each save into Actions that land on the session's quantum.
//!
//! Control thread only. A notify watcher on the files' folders (not the files
//! themselves, so editors that save by writing a temporary file and renaming
//! it, or by swapping a symlink, are seen like any other save) feeds events
//! into a channel; [`Reloader::poll`], called by the UI loop, re-reads the
//! files, and if they parse, applies `diff(last good version, new version)`
//! through [`Session::apply_file_change`]. A file that does not parse leaves
//! the last good state playing; its error is shown once the file has been
//! quiet for [`ERROR_QUIET`] (so a half-written save does not flash an
//! error). The reloader never writes the files.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{channel, Receiver};
use std::time::{Duration, Instant};

use notify::{RecommendedWatcher, RecursiveMode, Watcher};

use crate::patch::{self, PatchError, SessionFile};
use crate::session::{Session, Written};

/// How long a file must stay broken before its error is shown.
pub const ERROR_QUIET: Duration = Duration::from_millis(150);
/// How long a missing file (deleted by an editor mid-save) is waited for.
pub const MISSING_GRACE: Duration = Duration::from_secs(3);

/// What a reload did, for the status line.
#[derive(Debug, Clone, PartialEq)]
pub enum ReloadStatus {
    /// The file changed and its changes were queued to land on the quantum.
    /// `lands_at` is the song beat where they take effect (None: at once).
    /// An empty `changes` after a failure means the error is cleared.
    Applied {
        changes: Vec<String>,
        took: Duration,
        lands_at: Option<f64>,
    },
    /// The file is wrong; the last good state keeps playing.
    Failed { report: String },
}

/// One plain line (or the whole error report), for a log or a terminal
/// without the UI.
impl std::fmt::Display for ReloadStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReloadStatus::Applied { changes, .. } if changes.is_empty() => {
                f.write_str("reloaded: the file is fine again")
            }
            ReloadStatus::Applied {
                changes,
                took,
                lands_at,
            } => {
                write!(
                    f,
                    "reloaded in {} ms: {}",
                    took.as_millis(),
                    changes.join("; ")
                )?;
                match lands_at {
                    Some(b) => write!(f, " (lands at beat {b})"),
                    None => Ok(()),
                }
            }
            ReloadStatus::Failed { report } => write!(
                f,
                "reload failed, the last good version keeps playing:\n{report}"
            ),
        }
    }
}

/// Why a session's files cannot be watched.
#[derive(Debug, thiserror::Error)]
pub enum ReloadError {
    #[error("cannot watch files: {0}")]
    Watch(notify::Error),
    /// The session file does not load: its report, with line and caret.
    #[error("{}", .0.report())]
    Load(PatchError),
}

/// Watches a session's files and applies their saves.
pub struct Reloader {
    main: PathBuf,
    last: SessionFile,
    watcher: RecommendedWatcher,
    events: Receiver<notify::Result<notify::Event>>,
    watched_dirs: BTreeSet<PathBuf>,
    files: BTreeSet<PathBuf>,
    pending: bool,
    pending_since: Option<Instant>,
    broken: Option<(PatchError, Instant)>,
    reported: Option<String>,
}

type Events = std::sync::mpsc::Receiver<notify::Result<notify::Event>>;

/// A watcher and the channel its events come on.
fn start_watcher() -> notify::Result<(notify::RecommendedWatcher, Events)> {
    let (tx, rx) = channel();
    let watcher = notify::recommended_watcher(move |ev| {
        let _ = tx.send(ev);
    })?;
    Ok((watcher, rx))
}

fn absolute(p: &Path) -> PathBuf {
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir()
            .map(|d| d.join(p))
            .unwrap_or_else(|_| p.to_path_buf())
    }
}

impl Reloader {
    /// Control thread: start watching the session file at `path` and its
    /// includes. `loaded` is the version the session was built from.
    pub fn new(path: &Path, loaded: SessionFile) -> Result<Self, ReloadError> {
        let (watcher, rx) = start_watcher().map_err(ReloadError::Watch)?;
        let mut r = Self {
            main: absolute(path),
            last: loaded,
            watcher,
            events: rx,
            watched_dirs: BTreeSet::new(),
            files: BTreeSet::new(),
            pending: false,
            pending_since: None,
            broken: None,
            reported: None,
        };
        r.rewatch();
        Ok(r)
    }

    /// Control thread: watch `path`, reading it now (for a session that has
    /// not been loaded yet).
    pub fn watch(path: &Path) -> Result<Self, ReloadError> {
        let loaded = patch::load(path).map_err(ReloadError::Load)?;
        Self::new(path, loaded)
    }

    /// The version of the session file that last loaded cleanly.
    pub fn last_good(&self) -> &SessionFile {
        &self.last
    }

    /// The files being watched.
    pub fn files(&self) -> impl Iterator<Item = &Path> {
        self.files.iter().map(PathBuf::as_path)
    }

    /// Watch every folder holding one of the session's files (and, for a
    /// symlink, its target's folder).
    fn rewatch(&mut self) {
        let mut files = BTreeSet::new();
        for f in patch::sources(&self.main, &self.last) {
            let f = absolute(&f);
            if let Ok(real) = std::fs::canonicalize(&f) {
                files.insert(real);
            }
            files.insert(f);
        }
        let dirs: BTreeSet<PathBuf> = files
            .iter()
            .filter_map(|f| f.parent().map(Path::to_path_buf))
            .collect();
        for d in dirs.difference(&self.watched_dirs.clone()) {
            if self.watcher.watch(d, RecursiveMode::NonRecursive).is_ok() {
                self.watched_dirs.insert(d.clone());
            }
        }
        self.files = files;
    }

    /// Tests: cut the watcher's channel, as its thread dying would.
    #[doc(hidden)]
    pub fn lose_watcher_for_test(&mut self) {
        self.events = std::sync::mpsc::channel().1;
    }

    /// The watcher's thread is gone (its sender dropped): start it again,
    /// count it, and re-read, since a save may have come meanwhile.
    fn restart_watcher(&mut self) {
        if let Ok((watcher, rx)) = start_watcher() {
            crate::health::bump(&crate::health::WATCHER_RESTARTS);
            (self.watcher, self.events) = (watcher, rx);
            self.watched_dirs.clear();
            self.rewatch();
            self.pending = true;
        }
    }

    fn relevant(&self, ev: &notify::Event) -> bool {
        use notify::EventKind::*;
        matches!(ev.kind, Create(_) | Modify(_) | Remove(_) | Any)
            && ev.paths.iter().any(|p| self.files.contains(p))
    }

    /// Control thread, called by the UI loop: apply pending saves to
    /// `session`. Returns what happened, if anything did.
    pub fn poll(&mut self, session: &mut Session) -> Option<ReloadStatus> {
        // Files the session wrote itself (a save, the chat's write_patch)
        // are already playing: they become the last good version, so the
        // coming file event applies only what someone else changed.
        for w in session.take_written() {
            match w {
                Written::Session(file) => self.last = *file,
                Written::Patch { index, tracks } if index < self.last.includes.len() => {
                    self.last = patch::with_patch(&self.last, index, &tracks);
                }
                Written::Patch { .. } => {}
            }
        }
        loop {
            match self.events.try_recv() {
                Ok(Ok(ev)) if self.relevant(&ev) => {
                    self.pending = true;
                    self.pending_since.get_or_insert_with(Instant::now);
                }
                Ok(Ok(_)) => {}
                // The watcher lost track (queue overflow): just re-read.
                Ok(Err(_)) => self.pending = true,
                Err(std::sync::mpsc::TryRecvError::Empty) => break,
                Err(std::sync::mpsc::TryRecvError::Disconnected) => {
                    self.restart_watcher();
                    break;
                }
            }
        }
        if self.pending {
            // A save that names new samples waits (the old version playing)
            // until a worker has decoded them.
            if session.decoding() {
                return None;
            }
            self.pending = false;
            let started = Instant::now();
            let loaded = patch::load(&self.main);
            if let Ok(new) = &loaded {
                let need = session.undecoded(&self.main, new);
                if session.decode_ahead(need, "save") {
                    self.pending = true;
                    return None;
                }
            }
            let ahead = |p: &Path| {
                if session.is_decoded(p) {
                    Some(Ok(()))
                } else {
                    session.decode_failure(p).map(|e| Err(e.to_string()))
                }
            };
            let checked = loaded.and_then(|new| {
                crate::session::samples::check(&self.main, &new, Some(&self.last), &ahead)?;
                crate::session::check_file(&self.main, &new).map(|_| new)
            });
            if !matches!(&checked, Err(PatchError::Io { .. })) {
                session.forget_decode_failures();
            }
            match checked {
                Ok(new) => {
                    self.pending_since = None;
                    let was_broken = self.broken.take().is_some() || self.reported.take().is_some();
                    if new == self.last {
                        self.rewatch();
                        return was_broken.then(|| ReloadStatus::Applied {
                            changes: Vec::new(),
                            took: started.elapsed(),
                            lands_at: None,
                        });
                    }
                    let change = session.apply_file_change(&self.last, &new);
                    session.trim_samples();
                    self.last = new;
                    self.rewatch();
                    let mut changes = change.changes;
                    changes.extend(
                        change
                            .errors
                            .into_iter()
                            .map(|e| format!("not applied: {e}")),
                    );
                    return Some(ReloadStatus::Applied {
                        changes,
                        took: started.elapsed(),
                        lands_at: change.lands_at,
                    });
                }
                Err(PatchError::Io { source, .. })
                    if source.kind() == std::io::ErrorKind::NotFound
                        && self
                            .pending_since
                            .is_some_and(|t| t.elapsed() < MISSING_GRACE) =>
                {
                    // Mid-save: the editor removed the file and will write it again.
                    self.pending = true;
                }
                Err(e) => {
                    self.pending_since = None;
                    let since = self
                        .broken
                        .as_ref()
                        .map(|(_, t)| *t)
                        .unwrap_or_else(Instant::now);
                    self.broken = Some((e, since));
                }
            }
        }
        if let Some((e, since)) = &self.broken {
            if since.elapsed() >= ERROR_QUIET {
                let report = e.report();
                if self.reported.as_ref() != Some(&report) {
                    self.reported = Some(report.clone());
                    return Some(ReloadStatus::Failed { report });
                }
            }
        }
        None
    }

    /// Whether a broken file's error is waiting for its quiet time.
    pub fn has_pending_error(&self) -> bool {
        self.broken.is_some() && self.reported.is_none()
    }
}
