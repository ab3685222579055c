//! Decoding samples ahead, off the control thread: before a save that names
//! a new sample is applied, the reloader has its samples decoded (and
//! resampled to the session's rate) by a worker, and applies the save once
//! they are in the cache; an action that names one (a `file` set from OSC
//! or the chat) waits the same way and lands on a later turn. Meanwhile the
//! old version keeps playing and the UI, OSC and MIDI go on; a file of ten
//! minutes takes seconds to decode.
//!
//! Control thread: [`Session::decode_ahead`] starts a worker and
//! [`Session::decoding`] lands what it finished. The worker only reads the
//! files and decodes; it never touches the session. Offline sessions (no
//! engine: render, check, `ask`) decode in place, as nothing plays.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{channel, Receiver, Sender};

use super::{build, Applied, Session};
use crate::action::{Action, ActionError};
use crate::kinds::InstrumentKind;
use crate::patch::SessionFile;
use crate::sample::SampleData;

type Decoded = (PathBuf, Result<SampleData, String>);

/// Samples being decoded ahead, and those that failed since the reload
/// that asked for them (so a damaged file is not decoded again and again:
/// the reload reports its error instead).
#[derive(Default)]
pub(super) struct Ahead {
    busy: BTreeSet<PathBuf>,
    failed: BTreeMap<PathBuf, String>,
    /// Made at the first use; each worker sends through a clone of the sender.
    channel: Option<(Sender<Decoded>, Receiver<Decoded>)>,
    /// Actions waiting for the samples they name, in the order they came,
    /// and the tracks whose sample they set.
    waiting: Vec<Action>,
    waiting_tracks: BTreeSet<String>,
}

/// Most actions that may wait for samples at once.
pub const MAX_WAITING: usize = 16;

impl Session {
    /// The sample files `file` (read from `path`) plays that are not decoded
    /// yet, resolved against the session's folder.
    pub fn undecoded(&self, path: &Path, file: &SessionFile) -> Vec<PathBuf> {
        let mut out = changed_samples(path.parent(), file, None);
        out.retain(|p| !self.cache.contains(p) && !self.ahead.failed.contains_key(p));
        out
    }

    /// Start decoding `paths` on a worker thread (live sessions only), with
    /// a notice that the `what` ("save", "change") waits for them.
    /// Returns whether anything is being decoded now: the caller waits for
    /// [`Session::decoding`] to say it is done before applying what needs
    /// them.
    pub fn decode_ahead(&mut self, paths: Vec<PathBuf>, what: &str) -> bool {
        let new: Vec<PathBuf> = paths
            .into_iter()
            .filter(|p| !self.ahead.busy.contains(p))
            .collect();
        if self.engine.is_none() || new.is_empty() {
            return self.decoding();
        }
        let tx = self.ahead.channel.get_or_insert_with(channel).0.clone();
        let rate = self.rate;
        let files = new.clone();
        let spawned = std::thread::Builder::new()
            .name("termdaw-decode".into())
            .spawn(move || {
                // Every file gets an answer, so the reload waiting for them
                // always goes on.
                for path in files {
                    let r = crate::health::survive(&crate::health::DECODE_PANICS, || {
                        crate::sample::load(&path, rate).map_err(|e| e.to_string())
                    })
                    .unwrap_or_else(|| Err(format!("{}: decoding hit a bug", path.display())));
                    let _ = tx.send((path, r));
                }
            });
        if spawned.is_ok() {
            let names: Vec<String> = new
                .iter()
                .map(|p| {
                    p.file_name()
                        .unwrap_or(p.as_os_str())
                        .to_string_lossy()
                        .into_owned()
                })
                .collect();
            self.notices.push(crate::quote::clip(
                &format!("decoding {} before the {what} lands…", names.join(", ")),
                crate::quote::MAX_QUOTE,
            ));
            self.ahead.busy.extend(new);
        }
        // No thread to be had: the reload decodes in place rather than never.
        self.decoding()
    }

    /// Put what the workers decoded into the cache. Returns whether some is
    /// still being decoded.
    pub fn decoding(&mut self) -> bool {
        if let Some((_, rx)) = &self.ahead.channel {
            while let Ok((path, r)) = rx.try_recv() {
                self.ahead.busy.remove(&path);
                match r {
                    Ok(data) => self.cache.insert(path, data),
                    Err(e) => {
                        self.ahead.failed.insert(path, e);
                    }
                }
            }
        }
        !self.ahead.busy.is_empty()
    }

    /// Why decoding `path` ahead failed, if it did since the last reload.
    pub fn decode_failure(&self, path: &Path) -> Option<&str> {
        self.ahead.failed.get(path).map(String::as_str)
    }

    /// Whether `path` is decoded and waiting in the cache.
    pub fn is_decoded(&self, path: &Path) -> bool {
        self.cache.contains(path)
    }

    /// A reload is over (applied or refused): what failed is tried again
    /// next time.
    pub fn forget_decode_failures(&mut self) {
        self.ahead.failed.clear();
    }

    /// After a change: samples nothing plays any more leave the cache once
    /// they hold more than [`build::MAX_UNUSED_SAMPLE_BYTES`].
    pub fn trim_samples(&mut self) {
        let base = self.base_dir();
        let playing: BTreeSet<PathBuf> = self
            .file
            .tracks
            .iter()
            .filter(|t| t.instrument.kind == InstrumentKind::Sample)
            .filter_map(|t| t.instrument.path.as_deref())
            .map(|p| build::resolve(base.as_deref(), p))
            .collect();
        self.cache.trim(&playing);
    }
}

impl Session {
    /// Before an action's edit applies: if `next` names samples `before`
    /// did not and they are not decoded, decode them on a worker and let
    /// the action wait (`Some`, what to answer now); a sample that failed
    /// to decode refuses the action with why.
    pub(super) fn wait_for_samples(
        &mut self,
        action: &Action,
        before: &SessionFile,
        next: &SessionFile,
    ) -> Result<Option<Applied>, ActionError> {
        // A file change (a reload, undo of one) had its samples decoded
        // ahead by the reloader, or runs offline: it applies whole, now.
        if self.engine.is_none() || self.literal {
            return Ok(None);
        }
        // A change of an instrument whose new sample is still decoding goes
        // behind that change, so the last one said is the one that stays.
        let behind = !self.ahead.waiting.is_empty()
            && instruments_set_by(action, before)
                .iter()
                .any(|t| self.ahead.waiting_tracks.contains(t));
        let base = self.base_dir();
        let changed = changed_samples(base.as_deref(), next, Some(before));
        if !behind && changed.is_empty() {
            return Ok(None);
        }
        if let Some(why) = changed.iter().find_map(|p| self.decode_failure(p)) {
            return Err(ActionError::Invalid(why.to_string()));
        }
        let need: Vec<PathBuf> = changed
            .iter()
            .filter(|p| !self.cache.contains(p))
            .cloned()
            .collect();
        if !behind && need.is_empty() {
            return Ok(None);
        }
        if self.ahead.waiting.len() >= MAX_WAITING {
            return Err(ActionError::Invalid(format!(
                "{MAX_WAITING} changes are waiting for samples to decode; try again when they land"
            )));
        }
        let busy = self.decode_ahead(need, "change");
        // A small file can be decoded, and fail, before the worker is
        // waited for: refused now, and forgotten, so a fixed file is tried
        // again.
        if let Some(why) = changed.iter().find_map(|p| self.ahead.failed.remove(p)) {
            return Err(ActionError::Invalid(why));
        }
        if !busy && !behind {
            return Ok(None);
        }
        let tracks = instruments_set_by(action, before);
        self.ahead.waiting_tracks.extend(tracks);
        self.ahead.waiting.push(action.clone());
        Ok(Some(Applied {
            description: if behind {
                "waits for the sample change before it, then lands".into()
            } else {
                "decoding the sample first: the change lands when it is ready".into()
            },
        }))
    }

    /// Each turn: once nothing is decoding, apply the actions that waited
    /// for their samples (each an undo step of its own, with a notice).
    pub(super) fn land_decoded(&mut self) {
        if self.ahead.waiting.is_empty() || self.decoding() {
            return;
        }
        self.ahead.waiting_tracks.clear();
        for action in std::mem::take(&mut self.ahead.waiting) {
            let notice = match self.apply(action) {
                Ok(a) => a.description,
                Err(e) => format!("not applied: {e}"),
            };
            self.notices.push(notice);
        }
        self.ahead.failed.clear();
    }
}

/// The sample files `file` plays (resolved against `base`) at a path other
/// than `before` plays them on the same track (all of them without `before`).
fn changed_samples(
    base: Option<&Path>,
    file: &SessionFile,
    before: Option<&SessionFile>,
) -> Vec<PathBuf> {
    let mut out = BTreeSet::new();
    for t in &file.tracks {
        if t.instrument.kind != InstrumentKind::Sample {
            continue;
        }
        let Some(p) = t.instrument.path.as_deref() else {
            continue;
        };
        let same = before
            .and_then(|b| b.track(t.name.as_str()))
            .is_some_and(|o| {
                o.instrument.kind == InstrumentKind::Sample
                    && o.instrument.path.as_deref() == Some(p)
            });
        if !same {
            out.insert(build::resolve(base, p));
        }
    }
    out.into_iter().collect()
}

/// The tracks whose instrument `action` changes, counting a sample path
/// set to the one already playing: the action is tried on a copy of
/// `before` whose sample paths are all a marker no file can have.
fn instruments_set_by(action: &Action, before: &SessionFile) -> BTreeSet<String> {
    const MARK: &str = "\0termdaw: not set";
    let mut marked = before.clone();
    for t in &mut marked.tracks {
        if t.instrument.kind == InstrumentKind::Sample {
            t.instrument.path = Some(MARK.into());
        }
    }
    let mut probe = marked.clone();
    if super::edit::edit(&mut probe, action).is_err() {
        return BTreeSet::new();
    }
    probe
        .tracks
        .iter()
        .filter(|t| {
            marked
                .track(t.name.as_str())
                .is_none_or(|o| o.instrument != t.instrument)
        })
        .map(|t| t.name.to_string())
        .collect()
}
