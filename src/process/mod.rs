//! Offline audio processing: `termdaw process` and the `process_sample`
//! action. Reads any file the sampler reads, applies speed, reverse, echo,
//! fades and loudness normalisation in that order, and writes a WAV.
//!
//! Control side only: file I/O and whole-buffer work on the calling thread.
//! This module may not touch the engine's audio thread or a device; the
//! operations live in [`ops`].

pub mod ops;

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

impl Options {
    /// Parse the action's argument: words as on the command line, e.g.
    /// `--speed 1.5 --reverse --fade-out 0.2 --echo medium --normalize -14`
    /// (the leading dashes are optional).
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut o = Options::default();
        let words: Vec<&str> = text.split_whitespace().collect();
        let mut i = 0;
        let num = |i: usize, what: &str| -> Result<f64, String> {
            words
                .get(i + 1)
                .and_then(|w| w.parse::<f64>().ok())
                .filter(|v| v.is_finite())
                .ok_or_else(|| format!("{what} needs a number"))
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
                    o.echo = Some(Echo::parse(v).ok_or_else(|| {
                        format!("echo must be one of {}, found \"{v}\"", Echo::NAMES.join(", "))
                    })?);
                    i += 1;
                }
                "normalize" | "normalise" => {
                    o.normalize = Some(num(i, "normalize")?);
                    i += 1;
                }
                other => {
                    return Err(format!(
                        "unknown operation \"{other}\"; use speed X, reverse, fade-in S, fade-out S, echo light|medium|heavy, normalize LUFS"
                    ))
                }
            }
            i += 1;
        }
        o.check()?;
        Ok(o)
    }

    /// Range checks with the message a musician reads.
    pub fn check(&self) -> Result<(), String> {
        if let Some(s) = self.speed {
            if !(0.1..=8.0).contains(&s) {
                return Err(format!("speed must be between 0.1 and 8, found {s}"));
            }
        }
        for (what, v) in [("fade-in", self.fade_in), ("fade-out", self.fade_out)] {
            if let Some(v) = v {
                if !(0.0..=600.0).contains(&v) {
                    return Err(format!("{what} must be between 0 and 600 s, found {v}"));
                }
            }
        }
        if let Some(t) = self.normalize {
            if !(-70.0..=0.0).contains(&t) {
                return Err(format!(
                    "normalize target must be between -70 and 0 LUFS, found {t}"
                ));
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
) -> anyhow::Result<Summary> {
    opts.check().map_err(anyhow::Error::msg)?;
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
        anyhow::bail!(
            "{} is silent (below the -70 LUFS gate): nothing to normalize",
            input.display()
        );
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
pub fn write_wav(path: &Path, b: &Buffer, float: bool) -> anyhow::Result<()> {
    use anyhow::Context;
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
    let tmp = temp_path(path);
    {
        let mut w = hound::WavWriter::create(&tmp, spec)
            .with_context(|| format!("cannot write {}", tmp.display()))?;
        let scale = (1i32 << 23) as f32 - 1.0;
        for (l, r) in b.left.iter().zip(&b.right) {
            for v in [*l, *r] {
                if float {
                    w.write_sample(v)?;
                } else {
                    w.write_sample((v.clamp(-1.0, 1.0) * scale).round() as i32)?;
                }
            }
        }
        w.finalize()?;
    }
    std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

fn temp_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".tmp{}", std::process::id()));
    path.with_file_name(name)
}

/// Where processed samples made by the `process_sample` action go: the
/// user's data directory (never next to the session or in the repository).
pub fn default_output_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "termdaw").map(|d| d.data_dir().join("samples"))
}
