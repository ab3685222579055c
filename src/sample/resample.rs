//! Sample-rate conversion: a windowed-sinc (Kaiser) interpolator, for
//! loaded samples ([`resample`], on the control thread, allocating freely)
//! and for a live input whose device runs at another rate than the engine
//! ([`Stream`]: built on the control thread, then run by the capture
//! callback without allocating).
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

/// A live converter: the same kernel, fed a device's blocks as they come,
/// keeping the history the next output samples need. [`Stream::new`]
/// allocates everything; [`Stream::process`] allocates nothing.
pub struct Stream {
    table: Box<[f32]>,
    channels: usize,
    fc: f64,
    reach: usize,
    step: f64,
    /// Per channel, the input not yet wholly used, oldest first.
    hist: Box<[f32]>,
    cap: usize,
    len: usize,
    /// Where the next output falls, in input frames from `hist`'s start.
    t: f64,
}

impl Stream {
    /// Control thread: `channels` interleaved from `from` Hz to `to` Hz,
    /// in blocks of at most `max_block` input frames.
    pub fn new(channels: usize, from: f64, to: f64, max_block: usize) -> Stream {
        let ratio = to / from;
        let fc = ratio.min(1.0) * CUTOFF;
        let reach = (HALF_WIDTH as f64 / fc).ceil() as usize;
        let cap = 2 * reach + max_block + 2;
        let channels = channels.max(1);
        Stream {
            table: kernel_table().into_iter().map(|v| v as f32).collect(),
            channels,
            fc,
            reach,
            step: 1.0 / ratio,
            hist: vec![0.0; cap * channels].into_boxed_slice(),
            cap,
            // Silence before the first frame, so the first output is whole.
            len: reach,
            t: reach as f64,
        }
    }

    fn weight(&self, d: f64) -> f32 {
        let u = (d * self.fc).abs() * RESOLUTION as f64;
        let j = u as usize;
        match (self.table.get(j), self.table.get(j + 1)) {
            (Some(a), Some(b)) => a + (b - a) * (u - j as f64) as f32,
            _ => 0.0,
        }
    }

    /// Audio thread (the capture callback): take `input` (interleaved
    /// frames; more than `max_block` are cut) and hand each converted
    /// frame's channels to `out`, in order.
    pub fn process(&mut self, input: &[f32], mut out: impl FnMut(f32)) {
        let ch = self.channels;
        let room = self.cap - self.len;
        for (i, frame) in input.chunks_exact(ch).take(room).enumerate() {
            for (c, v) in frame.iter().enumerate() {
                if let Some(h) = self.hist.get_mut(c * self.cap + self.len + i) {
                    *h = *v;
                }
            }
        }
        self.len += (input.len() / ch).min(room);
        let reach = self.reach as f64;
        while self.t + reach < self.len as f64 {
            let centre = self.t.floor() as usize;
            let lo = centre + 1 - self.reach;
            for c in 0..ch {
                let mut acc = 0.0f32;
                for k in lo..=centre + self.reach {
                    let x = self.hist.get(c * self.cap + k).copied().unwrap_or(0.0);
                    acc += x * self.weight(self.t - k as f64);
                }
                out(acc * self.fc as f32);
            }
            self.t += self.step;
        }
        // Keep what the next outputs still reach back to.
        let keep_from = (self.t.floor() as usize).saturating_sub(self.reach);
        if keep_from > 0 {
            for c in 0..ch {
                let row = c * self.cap;
                self.hist.copy_within(row + keep_from..row + self.len, row);
            }
            self.len -= keep_from;
            self.t -= keep_from as f64;
        }
    }
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
    fn a_live_stream_converts_as_the_whole_file_does() {
        // 44.1 kHz in device blocks of 441 frames, stereo, to 48 kHz.
        let x = sine(1000.0, 44100.0, 44100);
        let whole = resample(&x, 44100.0, 48000.0);
        let mut s = Stream::new(2, 44100.0, 48000.0, 1024);
        let mut live = Vec::new();
        for block in x.chunks(441) {
            let inter: Vec<f32> = block.iter().flat_map(|v| [*v, -*v]).collect();
            s.process(&inter, |v| live.push(v));
        }
        let (l, r): (Vec<f32>, Vec<f32>) = live.chunks(2).map(|f| (f[0], f[1])).unzip();
        // The stream runs `reach` frames behind (it waits for the kernel's
        // right half); past the first ones it is the file's conversion.
        let lag = whole.len() - l.len();
        assert!(lag < 60, "{lag} frames behind");
        for i in 100..l.len() {
            assert!(
                (l[i] - whole[i]).abs() < 1e-4,
                "frame {i}: {} vs {}",
                l[i],
                whole[i]
            );
            assert_eq!(r[i], -l[i]);
        }
        assert!((amplitude_at(&l, 1000.0, 48000.0) - 1.0).abs() < 0.01);
    }

    #[test]
    fn same_rate_is_a_copy() {
        let x = sine(440.0, 48_000.0, 1_000);
        assert_eq!(resample(&x, 48_000.0, 48_000.0), x);
        assert!(resample(&[], 44_100.0, 48_000.0).is_empty());
    }
}
