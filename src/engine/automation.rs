//! Automation on the audio thread: breakpoint lanes read at the playhead
//! and applied to faders, pans, sends, instrument and effect parameters,
//! the master level and the tempo.
//!
//! Audio thread (the lanes are built on the control thread by
//! `session::automation` and handed over whole, as one [`Automation`]).
//! Reading a lane is a binary search and a little arithmetic; nothing here
//! allocates, frees, locks or blocks.

use super::address::{FxTarget, Slot};
use crate::kinds::curve::Curve as MapCurve;

/// Frames between two readings of the lanes while any lane is active:
/// 2.7 ms at 48 kHz. Faders, pans, sends and effect parameters glide
/// between readings (their own smoothing), so a ramp has no steps.
pub const AUTOMATION_STEP: usize = 128;

/// How a value travels from a breakpoint to the next.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Curve {
    Step,
    Linear,
    Exp,
    Smooth,
}

/// One breakpoint, in song beats (a section's lane: beats from its start).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Point {
    pub beat: f64,
    pub value: f64,
    /// Towards the next point.
    pub curve: Curve,
}

/// What a lane moves, and in which unit its values are.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Target {
    /// BPM.
    Tempo,
    /// Share of a swing-grid step, 0 – 0.5.
    Swing,
    /// dB.
    MasterDb,
    /// dB.
    TrackDb(Slot),
    /// -1..1.
    TrackPan(Slot),
    /// 0..1.
    TrackDensity(Slot),
    /// In the parameter's unit.
    Param { slot: Slot, index: u16 },
    /// dB; -120 and below is off.
    SendDb { slot: Slot, bus: u8 },
    /// dB.
    BusDb(u8),
    /// -1..1.
    BusPan(u8),
    /// In the parameter's unit.
    Effect {
        chain: FxTarget,
        index: u8,
        param: u8,
    },
}

/// How a lane on a macro reaches one of the macro's targets: the lane's
/// value `v` (0 – `span`) puts the target at `curve.at(v / span, from, to)`,
/// as turning the macro's knob would.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Map {
    pub span: f64,
    pub from: f64,
    pub to: f64,
    pub curve: MapCurve,
}

/// One lane as the engine reads it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Lane {
    pub target: Target,
    /// Song beats the lane is read in: `[from, until)`. A song-wide lane
    /// holds its first value before its first point and its last after.
    pub from: f64,
    pub until: f64,
    /// The song beat its point positions count from.
    pub origin: f64,
    /// Positions repeat every `period` beats (a section's length; 0: never).
    pub period: f64,
    pub points: Box<[Point]>,
    /// A macro's lane: how its value reaches `target`.
    pub map: Option<Map>,
}

impl Lane {
    /// What the lane puts its target at at song beat `beat`, if it is read
    /// there.
    pub fn value_at(&self, beat: f64) -> Option<f64> {
        let v = self.lane_value(beat)?;
        Some(match self.map {
            Some(m) if m.span > 0.0 => m.curve.at(v / m.span, m.from, m.to),
            _ => v,
        })
    }

    /// The lane's own value at `beat` (a macro's: 0 – 10).
    fn lane_value(&self, beat: f64) -> Option<f64> {
        if beat < self.from || beat >= self.until {
            return None;
        }
        let mut x = beat - self.origin;
        if self.period > 0.0 {
            x = x.rem_euclid(self.period);
        }
        // Points at or before x; with none, the lane holds its first value.
        let i = self.points.partition_point(|p| p.beat <= x);
        let Some(a) = i.checked_sub(1).and_then(|k| self.points.get(k)) else {
            return self.points.first().map(|p| p.value);
        };
        let Some(b) = self.points.get(i) else {
            return Some(a.value);
        };
        let span = b.beat - a.beat;
        let t = if span > 0.0 { (x - a.beat) / span } else { 1.0 };
        Some(shape(a.curve, a.value, b.value, t))
    }
}

/// The value a fraction `t` of the way from `a` to `b`.
pub fn shape(curve: Curve, a: f64, b: f64, t: f64) -> f64 {
    let t = t.clamp(0.0, 1.0);
    match curve {
        Curve::Step => a,
        Curve::Exp if a * b > 0.0 => a * (b / a).powf(t),
        Curve::Linear | Curve::Exp => a + (b - a) * t,
        Curve::Smooth => a + (b - a) * t * t * (3.0 - 2.0 * t),
    }
}

/// Every lane of the session, with the value each one last sent.
#[derive(Debug, Default)]
pub struct Automation {
    lanes: Box<[Lane]>,
    sent: Box<[f64]>,
}

impl Automation {
    /// Control thread.
    pub fn new(lanes: Vec<Lane>) -> Self {
        let sent = vec![f64::NAN; lanes.len()].into_boxed_slice();
        Self {
            lanes: lanes.into_boxed_slice(),
            sent,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.lanes.is_empty()
    }

    /// Every lane read at `beat` whose value changed since it was last
    /// read: `apply` takes its target and the new value.
    pub fn read(&mut self, beat: f64, mut apply: impl FnMut(Target, f64)) {
        for (lane, sent) in self.lanes.iter().zip(self.sent.iter_mut()) {
            if let Some(v) = lane.value_at(beat) {
                if v != *sent {
                    *sent = v;
                    apply(lane.target, v);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lane(points: &[(f64, f64, Curve)]) -> Lane {
        Lane {
            target: Target::Tempo,
            from: f64::NEG_INFINITY,
            until: f64::INFINITY,
            origin: 0.0,
            period: 0.0,
            map: None,
            points: points
                .iter()
                .map(|&(beat, value, curve)| Point { beat, value, curve })
                .collect(),
        }
    }

    #[test]
    fn a_lane_holds_its_ends_and_follows_its_curves_between() {
        let l = lane(&[
            (4.0, 100.0, Curve::Linear),
            (8.0, 200.0, Curve::Exp),
            (12.0, 800.0, Curve::Step),
            (16.0, 0.0, Curve::Linear),
        ]);
        assert_eq!(l.value_at(0.0), Some(100.0));
        assert_eq!(l.value_at(6.0), Some(150.0));
        assert!((l.value_at(10.0).unwrap() - 400.0).abs() < 1e-9);
        assert_eq!(l.value_at(15.9), Some(800.0));
        assert_eq!(l.value_at(16.0), Some(0.0));
        assert_eq!(l.value_at(99.0), Some(0.0));
    }

    #[test]
    fn a_section_lane_repeats_on_every_pass_inside_its_window() {
        let mut l = lane(&[(0.0, 0.0, Curve::Linear), (16.0, 1.0, Curve::Linear)]);
        (l.from, l.until, l.origin, l.period) = (32.0, 96.0, 32.0, 16.0);
        assert_eq!(l.value_at(31.0), None);
        assert_eq!(l.value_at(40.0), Some(0.5));
        assert_eq!(l.value_at(56.0), Some(0.5));
        assert_eq!(l.value_at(96.0), None);
    }

    #[test]
    fn a_macro_lane_reaches_its_target_along_the_targets_curve() {
        let mut l = lane(&[(0.0, 0.0, Curve::Linear), (4.0, 10.0, Curve::Linear)]);
        l.map = Some(Map {
            span: 10.0,
            from: 300.0,
            to: 8000.0,
            curve: MapCurve::Exp,
        });
        assert_eq!(l.value_at(0.0), Some(300.0));
        let mid = l.value_at(2.0).unwrap();
        assert!((mid - (300.0f64 * 8000.0).sqrt()).abs() < 1e-6, "{mid}");
        assert!((l.value_at(4.0).unwrap() - 8000.0).abs() < 1e-9);
    }

    #[test]
    fn smooth_eases_and_exp_falls_back_to_linear_through_zero() {
        assert_eq!(shape(Curve::Smooth, 0.0, 1.0, 0.5), 0.5);
        assert!(shape(Curve::Smooth, 0.0, 1.0, 0.1) < 0.1);
        assert_eq!(shape(Curve::Exp, -1.0, 1.0, 0.25), -0.5);
    }
}
