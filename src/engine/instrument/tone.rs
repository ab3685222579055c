//! The Tone instrument: test tones in a session (tuning a track against a
//! reference, checking a chain). An exact sine, or a triangle, saw or
//! square read from tables that hold every harmonic below Nyquist and none
//! above (one table an octave, from the wave's Fourier series), or white
//! noise; at the note's pitch or a fixed `freq`, at a peak `level`, with
//! 5 ms fades so notes start and stop without a click.
//!
//! [`Tone::new`] runs on the control thread and builds the tables (also
//! used by `termdaw tone` through [`cycle`]). `note_on`, `note_off`,
//! `set_param` and `render` run on the audio thread: no allocation, lock or
//! panic.

use rustfft::{num_complex::Complex, FftPlanner};

use super::voice::{note_hz, Adsr, VoiceAlloc};
use super::{sane_rate, sane_values, Instrument};
use crate::kinds::instrument::TONE_PARAMS as PARAMS;
use crate::kinds::param::ParamSpec;
use crate::kinds::Controls;

const P_WAVE: usize = 0;
const P_FREQ: usize = 1;
const P_LEVEL: usize = 2;

const W_SINE: usize = 0;
const W_NOISE: usize = 4;

/// Fade in and out, seconds.
const FADE_S: f32 = 0.005;
/// Points in one octave's table (a power of two).
const TABLE: usize = 2048;
/// The lowest octave's lowest fundamental, Hz; eleven octaves reach 40 kHz.
const BASE_HZ: f64 = 20.0;
const OCTAVES: usize = 11;
/// Band-limited waves with tables: triangle, saw, square.
const TABLE_WAVES: usize = 3;

/// A wave's shape, for [`cycle`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    Sine,
    Triangle,
    Saw,
    Square,
}

/// One cycle of `shape` in `n` points (a power of two) with its first
/// `harmonics` harmonics (amplitudes from its Fourier series), peak 1.
/// Control thread.
pub fn cycle(shape: Shape, harmonics: usize, n: usize) -> Vec<f64> {
    let mut spec = vec![Complex::new(0.0f64, 0.0); n];
    for k in 1..=harmonics.min(n / 2 - 1) {
        let kf = k as f64;
        let odd = k % 2 == 1;
        let a = match shape {
            Shape::Sine if k == 1 => 1.0,
            Shape::Saw if odd => 1.0 / kf,
            Shape::Saw => -1.0 / kf,
            Shape::Square if odd => 1.0 / kf,
            Shape::Triangle if odd && (k / 2) % 2 == 0 => 1.0 / (kf * kf),
            Shape::Triangle if odd => -1.0 / (kf * kf),
            _ => 0.0,
        };
        // A sine of amplitude a: -i a/2 at +k, +i a/2 at -k.
        if let Some(c) = spec.get_mut(k) {
            *c = Complex::new(0.0, -a / 2.0);
        }
        if let Some(c) = spec.get_mut(n - k) {
            *c = Complex::new(0.0, a / 2.0);
        }
    }
    FftPlanner::new().plan_fft_inverse(n).process(&mut spec);
    let table: Vec<f64> = spec.iter().map(|c| c.re).collect();
    let max = table.iter().fold(0.0f64, |m, x| m.max(x.abs())).max(1e-12);
    table.into_iter().map(|x| x / max).collect()
}

#[derive(Debug, Clone, Copy, Default)]
struct Voice {
    /// Phase in turns, f64 so a held note never drifts.
    phase: f64,
    /// Hz before the pitch wheel.
    hz: f64,
    gain: f32,
    noise: u32,
    env: Adsr,
}

pub struct Tone {
    alloc: VoiceAlloc,
    voices: Box<[Voice]>,
    values: [f32; PARAMS.len()],
    /// `TABLE_WAVES × OCTAVES` tables of `TABLE + 1` points (the last
    /// repeats the first, so reading never wraps).
    tables: Box<[f32]>,
    rate: f32,
    bend: f64,
}

impl Tone {
    /// Control thread: `values` follow [`PARAMS`] (missing ones take defaults).
    pub fn new(values: &[f32], voices: usize, rate: f32) -> Self {
        let v: [f32; PARAMS.len()] = sane_values(PARAMS, values);
        let rate = sane_rate(rate);
        let alloc = VoiceAlloc::new(voices);
        let slots = alloc.capacity();
        let nyquist = rate as f64 / 2.0;
        let mut tables = Vec::with_capacity(TABLE_WAVES * OCTAVES * (TABLE + 1));
        for shape in [Shape::Triangle, Shape::Saw, Shape::Square] {
            for o in 0..OCTAVES {
                // Every harmonic of the octave's highest note below Nyquist.
                let top = BASE_HZ * 2f64.powi(o as i32 + 1);
                let harmonics = ((nyquist / top).ceil() as usize).saturating_sub(1).max(1);
                let t = cycle(shape, harmonics, TABLE);
                tables.extend(t.iter().map(|&x| x as f32));
                tables.push(t.first().copied().unwrap_or(0.0) as f32);
            }
        }
        Self {
            alloc,
            voices: vec![Voice::default(); slots].into_boxed_slice(),
            values: v,
            tables: tables.into_boxed_slice(),
            rate,
            bend: 1.0,
        }
    }
}

impl Instrument for Tone {
    /// Audio thread.
    fn note_on_with(&mut self, note: f32, velocity: f32, controls: &Controls) {
        if !note.is_finite() {
            return;
        }
        let start = self.alloc.start(note);
        if let Some(victim) = start.steal.and_then(|s| self.voices.get_mut(s)) {
            victim.env.fast_release(self.rate);
        }
        let fixed = self.values[P_FREQ];
        let level = 10f32.powf(self.values[P_LEVEL] / 20.0);
        let Some(voice) = self.voices.get_mut(start.slot) else {
            return;
        };
        if voice.env.is_idle() {
            *voice = Voice {
                noise: 0x9e37_79b9 ^ start.slot as u32,
                ..Voice::default()
            };
        }
        voice.hz = if fixed > 0.0 {
            fixed as f64
        } else {
            note_hz(note) as f64
        };
        voice.gain = velocity.clamp(0.0, 1.0) * level * controls.gain;
        voice.env.trigger(FADE_S, 0.0, 1.0, self.rate);
    }

    /// Audio thread.
    fn note_off(&mut self, note: f32) {
        let rate = self.rate;
        let voices = &mut self.voices;
        self.alloc.release_note(note, |i| {
            if let Some(v) = voices.get_mut(i) {
                v.env.release(FADE_S, rate);
            }
        });
    }

    /// Audio thread.
    fn all_notes_off(&mut self) {
        let rate = self.rate;
        let voices = &mut self.voices;
        self.alloc.release_all(|i| {
            if let Some(v) = voices.get_mut(i) {
                v.env.release(FADE_S, rate);
            }
        });
    }

    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }

    /// Audio thread: a new wave, frequency or level takes the next note.
    fn apply_param(&mut self, index: usize, value: f32) {
        if let Some(x) = self.values.get_mut(index) {
            *x = value;
        }
    }

    /// Audio thread.
    fn render(&mut self, left: &mut [f32], right: &mut [f32]) {
        let n = left.len().min(right.len());
        let wave = self.values[P_WAVE].round() as usize;
        let rate = self.rate as f64;
        let nyquist = rate / 2.0;
        for (slot, v) in self.voices.iter_mut().enumerate() {
            if self.alloc.is_free(slot) {
                continue;
            }
            let hz = v.hz * self.bend;
            let inc = if hz < nyquist { hz / rate } else { 0.0 };
            // The octave whose table holds no harmonic above Nyquist at hz.
            let octave = ((hz / BASE_HZ).max(1.0).log2().floor() as usize).min(OCTAVES - 1);
            let start = (wave.saturating_sub(1) * OCTAVES + octave) * (TABLE + 1);
            let table = self.tables.get(start..start + TABLE + 1).unwrap_or(&[]);
            for (out_l, out_r) in left.iter_mut().zip(right.iter_mut()).take(n) {
                let x = match wave {
                    W_SINE => (v.phase * std::f64::consts::TAU).sin() as f32,
                    W_NOISE => {
                        v.noise ^= v.noise << 13;
                        v.noise ^= v.noise >> 17;
                        v.noise ^= v.noise << 5;
                        v.noise as f32 / u32::MAX as f32 * 2.0 - 1.0
                    }
                    _ => {
                        let pos = v.phase * TABLE as f64;
                        let i = pos as usize;
                        let t = (pos - i as f64) as f32;
                        match (table.get(i), table.get(i + 1)) {
                            (Some(a), Some(b)) => a + (b - a) * t,
                            _ => 0.0,
                        }
                    }
                };
                let s = x * v.gain * v.env.next();
                *out_l += s;
                *out_r += s;
                v.phase += inc;
                v.phase -= v.phase.floor();
            }
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
            self.bend = (semitones.clamp(-48.0, 48.0) as f64 / 12.0).exp2();
        }
    }
}
