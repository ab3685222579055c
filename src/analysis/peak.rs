//! Sample peak, true peak (4× oversampled per ITU-R BS.1770-4 Annex 2) and RMS.
//!
//! Control side, pure functions; never used on the audio thread. The
//! oversampler is a 4-phase windowed-sinc interpolator (32 taps per phase,
//! Kaiser window); phase 0 reproduces the input samples exactly, so the true
//! peak is never below the sample peak.

const PHASES: usize = 4;
const TAPS: usize = 32;

fn bessel_i0(x: f64) -> f64 {
    let mut sum = 1.0;
    let mut term = 1.0;
    for k in 1..40 {
        term *= (x / (2.0 * k as f64)).powi(2);
        sum += term;
    }
    sum
}

/// Polyphase coefficients: `coefs[p][t]` weighs input `n - t + TAPS/2` for
/// output phase `p` between input `n` and `n + 1`.
fn design() -> [[f64; TAPS]; PHASES] {
    let beta = 8.0;
    let len = (PHASES * TAPS) as f64;
    let mut c = [[0.0; TAPS]; PHASES];
    for (p, row) in c.iter_mut().enumerate() {
        for (t, v) in row.iter_mut().enumerate() {
            // Position of this tap in input samples relative to the output point.
            let x = (t as f64 - (TAPS / 2) as f64 + 1.0) - p as f64 / PHASES as f64;
            let sinc = if x.abs() < 1e-12 {
                1.0
            } else {
                (std::f64::consts::PI * x).sin() / (std::f64::consts::PI * x)
            };
            let pos = (x * PHASES as f64 + len / 2.0) / len; // 0..1 across the window
            let w = bessel_i0(beta * (1.0 - (2.0 * pos - 1.0).powi(2)).max(0.0).sqrt())
                / bessel_i0(beta);
            *v = sinc * w;
        }
        let sum: f64 = row.iter().sum();
        row.iter_mut().for_each(|v| *v /= sum);
    }
    c
}

/// Highest absolute sample value.
pub fn sample_peak(x: &[f32]) -> f32 {
    x.iter().fold(0.0, |m, v| m.max(v.abs()))
}

/// Highest absolute value of the signal reconstructed at 4× the rate.
pub fn true_peak(x: &[f32]) -> f32 {
    let c = design();
    let coefs: Vec<[f32; TAPS]> = c[1..]
        .iter()
        .map(|row| std::array::from_fn(|t| row[t] as f32))
        .collect();
    // Pad so every tap reads a sample: input i + 1 + t − half for tap t.
    let half = TAPS / 2;
    let mut padded = vec![0.0f32; half];
    padded.extend_from_slice(x);
    padded.extend(std::iter::repeat_n(0.0, TAPS));
    let mut peak = sample_peak(x);
    for i in 0..x.len() {
        let win = &padded[i + 1..i + 1 + TAPS];
        for row in &coefs {
            let acc: f32 = win.iter().zip(row).map(|(a, b)| a * b).sum();
            peak = peak.max(acc.abs());
        }
    }
    peak
}

/// Root mean square.
pub fn rms(x: &[f32]) -> f64 {
    if x.is_empty() {
        return 0.0;
    }
    (x.iter().map(|v| (*v as f64).powi(2)).sum::<f64>() / x.len() as f64).sqrt()
}

/// Linear to dB (−inf for 0).
pub fn to_db(x: f64) -> f64 {
    if x <= 0.0 {
        f64::NEG_INFINITY
    } else {
        20.0 * x.log10()
    }
}
