//! Where everything is on screen: the pane layout and the hit-tests.
//!
//! Control thread (UI), pure functions of the terminal size and of plain
//! view data (the selection, the grid). Drawing (`view/`) and mouse handling
//! (`app/mouse.rs`) both read these, so a click lands on what was drawn
//! there. Nothing here reads `App` or draws: that keeps `app` and `view` from
//! depending on each other.

use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::widgets::Block;

use super::grid::{Editable, Grid};

/// The panes that can have the keyboard, in Tab order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Tracks,
    Mixer,
    Sequencer,
    Spectrum,
    Chat,
}

impl Pane {
    pub const ALL: [Pane; 5] = [
        Pane::Tracks,
        Pane::Mixer,
        Pane::Sequencer,
        Pane::Spectrum,
        Pane::Chat,
    ];
}

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

/// A rectangle `pct_w`% wide (at most `max_w`) and `pct_h`% high (at least
/// `max_h` when pct_h is 0), centred in `area`.
pub fn centered(area: Rect, pct_w: u16, pct_h: u16, max_w: u16, max_h: u16) -> Rect {
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

/// First visible row of a list of `n` rows in `h` lines with `selected` in view.
pub fn list_offset(selected: usize, n: usize, h: usize) -> usize {
    if h == 0 || n <= h {
        0
    } else {
        (selected + 1).saturating_sub(h).min(n - h)
    }
}

/// Which track row is where: the selected track and how many there are,
/// and for the mixer how many return buses there are and which one the send
/// keys edit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rows {
    pub selected: usize,
    pub len: usize,
    pub buses: usize,
    pub send_bus: usize,
}

/// Where a track row is in the tracks pane.
pub fn track_at(area: Rect, rows: Rows, at: Position) -> Option<usize> {
    let inner = Block::bordered().inner(area);
    if !inner.contains(at) {
        return None;
    }
    let off = list_offset(rows.selected, rows.len, inner.height as usize);
    Some(off + (at.y - inner.y) as usize).filter(|&i| i < rows.len)
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
pub fn fader_pos(db: f64, w: u16) -> u16 {
    let f = ((db + 60.0) / 66.0).clamp(0.0, 1.0);
    (f * (w.saturating_sub(1)) as f64).round() as u16
}

/// The level a click or drag at column `x` sets on a fader at `(x, width)`.
pub fn fader_db_in(fader: (u16, u16), x: u16) -> f64 {
    let (fx, fw) = fader;
    let f = (x.saturating_sub(fx)) as f64 / (fw.saturating_sub(1)).max(1) as f64;
    if x < fx {
        -120.0
    } else {
        fader_db(f)
    }
}

/// The level a click or drag at column `x` sets on the mixer's faders in `area`.
pub fn fader_db_at(area: Rect, x: u16) -> f64 {
    fader_db_in(mixer_cols(Block::bordered().inner(area)).fader, x)
}

/// What a click in the mixer hit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FaderHit {
    /// A track's fader (index), and the level there.
    Track(usize, f64),
    /// A return bus's fader (index in the file's buses), and the level there.
    Bus(usize, f64),
    /// The selected track's send to bus (index), the level there, and where
    /// that send's fader is (a drag keeps following it).
    Send(usize, f64, (u16, u16)),
    Master(f64),
}

/// Which mixer line shows what: tracks from the top, then the selected
/// track's sends, the return buses, and the master on the last line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MixerLines {
    /// The first track shown and how many lines the tracks have.
    pub track_off: usize,
    pub track_h: usize,
    /// The sends line, when there are buses (and room for them).
    pub sends: Option<u16>,
    /// The first bus line and how many buses are shown.
    pub bus_y: u16,
    pub buses: usize,
    pub master: u16,
}

/// Lay out the mixer's lines. Buses and the sends line with them take at
/// most half the lines above the master, so the tracks keep the rest; a
/// pane too short for every bus shows the first ones.
pub fn mixer_lines(rows: Rows, inner: Rect) -> MixerLines {
    let above = inner.height.saturating_sub(1) as usize;
    let buses = rows.buses.min((above / 2).saturating_sub(1));
    let sends = usize::from(buses > 0);
    let track_h = above - buses - sends;
    let master = inner.bottom().saturating_sub(1);
    MixerLines {
        track_off: list_offset(rows.selected, rows.len, track_h),
        track_h,
        sends: (sends > 0).then(|| inner.y + track_h as u16),
        bus_y: inner.y + (track_h + sends) as u16,
        buses,
        master,
    }
}

/// One bus's send control on the sends line: the bus (index), and x and
/// width of its name, fader and level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SendCols {
    pub bus: usize,
    pub name: (u16, u16),
    pub fader: (u16, u16),
    pub db: (u16, u16),
}

/// Narrowest a send control gets; fewer are shown (around the one the send
/// keys edit) when the line is too narrow for all.
const SEND_MIN_W: u16 = 14;

/// The send controls on the sends line of the mixer's `inner` area.
pub fn send_cols(inner: Rect, rows: Rows) -> Vec<SendCols> {
    let c = mixer_cols(inner);
    let x0 = c.name.0 + c.name.1;
    let rest = (inner.x + inner.width).saturating_sub(x0);
    let shown = (rest / SEND_MIN_W).min(rows.buses as u16) as usize;
    if shown == 0 {
        return Vec::new();
    }
    let first = (rows.send_bus + 1)
        .saturating_sub(shown)
        .min(rows.buses - shown);
    let seg = rest / shown as u16;
    (0..shown)
        .map(|k| {
            let x = x0 + k as u16 * seg;
            let fader_w = seg - 5 - 6 - 1;
            SendCols {
                bus: first + k,
                name: (x, 5),
                fader: (x + 5, fader_w),
                db: (x + 5 + fader_w, 6),
            }
        })
        .collect()
}

/// The track on mixer line `at`, if any.
pub fn mixer_row_at(area: Rect, rows: Rows, at: Position) -> Option<usize> {
    let inner = Block::bordered().inner(area);
    if !inner.contains(at) {
        return None;
    }
    let l = mixer_lines(rows, inner);
    let row = (at.y - inner.y) as usize;
    (row < l.track_h)
        .then_some(l.track_off + row)
        .filter(|&i| i < rows.len)
}

pub fn fader_at(area: Rect, rows: Rows, at: Position) -> Option<FaderHit> {
    let inner = Block::bordered().inner(area);
    if !inner.contains(at) {
        return None;
    }
    let l = mixer_lines(rows, inner);
    if l.sends == Some(at.y) {
        return send_cols(inner, rows)
            .into_iter()
            .find(|s| at.x >= s.fader.0 && at.x < s.fader.0 + s.fader.1)
            .map(|s| FaderHit::Send(s.bus, fader_db_in(s.fader, at.x), s.fader));
    }
    let c = mixer_cols(inner);
    if at.x < c.fader.0 || at.x >= c.fader.0 + c.fader.1 {
        return None;
    }
    let db = fader_db_in(c.fader, at.x);
    if at.y == l.master {
        return Some(FaderHit::Master(db));
    }
    if at.y >= l.bus_y && ((at.y - l.bus_y) as usize) < l.buses {
        return Some(FaderHit::Bus((at.y - l.bus_y) as usize, db));
    }
    mixer_row_at(area, rows, at).map(|i| FaderHit::Track(i, db))
}

/// Cell geometry of the sequencer: x of the first cell, cell width, first
/// cell shown, cells shown.
pub fn grid_geometry(
    inner: Rect,
    n: usize,
    cursor: usize,
    notes: bool,
) -> (u16, u16, usize, usize) {
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

/// The step under a click in the sequencer showing `g` with the cursor on `step`.
pub fn step_at(area: Rect, g: &Grid, step: usize, at: Position) -> Option<usize> {
    let inner = Block::bordered().inner(area);
    if g.editable == Editable::No || at.y != inner.y + 1 || !inner.contains(at) {
        return None;
    }
    let (x0, cw, first, shown) =
        grid_geometry(inner, g.cells.len(), step, g.editable == Editable::Notes);
    let k = ((at.x - x0) / cw) as usize;
    (k < shown).then_some(first + k)
}

/// The bars the arrangement pane shows: from bar `first` (0-based), `per`
/// cells each, `bars` of them; the page that holds the playhead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BarWindow {
    pub first: u64,
    pub per: u16,
    pub bars: u64,
}

impl BarWindow {
    /// Lay `total` bars into `width` cells, up to 4 cells a bar, paged so
    /// that bar `playhead` is in view.
    pub fn new(width: u16, total: u64, playhead: u64) -> BarWindow {
        let per = (width as u64 / total.max(1)).clamp(1, 4) as u16;
        let bars = (width / per).max(1) as u64;
        BarWindow {
            first: playhead / bars * bars,
            per,
            bars,
        }
    }

    /// The cell (from the pane's left) where 0-based bar `bar` starts.
    pub fn cell(&self, bar: f64) -> Option<u16> {
        let x = (bar - self.first as f64) * self.per as f64;
        (x >= 0.0 && x < (self.bars * self.per as u64) as f64).then_some(x as u16)
    }

    /// The 0-based bar under cell `x`.
    pub fn bar(&self, x: u16) -> u64 {
        self.first + (x / self.per) as u64
    }
}

/// The bar (0-based) under a click in the arrangement pane.
pub fn arrange_bar_at(area: Rect, window: BarWindow, at: Position) -> Option<u64> {
    let inner = Block::bordered().inner(area);
    (inner.contains(at) && at.x - inner.x < (window.bars * window.per as u64) as u16)
        .then(|| window.bar(at.x - inner.x))
}
