//! MIDI the engine sends: clock (24 a beat) and the transport (Start,
//! Continue with the song position, Stop) for machines that follow
//! termdaw, each stamped with the engine sample it belongs to.
//!
//! Audio thread: events go into a preallocated ring that a sender thread
//! on the control side (`midi::out`) empties and sends when that sample is
//! heard. A full ring drops the event and counts it; nothing here
//! allocates, locks or waits.

use rtrb::Producer;

use super::Engine;

/// One MIDI message and the engine sample it belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MidiEvent {
    pub clock: u64,
    pub len: u8,
    pub bytes: [u8; 3],
}

impl MidiEvent {
    pub fn bytes(&self) -> &[u8] {
        self.bytes.get(..self.len as usize).unwrap_or(&self.bytes)
    }
}

/// The engine's end of a MIDI output.
pub struct MidiOutRing {
    pub tx: Producer<MidiEvent>,
}

pub const CLOCK: u8 = 0xF8;
pub const START: u8 = 0xFA;
pub const CONTINUE: u8 = 0xFB;
pub const STOP: u8 = 0xFC;
pub const SONG_POSITION: u8 = 0xF2;

/// Clock ticks a beat.
const PPQN: f64 = 24.0;

impl Engine {
    fn midi_send(&mut self, clock: u64, bytes: &[u8]) {
        let Some(out) = self.midi_out.as_mut() else {
            return;
        };
        let mut e = MidiEvent {
            clock,
            len: bytes.len().min(3) as u8,
            bytes: [0; 3],
        };
        for (d, s) in e.bytes.iter_mut().zip(bytes) {
            *d = *s;
        }
        if out.tx.push(e).is_err() {
            super::Counters::bump(&self.counters.dropped_midi_out, 1);
        }
    }

    /// Audio thread: the clock ticks that fall in the piece about to be
    /// rendered (`n` samples from now), on their samples.
    pub(super) fn midi_clock_piece(&mut self, n: usize) {
        if self.midi_out.is_none() || !self.transport.playing {
            return;
        }
        let t = &self.transport;
        let s0 = t.song_sample;
        let end = s0 + n as i64;
        // The first tick at or after the piece's first sample.
        let mut k = (t.beat_at(s0) * PPQN).floor() as i64;
        while t.sample_at(k as f64 / PPQN) < s0 {
            k += 1;
        }
        let clock = self.clock;
        loop {
            let s = self.transport.sample_at(k as f64 / PPQN);
            if s >= end {
                break;
            }
            self.midi_send(clock + (s - s0) as u64, &[CLOCK]);
            k += 1;
        }
    }

    /// Audio thread: the transport started (from the start: Start; from
    /// elsewhere: the song position, then Continue).
    pub(super) fn midi_play(&mut self) {
        let beat = self.transport.beat();
        if beat <= 0.0 {
            self.midi_send(self.clock, &[START]);
        } else {
            self.midi_position(beat);
            self.midi_send(self.clock, &[CONTINUE]);
        }
    }

    pub(super) fn midi_stop(&mut self) {
        self.midi_send(self.clock, &[STOP]);
    }

    /// The song position, in sixteenths (the most MIDI can say: 16383).
    pub(super) fn midi_position(&mut self, beat: f64) {
        let p = (beat * 4.0).round().clamp(0.0, 16383.0) as u16;
        self.midi_send(
            self.clock,
            &[SONG_POSITION, (p & 0x7F) as u8, (p >> 7) as u8],
        );
    }
}
