//! The control side's end of the engine's queues: commands out, garbage
//! back, feedback and the output tap back, and the live input rings.
//!
//! Control thread only (it frees memory), except [`InputPort`], which a MIDI
//! device's callback thread owns and which never allocates or blocks.
//! Pushing never blocks: a full command ring drops the command, counts it
//! and frees its payload here. [`connect`] makes the rings and both ends.

use std::sync::Arc;

use rtrb::{Consumer, Producer, PushError, RingBuffer};

use crate::engine::{
    Applied, Counters, Engine, EngineCmd, EngineConfig, Feedback, Garbage, Op, Slot, When,
    APPLIED_CAPACITY, INPUT_PORTS, TAP_CAPACITY,
};

/// Control thread: make an engine and the handle that drives it.
pub fn connect(config: EngineConfig) -> (EngineHandle, Engine) {
    let (cmd_tx, cmd_rx) = RingBuffer::new(config.command_capacity);
    let (garbage_tx, garbage_rx) = RingBuffer::new(config.garbage_capacity);
    let (fb_tx, fb_rx) = RingBuffer::new(config.feedback_capacity);
    let (tap_tx, tap_rx) = RingBuffer::new(TAP_CAPACITY);
    let (applied_tx, applied_rx) = RingBuffer::new(APPLIED_CAPACITY);
    let (port_tx, port_rx): (Vec<_>, Vec<_>) =
        (0..INPUT_PORTS).map(|_| RingBuffer::new(1024)).unzip();
    let counters = Arc::new(Counters::default());
    let handle = EngineHandle {
        commands: cmd_tx,
        garbage: garbage_rx,
        feedback: fb_rx,
        tap: tap_rx,
        applied: applied_rx,
        ports: port_tx
            .into_iter()
            .map(|tx| InputPort {
                tx,
                counters: counters.clone(),
                at: None,
            })
            .collect(),
        counters: counters.clone(),
        rate: config.rate,
    };
    let engine = Engine::new(
        config,
        crate::engine::Rings {
            commands: cmd_rx,
            garbage: garbage_tx,
            feedback: fb_tx,
            tap: tap_tx,
            inputs: port_rx,
            applied: applied_tx,
        },
        counters,
    );
    (handle, engine)
}

pub struct EngineHandle {
    commands: Producer<EngineCmd>,
    garbage: Consumer<Garbage>,
    feedback: Consumer<Feedback>,
    tap: Consumer<f32>,
    applied: Consumer<Applied>,
    ports: Vec<InputPort>,
    pub counters: Arc<Counters>,
    pub rate: f32,
}

impl EngineHandle {
    /// Queue a command. Returns false (and counts a drop) when the ring is full.
    pub fn send(&mut self, cmd: EngineCmd) -> bool {
        match self.commands.push(cmd) {
            Ok(()) => true,
            Err(PushError::Full(cmd)) => {
                Counters::bump(&self.counters.dropped_commands, 1);
                // SAFETY: the push failed, so the payload is still ours.
                unsafe { cmd.op.reclaim() };
                false
            }
        }
    }

    /// Free the objects the engine has finished with. Returns how many.
    pub fn collect_garbage(&mut self) -> usize {
        let mut n = 0;
        while let Ok(g) = self.garbage.pop() {
            // SAFETY: each Garbage value arrives once, from the engine that owned it.
            unsafe { g.release() };
            n += 1;
        }
        Counters::bump(&self.counters.returned_objects, n as u64);
        n
    }

    /// Hand every pending feedback message to `f`.
    pub fn drain_feedback(&mut self, mut f: impl FnMut(Feedback)) {
        while let Ok(m) = self.feedback.pop() {
            f(m);
        }
    }

    /// Hand every command the engine reported applied, in its order, to `f`.
    pub fn drain_applied(&mut self, mut f: impl FnMut(Applied)) {
        while let Ok(a) = self.applied.pop() {
            f(a);
        }
    }

    /// Append the master output rendered since the last call to `out`, as
    /// interleaved stereo frames, for the spectrum and the loudness meter.
    /// Reading keeps the tap from filling up.
    pub fn read_tap(&mut self, out: &mut Vec<f32>) {
        let n = self.tap.slots();
        if let Ok(chunk) = self.tap.read_chunk(n) {
            out.extend(chunk);
        }
    }

    /// Take one of the live input rings (for a MIDI device's callback thread).
    pub fn take_input(&mut self) -> Option<InputPort> {
        self.ports.pop()
    }

    /// Give an input ring back (its device closed).
    pub fn return_input(&mut self, port: InputPort) {
        self.ports.push(port);
    }

    /// Free slots in the command ring.
    pub fn command_room(&self) -> usize {
        self.commands.slots()
    }
}

/// A live input thread's own wait-free ring into the engine. It carries only
/// note-like commands (no payloads), so nothing it sends needs freeing.
pub struct InputPort {
    tx: Producer<EngineCmd>,
    counters: Arc<Counters>,
    at: Option<u64>,
}

impl InputPort {
    /// The engine clock after its last block, and that callback's length:
    /// where the next block starts and how long blocks are.
    pub fn clock(&self) -> (u64, u64) {
        (
            self.counters.clock(),
            Counters::get(&self.counters.callback_frames),
        )
    }

    /// Commands from now on land at engine sample `at` (None: at the start
    /// of the next block).
    pub fn set_time(&mut self, at: Option<u64>) {
        self.at = at;
    }

    fn push(&mut self, op: Op) -> bool {
        let at = match self.at {
            Some(s) => When::Sample(s),
            None => When::Now,
        };
        let ok = self.tx.push(EngineCmd::at(op, at)).is_ok();
        if !ok {
            Counters::bump(&self.counters.dropped_commands, 1);
        }
        ok
    }

    pub fn note_on(&mut self, slot: Slot, note: f32, velocity: f32) -> bool {
        self.push(Op::NoteOn {
            slot,
            note,
            velocity,
        })
    }

    pub fn note_off(&mut self, slot: Slot, note: f32) -> bool {
        self.push(Op::NoteOff { slot, note })
    }

    pub fn sustain(&mut self, slot: Slot, on: bool) -> bool {
        self.push(Op::Sustain { slot, on })
    }

    pub fn bend(&mut self, slot: Slot, amount: f32) -> bool {
        self.push(Op::PitchBend { slot, amount })
    }

    pub fn all_notes_off(&mut self) -> bool {
        self.push(Op::AllNotesOff)
    }

    /// What an external clock said (a tick, start, stop, a position).
    pub fn clock_in(&mut self, msg: crate::engine::follow::ClockMsg) -> bool {
        self.push(Op::Clock { msg })
    }

    /// Follow the clock this port sends, or stop following.
    pub fn follow(&mut self, on: bool) -> bool {
        self.push(Op::FollowClock { on })
    }

    /// Start the transport (following a shared timeline: on its bar).
    pub fn play(&mut self) -> bool {
        self.push(Op::Play)
    }

    pub fn stop(&mut self) -> bool {
        self.push(Op::Stop)
    }
}
