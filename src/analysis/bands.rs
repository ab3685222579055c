//! The 1/3-octave spectrum of the last seconds of a live stream (the
//! master tap), for the chat's `listen` tool.
//!
//! Control thread: [`Recent::push_interleaved`] keeps a fixed ring of the
//! last [`SECONDS`] of mono samples (allocated once); [`Recent::bands`]
//! analyses it on demand. Never on the audio thread.

use crate::analysis::spectral;

/// How much of the stream the spectrum covers.
pub const SECONDS: f64 = 3.0;
const FRAME: usize = 8192;

/// ISO 266 preferred centres of the 1/3-octave bands, 25 Hz to 16 kHz.
pub const CENTRES: [f32; 29] = [
    25.0, 31.5, 40.0, 50.0, 63.0, 80.0, 100.0, 125.0, 160.0, 200.0, 250.0, 315.0, 400.0, 500.0,
    630.0, 800.0, 1000.0, 1250.0, 1600.0, 2000.0, 2500.0, 3150.0, 4000.0, 5000.0, 6300.0, 8000.0,
    10000.0, 12500.0, 16000.0,
];

/// The last seconds of a stream, mono.
#[derive(Debug, Clone)]
pub struct Recent {
    rate: f32,
    ring: Vec<f32>,
    at: usize,
    filled: usize,
}

impl Recent {
    pub fn new(rate: f32) -> Self {
        let len = (rate as f64 * SECONDS).round().max(FRAME as f64) as usize;
        Self {
            rate,
            ring: vec![0.0; len],
            at: 0,
            filled: 0,
        }
    }

    /// Add interleaved stereo frames (L, R, L, R, ...).
    pub fn push_interleaved(&mut self, frames: &[f32]) {
        for f in frames.chunks_exact(2) {
            self.ring[self.at] = 0.5 * (f[0] + f[1]);
            self.at = (self.at + 1) % self.ring.len();
            self.filled = (self.filled + 1).min(self.ring.len());
        }
    }

    /// Seconds heard so far, up to [`SECONDS`].
    pub fn seconds(&self) -> f64 {
        self.filled as f64 / self.rate as f64
    }

    /// Level of each 1/3-octave band over the last seconds, dBFS (a
    /// full-scale sine in a band reads 0), with its centre in Hz.
    pub fn bands(&self) -> Vec<(f32, f32)> {
        let len = self.ring.len();
        let mono: Vec<f32> = (0..self.filled)
            .map(|i| self.ring[(self.at + len - self.filled + i) % len])
            .collect();
        let spectra = spectral::spectra(&mono, FRAME, FRAME / 2);
        let bin = self.rate / FRAME as f32;
        let mut power = vec![0.0f64; CENTRES.len()];
        for s in &spectra {
            for (k, m) in s.iter().enumerate().skip(1) {
                let hz = k as f32 * bin;
                let edge = 2f32.powf(1.0 / 6.0);
                if let Some(b) = CENTRES.iter().position(|c| hz >= c / edge && hz < c * edge) {
                    power[b] += (*m as f64).powi(2);
                }
            }
        }
        // A full-scale sine through a Hann window peaks at FRAME/4 and
        // spreads 1.5x its peak power over its bins.
        let full = 1.5 * (FRAME as f64 / 4.0).powi(2) * spectra.len().max(1) as f64;
        CENTRES
            .iter()
            .zip(power)
            .map(|(c, p)| (*c, (10.0 * (p / full).max(1e-12).log10()) as f32))
            .collect()
    }
}
