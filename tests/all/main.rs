//! termdaw's integration tests, in one binary so they build and link once.
//!
//! The binary's global allocator counts allocations per thread, so the
//! real-time tests can prove the engine allocates nothing while rendering.

mod alloc_counter;
mod common;

mod actions;
mod alloc;
mod chat;
mod cli;
mod docs;
mod engine;
mod errors;
mod instruments;
mod llm_server;
mod midi;
mod mix;
mod osc;
mod reload;
mod render;
mod timing;
mod tui;
