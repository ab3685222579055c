//! The words and numbers of the mini-notation: note names, MIDI numbers,
//! drum hits, velocities, counts, euclidean rhythms (and Bjorklund's
//! spreading of them).
//!
//! Control thread only, pure. Like the rest of the parser, no input may
//! panic or hang: counts are capped and every error names a column.

use super::super::frac::Frac;
use super::super::model::{Hit, Node};
use super::{
    error, is_word_char, Parser, PatternError, ACCENT_VELOCITY, DEFAULT_OCTAVE, DEFAULT_VELOCITY,
    GHOST_VELOCITY, MAX_COUNT,
};

impl Parser {
    /// A word: a note name, a MIDI number or a drum hit `x X o`.
    pub(super) fn atom(&mut self) -> Result<Node, PatternError> {
        let start = self.pos;
        while self.peek().is_some_and(is_word_char) {
            self.pos += 1;
        }
        let word: Vec<char> = self.chars[start..self.pos].to_vec();
        let text: String = word.iter().collect();
        let column = start + 1;
        if self.mode == super::Mode::Degrees {
            return degree(&word, column);
        }
        let hit = |note, velocity| Ok(Node::Atom(Hit::new(note, velocity)));
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
        match note_name(&word, start) {
            Ok(midi) if self.peek() == Some('\'') => self.chord(midi),
            Ok(midi) => hit(Some(midi), DEFAULT_VELOCITY),
            // `bd:3`: a name that is no note, then `:` and a whole number,
            // is a sample index (note 60 + index).
            Err(_)
                if self.peek() == Some(':')
                    && word[0].is_ascii_alphabetic()
                    && self.peek_at(1).is_some_and(|c| c.is_ascii_digit()) =>
            {
                self.pos += 1;
                let at = self.column();
                let n = self.integer(false, "a sample index")?;
                if n > MAX_SAMPLE_INDEX {
                    return Err(error(
                        at,
                        format!("sample indexes go from 0 to {MAX_SAMPLE_INDEX}, found {n}"),
                    ));
                }
                hit(Some(SAMPLE_BASE_NOTE + n as i32), DEFAULT_VELOCITY)
            }
            Err(e) => Err(e),
        }
    }

    /// The number after `:`.
    pub(super) fn velocity(&mut self, colon: usize) -> Result<f32, PatternError> {
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
    pub(super) fn count(&mut self, at: usize, what: &str) -> Result<Frac, PatternError> {
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
    pub(super) fn number(&mut self, what: &str) -> Result<Frac, PatternError> {
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
    pub(super) fn integer(
        &mut self,
        allow_negative: bool,
        what: &str,
    ) -> Result<i64, PatternError> {
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

    /// The arguments of `(hits,steps)` or `(hits,steps,rotation)`, each a
    /// whole number or a bracketed pattern of them (`(<3 5>,8)`), with
    /// their columns. The cursor is on the `(`.
    pub(super) fn euclid_args(
        &mut self,
        open: usize,
    ) -> Result<Vec<(EuclidArg, usize)>, PatternError> {
        let what = "a euclidean rhythm (hits,steps,rotation)";
        self.pos += 1;
        let mut args = Vec::with_capacity(3);
        loop {
            self.skip_space();
            let arg_column = self.column();
            let value = if matches!(self.peek(), Some('<' | '[')) {
                let (node, values) = self.number_bracket()?;
                EuclidArg::Pat(node, values)
            } else {
                EuclidArg::Int(self.integer(args.len() == 2, what)?)
            };
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
        Ok(args)
    }
}

/// One argument of a euclidean rhythm.
pub(super) enum EuclidArg {
    Int(i64),
    /// A pattern of indexes into the values.
    Pat(std::sync::Arc<Node>, Vec<Frac>),
}

/// The hits of `(hits,steps,rotation)` as one bool per subdivision, or why
/// not; `columns` are those of the hits and steps arguments.
pub(super) fn euclid_bools(
    hits: i64,
    steps: i64,
    rotation: i64,
    columns: (usize, usize),
) -> Result<Vec<bool>, PatternError> {
    if !(1..=MAX_COUNT).contains(&steps) {
        return Err(error(
            columns.1,
            format!("a euclidean rhythm has 1 to {MAX_COUNT} steps, found {steps}"),
        ));
    }
    if hits > steps || hits < 0 {
        return Err(error(
            columns.0,
            format!(
                "a euclidean rhythm can't have more hits than steps ({hits} hits in {steps} steps)"
            ),
        ));
    }
    let pattern = bjorklund(hits as usize, steps as usize);
    let r = rotation.rem_euclid(steps) as usize;
    // Rotate left, as Tidal does: (3,8,2) starts two steps into (3,8).
    Ok((0..pattern.len())
        .map(|i| pattern[(i + r) % pattern.len()])
        .collect())
}

/// Largest sample index after `name:`.
const MAX_SAMPLE_INDEX: i64 = 67;
/// The note a sample index 0 plays: the sampler's first slice.
const SAMPLE_BASE_NOTE: i32 = 60;

/// Degrees as far as a pattern may reach either side of the tonic.
const MAX_DEGREE: i32 = 63;

/// A scale degree: `4`, `-2`, `2#` (a semitone up), `6b` (down).
fn degree(word: &[char], column: usize) -> Result<Node, PatternError> {
    let text: String = word.iter().collect();
    let bad = || {
        error(
            column,
            format!(
                "expected a scale degree like 0, 4, -2 or 2# (a semitone up), found \"{text}\""
            ),
        )
    };
    let minus = usize::from(word.first() == Some(&'-'));
    let digits = word[minus..]
        .iter()
        .take_while(|c| c.is_ascii_digit())
        .count();
    if digits == 0 {
        return Err(bad());
    }
    let mut shift = 0i8;
    for c in &word[minus + digits..] {
        match c {
            '#' => shift += 1,
            'b' => shift -= 1,
            _ => return Err(bad()),
        }
        if shift.abs() > 11 {
            return Err(bad());
        }
    }
    let n: i32 = if digits > 3 {
        i32::MAX
    } else {
        word[minus..minus + digits]
            .iter()
            .collect::<String>()
            .parse()
            .unwrap_or(i32::MAX)
    };
    if n > MAX_DEGREE + minus as i32 {
        return Err(error(
            column,
            format!(
                "scale degrees go from -{} to {MAX_DEGREE}, found {text}",
                MAX_DEGREE + 1
            ),
        ));
    }
    let d = if minus == 1 { -n } else { n };
    Ok(Node::Atom(Hit {
        shift,
        ..Hit::new(Some(super::DEGREE_ZERO + d), DEFAULT_VELOCITY)
    }))
}

/// The MIDI number of a note name like `c#3` (`word` starts at `start`).
fn note_name(word: &[char], start: usize) -> Result<i32, PatternError> {
    let text: String = word.iter().collect();
    let column = start + 1;
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
    Ok(midi)
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
