//! Spectral features: spectral centroid, onsets (spectral flux with an
//! adaptive threshold) and a tempo estimate from the onset envelope.
//!
//! Control side, pure functions over a mono buffer; never used on the
//! audio thread.

use rustfft::{num_complex::Complex, FftPlanner};

const FRAME: usize = 2048;

/// Magnitude spectra of Hann-windowed `frame`-long frames, the i-th centred
/// on sample `i * hop` (the signal is taken as silent outside its ends).
pub(crate) fn spectra(x: &[f32], frame: usize, hop: usize) -> Vec<Vec<f32>> {
    let fft = FftPlanner::new().plan_fft_forward(frame);
    let window: Vec<f32> = (0..frame)
        .map(|i| 0.5 - 0.5 * (std::f32::consts::TAU * i as f32 / frame as f32).cos())
        .collect();
    let mut out = Vec::new();
    let mut buf = vec![Complex::new(0.0f32, 0.0); frame];
    let mut centre = 0;
    while centre < x.len() {
        for (i, c) in buf.iter_mut().enumerate() {
            let at = (centre + i).checked_sub(frame / 2);
            let v = at.and_then(|a| x.get(a)).copied().unwrap_or(0.0);
            *c = Complex::new(v * window[i], 0.0);
        }
        fft.process(&mut buf);
        out.push(buf[..frame / 2].iter().map(|c| c.norm()).collect());
        centre += hop;
    }
    out
}

/// Spectral centroid (Hz), the energy-weighted mean over the whole signal.
pub fn centroid(x: &[f32], rate: f32) -> f64 {
    let bin = rate as f64 / FRAME as f64;
    let (mut num, mut den) = (0.0f64, 0.0f64);
    for s in spectra(x, FRAME, FRAME / 2) {
        for (k, m) in s.iter().enumerate() {
            let p = (*m as f64).powi(2);
            num += k as f64 * bin * p;
            den += p;
        }
    }
    if den > 0.0 {
        num / den
    } else {
        0.0
    }
}

/// Onset detection result.
#[derive(Debug, Clone, PartialEq)]
pub struct Onsets {
    /// Onset times, seconds.
    pub times: Vec<f64>,
    /// Estimated tempo, BPM (None when there are too few onsets).
    pub tempo: Option<f64>,
}

/// Onsets by half-wave rectified log-spectral flux, and a tempo from the
/// autocorrelation of the flux envelope (60–200 BPM, weighted towards 120).
pub fn onsets(x: &[f32], rate: f32) -> Onsets {
    let (frame, hop) = (1024usize, 256usize);
    let fps = rate as f64 / hop as f64;
    let specs = spectra(x, frame, hop);
    let logs: Vec<Vec<f64>> = specs
        .iter()
        .map(|s| s.iter().map(|m| (1.0 + 100.0 * *m as f64).ln()).collect())
        .collect();
    let mut flux = vec![0.0f64; specs.len()];
    // How much of a frame's (log) spectrum is new: near 1 for a hit out of
    // silence, near 0 for a steady tone.
    let mut novelty = vec![0.0f64; specs.len()];
    let silence = vec![0.0f64; frame / 2];
    for i in 0..specs.len() {
        let before = if i == 0 { &silence } else { &logs[i - 1] };
        flux[i] = logs[i]
            .iter()
            .zip(before)
            .map(|(a, b)| (a - b).max(0.0))
            .sum();
        novelty[i] = flux[i] / (logs[i].iter().sum::<f64>() + 1e-9);
    }
    // Adaptive threshold: local mean over ±0.1 s plus a share of the global peak.
    let peak = flux.iter().cloned().fold(0.0, f64::max);
    let w = (0.1 * fps).ceil() as usize;
    let min_gap = (0.05 * fps).ceil() as usize;
    let mut times = Vec::new();
    let mut last: Option<usize> = None;
    for i in 0..flux.len().saturating_sub(1) {
        let lo = i.saturating_sub(w);
        let hi = (i + w + 1).min(flux.len());
        let mean = flux[lo..hi].iter().sum::<f64>() / (hi - lo) as f64;
        let is_peak = (i == 0 || flux[i] >= flux[i - 1]) && flux[i] > flux[i + 1];
        if is_peak
            && flux[i] > mean * 1.5 + 0.1 * peak
            && novelty[i] > 0.05
            && last.is_none_or(|l| i - l >= min_gap)
        {
            // Flux peaks when a hit crosses the steepest part of the window,
            // a quarter frame after the frame's centre.
            times.push(
                ((i * hop + frame / 4) as f64 / rate as f64 - hop as f64 / rate as f64 / 2.0)
                    .max(0.0),
            );
            last = Some(i);
        }
    }
    let tempo = (times.len() >= 4).then(|| tempo(&flux, fps)).flatten();
    Onsets { times, tempo }
}

fn tempo(flux: &[f64], fps: f64) -> Option<f64> {
    let mean = flux.iter().sum::<f64>() / flux.len() as f64;
    let f: Vec<f64> = flux.iter().map(|v| v - mean).collect();
    let lag_of = |bpm: f64| 60.0 * fps / bpm;
    let (lo, hi) = (lag_of(200.0).floor() as usize, lag_of(60.0).ceil() as usize);
    if hi + 2 >= f.len() {
        return None;
    }
    let acf: Vec<f64> = (0..=hi + 1)
        .map(|l| {
            f[..f.len() - l]
                .iter()
                .zip(&f[l..])
                .map(|(a, b)| a * b)
                .sum::<f64>()
        })
        .collect();
    let mut best = (0usize, f64::MIN);
    for (l, a) in acf.iter().enumerate().take(hi + 1).skip(lo.max(2)) {
        let bpm = 60.0 * fps / l as f64;
        let prior = (-0.5 * (bpm / 120.0).log2().powi(2)).exp();
        let score = a * prior;
        if score > best.1 {
            best = (l, score);
        }
    }
    let l = best.0;
    let (a, b, c) = (acf[l - 1], acf[l], acf[l + 1]);
    let den = a - 2.0 * b + c;
    let delta = if den.abs() > 1e-12 {
        0.5 * (a - c) / den
    } else {
        0.0
    };
    Some(60.0 * fps / (l as f64 + delta))
}
