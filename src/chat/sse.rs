//! Server-sent events: turning a byte stream, cut anywhere, into events.
//!
//! Control side (the chat worker thread), pure: no I/O, no knowledge of
//! either provider's event names. Events are split on blank lines (`\n\n` or
//! `\r\n\r\n`), `data:` lines are joined with `\n`, comments are skipped, and
//! text is decoded only once an event is complete, so a UTF-8 character
//! split across two chunks is read correctly.

/// One event: its `event:` name (if any) and its data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub event: Option<String>,
    pub data: String,
}

/// An incremental parser.
#[derive(Debug, Default)]
pub struct Parser {
    buf: Vec<u8>,
    /// How far `buf` is known to hold no blank line, so a stream fed a
    /// byte at a time is scanned once, not once per byte.
    scanned: usize,
}

impl Parser {
    pub fn new() -> Self {
        Self::default()
    }

    /// Add bytes; return every event they complete.
    pub fn feed(&mut self, bytes: &[u8]) -> Vec<Event> {
        self.buf.extend_from_slice(bytes);
        let mut out = Vec::new();
        // A separator is at most 3 bytes: it may begin just before `scanned`.
        let mut from = self.scanned.saturating_sub(2);
        while let Some((end, skip)) = boundary(self.buf.get(from..).unwrap_or_default()) {
            let (end, skip) = (from + end, skip);
            let raw: Vec<u8> = self.buf.drain(..end + skip).take(end).collect();
            if let Some(ev) = parse_event(&String::from_utf8_lossy(&raw)) {
                out.push(ev);
            }
            from = 0;
        }
        self.scanned = self.buf.len();
        out
    }

    /// Whether bytes of an unfinished event are waiting.
    pub fn has_partial(&self) -> bool {
        self.buf.iter().any(|b| !b.is_ascii_whitespace())
    }

    /// The stream ended: a last event not followed by a blank line.
    pub fn finish(&mut self) -> Option<Event> {
        let raw = std::mem::take(&mut self.buf);
        self.scanned = 0;
        parse_event(&String::from_utf8_lossy(&raw))
    }
}

/// Where the first blank line is: (end of the event, length of the separator).
fn boundary(buf: &[u8]) -> Option<(usize, usize)> {
    let mut i = 0;
    while i < buf.len() {
        if buf[i] == b'\n' {
            if buf.get(i + 1) == Some(&b'\n') {
                return Some((i, 2));
            }
            if buf.get(i + 1) == Some(&b'\r') && buf.get(i + 2) == Some(&b'\n') {
                return Some((i, 3));
            }
        }
        i += 1;
    }
    None
}

fn parse_event(text: &str) -> Option<Event> {
    let mut event = None;
    let mut data: Option<String> = None;
    for line in text.lines() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.is_empty() || line.starts_with(':') {
            continue;
        }
        let (field, value) = match line.split_once(':') {
            Some((f, v)) => (f, v.strip_prefix(' ').unwrap_or(v)),
            None => (line, ""),
        };
        match field {
            "event" => event = Some(value.to_string()),
            "data" => match &mut data {
                Some(d) => {
                    d.push('\n');
                    d.push_str(value);
                }
                None => data = Some(value.to_string()),
            },
            _ => {}
        }
    }
    data.map(|data| Event { event, data })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_split_anywhere_come_out_whole() {
        let text = "event: a\ndata: {\"x\":\"é\"}\n\n: comment\n\ndata: one\r\ndata: two\r\n\r\ndata: [DONE]\n\n";
        let bytes = text.as_bytes();
        for cut in 1..bytes.len() {
            let mut p = Parser::new();
            let mut evs = p.feed(&bytes[..cut]);
            evs.extend(p.feed(&bytes[cut..]));
            assert_eq!(evs.len(), 3, "cut at {cut}");
            assert_eq!(evs[0].event.as_deref(), Some("a"));
            assert_eq!(evs[0].data, "{\"x\":\"é\"}");
            assert_eq!(evs[1].data, "one\ntwo");
            assert_eq!(evs[2].data, "[DONE]");
        }
    }
}
