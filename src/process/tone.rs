//! Test tones: exact sines, band-limited triangle, saw and square (every
//! harmonic below Nyquist and none above), white and pink noise, several
//! mixed, and logarithmic sine sweeps, for `termdaw tone`.
//!
//! Control side, pure: returns the samples; writing or playing them is the
//! caller's. Sizes are bounded by the length's check ([`crate::units`]).

/// The shape of a tone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Wave {
    #[default]
    Sine,
    Triangle,
    Saw,
    Square,
    /// White noise (seeded: every run the same).
    Noise,
    /// Pink noise, -3 dB an octave (seeded).
    Pink,
}

impl Wave {
    pub const NAMES: [&'static str; 6] = ["sine", "triangle", "saw", "square", "noise", "pink"];

    pub fn parse(s: &str) -> Option<Wave> {
        let i = Self::NAMES.iter().position(|n| n.eq_ignore_ascii_case(s))?;
        [
            Wave::Sine,
            Wave::Triangle,
            Wave::Saw,
            Wave::Square,
            Wave::Noise,
            Wave::Pink,
        ]
        .get(i)
        .copied()
    }
}

/// What to generate.
#[derive(Debug, Clone, PartialEq)]
pub struct Tone {
    /// Hz; several are mixed. Empty for noise.
    pub freqs: Vec<f64>,
    pub wave: Wave,
    pub seconds: f64,
    /// A sine from the first frequency to the second, logarithmically.
    pub sweep: Option<(f64, f64)>,
    /// Peak level of the whole, dBFS (several tones share it equally).
    pub level_db: f64,
    pub rate: u32,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ToneError {
    #[error("{0}: not a frequency in Hz or a note like A4, C#3, Bb2")]
    Pitch(String),
    #[error("{freq} Hz is outside 1 Hz to {nyquist} Hz (half the rate)")]
    Range { freq: f64, nyquist: f64 },
    #[error("a sweep is a sine: leave out --wave, or play tones")]
    SweepWave,
    #[error("give a frequency or a note (or --sweep, or --wave noise|pink)")]
    Nothing,
    #[error("the level must be between -60 and 0 dBFS, found {0}")]
    Level(f64),
    #[error("at most {MAX_TONES} tones at once")]
    TooMany,
    #[error("a tone lasts 0.01 to {MAX_SECONDS} seconds, found {0}")]
    Seconds(f64),
}

/// Longest tone, seconds (ten minutes at 96 kHz are 230 MB of samples).
pub const MAX_SECONDS: f64 = 600.0;

/// Most tones mixed at once.
pub const MAX_TONES: usize = 16;
/// Fade in and out, seconds, so a tone starts and stops without a click.
pub const FADE: f64 = 0.005;

/// A frequency: Hz ("440", "61.7") or a note name ("A4" = 440 Hz, "C#3",
/// "Bb2"; equal temperament, A4 = 440 Hz).
pub fn pitch(s: &str) -> Result<f64, ToneError> {
    let bad = || ToneError::Pitch(crate::quote::clip(s, 24));
    if let Ok(hz) = s.parse::<f64>() {
        return if hz.is_finite() { Ok(hz) } else { Err(bad()) };
    }
    let split = s
        .find(|c: char| c.is_ascii_digit() || c == '-')
        .ok_or_else(bad)?;
    let (name, octave) = s.split_at(split);
    let pc = crate::patch::Key::parse(name).map_err(|_| bad())?.0 as i32;
    let octave: i32 = octave.parse().map_err(|_| bad())?;
    if !(-1..=9).contains(&octave) {
        return Err(bad());
    }
    // C4 is MIDI 60; an accidental may cross the octave (B#3 is C4).
    let raw = crate::patch::Key::parse(&name[..1]).map_err(|_| bad())?.0 as i32;
    let shift = match name.len() > 1 {
        true if pc < raw && raw - pc > 6 => 12,
        true if pc > raw && pc - raw > 6 => -12,
        _ => 0,
    };
    let midi = 12 * (octave + 1) + pc + shift;
    Ok(440.0 * 2f64.powf((midi - 69) as f64 / 12.0))
}

/// Generate the tone: mono samples at `tone.rate` (the caller copies them to
/// both channels).
pub fn generate(tone: &Tone) -> Result<Vec<f32>, ToneError> {
    check(tone)?;
    let rate = tone.rate as f64;
    let peak = 10f64.powf(tone.level_db / 20.0);
    let frames = (tone.seconds * rate).round() as usize;
    let mut out = match (tone.sweep, tone.wave) {
        (Some((a, b)), _) => sweep(a, b, frames, rate, peak),
        (None, Wave::Noise | Wave::Pink) => noise(tone.wave == Wave::Pink, frames, peak),
        (None, wave) => {
            let mut mix = vec![0.0f32; frames];
            let each = peak / tone.freqs.len() as f64;
            for &f in &tone.freqs {
                let table = cycle(wave, f, rate / 2.0);
                let n = table.len() as f64;
                for (i, m) in mix.iter_mut().enumerate() {
                    // The phase from the sample index: no drift over hours.
                    let pos = ((i as f64 * f / rate).fract()) * n;
                    let j = pos as usize;
                    let t = pos - j as f64;
                    let a = table[j % table.len()];
                    let b = table[(j + 1) % table.len()];
                    *m += (each * (a + (b - a) * t)) as f32;
                }
            }
            mix
        }
    };
    fade(&mut out, (FADE * rate) as usize);
    Ok(out)
}

/// Whether `tone` can be generated: every value in range, before anything
/// is sized from it.
pub fn check(tone: &Tone) -> Result<(), ToneError> {
    let nyquist = tone.rate as f64 / 2.0;
    if !(-60.0..=0.0).contains(&tone.level_db) {
        return Err(ToneError::Level(tone.level_db));
    }
    if tone.freqs.len() > MAX_TONES {
        return Err(ToneError::TooMany);
    }
    if !(0.01..=MAX_SECONDS).contains(&tone.seconds) {
        return Err(ToneError::Seconds(tone.seconds));
    }
    let check = |f: f64| {
        if (1.0..nyquist).contains(&f) {
            Ok(())
        } else {
            Err(ToneError::Range { freq: f, nyquist })
        }
    };
    match (tone.sweep, tone.wave) {
        (Some(_), w) if w != Wave::Sine => Err(ToneError::SweepWave),
        (Some((a, b)), _) => check(a).and(check(b)),
        (None, Wave::Noise | Wave::Pink) => Ok(()),
        (None, _) if tone.freqs.is_empty() => Err(ToneError::Nothing),
        (None, _) => tone.freqs.iter().try_for_each(|&f| check(f)),
    }
}

/// One cycle of `wave` at `freq`, with every harmonic below `nyquist`,
/// peak 1, long enough (64 points to the highest harmonic) that linear
/// interpolation is exact to well under -100 dB.
fn cycle(wave: Wave, freq: f64, nyquist: f64) -> Vec<f64> {
    use crate::engine::instrument::tone::{cycle, Shape};
    let harmonics = ((nyquist / freq).ceil() as usize).saturating_sub(1).max(1);
    let shape = match wave {
        Wave::Triangle => Shape::Triangle,
        Wave::Saw => Shape::Saw,
        Wave::Square => Shape::Square,
        _ => Shape::Sine,
    };
    let n = (harmonics * 64).next_power_of_two().clamp(4096, 1 << 20);
    cycle(shape, harmonics, n)
}

/// A sine sweeping from `a` to `b` Hz over `frames`, logarithmically (equal
/// time per octave), its phase the exact integral of the frequency.
fn sweep(a: f64, b: f64, frames: usize, rate: f64, peak: f64) -> Vec<f32> {
    let t_total = (frames as f64 / rate).max(1e-9);
    let k = (b / a).ln();
    (0..frames)
        .map(|i| {
            let t = i as f64 / rate;
            let phase = if k.abs() < 1e-12 {
                a * t
            } else {
                a * t_total / k * ((t / t_total * k).exp() - 1.0)
            };
            (peak * (std::f64::consts::TAU * phase.fract()).sin()) as f32
        })
        .collect()
}

/// Seeded white or pink noise (pink: Paul Kellet's filter of white noise),
/// scaled to peak `peak`.
fn noise(pink: bool, frames: usize, peak: f64) -> Vec<f32> {
    let mut s: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut white = || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        (s >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
    };
    let mut b = [0.0f64; 7];
    let mut out: Vec<f32> = (0..frames)
        .map(|_| {
            let w = white();
            if !pink {
                return w as f32;
            }
            b[0] = 0.99886 * b[0] + w * 0.0555179;
            b[1] = 0.99332 * b[1] + w * 0.0750759;
            b[2] = 0.96900 * b[2] + w * 0.1538520;
            b[3] = 0.86650 * b[3] + w * 0.3104856;
            b[4] = 0.55000 * b[4] + w * 0.5329522;
            b[5] = -0.7616 * b[5] - w * 0.0168980;
            let y = b.iter().sum::<f64>() + w * 0.5362;
            b[6] = w * 0.115926;
            y as f32
        })
        .collect();
    let max = out.iter().fold(0.0f32, |m, x| m.max(x.abs())).max(1e-12);
    let gain = (peak / max as f64) as f32;
    out.iter_mut().for_each(|x| *x *= gain);
    out
}

/// Raised-cosine fades of `n` samples at both ends.
fn fade(x: &mut [f32], n: usize) {
    let n = n.min(x.len() / 2);
    let len = x.len();
    for i in 0..n {
        let g = (0.5 - 0.5 * (std::f64::consts::PI * i as f64 / n as f64).cos()) as f32;
        x[i] *= g;
        x[len - 1 - i] *= g;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_and_numbers_read_as_their_frequencies() {
        let near = |a: f64, b: f64| (a - b).abs() < 1e-6 * b;
        assert!(near(pitch("A4").unwrap(), 440.0));
        assert!(near(pitch("a4").unwrap(), 440.0));
        assert!(near(pitch("C4").unwrap(), 261.625_565_300_6));
        assert!(near(pitch("Bb2").unwrap(), pitch("A#2").unwrap()));
        assert!(near(pitch("B#3").unwrap(), pitch("C4").unwrap()));
        assert!(near(pitch("Cb4").unwrap(), pitch("B3").unwrap()));
        assert!(near(pitch("61.5").unwrap(), 61.5));
        for bad in ["H4", "A", "A10", "inf", "x"] {
            assert!(pitch(bad).is_err(), "{bad}");
        }
    }
}
