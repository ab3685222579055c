//! The spectrum pane: the master's spectrum as bars in eighth-cell steps,
//! with frequency labels when there is room.
//!
//! Control thread (UI); draws from `&App` only, changes nothing.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Color;
use ratatui::text::Line;
use ratatui::widgets::Widget;

use super::pane_block;
use crate::tui::app::App;
use crate::tui::layout::Pane;

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

pub(super) fn draw(app: &App, area: Rect, buf: &mut Buffer) {
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
