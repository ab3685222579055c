//! Equalisers built from RBJ biquads: a three-band EQ (low shelf, mid bell,
//! high shelf) and a three-band parametric EQ (three bells).
//!
//! Audio thread, except constructors.

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
                let &[low, mid_gain, high, low_freq, high_freq, ..] = v else {
                    return;
                };
                let mid = (low_freq * high_freq).sqrt();
                [
                    (
                        Shape::LowShelf(low),
                        low_freq,
                        std::f32::consts::FRAC_1_SQRT_2,
                    ),
                    (Shape::Peak(mid_gain), mid, 0.7),
                    (
                        Shape::HighShelf(high),
                        high_freq,
                        std::f32::consts::FRAC_1_SQRT_2,
                    ),
                ]
            }
            Layout::Parametric => {
                let &[f1, g1, q1, f2, g2, q2, f3, g3, q3, ..] = v else {
                    return;
                };
                [
                    (Shape::Peak(g1), f1, q1),
                    (Shape::Peak(g2), f2, q2),
                    (Shape::Peak(g3), f3, q3),
                ]
            }
        };
        for ch in &mut self.bands {
            for (band, &(shape, f, q)) in ch.iter_mut().zip(&shapes) {
                band.set(shape, f, q, ctx.rate);
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
