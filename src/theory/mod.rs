//! Music theory for the musician's assistant: chords, their names and
//! numerals in a key (`chord`), and harmonic suggestions (`suggest`):
//! `termdaw suggest` and the chat's `suggest_chords` tool.
//!
//! Pure functions, any thread; no I/O.

pub mod chord;
pub mod clash;
pub mod suggest;

pub use chord::{Chord, Quality};
pub use suggest::{suggest, Report, SuggestError};
