//! The Input instrument: a track that plays a channel (or a pair) of the
//! live audio input through its chain, with monitoring on or off and a
//! level. It plays no notes: patterns and keys on the track do nothing.
//!
//! [`Input::new`] runs on the control thread; everything else on the audio
//! thread (no allocation, lock or panic). The level and the monitor switch
//! glide over 5 ms, so turning monitoring on does not click.

use super::{sane_values, Instrument};
use crate::engine::dsp::{db_to_gain, Smoother};
use crate::engine::input::InputFrames;
use crate::kinds::instrument::INPUT_PARAMS as PARAMS;
use crate::kinds::param::ParamSpec;
use crate::kinds::Controls;

const P_CHANNEL: usize = 0;
const P_STEREO: usize = 1;
const P_MONITOR: usize = 2;
const P_LEVEL: usize = 3;

pub struct Input {
    values: [f32; 4],
    gain: Smoother,
}

impl Input {
    /// Control thread.
    pub fn new(values: &[f32], rate: f32) -> Self {
        let values: [f32; 4] = sane_values(PARAMS, values);
        let mut s = Self {
            values,
            gain: Smoother::new(0.0, 0.005, rate),
        };
        s.gain.value = s.target();
        s.gain.set(s.target());
        s
    }

    fn target(&self) -> f32 {
        if self.values[P_MONITOR] >= 0.5 {
            db_to_gain(self.values[P_LEVEL])
        } else {
            0.0
        }
    }
}

impl Instrument for Input {
    fn note_on_with(&mut self, _: f32, _: f32, _: &Controls) {}
    fn note_off(&mut self, _: f32) {}
    fn all_notes_off(&mut self) {}

    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }

    fn apply_param(&mut self, index: usize, value: f32) {
        if let Some(v) = self.values.get_mut(index) {
            *v = value;
        }
        self.gain.set(self.target());
    }

    fn render(&mut self, _: &mut [f32], _: &mut [f32]) {}

    fn render_input(&mut self, input: &InputFrames, left: &mut [f32], right: &mut [f32]) {
        let n = left.len().min(right.len());
        let (a, b) = input.pair(self.values[P_CHANNEL], self.values[P_STEREO] >= 0.5, n);
        for ((l, r), (x, y)) in left.iter_mut().zip(right.iter_mut()).zip(a.iter().zip(b)) {
            let g = self.gain.next();
            *l += x * g;
            *r += y * g;
        }
    }

    fn active_voices(&self) -> usize {
        0
    }
}
