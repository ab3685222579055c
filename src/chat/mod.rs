//! The chat: arrange by talking to Claude or any OpenAI-compatible model.
//!
//! Control side. The network runs on a worker thread per reply
//! (`worker.rs`, with its own tokio runtime); the session is touched only by
//! the thread that owns it (the UI thread, or `termdaw ask`'s), through
//! `apply.rs`, which sends every tool call through `Session::apply`. Nothing
//! here runs on the audio thread or blocks the UI.
//!
//! - `config`: provider, URL, model, key (from the environment only), limits
//! - `message`: the conversation in one neutral shape
//! - `sse`, `provider/*`: server-sent events, the Anthropic and OpenAI wire formats, retries
//! - `tools`: JSON schemas generated from the action table
//! - `prompt`: the system prompt (the docs themselves) and the session summary
//! - `apply`, `analyse`: carrying out tool calls; measuring the mix
//! - `worker`, `pane`: the reply loop and the UI-side controller
//! - `history`: JSON Lines per session in the data directory
//! - `ask`: `termdaw ask SESSION.ron "prompt"`

pub mod analyse;
pub mod apply;
pub mod ask;
pub mod assess;
pub mod config;
pub mod error;
pub mod harmony;
pub mod history;
pub mod listen;
pub mod message;
pub mod pane;
pub mod prompt;
pub mod provider;
pub mod sse;
pub mod tools;
pub mod worker;

pub use config::{ApiKey, ChatConfig, ChatSettings, ProviderKind};
pub use error::ChatError;
pub use message::{Block, Message, Role, ToolCall};
pub use pane::{Chat, Entry, EntryKind, State, Update};
