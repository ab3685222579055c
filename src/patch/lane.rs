//! Automation lanes in the session file: `Lane(action: "set_volume", args:
//! ["pad"], points: [(1, -30), (5, 0, Exp)])`, a breakpoint curve that moves
//! the last argument of an action of the action table over the song.
//!
//! Control thread only; the shape in the file and its structural checks.
//! Whether the named action exists, takes those arguments and reaches a
//! value the engine can glide is the session's check
//! (`session::automation`), so this module does not depend on the action
//! table.

use serde::de::{self, SeqAccess, Visitor};
use serde::ser::SerializeTuple;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::cc::{CcArg, CcTarget};

/// Lanes one session (or one section) may hold.
pub const MAX_LANES: usize = 64;
/// Breakpoints one lane may hold.
pub const MAX_POINTS: usize = 1024;

/// How the value travels from one breakpoint to the next.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Shape {
    /// Holds the point's value until the next point.
    Step,
    /// A straight line (in the value's own unit: dB for levels).
    #[default]
    Linear,
    /// Equal ratios in equal times (for frequencies); linear where a value
    /// is zero or the two have opposite signs.
    Exp,
    /// An S-curve: eases out of one point and into the next.
    Smooth,
}

/// One breakpoint: where (in bars counted from 1, fractions allowed), the
/// value there, and the shape towards the next point (the lane's otherwise).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    pub bar: f64,
    pub value: f64,
    pub shape: Option<Shape>,
}

/// One automation lane.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename = "Lane", deny_unknown_fields)]
pub struct Lane {
    /// The action whose last argument the lane moves (`set_volume`,
    /// `set_param`, `set_effect_param`, `set_send`, `set_tempo`, …).
    pub action: String,
    /// Every argument of the action but the last.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<CcArg>,
    /// Breakpoints, in order of position.
    pub points: Vec<Point>,
    /// The shape between points that name none.
    #[serde(default, skip_serializing_if = "is_linear")]
    pub shape: Shape,
}

fn is_linear(s: &Shape) -> bool {
    *s == Shape::Linear
}

impl Lane {
    /// The action and fixed arguments, as a controller mapping names them.
    pub fn target(&self) -> CcTarget {
        CcTarget {
            action: self.action.clone(),
            args: self.args.clone(),
        }
    }

    /// Whether `other` moves the same thing (the lane it replaces).
    pub fn same_target(&self, other: &Lane) -> bool {
        self.action == other.action && self.args == other.args
    }

    /// `set_volume pad`: how the lane reads in messages.
    pub fn describe(&self) -> String {
        let mut s = self.action.clone();
        for a in &self.args {
            s.push(' ');
            match a {
                CcArg::Text(t) => s.push_str(t),
                CcArg::Number(n) => s.push_str(&n.to_string()),
                CcArg::Bool(b) => s.push_str(&b.to_string()),
            }
        }
        s
    }

    /// Structural checks: points in order, from bar 1, finite, bounded.
    /// `bars` bounds the positions of a section's lane (its length).
    pub fn check(&self, bars: Option<u32>) -> Result<(), String> {
        let name = self.describe();
        if self.points.is_empty() {
            return Err(format!("automation of {name}: give at least one point"));
        }
        if self.points.len() > MAX_POINTS {
            return Err(format!(
                "automation of {name}: at most {MAX_POINTS} points, found {}",
                self.points.len()
            ));
        }
        let mut last = 1.0;
        for p in &self.points {
            if !p.bar.is_finite() || !p.value.is_finite() {
                return Err(format!("automation of {name}: points must be numbers"));
            }
            if p.bar < 1.0 {
                return Err(format!(
                    "automation of {name}: bars count from 1, found point at bar {}",
                    p.bar
                ));
            }
            if let Some(b) = bars.filter(|b| p.bar > (*b + 1) as f64) {
                return Err(format!(
                    "automation of {name}: the section has {b} bars, found a point at bar {}",
                    p.bar
                ));
            }
            if p.bar < last {
                return Err(format!(
                    "automation of {name}: points must be in order of bar, found bar {} after bar {last}",
                    p.bar
                ));
            }
            last = p.bar;
        }
        Ok(())
    }
}

/// Checks of a list of lanes: each one, and no two moving the same thing.
pub fn check_lanes(lanes: &[Lane], bars: Option<u32>) -> Result<(), String> {
    if lanes.len() > MAX_LANES {
        return Err(format!(
            "at most {MAX_LANES} automation lanes, found {}",
            lanes.len()
        ));
    }
    for (i, l) in lanes.iter().enumerate() {
        l.check(bars)?;
        if lanes[..i].iter().any(|o| o.same_target(l)) {
            return Err(format!(
                "two automation lanes move {}; merge their points into one",
                l.describe()
            ));
        }
    }
    Ok(())
}

// A point is written `(bar, value)` or `(bar, value, Shape)`.
impl Serialize for Point {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let n = if self.shape.is_some() { 3 } else { 2 };
        let mut t = s.serialize_tuple(n)?;
        t.serialize_element(&self.bar)?;
        t.serialize_element(&self.value)?;
        if let Some(shape) = &self.shape {
            t.serialize_element(shape)?;
        }
        t.end()
    }
}

impl<'de> Deserialize<'de> for Point {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Point;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a point (bar, value) or (bar, value, Step|Linear|Exp|Smooth)")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Point, A::Error> {
                let bar = seq
                    .next_element()?
                    .ok_or_else(|| de::Error::invalid_length(0, &self))?;
                let value = seq
                    .next_element()?
                    .ok_or_else(|| de::Error::invalid_length(1, &self))?;
                let shape = seq.next_element()?;
                if seq.next_element::<de::IgnoredAny>()?.is_some() {
                    return Err(de::Error::invalid_length(4, &self));
                }
                Ok(Point { bar, value, shape })
            }
        }
        d.deserialize_tuple(3, V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lane(text: &str) -> Result<Lane, ron::error::SpannedError> {
        ron::from_str(text)
    }

    #[test]
    fn points_read_with_and_without_a_shape_and_write_back_the_same() {
        let l =
            lane(r#"Lane(action: "set_volume", args: ["pad"], points: [(1, -30), (5, 0, Exp)])"#)
                .unwrap();
        assert_eq!(l.points[0].shape, None);
        assert_eq!(l.points[1].shape, Some(Shape::Exp));
        let text = ron::to_string(&l).unwrap();
        assert_eq!(lane(&text).unwrap(), l);
        assert!(text.contains("(5.0,0.0,Exp)"), "{text}");
    }

    #[test]
    fn points_out_of_order_or_before_bar_1_are_refused() {
        let l = lane(r#"Lane(action: "set_tempo", points: [(3, 120), (2, 130)])"#).unwrap();
        assert!(l.check(None).unwrap_err().contains("in order"));
        let l = lane(r#"Lane(action: "set_tempo", points: [(0.5, 120)])"#).unwrap();
        assert!(l.check(None).unwrap_err().contains("count from 1"));
        let l = lane(r#"Lane(action: "set_tempo", points: [(9, 120)])"#).unwrap();
        assert!(l.check(Some(4)).unwrap_err().contains("4 bars"));
        assert!(l.check(Some(8)).is_ok());
    }
}
