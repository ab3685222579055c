//! Modulated effects: chorus and flanger (a delay line swept by a sine LFO)
//! and a phaser (six first-order all-pass stages swept in octaves).
//!
//! Audio thread, except constructors. The right channel's LFO runs a quarter
//! cycle ahead of the left for width.

// Not yet converted to checked access (12 sites): buffers are sized to
// MAX_BLOCK at construction and blocks are clamped to it. See engine/mod.rs.
#![allow(clippy::indexing_slicing)]

use super::{Ctx, DelayLine, Fx, Lfo};

const QUARTER: f32 = std::f32::consts::FRAC_PI_2;

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Mode {
    /// Parameters: rate (Hz), depth (ms), delay (ms).
    Chorus,
    /// Parameters: rate (Hz), depth (ms), delay (ms), feedback.
    Flanger,
}

pub struct ModDelay {
    mode: Mode,
    lines: [DelayLine; 2],
    lfo: Lfo,
    base: f32,
    depth: f32,
    feedback: f32,
}

impl ModDelay {
    pub fn new(mode: Mode, ctx: &Ctx) -> Self {
        // Longest sweep: 50 ms delay + 20 ms depth.
        let max = (0.075 * ctx.rate) as usize;
        Self {
            mode,
            lines: [DelayLine::new(max), DelayLine::new(max)],
            lfo: Lfo::default(),
            base: 1.0,
            depth: 0.0,
            feedback: 0.0,
        }
    }
}

impl Fx for ModDelay {
    fn set(&mut self, v: &[f32], ctx: &Ctx) {
        self.lfo.set_rate(v[0], ctx.rate);
        self.depth = v[1] * 0.001 * ctx.rate;
        self.base = (v[2] * 0.001 * ctx.rate).max(1.0);
        self.feedback = if self.mode == Mode::Flanger {
            v[3]
        } else {
            0.0
        };
    }

    fn process(&mut self, l: &mut [f32], r: &mut [f32]) {
        for (a, b) in l.iter_mut().zip(r.iter_mut()) {
            for (ch, x) in [a, b].into_iter().enumerate() {
                let m = 0.5 + 0.5 * self.lfo.value(ch as f32 * QUARTER);
                let line = &mut self.lines[ch];
                let y = line.read(self.base + self.depth * m);
                line.write(*x + self.feedback * y);
                *x = y;
            }
            self.lfo.advance();
        }
    }
}

const STAGES: usize = 6;

/// Parameters: rate (Hz), depth (octaves), centre (Hz), feedback.
#[derive(Default)]
pub struct Phaser {
    lfo: Lfo,
    depth: f32,
    centre: f32,
    feedback: f32,
    nyquist_pi: f32,
    z: [[f32; STAGES]; 2],
    last: [f32; 2],
}

impl Fx for Phaser {
    fn set(&mut self, v: &[f32], ctx: &Ctx) {
        self.lfo.set_rate(v[0], ctx.rate);
        self.depth = v[1];
        self.centre = v[2];
        self.feedback = v[3];
        self.nyquist_pi = std::f32::consts::PI / ctx.rate;
    }

    fn process(&mut self, l: &mut [f32], r: &mut [f32]) {
        for (a, b) in l.iter_mut().zip(r.iter_mut()) {
            for (ch, x) in [a, b].into_iter().enumerate() {
                let f = self.centre * (self.depth * self.lfo.value(ch as f32 * QUARTER)).exp2();
                let t = (f * self.nyquist_pi).min(1.5).tan();
                let c = (t - 1.0) / (t + 1.0);
                let mut s = *x + self.feedback * self.last[ch];
                for z in self.z[ch].iter_mut() {
                    let y = c * s + *z;
                    *z = s - c * y;
                    s = y;
                }
                self.last[ch] = s;
                *x = s;
            }
            self.lfo.advance();
        }
    }
}
