//! The offline operations themselves, each a pure function on planar
//! stereo buffers: speed change, reverse, fades, echo, loudness
//! normalisation.
//!
//! Control side only (allocates freely; never on the audio thread). Echo
//! and the normaliser's safety limiter reuse the engine's effect chain,
//! run here offline on the calling thread.

use crate::analysis::{loudness, peak};
use crate::engine::effect::EffectChain;
use crate::kinds::EffectKind;
use crate::sample::resample;

/// Planar stereo audio at a rate.
#[derive(Debug, Clone, PartialEq)]
pub struct Buffer {
    pub left: Vec<f32>,
    pub right: Vec<f32>,
    pub rate: f32,
}

impl Buffer {
    pub fn len(&self) -> usize {
        self.left.len().min(self.right.len())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn each(&mut self, mut f: impl FnMut(&mut [f32])) {
        f(&mut self.left);
        f(&mut self.right);
    }
}

/// Play `speed` times faster (and higher, like tape): the length divides by `speed`.
pub fn speed(b: &mut Buffer, speed: f64) {
    if (speed - 1.0).abs() < 1e-12 || speed <= 0.0 {
        return;
    }
    let from = b.rate as f64 * speed;
    let to = b.rate as f64;
    b.left = resample(&b.left, from, to);
    b.right = resample(&b.right, from, to);
}

pub fn reverse(b: &mut Buffer) {
    b.each(|x| x.reverse());
}

/// Linear fade-in over `secs` from the start.
pub fn fade_in(b: &mut Buffer, secs: f64) {
    let n = ((secs * b.rate as f64) as usize).min(b.len());
    b.each(|x| {
        for (i, v) in x.iter_mut().take(n).enumerate() {
            *v *= i as f32 / n as f32;
        }
    });
}

/// Linear fade-out over the last `secs`, reaching silence on the last sample.
pub fn fade_out(b: &mut Buffer, secs: f64) {
    let len = b.len();
    let n = ((secs * b.rate as f64) as usize).min(len);
    b.each(|x| {
        for i in 0..n {
            let at = len - n + i;
            x[at] *= (n - 1 - i) as f32 / n.max(1) as f32;
        }
    });
}

/// Echo presets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Echo {
    Light,
    Medium,
    Heavy,
}

impl Echo {
    pub const NAMES: &'static [&'static str] = &["light", "medium", "heavy"];

    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "light" => Some(Self::Light),
            "medium" => Some(Self::Medium),
            "heavy" => Some(Self::Heavy),
            _ => None,
        }
    }

    /// (time s, feedback, mix, ping-pong).
    pub fn settings(self) -> (f32, f32, f32, bool) {
        match self {
            Self::Light => (0.25, 0.25, 0.2, false),
            Self::Medium => (0.33, 0.4, 0.3, false),
            Self::Heavy => (0.375, 0.6, 0.4, true),
        }
    }
}

/// Add an echo, extending the audio until the repeats fall below −60 dB
/// (at most 10 s more).
pub fn echo(b: &mut Buffer, e: Echo) {
    let (time, fb, mix, pingpong) = e.settings();
    let repeats = (0.001f32.ln() / fb.ln()).ceil();
    let tail = ((repeats * time).min(10.0) * b.rate) as usize;
    let len = b.len() + tail;
    b.left.resize(len, 0.0);
    b.right.resize(len, 0.0);
    let k = EffectKind::Delay;
    let mut v: Vec<f32> = k.params().iter().map(|p| p.default).collect();
    v[0] = time;
    v[1] = fb;
    v[3] = if pingpong { 1.0 } else { 0.0 };
    v[4] = mix;
    let mut chain = EffectChain::new(&[k.spec(&v)], b.rate);
    chain.process(&mut b.left, &mut b.right);
}

/// What normalising did.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Normalized {
    pub before_lufs: f64,
    pub gain_db: f64,
    /// True peak after the gain, before any limiting, dBTP.
    pub true_peak_dbtp: f64,
    pub limited: bool,
}

/// Gain to `target` LUFS integrated. If that pushes the true peak over
/// `tp_limit` dBTP, a look-ahead limiter holds the samples 0.5 dB under it,
/// and the gain is corrected (up to five times) for what the limiter took.
pub fn normalize(b: &mut Buffer, target: f64, tp_limit: f64) -> Option<Normalized> {
    let before = loudness::measure(&b.left, &b.right, b.rate as f64).integrated;
    if !before.is_finite() {
        return None;
    }
    let original = b.clone();
    let mut gain_db = target - before;
    let mut first_tp = None;
    let mut limited = false;
    for _ in 0..6 {
        *b = original.clone();
        let g = 10f32.powf(gain_db as f32 / 20.0);
        b.each(|x| x.iter_mut().for_each(|v| *v *= g));
        let tp = peak::to_db(peak::true_peak(&b.left).max(peak::true_peak(&b.right)) as f64);
        first_tp.get_or_insert(tp);
        if tp <= tp_limit {
            break;
        }
        limited = true;
        limit(b, (tp_limit - 0.5) as f32);
        let now = loudness::measure(&b.left, &b.right, b.rate as f64).integrated;
        if (target - now).abs() < 0.05 || !now.is_finite() {
            break;
        }
        gain_db += target - now;
    }
    Some(Normalized {
        before_lufs: before,
        gain_db,
        true_peak_dbtp: first_tp.unwrap_or(f64::NEG_INFINITY),
        limited,
    })
}

/// Run the look-ahead limiter at `ceiling_db` over the whole buffer, latency removed.
fn limit(b: &mut Buffer, ceiling_db: f32) {
    let k = EffectKind::Limiter;
    let mut v: Vec<f32> = k.params().iter().map(|p| p.default).collect();
    v[0] = ceiling_db;
    let mut chain = EffectChain::new(&[k.spec(&v)], b.rate);
    let lat = (0.0015 * b.rate) as usize;
    b.left.extend(std::iter::repeat_n(0.0, lat));
    b.right.extend(std::iter::repeat_n(0.0, lat));
    chain.process(&mut b.left, &mut b.right);
    b.left.drain(..lat);
    b.right.drain(..lat);
}
