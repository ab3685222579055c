//! Sample loading for the sample player and the offline tools: read a WAV
//! (hound) or a FLAC, Ogg Vorbis or MP3 file (symphonia, in `decode`),
//! convert it to floats, keep the first two channels and resample it to the
//! engine's rate.
//!
//! Everything here runs on the control thread (file I/O and allocation);
//! the result, a [`SampleData`], is handed to the audio thread inside a
//! prebuilt instrument.

pub mod cue;
mod decode;
pub mod resample;

use std::path::{Path, PathBuf};

pub use crate::engine::instrument::sampler::SampleData;
pub use resample::resample;

/// Why a sample could not be loaded. Every message names the file.
#[derive(Debug, thiserror::Error)]
pub enum SampleError {
    #[error("sample file not found: {}", path.display())]
    NotFound { path: PathBuf },
    #[error("could not read sample file {}: {reason}", path.display())]
    Read { path: PathBuf, reason: String },
    #[error("{} is not a WAV file or is damaged: {reason}", path.display())]
    NotWav { path: PathBuf, reason: String },
    #[error(
        "{} uses a WAV format termdaw cannot read ({format}); use 8/16/24/32-bit integer or 32-bit float PCM",
        path.display()
    )]
    Unsupported { path: PathBuf, format: String },
    #[error("{} contains no audio", path.display())]
    Empty { path: PathBuf },
    #[error("{} could not be decoded (damaged or not audio): {reason}", path.display())]
    Corrupt { path: PathBuf, reason: String },
    #[error(
        "{} declares a sample rate of {rate} Hz; termdaw reads {} to {} Hz",
        path.display(), RATES.0, RATES.1
    )]
    Rate { path: PathBuf, rate: u64 },
    #[error(
        "{} is longer than {MAX_SECONDS} s; termdaw plays samples up to {} minutes (cut it first)",
        path.display(), MAX_SECONDS / 60
    )]
    TooLong { path: PathBuf },
}

/// Open a sample file, refusing what is not a regular file (a FIFO or a
/// device path from OSC or the chat would block the opening thread).
fn open(path: &Path) -> Result<std::fs::File, SampleError> {
    let p = || path.to_path_buf();
    let io = |e: std::io::Error| match e.kind() {
        std::io::ErrorKind::NotFound => SampleError::NotFound { path: p() },
        _ => SampleError::Read {
            path: p(),
            reason: e.to_string(),
        },
    };
    crate::files::open_regular(path).map_err(io)
}

/// The sample rates a sample file may declare, Hz.
pub const RATES: (u64, u64) = (1_000, 768_000);
/// Longest sample termdaw decodes, seconds: a bound on what one file can
/// make the control thread hold (10 minutes of stereo at 48 kHz is 230 MB).
pub const MAX_SECONDS: u64 = 600;

/// The one check of a file's header values, before anything is sized from
/// them: its rate in [`RATES`], its length (in frames at that rate) within
/// [`MAX_SECONDS`].
fn check_header(path: &Path, rate: u64, frames: u64) -> Result<(), SampleError> {
    if !(RATES.0..=RATES.1).contains(&rate) {
        return Err(SampleError::Rate {
            path: path.to_path_buf(),
            rate,
        });
    }
    if frames > MAX_SECONDS * rate {
        return Err(SampleError::TooLong {
            path: path.to_path_buf(),
        });
    }
    Ok(())
}

/// Decoded audio at the file's own rate.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    pub left: Vec<f32>,
    pub right: Vec<f32>,
    /// Hz.
    pub rate: f32,
}

/// Control thread: decode `path` (WAV, FLAC, Ogg Vorbis or MP3, chosen by
/// extension; anything else is tried by content) at its own rate.
pub fn load_audio(path: &Path) -> Result<Decoded, SampleError> {
    if is_wav(path) {
        let (left, right, rate) = read_wav(path)?;
        Ok(Decoded { left, right, rate })
    } else {
        decode::decode(path)
    }
}

fn is_wav(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("wav") || e.eq_ignore_ascii_case("wave"))
}

/// Control thread: load any supported file as stereo floats at `rate` Hz
/// (resampled off the audio thread), with a WAV's slice markers.
pub fn load(path: &Path, rate: f32) -> Result<SampleData, SampleError> {
    let d = load_audio(path)?;
    let mut s = to_rate(d.left, d.right, d.rate as f64, rate as f64);
    if is_wav(path) {
        s.markers = markers_at(path, d.rate as f64, rate as f64, s.len());
    }
    Ok(s)
}

/// `path`'s cue points moved from `from` Hz to `to` Hz (the file's rate
/// kept when `to` is not a positive number), those past `len` frames dropped.
fn markers_at(path: &Path, from: f64, to: f64, len: usize) -> Vec<u32> {
    let to = if to > 0.0 && to.is_finite() { to } else { from };
    cue::to_rate(&cue::read_markers(path), from, to, len)
}

fn to_rate(mut left: Vec<f32>, mut right: Vec<f32>, from: f64, to: f64) -> SampleData {
    if to > 0.0 && to.is_finite() && to != from {
        let same = left == right;
        left = resample(&left, from, to);
        right = if same {
            left.clone()
        } else {
            resample(&right, from, to)
        };
    }
    SampleData {
        left,
        right,
        markers: Vec::new(),
    }
}

/// Control thread: load `path` as stereo floats at `rate` Hz.
///
/// Accepts 8/16/24/32-bit integer and 32-bit float PCM, any channel count
/// (mono is copied to both sides; beyond two, the first two are used). A file
/// whose audio is cut short keeps the whole frames that are there. If `rate`
/// is not a positive number the file's own rate is kept.
pub fn load_wav(path: &Path, rate: f32) -> Result<SampleData, SampleError> {
    let (left, right, from) = read_wav(path)?;
    let mut s = to_rate(left, right, from as f64, rate as f64);
    s.markers = markers_at(path, from as f64, rate as f64, s.len());
    Ok(s)
}

/// A WAV file's first two channels (mono doubled) and its rate.
fn read_wav(path: &Path) -> Result<(Vec<f32>, Vec<f32>, f32), SampleError> {
    let p = || path.to_path_buf();
    let file = open(path)?;
    // The file opened, so any failure to parse the header means damage.
    let mut reader = hound::WavReader::new(std::io::BufReader::new(file)).map_err(|e| match e {
        hound::Error::IoError(io) => SampleError::NotWav {
            path: p(),
            reason: format!("header unreadable ({io})"),
        },
        e => classify(path, e),
    })?;
    let spec = reader.spec();
    let channels = spec.channels as usize;
    if channels == 0 {
        return Err(SampleError::NotWav {
            path: p(),
            reason: "header declares no channels".into(),
        });
    }
    check_header(
        path,
        u64::from(spec.sample_rate),
        u64::from(reader.duration()),
    )?;
    let interleaved: Vec<f32> = match (spec.sample_format, spec.bits_per_sample) {
        (hound::SampleFormat::Int, bits @ 1..=32) => {
            let scale = 1.0 / (1u64 << (bits - 1)) as f32;
            collect(
                reader.samples::<i32>().map(|s| s.map(|v| v as f32 * scale)),
                path,
            )?
        }
        (hound::SampleFormat::Float, 32) => collect(reader.samples::<f32>(), path)?,
        (format, bits) => {
            let kind = if format == hound::SampleFormat::Float {
                "float"
            } else {
                "integer"
            };
            return Err(SampleError::Unsupported {
                path: p(),
                format: format!("{bits}-bit {kind}"),
            });
        }
    };
    let frames = interleaved.len() / channels;
    if frames == 0 {
        return Err(SampleError::Empty { path: p() });
    }
    let mut left = Vec::with_capacity(frames);
    let mut right = Vec::with_capacity(frames);
    for frame in interleaved.chunks_exact(channels) {
        left.push(frame[0]);
        right.push(frame[if channels > 1 { 1 } else { 0 }]);
    }
    Ok((left, right, spec.sample_rate as f32))
}

/// Read all samples; a read that fails part-way (a truncated file) keeps
/// what came before, any other failure is an error.
fn collect(
    samples: impl Iterator<Item = hound::Result<f32>>,
    path: &Path,
) -> Result<Vec<f32>, SampleError> {
    let mut out = Vec::new();
    for s in samples {
        match s {
            Ok(v) => out.push(v),
            // hound reports a short read as `Other` ("Failed to read enough bytes").
            Err(hound::Error::IoError(e))
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::UnexpectedEof | std::io::ErrorKind::Other
                ) =>
            {
                break
            }
            Err(e) => return Err(classify(path, e)),
        }
    }
    Ok(out)
}

fn classify(path: &Path, e: hound::Error) -> SampleError {
    let path = path.to_path_buf();
    match e {
        hound::Error::IoError(io) => SampleError::Read {
            path,
            reason: io.to_string(),
        },
        hound::Error::FormatError(why) => SampleError::NotWav {
            path,
            reason: why.to_string(),
        },
        hound::Error::Unsupported | hound::Error::TooWide | hound::Error::InvalidSampleFormat => {
            SampleError::Unsupported {
                path,
                format: "compressed or unusual sample encoding".into(),
            }
        }
        hound::Error::UnfinishedSample => SampleError::NotWav {
            path,
            reason: "the audio data is cut off".into(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// A fresh path in the temp dir; the file is removed when dropped.
    struct TempWav(PathBuf);

    impl TempWav {
        fn new(tag: &str) -> Self {
            static COUNTER: AtomicUsize = AtomicUsize::new(0);
            let n = COUNTER.fetch_add(1, Ordering::Relaxed);
            Self(std::env::temp_dir().join(format!(
                "termdaw-sample-{}-{n}-{tag}.wav",
                std::process::id()
            )))
        }
    }

    impl Drop for TempWav {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.0);
        }
    }

    fn spec(channels: u16, rate: u32, bits: u16, format: hound::SampleFormat) -> hound::WavSpec {
        hound::WavSpec {
            channels,
            sample_rate: rate,
            bits_per_sample: bits,
            sample_format: format,
        }
    }

    /// Write `frames` frames where channel c of frame i is `value(i, c)` in -1..1.
    fn write(
        tag: &str,
        spec: hound::WavSpec,
        frames: usize,
        value: impl Fn(usize, usize) -> f32,
    ) -> TempWav {
        let f = TempWav::new(tag);
        let mut w = hound::WavWriter::create(&f.0, spec).unwrap();
        for i in 0..frames {
            for c in 0..spec.channels as usize {
                let v = value(i, c);
                match (spec.sample_format, spec.bits_per_sample) {
                    (hound::SampleFormat::Float, _) => w.write_sample(v).unwrap(),
                    (_, 8) => w.write_sample((v * 127.0).round() as i8).unwrap(),
                    (_, 16) => w.write_sample((v * 32_767.0).round() as i16).unwrap(),
                    (_, bits) => w
                        .write_sample((v as f64 * ((1i64 << (bits - 1)) - 1) as f64).round() as i32)
                        .unwrap(),
                }
            }
        }
        w.finalize().unwrap();
        f
    }

    #[test]
    fn reads_every_supported_depth_at_the_right_level() {
        let formats = [
            (8, hound::SampleFormat::Int, 1.0 / 100.0),
            (16, hound::SampleFormat::Int, 1e-4),
            (24, hound::SampleFormat::Int, 1e-6),
            (32, hound::SampleFormat::Int, 1e-6),
            (32, hound::SampleFormat::Float, 1e-7),
        ];
        for (bits, format, tol) in formats {
            let f = write(
                &format!("{bits}"),
                spec(2, 48_000, bits, format),
                100,
                |i, c| {
                    if c == 0 {
                        0.5
                    } else if i % 2 == 0 {
                        -0.25
                    } else {
                        0.75
                    }
                },
            );
            let d = load_wav(&f.0, 48_000.0).unwrap();
            assert_eq!(d.left.len(), 100);
            assert_eq!(d.right.len(), 100);
            assert!(
                d.left.iter().all(|v| (v - 0.5).abs() < tol),
                "{bits}-bit {format:?}: {}",
                d.left[0]
            );
            assert!(
                (d.right[0] + 0.25).abs() < tol && (d.right[1] - 0.75).abs() < tol,
                "{bits}-bit {format:?}"
            );
        }
    }

    #[test]
    fn mono_is_doubled_and_extra_channels_dropped() {
        let f = write(
            "mono",
            spec(1, 48_000, 16, hound::SampleFormat::Int),
            50,
            |i, _| i as f32 / 100.0,
        );
        let d = load_wav(&f.0, 48_000.0).unwrap();
        assert_eq!(d.left, d.right);
        assert_eq!(d.left.len(), 50);
        let f = write(
            "quad",
            spec(4, 48_000, 16, hound::SampleFormat::Int),
            50,
            |_, c| c as f32 * 0.25,
        );
        let d = load_wav(&f.0, 48_000.0).unwrap();
        assert!(d.left.iter().all(|v| v.abs() < 1e-4));
        assert!(d.right.iter().all(|v| (v - 0.25).abs() < 1e-4));
    }

    #[test]
    fn resamples_to_the_engine_rate() {
        let f = write(
            "44k",
            spec(1, 44_100, 16, hound::SampleFormat::Int),
            44_100,
            |i, _| 0.5 * (std::f32::consts::TAU * 440.0 * i as f32 / 44_100.0).sin(),
        );
        let d = load_wav(&f.0, 48_000.0).unwrap();
        assert_eq!(d.left.len(), 48_000);
        // Rising zero crossings over the middle second-half: 440 Hz.
        let ups: Vec<usize> = (12_000..36_000)
            .filter(|&i| d.left[i - 1] < 0.0 && d.left[i] >= 0.0)
            .collect();
        let hz = (ups.len() - 1) as f32 * 48_000.0 / (ups[ups.len() - 1] - ups[0]) as f32;
        assert!((hz - 440.0).abs() < 0.5, "{hz}");
        let peak = d.left[12_000..36_000]
            .iter()
            .fold(0.0f32, |m, v| m.max(v.abs()));
        assert!((peak - 0.5).abs() < 0.005, "{peak}");
    }

    #[test]
    fn missing_file_is_named() {
        let path = std::env::temp_dir().join("termdaw-definitely-missing-7731.wav");
        let e = load_wav(&path, 48_000.0).unwrap_err();
        assert!(matches!(e, SampleError::NotFound { .. }), "{e:?}");
        let msg = e.to_string();
        assert!(
            msg.contains("not found") && msg.contains("termdaw-definitely-missing-7731.wav"),
            "{msg}"
        );
    }

    #[test]
    fn corrupt_files_are_rejected_with_their_name() {
        let f = TempWav::new("garbage");
        std::fs::write(&f.0, b"this is a text file pretending to be audio").unwrap();
        let e = load_wav(&f.0, 48_000.0).unwrap_err();
        assert!(matches!(e, SampleError::NotWav { .. }), "{e:?}");
        assert!(e.to_string().contains("garbage"), "{e}");

        // A valid header cut off before the audio.
        let good = write(
            "cut",
            spec(1, 48_000, 16, hound::SampleFormat::Int),
            10,
            |_, _| 0.1,
        );
        let bytes = std::fs::read(&good.0).unwrap();
        let f = TempWav::new("short");
        std::fs::write(&f.0, &bytes[..20]).unwrap();
        let e = load_wav(&f.0, 48_000.0).unwrap_err();
        assert!(matches!(e, SampleError::NotWav { .. }), "{e:?}");

        // Truncated audio keeps the frames that are there.
        let f = TempWav::new("trunc");
        std::fs::write(&f.0, &bytes[..bytes.len() - 6]).unwrap();
        let d = load_wav(&f.0, 48_000.0).unwrap();
        assert_eq!(d.left.len(), 7);
    }

    #[test]
    fn empty_and_unsupported_files() {
        let f = write(
            "empty",
            spec(2, 48_000, 16, hound::SampleFormat::Int),
            0,
            |_, _| 0.0,
        );
        let e = load_wav(&f.0, 48_000.0).unwrap_err();
        assert!(matches!(e, SampleError::Empty { .. }), "{e:?}");
        assert!(
            e.to_string().contains("empty") && e.to_string().contains("no audio"),
            "{e}"
        );

        // Hand-made header declaring A-law (format tag 6).
        let f = TempWav::new("alaw");
        let mut b = Vec::new();
        b.extend_from_slice(b"RIFF");
        b.extend_from_slice(&(4u32 + 8 + 16 + 8 + 4).to_le_bytes());
        b.extend_from_slice(b"WAVEfmt ");
        b.extend_from_slice(&16u32.to_le_bytes());
        b.extend_from_slice(&6u16.to_le_bytes()); // A-law
        b.extend_from_slice(&1u16.to_le_bytes());
        b.extend_from_slice(&8_000u32.to_le_bytes());
        b.extend_from_slice(&8_000u32.to_le_bytes());
        b.extend_from_slice(&1u16.to_le_bytes());
        b.extend_from_slice(&8u16.to_le_bytes());
        b.extend_from_slice(b"data");
        b.extend_from_slice(&4u32.to_le_bytes());
        b.extend_from_slice(&[1, 2, 3, 4]);
        std::fs::write(&f.0, &b).unwrap();
        let e = load_wav(&f.0, 48_000.0).unwrap_err();
        assert!(
            matches!(
                e,
                SampleError::Unsupported { .. } | SampleError::NotWav { .. }
            ),
            "{e:?}"
        );
        assert!(e.to_string().contains("alaw"), "{e}");
    }
}
