//! A real local HTTP/1.1 server that plays a scripted model: it speaks the
//! Anthropic Messages streaming protocol and OpenAI chat-completions
//! streaming (server-sent events, sent in small chunks so events and JSON
//! are cut at odd places), and can fail on purpose (status codes,
//! retry-after, a dropped stream, a hang). It records every request.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Value,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// What to answer one request with.
#[derive(Debug, Clone)]
pub enum Reply {
    /// 200 with an event stream, sent in these chunks.
    Sse(Vec<Vec<u8>>),
    /// A status with headers and a body.
    Status(u16, Vec<(&'static str, String)>, String),
    /// 200, these chunks, then the connection closes mid-stream.
    Drop(Vec<Vec<u8>>),
    /// Accept, read the request, say nothing for this long.
    Hang(Duration),
    /// Answer with the reply after this long (a model thinking).
    Late(Duration, Box<Reply>),
}

pub struct Server {
    pub url: String,
    pub requests: Arc<Mutex<Vec<Recorded>>>,
}

impl Server {
    /// Serve `replies` in order, one per request; later requests get a 500.
    pub fn start(replies: Vec<Reply>) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(Mutex::new(Vec::new()));
        let recorded = requests.clone();
        std::thread::spawn(move || {
            let mut replies = replies.into_iter();
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let reply = replies.next().unwrap_or(Reply::Status(
                    500,
                    vec![],
                    r#"{"error":{"message":"no more scripted replies"}}"#.into(),
                ));
                let recorded = recorded.clone();
                // One thread per connection, so a hang does not block the next.
                std::thread::spawn(move || {
                    let _ = serve(stream, reply, &recorded);
                });
            }
        });
        Server { url, requests }
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.requests.lock().unwrap().clone()
    }
}

fn serve(stream: TcpStream, reply: Reply, recorded: &Mutex<Vec<Recorded>>) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let path = line.split_whitespace().nth(1).unwrap_or("").to_string();
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h)? == 0 || h.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = h.trim_end().split_once(':') {
            headers.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
    let len = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = vec![0; len];
    reader.read_exact(&mut body)?;
    recorded.lock().unwrap().push(Recorded {
        path,
        headers,
        body: serde_json::from_slice(&body).unwrap_or(Value::Null),
    });
    let mut out = stream;
    let reply = match reply {
        Reply::Late(d, r) => {
            std::thread::sleep(d);
            *r
        }
        r => r,
    };
    match reply {
        Reply::Status(code, headers, body) => {
            let mut head = format!(
                "HTTP/1.1 {code} Scripted\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n",
                body.len()
            );
            for (k, v) in headers {
                head += &format!("{k}: {v}\r\n");
            }
            out.write_all(format!("{head}\r\n{body}").as_bytes())?;
        }
        Reply::Sse(chunks) => {
            send_chunks(&mut out, &chunks)?;
            out.write_all(b"0\r\n\r\n")?;
        }
        Reply::Drop(chunks) => {
            send_chunks(&mut out, &chunks)?;
            out.flush()?;
            let _ = out.shutdown(std::net::Shutdown::Both);
        }
        Reply::Hang(d) => {
            std::thread::sleep(d);
            return Ok(());
        }
        Reply::Late(..) => unreachable!("unwrapped above"),
    }
    Ok(())
}

fn send_chunks(out: &mut TcpStream, chunks: &[Vec<u8>]) -> std::io::Result<()> {
    out.write_all(
        b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
    )?;
    for c in chunks {
        out.write_all(format!("{:x}\r\n", c.len()).as_bytes())?;
        out.write_all(c)?;
        out.write_all(b"\r\n")?;
        out.flush()?;
        std::thread::sleep(Duration::from_millis(1));
    }
    Ok(())
}

/// Cut a byte stream into small chunks at odd places (events, JSON and
/// UTF-8 characters end up split across chunks).
pub fn chunked(bytes: &[u8]) -> Vec<Vec<u8>> {
    bytes.chunks(23).map(<[u8]>::to_vec).collect()
}

/// What a scripted model message holds.
#[derive(Debug, Clone)]
pub enum Part {
    Text(String),
    /// A tool call: name and its arguments as JSON text (streamed in pieces).
    Tool(String, String),
}

pub fn text(t: &str) -> Part {
    Part::Text(t.to_string())
}

pub fn tool(name: &str, args: Value) -> Part {
    Part::Tool(name.to_string(), args.to_string())
}

/// A tool call whose argument text is given raw (possibly not JSON).
pub fn tool_raw(name: &str, args: &str) -> Part {
    Part::Tool(name.to_string(), args.to_string())
}

fn pieces(s: &str, n: usize) -> Vec<String> {
    let chars: Vec<char> = s.chars().collect();
    let size = chars.len().div_ceil(n).max(1);
    chars.chunks(size).map(|c| c.iter().collect()).collect()
}

fn sse(event: Option<&str>, data: &Value) -> String {
    match event {
        Some(e) => format!("event: {e}\ndata: {data}\n\n"),
        None => format!("data: {data}\n\n"),
    }
}

/// One assistant message in the Anthropic streaming protocol.
pub fn anthropic(parts: &[Part]) -> Reply {
    Reply::Sse(chunked(anthropic_text(parts).as_bytes()))
}

pub fn anthropic_text(parts: &[Part]) -> String {
    let mut s = sse(
        Some("message_start"),
        &json!({"type": "message_start", "message": {"id": "msg_1", "type": "message", "role": "assistant",
            "content": [], "model": "claude-test", "stop_reason": null, "usage": {"input_tokens": 10, "output_tokens": 1}}}),
    );
    s += &sse(Some("ping"), &json!({"type": "ping"}));
    let mut uses_tools = false;
    for (i, p) in parts.iter().enumerate() {
        match p {
            Part::Text(t) => {
                s += &sse(
                    Some("content_block_start"),
                    &json!({"type": "content_block_start", "index": i,
                    "content_block": {"type": "text", "text": ""}}),
                );
                for piece in pieces(t, 3) {
                    s += &sse(
                        Some("content_block_delta"),
                        &json!({"type": "content_block_delta", "index": i,
                        "delta": {"type": "text_delta", "text": piece}}),
                    );
                }
            }
            Part::Tool(name, args) => {
                uses_tools = true;
                s += &sse(
                    Some("content_block_start"),
                    &json!({"type": "content_block_start", "index": i,
                    "content_block": {"type": "tool_use", "id": format!("toolu_{i}_{name}"), "name": name, "input": {}}}),
                );
                for piece in pieces(args, 4) {
                    s += &sse(
                        Some("content_block_delta"),
                        &json!({"type": "content_block_delta", "index": i,
                        "delta": {"type": "input_json_delta", "partial_json": piece}}),
                    );
                }
            }
        }
        s += &sse(
            Some("content_block_stop"),
            &json!({"type": "content_block_stop", "index": i}),
        );
    }
    s += &sse(
        Some("message_delta"),
        &json!({"type": "message_delta",
        "delta": {"stop_reason": if uses_tools { "tool_use" } else { "end_turn" }, "stop_sequence": null},
        "usage": {"output_tokens": 20}}),
    );
    s += &sse(Some("message_stop"), &json!({"type": "message_stop"}));
    s
}

/// One assistant message in the OpenAI chat-completions streaming protocol.
pub fn openai(parts: &[Part]) -> Reply {
    Reply::Sse(chunked(openai_text(parts).as_bytes()))
}

pub fn openai_text(parts: &[Part]) -> String {
    let chunk = |delta: Value, finish: Value| {
        sse(
            None,
            &json!({"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1, "model": "test",
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}),
        )
    };
    let mut s = chunk(json!({"role": "assistant", "content": ""}), Value::Null);
    let mut calls = Vec::new();
    for p in parts {
        match p {
            Part::Text(t) => {
                for piece in pieces(t, 3) {
                    s += &chunk(json!({"content": piece}), Value::Null);
                }
            }
            Part::Tool(name, args) => calls.push((name, pieces(args, 4))),
        }
    }
    // Calls start in order; their argument pieces interleave, so only the
    // index ties a piece to its call.
    for (i, (name, _)) in calls.iter().enumerate() {
        s += &chunk(
            json!({"tool_calls": [{"index": i, "id": format!("call_{i}"), "type": "function",
            "function": {"name": name, "arguments": ""}}]}),
            Value::Null,
        );
    }
    let most = calls.iter().map(|(_, p)| p.len()).max().unwrap_or(0);
    for k in 0..most {
        for (i, (_, p)) in calls.iter().enumerate().rev() {
            if let Some(piece) = p.get(k) {
                s += &chunk(
                    json!({"tool_calls": [{"index": i, "function": {"arguments": piece}}]}),
                    Value::Null,
                );
            }
        }
    }
    let finish = if calls.is_empty() {
        "stop"
    } else {
        "tool_calls"
    };
    s += &chunk(json!({}), json!(finish));
    s += "data: [DONE]\n\n";
    s
}
