//! Stereo image: mid/side width and an LFO auto-panner.
//!
//! Audio thread, except constructors.

use super::{Ctx, Fx, Lfo};

/// Parameters: width (0 mono, 1 unchanged, 2 twice the side signal).
#[derive(Default)]
pub struct Width {
    width: f32,
}

impl Fx for Width {
    fn set(&mut self, v: &[f32], _ctx: &Ctx) {
        let Some(&width) = v.first() else { return };
        self.width = width;
    }

    fn process(&mut self, l: &mut [f32], r: &mut [f32]) {
        for (a, b) in l.iter_mut().zip(r.iter_mut()) {
            let m = 0.5 * (*a + *b);
            let s = 0.5 * (*a - *b) * self.width;
            *a = m + s;
            *b = m - s;
        }
    }
}

/// Parameters: rate (Hz), depth (0..1). Equal-power balance swept by a sine;
/// at the centre both sides pass at unity.
#[derive(Default)]
pub struct AutoPan {
    lfo: Lfo,
    depth: f32,
}

impl Fx for AutoPan {
    fn set(&mut self, v: &[f32], ctx: &Ctx) {
        let &[rate, depth, ..] = v else { return };
        self.lfo.set_rate(rate, ctx.rate);
        self.depth = depth;
    }

    fn process(&mut self, l: &mut [f32], r: &mut [f32]) {
        use std::f32::consts::{FRAC_PI_4, SQRT_2};
        for (a, b) in l.iter_mut().zip(r.iter_mut()) {
            let p = self.depth * self.lfo.value(0.0);
            let (s, c) = ((p + 1.0) * FRAC_PI_4).sin_cos();
            *a *= c * SQRT_2;
            *b *= s * SQRT_2;
            self.lfo.advance();
        }
    }
}
