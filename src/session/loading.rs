//! Decoding samples ahead, off the control thread: before a save that names
//! a new sample is applied, the reloader has its samples decoded (and
//! resampled to the session's rate) by a worker, and applies the save once
//! they are in the cache. Meanwhile the old version keeps playing and the
//! UI, OSC and MIDI go on; a file of ten minutes takes seconds to decode.
//!
//! Control thread: [`Session::decode_ahead`] starts a worker and
//! [`Session::decoding`] lands what it finished. The worker only reads the
//! files and decodes; it never touches the session. Offline sessions (no
//! engine: render, check, `ask`) decode in place, as nothing plays.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{channel, Receiver, Sender};

use super::{build, Session};
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
}

impl Session {
    /// The sample files `file` (read from `path`) plays that are not decoded
    /// yet, resolved against the session's folder.
    pub fn undecoded(&self, path: &Path, file: &SessionFile) -> Vec<PathBuf> {
        let base = path.parent();
        let mut out = BTreeSet::new();
        for t in &file.tracks {
            if t.instrument.kind != InstrumentKind::Sample {
                continue;
            }
            if let Some(p) = t.instrument.path.as_deref() {
                let full = build::resolve(base, p);
                if !self.cache.contains(&full) && !self.ahead.failed.contains_key(&full) {
                    out.insert(full);
                }
            }
        }
        out.into_iter().collect()
    }

    /// Start decoding `paths` on a worker thread (live sessions only).
    /// Returns whether anything is being decoded now: the caller waits for
    /// [`Session::decoding`] to say it is done before applying what needs
    /// them.
    pub fn decode_ahead(&mut self, paths: Vec<PathBuf>) -> bool {
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
                &format!("decoding {} before the save lands…", names.join(", ")),
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
