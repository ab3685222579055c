//! The engine: everything that runs on the audio thread, and nothing else.
//!
//! [`Engine::process`] is called by the audio callback (live) or by the
//! offline renderer, block after block. It drains the command ring, applies
//! commands on their exact sample, runs the transport, sequencer, voices,
//! track faders and pans, the master chain and the limiter, and reports back
//! through the feedback ring. It never allocates, frees, locks, blocks, does
//! I/O or logs: whatever it stops using goes back through the garbage ring.
//! Constructors (`Engine::new`) run on the control thread.

// Real-time rule: no panic on the audio thread. Tests may unwrap and index.
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]

pub mod address;
mod apply;
pub mod automation;
pub mod bus;
pub mod capture;
pub mod command;
pub mod dsp;
pub mod effect;
pub mod feedback;
pub mod follow;
pub mod fx;
pub mod input;
pub mod instrument;
pub mod limiter;
pub mod midi_out;
mod schedule;
pub mod sequencer;
pub mod timing;
pub mod track;
pub mod transport;

use std::sync::Arc;

use rtrb::{Consumer, Producer};

use crate::kinds::{MAX_BUSES, MAX_TRACKS};
use bus::Bus;
use capture::Capture;
pub use command::{Applied, EngineCmd, FxTarget, Garbage, Handoff, Op, Slot, When};
use dsp::{DenormalGuard, MeterAcc, Smoother};
use effect::{ChainSlot, EffectChain};
pub use feedback::{Counters, Feedback};
use limiter::Limiter;
use schedule::Scheduled;
use track::TrackDsp;
use transport::Transport;

/// Largest block the engine renders in one go; longer calls are split.
pub const MAX_BLOCK: usize = 1024;
/// The engine renders in pieces that never cross a multiple of this many
/// samples of its clock. Commands land only where a piece starts, and a
/// device block that starts off this grid is logged ([`Applied::SPLIT`]),
/// so the output depends on logged things only and a take replays bit
/// for bit.
pub const QUANTUM: usize = 64;
/// Commands the log can hold between two reads by the control side.
pub const APPLIED_CAPACITY: usize = 16384;
/// Commands waiting for their sample or musical boundary.
pub const MAX_SCHEDULED: usize = 512;
/// Extra command rings for live input threads (MIDI devices), so a note goes
/// from the device callback straight to the engine without the control loop.
pub const INPUT_PORTS: usize = 4;
/// Master output buffered for the spectrum and the loudness meter:
/// interleaved stereo samples (~0.34 s at 48 kHz).
pub const TAP_CAPACITY: usize = 32768;
/// Objects waiting to go back when the return ring is full.
const GARBAGE_STASH: usize = 64;

/// Ring sizes.
#[derive(Debug, Clone, Copy)]
pub struct EngineConfig {
    pub rate: f32,
    pub bpm: f64,
    pub command_capacity: usize,
    pub garbage_capacity: usize,
    pub feedback_capacity: usize,
    /// Master limiter ceiling, linear.
    pub ceiling: f32,
}

impl EngineConfig {
    pub fn new(rate: f32, bpm: f64) -> Self {
        Self {
            rate,
            bpm,
            command_capacity: 4096,
            garbage_capacity: 1024,
            feedback_capacity: 4096,
            ceiling: dsp::db_to_gain(-0.3),
        }
    }
}

/// The engine's ends of the rings [`crate::handle::connect`] makes.
pub struct Rings {
    pub commands: Consumer<EngineCmd>,
    pub garbage: Producer<Garbage>,
    pub feedback: Producer<Feedback>,
    /// Master output for analysis (spectrum, loudness).
    pub tap: Producer<f32>,
    /// Live input rings (see [`INPUT_PORTS`]).
    pub inputs: Vec<Consumer<EngineCmd>>,
    /// Where each logged command landed ([`Applied`]).
    pub applied: Producer<Applied>,
}

pub struct Engine {
    rate: f32,
    transport: Transport,
    tracks: Box<[Option<Box<TrackDsp>>]>,
    buses: Box<[Option<Box<Bus>>]>,
    master_l: Box<[f32]>,
    master_r: Box<[f32]>,
    master_fx: ChainSlot,
    master_gain: Smoother,
    limiter: Limiter,
    commands: Consumer<EngineCmd>,
    garbage: Producer<Garbage>,
    stash: [Option<Garbage>; GARBAGE_STASH],
    feedback: Producer<Feedback>,
    counters: Arc<Counters>,
    scheduled: Box<[Option<Scheduled>]>,
    clock: u64,
    report_every: usize,
    report_countdown: usize,
    master_meter: MeterAcc,
    /// Mono copy of the master output for analysis (spectrum), if anyone reads it.
    tap: Option<Producer<f32>>,
    /// Live input rings (see [`INPUT_PORTS`]).
    inputs: Vec<Consumer<EngineCmd>>,
    /// The session's automation lanes, read while playing.
    automation: Option<Box<automation::Automation>>,
    applied: Option<Producer<Applied>>,
    /// Commands scheduled so far (ties on a sample keep this order).
    arrivals: u64,
    /// The take being written, if any.
    capture: Option<Box<Capture>>,
    /// The live input of the piece being rendered.
    input: input::InputFrames,
    /// An external clock being followed.
    follow: follow::Follow,
    /// Where clock and the transport go out as MIDI, if anywhere.
    midi_out: Option<Box<midi_out::MidiOutRing>>,
}

impl Engine {
    /// Control thread: an engine reading from `rings`.
    pub fn new(config: EngineConfig, rings: Rings, counters: Arc<Counters>) -> Self {
        let Rings {
            commands,
            garbage,
            feedback,
            tap,
            inputs,
            applied,
        } = rings;
        let rate = config.rate;
        let report_every = ((rate / 60.0) as usize).max(64);
        let limiter = Limiter::new(config.ceiling, rate);
        counters.engine_latency.store(
            limiter.latency() as u64,
            std::sync::atomic::Ordering::Relaxed,
        );
        Self {
            rate,
            transport: Transport::new(rate as f64, config.bpm),
            tracks: (0..MAX_TRACKS).map(|_| None).collect(),
            buses: (0..MAX_BUSES).map(|_| None).collect(),
            master_l: vec![0.0; MAX_BLOCK].into_boxed_slice(),
            master_r: vec![0.0; MAX_BLOCK].into_boxed_slice(),
            master_fx: ChainSlot::new(EffectChain::new(&[], rate), rate),
            master_gain: Smoother::new(1.0, 0.005, rate),
            limiter,
            commands,
            garbage,
            stash: std::array::from_fn(|_| None),
            feedback,
            counters,
            scheduled: (0..MAX_SCHEDULED).map(|_| None).collect(),
            clock: 0,
            report_every,
            report_countdown: report_every,
            master_meter: MeterAcc::default(),
            tap: Some(tap),
            inputs,
            automation: None,
            applied: Some(applied),
            arrivals: 0,
            capture: None,
            input: input::InputFrames::default(),
            follow: follow::Follow::default(),
            midi_out: None,
        }
    }

    pub fn rate(&self) -> f32 {
        self.rate
    }

    pub fn transport(&self) -> &Transport {
        &self.transport
    }

    /// Engine clock: samples rendered since start.
    pub fn clock(&self) -> u64 {
        self.clock
    }

    /// Output delay in frames (the limiter's look-ahead). Offline renders
    /// skip it so that an event at song sample N is at frame N of the file.
    pub fn latency(&self) -> usize {
        self.limiter.latency()
    }

    pub fn counters(&self) -> &Arc<Counters> {
        &self.counters
    }

    /// Audio thread: render `left.len()` frames of stereo output.
    pub fn process(&mut self, left: &mut [f32], right: &mut [f32]) {
        let _ftz = DenormalGuard::new();
        let n = left.len().min(right.len());
        self.counters
            .callback_frames
            .store(n as u64, std::sync::atomic::Ordering::Relaxed);
        if self.clock % QUANTUM as u64 != 0 {
            // A block that starts off the grid splits a piece where no
            // replay would: the log keeps the sample.
            self.log_split();
        }
        let mut done = 0;
        while done < n {
            self.drain_commands();
            self.apply_due();
            let mut len = QUANTUM - (self.clock % QUANTUM as u64) as usize;
            if let Some(due) = self.next_due() {
                len = len.min((due - self.clock) as usize);
            }
            if self.automating() {
                self.automate();
                len = len.min(automation::AUTOMATION_STEP);
            }
            if let Some(d) = self.transport.samples_to_loop_end() {
                if d == 0 {
                    self.loop_back();
                    continue;
                }
                len = len.min(d as usize);
            }
            len = len.min(n - done);
            match (
                left.get_mut(done..done + len),
                right.get_mut(done..done + len),
            ) {
                (Some(l), Some(r)) => self.render(l, r),
                _ => break,
            }
            done += len;
        }
        self.flush_stash();
    }

    fn loop_back(&mut self) {
        if let Some((start, _)) = self.transport.loop_range {
            let was = self.transport.beat();
            self.transport.locate(start);
            self.rebase_scheduled(self.transport.beat() - was);
            let now = self.transport.song_sample;
            let t = &self.transport;
            for tr in self.tracks.iter_mut().flatten() {
                tr.on_stop();
                tr.on_play(t, now);
            }
        }
    }

    /// Audio thread: write this piece of the master (and the stems) to the
    /// take, if one is being recorded.
    fn capture_block(&mut self, n: usize) {
        let Some(c) = self.capture.as_deref_mut() else {
            return;
        };
        let clock = self.clock;
        let (Some(ml), Some(mr)) = (self.master_l.get(..n), self.master_r.get(..n)) else {
            return;
        };
        let mut lost = 0;
        if !c.write(capture::MASTER, clock, ml, mr) {
            lost += n;
        }
        for pair in 0..self.input.channels.div_ceil(2) {
            let (l, r) = (
                self.input.channel(2 * pair, n),
                self.input.channel(2 * pair + 1, n),
            );
            if !c.write(capture::INPUT + pair as u32, clock, l, r) {
                lost += n;
            }
        }
        if c.stems {
            for (i, t) in self.tracks.iter().enumerate() {
                if let Some(t) = t.as_deref() {
                    let (l, r) = t.output(n);
                    if !c.write(capture::STEM + i as u32, clock, l, r) {
                        lost += n;
                    }
                }
            }
        }
        if lost > 0 {
            Counters::bump(&self.counters.dropped_capture, lost as u64);
        }
    }

    fn give_back(&mut self, g: Garbage) {
        if let Err(rtrb::PushError::Full(g)) = self.garbage.push(g) {
            match self.stash.iter_mut().find(|s| s.is_none()) {
                Some(s) => *s = Some(g),
                None => Counters::bump(&self.counters.leaked_objects, 1),
            }
        }
    }

    fn flush_stash(&mut self) {
        for slot in self.stash.iter_mut() {
            if let Some(g) = slot.take() {
                if let Err(rtrb::PushError::Full(g)) = self.garbage.push(g) {
                    *slot = Some(g);
                    break;
                }
            }
        }
    }

    fn automating(&self) -> bool {
        self.transport.playing && self.automation.as_ref().is_some_and(|a| !a.is_empty())
    }

    /// Bring every automated value to where its lane is at the playhead.
    fn automate(&mut self) {
        let Some(mut a) = self.automation.take() else {
            return;
        };
        let beat = self.transport.beat();
        a.read(beat, |t, v| self.apply(apply::automation_op(t, v)));
        self.automation = Some(a);
    }

    fn track_mut(&mut self, slot: Slot) -> Option<&mut TrackDsp> {
        self.tracks
            .get_mut(slot as usize)
            .and_then(|t| t.as_deref_mut())
    }

    fn render(&mut self, left: &mut [f32], right: &mut [f32]) {
        let n = left.len();
        self.midi_clock_piece(n);
        // n <= MAX_BLOCK (process splits longer calls), so these always exist.
        let (Some(ml), Some(mr)) = (self.master_l.get_mut(..n), self.master_r.get_mut(..n)) else {
            return;
        };
        ml.fill(0.0);
        mr.fill(0.0);
        let any_solo = self.tracks.iter().flatten().any(|t| t.solo && !t.removing);
        let s0 = self.transport.song_sample;
        self.input.read(n);
        if self.input.heard && Counters::get(&self.counters.input_first_heard) == 0 {
            self.counters
                .input_first_heard
                .store(self.clock + 1, std::sync::atomic::Ordering::Relaxed);
        }
        let mut finished: [Option<usize>; 8] = [None; 8];
        let mut nf = 0;
        for b in self.buses.iter_mut().flatten() {
            b.clear(n);
        }
        for (i, slot) in self.tracks.iter_mut().enumerate() {
            if let Some(t) = slot.as_deref_mut() {
                t.update_target(any_solo);
                t.render(&self.transport, s0, n, &self.input);
                t.mix_into(ml, mr, &mut self.buses);
                if t.dropped_events > 0 {
                    Counters::bump(&self.counters.dropped_events, t.dropped_events);
                    t.dropped_events = 0;
                }
                if t.finished_removing() {
                    if let Some(f) = finished.get_mut(nf) {
                        *f = Some(i);
                        nf += 1;
                    }
                }
            }
        }
        for i in finished.iter().flatten() {
            if let Some(t) = self.tracks.get_mut(*i).and_then(Option::take) {
                self.give_back(Garbage::Track(Handoff::new(t)));
            }
        }
        for i in 0..self.tracks.len() {
            let track = self.tracks.get_mut(i).and_then(|t| t.as_deref_mut());
            if let Some(f) = track.and_then(|t| t.take_faded()) {
                self.give_back(Garbage::Instrument(Handoff::new(f)));
            }
        }
        for i in 0..self.buses.len() {
            let bus = self.buses.get_mut(i).and_then(|b| b.as_deref_mut());
            if let Some(c) = bus.and_then(|b| b.take_faded()) {
                self.give_back(Garbage::Effects(Handoff::new(c)));
            }
        }
        if let Some(c) = self.master_fx.take_faded() {
            self.give_back(Garbage::Effects(Handoff::new(c)));
        }

        let (Some(ml), Some(mr)) = (self.master_l.get_mut(..n), self.master_r.get_mut(..n)) else {
            return;
        };
        for b in self.buses.iter_mut().flatten() {
            b.render(ml, mr);
        }
        self.master_fx.process(ml, mr);
        let mut bad = 0u64;
        for (l, r) in ml.iter_mut().zip(mr.iter_mut()) {
            let g = self.master_gain.next();
            *l *= g;
            *r *= g;
            if !l.is_finite() {
                *l = 0.0;
                bad += 1;
            }
            if !r.is_finite() {
                *r = 0.0;
                bad += 1;
            }
        }
        if bad > 0 {
            Counters::bump(&self.counters.nonfinite_samples, bad);
        }
        self.limiter.process(ml, mr);
        left.copy_from_slice(ml);
        right.copy_from_slice(mr);
        self.master_meter.add(ml, mr);
        if let Some(tap) = self.tap.as_mut() {
            // Whatever does not fit is dropped: the display just skips ahead.
            // Whole frames only, so left and right stay in step.
            let n_tap = tap.slots().min(2 * n) & !1;
            if let Ok(chunk) = tap.write_chunk_uninit(n_tap) {
                chunk.fill_from_iter(ml.iter().zip(mr.iter()).flat_map(|(a, b)| [*a, *b]));
            }
        }
        self.capture_block(n);

        self.transport.advance(n);
        self.clock += n as u64;
        self.counters
            .publish_position(self.clock, self.transport.beat(), self.transport.playing);
        Counters::bump(&self.counters.blocks, 1);
        if n >= self.report_countdown {
            self.report_countdown = self.report_every;
            self.report();
        } else {
            self.report_countdown -= n;
        }
    }

    fn push_feedback(&mut self, f: Feedback) {
        if self.feedback.push(f).is_err() {
            Counters::bump(&self.counters.dropped_feedback, 1);
        }
    }

    fn report(&mut self) {
        let t = &self.transport;
        let pos = Feedback::Position {
            clock: self.clock,
            song_sample: t.song_sample,
            beat: t.beat(),
            bpm: t.bpm(),
            playing: t.playing,
            beats_per_bar: t.beats_per_bar,
        };
        self.push_feedback(pos);
        for i in 0..self.tracks.len() {
            let m = match self.tracks.get_mut(i).and_then(|t| t.as_deref_mut()) {
                Some(t) => {
                    let (peak, rms) = t.meter.take();
                    Feedback::Meter {
                        slot: Some(i as Slot),
                        peak,
                        rms,
                        voices: t.active_voices().min(u16::MAX as usize) as u16,
                    }
                }
                None => continue,
            };
            self.push_feedback(m);
        }
        for i in 0..self.buses.len() {
            let m = match self.buses.get_mut(i).and_then(|b| b.as_deref_mut()) {
                Some(b) => {
                    let (peak, rms) = b.meter.take();
                    Feedback::BusMeter {
                        bus: i as u8,
                        peak,
                        rms,
                    }
                }
                None => continue,
            };
            self.push_feedback(m);
        }
        let (peak, rms) = self.master_meter.take();
        self.push_feedback(Feedback::Meter {
            slot: None,
            peak,
            rms,
            voices: 0,
        });
        let gain_db = dsp::gain_to_db(self.limiter.min_gain);
        self.limiter.min_gain = 1.0;
        self.push_feedback(Feedback::Limiter { gain_db });
    }
}

impl Drop for Engine {
    fn drop(&mut self) {
        // Runs wherever the engine is dropped (at shutdown, off the hot path):
        // free what is still waiting so nothing leaks.
        for s in self.scheduled.iter_mut() {
            if let Some(s) = s.take() {
                // SAFETY: scheduled ops were never applied, so we still own the payload.
                unsafe { s.into_op().reclaim() };
            }
        }
        for g in self.stash.iter_mut() {
            if let Some(g) = g.take() {
                // SAFETY: stashed garbage is owned by the engine until pushed.
                unsafe { g.release() };
            }
        }
        while let Ok(cmd) = self.commands.pop() {
            // SAFETY: undelivered commands still own their payloads.
            unsafe { cmd.op.reclaim() };
        }
    }
}
