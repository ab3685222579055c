//! The mini-notation forms beyond plain steps: patterned arguments
//! (`c3*<2 3>`, `x(<3 5>,8)`), `{ }` polymeters with `%`, `..` ranges, and
//! the atoms of number, bool and word patterns (function arguments).
//!
//! Control thread only, pure. Every form is bounded (value counts, range
//! lengths, combinations of patterned arguments) and every error names a
//! column.

use std::sync::Arc;

use super::super::frac::Frac;
use super::super::model::{combination, Hit, Node};
use super::atom::{euclid_bools, EuclidArg};
use super::{
    error, is_word_char, sequence_node, Mode, Parser, PatternError, Step, DEFAULT_VELOCITY,
    MAX_COUNT, MAX_NESTING,
};

/// Most combinations of values the patterned arguments of one step may
/// take (`x(<1 2 3>,<8 16>)` has 6): each gets its own copy of the step.
const MAX_COMBINATIONS: usize = 64;
/// Most distinct values in one number pattern.
const MAX_VALUES: usize = 256;

impl Parser {
    /// An atom of a number, bool or word pattern.
    pub(super) fn mode_atom(&mut self) -> Result<Node, PatternError> {
        let column = self.column();
        match self.mode {
            Mode::Numbers => {
                let negative = self.peek() == Some('-');
                if negative {
                    self.pos += 1;
                }
                if !self.peek().is_some_and(|c| c.is_ascii_digit() || c == '.') {
                    return Err(error(
                        column,
                        format!("expected a number, found \"{}\"", self.word_at(column - 1)),
                    ));
                }
                let mut v = self.number("a number pattern")?;
                if negative {
                    v = -v;
                }
                let index = self.intern(v, column)?;
                Ok(Node::Atom(Hit::new(Some(index as i32), DEFAULT_VELOCITY)))
            }
            Mode::Bools => {
                let word = self.word_at(column - 1);
                self.pos += word.chars().count().max(1);
                match word.as_str() {
                    "t" | "true" | "1" | "x" => Ok(Node::Atom(Hit::new(Some(1), DEFAULT_VELOCITY))),
                    "f" | "false" | "0" => Ok(Node::Silence),
                    _ => Err(error(
                        column,
                        format!("expected t or f (or 1 or 0), found \"{word}\""),
                    )),
                }
            }
            Mode::Words(words) => {
                let word = self.word_at(column - 1);
                self.pos += word.chars().count().max(1);
                match words.iter().position(|w| *w == word) {
                    Some(i) => Ok(Node::Atom(Hit::new(Some(i as i32), DEFAULT_VELOCITY))),
                    None => Err(error(
                        column,
                        format!(
                            "unknown \"{word}\"{}; expected one of {}",
                            crate::pattern::expr::did_you_mean(&word, words),
                            words.join(", ")
                        ),
                    )),
                }
            }
            Mode::Notes | Mode::Degrees => Err(error(column, "expected a note")),
        }
    }

    /// The word starting at char index `at` (for messages), or the char there.
    fn word_at(&self, at: usize) -> String {
        let mut end = at;
        while self
            .chars
            .get(end)
            .is_some_and(|&c| is_word_char(c) || c == '&' || c == '.')
        {
            end += 1;
        }
        if end == at {
            end = (at + 1).min(self.chars.len());
        }
        self.text(at, end)
    }

    fn intern(&mut self, v: Frac, column: usize) -> Result<usize, PatternError> {
        if let Some(i) = self.values.iter().position(|&x| x == v) {
            return Ok(i);
        }
        if self.values.len() >= MAX_VALUES {
            return Err(error(
                column,
                format!("too many different numbers in one pattern (the limit is {MAX_VALUES})"),
            ));
        }
        self.values.push(v);
        Ok(self.values.len() - 1)
    }

    /// What a lone atom stands for in a `..` range.
    pub(super) fn plain_value(&self, node: &Node) -> Option<i64> {
        let Node::Atom(hit) = node else { return None };
        let n = hit.note?;
        match self.mode {
            Mode::Notes | Mode::Degrees => Some(n as i64),
            Mode::Numbers => {
                let v = *self.values.get(n as usize)?;
                (v.denom() == 1).then_some(v.numer())
            }
            _ => None,
        }
    }

    /// `a .. b` (the cursor after the `..`): replaces the last step by one
    /// step holding `a`, `a±1`, ... `b`, as Tidal does.
    pub(super) fn range(
        &mut self,
        steps: &mut Vec<Step>,
        column: usize,
    ) -> Result<(), PatternError> {
        let what = "a range \"..\" goes between two whole numbers or notes, like 0 .. 4";
        let lo = steps.pop().and_then(|s| s.plain);
        let Some(lo) = lo else {
            return Err(error(column, what));
        };
        self.skip_space();
        let at = self.column();
        if self.peek().is_none() {
            return Err(error(at, what));
        }
        let (step, copies) = self.term()?;
        let (Some(hi), 1) = (step.plain, copies) else {
            return Err(error(at, what));
        };
        let len = (hi - lo).unsigned_abs() + 1;
        if len > MAX_COUNT as u64 {
            return Err(error(
                column,
                format!("a range holds at most {MAX_COUNT} values, this one {len}"),
            ));
        }
        let dir = if hi >= lo { 1 } else { -1 };
        let mut items = Vec::with_capacity(len as usize);
        for k in 0..len as i64 {
            let v = lo + dir * k;
            let note = match self.mode {
                Mode::Numbers => self.intern(Frac::from_int(v), column)? as i32,
                _ => v as i32,
            };
            items.push(Step::new(
                Arc::new(Node::Atom(Hit::new(Some(note), DEFAULT_VELOCITY))),
                column,
                0,
            ));
        }
        let (node, _, depth) = sequence_node(items);
        steps.push(Step::new(node, column, depth));
        Ok(())
    }

    /// `{a b c, d e}` or `{a b c}%4`: every layer plays the same number of
    /// steps per cycle, the first layer's (or the number after `%`).
    pub(super) fn polymeter(&mut self, column: usize) -> Result<(Arc<Node>, usize), PatternError> {
        self.nesting += 1;
        if self.nesting > MAX_NESTING {
            return Err(error(
                column,
                format!("brackets are nested too deeply (the limit is {MAX_NESTING})"),
            ));
        }
        self.pos += 1;
        let (layers, sep) = self.layers(Some(('}', '{', column)))?;
        self.pos += 1;
        self.nesting -= 1;
        if sep == '|' {
            return Err(error(
                column,
                "\"|\" does not work inside \"{ }\": use [a | b]",
            ));
        }
        if layers.iter().all(|l| l.is_empty()) {
            return Err(error(
                column,
                "empty \"{}\": put at least one note or ~ inside",
            ));
        }
        let mut base = None;
        if self.peek() == Some('%') {
            let at = self.column();
            self.pos += 1;
            base = Some(self.count(at, "\"%\"")?);
        }
        let mut nodes = Vec::with_capacity(layers.len());
        let mut depth = 0;
        for layer in layers {
            let (node, total, d) = sequence_node(layer);
            let per_cycle = *base.get_or_insert(total);
            depth = depth.max(d + 1);
            nodes.push(if per_cycle == total {
                node
            } else {
                Arc::new(Node::Fast(node, per_cycle / total))
            });
        }
        let node = if nodes.len() == 1 {
            nodes.remove(0)
        } else {
            Arc::new(Node::Stack(nodes))
        };
        Ok((node, depth + 1))
    }

    /// A bracketed number pattern (`<2 3>`, `[1 2]`) at the cursor, with
    /// the values its indexes stand for.
    pub(super) fn number_bracket(&mut self) -> Result<(Arc<Node>, Vec<Frac>), PatternError> {
        let column = self.column();
        let saved_mode = std::mem::replace(&mut self.mode, Mode::Numbers);
        let saved_values = std::mem::take(&mut self.values);
        let opener = self.peek().unwrap_or('[');
        let result = self.bracket(opener, column);
        self.mode = saved_mode;
        let values = std::mem::replace(&mut self.values, saved_values);
        let (node, _) = result?;
        Ok((node, values))
    }

    /// `*<2 3>` or `/[2 4]` (the cursor on the bracket): Tidal's patterned
    /// `fast` / `slow`.
    pub(super) fn patterned_speed(
        &mut self,
        node: Arc<Node>,
        fast: bool,
        at: usize,
    ) -> Result<Arc<Node>, PatternError> {
        let what = if fast { "\"*\"" } else { "\"/\"" };
        let (arg, values) = self.number_bracket()?;
        let mut options = Vec::with_capacity(values.len());
        for &v in &values {
            if v <= Frac::ZERO || v > Frac::from_int(MAX_COUNT) {
                return Err(error(
                    at + 1,
                    format!("the numbers after {what} must be more than 0 and at most {MAX_COUNT}, found {v}"),
                ));
            }
            let factor = if fast { v } else { Frac::ONE / v };
            options.push(Arc::new(Node::Fast(node.clone(), factor)));
        }
        Ok(switch(vec![arg], vec![values.len()], options))
    }

    /// A euclidean rhythm after `node` (the cursor on the `(`).
    pub(super) fn euclid_node(
        &mut self,
        node: Arc<Node>,
        at: usize,
    ) -> Result<Arc<Node>, PatternError> {
        let args = self.euclid_args(at)?;
        let columns = (args[0].1, args[1].1);
        // Every combination of values, in mixed radix over the patterned ones.
        let mut patterned = Vec::new();
        let mut radix = Vec::new();
        let mut combos = 1usize;
        for (arg, _) in &args {
            if let EuclidArg::Pat(p, values) = arg {
                patterned.push(p.clone());
                radix.push(values.len().max(1));
                combos = combos.saturating_mul(values.len().max(1));
            }
        }
        if combos > MAX_COMBINATIONS {
            return Err(error(
                at,
                format!("patterned euclid arguments take at most {MAX_COMBINATIONS} combinations of values, these take {combos}"),
            ));
        }
        let mut options = Vec::with_capacity(combos);
        for combo in 0..combos {
            let digits = combination(combo, &radix);
            let mut k = 0;
            let mut ints = [0i64; 3];
            for (i, (arg, col)) in args.iter().enumerate() {
                ints[i] = match arg {
                    EuclidArg::Int(n) => *n,
                    EuclidArg::Pat(_, values) => {
                        let v = values.get(digits[k]).copied().unwrap_or(Frac::ZERO);
                        k += 1;
                        if v.denom() != 1 {
                            return Err(error(
                                *col,
                                "a euclidean rhythm (hits,steps,rotation) takes whole numbers only, like (3,8)",
                            ));
                        }
                        v.numer()
                    }
                };
            }
            let bools = euclid_bools(ints[0], ints[1], ints[2], columns)?;
            let silence = Arc::new(Node::Silence);
            let n = bools.len() as i64;
            let children = bools
                .iter()
                .enumerate()
                .map(|(i, &hit)| {
                    let slot = if hit { node.clone() } else { silence.clone() };
                    (slot, Frac::new(i as i64, n), Frac::new(i as i64 + 1, n))
                })
                .collect();
            options.push(Arc::new(Node::Seq(children)));
        }
        if patterned.is_empty() {
            return Ok(options.remove(0));
        }
        Ok(switch(patterned, radix, options))
    }
}

fn switch(args: Vec<Arc<Node>>, radix: Vec<usize>, options: Vec<Arc<Node>>) -> Arc<Node> {
    Arc::new(Node::Switch {
        args,
        radix,
        options,
    })
}
