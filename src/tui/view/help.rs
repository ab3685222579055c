//! The help overlay: every key binding with its command and doc, scrolled.
//!
//! Control thread (UI); draws from `&App` only, changes nothing. The rows
//! come from the keymap, whose docs come from the action table.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Widget};

use super::pad;
use crate::tui::app::{App, Overlay};

/// Lines of the key list: (keys, command, doc).
pub fn help_rows(app: &App) -> Vec<(String, String, String)> {
    let mut rows: Vec<(String, String, String)> = app
        .keymap
        .by_command()
        .into_iter()
        .map(|(cmd, keys)| {
            let (keys, name, doc) = cmd.heading(&keys);
            (keys.join(" "), name, doc)
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
        "Click a step to toggle it, click or drag a fader or a send, scroll to select.".into(),
    ));
    rows.push((
        "y s n".into(),
        String::new(),
        "In the quit dialog: quit, save and quit, stay.".into(),
    ));
    rows
}

pub(super) fn draw(app: &App, area: Rect, buf: &mut Buffer) {
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
