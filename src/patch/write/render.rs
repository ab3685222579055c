//! Spelling a value the writer has to write fresh (a new track, a changed
//! number, an instrument of another kind) in the style of the text around
//! it: one line or several like its neighbour, names omitted where the
//! musician omits them, `120` rather than `120.0` where they write integers.
//!
//! Control thread only; pure functions from syntax trees to text.

use super::cst::{Key, Node, Shape};

/// A line this long or longer is broken into one item per line when there
/// is no neighbour to copy the style from.
const WIDTH: usize = 100;

/// The text being written and what a fresh value should look like in it.
pub struct Style<'a> {
    /// The file's text (templates are nodes of it).
    pub text: &'a str,
    /// One level of indentation as the file writes it.
    pub unit: &'a str,
}

impl Style<'_> {
    /// `node` (a value of the serializer's text `src`) written at a line
    /// indented by `indent`, shaped like `tmpl` (a node of the file) when
    /// there is one.
    pub fn render(&self, src: &str, node: &Node, tmpl: Option<&Node>, indent: &str) -> String {
        self.shaped(src, node, tmpl, indent, false)
    }

    /// `render`; inside a value written on one line (`inline`) everything
    /// stays on that line.
    fn shaped(
        &self,
        src: &str,
        node: &Node,
        tmpl: Option<&Node>,
        indent: &str,
        inline: bool,
    ) -> String {
        let Some(seq) = &node.seq else {
            return self.atom(node.text(src), tmpl);
        };
        let tseq = tmpl.and_then(|t| t.seq.as_ref());
        // A struct's name is optional: follow the neighbour. A different
        // name is a variant, which must be written.
        let keep_name = match (tseq, node.name(src)) {
            (Some(t), Some(_)) => t.name.is_some() || seq.shape != Shape::Paren,
            (None, Some(_)) => true,
            (_, None) => false,
        };
        let name = if keep_name { node.name(src) } else { None };
        let multi = !inline
            && !seq.items.is_empty()
            && match tmpl {
                Some(t) if t.seq.as_ref().is_some_and(|s| !s.items.is_empty()) => {
                    t.multiline(self.text)
                }
                _ => indent.len() + node.canon(src).len() > WIDTH,
            };
        let inner = if multi {
            format!("{indent}{}", self.unit)
        } else {
            indent.to_string()
        };
        let items: Vec<String> = seq
            .items
            .iter()
            .enumerate()
            .map(|(k, item)| {
                let child = tseq.and_then(|t| {
                    let same_key = item.key_text(src).and_then(|key| {
                        t.items
                            .iter()
                            .find(|ti| ti.key_text(self.text).as_deref() == Some(key.as_str()))
                    });
                    match seq.shape {
                        Shape::Paren if item.key.is_some() => same_key,
                        Shape::Map => same_key.or(t.items.first()),
                        _ => t.items.get(k).or(t.items.first()),
                    }
                    .map(|ti| &ti.value)
                });
                let value = self.shaped(src, &item.value, child, &inner, !multi);
                match &item.key {
                    Some(Key::Field(r)) => format!("{}: {value}", &src[r.clone()]),
                    Some(Key::Value(k)) => {
                        format!("{}: {value}", self.shaped(src, k, None, &inner, true))
                    }
                    None => value,
                }
            })
            .collect();
        let (o, c) = match seq.shape {
            Shape::Paren => ('(', ')'),
            Shape::List => ('[', ']'),
            Shape::Map => ('{', '}'),
        };
        let mut out = name.unwrap_or("").to_string();
        out.push(o);
        if multi {
            for item in items {
                out.push('\n');
                out.push_str(&inner);
                out.push_str(&item);
                out.push(',');
            }
            out.push('\n');
            out.push_str(indent);
        } else {
            out.push_str(&items.join(", "));
        }
        out.push(c);
        out
    }

    /// A number, string or identifier; `x.0` loses its `.0` unless the
    /// value it replaces was written with a decimal point.
    pub fn atom(&self, text: &str, tmpl: Option<&Node>) -> String {
        let decimal = tmpl.is_some_and(|t| t.seq.is_none() && t.text(self.text).contains('.'));
        match text.strip_suffix(".0") {
            Some(int) if !decimal && int.parse::<i64>().is_ok() => int.to_string(),
            _ => text.to_string(),
        }
    }
}

/// The file's indentation unit: the smallest step between the indents of
/// consecutive lines (four spaces when the file has none).
pub fn indent_unit(text: &str) -> String {
    let mut best: Option<&str> = None;
    let mut prev = 0usize;
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let n = line.len() - line.trim_start_matches([' ', '\t']).len();
        if n > prev {
            let step = &line[prev..n];
            if best.is_none_or(|b| step.len() < b.len()) {
                best = Some(step);
            }
        }
        prev = n;
    }
    best.unwrap_or("    ").to_string()
}
