//! OpenAI-compatible chat completions (OpenAI, Ollama, llama.cpp's server,
//! vLLM, OpenRouter...): request body and streamed chunks.
//!
//! Chat worker thread, pure translation (no I/O): [`request`] builds the
//! POST to `{base}/chat/completions` (the base includes `/v1`, as in the
//! official SDKs; `Authorization: Bearer` only when a key is set; tools in
//! the function-calling format). [`Assembler`] joins `delta.content` and
//! `delta.tool_calls` (assembled by `index` across chunks) until `[DONE]`.

use reqwest::header::HeaderMap;
use serde_json::{json, Value};

use super::{json, secret, Delta, Request};
use crate::chat::config::ChatConfig;
use crate::chat::error::ChatError;
use crate::chat::message::{Block, Message, Role};
use crate::chat::sse;

pub fn request(cfg: &ChatConfig, req: &Request<'_>) -> (String, HeaderMap, Value) {
    let mut h = HeaderMap::new();
    if let Some(k) = &cfg.key {
        h.insert("authorization", secret(&format!("Bearer {}", k.expose())));
    }
    let mut messages = vec![json!({
        "role": "system",
        "content": format!("{}\n\n{}", req.stable, req.context),
    })];
    for m in req.messages {
        messages.extend(to_wire(m));
    }
    let tools: Vec<Value> = req
        .tools
        .iter()
        .map(|t| {
            json!({"type": "function", "function": {
                "name": t.name, "description": t.description, "parameters": t.schema}})
        })
        .collect();
    let body = json!({
        "model": cfg.model,
        "max_tokens": cfg.max_tokens,
        "stream": true,
        "messages": messages,
        "tools": tools,
    });
    (format!("{}/chat/completions", cfg.base_url), h, body)
}

/// One neutral message as chat-completions messages (tool results become
/// `role: tool` messages).
fn to_wire(m: &Message) -> Vec<Value> {
    match m.role {
        Role::User => {
            let mut out = Vec::new();
            let text = m.text();
            for b in &m.content {
                if let Block::ToolResult {
                    tool_use_id,
                    content,
                    is_error,
                } = b
                {
                    let content = if *is_error {
                        format!("ERROR: {content}")
                    } else {
                        content.clone()
                    };
                    out.push(
                        json!({"role": "tool", "tool_call_id": tool_use_id, "content": content}),
                    );
                }
            }
            if !text.is_empty() {
                out.push(json!({"role": "user", "content": text}));
            }
            out
        }
        Role::Assistant => {
            let calls: Vec<Value> = m
                .tool_calls()
                .into_iter()
                .map(|c| {
                    json!({"id": c.id, "type": "function", "function": {
                        "name": c.name, "arguments": c.input.to_string()}})
                })
                .collect();
            let text = m.text();
            let mut v = json!({"role": "assistant", "content": if text.is_empty() { Value::Null } else { Value::String(text) }});
            if !calls.is_empty() {
                v["tool_calls"] = Value::Array(calls);
            }
            vec![v]
        }
    }
}

#[derive(Default)]
struct Call {
    id: String,
    name: String,
    args: String,
    announced: bool,
}

#[derive(Default)]
pub struct Assembler {
    text: String,
    calls: Vec<Call>,
    finish: Option<String>,
}

impl Assembler {
    /// One chunk; true at `[DONE]`.
    pub fn event(&mut self, ev: &sse::Event, on: &mut dyn FnMut(Delta)) -> Result<bool, ChatError> {
        if ev.data.trim() == "[DONE]" {
            return Ok(true);
        }
        let v = json(&ev.data)?;
        if let Some(e) = v.get("error") {
            let msg = e["message"]
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| e.to_string());
            return Err(ChatError::Api(crate::quote::clip(
                &msg,
                super::MAX_SERVER_MESSAGE,
            )));
        }
        let Some(choice) = v["choices"].get(0) else {
            return Ok(false);
        };
        let d = &choice["delta"];
        if let Some(t) = d["content"].as_str() {
            if !t.is_empty() {
                self.text.push_str(t);
                on(Delta::Text(t.to_string()));
            }
        }
        if let Some(calls) = d["tool_calls"].as_array() {
            for c in calls {
                let i = super::block_index(
                    c["index"]
                        .as_u64()
                        .unwrap_or(self.calls.len().saturating_sub(1) as u64),
                )?;
                while self.calls.len() <= i {
                    self.calls.push(Call::default());
                }
                let call = &mut self.calls[i];
                if let Some(id) = c["id"].as_str() {
                    call.id = id.to_string();
                }
                let f = &c["function"];
                if let Some(n) = f["name"].as_str() {
                    call.name.push_str(n);
                }
                if let Some(a) = f["arguments"].as_str() {
                    call.args.push_str(a);
                }
                if !call.announced && !call.name.is_empty() {
                    call.announced = true;
                    on(Delta::ToolStart(call.name.clone()));
                }
            }
        }
        if let Some(f) = choice["finish_reason"].as_str() {
            self.finish = Some(f.to_string());
        }
        Ok(false)
    }

    pub fn finish(self, done: bool) -> Result<super::Reply, ChatError> {
        // Some servers end without `[DONE]`; a finish_reason marks a whole reply.
        if !done && self.finish.is_none() {
            return Err(ChatError::Dropped("no [DONE] and no finish_reason".into()));
        }
        let mut content = Vec::new();
        if !self.text.is_empty() {
            content.push(Block::Text { text: self.text });
        }
        for (i, c) in self.calls.into_iter().enumerate() {
            if c.name.is_empty() {
                continue;
            }
            let input = super::arguments(&c.args);
            let id = if c.id.is_empty() {
                format!("call_{i}")
            } else {
                c.id
            };
            content.push(Block::ToolUse {
                id,
                name: c.name,
                input,
            });
        }
        Ok(super::Reply {
            message: Message {
                role: Role::Assistant,
                content,
            },
            cut_off: self.finish.as_deref() == Some("length"),
        })
    }
}
