//! The Anthropic Messages API: request body and streamed events.
//!
//! Chat worker thread, pure translation (no I/O): [`request`] builds the
//! POST to `{base}/v1/messages` (`x-api-key`, `anthropic-version`, tools with
//! `input_schema`, the stable system block marked for prompt caching);
//! [`Assembler`] turns `message_start`, `content_block_start/delta/stop`
//! (`text_delta`, `input_json_delta`), `message_delta` and `message_stop`
//! into one assistant message.

use reqwest::header::{HeaderMap, HeaderValue};
use serde_json::{json, Value};

use super::{json, secret, Delta, Request};
use crate::chat::config::ChatConfig;
use crate::chat::error::ChatError;
use crate::chat::message::{Block, Message, Role};
use crate::chat::sse;

pub const VERSION: &str = "2023-06-01";

pub fn request(cfg: &ChatConfig, req: &Request<'_>) -> (String, HeaderMap, Value) {
    let mut h = HeaderMap::new();
    if let Some(k) = &cfg.key {
        h.insert("x-api-key", secret(k.expose()));
    }
    h.insert("anthropic-version", HeaderValue::from_static(VERSION));
    let tools: Vec<Value> = req
        .tools
        .iter()
        .map(|t| json!({"name": t.name, "description": t.description, "input_schema": t.schema}))
        .collect();
    let body = json!({
        "model": cfg.model,
        "max_tokens": cfg.max_tokens,
        "stream": true,
        "system": [
            {"type": "text", "text": req.stable, "cache_control": {"type": "ephemeral"}},
            {"type": "text", "text": req.context},
        ],
        "tools": tools,
        "messages": req.messages,
    });
    (format!("{}/v1/messages", cfg.base_url), h, body)
}

enum Part {
    Text(String),
    Tool {
        id: String,
        name: String,
        json: String,
        input: Option<Value>,
    },
    Other,
}

#[derive(Default)]
pub struct Assembler {
    parts: Vec<Part>,
    stop_reason: Option<String>,
}

impl Assembler {
    /// One event; true when the message is complete.
    pub fn event(&mut self, ev: &sse::Event, on: &mut dyn FnMut(Delta)) -> Result<bool, ChatError> {
        let v = json(&ev.data)?;
        let kind = v["type"].as_str().or(ev.event.as_deref()).unwrap_or("");
        match kind {
            "content_block_start" => {
                let i = super::block_index(v["index"].as_u64().unwrap_or(self.parts.len() as u64))?;
                let b = &v["content_block"];
                let part = match b["type"].as_str() {
                    Some("text") => {
                        let t = b["text"].as_str().unwrap_or("").to_string();
                        if !t.is_empty() {
                            on(Delta::Text(t.clone()));
                        }
                        Part::Text(t)
                    }
                    Some("tool_use") => {
                        let name = b["name"].as_str().unwrap_or("").to_string();
                        on(Delta::ToolStart(name.clone()));
                        Part::Tool {
                            id: b["id"].as_str().unwrap_or("").to_string(),
                            name,
                            json: String::new(),
                            input: None,
                        }
                    }
                    _ => Part::Other,
                };
                while self.parts.len() < i {
                    self.parts.push(Part::Other);
                }
                if i < self.parts.len() {
                    self.parts[i] = part;
                } else {
                    self.parts.push(part);
                }
            }
            "content_block_delta" => {
                let i = v["index"].as_u64().unwrap_or(0) as usize;
                let d = &v["delta"];
                match (self.parts.get_mut(i), d["type"].as_str()) {
                    (Some(Part::Text(t)), Some("text_delta")) => {
                        let s = d["text"].as_str().unwrap_or("");
                        t.push_str(s);
                        on(Delta::Text(s.to_string()));
                    }
                    (Some(Part::Tool { json, .. }), Some("input_json_delta")) => {
                        json.push_str(d["partial_json"].as_str().unwrap_or(""));
                    }
                    _ => {}
                }
            }
            "content_block_stop" => {
                let i = v["index"].as_u64().unwrap_or(0) as usize;
                if let Some(Part::Tool {
                    json: text,
                    input,
                    name,
                    ..
                }) = self.parts.get_mut(i)
                {
                    let _ = name;
                    *input = Some(super::arguments(text));
                }
            }
            "message_delta" => {
                if let Some(r) = v["delta"]["stop_reason"].as_str() {
                    self.stop_reason = Some(r.to_string());
                }
            }
            "message_stop" => return Ok(true),
            "error" => {
                let e = &v["error"];
                return Err(ChatError::Api(crate::quote::clip(
                    &format!(
                        "{}: {}",
                        e["type"].as_str().unwrap_or("error"),
                        e["message"].as_str().unwrap_or("no details")
                    ),
                    super::MAX_SERVER_MESSAGE,
                )));
            }
            _ => {}
        }
        Ok(false)
    }

    pub fn finish(self, done: bool) -> Result<super::Reply, ChatError> {
        if !done {
            return Err(ChatError::Dropped("no message_stop event".into()));
        }
        let mut content = Vec::new();
        for p in self.parts {
            match p {
                Part::Text(t) if !t.is_empty() => content.push(Block::Text { text: t }),
                Part::Tool {
                    id,
                    name,
                    input,
                    json,
                } => {
                    let input = input.unwrap_or_else(|| super::arguments(&json));
                    content.push(Block::ToolUse { id, name, input })
                }
                _ => {}
            }
        }
        Ok(super::Reply {
            message: Message {
                role: Role::Assistant,
                content,
            },
            cut_off: self.stop_reason.as_deref() == Some("max_tokens"),
        })
    }
}
