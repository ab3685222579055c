//! The one-shot sample player: plays a decoded WAV ([`SampleData`], already
//! at the engine's rate) from `start` to its end, faster or slower by the
//! note's distance from middle C (note 60 = original speed) plus `pitch`.
//! Reads use 4-point cubic (Catmull-Rom) interpolation.
//!
//! Loading and resampling happen on the control thread (`crate::sample`);
//! [`Sampler::new`] takes the finished data. `note_on`, `note_off`,
//! `all_notes_off`, `set_param`, `render` and `active_voices` run on the
//! audio thread and never allocate, lock or panic.
//!
//! A voice's level: velocity × `gain` × a short attack ramp × a 3 ms fade at
//! the sample's end (so a file that stops mid-waveform still ends cleanly) ×
//! the release fade when key-up or a steal stops it early. Stereo files keep
//! their image: `pan` works as a balance control (centre = both channels at
//! full level), which for mono files is the usual pan.

use super::voice::{Adsr, VoiceAlloc};
use super::{sane_rate, sane_values, Instrument};
use crate::engine::dsp::{db_gain, head, pan_gains, sane, Smoother, Snap};
use crate::kinds::instrument::SAMPLE_PARAMS as PARAMS;
use crate::kinds::param::ParamSpec;
use crate::kinds::Controls;

pub use super::slice::SampleData;
use super::slice::{markers_in, slice_region};

const P_GAIN: usize = 1;
const P_PITCH: usize = 2;
const P_START: usize = 3;
const P_ATTACK: usize = 4;
const P_RELEASE: usize = 5;
const P_PAN: usize = 6;
const P_END: usize = 7;
const P_RATE: usize = 8;
const P_REVERSE: usize = 9;
const P_LOOP: usize = 10;
const P_LOOP_START: usize = 11;
const P_LOOP_END: usize = 12;
const P_FADE_OUT: usize = 13;
const P_SLICES: usize = 14;
const P_SLICE_BY: usize = 15;
const P_SLICE_AT: usize = 16;

/// Fade at the sample's end, in seconds of output.
const END_FADE_S: f32 = 0.003;
/// Crossfade at a loop's seam, seconds (shorter for short loops).
const LOOP_FADE_S: f32 = 0.005;
/// Glide time constant for gain, pitch and pan.
const GLIDE_S: f32 = 0.01;

/// A knob's glide: one-pole at block ends, linear inside a block.
fn glide(v: f32, rate: f32) -> Smoother {
    Smoother::new(v, GLIDE_S, rate).with_snap(Snap::Relative(1e-6))
}

/// Balance: centre leaves both channels at full level; moving off centre
/// lowers the far side along the equal-power curve.
fn balance(p: f32) -> (f32, f32) {
    let (l, r) = pan_gains(p);
    (
        (l * std::f32::consts::SQRT_2).min(1.0),
        (r * std::f32::consts::SQRT_2).min(1.0),
    )
}

/// Catmull-Rom through `y1`..`y2` at `t` in 0..1.
#[inline]
fn cubic(y0: f32, y1: f32, y2: f32, y3: f32, t: f32) -> f32 {
    let c1 = 0.5 * (y2 - y0);
    let c2 = y0 - 2.5 * y1 + 2.0 * y2 - 0.5 * y3;
    let c3 = 0.5 * (y3 - y0) + 1.5 * (y1 - y2);
    ((c3 * t + c2) * t + c1) * t + y1
}

#[derive(Debug, Clone, Copy, Default)]
struct Voice {
    /// Read position in source frames.
    pos: f64,
    /// Speed from the note alone (the `pitch` param is applied on top).
    speed: f64,
    gain: f32,
    /// The note's own balance gains (a pattern's `pan`), else the sampler's.
    pan: Option<(f32, f32)>,
    env: Adsr,
    /// Played region [from, to) in source frames.
    from: f64,
    to: f64,
    /// Loop region, when looping.
    looping: bool,
    loop_from: f64,
    loop_to: f64,
    reverse: bool,
}

pub struct Sampler {
    data: SampleData,
    /// Playable frames (both channels).
    len: usize,
    stereo: bool,
    alloc: VoiceAlloc,
    /// Next slice for `slice_by: hit`.
    next_slice: i64,
    voices: Box<[Voice]>,
    values: [f32; PARAMS.len()],
    gain_db: Smoother,
    pitch: Smoother,
    pan: Smoother,
    rate: f32,
}

impl Sampler {
    /// Control thread: `values` follow [`PARAMS`] (the `file` entry is
    /// ignored here; `sample` is the decoded file).
    pub fn new(values: &[f32], sample: SampleData, voices: usize, rate: f32) -> Self {
        let v: [f32; PARAMS.len()] = sane_values(PARAMS, values);
        let rate = sane_rate(rate);
        let alloc = VoiceAlloc::new(voices);
        let slots = alloc.capacity();
        let len = sample.len();
        let stereo = !sample.right.is_empty();
        Self {
            data: sample,
            len,
            stereo,
            alloc,
            next_slice: 0,
            voices: vec![Voice::default(); slots].into_boxed_slice(),
            gain_db: glide(v[P_GAIN], rate),
            pitch: glide(v[P_PITCH], rate),
            pan: glide(v[P_PAN], rate),
            values: v,
            rate,
        }
    }
}

impl Instrument for Sampler {
    /// Audio thread.
    fn note_on_with(&mut self, note: f32, velocity: f32, controls: &Controls) {
        if !note.is_finite() || self.len == 0 {
            return;
        }
        let rate = self.rate;
        let start = self.alloc.start(note);
        if let Some(victim) = start.steal.and_then(|s| self.voices.get_mut(s)) {
            victim.env.fast_release(rate);
        }
        let v = self.values;
        let len = self.len;
        let Some(voice) = self.voices.get_mut(start.slot) else {
            return;
        };
        if voice.env.is_idle() {
            *voice = Voice::default();
        }
        let lenf = len as f64;
        let frac = |x: f32| x.clamp(0.0, 1.0) as f64 * lenf;
        let (mut from, mut to) = (frac(v[P_START]), frac(v[P_END]));
        if to <= from {
            to = (from + 1.0).min(lenf);
        }
        let slices = v[P_SLICES].round().max(1.0) as i64;
        let (mut loop_from, mut loop_to) = (frac(v[P_LOOP_START]), frac(v[P_LOOP_END]));
        let marks = if v[P_SLICE_AT] >= 0.5 {
            markers_in(&self.data.markers, from, to)
        } else {
            &[]
        };
        let index = if v[P_SLICE_BY] >= 0.5 {
            self.next_slice
        } else {
            (note.round() as i64) - 60
        };
        if let Some(region) = slice_region(from, to, slices, marks, index) {
            if v[P_SLICE_BY] >= 0.5 {
                self.next_slice += 1;
            }
            (from, to) = region;
            (loop_from, loop_to) = region;
            voice.speed = 1.0;
        } else {
            voice.speed = (((note - 60.0) / 12.0).clamp(-10.0, 10.0) as f64).exp2();
        }
        // The note's piece of its region (chop, striate), region and slice
        // as set on the sampler; untouched when the note asks for it all.
        if controls.begin > 0.0 || controls.end < 1.0 {
            let span = to - from;
            let (b, e) = (controls.begin as f64, controls.end as f64);
            (from, to) = (from + span * b, (from + span * e).max(from + 1.0).min(lenf));
        }
        voice.speed *= v[P_RATE].clamp(0.01, 100.0) as f64 * controls.speed as f64;
        voice.reverse = v[P_REVERSE] >= 0.5;
        voice.from = from;
        voice.to = to;
        loop_from = loop_from.clamp(from, to);
        loop_to = loop_to.clamp(from, to);
        voice.looping = v[P_LOOP] >= 0.5 && loop_to - loop_from >= 1.0;
        voice.loop_from = loop_from;
        voice.loop_to = loop_to;
        voice.pos = if voice.reverse {
            (to - 1.0).max(from)
        } else {
            from.min(lenf - 1.0).max(0.0)
        };
        voice.gain = sane(velocity, 0.0, 1.0, 0.0) * controls.gain;
        voice.pan = controls.pan.map(balance);
        voice.env.trigger(v[P_ATTACK], 0.001, 1.0, rate);
    }

    /// Audio thread: one-shots ignore key-up unless `release` is above 0;
    /// looping voices stop looping and fade (over `release`, or the steal
    /// fade if it is 0).
    fn note_off(&mut self, note: f32) {
        let (release, rate) = (self.values[P_RELEASE], self.rate);
        let voices = &mut self.voices;
        self.alloc.release_note(note, |i| {
            if let Some(v) = voices.get_mut(i) {
                if release > 0.0 {
                    v.env.release(release, rate);
                } else if v.looping {
                    v.env.fast_release(rate);
                }
            }
        });
    }

    /// Audio thread: stop means stop, so every voice fades out (over
    /// `release`, or the steal fade if it is 0).
    fn all_notes_off(&mut self) {
        self.next_slice = 0;
        let (release, rate) = (self.values[P_RELEASE], self.rate);
        let voices = &mut self.voices;
        self.alloc.release_all(|i| {
            if let Some(v) = voices.get_mut(i) {
                if release > 0.0 {
                    v.env.release(release, rate);
                } else {
                    v.env.fast_release(rate);
                }
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
            P_GAIN => self.gain_db.target = value,
            P_PITCH => self.pitch.target = value,
            P_PAN => self.pan.target = value,
            _ => {}
        }
    }

    /// Audio thread.
    fn render(&mut self, left: &mut [f32], right: &mut [f32]) {
        let n = left.len().min(right.len());
        if n == 0 || self.len == 0 {
            return;
        }
        let rate = self.rate;
        let nf = n as f32;
        // Gain and pitch glide in their musical units (dB, semitones), then
        // ramp linearly across the block in linear units.
        let (g0, dg) = self.gain_db.ramp(n);
        let (lin0, lin1) = (db_gain(g0), db_gain(g0 + dg * nf));
        let (p0, dp) = self.pitch.ramp(n);
        let (sp0, sp1) = (
            (p0 / 12.0).exp2() as f64,
            ((p0 + dp * nf) / 12.0).exp2() as f64,
        );
        let (pan0, dpan) = self.pan.ramp(n);
        let (bl0, br0) = balance(pan0);
        let (bl1, br1) = balance(pan0 + dpan * nf);
        let step = |a: f32, b: f32| (b - a) / nf;
        let (dlin, dbl, dbr) = (step(lin0, lin1), step(bl0, bl1), step(br0, br1));
        let dsp = (sp1 - sp0) / n as f64;

        let len = self.len;
        let end_fade = 1.0 / (self.values[P_FADE_OUT].max(END_FADE_S) * rate).max(1.0);
        let src_l = head(&self.data.left, len);
        let src_r = if self.stereo {
            head(&self.data.right, len)
        } else {
            src_l
        };
        let at = |src: &[f32], i: isize| -> f32 {
            if i < 0 {
                0.0
            } else {
                src.get(i as usize).copied().unwrap_or(0.0)
            }
        };

        for (slot, v) in self.voices.iter_mut().enumerate() {
            if self.alloc.is_free(slot) {
                continue;
            }
            let mut ended = false;
            for (i, (out_l, out_r)) in left.iter_mut().zip(right.iter_mut()).enumerate() {
                if v.looping {
                    let span = v.loop_to - v.loop_from;
                    if !v.reverse && v.pos >= v.loop_to {
                        v.pos -= span;
                    } else if v.reverse && v.pos < v.loop_from {
                        v.pos += span;
                    }
                }
                if v.pos >= v.to || v.pos < v.from {
                    ended = true;
                    break;
                }
                let fi = i as f32;
                let speed = v.speed * (sp0 + dsp * i as f64);
                let read_at = |pos: f64, src: &[f32]| {
                    let base = pos.floor();
                    let t = (pos - base) as f32;
                    let k = base as isize;
                    cubic(
                        at(src, k - 1),
                        at(src, k),
                        at(src, k + 1),
                        at(src, k + 2),
                        t,
                    )
                };
                let (mut xl, mut xr) = (read_at(v.pos, src_l), read_at(v.pos, src_r));
                // Near the loop seam, crossfade towards what the wrap lands
                // on, so a loop never clicks.
                if v.looping {
                    let span = v.loop_to - v.loop_from;
                    let (dist, other) = if v.reverse {
                        (v.pos - v.loop_from, v.pos + span)
                    } else {
                        (v.loop_to - v.pos, v.pos - span)
                    };
                    let room = if v.reverse {
                        len as f64 - v.loop_to
                    } else {
                        v.loop_from
                    };
                    let xf = (LOOP_FADE_S as f64 * rate as f64).min(span / 2.0).min(room);
                    if xf >= 1.0 && dist < xf {
                        let w = (dist / xf) as f32;
                        xl = xl * w + read_at(other, src_l) * (1.0 - w);
                        xr = xr * w + read_at(other, src_r) * (1.0 - w);
                    }
                }
                // Output samples left before the end, for the closing fade.
                let close = if v.looping {
                    1.0
                } else {
                    let left_frames = if v.reverse {
                        v.pos - v.from + 1.0
                    } else {
                        v.to - v.pos
                    };
                    ((left_frames / speed.max(1e-9)) as f32 * end_fade).min(1.0)
                };
                let g = v.gain * (lin0 + dlin * fi) * v.env.next() * close;
                let (bl, br) = match v.pan {
                    Some(own) => own,
                    None => (bl0 + dbl * fi, br0 + dbr * fi),
                };
                *out_l += xl * g * bl;
                *out_r += xr * g * br;
                if v.reverse {
                    v.pos -= speed;
                } else {
                    v.pos += speed;
                }
            }
            if ended || v.env.is_idle() {
                v.env = Adsr::default();
                self.alloc.free(slot);
            }
        }
    }

    fn active_voices(&self) -> usize {
        self.alloc.sounding()
    }
}

#[cfg(test)]
mod tests;
