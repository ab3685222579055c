//! Effect chains: stereo fundsp graphs that tracks and the master run their
//! sound through.
//!
//! A chain is built (and its buffers allocated) on the control thread from
//! the session's effect list, then handed to the audio thread whole; `process`
//! runs on the audio thread in fundsp's 64-frame chunks and never allocates.

use fundsp::prelude32::*;

use super::instrument::ParamSpec;

/// Every kind of effect a chain can hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EffectKind {
    Reverb,
    Delay,
    Lowpass,
    Highpass,
    Drive,
}

pub const REVERB_PARAMS: &[ParamSpec] = &[
    ParamSpec::number("room", "m", 1.0, 100.0, 20.0, "size of the simulated room"),
    ParamSpec::number(
        "time",
        "s",
        0.1,
        30.0,
        2.0,
        "decay time of the tail (to -60 dB)",
    ),
    ParamSpec::number(
        "damping",
        "",
        0.0,
        1.0,
        0.5,
        "how fast high frequencies die away",
    ),
    ParamSpec::number(
        "mix",
        "",
        0.0,
        1.0,
        0.25,
        "wet share of the output (0 dry, 1 wet only)",
    ),
];
pub const DELAY_PARAMS: &[ParamSpec] = &[
    ParamSpec::number("time", "s", 0.001, 4.0, 0.375, "delay time"),
    ParamSpec::number(
        "feedback",
        "",
        0.0,
        0.95,
        0.4,
        "share of each repeat fed back",
    ),
    ParamSpec::number("mix", "", 0.0, 1.0, 0.3, "wet share of the output"),
];
pub const FILTER_PARAMS: &[ParamSpec] = &[
    ParamSpec::number("cutoff", "Hz", 20.0, 20000.0, 1000.0, "cutoff frequency"),
    ParamSpec::number("q", "", 0.5, 20.0, 0.707, "resonance (0.707 = flat)"),
];
pub const DRIVE_PARAMS: &[ParamSpec] = &[ParamSpec::number(
    "gain",
    "dB",
    0.0,
    48.0,
    12.0,
    "how hard the signal is pushed into the soft clipper",
)];

impl EffectKind {
    pub const ALL: [EffectKind; 5] = [
        Self::Reverb,
        Self::Delay,
        Self::Lowpass,
        Self::Highpass,
        Self::Drive,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Self::Reverb => "Reverb",
            Self::Delay => "Delay",
            Self::Lowpass => "Lowpass",
            Self::Highpass => "Highpass",
            Self::Drive => "Drive",
        }
    }

    pub fn doc(self) -> &'static str {
        match self {
            Self::Reverb => "algorithmic stereo reverb",
            Self::Delay => "feedback delay, each side separately",
            Self::Lowpass => "resonant 2-pole low-pass filter",
            Self::Highpass => "resonant 2-pole high-pass filter",
            Self::Drive => "soft-clip saturation, output trimmed to the input level",
        }
    }

    pub fn params(self) -> &'static [ParamSpec] {
        match self {
            Self::Reverb => REVERB_PARAMS,
            Self::Delay => DELAY_PARAMS,
            Self::Lowpass | Self::Highpass => FILTER_PARAMS,
            Self::Drive => DRIVE_PARAMS,
        }
    }

    /// The runtime description from validated parameter values.
    pub fn spec(self, v: &[f32]) -> EffectSpec {
        let p = |i: usize| v.get(i).copied().unwrap_or(self.params()[i].default);
        match self {
            Self::Reverb => EffectSpec::Reverb {
                room: p(0),
                time: p(1),
                damping: p(2),
                mix: p(3),
            },
            Self::Delay => EffectSpec::Delay {
                time: p(0),
                feedback: p(1),
                mix: p(2),
            },
            Self::Lowpass => EffectSpec::Lowpass {
                cutoff: p(0),
                q: p(1),
            },
            Self::Highpass => EffectSpec::Highpass {
                cutoff: p(0),
                q: p(1),
            },
            Self::Drive => EffectSpec::Drive { gain: p(0) },
        }
    }
}

/// An effect as the session describes it (values already validated).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum EffectSpec {
    /// Algorithmic stereo reverb: room size (m), decay time (s), damping 0..1, wet mix 0..1.
    Reverb {
        room: f32,
        time: f32,
        damping: f32,
        mix: f32,
    },
    /// Feedback delay: time (s), feedback 0..0.95, wet mix 0..1.
    Delay { time: f32, feedback: f32, mix: f32 },
    /// Resonant 2-pole low-pass: cutoff (Hz), q.
    Lowpass { cutoff: f32, q: f32 },
    /// Resonant 2-pole high-pass: cutoff (Hz), q.
    Highpass { cutoff: f32, q: f32 },
    /// Soft-clip drive: gain (dB) into tanh, output trimmed back.
    Drive { gain: f32 },
}

/// A chain of stereo effects, in order.
pub struct EffectChain {
    unit: Box<dyn AudioUnit>,
    input: BufferArray<U2>,
    output: BufferArray<U2>,
    empty: bool,
}

impl std::fmt::Debug for EffectChain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EffectChain")
            .field("empty", &self.empty)
            .finish()
    }
}

fn stereo(spec: &EffectSpec) -> Box<dyn AudioUnit> {
    match *spec {
        EffectSpec::Reverb {
            room,
            time,
            damping,
            mix,
        } => {
            Box::new((multipass::<U2>() * (1.0 - mix)) & (reverb_stereo(room, time, damping) * mix))
        }
        EffectSpec::Delay {
            time,
            feedback: fb,
            mix,
        } => {
            let side = || (pass() * (1.0 - mix)) & (feedback(delay(time) * fb) * mix);
            Box::new(side() | side())
        }
        EffectSpec::Lowpass { cutoff, q } => {
            Box::new(lowpass_hz(cutoff, q) | lowpass_hz(cutoff, q))
        }
        EffectSpec::Highpass { cutoff, q } => {
            Box::new(highpass_hz(cutoff, q) | highpass_hz(cutoff, q))
        }
        EffectSpec::Drive { gain } => {
            let g = 10f32.powf(gain / 20.0);
            let trim = 1.0 / g.tanh().max(1e-3);
            let side = move || (pass() * g) >> (shape(Tanh(1.0)) * trim);
            Box::new(side() | side())
        }
    }
}

impl EffectChain {
    /// Control thread: build and preallocate the chain at `rate` Hz.
    pub fn new(specs: &[EffectSpec], rate: f32) -> Self {
        let mut net = Box::new(multipass::<U2>()) as Box<dyn AudioUnit>;
        for s in specs {
            let next = stereo(s);
            let mut chain = Net::wrap(net);
            chain = chain >> Net::wrap(next);
            net = Box::new(chain);
        }
        net.set_sample_rate(rate as f64);
        net.allocate();
        Self {
            unit: net,
            input: BufferArray::new(),
            output: BufferArray::new(),
            empty: specs.is_empty(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.empty
    }

    /// Audio thread: process in place.
    pub fn process(&mut self, left: &mut [f32], right: &mut [f32]) {
        if self.empty {
            return;
        }
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
