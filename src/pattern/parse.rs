//! Parsers for pattern strings: drum step strings ([`parse_steps`]) and note
//! sequences in a subset of the TidalCycles mini-notation ([`parse_notes`]).
//!
//! Control thread only. Text in, [`Pattern`] or [`PatternError`] out: no
//! input may panic or hang, so nesting, repeat counts and tree depth are all
//! capped, and every error names a 1-based character column.

use std::fmt;
use std::sync::Arc;

mod atom;

use super::frac::Frac;
use super::model::{Hit, Node, Pattern};

#[cfg(test)]
pub(super) use atom::bjorklund;

/// Velocity of a note or `x` without a `:velocity` suffix.
const DEFAULT_VELOCITY: f32 = 0.8;
const ACCENT_VELOCITY: f32 = 1.0;
const GHOST_VELOCITY: f32 = 0.4;
/// Octave of a note written without one (`c` = `c3`).
const DEFAULT_OCTAVE: i32 = 3;
/// Deepest bracket nesting.
const MAX_NESTING: usize = 64;
/// Deepest pattern tree (brackets plus modifiers), which bounds query recursion.
const MAX_TREE_DEPTH: usize = 160;
/// Most modifiers on one step (`c3*2?@3` has three).
const MAX_MODIFIERS: usize = 16;
/// Largest `*n`, `/n`, `@n`, `!n` and euclid step count.
const MAX_COUNT: i64 = 1024;
/// Most steps in one sequence after `!` repeats and euclid expansion.
const MAX_STEPS: usize = 65_536;

/// Why a pattern string could not be read, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PatternError {
    /// 1-based character (not byte) column inside the pattern string.
    pub column: usize,
    /// Plain-language explanation for a musician.
    pub message: String,
}

impl fmt::Display for PatternError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "column {}: {}", self.column, self.message)
    }
}

impl std::error::Error for PatternError {}

fn error(column: usize, message: impl Into<String>) -> PatternError {
    PatternError {
        column,
        message: message.into(),
    }
}

/// One element of a sequence before it is laid out in time.
struct Step {
    node: Arc<Node>,
    /// How many steps it lasts (`@n`, `_`).
    weight: Frac,
    column: usize,
    /// Depth of `node`'s tree, tracked to cap query recursion.
    depth: usize,
}

impl Step {
    fn copy(&self) -> Step {
        Step {
            node: self.node.clone(),
            weight: self.weight,
            column: self.column,
            depth: self.depth,
        }
    }
}

/// Lay steps out side by side in one cycle. Returns the node and its total
/// weight; `steps` must be non-empty with positive weights.
fn sequence_node(mut steps: Vec<Step>) -> (Arc<Node>, Frac, usize) {
    let total = steps.iter().fold(Frac::ZERO, |acc, s| acc + s.weight);
    let depth = steps.iter().map(|s| s.depth).max().unwrap_or(0);
    if steps.len() == 1 {
        if let Some(s) = steps.pop() {
            // A lone step fills the whole cycle: no Seq node needed.
            return (s.node, total, depth);
        }
    }
    let mut at = Frac::ZERO;
    let mut children = Vec::with_capacity(steps.len());
    for s in steps {
        let begin = at / total;
        at = at + s.weight;
        children.push((s.node, begin, at / total));
    }
    (Arc::new(Node::Seq(children)), total, depth + 1)
}

/// Several layers as one node: a sequence, or a stack of sequences. Returns
/// the node, its step count (the longest layer's) and its tree depth. Every
/// layer must be non-empty.
fn stack(layers: Vec<Vec<Step>>) -> (Arc<Node>, Frac, usize) {
    let mut nodes = Vec::with_capacity(layers.len());
    let mut steps = Frac::ZERO;
    let mut depth = 0;
    for layer in layers {
        let (node, total, d) = sequence_node(layer);
        steps = steps.max(total);
        depth = depth.max(d);
        nodes.push(node);
    }
    if nodes.len() == 1 {
        if let Some(node) = nodes.pop() {
            return (node, steps, depth);
        }
    }
    (Arc::new(Node::Stack(nodes)), steps, depth + 1)
}

/// Parse a drum step string such as `"x..x ..X. | o_2."`.
///
/// One character per step: `x` hit (velocity 0.8), `X` accent (1.0),
/// `o` ghost (0.4), `1`–`9` velocity n/9, `.` `-` `~` rest, `_` hold the
/// previous step one step longer. Spaces and `|` are ignored. Hits have no
/// pitch (`note: None`). An empty string is a silent pattern of zero steps.
pub fn parse_steps(src: &str) -> Result<Pattern, PatternError> {
    let mut steps: Vec<Step> = Vec::new();
    for (i, ch) in src.chars().enumerate() {
        let column = i + 1;
        let velocity = match ch {
            'x' => Some(DEFAULT_VELOCITY),
            'X' => Some(ACCENT_VELOCITY),
            'o' => Some(GHOST_VELOCITY),
            '1'..='9' => Some((ch as u32 - '0' as u32) as f32 / 9.0),
            '.' | '-' | '~' => None,
            '_' => {
                let Some(last) = steps.last_mut() else {
                    return Err(error(
                        column,
                        "\"_\" holds the previous step longer, but there is no step before it",
                    ));
                };
                last.weight = last.weight + Frac::ONE;
                continue;
            }
            '|' => continue,
            c if c.is_whitespace() => continue,
            '0' => {
                return Err(error(
                    column,
                    "\"0\" is not a step: velocities go from 1 (softest) to 9, use . for a rest",
                ))
            }
            other => {
                return Err(error(
                    column,
                    format!(
                        "expected a step (x X o or 1-9 for a hit, . - ~ for a rest, _ to hold), found \"{other}\""
                    ),
                ))
            }
        };
        if steps.len() >= MAX_STEPS {
            return Err(error(
                column,
                format!("too many steps (the limit is {MAX_STEPS})"),
            ));
        }
        let node = match velocity {
            Some(velocity) => Node::Atom(Hit {
                note: None,
                velocity,
            }),
            None => Node::Silence,
        };
        steps.push(Step {
            node: Arc::new(node),
            weight: Frac::ONE,
            column,
            depth: 0,
        });
    }
    if steps.is_empty() {
        return Ok(Pattern::silence());
    }
    let (node, total, _) = sequence_node(steps);
    Ok(Pattern::from_arc(node, total))
}

/// Parse a note sequence in the mini-notation, e.g. `"a2 ~ [c3 e3]*2 <g3 b3>"`.
///
/// The plain note-sequence notation (notes, `~`, `_`, `:velocity`) is a
/// subset. See docs/patterns.md for the grammar. An empty (or all-space)
/// string is a silent pattern of zero steps.
pub fn parse_notes(src: &str) -> Result<Pattern, PatternError> {
    let mut p = Parser {
        chars: src.chars().collect(),
        pos: 0,
        nesting: 0,
        chances: 0,
    };
    let layers = p.layers(None)?;
    if let Some(ch) = p.peek() {
        // `layers` only stops early at a closing bracket it cannot match.
        return Err(error(
            p.column(),
            format!("unexpected \"{ch}\" with no matching opening bracket"),
        ));
    }
    if layers.len() == 1 && layers[0].is_empty() {
        return Ok(Pattern::silence());
    }
    let (node, steps, _) = stack(layers);
    Ok(Pattern::from_arc(node, steps))
}

/// What closes the bracket being parsed: `(closer, opener, opener column)`.
type Closing = Option<(char, char, usize)>;

struct Parser {
    chars: Vec<char>,
    pos: usize,
    nesting: usize,
    /// How many `?` were read so far: each gets its own seed.
    chances: u64,
}

fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '#' || c == '-'
}

impl Parser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn peek_at(&self, offset: usize) -> Option<char> {
        self.chars.get(self.pos + offset).copied()
    }

    fn column(&self) -> usize {
        self.pos + 1
    }

    fn skip_space(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.pos += 1;
        }
    }

    fn text(&self, from: usize, to: usize) -> String {
        self.chars[from..to.min(self.chars.len())].iter().collect()
    }

    /// Comma-separated sequences, up to (not including) the closer or the end.
    fn layers(&mut self, closing: Closing) -> Result<Vec<Vec<Step>>, PatternError> {
        let mut layers = Vec::new();
        loop {
            let layer_column = self.column();
            let steps = self.sequence(closing)?;
            let comma = self.peek() == Some(',');
            if steps.is_empty() && (comma || !layers.is_empty()) {
                return Err(error(
                    layer_column,
                    "empty part around \",\": put notes (or ~) on both sides of each comma",
                ));
            }
            layers.push(steps);
            if !comma {
                return Ok(layers);
            }
            self.pos += 1;
        }
    }

    /// Steps separated by spaces, up to a comma, the closer or the end.
    fn sequence(&mut self, closing: Closing) -> Result<Vec<Step>, PatternError> {
        let mut steps: Vec<Step> = Vec::new();
        loop {
            self.skip_space();
            let column = self.column();
            let Some(ch) = self.peek() else {
                if let Some((_, opener, at)) = closing {
                    return Err(error(
                        column,
                        format!("unclosed \"{opener}\" opened at column {at}"),
                    ));
                }
                return Ok(steps);
            };
            match ch {
                ',' => return Ok(steps),
                c if closing.is_some_and(|(closer, _, _)| closer == c) => return Ok(steps),
                ']' | '>' | ')' => {
                    return Err(match closing {
                        Some((closer, opener, at)) => error(
                            column,
                            format!(
                                "expected \"{closer}\" to close the \"{opener}\" opened at column {at}, found \"{ch}\""
                            ),
                        ),
                        None => error(column, format!("unexpected \"{ch}\" with no matching opening bracket")),
                    });
                }
                '_' => {
                    self.pos += 1;
                    let Some(last) = steps.last_mut() else {
                        return Err(error(
                            column,
                            "\"_\" holds the previous step longer, but there is no step before it",
                        ));
                    };
                    last.weight = last.weight + Frac::ONE;
                }
                '!' => {
                    self.pos += 1;
                    let extra = self.repeat_count(column)?;
                    let Some(last) = steps.last() else {
                        return Err(error(
                            column,
                            "\"!\" repeats the previous step, but there is no step before it",
                        ));
                    };
                    let copy = last.copy();
                    Self::push_copies(&mut steps, copy, extra, column)?;
                }
                _ => {
                    let (step, copies) = self.term()?;
                    Self::push_copies(&mut steps, step, copies, column)?;
                }
            }
        }
    }

    fn push_copies(
        steps: &mut Vec<Step>,
        step: Step,
        copies: usize,
        column: usize,
    ) -> Result<(), PatternError> {
        if steps.len() + copies > MAX_STEPS {
            return Err(error(
                column,
                format!("too many steps (the limit is {MAX_STEPS})"),
            ));
        }
        for _ in 1..copies {
            steps.push(step.copy());
        }
        if copies > 0 {
            steps.push(step);
        }
        Ok(())
    }

    /// After a `!`: how many more copies to add (`!` alone = 1, `!3` = 2).
    fn repeat_count(&mut self, column: usize) -> Result<usize, PatternError> {
        if !self.peek().is_some_and(|c| c.is_ascii_digit()) {
            return Ok(1);
        }
        let n = self.integer(false, "\"!\"")?;
        if !(1..=MAX_COUNT).contains(&n) {
            return Err(error(
                column,
                format!("\"!\" repeats between 1 and {MAX_COUNT} times, found {n}"),
            ));
        }
        Ok(n as usize - 1)
    }

    /// One step with its modifiers. Returns it and how many copies `!` asks for.
    fn term(&mut self) -> Result<(Step, usize), PatternError> {
        let column = self.column();
        let Some(ch) = self.peek() else {
            return Err(error(column, "expected a note like c3, f#2 or a rest ~"));
        };
        let (mut node, mut depth, is_atom) = match ch {
            '~' => {
                self.pos += 1;
                (Arc::new(Node::Silence), 0, false)
            }
            '[' | '<' => {
                let (node, depth) = self.bracket(ch, column)?;
                (node, depth, false)
            }
            '.' => return Err(error(
                column,
                "\".\" is not a rest in notes: write ~ for a rest (dots are for Steps patterns)",
            )),
            c if is_word_char(c) => (Arc::new(self.atom()?), 0, true),
            other => {
                return Err(error(
                    column,
                    format!("expected a note like c3, f#2 or a rest ~, found \"{other}\""),
                ))
            }
        };
        if is_atom && self.peek() == Some(':') {
            let colon = self.column();
            self.pos += 1;
            let velocity = self.velocity(colon)?;
            if let Node::Atom(hit) = &*node {
                node = Arc::new(Node::Atom(Hit {
                    note: hit.note,
                    velocity,
                }));
            }
        }
        let mut weight = Frac::ONE;
        let mut copies = 1usize;
        let mut modifiers = 0;
        loop {
            let at = self.column();
            let Some(ch) = self.peek() else { break };
            match ch {
                '(' => {
                    let bools = self.euclid(at)?;
                    let silence = Arc::new(Node::Silence);
                    let children = bools
                        .iter()
                        .enumerate()
                        .map(|(i, &hit)| {
                            let slot = if hit { node.clone() } else { silence.clone() };
                            let n = bools.len() as i64;
                            (slot, Frac::new(i as i64, n), Frac::new(i as i64 + 1, n))
                        })
                        .collect();
                    node = Arc::new(Node::Seq(children));
                    depth += 1;
                }
                '*' | '/' => {
                    self.pos += 1;
                    let what = if ch == '*' { "\"*\"" } else { "\"/\"" };
                    let n = self.count(at, what)?;
                    let factor = if ch == '*' { n } else { Frac::ONE / n };
                    node = Arc::new(Node::Fast(node, factor));
                    depth += 1;
                }
                '?' => {
                    self.pos += 1;
                    let prob = if self.peek().is_some_and(|c| c.is_ascii_digit() || c == '.') {
                        let start = self.pos;
                        let p = self.number("\"?\"")?;
                        if p > Frac::ONE {
                            return Err(error(
                                start + 1,
                                format!(
                                    "the chance after \"?\" must be between 0 and 1, found {}",
                                    self.text(start, self.pos)
                                ),
                            ));
                        }
                        p.to_f64()
                    } else {
                        0.5
                    };
                    self.chances += 1;
                    node = Arc::new(Node::Degrade {
                        child: node,
                        prob,
                        seed: self.chances,
                    });
                    depth += 1;
                }
                '@' => {
                    self.pos += 1;
                    weight = self.count(at, "\"@\"")?;
                }
                '!' => {
                    // `c3!` and `c3!3`; a `!` after a space is handled by `sequence`.
                    self.pos += 1;
                    copies += self.repeat_count(at)?;
                    if copies > MAX_COUNT as usize {
                        return Err(error(
                            at,
                            format!("\"!\" repeats at most {MAX_COUNT} times"),
                        ));
                    }
                }
                ':' => {
                    return Err(error(
                        at,
                        "\":\" sets a velocity and goes right after a note, like c3:0.7",
                    ))
                }
                _ => break,
            }
            modifiers += 1;
            if modifiers > MAX_MODIFIERS {
                return Err(error(
                    at,
                    format!("too many modifiers on one step (the limit is {MAX_MODIFIERS})"),
                ));
            }
        }
        if depth > MAX_TREE_DEPTH {
            return Err(error(column, "this pattern is nested too deeply"));
        }
        Ok((
            Step {
                node,
                weight,
                column,
                depth,
            },
            copies,
        ))
    }

    /// `[...]` or `<...>` starting at the cursor.
    fn bracket(&mut self, opener: char, column: usize) -> Result<(Arc<Node>, usize), PatternError> {
        self.nesting += 1;
        if self.nesting > MAX_NESTING {
            return Err(error(
                column,
                format!("brackets are nested too deeply (the limit is {MAX_NESTING})"),
            ));
        }
        let closer = if opener == '[' { ']' } else { '>' };
        self.pos += 1;
        let layers = self.layers(Some((closer, opener, column)))?;
        // `layers` returns only at the closer; anything else was an error.
        self.pos += 1;
        self.nesting -= 1;
        if layers.iter().all(|l| l.is_empty()) {
            return Err(error(
                column,
                format!("empty \"{opener}{closer}\": put at least one note or ~ inside"),
            ));
        }
        if opener == '[' {
            let (node, _, depth) = stack(layers);
            return Ok((node, depth));
        }
        let mut alts = Vec::with_capacity(layers.len());
        let mut depth = 0;
        for layer in layers {
            let mut items = Vec::with_capacity(layer.len());
            let mut total: i64 = 0;
            for step in layer {
                if step.weight.denom() != 1 {
                    return Err(error(
                        step.column,
                        format!(
                            "inside \"< >\" a length (@ or _) counts whole cycles, found {}",
                            step.weight
                        ),
                    ));
                }
                let cycles = step.weight.numer();
                total = total.saturating_add(cycles);
                depth = depth.max(step.depth);
                items.push((step.node, cycles));
            }
            alts.push(Arc::new(Node::Alt { items, total }));
        }
        if alts.len() == 1 {
            if let Some(alt) = alts.pop() {
                return Ok((alt, depth + 1));
            }
        }
        Ok((Arc::new(Node::Stack(alts)), depth + 2))
    }
}
