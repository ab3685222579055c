//! Service threads that survived a panic: counted here, process-wide, so
//! the transport bar and the headless summary can say that something went
//! wrong and was recovered (a panic is a bug to report, not a silent dead
//! thread).
//!
//! Atomics only; any thread may bump, the control thread reads.

use std::sync::atomic::{AtomicU64, Ordering};

/// A MIDI device's input callback panicked; the message was dropped and the
/// device goes on.
pub static MIDI_PANICS: AtomicU64 = AtomicU64::new(0);
/// A chat worker panicked; the reply failed with a message and the chat
/// goes on.
pub static CHAT_PANICS: AtomicU64 = AtomicU64::new(0);
/// A `process_sample` run panicked; it failed with a message.
pub static PROCESS_PANICS: AtomicU64 = AtomicU64::new(0);
/// Decoding a sample ahead panicked; it failed with a message.
pub static DECODE_PANICS: AtomicU64 = AtomicU64::new(0);
/// The file watcher stopped and was started again.
pub static WATCHER_RESTARTS: AtomicU64 = AtomicU64::new(0);

pub fn bump(c: &AtomicU64) {
    c.fetch_add(1, Ordering::Relaxed);
}

pub fn get(c: &AtomicU64) -> u64 {
    c.load(Ordering::Relaxed)
}

/// Run `f`, catching a panic (counted in `counter`); None if it panicked.
pub fn survive<R>(counter: &AtomicU64, f: impl FnOnce() -> R) -> Option<R> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(r) => Some(r),
        Err(_) => {
            bump(counter);
            None
        }
    }
}

/// Everything a run survived, read from the engine's counters, the OSC
/// server's and the service threads': what the transport bar warns of and
/// what a headless run prints when it ends.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Health {
    /// Callbacks that missed their deadline: the device said so, or the
    /// callback took longer than its buffer lasts (over budget).
    pub xruns: u64,
    /// Commands, scheduled changes, feedback, note events and OSC messages
    /// dropped because a bounded queue was full.
    pub dropped: u64,
    /// Master samples that were NaN or infinite (replaced by silence).
    pub nonfinite: u64,
    /// Engine panics the callback caught (the output is silent from then).
    pub engine_panics: u64,
    /// OSC bundles whose time had passed when they arrived.
    pub osc_late: u64,
    /// OSC datagrams that were malformed, too big or for no known address.
    pub osc_bad: u64,
    /// Allocator calls on the audio thread (a bug: see `audio::watch`).
    pub audio_allocs: u64,
    /// Service threads that panicked or died and were recovered (OSC, MIDI,
    /// chat, file watcher).
    pub recovered: u64,
}

impl Health {
    /// Read every counter now (any may be absent: no engine, no OSC).
    pub fn read(
        engine: Option<&crate::engine::Counters>,
        osc: Option<&crate::osc::OscCounters>,
    ) -> Health {
        let mut h = Health {
            recovered: get(&MIDI_PANICS)
                + get(&CHAT_PANICS)
                + get(&PROCESS_PANICS)
                + get(&DECODE_PANICS)
                + get(&WATCHER_RESTARTS),
            audio_allocs: get(&crate::audio::watch::AUDIO_ALLOCS),
            ..Health::default()
        };
        if let Some(c) = engine {
            h.xruns = get(&c.xruns) + c.callback_times.over_budget();
            h.dropped = get(&c.dropped_commands)
                + get(&c.dropped_scheduled)
                + get(&c.dropped_feedback)
                + get(&c.dropped_events)
                + get(&c.leaked_objects);
            h.nonfinite = get(&c.nonfinite_samples);
            h.engine_panics = get(&c.panics);
        }
        if let Some(o) = osc {
            h.dropped += get(&o.dropped);
            h.osc_late = get(&o.late);
            h.osc_bad = get(&o.malformed) + get(&o.oversized) + get(&o.unknown);
            h.recovered += get(&o.restarts);
        }
        h
    }

    /// The counters the transport bar shows only once they are non-zero,
    /// with their short names.
    pub fn warnings(&self) -> [(&'static str, u64); 5] {
        [
            ("non-finite", self.nonfinite),
            ("OSC late", self.osc_late),
            ("OSC bad", self.osc_bad),
            ("recovered", self.recovered),
            ("audio allocs", self.audio_allocs),
        ]
    }

    /// Each counter with its short name, in the order they are shown.
    pub fn counts(&self) -> [(&'static str, u64); 8] {
        let [nonfinite, late, bad, recovered, allocs] = self.warnings();
        [
            ("xruns", self.xruns),
            ("drops", self.dropped),
            nonfinite,
            ("engine panics", self.engine_panics),
            late,
            bad,
            recovered,
            allocs,
        ]
    }

    /// `xruns 0 · drops 0 · non-finite 0 · …`: the headless run's last line.
    pub fn line(&self) -> String {
        self.counts()
            .iter()
            .map(|(name, n)| format!("{name} {n}"))
            .collect::<Vec<_>>()
            .join(" · ")
    }
}

/// `callbacks 9000 · p50 0.052 ms · p99 0.140 ms · p99.9 0.300 ms · max 0.910 ms
/// · budget 1.333 ms · over budget 0`: how long the audio callbacks took, the
/// second-last line of a headless run.
pub fn timing_line(t: &crate::engine::timing::TimingSummary) -> String {
    let ms = |d: std::time::Duration| format!("{:.3} ms", d.as_secs_f64() * 1e3);
    format!(
        "callbacks {} · p50 {} · p99 {} · p99.9 {} · max {} · budget {} · over budget {}",
        t.callbacks,
        ms(t.p50),
        ms(t.p99),
        ms(t.p999),
        ms(t.max),
        ms(t.budget),
        t.over_budget
    )
}
