//! Modulated effects: chorus and flanger (a delay line swept by a sine LFO)
//! and a phaser (six first-order all-pass stages swept in octaves).
//!
//! Audio thread, except constructors. The right channel's LFO runs a quarter
//! cycle ahead of the left for width.

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
        let &[rate, depth, delay, ref rest @ ..] = v else {
            return;
        };
        self.lfo.set_rate(rate, ctx.rate);
        self.depth = depth * 0.001 * ctx.rate;
        self.base = (delay * 0.001 * ctx.rate).max(1.0);
        self.feedback = match (self.mode, rest.first()) {
            (Mode::Flanger, Some(&feedback)) => feedback,
            _ => 0.0,
        };
    }

    fn process(&mut self, l: &mut [f32], r: &mut [f32]) {
        for (a, b) in l.iter_mut().zip(r.iter_mut()) {
            let sides = [a, b].into_iter().zip(self.lines.iter_mut());
            for (ch, (x, line)) in sides.enumerate() {
                let m = 0.5 + 0.5 * self.lfo.value(ch as f32 * QUARTER);
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
        let &[rate, depth, centre, feedback, ..] = v else {
            return;
        };
        self.lfo.set_rate(rate, ctx.rate);
        self.depth = depth;
        self.centre = centre;
        self.feedback = feedback;
        self.nyquist_pi = std::f32::consts::PI / ctx.rate;
    }

    fn process(&mut self, l: &mut [f32], r: &mut [f32]) {
        for (a, b) in l.iter_mut().zip(r.iter_mut()) {
            let sides = [a, b]
                .into_iter()
                .zip(self.z.iter_mut().zip(self.last.iter_mut()));
            for (ch, (x, (zs, last))) in sides.enumerate() {
                let f = self.centre * (self.depth * self.lfo.value(ch as f32 * QUARTER)).exp2();
                let t = (f * self.nyquist_pi).min(1.5).tan();
                let c = (t - 1.0) / (t + 1.0);
                let mut s = *x + self.feedback * *last;
                for z in zs.iter_mut() {
                    let y = c * s + *z;
                    *z = s - c * y;
                    s = y;
                }
                *last = s;
                *x = s;
            }
            self.lfo.advance();
        }
    }
}
