//! How much of a signal's pitched energy sits on a scale's pitch classes.
//!
//! Control side, a pure function over a mono buffer. Pitched energy is
//! the energy of the spectral peaks (an averaged long-window spectrum's
//! local maxima), so noise, reverb wash and hiss do not count either way.
//! A peak at a whole multiple of a lower peak is that note's overtone and
//! counts with it: the notes played are judged, not their harmonics (a
//! saw's fifth harmonic is a major third above it, in key or not). That
//! reads chords ([`in_key`]); a line of single notes is read more surely,
//! down to the lowest bass, by its pitch frame by frame ([`line_in_key`]).

use crate::analysis::spectral;

/// 16384 points: about 3 Hz a bin at 48 kHz, under a semitone at 55 Hz.
const FRAME: usize = 16384;
const LOWEST_HZ: f64 = 40.0;
const HIGHEST_HZ: f64 = 5000.0;
/// Peaks more than this far under the strongest are left out (dB).
const FLOOR_DB: f64 = 60.0;
/// A peak stands this far over the spectrum this many bins away on both
/// sides (a Hann window's line is over 30 dB down there).
const PROMINENCE_DB: f64 = 10.0;
const PROMINENCE_BINS: usize = 4;
/// Overtones counted with their note: up to this harmonic...
const MAX_HARMONIC: f64 = 12.0;
/// ...within this share of its frequency (about 35 cents)...
const HARMONIC_TOLERANCE: f64 = 0.02;
/// ...of a note no more than this much weaker (a resonant filter can lift
/// an overtone far over its fundamental).
const FUNDAMENTAL_MIN_DB: f64 = -30.0;

/// Share (0 – 1) of the peaks' energy whose nearest pitch class is in
/// `scale` (pitch classes, 0 = C); 0 when nothing is pitched.
pub fn in_key(mono: &[f32], rate: f32, scale: &[u8]) -> f64 {
    let bin = rate as f64 / FRAME as f64;
    let mut power = vec![0.0f64; FRAME / 2];
    for s in spectral::spectra(mono, FRAME, FRAME / 2) {
        for (p, m) in power.iter_mut().zip(&s) {
            *p += (*m as f64).powi(2);
        }
    }
    let lo = (LOWEST_HZ / bin).ceil() as usize;
    let hi = ((HIGHEST_HZ / bin) as usize).min(power.len() - 1 - PROMINENCE_BINS);
    let strongest = power[lo.max(2)..hi].iter().copied().fold(0.0, f64::max);
    if strongest <= 0.0 {
        return 0.0;
    }
    let floor = strongest * 10f64.powf(-FLOOR_DB / 10.0);
    // (frequency, energy) of every peak, low to high.
    let mut peaks: Vec<(f64, f64)> = Vec::new();
    for k in lo.max(2)..hi {
        let p = power[k];
        if p < floor
            || p <= power[k - 1]
            || p < power[k + 1]
            || p <= power[k - 2]
            || p < power[k + 2]
        {
            continue;
        }
        // A partial is a narrow line; the low swell a note's envelope
        // leaves under the spectrum is broad, and is not a pitch.
        let prominent = 10f64.powf(PROMINENCE_DB / 10.0);
        if k < PROMINENCE_BINS
            || p < prominent * power[k - PROMINENCE_BINS]
            || p < prominent * power[k + PROMINENCE_BINS]
        {
            continue;
        }
        // The peak's frequency between bins, from the log-parabola through
        // it and its neighbours.
        let (a, b, c) = (
            power[k - 1].max(1e-30).ln(),
            p.ln(),
            power[k + 1].max(1e-30).ln(),
        );
        let shift = 0.5 * (a - c) / (a - 2.0 * b + c).min(-1e-12);
        let hz = (k as f64 + shift.clamp(-0.5, 0.5)) * bin;
        peaks.push((hz, power[k - 1] + p + power[k + 1]));
    }
    // Notes: (frequency, pitch class, energy with its overtones).
    let mut notes: Vec<(f64, u8, f64)> = Vec::new();
    let weaker = 10f64.powf(FUNDAMENTAL_MIN_DB / 10.0);
    for (hz, energy) in peaks {
        let owner = notes.iter_mut().find(|(f0, _, e0)| {
            let n = (hz / *f0).round();
            (2.0..=MAX_HARMONIC).contains(&n)
                && (hz / (n * *f0) - 1.0).abs() <= HARMONIC_TOLERANCE
                && *e0 >= energy * weaker
        });
        match owner {
            Some(note) => note.2 += energy,
            None => {
                notes.push((hz, pitch_class(hz), energy));
            }
        }
    }
    let all: f64 = notes.iter().map(|n| n.2).sum();
    let on: f64 = notes
        .iter()
        .filter(|n| scale.contains(&n.1))
        .map(|n| n.2)
        .sum();
    if all > 0.0 {
        on / all
    } else {
        0.0
    }
}

/// Share (0 – 1) of the voiced frames' energy whose pitch (YIN, 43 ms
/// frames) is nearest a pitch class of `scale`; 0 when nothing is voiced.
/// Pitches outside `register` (Hz) are the tracker's mistakes (a bell's
/// partials can read as a note two octaves and a third down) and are left
/// out.
pub fn line_in_key(mono: &[f32], rate: f32, scale: &[u8], register: (f64, f64)) -> f64 {
    const HOP: usize = 1024;
    let (mut on, mut all) = (0.0f64, 0.0f64);
    for p in crate::analysis::pitch::track(mono, rate, HOP) {
        let Some(hz) = p.hz.filter(|h| (register.0..=register.1).contains(h)) else {
            continue;
        };
        let centre = (p.time * rate as f64) as usize;
        let frame = &mono[centre.saturating_sub(HOP)..(centre + HOP).min(mono.len())];
        let energy: f64 = frame.iter().map(|v| (*v as f64).powi(2)).sum();
        all += energy;
        if scale.contains(&pitch_class(hz)) {
            on += energy;
        }
    }
    if all > 0.0 {
        on / all
    } else {
        0.0
    }
}

/// The pitch class (0 = C) nearest `hz`, in equal temperament at A4 = 440.
fn pitch_class(hz: f64) -> u8 {
    let midi = 69.0 + 12.0 * (hz / 440.0).log2();
    (midi.round() as i64).rem_euclid(12) as u8
}
