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

// Not yet converted to checked access (6 sites): buffers are sized to
// MAX_BLOCK at construction and blocks are clamped to it. See engine/mod.rs.
#![allow(clippy::indexing_slicing)]

use super::voice::{note_hz, Adsr, Noise, VoiceAlloc};
use super::{sane_rate, sane_values, Instrument};
use crate::engine::dsp::{sane, PanRamp, Smoother, Snap};
use crate::kinds::instrument::PLUCK_PARAMS as PARAMS;
use crate::kinds::param::ParamSpec;

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
    fn note_on(&mut self, note: f32, velocity: f32) {
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
        v.gain = sane(velocity, 0.0, 1.0, 0.0) * LEVEL;
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
        self.values[index] = value;
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
                for i in done..done + len {
                    let r0 = (v.pos + line_len - whole) % line_len;
                    let r1 = (v.pos + line_len - whole - 1) % line_len;
                    let d = (1.0 - frac) * line[r0] + frac * line[r1];
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
                    line[v.pos] = y;
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
                    let (gl, gr) = pan.at(t);
                    left[i] += s * gl;
                    right[i] += s * gr;
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
mod tests {
    use super::super::voice::STEAL_FADE_S;
    use super::*;
    use crate::kinds::param::defaults;

    const RATE: f32 = 48_000.0;

    fn pluck_with(changes: &[(&str, f32)], voices: usize, rate: f32) -> Pluck {
        let mut v = defaults(PARAMS);
        for (name, value) in changes {
            let i = PARAMS.iter().position(|p| p.name == *name).unwrap();
            v[i] = *value;
        }
        Pluck::new(&v, voices, rate)
    }

    fn render(inst: &mut dyn Instrument, frames: usize, block: usize) -> (Vec<f32>, Vec<f32>) {
        let (mut l, mut r) = (vec![0.0; frames], vec![0.0; frames]);
        for (cl, cr) in l.chunks_mut(block).zip(r.chunks_mut(block)) {
            inst.render(cl, cr);
        }
        (l, r)
    }

    /// Period in samples: autocorrelation peak near the expected period,
    /// refined at lags of 4, 16, 64… periods (parabolic interpolation) so
    /// the sub-sample error divides down.
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

    fn peak(x: &[f32]) -> f32 {
        x.iter().fold(0.0f32, |m, s| m.max(s.abs()))
    }

    #[test]
    fn pitch_is_within_half_a_percent() {
        // Two views of pitch: the fundamental's own frequency (exact by
        // construction, any damping), and the waveform's period by
        // autocorrelation, which the overtones pull on. Heavy damping makes
        // the overtones slightly sharp, which a listener hears as pitch only
        // when they last, so the period is checked up to damping 0.7.
        for rate in [44_100.0, 48_000.0, 96_000.0] {
            for damping in [0.0, 0.3, 0.7, 1.0] {
                for note in [24.0, 40.0, 57.0, 69.0, 81.0, 93.0] {
                    let mut p = pluck_with(&[("damping", damping), ("decay", 20.0)], 2, rate);
                    p.note_on(note, 1.0);
                    let hz = note_hz(note);
                    let expect = rate / hz;
                    let (l, _) = render(&mut p, (rate * 0.5) as usize, 256);
                    // Skip the burst; heavily damped high notes die within
                    // a few dozen periods, so look at 40 periods at most.
                    let from = (expect * 2.0) as usize;
                    let f = fundamental_hz(&l, hz, rate, from, 4.0 / hz);
                    let err = (f / hz - 1.0).abs();
                    assert!(
                        err < 0.005,
                        "rate {rate} damping {damping} note {note}: {f} Hz vs {hz} ({err})"
                    );
                    if damping <= 0.7 {
                        let to = (from + (expect * 40.0) as usize)
                            .max(from + 8_192)
                            .min(l.len());
                        let got = measure_period(&l[from..to], expect);
                        let err = (got / expect - 1.0).abs();
                        assert!(
                            err < 0.005,
                            "rate {rate} damping {damping} note {note}: {got} vs {expect} ({err})"
                        );
                    }
                }
            }
        }
    }

    /// Frequency of the component near `hz`: phase advance of one DFT bin
    /// between two windows `gap` seconds apart.
    fn fundamental_hz(x: &[f32], hz: f32, rate: f32, start: usize, gap: f32) -> f32 {
        let n = ((rate / hz) * 4.0).round() as usize;
        let bin = |s: usize| {
            let (mut re, mut im) = (0.0f64, 0.0f64);
            for k in 0..n {
                let ph = TAU as f64 * hz as f64 * (s + k) as f64 / rate as f64;
                let w = 0.5 - 0.5 * (TAU as f64 * k as f64 / n as f64).cos();
                re += x[s + k] as f64 * w * ph.cos();
                im -= x[s + k] as f64 * w * ph.sin();
            }
            im.atan2(re)
        };
        let d = (gap * rate).round() as usize;
        let mut dphi = bin(start + d) - bin(start);
        while dphi > std::f64::consts::PI {
            dphi -= std::f64::consts::TAU;
        }
        while dphi < -std::f64::consts::PI {
            dphi += std::f64::consts::TAU;
        }
        hz + (dphi / (std::f64::consts::TAU * d as f64 / rate as f64)) as f32
    }

    #[test]
    fn decay_time_is_the_minus_60_db_time() {
        // The fundamental should lose 60 dB over `decay`: measure its level
        // (a single DFT bin over whole periods) 0.6 s apart, expect 30 dB.
        for (note, damping) in [(45.0, 0.5), (64.0, 0.2)] {
            let mut p = pluck_with(&[("decay", 1.2), ("damping", damping)], 1, RATE);
            p.note_on(note, 1.0);
            let (l, _) = render(&mut p, RATE as usize, 512);
            let hz = note_hz(note);
            let bin = |t: f32| {
                let s = (t * RATE) as usize;
                let n = ((RATE / hz) * (0.05 * hz).round()) as usize;
                let (mut re, mut im) = (0.0f64, 0.0f64);
                for (k, x) in l[s..s + n].iter().enumerate() {
                    let ph = TAU as f64 * hz as f64 * k as f64 / RATE as f64;
                    re += *x as f64 * ph.cos();
                    im += *x as f64 * ph.sin();
                }
                (re * re + im * im).sqrt()
            };
            let drop_db = 20.0 * (bin(0.1) / bin(0.7)).log10();
            assert!(
                (drop_db - 30.0).abs() < 1.5,
                "note {note}: dropped {drop_db} dB in 0.6 s"
            );
        }
    }

    #[test]
    fn voice_is_freed_after_decay_and_after_release() {
        let mut p = pluck_with(&[("decay", 0.3)], 2, RATE);
        p.note_on(60.0, 1.0);
        render(&mut p, (RATE * 0.3) as usize, 256);
        assert_eq!(p.active_voices(), 1);
        // -90 dB is 1.5 × the -60 dB time; allow a few windows more.
        render(&mut p, (RATE * 0.3) as usize, 256);
        assert_eq!(p.active_voices(), 0, "freed once below -90 dB");

        let mut p = pluck_with(&[("decay", 20.0), ("release", 0.1)], 2, RATE);
        p.note_on(60.0, 1.0);
        render(&mut p, (RATE * 0.5) as usize, 256);
        assert_eq!(
            p.active_voices(),
            1,
            "a long decay keeps ringing while held"
        );
        p.note_off(60.0);
        render(&mut p, (RATE * 0.2) as usize, 256);
        assert_eq!(p.active_voices(), 0, "key-up mutes it within release");
    }

    #[test]
    fn velocity_scales_level() {
        let level = |vel: f32| {
            let mut p = pluck_with(&[], 2, RATE);
            p.note_on(57.0, vel);
            peak(&render(&mut p, 4_800, 256).0)
        };
        let (full, quarter) = (level(1.0), level(0.25));
        assert!(full > 0.1 && full < 1.0, "{full}");
        assert!((quarter / full - 0.25).abs() < 1e-3, "{quarter} / {full}");
    }

    #[test]
    fn voice_limit_holds() {
        let mut p = pluck_with(&[("decay", 10.0)], 3, RATE);
        for k in 0..12 {
            p.note_on(50.0 + k as f32, 0.7);
            render(&mut p, 128, 128);
            assert!(p.alloc.live() <= 3);
            assert!(p.active_voices() <= 6);
        }
        render(&mut p, (RATE * 0.01) as usize, 128);
        assert_eq!(p.active_voices(), 3);
    }

    #[test]
    fn stolen_voice_fades_without_a_click() {
        // A fully damped low string is smooth: its largest step in steady
        // state is what we compare against. Stealing multiplies it by a
        // 5 ms ramp, which can add at most peak / (5 ms of samples) per
        // step. The new voice starts with its burst, so the test measures
        // the old voice alone by giving the new note zero velocity.
        let mut p = pluck_with(
            &[("damping", 1.0), ("brightness", 0.0), ("decay", 10.0)],
            1,
            RATE,
        );
        p.note_on(40.0, 1.0);
        let (warm, _) = render(&mut p, 9_600, 9_600);
        let tail = &warm[4_800..];
        let natural = tail
            .windows(2)
            .fold(0.0f32, |m, w| m.max((w[1] - w[0]).abs()));
        let limit = natural + peak(tail) / (STEAL_FADE_S * RATE) + 1e-4;
        p.note_on(52.0, 0.0);
        assert_eq!(p.active_voices(), 2);
        let (l, _) = render(&mut p, 960, 64);
        let mut prev = *warm.last().unwrap();
        let mut max_step = 0.0f32;
        for &s in &l {
            max_step = max_step.max((s - prev).abs());
            prev = s;
        }
        assert!(max_step <= limit, "step {max_step} > {limit}");
        assert!(peak(&l[480..]) < 1e-6, "old voice gone after the fade");
        assert_eq!(p.active_voices(), 1);
    }

    #[test]
    fn deterministic_additive_and_finite() {
        let run = || {
            let mut p = pluck_with(&[("damping", 0.0), ("brightness", 1.0)], 4, RATE);
            let (mut l, mut r) = (vec![0.1; 20_000], vec![0.1; 20_000]);
            for (k, (cl, cr)) in l.chunks_mut(500).zip(r.chunks_mut(500)).enumerate() {
                if k % 5 == 0 {
                    p.note_on(20.0 + k as f32 * 3.0, 1.0);
                }
                if k == 20 {
                    p.set_param(P_DAMPING, 1.0);
                }
                p.render(cl, cr);
            }
            (l, r)
        };
        let (a, b) = (run(), run());
        assert_eq!(a, b);
        assert!(a
            .0
            .iter()
            .chain(&a.1)
            .all(|s| s.is_finite() && s.abs() < 2.0));
        // Notes below the lowest sized note and out-of-range values are safe.
        let mut p = pluck_with(&[], 2, RATE);
        p.note_on(-10.0, 1.0);
        p.note_on(f32::NAN, 1.0);
        p.note_on(135.0, f32::INFINITY);
        p.set_param(42, 1.0);
        let (l, _) = render(&mut p, 4_096, 1_024);
        assert!(l.iter().all(|s| s.is_finite()));
    }
}
