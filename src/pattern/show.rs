//! Looking inside a pattern: its events cycle by cycle as text or JSON,
//! for `termdaw pattern` and for the chat's tool and the sequencer pane
//! (through [`events`]).
//!
//! Control thread only, pure: strings in, strings out.

use super::{parse_notes, parse_steps, Event, Frac, Pattern, PatternError, Span};
use crate::kinds::Controls;

/// Most characters of a pattern an error quotes around its column.
const QUOTE_WIDTH: usize = 100;

/// Most cycles one look may cover.
pub const MAX_SHOW_CYCLES: i64 = 256;

/// Parse `src` written as it appears in a session, `Notes("...")` or
/// `Steps("...")`; a bare string is read as `Notes`.
pub fn parse_written(src: &str) -> Result<Pattern, PatternError> {
    let t = src.trim();
    for (prefix, steps) in [("Notes(", false), ("Steps(", true)] {
        if let Some(rest) = t.strip_prefix(prefix) {
            let inner = rest
                .strip_suffix(')')
                .map(str::trim)
                .and_then(|r| r.strip_prefix('"')?.strip_suffix('"'))
                .ok_or(PatternError {
                    column: 1,
                    message: format!("expected {prefix}\"...\")"),
                })?;
            let shift = |mut e: PatternError| {
                e.column += prefix.len() + 1;
                e
            };
            return if steps {
                parse_steps(inner).map_err(shift)
            } else {
                parse_notes(inner).map_err(shift)
            };
        }
    }
    parse_notes(src)
}

/// The events of cycles `0..cycles` of a pattern, sorted by onset: the hook
/// for the chat tool and the sequencer pane.
pub fn events(src: &str, cycles: i64) -> Result<Vec<Event>, PatternError> {
    let p = parse_written(src)?;
    Ok((0..cycles.clamp(0, MAX_SHOW_CYCLES))
        .flat_map(|c| p.query(Span::cycle(c)))
        .collect())
}

fn note_text(e: &Event) -> String {
    e.value.note.map_or("-".to_string(), |n| n.to_string())
}

/// The controls a function set, as `  pan +1.00  gain 0.500  begin 0.25
/// end 0.5  speed 2  nudge 0.010 s` (only those that differ from a plain
/// note).
pub fn controls_text(c: &Controls) -> String {
    c.set()
        .map(|(name, v)| match name {
            "pan" => format!("  pan {v:+.2}"),
            "gain" => format!("  gain {v:.3}"),
            "nudge" => format!("  nudge {v:.3} s"),
            _ => format!("  {name} {v}"),
        })
        .collect()
}

/// The controls a function set, as JSON members after the velocity
/// (`,"pan":-1,"gain":0.5`); a note played as written adds none.
fn controls_json(c: &Controls) -> String {
    c.set()
        .map(|(name, v)| format!(",\"{name}\":{}", (v as f64 * 1e6).round() / 1e6))
        .collect()
}

/// One line per event: `onset duration note velocity [controls]`, exact
/// fractions of a cycle, grouped under a `cycle N` heading.
pub fn text(p: &Pattern, cycles: i64) -> String {
    let mut out = format!("steps per cycle: {}\n", p.steps());
    for c in 0..cycles.clamp(0, MAX_SHOW_CYCLES) {
        let evs = p.query(Span::cycle(c));
        out.push_str(&format!("cycle {c}: {} events\n", evs.len()));
        for e in &evs {
            out.push_str(&format!(
                "  {:>7}  {:>5}  note {:>3}  vel {:.2}{}\n",
                e.whole.begin.to_string(),
                e.whole.duration().to_string(),
                note_text(e),
                e.value.velocity,
                controls_text(&e.value.controls)
            ));
        }
    }
    out
}

fn frac_json(f: Frac) -> String {
    format!("\"{f}\"")
}

/// The same as JSON: `{"steps": "4", "events": [{"cycle": 0, "onset":
/// "1/4", "duration": "1/4", "note": 48, "velocity": 0.8, "gain": 0.5}]}`
/// (fractions as strings, exact; only the controls a function set).
pub fn json(p: &Pattern, cycles: i64) -> String {
    let mut items = Vec::new();
    for c in 0..cycles.clamp(0, MAX_SHOW_CYCLES) {
        for e in p.query(Span::cycle(c)) {
            items.push(format!(
                "{{\"cycle\":{c},\"onset\":{},\"duration\":{},\"note\":{},\"velocity\":{}{}}}",
                frac_json(e.whole.begin),
                frac_json(e.whole.duration()),
                e.value.note.map_or("null".to_string(), |n| n.to_string()),
                (e.value.velocity as f64 * 1000.0).round() / 1000.0,
                controls_json(&e.value.controls)
            ));
        }
    }
    format!(
        "{{\"steps\":{},\"events\":[{}]}}",
        frac_json(p.steps()),
        items.join(",")
    )
}

/// What `termdaw pattern` prints, or the error with a caret under its
/// column.
pub fn report(src: &str, cycles: i64, as_json: bool) -> Result<String, String> {
    if !(1..=MAX_SHOW_CYCLES).contains(&cycles) {
        return Err(format!(
            "--cycles goes from 1 to {MAX_SHOW_CYCLES}, found {cycles}"
        ));
    }
    match parse_written(src) {
        Ok(p) if as_json => Ok(json(&p, cycles) + "\n"),
        Ok(p) => Ok(text(&p, cycles)),
        Err(e) => {
            let (quote, caret) = crate::quote::window(src, e.column, QUOTE_WIDTH);
            let pad: String = quote
                .chars()
                .take(caret.saturating_sub(1))
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            let message = crate::quote::clip(&e.to_string(), QUOTE_WIDTH * 2);
            Err(format!("bad pattern: {message}\n  {quote}\n  {pad}^"))
        }
    }
}
