//! The device side of MIDI input: what each connection's callback does on
//! its device's input thread, and the routing it reads.
//!
//! Runs on the device input threads (and on whatever thread feeds a
//! [`ByteFeed`]): decodes bytes, sends notes, sustain and bend straight to
//! the engine through the connection's wait-free [`InputPort`], and hands
//! controllers and clock to the control loop through a bounded channel that
//! never blocks (a full queue drops the event). It may not touch the session,
//! lock, or wait for the control thread.

use std::sync::atomic::{AtomicBool, AtomicU16, Ordering};
use std::sync::mpsc::SyncSender;
use std::sync::Arc;

use super::decode::{Decoder, MidiMsg};
use crate::engine::follow::ClockMsg;
use crate::engine::Slot;
use crate::handle::InputPort;
use crate::session::Session;

pub(super) const NO_SLOT: u16 = u16::MAX;

/// Which tracks notes go to; written by the control loop, read by the input threads.
#[derive(Debug)]
pub struct Routing {
    pub selected: AtomicU16,
    pub channels: [AtomicU16; 16],
    /// The pitch classes (bit 0: C) played notes move to; 0 leaves them.
    pub scale: AtomicU16,
    /// Whether the session follows MIDI clock (else clock is not sent on).
    pub clock: AtomicBool,
}

impl Default for Routing {
    fn default() -> Self {
        Self {
            selected: AtomicU16::new(NO_SLOT),
            channels: std::array::from_fn(|_| AtomicU16::new(NO_SLOT)),
            scale: AtomicU16::new(0),
            clock: AtomicBool::new(false),
        }
    }
}

impl Routing {
    /// The engine slot that MIDI channel `channel` (0-based) plays.
    pub fn slot_for(&self, channel: u8) -> Option<Slot> {
        let ch = self.channels[(channel & 15) as usize].load(Ordering::Relaxed);
        let s = if ch != NO_SLOT {
            ch
        } else {
            self.selected.load(Ordering::Relaxed)
        };
        (s != NO_SLOT).then_some(s)
    }

    /// `note` moved to the nearest pitch class of the scale (the lower one
    /// on a tie), or as it is with no scale set.
    pub fn quantize(&self, note: u8) -> u8 {
        let mask = self.scale.load(Ordering::Relaxed) & 0x0fff;
        if mask == 0 {
            return note;
        }
        let fits = |n: i32| (0..=127).contains(&n) && mask & (1 << n.rem_euclid(12)) != 0;
        let n = note as i32;
        (0..12)
            .flat_map(|d| [n - d, n + d])
            .find(|m| fits(*m))
            .map(|m| m as u8)
            .unwrap_or(note)
    }
}

/// What the input threads hand the control loop.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ControlEvent {
    /// 1-based channel.
    Cc {
        channel: u8,
        cc: u8,
        value: u8,
    },
    /// A note played (it went to the engine already); 1-based channel.
    Note {
        channel: u8,
        note: u8,
        velocity: u8,
    },
    Start,
    Continue,
    Stop,
}

/// Per-connection state, owned by the device's input thread.
pub(super) struct Conn {
    pub(super) port: InputPort,
    decoder: Decoder,
    routing: Arc<Routing>,
    events: SyncSender<ControlEvent>,
    /// Notes this device holds down, per slot it played them on.
    /// Notes held: (slot, the note as played on the keys, the note sent).
    down: Vec<(Slot, u8, u8)>,
    timing: Timing,
}

/// Maps a device's timestamps (µs) onto engine samples, so events that
/// arrived a few milliseconds apart inside one audio period keep that
/// spacing instead of all landing on the next block's first sample.
///
/// The first event is anchored at the start of the next block; later ones
/// keep their distance from it. When an event would land in a block already
/// rendered (the clocks drifted, or the device was quiet and the anchor is
/// stale) or more than two blocks ahead, it re-anchors, so latency stays at
/// most about one block. Positions never go backwards, so a note-off never
/// overtakes its note-on.
#[derive(Debug, Clone, Copy)]
struct Timing {
    rate: f64,
    anchor: Option<(u64, u64)>,
    last: u64,
}

impl Timing {
    fn new(rate: f64) -> Self {
        Self {
            rate,
            anchor: None,
            last: 0,
        }
    }

    /// The engine sample for an event stamped `us`, given the engine's
    /// next block start `clock` and block length `block`.
    fn place(&mut self, us: u64, clock: u64, block: u64) -> u64 {
        let block = block.max(1);
        let s = match self.anchor {
            Some((t0, s0)) if us >= t0 => {
                s0.saturating_add(((us - t0) as f64 * self.rate / 1e6).round() as u64)
            }
            _ => 0,
        };
        let s = if s < clock || s > clock + 2 * block {
            self.anchor = Some((us, clock));
            clock
        } else {
            s
        };
        self.last = s.max(self.last);
        self.last
    }
}

impl Conn {
    /// Control thread, when a device or feed opens.
    pub(super) fn new(
        port: InputPort,
        routing: Arc<Routing>,
        events: SyncSender<ControlEvent>,
        rate: f64,
    ) -> Conn {
        Conn {
            port,
            decoder: Decoder::default(),
            routing,
            events,
            down: Vec::with_capacity(256),
            timing: Timing::new(rate),
        }
    }

    /// The device's input thread: one MIDI message (or several bytes),
    /// with the device's timestamp in µs when it gives one.
    pub(super) fn on_bytes(&mut self, stamp: Option<u64>, bytes: &[u8]) {
        // The device's thread must outlive a bug here: midir panics on the
        // control thread when it joins a thread that died.
        if crate::health::survive(&crate::health::MIDI_PANICS, || self.feed(stamp, bytes)).is_none()
        {
            self.decoder = Default::default();
            self.port.set_time(None);
        }
    }

    fn feed(&mut self, stamp: Option<u64>, bytes: &[u8]) {
        let at = stamp.map(|us| {
            let (clock, block) = self.port.clock();
            self.timing.place(us, clock, block)
        });
        self.port.set_time(at);
        let mut dec = std::mem::take(&mut self.decoder);
        dec.feed_all(bytes, |m| self.on_msg(m));
        self.decoder = dec;
        self.port.set_time(None);
    }

    fn on_msg(&mut self, m: MidiMsg) {
        match m {
            MidiMsg::NoteOn {
                channel,
                note,
                velocity,
            } => {
                if let Some(slot) = self.routing.slot_for(channel) {
                    let sent = self.routing.quantize(note);
                    self.port
                        .note_on(slot, sent as f32, velocity as f32 / 127.0);
                    if self.down.len() < 256 {
                        self.down.push((slot, note, sent));
                    }
                }
                // Told to the control loop for the chat's `listen`; a full
                // queue drops the report, never the note.
                let _ = self.events.try_send(ControlEvent::Note {
                    channel: channel + 1,
                    note,
                    velocity,
                });
            }
            MidiMsg::NoteOff { channel, note } => {
                // Release what this key sent, wherever it went (the routing
                // or the scale may have changed since).
                let mut released = false;
                let mut i = 0;
                while i < self.down.len() {
                    if self.down[i].1 == note {
                        let (s, _, sent) = self.down.swap_remove(i);
                        self.port.note_off(s, sent as f32);
                        released = true;
                    } else {
                        i += 1;
                    }
                }
                if !released {
                    if let Some(slot) = self.routing.slot_for(channel) {
                        self.port.note_off(slot, self.routing.quantize(note) as f32);
                    }
                }
            }
            MidiMsg::Cc {
                channel,
                cc: 64,
                value,
            } => {
                if let Some(slot) = self.routing.slot_for(channel) {
                    self.port.sustain(slot, value >= 64);
                }
            }
            MidiMsg::Cc {
                channel, cc: 123, ..
            } => {
                // All Notes Off.
                let _ = channel;
                self.release_all();
            }
            MidiMsg::Cc { channel, cc, value } => {
                let _ = self.events.try_send(ControlEvent::Cc {
                    channel: channel + 1,
                    cc,
                    value,
                });
            }
            MidiMsg::PitchBend { channel, value } => {
                if let Some(slot) = self.routing.slot_for(channel) {
                    self.port.bend(slot, value as f32 / 8192.0);
                }
            }
            // The clock goes to the engine on its sample (which follows it
            // when the session says so); start and stop are also told to
            // the control loop, for the transport bar.
            MidiMsg::Clock
            | MidiMsg::Start
            | MidiMsg::Continue
            | MidiMsg::Stop
            | MidiMsg::SongPosition(_)
                if !self.routing.clock.load(Ordering::Relaxed) => {}
            MidiMsg::Clock => {
                self.port.clock_in(ClockMsg::Tick);
            }
            MidiMsg::Start => {
                self.port.clock_in(ClockMsg::Start);
                let _ = self.events.try_send(ControlEvent::Start);
            }
            MidiMsg::Continue => {
                self.port.clock_in(ClockMsg::Continue);
                let _ = self.events.try_send(ControlEvent::Continue);
            }
            MidiMsg::Stop => {
                self.port.clock_in(ClockMsg::Stop);
                let _ = self.events.try_send(ControlEvent::Stop);
            }
            MidiMsg::SongPosition(p) => {
                self.port.clock_in(ClockMsg::Position(p));
            }
            MidiMsg::Program { .. } => {}
        }
    }

    /// Release every note this device holds (it went away, or asked).
    pub(super) fn release_all(&mut self) {
        for (slot, _, sent) in std::mem::take(&mut self.down) {
            self.port.note_off(slot, sent as f32);
        }
    }
}

/// A byte source that plays through the same path as a device: decoder,
/// routing, the engine's input ring and the control channel. For MIDI that
/// arrives some other way (a serial port, a file, a test). Dropping it
/// releases its notes.
pub struct ByteFeed(Option<Conn>);

impl ByteFeed {
    pub(super) fn new(conn: Conn) -> ByteFeed {
        ByteFeed(Some(conn))
    }

    /// Whatever thread feeds bytes owns this.
    pub fn feed(&mut self, bytes: &[u8]) {
        if let Some(c) = self.0.as_mut() {
            c.on_bytes(None, bytes);
        }
    }

    /// Like [`ByteFeed::feed`], for bytes that arrived at `us` microseconds
    /// on the source's clock: they keep their spacing inside a block.
    pub fn feed_at(&mut self, us: u64, bytes: &[u8]) {
        if let Some(c) = self.0.as_mut() {
            c.on_bytes(Some(us), bytes);
        }
    }

    /// Release its notes and give its input ring back.
    pub fn close(mut self, session: &mut Session) {
        if let Some(mut c) = self.0.take() {
            c.release_all();
            if let Some(h) = session.engine_mut() {
                h.return_input(c.port);
            }
        }
    }
}

impl Drop for ByteFeed {
    fn drop(&mut self) {
        if let Some(c) = self.0.as_mut() {
            c.release_all();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Timing;

    #[test]
    fn timing_keeps_spacing_reanchors_when_late_and_never_goes_back() {
        let mut t = Timing::new(48_000.0);
        // Anchored at the next block start; 1 ms later is 48 samples later.
        assert_eq!(t.place(10_000, 4096, 256), 4096);
        assert_eq!(t.place(11_000, 4096, 256), 4144);
        // The engine rendered past where the next event would go: re-anchor.
        assert_eq!(t.place(12_000, 8192, 256), 8192);
        assert_eq!(t.place(12_500, 8192, 256), 8216);
        // Too far ahead (the device clock ran fast): re-anchor at the next
        // block, but never before an event already placed.
        assert_eq!(t.place(100_000, 8192, 256), 8216);
        assert_eq!(t.place(101_000, 8448, 256), 8448);
    }
}
