//! A concrete syntax tree of RON text: every value with the byte span it
//! occupies, so the writer can replace one value and keep every other byte.
//!
//! Control thread only. It reads text that RON itself already accepted (the
//! file on disk, or our own serializer's output), so it only needs to know
//! where values, keys, commas and brackets are; comments and whitespace are
//! trivia between them. It never allocates more than a node per value.

use std::ops::Range;

/// One value: an atom (number, string, char, bare identifier) or a bracketed
/// sequence, possibly named (`Track(…)`, `Some(…)`, `Steps("…")`).
#[derive(Debug, Clone)]
pub struct Node {
    pub start: usize,
    pub end: usize,
    pub seq: Option<Seq>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// `( … )`: a struct (named fields) or a tuple (positional values).
    Paren,
    /// `[ … ]`
    List,
    /// `{ key: value, … }`
    Map,
}

#[derive(Debug, Clone)]
pub struct Seq {
    pub name: Option<Range<usize>>,
    pub shape: Shape,
    /// Byte of the opening bracket.
    pub open: usize,
    /// Byte of the closing bracket.
    pub close: usize,
    pub items: Vec<Item>,
}

#[derive(Debug, Clone)]
pub enum Key {
    /// `name: value` inside a struct.
    Field(Range<usize>),
    /// `key: value` inside a map.
    Value(Node),
}

#[derive(Debug, Clone)]
pub struct Item {
    /// Where the item's key (or value, when it has none) starts.
    pub start: usize,
    pub key: Option<Key>,
    pub value: Node,
    /// Byte of the comma after the item, when there is one.
    pub comma: Option<usize>,
}

/// Why text could not be read as RON (the writer then refuses).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{what} at byte {at}")]
pub struct SyntaxError {
    pub at: usize,
    pub what: &'static str,
}

/// Nested values deeper than this are refused (RON's own limit is similar).
const MAX_DEPTH: usize = 128;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tok {
    Open(u8),
    Close(u8),
    Comma,
    Colon,
    Atom,
}

struct Lexer<'a> {
    b: &'a [u8],
    toks: Vec<(Tok, usize, usize)>,
}

/// Is `c` a byte that ends a bare atom?
fn special(c: u8) -> bool {
    matches!(
        c,
        b'(' | b')' | b'[' | b']' | b'{' | b'}' | b',' | b':' | b'"' | b'\''
    ) || c.is_ascii_whitespace()
}

/// Where trivia (whitespace, comments, an `#![enable(…)]` attribute)
/// starting at `i` ends.
pub fn skip_trivia(b: &[u8], mut i: usize) -> usize {
    loop {
        match (b.get(i), b.get(i + 1)) {
            (Some(c), _) if c.is_ascii_whitespace() => i += 1,
            (Some(b'/'), Some(b'/')) => {
                while b.get(i).is_some_and(|&c| c != b'\n') {
                    i += 1;
                }
            }
            (Some(b'/'), Some(b'*')) => {
                let mut depth = 0usize;
                while i < b.len() {
                    if b[i..].starts_with(b"/*") {
                        depth += 1;
                        i += 2;
                    } else if b[i..].starts_with(b"*/") {
                        depth -= 1;
                        i += 2;
                        if depth == 0 {
                            break;
                        }
                    } else {
                        i += 1;
                    }
                }
            }
            (Some(b'#'), Some(b'!')) => {
                while b.get(i).is_some_and(|&c| c != b']') {
                    i += 1;
                }
                i += 1;
            }
            _ => return i.min(b.len()),
        }
    }
}

impl Lexer<'_> {
    fn run(mut self) -> Result<Vec<(Tok, usize, usize)>, SyntaxError> {
        let b = self.b;
        let mut i = skip_trivia(b, 0);
        while i < b.len() {
            let start = i;
            let tok = match b[i] {
                c @ (b'(' | b'[' | b'{') => {
                    i += 1;
                    Tok::Open(c)
                }
                c @ (b')' | b']' | b'}') => {
                    i += 1;
                    Tok::Close(c)
                }
                b',' => {
                    i += 1;
                    Tok::Comma
                }
                b':' => {
                    i += 1;
                    Tok::Colon
                }
                b'"' => {
                    i = quoted(b, i, b'"')?;
                    Tok::Atom
                }
                b'\'' => {
                    i = quoted(b, i, b'\'')?;
                    Tok::Atom
                }
                b'r' if matches!(b.get(i + 1), Some(b'"' | b'#')) => {
                    i = raw_string(b, i)?;
                    Tok::Atom
                }
                _ => {
                    while i < b.len() && !special(b[i]) && !b[i..].starts_with(b"//") {
                        i += 1;
                    }
                    Tok::Atom
                }
            };
            self.toks.push((tok, start, i));
            i = skip_trivia(b, i);
        }
        Ok(self.toks)
    }
}

fn quoted(b: &[u8], mut i: usize, q: u8) -> Result<usize, SyntaxError> {
    let start = i;
    i += 1;
    while let Some(&c) = b.get(i) {
        match c {
            b'\\' => i += 2,
            c if c == q => return Ok(i + 1),
            _ => i += 1,
        }
    }
    Err(SyntaxError {
        at: start,
        what: "unclosed string",
    })
}

fn raw_string(b: &[u8], start: usize) -> Result<usize, SyntaxError> {
    let mut i = start + 1;
    let mut hashes = 0;
    while b.get(i) == Some(&b'#') {
        hashes += 1;
        i += 1;
    }
    if b.get(i) != Some(&b'"') {
        // `r#ident`: a raw identifier.
        while i < b.len() && !special(b[i]) {
            i += 1;
        }
        return Ok(i);
    }
    i += 1;
    while i < b.len() {
        if b[i] == b'"'
            && b[i + 1..]
                .iter()
                .take(hashes)
                .filter(|&&c| c == b'#')
                .count()
                == hashes
        {
            return Ok(i + 1 + hashes);
        }
        i += 1;
    }
    Err(SyntaxError {
        at: start,
        what: "unclosed raw string",
    })
}

struct Parser<'a> {
    toks: &'a [(Tok, usize, usize)],
    at: usize,
    len: usize,
}

impl Parser<'_> {
    fn peek(&self, k: usize) -> Option<(Tok, usize, usize)> {
        self.toks.get(self.at + k).copied()
    }

    fn err(&self, what: &'static str) -> SyntaxError {
        SyntaxError {
            at: self.peek(0).map_or(self.len, |t| t.1),
            what,
        }
    }

    fn value(&mut self, depth: usize) -> Result<Node, SyntaxError> {
        if depth > MAX_DEPTH {
            return Err(self.err("values nested too deeply"));
        }
        let Some((tok, start, end)) = self.peek(0) else {
            return Err(self.err("a value was expected"));
        };
        match tok {
            Tok::Atom => {
                self.at += 1;
                if let Some((Tok::Open(b'('), ..)) = self.peek(0) {
                    let mut node = self.seq(depth)?;
                    node.start = start;
                    if let Some(s) = node.seq.as_mut() {
                        s.name = Some(start..end);
                    }
                    return Ok(node);
                }
                Ok(Node {
                    start,
                    end,
                    seq: None,
                })
            }
            Tok::Open(_) => self.seq(depth),
            _ => Err(self.err("a value was expected")),
        }
    }

    fn seq(&mut self, depth: usize) -> Result<Node, SyntaxError> {
        let Some((Tok::Open(c), open, _)) = self.peek(0) else {
            return Err(self.err("an opening bracket was expected"));
        };
        self.at += 1;
        let (shape, closer) = match c {
            b'(' => (Shape::Paren, b')'),
            b'[' => (Shape::List, b']'),
            _ => (Shape::Map, b'}'),
        };
        let mut items = Vec::new();
        loop {
            if let Some((Tok::Close(c), close, end)) = self.peek(0) {
                if c != closer {
                    return Err(self.err("mismatched closing bracket"));
                }
                self.at += 1;
                return Ok(Node {
                    start: open,
                    end,
                    seq: Some(Seq {
                        name: None,
                        shape,
                        open,
                        close,
                        items,
                    }),
                });
            }
            let start = self.peek(0).map_or(self.len, |t| t.1);
            let key = match (shape, self.peek(0), self.peek(1)) {
                (Shape::Paren, Some((Tok::Atom, s, e)), Some((Tok::Colon, ..))) => {
                    self.at += 2;
                    Some(Key::Field(s..e))
                }
                (Shape::Map, ..) => {
                    let k = self.value(depth + 1)?;
                    if !matches!(self.peek(0), Some((Tok::Colon, ..))) {
                        return Err(self.err("a `:` was expected after a map key"));
                    }
                    self.at += 1;
                    Some(Key::Value(k))
                }
                _ => None,
            };
            let value = self.value(depth + 1)?;
            let comma = match self.peek(0) {
                Some((Tok::Comma, at, _)) => {
                    self.at += 1;
                    Some(at)
                }
                Some((Tok::Close(_), ..)) => None,
                _ => return Err(self.err("a `,` or closing bracket was expected")),
            };
            items.push(Item {
                start,
                key,
                value,
                comma,
            });
        }
    }
}

/// Read `text` as one RON value surrounded by trivia.
pub fn parse(text: &str) -> Result<Node, SyntaxError> {
    let toks = Lexer {
        b: text.as_bytes(),
        toks: Vec::new(),
    }
    .run()?;
    let mut p = Parser {
        toks: &toks,
        at: 0,
        len: text.len(),
    };
    let root = p.value(0)?;
    if p.at != toks.len() {
        return Err(p.err("text after the end of the value"));
    }
    Ok(root)
}

impl Node {
    pub fn text<'t>(&self, src: &'t str) -> &'t str {
        src.get(self.start..self.end).unwrap_or("")
    }

    pub fn name<'t>(&self, src: &'t str) -> Option<&'t str> {
        self.seq
            .as_ref()
            .and_then(|s| s.name.clone())
            .and_then(|r| src.get(r))
    }

    /// The item of a struct named `field`.
    pub fn field<'n>(&'n self, src: &str, field: &str) -> Option<&'n Item> {
        self.seq.as_ref()?.items.iter().find(|i| match &i.key {
            Some(Key::Field(r)) => src.get(r.clone()) == Some(field),
            _ => false,
        })
    }

    /// Does this sequence put every item on a line of its own?
    pub fn multiline(&self, src: &str) -> bool {
        self.seq.as_ref().is_some_and(|s| {
            !s.items.is_empty()
                && s.items
                    .iter()
                    .all(|i| src[line_start(src, i.start)..i.start].trim().is_empty())
        })
    }

    /// A compact, canonical spelling: equal for equal values written by the
    /// same serializer, and a key for matching list items and map entries.
    pub fn canon(&self, src: &str) -> String {
        let mut out = String::new();
        self.canon_into(src, &mut out);
        out
    }

    fn canon_into(&self, src: &str, out: &mut String) {
        let Some(s) = &self.seq else {
            out.push_str(self.text(src));
            return;
        };
        if let Some(n) = self.name(src) {
            out.push_str(n);
        }
        let (o, c) = match s.shape {
            Shape::Paren => ('(', ')'),
            Shape::List => ('[', ']'),
            Shape::Map => ('{', '}'),
        };
        out.push(o);
        for (k, item) in s.items.iter().enumerate() {
            if k > 0 {
                out.push(',');
            }
            item.canon_key(src, out);
            item.value.canon_into(src, out);
        }
        out.push(c);
    }
}

impl Item {
    /// The key as text (`name` for a field, the canonical key of a map
    /// entry), or None for a positional value.
    pub fn key_text(&self, src: &str) -> Option<String> {
        match &self.key {
            Some(Key::Field(r)) => src.get(r.clone()).map(str::to_string),
            Some(Key::Value(k)) => Some(k.canon(src)),
            None => None,
        }
    }

    fn canon_key(&self, src: &str, out: &mut String) {
        if let Some(k) = self.key_text(src) {
            out.push_str(&k);
            out.push(':');
        }
    }
}

/// The byte where the line holding `at` starts.
pub fn line_start(src: &str, at: usize) -> usize {
    src.get(..at)
        .and_then(|s| s.rfind('\n'))
        .map_or(0, |i| i + 1)
}

/// The whitespace that starts the line holding `at`.
pub fn indent_at(src: &str, at: usize) -> &str {
    let from = line_start(src, at);
    let line = src.get(from..).unwrap_or("");
    let n = line.len() - line.trim_start_matches([' ', '\t']).len();
    line.get(..n).unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_cover_values_keys_and_commas() {
        let src = "// c\nSession(\n    tempo: 120, // fast\n    tracks: [T(name: \"a\")],\n)\n";
        let root = parse(src).unwrap();
        assert_eq!(root.name(src), Some("Session"));
        let t = root.field(src, "tempo").unwrap();
        assert_eq!(t.value.text(src), "120");
        assert!(t.comma.is_some());
        let tracks = root.field(src, "tracks").unwrap();
        assert_eq!(tracks.value.canon(src), "[T(name:\"a\")]");
        assert!(root.multiline(src));
        assert!(!tracks.value.multiline(src));
    }

    #[test]
    fn strings_with_brackets_and_comments_are_one_atom() {
        let src = r##"(a: "x // [y]", b: r#"q"# , /* (c) */ c: '(')"##;
        let root = parse(src).unwrap();
        assert_eq!(root.seq.as_ref().unwrap().items.len(), 3);
        assert_eq!(root.field(src, "b").unwrap().value.text(src), "r#\"q\"#");
    }

    #[test]
    fn broken_text_is_an_error_not_a_panic() {
        for bad in ["(a: 1", "(a: \"x)", "[1 2]", "(a: 1))", "{1}", "r#\"x"] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
