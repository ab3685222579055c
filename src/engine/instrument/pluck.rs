//! The Karplus-Strong plucked string: a short burst of (optionally darkened)
//! noise excites a per-voice delay line whose length is one period of the
//! note; a lowpass in the loop makes the overtones die faster than the
//! fundamental, like a real string.
//!
//! Tuning is exact for the fundamental: the delay is split into a whole
//! number of samples plus a linearly interpolated fraction, and the phase
//! delay of every filter in the loop (interpolator, two-point average,
//! one-pole damping) is computed at the note frequency and subtracted. The
//! loop gain is then set so the fundamental falls 60 dB in `decay` seconds.
//!
//! [`Pluck::new`] runs on the control thread and allocates every delay line
//! for the lowest note (MIDI 24). Everything else runs on the audio thread
//! and never allocates, locks or panics. Loop coefficients are recomputed
//! every [`SUB`] samples so `damping` can glide.

use super::voice::{note_hz, Adsr, Noise, VoiceAlloc};
use super::{sane_rate, sane_values, Instrument};
use crate::engine::dsp::{frames_mut, pan_gains, sane, PanRamp, Smoother, Snap};
use crate::kinds::instrument::PLUCK_PARAMS as PARAMS;
use crate::kinds::param::ParamSpec;
use crate::kinds::Controls;

const P_BRIGHTNESS: usize = 0;
const P_DAMPING: usize = 1;
const P_DECAY: usize = 2;
const P_RELEASE: usize = 3;
const P_PAN: usize = 4;

/// Control-rate interval (samples) for loop coefficients.
pub const SUB: usize = 32;
/// The lowest note the delay lines are sized for.
pub const LOWEST_NOTE: f32 = 24.0;
/// Output level of one voice at full velocity (the burst peaks near 1).
const LEVEL: f32 = 0.5;
/// -90 dB: below this the string is inaudible and its voice is freed.
const SILENT: f32 = 3.16e-5;
/// Damping lowpass cutoff as a multiple of the note frequency at damping 0
/// and 1. Tying it to the note keeps the tone colour the same across the
/// keyboard; at 1.5× only the fundamental survives a few dozen periods.
const BRIGHT_CUTOFF: f32 = 384.0;
const DULL_CUTOFF: f32 = 1.5;
/// Glide time constant for `damping`.
const GLIDE_S: f32 = 0.01;
/// Stays below 1 so DC, which every loop filter passes unchanged, still decays.
const MAX_LOOP_GAIN: f32 = 0.999_99;
const TAU: f32 = std::f32::consts::TAU;

/// Phase delay (samples) at `w` rad/sample of the FIR `(1-f) + f·z⁻¹`.
#[inline]
fn lerp_delay(f: f32, w: f32) -> f32 {
    (f * w.sin()).atan2((1.0 - f) + f * w.cos()) / w
}

/// Loop coefficients for one voice.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Tuning {
    /// Whole samples of delay (≥ 1) and the interpolated fraction.
    whole: usize,
    frac: f32,
    /// Damping one-pole coefficient.
    pole: f32,
    /// Loop gain.
    gain: f32,
}

/// Audio thread: tune the loop to `hz` (total phase delay one period, the
/// fundamental decaying 60 dB in `decay` seconds). `max_delay` is the line
/// length.
fn tune(hz: f32, damping: f32, decay: f32, rate: f32, max_delay: usize) -> Tuning {
    let hz = hz.clamp(1.0, rate * 0.45);
    let w = TAU * hz / rate;
    let (sw, cw) = w.sin_cos();
    let cutoff =
        hz * DULL_CUTOFF * (BRIGHT_CUTOFF / DULL_CUTOFF).powf(1.0 - damping.clamp(0.0, 1.0));
    let pole = (-TAU * cutoff.min(0.45 * rate) / rate).exp();
    let pole_delay = (pole * sw).atan2(1.0 - pole * cw) / w;
    // The two-point average is linear-phase: exactly half a sample.
    let rest = (rate / hz - 0.5 - pole_delay).clamp(1.0, max_delay as f32 - 2.0);
    let whole = rest.floor();
    let want = rest - whole;
    // Linear interpolation's phase delay is only approximately its fraction
    // at higher frequencies; a few fixed-point steps make it exact.
    let mut frac = want;
    for _ in 0..4 {
        frac = (frac + want - lerp_delay(frac, w)).clamp(0.0, 1.0);
    }
    let lerp_mag = ((1.0 - frac).powi(2) + frac * frac + 2.0 * frac * (1.0 - frac) * cw).sqrt();
    let avg_mag = (0.5 * w).cos();
    let pole_mag = (1.0 - pole) / (1.0 - 2.0 * pole * cw + pole * pole).sqrt();
    let loss = (lerp_mag * avg_mag * pole_mag).max(1e-6);
    // -60 dB over decay·hz periods.
    let per_period = 10f32.powf(-3.0 / (decay.max(0.001) * hz));
    Tuning {
        whole: whole as usize,
        frac,
        pole,
        gain: (per_period / loss).min(MAX_LOOP_GAIN),
    }
}

#[derive(Debug, Clone, Copy)]
struct Voice {
    hz: f32,
    tuning: Tuning,
    /// Write position in this voice's delay line.
    pos: usize,
    /// Burst samples still to inject.
    burst_left: usize,
    burst_lp: f32,
    burst_coef: f32,
    burst_gain: f32,
    /// Previous interpolated read (for the two-point average).
    prev: f32,
    /// Damping filter state.
    lp: f32,
    /// DC blocker state: the burst's DC would otherwise circulate.
    dc_x: f32,
    dc_y: f32,
    gain: f32,
    /// The note's own pan gains (a pattern's `pan`), else the instrument's.
    pan: Option<(f32, f32)>,
    released: bool,
    /// Peak over the current window (one period) for the silence check.
    peak: f32,
    window: usize,
    noise: Noise,
    /// Stays at 1 while the string rings; fades only when stolen.
    gate: Adsr,
}

impl Voice {
    fn new(slot: usize) -> Self {
        Self {
            hz: 440.0,
            tuning: Tuning::default(),
            pos: 0,
            burst_left: 0,
            burst_lp: 0.0,
            burst_coef: 1.0,
            burst_gain: 1.0,
            prev: 0.0,
            lp: 0.0,
            dc_x: 0.0,
            dc_y: 0.0,
            gain: 0.0,
            pan: None,
            released: false,
            peak: 0.0,
            window: 0,
            noise: Noise(0x2545_F491u32.wrapping_mul(slot as u32 + 1) | 1),
            gate: Adsr::default(),
        }
    }
}

pub struct Pluck {
    alloc: VoiceAlloc,
    voices: Box<[Voice]>,
    /// All delay lines back to back, `line_len` samples each.
    lines: Box<[f32]>,
    line_len: usize,
    values: [f32; PARAMS.len()],
    damping: Smoother,
    pan: Smoother,
    /// DC blocker coefficient (~10 Hz).
    dc_pole: f32,
    rate: f32,
}

impl Pluck {
    /// Control thread: `values` follow [`PARAMS`] (missing ones take defaults).
    pub fn new(values: &[f32], voices: usize, rate: f32) -> Self {
        let v: [f32; PARAMS.len()] = sane_values(PARAMS, values);
        let rate = sane_rate(rate);
        let alloc = VoiceAlloc::new(voices);
        let slots = alloc.capacity();
        let line_len = (rate / note_hz(LOWEST_NOTE)).ceil() as usize + 4;
        Self {
            alloc,
            voices: (0..slots).map(Voice::new).collect(),
            lines: vec![0.0; slots * line_len].into_boxed_slice(),
            line_len,
            damping: Smoother::new(v[P_DAMPING], GLIDE_S, rate).with_snap(Snap::Below(1e-6)),
            pan: Smoother::new(v[P_PAN], GLIDE_S, rate).with_snap(Snap::Never),
            dc_pole: (-TAU * 10.0 / rate).exp(),
            values: v,
            rate,
        }
    }

    /// Audio thread: the -60 dB time for a held or a released string.
    fn decay_for(&self, released: bool) -> f32 {
        let d = self.values[P_DECAY];
        if released {
            d.min(self.values[P_RELEASE])
        } else {
            d
        }
    }
}

impl Instrument for Pluck {
    /// Audio thread.
    fn note_on_with(&mut self, note: f32, velocity: f32, controls: &Controls) {
        if !note.is_finite() {
            return;
        }
        let rate = self.rate;
        let start = self.alloc.start(note);
        if let Some(victim) = start.steal.and_then(|s| self.voices.get_mut(s)) {
            victim.gate.fast_release(rate);
        }
        let decay = self.decay_for(false);
        let (damping, brightness, line_len) =
            (self.damping.value, self.values[P_BRIGHTNESS], self.line_len);
        let Some(v) = self.voices.get_mut(start.slot) else {
            return;
        };
        if v.gate.is_idle() {
            // A free string starts from rest (a slot still fading keeps its
            // ringing, so the new burst adds to it instead of jumping).
            let range = start.slot * line_len..(start.slot + 1) * line_len;
            if let Some(line) = self.lines.get_mut(range) {
                line.fill(0.0);
            }
            let noise = v.noise;
            *v = Voice::new(start.slot);
            v.noise = noise;
        }
        v.hz = note_hz(note);
        v.tuning = tune(v.hz, damping, decay, rate, line_len);
        // One period of burst: the classic excitation length.
        v.burst_left = (rate / v.hz.max(1.0)).round().clamp(1.0, line_len as f32) as usize;
        // Brightness sweeps the burst's lowpass from ~100 Hz to wide open;
        // a darker burst is quieter, so half of that loss is made up.
        let cutoff = 100.0 * 2f32.powf(brightness * 8.0);
        v.burst_coef = 1.0 - (-TAU * cutoff / rate).exp();
        v.burst_gain = ((2.0 - v.burst_coef) / v.burst_coef).powf(0.25);
        v.burst_lp = 0.0;
        v.gain = sane(velocity, 0.0, 1.0, 0.0) * LEVEL * controls.gain;
        v.pan = controls.pan.map(pan_gains);
        v.released = false;
        v.peak = 0.0;
        v.window = 0;
        v.gate.trigger(0.0, 0.001, 1.0, rate);
    }

    /// Audio thread: key-up mutes the string to the `release` time.
    fn note_off(&mut self, note: f32) {
        let voices = &mut self.voices;
        self.alloc.release_note(note, |i| {
            if let Some(v) = voices.get_mut(i) {
                v.released = true;
            }
        });
    }

    /// Audio thread.
    fn all_notes_off(&mut self) {
        let voices = &mut self.voices;
        self.alloc.release_all(|i| {
            if let Some(v) = voices.get_mut(i) {
                v.released = true;
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
            P_DAMPING => self.damping.target = value,
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
        let rate = self.rate;
        let line_len = self.line_len;
        let dc_pole = self.dc_pole;
        // Pan ramps linearly over the block towards its one-pole target.
        let pan_start = self.pan.value;
        let pan = PanRamp::new(pan_start, self.pan.advance(n), n);

        let mut done = 0;
        while done < n {
            let len = (n - done).min(SUB);
            self.damping.advance(len);
            let held_decay = self.decay_for(false);
            let released_decay = self.decay_for(true);
            for (slot, v) in self.voices.iter_mut().enumerate() {
                if self.alloc.is_free(slot) {
                    continue;
                }
                let Some(line) = self.lines.get_mut(slot * line_len..(slot + 1) * line_len) else {
                    continue;
                };
                let decay = if v.released {
                    released_decay
                } else {
                    held_decay
                };
                v.tuning = tune(v.hz, self.damping.value, decay, rate, line_len);
                let Tuning {
                    whole,
                    frac,
                    pole,
                    gain,
                } = v.tuning;
                // Clamped in `tune`; kept safe here even if it were not.
                let whole = whole.clamp(1, line_len - 2);
                for (i, (out_l, out_r)) in frames_mut(left, right, done, len) {
                    let r0 = (v.pos + line_len - whole) % line_len;
                    let r1 = (v.pos + line_len - whole - 1) % line_len;
                    let tap = |r: usize| line.get(r).copied().unwrap_or(0.0);
                    let d = (1.0 - frac) * tap(r0) + frac * tap(r1);
                    let avg = 0.5 * (d + v.prev);
                    v.prev = d;
                    v.lp = avg + pole * (v.lp - avg);
                    let mut x = 0.0;
                    if v.burst_left > 0 {
                        v.burst_left -= 1;
                        v.burst_lp += v.burst_coef * (v.noise.next() - v.burst_lp);
                        x = v.burst_lp * v.burst_gain;
                    }
                    let y = x + gain * v.lp;
                    if let Some(x) = line.get_mut(v.pos) {
                        *x = y;
                    }
                    v.pos += 1;
                    if v.pos >= line_len {
                        v.pos = 0;
                    }
                    v.dc_y = y - v.dc_x + dc_pole * v.dc_y;
                    v.dc_x = y;
                    let out = v.dc_y;
                    v.peak = v.peak.max(out.abs());
                    let s = out * v.gain * v.gate.next();
                    let t = i as f32;
                    let (gl, gr) = pan.at_or(t, v.pan);
                    *out_l += s * gl;
                    *out_r += s * gr;
                }
                // Decaying states never reach denormals: the voice is freed
                // at -90 dB, long before; this guards the fading tail.
                if v.lp.abs() < 1e-20 {
                    v.lp = 0.0;
                }
                if v.dc_y.abs() < 1e-20 {
                    v.dc_y = 0.0;
                }
                v.window += len;
                let mut silent = false;
                if v.window > whole {
                    silent = v.burst_left == 0 && v.peak < SILENT;
                    v.peak = 0.0;
                    v.window = 0;
                }
                if silent || v.gate.is_idle() {
                    v.gate = Adsr::default();
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

#[cfg(test)]
mod tests;
