//! Offline audio processing: `termdaw process` and the `process_sample`
//! action. Reads any file the sampler reads, applies speed, reverse, echo,
//! fades and loudness normalisation in that order, and writes a WAV.
//!
//! Control side only: file I/O and whole-buffer work on the calling thread.
//! This module may not touch the engine's audio thread or a device; the
//! operations live in [`ops`].

pub mod ops;
pub mod tone;

use std::path::{Path, PathBuf};

pub use ops::{Buffer, Echo, Normalized};

/// What to do to a file. Each `None`/`false` leaves that step out.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Options {
    /// Play this many times faster (pitch follows, like tape).
    pub speed: Option<f64>,
    pub reverse: bool,
    /// Seconds.
    pub fade_in: Option<f64>,
    /// Seconds.
    pub fade_out: Option<f64>,
    pub echo: Option<Echo>,
    /// Integrated loudness target, LUFS (true peak held under −1 dBTP).
    pub normalize: Option<f64>,
}

/// True-peak limit the normaliser keeps to, dBTP.
pub const TRUE_PEAK_LIMIT: f64 = -1.0;

/// Options that cannot be used, in the words a musician reads.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum OptionsError {
    #[error("{0} needs a number")]
    NeedsNumber(&'static str),
    #[error("echo must be one of {names}, found \"{0}\"", names = Echo::NAMES.join(", "))]
    Echo(String),
    #[error("unknown operation \"{0}\"; use speed X, reverse, fade-in S, fade-out S, echo light|medium|heavy, normalize LUFS")]
    Unknown(String),
    #[error("{what} must be between {min} and {max}{unit}, found {found}")]
    OutOfRange {
        what: &'static str,
        min: f64,
        max: f64,
        /// With its leading space, or empty.
        unit: &'static str,
        found: f64,
    },
}

/// Why [`process_file`] or [`write_wav`] failed. Each message carries its
/// cause (none is chained as a `source`, so it is printed once).
#[derive(Debug, thiserror::Error)]
pub enum ProcessError {
    #[error(transparent)]
    Options(#[from] OptionsError),
    #[error(transparent)]
    Load(#[from] crate::sample::SampleError),
    #[error("{} is silent (below the -70 LUFS gate): nothing to normalize", .0.display())]
    Silent(PathBuf),
    #[error("cannot write {}: {error}", path.display())]
    Create { path: PathBuf, error: hound::Error },
    #[error("{0}")]
    Write(hound::Error),
    #[error(transparent)]
    Output(#[from] crate::files::OutputError),
    #[error("cannot write {}: {error}", path.display())]
    Rename {
        path: PathBuf,
        error: std::io::Error,
    },
}

impl Options {
    /// Parse the action's argument: words as on the command line, e.g.
    /// `--speed 1.5 --reverse --fade-out 0.2 --echo medium --normalize -14`
    /// (the leading dashes are optional).
    pub fn parse(text: &str) -> Result<Self, OptionsError> {
        let mut o = Options::default();
        let words: Vec<&str> = text.split_whitespace().collect();
        let mut i = 0;
        let num = |i: usize, what: &'static str| -> Result<f64, OptionsError> {
            words
                .get(i + 1)
                .and_then(|w| w.parse::<f64>().ok())
                .filter(|v| v.is_finite())
                .ok_or(OptionsError::NeedsNumber(what))
        };
        while i < words.len() {
            let w = words[i].trim_start_matches('-').replace('_', "-");
            match w.as_str() {
                "speed" => {
                    o.speed = Some(num(i, "speed")?);
                    i += 1;
                }
                "reverse" => o.reverse = true,
                "fade-in" => {
                    o.fade_in = Some(num(i, "fade-in")?);
                    i += 1;
                }
                "fade-out" => {
                    o.fade_out = Some(num(i, "fade-out")?);
                    i += 1;
                }
                "echo" => {
                    let v = words.get(i + 1).copied().unwrap_or("");
                    o.echo = Some(Echo::parse(v).ok_or_else(|| OptionsError::Echo(v.into()))?);
                    i += 1;
                }
                "normalize" | "normalise" => {
                    o.normalize = Some(num(i, "normalize")?);
                    i += 1;
                }
                other => return Err(OptionsError::Unknown(other.into())),
            }
            i += 1;
        }
        o.check()?;
        Ok(o)
    }

    /// Range checks with the message a musician reads.
    pub fn check(&self) -> Result<(), OptionsError> {
        let ranges = [
            ("speed", self.speed, 0.1, 8.0, ""),
            ("fade-in", self.fade_in, 0.0, 600.0, " s"),
            ("fade-out", self.fade_out, 0.0, 600.0, " s"),
            ("normalize target", self.normalize, -70.0, 0.0, " LUFS"),
        ];
        for (what, v, min, max, unit) in ranges {
            if let Some(found) = v.filter(|v| !(min..=max).contains(v)) {
                return Err(OptionsError::OutOfRange {
                    what,
                    min,
                    max,
                    unit,
                    found,
                });
            }
        }
        Ok(())
    }

    /// One line per step, for summaries.
    pub fn describe(&self) -> String {
        let mut s = Vec::new();
        if let Some(v) = self.speed {
            s.push(format!("speed {v}"));
        }
        if self.reverse {
            s.push("reverse".into());
        }
        if let Some(e) = self.echo {
            s.push(format!("echo {}", format!("{e:?}").to_lowercase()));
        }
        if let Some(v) = self.fade_in {
            s.push(format!("fade-in {v} s"));
        }
        if let Some(v) = self.fade_out {
            s.push(format!("fade-out {v} s"));
        }
        if let Some(v) = self.normalize {
            s.push(format!("normalize {v} LUFS"));
        }
        if s.is_empty() {
            "copy".into()
        } else {
            s.join(", ")
        }
    }
}

/// Apply `opts` to a buffer, in the documented order.
pub fn apply(b: &mut Buffer, opts: &Options) -> Option<Normalized> {
    if let Some(s) = opts.speed {
        ops::speed(b, s);
    }
    if opts.reverse {
        ops::reverse(b);
    }
    if let Some(e) = opts.echo {
        ops::echo(b, e);
    }
    if let Some(s) = opts.fade_in {
        ops::fade_in(b, s);
    }
    if let Some(s) = opts.fade_out {
        ops::fade_out(b, s);
    }
    opts.normalize
        .and_then(|t| ops::normalize(b, t, TRUE_PEAK_LIMIT))
}

/// What [`process_file`] did.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub seconds_in: f64,
    pub seconds_out: f64,
    pub normalized: Option<Normalized>,
}

/// Read `input`, process, write a 24-bit WAV (or 32-bit float) at the input's rate.
pub fn process_file(
    input: &Path,
    opts: &Options,
    output: &Path,
    float: bool,
) -> Result<Summary, ProcessError> {
    opts.check()?;
    crate::files::check(
        output,
        &[crate::files::Input {
            path: input,
            what: "the audio file",
        }],
    )?;
    let d = crate::sample::load_audio(input)?;
    let mut b = Buffer {
        left: d.left,
        right: d.right,
        rate: d.rate,
    };
    let seconds_in = b.len() as f64 / b.rate as f64;
    if opts.normalize.is_some()
        && !crate::analysis::loudness::measure(&b.left, &b.right, b.rate as f64)
            .integrated
            .is_finite()
    {
        return Err(ProcessError::Silent(input.to_path_buf()));
    }
    let normalized = apply(&mut b, opts);
    write_wav(output, &b, float)?;
    Ok(Summary {
        seconds_in,
        seconds_out: b.len() as f64 / b.rate as f64,
        normalized,
    })
}

/// Write stereo audio atomically (temp file + rename).
pub fn write_wav(path: &Path, b: &Buffer, float: bool) -> Result<(), ProcessError> {
    let spec = hound::WavSpec {
        channels: 2,
        sample_rate: b.rate.round() as u32,
        bits_per_sample: if float { 32 } else { 24 },
        sample_format: if float {
            hound::SampleFormat::Float
        } else {
            hound::SampleFormat::Int
        },
    };
    let tmp = crate::files::Temp::beside(path);
    {
        let mut w =
            hound::WavWriter::create(tmp.path(), spec).map_err(|error| ProcessError::Create {
                path: path.to_path_buf(),
                error,
            })?;
        let scale = (1i32 << 23) as f32 - 1.0;
        for (l, r) in b.left.iter().zip(&b.right) {
            for v in [*l, *r] {
                if float {
                    w.write_sample(v)
                } else {
                    w.write_sample((v.clamp(-1.0, 1.0) * scale).round() as i32)
                }
                .map_err(ProcessError::Write)?;
            }
        }
        w.finalize().map_err(ProcessError::Write)?;
    }
    tmp.commit(path).map_err(|error| ProcessError::Rename {
        path: path.to_path_buf(),
        error,
    })?;
    Ok(())
}

/// Where processed samples made by the `process_sample` action go: the
/// user's data directory (never next to the session or in the repository).
pub fn default_output_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "termdaw").map(|d| d.data_dir().join("samples"))
}
