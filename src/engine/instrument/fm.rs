//! The two-operator FM synth: a sine modulator (with optional self-feedback)
//! at `ratio` times the note frequency drives the phase of a sine carrier.
//! The modulation depth is a steady `index` plus an attack burst
//! (`index_env`) that fades over `index_decay`; a linear ADSR shapes the level.
//!
//! [`Fm::new`] runs on the control thread and sizes everything. `note_on`,
//! `note_off`, `all_notes_off`, `set_param`, `render` and `active_voices` run
//! on the audio thread: they never allocate, lock or panic.

use super::voice::{note_hz, Adsr, VoiceAlloc};
use super::{sane_rate, sane_values, Instrument};
use crate::engine::dsp::{pan_gains, sane, sin_turns, PanRamp, Smoother, Snap};
use crate::kinds::instrument::FM_PARAMS as PARAMS;
use crate::kinds::param::ParamSpec;
use crate::kinds::Controls;

const P_RATIO: usize = 0;
const P_INDEX: usize = 1;
const P_INDEX_ENV: usize = 2;
const P_INDEX_DECAY: usize = 3;
const P_FEEDBACK: usize = 4;
const P_ATTACK: usize = 5;
const P_DECAY: usize = 6;
const P_SUSTAIN: usize = 7;
const P_RELEASE: usize = 8;
const P_PAN: usize = 9;

/// Peak output of one voice at full velocity, leaving headroom for chords.
const LEVEL: f32 = 0.5;
/// Phase offset (in turns) that full feedback adds: about 1.5 rad, where the
/// modulator has become saw-like but not yet chaotic.
const FB_TURNS: f32 = 0.24;
/// Glide time constant for knob moves: fast enough to feel immediate, slow
/// enough that a jump in depth or ratio does not click.
const GLIDE_S: f32 = 0.01;
const TAU: f32 = std::f32::consts::TAU;

/// A knob's glide: a one-pole evaluated exactly at block ends and linear
/// inside a block, so the result does not depend on how the engine splits
/// blocks.
fn glide(v: f32, rate: f32) -> Smoother {
    Smoother::new(v, GLIDE_S, rate).with_snap(Snap::Relative(1e-6))
}

#[derive(Debug, Clone, Copy, Default)]
struct Voice {
    /// Carrier and modulator phase, in turns.
    pc: f32,
    pm: f32,
    /// Carrier phase increment per sample (turns).
    inc: f32,
    /// Attack index envelope, 1 → 0.
    idx_env: f32,
    idx_mul: f32,
    /// Last two modulator outputs; feedback uses their mean, which keeps it
    /// from oscillating at Nyquist.
    fb1: f32,
    fb2: f32,
    gain: f32,
    /// The note's own pan gains (a pattern's `pan`), else the instrument's.
    pan: Option<(f32, f32)>,
    env: Adsr,
}

pub struct Fm {
    alloc: VoiceAlloc,
    voices: Box<[Voice]>,
    values: [f32; PARAMS.len()],
    ratio: Smoother,
    index: Smoother,
    index_env: Smoother,
    feedback: Smoother,
    pan: Smoother,
    rate: f32,
    /// Pitch-wheel frequency ratio.
    bend: f32,
}

impl Fm {
    /// Control thread: `values` follow [`PARAMS`] (missing ones take defaults).
    pub fn new(values: &[f32], voices: usize, rate: f32) -> Self {
        let v: [f32; PARAMS.len()] = sane_values(PARAMS, values);
        let rate = sane_rate(rate);
        let alloc = VoiceAlloc::new(voices);
        let slots = alloc.capacity();
        Self {
            alloc,
            voices: vec![Voice::default(); slots].into_boxed_slice(),
            ratio: glide(v[P_RATIO], rate),
            index: glide(v[P_INDEX], rate),
            index_env: glide(v[P_INDEX_ENV], rate),
            feedback: glide(v[P_FEEDBACK], rate),
            pan: glide(v[P_PAN], rate),
            values: v,
            rate,
            bend: 1.0,
        }
    }
}

impl Instrument for Fm {
    /// Audio thread.
    fn note_on_with(&mut self, note: f32, velocity: f32, controls: &Controls) {
        if !note.is_finite() {
            return;
        }
        let rate = self.rate;
        let start = self.alloc.start(note);
        if let Some(victim) = start.steal.and_then(|s| self.voices.get_mut(s)) {
            victim.env.fast_release(rate);
        }
        let v = self.values;
        let Some(voice) = self.voices.get_mut(start.slot) else {
            return;
        };
        // A fresh voice starts at phase zero so every hit is identical; a
        // slot taken over while still fading keeps its phase so it cannot jump.
        if voice.env.is_idle() {
            *voice = Voice::default();
        }
        voice.inc = (note_hz(note) / rate).clamp(0.0, 0.5);
        voice.idx_env = 1.0;
        voice.idx_mul = (0.001f32.ln() / (v[P_INDEX_DECAY].max(0.001) * rate)).exp();
        voice.gain = sane(velocity, 0.0, 1.0, 0.0) * LEVEL * controls.gain;
        voice.pan = controls.pan.map(pan_gains);
        voice
            .env
            .trigger(v[P_ATTACK], v[P_DECAY], v[P_SUSTAIN], rate);
    }

    /// Audio thread.
    fn note_off(&mut self, note: f32) {
        let (release, rate) = (self.values[P_RELEASE], self.rate);
        let voices = &mut self.voices;
        self.alloc.release_note(note, |i| {
            if let Some(v) = voices.get_mut(i) {
                v.env.release(release, rate);
            }
        });
    }

    /// Audio thread.
    fn all_notes_off(&mut self) {
        let (release, rate) = (self.values[P_RELEASE], self.rate);
        let voices = &mut self.voices;
        self.alloc.release_all(|i| {
            if let Some(v) = voices.get_mut(i) {
                v.env.release(release, rate);
            }
        });
    }

    /// Audio thread.
    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }

    /// Audio thread.
    fn apply_param(&mut self, index: usize, value: f32) {
        if let Some(x) = self.values.get_mut(index) {
            *x = value;
        }
        match index {
            P_RATIO => self.ratio.target = value,
            P_INDEX => self.index.target = value,
            P_INDEX_ENV => self.index_env.target = value,
            P_FEEDBACK => self.feedback.target = value,
            P_PAN => self.pan.target = value,
            _ => {}
        }
    }

    /// Audio thread.
    fn render(&mut self, left: &mut [f32], right: &mut [f32]) {
        let n = left.len().min(right.len());
        if n == 0 {
            return;
        }
        let (r0, dr) = self.ratio.ramp(n);
        let (i0, di) = self.index.ramp(n);
        let (e0, de) = self.index_env.ramp(n);
        let (f0, df) = self.feedback.ramp(n);
        let (p0, dp) = self.pan.ramp(n);
        let pan = PanRamp::new(p0, p0 + dp * n as f32, n);
        // Radians of index to turns of carrier phase.
        let to_turns = 1.0 / TAU;

        for (slot, v) in self.voices.iter_mut().enumerate() {
            if self.alloc.is_free(slot) {
                continue;
            }
            let (mut pc, mut pm, mut fb1, mut fb2, mut ie) = (v.pc, v.pm, v.fb1, v.fb2, v.idx_env);
            for (i, (out_l, out_r)) in left.iter_mut().zip(right.iter_mut()).enumerate() {
                let t = i as f32;
                let ratio = r0 + dr * t;
                let index = i0 + di * t + (e0 + de * t) * ie;
                let fb = (f0 + df * t) * FB_TURNS;
                let m = sin_turns(pm + fb * 0.5 * (fb1 + fb2));
                fb2 = fb1;
                fb1 = m;
                let c = sin_turns(pc + index * to_turns * m);
                let s = c * v.gain * v.env.next();
                let (gl, gr) = pan.at_or(t, v.pan);
                *out_l += s * gl;
                *out_r += s * gr;
                pc += v.inc * self.bend;
                pc -= pc.floor();
                pm += v.inc * self.bend * ratio;
                pm -= pm.floor();
                ie *= v.idx_mul;
            }
            // The attack depth is inaudible long before it would go denormal.
            if ie < 1e-6 {
                ie = 0.0;
            }
            (v.pc, v.pm, v.fb1, v.fb2, v.idx_env) = (pc, pm, fb1, fb2, ie);
            if v.env.is_idle() {
                self.alloc.free(slot);
            }
        }
    }

    fn active_voices(&self) -> usize {
        self.alloc.sounding()
    }

    fn set_bend(&mut self, semitones: f32) {
        if semitones.is_finite() {
            self.bend = (semitones.clamp(-48.0, 48.0) / 12.0).exp2();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::voice::STEAL_FADE_S;
    use super::*;
    use crate::engine::dsp::pan_gains;
    use crate::kinds::param::defaults;

    const RATE: f32 = 48_000.0;

    use super::super::test_util::{render, rms};

    fn fm_with(changes: &[(&str, f32)], voices: usize) -> Fm {
        let mut v = defaults(PARAMS);
        for (name, value) in changes {
            let i = PARAMS.iter().position(|p| p.name == *name).unwrap();
            v[i] = *value;
        }
        Fm::new(&v, voices, RATE)
    }

    /// Period in samples: coarse autocorrelation peak near the expected
    /// period, then refined at a lag of many periods (parabolic
    /// interpolation) so sub-sample accuracy divides down.
    fn measure_period(x: &[f32], expect: f32) -> f32 {
        let acf = |lag: usize| -> f64 {
            let w = x.len() - lag;
            let (mut s, mut e0, mut e1) = (0.0f64, 0.0f64, 0.0f64);
            for i in 0..w {
                s += x[i] as f64 * x[i + lag] as f64;
                e0 += (x[i] as f64).powi(2);
                e1 += (x[i + lag] as f64).powi(2);
            }
            s / (e0 * e1).sqrt().max(1e-30)
        };
        let peak = |centre: usize, reach: usize| -> f64 {
            let best = (centre - reach..=centre + reach)
                .max_by(|&a, &b| acf(a).total_cmp(&acf(b)))
                .unwrap();
            let (a, b, c) = (acf(best - 1), acf(best), acf(best + 1));
            best as f64 + 0.5 * (a - c) / (a - 2.0 * b + c)
        };
        let mut est = peak(expect.round() as usize, (expect * 0.2) as usize);
        let mut m = 4;
        while (m as f64 * est) < (x.len() / 3) as f64 {
            est = peak((m as f64 * est).round() as usize, 3) / m as f64;
            m *= 4;
        }
        est as f32
    }

    #[test]
    fn pitch_is_within_half_a_percent() {
        for ratio in [1.0, 2.0, 3.0] {
            for note in [36.0, 57.0, 69.0, 84.0] {
                let mut fm = fm_with(
                    &[
                        ("ratio", ratio),
                        ("index", 2.0),
                        ("index_env", 0.0),
                        ("sustain", 1.0),
                    ],
                    4,
                );
                fm.note_on(note, 1.0);
                let (l, _) = render(&mut fm, 24_000, 512);
                let expect = RATE / note_hz(note);
                let got = measure_period(&l[4_800..], expect);
                let err = (got / expect - 1.0).abs();
                assert!(
                    err < 0.005,
                    "ratio {ratio} note {note}: period {got} vs {expect} ({err})"
                );
            }
        }
    }

    #[test]
    fn velocity_scales_level() {
        let level = |vel: f32| {
            let mut fm = fm_with(&[], 4);
            fm.note_on(60.0, vel);
            let (l, _) = render(&mut fm, 9_600, 256);
            rms(&l)
        };
        let (full, half) = (level(1.0), level(0.5));
        assert!(full > 0.05);
        assert!((half / full - 0.5).abs() < 0.01, "{half} / {full}");
        assert_eq!(level(0.0), 0.0);
    }

    #[test]
    fn voice_limit_holds_and_voices_end() {
        let mut fm = fm_with(&[], 4);
        for k in 0..10 {
            fm.note_on(48.0 + k as f32, 0.8);
            render(&mut fm, 64, 64);
            assert!(fm.alloc.live() <= 4);
            assert!(fm.active_voices() <= 8);
        }
        render(&mut fm, (RATE * 0.02) as usize, 128);
        assert_eq!(
            fm.active_voices(),
            4,
            "stolen voices are freed after their fade"
        );
        fm.all_notes_off();
        render(&mut fm, (RATE * 0.5) as usize, 128);
        assert_eq!(fm.active_voices(), 0);
    }

    #[test]
    fn stolen_voice_fades_without_a_click() {
        // Pure sines (index 0) so the largest natural step is known exactly:
        // a sine of amplitude A and frequency f moves at most A·2πf/rate per
        // sample; both voices together at most the sum, plus what the 5 ms
        // fade-out and the attack ramp add (A per fade length each). A cut
        // at the crest would step by A ≈ 0.35, ten times more.
        let mut fm = fm_with(
            &[
                ("index", 0.0),
                ("index_env", 0.0),
                ("sustain", 1.0),
                ("attack", 0.005),
            ],
            1,
        );
        fm.note_on(72.0, 1.0);
        let (warm, _) = render(&mut fm, 4_801, 4_801);
        fm.note_on(79.0, 1.0);
        assert_eq!(fm.active_voices(), 2, "old voice still fading");
        let (l, _) = render(&mut fm, 2_400, 100);
        let a = LEVEL * pan_gains(0.0).0;
        let natural = a * TAU * (note_hz(72.0) + note_hz(79.0)) / RATE;
        let ramps = 2.0 * a / (STEAL_FADE_S * RATE);
        let limit = (natural + ramps) * 1.05;
        let mut prev = *warm.last().unwrap();
        let mut max_step = 0.0f32;
        for &s in &l {
            max_step = max_step.max((s - prev).abs());
            prev = s;
        }
        assert!(max_step < limit, "max step {max_step} >= {limit}");
        assert_eq!(fm.active_voices(), 1);
    }

    #[test]
    fn index_changes_glide_and_output_is_finite() {
        let mut fm = fm_with(&[("index", 0.0), ("index_env", 0.0), ("sustain", 1.0)], 2);
        fm.note_on(60.0, 1.0);
        render(&mut fm, 2_000, 500);
        fm.set_param(P_INDEX, 20.0);
        fm.set_param(P_FEEDBACK, 1.0);
        fm.set_param(P_RATIO, 16.0);
        let (l, r) = render(&mut fm, 1_000, 1_000);
        assert!(l.iter().chain(&r).all(|s| s.is_finite() && s.abs() <= 1.0));
        // After one block of 1000 samples (~2 time constants) the glide is
        // on its way but not there: the jump was spread out.
        assert!(
            fm.index.value > 10.0 && fm.index.value < 20.0,
            "{}",
            fm.index.value
        );
        fm.set_param(99, 1.0);
        fm.set_param(P_INDEX, f32::NAN);
        assert!(fm.index.target == 20.0);
    }

    #[test]
    fn render_adds_and_is_deterministic() {
        let run = || {
            let mut fm = fm_with(&[("feedback", 0.5)], 4);
            fm.note_on(60.0, 0.9);
            fm.note_on(64.0, 0.7);
            let (mut l, mut r) = (vec![0.25; 3_000], vec![0.25; 3_000]);
            for (cl, cr) in l.chunks_mut(300).zip(r.chunks_mut(300)) {
                fm.render(cl, cr);
            }
            (l, r)
        };
        let (a, b) = (run(), run());
        assert_eq!(a, b);
        assert!(
            (a.0[0] - 0.25).abs() < 1e-3,
            "first sample is the existing content plus ~0"
        );
    }

    #[test]
    fn fast_sine_is_accurate() {
        for k in -2000..2000 {
            let x = k as f32 * 0.00137;
            assert!((sin_turns(x) - (x * TAU).sin()).abs() < 2e-6, "{x}");
        }
    }
}
