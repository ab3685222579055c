//! The Actions the send and preset keys build: which bus they edit, a
//! send level moved by a step from the selected track's current one, and
//! the preset after the track's.
//!
//! Control thread (UI). Builds `set_send` Actions; the caller applies them
//! through `App::apply`, like every other input.

use super::{App, StatusKind};
use crate::action::Action;
use crate::patch::field;

/// Where a send that is off comes in when a key turns it up: quiet, but heard.
pub const SEND_FROM_OFF_DB: f64 = -30.0;
/// Below this a send turned down goes off (the fader's lowest mark).
const SEND_FLOOR_DB: f64 = -60.0;
/// The top of the faders.
const SEND_TOP_DB: f64 = 6.0;

impl App {
    /// Make the next bus the one the send keys edit.
    pub(super) fn send_next(&mut self) {
        let buses = &self.session.file().buses;
        if buses.is_empty() {
            self.set_status(StatusKind::Warning, "no return buses: add one with add_bus");
            return;
        }
        self.send_bus = (self.send_bus + 1) % buses.len();
        let name = buses[self.send_bus].name.to_string();
        self.set_status(
            StatusKind::Info,
            format!("send keys edit the send to {name}"),
        );
    }

    /// The selected track's send to the chosen bus, moved by `d` dB: an off
    /// send comes in at [`SEND_FROM_OFF_DB`], one taken below −60 dB goes off.
    pub(super) fn nudge_send(&mut self, d: f64) -> Option<Action> {
        let Some(bus) = self.session.file().buses.get(self.send_bus) else {
            self.set_status(StatusKind::Warning, "no return buses: add one with add_bus");
            return None;
        };
        let bus = bus.name.to_string();
        let Some(t) = self.selected_track() else {
            self.set_status(StatusKind::Warning, "no track selected");
            return None;
        };
        let now = t.sends.get(&bus).copied();
        let db = match now {
            None if d > 0.0 => SEND_FROM_OFF_DB,
            None => {
                self.set_status(StatusKind::Info, format!("the send to {bus} is off"));
                return None;
            }
            Some(v) if v + d < SEND_FLOOR_DB => field::TRACK_VOLUME.min(),
            Some(v) => (v + d).min(SEND_TOP_DB),
        };
        Some(Action::SetSend {
            track: t.name.to_string(),
            bus,
            db,
        })
    }

    /// `load_preset` of the preset `by` places after the one the track has
    /// now in the library's order (from the start when it has none).
    pub(super) fn preset_step(&mut self, track: String, by: i32) -> Option<Action> {
        let lib = crate::preset::in_order();
        if lib.is_empty() {
            self.set_status(StatusKind::Warning, "no presets in this build");
            return None;
        }
        let t = self.session.file().track(&track)?;
        let now = lib.iter().position(|p| {
            p.instrument == t.instrument && p.effects == t.effects && p.volume == t.volume
        });
        let n = lib.len() as i64;
        let next = match now {
            Some(i) => (i as i64 + by as i64).rem_euclid(n),
            None if by < 0 => n - 1,
            None => 0,
        };
        Some(Action::LoadPreset {
            track,
            preset: lib[next as usize].name.clone(),
        })
    }
}
