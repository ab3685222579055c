//! Pitch tracking with YIN (de Cheveigné & Kawahara, 2002): the cumulative
//! mean normalised difference function, an absolute threshold and parabolic
//! refinement, per 2048-sample frame.
//!
//! Control side, pure functions over a mono buffer; never used on the
//! audio thread.

/// One pitch estimate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PitchPoint {
    /// Frame centre, seconds.
    pub time: f64,
    /// Fundamental, Hz; None where the frame is unvoiced or silent.
    pub hz: Option<f64>,
}

const FRAME: usize = 2048;

/// Pitch every `hop` samples, between 2 kHz and the lowest pitch a
/// 1024-sample lag reaches (47 Hz at 48 kHz).
pub fn track(x: &[f32], rate: f32, hop: usize) -> Vec<PitchPoint> {
    use rustfft::{num_complex::Complex, FftPlanner};
    let w = FRAME / 2;
    let min_lag = (rate / 2000.0) as usize;
    let max_lag = ((rate / 40.0) as usize).min(w - 1);
    let size = 2 * FRAME;
    let mut planner = FftPlanner::<f64>::new();
    let fwd = planner.plan_fft_forward(size);
    let inv = planner.plan_fft_inverse(size);
    let mut a = vec![Complex::new(0.0, 0.0); size];
    let mut b = vec![Complex::new(0.0, 0.0); size];
    let mut d = vec![0.0f64; max_lag + 2];
    let mut cmnd = vec![1.0f64; max_lag + 2];
    let mut out = Vec::new();
    let mut start = 0;
    while start + FRAME <= x.len() {
        let frame = &x[start..start + FRAME];
        let energy: f64 = frame.iter().map(|v| (*v as f64).powi(2)).sum::<f64>() / FRAME as f64;
        let time = (start + FRAME / 2) as f64 / rate as f64;
        if energy < 1e-8 {
            out.push(PitchPoint { time, hz: None });
            start += hop;
            continue;
        }
        // Difference function via FFT cross-correlation:
        // d(τ) = Σ x[j]² + Σ x[j+τ]² − 2 Σ x[j]·x[j+τ], j < w.
        for (i, c) in a.iter_mut().enumerate() {
            *c = Complex::new(if i < w { frame[i] as f64 } else { 0.0 }, 0.0);
        }
        for (i, c) in b.iter_mut().enumerate() {
            *c = Complex::new(frame.get(i).map_or(0.0, |v| *v as f64), 0.0);
        }
        fwd.process(&mut a);
        fwd.process(&mut b);
        for (p, q) in a.iter_mut().zip(&b) {
            *p = p.conj() * q;
        }
        inv.process(&mut a);
        let sq: Vec<f64> = frame.iter().map(|v| (*v as f64).powi(2)).collect();
        let e0: f64 = sq[..w].iter().sum();
        let mut e_tau = e0;
        for tau in 0..max_lag + 2 {
            if tau > 0 {
                e_tau += sq[tau + w - 1] - sq[tau - 1];
            }
            let cross = a[tau].re / size as f64;
            d[tau] = (e0 + e_tau - 2.0 * cross).max(0.0);
        }
        // Cumulative mean normalisation.
        let mut sum = 0.0;
        cmnd[0] = 1.0;
        for tau in 1..max_lag + 2 {
            sum += d[tau];
            cmnd[tau] = if sum > 0.0 {
                d[tau] * tau as f64 / sum
            } else {
                1.0
            };
        }
        let mut found = None;
        let mut tau = min_lag.max(2);
        while tau <= max_lag {
            if cmnd[tau] < 0.15 {
                while tau < max_lag && cmnd[tau + 1] < cmnd[tau] {
                    tau += 1;
                }
                found = Some(tau);
                break;
            }
            tau += 1;
        }
        let hz = found.map(|t| {
            let (a, b, c) = (cmnd[t - 1], cmnd[t], cmnd[t + 1]);
            let den = a - 2.0 * b + c;
            let delta = if den.abs() > 1e-12 {
                0.5 * (a - c) / den
            } else {
                0.0
            };
            rate as f64 / (t as f64 + delta)
        });
        out.push(PitchPoint { time, hz });
        start += hop;
    }
    out
}
