//! The dialogs over the panes: "quit with unsaved changes?" and a failed
//! reload's report.
//!
//! Control thread (UI); draws from `&App` only, changes nothing.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Widget, Wrap};

use crate::tui::app::App;

pub(super) fn confirm_quit(app: &App, area: Rect, buf: &mut Buffer) {
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

pub(super) fn reload_error(app: &App, area: Rect, buf: &mut Buffer) {
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
