//! Equalisers built from RBJ biquads: a three-band EQ (low shelf, mid bell,
//! high shelf) and a three-band parametric EQ (three bells).
//!
//! Audio thread, except constructors.

// Not yet converted to checked access (17 sites): buffers are sized to
// MAX_BLOCK at construction and blocks are clamped to it. See engine/mod.rs.
#![allow(clippy::indexing_slicing)]

use super::filter::{Biquad, Shape};
use super::{Ctx, Fx};

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Layout {
    /// Parameters: low, mid, high (dB), low_freq, high_freq (Hz). The mid
    /// bell sits at the geometric mean of the two corner frequencies.
    ThreeBand,
    /// Parameters: freq, gain, q for each of three bells.
    Parametric,
}

pub struct Eq {
    layout: Layout,
    bands: [[Biquad; 3]; 2],
}

impl Eq {
    pub fn new(layout: Layout) -> Self {
        Self {
            layout,
            bands: Default::default(),
        }
    }
}

impl Fx for Eq {
    fn set(&mut self, v: &[f32], ctx: &Ctx) {
        let shapes = match self.layout {
            Layout::ThreeBand => {
                let mid = (v[3] * v[4]).sqrt();
                [
                    (Shape::LowShelf(v[0]), v[3], std::f32::consts::FRAC_1_SQRT_2),
                    (Shape::Peak(v[1]), mid, 0.7),
                    (
                        Shape::HighShelf(v[2]),
                        v[4],
                        std::f32::consts::FRAC_1_SQRT_2,
                    ),
                ]
            }
            Layout::Parametric => [
                (Shape::Peak(v[1]), v[0], v[2]),
                (Shape::Peak(v[4]), v[3], v[5]),
                (Shape::Peak(v[7]), v[6], v[8]),
            ],
        };
        for (i, (shape, f, q)) in shapes.into_iter().enumerate() {
            for ch in &mut self.bands {
                ch[i].set(shape, f, q, ctx.rate);
            }
        }
    }

    fn process(&mut self, l: &mut [f32], r: &mut [f32]) {
        for (ch, buf) in self.bands.iter_mut().zip([l, r]) {
            for band in ch.iter_mut() {
                for x in buf.iter_mut() {
                    *x = band.tick(*x);
                }
            }
        }
    }
}
