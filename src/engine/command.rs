//! Engine commands: the only way the control side changes the audio thread.
//!
//! Shared data definitions. Commands are move-only and own no heap data of
//! their own (no drop glue, checked at compile time below); heavy payloads (tracks, clips,
//! instruments, effect chains) are built on the control thread and travel as
//! [`Handoff`] pointers, and whatever the engine stops using travels back as
//! [`Garbage`] to be dropped on the control thread.

use std::ptr::NonNull;

use serde::{Deserialize, Serialize};

use super::automation::Automation;
use super::bus::Bus;
use super::capture::Capture;
use super::effect::EffectChain;
use super::input::InputRing;
use super::instrument::Instrument;
use super::sequencer::Clip;
use super::track::TrackDsp;

pub use super::address::{FxTarget, Slot};

/// An owned heap object in transit between threads, as a plain pointer so the
/// command carrying it needs no drop glue. Exactly one side owns it at a time:
/// the sender until the push succeeds, then the receiver.
pub struct Handoff<T: ?Sized>(NonNull<T>);

// SAFETY: a Handoff is a unique owner of a `T: Send`, moved between threads.
unsafe impl<T: ?Sized + Send> Send for Handoff<T> {}

impl<T: ?Sized> std::fmt::Debug for Handoff<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Handoff({:p})", self.0.as_ptr() as *const u8)
    }
}

impl<T: ?Sized> Handoff<T> {
    pub fn new(b: Box<T>) -> Self {
        // SAFETY: Box::into_raw never returns null.
        Self(unsafe { NonNull::new_unchecked(Box::into_raw(b)) })
    }

    /// Take ownership back.
    ///
    /// # Safety
    /// Must be called exactly once per `Handoff::new`, by the current owner.
    pub unsafe fn into_box(self) -> Box<T> {
        unsafe { Box::from_raw(self.0.as_ptr()) }
    }
}

/// When a command takes effect.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum When {
    /// At the start of the next block the engine renders.
    Now,
    /// At this transport-independent sample count of the engine's clock.
    Sample(u64),
    /// On the next beat boundary of the transport (now, if stopped).
    NextBeat,
    /// On the next bar boundary of the transport (now, if stopped).
    NextBar,
    /// At this song beat (now, if stopped or already past). Commands that
    /// must land together (one reload) share one `Beat`, so they can never
    /// straddle a boundary.
    Beat(f64),
}

/// What a command does. Move-only, like the [`Handoff`]s it may carry, so
/// the compiler keeps each payload's single owner. The plain ones are
/// written to a take's log as they are (RON); those with a payload are
/// logged as how to build it (`capture::recipe`).
#[derive(Debug, Serialize, Deserialize)]
pub enum Op {
    Play,
    Stop,
    /// Move the playhead to `beat` (clips keep their phase relative to it).
    Locate {
        beat: f64,
    },
    /// Loop between two beats while playing; `end <= start` turns looping off.
    Loop {
        start: f64,
        end: f64,
    },
    Tempo {
        bpm: f64,
    },
    /// Beats per bar of the time signature.
    Meter {
        beats_per_bar: u8,
    },
    MasterGain {
        gain: f32,
    },
    LimiterCeiling {
        gain: f32,
    },
    TrackGain {
        slot: Slot,
        gain: f32,
    },
    TrackPan {
        slot: Slot,
        pan: f32,
    },
    /// The session's swing, 0 – 0.5 of a swing-grid step.
    Swing {
        amount: f64,
    },
    /// 0..1: the share of the clip's notes that play.
    TrackDensity {
        slot: Slot,
        density: f32,
    },
    TrackMute {
        slot: Slot,
        on: bool,
    },
    TrackSolo {
        slot: Slot,
        on: bool,
    },
    Param {
        slot: Slot,
        index: u16,
        value: f32,
    },
    NoteOn {
        slot: Slot,
        note: f32,
        velocity: f32,
    },
    NoteOff {
        slot: Slot,
        note: f32,
    },
    AllNotesOff,
    /// Sustain pedal: while down, live note-offs are held back.
    Sustain {
        slot: Slot,
        on: bool,
    },
    /// Pitch wheel, -1..1 of the track's bend range.
    PitchBend {
        slot: Slot,
        amount: f32,
    },
    /// Pitch-wheel range of a track, in semitones.
    BendRange {
        slot: Slot,
        semitones: f32,
    },
    #[serde(skip)]
    SetClip {
        slot: Slot,
        clip: Handoff<Clip>,
    },
    #[serde(skip)]
    InstallTrack {
        slot: Slot,
        track: Handoff<TrackDsp>,
    },
    RemoveTrack {
        slot: Slot,
    },
    #[serde(skip)]
    ReplaceInstrument {
        slot: Slot,
        instrument: Handoff<dyn Instrument>,
    },
    #[serde(skip)]
    TrackEffects {
        slot: Slot,
        chain: Handoff<EffectChain>,
    },
    #[serde(skip)]
    MasterEffects {
        chain: Handoff<EffectChain>,
    },
    /// Send level (linear) from a track to a bus.
    TrackSend {
        slot: Slot,
        bus: u8,
        gain: f32,
    },
    /// Create or replace bus `bus`.
    #[serde(skip)]
    InstallBus {
        bus: u8,
        dsp: Handoff<Bus>,
    },
    BusGain {
        bus: u8,
        gain: f32,
    },
    BusPan {
        bus: u8,
        pan: f32,
    },
    BusMute {
        bus: u8,
        on: bool,
    },
    #[serde(skip)]
    BusEffects {
        bus: u8,
        chain: Handoff<EffectChain>,
    },
    RemoveBus {
        bus: u8,
    },
    /// Replace every automation lane (an empty set stops automation).
    #[serde(skip)]
    Automation {
        lanes: Handoff<Automation>,
    },
    /// Debug builds only (tests): panic on the audio thread, as a bug in a
    /// voice would, to exercise the device callback's guard.
    #[cfg(debug_assertions)]
    #[serde(skip)]
    TestPanic,
    /// Start writing the master (and stems) into a take's ring.
    #[serde(skip)]
    StartCapture {
        ring: Handoff<Capture>,
    },
    /// Stop writing the take (its ring comes back as garbage).
    StopCapture,
    /// Read live input from this ring (an input device opened).
    #[serde(skip)]
    SetInput {
        ring: Handoff<InputRing>,
    },
    /// The input device closed: silence from here on.
    ClearInput,
    /// Send clock and the transport to this MIDI output.
    #[serde(skip)]
    SetMidiOut {
        ring: Handoff<super::midi_out::MidiOutRing>,
    },
    /// The MIDI output closed.
    ClearMidiOut,
    /// Follow an external clock (MIDI clock) or not.
    FollowClock {
        on: bool,
    },
    /// What an external clock said, on the sample it said it.
    Clock {
        msg: super::follow::ClockMsg,
    },
    /// A looper track's command (`instrument::looper::LoopCmd` by index).
    Looper {
        slot: Slot,
        cmd: u8,
    },
    /// Glide parameter `param` of effect `index` in a chain.
    EffectParam {
        chain: FxTarget,
        index: u8,
        param: u8,
        value: f32,
    },
}

/// One command and when it lands.
#[derive(Debug)]
pub struct EngineCmd {
    pub op: Op,
    pub at: When,
    /// Non-zero: the engine reports the sample it applied this command on
    /// ([`Applied`]), for the action log.
    pub seq: u32,
}

impl EngineCmd {
    pub fn now(op: Op) -> Self {
        Self::at(op, When::Now)
    }

    pub fn at(op: Op, at: When) -> Self {
        Self { op, at, seq: 0 }
    }
}

/// The engine applied a command: on which sample of its clock. Reported
/// in the order commands are applied, which is the order a replay must
/// apply them in.
#[derive(Debug)]
pub struct Applied {
    pub clock: u64,
    /// The control side's number for the command (0 for a live input's).
    pub seq: u32,
    /// A live input's command (a MIDI note), copied: the control side
    /// never saw it.
    pub op: Option<Op>,
}

impl Applied {
    /// Not a command: a block boundary off the engine's grid.
    pub const SPLIT: u32 = u32::MAX;
}

const _: () = assert!(!std::mem::needs_drop::<Applied>());

// Real-time rule 7: commands carry no heap data of their own.
const _: () = assert!(!std::mem::needs_drop::<EngineCmd>());

/// Objects the engine no longer uses, sent back to be dropped off the audio
/// thread. Move-only: each value is released exactly once.
#[derive(Debug)]
pub enum Garbage {
    Clip(Handoff<Clip>),
    Track(Handoff<TrackDsp>),
    Instrument(Handoff<dyn Instrument>),
    Effects(Handoff<EffectChain>),
    Bus(Handoff<Bus>),
    Automation(Handoff<Automation>),
    Capture(Handoff<Capture>),
    Input(Handoff<InputRing>),
    MidiOut(Handoff<super::midi_out::MidiOutRing>),
}

const _: () = assert!(!std::mem::needs_drop::<Garbage>());

impl Garbage {
    /// Control thread: drop the object.
    ///
    /// # Safety
    /// Each `Garbage` value must be released exactly once.
    pub unsafe fn release(self) {
        unsafe {
            match self {
                Garbage::Clip(h) => drop(h.into_box()),
                Garbage::Track(h) => drop(h.into_box()),
                Garbage::Instrument(h) => drop(h.into_box()),
                Garbage::Effects(h) => drop(h.into_box()),
                Garbage::Bus(h) => drop(h.into_box()),
                Garbage::Automation(h) => drop(h.into_box()),
                Garbage::Capture(h) => drop(h.into_box()),
                Garbage::Input(h) => drop(h.into_box()),
                Garbage::MidiOut(h) => drop(h.into_box()),
            }
        }
    }
}

impl Op {
    /// Control thread: reclaim the payload of a command that was never
    /// delivered (queue full), so nothing leaks.
    ///
    /// # Safety
    /// Only for a command whose push failed, exactly once.
    pub unsafe fn reclaim(self) {
        let g = match self {
            Op::SetClip { clip, .. } => Garbage::Clip(clip),
            Op::InstallTrack { track, .. } => Garbage::Track(track),
            Op::ReplaceInstrument { instrument, .. } => Garbage::Instrument(instrument),
            Op::TrackEffects { chain, .. }
            | Op::MasterEffects { chain }
            | Op::BusEffects { chain, .. } => Garbage::Effects(chain),
            Op::InstallBus { dsp, .. } => Garbage::Bus(dsp),
            Op::Automation { lanes } => Garbage::Automation(lanes),
            Op::StartCapture { ring } => Garbage::Capture(ring),
            Op::SetInput { ring } => Garbage::Input(ring),
            Op::SetMidiOut { ring } => Garbage::MidiOut(ring),
            _ => return,
        };
        unsafe { g.release() }
    }

    /// Whether the command carries a payload (a [`Handoff`]).
    pub fn has_payload(&self) -> bool {
        matches!(
            self,
            Op::SetClip { .. }
                | Op::InstallTrack { .. }
                | Op::ReplaceInstrument { .. }
                | Op::TrackEffects { .. }
                | Op::MasterEffects { .. }
                | Op::BusEffects { .. }
                | Op::InstallBus { .. }
                | Op::Automation { .. }
                | Op::StartCapture { .. }
                | Op::SetInput { .. }
                | Op::SetMidiOut { .. }
        )
    }

    /// Audio thread: a copy of a command without a payload (a live
    /// note, for the log), or `None`.
    pub fn copy_plain(&self) -> Option<Op> {
        if self.has_payload() {
            return None;
        }
        // SAFETY: a command without a payload is plain data (no drop glue,
        // no owner to duplicate), so a bitwise copy is an independent value.
        Some(unsafe { std::ptr::read(self) })
    }
}
