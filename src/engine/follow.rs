//! Following an external clock: MIDI clock's 24 ticks a beat, with Start,
//! Continue, Stop and Song Position Pointer, locked in tempo *and* phase.
//!
//! Audio thread only: ticks arrive as commands stamped with the engine
//! sample the device's timestamp maps to, so they land on that sample.
//! A delay-locked loop (a second-order loop filter over the ticks' times,
//! as in F. Adriaensen's "Using a DLL to filter time") predicts when the
//! next tick is due, with a USB clock's jitter filtered out; on every tick
//! the transport is given the tempo that brings its beat to that tick's
//! beat at exactly the predicted time, so the beat never jumps and never
//! drifts from the sender's. Nothing here allocates, locks or waits.

use serde::{Deserialize, Serialize};

use super::Engine;

/// What an external clock says.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum ClockMsg {
    /// One of 24 a beat.
    Tick,
    /// Play from the start, on the next tick.
    Start,
    /// Play from here, on the next tick.
    Continue,
    Stop,
    /// Song Position Pointer: where Continue plays from, in sixteenths.
    Position(u16),
    /// A tick of a shared timeline (Ableton Link), exactly on its time,
    /// with its place in the shared bar (`at`, ticks since the bar's line)
    /// and the timeline's tempo: the transport keeps that place, and play
    /// waits for it.
    TickInBar {
        at: u16,
        bpm: f32,
    },
}

/// Ticks a beat.
pub const PPQN: f64 = 24.0;

/// The loop's bandwidth, as a share of the tick rate: low enough that
/// ±1 ms of jitter moves the beat by a few samples, high enough that a
/// tempo change is followed within a beat or two.
const BANDWIDTH: f64 = 0.02;

/// A gap this many ticks long (the sender paused, a cable was pulled)
/// starts the loop again instead of bending the tempo for it.
const GAP_TICKS: f64 = 8.0;

/// How late, in ticks, a tick must come to count for one lost before
/// it: past the midpoint, with a margin for jitter.
const LOST_TICK: f64 = 0.6;

/// The delay-locked loop over tick times (engine samples).
#[derive(Debug, Clone, Copy)]
struct Dll {
    /// When the next tick is due.
    next: f64,
    /// Samples a tick.
    period: f64,
}

impl Dll {
    fn update(&mut self, t: f64) {
        let w = std::f64::consts::TAU * BANDWIDTH;
        let (b, c) = (std::f64::consts::SQRT_2 * w, w * w);
        let e = t - self.next;
        self.next += b * e + self.period;
        self.period += c * e;
    }
}

/// The follower's state.
#[derive(Debug, Default)]
pub struct Follow {
    /// Whether the session follows an external clock.
    pub on: bool,
    dll: Option<Dll>,
    /// When the last tick came.
    last: Option<f64>,
    /// Ticks counted ahead of their arrival (a gap taken for lost ticks).
    ahead: u64,
    /// The position, in ticks, of the tick just received while running.
    pos: u64,
    /// Start or Continue came: the next tick starts the transport, at
    /// this position in ticks (with a shared timeline, the next tick at
    /// the same place in the bar).
    pub(super) armed: Option<u64>,
    /// The ticks come from a shared timeline that says where in the bar
    /// each one is.
    shared: bool,
    /// The last such tick's place in the bar.
    last_in_bar: Option<u64>,
    /// Ticks in a row that came late enough to count lost ones before.
    lost_run: u8,
}

impl Follow {
    /// The tempo the ticks say, once there have been two.
    pub fn bpm(&self, rate: f64) -> Option<f64> {
        self.dll.map(|d| 60.0 * rate / (PPQN * d.period))
    }
}

impl Engine {
    /// Audio thread: a clock message landing now.
    pub(super) fn clock_in(&mut self, msg: ClockMsg) {
        if !self.follow.on {
            return;
        }
        match msg {
            ClockMsg::Tick => self.clock_tick(None),
            ClockMsg::TickInBar { at, bpm } => {
                self.follow.shared = true;
                self.clock_tick(Some(at as u64));
                // Exact ticks and their tempo: no filtering to wait for.
                if bpm.is_finite() && bpm > 0.0 {
                    // Within the tempi the transport takes (follow_tempo's).
                    let bpm = (bpm as f64).clamp(1.0, 2000.0);
                    let period = 60.0 * self.rate as f64 / (PPQN * bpm);
                    self.follow.dll = Some(Dll {
                        next: self.clock as f64 + period,
                        period,
                    });
                }
            }
            ClockMsg::Start => {
                self.stop_transport();
                self.locate_transport(0.0);
                self.follow.armed = Some(0);
            }
            ClockMsg::Continue => {
                let at = (self.transport.beat() * PPQN).round().max(0.0) as u64;
                self.follow.armed = Some(at);
            }
            ClockMsg::Stop => {
                self.follow.armed = None;
                self.stop_transport();
            }
            ClockMsg::Position(sixteenths) => {
                let ticks = sixteenths as u64 * 6;
                self.locate_transport(ticks as f64 / PPQN);
                // While running, the next tick is the one it names.
                self.follow.pos = ticks.saturating_sub(1);
            }
        }
    }

    /// Audio thread: a play asked for while a shared timeline is
    /// followed waits for the tick at the playhead's place in the bar
    /// (true: it was armed).
    pub(super) fn follow_arm_on_bar(&mut self) -> bool {
        if !(self.follow.on && self.follow.shared) || self.transport.playing {
            return false;
        }
        let at = (self.transport.beat() * PPQN).round().max(0.0) as u64;
        self.follow.armed = Some(at);
        true
    }

    /// Ticks in the transport's bar.
    fn bar_ticks(&self) -> u64 {
        self.transport.beats_per_bar.max(1) as u64 * PPQN as u64
    }

    fn clock_tick(&mut self, in_bar: Option<u64>) {
        let t = self.clock as f64;
        let rate = self.rate as f64;
        // How many ticks this one counts for, from how far it is from
        // the loop's prediction (not from the last tick: two jittered
        // ticks' distance is twice as noisy). A busy MIDI driver may
        // lose one (it comes a period late: it counts two), or deliver
        // one late and the next on time; and after a stall the ones held
        // back come all at once. So one a period or more late counts for
        // the ticks it skipped, and those that then come a period or more
        // early count nothing until the ones counted ahead are used up.
        let mut count = 1;
        let bar = self.bar_ticks();
        // A shared timeline's tick says which one it is: one that is not
        // the next (its timeline jumped) says nothing of the tempo.
        let next_one = match (in_bar, self.follow.last_in_bar) {
            (Some(at), Some(prev)) => (at + bar - prev % bar) % bar == 1,
            _ => true,
        };
        self.follow.last_in_bar = in_bar;
        let interval = self.follow.last.map(|l| t - l).filter(|_| next_one);
        let dll = match self.follow.dll.as_mut() {
            // Ticks late again and again are no lost ticks: the loop
            // locked onto a fraction of the real period (from two ticks
            // that came close): start it again from the last interval.
            Some(d)
                if self.follow.lost_run >= 2 && interval.is_some_and(|i| i > 1.5 * d.period) =>
            {
                let period = interval.unwrap_or(d.period);
                *d = Dll {
                    next: t + period,
                    period,
                };
                // The ticks it counted as lost never were.
                if self.transport.playing {
                    self.follow.pos = self.follow.pos.saturating_sub(self.follow.ahead);
                }
                self.follow.lost_run = 0;
                self.follow.ahead = 0;
                *d
            }
            Some(d) if (t - d.next).abs() < GAP_TICKS * d.period => {
                let late = (t - d.next) / d.period;
                if late > LOST_TICK {
                    self.follow.lost_run += 1;
                } else {
                    self.follow.lost_run = 0;
                }
                if late > LOST_TICK {
                    let skipped = late.round().max(1.0) as u64;
                    count += skipped;
                    self.follow.ahead += skipped;
                    d.next += skipped as f64 * d.period;
                } else if late < -LOST_TICK && self.follow.ahead > 0 {
                    count = 0;
                    self.follow.ahead -= 1;
                } else if late.abs() < 0.5 {
                    self.follow.ahead = 0;
                }
                if count > 0 {
                    d.update(t);
                }
                *d
            }
            _ => {
                // The first tick, or one after a gap: the tempo is the
                // last two ticks' distance when it is plausible, else the
                // one playing now.
                let playing = self.transport.samples_per_beat() / PPQN;
                let period = interval
                    .filter(|p| (0.25 * playing..4.0 * playing).contains(p))
                    .unwrap_or(playing);
                let d = Dll {
                    next: t + period,
                    period,
                };
                // One tick alone says no tempo: the loop starts on the next.
                if self.follow.last.is_some() {
                    self.follow.dll = Some(d);
                }
                d
            }
        };
        self.follow.last = Some(t);
        let starts = |from: u64| in_bar.is_none_or(|at| from % bar == at % bar);
        if let Some(from) = self.follow.armed.filter(|f| starts(*f)) {
            self.follow.armed = None;
            self.follow.pos = from;
            self.locate_transport(from as f64 / PPQN);
            self.start_transport();
        } else if self.transport.playing {
            if count == 0 {
                return;
            }
            self.follow.pos += count;
            if let Some(at) = in_bar {
                // Keep the shared bar's place: the nearest position that
                // has it (a peer that joins late moves the downbeat).
                let off = (at % bar + bar - self.follow.pos % bar) % bar;
                self.follow.pos = if off > bar / 2 {
                    self.follow.pos.saturating_sub(bar - off)
                } else {
                    self.follow.pos + off
                };
            }
        } else {
            // Stopped: only the tempo follows.
            self.follow_tempo(60.0 * rate / (PPQN * dll.period));
            return;
        }
        let here = self.follow.pos as f64 / PPQN;
        let beat = self.transport.beat();
        if (beat - here).abs() > 0.5 {
            // Too far apart to glide (a locate while running): jump.
            self.locate_transport(here);
        }
        let ahead = (dll.next - t).max(0.25 * dll.period);
        let want = (here + 1.0 / PPQN - self.transport.beat()) / ahead;
        let nominal = 60.0 * rate / (PPQN * dll.period);
        let bpm = (want * rate * 60.0).clamp(0.5 * nominal, 2.0 * nominal);
        self.follow_tempo(bpm);
    }

    fn follow_tempo(&mut self, bpm: f64) {
        let bpm = bpm.clamp(1.0, 2000.0);
        self.apply(super::Op::Tempo { bpm });
        self.counters.publish_followed_tempo(
            self.follow
                .bpm(self.rate as f64)
                .unwrap_or(bpm)
                .clamp(1.0, 2000.0),
        );
    }

    fn stop_transport(&mut self) {
        self.apply(super::Op::Stop);
    }

    fn start_transport(&mut self) {
        self.play_now();
    }

    fn locate_transport(&mut self, beat: f64) {
        self.apply(super::Op::Locate { beat });
    }

    /// Audio thread: follow an external clock or stop following.
    pub(super) fn set_follow(&mut self, on: bool) {
        self.follow = Follow {
            on,
            ..Follow::default()
        };
        if !on {
            self.counters.publish_followed_tempo(0.0);
        }
    }
}
