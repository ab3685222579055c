//! The terminal UI: panes, keys, mouse, themes, and the event loop.
//!
//! Control thread (the main thread) only; nothing here runs on the audio
//! thread or waits for it. Built for testing (helix/gitui style):
//!
//! - [`app::App`] is the state. Keys and clicks become [`keymap::Command`]s,
//!   commands become [`crate::action::Action`]s built from the view's
//!   context, and Actions go through `Session::apply` like every other input.
//! - [`view`] draws from `&App` into any ratatui buffer, one file per pane,
//!   so tests render to `TestBackend` with a fixed session and fixed feedback.
//! - [`layout`] is where things are (panes, mixer columns, sequencer cells):
//!   pure, shared by drawing and the mouse, so `app` never imports `view`.
//! - [`term`] owns the real terminal and is the UI's front of the one
//!   loop in [`crate::host`].

pub mod app;
pub mod config;
pub mod grid;
pub mod keymap;
pub mod layout;
pub mod meter;
pub mod midi;
pub mod spectrum;
pub mod term;
pub mod theme;
pub mod view;

pub use app::App;
pub use keymap::{Command, Key, Keymap};
pub use theme::Theme;
