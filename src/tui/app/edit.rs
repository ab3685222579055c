//! The Actions the step and tempo commands build from the view's context:
//! an edit of the step under the cursor, the cursor itself, tap tempo; and
//! the commands that only change the view: arming, the focused pane.
//!
//! Control thread (UI). Builds Actions; they are applied by the caller
//! through `App::apply`, like every other input.

use std::time::Duration;

use super::{App, Pane, StatusKind};
use crate::action::Action;
use crate::patch::Notation;
use crate::tui::grid::{self, Edit};

impl App {
    pub(super) fn move_step(&mut self, d: i64) {
        let n = self.grid().map(|g| g.cells.len()).unwrap_or(0) as i64;
        if n > 0 {
            self.step = (self.step as i64 + d).rem_euclid(n) as usize;
        }
    }

    /// The SetPattern action for an edit of step `k` of the selected track.
    pub(super) fn step_edit(&mut self, k: usize, e: Edit) -> Option<Action> {
        let t = self.selected_track()?;
        let default_note = 48 + self.session.file().key.0 as i32;
        match grid::edit(t, k, e, default_note) {
            Ok(pattern) => Some(Action::SetPattern {
                track: t.name.as_str().to_string(),
                notation: match t.pattern.as_ref().map(|p| p.notation) {
                    Some(Notation::Notes) => "notes".into(),
                    _ => "steps".into(),
                },
                pattern,
            }),
            Err(e) => {
                self.set_status(StatusKind::Warning, e.to_string());
                None
            }
        }
    }

    pub(super) fn tap(&mut self) -> Option<Action> {
        let now = self.now;
        if self
            .taps
            .last()
            .is_some_and(|&t| now.saturating_sub(t) > Duration::from_secs(2))
        {
            self.taps.clear();
        }
        self.taps.push(now);
        if self.taps.len() > 5 {
            self.taps.remove(0);
        }
        if self.taps.len() < 2 {
            self.set_status(StatusKind::Info, "tap tempo: keep tapping");
            return None;
        }
        let span = self.taps[self.taps.len() - 1] - self.taps[0];
        let beat = span.as_secs_f64() / (self.taps.len() - 1) as f64;
        if beat <= 0.0 {
            return None;
        }
        let bpm = ((60.0 / beat) * 10.0).round() / 10.0;
        Some(Action::SetTempo {
            bpm: crate::patch::field::TEMPO.clamp(bpm),
        })
    }

    /// Arm track `t` for live input, or disarm it.
    pub(super) fn toggle_arm(&mut self, t: String) {
        if self.armed.remove(&t) {
            self.set_status(StatusKind::Info, format!("{t} disarmed"));
        } else {
            self.set_status(StatusKind::Info, format!("{t} armed"));
            self.armed.insert(t);
        }
    }

    /// Give the keyboard to the next pane (or the previous one).
    pub(super) fn focus_step(&mut self, forward: bool) {
        let all = Pane::ALL;
        let i = all.iter().position(|p| *p == self.focus).unwrap_or(0);
        let n = all.len();
        let j = if forward {
            (i + 1) % n
        } else {
            (i + n - 1) % n
        };
        self.focus = all.get(j).copied().unwrap_or(Pane::Tracks);
    }
}
