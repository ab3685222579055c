//! The one-line function syntax in front of a mini-notation string:
//! `every 3 (fast 2) $ jux rev $ c3 e3 g3` — Tidal's function names and
//! argument order, `$` to apply, `.` to compose, numbers or quoted /
//! bracketed mini-notation (`"<1 2>"`, `<1 2>`) as patterned arguments.
//!
//! Control thread only, pure. Text in, [`Pattern`] or [`PatternError`] out,
//! with the column inside the whole string. Bounded: nesting depth, number
//! of functions, and a maximum of [`MAX_CYCLE_EVENTS`] onsets per cycle,
//! checked on the built tree before anything is queried.

mod args;
mod build;
mod table;

use std::sync::Arc;

use super::frac::Frac;
use super::model::Pattern;
use super::parse::{error, parse_mode, parse_plain_notes, parse_plain_steps, Mode, PatternError};
use super::transform::{Expr, Signal};

pub(crate) use table::did_you_mean;
pub use table::{Function, FUNCTIONS};

/// Most onsets one cycle of a pattern with functions may hold.
pub const MAX_CYCLE_EVENTS: usize = 4096;
/// Most function calls in one pattern.
const MAX_CALLS: usize = 64;
/// Deepest nesting of parentheses and brackets in the function part.
const MAX_DEPTH: usize = 16;

/// Which mini-notation comes after the last `$`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Base {
    Notes,
    Degrees,
    Steps,
}

/// True when `src` applies functions (has a `$` outside quotes).
pub(crate) fn has_functions(src: &str) -> bool {
    dollars(&src.chars().collect::<Vec<_>>()).next().is_some()
}

/// Positions of the top-level `$`s.
fn dollars(chars: &[char]) -> impl Iterator<Item = usize> + '_ {
    let mut quote: Option<char> = None;
    chars.iter().enumerate().filter_map(move |(i, &c)| {
        // A `'` right after a letter is part of a name (`iter'`).
        let in_name = i > 0 && chars[i - 1].is_ascii_alphanumeric();
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '"' || (c == '\'' && !in_name) => quote = Some(c),
            None if c == '$' => return Some(i),
            None => {}
        }
        None
    })
}

/// An argument of a call, as written.
pub(crate) enum Arg {
    Num(NumArg),
    Func(Vec<Call>),
    Funcs(Vec<Vec<Call>>),
    Bools(Pattern),
    Mode(NumArg),
    Pair(Frac, Frac),
}

/// A number, or a pattern of indexes into `values`.
pub(crate) enum NumArg {
    Const(Frac),
    Pat(Pattern, Vec<Frac>),
}

/// One function with its arguments.
pub(crate) struct Call {
    pub name: &'static str,
    pub column: usize,
    pub args: Vec<Arg>,
    /// Seed of its random choices: fixed by its position in the text.
    pub seed: u64,
}

/// Parse `functions $ ... $ mini-notation`.
pub(crate) fn parse(src: &str, base: Base) -> Result<Pattern, PatternError> {
    let chars: Vec<char> = src.chars().collect();
    let cuts: Vec<usize> = dollars(&chars).collect();
    let last = cuts.last().copied().unwrap_or(0);
    let tail: String = chars[last + 1..].iter().collect();
    let tail_column = last + 2;
    let (mut expr, steps) = base_expr(&tail, tail_column, base, last + 1)?;
    let mut p = FnParser {
        chars,
        pos: 0,
        calls: 0,
        depth: 0,
        seen: Vec::new(),
    };
    let mut bounds = Vec::new();
    let mut start = 0;
    for &cut in &cuts {
        bounds.push((start, cut));
        start = cut + 1;
    }
    for &(from, to) in bounds.iter().rev() {
        p.pos = from;
        p.skip_space();
        if p.pos >= to {
            return Err(error(
                to + 1,
                "expected a function before \"$\", like fast 2 $ c3 e3",
            ));
        }
        let chain = p.chain(to)?;
        p.skip_space();
        if p.pos < to {
            return Err(error(
                p.pos + 1,
                format!(
                    "unexpected \"{}\": separate functions with \"$\" or \".\"",
                    p.chars[p.pos]
                ),
            ));
        }
        expr = build::apply_chain(&chain, expr)?;
    }
    Ok(Pattern::from_expr(expr, steps))
}

/// The pattern after the last `$`: mini-notation or a signal.
fn base_expr(
    tail: &str,
    column: usize,
    base: Base,
    dollar: usize,
) -> Result<(Arc<Expr>, Frac), PatternError> {
    let word = tail.trim();
    let signal = match word {
        "sine" => Some(Signal::Sine),
        "cosine" => Some(Signal::Cosine),
        "saw" => Some(Signal::Saw),
        "isaw" => Some(Signal::Isaw),
        "tri" => Some(Signal::Tri),
        "square" => Some(Signal::Square),
        "rand" => Some(Signal::Rand(0x5EED_0001)),
        _ => word
            .strip_prefix("irand ")
            .and_then(|n| n.trim().parse::<u32>().ok())
            .filter(|n| (1..=1024).contains(n))
            .map(|n| Signal::Irand(n, 0x5EED_0002)),
    };
    if let Some(s) = signal {
        return Ok((Arc::new(Expr::Signal(s)), Frac::ONE));
    }
    if word.is_empty() {
        return Err(error(
            dollar,
            "expected a pattern after \"$\", like fast 2 $ c3 e3",
        ));
    }
    let pattern = match base {
        Base::Notes => parse_plain_notes(tail, column)?,
        Base::Degrees => super::parse::parse_plain_degrees(tail, column)?,
        Base::Steps => parse_plain_steps(tail).map_err(|mut e| {
            e.column += column - 1;
            e
        })?,
    };
    let steps = pattern.steps();
    Ok((Arc::new(Expr::Base(pattern)), steps))
}

struct FnParser {
    chars: Vec<char>,
    pos: usize,
    calls: usize,
    depth: usize,
    /// Names of the calls read so far, for their seeds.
    seen: Vec<&'static str>,
}

impl FnParser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn skip_space(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.pos += 1;
        }
    }

    fn at_end(&self, end: usize) -> bool {
        self.pos >= end || matches!(self.peek(), Some(')' | ']' | ','))
    }

    /// `call . call . ...` up to `end` (or a closing bracket / comma).
    fn chain(&mut self, end: usize) -> Result<Vec<Call>, PatternError> {
        let mut calls = Vec::new();
        loop {
            self.skip_space();
            calls.extend(self.call(end)?);
            self.skip_space();
            if self.pos < end && self.peek() == Some('.') {
                self.pos += 1;
                continue;
            }
            return Ok(calls);
        }
    }

    /// Step over the `)` that closes the `(` opened at `column`.
    fn close_paren(&mut self, column: usize) -> Result<(), PatternError> {
        if self.peek() != Some(')') {
            return Err(error(
                self.pos + 1,
                format!("expected \")\" to close the \"(\" opened at column {column}"),
            ));
        }
        self.pos += 1;
        Ok(())
    }

    /// One call, or a parenthesised chain (its calls, outermost first).
    fn call(&mut self, end: usize) -> Result<Vec<Call>, PatternError> {
        let column = self.pos + 1;
        match self.peek() {
            Some('(') if self.pos < end => {
                self.enter(column)?;
                self.pos += 1;
                let chain = self.chain(end)?;
                self.skip_space();
                self.close_paren(column)?;
                self.depth -= 1;
                Ok(chain)
            }
            Some(c) if c.is_ascii_alphabetic() && self.pos < end => {
                let start = self.pos;
                while self
                    .peek()
                    .is_some_and(|c| c.is_ascii_alphanumeric() || c == '\'' || c == '_')
                {
                    self.pos += 1;
                }
                let word: String = self.chars[start..self.pos].iter().collect();
                let Some(f) = table::lookup(&word) else {
                    return Err(error(
                        column,
                        format!(
                            "unknown function \"{word}\"{}",
                            did_you_mean(&word, table::NAMES)
                        ),
                    ));
                };
                self.calls += 1;
                if self.calls > MAX_CALLS {
                    return Err(error(
                        column,
                        format!("too many functions in one pattern (the limit is {MAX_CALLS})"),
                    ));
                }
                // Seeded by the name and how many calls of that name came
                // before, so `every 1 (degradeBy 0.5)` plays as
                // `degradeBy 0.5`, and other functions added around a
                // random one do not reshuffle it.
                let family = seed_family(f.name);
                let nth = self.seen.iter().filter(|n| **n == family).count() as u64;
                self.seen.push(family);
                let seed = family
                    .bytes()
                    .fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
                        (h ^ b as u64).wrapping_mul(0x100_0000_01b3)
                    })
                    .wrapping_add(nth.wrapping_mul(0x9E37_79B9_7F4A_7C15));
                let mut args = Vec::with_capacity(f.args.len());
                for (i, kind) in f.args.iter().enumerate() {
                    self.skip_space();
                    if self.at_end(end) {
                        return Err(error(
                            self.pos.min(end) + 1,
                            format!(
                                "{} takes {} argument{} ({}), found {i}: {}",
                                f.name,
                                f.args.len(),
                                if f.args.len() == 1 { "" } else { "s" },
                                f.usage,
                                f.example
                            ),
                        ));
                    }
                    args.push(self.arg(*kind, end, seed)?);
                }
                Ok(vec![Call {
                    name: f.name,
                    column,
                    args,
                    seed,
                }])
            }
            other => Err(error(
                column,
                match other {
                    Some(c) if self.pos < end => {
                        format!("expected a function name like fast or every, found \"{c}\"")
                    }
                    _ => "expected a function name like fast or every".to_string(),
                },
            )),
        }
    }

    fn enter(&mut self, column: usize) -> Result<(), PatternError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(error(
                column,
                format!("functions are nested too deeply (the limit is {MAX_DEPTH})"),
            ));
        }
        Ok(())
    }

    fn arg(&mut self, kind: table::Kind, end: usize, seed: u64) -> Result<Arg, PatternError> {
        use table::Kind;
        let column = self.pos + 1;
        match kind {
            Kind::Num => Ok(Arg::Num(self.num_arg(end, seed, Mode::Numbers)?)),
            Kind::Mode => {
                if let Some((text, at)) = self.literal(end)? {
                    return Ok(Arg::Mode(self.mode_pattern(&text, at, seed)?));
                }
                let start = self.pos;
                while self
                    .peek()
                    .is_some_and(|c| c.is_ascii_alphanumeric() || c == '&')
                {
                    self.pos += 1;
                }
                let word: String = self.chars[start..self.pos].iter().collect();
                match super::transform::ArpMode::NAMES
                    .iter()
                    .position(|w| *w == word)
                {
                    Some(i) => Ok(Arg::Mode(NumArg::Const(Frac::from_int(i as i64)))),
                    None => Err(error(
                        column,
                        format!(
                            "unknown arp mode \"{word}\"{}; the modes are {}",
                            did_you_mean(&word, super::transform::ArpMode::NAMES),
                            super::transform::ArpMode::NAMES.join(", ")
                        ),
                    )),
                }
            }
            Kind::Bools => {
                let Some((text, at)) = self.literal(end)? else {
                    return Err(error(
                        column,
                        "expected a pattern of t and f, like \"t ~ t t\" or [t f t t]",
                    ));
                };
                let parsed = parse_mode(&text, Mode::Bools, at, seed)?;
                Ok(Arg::Bools(Pattern::from_arc(parsed.node, parsed.steps)))
            }
            Kind::Func => {
                if self.peek() == Some('(') {
                    let mut chain = self.call(end)?;
                    // `(fast 2)` is a chain of one call: keep it as a chain.
                    if chain.is_empty() {
                        return Err(error(column, "expected a function"));
                    }
                    return Ok(Arg::Func(std::mem::take(&mut chain)));
                }
                let chain = self.call(end)?;
                if let Some(c) = chain.first() {
                    if !c.args.is_empty() {
                        return Err(error(
                            column,
                            format!(
                                "put a function with arguments in parentheses, like ({} ...)",
                                c.name
                            ),
                        ));
                    }
                }
                Ok(Arg::Func(chain))
            }
            Kind::Funcs => {
                if self.peek() != Some('[') {
                    return Err(error(
                        column,
                        "expected a list of functions, like [rev, fast 2]",
                    ));
                }
                self.enter(column)?;
                self.pos += 1;
                let mut list = Vec::new();
                loop {
                    list.push(self.chain(end)?);
                    self.skip_space();
                    match self.peek() {
                        Some(',') => self.pos += 1,
                        Some(']') => {
                            self.pos += 1;
                            break;
                        }
                        _ => {
                            return Err(error(
                                self.pos + 1,
                                format!(
                                    "expected \",\" or \"]\" in the list opened at column {column}"
                                ),
                            ))
                        }
                    }
                }
                self.depth -= 1;
                Ok(Arg::Funcs(list))
            }
            Kind::Pair => {
                if self.peek() != Some('(') {
                    return Err(error(column, "expected a pair of numbers, like (0, 0.5)"));
                }
                self.pos += 1;
                self.skip_space();
                let a = self.number()?;
                self.skip_space();
                if self.peek() != Some(',') {
                    return Err(error(
                        self.pos + 1,
                        "expected \",\" in a pair like (0, 0.5)",
                    ));
                }
                self.pos += 1;
                self.skip_space();
                let b = self.number()?;
                self.skip_space();
                if self.peek() != Some(')') {
                    return Err(error(self.pos + 1, "expected \")\" to close the pair"));
                }
                self.pos += 1;
                Ok(Arg::Pair(a, b))
            }
        }
    }
}

/// Functions that share a random stream, as in Tidal (`degradeBy 0.3` and
/// `unDegradeBy 0.3` split the events between them).
fn seed_family(name: &'static str) -> &'static str {
    match name {
        "degrade" | "unDegradeBy" => "degradeBy",
        "sometimes" | "often" | "rarely" | "almostNever" | "almostAlways" => "sometimesBy",
        "someCycles" => "someCyclesBy",
        other => other,
    }
}
