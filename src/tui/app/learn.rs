//! MIDI learn and the mapping list as the App runs them: the overlays, the
//! status line and their keys. The learn state and the target lists are
//! `tui::midi`'s.
//!
//! Control thread (UI). Builds one `set_midi` Action per change and applies
//! it through `App::apply`, like every other input.

use crossterm::event::KeyCode;

use super::{App, Overlay, StatusKind};
use crate::action::Action;
use crate::tui::keymap::Key;
use crate::tui::midi::{targets, with_mapping, Learn};

impl App {
    /// Arm MIDI learn (the `midi_learn` command).
    pub fn midi_learn(&mut self) {
        self.midi.arm();
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
        let n = targets(self.session().file(), self.selected_track()).len();
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
                            targets(self.session().file(), self.selected_track())
                                .into_iter()
                                .nth(cursor)
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
