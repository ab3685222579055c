//! The arguments of pattern functions: numbers (exact, `1/8`, `1e9`),
//! quoted or bracketed mini-notation, arp-mode patterns.
//!
//! Control thread only, pure. Every error names a column.

use super::super::frac::Frac;
use super::super::model::Pattern;
use super::super::parse::{error, parse_mode, Mode, PatternError};
use super::{FnParser, NumArg};

impl FnParser {
    pub(super) fn mode_pattern(
        &self,
        text: &str,
        column: usize,
        seed: u64,
    ) -> Result<NumArg, PatternError> {
        let parsed = parse_mode(
            text,
            Mode::Words(super::super::transform::ArpMode::NAMES),
            column,
            seed,
        )?;
        let values = (0..super::super::transform::ArpMode::NAMES.len() as i64)
            .map(Frac::from_int)
            .collect();
        Ok(NumArg::Pat(
            Pattern::from_arc(parsed.node, parsed.steps),
            values,
        ))
    }

    /// A number, `(number)`, or a number pattern.
    pub(super) fn num_arg(
        &mut self,
        end: usize,
        seed: u64,
        mode: Mode,
    ) -> Result<NumArg, PatternError> {
        let column = self.pos + 1;
        if let Some((text, at)) = self.literal(end)? {
            let parsed = parse_mode(&text, mode, at, seed)?;
            if parsed.steps == Frac::ZERO {
                return Err(error(
                    column,
                    "empty pattern: put at least one number inside",
                ));
            }
            return Ok(NumArg::Pat(
                Pattern::from_arc(parsed.node, parsed.steps),
                parsed.values,
            ));
        }
        if self.peek() == Some('(') {
            self.pos += 1;
            self.skip_space();
            let n = self.number()?;
            self.skip_space();
            self.close_paren(column)?;
            return Ok(NumArg::Const(n));
        }
        Ok(NumArg::Const(self.number()?))
    }

    /// A quoted (`"..."`, `'...'`) or bracketed (`<...>`, `[...]`)
    /// mini-notation at the cursor: its text (brackets kept, quotes
    /// dropped) and the column where that text starts.
    pub(super) fn literal(&mut self, end: usize) -> Result<Option<(String, usize)>, PatternError> {
        let column = self.pos + 1;
        let Some(open) = self.peek() else {
            return Ok(None);
        };
        match open {
            '"' | '\'' => {
                let start = self.pos + 1;
                let Some(len) = self.chars[start..].iter().position(|&c| c == open) else {
                    return Err(error(
                        column,
                        format!("unclosed {open} opened at column {column}"),
                    ));
                };
                self.pos = start + len + 1;
                Ok(Some((
                    self.chars[start..start + len].iter().collect(),
                    column + 1,
                )))
            }
            '<' | '[' => {
                let mut depth = 0usize;
                let start = self.pos;
                while self.pos < end {
                    match self.chars[self.pos] {
                        '<' | '[' | '{' => depth += 1,
                        '>' | ']' | '}' => {
                            depth = depth.saturating_sub(1);
                            if depth == 0 {
                                self.pos += 1;
                                let text: String = self.chars[start..self.pos].iter().collect();
                                return Ok(Some((text, column)));
                            }
                        }
                        _ => {}
                    }
                    self.pos += 1;
                }
                Err(error(
                    column,
                    format!("unclosed \"{open}\" opened at column {column}"),
                ))
            }
            _ => Ok(None),
        }
    }

    /// `2`, `-0.25`, `1/8`, `1e9`, exactly.
    pub(super) fn number(&mut self) -> Result<Frac, PatternError> {
        let column = self.pos + 1;
        let start = self.pos;
        while self.peek().is_some_and(|c| {
            c.is_ascii_digit() || matches!(c, '.' | '-' | '/' | 'e' | 'E' | '+' | '%')
        }) {
            // A `.` followed by a space is composition, not a decimal point.
            if self.peek() == Some('.')
                && !self
                    .chars
                    .get(self.pos + 1)
                    .is_some_and(|c| c.is_ascii_digit())
            {
                break;
            }
            self.pos += 1;
        }
        let text: String = self.chars[start..self.pos].iter().collect();
        parse_number(&text).ok_or_else(|| {
            let found = if text.is_empty() {
                self.peek()
                    .map_or("the end".to_string(), |c| format!("\"{c}\""))
            } else {
                format!("\"{text}\"")
            };
            error(
                column,
                format!("expected a number like 2, 0.25 or 1/8, found {found}"),
            )
        })
    }
}

/// An exact number from `2`, `-0.25`, `1/8`, `1%8`, `1e9`.
fn parse_number(text: &str) -> Option<Frac> {
    if let Some((a, b)) = text.split_once(['/', '%']) {
        let (a, b) = (parse_number(a)?, parse_number(b)?);
        return a.checked_div(b);
    }
    let (neg, body) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (mantissa, exp) = match body.split_once(['e', 'E']) {
        Some((m, e)) => (m, e.parse::<i32>().ok()?),
        None => (body, 0),
    };
    let (whole, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if whole.is_empty() && frac.is_empty() {
        return None;
    }
    if !whole
        .chars()
        .chain(frac.chars())
        .all(|c| c.is_ascii_digit())
        || whole.len() + frac.len() > 15
        || !(-12..=12).contains(&exp)
    {
        return None;
    }
    let digits: i64 = format!("{whole}{frac}").parse().ok()?;
    let scale = exp - frac.len() as i32;
    let mut v = Frac::from_int(digits);
    let ten = Frac::from_int(10);
    for _ in 0..scale.unsigned_abs() {
        v = if scale > 0 { v * ten } else { v / ten };
    }
    Some(if neg { -v } else { v })
}
