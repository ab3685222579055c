//! The status line: the last message, the last reload and the key hint.
//!
//! Control thread (UI); draws from `&App` only, changes nothing.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Color;
use ratatui::text::{Line, Span};

use crate::tui::app::{App, StatusKind};

fn status_color(app: &App, k: StatusKind) -> Color {
    let t = &app.theme;
    match k {
        StatusKind::Info => t.fg,
        StatusKind::Ok => t.ok,
        StatusKind::Warning => t.warning,
        StatusKind::Error => t.error,
    }
}

pub(super) fn draw(app: &App, area: Rect, buf: &mut Buffer) {
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
