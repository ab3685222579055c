//! The synthesized drum kit: kick, snare, closed and open hi-hat, clap. One
//! [`Drum`] type plays any of them; each kind has its own parameter table.
//!
//! - Kick: a sine whose pitch falls onto `tune` from up to three octaves
//!   above (`punch`), plus a short band-passed noise click.
//! - Snare: two detuned sine modes (a drum head's first two) with a small
//!   pitch drop, plus band-limited noise for the wires.
//! - Hats: six square oscillators at inharmonic ratios (the classic analogue
//!   recipe) mixed with noise and high-passed.
//! - Clap: noise through a band-pass, enveloped as three quick bursts and a
//!   tail.
//!
//! Envelopes are applied before the noise filters, so restarting a burst is
//! smoothed by the filter instead of clicking. Drums are one-shots: note-off
//! is ignored; `all_notes_off` fades everything out within
//! [`STEAL_FADE_S`](super::voice::STEAL_FADE_S). Note 60 plays at the
//! drum's own tune; other notes transpose it by semitones.
//!
//! [`Drum::new`] runs on the control thread. Everything else runs on the
//! audio thread and never allocates, locks or panics. Filter coefficients are
//! updated every [`SUB`] samples so `tone` glides.

use super::voice::{Adsr, Noise, VoiceAlloc};
use super::{sane_rate, Instrument};
use crate::engine::dsp::{
    frames_mut, pan_gains, sane, sin_turns_coarse as sin_turns, PanRamp, Smoother, Snap,
};
use crate::kinds::instrument::{
    CLAP_PARAMS, HAT_CLOSED_PARAMS, HAT_OPEN_PARAMS, KICK_PARAMS, SNARE_PARAMS,
};
use crate::kinds::param::ParamSpec;
use crate::kinds::Controls;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DrumKind {
    Kick,
    Snare,
    HatClosed,
    HatOpen,
    Clap,
}

impl DrumKind {
    pub fn params(self) -> &'static [ParamSpec] {
        match self {
            Self::Kick => KICK_PARAMS,
            Self::Snare => SNARE_PARAMS,
            Self::HatClosed => HAT_CLOSED_PARAMS,
            Self::HatOpen => HAT_OPEN_PARAMS,
            Self::Clap => CLAP_PARAMS,
        }
    }
}

/// Control-rate interval (samples) for filter coefficients.
pub const SUB: usize = 32;
/// -90 dB: an envelope below this is inaudible; the hit is over.
const SILENT: f32 = 3.16e-5;
/// Glide time constant for `tone` and `pan`.
const GLIDE_S: f32 = 0.01;
/// The classic analogue hat's six square-wave frequencies (Hz), scaled up
/// by [`HAT_SCALE`] so the metal sits higher, where hats live.
const HAT_HZ: [f32; 6] = [205.3, 304.4, 369.6, 522.7, 540.0, 800.0];
const HAT_SCALE: f32 = 1.7;

/// What a parameter index means, resolved once from the table's names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Tune,
    Decay,
    Punch,
    Click,
    Snappy,
    Tone,
    Spread,
    Pan,
    None,
}

impl Field {
    fn of(name: &str) -> Self {
        match name {
            "tune" => Self::Tune,
            "decay" => Self::Decay,
            "punch" => Self::Punch,
            "click" => Self::Click,
            "snappy" => Self::Snappy,
            "tone" => Self::Tone,
            "spread" => Self::Spread,
            "pan" => Self::Pan,
            _ => Self::None,
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Settings {
    tune: f32,
    decay: f32,
    punch: f32,
    click: f32,
    snappy: f32,
    tone: f32,
    spread: f32,
}

/// Per-sample multiplier that takes an exponential 60 dB down in `seconds`.
#[inline]
fn decay_mul(seconds: f32, rate: f32) -> f32 {
    (0.001f32.ln() / (seconds * rate).max(1.0)).exp()
}

/// State-variable filter (trapezoidal, so it stays stable while its cutoff
/// moves).
#[derive(Debug, Clone, Copy, Default)]
struct Svf {
    ic1: f32,
    ic2: f32,
    a1: f32,
    a2: f32,
    a3: f32,
    k: f32,
}

impl Svf {
    fn set(&mut self, hz: f32, q: f32, rate: f32) {
        let g = (std::f32::consts::PI * hz.clamp(10.0, 0.45 * rate) / rate).tan();
        self.k = 1.0 / q.max(0.1);
        self.a1 = 1.0 / (1.0 + g * (g + self.k));
        self.a2 = g * self.a1;
        self.a3 = g * self.a2;
    }

    /// Returns (low, band, high).
    #[inline]
    fn run(&mut self, x: f32) -> (f32, f32, f32) {
        let v3 = x - self.ic2;
        let v1 = self.a1 * self.ic1 + self.a2 * v3;
        let v2 = self.ic2 + self.a2 * self.ic1 + self.a3 * v3;
        self.ic1 = 2.0 * v1 - self.ic1;
        self.ic2 = 2.0 * v2 - self.ic2;
        (v2, v1, x - self.k * v1 - v2)
    }

    fn flush(&mut self) {
        if self.ic1.abs() < 1e-20 {
            self.ic1 = 0.0;
        }
        if self.ic2.abs() < 1e-20 {
            self.ic2 = 0.0;
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Hit {
    /// Samples since the hit.
    t: u32,
    gain: f32,
    /// The hit's own pan gains (a pattern's `pan`), else the instrument's.
    pan: Option<(f32, f32)>,
    /// Transposition factor from the note.
    ratio: f32,
    /// Oscillator phases (turns) and increments.
    ph: [f32; 6],
    inc: [f32; 6],
    /// Main and secondary amplitude envelopes with their multipliers.
    amp: f32,
    amp_mul: f32,
    amp2: f32,
    amp2_mul: f32,
    /// Pitch envelope (kick/snare) 1 → 0.
    pitch: f32,
    pitch_mul: f32,
    /// Clap burst spacing in samples.
    gap: u32,
    noise: Noise,
    f1: Svf,
    f2: Svf,
    /// Stays at 1 for the hit; fades fast when stolen or on all-notes-off.
    gate: Adsr,
}

impl Hit {
    fn new(slot: usize) -> Self {
        Self {
            t: 0,
            gain: 0.0,
            pan: None,
            ratio: 1.0,
            ph: [0.0; 6],
            inc: [0.0; 6],
            amp: 0.0,
            amp_mul: 0.0,
            amp2: 0.0,
            amp2_mul: 0.0,
            pitch: 0.0,
            pitch_mul: 0.0,
            gap: 1,
            noise: Noise((0x6C07_8965u32.wrapping_mul(slot as u32 + 1) ^ 0x9E37_79B9) | 1),
            f1: Svf::default(),
            f2: Svf::default(),
            gate: Adsr::default(),
        }
    }
}

pub struct Drum {
    kind: DrumKind,
    alloc: VoiceAlloc,
    hits: Box<[Hit]>,
    fields: [Field; 5],
    set: Settings,
    tone: Smoother,
    pan: Smoother,
    rate: f32,
}

impl Drum {
    /// Control thread: `values` follow `kind.params()` (missing ones take
    /// defaults).
    pub fn new(kind: DrumKind, values: &[f32], voices: usize, rate: f32) -> Self {
        let rate = sane_rate(rate);
        let alloc = VoiceAlloc::new(voices);
        let slots = alloc.capacity();
        let glide = |v| Smoother::new(v, GLIDE_S, rate).with_snap(Snap::Never);
        let mut d = Self {
            kind,
            alloc,
            hits: (0..slots).map(Hit::new).collect(),
            fields: [Field::None; 5],
            set: Settings {
                tune: 1.0,
                decay: 0.3,
                punch: 0.0,
                click: 0.0,
                snappy: 0.5,
                tone: 0.5,
                spread: 0.5,
            },
            tone: glide(0.5),
            pan: glide(0.0),
            rate,
        };
        for (i, p) in kind.params().iter().enumerate().take(d.fields.len()) {
            if let Some(f) = d.fields.get_mut(i) {
                *f = Field::of(p.name);
            }
            d.set_param(i, values.get(i).copied().unwrap_or(p.default));
        }
        d.tone.value = d.set.tone;
        d.pan.value = d.pan.target;
        d
    }

    /// Audio thread: filter settings for one hit at the current (gliding) tone.
    fn tune_filters(kind: DrumKind, h: &mut Hit, tone: f32, rate: f32) {
        let r = h.ratio;
        match kind {
            DrumKind::Kick => {
                h.f1.set(4_000.0 * r, 0.8, rate);
            }
            DrumKind::Snare => {
                h.f1.set(2_000.0 * 6f32.powf(tone) * r, 0.7, rate);
                h.f2.set(700.0 * r, 0.7, rate);
            }
            DrumKind::HatClosed | DrumKind::HatOpen => {
                let cut = 3_500.0 * 3f32.powf(tone) * r;
                h.f1.set(cut, 1.1, rate);
                h.f2.set(cut * 0.7, 0.7, rate);
            }
            DrumKind::Clap => {
                h.f1.set(700.0 * 4.5f32.powf(tone) * r, 1.6, rate);
                h.f2.set(350.0 * r, 0.7, rate);
            }
        }
    }
}

impl Instrument for Drum {
    /// Audio thread.
    fn note_on_with(&mut self, note: f32, velocity: f32, controls: &Controls) {
        if !note.is_finite() {
            return;
        }
        let rate = self.rate;
        let start = self.alloc.start(note);
        if let Some(victim) = start.steal.and_then(|s| self.hits.get_mut(s)) {
            victim.gate.fast_release(rate);
        }
        let (kind, s, tone) = (self.kind, self.set, self.tone.value);
        let Some(h) = self.hits.get_mut(start.slot) else {
            return;
        };
        if h.gate.is_idle() {
            // A free voice starts from rest; a fading one keeps its filter
            // state so the new hit grows out of it instead of jumping.
            let noise = h.noise;
            *h = Hit::new(start.slot);
            h.noise = noise;
        }
        h.t = 0;
        h.gain = sane(velocity, 0.0, 1.0, 0.0) * controls.gain;
        h.pan = controls.pan.map(pan_gains);
        h.ratio = ((note - 60.0) / 12.0).clamp(-5.0, 5.0).exp2();
        h.ph = [0.0; 6];
        let r = h.ratio;
        match kind {
            DrumKind::Kick => {
                h.inc[0] = s.tune * r / rate;
                h.amp = 1.0;
                h.amp_mul = decay_mul(s.decay, rate);
                // The click: a few milliseconds of noise.
                h.amp2 = 1.0;
                h.amp2_mul = decay_mul(0.012, rate);
                h.pitch = 1.0;
                // The sweep is quicker for short kicks so it does not smear.
                h.pitch_mul = decay_mul(0.05 + 0.1 * s.decay.min(1.0), rate);
            }
            DrumKind::Snare => {
                h.inc[0] = s.tune * r / rate;
                // A membrane's second mode sits about 1.59× above the first.
                h.inc[1] = s.tune * 1.59 * r / rate;
                h.amp = 1.0;
                h.amp_mul = decay_mul(s.decay * 0.5, rate);
                h.amp2 = 1.0;
                h.amp2_mul = decay_mul(s.decay, rate);
                h.pitch = 1.0;
                h.pitch_mul = decay_mul(0.03, rate);
            }
            DrumKind::HatClosed | DrumKind::HatOpen => {
                for (inc, hz) in h.inc.iter_mut().zip(HAT_HZ) {
                    *inc = (hz * HAT_SCALE * r / rate).min(0.49);
                }
                h.amp = 1.0;
                h.amp_mul = decay_mul(s.decay, rate);
            }
            DrumKind::Clap => {
                h.gap = ((0.004 + 0.016 * s.spread) * rate).max(1.0) as u32;
                h.amp = 1.0;
                h.amp_mul = decay_mul(0.008 + 0.3 * h.gap as f32 / rate, rate);
                h.amp2 = 0.0;
                h.amp2_mul = decay_mul(s.decay, rate);
            }
        }
        Self::tune_filters(kind, h, tone, rate);
        h.gate.trigger(0.0, 0.001, 1.0, rate);
    }

    /// Audio thread: drums are one-shots, so key-up changes nothing.
    fn note_off(&mut self, _note: f32) {}

    /// Audio thread: everything fades out within
    /// [`STEAL_FADE_S`](super::voice::STEAL_FADE_S).
    fn all_notes_off(&mut self) {
        let rate = self.rate;
        for (slot, h) in self.hits.iter_mut().enumerate() {
            if !self.alloc.is_free(slot) {
                h.gate.fast_release(rate);
            }
        }
        self.alloc.release_all(|_| {});
    }

    /// Audio thread.
    fn params(&self) -> &'static [ParamSpec] {
        self.kind.params()
    }

    /// Audio thread.
    fn apply_param(&mut self, index: usize, v: f32) {
        let s = &mut self.set;
        match self.fields.get(index).copied().unwrap_or(Field::None) {
            Field::Tune => s.tune = v,
            Field::Decay => s.decay = v,
            Field::Punch => s.punch = v,
            Field::Click => s.click = v,
            Field::Snappy => s.snappy = v,
            Field::Tone => s.tone = v,
            Field::Spread => s.spread = v,
            Field::Pan => self.pan.target = v,
            Field::None => {}
        }
    }

    /// Audio thread.
    fn render(&mut self, left: &mut [f32], right: &mut [f32]) {
        let n = left.len().min(right.len());
        if n == 0 {
            return;
        }
        let rate = self.rate;
        let kind = self.kind;
        let s = self.set;
        let pan_start = self.pan.value;
        let pan = PanRamp::new(pan_start, self.pan.advance(n), n);

        let mut done = 0;
        while done < n {
            let len = (n - done).min(SUB);
            self.tone.set(s.tone);
            let tone = self.tone.advance(len);
            for (slot, h) in self.hits.iter_mut().enumerate() {
                if self.alloc.is_free(slot) {
                    continue;
                }
                Self::tune_filters(kind, h, tone, rate);
                for (i, (out_l, out_r)) in frames_mut(left, right, done, len) {
                    let x = match kind {
                        DrumKind::Kick => kick(h, &s),
                        DrumKind::Snare => snare(h, &s),
                        DrumKind::HatClosed | DrumKind::HatOpen => hat(h),
                        DrumKind::Clap => clap(h),
                    };
                    h.t = h.t.saturating_add(1);
                    let out = x * h.gain * h.gate.next();
                    let t = i as f32;
                    let (gl, gr) = pan.at_or(t, h.pan);
                    *out_l += out * gl;
                    *out_r += out * gr;
                }
                h.f1.flush();
                h.f2.flush();
                // Clap tails start late; until then the hit is not over.
                let pending = kind == DrumKind::Clap && h.t <= 3 * h.gap;
                let over = !pending && h.amp < SILENT && h.amp2 < SILENT;
                if over || h.gate.is_idle() {
                    h.gate = Adsr::default();
                    self.alloc.free(slot);
                }
            }
            done += len;
        }
    }

    fn active_voices(&self) -> usize {
        self.alloc.sounding()
    }
}

#[inline]
fn step_env(v: &mut f32, mul: f32) {
    *v *= mul;
    if *v < 1e-20 {
        *v = 0.0;
    }
}

#[inline]
fn advance(ph: &mut f32, inc: f32) {
    *ph += inc;
    *ph -= ph.floor();
}

/// Audio thread: the next sample of a kick hit.
#[inline]
fn kick(h: &mut Hit, s: &Settings) -> f32 {
    // Start up to ~3 octaves above the body and fall onto it.
    let sweep = 1.0 + s.punch * 7.0 * h.pitch * h.pitch;
    let body = sin_turns(h.ph[0]);
    advance(&mut h.ph[0], (h.inc[0] * sweep).min(0.45));
    // A 1 ms fade-in turns the phase-zero start into a firm push, not a tick.
    let attack = (h.t as f32 * 0.05).min(1.0);
    let (_, click, _) = h.f1.run(h.noise.next() * h.amp2);
    let out = 0.9 * body * h.amp * attack + s.click * 1.2 * click;
    step_env(&mut h.amp, h.amp_mul);
    step_env(&mut h.amp2, h.amp2_mul);
    step_env(&mut h.pitch, h.pitch_mul);
    out
}

/// Audio thread: the next sample of a snare hit.
#[inline]
fn snare(h: &mut Hit, s: &Settings) -> f32 {
    let bend = 1.0 + 0.35 * h.pitch;
    let body = 0.65 * sin_turns(h.ph[0]) + 0.35 * sin_turns(h.ph[1]);
    advance(&mut h.ph[0], h.inc[0] * bend);
    advance(&mut h.ph[1], h.inc[1] * bend);
    let (wires, _, _) = h.f1.run(h.noise.next() * h.amp2);
    let (_, _, wires) = h.f2.run(wires);
    let attack = (h.t as f32 * 0.1).min(1.0);
    let out = 0.8 * (1.0 - 0.75 * s.snappy) * body * h.amp * attack + 1.1 * s.snappy * wires;
    step_env(&mut h.amp, h.amp_mul);
    step_env(&mut h.amp2, h.amp2_mul);
    step_env(&mut h.pitch, h.pitch_mul);
    out
}

/// Audio thread: the next sample of a hi-hat hit.
#[inline]
fn hat(h: &mut Hit) -> f32 {
    let mut metal = 0.0;
    for (ph, inc) in h.ph.iter_mut().zip(h.inc) {
        metal += if *ph < 0.5 { 1.0 } else { -1.0 };
        advance(ph, inc);
    }
    let x = (metal * (1.0 / 6.0) * 0.6 + h.noise.next() * 0.5) * h.amp;
    let (_, _, hi) = h.f1.run(x);
    let (_, _, hi) = h.f2.run(hi);
    step_env(&mut h.amp, h.amp_mul);
    0.55 * hi
}

/// Audio thread: the next sample of a clap hit.
#[inline]
fn clap(h: &mut Hit) -> f32 {
    // Three hands, then the tail from the fourth onwards.
    if h.t == h.gap || h.t == 2 * h.gap {
        h.amp = 1.0;
    } else if h.t == 3 * h.gap {
        h.amp = 1.0;
        h.amp2 = 0.7;
    }
    let x = h.noise.next() * (h.amp + h.amp2);
    let (_, band, _) = h.f1.run(x);
    let (_, _, out) = h.f2.run(band);
    step_env(&mut h.amp, h.amp_mul);
    step_env(&mut h.amp2, h.amp2_mul);
    1.1 * out
}

#[cfg(test)]
mod tests;
