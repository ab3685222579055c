//! Instruments: polyphonic voice banks that turn notes into sound.
//!
//! Every instrument is built on the control thread (all buffers sized there)
//! and then lives on the audio thread, where `note_on`, `note_off`,
//! `set_param` and `render` run without allocating, locking or blocking.
//! The kinds and their parameter tables are plain data that the session
//! format, the action table and the docs read.

pub mod drums;
pub mod fm;
pub mod params;
pub mod pluck;
pub mod sampler;
pub mod subtractive;
pub mod voice;

pub use params::{ParamKind, ParamSpec};

/// A voice bank for one track. All methods run on the audio thread.
pub trait Instrument: Send {
    /// Start a note (MIDI number, fractional allowed) at velocity 0..1.
    fn note_on(&mut self, note: f32, velocity: f32);
    /// Release every held voice playing `note`.
    fn note_off(&mut self, note: f32);
    /// Release every held voice (transport stop, panic).
    fn all_notes_off(&mut self);
    /// Set parameter `index` of this kind's table; the value is already
    /// validated on the control side. Continuous parameters glide.
    fn set_param(&mut self, index: usize, value: f32);
    /// Add `left.len()` frames of sound into `left`/`right` (same length,
    /// at most [`crate::engine::MAX_BLOCK`]).
    fn render(&mut self, left: &mut [f32], right: &mut [f32]);
    /// Voices currently making sound (fading ones included).
    fn active_voices(&self) -> usize;
    /// Bend every voice's pitch by `semitones` (pitch wheel). Instruments
    /// whose pitch cannot glide (drums, samples, pluck) ignore it.
    fn set_bend(&mut self, _semitones: f32) {}
}

/// Every kind of instrument a track can hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InstrumentKind {
    Synth,
    Fm,
    Pluck,
    Kick,
    Snare,
    HatClosed,
    HatOpen,
    Clap,
    Sample,
}

impl InstrumentKind {
    pub const ALL: [InstrumentKind; 9] = [
        Self::Synth,
        Self::Fm,
        Self::Pluck,
        Self::Kick,
        Self::Snare,
        Self::HatClosed,
        Self::HatOpen,
        Self::Clap,
        Self::Sample,
    ];

    /// The name used in session files.
    pub fn name(self) -> &'static str {
        match self {
            Self::Synth => "Synth",
            Self::Fm => "Fm",
            Self::Pluck => "Pluck",
            Self::Kick => "Kick",
            Self::Snare => "Snare",
            Self::HatClosed => "HatClosed",
            Self::HatOpen => "HatOpen",
            Self::Clap => "Clap",
            Self::Sample => "Sample",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.name() == name)
    }

    pub fn doc(self) -> &'static str {
        match self {
            Self::Synth => "subtractive synth: band-limited oscillator (2-voice unison), resonant filter with envelope, amp ADSR",
            Self::Fm => "two-operator FM synth: a modulator at a frequency ratio drives the carrier's phase, with an index envelope",
            Self::Pluck => "Karplus-Strong plucked string with damping",
            Self::Kick => "synthesized kick drum: a sine with a falling pitch and a click",
            Self::Snare => "synthesized snare: a tuned body plus filtered noise",
            Self::HatClosed => "closed hi-hat: bright metallic noise, short",
            Self::HatOpen => "open hi-hat: bright metallic noise, long",
            Self::Clap => "hand clap: several quick noise bursts and a tail",
            Self::Sample => "sample player for a WAV, FLAC, Ogg Vorbis or MP3 file: one-shot or looped, reverse, rate, slices",
        }
    }

    /// This kind's parameters, in the order the engine indexes them.
    pub fn params(self) -> &'static [ParamSpec] {
        match self {
            Self::Synth => subtractive::PARAMS,
            Self::Fm => fm::PARAMS,
            Self::Pluck => pluck::PARAMS,
            Self::Kick => drums::KICK_PARAMS,
            Self::Snare => drums::SNARE_PARAMS,
            Self::HatClosed => drums::HAT_CLOSED_PARAMS,
            Self::HatOpen => drums::HAT_OPEN_PARAMS,
            Self::Clap => drums::CLAP_PARAMS,
            Self::Sample => sampler::PARAMS,
        }
    }

    /// Whether step hits without a note should play this kind at its own pitch
    /// (drums, samples) rather than at a musical default.
    pub fn is_percussive(self) -> bool {
        !matches!(self, Self::Synth | Self::Fm | Self::Pluck)
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
