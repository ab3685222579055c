//! The mixer pane: a fader, level, pan and meter per track, the master with
//! its limiter reduction last, and the master's loudness in the title.
//!
//! Control thread (UI); draws from `&App` only, changes nothing. Its
//! geometry lives in `layout.rs`, shared with the mouse.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::Line;
use ratatui::widgets::Widget;

use super::{meter_spans, pad, pane_block, row_style, shown_tracks};
use crate::tui::app::App;
use crate::tui::layout::{fader_pos, mixer_cols, mixer_rows, Pane};
use crate::tui::meter::Meter;

fn fmt_db(db: f64) -> String {
    if db <= -119.9 {
        "-inf".into()
    } else {
        format!("{db:.1}")
    }
}

fn fmt_pan(p: f64) -> String {
    let pct = (p * 100.0).round() as i64;
    match pct {
        0 => " C ".into(),
        p if p < 0 => format!("L{:<2}", (-p).min(99)),
        p => format!("R{:<2}", p.min(99)),
    }
}

/// A loudness reading: LUFS to 0.1, or `--` before the window is full or
/// below the −70 LUFS gate (silence).
fn fmt_lufs(v: Option<f64>) -> String {
    match v {
        Some(v) if v > -70.0 => format!("{v:.1}"),
        _ => "--".into(),
    }
}

pub(super) fn draw(app: &App, area: Rect, buf: &mut Buffer) {
    let t = &app.theme;
    // The master's loudness (EBU R128 momentary and short-term) once sound
    // has reached the tap.
    let title = match app.loudness.momentary() {
        None => " mixer ".to_string(),
        Some(m) => format!(
            " mixer · M {} · S {} LUFS ",
            fmt_lufs(Some(m)),
            fmt_lufs(app.loudness.short_term())
        ),
    };
    let block = pane_block(app, Pane::Mixer, Line::from(title));
    let inner = block.inner(area);
    block.render(area, buf);
    if inner.height == 0 {
        return;
    }
    let c = mixer_cols(inner);
    let (off, h) = mixer_rows(app.rows(), inner);
    let row = |buf: &mut Buffer,
               y: u16,
               name: &str,
               db: f64,
               pan: Option<f64>,
               m: &Meter,
               base: Style,
               gr: Option<f32>| {
        buf.set_style(Rect::new(inner.x, y, inner.width, 1), base);
        buf.set_string(
            c.name.0,
            y,
            pad(name, c.name.1.saturating_sub(1) as usize),
            base,
        );
        let pos = fader_pos(db, c.fader.1);
        let off_db = db <= -119.9;
        for i in 0..c.fader.1 {
            let (sym, st) = if i == pos && !off_db {
                ("●", base.fg(t.fader).add_modifier(Modifier::BOLD))
            } else if i < pos && !off_db {
                ("━", base.fg(t.fader))
            } else {
                ("─", base.fg(t.dim))
            };
            buf.set_string(c.fader.0 + i, y, sym, st);
        }
        buf.set_string(c.db.0, y, format!("{:>6} ", fmt_db(db)), base);
        match (pan, gr) {
            (Some(p), _) => buf.set_string(c.pan.0, y, format!("{} ", fmt_pan(p)), base.fg(t.dim)),
            (None, Some(g)) if g < -0.05 => buf.set_string(
                c.pan.0,
                y,
                format!("{:>3.0} ", g.max(-99.0)),
                base.fg(t.warning),
            ),
            _ => {}
        }
        let line = Line::from(meter_spans(app, m, c.meter.1, true, base));
        buf.set_line(c.meter.0, y, &line, c.meter.1);
    };
    for (r, i, tr) in shown_tracks(app, off, h) {
        let selected = i == app.selected;
        let base = row_style(app, selected);
        let m = app.meter_of(tr.name.as_str());
        row(
            buf,
            inner.y + r as u16,
            tr.name.as_str(),
            tr.volume,
            Some(tr.pan),
            &m,
            base,
            None,
        );
    }
    let f = app.session().file();
    row(
        buf,
        inner.bottom() - 1,
        "master",
        f.master.volume,
        None,
        &app.master,
        t.base().add_modifier(Modifier::BOLD),
        Some(app.limiter_db),
    );
}
