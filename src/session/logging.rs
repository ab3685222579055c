//! The session's side of the action log and of takes: each command goes
//! out numbered and described ([`super::log`]), each outermost action is
//! written with the sample its first command landed on, and a take's disk
//! ring is handed to the engine.
//!
//! Control thread only.

use crate::engine::capture::Capture;
use crate::engine::command::Handoff;
use crate::engine::{EngineCmd, Op, When};
use crate::patch::SessionFile;

use super::{log, Session};

impl Session {
    /// Write an action to the log, with the sample its first command landed on.
    pub(super) fn log_action(&mut self, first: u32, what: String) {
        let clock = self.engine.as_ref().map_or(0, |e| e.counters.clock());
        if let Some(l) = self.log.as_mut() {
            l.action(first, clock, what);
        }
    }

    /// Control thread: take the engine's report of where each command
    /// landed into the log. Called every turn of the loop.
    pub fn drain_applied(&mut self) {
        if let (Some(e), Some(l)) = (self.engine.as_mut(), self.log.as_mut()) {
            e.drain_applied(|a| l.applied(a));
        }
    }

    /// The run's command log (none without an engine).
    pub fn log_mut(&mut self) -> Option<&mut log::RunLog> {
        self.log.as_mut()
    }

    /// Send a command with a payload, logged as how to build it again
    /// from `state` (see [`log::Recipe`]).
    pub(super) fn send_built(
        &mut self,
        op: Op,
        state: &SessionFile,
        recipe: impl FnOnce(u32) -> log::Recipe,
    ) {
        let at = self.at.unwrap_or(self.land);
        let recipe = self.log.as_mut().map(|l| recipe(l.state(state)));
        self.send_logged(op, at, recipe)
    }

    pub(super) fn send_logged(&mut self, op: Op, at: When, recipe: Option<log::Recipe>) {
        let seq = match (self.log.as_mut(), recipe) {
            (Some(l), Some(r)) => l.sent(log::Entry::Build(r)),
            (Some(l), None) if !op.has_payload() => l.sent(log::op_entry(&op)),
            (Some(l), None) => {
                l.broken
                    .get_or_insert_with(|| "a command was sent without its recipe".into());
                0
            }
            (None, _) => 0,
        };
        match self.engine.as_mut() {
            Some(e) => {
                e.collect_garbage();
                if !e.send(EngineCmd { op, at, seq }) {
                    // Never sent (the ring was full, counted): nothing to log.
                    if let Some(l) = self.log.as_mut() {
                        l.forget(seq);
                    }
                }
            }
            // SAFETY: the command was never sent, so its payload is still ours.
            None => unsafe { op.reclaim() },
        }
    }

    /// Start writing the engine's output into `ring` at `at` (not logged:
    /// a take's own start changes nothing that sounds).
    pub fn start_capture(&mut self, ring: Box<Capture>, at: When) -> bool {
        let op = Op::StartCapture {
            ring: Handoff::new(ring),
        };
        match self.engine.as_mut() {
            Some(e) => e.send(EngineCmd::at(op, at)),
            None => {
                // SAFETY: never sent, so the payload is still ours.
                unsafe { op.reclaim() };
                false
            }
        }
    }

    /// The `record` action: what the host should do, said back.
    pub(super) fn ask_record(&mut self, on: bool, now: bool) -> String {
        self.record_request = Some((on, now));
        match (on, now) {
            (true, true) => "recording".into(),
            (true, false) => "recording from the next bar".into(),
            (false, true) => "recording stops".into(),
            (false, false) => "recording stops on the next bar".into(),
        }
    }

    /// The `looper` action: the command for a Looper track's engine slot,
    /// on the next bar (undo and clear at once).
    pub(super) fn looper(
        &mut self,
        track: &str,
        command: &str,
    ) -> Result<super::Applied, crate::action::ActionError> {
        use crate::action::ActionError;
        use crate::engine::instrument::looper::LoopCmd;
        use crate::kinds::instrument::InstrumentKind;
        let t = self
            .file
            .track(track)
            .ok_or_else(|| ActionError::Invalid(format!("no track named \"{track}\"")))?;
        if t.instrument.kind != InstrumentKind::Looper {
            return Err(ActionError::Invalid(format!(
                "{track} is not a Looper track (its instrument is {})",
                t.instrument.kind.name()
            )));
        }
        let index = LoopCmd::NAMES
            .iter()
            .position(|n| *n == command)
            .ok_or_else(|| ActionError::Invalid(format!("no looper command \"{command}\"")))?;
        let Some(slot) = self.slot(track) else {
            return Err(ActionError::Invalid(format!("{track} is not playing")));
        };
        let at = match LoopCmd::from_index(index as u8) {
            Some(LoopCmd::Undo | LoopCmd::Clear) => When::Now,
            _ => When::NextBar,
        };
        self.send_logged(
            Op::Looper {
                slot,
                cmd: index as u8,
            },
            at,
            None,
        );
        let when = if at == When::Now {
            "now"
        } else {
            "on the next bar"
        };
        Ok(super::Applied {
            description: format!("{track}: looper {command} {when}"),
        })
    }

    /// Control thread (the host, each turn): a take to start (`true`) or
    /// stop, and whether at once.
    pub fn take_record_request(&mut self) -> Option<(bool, bool)> {
        self.record_request.take()
    }

    /// The host started or ended a take.
    pub fn set_recording(&mut self, on: bool) {
        self.recording = on;
    }

    pub fn is_recording(&self) -> bool {
        self.recording
    }

    /// The host says whether the take's input gate is open (`None`: no gate).
    pub fn set_gate(&mut self, open: Option<bool>) {
        self.gate = open;
    }

    pub fn gate(&self) -> Option<bool> {
        self.gate
    }

    /// Hand the engine a MIDI output for clock and the transport.
    pub fn set_midi_out(&mut self, ring: Box<crate::engine::midi_out::MidiOutRing>) -> bool {
        self.hand_over(Op::SetMidiOut {
            ring: Handoff::new(ring),
        })
    }

    /// Give the engine the ring a live input feeds (not logged: a replay
    /// plays the take's recorded input in its place).
    pub fn set_input(&mut self, ring: Box<crate::engine::input::InputRing>) -> bool {
        self.hand_over(Op::SetInput {
            ring: Handoff::new(ring),
        })
    }

    /// The input device closed: the engine hears silence from here on.
    pub fn clear_input(&mut self) -> bool {
        self.hand_over(Op::ClearInput)
    }

    /// Tell the engine of a device now (its ring, or that it closed),
    /// unlogged (it changes no sound of its own); a ring comes back when
    /// there is no engine.
    fn hand_over(&mut self, op: Op) -> bool {
        match self.engine.as_mut() {
            Some(e) => e.send(EngineCmd::now(op)),
            None => {
                // SAFETY: never sent, so the payload is still ours.
                unsafe { op.reclaim() };
                false
            }
        }
    }

    /// Stop the take being written, at `at`.
    pub fn stop_capture(&mut self, at: When) -> bool {
        self.engine
            .as_mut()
            .is_some_and(|e| e.send(EngineCmd::at(Op::StopCapture, at)))
    }
}
