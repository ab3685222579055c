//! termdaw: a terminal live-coding DAW.
//!
//! The crate is laid out along the data flow (see docs/architecture.md):
//! input sources produce [`action::Action`]s, [`session::Session`] validates
//! and applies them and emits engine commands, and [`engine`] — the only code
//! on the audio thread — renders sound that [`audio`] sends to a device or a file.

pub mod action;
pub mod analysis;
pub mod audio;
pub mod capture;
pub mod chat;
pub mod config;
pub mod engine;
pub mod files;
pub mod handle;
pub mod health;
pub mod host;
pub mod kinds;
pub mod link;
pub mod live;
pub mod log;
pub mod midi;
pub mod osc;
pub mod patch;
pub mod pattern;
pub mod preset;
pub mod process;
pub mod quote;
pub mod reference;
pub mod reload;
pub mod sample;
pub mod session;
pub mod suggest;
pub mod theory;
pub mod tui;
pub mod units;
