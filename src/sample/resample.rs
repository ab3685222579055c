//! Sample-rate conversion for loaded samples: a windowed-sinc (Kaiser)
//! interpolator. Runs on the control thread only; it allocates freely.
//!
//! Each output sample is a weighted sum of the input around its position,
//! weights from a sinc whose cutoff is the lower of the two Nyquist rates
//! (slightly below, to leave a transition band), so downsampling does not
//! alias and upsampling does not image. The kernel is tabulated once and
//! read with linear interpolation.

/// Zero crossings of the sinc on each side: 32 gives a stop band well below
/// -90 dB with the window below.
const HALF_WIDTH: usize = 32;
/// Table points per zero crossing.
const RESOLUTION: usize = 512;
/// Kaiser window shape: about -90 dB side lobes.
const BETA: f64 = 9.0;
/// Cutoff as a fraction of the lower Nyquist frequency.
const CUTOFF: f64 = 0.94;

/// Modified Bessel function of the first kind, order 0 (series; converges
/// fast for the arguments a Kaiser window needs).
fn bessel_i0(x: f64) -> f64 {
    let (mut sum, mut term, mut k) = (1.0, 1.0, 1.0);
    while term > 1e-12 * sum {
        term *= (x / (2.0 * k)).powi(2);
        sum += term;
        k += 1.0;
    }
    sum
}

/// Kernel h(u) = sinc(u) · kaiser(u / HALF_WIDTH) for u in 0..=HALF_WIDTH
/// (in zero crossings), one extra point so interpolation never reads past.
fn kernel_table() -> Vec<f64> {
    let n = HALF_WIDTH * RESOLUTION;
    let norm = bessel_i0(BETA);
    (0..=n + 1)
        .map(|j| {
            let u = j as f64 / RESOLUTION as f64;
            if u >= HALF_WIDTH as f64 {
                return 0.0;
            }
            let sinc = if u == 0.0 {
                1.0
            } else {
                (std::f64::consts::PI * u).sin() / (std::f64::consts::PI * u)
            };
            let r = u / HALF_WIDTH as f64;
            sinc * bessel_i0(BETA * (1.0 - r * r).sqrt()) / norm
        })
        .collect()
}

/// Convert `input` sampled at `from` Hz to `to` Hz. The output has
/// `round(len · to / from)` samples. Equal or invalid rates return a copy.
pub fn resample(input: &[f32], from: f64, to: f64) -> Vec<f32> {
    let valid = from.is_finite() && to.is_finite() && from > 0.0 && to > 0.0;
    if input.is_empty() || !valid || from == to {
        return input.to_vec();
    }
    let table = kernel_table();
    let ratio = to / from;
    // Cutoff in cycles per input sample, relative to the input's Nyquist.
    let fc = ratio.min(1.0) * CUTOFF;
    // The kernel spans HALF_WIDTH zero crossings, i.e. HALF_WIDTH / fc inputs.
    let reach = (HALF_WIDTH as f64 / fc).ceil() as isize;
    let out_len = (input.len() as f64 * ratio).round() as usize;
    let step = 1.0 / ratio;
    let res = RESOLUTION as f64;
    let weight = |d: f64| -> f64 {
        let u = (d * fc).abs() * res;
        let j = u as usize;
        match (table.get(j), table.get(j + 1)) {
            (Some(a), Some(b)) => a + (b - a) * (u - j as f64),
            _ => 0.0,
        }
    };
    let mut out = Vec::with_capacity(out_len);
    for n in 0..out_len {
        let t = n as f64 * step;
        let centre = t.floor() as isize;
        let lo = (centre - reach + 1).max(0);
        let hi = (centre + reach).min(input.len() as isize - 1);
        let mut acc = 0.0f64;
        for k in lo..=hi {
            acc += input[k as usize] as f64 * weight(t - k as f64);
        }
        out.push((acc * fc) as f32);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sine(hz: f64, rate: f64, len: usize) -> Vec<f32> {
        (0..len)
            .map(|i| (std::f64::consts::TAU * hz * i as f64 / rate).sin() as f32)
            .collect()
    }

    /// Amplitude and phase-accurate fit of a sine at `hz` over the middle.
    fn amplitude_at(x: &[f32], hz: f64, rate: f64) -> f64 {
        let (a, b) = (x.len() / 4, 3 * x.len() / 4);
        let (mut re, mut im) = (0.0, 0.0);
        for (i, s) in x.iter().enumerate().take(b).skip(a) {
            let ph = std::f64::consts::TAU * hz * i as f64 / rate;
            re += *s as f64 * ph.cos();
            im += *s as f64 * ph.sin();
        }
        2.0 * (re * re + im * im).sqrt() / (b - a) as f64
    }

    #[test]
    fn keeps_pitch_level_and_length() {
        for (from, to) in [
            (44_100.0, 48_000.0),
            (48_000.0, 44_100.0),
            (22_050.0, 48_000.0),
            (96_000.0, 48_000.0),
        ] {
            let x = sine(1_000.0, from, from as usize);
            let y = resample(&x, from, to);
            assert_eq!(y.len(), to as usize);
            let a = amplitude_at(&y, 1_000.0, to);
            assert!((a - 1.0).abs() < 0.01, "{from}->{to}: amplitude {a}");
            // What is left after removing the 1 kHz sine is noise and error.
            let fit: Vec<f32> = sine(1_000.0, to, y.len());
            let (lo, hi) = (y.len() / 4, 3 * y.len() / 4);
            let err = y[lo..hi]
                .iter()
                .zip(&fit[lo..hi])
                .map(|(a, b)| (a - b).abs())
                .fold(0.0f32, f32::max);
            assert!(err < 1e-3, "{from}->{to}: max error {err}");
        }
    }

    #[test]
    fn downsampling_removes_what_cannot_be_kept() {
        // 30 kHz at 96 kHz has no place at 48 kHz: it must not fold down
        // to 18 kHz.
        let x = sine(30_000.0, 96_000.0, 96_000);
        let y = resample(&x, 96_000.0, 48_000.0);
        let alias = amplitude_at(&y, 18_000.0, 48_000.0);
        assert!(alias < 1e-3, "alias {alias}");
    }

    #[test]
    fn same_rate_is_a_copy() {
        let x = sine(440.0, 48_000.0, 1_000);
        assert_eq!(resample(&x, 48_000.0, 48_000.0), x);
        assert!(resample(&[], 44_100.0, 48_000.0).is_empty());
    }
}
