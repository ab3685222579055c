//! Drawing: every pane renders from `&App` into a ratatui buffer, one file
//! per pane.
//!
//! Control thread (UI). Drawing reads `&App` and changes nothing; where
//! things are (the pane layout, the cells a click hits) is `layout.rs`,
//! shared with the mouse, so a click lands on what was drawn there.

mod arrange;
mod chat;
mod dialog;
mod help;
mod midi;
mod mixer;
mod spectrum;
mod status;
mod steps;
mod tracks;
mod transport;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Block;
use ratatui::Frame;

use super::app::{App, Overlay};
use super::layout::{centered, Pane};
use super::meter::{self, Meter};
use crate::patch::Track;

pub use super::layout::{layout, mixer_cols, Areas, MixerCols};
pub use help::help_rows;

/// One piece of the screen, for drawing it alone (tests snapshot each).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Component {
    Transport,
    Tracks,
    Mixer,
    Sequencer,
    Spectrum,
    Chat,
    Status,
    Help,
    ConfirmQuit,
    ReloadError,
}

/// Draw the whole screen.
pub fn draw(frame: &mut Frame, app: &App) {
    let area = frame.area();
    render_screen(app, area, frame.buffer_mut());
}

/// Draw the whole screen into a buffer.
pub fn render_screen(app: &App, area: Rect, buf: &mut Buffer) {
    buf.set_style(area, app.theme.base());
    let a = layout(area);
    render(Component::Transport, app, a.transport, buf);
    render(Component::Tracks, app, a.tracks, buf);
    render(Component::Mixer, app, a.mixer, buf);
    render(Component::Sequencer, app, a.sequencer, buf);
    render(Component::Spectrum, app, a.spectrum, buf);
    render(Component::Chat, app, a.chat, buf);
    render(Component::Status, app, a.status, buf);
    if app.reload_error.is_some() {
        let r = Rect::new(a.spectrum.x, a.spectrum.y, area.width, a.spectrum.height);
        render(Component::ReloadError, app, r, buf);
    }
    match app.overlay {
        Overlay::Help { .. } => render(Component::Help, app, centered(area, 96, 90, 100, 60), buf),
        Overlay::ConfirmQuit => render(
            Component::ConfirmQuit,
            app,
            centered(area, 60, 0, 60, 7),
            buf,
        ),
        Overlay::MidiLearn => midi::draw_learn(app, centered(area, 70, 80, 72, 30), buf),
        Overlay::MidiMap => midi::draw_map(app, centered(area, 70, 80, 72, 30), buf),
        Overlay::None => {}
    }
}

/// Draw one component into `area`.
pub fn render(c: Component, app: &App, area: Rect, buf: &mut Buffer) {
    if area.is_empty() {
        return;
    }
    match c {
        Component::Transport => transport::draw(app, area, buf),
        Component::Tracks => tracks::draw(app, area, buf),
        Component::Mixer => mixer::draw(app, area, buf),
        Component::Sequencer if app.arrange.shown => arrange::draw(app, area, buf),
        Component::Sequencer => steps::draw(app, area, buf),
        Component::Spectrum => spectrum::draw(app, area, buf),
        Component::Chat => chat::draw(app, area, buf),
        Component::Status => status::draw(app, area, buf),
        Component::Help => help::draw(app, area, buf),
        Component::ConfirmQuit => dialog::confirm_quit(app, area, buf),
        Component::ReloadError => dialog::reload_error(app, area, buf),
    }
}

fn pane_block<'a>(app: &App, pane: Pane, title: Line<'a>) -> Block<'a> {
    let t = &app.theme;
    let focused = app.focus == pane;
    Block::bordered()
        .border_style(t.base().fg(if focused { t.border_focus } else { t.border }))
        .title(title)
        .title_style(if focused {
            t.title()
        } else {
            t.base().fg(t.accent)
        })
        .style(t.base())
}

/// The tracks shown from list row `off`, `h` of them: (screen row, index, track).
fn shown_tracks(app: &App, off: usize, h: usize) -> impl Iterator<Item = (usize, usize, &Track)> {
    app.tracks()
        .iter()
        .enumerate()
        .skip(off)
        .take(h)
        .enumerate()
        .map(|(row, (i, t))| (row, i, t))
}

/// A track row's style: highlighted when it is the selected one.
fn row_style(app: &App, selected: bool) -> Style {
    let t = &app.theme;
    if selected {
        t.base().bg(t.selection_bg).fg(t.selection_fg)
    } else {
        t.base()
    }
}

fn pad(s: &str, w: usize) -> String {
    let mut out: String = s.chars().take(w).collect();
    let n = out.chars().count();
    out.extend(std::iter::repeat_n(' ', w - n));
    out
}

/// A horizontal meter: RMS solid, peak lighter, the hold as a bar.
fn meter_spans(app: &App, m: &Meter, w: u16, hold: bool, base: Style) -> Vec<Span<'static>> {
    let t = &app.theme;
    let rms = meter::cells(m.rms, w);
    let peak = meter::cells(m.peak, w);
    let hold_at = meter::cells(m.hold, w);
    (0..w)
        .map(|i| {
            let db = meter::FLOOR_DB + (i as f32 + 0.5) / w.max(1) as f32 * -meter::FLOOR_DB;
            let (sym, style) = if hold && hold_at > 0 && i == hold_at - 1 && i >= rms {
                ("│", base.fg(t.meter_hold))
            } else if i < rms {
                ("█", base.fg(t.meter(db)))
            } else if i < peak {
                ("▒", base.fg(t.meter(db)))
            } else {
                ("·", base.fg(t.step_off))
            };
            Span::styled(sym, style)
        })
        .collect()
}
