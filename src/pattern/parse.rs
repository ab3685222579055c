//! Parsers for pattern strings: drum step strings ([`parse_steps`]) and note
//! sequences in a subset of the TidalCycles mini-notation ([`parse_notes`]).
//!
//! Control thread only. Text in, [`Pattern`] or [`PatternError`] out: no
//! input may panic or hang, so nesting, repeat counts and tree depth are all
//! capped, and every error names a 1-based character column.

use std::fmt;
use std::sync::Arc;

use super::frac::Frac;
use super::model::{Hit, Node, Pattern};

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

    /// A word: a note name, a MIDI number or a drum hit `x X o`.
    fn atom(&mut self) -> Result<Node, PatternError> {
        let start = self.pos;
        while self.peek().is_some_and(is_word_char) {
            self.pos += 1;
        }
        let word: Vec<char> = self.chars[start..self.pos].to_vec();
        let text: String = word.iter().collect();
        let column = start + 1;
        let hit = |note, velocity| Ok(Node::Atom(Hit { note, velocity }));
        match text.as_str() {
            "x" => return hit(None, DEFAULT_VELOCITY),
            "X" => return hit(None, ACCENT_VELOCITY),
            "o" => return hit(None, GHOST_VELOCITY),
            _ => {}
        }
        if word.iter().all(|c| c.is_ascii_digit()) {
            let n = if word.len() > 3 {
                i32::MAX
            } else {
                text.parse::<i32>().unwrap_or(i32::MAX)
            };
            if n > 127 {
                return Err(error(
                    column,
                    format!("MIDI note numbers go from 0 to 127, found {text}"),
                ));
            }
            return hit(Some(n), DEFAULT_VELOCITY);
        }
        let not_a_note = || {
            error(
                column,
                format!("expected a note like c3, f#2 or a rest ~, found \"{text}\""),
            )
        };
        let pitch_class = match word[0].to_ascii_lowercase() {
            'c' => 0,
            'd' => 2,
            'e' => 4,
            'f' => 5,
            'g' => 7,
            'a' => 9,
            'b' => 11,
            _ => return Err(not_a_note()),
        };
        let mut i = 1;
        let mut shift = 0i32;
        while i < word.len() {
            match word[i] {
                '#' | 's' => shift += 1,
                'b' => shift -= 1,
                _ => break,
            }
            i += 1;
        }
        let octave_start = i;
        if word.get(i) == Some(&'-') {
            i += 1;
        }
        while word.get(i).is_some_and(|c| c.is_ascii_digit()) {
            i += 1;
        }
        if i < word.len() {
            if i == octave_start {
                return Err(not_a_note());
            }
            let name: String = word[..i].iter().collect();
            return Err(error(
                start + i + 1,
                format!(
                    "unexpected \"{}\" after the note {name}: separate steps with spaces",
                    word[i]
                ),
            ));
        }
        let octave_text: String = word[octave_start..].iter().collect();
        let octave = if octave_text.is_empty() {
            DEFAULT_OCTAVE
        } else {
            match octave_text.parse::<i32>() {
                Ok(o) if (-1..=9).contains(&o) && octave_text != "-0" => o,
                _ => {
                    return Err(error(
                        start + octave_start + 1,
                        format!("octaves go from -1 to 9, found \"{octave_text}\" in \"{text}\""),
                    ))
                }
            }
        };
        let midi = 12 * (octave + 1) + pitch_class + shift;
        if !(0..=127).contains(&midi) {
            return Err(error(
                column,
                format!("\"{text}\" is outside the MIDI range c-1 (0) to g9 (127)"),
            ));
        }
        hit(Some(midi), DEFAULT_VELOCITY)
    }

    /// The number after `:`.
    fn velocity(&mut self, colon: usize) -> Result<f32, PatternError> {
        if !self.peek().is_some_and(|c| c.is_ascii_digit() || c == '.') {
            return Err(error(colon, "expected a velocity like 0.7 after \":\""));
        }
        let start = self.pos;
        let v = self.number("\":\"")?;
        if v > Frac::ONE {
            return Err(error(
                start + 1,
                format!(
                    "velocity must be between 0 and 1, found {}",
                    self.text(start, self.pos)
                ),
            ));
        }
        Ok(v.to_f64() as f32)
    }

    /// A positive number up to [`MAX_COUNT`] after `*`, `/` or `@` (at column `at`).
    fn count(&mut self, at: usize, what: &str) -> Result<Frac, PatternError> {
        if !self.peek().is_some_and(|c| c.is_ascii_digit() || c == '.') {
            return Err(error(
                at,
                format!("expected a number after {what}, like 2 or 1.5"),
            ));
        }
        let start = self.pos;
        let n = self.number(what)?;
        if n <= Frac::ZERO || n > Frac::from_int(MAX_COUNT) {
            return Err(error(
                start + 1,
                format!(
                    "the number after {what} must be more than 0 and at most {MAX_COUNT}, found {}",
                    self.text(start, self.pos)
                ),
            ));
        }
        Ok(n)
    }

    /// A non-negative decimal like `3`, `0.25` or `.5`, exactly.
    fn number(&mut self, what: &str) -> Result<Frac, PatternError> {
        let start = self.pos;
        let mut whole: i64 = 0;
        let mut digits = 0;
        while let Some(d) = self.peek().and_then(|c| c.to_digit(10)) {
            whole = whole.saturating_mul(10).saturating_add(d as i64);
            digits += 1;
            self.pos += 1;
        }
        let mut frac_num: i64 = 0;
        let mut frac_den: i64 = 1;
        if self.peek() == Some('.') && self.peek_at(1).is_some_and(|c| c.is_ascii_digit()) {
            self.pos += 1;
            while let Some(d) = self.peek().and_then(|c| c.to_digit(10)) {
                if frac_den < 1_000_000_000 {
                    frac_num = frac_num * 10 + d as i64;
                    frac_den *= 10;
                }
                digits += 1;
                self.pos += 1;
            }
        }
        if digits == 0 {
            return Err(error(start + 1, format!("expected a number after {what}")));
        }
        if whole > 1_000_000_000 {
            return Err(error(
                start + 1,
                format!("the number {} is too big", self.text(start, self.pos)),
            ));
        }
        Ok(Frac::from_int(whole) + Frac::new(frac_num, frac_den))
    }

    /// A whole number, optionally negative.
    fn integer(&mut self, allow_negative: bool, what: &str) -> Result<i64, PatternError> {
        let start = self.pos;
        let negative = allow_negative && self.peek() == Some('-');
        if negative {
            self.pos += 1;
        }
        let mut n: i64 = 0;
        let mut digits = 0;
        while let Some(d) = self.peek().and_then(|c| c.to_digit(10)) {
            n = n.saturating_mul(10).saturating_add(d as i64);
            digits += 1;
            self.pos += 1;
        }
        if digits == 0 {
            let found = match self.peek() {
                Some(c) => format!(", found \"{c}\""),
                None => String::new(),
            };
            return Err(error(
                self.column(),
                format!("expected a whole number in {what}{found}"),
            ));
        }
        if self.peek() == Some('.') {
            return Err(error(
                start + 1,
                format!("{what} takes whole numbers only, like (3,8)"),
            ));
        }
        Ok(if negative { -n } else { n })
    }

    /// `(hits,steps)` or `(hits,steps,rotation)`, as one bool per subdivision.
    fn euclid(&mut self, open: usize) -> Result<Vec<bool>, PatternError> {
        let what = "a euclidean rhythm (hits,steps,rotation)";
        self.pos += 1;
        let mut args = Vec::with_capacity(3);
        loop {
            self.skip_space();
            let arg_column = self.column();
            let value = self.integer(args.len() == 2, what)?;
            args.push((value, arg_column));
            self.skip_space();
            match self.peek() {
                Some(',') if args.len() < 3 => self.pos += 1,
                Some(')') if args.len() >= 2 => {
                    self.pos += 1;
                    break;
                }
                Some(c) => {
                    let expected = if args.len() < 2 {
                        "\",\""
                    } else if args.len() == 2 {
                        "\",\" or \")\""
                    } else {
                        "\")\""
                    };
                    return Err(error(
                        self.column(),
                        format!("expected {expected} in {what}, found \"{c}\""),
                    ));
                }
                None => {
                    return Err(error(
                        self.column(),
                        format!("unclosed \"(\" opened at column {open}"),
                    ));
                }
            }
        }
        let (hits, hits_column) = args[0];
        let (steps, steps_column) = args[1];
        let rotation = args.get(2).map_or(0, |a| a.0);
        if !(1..=MAX_COUNT).contains(&steps) {
            return Err(error(
                steps_column,
                format!("a euclidean rhythm has 1 to {MAX_COUNT} steps, found {steps}"),
            ));
        }
        if hits > steps {
            return Err(error(
                hits_column,
                format!("a euclidean rhythm can't have more hits than steps ({hits} hits in {steps} steps)"),
            ));
        }
        let pattern = bjorklund(hits as usize, steps as usize);
        let r = rotation.rem_euclid(steps) as usize;
        // Rotate left, as Tidal does: (3,8,2) starts two steps into (3,8).
        let rotated = (0..pattern.len())
            .map(|i| pattern[(i + r) % pattern.len()])
            .collect();
        Ok(rotated)
    }
}

/// Spread `hits` onsets as evenly as possible over `steps` steps, with the
/// same grouping as Bjorklund's algorithm (so `(3,8)` is `x..x..x.`).
/// `hits <= steps`.
pub(crate) fn bjorklund(hits: usize, steps: usize) -> Vec<bool> {
    // Repeatedly pair the remainder groups onto the front groups until at
    // most one remainder group is left.
    let mut front: Vec<Vec<bool>> = vec![vec![true]; hits];
    let mut back: Vec<Vec<bool>> = vec![vec![false]; steps.saturating_sub(hits)];
    while front.len() > 1 && back.len() > 1 {
        let pairs = front.len().min(back.len());
        let mut merged: Vec<Vec<bool>> = Vec::with_capacity(pairs);
        for (mut f, b) in front.drain(..pairs).zip(back.drain(..pairs)) {
            f.extend(b);
            merged.push(f);
        }
        // Whatever did not get a partner becomes the new remainder.
        let rest = if front.is_empty() {
            std::mem::take(&mut back)
        } else {
            std::mem::take(&mut front)
        };
        front = merged;
        back = rest;
    }
    front.into_iter().chain(back).flatten().collect()
}
