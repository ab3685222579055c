//! Algorithmic stereo reverb: fundsp's `reverb_stereo` (a feedback delay
//! network), wet only.
//!
//! Built on the control thread; its room, time and damping are fixed at
//! build (changing them rebuilds the chain, which crossfades). `process`
//! runs on the audio thread in fundsp's 64-frame chunks and never allocates.
//! Parameters: room (m), time (s), damping.

use fundsp::prelude32::*;

use super::{Ctx, Fx};
use crate::kinds::effect::REVERB_PARAMS;

pub struct Reverb {
    unit: Box<dyn AudioUnit>,
    input: BufferArray<U2>,
    output: BufferArray<U2>,
}

impl Reverb {
    pub fn new(v: &[f32], ctx: &Ctx) -> Self {
        // `v` holds the kind's whole table; a short one falls back to its defaults.
        let param = |i: usize| {
            v.get(i)
                .copied()
                .or_else(|| REVERB_PARAMS.get(i).map(|p| p.default))
                .unwrap_or(0.0)
        };
        let mut unit: Box<dyn AudioUnit> = Box::new(reverb_stereo(param(0), param(1), param(2)));
        unit.set_sample_rate(ctx.rate as f64);
        unit.allocate();
        Self {
            unit,
            input: BufferArray::new(),
            output: BufferArray::new(),
        }
    }
}

impl Fx for Reverb {
    fn set(&mut self, _v: &[f32], _ctx: &Ctx) {}

    fn process(&mut self, left: &mut [f32], right: &mut [f32]) {
        let chunks = left
            .chunks_mut(MAX_BUFFER_SIZE)
            .zip(right.chunks_mut(MAX_BUFFER_SIZE));
        for (l, r) in chunks {
            // Each channel holds MAX_BUFFER_SIZE samples, so every copy is
            // the chunk's full length.
            copy(self.input.channel_f32_mut(0), l);
            copy(self.input.channel_f32_mut(1), r);
            self.unit.process(
                l.len(),
                &self.input.buffer_ref(),
                &mut self.output.buffer_mut(),
            );
            copy(l, self.output.channel_f32(0));
            copy(r, self.output.channel_f32(1));
        }
    }
}

/// Copy the overlap of `src` into `dst` (a memcpy once optimised).
#[inline]
fn copy(dst: &mut [f32], src: &[f32]) {
    for (d, s) in dst.iter_mut().zip(src) {
        *d = *s;
    }
}
