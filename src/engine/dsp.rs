//! Small real-time building blocks used across the engine: the parameter
//! smoother, pan law and ramps, fast sines, level meters, decibel
//! conversion, value sanitising, denormal protection.
//!
//! Audio thread (constructors may run anywhere). Nothing here allocates.

/// Decibels to linear gain; -120 dB and below is silence (exactly 0).
#[inline]
pub fn db_to_gain(db: f32) -> f32 {
    if db <= -120.0 {
        0.0
    } else {
        db_gain(db)
    }
}

/// Decibels to linear gain without a floor (gain curves, where -inf dB
/// never comes up and a floor would be a step).
#[inline]
pub fn db_gain(db: f32) -> f32 {
    10f32.powf(db / 20.0)
}

/// Linear gain to decibels (-inf for 0).
#[inline]
pub fn gain_to_db(g: f32) -> f32 {
    20.0 * g.max(1e-20).log10()
}

/// When a [`Smoother`] stops gliding and jumps onto its target.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Snap {
    /// Never: it approaches the target for ever (in f32, it gets there).
    Never,
    /// Once strictly closer than this.
    Below(f32),
    /// Once within this share of the target's size (at least of 1.0).
    Relative(f32),
}

impl Snap {
    /// `next`, or `target` if `next` is close enough to it.
    #[inline]
    pub fn apply(self, next: f32, target: f32) -> f32 {
        let close = match self {
            Snap::Never => false,
            Snap::Below(e) => (next - target).abs() < e,
            Snap::Relative(e) => (next - target).abs() <= e * target.abs().max(1.0),
        };
        if close {
            target
        } else {
            next
        }
    }
}

/// The one parameter smoother: a one-pole (exponential) glide towards a
/// target with a fixed time constant, so a jump in a parameter never becomes
/// a step in the signal.
///
/// Two ways to run it, each keeping the arithmetic its users were tuned with
/// (renders are compared bit for bit):
/// - per sample: [`Smoother::next`] (faders, pans, sends, master gain);
/// - per block: [`Smoother::advance`] evaluates the exact one-pole value at
///   the block's end, and [`Smoother::ramp`] adds the per-sample step of a
///   linear ramp across the block, so the result does not depend on how the
///   engine splits blocks (instrument and effect parameters).
#[derive(Debug, Clone, Copy)]
pub struct Smoother {
    pub value: f32,
    pub target: f32,
    /// Per-sample coefficient, `1 - e^(-1/τ)` with τ in samples.
    coef: f32,
    /// The time constant in samples.
    samples: f32,
    snap: Snap,
}

impl Smoother {
    /// `time_s` is the time constant (63 % of the way). Snaps within
    /// -100 dB of the target, so "off" becomes exactly 0.
    pub fn new(value: f32, time_s: f32, rate: f32) -> Self {
        let samples = time_s * rate;
        Self {
            value,
            target: value,
            coef: 1.0 - (-1.0 / samples.max(1.0)).exp(),
            samples,
            snap: Snap::Below(1e-5),
        }
    }

    /// The same smoother with another snapping rule.
    pub fn with_snap(mut self, snap: Snap) -> Self {
        self.snap = snap;
        self
    }

    #[inline]
    pub fn set(&mut self, target: f32) {
        self.target = target;
    }

    /// Audio thread: one sample's step.
    #[inline]
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> f32 {
        self.value += (self.target - self.value) * self.coef;
        self.value = self.snap.apply(self.value, self.target);
        self.value
    }

    pub fn is_settled(&self) -> bool {
        self.value == self.target
    }

    /// Share of the distance still to go after `n` samples, `e^(-n/τ)`.
    #[inline]
    pub fn remaining(&self, n: usize) -> f32 {
        (-(n as f32) / self.samples).exp()
    }

    /// Audio thread: jump to where the glide is `n` samples on.
    #[inline]
    pub fn advance(&mut self, n: usize) -> f32 {
        let k = self.remaining(n);
        self.advance_by(k)
    }

    /// Audio thread: [`Smoother::advance`] with a precomputed
    /// [`Smoother::remaining`] (shared by smoothers of one time constant).
    #[inline]
    pub fn advance_by(&mut self, remaining: f32) -> f32 {
        let next = self.target + (self.value - self.target) * remaining;
        self.value = self.snap.apply(next, self.target);
        self.value
    }

    /// Audio thread: the same block step written as an increment,
    /// `value += (target - value) * share`, with `share = 1 - remaining`.
    #[inline]
    pub fn approach_by(&mut self, share: f32) -> f32 {
        let next = self.value + (self.target - self.value) * share;
        self.value = self.snap.apply(next, self.target);
        self.value
    }

    /// Audio thread: advance `n` samples; the start value and per-sample
    /// step of the linear ramp across them.
    #[inline]
    pub fn ramp(&mut self, n: usize) -> (f32, f32) {
        let start = self.value;
        let end = self.advance(n);
        (start, (end - start) / n.max(1) as f32)
    }
}

/// Replace a non-finite or out-of-range value with something playable.
#[inline]
pub fn sane(v: f32, lo: f32, hi: f32, fallback: f32) -> f32 {
    if v.is_finite() {
        v.clamp(lo, hi)
    } else {
        fallback
    }
}

/// Equal-power pan gains moving linearly from pan `from` to pan `to` across
/// `n` samples.
#[derive(Debug, Clone, Copy)]
pub struct PanRamp {
    l0: f32,
    r0: f32,
    dl: f32,
    dr: f32,
}

impl PanRamp {
    #[inline]
    pub fn new(from: f32, to: f32, n: usize) -> Self {
        let (l0, r0) = pan_gains(from);
        let (l1, r1) = pan_gains(to);
        Self {
            l0,
            r0,
            dl: (l1 - l0) / n as f32,
            dr: (r1 - r0) / n as f32,
        }
    }

    /// (left, right) gain `t` samples into the ramp.
    #[inline]
    pub fn at(&self, t: f32) -> (f32, f32) {
        (self.l0 + self.dl * t, self.r0 + self.dr * t)
    }

    /// The ramp's gains, or a note's own fixed ones (a pattern's `pan`).
    #[inline]
    pub fn at_or(&self, t: f32, own: Option<(f32, f32)>) -> (f32, f32) {
        match own {
            Some(g) => g,
            None => self.at(t),
        }
    }
}

/// Equal-power pan law: -1 = left, 0 = centre (-3 dB each side), 1 = right.
#[inline]
pub fn pan_gains(pan: f32) -> (f32, f32) {
    let angle = (pan.clamp(-1.0, 1.0) + 1.0) * std::f32::consts::FRAC_PI_4;
    (angle.cos(), angle.sin())
}

const TAU: f32 = std::f32::consts::TAU;

/// `x` folded into a quarter wave (-0.25..=0.25 turns), in radians.
#[inline]
fn quarter_wave(x: f32) -> f32 {
    let x = x - x.round();
    let x = if x > 0.25 {
        0.5 - x
    } else if x < -0.25 {
        -0.5 - x
    } else {
        x
    };
    x * TAU
}

/// Sine of `x` turns (one turn = 2π). A Taylor polynomial to t^11 after
/// folding to a quarter wave: error below 1e-7, and much cheaper than
/// `f32::sin`, which matters at two calls per voice per sample (FM).
#[inline]
pub fn sin_turns(x: f32) -> f32 {
    let t = quarter_wave(x);
    let t2 = t * t;
    t * (1.0
        + t2 * (-1.0 / 6.0
            + t2 * (1.0 / 120.0
                + t2 * (-1.0 / 5040.0 + t2 * (1.0 / 362_880.0 + t2 * (-1.0 / 39_916_800.0))))))
}

/// [`sin_turns`] to t^9 only (error below 1e-6): enough for drum bodies.
#[inline]
pub fn sin_turns_coarse(x: f32) -> f32 {
    let t = quarter_wave(x);
    let t2 = t * t;
    t * (1.0
        + t2 * (-1.0 / 6.0 + t2 * (1.0 / 120.0 + t2 * (-1.0 / 5040.0 + t2 * (1.0 / 362_880.0)))))
}

/// sin(2πt) for t in [0, 1), without the fold's branches, so it vectorises
/// across SIMD lanes (the synth's voices).
#[inline(always)]
pub fn sin_unit_turn(t: f32) -> f32 {
    // Fold to [-0.5, 0.5) then a Bhaskara-free odd polynomial on [-pi, pi].
    let x = (t - 0.5) * TAU;
    let x = -x; // sin(2*pi*t) = -sin(2*pi*(t - 0.5))
    let x2 = x * x;
    x * (1.0
        + x2 * (-0.166_666_67
            + x2 * (0.008_333_333
                + x2 * (-0.000_198_412_7
                    + x2 * (2.755_731_9e-6 + x2 * (-2.505_210_8e-8 + x2 * 1.605_904_4e-10))))))
}

/// Peak and RMS over an interval, per channel.
#[derive(Debug, Clone, Copy, Default)]
pub struct MeterAcc {
    pub peak: [f32; 2],
    pub sum_sq: [f64; 2],
    pub frames: u32,
}

impl MeterAcc {
    #[inline]
    pub fn add(&mut self, l: &[f32], r: &[f32]) {
        let mut pl = self.peak[0];
        let mut pr = self.peak[1];
        let mut sl = 0.0f32;
        let mut sr = 0.0f32;
        for (&a, &b) in l.iter().zip(r) {
            pl = pl.max(a.abs());
            pr = pr.max(b.abs());
            sl += a * a;
            sr += b * b;
        }
        self.peak = [pl, pr];
        self.sum_sq[0] += sl as f64;
        self.sum_sq[1] += sr as f64;
        self.frames += l.len() as u32;
    }

    /// (peak, rms) per channel, then reset.
    pub fn take(&mut self) -> ([f32; 2], [f32; 2]) {
        let n = self.frames.max(1) as f64;
        let rms = [
            (self.sum_sq[0] / n).sqrt() as f32,
            (self.sum_sq[1] / n).sqrt() as f32,
        ];
        let peak = self.peak;
        *self = Self::default();
        (peak, rms)
    }
}

/// Flush denormals to zero in the FPU for the current thread while alive
/// (real-time rule 5); the previous mode is restored on drop.
pub struct DenormalGuard {
    #[cfg(any(target_arch = "x86_64", target_arch = "x86"))]
    saved: u32,
}

impl DenormalGuard {
    #[inline]
    #[allow(deprecated)]
    pub fn new() -> Self {
        #[cfg(target_arch = "x86_64")]
        {
            use std::arch::x86_64::{_mm_getcsr, _mm_setcsr};
            // SAFETY: setting FTZ (bit 15) and DAZ (bit 6) only changes how
            // tiny floats round; SSE2 is baseline on x86_64.
            unsafe {
                let saved = _mm_getcsr();
                _mm_setcsr(saved | 0x8040);
                Self { saved }
            }
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            Self {
                #[cfg(target_arch = "x86")]
                saved: 0,
            }
        }
    }
}

impl Default for DenormalGuard {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for DenormalGuard {
    #[inline]
    #[allow(deprecated)]
    fn drop(&mut self) {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: restores the mode read in `new`.
        unsafe {
            std::arch::x86_64::_mm_setcsr(self.saved);
        }
    }
}

/// Equal-power balance normalised so the centre is unity: a centred track
/// plays at its fader level, and panning a mono source keeps its power.
pub fn balance_gains(pan: f32) -> (f32, f32) {
    let (l, r) = pan_gains(pan);
    (l * std::f32::consts::SQRT_2, r * std::f32::consts::SQRT_2)
}

/// The first `n` samples of `buf`, or all of it when it is shorter: the
/// block-sized view of a buffer sized to `MAX_BLOCK`, with no failure path.
#[inline]
pub fn head(buf: &[f32], n: usize) -> &[f32] {
    buf.split_at(n.min(buf.len())).0
}

/// [`head`], writable.
#[inline]
pub fn head_mut(buf: &mut [f32], n: usize) -> &mut [f32] {
    let n = n.min(buf.len());
    buf.split_at_mut(n).0
}

/// Frames `from..from + len` of a stereo pair, numbered from `from`: the
/// sub-block an instrument renders between control-rate updates. Frames
/// past the buffers are not there (an empty run), never a failure.
#[inline]
pub fn frames_mut<'a>(
    left: &'a mut [f32],
    right: &'a mut [f32],
    from: usize,
    len: usize,
) -> impl Iterator<Item = (usize, (&'a mut f32, &'a mut f32))> {
    let end = from.saturating_add(len);
    let l = left.get_mut(from..end).unwrap_or_default();
    let r = right.get_mut(from..end).unwrap_or_default();
    (from..).zip(l.iter_mut().zip(r.iter_mut()))
}
