//! The transport bar: play state, tempo, position, whether a take records,
//! the section playing and the one queued, engine load and the session's name and output device.
//!
//! Control thread (UI); draws from `&App` only, changes nothing.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};

use crate::audio::device::SinkInfo;
use crate::tui::app::App;

/// The section playing and the one queued (with the bar it starts on), in
/// a session that has sections: `intro → drop@9`.
fn form(app: &App) -> Vec<Span<'static>> {
    let t = &app.theme;
    let f = app.session().file();
    if f.sections.is_empty() {
        return Vec::new();
    }
    let form = app.session().form();
    let mut out = Vec::new();
    let mode = match form.mode {
        crate::session::Mode::Song => "song ",
        crate::session::Mode::Live => "live ",
    };
    out.push(Span::styled(mode, t.dim()));
    let playing = form.playing.map(|p| p.0).unwrap_or_else(|| "–".into());
    out.push(Span::styled(
        playing,
        t.base().fg(t.playing).add_modifier(Modifier::BOLD),
    ));
    if let Some((name, at)) = form.queued {
        let bar = (at / f.beats_per_bar()).floor() as u64 + 1;
        out.push(Span::styled(
            format!(" → {name}@{bar}"),
            t.base().fg(t.warning).add_modifier(Modifier::BOLD),
        ));
    }
    out.push(Span::styled(" ", t.base()));
    out
}

pub(super) fn draw(app: &App, area: Rect, buf: &mut Buffer) {
    let t = &app.theme;
    let tv = app.transport_view();
    let f = app.session().file();
    let bpb = tv.beats_per_bar.max(1) as f64;
    let beat = tv.beat.max(0.0);
    let bar = (beat / bpb).floor() as u64 + 1;
    let in_bar = (beat % bpb).floor() as u64 + 1;
    let tick = ((beat.fract()) * 480.0).floor() as u64;
    let (icon, state, color) = if tv.playing {
        ("▶", "PLAY", t.playing)
    } else {
        ("■", "STOP", t.stopped)
    };
    let label = |s: &str| Span::styled(s.to_string(), t.dim());
    let value = |s: String| Span::styled(s, t.base());
    let mut spans = vec![
        Span::styled(
            format!(" {icon} {state} "),
            t.base().fg(color).add_modifier(Modifier::BOLD),
        ),
        value(format!("{:>5.1}", tv.bpm)),
        label(" BPM "),
    ];
    // In a Link session: how many others share the beat.
    if let Some(peers) = app.session().link_peers() {
        spans.push(Span::styled("Link ", t.base().fg(t.playing)));
        spans.push(value(format!("{peers} ")));
    }
    spans.extend([
        value(format!(
            "{}/{} ",
            f.time_signature.beats, f.time_signature.unit
        )),
        value(format!("{bar:>3}:{in_bar}:{tick:03} ")),
    ]);
    if app.session().is_recording() {
        spans.push(Span::styled(
            "● REC ",
            t.base().fg(t.error).add_modifier(Modifier::BOLD),
        ));
    }
    match app.session().gate() {
        Some(true) => spans.push(Span::styled(
            "gate open ",
            t.base().fg(t.playing).add_modifier(Modifier::BOLD),
        )),
        Some(false) => spans.push(label("gate shut ")),
        None => {}
    }
    spans.extend(form(app));
    let h = app.stats.health;
    spans.extend([
        label("load "),
        Span::styled(
            format!("{:>2}% ", app.stats.load_permille / 10),
            t.base().fg(if app.stats.load_permille > 800 {
                t.error
            } else {
                t.fg
            }),
        ),
        label("xruns "),
        Span::styled(
            format!("{} ", h.xruns),
            t.base().fg(if h.xruns > 0 { t.warning } else { t.fg }),
        ),
        label("drops "),
        Span::styled(
            format!("{} ", h.dropped),
            t.base().fg(if h.dropped > 0 { t.warning } else { t.fg }),
        ),
    ]);
    // What else the run survived, only once it happened.
    for (name, n) in h.warnings() {
        if n > 0 {
            spans.push(label(&format!("{name} ")));
            spans.push(Span::styled(format!("{n} "), t.base().fg(t.warning)));
        }
    }
    if h.engine_panics > 0 {
        let err = t.base().fg(t.error).add_modifier(Modifier::BOLD);
        spans.push(Span::styled("audio stopped: engine panic ", err));
    }
    let used: usize = spans.iter().map(|s| s.width()).sum();
    let name = app
        .session()
        .path()
        .and_then(|p| p.file_name())
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| "untitled".into());
    let dirty = if app.session().is_dirty() { "*" } else { "" };
    let session = format!("│ {name}{dirty}");
    let mut room = (area.width as usize).saturating_sub(used);
    // The latency a player hears; its parts too where there is room.
    let device = match (&app.sink, app.latency()) {
        (Some(sink), Some(l)) => {
            let name = match sink {
                SinkInfo::Device { name, .. } => name.as_str(),
                SinkInfo::Silent { .. } => "silent",
            };
            let long = format!(
                "│ out {:.1}ms = buffer {} + block {} + look-ahead {} frames · {name} ",
                l.ms(),
                l.buffer,
                l.block,
                l.lookahead
            );
            let short = format!("│ out {:.1}ms {name} ", l.ms());
            let session_w = session.chars().count();
            if long.chars().count() + session_w <= room {
                long
            } else {
                short
            }
        }
        _ => String::new(),
    };
    for (part, style) in [(device, t.dim()), (session, t.base().fg(t.accent))] {
        let n = part.chars().count();
        if n <= room {
            spans.push(Span::styled(part, style));
            room -= n;
        } else if room > 12 {
            spans.push(Span::styled(
                format!("{}…", part.chars().take(room - 1).collect::<String>()),
                style,
            ));
            room = 0;
        }
    }
    buf.set_line(area.x, area.y, &Line::from(spans), area.width);
}
