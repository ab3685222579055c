//! One model round trip: build the request for the configured provider,
//! send it (retrying 429 and 5xx, honouring retry-after), read the streamed
//! reply and assemble it into one assistant [`Message`].
//!
//! Runs on the chat worker thread, inside its tokio runtime; never on the
//! UI or audio thread. It knows the wire formats (in `anthropic.rs` and
//! `openai.rs`) but nothing of the session: tools arrive as JSON schemas and
//! tool calls leave as JSON. The API key goes into one request header marked
//! sensitive and nowhere else.

pub mod anthropic;
pub mod openai;
mod stream;

pub use stream::{Stream, MAX_BLOCKS, MAX_ERROR_BODY, MAX_REPLY_BYTES};

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderValue};
use serde_json::Value;

use super::config::{ChatConfig, ProviderKind};
use super::error::ChatError;
use super::message::{Message, ToolDef, INVALID_ERROR, INVALID_JSON};

/// What one request carries.
pub struct Request<'a> {
    /// The system prompt's stable part (cacheable).
    pub stable: &'a str,
    /// The system prompt's changing part (the session now).
    pub context: &'a str,
    pub messages: &'a [Message],
    pub tools: &'a [ToolDef],
}

/// Something the reply did while streaming, for the pane.
#[derive(Debug, Clone, PartialEq)]
pub enum Delta {
    Text(String),
    /// The model started a tool call.
    ToolStart(String),
}

/// One whole reply, and whether the provider cut it off at `max_tokens`
/// (Anthropic's `stop_reason: "max_tokens"`, OpenAI's `finish_reason:
/// "length"`) rather than the model ending it.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    pub message: Message,
    pub cut_off: bool,
}

/// Cancels a request in flight (Esc in the pane).
#[derive(Debug, Default)]
pub struct Cancel {
    flag: AtomicBool,
    notify: tokio::sync::Notify,
}

impl Cancel {
    pub fn cancel(&self) {
        self.flag.store(true, Ordering::SeqCst);
        self.notify.notify_one();
    }

    pub fn is_cancelled(&self) -> bool {
        self.flag.load(Ordering::SeqCst)
    }

    /// Resolves once cancelled.
    pub async fn cancelled(&self) {
        while !self.is_cancelled() {
            self.notify.notified().await;
        }
        // Leave a permit for the next waiter.
        self.notify.notify_one();
    }
}

/// An HTTP client for the chat (connect timeout from the config).
pub fn client(cfg: &ChatConfig) -> Result<reqwest::Client, ChatError> {
    reqwest::Client::builder()
        .connect_timeout(cfg.timeout)
        .build()
        .map_err(|e| ChatError::Connect {
            url: cfg.base_url.clone(),
            message: e.to_string(),
        })
}

/// Send one request and stream the reply into a message. `on` sees the
/// text and tool calls as they arrive.
pub async fn complete(
    client: &reqwest::Client,
    cfg: &ChatConfig,
    req: &Request<'_>,
    cancel: &Cancel,
    on: &mut dyn FnMut(Delta),
) -> Result<Reply, ChatError> {
    if let Some(msg) = cfg.missing_key() {
        return Err(ChatError::NoKey(msg));
    }
    let (url, mut headers, body) = match cfg.provider {
        ProviderKind::Anthropic => anthropic::request(cfg, req),
        ProviderKind::OpenAi => openai::request(cfg, req),
    };
    headers.insert("content-type", HeaderValue::from_static("application/json"));
    let body = serde_json::to_vec(&body).map_err(|e| ChatError::Malformed(e.to_string()))?;
    let mut resp = send_with_retry(client, cfg, &url, headers, body, cancel).await?;
    let mut stream = Stream::new(cfg.provider);
    loop {
        let chunk = tokio::select! {
            c = tokio::time::timeout(cfg.timeout, resp.chunk()) => c,
            _ = cancel.cancelled() => return Err(ChatError::Cancelled),
        };
        let chunk = match chunk {
            Err(_) => return Err(ChatError::Timeout(cfg.timeout)),
            Ok(Err(e)) => return Err(ChatError::Dropped(plain_error(&e))),
            Ok(Ok(None)) => break,
            Ok(Ok(Some(c))) => c,
        };
        if stream.feed(&chunk, on)? {
            break;
        }
    }
    stream.finish_with(on)
}

/// At most [`MAX_ERROR_BODY`] bytes of an error response's body, within
/// the request's timeout.
async fn error_body(resp: &mut reqwest::Response, cfg: &ChatConfig) -> String {
    let mut body = Vec::new();
    while body.len() < MAX_ERROR_BODY {
        match tokio::time::timeout(cfg.timeout, resp.chunk()).await {
            Ok(Ok(Some(c))) => body.extend_from_slice(&c),
            _ => break,
        }
    }
    body.truncate(MAX_ERROR_BODY);
    String::from_utf8_lossy(&body).into_owned()
}

/// POST, retrying 429 and 5xx up to `max_retries` times: after the server's
/// retry-after (capped) or an exponential back-off. Returns a 2xx response.
async fn send_with_retry(
    client: &reqwest::Client,
    cfg: &ChatConfig,
    url: &str,
    headers: HeaderMap,
    body: Vec<u8>,
    cancel: &Cancel,
) -> Result<reqwest::Response, ChatError> {
    let mut attempt = 0u32;
    loop {
        let send = client
            .post(url)
            .headers(headers.clone())
            .body(body.clone())
            .send();
        let resp = tokio::select! {
            r = tokio::time::timeout(cfg.timeout, send) => r,
            _ = cancel.cancelled() => return Err(ChatError::Cancelled),
        };
        let mut resp = match resp {
            Err(_) => return Err(ChatError::Timeout(cfg.timeout)),
            Ok(Err(e)) if e.is_timeout() => return Err(ChatError::Timeout(cfg.timeout)),
            Ok(Err(e)) => {
                return Err(ChatError::Connect {
                    url: url.to_string(),
                    message: plain_error(&e),
                })
            }
            Ok(Ok(r)) => r,
        };
        let status = resp.status().as_u16();
        if resp.status().is_success() {
            return Ok(resp);
        }
        let retryable = status == 429 || (500..600).contains(&status);
        let wait = retry_after(resp.headers());
        let text = tokio::select! {
            t = error_body(&mut resp, cfg) => t,
            _ = cancel.cancelled() => return Err(ChatError::Cancelled),
        };
        let message = error_message(&text);
        if retryable && attempt < cfg.max_retries {
            let wait = wait
                .unwrap_or_else(|| cfg.backoff.saturating_mul(1 << attempt.min(16)))
                .min(cfg.max_retry_wait);
            attempt += 1;
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = cancel.cancelled() => return Err(ChatError::Cancelled),
            }
            continue;
        }
        return Err(match status {
            401 | 403 => ChatError::Auth {
                status,
                message,
                var: cfg.provider.key_var(),
            },
            429 => ChatError::RateLimited {
                retries: attempt,
                message,
            },
            s if s >= 500 => ChatError::Server {
                status,
                retries: attempt,
                message,
            },
            _ => ChatError::Http { status, message },
        });
    }
}

/// Most characters of a server's own error message passed on.
pub const MAX_SERVER_MESSAGE: usize = 500;

/// `retry-after-ms` or `retry-after` (seconds).
pub fn retry_after(h: &HeaderMap) -> Option<Duration> {
    let get = |k: &str| h.get(k).and_then(|v| v.to_str().ok()).map(str::trim);
    // A server's number may be anything (NaN, 1e300): only a finite one
    // within a day is a wait.
    let secs =
        |s: f64| (s.is_finite() && s >= 0.0).then(|| Duration::from_secs_f64(s.min(86_400.0)));
    if let Some(ms) = get("retry-after-ms").and_then(|v| v.parse::<f64>().ok()) {
        return secs(ms / 1000.0);
    }
    get("retry-after")
        .and_then(|v| v.parse::<f64>().ok())
        .and_then(secs)
}

/// The message inside an error body (`{"error": {"message": ...}}` in both
/// APIs), or the start of the body.
pub fn error_message(body: &str) -> String {
    if let Ok(v) = serde_json::from_str::<Value>(body) {
        let e = &v["error"];
        if let Some(m) = e["message"].as_str().or(e.as_str()) {
            return crate::quote::clip(m, MAX_SERVER_MESSAGE);
        }
    }
    let t = body.trim();
    if t.is_empty() {
        "no details given".into()
    } else {
        crate::quote::clip(t, 200)
    }
}

fn plain_error(e: &reqwest::Error) -> String {
    use std::error::Error;
    let mut s = e.to_string();
    let mut src = e.source();
    while let Some(inner) = src {
        s = format!("{s}: {inner}");
        src = inner.source();
    }
    s
}

/// A content block's index from the server, if it is one a reply can have.
fn block_index(i: u64) -> Result<usize, ChatError> {
    usize::try_from(i)
        .ok()
        .filter(|&i| i < MAX_BLOCKS)
        .ok_or_else(|| {
            ChatError::Malformed(format!(
                "content block {i}: a reply holds at most {MAX_BLOCKS}"
            ))
        })
}

/// Parse a streamed JSON payload.
fn json(data: &str) -> Result<Value, ChatError> {
    serde_json::from_str(data).map_err(|e| {
        let snippet: String = data.chars().take(60).collect();
        ChatError::Malformed(format!("{e} in `{snippet}`"))
    })
}

/// A tool call's streamed argument text as a JSON object.
fn arguments(text: &str) -> Value {
    if text.trim().is_empty() {
        return Value::Object(Default::default());
    }
    match serde_json::from_str::<Value>(text) {
        Ok(v @ Value::Object(_)) => v,
        Ok(other) => {
            serde_json::json!({ INVALID_JSON: other.to_string(), INVALID_ERROR: "the arguments must be a JSON object" })
        }
        Err(e) => serde_json::json!({ INVALID_JSON: text, INVALID_ERROR: e.to_string() }),
    }
}

/// A sensitive header value (never shown by reqwest's Debug).
fn secret(v: &str) -> HeaderValue {
    let mut h = HeaderValue::from_str(v).unwrap_or_else(|_| HeaderValue::from_static(""));
    h.set_sensitive(true);
    h
}
