//! Getting the engine's sound out: to a sound card through cpal, to a
//! silent sink paced in real time when there is none, or to a WAV file
//! faster than real time.
//!
//! The device callback (in [`device`]) runs on the audio thread and only
//! calls [`crate::engine::Engine::process`] and copies samples; everything
//! else here runs on the control thread.

pub mod device;
pub mod render;

use crate::engine::{Engine, MAX_BLOCK};

/// Planar scratch buffers for writing interleaved output.
pub struct Interleaver {
    left: Box<[f32]>,
    right: Box<[f32]>,
}

impl Default for Interleaver {
    fn default() -> Self {
        Self {
            left: vec![0.0; MAX_BLOCK].into_boxed_slice(),
            right: vec![0.0; MAX_BLOCK].into_boxed_slice(),
        }
    }
}

impl Interleaver {
    /// Audio thread: render into an interleaved buffer of `channels`
    /// channels (mono gets the mix, extra channels get silence).
    pub fn fill<T: Copy>(
        &mut self,
        engine: &mut Engine,
        out: &mut [T],
        channels: usize,
        convert: impl Fn(f32) -> T,
    ) {
        let channels = channels.max(1);
        for chunk in out.chunks_mut(MAX_BLOCK * channels) {
            let frames = chunk.len() / channels;
            let (l, r) = (&mut self.left[..frames], &mut self.right[..frames]);
            engine.process(l, r);
            for (i, frame) in chunk.chunks_mut(channels).enumerate() {
                match channels {
                    1 => frame[0] = convert(0.5 * (l[i] + r[i])),
                    _ => {
                        frame[0] = convert(l[i]);
                        frame[1] = convert(r[i]);
                        for s in frame.iter_mut().skip(2) {
                            *s = convert(0.0);
                        }
                    }
                }
            }
        }
    }
}
