//! termdaw's integration tests, in one binary so they build and link once.
//!
//! The binary's global allocator counts allocations per thread, so the
//! real-time tests can prove the engine allocates nothing while rendering.

mod alloc_counter;
mod common;
mod rig;

mod actions;
mod alloc;
mod analysis;
mod assess;
mod automation;
mod chat;
mod cli;
mod clock;
#[cfg(feature = "jack")]
mod clock_jack;
mod degrees;
mod device;
mod docs;
mod e2e;
mod effects;
mod engine;
mod errors;
mod fields;
mod fuzz;
mod gate;
mod golden;
#[cfg(feature = "jack")]
mod input_jack;
mod instruments;
mod keep;
mod kit;
mod learn;
#[cfg(all(feature = "jack", feature = "link"))]
mod link;
mod llm_server;
mod looper;
mod macros;
mod markers;
mod midi;
#[cfg(feature = "jack")]
mod midi_jack;
mod midi_out;
#[cfg(feature = "jack")]
mod midi_out_jack;
mod mix;
mod osc;
mod pattern_cli;
mod pattern_sound;
mod presets;
mod process;
mod reliability;
mod reload;
mod render;
mod sampler;
mod save;
#[cfg(feature = "jack")]
mod soak;
mod song;
mod swing;
mod syntax;
mod takes;
mod theory;
mod timing;
mod tone;
mod tui;
