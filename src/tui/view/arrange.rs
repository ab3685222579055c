//! The arrangement pane: a bar ruler with the loop and the playhead, the
//! song's sections on it (the one playing lit, a queued launch marked
//! where it lands), the markers, and one automation lane drawn as a curve.
//!
//! Control thread (UI); draws from `&App` only, changes nothing. Which bars
//! are in view is `layout::BarWindow`, shared with the mouse.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::Widget;

use super::pane_block;
use crate::session::Mode;
use crate::tui::app::App;
use crate::tui::layout::{BarWindow, Pane};

/// Eighths of a cell, for the lane's curve.
const LEVELS: [char; 9] = [' ', '▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

pub(super) fn draw(app: &App, area: Rect, buf: &mut Buffer) {
    let lane = app.shown_lane();
    let title = match &lane {
        Some((i, n, l)) => format!(
            " arrangement · lane {}/{n} {} {}–{} · a: next lane · A: steps ",
            i + 1,
            l.label,
            short(l.range.0),
            short(l.range.1)
        ),
        None => " arrangement · no lanes · A: steps ".to_string(),
    };
    let block = pane_block(app, Pane::Sequencer, Line::from(title));
    let inner = block.inner(area);
    block.render(area, buf);
    if inner.height == 0 || inner.width == 0 {
        return;
    }
    let w = app.arrange_window(inner.width);
    ruler(app, inner, w, buf);
    if inner.height > 1 {
        sections(
            app,
            Rect {
                y: inner.y + 1,
                ..inner
            },
            w,
            buf,
        );
    }
    if inner.height > 2 {
        markers(
            app,
            Rect {
                y: inner.y + 2,
                ..inner
            },
            w,
            buf,
        );
    }
    if inner.height > 3 {
        let rows = Rect {
            y: inner.y + 3,
            height: inner.height - 3,
            ..inner
        };
        match &lane {
            Some((_, _, l)) => curve(app, rows, w, l, buf),
            None => {
                let hint = "no automation: set_lane in the chat, or Lane(...) in the file";
                buf.set_string(rows.x, rows.y, clip(hint, rows.width), app.theme.dim());
            }
        }
    }
}

/// A range end without needless digits.
fn short(x: f64) -> String {
    if x.is_infinite() {
        return "∞".into();
    }
    let s = format!("{x:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

fn clip(s: &str, w: u16) -> String {
    s.chars().take(w as usize).collect()
}

/// The playhead as a song bar (0-based, fractional).
fn head_bar(app: &App) -> f64 {
    let bpb = app.session().file().beats_per_bar().max(1.0);
    app.transport_view().beat.max(0.0) / bpb
}

/// Bar numbers every few bars, the loop underlined, the playhead lit.
fn ruler(app: &App, row: Rect, w: BarWindow, buf: &mut Buffer) {
    let t = &app.theme;
    // Room for the widest number in view and a space after it.
    let digits = (w.first + w.bars).to_string().len() as u64 + 1;
    let every = [1u64, 2, 4, 8, 16, 32, 64]
        .into_iter()
        .find(|k| k * w.per as u64 >= digits)
        .unwrap_or(64);
    let loop_bars = app.session().file().loop_bars;
    for x in 0..(w.bars * w.per as u64).min(row.width as u64) as u16 {
        let bar = w.bar(x);
        let first_cell = x % w.per == 0;
        let mut style = t.dim();
        if loop_bars.is_some_and(|(a, b)| bar + 1 >= a as u64 && bar < b as u64) {
            style = t.base().fg(t.ok).add_modifier(Modifier::UNDERLINED);
        }
        let ch = if first_cell && bar % every != 0 {
            '·'
        } else {
            ' '
        };
        buf.set_string(row.x + x, row.y, ch.to_string(), style);
    }
    for x in (0..(w.bars * w.per as u64).min(row.width as u64) as u16).step_by(w.per as usize) {
        let bar = w.bar(x);
        if bar % every == 0 {
            let style = buf[(row.x + x, row.y)].style();
            let label: String = (bar + 1)
                .to_string()
                .chars()
                .take((row.width - x) as usize)
                .collect();
            buf.set_string(row.x + x, row.y, label, style);
        }
    }
    if let Some(x) = w.cell(head_bar(app)) {
        if x < row.width {
            let cell = &mut buf[(row.x + x, row.y)];
            cell.set_style(Style::default().bg(t.playhead).fg(t.selection_fg));
        }
    }
}

/// One block of bars with a name in it.
fn block(
    row: Rect,
    w: BarWindow,
    from: u64,
    bars: u64,
    name: &str,
    style: Style,
    buf: &mut Buffer,
) {
    let start = from.max(w.first);
    let end = (from + bars).min(w.first + w.bars);
    if end <= start {
        return;
    }
    let x0 = ((start - w.first) * w.per as u64) as u16;
    let x1 = (((end - w.first) * w.per as u64) as u16).min(row.width);
    let width = x1.saturating_sub(x0) as usize;
    let mut text: String = format!("▏{name}").chars().take(width).collect();
    let n = text.chars().count();
    text.extend(std::iter::repeat_n(' ', width - n));
    buf.set_string(row.x + x0, row.y, text, style);
}

/// The song order's sections; in live mode the section playing and the
/// one queued, where they play.
fn sections(app: &App, row: Rect, w: BarWindow, buf: &mut Buffer) {
    let t = &app.theme;
    let f = app.session().file();
    let form = app.session().form();
    let bpb = f.beats_per_bar().max(1.0);
    let lit = t
        .base()
        .bg(t.selection_bg)
        .fg(t.playing)
        .add_modifier(Modifier::BOLD);
    let playing = form.playing.as_ref();
    if form.mode == Mode::Song {
        let head = head_bar(app) as u64;
        for (k, (i, at, bars)) in f.timeline().into_iter().enumerate() {
            let Some(s) = f.sections.get(i) else { continue };
            let here = head >= at && head < at + bars as u64;
            let style = if here && playing.is_some() {
                lit
            } else if k % 2 == 0 {
                t.base().fg(t.accent)
            } else {
                t.base().fg(t.fader)
            };
            block(row, w, at, bars as u64, s.name.as_str(), style, buf);
        }
    } else if let Some((name, since)) = playing {
        let bars = f.section(name).map_or(1, |s| s.bars as u64);
        block(row, w, (since / bpb) as u64, bars, name, lit, buf);
    }
    if let Some((name, at)) = &form.queued {
        let bars = f.section(name).map_or(1, |s| s.bars as u64);
        let queued = t.base().fg(t.warning).add_modifier(Modifier::BOLD);
        block(
            row,
            w,
            (at / bpb) as u64,
            bars,
            &format!("→{name}"),
            queued,
            buf,
        );
    }
    if f.sections.is_empty() {
        let hint = "no sections: see docs/arrangement.md, or capture_section in the chat";
        buf.set_string(row.x, row.y, clip(hint, row.width), t.dim());
    }
}

fn markers(app: &App, row: Rect, w: BarWindow, buf: &mut Buffer) {
    let t = &app.theme;
    for (name, bar) in &app.session().file().markers {
        if let Some(x) = w.cell(bar - 1.0) {
            let room = row.width.saturating_sub(x);
            buf.set_string(
                row.x + x,
                row.y,
                clip(&format!("▾{name}"), room),
                t.base().fg(t.warning),
            );
        }
    }
}

/// The lane's value over the bars in view, bottom to top of `rows`.
fn curve(
    app: &App,
    rows: Rect,
    w: BarWindow,
    lane: &crate::session::automation::LaneView,
    buf: &mut Buffer,
) {
    let t = &app.theme;
    let bpb = app.session().file().beats_per_bar().max(1.0);
    let (lo, hi) = lane.range;
    let span = if hi > lo && (hi - lo).is_finite() {
        hi - lo
    } else {
        1.0
    };
    let steps = rows.height as usize * 8;
    for x in 0..(w.bars * w.per as u64).min(rows.width as u64) as u16 {
        // The middle of the cell, in song beats.
        let bar = w.first as f64 + (x as f64 + 0.5) / w.per as f64;
        let Some(v) = lane.value_at(bar * bpb) else {
            continue;
        };
        let level = (((v - lo) / span).clamp(0.0, 1.0) * steps as f64).round() as usize;
        for r in 0..rows.height {
            let from_bottom = (rows.height - 1 - r) as usize * 8;
            let k = level.saturating_sub(from_bottom).min(8);
            let ch = LEVELS[k];
            buf.set_string(
                rows.x + x,
                rows.y + r,
                ch.to_string(),
                t.base().fg(t.meter_mid),
            );
        }
    }
}
