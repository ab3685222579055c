//! Slice markers stored in a WAV file: the RIFF `cue ` chunk (one point per
//! marker, at a frame offset into the `data` chunk) and, for the tools that
//! show names, a `LIST`/`adtl` chunk with a `labl` per point.
//!
//! Control thread only (file I/O and allocation). Reading is bounded: at
//! most [`MAX_MARKERS`] points, at most [`MAX_CHUNKS`] chunks walked, and a
//! chunk that does not add up is ignored rather than trusted.

use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

/// The most cue points a file may carry; a chunk claiming more is ignored.
pub const MAX_MARKERS: usize = 256;
/// Chunks walked before giving up (a file of many tiny chunks is not audio).
const MAX_CHUNKS: usize = 1024;
/// Bytes per cue point: id, position, fccChunk, chunkStart, blockStart, sampleOffset.
const POINT_BYTES: usize = 24;

/// The `cue ` chunk's frame offsets in `path`, sorted and without repeats;
/// empty when there is none or it is malformed. Never fails: markers are a
/// bonus on top of the audio, which `read_wav` reports on.
pub fn read_markers(path: &Path) -> Vec<u32> {
    let Ok(mut f) = std::fs::File::open(path) else {
        return Vec::new();
    };
    let mut head = [0u8; 12];
    if f.read_exact(&mut head).is_err() || &head[0..4] != b"RIFF" || &head[8..12] != b"WAVE" {
        return Vec::new();
    }
    for _ in 0..MAX_CHUNKS {
        let mut ch = [0u8; 8];
        if f.read_exact(&mut ch).is_err() {
            break;
        }
        let size = u32::from_le_bytes([ch[4], ch[5], ch[6], ch[7]]) as u64;
        if &ch[0..4] == b"cue " {
            if size > (4 + MAX_MARKERS * POINT_BYTES) as u64 {
                return Vec::new();
            }
            let mut body = vec![0u8; size as usize];
            if f.read_exact(&mut body).is_err() {
                return Vec::new();
            }
            return parse_cue(&body).unwrap_or_default();
        }
        // Chunks are padded to an even length.
        if f.seek(SeekFrom::Current((size + (size & 1)) as i64))
            .is_err()
        {
            break;
        }
    }
    Vec::new()
}

/// The sample offsets in a `cue ` chunk's body, or `None` if it is malformed
/// (too short for the count it declares, or more than [`MAX_MARKERS`]).
pub fn parse_cue(body: &[u8]) -> Option<Vec<u32>> {
    let word = |at: usize| -> Option<u32> {
        let b = body.get(at..at + 4)?;
        Some(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    };
    let count = word(0)? as usize;
    if count > MAX_MARKERS || body.len() < 4 + count * POINT_BYTES {
        return None;
    }
    let mut out = Vec::with_capacity(count);
    for i in 0..count {
        let p = 4 + i * POINT_BYTES;
        // Only points into the data chunk of plain PCM are frame offsets.
        if body.get(p + 8..p + 12)? != b"data" {
            continue;
        }
        out.push(word(p + 20)?);
    }
    out.sort_unstable();
    out.dedup();
    Some(out)
}

/// The `cue ` chunk and a `LIST`/`adtl` chunk labelling point k "slice k"
/// (from 1), both with headers, for frame offsets `markers`, ready to append
/// after a WAV's `data` chunk.
pub fn encode(markers: &[u32]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(b"cue ");
    out.extend_from_slice(&((4 + markers.len() * POINT_BYTES) as u32).to_le_bytes());
    out.extend_from_slice(&(markers.len() as u32).to_le_bytes());
    for (i, &m) in markers.iter().enumerate() {
        out.extend_from_slice(&(i as u32 + 1).to_le_bytes());
        out.extend_from_slice(&m.to_le_bytes());
        out.extend_from_slice(b"data");
        out.extend_from_slice(&0u32.to_le_bytes());
        out.extend_from_slice(&0u32.to_le_bytes());
        out.extend_from_slice(&m.to_le_bytes());
    }
    let mut list = Vec::new();
    list.extend_from_slice(b"adtl");
    for i in 0..markers.len() {
        let text = format!("slice {}\0", i + 1);
        let size = 4 + text.len();
        list.extend_from_slice(b"labl");
        list.extend_from_slice(&(size as u32).to_le_bytes());
        list.extend_from_slice(&(i as u32 + 1).to_le_bytes());
        list.extend_from_slice(text.as_bytes());
        if size % 2 == 1 {
            list.push(0);
        }
    }
    out.extend_from_slice(b"LIST");
    out.extend_from_slice(&(list.len() as u32).to_le_bytes());
    out.extend_from_slice(&list);
    out
}

/// Append `markers` to the finished WAV at `path` and fix the RIFF size.
pub fn append(path: &Path, markers: &[u32]) -> std::io::Result<()> {
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(path)?;
    let mut len = f.seek(SeekFrom::End(0))?;
    if len % 2 == 1 {
        f.write_all(&[0])?;
        len += 1;
    }
    let chunk = encode(markers);
    f.write_all(&chunk)?;
    let riff = len + chunk.len() as u64 - 8;
    let riff = u32::try_from(riff).map_err(|_| {
        std::io::Error::new(std::io::ErrorKind::InvalidInput, "WAV file over 4 GiB")
    })?;
    f.seek(SeekFrom::Start(4))?;
    f.write_all(&riff.to_le_bytes())?;
    f.flush()
}

/// `markers` (frame offsets at `from` Hz) at `to` Hz, rounded to the
/// nearest frame, keeping only those before `len` frames.
pub fn to_rate(markers: &[u32], from: f64, to: f64, len: usize) -> Vec<u32> {
    let mut out: Vec<u32> = markers
        .iter()
        .map(|&m| {
            if to > 0.0 && to.is_finite() && from > 0.0 && to != from {
                (m as f64 * to / from).round() as u64
            } else {
                m as u64
            }
        })
        .filter(|&m| m < len as u64)
        .map(|m| m as u32)
        .collect();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoded_points_parse_back() {
        let chunk = encode(&[0, 15_000, 33_333]);
        assert_eq!(&chunk[0..4], b"cue ");
        let size = u32::from_le_bytes([chunk[4], chunk[5], chunk[6], chunk[7]]) as usize;
        assert_eq!(
            parse_cue(&chunk[8..8 + size]),
            Some(vec![0, 15_000, 33_333])
        );
    }

    #[test]
    fn malformed_bodies_give_nothing() {
        assert_eq!(parse_cue(&[]), None);
        assert_eq!(parse_cue(&[1, 0, 0]), None);
        // Declares two points, carries one.
        let chunk = encode(&[5]);
        let mut body = chunk[8..8 + 28].to_vec();
        body[0] = 2;
        assert_eq!(parse_cue(&body), None);
        // Declares more than the limit.
        let mut body = vec![0u8; 4];
        body[..4].copy_from_slice(&(MAX_MARKERS as u32 + 1).to_le_bytes());
        assert_eq!(parse_cue(&body), None);
    }

    #[test]
    fn rate_conversion_rounds_and_drops_the_ones_past_the_end() {
        assert_eq!(
            to_rate(&[0, 441, 44_100, 88_200], 44_100.0, 48_000.0, 50_000),
            vec![0, 480, 48_000]
        );
        assert_eq!(to_rate(&[3, 9], 48_000.0, 48_000.0, 9), vec![3]);
    }
}
