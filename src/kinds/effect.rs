//! The kinds of effect a chain can hold, each with its parameter table, and
//! [`EffectSpec`], an effect as the session describes it.
//!
//! Pure data, read on any thread: the session format, the action table, the
//! MIDI map, the offline processor and the docs read it on the control side;
//! `engine::effect` and `engine::fx` read it on the audio thread (by index).
//! Every table ends in `mix` and `bypass`, which the chain applies itself.

use super::param::ParamSpec;

/// Tempo-synced delay times as note values; index 0 is "off".
pub const DELAY_SYNC: &[&str] = &[
    "off", "1/32", "1/16t", "1/16", "1/8t", "3/32", "1/8", "1/4t", "3/16", "1/4", "3/8", "1/2",
    "3/4", "1/1",
];

/// The curves of the waveshaper.
pub const SHAPER_SHAPES: &[&str] = &["fold", "cubic", "tube"];

/// Most parameters any effect kind has (mix and bypass included).
pub const MAX_PARAMS: usize = 16;

/// What every effect's `mix` says (the chat's prompt shortens it, since
/// the docs say it once above the tables).
pub const MIX_TEXT: &str = "wet share of the output (0 dry only, 1 wet only)";

const fn mix(default: f32) -> ParamSpec {
    ParamSpec::number("mix", "", 0.0, 1.0, default, MIX_TEXT)
}
const BYPASS: ParamSpec = ParamSpec::choice(
    "bypass",
    &["off", "on"],
    0,
    "on: the effect is skipped (fades out over 20 ms)",
);
const fn num(
    name: &'static str,
    unit: &'static str,
    min: f32,
    max: f32,
    default: f32,
    doc: &'static str,
) -> ParamSpec {
    ParamSpec::number(name, unit, min, max, default, doc)
}

pub const REVERB_PARAMS: &[ParamSpec] = &[
    num(
        "room",
        "m",
        1.0,
        100.0,
        20.0,
        "size of the simulated room (changing it rebuilds the reverb)",
    ),
    num(
        "time",
        "s",
        0.1,
        30.0,
        2.0,
        "decay time of the tail, to -60 dB (changing it rebuilds the reverb)",
    ),
    num(
        "damping",
        "",
        0.0,
        1.0,
        0.5,
        "how fast high frequencies die away (changing it rebuilds the reverb)",
    ),
    mix(0.25),
    BYPASS,
];
pub const DELAY_PARAMS: &[ParamSpec] = &[
    num("time", "s", 0.001, 4.0, 0.375, "delay time when `sync` is off"),
    num("feedback", "", 0.0, 0.95, 0.4, "level of each repeat relative to the one before"),
    ParamSpec::choice("sync", DELAY_SYNC, 0, "delay time as a note value at the session tempo (a beat is a quarter note); off uses `time`"),
    ParamSpec::choice("mode", &["stereo", "pingpong"], 0, "stereo: each side echoes itself; pingpong: repeats alternate left and right"),
    mix(0.3),
    BYPASS,
];
pub const FILTER_PARAMS: &[ParamSpec] = &[
    num(
        "cutoff",
        "Hz",
        20.0,
        20000.0,
        1000.0,
        "cutoff (centre) frequency",
    ),
    num(
        "q",
        "",
        0.1,
        20.0,
        0.707,
        "resonance (0.707 = Butterworth, -3 dB at the cutoff)",
    ),
    mix(1.0),
    BYPASS,
];
pub const COMB_PARAMS: &[ParamSpec] = &[
    num(
        "freq",
        "Hz",
        20.0,
        5000.0,
        220.0,
        "pitch of the comb (delay = 1/freq)",
    ),
    num(
        "feedback",
        "",
        -0.99,
        0.99,
        0.8,
        "resonance; negative values emphasise odd harmonics",
    ),
    num(
        "damping",
        "",
        0.0,
        0.99,
        0.2,
        "low-pass in the feedback path",
    ),
    mix(0.5),
    BYPASS,
];
pub const DRIVE_PARAMS: &[ParamSpec] = &[
    num(
        "gain",
        "dB",
        0.0,
        48.0,
        12.0,
        "how hard the signal is pushed into the soft clipper",
    ),
    mix(1.0),
    BYPASS,
];
pub const CLIP_PARAMS: &[ParamSpec] = &[
    num("gain", "dB", 0.0, 48.0, 6.0, "gain before the clipper"),
    num(
        "ceiling",
        "dBFS",
        -48.0,
        0.0,
        -1.0,
        "level the signal is cut at",
    ),
    mix(1.0),
    BYPASS,
];
pub const SHAPER_PARAMS: &[ParamSpec] = &[
    num("gain", "dB", 0.0, 36.0, 6.0, "gain into the shaping curve"),
    ParamSpec::choice(
        "shape",
        SHAPER_SHAPES,
        0,
        "fold: sine wavefolder; cubic: smooth clip; tube: asymmetric (even harmonics)",
    ),
    mix(1.0),
    BYPASS,
];
pub const CRUSH_PARAMS: &[ParamSpec] = &[
    num("bits", "bits", 1.0, 24.0, 8.0, "bit depth of the quantiser"),
    num(
        "downsample",
        "x",
        1.0,
        64.0,
        1.0,
        "hold each sample this many samples (sample-rate reduction)",
    ),
    mix(1.0),
    BYPASS,
];
pub const CHORUS_PARAMS: &[ParamSpec] = &[
    num("rate", "Hz", 0.01, 10.0, 0.8, "speed of the sweep"),
    num("depth", "ms", 0.0, 20.0, 3.0, "how far the delay sweeps"),
    num("delay", "ms", 1.0, 50.0, 12.0, "shortest delay"),
    mix(0.5),
    BYPASS,
];
pub const FLANGER_PARAMS: &[ParamSpec] = &[
    num("rate", "Hz", 0.01, 10.0, 0.25, "speed of the sweep"),
    num("depth", "ms", 0.0, 10.0, 2.0, "how far the delay sweeps"),
    num("delay", "ms", 0.1, 20.0, 1.0, "shortest delay"),
    num("feedback", "", -0.95, 0.95, 0.5, "resonance of the comb"),
    mix(0.5),
    BYPASS,
];
pub const PHASER_PARAMS: &[ParamSpec] = &[
    num("rate", "Hz", 0.01, 10.0, 0.5, "speed of the sweep"),
    num(
        "depth",
        "oct",
        0.0,
        4.0,
        1.5,
        "how far the notches sweep each way",
    ),
    num("centre", "Hz", 50.0, 5000.0, 700.0, "centre of the sweep"),
    num("feedback", "", -0.9, 0.9, 0.4, "resonance of the notches"),
    mix(0.5),
    BYPASS,
];
pub const AUTOPAN_PARAMS: &[ParamSpec] = &[
    num("rate", "Hz", 0.01, 20.0, 1.0, "speed of the sweep"),
    num(
        "depth",
        "",
        0.0,
        1.0,
        1.0,
        "how far it swings (1 = hard left to hard right)",
    ),
    mix(1.0),
    BYPASS,
];
pub const WIDTH_PARAMS: &[ParamSpec] = &[
    num(
        "width",
        "",
        0.0,
        2.0,
        1.0,
        "0 mono, 1 unchanged, 2 twice the side signal",
    ),
    mix(1.0),
    BYPASS,
];
pub const COMPRESSOR_PARAMS: &[ParamSpec] = &[
    num(
        "threshold",
        "dB",
        -60.0,
        0.0,
        -18.0,
        "RMS level above which the gain comes down",
    ),
    num(
        "ratio",
        ":1",
        1.0,
        20.0,
        4.0,
        "input dB over the threshold per output dB",
    ),
    num(
        "attack",
        "ms",
        0.1,
        200.0,
        10.0,
        "how fast the gain comes down",
    ),
    num("release", "ms", 5.0, 2000.0, 120.0, "how fast it recovers"),
    num(
        "knee",
        "dB",
        0.0,
        24.0,
        6.0,
        "width of the soft knee around the threshold",
    ),
    num("makeup", "dB", 0.0, 24.0, 0.0, "gain after compression"),
    mix(1.0),
    BYPASS,
];
pub const LIMITER_PARAMS: &[ParamSpec] = &[
    num(
        "ceiling",
        "dBFS",
        -24.0,
        0.0,
        -1.0,
        "highest sample let through (1.5 ms look-ahead)",
    ),
    num("gain", "dB", 0.0, 24.0, 0.0, "drive into the limiter"),
    mix(1.0),
    BYPASS,
];
pub const GATE_PARAMS: &[ParamSpec] = &[
    num(
        "threshold",
        "dB",
        -90.0,
        0.0,
        -50.0,
        "peak level that opens the gate",
    ),
    num("attack", "ms", 0.1, 50.0, 1.0, "how fast it opens"),
    num(
        "hold",
        "ms",
        0.0,
        500.0,
        20.0,
        "how long it stays open after the level drops",
    ),
    num("release", "ms", 5.0, 2000.0, 100.0, "how fast it closes"),
    num("range", "dB", -90.0, 0.0, -80.0, "attenuation while closed"),
    mix(1.0),
    BYPASS,
];
pub const EQ3_PARAMS: &[ParamSpec] = &[
    num("low", "dB", -24.0, 24.0, 0.0, "low shelf gain"),
    num(
        "mid",
        "dB",
        -24.0,
        24.0,
        0.0,
        "mid bell gain (centred between the corners)",
    ),
    num("high", "dB", -24.0, 24.0, 0.0, "high shelf gain"),
    num("low_freq", "Hz", 20.0, 1000.0, 250.0, "low shelf corner"),
    num(
        "high_freq",
        "Hz",
        1000.0,
        16000.0,
        4000.0,
        "high shelf corner",
    ),
    mix(1.0),
    BYPASS,
];
pub const EQ_PARAMS: &[ParamSpec] = &[
    num("freq1", "Hz", 20.0, 20000.0, 100.0, "band 1 centre"),
    num("gain1", "dB", -24.0, 24.0, 0.0, "band 1 gain"),
    num(
        "q1",
        "",
        0.1,
        20.0,
        1.0,
        "band 1 width (higher is narrower)",
    ),
    num("freq2", "Hz", 20.0, 20000.0, 1000.0, "band 2 centre"),
    num("gain2", "dB", -24.0, 24.0, 0.0, "band 2 gain"),
    num("q2", "", 0.1, 20.0, 1.0, "band 2 width"),
    num("freq3", "Hz", 20.0, 20000.0, 8000.0, "band 3 centre"),
    num("gain3", "dB", -24.0, 24.0, 0.0, "band 3 gain"),
    num("q3", "", 0.1, 20.0, 1.0, "band 3 width"),
    mix(1.0),
    BYPASS,
];

/// Every kind of effect a chain can hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EffectKind {
    Reverb,
    Delay,
    Lowpass,
    Highpass,
    Bandpass,
    Notch,
    Comb,
    Drive,
    Clip,
    Shaper,
    Crush,
    Chorus,
    Flanger,
    Phaser,
    AutoPan,
    Width,
    Compressor,
    Limiter,
    Gate,
    Eq3,
    Eq,
}

impl EffectKind {
    /// Whether this effect holds seconds of delay lines (counted against
    /// [`super::MAX_LONG_EFFECTS`]).
    pub fn holds_long_delay(self) -> bool {
        matches!(self, Self::Reverb | Self::Delay)
    }

    pub const ALL: [EffectKind; 21] = [
        Self::Reverb,
        Self::Delay,
        Self::Lowpass,
        Self::Highpass,
        Self::Bandpass,
        Self::Notch,
        Self::Comb,
        Self::Drive,
        Self::Clip,
        Self::Shaper,
        Self::Crush,
        Self::Chorus,
        Self::Flanger,
        Self::Phaser,
        Self::AutoPan,
        Self::Width,
        Self::Compressor,
        Self::Limiter,
        Self::Gate,
        Self::Eq3,
        Self::Eq,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Self::Reverb => "Reverb",
            Self::Delay => "Delay",
            Self::Lowpass => "Lowpass",
            Self::Highpass => "Highpass",
            Self::Bandpass => "Bandpass",
            Self::Notch => "Notch",
            Self::Comb => "Comb",
            Self::Drive => "Drive",
            Self::Clip => "Clip",
            Self::Shaper => "Shaper",
            Self::Crush => "Crush",
            Self::Chorus => "Chorus",
            Self::Flanger => "Flanger",
            Self::Phaser => "Phaser",
            Self::AutoPan => "AutoPan",
            Self::Width => "Width",
            Self::Compressor => "Compressor",
            Self::Limiter => "Limiter",
            Self::Gate => "Gate",
            Self::Eq3 => "Eq3",
            Self::Eq => "Eq",
        }
    }

    pub fn doc(self) -> &'static str {
        match self {
            Self::Reverb => "algorithmic stereo reverb (feedback delay network)",
            Self::Delay => "feedback delay, stereo or ping-pong, free or tempo-synced",
            Self::Lowpass => "resonant 2-pole low-pass filter",
            Self::Highpass => "resonant 2-pole high-pass filter",
            Self::Bandpass => "2-pole band-pass filter (0 dB at the centre; higher q is narrower)",
            Self::Notch => "2-pole notch (band-reject) filter",
            Self::Comb => "feedback comb filter: a resonance at `freq` and its harmonics",
            Self::Drive => {
                "soft-clip saturation (tanh), output trimmed so full scale stays full scale"
            }
            Self::Clip => "hard clipper",
            Self::Shaper => "waveshaper: wavefolder, cubic or asymmetric tube curve",
            Self::Crush => "bit crusher: bit-depth and sample-rate reduction",
            Self::Chorus => "chorus: a short delay swept by a sine, sides a quarter cycle apart",
            Self::Flanger => "flanger: a very short swept delay with feedback",
            Self::Phaser => "phaser: six all-pass stages swept in octaves around a centre",
            Self::AutoPan => "auto-pan: equal-power balance swept by a sine",
            Self::Width => "stereo width by mid/side scaling",
            Self::Compressor => "stereo-linked RMS compressor with a soft knee",
            Self::Limiter => "look-ahead peak limiter that holds its ceiling",
            Self::Gate => "noise gate with hold and a closed-gate range",
            Self::Eq3 => "three-band EQ: low shelf, mid bell, high shelf",
            Self::Eq => "parametric EQ: three bells, each with frequency, gain and width",
        }
    }

    pub fn params(self) -> &'static [ParamSpec] {
        match self {
            Self::Reverb => REVERB_PARAMS,
            Self::Delay => DELAY_PARAMS,
            Self::Lowpass | Self::Highpass | Self::Bandpass | Self::Notch => FILTER_PARAMS,
            Self::Comb => COMB_PARAMS,
            Self::Drive => DRIVE_PARAMS,
            Self::Clip => CLIP_PARAMS,
            Self::Shaper => SHAPER_PARAMS,
            Self::Crush => CRUSH_PARAMS,
            Self::Chorus => CHORUS_PARAMS,
            Self::Flanger => FLANGER_PARAMS,
            Self::Phaser => PHASER_PARAMS,
            Self::AutoPan => AUTOPAN_PARAMS,
            Self::Width => WIDTH_PARAMS,
            Self::Compressor => COMPRESSOR_PARAMS,
            Self::Limiter => LIMITER_PARAMS,
            Self::Gate => GATE_PARAMS,
            Self::Eq3 => EQ3_PARAMS,
            Self::Eq => EQ_PARAMS,
        }
    }

    /// Whether parameter `index` can change while the effect runs (through
    /// `engine::effect::EffectChain::set_param`); the others need the chain rebuilt.
    pub fn is_live(self, index: usize) -> bool {
        !(self == Self::Reverb && index < 3)
    }

    /// The runtime description from validated parameter values.
    pub fn spec(self, v: &[f32]) -> EffectSpec {
        let mut values = [0.0; MAX_PARAMS];
        for (i, p) in self.params().iter().enumerate() {
            values[i] = v.get(i).copied().unwrap_or(p.default);
        }
        EffectSpec { kind: self, values }
    }
}

/// An effect as the session describes it (values already validated, in the
/// kind's table order).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EffectSpec {
    pub kind: EffectKind,
    pub values: [f32; MAX_PARAMS],
}
