//! Dynamics: a stereo-linked RMS compressor with a soft knee, a look-ahead
//! limiter (the master limiter's algorithm) and a noise gate.
//!
//! Audio thread, except constructors.

use super::{coef, Ctx, Fx};
use crate::engine::dsp::db_gain as db;
use crate::engine::limiter::Limiter;

/// Gain change (dB, ≤ 0) the compressor's static curve asks for at `level` dB.
pub fn compressor_curve(level: f32, threshold: f32, ratio: f32, knee: f32) -> f32 {
    let over = level - threshold;
    let slope = 1.0 / ratio.max(1.0) - 1.0;
    if knee > 0.0 && 2.0 * over.abs() <= knee {
        slope * (over + knee / 2.0).powi(2) / (2.0 * knee)
    } else if over > 0.0 {
        slope * over
    } else {
        0.0
    }
}

/// Parameters: threshold (dB), ratio, attack (ms), release (ms), knee (dB),
/// makeup (dB). The detector is the mean square of both sides over 10 ms,
/// so a steady sine at RMS level L above the threshold T is turned down by
/// (L − T)(1 − 1/ratio) dB.
#[derive(Default)]
pub struct Compressor {
    threshold: f32,
    ratio: f32,
    knee: f32,
    makeup: f32,
    attack: f32,
    release: f32,
    detect: f32,
    ms: f32,
    env: f32,
    /// Deepest gain reduction since last read (dB, ≤ 0), for meters and tests.
    pub reduction: f32,
}

impl Fx for Compressor {
    fn set(&mut self, v: &[f32], ctx: &Ctx) {
        let &[threshold, ratio, attack, release, knee, makeup, ..] = v else {
            return;
        };
        self.threshold = threshold;
        self.ratio = ratio;
        self.attack = coef(attack, ctx.rate);
        self.release = coef(release, ctx.rate);
        self.knee = knee;
        self.makeup = makeup;
        self.detect = coef(10.0, ctx.rate);
    }

    fn process(&mut self, l: &mut [f32], r: &mut [f32]) {
        for (a, b) in l.iter_mut().zip(r.iter_mut()) {
            let p = 0.5 * (*a * *a + *b * *b);
            self.ms += (p - self.ms) * self.detect;
            let level = 10.0 * (self.ms + 1e-20).log10();
            let want = compressor_curve(level, self.threshold, self.ratio, self.knee);
            let k = if want < self.env {
                self.attack
            } else {
                self.release
            };
            self.env += (want - self.env) * k;
            self.reduction = self.reduction.min(self.env);
            let g = db(self.env + self.makeup);
            *a *= g;
            *b *= g;
        }
    }
}

/// Parameters: ceiling (dBFS), gain (dB, drive into the limiter). Look-ahead
/// 1.5 ms, release 80 ms; no sample leaves above the ceiling.
pub struct Limit {
    inner: Limiter,
    gain: f32,
}

impl Limit {
    pub fn new(ctx: &Ctx) -> Self {
        Self {
            inner: Limiter::new(1.0, ctx.rate),
            gain: 1.0,
        }
    }
}

impl Fx for Limit {
    fn set(&mut self, v: &[f32], _ctx: &Ctx) {
        let &[ceiling, gain, ..] = v else { return };
        self.inner.set_ceiling(db(ceiling));
        self.gain = db(gain);
    }

    fn process(&mut self, l: &mut [f32], r: &mut [f32]) {
        if self.gain != 1.0 {
            for x in l.iter_mut().chain(r.iter_mut()) {
                *x *= self.gain;
            }
        }
        self.inner.process(l, r);
    }
}

/// Parameters: threshold (dB), attack (ms), hold (ms), release (ms), range
/// (dB of attenuation while closed). Opens when the peak of either side
/// crosses the threshold; stays open for `hold` after it falls below.
#[derive(Default)]
pub struct Gate {
    threshold: f32,
    attack: f32,
    release: f32,
    hold: u32,
    floor: f32,
    env: f32,
    env_fall: f32,
    held: u32,
    gain: f32,
}

impl Fx for Gate {
    fn set(&mut self, v: &[f32], ctx: &Ctx) {
        let &[threshold, attack, hold, release, range, ..] = v else {
            return;
        };
        self.threshold = db(threshold);
        self.attack = coef(attack, ctx.rate);
        self.hold = (hold * 0.001 * ctx.rate) as u32;
        self.release = coef(release, ctx.rate);
        self.floor = db(range);
        self.env_fall = coef(5.0, ctx.rate);
    }

    fn process(&mut self, l: &mut [f32], r: &mut [f32]) {
        for (a, b) in l.iter_mut().zip(r.iter_mut()) {
            let peak = a.abs().max(b.abs());
            self.env = if peak > self.env {
                peak
            } else {
                self.env + (peak - self.env) * self.env_fall
            };
            if self.env >= self.threshold {
                self.held = self.hold;
            } else {
                self.held = self.held.saturating_sub(1);
            }
            let open = self.env >= self.threshold || self.held > 0;
            let (target, k) = if open {
                (1.0, self.attack)
            } else {
                (self.floor, self.release)
            };
            self.gain += (target - self.gain) * k;
            *a *= self.gain;
            *b *= self.gain;
        }
    }
}
