//! Recording automation: while a track is armed and the transport plays,
//! every knob move on it (from a key, MIDI, OSC or the chat) is also
//! written as a breakpoint of its song-wide lane at the playhead, over
//! what the lane said there before. Points on a straight line are thinned
//! away as they come, so a slow sweep is a few points, not thousands.
//!
//! Control thread only. The breakpoints join the move's own edit, so they
//! undo with it (a run of moves undoes as one step, as knob moves do).

use crate::action::{Action, ArgValue};
use crate::patch::{CcArg, Lane, Point, SessionFile};

use super::Session;

/// Moves closer together than this (in bars) replace each other.
const MIN_GAP_BARS: f64 = 1.0 / 128.0;
/// A point this close (as a share of the target's range) to the line
/// through its neighbours adds nothing and is dropped.
const THIN: f64 = 0.005;

impl Session {
    /// Arm or disarm `track` for recording automation.
    pub(super) fn arm(&mut self, track: &str, on: bool) -> String {
        if on {
            self.armed.insert(track.to_string());
        } else {
            self.armed.remove(track);
            self.takes.retain(|k, _| k.split(' ').nth(1) != Some(track));
        }
        // An armed track's lanes stop playing: the knob leads.
        self.sync_automation();
        format!("{track}: automation {}", if on { "armed" } else { "off" })
    }

    /// Whether lanes that move `track` are silenced (it is being recorded).
    pub(super) fn recording(&self, lane: &Lane) -> bool {
        matches!(lane.args.first(), Some(CcArg::Text(t)) if self.armed.contains(t))
    }

    /// If `action` is a knob move on an armed track while playing, write
    /// its value as a breakpoint into `next`.
    pub(super) fn record_move(&mut self, action: &Action, next: &mut SessionFile) {
        if !self.playing || !crate::action::spec(action.name()).is_some_and(|s| s.knob) {
            return;
        }
        let mut args = action.args();
        let Some(ArgValue::Number(value)) = args.pop() else {
            return;
        };
        let fixed: Vec<CcArg> = args
            .iter()
            .map(|a| match a {
                ArgValue::Number(n) => CcArg::Number(*n),
                ArgValue::Bool(b) => CcArg::Bool(*b),
                ArgValue::Text(t) => CcArg::Text(t.clone()),
            })
            .collect();
        let probe = Lane {
            action: action.name().to_string(),
            args: fixed,
            points: vec![Point {
                bar: 1.0,
                value,
                shape: None,
            }],
            shape: Default::default(),
        };
        if !self.recording(&probe) {
            return;
        }
        let (slot, bus) = (|_: &str| Some(0), |_: &str| Some(0));
        let Ok((_, (lo, hi))) = super::automation::target(next, &probe, &slot, &bus) else {
            return;
        };
        let Some((beat, _, _)) = self.playhead() else {
            return;
        };
        let bar = beat / next.beats_per_bar() + 1.0;
        let key = probe.describe();
        // A take starts again where the playhead went back (a loop).
        let from = match self.takes.get(&key) {
            Some(&last) if last <= bar => last,
            _ => bar - MIN_GAP_BARS / 2.0,
        };
        self.takes.insert(key, bar);
        let i = match next.automation.iter().position(|l| l.same_target(&probe)) {
            Some(i) => i,
            None => {
                let mut empty = probe.clone();
                empty.points.clear();
                next.automation.push(empty);
                next.automation.len() - 1
            }
        };
        let lane = &mut next.automation[i];
        // Over what was there since the last move of this take.
        lane.points.retain(|p| !(p.bar > from && p.bar <= bar));
        // This take's last point, if too close, gives way to this one.
        if let Some(last) = lane.points.iter().rposition(|p| p.bar <= bar) {
            let p = lane.points[last];
            if bar - p.bar < MIN_GAP_BARS && p.bar >= from - 1e-9 {
                lane.points.remove(last);
            }
        }
        let at = lane.points.partition_point(|p| p.bar <= bar);
        lane.points.insert(
            at,
            Point {
                bar,
                value,
                shape: None,
            },
        );
        // The point before this one, if on the line from its neighbour to
        // here, is not needed.
        if at >= 2 {
            let (a, b, c) = (lane.points[at - 2], lane.points[at - 1], lane.points[at]);
            let span = c.bar - a.bar;
            if span > 0.0 && b.bar >= from - 1e-9 {
                let line = a.value + (c.value - a.value) * (b.bar - a.bar) / span;
                let range = if (hi - lo).is_finite() && hi > lo {
                    hi - lo
                } else {
                    1.0
                };
                if (line - b.value).abs() <= THIN * range {
                    lane.points.remove(at - 1);
                }
            }
        }
    }
}
