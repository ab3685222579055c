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

mod conn;
pub mod decode;
pub mod map;
pub mod out;

use std::sync::atomic::Ordering;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::Arc;
use std::time::{Duration, Instant};

use midir::{MidiInput, MidiInputConnection};

use crate::engine::Slot;
use crate::session::Session;
pub use conn::{ByteFeed, ControlEvent, Routing};
use conn::{Conn, NO_SLOT};

/// Control events waiting for the control loop.
const QUEUE: usize = 1024;
/// How often device lists are rescanned for arrivals and departures.
const RESCAN: Duration = Duration::from_secs(1);

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
    /// Mappings from the config directory, used where the session has none
    /// for that channel or controller.
    global: crate::patch::MidiSettings,
}

/// What `poll` saw that the UI may want to show.
#[derive(Debug, Clone, PartialEq)]
pub enum MidiReport {
    Applied(String),
    Learned {
        channel: u8,
        cc: u8,
    },
    /// A note was played (it already sounds; this is for the chat's ears).
    Played {
        channel: u8,
        note: u8,
        velocity: u8,
    },
}

/// The input port names midir sees now.
pub fn list_inputs() -> Result<Vec<String>, midir::InitError> {
    let mi = MidiInput::new("termdaw-list")?;
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
        Some(ByteFeed::new(Conn::new(
            port,
            self.routing.clone(),
            self.tx.clone(),
            rate,
        )))
    }

    fn connect(&mut self, session: &mut Session, port_index: Option<usize>, name: &str) {
        let Some(port) = session.engine_mut().and_then(|h| h.take_input()) else {
            self.notices
                .push(format!("MIDI: no free input port for {name}"));
            return;
        };
        let rate = session.engine().map_or(48_000.0, |h| h.rate as f64);
        let conn = Conn::new(port, self.routing.clone(), self.tx.clone(), rate);
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
        let f = session.file();
        let scale = if f.midi.quantize || self.global.quantize {
            f.scale
                .intervals()
                .iter()
                .fold(0u16, |m, i| m | 1 << ((f.key.0 as u16 + *i as u16) % 12))
        } else {
            0
        };
        self.routing.scale.store(scale, Ordering::Relaxed);
        self.routing.clock.store(f.midi.clock, Ordering::Relaxed);
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
                // The engine follows the clock itself (engine/follow.rs);
                // the session only learns whether the transport runs, which
                // is no edit: nothing to undo, nothing unsaved.
                ControlEvent::Start | ControlEvent::Continue => {
                    session.follow_playing(true);
                    out.push(MidiReport::Applied("MIDI clock: play".into()));
                }
                ControlEvent::Note {
                    channel,
                    note,
                    velocity,
                } => out.push(MidiReport::Played {
                    channel,
                    note,
                    velocity,
                }),
                ControlEvent::Stop => {
                    session.follow_playing(false);
                    out.push(MidiReport::Applied("MIDI clock: stop".into()));
                }
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
