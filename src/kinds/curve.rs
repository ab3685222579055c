//! How a position from 0 to 1 maps onto a range: the curve of a MIDI
//! mapping and of a macro's target. The engine reads it too, when an
//! automation lane on a macro moves the macro's targets.
//!
//! Pure and allocation-free; any thread.

use serde::{Deserialize, Serialize};

/// How a position maps onto `lo..hi`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Curve {
    #[default]
    Linear,
    /// Equal steps in ratio (for frequencies and times): min·(max/min)^x.
    Exp,
    /// Fast at first, then slower: the square root of the position.
    Log,
}

impl Curve {
    /// The value a position `x` (0..1) along the curve from `lo` to `hi`.
    pub fn at(self, x: f64, lo: f64, hi: f64) -> f64 {
        let x = x.clamp(0.0, 1.0);
        match self {
            Curve::Linear => lo + (hi - lo) * x,
            Curve::Exp if lo > 0.0 && hi > 0.0 => lo * (hi / lo).powf(x),
            Curve::Exp => lo + (hi - lo) * x * x,
            Curve::Log => lo + (hi - lo) * x.sqrt(),
        }
    }
}
