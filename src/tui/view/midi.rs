//! The MIDI overlays: learn (waiting for a controller, then its targets)
//! and the list of controller mappings.
//!
//! Control thread (UI); draws from `&App` only, changes nothing. What the
//! rows say (targets, a mapping's description) comes from `tui/midi.rs`.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Widget};

use crate::tui::app::App;
use crate::tui::midi::{describe, targets, Learn};

fn popup<'a>(app: &App, title: String) -> Block<'a> {
    let t = &app.theme;
    Block::bordered()
        .border_style(t.base().fg(t.border_focus))
        .title(Line::from(title))
        .title_style(t.title())
        .style(t.base())
}

fn list_lines<'a>(app: &App, rows: Vec<String>, cursor: usize, height: usize) -> Vec<Line<'a>> {
    let t = &app.theme;
    let first = cursor.saturating_sub(height.saturating_sub(1));
    rows.into_iter()
        .enumerate()
        .skip(first)
        .take(height)
        .map(|(i, r)| {
            if i == cursor {
                Line::from(Span::styled(
                    format!("▸ {r}"),
                    t.base().add_modifier(Modifier::REVERSED),
                ))
            } else {
                Line::from(format!("  {r}"))
            }
        })
        .collect()
}

/// The learn overlay: waiting for a controller, or the target list.
pub(super) fn draw_learn(app: &App, area: Rect, buf: &mut Buffer) {
    Clear.render(area, buf);
    let t = &app.theme;
    let (title, mut lines) = match app.midi.learn {
        Learn::Picking {
            channel,
            cc,
            cursor,
        } => {
            let rows = targets(app.session().file(), app.selected_track())
                .into_iter()
                .map(|(label, _)| label)
                .collect();
            let h = area.height.saturating_sub(4) as usize;
            (
                format!(" MIDI learn · CC {cc} ch {channel} moves… "),
                list_lines(app, rows, cursor, h),
            )
        }
        _ => (
            " MIDI learn ".to_string(),
            vec![
                Line::from("Move a knob, fader or wheel on your controller."),
                Line::from(""),
                Line::from(if app.midi.devices.is_empty() {
                    Span::styled("no MIDI input is open (see `termdaw devices`)", t.dim())
                } else {
                    Span::styled(
                        format!("listening on {}", app.midi.devices.join(", ")),
                        t.dim(),
                    )
                }),
            ],
        ),
    };
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled(
        "↑↓ choose · enter map · esc cancel",
        t.dim(),
    )));
    Paragraph::new(lines)
        .block(popup(app, title))
        .render(area, buf);
}

/// The mapping list.
pub(super) fn draw_map(app: &App, area: Rect, buf: &mut Buffer) {
    Clear.render(area, buf);
    let t = &app.theme;
    let midi = &app.session().file().midi;
    let rows: Vec<String> = midi
        .cc
        .iter()
        .map(|m| describe(m, app.session().file()))
        .collect();
    let h = area.height.saturating_sub(4) as usize;
    let mut lines = if rows.is_empty() {
        vec![Line::from(Span::styled(
            "No controller mappings yet: L starts MIDI learn.",
            t.dim(),
        ))]
    } else {
        list_lines(app, rows, app.midi.map_cursor, h)
    };
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled(
        "↑↓ choose · d delete · L learn · esc close",
        t.dim(),
    )));
    let devices = if app.midi.devices.is_empty() {
        "no MIDI input open".to_string()
    } else {
        app.midi.devices.join(", ")
    };
    Paragraph::new(lines)
        .block(popup(app, format!(" MIDI mappings · {devices} ")))
        .render(area, buf);
}
