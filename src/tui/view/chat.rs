//! The chat pane: the transcript, word-wrapped and scrolled, and the input.
//!
//! Control thread (UI); draws from `&App` only, changes nothing.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use super::pane_block;
use crate::tui::app::App;
use crate::tui::layout::Pane;

pub(super) fn draw(app: &App, area: Rect, buf: &mut Buffer) {
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
    // Only the entries that reach the visible lines are wrapped, newest
    // first: a long transcript costs a frame no more than a short one.
    let wanted = app.chat.scroll.saturating_add(msg_h);
    let mut newest_first: Vec<Vec<(String, Style)>> = Vec::new();
    let mut count = 0;
    for e in app.chat.entries().iter().rev() {
        if count >= wanted {
            break;
        }
        let (prefix, style) = match e.kind {
            EntryKind::User => ("> ", t.base().fg(t.accent)),
            EntryKind::Assistant => ("", t.base()),
            EntryKind::Change => ("✓ ", t.base().fg(t.ok)),
            EntryKind::Error => ("✗ ", t.base().fg(t.error)),
            EntryKind::Info => ("· ", t.dim()),
        };
        let entry: Vec<(String, Style)> = wrap_text(&e.text, w.saturating_sub(2))
            .into_iter()
            .enumerate()
            .map(|(i, l)| {
                let p = if i == 0 { prefix } else { "  " };
                let p = if prefix.is_empty() { "" } else { p };
                (format!("{p}{l}"), style)
            })
            .collect();
        count += entry.len();
        newest_first.push(entry);
    }
    let mut lines: Vec<(String, Style)> = newest_first.into_iter().rev().flatten().collect();
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
