//! Filters: RBJ-cookbook biquads (low-pass, high-pass, band-pass, notch, and
//! the peaking and shelving shapes the EQs use) and a feedback comb.
//!
//! Audio thread, except constructors. Biquads run in f64 transposed direct
//! form II so low cutoffs stay stable and quiet.

use super::{Ctx, DelayLine, Fx};

/// A biquad's response shape.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Shape {
    Lowpass,
    Highpass,
    /// Constant 0 dB peak gain at the centre.
    Bandpass,
    Notch,
    /// Peaking bell with this gain in dB.
    Peak(f32),
    LowShelf(f32),
    HighShelf(f32),
}

#[derive(Debug, Clone, Copy, Default)]
pub struct Biquad {
    b0: f64,
    b1: f64,
    b2: f64,
    a1: f64,
    a2: f64,
    z1: f64,
    z2: f64,
}

impl Biquad {
    /// Set the coefficients for `shape` at `freq` Hz with quality `q`
    /// (state is kept, so a gliding cutoff does not click).
    pub fn set(&mut self, shape: Shape, freq: f32, q: f32, rate: f32) {
        let f = (freq as f64).clamp(1.0, rate as f64 * 0.49);
        let w0 = std::f64::consts::TAU * f / rate as f64;
        let (s, c) = w0.sin_cos();
        let alpha = s / (2.0 * (q as f64).max(0.01));
        let gain = |g: f32| 10f64.powf(g as f64 / 40.0);
        let (b0, b1, b2, a0, a1, a2) = match shape {
            Shape::Lowpass => (
                (1.0 - c) / 2.0,
                1.0 - c,
                (1.0 - c) / 2.0,
                1.0 + alpha,
                -2.0 * c,
                1.0 - alpha,
            ),
            Shape::Highpass => (
                (1.0 + c) / 2.0,
                -(1.0 + c),
                (1.0 + c) / 2.0,
                1.0 + alpha,
                -2.0 * c,
                1.0 - alpha,
            ),
            Shape::Bandpass => (alpha, 0.0, -alpha, 1.0 + alpha, -2.0 * c, 1.0 - alpha),
            Shape::Notch => (1.0, -2.0 * c, 1.0, 1.0 + alpha, -2.0 * c, 1.0 - alpha),
            Shape::Peak(g) => {
                let a = gain(g);
                (
                    1.0 + alpha * a,
                    -2.0 * c,
                    1.0 - alpha * a,
                    1.0 + alpha / a,
                    -2.0 * c,
                    1.0 - alpha / a,
                )
            }
            Shape::LowShelf(g) => {
                let a = gain(g);
                let sq = 2.0 * a.sqrt() * alpha;
                (
                    a * ((a + 1.0) - (a - 1.0) * c + sq),
                    2.0 * a * ((a - 1.0) - (a + 1.0) * c),
                    a * ((a + 1.0) - (a - 1.0) * c - sq),
                    (a + 1.0) + (a - 1.0) * c + sq,
                    -2.0 * ((a - 1.0) + (a + 1.0) * c),
                    (a + 1.0) + (a - 1.0) * c - sq,
                )
            }
            Shape::HighShelf(g) => {
                let a = gain(g);
                let sq = 2.0 * a.sqrt() * alpha;
                (
                    a * ((a + 1.0) + (a - 1.0) * c + sq),
                    -2.0 * a * ((a - 1.0) + (a + 1.0) * c),
                    a * ((a + 1.0) + (a - 1.0) * c - sq),
                    (a + 1.0) - (a - 1.0) * c + sq,
                    2.0 * ((a - 1.0) - (a + 1.0) * c),
                    (a + 1.0) - (a - 1.0) * c - sq,
                )
            }
        };
        self.b0 = b0 / a0;
        self.b1 = b1 / a0;
        self.b2 = b2 / a0;
        self.a1 = a1 / a0;
        self.a2 = a2 / a0;
    }

    #[inline]
    pub fn tick(&mut self, x: f32) -> f32 {
        let x = x as f64;
        let y = self.b0 * x + self.z1;
        self.z1 = self.b1 * x - self.a1 * y + self.z2;
        self.z2 = self.b2 * x - self.a2 * y;
        // Flush denormals in the state.
        if self.z1.abs() < 1e-30 {
            self.z1 = 0.0;
        }
        if self.z2.abs() < 1e-30 {
            self.z2 = 0.0;
        }
        y as f32
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Mode {
    Lowpass,
    Highpass,
    Bandpass,
    Notch,
}

/// A stereo 2-pole filter. Parameters: cutoff (Hz), q.
pub struct Filter {
    mode: Mode,
    l: Biquad,
    r: Biquad,
}

impl Filter {
    pub fn new(mode: Mode) -> Self {
        Self {
            mode,
            l: Biquad::default(),
            r: Biquad::default(),
        }
    }
}

impl Fx for Filter {
    fn set(&mut self, v: &[f32], ctx: &Ctx) {
        let shape = match self.mode {
            Mode::Lowpass => Shape::Lowpass,
            Mode::Highpass => Shape::Highpass,
            Mode::Bandpass => Shape::Bandpass,
            Mode::Notch => Shape::Notch,
        };
        let &[freq, q, ..] = v else { return };
        self.l.set(shape, freq, q, ctx.rate);
        self.r.set(shape, freq, q, ctx.rate);
    }

    fn process(&mut self, l: &mut [f32], r: &mut [f32]) {
        for x in l.iter_mut() {
            *x = self.l.tick(*x);
        }
        for x in r.iter_mut() {
            *x = self.r.tick(*x);
        }
    }
}

/// Feedback comb: y[n] = x[n] + feedback · lowpass(y[n − rate/freq]).
/// Parameters: freq (Hz), feedback, damping.
pub struct Comb {
    l: DelayLine,
    r: DelayLine,
    period: f32,
    feedback: f32,
    damp: f32,
    lp: [f32; 2],
}

impl Comb {
    pub fn new(ctx: &Ctx) -> Self {
        let max = (ctx.rate / 20.0) as usize + 2;
        Self {
            l: DelayLine::new(max),
            r: DelayLine::new(max),
            period: 1.0,
            feedback: 0.0,
            damp: 0.0,
            lp: [0.0; 2],
        }
    }
}

impl Fx for Comb {
    fn set(&mut self, v: &[f32], ctx: &Ctx) {
        let &[freq, feedback, damp, ..] = v else {
            return;
        };
        self.period = ctx.rate / freq.max(1.0);
        self.feedback = feedback;
        self.damp = damp.clamp(0.0, 0.99);
    }

    fn process(&mut self, l: &mut [f32], r: &mut [f32]) {
        let sides = [(&mut self.l, l), (&mut self.r, r)];
        for ((line, buf), lp) in sides.into_iter().zip(self.lp.iter_mut()) {
            for x in buf.iter_mut() {
                let back = line.read(self.period);
                *lp = back + (*lp - back) * self.damp;
                let y = *x + self.feedback * *lp;
                line.write(y);
                *x = y;
            }
        }
    }
}
