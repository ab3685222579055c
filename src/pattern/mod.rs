//! Patterns: what a track plays, as exact events in cycles, and the parsers
//! that read them from the text of a session file.
//!
//! Control thread only; never used on the audio thread (parsing and queries
//! allocate). Pure std, no I/O, no global state: the session builder turns a
//! [`Pattern`] into an engine clip by querying it cycle by cycle.
//!
//! Two notations (see docs/patterns.md): drum step strings
//! ([`parse_steps`], `"x..x..x."`) and note sequences in a subset of the
//! TidalCycles mini-notation ([`parse_notes`], `"a2 ~ [c3 e3] <g3 b3>"`).
//! Each top-level element of either is one *step*; one cycle of a pattern
//! lasts [`Pattern::steps`] steps, and the host decides how long a step is.
//!
//! Either notation may start with Tidal's functions, `every 3 (fast 2) $ ...`
//! (`expr/` parses them, `transform/` queries them with Tidal's whole/part
//! model). [`show`] prints a pattern's events (`termdaw pattern`) and is the
//! hook for the chat tool and the sequencer pane.

mod expr;
mod frac;
mod model;
mod parse;
pub mod show;
#[cfg(test)]
mod tests;
mod transform;

pub use expr::{Function, FUNCTIONS, MAX_CYCLE_EVENTS};
pub use frac::{Frac, Span};
pub use model::{Event, Hit, Pattern, MAX_EVENTS};
pub use parse::chord::CHORDS;
pub use parse::{parse_degrees, parse_notes, parse_steps, PatternError, DEGREE_ZERO};
