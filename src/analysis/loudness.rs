//! Loudness per ITU-R BS.1770-4 / EBU R128: K-weighting, 400 ms momentary
//! blocks (75 % overlap), 3 s short-term windows, and the two-stage gate
//! (−70 LUFS absolute, −10 LU relative) for integrated loudness.
//!
//! Control side, pure functions over buffers; never used on the audio thread.
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

/// Mean square per 100 ms step of the K-weighted, channel-summed signal.
fn steps(l: &[f32], r: &[f32], rate: f64) -> (Vec<f64>, usize) {
    let hop = (rate / 10.0).round() as usize;
    let mut kl = KWeight::new(rate);
    let mut kr = KWeight::new(rate);
    let mut out = Vec::with_capacity(l.len() / hop + 1);
    let mut acc = 0.0;
    let mut n = 0;
    for (a, b) in l.iter().zip(r) {
        let (x, y) = (kl.tick(*a), kr.tick(*b));
        acc += x * x + y * y;
        n += 1;
        if n == hop {
            out.push(acc);
            acc = 0.0;
            n = 0;
        }
    }
    (out, hop)
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
    let momentary = windows(&steps, 4, hop);
    let short = windows(&steps, 30, hop);
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
