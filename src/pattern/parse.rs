//! The mini-notation parser ([`parse_notes`]; drum step strings are in
//! `parse/steps.rs`): steps, modifiers, the atoms of note, number, bool and
//! word patterns. A string with a `$` goes to `expr/` (functions) instead.
//!
//! Control thread only. Text in, [`Pattern`] or [`PatternError`] out: no
//! input may panic or hang, so nesting, repeat counts and tree depth are all
//! capped, and every error names a 1-based character column.

use std::fmt;
use std::sync::Arc;

mod atom;
pub(super) mod chord;
mod forms;
mod groups;
mod steps;

pub(crate) use steps::parse_plain_steps;
pub use steps::parse_steps;

use super::frac::Frac;
use super::model::{Hit, Node, Pattern};

pub(crate) use atom::bjorklund;

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

pub(crate) fn error(column: usize, message: impl Into<String>) -> PatternError {
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
    /// The whole number a lone note or number stands for, with no velocity
    /// or modifiers: what a `..` range may start or end at.
    plain: Option<i64>,
}

impl Step {
    fn copy(&self) -> Step {
        Step {
            node: self.node.clone(),
            weight: self.weight,
            column: self.column,
            depth: self.depth,
            plain: self.plain,
        }
    }

    fn new(node: Arc<Node>, column: usize, depth: usize) -> Step {
        Step {
            node,
            weight: Frac::ONE,
            column,
            depth,
            plain: None,
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

/// What the atoms of a mini-notation string are.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Mode {
    /// Notes, MIDI numbers, drum hits, sample names (`Notes("...")`).
    Notes,
    /// Scale degrees (`Degrees("0 2 4 -1 2#")`), stored as
    /// [`DEGREE_ZERO`] + degree, with `#`/`b` as the hit's shift.
    Degrees,
    /// Decimal numbers, stored as an index into [`Parsed::values`] (the
    /// patterned arguments of functions and of `*` `/` `( )`).
    Numbers,
    /// `t`/`1`/`true`/`x` (an event) and `f`/`0`/`false` (none), for
    /// `struct` and `mask`.
    Bools,
    /// One of the given words, stored as its index (arp modes).
    Words(&'static [&'static str]),
}

/// A mini-notation argument: the pattern and, for [`Mode::Numbers`], the
/// value each index stands for.
pub(crate) struct Parsed {
    pub node: Arc<Node>,
    pub steps: Frac,
    pub values: Vec<Frac>,
}

/// Parse a mini-notation argument whose atoms are of `mode`; `column` is
/// where `src` starts in the whole pattern string (for errors), `seed` the
/// first seed its `?` and `|` use.
pub(crate) fn parse_mode(
    src: &str,
    mode: Mode,
    column: usize,
    seed: u64,
) -> Result<Parsed, PatternError> {
    let mut p = Parser {
        chars: src.chars().collect(),
        pos: 0,
        nesting: 0,
        chances: seed,
        mode,
        values: Vec::new(),
    };
    let shift = |mut e: PatternError| {
        e.column += column - 1;
        e
    };
    let (layers, sep) = p.layers(None).map_err(shift)?;
    if let Some(ch) = p.peek() {
        // `layers` only stops early at a closing bracket it cannot match.
        return Err(shift(error(
            p.column(),
            format!("unexpected \"{ch}\" with no matching opening bracket"),
        )));
    }
    if layers.len() == 1 && layers[0].is_empty() {
        return Ok(Parsed {
            node: Arc::new(Node::Silence),
            steps: Frac::ZERO,
            values: p.values,
        });
    }
    let (node, steps, _) = p.combine(layers, sep);
    Ok(Parsed {
        node,
        steps,
        values: p.values,
    })
}

/// Parse a note sequence in the mini-notation, e.g. `"a2 ~ [c3 e3]*2 <g3 b3>"`,
/// optionally with transformations in front (`"every 2 rev $ c3 e3 g3"`,
/// see docs/patterns.md).
///
/// The plain note-sequence notation (notes, `~`, `_`, `:velocity`) is a
/// subset. See docs/patterns.md for the grammar. An empty (or all-space)
/// string is a silent pattern of zero steps.
pub fn parse_notes(src: &str) -> Result<Pattern, PatternError> {
    if super::expr::has_functions(src) {
        return super::expr::parse(src, super::expr::Base::Notes);
    }
    parse_plain_notes(src, 1)
}

/// Where degree 0 sits in a [`Mode::Degrees`] hit's note, so that
/// degrees below the tonic (and `add`, `range` on them) stay in 0..=127.
pub const DEGREE_ZERO: i32 = 64;

/// Parse a `Degrees("...")` pattern: the mini-notation (and the functions)
/// over scale degrees of the session's key and scale.
pub fn parse_degrees(src: &str) -> Result<Pattern, PatternError> {
    if super::expr::has_functions(src) {
        return super::expr::parse(src, super::expr::Base::Degrees);
    }
    parse_plain_degrees(src, 1)
}

/// Degrees alone (no `$`), starting at `column` of the source.
pub(crate) fn parse_plain_degrees(src: &str, column: usize) -> Result<Pattern, PatternError> {
    let parsed = parse_mode(src, Mode::Degrees, column, 0)?;
    if parsed.steps == Frac::ZERO {
        return Ok(Pattern::silence());
    }
    Ok(Pattern::from_arc(parsed.node, parsed.steps))
}

/// The mini-notation alone (no `$`), starting at `column` of the source.
pub(crate) fn parse_plain_notes(src: &str, column: usize) -> Result<Pattern, PatternError> {
    let parsed = parse_mode(src, Mode::Notes, column, 0)?;
    if parsed.steps == Frac::ZERO {
        return Ok(Pattern::silence());
    }
    Ok(Pattern::from_arc(parsed.node, parsed.steps))
}

/// What closes the bracket being parsed: `(closer, opener, opener column)`.
type Closing = Option<(char, char, usize)>;

struct Parser {
    chars: Vec<char>,
    pos: usize,
    nesting: usize,
    /// How many `?` and `|` were read so far: each gets its own seed.
    chances: u64,
    mode: Mode,
    /// The numbers read in [`Mode::Numbers`], by index.
    values: Vec<Frac>,
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

    fn next_seed(&mut self) -> u64 {
        self.chances += 1;
        self.chances
    }

    /// Sequences separated by `,` (layers) or `|` (random choice), up to
    /// (not including) the closer or the end. Returns them and the separator.
    fn layers(&mut self, closing: Closing) -> Result<(Vec<Vec<Step>>, char), PatternError> {
        let mut layers = Vec::new();
        let mut sep: Option<char> = None;
        loop {
            let layer_column = self.column();
            let steps = self.sequence(closing)?;
            let next = self.peek().filter(|&c| c == ',' || c == '|');
            if steps.is_empty() && (next.is_some() || !layers.is_empty()) {
                let s = next.or(sep).unwrap_or(',');
                return Err(error(
                    layer_column,
                    format!(
                        "empty part around \"{s}\": put notes (or ~) on both sides of each {}",
                        if s == ',' { "comma" } else { "bar" }
                    ),
                ));
            }
            layers.push(steps);
            let Some(c) = next else {
                return Ok((layers, sep.unwrap_or(',')));
            };
            if sep.is_some_and(|s| s != c) {
                return Err(error(
                    self.column(),
                    "\",\" (together) and \"|\" (one at random) can't be mixed in one bracket: put one of them in brackets",
                ));
            }
            sep = Some(c);
            self.pos += 1;
        }
    }

    /// Steps separated by spaces (and `.` groups), up to a `,`, a `|`, the
    /// closer or the end.
    fn sequence(&mut self, closing: Closing) -> Result<Vec<Step>, PatternError> {
        let mut steps: Vec<Step> = Vec::new();
        let mut groups: Vec<(Vec<Step>, usize)> = Vec::new();
        let mut group_column = self.column();
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
                return Self::finish_groups(groups, steps, group_column);
            };
            match ch {
                ',' | '|' => return Self::finish_groups(groups, steps, group_column),
                c if closing.is_some_and(|(closer, _, _)| closer == c) => {
                    return Self::finish_groups(groups, steps, group_column)
                }
                ']' | '>' | ')' | '}' => {
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
                '.' if self.peek_at(1) == Some('.') => {
                    self.pos += 2;
                    self.range(&mut steps, column)?;
                }
                '.' if self
                    .peek_at(1)
                    .is_none_or(|c| c.is_whitespace() || ",|]>}".contains(c)) =>
                {
                    self.pos += 1;
                    if steps.is_empty() {
                        return Err(error(
                            column,
                            "\".\" groups the steps on each side of it, but there is none before it",
                        ));
                    }
                    groups.push((std::mem::take(&mut steps), group_column));
                    group_column = self.column();
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
        let lone_dash = ch == '-'
            && !self
                .peek_at(1)
                .is_some_and(|c| c.is_ascii_alphanumeric() || c == '.');
        let (mut node, mut depth, is_atom) = match ch {
            '~' => {
                self.pos += 1;
                (Arc::new(Node::Silence), 0, false)
            }
            // Strudel's rest: a `-` on its own.
            '-' if lone_dash => {
                self.pos += 1;
                (Arc::new(Node::Silence), 0, false)
            }
            '[' | '<' => {
                let (node, depth) = self.bracket(ch, column)?;
                (node, depth, false)
            }
            '{' => {
                let (node, depth) = self.polymeter(column)?;
                (node, depth, false)
            }
            _ if !matches!(self.mode, Mode::Notes | Mode::Degrees) => {
                let node = self.mode_atom()?;
                (Arc::new(node), 0, true)
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
        let mut plain = None;
        if is_atom {
            plain = self.plain_value(&node);
        }
        if is_atom && self.peek() == Some(':') && matches!(self.mode, Mode::Notes | Mode::Degrees) {
            let colon = self.column();
            self.pos += 1;
            let velocity = self.velocity(colon)?;
            if let Node::Atom(hit) = &*node {
                node = Arc::new(Node::Atom(Hit { velocity, ..*hit }));
            }
            plain = None;
        }
        let mut weight = Frac::ONE;
        let mut copies = 1usize;
        let mut modifiers = 0;
        loop {
            let at = self.column();
            let Some(ch) = self.peek() else { break };
            match ch {
                '(' => {
                    node = self.euclid_node(node, at)?;
                    depth += 2;
                }
                '*' | '/' => {
                    self.pos += 1;
                    if matches!(self.peek(), Some('<' | '[')) {
                        node = self.patterned_speed(node, ch == '*', at)?;
                        depth += 2;
                    } else {
                        let what = if ch == '*' { "\"*\"" } else { "\"/\"" };
                        let n = self.count(at, what)?;
                        let factor = if ch == '*' { n } else { Frac::ONE / n };
                        node = Arc::new(Node::Fast(node, factor));
                        depth += 1;
                    }
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
                    let seed = self.next_seed();
                    node = Arc::new(Node::Degrade {
                        child: node,
                        prob,
                        seed,
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
            plain = None;
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
                plain,
            },
            copies,
        ))
    }
}
