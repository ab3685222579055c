//! The sequencer pane: the selected track's pattern as a row of steps, the
//! cursor, the playhead and a line about the step under the cursor.
//!
//! Control thread (UI); draws from `&App` only, changes nothing. The cell
//! geometry lives in `layout.rs`, shared with the mouse.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::Line;
use ratatui::widgets::Widget;

use super::pane_block;
use crate::tui::app::App;
use crate::tui::grid::{note_name, Cell, Editable};
use crate::tui::layout::{grid_geometry, Pane};

pub(super) fn draw(app: &App, area: Rect, buf: &mut Buffer) {
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
