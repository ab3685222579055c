//! Getting the engine's sound out: to a sound card through cpal, to a
//! silent sink paced in real time when there is none, or to a WAV file
//! faster than real time.
//!
//! The device callback (in [`device`]) runs on the audio thread and only
//! calls [`crate::engine::Engine::process`] (through [`Guard`]) and copies
//! samples; everything else here runs on the control thread.

pub mod device;
pub mod input;
pub mod output;
pub mod play;
pub mod render;
pub mod watch;
pub mod wav;

use std::panic::{catch_unwind, AssertUnwindSafe};

use crate::engine::{Counters, Engine, MAX_BLOCK};

/// Audio thread: how the device callbacks call the engine.
///
/// - Debug builds forbid allocation inside `Engine::process`
///   (`assert_no_alloc`, as nih-plug's `assert_process_allocs`): one warns on
///   stderr. Release builds skip the check. Every build counts them
///   ([`watch`]).
/// - A panic inside the engine (a bug) is caught and counted in
///   [`Counters::panics`]; from then on the output is silence while the
///   stream keeps running, so the device is not lost and the UI can say so.
#[derive(Debug, Default)]
pub struct Guard {
    panicked: bool,
}

impl Guard {
    /// Audio thread: render `left.len()` frames, or silence after a panic.
    pub fn process(&mut self, engine: &mut Engine, left: &mut [f32], right: &mut [f32]) {
        // A panic seen by an earlier stream (before the device was
        // reopened) counts too: the engine it left behind is not trusted.
        if !self.panicked && Counters::get(&engine.counters().panics) > 0 {
            self.panicked = true;
        }
        if !self.panicked {
            let run = AssertUnwindSafe(|| {
                watch::during(|| assert_no_alloc::assert_no_alloc(|| engine.process(left, right)))
            });
            if catch_unwind(run).is_err() {
                self.panicked = true;
                Counters::bump(&engine.counters().panics, 1);
            }
        }
        if self.panicked {
            left.fill(0.0);
            right.fill(0.0);
        }
    }

    /// Whether the engine has panicked (and the output is silent).
    pub fn panicked(&self) -> bool {
        self.panicked
    }
}

/// Planar scratch buffers for writing interleaved output.
pub struct Interleaver {
    left: Box<[f32]>,
    right: Box<[f32]>,
    guard: Guard,
}

impl Default for Interleaver {
    fn default() -> Self {
        Self {
            left: vec![0.0; MAX_BLOCK].into_boxed_slice(),
            right: vec![0.0; MAX_BLOCK].into_boxed_slice(),
            guard: Guard::default(),
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
            self.guard.process(engine, l, r);
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
