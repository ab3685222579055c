//! Writing stereo WAV files in the formats termdaw delivers (24-bit or
//! 32-bit float), for renders, takes and replays alike, so that a replay
//! writes exactly the bytes a take did.
//!
//! Whichever thread writes (the main thread for renders, the disk thread
//! for takes); never the audio thread.

use std::fs::File;
use std::io::BufWriter;
use std::path::Path;

/// Sample format of a WAV termdaw writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WavFormat {
    #[default]
    Int24,
    Float32,
}

impl WavFormat {
    pub fn spec(self, rate: u32) -> hound::WavSpec {
        hound::WavSpec {
            channels: 2,
            sample_rate: rate,
            bits_per_sample: match self {
                WavFormat::Int24 => 24,
                WavFormat::Float32 => 32,
            },
            sample_format: match self {
                WavFormat::Int24 => hound::SampleFormat::Int,
                WavFormat::Float32 => hound::SampleFormat::Float,
            },
        }
    }

    /// The name in a take's log (`int24`, `float32`).
    pub fn name(self) -> &'static str {
        match self {
            WavFormat::Int24 => "int24",
            WavFormat::Float32 => "float32",
        }
    }

    pub fn parse(s: &str) -> Option<WavFormat> {
        [WavFormat::Int24, WavFormat::Float32]
            .into_iter()
            .find(|f| f.name() == s)
    }
}

/// A stereo WAV being written.
pub struct StereoWav {
    writer: hound::WavWriter<BufWriter<File>>,
    format: WavFormat,
}

impl StereoWav {
    pub fn create(path: &Path, rate: u32, format: WavFormat) -> hound::Result<StereoWav> {
        Ok(StereoWav {
            writer: hound::WavWriter::create(path, format.spec(rate))?,
            format,
        })
    }

    /// Append frames, from separate channels.
    pub fn write(&mut self, left: &[f32], right: &[f32]) -> hound::Result<()> {
        for (a, b) in left.iter().zip(right) {
            self.frame(*a, *b)?;
        }
        Ok(())
    }

    /// Append one frame.
    pub fn frame(&mut self, l: f32, r: f32) -> hound::Result<()> {
        match self.format {
            WavFormat::Int24 => {
                self.writer.write_sample(to_i24(l))?;
                self.writer.write_sample(to_i24(r))
            }
            WavFormat::Float32 => {
                self.writer.write_sample(l)?;
                self.writer.write_sample(r)
            }
        }
    }

    /// Bring the header up to date, so the file reads whole if nothing
    /// more is ever written (a full disk, a crash).
    pub fn flush(&mut self) -> hound::Result<()> {
        self.writer.flush()
    }

    pub fn finalize(self) -> hound::Result<()> {
        self.writer.finalize()
    }
}

fn to_i24(x: f32) -> i32 {
    (x.clamp(-1.0, 1.0) * 8_388_607.0).round() as i32
}
