//! The mixer pane: a fader, level, pan and meter per track; the selected
//! track's sends, each with a fader; a fader, meter and effect chain per
//! return bus; the master with its limiter reduction last, and the master's
//! loudness in the title.
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
use crate::tui::layout::{fader_pos, mixer_cols, mixer_lines, send_cols, Pane};
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

/// A fader `w` cells wide at `x` showing `db`.
fn fader(app: &App, buf: &mut Buffer, x: u16, y: u16, w: u16, db: f64, base: Style) {
    let t = &app.theme;
    let pos = fader_pos(db, w);
    let off_db = db <= -119.9;
    for i in 0..w {
        let (sym, st) = if i == pos && !off_db {
            ("●", base.fg(t.fader).add_modifier(Modifier::BOLD))
        } else if i < pos && !off_db {
            ("━", base.fg(t.fader))
        } else {
            ("─", base.fg(t.dim))
        };
        buf.set_string(x + i, y, sym, st);
    }
}

/// What a mixer line shows right of its level.
enum Tail<'a> {
    /// A track's pan.
    Pan(f64),
    /// A bus's pan and its effect chain, by name.
    Bus(f64, &'a str),
    /// The master's limiter reduction.
    Limiter(f32),
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
    let rows = app.rows();
    let lines = mixer_lines(rows, inner);
    let row =
        |buf: &mut Buffer, y: u16, name: &str, db: f64, tail: Tail, m: &Meter, base: Style| {
            buf.set_style(Rect::new(inner.x, y, inner.width, 1), base);
            buf.set_string(
                c.name.0,
                y,
                pad(name, c.name.1.saturating_sub(1) as usize),
                base,
            );
            fader(app, buf, c.fader.0, y, c.fader.1, db, base);
            buf.set_string(c.db.0, y, format!("{:>6} ", fmt_db(db)), base);
            let mut meter = c.meter;
            match tail {
                Tail::Pan(p) => {
                    buf.set_string(c.pan.0, y, format!("{} ", fmt_pan(p)), base.fg(t.dim))
                }
                Tail::Limiter(g) if g < -0.05 => buf.set_string(
                    c.pan.0,
                    y,
                    format!("{:>3.0} ", g.max(-99.0)),
                    base.fg(t.warning),
                ),
                Tail::Limiter(_) => {}
                Tail::Bus(p, fx) => {
                    buf.set_string(c.pan.0, y, format!("{} ", fmt_pan(p)), base.fg(t.dim));
                    // The chain's names share the meter's room, up to half of it.
                    let w = (fx.chars().count() as u16 + 1).min(c.meter.1 / 2);
                    meter.1 -= w;
                    let text = pad(fx, w.saturating_sub(1) as usize);
                    buf.set_string(meter.0 + meter.1 + 1, y, text, base.fg(t.dim));
                }
            }
            let line = Line::from(meter_spans(app, m, meter.1, true, base));
            buf.set_line(meter.0, y, &line, meter.1);
        };
    for (r, i, tr) in shown_tracks(app, lines.track_off, lines.track_h) {
        let selected = i == app.selected;
        let base = row_style(app, selected);
        let m = app.meter_of(tr.name.as_str());
        let y = inner.y + r as u16;
        row(
            buf,
            y,
            tr.name.as_str(),
            tr.volume,
            Tail::Pan(tr.pan),
            &m,
            base,
        );
    }
    let f = app.session().file();
    if let Some(y) = lines.sends {
        draw_sends(app, inner, y, buf);
    }
    for (k, b) in f.buses.iter().take(lines.buses).enumerate() {
        let names: Vec<&str> = b.effects.iter().map(|e| e.kind.name()).collect();
        let fx = if names.is_empty() {
            "dry".to_string()
        } else {
            names.join("→")
        };
        let m = app.bus_meter_of(b.name.as_str());
        let y = lines.bus_y + k as u16;
        // A muted return shows an M in the mute colour.
        let (name, base) = if b.mute {
            (format!("{} M", b.name), t.base().fg(t.mute))
        } else {
            (b.name.to_string(), t.base().fg(t.accent))
        };
        row(buf, y, &name, b.volume, Tail::Bus(b.pan, &fx), &m, base);
    }
    row(
        buf,
        lines.master,
        "master",
        f.master.volume,
        Tail::Limiter(app.limiter_db),
        &app.master,
        t.base().add_modifier(Modifier::BOLD),
    );
}

/// The selected track's send to each bus, each with its own fader; the one
/// the send keys edit is bold.
fn draw_sends(app: &App, inner: Rect, y: u16, buf: &mut Buffer) {
    let t = &app.theme;
    let Some(track) = app.selected_track() else {
        return;
    };
    let c = mixer_cols(inner);
    buf.set_string(c.name.0, y, pad("sends", c.name.1 as usize), t.dim());
    let buses = &app.session().file().buses;
    for s in send_cols(inner, app.rows()) {
        let Some(b) = buses.get(s.bus) else { continue };
        let db = track.sends.get(b.name.as_str()).copied().unwrap_or(-120.0);
        let name_style = if s.bus == app.send_bus {
            t.base().fg(t.accent).add_modifier(Modifier::BOLD)
        } else {
            t.base().fg(t.accent)
        };
        buf.set_string(
            s.name.0,
            y,
            pad(b.name.as_str(), s.name.1 as usize - 1),
            name_style,
        );
        fader(app, buf, s.fader.0, y, s.fader.1, db, t.base());
        let text = if db <= -119.9 {
            "off".to_string()
        } else {
            format!("{db:.1}")
        };
        buf.set_string(s.db.0, y, format!("{text:>6}"), t.base());
    }
}
