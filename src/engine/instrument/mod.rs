//! Instruments: polyphonic voice banks that turn notes into sound.
//!
//! Every instrument is built on the control thread (all buffers sized there)
//! and then lives on the audio thread, where `note_on`, `note_off`,
//! `set_param` and `render` run without allocating, locking or blocking.
//! The kinds and their parameter tables are plain data in [`crate::kinds`].

pub mod drums;
pub mod fm;
pub mod input;
pub mod looper;
pub mod pluck;
pub mod sampler;
pub mod slice;
pub mod subtractive;
#[cfg(test)]
mod test_util;
pub mod tone;
pub mod voice;

use crate::engine::dsp::sane;
use crate::kinds::instrument::InstrumentKind;
use crate::kinds::param::ParamSpec;
use crate::kinds::Controls;

/// A voice bank for one track. All methods run on the audio thread.
pub trait Instrument: Send {
    /// Start a note (MIDI number, fractional allowed) at velocity 0..1,
    /// played as `controls` ask (already made sane): pan and gain on every
    /// instrument, begin/end and speed on the sampler.
    fn note_on_with(&mut self, note: f32, velocity: f32, controls: &Controls);
    /// Start a note as written (keys, MIDI, tests).
    fn note_on(&mut self, note: f32, velocity: f32) {
        self.note_on_with(note, velocity, &Controls::NONE);
    }
    /// Release every held voice playing `note`.
    fn note_off(&mut self, note: f32);
    /// Release every held voice (transport stop, panic).
    fn all_notes_off(&mut self);
    /// This instrument's parameter table (its kind's, in `crate::kinds`).
    fn params(&self) -> &'static [ParamSpec];
    /// Take parameter `index` at `value`, already looked up in
    /// [`Instrument::params`], finite and clamped to its range.
    fn apply_param(&mut self, index: usize, value: f32);
    /// Set parameter `index` of this kind's table. The control side has
    /// validated the value; a stray index or NaN is still ignored, and the
    /// value clamped, so nothing unplayable reaches the DSP. Continuous
    /// parameters glide.
    fn set_param(&mut self, index: usize, value: f32) {
        let Some(spec) = self.params().get(index) else {
            return;
        };
        if value.is_finite() {
            self.apply_param(index, value.clamp(spec.min, spec.max));
        }
    }
    /// Add `left.len()` frames of sound into `left`/`right` (same length,
    /// at most [`crate::engine::MAX_BLOCK`]).
    fn render(&mut self, left: &mut [f32], right: &mut [f32]);
    /// Voices currently making sound (fading ones included).
    fn active_voices(&self) -> usize;
    /// Bend every voice's pitch by `semitones` (pitch wheel). Instruments
    /// whose pitch cannot glide (drums, samples, pluck) ignore it.
    fn set_bend(&mut self, _semitones: f32) {}
    /// A looper command on the bar it was sent for (`bar`: a bar's length
    /// in frames now); instruments that are not loopers ignore it.
    fn looper(&mut self, _cmd: looper::LoopCmd, _bar: f64) {}
    /// Add the live input this instrument plays (the Input instrument);
    /// others play none.
    fn render_input(
        &mut self,
        _input: &crate::engine::input::InputFrames,
        _left: &mut [f32],
        _right: &mut [f32],
    ) {
    }
}

/// Control thread: `values` in `table` order, a missing one at its default
/// and a stray one made playable.
fn sane_values<const N: usize>(table: &[ParamSpec], values: &[f32]) -> [f32; N] {
    let mut v = [0.0; N];
    for (slot, (i, p)) in v.iter_mut().zip(table.iter().enumerate()) {
        *slot = sane(
            values.get(i).copied().unwrap_or(p.default),
            p.min,
            p.max,
            p.default,
        );
    }
    v
}

/// Control thread: the sample rate, or 48 kHz if it is not a usable one.
fn sane_rate(rate: f32) -> f32 {
    if rate.is_finite() && rate > 0.0 {
        rate
    } else {
        48_000.0
    }
}

/// Control thread: build the voice bank for `kind` with parameter `values`
/// (one per entry of `kind.params()`, validated), `voices` of polyphony, at
/// `rate` Hz. `sample` is the decoded sample data for [`InstrumentKind::Sample`].
pub fn build(
    kind: InstrumentKind,
    values: &[f32],
    voices: usize,
    rate: f32,
    sample: Option<sampler::SampleData>,
) -> Box<dyn Instrument> {
    match kind {
        InstrumentKind::Synth => Box::new(subtractive::Synth::new(values, voices, rate)),
        InstrumentKind::Fm => Box::new(fm::Fm::new(values, voices, rate)),
        InstrumentKind::Pluck => Box::new(pluck::Pluck::new(values, voices, rate)),
        InstrumentKind::Tone => Box::new(tone::Tone::new(values, voices, rate)),
        InstrumentKind::Input => Box::new(input::Input::new(values, rate)),
        InstrumentKind::Looper => Box::new(looper::Looper::new(values, rate)),
        InstrumentKind::Kick => Box::new(drums::Drum::new(
            drums::DrumKind::Kick,
            values,
            voices,
            rate,
        )),
        InstrumentKind::Snare => Box::new(drums::Drum::new(
            drums::DrumKind::Snare,
            values,
            voices,
            rate,
        )),
        InstrumentKind::HatClosed => Box::new(drums::Drum::new(
            drums::DrumKind::HatClosed,
            values,
            voices,
            rate,
        )),
        InstrumentKind::HatOpen => Box::new(drums::Drum::new(
            drums::DrumKind::HatOpen,
            values,
            voices,
            rate,
        )),
        InstrumentKind::Clap => Box::new(drums::Drum::new(
            drums::DrumKind::Clap,
            values,
            voices,
            rate,
        )),
        InstrumentKind::Sample => Box::new(sampler::Sampler::new(
            values,
            sample.unwrap_or_default(),
            voices,
            rate,
        )),
    }
}
