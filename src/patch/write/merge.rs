//! The three-way merge behind every save: the file's text, what that text
//! means (`before`, spelled by our serializer) and what the session is now
//! (`after`, spelled the same way). Where `before` and `after` agree the
//! file's bytes are copied; where they differ only the differing values are
//! rewritten, items are inserted in the style of their neighbours and
//! removed with their own comment lines.
//!
//! Control thread only; pure text in, text out.

use std::collections::BTreeMap;

use super::cst::{indent_at, line_start, Item, Node, Seq, Shape};
use super::render::Style;

/// The three texts a merge reads.
pub struct Merge<'a> {
    pub style: Style<'a>,
    pub before: &'a str,
    pub after: &'a str,
    /// Names given since the file was read (new name → the file's name),
    /// so a renamed list item is still the same item.
    pub renamed: &'a BTreeMap<String, String>,
}

/// One item of a merged sequence: an item of the file (its index, with its
/// value's new text) or a fresh one.
enum Entry {
    Kept(usize, String),
    Fresh(String),
}

impl Merge<'_> {
    fn text(&self) -> &str {
        self.style.text
    }

    /// The new text of the file's node `t`, which reads as `b` and must now
    /// read as `a` (`b` is None when the serializer left the value out,
    /// because the file spells a default).
    pub fn node(&self, t: &Node, b: Option<&Node>, a: &Node) -> String {
        let src = self.text();
        let Some(b) = b else {
            return self.fresh(a, Some(t));
        };
        if b.canon(self.before) == a.canon(self.after) {
            return t.text(src).to_string();
        }
        // `Some(x)` in the file where the serializer writes a bare `x`.
        if let (Some("Some"), Some(ts)) = (t.name(src), &t.seq) {
            if let ([inner], false) = (&ts.items[..], b.name(self.before) == Some("Some")) {
                if inner.key.is_none() {
                    let v = &inner.value;
                    return format!(
                        "{}{}{}",
                        &src[t.start..v.start],
                        self.node(v, Some(b), a),
                        &src[v.end..t.end]
                    );
                }
            }
        }
        match (&t.seq, &b.seq, &a.seq) {
            (Some(ts), Some(bs), Some(as_))
                if ts.shape == bs.shape
                    && bs.shape == as_.shape
                    && b.name(self.before) == a.name(self.after)
                    && t.name(src).is_none_or(|n| Some(n) == b.name(self.before)) =>
            {
                let keyed = |s: &Seq| s.items.iter().all(|i| i.key.is_some());
                let entries = match ts.shape {
                    Shape::List => self.list(ts, bs, as_),
                    Shape::Paren if !keyed(ts) || !keyed(bs) || !keyed(as_) => {
                        self.positional(ts, bs, as_)
                    }
                    _ => Some(self.keyed(ts, bs, as_)),
                };
                match entries {
                    Some(e) => self.emit(t, ts, e),
                    None => self.fresh(a, Some(t)),
                }
            }
            _ => self.fresh(a, Some(t)),
        }
    }

    /// `a` written fresh where the file's node `t` stands.
    fn fresh(&self, a: &Node, t: Option<&Node>) -> String {
        let indent = t.map_or("", |t| indent_at(self.text(), t.start));
        self.style.render(self.after, a, t, indent)
    }

    /// The value text of a file item merged, with its key as the file writes it.
    fn item(&self, ti: &Item, b: Option<&Item>, a: &Item) -> String {
        let src = self.text();
        format!(
            "{}{}",
            &src[ti.start..ti.value.start],
            self.node(&ti.value, b.map(|b| &b.value), &a.value)
        )
    }

    /// A fresh item (key and value) at `indent`, shaped like `tmpl`.
    fn fresh_item(&self, a: &Item, tmpl: Option<&Node>, indent: &str) -> String {
        let value = self.style.render(self.after, &a.value, tmpl, indent);
        match a.key_text(self.after) {
            Some(_) => format!("{}{value}", &self.after[a.start..a.value.start]),
            None => value,
        }
    }

    /// Tuples: item by item when the arity stays.
    fn positional(&self, ts: &Seq, bs: &Seq, as_: &Seq) -> Option<Vec<Entry>> {
        if ts.items.len() != bs.items.len() || bs.items.len() != as_.items.len() {
            return None;
        }
        Some(
            (ts.items.iter().zip(&bs.items).zip(&as_.items))
                .enumerate()
                .map(|(k, ((t, b), a))| Entry::Kept(k, self.item(t, Some(b), a)))
                .collect(),
        )
    }

    /// Structs and maps: matched by key; the file's order stays, a new key
    /// goes after the one that precedes it in `after`.
    fn keyed(&self, ts: &Seq, bs: &Seq, as_: &Seq) -> Vec<Entry> {
        let src = self.text();
        let find = |s: &Seq, text: &str, key: &str| {
            s.items
                .iter()
                .position(|i| i.key_text(text).as_deref() == Some(key))
        };
        // (entry, the key it carries)
        let mut out: Vec<(Entry, String)> = Vec::new();
        for (k, ti) in ts.items.iter().enumerate() {
            let key = ti.key_text(src).unwrap_or_default();
            let b = find(bs, self.before, &key).and_then(|j| bs.items.get(j));
            match find(as_, self.after, &key).and_then(|j| as_.items.get(j)) {
                Some(a) => out.push((Entry::Kept(k, self.item(ti, b, a)), key)),
                // Left out by the serializer now: back to its default.
                None if b.is_some() => {}
                // A default the file spells out, still the default.
                None => out.push((Entry::Kept(k, src[ti.start..ti.value.end].to_string()), key)),
            }
        }
        let indent = item_indent(src, ts);
        for (j, a) in as_.items.iter().enumerate() {
            let key = a.key_text(self.after).unwrap_or_default();
            if out.iter().any(|(_, k)| *k == key) {
                continue;
            }
            let unchanged = find(bs, self.before, &key)
                .and_then(|i| bs.items.get(i))
                .is_some_and(|b| b.value.canon(self.before) == a.value.canon(self.after));
            if unchanged {
                continue;
            }
            let tmpl = match ts.shape {
                Shape::Map => ts.items.first().map(|i| &i.value),
                _ => None,
            };
            let body = self.fresh_item(a, tmpl, &indent);
            // After the nearest earlier key of `after` that is in the file.
            let at = as_.items[..j]
                .iter()
                .rev()
                .find_map(|p| {
                    let pk = p.key_text(self.after)?;
                    out.iter().position(|(_, k)| *k == pk)
                })
                .map_or(0, |p| p + 1);
            out.insert(at, (Entry::Fresh(body), key));
        }
        out.into_iter().map(|(e, _)| e).collect()
    }

    /// Lists: items matched by identity (a `name` field, else the whole
    /// value) in order, then pairwise in the gaps; a moved item keeps its
    /// text and comments.
    fn list(&self, ts: &Seq, bs: &Seq, as_: &Seq) -> Option<Vec<Entry>> {
        if ts.items.len() != bs.items.len() {
            return None;
        }
        let ident = |n: &Node, text: &str, renamed: bool| match n.field(text, "name") {
            Some(f) => {
                let name = f.value.canon(text);
                let old = renamed
                    .then(|| self.renamed.get(name.trim_matches('"')))
                    .flatten();
                match old {
                    Some(old) => format!("name=\"{old}\""),
                    None => format!("name={name}"),
                }
            }
            None => n.canon(text),
        };
        let bk: Vec<String> = (bs.items.iter())
            .map(|i| ident(&i.value, self.before, false))
            .collect();
        let ak: Vec<String> = (as_.items.iter())
            .map(|i| ident(&i.value, self.after, true))
            .collect();
        let pairs = lcs(&bk, &ak);
        let mut from: Vec<Option<usize>> = vec![None; ak.len()];
        let mut used = vec![false; bk.len()];
        for &(i, j) in &pairs {
            from[j] = Some(i);
            used[i] = true;
        }
        // Moves: the same item elsewhere.
        for j in 0..ak.len() {
            if from[j].is_none() {
                if let Some(i) = (0..bk.len()).find(|&i| !used[i] && bk[i] == ak[j]) {
                    from[j] = Some(i);
                    used[i] = true;
                }
            }
        }
        // Changed items: pairwise within each gap between matched items.
        let mut fences: Vec<(usize, usize)> = vec![(0, 0)];
        fences.extend(pairs.iter().map(|&(i, j)| (i + 1, j + 1)));
        let ends = pairs.iter().copied().chain([(bk.len(), ak.len())]);
        for (&(bi, aj), (bend, aend)) in fences.iter().zip(ends) {
            let free_b: Vec<usize> = (bi..bend).filter(|&i| !used[i]).collect();
            let free_a: Vec<usize> = (aj..aend).filter(|&j| from[j].is_none()).collect();
            for (i, j) in free_b.into_iter().zip(free_a) {
                from[j] = Some(i);
                used[i] = true;
            }
        }
        let indent = item_indent(self.text(), ts);
        Some(
            as_.items
                .iter()
                .enumerate()
                .map(|(j, a)| match from[j] {
                    Some(i) => Entry::Kept(i, self.item(&ts.items[i], Some(&bs.items[i]), a)),
                    None => {
                        let name = a.value.name(self.after);
                        let tmpl = ts
                            .items
                            .iter()
                            .find(|t| t.value.name(self.text()) == name)
                            .or(ts.items.first())
                            .map(|t| &t.value);
                        Entry::Fresh(self.fresh_item(a, tmpl, &indent))
                    }
                })
                .collect(),
        )
    }

    /// Write the sequence `t` with `entries` in place of its items.
    fn emit(&self, t: &Node, ts: &Seq, entries: Vec<Entry>) -> String {
        let src = self.text();
        let n = ts.items.len();
        let in_place = entries.len() == n
            && entries
                .iter()
                .enumerate()
                .all(|(k, e)| matches!(e, Entry::Kept(i, _) if *i == k));
        let lay = Layout::of(src, ts);
        if in_place {
            let mut out = src[t.start..lay.after_open].to_string();
            for (k, e) in entries.iter().enumerate() {
                if let Entry::Kept(i, body) = e {
                    let item = &ts.items[*i];
                    out.push_str(&src[lay.bounds[k]..item.start]);
                    out.push_str(body);
                    out.push_str(&src[item.value.end..lay.bounds[k + 1]]);
                }
            }
            out.push_str(&src[lay.bounds[n]..t.end]);
            return out;
        }
        let fresh_multi = entries
            .iter()
            .any(|e| matches!(e, Entry::Fresh(b) if b.contains('\n')));
        if (n > 0 && t.multiline(src)) || (n == 0 && fresh_multi) {
            self.emit_lines(t, ts, &lay, entries)
        } else {
            self.emit_inline(t, ts, entries)
        }
    }

    fn emit_lines(&self, t: &Node, ts: &Seq, lay: &Layout, entries: Vec<Entry>) -> String {
        let src = self.text();
        let n = ts.items.len();
        let indent = item_indent(src, ts);
        let trailing = ts.items.last().is_none_or(|i| i.comma.is_some());
        let closing = &src[lay.bounds[n]..t.end];
        let hanging = n > 0 && !src[..lay.bounds[n]].ends_with('\n');
        let mut out = src[t.start..lay.after_open].to_string();
        if n == 0 {
            // Whatever the empty brackets held (a comment) stays on their line.
            let inside = src[ts.open + 1..ts.close].trim();
            if !inside.is_empty() {
                out.push(' ');
                out.push_str(inside);
            }
            out.push('\n');
        }
        let count = entries.len();
        for (k, e) in entries.into_iter().enumerate() {
            let last = k + 1 == count;
            match e {
                Entry::Kept(i, body) => {
                    let item = &ts.items[i];
                    let post = &src[item.value.end..lay.bounds[i + 1]];
                    if !out.ends_with('\n') && lay.bounds[i] == item.start {
                        out.push('\n');
                        out.push_str(&indent);
                    }
                    out.push_str(&src[lay.bounds[i]..item.start]);
                    out.push_str(&body);
                    if item.comma.is_none() && !last {
                        out.push(',');
                    }
                    out.push_str(post);
                }
                Entry::Fresh(body) => {
                    if !out.ends_with('\n') {
                        out.push('\n');
                    }
                    out.push_str(&indent);
                    out.push_str(&body);
                    if trailing || !last {
                        out.push(',');
                    }
                    if !(last && hanging) {
                        out.push('\n');
                    }
                }
            }
        }
        if n == 0 {
            out.push_str(indent_at(src, t.start));
            out.push_str(&src[ts.close..t.end]);
        } else {
            out.push_str(closing);
        }
        out
    }

    fn emit_inline(&self, t: &Node, ts: &Seq, entries: Vec<Entry>) -> String {
        let src = self.text();
        let bodies: Vec<String> = entries
            .into_iter()
            .map(|e| match e {
                Entry::Kept(_, body) | Entry::Fresh(body) => body,
            })
            .collect();
        let first = ts.items.first().map_or(ts.close, |i| i.start);
        let pad = &src[ts.open + 1..first];
        let pad = match pad.trim() {
            "" => pad.to_string(),
            // A comment in empty brackets stays in front of the new items.
            c if ts.items.is_empty() => format!("{c} "),
            _ => String::new(),
        };
        let end = ts
            .items
            .last()
            .map_or(ts.close, |i| i.comma.map_or(i.value.end, |c| c + 1));
        let trailing = ts.items.last().is_some_and(|i| i.comma.is_some()) && !bodies.is_empty();
        format!(
            "{}{pad}{}{}{}",
            &src[t.start..=ts.open],
            bodies.join(", "),
            if trailing { "," } else { "" },
            &src[end..t.end]
        )
    }
}

/// Where each item's own text begins and ends: `bounds[k]` is where item
/// k's chunk (its leading comment lines) starts, `bounds[n]` where the
/// closing part begins; a chunk runs to the end of the line of its comma.
struct Layout {
    after_open: usize,
    bounds: Vec<usize>,
}

impl Layout {
    fn of(src: &str, ts: &Seq) -> Self {
        let after_open = rest_of_line(src, ts.open + 1);
        let mut bounds = vec![after_open];
        for item in &ts.items {
            let after = item.comma.map_or(item.value.end, |c| c + 1);
            bounds.push(rest_of_line(src, after));
        }
        Self { after_open, bounds }
    }
}

/// `at`, or past the end of its line when only trivia follows it there.
fn rest_of_line(src: &str, at: usize) -> usize {
    let b = src.as_bytes();
    let mut i = at;
    while matches!(b.get(i), Some(b' ' | b'\t' | b'\r')) {
        i += 1;
    }
    if b.get(i..i + 2) == Some(b"//") {
        while b.get(i).is_some_and(|&c| c != b'\n') {
            i += 1;
        }
    }
    if b.get(i) == Some(&b'\n') {
        i + 1
    } else {
        at
    }
}

/// The indentation of a sequence's items (its own line's plus one unit
/// when it has none yet).
fn item_indent(src: &str, ts: &Seq) -> String {
    match ts.items.first() {
        Some(i) if line_start(src, i.start) != line_start(src, ts.open) => {
            indent_at(src, i.start).to_string()
        }
        _ => {
            let unit = super::render::indent_unit(src);
            format!("{}{unit}", indent_at(src, ts.open))
        }
    }
}

/// Longest common subsequence of two key lists, as index pairs in order.
fn lcs(a: &[String], b: &[String]) -> Vec<(usize, usize)> {
    let (n, m) = (a.len(), b.len());
    let mut t = vec![vec![0u16; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            t[i][j] = if a[i] == b[j] {
                t[i + 1][j + 1] + 1
            } else {
                t[i + 1][j].max(t[i][j + 1])
            };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < n && j < m {
        if a[i] == b[j] {
            out.push((i, j));
            i += 1;
            j += 1;
        } else if t[i + 1][j] >= t[i][j + 1] {
            i += 1;
        } else {
            j += 1;
        }
    }
    out
}
