//! MIDI learn and the controller mapping list, on screen.
//!
//! Control thread (UI): state and keys (`view/` draws it). Learning takes
//! three steps: `L` arms it (the UI loop tells the MIDI input), the next
//! controller moved comes back through [`App::midi_learned`], and the
//! musician picks what it should move from a list built from the selected
//! track. The pick becomes one `set_midi` Action, so a mapping undoes, saves
//! and reloads like any other edit. `M` lists every mapping; `d` deletes one.
//! This module may not talk to MIDI devices itself.

use crossterm::event::KeyCode;

use super::app::{App, Overlay, StatusKind};
use super::keymap::Key;
use crate::action::Action;
use crate::kinds::ParamKind;
use crate::patch::{CcMap, CcTarget, Curve, MidiSettings, SessionFile, Track};

/// Where MIDI learn is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Learn {
    #[default]
    Off,
    /// Armed: waiting for a controller to move.
    Waiting,
    /// Controller `cc` on `channel` moved; choosing its target.
    Picking { channel: u8, cc: u8, cursor: usize },
}

#[derive(Debug, Clone, Default)]
pub struct MidiUi {
    pub learn: Learn,
    /// The highlighted row of the mapping list.
    pub map_cursor: usize,
    /// Open MIDI devices, for the list's title.
    pub devices: Vec<String>,
    request: bool,
}

impl MidiUi {
    /// Whether the loop should arm the MIDI input's learn now (once per `L`).
    pub fn take_request(&mut self) -> bool {
        std::mem::take(&mut self.request)
    }
}

/// What a controller can move, for the selected track first: its fader,
/// pan, every numeric instrument parameter and send, then the tempo and master.
pub fn targets(track: Option<&Track>) -> Vec<(String, CcTarget)> {
    let mut out = Vec::new();
    if let Some(t) = track {
        let name = t.name.as_str().to_string();
        out.push((format!("{name} volume"), CcTarget::Volume(name.clone())));
        out.push((format!("{name} pan"), CcTarget::Pan(name.clone())));
        for p in t.instrument.kind.params() {
            if p.kind == ParamKind::Path {
                continue;
            }
            let unit = if p.unit.is_empty() {
                String::new()
            } else {
                format!(" ({})", p.unit)
            };
            out.push((
                format!("{name}.{}{unit}", p.name),
                CcTarget::Param(name.clone(), p.name.to_string()),
            ));
        }
        for bus in t.sends.keys() {
            out.push((
                format!("{name} send → {bus}"),
                CcTarget::Send(name.clone(), bus.clone()),
            ));
        }
    }
    out.push(("tempo".into(), CcTarget::Tempo));
    out.push(("master volume".into(), CcTarget::MasterVolume));
    out
}

/// The curve a new mapping gets: equal ratios for frequencies and times.
fn curve_for(target: &CcTarget, file: &SessionFile) -> Curve {
    if let CcTarget::Param(track, param) = target {
        let unit = file
            .track(track)
            .and_then(|t| {
                t.instrument
                    .kind
                    .params()
                    .iter()
                    .find(|p| p.name == param)
                    .map(|p| p.unit)
            })
            .unwrap_or("");
        if matches!(unit, "Hz" | "s" | "ms") {
            return Curve::Exp;
        }
    }
    Curve::Linear
}

/// `midi` with controller `cc` on `channel` moving `target` instead of
/// whatever it moved before.
pub fn with_mapping(
    midi: &MidiSettings,
    file: &SessionFile,
    channel: u8,
    cc: u8,
    target: CcTarget,
) -> MidiSettings {
    let mut out = midi.clone();
    out.cc
        .retain(|m| !(m.cc == cc && m.channel.is_none_or(|c| c == channel)));
    let curve = curve_for(&target, file);
    out.cc.push(CcMap {
        cc,
        channel: Some(channel),
        target,
        min: None,
        max: None,
        curve,
    });
    out
}

/// One line for a mapping: `CC 74 ch 1 → bass.cutoff 200–8000 exp`.
pub fn describe(m: &CcMap) -> String {
    let ch = m
        .channel
        .map(|c| format!("ch {c}"))
        .unwrap_or("any ch".into());
    let target = match &m.target {
        CcTarget::Param(t, p) => format!("{t}.{p}"),
        CcTarget::Volume(t) => format!("{t} volume"),
        CcTarget::Pan(t) => format!("{t} pan"),
        CcTarget::Send(t, b) => format!("{t} send → {b}"),
        CcTarget::Tempo => "tempo".into(),
        CcTarget::MasterVolume => "master volume".into(),
    };
    let range = match (m.min, m.max) {
        (None, None) => String::new(),
        (a, b) => format!(
            " {}–{}",
            a.map(|x| format!("{x}")).unwrap_or("min".into()),
            b.map(|x| format!("{x}")).unwrap_or("max".into())
        ),
    };
    let curve = match m.curve {
        Curve::Linear => "",
        Curve::Exp => " exp",
        Curve::Log => " log",
    };
    format!("CC {:>3} {ch:<6} → {target}{range}{curve}", m.cc)
}

impl App {
    /// Arm MIDI learn (the `midi_learn` command).
    pub fn midi_learn(&mut self) {
        self.midi.learn = Learn::Waiting;
        self.midi.request = true;
        self.overlay = Overlay::MidiLearn;
        self.set_status(StatusKind::Info, "MIDI learn: move a knob or fader");
        self.mark_changed();
    }

    /// The MIDI input saw controller `cc` on `channel` while learn was armed.
    pub fn midi_learned(&mut self, channel: u8, cc: u8) {
        if self.midi.learn == Learn::Off {
            return;
        }
        self.midi.learn = Learn::Picking {
            channel,
            cc,
            cursor: 0,
        };
        self.overlay = Overlay::MidiLearn;
        self.set_status(
            StatusKind::Info,
            format!("MIDI learn: CC {cc} on channel {channel}; pick what it moves"),
        );
        self.mark_changed();
    }

    /// A key while the learn overlay is up. Returns the Action applied, if any.
    pub(super) fn midi_learn_key(&mut self, key: Key) -> Vec<Action> {
        let n = targets(self.selected_track()).len();
        match (self.midi.learn, key.code) {
            (_, KeyCode::Esc | KeyCode::Char('q')) => {
                self.midi.learn = Learn::Off;
                self.overlay = Overlay::None;
                self.set_status(StatusKind::Info, "MIDI learn cancelled");
            }
            (
                Learn::Picking {
                    channel,
                    cc,
                    cursor,
                },
                code,
            ) => {
                let cursor = match code {
                    KeyCode::Up | KeyCode::Char('k') => cursor.saturating_sub(1),
                    KeyCode::Down | KeyCode::Char('j') => (cursor + 1).min(n.saturating_sub(1)),
                    KeyCode::Enter => {
                        let Some((_, target)) =
                            targets(self.selected_track()).into_iter().nth(cursor)
                        else {
                            return Vec::new();
                        };
                        let file = self.session().file();
                        let midi = with_mapping(&file.midi, file, channel, cc, target);
                        self.midi.learn = Learn::Off;
                        self.overlay = Overlay::None;
                        return vec![self.apply(Action::SetMidi { midi })];
                    }
                    _ => cursor,
                };
                self.midi.learn = Learn::Picking {
                    channel,
                    cc,
                    cursor,
                };
            }
            _ => {}
        }
        Vec::new()
    }

    /// A key while the mapping list is up.
    pub(super) fn midi_map_key(&mut self, key: Key) -> Vec<Action> {
        let n = self.session().file().midi.cc.len();
        match key.code {
            KeyCode::Esc | KeyCode::Char('q') | KeyCode::Char('M') => {
                self.overlay = Overlay::None;
            }
            KeyCode::Up | KeyCode::Char('k') => {
                self.midi.map_cursor = self.midi.map_cursor.saturating_sub(1)
            }
            KeyCode::Down | KeyCode::Char('j') => {
                self.midi.map_cursor = (self.midi.map_cursor + 1).min(n.saturating_sub(1))
            }
            KeyCode::Char('L') => self.midi_learn(),
            KeyCode::Char('d') | KeyCode::Delete | KeyCode::Backspace if n > 0 => {
                let i = self.midi.map_cursor.min(n - 1);
                let mut midi = self.session().file().midi.clone();
                midi.cc.remove(i);
                self.midi.map_cursor = i.min(midi.cc.len().saturating_sub(1));
                return vec![self.apply(Action::SetMidi { midi })];
            }
            _ => {}
        }
        Vec::new()
    }
}
