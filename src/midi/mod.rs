//! MIDI input: controllers play and drive the session.
//!
//! Each open device gets a midir connection whose callback (the device's
//! input thread) decodes bytes and sends notes, the sustain pedal and the
//! pitch wheel straight to the engine through its own wait-free
//! [`InputPort`], so a note sounds at the next block; it never touches the
//! session. Controller changes, clock and start/stop go to the control loop
//! through a bounded channel and become Actions in [`MidiIn::poll`] (mapped
//! CCs, MIDI learn, clock follow). Devices that disappear are noticed,
//! their notes released, and reopened when they come back; a machine with no
//! MIDI system at all gets one notice.

pub mod decode;
pub mod map;

use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::Arc;
use std::time::{Duration, Instant};

use midir::{MidiInput, MidiInputConnection};

use crate::engine::Slot;
use crate::handle::InputPort;
use crate::session::Session;
use decode::{Decoder, MidiMsg};

const NO_SLOT: u16 = u16::MAX;
/// Control events waiting for the control loop.
const QUEUE: usize = 1024;
/// How often device lists are rescanned for arrivals and departures.
const RESCAN: Duration = Duration::from_secs(1);

/// Which tracks notes go to; written by the control loop, read by the input threads.
#[derive(Debug)]
pub struct Routing {
    pub selected: AtomicU16,
    pub channels: [AtomicU16; 16],
}

impl Default for Routing {
    fn default() -> Self {
        Self {
            selected: AtomicU16::new(NO_SLOT),
            channels: std::array::from_fn(|_| AtomicU16::new(NO_SLOT)),
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
    Clock(Instant),
    Start,
    Continue,
    Stop,
}

/// Per-connection state, owned by the device's input thread.
struct Conn {
    port: InputPort,
    decoder: Decoder,
    routing: Arc<Routing>,
    events: SyncSender<ControlEvent>,
    /// Notes this device holds down, per slot it played them on.
    down: Vec<(Slot, u8)>,
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
            Some((t0, s0)) if us >= t0 => s0 + ((us - t0) as f64 * self.rate / 1e6).round() as u64,
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
    /// The device's input thread: one MIDI message (or several bytes),
    /// with the device's timestamp in µs when it gives one.
    fn on_bytes(&mut self, stamp: Option<u64>, bytes: &[u8]) {
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
                    self.port
                        .note_on(slot, note as f32, velocity as f32 / 127.0);
                    if self.down.len() < 256 {
                        self.down.push((slot, note));
                    }
                }
            }
            MidiMsg::NoteOff { channel, note } => {
                if let Some(slot) = self.routing.slot_for(channel) {
                    self.port.note_off(slot, note as f32);
                }
                // Release on every slot this note went to (the routing may have changed).
                let mut i = 0;
                while i < self.down.len() {
                    if self.down[i].1 == note {
                        let (s, n) = self.down.swap_remove(i);
                        if Some(s) != self.routing.slot_for(channel) {
                            self.port.note_off(s, n as f32);
                        }
                    } else {
                        i += 1;
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
            MidiMsg::Clock => {
                let _ = self.events.try_send(ControlEvent::Clock(Instant::now()));
            }
            MidiMsg::Start => {
                let _ = self.events.try_send(ControlEvent::Start);
            }
            MidiMsg::Continue => {
                let _ = self.events.try_send(ControlEvent::Continue);
            }
            MidiMsg::Stop => {
                let _ = self.events.try_send(ControlEvent::Stop);
            }
            MidiMsg::Program { .. } => {}
        }
    }

    /// Release every note this device holds (it went away, or asked).
    fn release_all(&mut self) {
        for (slot, note) in std::mem::take(&mut self.down) {
            self.port.note_off(slot, note as f32);
        }
    }
}

/// A byte source that plays through the same path as a device: decoder,
/// routing, the engine's input ring and the control channel. For MIDI that
/// arrives some other way (a serial port, a file, a test). Dropping it
/// releases its notes.
pub struct ByteFeed(Option<Conn>);

impl ByteFeed {
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

/// Which devices to open.
#[derive(Debug, Clone, PartialEq)]
pub enum Wanted {
    /// Every input device.
    All,
    /// Devices whose name contains this, or the one at this index.
    Named(String),
    /// termdaw's own virtual input port, for other programs to connect to.
    Virtual,
    None,
}

struct Open {
    name: String,
    conn: MidiInputConnection<Conn>,
}

pub struct MidiIn {
    wanted: Wanted,
    scanner: Option<MidiInput>,
    open: Vec<Open>,
    routing: Arc<Routing>,
    events: Receiver<ControlEvent>,
    tx: SyncSender<ControlEvent>,
    last_scan: Option<Instant>,
    notices: Vec<String>,
    /// Armed MIDI learn: the next controller moved is reported, not applied.
    learning: bool,
    /// Recent clock ticks, for the tempo estimate.
    ticks: Vec<Instant>,
    /// Mappings from the config directory, used where the session has none
    /// for that channel or controller.
    global: crate::patch::MidiSettings,
}

/// What `poll` saw that the UI may want to show.
#[derive(Debug, Clone, PartialEq)]
pub enum MidiReport {
    Applied(String),
    Learned { channel: u8, cc: u8 },
}

/// The input port names midir sees now.
pub fn list_inputs() -> Result<Vec<String>, String> {
    let mi = MidiInput::new("termdaw-list").map_err(|e| e.to_string())?;
    Ok(mi
        .ports()
        .iter()
        .map(|p| mi.port_name(p).unwrap_or_else(|_| "(unnamed)".into()))
        .collect())
}

impl MidiIn {
    /// Control thread. Never fails: without a MIDI system it says so once.
    pub fn new(wanted: Wanted) -> Self {
        let (tx, rx) = sync_channel(QUEUE);
        let mut notices = Vec::new();
        let scanner = match MidiInput::new("termdaw-scan") {
            Ok(m) => Some(m),
            Err(e) => {
                if wanted != Wanted::None {
                    notices.push(format!(
                        "no MIDI input available ({e}); continuing without MIDI"
                    ));
                }
                None
            }
        };
        Self {
            wanted,
            scanner,
            open: Vec::new(),
            routing: Arc::new(Routing::default()),
            events: rx,
            tx,
            last_scan: None,
            notices,
            learning: false,
            ticks: Vec::new(),
            global: Default::default(),
        }
    }

    pub fn routing(&self) -> &Arc<Routing> {
        &self.routing
    }

    /// Names of the open devices.
    pub fn open_devices(&self) -> Vec<String> {
        self.open.iter().map(|o| o.name.clone()).collect()
    }

    pub fn take_notices(&mut self) -> Vec<String> {
        std::mem::take(&mut self.notices)
    }

    /// Mappings that apply in every session (the config directory's
    /// `midi.ron`); the session's own mappings win.
    pub fn set_global(&mut self, global: crate::patch::MidiSettings) {
        self.global = global;
    }

    /// Arm MIDI learn: the next controller moved is reported by `poll`.
    pub fn learn(&mut self) {
        self.learning = true;
    }

    /// The track notes go to when their channel has no route of its own.
    pub fn select(&self, slot: Option<Slot>) {
        self.routing
            .selected
            .store(slot.unwrap_or(NO_SLOT), Ordering::Relaxed);
    }

    /// A [`ByteFeed`] into this input (takes one of the engine's input rings).
    pub fn byte_feed(&mut self, session: &mut Session) -> Option<ByteFeed> {
        let h = session.engine_mut()?;
        let rate = h.rate as f64;
        let port = h.take_input()?;
        Some(ByteFeed(Some(Conn {
            port,
            decoder: Decoder::default(),
            routing: self.routing.clone(),
            events: self.tx.clone(),
            down: Vec::with_capacity(256),
            timing: Timing::new(rate),
        })))
    }

    fn connect(&mut self, session: &mut Session, port_index: Option<usize>, name: &str) {
        let Some(port) = session.engine_mut().and_then(|h| h.take_input()) else {
            self.notices
                .push(format!("MIDI: no free input port for {name}"));
            return;
        };
        let rate = session.engine().map_or(48_000.0, |h| h.rate as f64);
        let conn = Conn {
            port,
            decoder: Decoder::default(),
            routing: self.routing.clone(),
            events: self.tx.clone(),
            down: Vec::with_capacity(256),
            timing: Timing::new(rate),
        };
        let input = match MidiInput::new("termdaw") {
            Ok(i) => i,
            Err(e) => {
                self.notices.push(format!("MIDI: {e}"));
                if let Some(h) = session.engine_mut() {
                    h.return_input(conn.port);
                }
                return;
            }
        };
        let cb = |ts: u64, bytes: &[u8], c: &mut Conn| c.on_bytes(Some(ts), bytes);
        let target = match port_index {
            Some(i) => match input.ports().get(i).cloned() {
                Some(p) => Some(p),
                None => {
                    self.notices
                        .push(format!("MIDI: {name} went away before it could be opened"));
                    if let Some(h) = session.engine_mut() {
                        h.return_input(conn.port);
                    }
                    return;
                }
            },
            None => None,
        };
        // A failed connect keeps our state inside midir, so its input port is
        // lost; that costs one of the engine's spare rings, never a note.
        let result = match target {
            Some(p) => input
                .connect(&p, "termdaw-in", cb, conn)
                .map_err(|e| e.to_string()),
            #[cfg(unix)]
            None => {
                use midir::os::unix::VirtualInput;
                input
                    .create_virtual(name, cb, conn)
                    .map_err(|e| e.to_string())
            }
            #[cfg(not(unix))]
            None => Err("virtual ports are not supported on this system".to_string()),
        };
        match result {
            Ok(conn) => {
                self.notices.push(format!("MIDI: listening to {name}"));
                self.open.push(Open {
                    name: name.to_string(),
                    conn,
                });
            }
            Err(e) => self.notices.push(format!("MIDI: cannot open {name}: {e}")),
        }
    }

    fn close(&mut self, session: &mut Session, i: usize) {
        let o = self.open.remove(i);
        let (_, mut conn) = o.conn.close();
        conn.release_all();
        if let Some(h) = session.engine_mut() {
            h.return_input(conn.port);
        }
    }

    fn rescan(&mut self, session: &mut Session) {
        if self.wanted == Wanted::Virtual {
            if self.open.is_empty() {
                self.connect(session, None, "termdaw");
            }
            return;
        }
        let Some(scanner) = &self.scanner else { return };
        let names: Vec<String> = scanner
            .ports()
            .iter()
            .map(|p| scanner.port_name(p).unwrap_or_default())
            .collect();
        // Departures: release their notes, give their ports back.
        let mut i = 0;
        while i < self.open.len() {
            if names.contains(&self.open[i].name) {
                i += 1;
            } else {
                let name = self.open[i].name.clone();
                self.close(session, i);
                self.notices.push(format!(
                    "MIDI: {name} disconnected; will reopen it when it comes back"
                ));
            }
        }
        // Arrivals.
        for (idx, name) in names.iter().enumerate() {
            if name.starts_with("termdaw") || self.open.iter().any(|o| &o.name == name) {
                continue;
            }
            let want = match &self.wanted {
                Wanted::All => true,
                Wanted::Named(w) => name.contains(w.as_str()) || w.parse::<usize>() == Ok(idx),
                Wanted::Virtual | Wanted::None => false,
            };
            if want {
                self.connect(session, Some(idx), name);
            }
        }
    }

    /// Control thread, once per UI frame: open/close devices, route notes to
    /// the right tracks, turn controller moves into Actions.
    pub fn poll(&mut self, session: &mut Session) -> Vec<MidiReport> {
        let mut out = Vec::new();
        // Keep the input threads' routing in step with the session.
        for ch in 1..=16u8 {
            let slot = session
                .file()
                .midi
                .channels
                .get(&ch)
                .or_else(|| self.global.channels.get(&ch))
                .and_then(|t| session.slot(t));
            self.routing.channels[(ch - 1) as usize]
                .store(slot.unwrap_or(NO_SLOT), Ordering::Relaxed);
        }
        if self.wanted != Wanted::None && self.last_scan.is_none_or(|t| t.elapsed() >= RESCAN) {
            self.last_scan = Some(Instant::now());
            self.rescan(session);
        }
        for _ in 0..QUEUE {
            let Ok(ev) = self.events.try_recv() else {
                break;
            };
            match ev {
                ControlEvent::Cc { channel, cc, value } => {
                    if self.learning {
                        self.learning = false;
                        out.push(MidiReport::Learned { channel, cc });
                        continue;
                    }
                    let file = session.file();
                    let mut actions: Vec<_> = map::matching(&file.midi, channel, cc)
                        .filter_map(|m| map::action(m, value, file))
                        .collect();
                    if map::matching(&file.midi, channel, cc).next().is_none() {
                        actions.extend(
                            map::matching(&self.global, channel, cc)
                                .filter_map(|m| map::action(m, value, file)),
                        );
                    }
                    for a in actions {
                        match session.apply(a) {
                            Ok(d) => out.push(MidiReport::Applied(d.description)),
                            Err(e) => out.push(MidiReport::Applied(format!("MIDI: {e}"))),
                        }
                    }
                }
                ControlEvent::Clock(t) if session.file().midi.clock => {
                    self.ticks.push(t);
                    if self.ticks.len() > 48 {
                        self.ticks.remove(0);
                    }
                    if self.ticks.len() == 48 {
                        let span = self.ticks[47].duration_since(self.ticks[0]).as_secs_f64();
                        let bpm = 60.0 * 47.0 / 24.0 / span.max(1e-6);
                        let bpm = (bpm * 10.0).round() / 10.0;
                        if (bpm - session.file().tempo).abs() >= 0.2
                            && (20.0..=999.0).contains(&bpm)
                        {
                            if let Ok(d) = session.apply(crate::action::Action::SetTempo { bpm }) {
                                out.push(MidiReport::Applied(d.description));
                            }
                        }
                    }
                }
                ControlEvent::Start | ControlEvent::Continue if session.file().midi.clock => {
                    if matches!(ev, ControlEvent::Start) {
                        let _ = session.apply(crate::action::Action::Locate { beat: 0.0 });
                    }
                    let _ = session.apply(crate::action::Action::Play {});
                    out.push(MidiReport::Applied("MIDI clock: play".into()));
                }
                ControlEvent::Stop if session.file().midi.clock => {
                    let _ = session.apply(crate::action::Action::Stop {});
                    out.push(MidiReport::Applied("MIDI clock: stop".into()));
                }
                _ => {}
            }
        }
        out
    }

    /// Close every device, releasing their notes.
    pub fn close_all(&mut self, session: &mut Session) {
        while !self.open.is_empty() {
            self.close(session, 0);
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
