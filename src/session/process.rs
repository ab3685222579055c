//! `process_sample`: a track's sample processed into a new file (the same
//! operations as `termdaw process`), then the track pointed at it, an
//! ordinary undoable `file` change.
//!
//! Control thread. In a live session the processing runs on a thread of its
//! own (decoding, resampling and writing take as long as the file is long),
//! so the control loop (the UI, OSC, MIDI, reloads) never waits for it: the
//! action answers at once, and [`Session::tick`] lands the change when the
//! file is written. Offline (render, check, `ask` without an engine) it runs
//! in place. The worker only reads the input, writes the output file and
//! decodes it at the session's rate for the track to play.

use std::path::PathBuf;
use std::sync::mpsc::{sync_channel, Receiver, TryRecvError};

use super::{build, Applied, Session};
use crate::action::{Action, ActionError};

/// Most processing runs at once in one session.
pub const MAX_JOBS: usize = 4;

/// One run of `process_sample` still working.
pub(super) struct Job {
    track: String,
    describe: String,
    /// The processed file, decoded at the session's rate when that worked.
    done: Receiver<Result<(PathBuf, Option<crate::sample::SampleData>), String>>,
}

impl Session {
    /// `process_sample`: check the request, then process the track's sample
    /// (on a thread of its own when live).
    pub(super) fn process_sample(
        &mut self,
        track: &str,
        ops: &str,
    ) -> Result<Applied, ActionError> {
        let invalid = ActionError::Invalid;
        let t = self
            .file
            .track(track)
            .ok_or_else(|| ActionError::NoTrack(track.to_string()))?;
        let Some(src) = t
            .instrument
            .path
            .clone()
            .filter(|_| t.instrument.kind == crate::kinds::InstrumentKind::Sample)
        else {
            return Err(invalid(format!("{track} does not play a sample")));
        };
        let opts = crate::process::Options::parse(ops).map_err(|e| invalid(e.to_string()))?;
        let input = build::resolve(self.base_dir().as_deref(), &src);
        let dir = self
            .processed_dir
            .clone()
            .or_else(crate::process::default_output_dir)
            .ok_or_else(|| invalid("no data directory to write the processed sample to".into()))?;
        std::fs::create_dir_all(&dir)
            .map_err(|e| invalid(format!("cannot create {}: {e}", dir.display())))?;
        let stem = input
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "sample".into());
        let mut h = std::collections::hash_map::DefaultHasher::new();
        std::hash::Hash::hash(&(input.to_string_lossy(), ops.trim()), &mut h);
        let out = dir.join(format!(
            "{stem}-{:08x}.wav",
            std::hash::Hasher::finish(&h) as u32
        ));
        let describe = opts.describe();
        let live = self.engine.is_some();
        let rate = self.rate;
        let work = move || {
            crate::process::process_file(&input, &opts, &out, false)
                .map_err(|e| format!("{e:#}"))?;
            // Live, the worker also decodes the result at the session's
            // rate, so the track's rebuild does not decode on the control
            // thread (a failure here is reported when the track loads it).
            let decoded = live.then(|| crate::sample::load(&out, rate).ok()).flatten();
            Ok((out, decoded))
        };
        if !live {
            let (out, _) = work().map_err(invalid)?;
            return self.point_at(track, &describe, out);
        }
        if self.jobs.len() >= MAX_JOBS {
            return Err(invalid(format!(
                "{MAX_JOBS} samples are being processed already; try again when one is done"
            )));
        }
        let (tx, done) = sync_channel(1);
        std::thread::Builder::new()
            .name("termdaw-process".into())
            .spawn(move || {
                let r = crate::health::survive(&crate::health::PROCESS_PANICS, work)
                    .unwrap_or_else(|| Err("processing hit a bug in termdaw".into()));
                let _ = tx.send(r);
            })
            .map_err(|e| invalid(format!("cannot start processing: {e}")))?;
        self.jobs.push(Job {
            track: track.to_string(),
            describe: describe.clone(),
            done,
        });
        Ok(Applied {
            description: format!("{track}: {describe}: processing…"),
        })
    }

    /// The track plays the processed file: an ordinary `file` change.
    fn point_at(
        &mut self,
        track: &str,
        describe: &str,
        out: PathBuf,
    ) -> Result<Applied, ActionError> {
        let r = self.apply(Action::SetParam {
            track: track.to_string(),
            param: "file".into(),
            value: crate::action::ArgValue::Text(out.to_string_lossy().into_owned()),
        })?;
        Ok(Applied {
            description: format!("{track}: {describe} → {}", r.description),
        })
    }

    /// Land the processing that finished since the last turn: each becomes
    /// its `file` change (one undo step) and a notice, or a notice of why not.
    pub(super) fn land_processed(&mut self) {
        let mut i = 0;
        while let Some(job) = self.jobs.get(i) {
            let result = match job.done.try_recv() {
                Err(TryRecvError::Empty) => {
                    i += 1;
                    continue;
                }
                Ok(r) => r,
                Err(TryRecvError::Disconnected) => Err("the processing thread stopped".into()),
            };
            let job = self.jobs.swap_remove(i);
            let notice = match result
                .map_err(ActionError::Invalid)
                .and_then(|(out, decoded)| {
                    if let Some(data) = decoded {
                        let key =
                            build::resolve(self.base_dir().as_deref(), &out.to_string_lossy());
                        self.cache.insert(key, data);
                    }
                    self.point_at(&job.track, &job.describe, out)
                }) {
                Ok(a) => a.description,
                Err(e) => format!("{}: {} failed: {e}", job.track, job.describe),
            };
            self.notices.push(notice);
        }
    }

    /// Whether a `process_sample` run is still working.
    pub fn is_processing(&self) -> bool {
        !self.jobs.is_empty()
    }
}
