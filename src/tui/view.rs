//! Layout and drawing: every pane renders from `&App` into a ratatui buffer.
//!
//! Control thread (UI). [`layout`] is a pure function of the terminal size,
//! shared by drawing and by mouse hit-testing (`track_at`, `fader_at`,
//! `step_at`), so a click lands on what was drawn there.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Widget, Wrap};
use ratatui::Frame;

use super::app::{App, Overlay, Pane, StatusKind};
use super::grid::{note_name, Cell, Editable};
use super::meter::{self, Meter};
use crate::audio::device::SinkInfo;
use crate::engine::Counters;

/// Where each pane goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Areas {
    pub transport: Rect,
    pub tracks: Rect,
    pub mixer: Rect,
    pub sequencer: Rect,
    pub spectrum: Rect,
    pub chat: Rect,
    pub status: Rect,
}

impl Areas {
    /// The pane under a point.
    pub fn pane_at(&self, p: Position) -> Option<Pane> {
        [
            (self.tracks, Pane::Tracks),
            (self.mixer, Pane::Mixer),
            (self.sequencer, Pane::Sequencer),
            (self.spectrum, Pane::Spectrum),
            (self.chat, Pane::Chat),
        ]
        .into_iter()
        .find(|(r, _)| r.contains(p))
        .map(|(_, pane)| pane)
    }
}

/// Lay the panes out in a terminal of `area` (80×24 up to very wide).
pub fn layout(area: Rect) -> Areas {
    let [transport, body, status] = area.layout(&Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(1),
    ]));
    let bottom_h = (body.height * 2 / 7).clamp(5, 14);
    let seq_h = if body.height >= 36 { 7 } else { 6 };
    let [top, sequencer, bottom] = body.layout(&Layout::vertical([
        Constraint::Min(4),
        Constraint::Length(seq_h),
        Constraint::Length(bottom_h),
    ]));
    let [tracks, mixer] = top.layout(&Layout::horizontal([
        Constraint::Percentage(40),
        Constraint::Percentage(60),
    ]));
    let [spectrum, chat] = bottom.layout(&Layout::horizontal([
        Constraint::Percentage(50),
        Constraint::Percentage(50),
    ]));
    Areas {
        transport,
        tracks,
        mixer,
        sequencer,
        spectrum,
        chat,
        status,
    }
}

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
        Overlay::MidiLearn => super::midi::draw_learn(app, centered(area, 70, 80, 72, 30), buf),
        Overlay::MidiMap => super::midi::draw_map(app, centered(area, 70, 80, 72, 30), buf),
        Overlay::None => {}
    }
}

/// A rectangle `pct_w`% wide (at most `max_w`) and `pct_h`% high (at least
/// `max_h` when pct_h is 0), centred in `area`.
fn centered(area: Rect, pct_w: u16, pct_h: u16, max_w: u16, max_h: u16) -> Rect {
    let w = (area.width * pct_w / 100).min(max_w).min(area.width);
    let h = if pct_h == 0 {
        max_h
    } else {
        (area.height * pct_h / 100).min(max_h)
    }
    .min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

/// Draw one component into `area`.
pub fn render(c: Component, app: &App, area: Rect, buf: &mut Buffer) {
    if area.is_empty() {
        return;
    }
    match c {
        Component::Transport => transport(app, area, buf),
        Component::Tracks => tracks(app, area, buf),
        Component::Mixer => mixer(app, area, buf),
        Component::Sequencer => sequencer(app, area, buf),
        Component::Spectrum => spectrum(app, area, buf),
        Component::Chat => chat(app, area, buf),
        Component::Status => status(app, area, buf),
        Component::Help => help(app, area, buf),
        Component::ConfirmQuit => confirm_quit(app, area, buf),
        Component::ReloadError => reload_error(app, area, buf),
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

fn pad(s: &str, w: usize) -> String {
    let mut out: String = s.chars().take(w).collect();
    let n = out.chars().count();
    out.extend(std::iter::repeat_n(' ', w - n));
    out
}

fn fmt_db(db: f64) -> String {
    if db <= -119.9 {
        "-inf".into()
    } else {
        format!("{db:.1}")
    }
}

fn fmt_pan(p: f64) -> String {
    let pct = (p * 100.0).round() as i64;
    match pct {
        0 => " C ".into(),
        p if p < 0 => format!("L{:<2}", (-p).min(99)),
        p => format!("R{:<2}", p.min(99)),
    }
}

fn transport(app: &App, area: Rect, buf: &mut Buffer) {
    let t = &app.theme;
    let tv = app.transport_view();
    let f = app.session().file();
    let bpb = tv.beats_per_bar.max(1) as f64;
    let beat = tv.beat.max(0.0);
    let bar = (beat / bpb).floor() as u64 + 1;
    let in_bar = (beat % bpb).floor() as u64 + 1;
    let tick = ((beat.fract()) * 480.0).floor() as u64;
    let (icon, state, color) = if tv.playing {
        ("▶", "PLAY", t.playing)
    } else {
        ("■", "STOP", t.stopped)
    };
    let label = |s: &str| Span::styled(s.to_string(), t.dim());
    let value = |s: String| Span::styled(s, t.base());
    let mut spans = vec![
        Span::styled(
            format!(" {icon} {state} "),
            t.base().fg(color).add_modifier(Modifier::BOLD),
        ),
        value(format!("{:>5.1}", tv.bpm)),
        label(" BPM "),
        value(format!(
            "{}/{} ",
            f.time_signature.beats, f.time_signature.unit
        )),
        value(format!("{bar:>3}:{in_bar}:{tick:03} ")),
        label("load "),
        Span::styled(
            format!("{:>2}% ", app.stats.load_permille / 10),
            t.base().fg(if app.stats.load_permille > 800 {
                t.error
            } else {
                t.fg
            }),
        ),
        label("xruns "),
        Span::styled(
            format!("{} ", app.stats.xruns),
            t.base()
                .fg(if app.stats.xruns > 0 { t.warning } else { t.fg }),
        ),
        label("drops "),
        Span::styled(
            format!("{} ", app.stats.dropped_commands),
            t.base().fg(if app.stats.dropped_commands > 0 {
                t.warning
            } else {
                t.fg
            }),
        ),
    ];
    if app.stats.panics > 0 {
        let err = t.base().fg(t.error).add_modifier(Modifier::BOLD);
        spans.push(Span::styled("audio stopped: engine panic ", err));
    }
    let used: usize = spans.iter().map(|s| s.width()).sum();
    let name = app
        .session()
        .path()
        .and_then(|p| p.file_name())
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| "untitled".into());
    let dirty = if app.session().is_dirty() { "*" } else { "" };
    let session = format!("│ {name}{dirty}");
    let latency =
        |rate: u32, buffer: u32| format!("{buffer}f {:.1}ms", buffer as f64 * 1000.0 / rate as f64);
    let device = match &app.sink {
        Some(SinkInfo::Device { name, rate, buffer }) => {
            format!("│ {} {name} ", latency(*rate, *buffer))
        }
        Some(SinkInfo::Silent { rate, buffer, .. }) => {
            format!("│ {} silent ", latency(*rate, *buffer))
        }
        None => String::new(),
    };
    let mut room = (area.width as usize).saturating_sub(used);
    for (part, style) in [(device, t.dim()), (session, t.base().fg(t.accent))] {
        let n = part.chars().count();
        if n <= room {
            spans.push(Span::styled(part, style));
            room -= n;
        } else if room > 12 {
            spans.push(Span::styled(
                format!("{}…", part.chars().take(room - 1).collect::<String>()),
                style,
            ));
            room = 0;
        }
    }
    buf.set_line(area.x, area.y, &Line::from(spans), area.width);
}

/// First visible row of a list of `n` rows in `h` lines with `selected` in view.
pub fn list_offset(selected: usize, n: usize, h: usize) -> usize {
    if h == 0 || n <= h {
        0
    } else {
        (selected + 1).saturating_sub(h).min(n - h)
    }
}

fn tracks(app: &App, area: Rect, buf: &mut Buffer) {
    let t = &app.theme;
    let block = pane_block(app, Pane::Tracks, Line::from(" tracks "));
    let inner = block.inner(area);
    block.render(area, buf);
    let n = app.tracks().len();
    let h = inner.height as usize;
    let off = list_offset(app.selected, n, h);
    let w = inner.width as usize;
    let name_w = 9.min(w);
    let inst_w = 10.min(w.saturating_sub(name_w));
    let flags_w = 6;
    let meter_w = w.saturating_sub(name_w + inst_w + flags_w + 1);
    for (row, (i, tr)) in app
        .tracks()
        .iter()
        .enumerate()
        .skip(off)
        .take(h)
        .enumerate()
    {
        let y = inner.y + row as u16;
        let selected = i == app.selected;
        let base = if selected {
            t.base().bg(t.selection_bg).fg(t.selection_fg)
        } else {
            t.base()
        };
        buf.set_style(Rect::new(inner.x, y, inner.width, 1), base);
        let name = tr.name.as_str();
        let mark = if selected { "▸" } else { " " };
        let flag = |on: bool, c: &str, color: Color| {
            if on {
                Span::styled(c.to_string(), base.fg(color).add_modifier(Modifier::BOLD))
            } else {
                Span::styled("·".to_string(), base.fg(t.dim))
            }
        };
        let m = app.meter_of(name);
        let mut spans = vec![
            Span::styled(
                format!("{mark}{} ", pad(name, name_w.saturating_sub(2))),
                base,
            ),
            Span::styled(
                pad(tr.instrument.kind.name(), inst_w),
                base.fg(if selected { t.selection_fg } else { t.dim }),
            ),
            flag(tr.mute, "M", t.mute),
            Span::styled(" ", base),
            flag(tr.solo, "S", t.solo),
            Span::styled(" ", base),
            flag(app.armed.contains(name), "R", t.arm),
            Span::styled("  ", base),
        ];
        spans.extend(meter_spans(app, &m, meter_w as u16, false, base));
        buf.set_line(inner.x, y, &Line::from(spans), inner.width);
    }
    if n == 0 {
        buf.set_string(
            inner.x,
            inner.y,
            "no tracks: add one in the session file",
            t.dim(),
        );
    }
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

/// Columns of a mixer row: (name, fader, dB, pan, meter) x offsets and widths.
#[derive(Debug, Clone, Copy)]
pub struct MixerCols {
    pub name: (u16, u16),
    pub fader: (u16, u16),
    pub db: (u16, u16),
    pub pan: (u16, u16),
    pub meter: (u16, u16),
}

pub fn mixer_cols(inner: Rect) -> MixerCols {
    let w = inner.width;
    let name_w = 8.min(w);
    let rest = w.saturating_sub(name_w + 7 + 4);
    let fader_w = (rest / 2).max(1).min(rest);
    let meter_w = rest.saturating_sub(fader_w + 1);
    let x = inner.x;
    MixerCols {
        name: (x, name_w),
        fader: (x + name_w, fader_w),
        db: (x + name_w + fader_w, 7),
        pan: (x + name_w + fader_w + 7, 4),
        meter: (x + name_w + fader_w + 11, meter_w),
    }
}

/// The fader's law: position 0..=1 → dB (0 is off, then -60..+6 linear).
pub fn fader_db(f: f64) -> f64 {
    if f <= 0.0 {
        -120.0
    } else {
        ((-60.0 + 66.0 * f.min(1.0)) * 2.0).round() / 2.0
    }
}

/// dB → the fader's cell (0..w).
fn fader_pos(db: f64, w: u16) -> u16 {
    let f = ((db + 60.0) / 66.0).clamp(0.0, 1.0);
    (f * (w.saturating_sub(1)) as f64).round() as u16
}

/// The level a click or drag at column `x` sets on the mixer in `area`.
pub fn fader_db_at(area: Rect, x: u16) -> f64 {
    let c = mixer_cols(Block::bordered().inner(area));
    let (fx, fw) = c.fader;
    let f = (x.saturating_sub(fx)) as f64 / (fw.saturating_sub(1)).max(1) as f64;
    if x < fx {
        -120.0
    } else {
        fader_db(f)
    }
}

/// What a click in the mixer hit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FaderHit {
    /// A track's fader (index), and the level there.
    Track(usize, f64),
    Master(f64),
}

/// Rows of the mixer: the first track shown and how many; the master is the last line.
fn mixer_rows(app: &App, inner: Rect) -> (usize, usize) {
    let h = inner.height.saturating_sub(1) as usize;
    (list_offset(app.selected, app.tracks().len(), h), h)
}

/// The track on mixer line `at`, if any.
pub fn mixer_row_at(app: &App, area: Rect, at: Position) -> Option<usize> {
    let inner = Block::bordered().inner(area);
    if !inner.contains(at) {
        return None;
    }
    let (off, h) = mixer_rows(app, inner);
    let row = (at.y - inner.y) as usize;
    (row < h)
        .then_some(off + row)
        .filter(|&i| i < app.tracks().len())
}

pub fn fader_at(app: &App, area: Rect, at: Position) -> Option<FaderHit> {
    let inner = Block::bordered().inner(area);
    if !inner.contains(at) {
        return None;
    }
    let c = mixer_cols(inner);
    if at.x < c.fader.0 || at.x >= c.fader.0 + c.fader.1 {
        return None;
    }
    let db = fader_db_at(area, at.x);
    if at.y == inner.bottom() - 1 {
        return Some(FaderHit::Master(db));
    }
    mixer_row_at(app, area, at).map(|i| FaderHit::Track(i, db))
}

/// A loudness reading: LUFS to 0.1, or `--` before the window is full or
/// below the −70 LUFS gate (silence).
fn fmt_lufs(v: Option<f64>) -> String {
    match v {
        Some(v) if v > -70.0 => format!("{v:.1}"),
        _ => "--".into(),
    }
}

fn mixer(app: &App, area: Rect, buf: &mut Buffer) {
    let t = &app.theme;
    // The master's loudness (EBU R128 momentary and short-term) once sound
    // has reached the tap.
    let title = match app.loudness.momentary() {
        None => " mixer ".to_string(),
        Some(m) => format!(
            " mixer · M {} · S {} LUFS ",
            fmt_lufs(Some(m)),
            fmt_lufs(app.loudness.short_term())
        ),
    };
    let block = pane_block(app, Pane::Mixer, Line::from(title));
    let inner = block.inner(area);
    block.render(area, buf);
    if inner.height == 0 {
        return;
    }
    let c = mixer_cols(inner);
    let (off, h) = mixer_rows(app, inner);
    let row = |buf: &mut Buffer,
               y: u16,
               name: &str,
               db: f64,
               pan: Option<f64>,
               m: &Meter,
               base: Style,
               gr: Option<f32>| {
        buf.set_style(Rect::new(inner.x, y, inner.width, 1), base);
        buf.set_string(
            c.name.0,
            y,
            pad(name, c.name.1.saturating_sub(1) as usize),
            base,
        );
        let pos = fader_pos(db, c.fader.1);
        let off_db = db <= -119.9;
        for i in 0..c.fader.1 {
            let (sym, st) = if i == pos && !off_db {
                ("●", base.fg(t.fader).add_modifier(Modifier::BOLD))
            } else if i < pos && !off_db {
                ("━", base.fg(t.fader))
            } else {
                ("─", base.fg(t.dim))
            };
            buf.set_string(c.fader.0 + i, y, sym, st);
        }
        buf.set_string(c.db.0, y, format!("{:>6} ", fmt_db(db)), base);
        match (pan, gr) {
            (Some(p), _) => buf.set_string(c.pan.0, y, format!("{} ", fmt_pan(p)), base.fg(t.dim)),
            (None, Some(g)) if g < -0.05 => buf.set_string(
                c.pan.0,
                y,
                format!("{:>3.0} ", g.max(-99.0)),
                base.fg(t.warning),
            ),
            _ => {}
        }
        let line = Line::from(meter_spans(app, m, c.meter.1, true, base));
        buf.set_line(c.meter.0, y, &line, c.meter.1);
    };
    for (r, (i, tr)) in app
        .tracks()
        .iter()
        .enumerate()
        .skip(off)
        .take(h)
        .enumerate()
    {
        let selected = i == app.selected;
        let base = if selected {
            t.base().bg(t.selection_bg).fg(t.selection_fg)
        } else {
            t.base()
        };
        let m = app.meter_of(tr.name.as_str());
        row(
            buf,
            inner.y + r as u16,
            tr.name.as_str(),
            tr.volume,
            Some(tr.pan),
            &m,
            base,
            None,
        );
    }
    let f = app.session().file();
    row(
        buf,
        inner.bottom() - 1,
        "master",
        f.master.volume,
        None,
        &app.master,
        t.base().add_modifier(Modifier::BOLD),
        Some(app.limiter_db),
    );
}

/// Cell geometry of the sequencer: x of the first cell, cell width, first
/// cell shown, cells shown.
fn grid_geometry(inner: Rect, n: usize, cursor: usize, notes: bool) -> (u16, u16, usize, usize) {
    let w = inner.width as usize;
    if n == 0 || w == 0 {
        return (inner.x, 1, 0, 0);
    }
    let want = if notes { 4 } else { 3 };
    let cw = (w / n).clamp(1, want);
    let shown = (w / cw).min(n);
    let first = if cursor >= shown {
        cursor + 1 - shown
    } else {
        0
    };
    (inner.x, cw as u16, first, shown)
}

/// The step under a click in the sequencer.
pub fn step_at(app: &App, area: Rect, at: Position) -> Option<usize> {
    let inner = Block::bordered().inner(area);
    let g = app.grid()?;
    if g.editable == Editable::No || at.y != inner.y + 1 || !inner.contains(at) {
        return None;
    }
    let (x0, cw, first, shown) = grid_geometry(
        inner,
        g.cells.len(),
        app.step,
        g.editable == Editable::Notes,
    );
    let k = ((at.x - x0) / cw) as usize;
    (k < shown).then_some(first + k)
}

fn sequencer(app: &App, area: Rect, buf: &mut Buffer) {
    let t = &app.theme;
    let Some(track) = app.selected_track() else {
        let block = pane_block(app, Pane::Sequencer, Line::from(" sequencer "));
        let inner = block.inner(area);
        block.render(area, buf);
        buf.set_string(inner.x, inner.y, "no track selected", t.dim());
        return;
    };
    let g = app
        .grid()
        .unwrap_or_else(|| unreachable!("a track is selected"));
    let notation = track
        .pattern
        .as_ref()
        .map(|p| p.notation.name())
        .unwrap_or("no pattern");
    let mut title = format!(
        " sequencer · {} · {} · {} steps/bar ",
        track.name, notation, track.resolution
    );
    if g.editable == Editable::No && !g.cells.is_empty() {
        title = format!(
            " sequencer · {} · {notation} · cycle {} ",
            track.name,
            g.cycle + 1
        );
    }
    let block = pane_block(app, Pane::Sequencer, Line::from(title));
    let inner = block.inner(area);
    block.render(area, buf);
    if inner.height == 0 {
        return;
    }
    if g.cells.is_empty() {
        buf.set_string(
            inner.x,
            inner.y,
            "no steps: give this track a pattern in the session file",
            t.dim(),
        );
        return;
    }
    let notes = g
        .cells
        .iter()
        .any(|c| matches!(c, Cell::Hit { note: Some(_), .. }));
    let cursor = if g.editable == Editable::No {
        0
    } else {
        app.step
    };
    let (x0, cw, first, shown) = grid_geometry(inner, g.cells.len(), cursor, notes);
    // Ruler: step numbers on beats.
    let steps_per_beat = {
        let f = app.session().file();
        let sb = f.time_signature.step_beats(track.resolution) * g.steps_per_cell;
        (1.0 / sb).round().max(1.0) as usize
    };
    for k in first..first + shown {
        let x = x0 + (k - first) as u16 * cw;
        if k % steps_per_beat == 0 && cw >= 2 || k % (steps_per_beat * 4) == 0 {
            let label = format!("{}", k + 1);
            if label.len() as u16 <= cw.max(2) {
                buf.set_string(x, inner.y, label, t.dim());
            }
        }
        let cell = g.cells[k];
        let is_cursor = g.editable != Editable::No && k == app.step;
        let is_play = g.playhead == Some(k);
        let (sym, color) = match cell {
            Cell::Rest => ("·".to_string(), t.step_off),
            Cell::Hold => ("─".to_string(), t.step_on),
            Cell::Hit { velocity, note } => {
                let color = if velocity >= 0.95 {
                    t.step_accent
                } else if velocity <= 0.5 {
                    t.step_ghost
                } else {
                    t.step_on
                };
                let sym = match note {
                    Some(n) if cw >= 4 => note_name(n),
                    _ if velocity >= 0.95 => "█".to_string(),
                    _ if velocity <= 0.5 => "▪".to_string(),
                    _ => "■".to_string(),
                };
                (sym, color)
            }
        };
        let mut style = t.base().fg(color);
        if is_cursor {
            style = style.bg(t.cursor).add_modifier(Modifier::BOLD);
        }
        if is_play {
            style = style.fg(t.playhead).add_modifier(Modifier::BOLD);
        }
        let text = if is_cursor && cw >= 3 {
            if notes && cw >= 4 {
                format!("›{sym}")
            } else {
                format!("[{sym}]")
            }
        } else {
            sym
        };
        buf.set_stringn(x, inner.y + 1, text, cw as usize, style);
        if is_play && inner.height > 2 {
            buf.set_string(x, inner.y + 2, "▲", t.base().fg(t.playhead));
        }
    }
    if inner.height > 3 {
        let info = match g.editable {
            Editable::No => {
                "mini-notation: shown one cycle at a time; edit it in the session file".to_string()
            }
            _ => {
                let c = g.cells.get(app.step).copied().unwrap_or(Cell::Rest);
                let what = match c {
                    Cell::Rest => "rest".to_string(),
                    Cell::Hold => "hold".to_string(),
                    Cell::Hit {
                        velocity,
                        note: Some(n),
                    } => format!("{} vel {velocity:.2}", note_name(n)),
                    Cell::Hit {
                        velocity,
                        note: None,
                    } => format!("hit vel {velocity:.2}"),
                };
                format!("step {}/{}: {what}", app.step + 1, g.cells.len())
            }
        };
        buf.set_stringn(inner.x, inner.y + 3, info, inner.width as usize, t.dim());
    }
}

const EIGHTHS: [&str; 9] = [" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"];

fn blend(a: Color, b: Color, f: f32) -> Color {
    match (a, b) {
        (Color::Rgb(r1, g1, b1), Color::Rgb(r2, g2, b2)) => {
            let m = |x: u8, y: u8| (x as f32 + (y as f32 - x as f32) * f).round() as u8;
            Color::Rgb(m(r1, r2), m(g1, g2), m(b1, b2))
        }
        _ => {
            if f < 0.5 {
                a
            } else {
                b
            }
        }
    }
}

fn spectrum(app: &App, area: Rect, buf: &mut Buffer) {
    let t = &app.theme;
    let block = pane_block(app, Pane::Spectrum, Line::from(" spectrum "));
    let inner = block.inner(area);
    block.render(area, buf);
    if inner.height == 0 || inner.width == 0 {
        return;
    }
    let labels = inner.height >= 4;
    let h = inner.height - labels as u16;
    let n = inner.width as usize;
    let bars = app.spectrum.bars(n);
    for (i, v) in bars.iter().enumerate() {
        let color = blend(t.spectrum_low, t.spectrum_high, i as f32 / n.max(2) as f32);
        let eighths = (v * h as f32 * 8.0).round() as u16;
        for row in 0..h {
            let filled = eighths.saturating_sub(row * 8).min(8);
            let y = inner.y + h - 1 - row;
            buf.set_string(
                inner.x + i as u16,
                y,
                EIGHTHS[filled as usize],
                t.base().fg(color),
            );
        }
    }
    if labels {
        let y = inner.bottom() - 1;
        let mut next_free = 0usize;
        for hz in [
            50.0f32, 100.0, 200.0, 500.0, 1000.0, 2000.0, 5000.0, 10000.0,
        ] {
            let Some(i) = (0..n).find(|&i| app.spectrum.bar_hz(i, n) >= hz) else {
                continue;
            };
            let label = if hz >= 1000.0 {
                format!("{}k", hz / 1000.0)
            } else {
                format!("{hz}")
            };
            if i >= next_free && i + label.len() <= n {
                buf.set_string(inner.x + i as u16, y, &label, t.dim());
                next_free = i + label.len() + 1;
            }
        }
    }
}

fn chat(app: &App, area: Rect, buf: &mut Buffer) {
    use crate::chat::EntryKind;
    let t = &app.theme;
    let title_w = area.width.saturating_sub(4) as usize;
    let title = format!(" chat · {} ", app.chat.status_line());
    let title: String = title.chars().take(title_w).collect();
    let block = pane_block(app, Pane::Chat, Line::from(title));
    let inner = block.inner(area);
    block.render(area, buf);
    if inner.height == 0 || inner.width < 4 {
        return;
    }
    let w = inner.width as usize;
    let focused = app.focus == Pane::Chat;
    // The input: its last lines (alt+enter starts a new one), at most 3.
    let input_lines: Vec<&str> = app.chat_input.split('\n').collect();
    let max_input = (inner.height as usize).saturating_sub(1).clamp(1, 3);
    let shown = &input_lines[input_lines.len().saturating_sub(max_input)..];
    let input_h = shown.len() as u16;
    let msg_h = inner.height.saturating_sub(input_h) as usize;
    let mut lines: Vec<(String, Style)> = Vec::new();
    for e in app.chat.entries() {
        let (prefix, style) = match e.kind {
            EntryKind::User => ("> ", t.base().fg(t.accent)),
            EntryKind::Assistant => ("", t.base()),
            EntryKind::Change => ("✓ ", t.base().fg(t.ok)),
            EntryKind::Error => ("✗ ", t.base().fg(t.error)),
            EntryKind::Info => ("· ", t.dim()),
        };
        for (i, l) in wrap_text(&e.text, w.saturating_sub(2))
            .into_iter()
            .enumerate()
        {
            let p = if i == 0 { prefix } else { "  " };
            let p = if prefix.is_empty() { "" } else { p };
            lines.push((format!("{p}{l}"), style));
        }
    }
    if lines.is_empty() {
        for l in wrap_text(
            "Say what you want to hear (\"make the bass darker\"). Press / to type, /help for commands.",
            w,
        ) {
            lines.push((l, t.dim()));
        }
    }
    let end = lines
        .len()
        .saturating_sub(app.chat.scroll.min(lines.len().saturating_sub(msg_h)));
    let start = end.saturating_sub(msg_h);
    for (row, (text, style)) in lines[start..end].iter().enumerate() {
        buf.set_stringn(inner.x, inner.y + row as u16, text, w, *style);
    }
    let y0 = inner.bottom() - input_h;
    for (i, l) in shown.iter().enumerate() {
        let first = i + input_lines.len() - shown.len() == 0;
        let prompt = Span::styled(
            if first { "> " } else { "  " },
            t.base().fg(if focused { t.accent } else { t.dim }),
        );
        let room = w.saturating_sub(3);
        let n = l.chars().count();
        let text: String = l.chars().skip(n.saturating_sub(room)).collect();
        let mut spans = vec![prompt, Span::styled(text, t.base())];
        if focused && i + 1 == shown.len() {
            spans.push(Span::styled("█", t.base().fg(t.accent)));
        }
        buf.set_line(inner.x, y0 + i as u16, &Line::from(spans), inner.width);
    }
}

/// Greedy word wrap to `width` columns (long words are cut).
fn wrap_text(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut out = Vec::new();
    for para in text.split('\n') {
        let mut line = String::new();
        let mut len = 0;
        for word in para.split(' ') {
            let mut word: Vec<char> = word.chars().collect();
            if len > 0 && len + 1 + word.len() > width {
                out.push(std::mem::take(&mut line));
                len = 0;
            }
            while word.len() > width {
                let rest = word.split_off(width);
                if len > 0 {
                    out.push(std::mem::take(&mut line));
                }
                out.push(word.iter().collect());
                len = 0;
                word = rest;
            }
            if len > 0 {
                line.push(' ');
                len += 1;
            }
            line.extend(word.iter());
            len += word.len();
        }
        out.push(line);
    }
    out
}

fn status_color(app: &App, k: StatusKind) -> Color {
    let t = &app.theme;
    match k {
        StatusKind::Info => t.fg,
        StatusKind::Ok => t.ok,
        StatusKind::Warning => t.warning,
        StatusKind::Error => t.error,
    }
}

fn status(app: &App, area: Rect, buf: &mut Buffer) {
    let t = &app.theme;
    buf.set_style(area, t.base());
    let hint = " ? keys ";
    let w = (area.width as usize).saturating_sub(hint.len());
    let mut spans = Vec::new();
    if let Some(s) = &app.status {
        spans.push(Span::styled(
            format!(" {}", s.text),
            t.base().fg(status_color(app, s.kind)),
        ));
    }
    if let Some(r) = &app.reload {
        let sep = if spans.is_empty() { " " } else { " │ " };
        spans.push(Span::styled(
            format!("{sep}{}", r.text),
            t.base().fg(status_color(app, r.kind)),
        ));
    }
    buf.set_line(area.x, area.y, &Line::from(spans), w as u16);
    buf.set_string(area.x + w as u16, area.y, hint, t.dim());
}

/// Lines of the key list: (keys, command, doc).
pub fn help_rows(app: &App) -> Vec<(String, String, String)> {
    let mut rows: Vec<(String, String, String)> = app
        .keymap
        .by_command()
        .into_iter()
        .map(|(cmd, keys)| {
            let keys: Vec<String> = keys.iter().map(|k| k.to_string()).collect();
            (keys.join(" "), cmd.to_string(), cmd.doc())
        })
        .collect();
    rows.push((
        "esc".into(),
        String::new(),
        "Close a dialog, leave the chat, clear the status line.".into(),
    ));
    rows.push((
        "mouse".into(),
        String::new(),
        "Click a step to toggle it, click or drag a fader, scroll to select.".into(),
    ));
    rows.push((
        "y s n".into(),
        String::new(),
        "In the quit dialog: quit, save and quit, stay.".into(),
    ));
    rows
}

fn help(app: &App, area: Rect, buf: &mut Buffer) {
    let t = &app.theme;
    let Overlay::Help { scroll } = app.overlay else {
        return;
    };
    Clear.render(area, buf);
    let block = Block::bordered()
        .border_style(t.base().fg(t.border_focus))
        .title(Line::from(" keys · esc closes · ↑↓ scroll "))
        .title_style(t.title())
        .style(t.base());
    let inner = block.inner(area);
    block.render(area, buf);
    let rows = help_rows(app);
    let kw = rows
        .iter()
        .map(|r| r.0.chars().count())
        .max()
        .unwrap_or(0)
        .min(24);
    let cw = rows
        .iter()
        .map(|r| r.1.chars().count())
        .max()
        .unwrap_or(0)
        .min(18);
    let scroll = (scroll as usize).min(rows.len().saturating_sub(inner.height as usize));
    for (i, (keys, cmd, doc)) in rows
        .iter()
        .skip(scroll)
        .take(inner.height as usize)
        .enumerate()
    {
        let line = Line::from(vec![
            Span::styled(
                format!("{} ", pad(keys, kw)),
                t.base().fg(t.accent).add_modifier(Modifier::BOLD),
            ),
            Span::styled(format!("{} ", pad(cmd, cw)), t.dim()),
            Span::styled(doc.clone(), t.base()),
        ]);
        buf.set_line(inner.x, inner.y + i as u16, &line, inner.width);
    }
}

fn confirm_quit(app: &App, area: Rect, buf: &mut Buffer) {
    let t = &app.theme;
    Clear.render(area, buf);
    let block = Block::bordered()
        .border_style(t.base().fg(t.warning))
        .title(Line::from(" quit? "))
        .title_style(t.base().fg(t.warning).add_modifier(Modifier::BOLD))
        .style(t.base());
    let name = app
        .session()
        .path()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "this session".into());
    let text = vec![
        Line::from(format!("{name} has unsaved changes.")),
        Line::from(""),
        Line::from(vec![
            Span::styled("s", t.title()),
            Span::raw(" save and quit   "),
            Span::styled("y", t.title()),
            Span::raw(" quit without saving   "),
            Span::styled("n", t.title()),
            Span::raw(" stay"),
        ]),
    ];
    Paragraph::new(text)
        .block(block)
        .wrap(Wrap { trim: true })
        .render(area, buf);
}

fn reload_error(app: &App, area: Rect, buf: &mut Buffer) {
    let t = &app.theme;
    let Some(report) = &app.reload_error else {
        return;
    };
    Clear.render(area, buf);
    let block = Block::bordered()
        .border_style(t.base().fg(t.error))
        .title(Line::from(
            " reload failed: the last good version keeps playing · esc hides ",
        ))
        .title_style(t.base().fg(t.error).add_modifier(Modifier::BOLD))
        .style(t.base());
    let lines: Vec<Line> = report.lines().map(|l| Line::from(l.to_string())).collect();
    Paragraph::new(lines).block(block).render(area, buf);
}

/// Read the counters the transport bar shows.
pub fn stats_from(c: &Counters) -> super::app::Stats {
    super::app::Stats {
        load_permille: Counters::get(&c.load_permille),
        xruns: Counters::get(&c.xruns),
        dropped_commands: Counters::get(&c.dropped_commands),
        panics: Counters::get(&c.panics),
    }
}

/// Where a track row is in the tracks pane.
pub fn track_at(app: &App, area: Rect, at: Position) -> Option<usize> {
    let inner = Block::bordered().inner(area);
    if !inner.contains(at) {
        return None;
    }
    let off = list_offset(app.selected, app.tracks().len(), inner.height as usize);
    Some(off + (at.y - inner.y) as usize).filter(|&i| i < app.tracks().len())
}
