//! Small real-time building blocks used across the engine: parameter
//! smoothing, level meters, decibel conversion, denormal protection.
//!
//! Audio thread (constructors may run anywhere). Nothing here allocates.

/// Decibels to linear gain.
#[inline]
pub fn db_to_gain(db: f32) -> f32 {
    if db <= -120.0 {
        0.0
    } else {
        10f32.powf(db / 20.0)
    }
}

/// Linear gain to decibels (-inf for 0).
#[inline]
pub fn gain_to_db(g: f32) -> f32 {
    20.0 * g.max(1e-20).log10()
}

/// One-pole smoother: glides towards its target with a fixed time constant,
/// so a jump in a parameter never becomes a step in the signal.
#[derive(Debug, Clone, Copy)]
pub struct Smoothed {
    pub value: f32,
    pub target: f32,
    coef: f32,
}

impl Smoothed {
    /// `time_s` is the time constant (63 % of the way).
    pub fn new(value: f32, time_s: f32, rate: f32) -> Self {
        Self {
            value,
            target: value,
            coef: 1.0 - (-1.0 / (time_s * rate).max(1.0)).exp(),
        }
    }

    #[inline]
    pub fn set(&mut self, target: f32) {
        self.target = target;
    }

    #[inline]
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> f32 {
        self.value += (self.target - self.value) * self.coef;
        // Snap once within -100 dB of the target, so "off" becomes exactly 0.
        if (self.value - self.target).abs() < 1e-5 {
            self.value = self.target;
        }
        self.value
    }

    pub fn is_settled(&self) -> bool {
        self.value == self.target
    }
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
