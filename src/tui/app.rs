//! The UI's state and what input does to it.
//!
//! Control thread (UI). [`App`] owns the [`Session`] and the view state
//! (focus, selection, step cursor, overlays, meters, spectrum, status). Input
//! is handled by pure-ish functions: a key or mouse event becomes a
//! [`Command`] through the [`Keymap`], a command becomes zero or more
//! [`Action`]s built from the view's context (the selected track, the step
//! under the cursor), and each Action goes through [`Session::apply`] — the
//! one path every input source takes. Rendering (`view/`) reads `&App`;
//! `app/` holds the mouse, the step edits and what the engine reports.

use std::collections::BTreeSet;
use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ratatui::layout::Rect;

use super::grid::{self, Edit, Grid};
use super::keymap::{Command, Key, Keymap};
use super::meter::Meter;
use super::spectrum::Spectrum;
use super::theme::Theme;
use crate::action::Action;
use crate::audio::device::SinkInfo;
use crate::engine::Feedback;
use crate::kinds::MAX_TRACKS;
use crate::patch::Track;
use crate::session::Session;

pub use super::layout::Pane;

mod arrange;
mod chat;
mod edit;
mod learn;
mod mixer;
mod mouse;
mod report;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overlay {
    None,
    /// The key list, scrolled by this many lines.
    Help {
        scroll: u16,
    },
    /// "Unsaved changes: quit?"
    ConfirmQuit,
    /// MIDI learn: waiting for a controller, then picking its target.
    MidiLearn,
    /// The list of MIDI controller mappings.
    MidiMap,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusKind {
    Info,
    Ok,
    Warning,
    Error,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Status {
    pub text: String,
    pub kind: StatusKind,
}

/// Where the transport is, as last reported by the engine.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Transport {
    pub beat: f64,
    pub bpm: f64,
    pub playing: bool,
    pub beats_per_bar: u8,
}

/// The engine's counters, as last read.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Stats {
    pub load_permille: u64,
    /// Frames of the last audio callback: the engine's block (0 before the first).
    pub block_frames: u64,
    /// The engine's own output delay, frames (the limiter's look-ahead).
    pub engine_latency: u64,
    /// Every counter of what the run survived (xruns, drops, engine panics,
    /// non-finite samples, OSC, recovered threads), read each frame with
    /// the OSC server's.
    pub health: crate::health::Health,
}

/// A fader being dragged with the mouse.
#[derive(Debug, Clone, PartialEq)]
enum Drag {
    Fader(String),
    /// A return bus's fader.
    Bus(String),
    /// A track's send to a bus, on the fader at (x, width).
    Send(String, String, (u16, u16)),
    Master,
}

pub struct App {
    session: Session,
    pub keymap: Keymap,
    pub theme: Theme,
    pub focus: Pane,
    /// Index of the selected track.
    pub selected: usize,
    /// The step cursor in the sequencer.
    pub step: usize,
    pub overlay: Overlay,
    pub status: Option<Status>,
    /// The last reload, one line.
    pub reload: Option<Status>,
    /// A failed reload's full report (file:line:col, the line, a caret).
    pub reload_error: Option<String>,
    /// A reload waiting for its boundary: (song beat, what, parse-to-queue ms).
    reload_pending: Option<(f64, String, u128)>,
    pub transport: Option<Transport>,
    pub stats: Stats,
    pub sink: Option<SinkInfo>,
    /// Per engine slot.
    pub meters: Vec<Meter>,
    pub master: Meter,
    /// Per engine bus index.
    pub bus_meters: Vec<Meter>,
    /// The bus (index in the file's buses) the send keys and the sends line edit.
    pub send_bus: usize,
    /// Deepest recent limiter gain reduction (dB, ≤ 0).
    pub limiter_db: f32,
    pub spectrum: Spectrum,
    /// Momentary and short-term loudness of the master output.
    pub loudness: crate::analysis::loudness::Meter,
    /// The last seconds of the master output, and the MIDI notes played,
    /// for the chat's `listen`.
    ear: crate::analysis::bands::Recent,
    played: std::collections::VecDeque<crate::chat::listen::Played>,
    /// The loudness last drawn (tenths of LU), so only a change redraws.
    loudness_shown: (Option<i64>, Option<i64>),
    /// The chat input (alt+enter adds a line; enter sends it).
    pub chat_input: String,
    /// The chat: transcript, request in flight, slash commands.
    pub chat: crate::chat::Chat,
    /// Tracks armed for live input.
    pub armed: BTreeSet<String>,
    /// MIDI learn and the mapping list.
    pub midi: super::midi::MidiUi,
    /// The arrangement pane: shown or not, and its lane.
    pub arrange: arrange::ArrangeUi,
    /// The terminal's size, for mouse hit-testing.
    pub area: Rect,
    now: Duration,
    taps: Vec<Duration>,
    drag: Option<Drag>,
    changed: bool,
    quit: bool,
    fb_buf: Vec<Feedback>,
    tap_buf: Vec<f32>,
}

impl App {
    pub fn new(session: Session, keymap: Keymap, theme: Theme) -> App {
        let rate = session.engine().map(|h| h.rate).unwrap_or(48_000.0);
        App {
            session,
            keymap,
            theme,
            focus: Pane::Tracks,
            selected: 0,
            step: 0,
            overlay: Overlay::None,
            status: None,
            reload: None,
            reload_error: None,
            reload_pending: None,
            transport: None,
            stats: Stats::default(),
            sink: None,
            meters: vec![Meter::default(); MAX_TRACKS],
            master: Meter::default(),
            bus_meters: vec![Meter::default(); crate::kinds::MAX_BUSES],
            send_bus: 0,
            limiter_db: 0.0,
            spectrum: Spectrum::new(rate),
            loudness: crate::analysis::loudness::Meter::new(rate as f64),
            ear: crate::analysis::bands::Recent::new(rate),
            played: Default::default(),
            loudness_shown: (None, None),
            chat_input: String::new(),
            chat: crate::chat::Chat::unconfigured(),
            armed: BTreeSet::new(),
            midi: Default::default(),
            arrange: Default::default(),
            area: Rect::new(0, 0, 80, 24),
            now: Duration::ZERO,
            taps: Vec::new(),
            drag: None,
            changed: true,
            quit: false,
            fb_buf: Vec::with_capacity(4096),
            tap_buf: Vec::with_capacity(crate::engine::TAP_CAPACITY),
        }
    }

    pub fn session(&self) -> &Session {
        &self.session
    }

    pub fn session_mut(&mut self) -> &mut Session {
        self.changed = true;
        &mut self.session
    }

    /// The session, for code (the reloader) that reports its own changes.
    pub fn session_mut_quiet(&mut self) -> &mut Session {
        &mut self.session
    }

    pub fn should_quit(&self) -> bool {
        self.quit
    }

    /// Whether anything visible changed since the last call (then a redraw is due).
    pub fn take_changed(&mut self) -> bool {
        std::mem::take(&mut self.changed)
    }

    pub fn mark_changed(&mut self) {
        self.changed = true;
    }

    pub fn tracks(&self) -> &[Track] {
        &self.session.file().tracks
    }

    pub fn selected_track(&self) -> Option<&Track> {
        self.tracks().get(self.selected)
    }

    /// The transport as shown: the engine's report, or the model's before any.
    pub fn transport_view(&self) -> Transport {
        self.transport.unwrap_or_else(|| {
            let f = self.session.file();
            Transport {
                beat: 0.0,
                bpm: self.session.tempo_now(),
                playing: self.session.is_playing(),
                beats_per_bar: f.time_signature.beats,
            }
        })
    }

    /// The selected track's grid at the playhead.
    pub fn grid(&self) -> Option<Grid> {
        let t = self.selected_track()?;
        Some(grid::grid(
            t,
            self.session.file(),
            self.transport_view().beat,
        ))
    }

    pub fn meter_of(&self, track: &str) -> Meter {
        self.session
            .slot(track)
            .and_then(|s| self.meters.get(s as usize).copied())
            .unwrap_or_default()
    }

    /// The meter of a return bus, by name.
    pub fn bus_meter_of(&self, bus: &str) -> Meter {
        self.session
            .bus_slot(bus)
            .and_then(|s| self.bus_meters.get(s as usize).copied())
            .unwrap_or_default()
    }

    pub fn set_status(&mut self, kind: StatusKind, text: impl Into<String>) {
        self.status = Some(Status {
            text: text.into(),
            kind,
        });
        self.changed = true;
    }

    /// The engine slot of the selected track (where a MIDI keyboard plays).
    pub fn selected_slot(&self) -> Option<crate::engine::Slot> {
        self.selected_track()
            .and_then(|t| self.session.slot(t.name.as_str()))
    }

    fn clamp_selection(&mut self) {
        let n = self.tracks().len();
        self.selected = self.selected.min(n.saturating_sub(1));
        let buses = self.session.file().buses.len();
        self.send_bus = self.send_bus.min(buses.saturating_sub(1));
        let cells = self.grid().map(|g| g.cells.len()).unwrap_or(0);
        self.step = self.step.min(cells.saturating_sub(1));
    }

    /// Apply one Action through the session, reporting in the status line.
    pub fn apply(&mut self, action: Action) -> Action {
        match self.session.apply(action.clone()) {
            Ok(a) => self.set_status(StatusKind::Info, a.description),
            Err(e) => self.set_status(StatusKind::Error, e.to_string()),
        }
        let notices = self.session.take_notices();
        if !notices.is_empty() {
            self.set_status(StatusKind::Warning, notices.join("; "));
        }
        self.clamp_selection();
        action
    }

    /// A key press. Returns the Actions it applied.
    pub fn handle_key(&mut self, ev: KeyEvent) -> Vec<Action> {
        if ev.kind == KeyEventKind::Release {
            return Vec::new();
        }
        self.changed = true;
        let key = Key::from(ev);
        let ctrl_c = key == Key::ctrl('c');
        match self.overlay {
            Overlay::ConfirmQuit => {
                match key.code {
                    KeyCode::Char('y') => self.quit = true,
                    KeyCode::Char('s') => {
                        self.overlay = Overlay::None;
                        if self.save() {
                            self.quit = true;
                        }
                    }
                    _ if ctrl_c => self.quit = true,
                    KeyCode::Char('n') | KeyCode::Esc => {
                        self.overlay = Overlay::None;
                        self.set_status(StatusKind::Info, "quit cancelled");
                    }
                    _ => {}
                }
                return Vec::new();
            }
            Overlay::Help { scroll } => {
                let cmd = self.keymap.get(key).cloned();
                match (key.code, cmd) {
                    (KeyCode::Esc | KeyCode::Char('q'), _) | (_, Some(Command::Help)) => {
                        self.overlay = Overlay::None
                    }
                    (KeyCode::Down | KeyCode::Char('j'), _) => {
                        self.overlay = Overlay::Help {
                            scroll: scroll.saturating_add(1),
                        }
                    }
                    (KeyCode::Up | KeyCode::Char('k'), _) => {
                        self.overlay = Overlay::Help {
                            scroll: scroll.saturating_sub(1),
                        }
                    }
                    (KeyCode::PageDown, _) => {
                        self.overlay = Overlay::Help {
                            scroll: scroll.saturating_add(10),
                        }
                    }
                    (KeyCode::PageUp, _) => {
                        self.overlay = Overlay::Help {
                            scroll: scroll.saturating_sub(10),
                        }
                    }
                    _ if ctrl_c => return self.command(Command::Quit),
                    _ => {}
                }
                return Vec::new();
            }
            Overlay::MidiLearn => {
                if ctrl_c {
                    return self.command(Command::Quit);
                }
                return self.midi_learn_key(key);
            }
            Overlay::MidiMap => {
                if ctrl_c {
                    return self.command(Command::Quit);
                }
                return self.midi_map_key(key);
            }
            Overlay::None => {}
        }
        if self.focus == Pane::Chat && !ctrl_c {
            let plain = !ev
                .modifiers
                .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
            let newline = ev
                .modifiers
                .intersects(KeyModifiers::ALT | KeyModifiers::SHIFT)
                || key == Key::ctrl('j');
            match ev.code {
                KeyCode::Esc => {
                    if !self.chat.cancel(&mut self.session) {
                        self.focus = Pane::Tracks;
                    }
                    self.clamp_selection();
                }
                KeyCode::Enter if newline => self.chat_input.push('\n'),
                KeyCode::Char('j') if key == Key::ctrl('j') => self.chat_input.push('\n'),
                KeyCode::Enter => {
                    let input = std::mem::take(&mut self.chat_input);
                    self.send_chat(&input);
                }
                KeyCode::PageUp => self.chat.scroll = self.chat.scroll.saturating_add(5),
                KeyCode::PageDown => self.chat.scroll = self.chat.scroll.saturating_sub(5),
                KeyCode::Backspace => {
                    self.chat_input.pop();
                }
                KeyCode::Char(c) if plain => self.chat_input.push(c),
                KeyCode::Tab | KeyCode::BackTab => {
                    if let Some(c) = self.keymap.get(key).cloned() {
                        return self.command(c);
                    }
                }
                _ => {}
            }
            return Vec::new();
        }
        if key.code == KeyCode::Esc {
            self.reload_error = None;
            self.status = None;
            return Vec::new();
        }
        match self.keymap.get(key).cloned() {
            Some(c) => self.command(c),
            None => Vec::new(),
        }
    }

    /// Run a command. Returns the Actions it applied.
    pub fn command(&mut self, cmd: Command) -> Vec<Action> {
        self.changed = true;
        let track = self.selected_track().map(|t| t.name.as_str().to_string());
        let need_track = |s: &mut App| -> Option<String> {
            if track.is_none() {
                s.set_status(StatusKind::Warning, "no track selected");
            }
            track.clone()
        };
        let action = match cmd {
            Command::TogglePlay => Some(Action::TogglePlay {}),
            Command::Stop => Some(Action::Stop {}),
            Command::Rewind => Some(Action::Locate { beat: 0.0 }),
            Command::NudgeTempo(delta) => Some(Action::NudgeTempo { delta }),
            Command::TapTempo => self.tap(),
            Command::ToggleMute => need_track(self).map(|track| Action::ToggleMute { track }),
            Command::ToggleSolo => need_track(self).map(|track| Action::ToggleSolo { track }),
            Command::NudgeVolume(delta) => {
                need_track(self).map(|track| Action::NudgeVolume { track, delta })
            }
            Command::NudgePan(d) => {
                let pan = self.selected_track().map(|t| t.pan).unwrap_or(0.0);
                need_track(self).map(|track| Action::SetPan {
                    track,
                    pan: ((pan + d) * 100.0).round().clamp(-100.0, 100.0) / 100.0,
                })
            }
            Command::NudgeSend(d) => self.nudge_send(d),
            Command::SendNext => {
                self.send_next();
                None
            }
            Command::StepToggle | Command::StepVelocity | Command::StepNote(_)
                if self.arrange.shown =>
            {
                self.set_status(
                    StatusKind::Warning,
                    "the arrangement is shown: A shows the steps",
                );
                None
            }
            Command::StepToggle => self.step_edit(self.step, Edit::Toggle),
            Command::StepVelocity => self.step_edit(self.step, Edit::Velocity),
            Command::StepNote(d) => self.step_edit(self.step, Edit::Transpose(d)),
            Command::Arrange => {
                self.toggle_arrange();
                None
            }
            Command::LaneNext => {
                self.lane_next();
                None
            }
            Command::Launch(n) => self.launch_nth(n),
            Command::PresetStep(n) => need_track(self).and_then(|t| self.preset_step(t, n)),
            Command::Undo => Some(Action::Undo {}),
            Command::Redo => Some(Action::Redo {}),
            Command::TrackPrev => {
                self.select(self.selected.saturating_sub(1));
                None
            }
            Command::TrackNext => {
                self.select(self.selected + 1);
                None
            }
            Command::StepPrev => {
                self.move_step(-1);
                None
            }
            Command::StepNext => {
                self.move_step(1);
                None
            }
            Command::ToggleArm => {
                if let Some(t) = need_track(self) {
                    self.toggle_arm(t);
                }
                None
            }
            Command::Save => {
                self.save();
                None
            }
            Command::Quit => {
                if self.session.is_dirty() {
                    self.overlay = Overlay::ConfirmQuit;
                } else {
                    self.quit = true;
                }
                None
            }
            Command::Help => {
                self.overlay = Overlay::Help { scroll: 0 };
                None
            }
            Command::FocusNext | Command::FocusPrev => {
                self.focus_step(cmd == Command::FocusNext);
                None
            }
            Command::Chat => {
                self.focus = Pane::Chat;
                None
            }
            Command::MidiLearn => {
                self.midi_learn();
                None
            }
            Command::MidiMap => {
                self.overlay = Overlay::MidiMap;
                None
            }
            Command::Action(ref call) => {
                let value = match call.open {
                    Some(_) => match need_track(self) {
                        Some(t) => Some(crate::action::ArgValue::Text(t)),
                        None => return Vec::new(),
                    },
                    None => None,
                };
                match call.fill(value) {
                    Ok(a) => Some(a),
                    Err(e) => {
                        self.set_status(StatusKind::Warning, e.to_string());
                        None
                    }
                }
            }
        };
        let applied = action.map(|a| self.apply(a));
        if let Some(a) = &applied {
            self.follow_lane(a);
        }
        applied.into_iter().collect()
    }

    /// Select track `i` (clamped).
    pub fn select(&mut self, i: usize) {
        let n = self.tracks().len();
        self.selected = i.min(n.saturating_sub(1));
        self.clamp_selection();
        self.changed = true;
    }

    /// Save the session; whether it worked.
    pub fn save(&mut self) -> bool {
        match self.session.save() {
            Ok(path) => {
                self.set_status(StatusKind::Ok, format!("saved {}", path.display()));
                true
            }
            Err(e) => {
                self.set_status(StatusKind::Error, format!("save failed: {e}"));
                false
            }
        }
    }
}
