//! The kinds of instrument a track can hold, and each kind's parameter table.
//!
//! Pure data, read on any thread: the session format, the action table, the
//! MIDI map and the docs read it on the control side; the instruments in
//! `engine::instrument` read their own table (by index) on the audio thread.
//! The order of a table is the order the engine indexes parameters in.

use super::param::ParamSpec;

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
    Tone,
    Input,
    Looper,
}

impl InstrumentKind {
    pub const ALL: [InstrumentKind; 12] = [
        Self::Synth,
        Self::Fm,
        Self::Pluck,
        Self::Kick,
        Self::Snare,
        Self::HatClosed,
        Self::HatOpen,
        Self::Clap,
        Self::Sample,
        Self::Tone,
        Self::Input,
        Self::Looper,
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
            Self::Tone => "Tone",
            Self::Input => "Input",
            Self::Looper => "Looper",
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
            Self::Tone => "test tone for tuning and checks: an exact sine, band-limited triangle, saw or square, or noise, at the note's pitch or a fixed frequency, at a set peak level",
            Self::Input => "live audio input (`--input`) through the track; plays no notes",
            Self::Looper => "live looper on an input, driven by the `looper` action: record on the bar, loop, overdub, undo",
        }
    }

    /// This kind's parameters, in the order the engine indexes them.
    pub fn params(self) -> &'static [ParamSpec] {
        match self {
            Self::Synth => SYNTH_PARAMS,
            Self::Fm => FM_PARAMS,
            Self::Pluck => PLUCK_PARAMS,
            Self::Kick => KICK_PARAMS,
            Self::Snare => SNARE_PARAMS,
            Self::HatClosed => HAT_CLOSED_PARAMS,
            Self::HatOpen => HAT_OPEN_PARAMS,
            Self::Clap => CLAP_PARAMS,
            Self::Sample => SAMPLE_PARAMS,
            Self::Tone => TONE_PARAMS,
            Self::Input => INPUT_PARAMS,
            Self::Looper => LOOPER_PARAMS,
        }
    }

    /// Whether step hits without a note should play this kind at its own pitch
    /// (drums, samples) rather than at a musical default.
    pub fn is_percussive(self) -> bool {
        !matches!(
            self,
            Self::Synth | Self::Fm | Self::Pluck | Self::Tone | Self::Input | Self::Looper
        )
    }
}

pub const WAVES: &[&str] = &["Sine", "Saw", "Square", "Triangle", "Noise"];

pub const FILTERS: &[&str] = &["Lowpass", "Highpass", "Bandpass"];

/// The Tone instrument's waves.
pub const TONE_WAVES: &[&str] = &["Sine", "Triangle", "Saw", "Square", "Noise"];

pub const TONE_PARAMS: &[ParamSpec] = &[
    ParamSpec::choice(
        "wave",
        TONE_WAVES,
        0,
        "Sine (exact), Triangle, Saw or Square (every harmonic below Nyquist, none above), or white Noise",
    ),
    ParamSpec::number(
        "freq",
        "Hz",
        0.0,
        20000.0,
        0.0,
        "a fixed frequency for every note; 0 plays each note at its own pitch (A4 = 440 Hz)",
    ),
    ParamSpec::number(
        "level",
        "dB",
        -60.0,
        0.0,
        -12.0,
        "peak level of one note at full velocity, dBFS before the track's fader",
    ),
];

pub const OFF_ON: &[&str] = &["Off", "On"];

/// The live input's channel, pairing, monitoring and level: one
/// description for the Input and the Looper.
const INPUT_CHANNEL: ParamSpec =
    ParamSpec::number("channel", "", 1.0, 8.0, 1.0, "input channel, from 1");
const INPUT_STEREO: ParamSpec = ParamSpec::choice(
    "stereo",
    OFF_ON,
    0,
    "On: this channel and the next; Off: this one on both sides",
);
const INPUT_MONITOR: ParamSpec =
    ParamSpec::choice("monitor", OFF_ON, 1, "On: hear the input through the track");
const INPUT_LEVEL: ParamSpec = ParamSpec::number("level", "dB", -60.0, 12.0, 0.0, "input gain");

pub const INPUT_PARAMS: &[ParamSpec] = &[INPUT_CHANNEL, INPUT_STEREO, INPUT_MONITOR, INPUT_LEVEL];

/// What the `looper` action asks a Looper, in the order the engine
/// numbers the commands (`engine::instrument::looper::LoopCmd`).
/// `press` is a hardware looper's one footswitch: empty → record,
/// recording → overdub once the loop closes, playing ↔ overdubbing.
pub const LOOPER_COMMANDS: &[&str] = &["record", "overdub", "play", "undo", "clear", "press"];

pub const LOOPER_PARAMS: &[ParamSpec] = &[
    ParamSpec::number("bars", "bars", 1.0, 16.0, 2.0, "loop length in bars"),
    INPUT_CHANNEL,
    INPUT_STEREO,
    INPUT_MONITOR,
    INPUT_LEVEL,
];

pub const SYNTH_PARAMS: &[ParamSpec] = &[
    ParamSpec::choice(
        "wave",
        WAVES,
        1,
        "oscillator waveform (saw and square are band-limited)",
    ),
    ParamSpec::number(
        "unison",
        "voices",
        1.0,
        2.0,
        2.0,
        "oscillators per note (1 or 2), detuned against each other",
    ),
    ParamSpec::number(
        "detune",
        "cents",
        0.0,
        100.0,
        8.0,
        "spread between the unison oscillators",
    ),
    ParamSpec::choice("filter", FILTERS, 0, "filter type"),
    ParamSpec::number(
        "cutoff",
        "Hz",
        20.0,
        20000.0,
        2000.0,
        "filter cutoff frequency",
    ),
    ParamSpec::number(
        "q",
        "",
        0.5,
        25.0,
        0.9,
        "filter resonance (0.707 = flat, 5+ = vocal, 20 = whistling)",
    ),
    ParamSpec::number(
        "env_amount",
        "octaves",
        -8.0,
        8.0,
        2.0,
        "how far the filter envelope moves the cutoff",
    ),
    ParamSpec::number(
        "f_attack",
        "s",
        0.0,
        10.0,
        0.002,
        "filter envelope attack time",
    ),
    ParamSpec::number(
        "f_decay",
        "s",
        0.001,
        10.0,
        0.25,
        "filter envelope decay time (back to the cutoff)",
    ),
    ParamSpec::number("attack", "s", 0.0, 10.0, 0.005, "amp envelope attack time"),
    ParamSpec::number("decay", "s", 0.001, 10.0, 0.2, "amp envelope decay time"),
    ParamSpec::number("sustain", "", 0.0, 1.0, 0.7, "amp envelope sustain level"),
    ParamSpec::number(
        "release",
        "s",
        0.001,
        10.0,
        0.15,
        "amp envelope release time",
    ),
    ParamSpec::number("pan", "", -1.0, 1.0, 0.0, "voice pan (-1 left, 1 right)"),
    ParamSpec::number(
        "spread",
        "",
        0.0,
        1.0,
        0.0,
        "alternate voices left and right by this much",
    ),
];

pub const FM_PARAMS: &[ParamSpec] = &[
    ParamSpec::number(
        "ratio",
        "x",
        0.25,
        16.0,
        1.0,
        "modulator frequency as a multiple of the note (whole numbers sound harmonic, others bell-like)",
    ),
    ParamSpec::number(
        "index",
        "",
        0.0,
        20.0,
        1.0,
        "modulation depth held while the note sustains (0 = pure sine, 1-3 = warm, 6+ = bright and metallic)",
    ),
    ParamSpec::number(
        "index_env",
        "",
        0.0,
        20.0,
        3.0,
        "extra modulation depth at the start of each note that fades away: the bite of the attack",
    ),
    ParamSpec::number(
        "index_decay",
        "s",
        0.005,
        10.0,
        0.3,
        "how long the extra attack depth takes to die away (to 1/1000)",
    ),
    ParamSpec::number(
        "feedback",
        "",
        0.0,
        1.0,
        0.0,
        "modulator fed back into itself: adds saw-like buzz, gritty near 1",
    ),
    ParamSpec::number("attack", "s", 0.0, 10.0, 0.003, "amp envelope attack time"),
    ParamSpec::number("decay", "s", 0.001, 10.0, 0.5, "amp envelope decay time (down to the sustain level)"),
    ParamSpec::number("sustain", "", 0.0, 1.0, 0.5, "amp envelope level while the key is held"),
    ParamSpec::number("release", "s", 0.001, 10.0, 0.25, "amp envelope fade after the key is let go"),
    ParamSpec::number("pan", "", -1.0, 1.0, 0.0, "position in the stereo field (-1 left, 0 centre, 1 right)"),
];

pub const PLUCK_PARAMS: &[ParamSpec] = &[
    ParamSpec::number(
        "brightness",
        "",
        0.0,
        1.0,
        0.7,
        "how bright the pluck itself is (0 = soft thumb, 1 = hard pick)",
    ),
    ParamSpec::number(
        "damping",
        "",
        0.0,
        1.0,
        0.3,
        "how fast the overtones die out, the same on every string (0 = bright steel, 0.5 = nylon, 1 = palm-muted thud)",
    ),
    ParamSpec::number(
        "decay",
        "s",
        0.05,
        20.0,
        2.0,
        "how long a held note rings, to -60 dB (strong damping can make it shorter)",
    ),
    ParamSpec::number(
        "release",
        "s",
        0.01,
        10.0,
        1.0,
        "after key-up the string is muted so it dies (to -60 dB) within this time; set it long to let notes ring",
    ),
    ParamSpec::number("pan", "", -1.0, 1.0, 0.0, "position in the stereo field (-1 left, 0 centre, 1 right)"),
];

const DRUM_PAN: ParamSpec = ParamSpec::number(
    "pan",
    "",
    -1.0,
    1.0,
    0.0,
    "position in the stereo field (-1 left, 0 centre, 1 right)",
);

pub const KICK_PARAMS: &[ParamSpec] = &[
    ParamSpec::number(
        "tune",
        "Hz",
        30.0,
        120.0,
        50.0,
        "pitch of the body the kick settles on (40-60 Hz is classic)",
    ),
    ParamSpec::number(
        "decay",
        "s",
        0.05,
        2.0,
        0.5,
        "how long the boom lasts (to -60 dB); long values give 808-style sub bass",
    ),
    ParamSpec::number(
        "punch",
        "",
        0.0,
        1.0,
        0.5,
        "how far the pitch drops at the start: 0 = soft thud, 1 = hard, zappy attack",
    ),
    ParamSpec::number(
        "click",
        "",
        0.0,
        1.0,
        0.3,
        "level of the beater click that helps the kick cut through a mix",
    ),
    DRUM_PAN,
];

pub const SNARE_PARAMS: &[ParamSpec] = &[
    ParamSpec::number("tune", "Hz", 100.0, 400.0, 185.0, "pitch of the drum head"),
    ParamSpec::number(
        "decay",
        "s",
        0.05,
        1.5,
        0.22,
        "how long the snare wires rattle (to -60 dB); the head rings about half as long",
    ),
    ParamSpec::number(
        "snappy",
        "",
        0.0,
        1.0,
        0.6,
        "balance of wires against head: 0 = tom-like, 1 = all rattle",
    ),
    ParamSpec::number(
        "tone",
        "",
        0.0,
        1.0,
        0.5,
        "brightness of the wires: 0 = dark and papery, 1 = crisp and hissy",
    ),
    DRUM_PAN,
];

pub const HAT_CLOSED_PARAMS: &[ParamSpec] = &[
    ParamSpec::number(
        "tone",
        "",
        0.0,
        1.0,
        0.6,
        "brightness: 0 = dark and trashy, 1 = thin and sizzling",
    ),
    ParamSpec::number(
        "decay",
        "s",
        0.01,
        0.5,
        0.06,
        "length of the tick (to -60 dB)",
    ),
    DRUM_PAN,
];

pub const HAT_OPEN_PARAMS: &[ParamSpec] = &[
    ParamSpec::number(
        "tone",
        "",
        0.0,
        1.0,
        0.6,
        "brightness: 0 = dark and trashy, 1 = thin and sizzling",
    ),
    ParamSpec::number(
        "decay",
        "s",
        0.05,
        3.0,
        0.45,
        "how long the hat rings open (to -60 dB)",
    ),
    DRUM_PAN,
];

pub const CLAP_PARAMS: &[ParamSpec] = &[
    ParamSpec::number(
        "tone",
        "",
        0.0,
        1.0,
        0.5,
        "colour of the clap: 0 = low and boxy, 1 = bright and thin",
    ),
    ParamSpec::number(
        "decay",
        "s",
        0.05,
        2.0,
        0.3,
        "length of the tail after the claps (to -60 dB), like the room's reverb",
    ),
    ParamSpec::number(
        "spread",
        "",
        0.0,
        1.0,
        0.5,
        "time between the hands: 0 = one tight slap, 1 = a loose group",
    ),
    DRUM_PAN,
];

pub const SAMPLE_PARAMS: &[ParamSpec] = &[
    ParamSpec::path("file", "the audio file to play: WAV, FLAC, Ogg Vorbis or MP3 (path relative to the session file)"),
    ParamSpec::number("gain", "dB", -60.0, 12.0, 0.0, "level of the sample"),
    ParamSpec::number("pitch", "semitones", -24.0, 24.0, 0.0, "transpose: also changes speed and length, like a turntable"),
    ParamSpec::number("start", "", 0.0, 1.0, 0.0, "where playback begins, as a fraction of the sample's length"),
    ParamSpec::number("attack", "s", 0.0, 2.0, 0.002, "fade-in at the start (a couple of ms keeps a cut-in start from clicking)"),
    ParamSpec::number(
        "release",
        "s",
        0.0,
        5.0,
        0.0,
        "0 = one-shot: the sample always plays to its end; above 0, letting go of the key fades it out over this time",
    ),
    ParamSpec::number("pan", "", -1.0, 1.0, 0.0, "stereo balance (-1 left, 0 centre, 1 right)"),
    ParamSpec::number("end", "", 0.0, 1.0, 1.0, "where playback stops, as a fraction of the sample's length"),
    ParamSpec::number("rate", "x", 0.1, 8.0, 1.0, "playback speed (2 = twice as fast, half as long, an octave up)"),
    ParamSpec::choice("reverse", &["off", "on"], 0, "on: play from `end` back to `start`"),
    ParamSpec::choice("loop", &["off", "on"], 0, "on: repeat between `loop_start` and `loop_end` until the key is let go (5 ms crossfade at the seam)"),
    ParamSpec::number("loop_start", "", 0.0, 1.0, 0.0, "loop start, as a fraction of the sample's length"),
    ParamSpec::number("loop_end", "", 0.0, 1.0, 1.0, "loop end, as a fraction of the sample's length"),
    ParamSpec::number("fade_out", "s", 0.0, 10.0, 0.0, "fade before the end of the played region (at least 3 ms)"),
    ParamSpec::number("slices", "", 1.0, 64.0, 1.0, "cut start..end into this many equal slices, played at the original pitch"),
    ParamSpec::choice("slice_by", &["note", "hit"], 0, "note: note 60 plays slice 1, 61 slice 2... (wrapping); hit: each hit plays the next slice, so Steps(\"xxxx\") replays them in order (stop starts again from slice 1)"),
    ParamSpec::choice(
        "slice_at",
        &["equal", "markers"],
        0,
        "equal: `slices` equal parts; markers: one slice per slice marker (WAV cue point) between `start` and `end`, each running to the next (the count is the file's, `slices` is ignored); a file without markers falls back to equal slices",
    ),
];
