//! Live audio input as the engine sees it: the device's frames for the
//! piece being rendered, one buffer per channel, read from the ring the
//! input stream's callback fills.
//!
//! The ring ([`InputRing`]) is built on the control thread and handed over
//! by `Op::SetInput`. [`InputFrames::read`] runs on the audio thread: no
//! allocation, lock or wait. The input device keeps its own clock, so the
//! engine reads with a cushion: it waits until `prime` frames are there,
//! then takes a piece's worth each piece; running dry (counted) waits for
//! the cushion again, and a ring that has run far ahead (counted) drops
//! its oldest frames. Input tracks read the channels from here; a take
//! records them as read, which is what a replay plays back.

use rtrb::Consumer;

use super::MAX_BLOCK;

/// Device channels the engine takes in (more are left out).
pub const MAX_INPUT_CHANNELS: usize = 8;

/// The engine's end of an input stream.
pub struct InputRing {
    pub rx: Consumer<f32>,
    /// Interleaved channels in the ring.
    pub channels: usize,
    /// Frames to hold before reading (at least two of the engine's blocks).
    pub prime: usize,
    /// The largest block the input device has delivered: the cushion is
    /// at least two of those too.
    pub block: std::sync::Arc<std::sync::atomic::AtomicU64>,
    /// A replay's ring: it holds exactly what each piece reads, so there
    /// is no cushion to wait for and nothing to drop.
    pub exact: bool,
}

/// The input of the piece being rendered.
pub struct InputFrames {
    ring: Option<Box<InputRing>>,
    ch: Box<[Box<[f32]>]>,
    /// Channels the open input has (0: none).
    pub channels: usize,
    primed: bool,
    /// Whether any input read so far was not silence.
    pub heard: bool,
    /// Pieces that found the ring dry, and frames dropped from a ring too full.
    pub underruns: u64,
    pub overruns: u64,
}

impl Default for InputFrames {
    fn default() -> Self {
        Self {
            ring: None,
            ch: (0..MAX_INPUT_CHANNELS)
                .map(|_| vec![0.0; MAX_BLOCK].into_boxed_slice())
                .collect(),
            channels: 0,
            primed: false,
            heard: false,
            underruns: 0,
            overruns: 0,
        }
    }
}

impl InputFrames {
    /// Audio thread: take a new ring (or none); the old one is returned.
    pub fn replace(&mut self, ring: Option<Box<InputRing>>) -> Option<Box<InputRing>> {
        self.channels = ring
            .as_ref()
            .map_or(0, |r| r.channels.min(MAX_INPUT_CHANNELS));
        self.primed = false;
        std::mem::replace(&mut self.ring, ring)
    }

    /// Audio thread: the input's next `n` frames into the channel buffers
    /// (silence where there is none).
    pub fn read(&mut self, n: usize) {
        let n = n.min(MAX_BLOCK);
        for c in self.ch.iter_mut().take(self.channels.max(1)) {
            if let Some(c) = c.get_mut(..n) {
                c.fill(0.0);
            }
        }
        let Some(ring) = self.ring.as_deref_mut() else {
            return;
        };
        let width = ring.channels.max(1);
        let held = ring.rx.slots() / width;
        let device = ring.block.load(std::sync::atomic::Ordering::Relaxed) as usize;
        let prime = ring.prime.max(2 * device).max(n);
        if ring.exact {
            self.primed = true;
        } else if !self.primed {
            if held < prime {
                return;
            }
            // Start from exactly the cushion, whatever piled up before the
            // engine listened: the input's delay is the same every run.
            skip(&mut ring.rx, (held - prime) * width);
            self.primed = true;
        } else if held > 4 * prime {
            // The device has run ahead (its clock is faster, or we were
            // held up): drop the oldest, keep the cushion.
            skip(&mut ring.rx, (held - prime) * width);
            self.overruns += (held - prime) as u64;
        }
        let held = ring.rx.slots() / width;
        if held < n {
            self.underruns += 1;
            self.primed = false;
            return;
        }
        let Ok(chunk) = ring.rx.read_chunk(n * width) else {
            return;
        };
        let (a, b) = chunk.as_slices();
        if !self.heard {
            self.heard = a.iter().chain(b).any(|v| *v != 0.0);
        }
        for (i, v) in a.iter().chain(b).enumerate() {
            let (frame, c) = (i / width, i % width);
            if let Some(x) = self.ch.get_mut(c).and_then(|ch| ch.get_mut(frame)) {
                *x = *v;
            }
        }
        chunk.commit_all();
    }

    /// The channels an input track plays: `channel` (from 1, as the
    /// parameter says) on both sides, or with `stereo` it and the next.
    pub fn pair(&self, channel: f32, stereo: bool, n: usize) -> (&[f32], &[f32]) {
        let c = (channel.round().max(1.0) as usize) - 1;
        let a = self.channel(c, n);
        (a, if stereo { self.channel(c + 1, n) } else { a })
    }

    /// Channel `c` (from 0) of the piece, `n` frames; silence if there is
    /// no such channel.
    pub fn channel(&self, c: usize, n: usize) -> &[f32] {
        let c = if c < self.channels {
            c
        } else {
            MAX_INPUT_CHANNELS
        };
        self.ch
            .get(c)
            .and_then(|ch| ch.get(..n))
            .unwrap_or_else(|| silence(n))
    }
}

fn skip(rx: &mut Consumer<f32>, values: usize) {
    if let Ok(chunk) = rx.read_chunk(values) {
        chunk.commit_all();
    }
}

fn silence(n: usize) -> &'static [f32] {
    static ZEROS: [f32; MAX_BLOCK] = [0.0; MAX_BLOCK];
    ZEROS.get(..n).unwrap_or(&ZEROS)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Frames that piled up before the engine first read are let go: the
    /// input is heard exactly `prime` frames after it arrived, every run.
    #[test]
    fn the_first_read_starts_from_exactly_the_cushion() {
        for piled in [256usize, 300, 700, 1000] {
            let (mut tx, rx) = rtrb::RingBuffer::new(4096);
            for i in 0..piled {
                tx.push(i as f32).unwrap();
            }
            let mut f = InputFrames::default();
            f.replace(Some(Box::new(InputRing {
                rx,
                channels: 1,
                prime: 256,
                exact: false,
                block: Default::default(),
            })));
            f.read(64);
            assert_eq!(
                f.channel(0, 64)[0],
                (piled - 256) as f32,
                "{piled} piled up"
            );
            assert_eq!(f.overruns, 0, "nothing was lost while listening");
        }
    }
}
