//! The subtractive synth: band-limited oscillator with 2-voice unison,
//! resonant state-variable filter with its own envelope, linear amp ADSR and
//! equal-power pan per voice.
//!
//! Built on the control thread; `note_on`/`note_off`/`set_param`/`render`
//! run on the audio thread and never allocate. This is the hottest code in
//! termdaw, so voices are stored structure-of-arrays in groups of [`LANES`]
//! and every per-sample operation is written branch-free over a group, which
//! the compiler turns into SIMD. The kernel is compiled for several CPU
//! feature levels and picked at run time (`multiversion`). Envelope stage
//! changes and filter coefficients are updated every [`SUB`] samples; levels
//! themselves move every sample.

mod lane;

use lane::{Lane, Lanes};
use multiversion::multiversion;

use super::voice::{note_hz, ramp_inc, VoiceAlloc, STEAL_FADE_S};
use super::Instrument;
use crate::engine::dsp::{pan_gains, sin_unit_turn, Smoother, Snap};
use crate::engine::MAX_BLOCK;
use crate::kinds::instrument::SYNTH_PARAMS as PARAMS;
use crate::kinds::param::ParamSpec;
use crate::kinds::Controls;

/// Voices computed together (one AVX register of f32).
pub const LANES: usize = 8;
/// Control-rate interval in samples.
pub const SUB: usize = 16;
/// Filter cutoff and resonance glide time constant.
const GLIDE_S: f32 = 0.01;

const P_WAVE: usize = 0;
const P_UNISON: usize = 1;
const P_DETUNE: usize = 2;
const P_FILTER: usize = 3;
const P_CUTOFF: usize = 4;
const P_Q: usize = 5;
const P_ENV_AMOUNT: usize = 6;
const P_F_ATTACK: usize = 7;
const P_F_DECAY: usize = 8;
const P_ATTACK: usize = 9;
const P_DECAY: usize = 10;
const P_SUSTAIN: usize = 11;
const P_RELEASE: usize = 12;
const P_PAN: usize = 13;
const P_SPREAD: usize = 14;

type V = [f32; LANES];

/// State of [`LANES`] voices, one lane each.
#[derive(Clone, Copy, Default)]
#[repr(C, align(64))]
struct Group {
    p1: V,
    p2: V,
    inc1: V,
    inc2: V,
    ic1: V,
    ic2: V,
    amp: V,
    amp_inc: V,
    amp_lo: V,
    amp_hi: V,
    fenv: V,
    fenv_inc: V,
    fenv_hi: V,
    gl: V,
    gr: V,
    noise: [u32; LANES],
    amp_stage: [AmpStage; LANES],
    f_stage: [FStage; LANES],
}

#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
enum AmpStage {
    #[default]
    Idle,
    Attack,
    Decay,
    Sustain,
    Release,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
enum FStage {
    Attack,
    #[default]
    Decay,
}

/// Per-track settings the kernel reads (scalars, same for every voice).
#[derive(Clone, Copy, Debug)]
struct Shared {
    rate: f32,
    cutoff: f32,
    q: f32,
    env_amount: f32,
    /// Filter output mix: low, band, high.
    mode: [f32; 3],
    unison_gain: f32,
    /// Pitch-wheel frequency ratio applied to every oscillator.
    bend: f32,
}

pub struct Synth {
    alloc: VoiceAlloc,
    groups: Box<[Group]>,
    /// Samples until the next control-rate update (kept across calls).
    values: [f32; PARAMS.len()],
    cutoff: Smoother,
    q: Smoother,
    rate: f32,
    lanes_l: Box<[V]>,
    lanes_r: Box<[V]>,
    spread_sign: f32,
    /// Pitch-wheel frequency ratio.
    bend: f32,
}

impl Synth {
    /// Control thread.
    pub fn new(values: &[f32], voices: usize, rate: f32) -> Self {
        let mut v = [0.0; PARAMS.len()];
        for (i, (x, p)) in v.iter_mut().zip(PARAMS).enumerate() {
            *x = values.get(i).copied().unwrap_or(p.default);
        }
        let alloc = VoiceAlloc::new(voices);
        let slots = alloc.capacity().div_ceil(LANES) * LANES;
        let mut groups = vec![Group::default(); slots / LANES].into_boxed_slice();
        for (gi, g) in groups.iter_mut().enumerate() {
            for l in Lane::all() {
                let slot = gi * LANES + l.index();
                g.noise
                    .set(l, 0x9E37_79B9u32.wrapping_mul(slot as u32 + 1) | 1);
                g.amp_hi.set(l, 1.0);
            }
        }
        Self {
            alloc,
            groups,
            values: v,
            cutoff: Smoother::new(v[P_CUTOFF], GLIDE_S, rate).with_snap(Snap::Never),
            q: Smoother::new(v[P_Q], GLIDE_S, rate).with_snap(Snap::Never),
            rate,
            lanes_l: vec![[0.0; LANES]; MAX_BLOCK].into_boxed_slice(),
            lanes_r: vec![[0.0; LANES]; MAX_BLOCK].into_boxed_slice(),
            spread_sign: 1.0,
            bend: 1.0,
        }
    }

    /// The group and lane of a voice slot; `None` only for a slot the
    /// allocator never hands out.
    fn lane(&mut self, slot: usize) -> Option<(&mut Group, Lane)> {
        Some((self.groups.get_mut(slot / LANES)?, Lane::of(slot)))
    }

    fn amp_stage(&self, slot: usize) -> AmpStage {
        self.groups
            .get(slot / LANES)
            .map_or(AmpStage::Idle, |g| g.amp_stage.at(Lane::of(slot)))
    }

    fn release_slot(&mut self, slot: usize, seconds: f32) {
        let rate = self.rate;
        let Some((g, l)) = self.lane(slot) else {
            return;
        };
        if g.amp_stage.at(l) == AmpStage::Idle {
            return;
        }
        g.amp_stage.set(l, AmpStage::Release);
        g.amp_inc
            .set(l, -ramp_inc(g.amp.at(l).max(1e-6), seconds, rate));
        g.amp_lo.set(l, 0.0);
    }

    fn shared(&self) -> Shared {
        let v = &self.values;
        let mode = match v[P_FILTER] as usize {
            1 => [0.0, 0.0, 1.0],
            2 => [0.0, 1.0, 0.0],
            _ => [1.0, 0.0, 0.0],
        };
        Shared {
            rate: self.rate,
            cutoff: self.cutoff.value,
            q: self.q.value,
            env_amount: v[P_ENV_AMOUNT],
            mode,
            unison_gain: if v[P_UNISON] >= 1.5 { 0.7 } else { 1.0 },
            bend: self.bend,
        }
    }

    /// Stage changes for one voice at control rate.
    fn advance_stages(&mut self, slot: usize) {
        let v = self.values;
        let rate = self.rate;
        let Some((g, l)) = self.lane(slot) else {
            return;
        };
        if g.f_stage.at(l) == FStage::Attack && g.fenv.at(l) >= 1.0 {
            g.fenv_inc.set(l, -ramp_inc(1.0, v[P_F_DECAY], rate));
            g.f_stage.set(l, FStage::Decay);
        }
        let mut free = false;
        let next = match g.amp_stage.at(l) {
            AmpStage::Attack if g.amp.at(l) >= 1.0 => {
                let s = v[P_SUSTAIN];
                g.amp_inc.set(l, -ramp_inc(1.0 - s, v[P_DECAY], rate));
                g.amp_lo.set(l, s);
                AmpStage::Decay
            }
            AmpStage::Decay if g.amp.at(l) <= g.amp_lo.at(l) => {
                g.amp_inc.set(l, 0.0);
                AmpStage::Sustain
            }
            AmpStage::Release if g.amp.at(l) <= 0.0 => {
                g.amp_inc.set(l, 0.0);
                g.gl.set(l, 0.0);
                g.gr.set(l, 0.0);
                g.ic1.set(l, 0.0);
                g.ic2.set(l, 0.0);
                free = true;
                AmpStage::Idle
            }
            s => s,
        };
        g.amp_stage.set(l, next);
        if free {
            self.alloc.free(slot);
        }
    }
}

impl Instrument for Synth {
    fn note_on_with(&mut self, note: f32, velocity: f32, controls: &Controls) {
        let start = self.alloc.start(note);
        if let Some(victim) = start.steal {
            self.release_slot(victim, STEAL_FADE_S);
        }
        let slot = start.slot;
        let v = self.values;
        let rate = self.rate;
        let hz = note_hz(note);
        let (d1, d2) = if v[P_UNISON] >= 1.5 {
            let c = v[P_DETUNE] / 2400.0;
            ((-c).exp2(), c.exp2())
        } else {
            (1.0, 1.0)
        };
        self.spread_sign = -self.spread_sign;
        let pan = controls.pan.unwrap_or(v[P_PAN]);
        let (pl, pr) = pan_gains(pan + v[P_SPREAD] * self.spread_sign);
        let level = velocity.clamp(0.0, 1.0) * 0.5 * controls.gain;
        let Some((g, l)) = self.lane(slot) else {
            return;
        };
        let was_idle = g.amp_stage.at(l) == AmpStage::Idle;
        g.inc1.set(l, (hz * d1 / rate).min(0.49));
        g.inc2.set(l, (hz * d2 / rate).min(0.49));
        if was_idle {
            // A fresh voice: start the unison pair out of phase for width.
            g.p1.set(l, 0.0);
            g.p2.set(l, 0.37);
            g.ic1.set(l, 0.0);
            g.ic2.set(l, 0.0);
            g.amp.set(l, 0.0);
        }
        g.gl.set(l, pl * level);
        g.gr.set(l, pr * level);
        g.amp_inc.set(l, ramp_inc(1.0, v[P_ATTACK], rate));
        g.amp_lo.set(l, 0.0);
        g.amp_hi.set(l, 1.0);
        g.fenv.set(l, 0.0);
        g.fenv_inc.set(l, ramp_inc(1.0, v[P_F_ATTACK], rate));
        g.fenv_hi.set(l, 1.0);
        g.amp_stage.set(l, AmpStage::Attack);
        g.f_stage.set(l, FStage::Attack);
    }

    fn note_off(&mut self, note: f32) {
        let mut hits = [usize::MAX; 16];
        let mut n = 0;
        let mut more = false;
        self.alloc.release_note(note, |s| {
            if let Some(h) = hits.get_mut(n) {
                *h = s;
                n += 1;
            } else {
                more = true;
            }
        });
        let r = self.values[P_RELEASE];
        for &s in hits.iter().take(n) {
            self.release_slot(s, r);
        }
        if more {
            // Very rare: more than 16 voices on one note. Release them all.
            for s in 0..self.alloc.capacity() {
                let slot = self.alloc.slot(s);
                if slot.note == note && self.amp_stage(s) != AmpStage::Release {
                    self.release_slot(s, r);
                }
            }
        }
    }

    fn all_notes_off(&mut self) {
        let r = self.values[P_RELEASE];
        for s in 0..self.alloc.capacity() {
            if matches!(
                self.amp_stage(s),
                AmpStage::Attack | AmpStage::Decay | AmpStage::Sustain
            ) {
                self.release_slot(s, r);
            }
        }
        self.alloc.release_all(|_| {});
    }

    fn params(&self) -> &'static [ParamSpec] {
        PARAMS
    }

    fn apply_param(&mut self, index: usize, value: f32) {
        if let Some(x) = self.values.get_mut(index) {
            *x = value;
        }
        match index {
            P_CUTOFF => self.cutoff.target = value,
            P_Q => self.q.target = value,
            _ => {}
        }
    }

    fn render(&mut self, left: &mut [f32], right: &mut [f32]) {
        let n = left.len().min(right.len()).min(MAX_BLOCK);
        let wave = self.values[P_WAVE] as u8;
        let unison = self.values[P_UNISON] >= 1.5;
        let mut pos = 0;
        while pos < n {
            let len = (n - pos).min(SUB);
            // Parameter glides at control rate.
            let k = 1.0 - self.cutoff.remaining(len);
            self.cutoff.approach_by(k);
            self.q.approach_by(k);
            let shared = self.shared();
            // len <= SUB <= MAX_BLOCK, the lane buffers' size.
            let (Some(out_l), Some(out_r)) =
                (self.lanes_l.get_mut(..len), self.lanes_r.get_mut(..len))
            else {
                return;
            };
            out_l.fill([0.0; LANES]);
            out_r.fill([0.0; LANES]);
            for gi in 0..self.groups.len() {
                let base = gi * LANES;
                if (base..base + LANES).all(|s| self.alloc.is_free(s)) {
                    continue;
                }
                let (Some(g), Some(out_l), Some(out_r)) = (
                    self.groups.get_mut(gi),
                    self.lanes_l.get_mut(..len),
                    self.lanes_r.get_mut(..len),
                ) else {
                    continue;
                };
                render_group(g, &shared, wave, unison, out_l, out_r);
                for s in base..(base + LANES).min(self.alloc.capacity()) {
                    if !self.alloc.is_free(s) {
                        self.advance_stages(s);
                    }
                }
            }
            let (Some(dl), Some(dr)) =
                (left.get_mut(pos..pos + len), right.get_mut(pos..pos + len))
            else {
                return;
            };
            let sums = self.lanes_l.iter().zip(self.lanes_r.iter());
            for ((dl, dr), (ll, lr)) in dl.iter_mut().zip(dr.iter_mut()).zip(sums) {
                *dl += ll.iter().sum::<f32>();
                *dr += lr.iter().sum::<f32>();
            }
            pos += len;
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

/// tan(x) for 0 <= x < pi/2 (rational approximation, ~1e-6 relative error in range used).
#[inline(always)]
fn fast_tan(x: f32) -> f32 {
    let x2 = x * x;
    let num = x * (135135.0 + x2 * (-17325.0 + x2 * (378.0 - x2)));
    let den = 135135.0 + x2 * (-62370.0 + x2 * (3150.0 - 28.0 * x2));
    num / den
}

/// 2^x, accurate to ~1e-4 relative for |x| < 20.
#[inline(always)]
#[allow(clippy::manual_clamp)] // clamp's bounds assertion blocks vectorisation
fn fast_exp2(x: f32) -> f32 {
    let x = x.max(-20.0).min(20.0);
    let xi = x.floor();
    let f = x - xi;
    let p = 1.0
        + f * (std::f32::consts::LN_2
            + f * (0.240_227 + f * (0.055_504_1 + f * (0.009_618_13 + f * 0.001_333_36))));
    f32::from_bits(((xi as i32 + 127) as u32) << 23) * p
}

#[inline(always)]
fn poly_saw(t: f32, dt: f32, inv_dt: f32) -> f32 {
    let mut s = 2.0 * t - 1.0;
    let x1 = t * inv_dt;
    let b1 = x1 + x1 - x1 * x1 - 1.0;
    s -= if t < dt { b1 } else { 0.0 };
    let x2 = (t - 1.0) * inv_dt;
    let b2 = x2 * x2 + x2 + x2 + 1.0;
    s -= if t > 1.0 - dt { b2 } else { 0.0 };
    s
}

#[inline(always)]
fn osc<const W: u8>(t: f32, dt: f32, inv_dt: f32, noise: &mut u32) -> f32 {
    match W {
        0 => sin_unit_turn(t),
        1 => poly_saw(t, dt, inv_dt),
        2 => {
            let t2 = t + 0.5;
            let t2 = if t2 >= 1.0 { t2 - 1.0 } else { t2 };
            poly_saw(t, dt, inv_dt) - poly_saw(t2, dt, inv_dt)
        }
        3 => 4.0 * (t - 0.5).abs() - 1.0,
        _ => {
            let mut x = *noise;
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            *noise = x;
            (x as i32 as f32) * (1.0 / 2_147_483_648.0)
        }
    }
}

#[inline(always)]
#[allow(clippy::manual_clamp)] // clamp's bounds assertion blocks vectorisation
fn group_kernel<const W: u8, const U: bool>(
    g: &mut Group,
    sh: &Shared,
    out_l: &mut [V],
    out_r: &mut [V],
) {
    // Control-rate coefficients for this sub-block, per lane.
    let mut a1 = [0.0; LANES];
    let mut a2 = [0.0; LANES];
    let mut a3 = [0.0; LANES];
    let mut inv1 = [0.0; LANES];
    let mut inv2 = [0.0; LANES];
    let k = 1.0 / sh.q;
    let nyq = 0.45 * sh.rate;
    let pi_over_rate = std::f32::consts::PI / sh.rate;
    for l in Lane::all() {
        let fc = (sh.cutoff * fast_exp2(sh.env_amount * g.fenv.at(l)))
            .max(10.0)
            .min(nyq);
        let gg = fast_tan(fc * pi_over_rate);
        a1.set(l, 1.0 / (1.0 + gg * (gg + k)));
        a2.set(l, gg * a1.at(l));
        a3.set(l, gg * a2.at(l));
        inv1.set(l, 1.0 / (g.inc1.at(l) * sh.bend).clamp(1e-9, 0.49));
        inv2.set(l, 1.0 / (g.inc2.at(l) * sh.bend).clamp(1e-9, 0.49));
    }
    let [ml, mb, mh] = sh.mode;
    let ug = sh.unison_gain;
    // Keep the whole group state in locals (registers) across the sub-block.
    let mut p1 = g.p1;
    let mut p2 = g.p2;
    let mut inc1 = g.inc1;
    let mut inc2 = g.inc2;
    for l in Lane::all() {
        inc1.set(l, (inc1.at(l) * sh.bend).min(0.49));
        inc2.set(l, (inc2.at(l) * sh.bend).min(0.49));
    }
    let mut ic1 = g.ic1;
    let mut ic2 = g.ic2;
    let mut amp = g.amp;
    let amp_inc = g.amp_inc;
    let amp_lo = g.amp_lo;
    let amp_hi = g.amp_hi;
    let mut fenv = g.fenv;
    let fenv_inc = g.fenv_inc;
    let fenv_hi = g.fenv_hi;
    let gl = g.gl;
    let gr = g.gr;
    let mut noise = g.noise;
    for (ol, or) in out_l.iter_mut().zip(out_r.iter_mut()) {
        for l in Lane::all() {
            let mut n = noise.at(l);
            let mut x = osc::<W>(p1.at(l), inc1.at(l), inv1.at(l), &mut n);
            let np = p1.at(l) + inc1.at(l);
            p1.set(l, if np >= 1.0 { np - 1.0 } else { np });
            if U {
                x += osc::<W>(p2.at(l), inc2.at(l), inv2.at(l), &mut n);
                let np = p2.at(l) + inc2.at(l);
                p2.set(l, if np >= 1.0 { np - 1.0 } else { np });
            }
            x *= ug;
            // Topology-preserving state-variable filter.
            let v3 = x - ic2.at(l);
            let v1 = a1.at(l) * ic1.at(l) + a2.at(l) * v3;
            let v2 = ic2.at(l) + a2.at(l) * ic1.at(l) + a3.at(l) * v3;
            ic1.set(l, 2.0 * v1 - ic1.at(l));
            ic2.set(l, 2.0 * v2 - ic2.at(l));
            let y = ml * v2 + mb * v1 + mh * (x - k * v1 - v2);
            // max/min rather than clamp: clamp's bounds assertion would block SIMD.
            amp.set(
                l,
                (amp.at(l) + amp_inc.at(l))
                    .max(amp_lo.at(l))
                    .min(amp_hi.at(l)),
            );
            fenv.set(l, (fenv.at(l) + fenv_inc.at(l)).max(0.0).min(fenv_hi.at(l)));
            let s = y * amp.at(l);
            noise.set(l, n);
            ol.set(l, ol.at(l) + s * gl.at(l));
            or.set(l, or.at(l) + s * gr.at(l));
        }
    }
    g.p1 = p1;
    g.p2 = p2;
    g.ic1 = ic1;
    g.ic2 = ic2;
    g.amp = amp;
    g.fenv = fenv;
    g.noise = noise;
}

/// Audio thread: render one group of voices for one sub-block, compiled for
/// the best SIMD level this CPU has.
#[multiversion(targets("x86_64+avx512f+avx512vl+avx2+fma", "x86_64+avx2+fma", "aarch64+neon"))]
fn render_group(
    g: &mut Group,
    sh: &Shared,
    wave: u8,
    unison: bool,
    out_l: &mut [V],
    out_r: &mut [V],
) {
    match (wave, unison) {
        (0, false) => group_kernel::<0, false>(g, sh, out_l, out_r),
        (0, true) => group_kernel::<0, true>(g, sh, out_l, out_r),
        (1, false) => group_kernel::<1, false>(g, sh, out_l, out_r),
        (1, true) => group_kernel::<1, true>(g, sh, out_l, out_r),
        (2, false) => group_kernel::<2, false>(g, sh, out_l, out_r),
        (2, true) => group_kernel::<2, true>(g, sh, out_l, out_r),
        (3, false) => group_kernel::<3, false>(g, sh, out_l, out_r),
        (3, true) => group_kernel::<3, true>(g, sh, out_l, out_r),
        (_, false) => group_kernel::<4, false>(g, sh, out_l, out_r),
        (_, true) => group_kernel::<4, true>(g, sh, out_l, out_r),
    }
}

#[cfg(test)]
mod tests;
