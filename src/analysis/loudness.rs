//! Loudness per ITU-R BS.1770-4 / EBU R128: K-weighting, 400 ms momentary
//! blocks (75 % overlap), 3 s short-term windows, and the two-stage gate
//! (−70 LUFS absolute, −10 LU relative) for integrated loudness.
//!
//! Control side, pure functions over buffers and the live [`Meter`] the
//! mixer shows (fed from the engine's tap); never used on the audio thread.
//! Stereo in, left and right weighted 1.0. A mono file is read as dual mono
//! (the same signal on both sides), so a 1 kHz sine at −23 dBFS reads
//! −23.0 LUFS, as EBU Tech 3341 expects of its stereo reference.

/// The K-weighting pre-filter (high shelf) and RLB high-pass, designed for
/// any sample rate (the analog prototypes of BS.1770, as libebur128 does).
#[derive(Debug, Clone, Copy)]
struct KWeight {
    b: [[f64; 3]; 2],
    a: [[f64; 3]; 2],
    z: [[f64; 2]; 2],
}

impl KWeight {
    fn new(rate: f64) -> Self {
        use std::f64::consts::PI;
        let f0 = 1681.974450955533;
        let g = 3.999843853973347;
        let q = 0.7071752369554196;
        let k = (PI * f0 / rate).tan();
        let vh = 10f64.powf(g / 20.0);
        let vb = vh.powf(0.4996667741545416);
        let a0 = 1.0 + k / q + k * k;
        let pb = [
            (vh + vb * k / q + k * k) / a0,
            2.0 * (k * k - vh) / a0,
            (vh - vb * k / q + k * k) / a0,
        ];
        let pa = [1.0, 2.0 * (k * k - 1.0) / a0, (1.0 - k / q + k * k) / a0];
        let f0 = 38.13547087602444;
        let q = 0.5003270373238773;
        let k = (PI * f0 / rate).tan();
        let a0 = 1.0 + k / q + k * k;
        let rb = [1.0, -2.0, 1.0];
        let ra = [1.0, 2.0 * (k * k - 1.0) / a0, (1.0 - k / q + k * k) / a0];
        Self {
            b: [pb, rb],
            a: [pa, ra],
            z: [[0.0; 2]; 2],
        }
    }

    #[inline]
    fn tick(&mut self, x: f32) -> f64 {
        let mut s = x as f64;
        for i in 0..2 {
            let (b, a, z) = (self.b[i], self.a[i], &mut self.z[i]);
            let y = b[0] * s + z[0];
            z[0] = b[1] * s - a[1] * y + z[1];
            z[1] = b[2] * s - a[2] * y;
            s = y;
        }
        s
    }
}

/// LUFS from a summed weighted mean square.
pub fn lufs(power: f64) -> f64 {
    if power <= 0.0 {
        f64::NEG_INFINITY
    } else {
        -0.691 + 10.0 * power.log10()
    }
}

/// Loudness measurements of one signal.
#[derive(Debug, Clone, PartialEq)]
pub struct Loudness {
    /// Integrated (gated) loudness, LUFS; −inf for silence.
    pub integrated: f64,
    /// Loudest short-term (3 s) value, LUFS.
    pub short_term_max: f64,
    /// Loudest momentary (400 ms) value, LUFS.
    pub momentary_max: f64,
    /// Short-term loudness once per second (the window ending at that second).
    pub short_term: Vec<f64>,
    /// Loudness range (EBU Tech 3342), LU.
    pub range: f64,
}

/// K-weights a stereo stream and sums it into 100 ms steps (the hop of the
/// momentary and short-term windows): both the file analysis and the live
/// meter are built on it, so they measure alike.
#[derive(Debug, Clone)]
struct Stepper {
    kl: KWeight,
    kr: KWeight,
    hop: usize,
    acc: f64,
    n: usize,
}

impl Stepper {
    fn new(rate: f64) -> Self {
        Self {
            kl: KWeight::new(rate),
            kr: KWeight::new(rate),
            hop: ((rate / 10.0).round() as usize).max(1),
            acc: 0.0,
            n: 0,
        }
    }

    /// One stereo frame; the summed weighted power of a step when it completes.
    #[inline]
    fn frame(&mut self, l: f32, r: f32) -> Option<f64> {
        let (x, y) = (self.kl.tick(l), self.kr.tick(r));
        self.acc += x * x + y * y;
        self.n += 1;
        if self.n < self.hop {
            return None;
        }
        let step = self.acc;
        self.acc = 0.0;
        self.n = 0;
        Some(step)
    }
}

/// Summed weighted power per 100 ms step of a whole signal, and the hop.
fn steps(l: &[f32], r: &[f32], rate: f64) -> (Vec<f64>, usize) {
    let mut st = Stepper::new(rate);
    let mut out = Vec::with_capacity(l.len() / st.hop + 1);
    for (a, b) in l.iter().zip(r) {
        out.extend(st.frame(*a, *b));
    }
    (out, st.hop)
}

/// Steps in the short-term window (3 s).
const SHORT_STEPS: usize = 30;
/// Steps in the momentary window (400 ms).
const MOMENTARY_STEPS: usize = 4;

/// Live loudness of a running stream (the master output in the mixer):
/// momentary and short-term LUFS, updated every 100 ms, with the same
/// weighting and windows as [`measure`].
#[derive(Debug, Clone)]
pub struct Meter {
    stepper: Stepper,
    ring: [f64; SHORT_STEPS],
    at: usize,
    filled: usize,
}

impl Meter {
    pub fn new(rate: f64) -> Self {
        Self {
            stepper: Stepper::new(rate),
            ring: [0.0; SHORT_STEPS],
            at: 0,
            filled: 0,
        }
    }

    /// Add interleaved stereo frames (L, R, L, R, ...).
    pub fn push_interleaved(&mut self, frames: &[f32]) {
        for f in frames.chunks_exact(2) {
            if let Some(step) = self.stepper.frame(f[0], f[1]) {
                self.ring[self.at] = step;
                self.at = (self.at + 1) % SHORT_STEPS;
                self.filled = (self.filled + 1).min(SHORT_STEPS);
            }
        }
    }

    /// LUFS over the last `len` steps, once that many have been heard.
    fn last(&self, len: usize) -> Option<f64> {
        if self.filled < len {
            return None;
        }
        let sum: f64 = (1..=len)
            .map(|k| self.ring[(self.at + SHORT_STEPS - k) % SHORT_STEPS])
            .sum();
        Some(lufs(sum / (len * self.stepper.hop) as f64))
    }

    /// Momentary loudness (the last 400 ms), LUFS; `None` until 400 ms were heard.
    pub fn momentary(&self) -> Option<f64> {
        self.last(MOMENTARY_STEPS)
    }

    /// Short-term loudness (the last 3 s), LUFS; `None` until 3 s were heard.
    pub fn short_term(&self) -> Option<f64> {
        self.last(SHORT_STEPS)
    }
}

/// Mean power of every window of `len` steps, one per step.
fn windows(steps: &[f64], len: usize, hop: usize) -> Vec<f64> {
    if steps.len() < len {
        return Vec::new();
    }
    steps
        .windows(len)
        .map(|w| w.iter().sum::<f64>() / (len * hop) as f64)
        .collect()
}

/// Measure loudness of a stereo signal at `rate` Hz.
pub fn measure(l: &[f32], r: &[f32], rate: f64) -> Loudness {
    let (steps, hop) = steps(l, r, rate);
    let momentary = windows(&steps, MOMENTARY_STEPS, hop);
    let short = windows(&steps, SHORT_STEPS, hop);
    let integrated = gated(&momentary, -10.0).0;
    // LRA: short-term values gated at −70 absolute and −20 relative, 10th to 95th percentile.
    let (_, mut kept) = gated(&short, -20.0);
    kept.sort_by(f64::total_cmp);
    let range = if kept.len() > 1 {
        let pct = |p: f64| kept[((kept.len() - 1) as f64 * p).round() as usize];
        pct(0.95) - pct(0.10)
    } else {
        0.0
    };
    let max = |v: &[f64]| {
        v.iter()
            .copied()
            .map(lufs)
            .fold(f64::NEG_INFINITY, f64::max)
    };
    Loudness {
        integrated,
        short_term_max: max(&short),
        momentary_max: max(&momentary),
        short_term: short.iter().skip(9).step_by(10).map(|p| lufs(*p)).collect(),
        range,
    }
}

/// Two-stage gating: blocks above −70 LUFS, then above (their mean − `relative` LU).
/// Returns the gated loudness and the loudness of every block kept.
fn gated(blocks: &[f64], relative: f64) -> (f64, Vec<f64>) {
    let abs: Vec<f64> = blocks
        .iter()
        .copied()
        .filter(|p| lufs(*p) > -70.0)
        .collect();
    if abs.is_empty() {
        return (f64::NEG_INFINITY, Vec::new());
    }
    let threshold = lufs(abs.iter().sum::<f64>() / abs.len() as f64) + relative;
    let kept: Vec<f64> = abs.into_iter().filter(|p| lufs(*p) > threshold).collect();
    if kept.is_empty() {
        return (f64::NEG_INFINITY, Vec::new());
    }
    let loud = lufs(kept.iter().sum::<f64>() / kept.len() as f64);
    (loud, kept.into_iter().map(lufs).collect())
}
