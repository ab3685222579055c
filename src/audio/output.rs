//! The running output and its care: sound through the device, or a silent
//! sink paced in real time when none opens; when the device goes away while
//! playing (unplugged, the server stopped), the same engine goes on in the
//! silent sink, so the session and the transport position carry on, and the
//! device is reopened when it comes back.
//!
//! Control thread: [`start`] and [`Output::supervise`] (called every turn of
//! the host's loop; looking for a lost device runs on a short-lived thread
//! of its own, so the loop never waits on the backend). The silent sink's
//! thread is an audio thread: it only calls the engine through [`Guard`]
//! and sleeps.

use std::sync::atomic::{AtomicBool, AtomicPtr, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, TryRecvError};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::device::{self, DeviceError, DeviceOptions, Link, Probe, SinkInfo};
use super::Guard;
use crate::engine::{Counters, Engine};

/// No callback for this long while the stream should run: the device is gone.
const STALL: Duration = Duration::from_millis(600);
/// How often a lost device is looked for.
const RETRY: Duration = Duration::from_millis(500);

/// The silent sink's thread, which hands the engine back when stopped.
struct Silent {
    handle: JoinHandle<Engine>,
    stop: Arc<AtomicBool>,
}

impl Silent {
    fn spawn(engine: Engine, rate: u32, buffer: u32, counters: Arc<Counters>) -> Option<Silent> {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let handle = std::thread::Builder::new()
            .name("termdaw-silent-audio".into())
            .spawn(move || {
                silent_loop(
                    engine,
                    rate,
                    buffer.clamp(64, 4096) as usize,
                    flag,
                    counters,
                )
            })
            .ok()?;
        Some(Silent { handle, stop })
    }

    fn join(self) -> Option<Engine> {
        self.stop.store(true, Ordering::Relaxed);
        self.handle.join().ok()
    }
}

/// A running output. Dropping it stops the sound.
pub struct Output {
    pub info: SinkInfo,
    link: Link,
    stream: Option<cpal::Stream>,
    silent: Option<Silent>,
    /// How to open the device again after it went away (only for an output
    /// that had one).
    reopen: Option<DeviceOptions>,
    /// The callback count last seen, and when it last moved.
    seen: (u64, Instant),
    next_try: Instant,
    /// A look for the lost device, running on a thread of its own: probing
    /// enumerates the backend's devices, which can take long enough to be
    /// felt in the UI.
    looking: Option<Receiver<Option<Probe>>>,
}

impl Drop for Output {
    fn drop(&mut self) {
        drop(self.stream.take());
        drop(self.silent.take().and_then(Silent::join));
        let p = self.link.home.swap(std::ptr::null_mut(), Ordering::AcqRel);
        if !p.is_null() {
            // SAFETY: the stream is gone, so no callback has the engine;
            // the pointer is the one `start` made.
            drop(unsafe { Box::from_raw(p) });
        }
    }
}

/// Control thread: start sound through the probed device, or, if that fails
/// (or `probe` is an error), through a silent sink paced in real time.
pub fn start(
    engine: Engine,
    probe: Result<Probe, DeviceError>,
    fallback_rate: u32,
    fallback_buffer: u32,
) -> Output {
    let counters = engine.counters().clone();
    let link = Link {
        home: Arc::new(AtomicPtr::new(Box::into_raw(Box::new(engine)))),
        counters,
        lost: Arc::new(AtomicBool::new(false)),
    };
    let now = Instant::now();
    let mut out = Output {
        info: SinkInfo::Silent {
            reason: String::new(),
            rate: fallback_rate,
            buffer: fallback_buffer,
        },
        link,
        stream: None,
        silent: None,
        reopen: None,
        seen: (0, now),
        next_try: now,
        looking: None,
    };
    let reason = match probe.and_then(|p| out.open(&p)) {
        Ok(()) => return out,
        Err(e) => e.to_string(),
    };
    out.go_silent(fallback_rate, fallback_buffer);
    out.info = SinkInfo::Silent {
        reason,
        rate: fallback_rate,
        buffer: fallback_buffer,
    };
    out
}

impl Output {
    /// Reopen the device with `opts` if it goes away while playing.
    pub fn reopen_with(&mut self, opts: DeviceOptions) {
        if matches!(self.info, SinkInfo::Device { .. }) {
            self.reopen = Some(opts);
        }
    }

    /// Open the device with the engine at home (no stream, no silent sink).
    fn open(&mut self, p: &Probe) -> Result<(), DeviceError> {
        let (stream, buffer, note) = device::negotiate(p, &self.link)?;
        self.stream = Some(stream);
        self.link.lost.store(false, Ordering::Release);
        self.seen = (Counters::get(&self.link.counters.callbacks), Instant::now());
        self.info = SinkInfo::Device {
            name: p.name.clone(),
            rate: p.rate,
            buffer,
            note,
        };
        Ok(())
    }

    /// Take the engine from its home into a silent sink.
    fn go_silent(&mut self, rate: u32, buffer: u32) {
        let p = self.link.home.swap(std::ptr::null_mut(), Ordering::AcqRel);
        if p.is_null() {
            return;
        }
        // SAFETY: no stream is running (never opened, or dropped), so no
        // callback holds the engine; the pointer is the one `start` made.
        let engine = unsafe { Box::from_raw(p) };
        self.silent = Silent::spawn(*engine, rate, buffer, self.link.counters.clone());
    }

    /// Control thread, every turn: notice a device that went away (its
    /// error, or no callback for a while) and go on silently, or bring a
    /// lost device back. Returns the new sink when it changed.
    pub fn supervise(&mut self, now: Instant) -> Option<SinkInfo> {
        if self.stream.is_some() {
            let calls = Counters::get(&self.link.counters.callbacks);
            if calls != self.seen.0 {
                self.seen = (calls, now);
            }
            let error = self.link.lost.load(Ordering::Acquire);
            let stalled = now.saturating_duration_since(self.seen.1) > STALL;
            if !(error || stalled) {
                return None;
            }
            let why = if error {
                "it reported it is not available"
            } else {
                "its callbacks stopped"
            };
            let name = match &self.info {
                SinkInfo::Device { name, .. } => name.clone(),
                SinkInfo::Silent { .. } => String::new(),
            };
            let rate = self.info.rate();
            // 0 is the device's own buffer, whose size we never learnt.
            let buffer = match self.info.buffer() {
                0 => device::DEFAULT_BUFFER,
                b => b,
            };
            drop(self.stream.take());
            self.go_silent(rate, buffer);
            self.next_try = now + RETRY;
            self.info = SinkInfo::Silent {
                reason: format!("{name} went away: {why}; reopening it when it comes back"),
                rate,
                buffer,
            };
            return Some(self.info.clone());
        }
        let opts = self.reopen.as_ref()?;
        self.silent.as_ref()?;
        let rate = self.info.rate();
        // Look (off this thread) before stopping the silent sink: most
        // looks find nothing.
        let p = match self.looking.as_ref().map(Receiver::try_recv) {
            Some(Err(TryRecvError::Empty)) => return None,
            Some(Ok(found)) => {
                self.looking = None;
                found.filter(|p| p.rate == rate)?
            }
            Some(Err(TryRecvError::Disconnected)) | None => {
                self.looking = None;
                if now >= self.next_try {
                    self.next_try = now + RETRY;
                    let mut asked = opts.clone();
                    asked.rate = Some(rate);
                    let (tx, rx) = sync_channel(1);
                    let spawned = std::thread::Builder::new()
                        .name("termdaw-device-look".into())
                        .spawn(move || {
                            let _ = tx.send(device::probe(&asked).ok());
                        });
                    self.looking = spawned.is_ok().then_some(rx);
                }
                return None;
            }
        };
        let engine = self.silent.take().and_then(Silent::join)?;
        self.link
            .home
            .store(Box::into_raw(Box::new(engine)), Ordering::Release);
        match self.open(&p) {
            Ok(()) => Some(self.info.clone()),
            Err(_) => {
                self.go_silent(rate, self.info.buffer());
                None
            }
        }
    }
}

fn silent_loop(
    mut engine: Engine,
    rate: u32,
    buffer: usize,
    stop: Arc<AtomicBool>,
    counters: Arc<Counters>,
) -> Engine {
    let mut l = vec![0.0f32; buffer];
    let mut r = vec![0.0f32; buffer];
    let period = Duration::from_secs_f64(buffer as f64 / rate as f64);
    let mut next = Instant::now();
    let mut guard = Guard::default();
    while !stop.load(Ordering::Relaxed) {
        let started = Instant::now();
        Counters::bump(&counters.callbacks, 1);
        guard.process(&mut engine, &mut l, &mut r);
        let took = started.elapsed();
        counters.callback_times.record(took, period);
        let load = took.as_secs_f64() / period.as_secs_f64();
        counters
            .load_permille
            .store((load * 1000.0) as u64, Ordering::Relaxed);
        next += period;
        let now = Instant::now();
        if next > now {
            std::thread::sleep(next - now);
        } else if now - next > period * 4 {
            // Fell far behind (suspended?): count it and resynchronise.
            Counters::bump(&counters.xruns, 1);
            next = now;
        }
    }
    engine
}
