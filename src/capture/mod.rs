//! Takes: recording what termdaw plays into a folder (the master as a WAV,
//! optionally a stem per track, and the action log), and replaying a take
//! offline ([`replay`]).
//!
//! Control thread: [`Take::start`] opens the folder and the master's file,
//! makes the disk ring and hands its writing end to the engine; the disk
//! thread ([`disk`]) empties it. [`Take::poll`] runs each turn of the loop;
//! [`Take::finish`] waits (briefly) for the last frames. Nothing here runs
//! on the audio thread.

pub mod disk;
pub mod gate;
pub mod replay;
mod segments;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use crate::audio::wav::{StereoWav, WavFormat};
use crate::engine::capture::{Capture, HEADER};
use crate::engine::{When, MAX_BLOCK};
use crate::session::log::take_log_path;
use crate::session::Session;

/// Seconds of audio the disk ring holds (all streams at once).
pub const RING_SECONDS: f64 = 4.0;
/// The master's file in a take folder.
pub const MASTER_FILE: &str = "master.wav";

/// Why a take could not start.
#[derive(Debug, thiserror::Error)]
pub enum TakeError {
    #[error("cannot record into {dir}: {source}")]
    Folder {
        dir: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot record into {dir}: {source}")]
    Wav { dir: PathBuf, source: hound::Error },
    #[error("cannot record: the session has no engine")]
    NoEngine,
}

/// How to record.
#[derive(Debug, Clone)]
pub struct TakeOptions {
    pub dir: PathBuf,
    pub format: WavFormat,
    /// One WAV per track besides the master.
    pub stems: bool,
    /// When the take starts (at once, or on the next bar).
    pub at: When,
    /// Gate the input into segments (`gate-NN.wav`).
    pub gate: Option<gate::GateConfig>,
}

/// A take being recorded.
pub struct Take {
    pub dir: PathBuf,
    disk: disk::Disk,
    format: WavFormat,
    /// The `take` line is in the log.
    marked: bool,
    stopped: bool,
    gated: bool,
    /// The gate's state at the last poll.
    was_open: bool,
}

/// How a take ended.
#[derive(Debug, Clone, PartialEq)]
pub struct TakeSummary {
    pub dir: PathBuf,
    pub frames: u64,
    pub rate: f32,
    /// Frames the ring had no room for (silence in the files).
    pub dropped: u64,
    /// The ring's high-water mark, as a share of its size.
    pub high_water: f64,
    pub longest_write_ms: f64,
    /// Whether the log replays this take (complete, nothing dropped).
    pub replayable: bool,
    /// Live input was heard before the take began: its echoes and loops
    /// sound in the take, but the take holds no input from before it, so
    /// a replay differs until they have died away.
    pub input_before: bool,
    pub error: Option<String>,
}

impl TakeSummary {
    pub fn line(&self) -> String {
        let mut s = format!(
            "take {}: {:.1} s, ring high-water {:.0} %, longest write {:.1} ms",
            self.dir.display(),
            self.frames as f64 / self.rate as f64,
            self.high_water * 100.0,
            self.longest_write_ms
        );
        if self.dropped > 0 {
            s.push_str(&format!(", {} frames lost to a full ring", self.dropped));
        }
        if !self.replayable {
            s.push_str(", not replayable");
        }
        if self.replayable && self.input_before {
            s.push_str(
                ", input was live before it began (the replay differs until its echoes and loops end)",
            );
        }
        if let Some(e) = &self.error {
            s.push_str(&format!(", stopped: {e}"));
        }
        s
    }
}

impl Take {
    /// Open `opts.dir` and start recording into it.
    pub fn start(session: &mut Session, opts: &TakeOptions) -> Result<Take, TakeError> {
        let dir = opts.dir.clone();
        let rate = session.engine().ok_or(TakeError::NoEngine)?.rate;
        std::fs::create_dir_all(&dir).map_err(|source| TakeError::Folder {
            dir: dir.clone(),
            source,
        })?;
        let master = StereoWav::create(&dir.join(MASTER_FILE), rate as u32, opts.format).map_err(
            |source| TakeError::Wav {
                dir: dir.clone(),
                source,
            },
        )?;
        let mut names = HashMap::new();
        for t in &session.file().tracks {
            if let Some(slot) = session.slot(t.name.as_str()) {
                names.insert(slot as u32, t.name.to_string());
            }
        }
        let streams = 1 + if opts.stems { names.len() + 4 } else { 0 };
        let capacity = (rate as f64 * RING_SECONDS) as usize * 2 * streams
            + (HEADER * streams) * (rate as usize / 16 + MAX_BLOCK);
        let (tx, rx) = rtrb::RingBuffer::new(capacity);
        if let Some(log) = session.log_mut() {
            if let Err(e) = log.start_take(&take_log_path(&dir)) {
                log.broken
                    .get_or_insert(format!("the take's log could not be written: {e}"));
            }
        }
        let files = disk::Files {
            dir: dir.clone(),
            rate: rate as u32,
            format: opts.format,
            master,
            names: names.into_iter().map(|(k, v)| (k, safe_name(&v))).collect(),
            gate: opts.gate,
        };
        let disk = disk::Disk::spawn(rx, files).map_err(|source| TakeError::Folder {
            dir: dir.clone(),
            source,
        })?;
        session.start_capture(Box::new(Capture::new(tx, opts.stems)), opts.at);
        Ok(Take {
            dir,
            disk,
            format: opts.format,
            marked: false,
            stopped: false,
            gated: opts.gate.is_some(),
            was_open: false,
        })
    }

    /// Each turn: mark the take's start in the log once it is known; stop
    /// the take if the disk failed. A line for the musician, if any.
    pub fn poll(&mut self, session: &mut Session) -> Option<String> {
        if let Some(log) = session.log_mut() {
            log.flush();
        }
        let status = &self.disk.status;
        if !self.marked {
            if let Some(first) = status.first() {
                self.marked = true;
                if let Some(log) = session.log_mut() {
                    log.take_line(&format!("take {first} {}", self.format.name()));
                }
            }
        }
        if let Some(open) = self.gate_open().filter(|o| *o != self.was_open) {
            self.was_open = open;
            let n = status.gate_segments.load(Ordering::Relaxed);
            return Some(if open {
                format!("gate open: recording gate-{:02}.wav", n + 1)
            } else {
                format!("gate closed: gate-{n:02}.wav written")
            });
        }
        if !self.stopped {
            if let Some(e) = status.error() {
                self.stop(session, When::Now);
                return Some(format!(
                    "recording stopped: {e} (the music goes on; what was written is in {})",
                    self.dir.display()
                ));
            }
        }
        None
    }

    /// Stop recording at `at` (the files close in [`Take::finish`]).
    pub fn stop(&mut self, session: &mut Session, at: When) {
        if !self.stopped {
            self.stopped = true;
            session.stop_capture(at);
        }
    }

    /// Whether the input gate is open (`None`: the take is not gated).
    pub fn gate_open(&self) -> Option<bool> {
        self.gated
            .then(|| self.disk.status.gate_open.load(Ordering::Relaxed))
    }

    /// Asked to stop (the last frames may still be on their way).
    pub fn is_stopping(&self) -> bool {
        self.stopped
    }

    /// Whether the disk thread has written its last frame.
    pub fn is_done(&self) -> bool {
        self.disk.status.done.load(Ordering::Acquire)
    }

    /// Stop now if still recording, wait up to `wait` for the last frames
    /// (the engine hands the ring back, the disk thread drains it), and
    /// close the files and the log.
    pub fn finish(mut self, session: &mut Session, wait: Duration) -> TakeSummary {
        self.stop(session, When::Now);
        let until = Instant::now() + wait;
        while !self.is_done() && Instant::now() < until {
            if let Some(e) = session.engine_mut() {
                // The ring's writing end comes back as garbage: dropping it
                // tells the disk thread the take is over.
                e.collect_garbage();
            }
            session.drain_applied();
            std::thread::sleep(Duration::from_millis(2));
        }
        self.disk.stop();
        self.disk.join();
        self.poll(session);
        let status = &self.disk.status;
        let first = status.first().unwrap_or(0);
        let end = status.end.load(Ordering::Acquire).max(first);
        session.drain_applied();
        let counters = session.engine().map(|e| e.counters.clone());
        let dropped = status.gap_frames.load(Ordering::Relaxed);
        let mut broken = None;
        if let Some(log) = session.log_mut() {
            if let Err(e) = log.end_take(end) {
                broken = Some(e.to_string());
            }
            broken = broken.or(log.broken.clone());
        }
        let lost_log = counters
            .as_ref()
            .map_or(0, |c| crate::engine::Counters::get(&c.dropped_log));
        let heard = counters.map_or(0, |c| crate::engine::Counters::get(&c.input_first_heard));
        let capacity = (session.engine().map_or(48_000.0, |e| e.rate) as f64 * RING_SECONDS) * 2.0;
        TakeSummary {
            dir: self.dir.clone(),
            frames: end - first,
            rate: session.engine().map_or(0.0, |e| e.rate),
            dropped,
            high_water: status.high_water.load(Ordering::Relaxed) as f64 / capacity,
            longest_write_ms: status.longest_write_us.load(Ordering::Relaxed) as f64 / 1000.0,
            replayable: broken.is_none() && lost_log == 0 && dropped == 0 && self.marked,
            input_before: heard != 0 && heard - 1 < first,
            error: status.error().or(broken),
        }
    }
}

/// A track name as part of a file name.
pub fn safe_name(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// A new take folder under `root`: the session's name and the time.
pub fn take_dir(root: &Path, session: Option<&Path>) -> PathBuf {
    let name = session
        .and_then(|p| p.file_stem())
        .map(|s| safe_name(&s.to_string_lossy()))
        .unwrap_or_else(|| "take".into());
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let mut dir = root.join(format!("{name}-{secs}"));
    let mut n = 2;
    while dir.exists() {
        dir = root.join(format!("{name}-{secs}-{n}"));
        n += 1;
    }
    dir
}
