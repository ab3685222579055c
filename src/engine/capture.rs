//! A take's audio on its way to disk: the audio thread's end of a
//! preallocated ring that the disk thread (`capture::disk`) empties.
//!
//! Built on the control thread, handed over by `Op::StartCapture` and sent
//! back as garbage when the take stops. [`Capture::write`] runs on the
//! audio thread: it never allocates, locks or blocks. A chunk that does not
//! fit is left out whole and counted; the next chunk's header says where
//! it starts, so the disk thread fills the gap with silence and the take
//! stays in time.
//!
//! The ring carries `f32`s: each chunk is a header of [`HEADER`] values
//! (frames, stream, clock low and high 32 bits, as bit patterns) and then
//! the frames, interleaved stereo.

use rtrb::Producer;

/// Values before each chunk's frames.
pub const HEADER: usize = 4;
/// The stream of the master output; a track's stem is `STEM + slot`; the
/// live input as the engine read it, channels 2k+1 and 2k+2, `INPUT + k`.
pub const MASTER: u32 = 0;
pub const STEM: u32 = 1;
pub const INPUT: u32 = 0x1000;

pub struct Capture {
    tx: Producer<f32>,
    /// Whether each track's own output is written too.
    pub stems: bool,
    /// Frames left out because the ring was full.
    pub dropped: u64,
}

impl Capture {
    /// Control thread: a capture into `tx` (sized for a few seconds).
    pub fn new(tx: Producer<f32>, stems: bool) -> Self {
        Self {
            tx,
            stems,
            dropped: 0,
        }
    }

    /// Audio thread: write `left`/`right` (equal lengths) as the frames of
    /// `stream` starting at engine sample `clock`. False when the ring had
    /// no room (the chunk is counted as dropped).
    pub fn write(&mut self, stream: u32, clock: u64, left: &[f32], right: &[f32]) -> bool {
        let n = left.len().min(right.len());
        let need = HEADER + 2 * n;
        let Ok(chunk) = self.tx.write_chunk_uninit(need) else {
            self.dropped += n as u64;
            return false;
        };
        let header = [
            f32::from_bits(n as u32),
            f32::from_bits(stream),
            f32::from_bits(clock as u32),
            f32::from_bits((clock >> 32) as u32),
        ];
        let frames = left
            .iter()
            .zip(right.iter())
            .take(n)
            .flat_map(|(l, r)| [*l, *r]);
        chunk.fill_from_iter(header.into_iter().chain(frames));
        true
    }
}

/// A chunk's header, read back on the disk thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChunkHeader {
    pub frames: usize,
    pub stream: u32,
    pub clock: u64,
}

impl ChunkHeader {
    pub fn read(v: [f32; HEADER]) -> Self {
        let [n, s, lo, hi] = v.map(f32::to_bits);
        Self {
            frames: n as usize,
            stream: s,
            clock: lo as u64 | ((hi as u64) << 32),
        }
    }
}
