//! When commands land: draining the rings, holding commands for their
//! sample or musical boundary, and reporting each applied command's sample
//! for the action log.
//!
//! Audio thread only, like the rest of the engine: fixed-size tables, no
//! allocation. Commands due on the same sample apply in the order they
//! arrived, so a replay that sends them in the logged order hears the same.

use super::command::Applied;
use super::{Counters, Engine, EngineCmd, Op, When};

pub(super) struct Scheduled {
    due: u64,
    /// The song beat a musical command (`NextBeat`, `NextBar`, `Beat`)
    /// waits for: a tempo change moves `due` so it still lands there.
    beat: Option<f64>,
    /// Arrival order: ties on `due` go first come, first applied.
    order: u64,
    op: Op,
    seq: u32,
    /// From a live input ring (logged by copy).
    live: bool,
}

impl Scheduled {
    /// Control thread (engine drop): the command that never ran.
    pub(super) fn into_op(self) -> Op {
        self.op
    }
}

impl Engine {
    /// Audio thread: apply or hold every command waiting in the rings.
    pub(super) fn drain_commands(&mut self) {
        while let Ok(cmd) = self.commands.pop() {
            let bar = self.transport.beats_per_bar.max(1) as f64;
            let beat = match cmd.at {
                When::Now | When::Sample(_) => None,
                When::NextBeat => Some(self.transport.next_boundary(1.0)),
                When::NextBar => Some(self.transport.next_boundary(bar)),
                When::Beat(b) => Some(b),
            };
            let due = match cmd.at {
                When::Now => None,
                When::Sample(s) => (s > self.clock).then_some(s),
                When::NextBeat | When::NextBar if !self.transport.playing => None,
                When::NextBeat | When::NextBar | When::Beat(_) => {
                    beat.and_then(|b| self.beat_due(b))
                }
            };
            match due {
                None => self.apply_logged(cmd, false),
                Some(due) => self.schedule(due, beat, cmd, false),
            }
        }
        // Live input after the control side's commands, so a note for a
        // track installed in the same block finds it.
        for i in 0..self.inputs.len() {
            while let Some(Ok(cmd)) = self.inputs.get_mut(i).map(|c| c.pop()) {
                match cmd.at {
                    When::Sample(s) if s > self.clock => self.schedule(s, None, cmd, true),
                    _ => self.apply_logged(cmd, true),
                }
            }
        }
    }

    /// Audio thread: apply a command and tell the log on which sample.
    /// Commands from the control side are named by their number (0: not
    /// logged, a take's own start and stop); a live input's is copied,
    /// since only the engine saw it.
    fn apply_logged(&mut self, cmd: EngineCmd, live: bool) {
        let EngineCmd { op, seq, .. } = cmd;
        let copy = if live { op.copy_plain() } else { None };
        let logged = seq != 0 || copy.is_some();
        self.apply(op);
        if logged {
            if let Some(log) = self.applied.as_mut() {
                let entry = Applied {
                    clock: self.clock,
                    seq,
                    op: copy,
                };
                if log.push(entry).is_err() {
                    Counters::bump(&self.counters.dropped_log, 1);
                }
            }
        }
    }

    /// Audio thread: tell the log a piece ends here for no logged reason
    /// (a device block that does not start on the grid).
    pub(super) fn log_split(&mut self) {
        if let Some(log) = self.applied.as_mut() {
            let entry = Applied {
                clock: self.clock,
                seq: Applied::SPLIT,
                op: None,
            };
            if log.push(entry).is_err() {
                Counters::bump(&self.counters.dropped_log, 1);
            }
        }
    }

    fn beat_due(&self, beat: f64) -> Option<u64> {
        if !self.transport.playing || !beat.is_finite() {
            return None;
        }
        let d = self.transport.sample_at(beat) - self.transport.song_sample;
        (d > 0).then(|| self.clock + d as u64)
    }

    fn schedule(&mut self, due: u64, beat: Option<f64>, cmd: EngineCmd, live: bool) {
        let order = self.arrivals;
        self.arrivals += 1;
        match self.scheduled.iter_mut().find(|s| s.is_none()) {
            Some(slot) => {
                *slot = Some(Scheduled {
                    due,
                    beat,
                    order,
                    op: cmd.op,
                    seq: cmd.seq,
                    live,
                })
            }
            None => {
                // No room to wait: apply late rather than lose it (and count).
                Counters::bump(&self.counters.dropped_scheduled, 1);
                self.apply_logged(cmd, live);
            }
        }
    }

    /// The tempo changed: musical commands still land on their beats.
    pub(super) fn retime_scheduled(&mut self) {
        let (clock, now) = (self.clock, self.transport.song_sample);
        for s in self.scheduled.iter_mut().flatten() {
            if let Some(b) = s.beat {
                let d = (self.transport.sample_at(b) - now).max(0);
                s.due = clock + d as u64;
            }
        }
    }

    /// The playhead moved by `by` beats: musical commands keep their
    /// distance from it (they land when they would have).
    pub(super) fn rebase_scheduled(&mut self, by: f64) {
        for s in self.scheduled.iter_mut().flatten() {
            if let Some(b) = s.beat.as_mut() {
                *b += by;
            }
        }
    }

    pub(super) fn next_due(&self) -> Option<u64> {
        self.scheduled.iter().flatten().map(|s| s.due).min()
    }

    /// Audio thread: apply what is due, earliest first, ties in arrival order.
    pub(super) fn apply_due(&mut self) {
        loop {
            let mut best: Option<(usize, (u64, u64))> = None;
            for (i, s) in self.scheduled.iter().enumerate() {
                if let Some(s) = s {
                    let key = (s.due, s.order);
                    if s.due <= self.clock && best.is_none_or(|(_, k)| key < k) {
                        best = Some((i, key));
                    }
                }
            }
            let Some((i, _)) = best else { break };
            if let Some(s) = self.scheduled.get_mut(i).and_then(Option::take) {
                let cmd = EngineCmd {
                    op: s.op,
                    at: When::Now,
                    seq: s.seq,
                };
                self.apply_logged(cmd, s.live);
            }
        }
    }
}
