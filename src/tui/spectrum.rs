//! The spectrum of the master output, from the engine's lock-free tap.
//!
//! Control thread (UI). Samples read from the tap go into a ring of the last
//! [`FFT_SIZE`] samples; about 30 times a second they are windowed (Hann),
//! transformed with rustfft, and each bin's level (dB) is smoothed: rising
//! at once, falling at [`FALL_DB_PER_S`]. Bars are laid out on a
//! logarithmic frequency axis from [`LOW_HZ`] to [`HIGH_HZ`] when drawn.

use std::sync::Arc;
use std::time::Duration;

use rustfft::num_complex::Complex;
use rustfft::{Fft, FftPlanner};

pub const FFT_SIZE: usize = 2048;
pub const LOW_HZ: f32 = 30.0;
pub const HIGH_HZ: f32 = 16_000.0;
/// The quietest level drawn; the loudest is 0 dBFS.
pub const FLOOR_DB: f32 = -84.0;
const FALL_DB_PER_S: f32 = 36.0;
/// Time between analyses (~30 fps).
pub const PERIOD: Duration = Duration::from_millis(33);

pub struct Spectrum {
    rate: f32,
    fft: Arc<dyn Fft<f32>>,
    window: Vec<f32>,
    ring: Vec<f32>,
    pos: usize,
    fresh: bool,
    buf: Vec<Complex<f32>>,
    scratch: Vec<Complex<f32>>,
    /// Smoothed level of each bin, dBFS.
    levels: Vec<f32>,
    since: Duration,
}

impl Spectrum {
    pub fn new(rate: f32) -> Spectrum {
        let fft = FftPlanner::new().plan_fft_forward(FFT_SIZE);
        let window = (0..FFT_SIZE)
            .map(|i| 0.5 - 0.5 * (std::f32::consts::TAU * i as f32 / FFT_SIZE as f32).cos())
            .collect();
        let scratch = vec![Complex::default(); fft.get_inplace_scratch_len()];
        Spectrum {
            rate,
            fft,
            window,
            ring: vec![0.0; FFT_SIZE],
            pos: 0,
            fresh: false,
            buf: vec![Complex::default(); FFT_SIZE],
            scratch,
            levels: vec![FLOOR_DB; FFT_SIZE / 2],
            since: Duration::ZERO,
        }
    }

    pub fn rate(&self) -> f32 {
        self.rate
    }

    /// Add master output samples (mono).
    pub fn push(&mut self, samples: &[f32]) {
        self.feed(samples.iter().copied(), samples.len());
    }

    /// Add master output as interleaved stereo frames (the engine's tap):
    /// the spectrum shows their mid signal.
    pub fn push_interleaved(&mut self, frames: &[f32]) {
        let mid = frames.chunks_exact(2).map(|f| 0.5 * (f[0] + f[1]));
        self.feed(mid, frames.len() / 2);
    }

    /// Keep the last [`FFT_SIZE`] of `len` samples in the ring.
    fn feed(&mut self, samples: impl Iterator<Item = f32>, len: usize) {
        for s in samples.skip(len.saturating_sub(FFT_SIZE)) {
            self.ring[self.pos] = s;
            self.pos = (self.pos + 1) % FFT_SIZE;
        }
        self.fresh |= len > 0;
    }

    /// Let time pass; analyse when a frame is due. Returns whether the bars changed.
    pub fn tick(&mut self, dt: Duration) -> bool {
        self.since += dt;
        if self.since < PERIOD {
            return false;
        }
        let elapsed = self.since;
        self.since = Duration::ZERO;
        if self.fresh {
            self.fresh = false;
            self.analyse(elapsed)
        } else {
            self.decay(elapsed)
        }
    }

    /// Transform the last [`FFT_SIZE`] samples now, smoothing over
    /// `elapsed`. Returns whether any level changed visibly.
    pub fn analyse(&mut self, elapsed: Duration) -> bool {
        for i in 0..FFT_SIZE {
            let s = self.ring[(self.pos + i) % FFT_SIZE];
            self.buf[i] = Complex::new(s * self.window[i], 0.0);
        }
        self.fft
            .process_with_scratch(&mut self.buf, &mut self.scratch);
        // A full-scale sine through a Hann window peaks at N/4.
        let norm = 4.0 / FFT_SIZE as f32;
        let fall = FALL_DB_PER_S * elapsed.as_secs_f32();
        let mut changed = false;
        for (level, c) in self.levels.iter_mut().zip(&self.buf) {
            let db = 20.0 * (c.norm() * norm).max(1e-9).log10();
            let new = db.max(*level - fall).max(FLOOR_DB);
            changed |= (new - *level).abs() > 0.05;
            *level = new;
        }
        changed
    }

    fn decay(&mut self, elapsed: Duration) -> bool {
        let fall = FALL_DB_PER_S * elapsed.as_secs_f32();
        let mut changed = false;
        for l in &mut self.levels {
            if *l > FLOOR_DB {
                *l = (*l - fall).max(FLOOR_DB);
                changed = true;
            }
        }
        changed
    }

    /// Set the smoothed levels directly (tests and demos): `f(hz) -> dB`.
    pub fn set_levels(&mut self, f: impl Fn(f32) -> f32) {
        let hz_per_bin = self.rate / FFT_SIZE as f32;
        for (i, l) in self.levels.iter_mut().enumerate() {
            *l = f(i as f32 * hz_per_bin).clamp(FLOOR_DB, 0.0);
        }
    }

    /// `n` bars on a log-frequency axis, each 0.0 (floor) ..= 1.0 (0 dBFS):
    /// the loudest bin in each bar's band (or the nearest bin, for narrow bands).
    pub fn bars(&self, n: usize) -> Vec<f32> {
        let hz_per_bin = self.rate / FFT_SIZE as f32;
        let high = HIGH_HZ.min(self.rate / 2.0);
        let ratio = (high / LOW_HZ).ln();
        (0..n)
            .map(|i| {
                let f0 = LOW_HZ * (ratio * i as f32 / n as f32).exp();
                let f1 = LOW_HZ * (ratio * (i + 1) as f32 / n as f32).exp();
                let b0 = (f0 / hz_per_bin).round() as usize;
                let b1 = ((f1 / hz_per_bin).round() as usize).max(b0 + 1);
                let db = self.levels[b0.min(self.levels.len() - 1)..b1.min(self.levels.len())]
                    .iter()
                    .cloned()
                    .fold(FLOOR_DB, f32::max);
                ((db - FLOOR_DB) / -FLOOR_DB).clamp(0.0, 1.0)
            })
            .collect()
    }

    /// The frequency at the centre of bar `i` of `n` (for the axis labels).
    pub fn bar_hz(&self, i: usize, n: usize) -> f32 {
        let high = HIGH_HZ.min(self.rate / 2.0);
        LOW_HZ * ((high / LOW_HZ).ln() * (i as f32 + 0.5) / n as f32).exp()
    }
}
