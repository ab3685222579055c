//! Algorithmic stereo reverb: fundsp's `reverb_stereo` (a feedback delay
//! network), wet only.
//!
//! Built on the control thread; its room, time and damping are fixed at
//! build (changing them rebuilds the chain, which crossfades). `process`
//! runs on the audio thread in fundsp's 64-frame chunks and never allocates.
//! Parameters: room (m), time (s), damping.

// Not yet converted to checked access (11 sites): buffers are sized to
// MAX_BLOCK at construction and blocks are clamped to it. See engine/mod.rs.
#![allow(clippy::indexing_slicing)]

use fundsp::prelude32::*;

use super::{Ctx, Fx};

pub struct Reverb {
    unit: Box<dyn AudioUnit>,
    input: BufferArray<U2>,
    output: BufferArray<U2>,
}

impl Reverb {
    pub fn new(v: &[f32], ctx: &Ctx) -> Self {
        let mut unit: Box<dyn AudioUnit> = Box::new(reverb_stereo(v[0], v[1], v[2]));
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
        let mut start = 0;
        while start < left.len() {
            let n = Ord::min(left.len() - start, MAX_BUFFER_SIZE);
            self.input.channel_f32_mut(0)[..n].copy_from_slice(&left[start..start + n]);
            self.input.channel_f32_mut(1)[..n].copy_from_slice(&right[start..start + n]);
            self.unit
                .process(n, &self.input.buffer_ref(), &mut self.output.buffer_mut());
            left[start..start + n].copy_from_slice(&self.output.channel_f32(0)[..n]);
            right[start..start + n].copy_from_slice(&self.output.channel_f32(1)[..n]);
            start += n;
        }
    }
}
