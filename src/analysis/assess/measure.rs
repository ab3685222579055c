//! The measurements an assessment scores: levels, stereo, balance, noise,
//! stability, and the role features (spectrum, onsets, sustain, key, grid).
//!
//! Control side, pure functions over whole buffers; never on the audio
//! thread. Each value is the number the assessment reports, in the unit
//! its table row names.

use crate::analysis::{peak, spectral, Report};

/// Length of the blocks levels are taken over (noise floor, sustain, drift).
const BLOCK_SECONDS: f64 = 0.05;
/// A sample at or over this is at full scale.
const FULL_SCALE: f32 = 0.999;
/// Full-scale samples in a row that count as a clip (one can be a peak).
const CLIP_RUN: usize = 3;
/// Quiet blocks this far under the loud ones mean the audio has rests,
/// so the quietest blocks show its noise floor.
const REST_DEPTH_DB: f64 = 40.0;
/// How far an onset may be from the grid and still be on it.
pub const GRID_TOLERANCE_S: f64 = 0.015;

/// Everything scored, measured once.
#[derive(Debug, Clone, PartialEq)]
pub struct Measures {
    pub integrated_lufs: f64,
    pub true_peak_dbtp: f64,
    pub sample_peak_dbfs: f64,
    pub rms_dbfs: f64,
    /// Peak over RMS, dB.
    pub crest_db: f64,
    /// Pearson correlation of left and right, -1 – 1 (1 for silence).
    pub correlation: f64,
    /// How much quieter the mono sum is than the stereo signal, dB.
    pub mono_loss_db: f64,
    /// The larger side's mean, dBFS.
    pub dc_dbfs: f64,
    /// Share of the energy below 150 Hz.
    pub low_share: f64,
    /// Share of the energy below 30 Hz.
    pub rumble_share: f64,
    /// Share of the energy above 6 kHz.
    pub high_share: f64,
    pub centroid_hz: f64,
    pub onsets_per_second: f64,
    /// Share of blocks within 10 dB of the loudest tenth.
    pub sustain: f64,
    /// Share of samples in full-scale runs.
    pub clipped_share: f64,
    /// dBFS of the quietest tenth of blocks, when the audio has rests.
    pub noise_floor_dbfs: Option<f64>,
    pub non_finite: usize,
    /// Level of the last third against the first, dB.
    pub drift_db: f64,
    /// Share of pitched energy on the scale's pitch classes, given a key.
    pub in_key: Option<f64>,
    /// Share of onsets on the 16th-note grid, given a tempo.
    pub on_grid: Option<f64>,
    pub seconds: f64,
}

/// Measure planar stereo at `rate` for a role of `profile`. `scale` is
/// the pitch classes (0 = C) in key; `tempo` the grid's BPM.
pub fn measure(
    l: &[f32],
    r: &[f32],
    rate: f32,
    scale: Option<&[u8]>,
    profile: &super::table::Profile,
    tempo: Option<f64>,
) -> Measures {
    let n = l.len().min(r.len());
    let non_finite = l[..n]
        .iter()
        .chain(&r[..n])
        .filter(|x| !x.is_finite())
        .count();
    // Every other measure sees the finite signal (a NaN would poison sums).
    let clean = |x: &[f32]| -> Vec<f32> {
        x[..n]
            .iter()
            .map(|v| if v.is_finite() { *v } else { 0.0 })
            .collect()
    };
    let (l, r) = (clean(l), clean(r));
    let report = crate::analysis::analyze(&l, &r, rate);
    let mono: Vec<f32> = l.iter().zip(&r).map(|(a, b)| 0.5 * (a + b)).collect();
    let blocks = block_db(&l, &r, rate);
    let (rumble_share, low_share, high_share) = band_shares(&mono, rate);
    Measures {
        integrated_lufs: report.loudness.integrated,
        true_peak_dbtp: report.true_peak,
        sample_peak_dbfs: report.sample_peak,
        rms_dbfs: report.rms,
        crest_db: crest(&report),
        correlation: correlation(&l, &r),
        mono_loss_db: mono_loss(&l, &r, &mono),
        dc_dbfs: dc(&l).max(dc(&r)),
        low_share,
        rumble_share,
        high_share,
        centroid_hz: report.centroid,
        onsets_per_second: report.onsets.len() as f64 / report.seconds.max(1e-9),
        sustain: sustain(&blocks),
        clipped_share: clipped(&l, &r),
        noise_floor_dbfs: noise_floor(&blocks),
        non_finite,
        drift_db: drift(&blocks),
        in_key: scale.map(|s| match profile.chords {
            true => super::chroma::in_key(&mono, rate, s),
            false => super::chroma::line_in_key(&mono, rate, s, profile.register),
        }),
        on_grid: tempo.map(|t| on_grid(&report.onsets, t)),
        seconds: report.seconds,
    }
}

fn crest(r: &Report) -> f64 {
    if r.rms.is_finite() && r.sample_peak.is_finite() {
        r.sample_peak - r.rms
    } else {
        0.0
    }
}

fn correlation(l: &[f32], r: &[f32]) -> f64 {
    let (mut lr, mut ll, mut rr) = (0.0f64, 0.0f64, 0.0f64);
    for (a, b) in l.iter().zip(r) {
        let (a, b) = (*a as f64, *b as f64);
        lr += a * b;
        ll += a * a;
        rr += b * b;
    }
    if ll <= 1e-20 || rr <= 1e-20 {
        // Silence or one side only: nothing cancels in mono.
        return 1.0;
    }
    lr / (ll * rr).sqrt()
}

fn power(x: &[f32]) -> f64 {
    x.iter().map(|v| (*v as f64).powi(2)).sum::<f64>()
}

fn mono_loss(l: &[f32], r: &[f32], mono: &[f32]) -> f64 {
    let stereo = 0.5 * (power(l) + power(r));
    let m = power(mono);
    if stereo <= 1e-20 {
        return 0.0;
    }
    // A mono signal on both sides loses nothing; opposite sides lose all.
    (10.0 * (stereo / m.max(1e-30)).log10()).clamp(0.0, 120.0)
}

fn dc(x: &[f32]) -> f64 {
    let mean = x.iter().map(|v| *v as f64).sum::<f64>() / x.len().max(1) as f64;
    peak::to_db(mean.abs())
}

/// Energy shares below 30 Hz, below 150 Hz and above 6 kHz.
fn band_shares(mono: &[f32], rate: f32) -> (f64, f64, f64) {
    const FRAME: usize = 4096;
    let bin = rate as f64 / FRAME as f64;
    let (mut rumble, mut low, mut high, mut all) = (0.0f64, 0.0f64, 0.0f64, 0.0f64);
    for s in spectral::spectra(mono, FRAME, FRAME / 2) {
        for (k, m) in s.iter().enumerate().skip(1) {
            let p = (*m as f64).powi(2);
            let f = k as f64 * bin;
            all += p;
            if f < 30.0 {
                rumble += p;
            }
            if f < 150.0 {
                low += p;
            } else if f > 6000.0 {
                high += p;
            }
        }
    }
    if all <= 0.0 {
        return (0.0, 0.0, 0.0);
    }
    (rumble / all, low / all, high / all)
}

/// RMS of each 50 ms block of both sides, dBFS.
fn block_db(l: &[f32], r: &[f32], rate: f32) -> Vec<f64> {
    let len = ((rate as f64 * BLOCK_SECONDS) as usize).max(1);
    l.chunks(len)
        .zip(r.chunks(len))
        .map(|(a, b)| peak::to_db(((power(a) + power(b)) / (2 * a.len()) as f64).sqrt()))
        .collect()
}

fn sorted(blocks: &[f64]) -> Vec<f64> {
    // Digital silence reads as -120 dBFS, under any real noise floor.
    let mut v: Vec<f64> = blocks.iter().map(|b| b.max(-120.0)).collect();
    v.sort_by(f64::total_cmp);
    v
}

/// Mean of a slice of sorted levels (dB averaged as dB: a level, not power).
fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len().max(1) as f64
}

fn loud_tenth(v: &[f64]) -> f64 {
    mean(&v[v.len() - (v.len() / 10).max(1)..])
}

fn sustain(blocks: &[f64]) -> f64 {
    let v = sorted(blocks);
    if v.is_empty() {
        return 0.0;
    }
    let loud = loud_tenth(&v);
    v.iter().filter(|b| **b >= loud - 10.0).count() as f64 / v.len() as f64
}

fn noise_floor(blocks: &[f64]) -> Option<f64> {
    let v = sorted(blocks);
    if v.len() < 10 {
        return None;
    }
    let quiet = mean(&v[..v.len() / 10]);
    (quiet < loud_tenth(&v) - REST_DEPTH_DB).then_some(quiet)
}

fn drift(blocks: &[f64]) -> f64 {
    let third = blocks.len() / 3;
    if third == 0 {
        return 0.0;
    }
    // Power means, so rests between notes do not read as a fall.
    let level = |b: &[f64]| {
        let p = b.iter().map(|d| 10f64.powf(d / 10.0)).sum::<f64>() / b.len() as f64;
        10.0 * p.max(1e-20).log10()
    };
    level(&blocks[blocks.len() - third..]) - level(&blocks[..third])
}

fn clipped(l: &[f32], r: &[f32]) -> f64 {
    let count = |x: &[f32]| {
        let (mut total, mut run) = (0usize, 0usize);
        for v in x {
            if v.abs() >= FULL_SCALE {
                run += 1;
            } else {
                if run >= CLIP_RUN {
                    total += run;
                }
                run = 0;
            }
        }
        total + if run >= CLIP_RUN { run } else { 0 }
    };
    (count(l) + count(r)) as f64 / (l.len() + r.len()).max(1) as f64
}

/// Share of onsets within [`GRID_TOLERANCE_S`] of a 16th note at `tempo`.
pub fn on_grid(onsets: &[f64], tempo: f64) -> f64 {
    if onsets.is_empty() {
        return 0.0;
    }
    let step = 60.0 / tempo / 4.0;
    let on = onsets
        .iter()
        .filter(|t| {
            let off = *t / step - (*t / step).round();
            off.abs() * step <= GRID_TOLERANCE_S
        })
        .count();
    on as f64 / onsets.len() as f64
}
