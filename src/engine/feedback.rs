//! What the audio thread reports back: playhead, meters, and counters.
//!
//! Shared data definitions. Feedback messages are small `Copy` values pushed
//! into a bounded ring by the audio thread (dropped and counted when the ring
//! is full); counters are atomics the control side reads at any time.

use std::sync::atomic::{AtomicU64, Ordering};

use super::command::Slot;

/// One report from the audio thread.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Feedback {
    /// Where the transport is. `clock` is the engine's free-running sample count.
    Position {
        clock: u64,
        song_sample: i64,
        beat: f64,
        bpm: f64,
        playing: bool,
        beats_per_bar: u8,
    },
    /// Post-fader level of a track (`slot`) or of the master (`None`) since the
    /// previous report: peak and RMS per channel (linear), and voices sounding.
    Meter {
        slot: Option<Slot>,
        peak: [f32; 2],
        rms: [f32; 2],
        voices: u16,
    },
    /// Post-fader level of return bus `bus` (its engine index) since the
    /// previous report: peak and RMS per channel, linear.
    BusMeter {
        bus: u8,
        peak: [f32; 2],
        rms: [f32; 2],
    },
    /// Deepest gain reduction of the master limiter since the previous report (dB, ≤ 0).
    Limiter { gain_db: f32 },
}

/// Counters shared between the audio thread (writer) and the control side.
#[derive(Debug, Default)]
pub struct Counters {
    /// Output buffers the device reported late or missed.
    pub xruns: AtomicU64,
    /// Commands the control side could not queue (ring full).
    pub dropped_commands: AtomicU64,
    /// Quantized commands the engine had no room to schedule.
    pub dropped_scheduled: AtomicU64,
    /// Applied commands the action log had no room for (a take made
    /// then does not replay exactly).
    pub dropped_log: AtomicU64,
    /// Frames of a take left out because its disk ring was full.
    pub dropped_capture: AtomicU64,
    /// The engine sample (plus one; 0: never) at which live input was
    /// first heard: a take begun after it may hold echoes and loops of
    /// input its log does not have.
    pub input_first_heard: AtomicU64,
    /// MIDI the engine had no room to send (its ring was full).
    pub dropped_midi_out: AtomicU64,
    /// The tempo an external clock says (f64 bits; 0: none followed).
    pub followed_tempo: AtomicU64,
    /// Feedback messages dropped because the control side was not reading.
    pub dropped_feedback: AtomicU64,
    /// Note events dropped because a block had more than a track can take.
    pub dropped_events: AtomicU64,
    /// Master samples that were NaN or infinite and were replaced by silence.
    pub nonfinite_samples: AtomicU64,
    /// Objects the engine could not hand back (return ring full); they leak.
    pub leaked_objects: AtomicU64,
    /// Objects handed back and freed on the control side.
    pub returned_objects: AtomicU64,
    /// Blocks rendered.
    pub blocks: AtomicU64,
    /// Audio callbacks run (whether or not the engine rendered): tells a
    /// live stream from a dead one.
    pub callbacks: AtomicU64,
    /// Engine panics caught by the device callback. From the first one on
    /// the output is silence (the engine's state cannot be trusted).
    pub panics: AtomicU64,
    /// Frames the last audio callback asked for (the device's buffer), so
    /// live inputs can place timestamped events inside the next one.
    pub callback_frames: AtomicU64,
    /// The engine's own output delay in frames (the master limiter's
    /// look-ahead), set when the engine is made: part of what a player hears
    /// between a key press and its sound.
    pub engine_latency: AtomicU64,
    /// Last audio callback's time as a share of its real-time budget, in ‰.
    pub load_permille: AtomicU64,
    /// Every audio callback's time, and how many ran over budget.
    pub callback_times: super::timing::CallbackTimes,
    /// The playhead after the last block (f64 bits), and whether it is moving:
    /// lets the control side pick the next boundary without waiting for feedback.
    song_beat: AtomicU64,
    clock: AtomicU64,
    playing: std::sync::atomic::AtomicBool,
}

impl Counters {
    #[inline]
    pub fn bump(c: &AtomicU64, n: u64) {
        c.fetch_add(n, Ordering::Relaxed);
    }

    pub fn get(c: &AtomicU64) -> u64 {
        c.load(Ordering::Relaxed)
    }

    /// Audio thread: publish the playhead.
    #[inline]
    pub fn publish_position(&self, clock: u64, beat: f64, playing: bool) {
        self.clock.store(clock, Ordering::Relaxed);
        self.song_beat.store(beat.to_bits(), Ordering::Relaxed);
        self.playing.store(playing, Ordering::Relaxed);
    }

    /// Audio thread: the tempo an external clock says (0: none).
    pub fn publish_followed_tempo(&self, bpm: f64) {
        self.followed_tempo.store(bpm.to_bits(), Ordering::Relaxed);
    }

    /// The tempo an external clock says, while one is followed.
    pub fn followed_tempo(&self) -> Option<f64> {
        let bpm = f64::from_bits(self.followed_tempo.load(Ordering::Relaxed));
        (bpm > 0.0).then_some(bpm)
    }

    /// The engine clock (samples rendered) after the last block.
    pub fn clock(&self) -> u64 {
        self.clock.load(Ordering::Relaxed)
    }

    /// The playhead as of the last block rendered, and whether it moves.
    pub fn position(&self) -> (f64, bool) {
        (
            f64::from_bits(self.song_beat.load(Ordering::Relaxed)),
            self.playing.load(Ordering::Relaxed),
        )
    }
}
