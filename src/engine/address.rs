//! Where a command goes: a track's slot, a bus, an effect chain.
//!
//! Shared data definitions (the audio thread and the control side both
//! name engine places this way); no code.

/// Index of a track slot in the engine (0..[`super::MAX_TRACKS`]).
pub type Slot = u16;

/// Which effect chain a command addresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum FxTarget {
    Track(Slot),
    Bus(u8),
    Master,
}
