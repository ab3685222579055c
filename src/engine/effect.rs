//! Effect chains: the stereo chains tracks, buses and the master run their
//! sound through (the kinds and their tables are in [`crate::kinds::effect`]).
//!
//! A chain is built (and every buffer allocated) on the control thread from
//! the session's effect list, then handed to the audio thread whole;
//! `process`, `set_param` and `set_tempo` run on the audio thread and never
//! allocate. The DSP of each kind lives in [`super::fx`]; this file owns the
//! per-effect dry/wet and bypass, and parameter smoothing.

use super::dsp::{head, head_mut, Smoother, Snap};
use super::fx::{self, Ctx, Fx};
use super::MAX_BLOCK;
use crate::kinds::effect::{EffectKind, EffectSpec, MAX_PARAMS};

/// Parameter glide time constant, seconds.
const GLIDE_S: f32 = 0.02;

/// One effect in a chain: its DSP plus smoothed parameters, dry/wet and bypass.
/// Audio thread, except `new`.
pub struct Stage {
    kind: EffectKind,
    fx: Box<dyn Fx>,
    n: usize,
    /// Each parameter's glide.
    params: [Smoother; MAX_PARAMS],
    /// Where the glides are, as the effect takes them.
    current: [f32; MAX_PARAMS],
    moving: bool,
    ctx: Ctx,
    /// Wet amount applied at the end of the last block.
    wet: f32,
    /// The effect may still hold sound (a delay line, a reverb tail).
    ringing: bool,
    /// Frames the effect has been silent while off.
    quiet: usize,
    dry_l: Box<[f32]>,
    dry_r: Box<[f32]>,
}

impl Stage {
    /// Control thread.
    pub fn new(spec: &EffectSpec, ctx: Ctx) -> Self {
        let n = spec.kind.params().len();
        let fx = fx::build(spec.kind, head(&spec.values, n), &ctx);
        let mut s = Self {
            kind: spec.kind,
            fx,
            n,
            params: spec
                .values
                .map(|v| Smoother::new(v, GLIDE_S, ctx.rate).with_snap(Snap::Relative(1e-4))),
            current: spec.values,
            moving: false,
            ctx,
            wet: 0.0,
            ringing: false,
            quiet: 0,
            dry_l: vec![0.0; MAX_BLOCK].into_boxed_slice(),
            dry_r: vec![0.0; MAX_BLOCK].into_boxed_slice(),
        };
        s.wet = s.wet_target();
        s
    }

    /// Every kind's table ends with mix and bypass.
    fn wet_target(&self) -> f32 {
        let at = |back: usize| {
            self.n
                .checked_sub(back)
                .and_then(|i| self.current.get(i))
                .copied()
                .unwrap_or(0.0)
        };
        at(2) * (1.0 - at(1))
    }

    /// Audio thread: move parameter `index` towards `value` (choices jump,
    /// numbers and bypass glide).
    pub fn set_param(&mut self, index: usize, value: f32) {
        let (Some(p), Some(c), Some(spec)) = (
            self.params.get_mut(index),
            self.current.get_mut(index),
            self.kind.params().get(index),
        ) else {
            return;
        };
        if index >= self.n || !value.is_finite() {
            return;
        }
        p.set(value);
        let glides =
            matches!(spec.kind, crate::kinds::param::ParamKind::Number) || index + 1 == self.n;
        if !glides {
            p.value = value;
            *c = value;
        }
        self.moving = true;
    }

    pub fn set_tempo(&mut self, bpm: f32) {
        if bpm.is_finite() && bpm > 0.0 && bpm != self.ctx.bpm {
            self.ctx.bpm = bpm;
            self.moving = true;
        }
    }

    fn glide(&mut self, frames: usize) {
        // One time constant for all, so one factor.
        let [first, ..] = &self.params;
        let a = first.remaining(frames);
        let mut still = false;
        for (p, c) in self
            .params
            .iter_mut()
            .zip(self.current.iter_mut())
            .take(self.n)
        {
            if !p.is_settled() {
                *c = p.advance_by(a);
                still |= !p.is_settled();
            }
        }
        self.fx.set(head(&self.current, self.n), &self.ctx);
        self.moving = still;
    }

    /// Audio thread: process a block of at most [`MAX_BLOCK`] frames in place.
    pub fn process(&mut self, l: &mut [f32], r: &mut [f32]) {
        let n = l.len().min(MAX_BLOCK).min(r.len());
        if n == 0 {
            return;
        }
        if self.moving {
            self.glide(n);
        }
        let (from, to) = (self.wet, self.wet_target());
        self.wet = to;
        if from <= 0.0 && to <= 0.0 {
            if self.ringing {
                // Off (bypass or mix 0): what the effect holds dies away as
                // if its input had stopped, so turning it back on starts
                // clean instead of replaying echoes from before.
                let (sl, sr) = (head_mut(&mut self.dry_l, n), head_mut(&mut self.dry_r, n));
                sl.fill(0.0);
                sr.fill(0.0);
                self.fx.process(sl, sr);
                if sl.iter().chain(sr.iter()).any(|x| x.abs() > 1e-6) {
                    self.quiet = 0;
                } else {
                    self.quiet += n;
                }
                // A delay is silent until its echo is due: only silence
                // longer than the longest delay line means it is empty.
                let empty = ((super::fx::delay::MAX_TIME + 0.5) * self.ctx.rate) as usize;
                self.ringing = self.quiet < empty;
            }
            return;
        }
        self.ringing = true;
        self.quiet = 0;
        let (l, r) = (head_mut(l, n), head_mut(r, n));
        let (dl, dr) = (head_mut(&mut self.dry_l, n), head_mut(&mut self.dry_r, n));
        dl.copy_from_slice(l);
        dr.copy_from_slice(r);
        self.fx.process(l, r);
        if from >= 1.0 && to >= 1.0 {
            return;
        }
        let step = (to - from) / n as f32;
        let wet = l.iter_mut().zip(r.iter_mut());
        for (i, ((l, r), (dl, dr))) in wet.zip(dl.iter().zip(dr.iter())).enumerate() {
            let w = from + step * (i + 1) as f32;
            *l = dl + (*l - dl) * w;
            *r = dr + (*r - dr) * w;
        }
    }
}

/// A chain of stereo effects, in order.
pub struct EffectChain {
    stages: Vec<Stage>,
}

impl std::fmt::Debug for EffectChain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EffectChain")
            .field("stages", &self.stages.len())
            .finish()
    }
}

impl EffectChain {
    /// Control thread: build and preallocate the chain at `rate` Hz, 120 BPM.
    pub fn new(specs: &[EffectSpec], rate: f32) -> Self {
        Self::with_tempo(specs, rate, 120.0)
    }

    /// Control thread: build and preallocate the chain at `rate` Hz and `bpm`.
    pub fn with_tempo(specs: &[EffectSpec], rate: f32, bpm: f32) -> Self {
        let ctx = Ctx { rate, bpm };
        Self {
            stages: specs.iter().map(|s| Stage::new(s, ctx)).collect(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.stages.is_empty()
    }

    /// Audio thread: glide parameter `param` of effect `index` to `value`.
    pub fn set_param(&mut self, index: usize, param: usize, value: f32) {
        if let Some(s) = self.stages.get_mut(index) {
            s.set_param(param, value);
        }
    }

    /// Audio thread: the session tempo changed (tempo-synced delays follow).
    pub fn set_tempo(&mut self, bpm: f32) {
        for s in &mut self.stages {
            s.set_tempo(bpm);
        }
    }

    /// Audio thread: process in place (any length).
    pub fn process(&mut self, left: &mut [f32], right: &mut [f32]) {
        if self.stages.is_empty() {
            return;
        }
        let len = left.len().min(right.len());
        let mut start = 0;
        while start < len {
            let n = (len - start).min(MAX_BLOCK);
            let (Some(l), Some(r)) = (
                left.get_mut(start..start + n),
                right.get_mut(start..start + n),
            ) else {
                return;
            };
            for s in &mut self.stages {
                s.process(l, r);
            }
            start += n;
        }
    }
}

/// An effect chain that can be swapped while it plays: the old chain keeps
/// running on the same input and its output crossfades to the new one's over
/// [`crate::engine::track::SWAP_FADE_S`], so adding, removing or reordering
/// effects never clicks. Audio thread, except `new`.
pub struct ChainSlot {
    current: Box<EffectChain>,
    old: Option<Box<EffectChain>>,
    old_gain: f32,
    step: f32,
    buf_l: Box<[f32]>,
    buf_r: Box<[f32]>,
}

impl ChainSlot {
    /// Control thread.
    pub fn new(chain: EffectChain, rate: f32) -> Self {
        Self {
            current: Box::new(chain),
            old: None,
            old_gain: 0.0,
            step: 1.0 / (super::track::SWAP_FADE_S * rate).max(1.0),
            buf_l: vec![0.0; super::MAX_BLOCK].into_boxed_slice(),
            buf_r: vec![0.0; super::MAX_BLOCK].into_boxed_slice(),
        }
    }

    /// Audio thread: start crossfading to `new`. Returns a chain to free
    /// (one that was still fading out from an earlier swap).
    pub fn replace(&mut self, new: Box<EffectChain>) -> Option<Box<EffectChain>> {
        let previous = std::mem::replace(&mut self.current, new);
        self.old_gain = 1.0;
        self.old.replace(previous)
    }

    /// Audio thread: glide a parameter of the playing chain.
    pub fn set_param(&mut self, index: usize, param: usize, value: f32) {
        self.current.set_param(index, param, value);
    }

    /// Audio thread: tell both chains the tempo.
    pub fn set_tempo(&mut self, bpm: f32) {
        self.current.set_tempo(bpm);
        if let Some(o) = self.old.as_deref_mut() {
            o.set_tempo(bpm);
        }
    }

    /// Audio thread: the old chain once its fade is over.
    pub fn take_faded(&mut self) -> Option<Box<EffectChain>> {
        if self.old_gain <= 0.0 {
            self.old.take()
        } else {
            None
        }
    }

    /// Audio thread: process in place.
    pub fn process(&mut self, left: &mut [f32], right: &mut [f32]) {
        let n = left.len().min(right.len()).min(super::MAX_BLOCK);
        let (left, right) = (head_mut(left, n), head_mut(right, n));
        match self.old.as_deref_mut() {
            Some(old) if self.old_gain > 0.0 => {
                let (bl, br) = (head_mut(&mut self.buf_l, n), head_mut(&mut self.buf_r, n));
                bl.copy_from_slice(left);
                br.copy_from_slice(right);
                self.current.process(left, right);
                old.process(bl, br);
                let new = left.iter_mut().zip(right.iter_mut());
                for ((l, r), (ol, or)) in new.zip(bl.iter().zip(br.iter())) {
                    let w = self.old_gain;
                    *l = *l * (1.0 - w) + ol * w;
                    *r = *r * (1.0 - w) + or * w;
                    self.old_gain = f32::max(w - self.step, 0.0);
                }
            }
            _ => self.current.process(left, right),
        }
    }
}
