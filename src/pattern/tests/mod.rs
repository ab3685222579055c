//! Tests for the pattern model and both parsers, by topic: a table of
//! patterns against the exact events they must produce (`table.rs`), errors
//! with their columns and limits (`errors.rs`), multi-cycle queries, chance,
//! Bjorklund and fractions (`queries.rs`), a no-panic fuzz over garbled
//! strings (`fuzz.rs`), and the examples of docs/patterns.md (`docs.rs`).
//! This file holds the helpers they share.
//!
//! Test-only code.

mod docs;
mod errors;
mod fn_errors;
mod functions;
mod fuzz;
mod laws;
mod queries;
mod table;

use super::*;

fn f(n: i64, d: i64) -> Frac {
    Frac::new(n, d)
}

fn span(b: Frac, e: Frac) -> Span {
    Span::new(b, e)
}

/// Events as compact text, `begin..end note@velocity`, joined by `, `;
/// `-` for a note of `None`. Exact times, velocities to two decimals.
fn render(events: &[Event]) -> String {
    events
        .iter()
        .map(|e| {
            let note = e.value.note.map_or("-".to_string(), |n| n.to_string());
            format!(
                "{}..{} {}@{:.2}",
                e.whole.begin, e.whole.end, note, e.value.velocity
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[derive(Clone, Copy)]
enum Kind {
    Steps,
    Notes,
}
use Kind::{Notes, Steps};

fn parse(kind: Kind, src: &str) -> Result<Pattern, PatternError> {
    match kind {
        Steps => parse_steps(src),
        Notes => parse_notes(src),
    }
}
