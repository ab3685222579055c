//! Distortion: soft clip (tanh), hard clip, waveshapers, and a bit crusher.
//!
//! Audio thread, except constructors. Stateless per sample apart from the
//! crusher's sample-and-hold.

use super::{Ctx, Fx};
use crate::engine::dsp::db_gain as db;

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Mode {
    /// Parameters: gain (dB). tanh, output trimmed so a full-scale input stays full scale.
    Soft,
    /// Parameters: gain (dB), ceiling (dBFS).
    Hard,
    /// Parameters: gain (dB), shape (fold, cubic, tube).
    Shaper,
}

pub struct Distort {
    mode: Mode,
    gain: f32,
    ceiling: f32,
    shape: usize,
    trim: f32,
}

impl Distort {
    pub fn new(mode: Mode) -> Self {
        Self {
            mode,
            gain: 1.0,
            ceiling: 1.0,
            shape: 0,
            trim: 1.0,
        }
    }
}

#[inline]
fn shape(kind: usize, u: f32) -> f32 {
    match kind {
        0 => (u * std::f32::consts::FRAC_PI_2).sin(),
        1 => {
            let z = u.clamp(-1.0, 1.0);
            1.5 * (z - z * z * z / 3.0)
        }
        _ => (u + 0.3).tanh() - 0.3f32.tanh(),
    }
}

impl Fx for Distort {
    fn set(&mut self, v: &[f32], _ctx: &Ctx) {
        let &[gain, ref rest @ ..] = v else { return };
        self.gain = db(gain);
        match (self.mode, rest.first()) {
            (Mode::Soft, _) => self.trim = 1.0 / self.gain.tanh().max(1e-3),
            (Mode::Hard, Some(&ceiling)) => self.ceiling = db(ceiling),
            (Mode::Shaper, Some(&shape)) => {
                self.shape = shape as usize;
                self.trim = 1.0;
            }
            (Mode::Hard | Mode::Shaper, None) => {}
        }
    }

    fn process(&mut self, l: &mut [f32], r: &mut [f32]) {
        let (g, c, t, k) = (self.gain, self.ceiling, self.trim, self.shape);
        let f = |x: f32| match self.mode {
            Mode::Soft => (x * g).tanh() * t,
            Mode::Hard => (x * g).clamp(-c, c),
            Mode::Shaper => shape(k, x * g),
        };
        for x in l.iter_mut().chain(r.iter_mut()) {
            *x = f(*x);
        }
    }
}

/// Bit depth reduction and sample-rate reduction (sample and hold).
/// Parameters: bits, downsample (hold factor).
#[derive(Default)]
pub struct Crush {
    step: f32,
    hold: f32,
    phase: f32,
    held: [f32; 2],
}

impl Fx for Crush {
    fn set(&mut self, v: &[f32], _ctx: &Ctx) {
        let &[bits, downsample, ..] = v else { return };
        self.step = 2.0 / 2f32.powf(bits);
        self.hold = downsample.max(1.0);
    }

    fn process(&mut self, l: &mut [f32], r: &mut [f32]) {
        let q = |x: f32, s: f32| (x / s).round() * s;
        for (a, b) in l.iter_mut().zip(r.iter_mut()) {
            self.phase += 1.0;
            if self.phase >= self.hold {
                self.phase -= self.hold;
                self.held = [q(*a, self.step), q(*b, self.step)];
            }
            *a = self.held[0];
            *b = self.held[1];
        }
    }
}
