//! The disk thread of a take: empties the ring the engine writes
//! (`engine::capture`) into one WAV per stream (the master, each track's
//! stem), keeping every file in time with the take's first sample.
//!
//! Its own thread: it may block on the disk, never on the audio thread,
//! which only ever finds the ring full (counted, never waited on). A
//! write error (a full disk) ends the writing, not the draining: the
//! engine keeps playing, what was written stays a readable WAV (headers
//! are brought up to date four times a second), and the error is reported.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use rtrb::Consumer;

use crate::audio::wav::{StereoWav, WavFormat};
use crate::engine::capture::{ChunkHeader, HEADER, INPUT, MASTER, STEM};

/// How often the files' headers are brought up to date.
const FLUSH_EVERY: Duration = Duration::from_millis(250);
/// How long the thread sleeps when the ring is empty.
const IDLE: Duration = Duration::from_millis(5);

/// What the disk thread knows, for the control thread to read at any time.
#[derive(Default)]
pub struct Status {
    /// Engine sample of the take's first frame (`u64::MAX`: not yet).
    pub first: AtomicU64,
    /// Engine sample after the last frame written.
    pub end: AtomicU64,
    /// Most values the ring held at once (its high-water mark).
    pub high_water: AtomicU64,
    /// Longest time one pass of writing took, in microseconds.
    pub longest_write_us: AtomicU64,
    /// Frames of silence written where the ring had overflowed.
    pub gap_frames: AtomicU64,
    pub error: Mutex<Option<String>>,
    pub done: AtomicBool,
    /// A gated take: whether the gate is open, how many segments it
    /// closed, and the input's last level (dBFS, as `f32` bits).
    pub gate_open: AtomicBool,
    pub gate_segments: AtomicU64,
    pub gate_level: std::sync::atomic::AtomicU32,
}

impl Status {
    pub fn first(&self) -> Option<u64> {
        let f = self.first.load(Ordering::Acquire);
        (f != u64::MAX).then_some(f)
    }

    pub fn error(&self) -> Option<String> {
        self.error.lock().ok().and_then(|e| e.clone())
    }
}

/// Where each stream goes.
pub struct Files {
    pub dir: PathBuf,
    pub rate: u32,
    pub format: WavFormat,
    /// The master's file, opened by the control thread (so a folder that
    /// cannot be written is refused at once).
    pub master: StereoWav,
    /// Track names by slot, for the stems' file names.
    pub names: HashMap<u32, String>,
    /// Gate the input's recording into segments.
    pub gate: Option<super::gate::GateConfig>,
}

struct Stream {
    wav: StereoWav,
    next: u64,
}

pub struct Disk {
    pub status: Arc<Status>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Disk {
    pub fn spawn(rx: Consumer<f32>, files: Files) -> std::io::Result<Disk> {
        let status = Arc::new(Status {
            first: AtomicU64::new(u64::MAX),
            ..Status::default()
        });
        let stop = Arc::new(AtomicBool::new(false));
        let (s, st) = (status.clone(), stop.clone());
        let thread = std::thread::Builder::new()
            .name("termdaw-disk".into())
            .spawn(move || run(rx, files, &s, &st))?;
        Ok(Disk {
            status,
            stop,
            thread: Some(thread),
        })
    }

    /// Stop after what is in the ring now (the engine may still hold it).
    pub fn stop(&self) {
        self.stop.store(true, Ordering::Release);
    }

    pub fn join(&mut self) {
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Disk {
    fn drop(&mut self) {
        self.stop();
        self.join();
    }
}

fn run(mut rx: Consumer<f32>, files: Files, status: &Status, stop: &AtomicBool) {
    let Files {
        dir,
        rate,
        format,
        master,
        names,
        gate,
    } = files;
    // The input pair the gate listens to.
    let gated = INPUT + gate.map_or(0, |g| g.pair as u32);
    let mut segments = gate.map(|g| super::segments::Segments::new(dir.clone(), rate, g));
    let mut streams: HashMap<u32, Stream> = HashMap::new();
    streams.insert(
        MASTER,
        Stream {
            wav: master,
            next: 0,
        },
    );
    let mut first: Option<u64> = None;
    let mut failed = false;
    let mut flushed = Instant::now();
    let mut frames: Vec<f32> = Vec::new();
    let fail = |e: String| {
        if let Ok(mut slot) = status.error.lock() {
            slot.get_or_insert(e);
        }
    };
    loop {
        let held = rx.slots() as u64;
        status.high_water.fetch_max(held, Ordering::Relaxed);
        let Some(h) = peek(&mut rx) else {
            if rx.is_abandoned() || stop.load(Ordering::Acquire) {
                break;
            }
            std::thread::sleep(IDLE);
            continue;
        };
        let Ok(chunk) = rx.read_chunk(HEADER + 2 * h.frames) else {
            // The engine commits header and frames together: a short
            // chunk is a ring of another layout; stop rather than misread.
            fail("the take's ring is inconsistent".into());
            break;
        };
        let started = Instant::now();
        let start = *first.get_or_insert(h.clock);
        if status.first().is_none() {
            status.first.store(start, Ordering::Release);
        }
        let (a, b) = chunk.as_slices();
        frames.clear();
        frames.extend(a.iter().chain(b).skip(HEADER));
        chunk.commit_all();
        if !failed {
            if let Err(e) = write(
                &mut streams,
                &dir,
                rate,
                format,
                &names,
                start,
                h,
                &frames,
                status,
            ) {
                failed = true;
                fail(format!("{}: {e}", dir.display()));
            }
        }
        if let (Some(seg), true, false) = (segments.as_mut(), h.stream == gated, failed) {
            if let Err(e) = seg.feed(h.clock, &frames, status) {
                failed = true;
                fail(format!("{}: {e}", dir.display()));
            }
        }
        if h.stream == MASTER {
            status
                .end
                .store(h.clock + h.frames as u64, Ordering::Release);
        }
        if !failed && flushed.elapsed() >= FLUSH_EVERY {
            flushed = Instant::now();
            for s in streams.values_mut() {
                if let Err(e) = s.wav.flush() {
                    failed = true;
                    fail(format!("{}: {e}", dir.display()));
                    break;
                }
            }
        }
        let took = started.elapsed().as_micros() as u64;
        status.longest_write_us.fetch_max(took, Ordering::Relaxed);
    }
    if let Some(seg) = segments {
        if let Err(e) = seg.finish() {
            if !failed {
                fail(format!("{}: {e}", dir.display()));
            }
        }
    }
    for (_, s) in streams {
        if let Err(e) = s.wav.finalize() {
            if !failed {
                fail(format!("{}: {e}", dir.display()));
            }
        }
    }
    status.done.store(true, Ordering::Release);
}

/// The file a stream goes to: `master.wav`, `stem-<track>.wav`,
/// `input-<a>-<b>.wav` (device channels a and b, from 1).
pub fn file_name(stream: u32, names: &HashMap<u32, String>) -> String {
    if stream >= INPUT {
        let k = stream - INPUT;
        return format!("input-{}-{}.wav", 2 * k + 1, 2 * k + 2);
    }
    if stream == MASTER {
        return super::MASTER_FILE.into();
    }
    let slot = stream - STEM;
    match names.get(&slot) {
        Some(n) => format!("stem-{n}.wav"),
        None => format!("stem-slot-{slot}.wav"),
    }
}

/// The next chunk's header, left in the ring (an uncommitted read).
fn peek(rx: &mut Consumer<f32>) -> Option<ChunkHeader> {
    let chunk = rx.read_chunk(HEADER).ok()?;
    let (a, b) = chunk.as_slices();
    let mut v = [0.0f32; HEADER];
    for (d, s) in v.iter_mut().zip(a.iter().chain(b)) {
        *d = *s;
    }
    Some(ChunkHeader::read(v))
}

#[allow(clippy::too_many_arguments)]
fn write(
    streams: &mut HashMap<u32, Stream>,
    dir: &std::path::Path,
    rate: u32,
    format: WavFormat,
    names: &HashMap<u32, String>,
    start: u64,
    h: ChunkHeader,
    frames: &[f32],
    status: &Status,
) -> hound::Result<()> {
    let s = match streams.entry(h.stream) {
        std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
        std::collections::hash_map::Entry::Vacant(e) => {
            // The input exactly as the engine read it, whatever the take's
            // format: a replay plays it back in its place.
            let format = if h.stream >= INPUT {
                WavFormat::Float32
            } else {
                format
            };
            let wav = StereoWav::create(&dir.join(file_name(h.stream, names)), rate, format)?;
            e.insert(Stream { wav, next: start })
        }
    };
    if s.next == 0 && h.stream == MASTER {
        s.next = start;
    }
    if h.clock > s.next {
        // The ring overflowed (or a stem began late): silence keeps time.
        let gap = h.clock - s.next;
        if h.stream == MASTER {
            status.gap_frames.fetch_add(gap, Ordering::Relaxed);
        }
        for _ in 0..gap {
            s.wav.frame(0.0, 0.0)?;
        }
    }
    for f in frames.chunks_exact(2) {
        s.wav.frame(f[0], f[1])?;
    }
    s.next = h.clock + h.frames as u64;
    Ok(())
}
