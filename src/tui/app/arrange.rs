//! The arrangement pane's state and keys: whether it stands in for the
//! step sequencer, which automation lane it shows (the lane of the value
//! the musician last moved, or the one `a` steps to), launching the n-th
//! section, and a click on the timeline.
//!
//! Control thread (UI). Builds Actions; the caller applies them through
//! `App::apply`, like every other input. Reads the session, never edits it.

use super::{App, StatusKind};
use crate::action::Action;
use crate::session::automation::LaneView;
use crate::tui::layout::BarWindow;

/// What the arrangement pane shows.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ArrangeUi {
    /// In place of the step sequencer.
    pub shown: bool,
    /// The label of the lane it shows (the first one when none is chosen
    /// or the chosen one is gone).
    pub lane: Option<String>,
}

/// Bars shown past the playhead when the song order does not say.
const LIVE_BARS: u64 = 16;

impl App {
    pub(super) fn toggle_arrange(&mut self) {
        self.arrange.shown = !self.arrange.shown;
        let what = if self.arrange.shown {
            "arrangement shown (A: the steps again)"
        } else {
            "step sequencer shown (A: the arrangement)"
        };
        self.set_status(StatusKind::Info, what);
    }

    /// The lane shown, with its place among all of them and their count.
    pub fn shown_lane(&self) -> Option<(usize, usize, LaneView)> {
        let mut lanes = self.session().lane_views();
        let n = lanes.len();
        let i = self
            .arrange
            .lane
            .as_ref()
            .and_then(|l| lanes.iter().position(|v| &v.label == l))
            .unwrap_or(0);
        (i < n).then(|| (i, n, lanes.swap_remove(i)))
    }

    pub(super) fn lane_next(&mut self) {
        let lanes = self.session().lane_views();
        if lanes.is_empty() {
            self.set_status(
                StatusKind::Warning,
                "no automation lanes: add one with set_lane, or arm a track's automation and move a knob",
            );
            return;
        }
        let i = self
            .shown_lane()
            .map_or(0, |(i, _, _)| (i + 1) % lanes.len());
        self.arrange.lane = lanes.get(i).map(|l| l.label.clone());
        self.arrange.shown = true;
    }

    /// After a knob move: show the lane of the value it moved, if it has one.
    pub(super) fn follow_lane(&mut self, applied: &Action) {
        // A nudge moves the value its setter sets.
        let name = match applied.name() {
            "nudge_volume" => "set_volume",
            _ if !applied.spec().knob => return,
            n => n,
        };
        let mut args = applied.args();
        args.pop();
        let describe = std::iter::once(name.to_string())
            .chain(args.iter().map(|a| a.to_string()))
            .collect::<Vec<_>>()
            .join(" ");
        if let Some(l) = self
            .session()
            .lane_views()
            .into_iter()
            .find(|l| l.moves(&describe))
        {
            self.arrange.lane = Some(l.label);
        }
    }

    /// `launch 3`: the file's third section, on the next bar.
    pub(super) fn launch_nth(&mut self, n: i32) -> Option<Action> {
        let sections = &self.session().file().sections;
        let pick = usize::try_from(n - 1).ok().and_then(|i| sections.get(i));
        match pick {
            Some(s) => Some(Action::LaunchSection {
                section: s.name.as_str().to_string(),
            }),
            None => {
                let m = match sections.len() {
                    0 => "no sections: add them in the session file or with capture_section".into(),
                    k => format!("there are {k} sections; {n} is not one of them"),
                };
                self.set_status(StatusKind::Warning, m);
                None
            }
        }
    }

    /// How many bars the arrangement spans: the song order (and the
    /// playhead and a queued launch, wherever they are), or without one,
    /// whole pages of [`LIVE_BARS`], so the scale holds still as it plays.
    pub fn arrange_bars(&self) -> u64 {
        let f = self.session().file();
        let bpb = f.beats_per_bar().max(1.0);
        let song: u64 = f.timeline().last().map_or(0, |e| e.1 + e.2 as u64);
        let head = (self.transport_view().beat.max(0.0) / bpb) as u64 + 1;
        let form = self.session().form();
        let queued = form.queued.map_or(0, |q| (q.1 / bpb) as u64 + 1);
        let reach = head.max(queued);
        if song > 0 {
            song.max(reach)
        } else {
            reach.div_ceil(LIVE_BARS).max(1) * LIVE_BARS
        }
    }

    /// Which bars a pane `width` cells wide shows now.
    pub fn arrange_window(&self, width: u16) -> BarWindow {
        let bpb = self.session().file().beats_per_bar().max(1.0);
        let head = (self.transport_view().beat.max(0.0) / bpb) as u64;
        BarWindow::new(width, self.arrange_bars(), head)
    }

    /// A click on 0-based bar `bar`: launch the section the song order
    /// has there.
    pub(super) fn arrange_click(&mut self, bar: u64) -> Option<Action> {
        let f = self.session().file();
        let hit = f
            .timeline()
            .into_iter()
            .find(|&(_, at, bars)| bar >= at && bar < at + bars as u64)
            .and_then(|(i, _, _)| f.sections.get(i));
        hit.map(|s| Action::LaunchSection {
            section: s.name.as_str().to_string(),
        })
    }
}
