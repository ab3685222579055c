//! Effect chains: the kinds of effect a session can use (each with its
//! parameter table), and the stereo chains tracks, buses and the master run
//! their sound through.
//!
//! A chain is built (and every buffer allocated) on the control thread from
//! the session's effect list, then handed to the audio thread whole;
//! `process`, `set_param` and `set_tempo` run on the audio thread and never
//! allocate. The DSP of each kind lives in [`super::fx`]; this file owns the
//! tables, the per-effect dry/wet and bypass, and parameter smoothing.

use super::fx::{self, Ctx, Fx};
use super::instrument::ParamSpec;
use super::MAX_BLOCK;

/// Most parameters any effect kind has (mix and bypass included).
pub const MAX_PARAMS: usize = 16;

/// Parameter glide time constant, seconds.
const GLIDE_S: f32 = 0.02;

const fn mix(default: f32) -> ParamSpec {
    ParamSpec::number(
        "mix",
        "",
        0.0,
        1.0,
        default,
        "wet share of the output (0 dry only, 1 wet only)",
    )
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
    ParamSpec::choice("sync", fx::delay::SYNC, 0, "delay time as a note value at the session tempo (a beat is a quarter note); off uses `time`"),
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
        fx::distort::SHAPES,
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
    /// [`EffectChain::set_param`]); the others need the chain rebuilt.
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

/// One effect in a chain: its DSP plus smoothed parameters, dry/wet and bypass.
/// Audio thread, except `new`.
pub struct Stage {
    kind: EffectKind,
    fx: Box<dyn Fx>,
    n: usize,
    target: [f32; MAX_PARAMS],
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
        let fx = fx::build(spec.kind, &spec.values[..n], &ctx);
        let mut s = Self {
            kind: spec.kind,
            fx,
            n,
            target: spec.values,
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

    fn wet_target(&self) -> f32 {
        self.current[self.n - 2] * (1.0 - self.current[self.n - 1])
    }

    /// Audio thread: move parameter `index` towards `value` (choices jump,
    /// numbers and bypass glide).
    pub fn set_param(&mut self, index: usize, value: f32) {
        if index >= self.n || !value.is_finite() {
            return;
        }
        self.target[index] = value;
        let glides = matches!(
            self.kind.params()[index].kind,
            super::instrument::ParamKind::Number
        ) || index == self.n - 1;
        if !glides {
            self.current[index] = value;
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
        let a = (-(frames as f32) / (GLIDE_S * self.ctx.rate)).exp();
        let mut still = false;
        for i in 0..self.n {
            let (c, t) = (self.current[i], self.target[i]);
            if c != t {
                let next = t + (c - t) * a;
                if (next - t).abs() <= 1e-4 * t.abs().max(1.0) {
                    self.current[i] = t;
                } else {
                    self.current[i] = next;
                    still = true;
                }
            }
        }
        self.fx.set(&self.current[..self.n], &self.ctx);
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
                let (sl, sr) = (&mut self.dry_l[..n], &mut self.dry_r[..n]);
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
        let (l, r) = (&mut l[..n], &mut r[..n]);
        self.dry_l[..n].copy_from_slice(l);
        self.dry_r[..n].copy_from_slice(r);
        self.fx.process(l, r);
        if from >= 1.0 && to >= 1.0 {
            return;
        }
        let step = (to - from) / n as f32;
        for i in 0..n {
            let w = from + step * (i + 1) as f32;
            l[i] = self.dry_l[i] + (l[i] - self.dry_l[i]) * w;
            r[i] = self.dry_r[i] + (r[i] - self.dry_r[i]) * w;
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
            for s in &mut self.stages {
                s.process(&mut left[start..start + n], &mut right[start..start + n]);
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
        let n = Ord::min(left.len(), super::MAX_BLOCK);
        match self.old.as_deref_mut() {
            Some(old) if self.old_gain > 0.0 => {
                self.buf_l[..n].copy_from_slice(&left[..n]);
                self.buf_r[..n].copy_from_slice(&right[..n]);
                self.current.process(&mut left[..n], &mut right[..n]);
                old.process(&mut self.buf_l[..n], &mut self.buf_r[..n]);
                for i in 0..n {
                    let w = self.old_gain;
                    left[i] = left[i] * (1.0 - w) + self.buf_l[i] * w;
                    right[i] = right[i] * (1.0 - w) + self.buf_r[i] * w;
                    self.old_gain = f32::max(w - self.step, 0.0);
                }
            }
            _ => self.current.process(&mut left[..n], &mut right[..n]),
        }
    }
}
