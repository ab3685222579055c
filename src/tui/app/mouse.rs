//! What a click, drag or scroll does: hit-tested against `layout.rs`, the
//! same geometry the panes are drawn with.
//!
//! Control thread (UI). Mouse events become Actions applied through
//! `App::apply`; nothing here draws.

use crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::Position;

use super::{App, Drag, Overlay};
use crate::action::Action;
use crate::tui::grid::Edit;
use crate::tui::layout::{self, FaderHit, Pane, Rows};

impl App {
    /// The track rows the tracks pane and the mixer show.
    pub fn rows(&self) -> Rows {
        Rows {
            selected: self.selected,
            len: self.tracks().len(),
            buses: self.session().file().buses.len(),
            send_bus: self.send_bus,
        }
    }

    /// A mouse event. Returns the Actions it applied.
    pub fn handle_mouse(&mut self, ev: MouseEvent) -> Vec<Action> {
        if self.overlay != Overlay::None {
            if let MouseEventKind::Down(_) = ev.kind {
                if self.overlay != Overlay::ConfirmQuit {
                    self.overlay = Overlay::None;
                    self.midi.learn = crate::tui::midi::Learn::Off;
                    self.changed = true;
                }
            }
            return Vec::new();
        }
        let at = Position::new(ev.column, ev.row);
        let areas = layout::layout(self.area);
        let pane = areas.pane_at(at);
        match ev.kind {
            MouseEventKind::ScrollUp | MouseEventKind::ScrollDown => {
                let up = ev.kind == MouseEventKind::ScrollUp;
                self.changed = true;
                match pane {
                    Some(Pane::Sequencer) if self.arrange.shown => {}
                    Some(Pane::Sequencer) => self.move_step(if up { -1 } else { 1 }),
                    Some(Pane::Chat) => {}
                    _ => self.select(if up {
                        self.selected.saturating_sub(1)
                    } else {
                        self.selected + 1
                    }),
                }
                Vec::new()
            }
            MouseEventKind::Down(MouseButton::Left) => {
                self.changed = true;
                if let Some(p) = pane {
                    self.focus = p;
                }
                match pane {
                    Some(Pane::Tracks) => {
                        if let Some(i) = layout::track_at(areas.tracks, self.rows(), at) {
                            self.select(i);
                        }
                        Vec::new()
                    }
                    Some(Pane::Mixer) => match layout::fader_at(areas.mixer, self.rows(), at) {
                        Some(FaderHit::Track(i, db)) => {
                            self.select(i);
                            let track = self.tracks()[i].name.as_str().to_string();
                            self.drag = Some(Drag::Fader(track.clone()));
                            vec![self.apply(Action::SetVolume { track, db })]
                        }
                        Some(FaderHit::Bus(i, db)) => {
                            let bus = self.session().file().buses[i].name.to_string();
                            self.drag = Some(Drag::Bus(bus.clone()));
                            vec![self.apply(Action::SetBusVolume { bus, db })]
                        }
                        Some(FaderHit::Send(i, db, fader)) => {
                            self.send_bus = i;
                            let bus = self.session().file().buses[i].name.to_string();
                            match self.selected_track() {
                                Some(t) => {
                                    let track = t.name.to_string();
                                    self.drag = Some(Drag::Send(track.clone(), bus.clone(), fader));
                                    vec![self.apply(Action::SetSend { track, bus, db })]
                                }
                                None => Vec::new(),
                            }
                        }
                        Some(FaderHit::Master(db)) => {
                            self.drag = Some(Drag::Master);
                            vec![self.apply(Action::SetMasterVolume { db })]
                        }
                        None => {
                            if let Some(i) = layout::mixer_row_at(areas.mixer, self.rows(), at) {
                                self.select(i);
                            }
                            Vec::new()
                        }
                    },
                    Some(Pane::Sequencer) if self.arrange.shown => {
                        let inner = ratatui::widgets::Block::bordered().inner(areas.sequencer);
                        let window = self.arrange_window(inner.width);
                        layout::arrange_bar_at(areas.sequencer, window, at)
                            .and_then(|bar| self.arrange_click(bar))
                            .map(|a| vec![self.apply(a)])
                            .unwrap_or_default()
                    }
                    Some(Pane::Sequencer) => match self
                        .grid()
                        .and_then(|g| layout::step_at(areas.sequencer, &g, self.step, at))
                    {
                        Some(k) => {
                            self.step = k;
                            self.step_edit(k, Edit::Toggle)
                                .map(|a| vec![self.apply(a)])
                                .unwrap_or_default()
                        }
                        None => Vec::new(),
                    },
                    _ => Vec::new(),
                }
            }
            MouseEventKind::Drag(MouseButton::Left) => {
                let Some(drag) = self.drag.clone() else {
                    return Vec::new();
                };
                let db = layout::fader_db_at(areas.mixer, at.x);
                let a = match drag {
                    Drag::Fader(track) => Action::SetVolume { track, db },
                    Drag::Bus(bus) => Action::SetBusVolume { bus, db },
                    Drag::Send(track, bus, fader) => Action::SetSend {
                        track,
                        bus,
                        db: layout::fader_db_in(fader, at.x),
                    },
                    Drag::Master => Action::SetMasterVolume { db },
                };
                vec![self.apply(a)]
            }
            MouseEventKind::Up(_) => {
                self.drag = None;
                Vec::new()
            }
            _ => Vec::new(),
        }
    }
}
