//! Decoding compressed audio files (FLAC, Ogg Vorbis, MP3, and WAV variants
//! hound does not read) with symphonia, to planar stereo floats at the
//! file's own rate.
//!
//! Control thread only (file I/O and allocation); never on the audio thread.

use std::path::Path;

use symphonia::core::audio::SampleBuffer;
use symphonia::core::codecs::{DecoderOptions, CODEC_TYPE_NULL};
use symphonia::core::errors::Error as SymError;
use symphonia::core::formats::FormatOptions;
use symphonia::core::io::MediaSourceStream;
use symphonia::core::meta::MetadataOptions;
use symphonia::core::probe::Hint;

use super::{Decoded, SampleError};

/// Decode `path` whole. Mono is copied to both sides; beyond two channels
/// the first two are kept. A stream damaged part-way keeps what decoded
/// before the damage; one with nothing decodable is an error.
pub fn decode(path: &Path) -> Result<Decoded, SampleError> {
    let p = || path.to_path_buf();
    let file = super::open(path)?;
    let bad = |reason: String| SampleError::Corrupt { path: p(), reason };
    let mss = MediaSourceStream::new(Box::new(file), Default::default());
    let mut hint = Hint::new();
    if let Some(ext) = path.extension().and_then(|e| e.to_str()) {
        hint.with_extension(ext);
    }
    let probed = symphonia::default::get_probe()
        .format(
            &hint,
            mss,
            &FormatOptions::default(),
            &MetadataOptions::default(),
        )
        .map_err(|e| bad(format!("not a FLAC, Ogg Vorbis, MP3 or WAV stream ({e})")))?;
    let mut format = probed.format;
    let track = format
        .tracks()
        .iter()
        .find(|t| t.codec_params.codec != CODEC_TYPE_NULL)
        .ok_or_else(|| bad("no audio track".into()))?;
    let track_id = track.id;
    let mut decoder = symphonia::default::get_codecs()
        .make(&track.codec_params, &DecoderOptions::default())
        .map_err(|e| SampleError::Unsupported {
            path: p(),
            format: e.to_string(),
        })?;
    let mut rate = track.codec_params.sample_rate.unwrap_or(0);
    let (mut left, mut right) = (Vec::new(), Vec::new());
    let mut buf: Option<SampleBuffer<f32>> = None;
    let mut damage = None;
    loop {
        let packet = match format.next_packet() {
            Ok(p) => p,
            Err(SymError::IoError(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => break,
            Err(SymError::ResetRequired) => break,
            Err(e) => {
                damage = Some(e.to_string());
                break;
            }
        };
        if packet.track_id() != track_id {
            continue;
        }
        match decoder.decode(&packet) {
            Ok(audio) => {
                let spec = *audio.spec();
                rate = spec.rate;
                let ch = spec.channels.count().max(1);
                let b = buf.get_or_insert_with(|| SampleBuffer::new(audio.capacity() as u64, spec));
                if b.capacity() < audio.capacity() * ch {
                    *b = SampleBuffer::new(audio.capacity() as u64, spec);
                }
                b.copy_interleaved_ref(audio);
                super::check_header(path, u64::from(rate), left.len() as u64)?;
                for frame in b.samples().chunks_exact(ch) {
                    left.push(frame[0]);
                    right.push(frame[if ch > 1 { 1 } else { 0 }]);
                }
            }
            Err(SymError::DecodeError(e)) => damage = Some(e.to_string()),
            Err(e) => {
                damage = Some(e.to_string());
                break;
            }
        }
    }
    if left.is_empty() {
        return Err(match damage {
            Some(reason) => bad(reason),
            None => SampleError::Empty { path: p() },
        });
    }
    if rate == 0 {
        return Err(bad("the stream declares no sample rate".into()));
    }
    super::check_header(path, u64::from(rate), left.len() as u64)?;
    Ok(Decoded {
        left,
        right,
        rate: rate as f32,
    })
}
