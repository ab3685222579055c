//! The live inputs a running termdaw polls between frames: saves of the
//! session's files, OSC datagrams and MIDI controllers.
//!
//! Control thread. Each input has its own thread or callback that only
//! queues; here, once per turn of the host loop (`crate::host`: a UI frame,
//! or every few milliseconds without the UI), what they queued becomes Actions through `Session::apply`. This
//! module only routes and reports; it may not change the session any other
//! way and never touches the audio thread directly.

use std::net::SocketAddr;

use crate::engine::Slot;
use crate::midi::{MidiIn, MidiReport, Wanted};
use crate::osc::{Osc, OscError, TimeBase};
use crate::patch::MidiSettings;
use crate::reload::{ReloadStatus, Reloader};
use crate::session::Session;

/// How the OSC server should listen, from flags or the config file.
#[derive(Debug, Clone)]
pub struct OscOptions {
    pub enabled: bool,
    pub bind: SocketAddr,
    /// Allow a non-loopback bind address.
    pub any: bool,
}

impl Default for OscOptions {
    fn default() -> Self {
        Self {
            enabled: true,
            bind: SocketAddr::from(([127, 0, 0, 1], crate::osc::DEFAULT_PORT)),
            any: false,
        }
    }
}

/// What happened since the last poll, for the status line or the log.
#[derive(Debug, Clone, PartialEq)]
pub enum LiveEvent {
    Reload(ReloadStatus),
    /// An OSC message applied or refused.
    Osc(String),
    Midi(MidiReport),
    /// Something the musician should know (an input is off).
    Notice(String),
    /// The sound goes somewhere else now: the device went away (silent),
    /// or it came back.
    Sink(crate::audio::device::SinkInfo),
}

/// The reloader, the OSC server and the MIDI inputs, each optional.
#[derive(Default)]
pub struct Inputs {
    pub reloader: Option<Reloader>,
    pub osc: Option<Osc>,
    pub midi: Option<MidiIn>,
    notices: Vec<String>,
}

impl Inputs {
    /// Start what was asked for. Never fails: an input that cannot start is
    /// a notice, and the rest of termdaw runs without it.
    pub fn start(
        session: &Session,
        osc: &OscOptions,
        midi: Wanted,
        global_midi: Option<MidiSettings>,
    ) -> Inputs {
        let mut me = Inputs::default();
        if let Some(path) = session.path() {
            match Reloader::new(path, session.file().clone()) {
                Ok(r) => me.reloader = Some(r),
                Err(e) => me.notices.push(format!("hot reload is off: {e}")),
            }
        }
        if osc.enabled {
            match Osc::start(osc.bind, osc.any) {
                Ok(server) => {
                    if !server.local.ip().is_loopback() {
                        me.notices.push(format!(
                            "OSC listens on {} (beyond this machine: anyone who can reach it can drive the session)",
                            server.local
                        ));
                    }
                    me.osc = Some(server);
                }
                Err(e @ OscError::NotLoopback { .. }) | Err(e @ OscError::Bind { .. }) => {
                    me.notices.push(e.to_string())
                }
            }
        }
        if midi != Wanted::None {
            let mut m = MidiIn::new(midi);
            if let Some(g) = global_midi {
                m.set_global(g);
            }
            me.midi = Some(m);
        }
        me
    }

    /// Arm MIDI learn: the next controller moved comes back as
    /// `MidiReport::Learned` instead of being applied. Whether MIDI is on.
    pub fn learn(&mut self) -> bool {
        match self.midi.as_mut() {
            Some(m) => {
                m.learn();
                true
            }
            None => false,
        }
    }

    /// Apply what arrived. `selected` is the track notes from unmapped
    /// channels play.
    pub fn poll(&mut self, session: &mut Session, selected: Option<Slot>) -> Vec<LiveEvent> {
        let mut out: Vec<LiveEvent> = self.notices.drain(..).map(LiveEvent::Notice).collect();
        if let Some(r) = self.reloader.as_mut() {
            if let Some(status) = r.poll(session) {
                out.push(LiveEvent::Reload(status));
            }
        }
        if let Some(osc) = self.osc.as_mut() {
            let time = TimeBase::live(session);
            out.extend(osc.poll(session, time).into_iter().map(LiveEvent::Osc));
        }
        if let Some(midi) = self.midi.as_mut() {
            midi.select(selected);
            out.extend(midi.poll(session).into_iter().map(LiveEvent::Midi));
            out.extend(midi.take_notices().into_iter().map(LiveEvent::Notice));
        }
        out
    }

    /// Release every held MIDI note and close the devices (before the engine goes).
    pub fn close(&mut self, session: &mut Session) {
        if let Some(m) = self.midi.as_mut() {
            m.close_all(session);
        }
    }
}
