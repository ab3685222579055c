//! The shared vocabulary of sounds: which instruments and effects exist,
//! their parameters (name, unit, range, default, doc) and the engine's
//! capacity limits.
//!
//! Pure data with no owner thread: the session format, the action table, the
//! MIDI map, the chat tools and the docs read it on the control side, and the
//! audio thread reads the same constants. It depends on nothing else in the
//! crate, so `patch` and `session` need not reach into `engine` for it.

pub mod controls;
pub mod curve;
pub mod effect;
pub mod instrument;
pub mod param;

pub use controls::Controls;
pub use effect::{EffectKind, EffectSpec};
pub use instrument::InstrumentKind;
pub use param::{ParamKind, ParamSpec};

/// Track slots in the engine.
pub const MAX_TRACKS: usize = 64;
/// Return buses in the engine.
pub const MAX_BUSES: usize = 8;
/// Effects in one chain (a track's, a bus's or the master's): a reverb
/// holds megabytes, so a chain's length is bounded where it is read.
pub const MAX_EFFECTS: usize = 32;
/// Reverbs and delays in a whole session: each holds seconds of delay
/// lines (a delay 1.5 MB at 48 kHz, a 100 m room about 4.5 MB), so this
/// bounds what a session can make the engine hold (about 300 MB at 48 kHz)
/// where the chain bound alone would allow 2,000 of them.
pub const MAX_LONG_EFFECTS: usize = 64;
