//! The tracks pane: one row per track with its instrument, mute/solo/arm
//! flags and meter.
//!
//! Control thread (UI); draws from `&App` only, changes nothing.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier};
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use super::{meter_spans, pad, pane_block, row_style, shown_tracks};
use crate::tui::app::App;
use crate::tui::layout::{list_offset, Pane};

pub(super) fn draw(app: &App, area: Rect, buf: &mut Buffer) {
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
    for (row, i, tr) in shown_tracks(app, off, h) {
        let y = inner.y + row as u16;
        let selected = i == app.selected;
        let base = row_style(app, selected);
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
