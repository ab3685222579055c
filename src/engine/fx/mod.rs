//! The effect processors behind [`super::effect`]: one small module per
//! family (delay, filters, distortion, modulation, dynamics, EQ, stereo,
//! reverb), each a type implementing [`Fx`].
//!
//! Constructors (`build`, every `new`) run on the control thread and allocate
//! every buffer an effect will need. [`Fx::set`] and [`Fx::process`] run on
//! the audio thread and never allocate, lock, block or panic. An effect's
//! `process` writes its fully wet signal; dry/wet and bypass are applied
//! around it by [`super::effect::Stage`].

pub mod delay;
pub mod distort;
pub mod dynamics;
pub mod eq;
pub mod filter;
pub mod modulation;
pub mod reverb;
pub mod stereo;

use crate::kinds::effect::EffectKind;

/// What an effect needs to know besides its parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ctx {
    /// Sample rate, Hz.
    pub rate: f32,
    /// Session tempo (quarter-note beats per minute), for tempo-synced times.
    pub bpm: f32,
}

/// One effect's DSP. Audio thread, except construction.
pub trait Fx: Send {
    /// Take parameter values (in the kind's table order, already smoothed).
    /// Audio thread: recompute coefficients only; never allocate.
    fn set(&mut self, v: &[f32], ctx: &Ctx);
    /// Process a block (at most [`super::MAX_BLOCK`] frames) in place,
    /// leaving the fully wet signal.
    fn process(&mut self, l: &mut [f32], r: &mut [f32]);
}

/// Control thread: the processor for `kind`, set to `v`.
pub fn build(kind: EffectKind, v: &[f32], ctx: &Ctx) -> Box<dyn Fx> {
    use EffectKind as K;
    let mut fx: Box<dyn Fx> = match kind {
        K::Reverb => Box::new(reverb::Reverb::new(v, ctx)),
        K::Delay => Box::new(delay::Delay::new(ctx)),
        K::Lowpass => Box::new(filter::Filter::new(filter::Mode::Lowpass)),
        K::Highpass => Box::new(filter::Filter::new(filter::Mode::Highpass)),
        K::Bandpass => Box::new(filter::Filter::new(filter::Mode::Bandpass)),
        K::Notch => Box::new(filter::Filter::new(filter::Mode::Notch)),
        K::Comb => Box::new(filter::Comb::new(ctx)),
        K::Drive => Box::new(distort::Distort::new(distort::Mode::Soft)),
        K::Clip => Box::new(distort::Distort::new(distort::Mode::Hard)),
        K::Shaper => Box::new(distort::Distort::new(distort::Mode::Shaper)),
        K::Crush => Box::new(distort::Crush::default()),
        K::Chorus => Box::new(modulation::ModDelay::new(modulation::Mode::Chorus, ctx)),
        K::Flanger => Box::new(modulation::ModDelay::new(modulation::Mode::Flanger, ctx)),
        K::Phaser => Box::new(modulation::Phaser::default()),
        K::AutoPan => Box::new(stereo::AutoPan::default()),
        K::Width => Box::new(stereo::Width::default()),
        K::Compressor => Box::new(dynamics::Compressor::default()),
        K::Limiter => Box::new(dynamics::Limit::new(ctx)),
        K::Gate => Box::new(dynamics::Gate::default()),
        K::Eq3 => Box::new(eq::Eq::new(eq::Layout::ThreeBand)),
        K::Eq => Box::new(eq::Eq::new(eq::Layout::Parametric)),
    };
    fx.set(v, ctx);
    fx
}

/// A mono delay line with fractional (linear-interpolated) reads.
/// Audio thread, except `new`.
pub struct DelayLine {
    buf: Box<[f32]>,
    pos: usize,
}

impl DelayLine {
    /// Control thread: room for `max` samples of delay.
    pub fn new(max: usize) -> Self {
        Self {
            buf: vec![0.0; max.max(4) + 2].into_boxed_slice(),
            pos: 0,
        }
    }

    /// Longest delay this line can read, in samples.
    pub fn capacity(&self) -> f32 {
        (self.buf.len() - 2) as f32
    }

    /// The sample written `d` samples ago (1 ≤ d ≤ capacity), interpolated.
    #[inline]
    pub fn read(&self, d: f32) -> f32 {
        let d = d.clamp(1.0, self.capacity());
        let len = self.buf.len();
        let whole = d as usize;
        let frac = d - whole as f32;
        // Both indexes are reduced mod `len`, so the fallbacks are never taken.
        let (ia, ib) = (
            (self.pos + len - whole) % len,
            (self.pos + len - whole - 1) % len,
        );
        let a = self.buf.get(ia).copied().unwrap_or(0.0);
        let b = self.buf.get(ib).copied().unwrap_or(0.0);
        a + (b - a) * frac
    }

    #[inline]
    pub fn write(&mut self, x: f32) {
        // `pos` stays below `len` (it wraps to 0 on reaching it).
        if let Some(slot) = self.buf.get_mut(self.pos) {
            *slot = x;
        }
        self.pos += 1;
        if self.pos == self.buf.len() {
            self.pos = 0;
        }
    }
}

/// A sine LFO. `next` returns sin(phase) and advances.
#[derive(Debug, Clone, Copy, Default)]
pub struct Lfo {
    pub phase: f32,
    pub inc: f32,
}

impl Lfo {
    pub fn set_rate(&mut self, hz: f32, rate: f32) {
        self.inc = std::f32::consts::TAU * hz / rate;
    }

    /// The LFO value `offset` radians ahead of the current phase.
    #[inline]
    pub fn value(&self, offset: f32) -> f32 {
        (self.phase + offset).sin()
    }

    #[inline]
    pub fn advance(&mut self) {
        self.phase += self.inc;
        if self.phase > std::f32::consts::TAU {
            self.phase -= std::f32::consts::TAU;
        }
    }
}

/// One-pole smoothing coefficient for a time constant of `ms` milliseconds.
pub fn coef(ms: f32, rate: f32) -> f32 {
    1.0 - (-1.0 / (ms.max(0.01) * 0.001 * rate)).exp()
}
