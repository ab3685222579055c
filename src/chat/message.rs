//! The conversation as termdaw keeps it: one neutral shape that both
//! providers' wire formats are translated to and from, and that the history
//! file stores.
//!
//! Control side, pure data (serde). Knows nothing of HTTP or the session.
//! Tool definitions live here too, so providers and `tools.rs` share them
//! without importing each other.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One tool as both providers describe it: name, description, JSON schema.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolDef {
    pub name: String,
    pub description: String,
    pub schema: Value,
}

/// The key under which tool arguments that are not valid JSON are passed
/// on (with the parser's complaint under [`INVALID_ERROR`]), so the call
/// gets an error result the model can act on instead of ending the reply.
pub const INVALID_JSON: &str = "_invalid_json";
pub const INVALID_ERROR: &str = "_json_error";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    User,
    Assistant,
}

/// One piece of a message (the Anthropic content-block model).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Block {
    Text {
        text: String,
    },
    ToolUse {
        id: String,
        name: String,
        input: Value,
    },
    ToolResult {
        tool_use_id: String,
        content: String,
        #[serde(default)]
        is_error: bool,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    pub role: Role,
    pub content: Vec<Block>,
}

/// A tool call the model asked for.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolCall {
    pub id: String,
    pub name: String,
    pub input: Value,
}

impl Message {
    pub fn user_text(text: impl Into<String>) -> Self {
        Message {
            role: Role::User,
            content: vec![Block::Text { text: text.into() }],
        }
    }

    /// The message's text blocks, joined.
    pub fn text(&self) -> String {
        self.content
            .iter()
            .filter_map(|b| match b {
                Block::Text { text } => Some(text.as_str()),
                _ => None,
            })
            .collect::<Vec<_>>()
            .join("")
    }

    pub fn tool_calls(&self) -> Vec<ToolCall> {
        self.content
            .iter()
            .filter_map(|b| match b {
                Block::ToolUse { id, name, input } => Some(ToolCall {
                    id: id.clone(),
                    name: name.clone(),
                    input: input.clone(),
                }),
                _ => None,
            })
            .collect()
    }

    /// A user prompt (not a message carrying tool results).
    pub fn is_prompt(&self) -> bool {
        self.role == Role::User && self.content.iter().all(|b| matches!(b, Block::Text { .. }))
    }
}
