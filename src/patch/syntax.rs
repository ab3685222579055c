//! RON's and serde's errors in a musician's words, at the place the mistake
//! is: a missing comma points where the comma goes, a value out of range
//! at the start of the value, text after the session where that text
//! starts, a wrong type names the field and what was found.
//!
//! Control thread only, pure: text and an error in, a [`PatchError`] out.

use ron::error::{Position, SpannedError};

use super::error::{line_column_of, PatchError};
use super::format;

/// The error `e` from reading `text` (named `file`), placed and worded.
pub(super) fn from_ron(file: &str, text: &str, e: SpannedError) -> PatchError {
    let at = offset(text, e.span.start);
    let (place, message) = match &e.code {
        ron::Error::Message(m) => {
            if let Some(p) = pattern_error(file, text, &e, m) {
                return p;
            }
            // Our own checks run once serde has read the value: point back
            // at where the value starts.
            (token_start(text, at), m.clone())
        }
        ron::Error::TrailingCharacters => (
            next_text(text, at),
            "unexpected text after the end of the session: everything must be inside `Session( … )`".into(),
        ),
        ron::Error::ExpectedComma => (
            previous_end(text, at),
            "a comma is missing here, after the value before it".into(),
        ),
        ron::Error::ExpectedFloat | ron::Error::ExpectedInteger => {
            wrong_type(text, at, "needs a number")
        }
        ron::Error::ExpectedBoolean => wrong_type(text, at, "is `true` or `false`"),
        ron::Error::ExpectedString => wrong_type(text, at, "needs text in double quotes"),
        ron::Error::ExpectedArray => wrong_type(text, at, "needs a list in `[ ]`"),
        ron::Error::ExpectedMap => wrong_type(text, at, "needs a map in `{ }`, like `{\"verb\": -12}`"),
        ron::Error::ExpectedStringEnd => (
            string_open(text, at),
            "this text is never closed: a `\"` is missing at its end".into(),
        ),
        ron::Error::ExpectedArrayEnd => (
            previous_end(text, at),
            "a list is not closed here: a `]` (or a comma between entries) is missing".into(),
        ),
        ron::Error::ExpectedMapEnd => (
            previous_end(text, at),
            "a map is not closed here: a `}` (or a comma between entries) is missing".into(),
        ),
        ron::Error::ExpectedMapColon => (
            previous_end(text, at),
            "a `:` is missing between a key and its value".into(),
        ),
        ron::Error::ExpectedStructLikeEnd => (
            previous_end(text, at),
            "a `)` is missing here (or a comma between two fields)".into(),
        ),
        ron::Error::ExpectedDifferentStructName { expected, found } => (
            token_start(text, at),
            format!("expected `{expected}( … )` here, found `{found}`"),
        ),
        ron::Error::ExpectedNamedStructLike(_) | ron::Error::ExpectedIdentifier
            if closing(text, at).is_some() =>
        {
            let c = closing(text, at).unwrap_or(')');
            let missing = if c == ')' { ']' } else { ')' };
            (
                previous_end(text, at),
                format!("a `{missing}` is missing here, before the `{c}`"),
            )
        }
        ron::Error::ExpectedNamedStructLike(name) => {
            (at, format!("expected `{name}( … )` here"))
        }
        ron::Error::ExpectedIdentifier => match text[at.min(text.len())..].chars().next() {
            Some(c) if !c.is_alphabetic() => (at, format!("unexpected `{c}` here; expected a field name")),
            _ => (at, "expected a field name here".into()),
        },
        ron::Error::UnclosedBlockComment => (
            text[..at.min(text.len())].rfind("/*").unwrap_or(at),
            "a `/*` comment is never closed".into(),
        ),
        ron::Error::UnexpectedChar(c) => (at, format!("unexpected `{c}` here")),
        ron::Error::IntegerOutOfBounds => (
            token_start(text, at),
            "this number is too large".into(),
        ),
        ron::Error::DuplicateStructField { field, outer } => (
            token_start(text, at),
            format!(
                "`{field}` is given twice{}; keep one",
                outer.as_ref().map(|o| format!(" in {o}")).unwrap_or_default()
            ),
        ),
        ron::Error::NoSuchStructField {
            expected,
            found,
            outer,
        } => (
            token_start(text, at),
            format!(
                "unknown field `{found}`{}{}; expected one of: {}",
                outer.as_ref().map(|o| format!(" in {o}")).unwrap_or_default(),
                did_you_mean(found, expected),
                expected.join(", ")
            ),
        ),
        ron::Error::NoSuchEnumVariant {
            expected,
            found,
            outer,
        } => (
            token_start(text, at),
            format!(
                "unknown value `{found}`{}{}; expected one of: {}",
                outer.as_ref().map(|o| format!(" for {o}")).unwrap_or_default(),
                did_you_mean(found, expected),
                expected.join(", ")
            ),
        ),
        ron::Error::MissingStructField { field, outer } => (
            struct_start(text, at),
            format!(
                "missing field `{field}`{}",
                outer.as_ref().map(|o| format!(" in {o}")).unwrap_or_default()
            ),
        ),
        ron::Error::Eof => (
            at,
            "the file ends too early: a bracket or parenthesis is not closed".into(),
        ),
        ron::Error::ExpectedStructLike => (
            at,
            "expected `(` here: an instrument or effect needs parentheses, e.g. `Kick()` for its defaults or `Kick(tune: 50)`".into(),
        ),
        ron::Error::InvalidValueForType { expected, found } => (
            token_start(text, at),
            format!("expected {expected}, found {found}"),
        ),
        other => (at, format!("syntax error: {other}")),
    };
    let (line, col) = line_column_of(text, place);
    PatchError::at(file, text, line, col, message)
}

/// The byte offset of a 1-based (line, column in characters) position.
fn offset(text: &str, p: Position) -> usize {
    let mut line_start = 0;
    for _ in 1..p.line.max(1) {
        match text[line_start..].find('\n') {
            Some(i) => line_start += i + 1,
            None => return text.len(),
        }
    }
    text[line_start..]
        .char_indices()
        .nth(p.col.max(1) - 1)
        .map_or(text.len(), |(i, _)| line_start + i)
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '.' | '-' | '+' | '#')
}

/// Where the value that ends at (or just before) `at` starts: back over
/// blanks, then over a word, a number or a quoted string.
fn token_start(text: &str, at: usize) -> usize {
    // On a string's closing quote, the string is the value.
    let at = if text[at.min(text.len())..].starts_with('"') {
        at + 1
    } else {
        at
    };
    let before = &text[..at.min(text.len())];
    let trimmed = before.trim_end();
    if let Some(inner) = trimmed.strip_suffix('"') {
        // An odd count of quotes so far: this one opens the string.
        if trimmed.matches('"').count() % 2 == 1 {
            return inner.len();
        }
        return inner.rfind('"').unwrap_or(inner.len());
    }
    let start = trimmed
        .char_indices()
        .rev()
        .take_while(|(_, c)| is_word(*c))
        .last()
        .map_or(trimmed.len(), |(i, _)| i);
    // The parser may stop before the value rather than after it.
    if start == trimmed.len() {
        return next_text(text, at);
    }
    start
}

/// Just after the last thing written before `at` (comments and blanks
/// skipped): where a missing comma or bracket goes.
fn previous_end(text: &str, at: usize) -> usize {
    let mut end = at.min(text.len());
    loop {
        let before = text[..end].trim_end();
        // A `//` comment on the last line is not where the value ended.
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        match before[line_start..].find("//") {
            Some(c) if !before[line_start..line_start + c].contains('"') => {
                end = line_start + c;
            }
            _ => return before.len(),
        }
    }
}

/// The first character at or after `at` that is not blank or a comment.
fn next_text(text: &str, at: usize) -> usize {
    let mut i = at.min(text.len());
    loop {
        let rest = &text[i..];
        let trimmed = rest.trim_start();
        i += rest.len() - trimmed.len();
        if trimmed.starts_with("//") {
            i += trimmed.find('\n').unwrap_or(trimmed.len());
        } else {
            return i;
        }
    }
}

/// The closing bracket at `at`, if that is what the parser stopped on.
fn closing(text: &str, at: usize) -> Option<char> {
    text[at.min(text.len())..]
        .chars()
        .next()
        .filter(|c| matches!(c, ')' | ']' | '}'))
}

/// Where the struct whose `)` is at `at` starts: its name before the
/// matching `(`.
fn struct_start(text: &str, at: usize) -> usize {
    let mut depth = 0i32;
    for (i, c) in text[..at.min(text.len())].char_indices().rev() {
        match c {
            ')' | ']' | '}' => depth += 1,
            '(' | '[' | '{' if depth > 0 => depth -= 1,
            '(' => return token_start(text, i),
            _ => {}
        }
    }
    at
}

/// The opening quote of the string that runs on from before `at`.
fn string_open(text: &str, at: usize) -> usize {
    text[..at.min(text.len())].rfind('"').unwrap_or(at)
}

/// "`tempo` needs a number, found `"fast"`", at the value's start.
fn wrong_type(text: &str, at: usize, needs: &str) -> (usize, String) {
    let start = next_text(text, at);
    let found: String = if text[start..].starts_with('"') {
        let end = text[start + 1..]
            .find('"')
            .map_or(text.len(), |e| start + e + 2);
        text[start..end].to_string()
    } else {
        let word: String = text[start..].chars().take_while(|c| is_word(*c)).collect();
        match text[start + word.len()..].chars().next() {
            Some(b @ ('(' | '[' | '{')) => format!("{word}{b}"),
            _ => word,
        }
    };
    let field = field_before(text, start);
    let what = match field {
        Some(f) => format!("`{f}` {needs}"),
        None => format!("this value {needs}"),
    };
    let found = if found.is_empty() {
        String::new()
    } else {
        format!(", found `{found}`")
    };
    (start, format!("{what}{found}"))
}

/// The field name in `name: value` before the value starting at `at`.
fn field_before(text: &str, at: usize) -> Option<&str> {
    let before = text[..at].trim_end().strip_suffix(':')?.trim_end();
    let start = before
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_alphanumeric() || *c == '_')
        .last()
        .map(|(i, _)| i)?;
    Some(&before[start..])
}

/// " (did you mean `cutoff`?)" when one expected name is close to `found`
/// (and not the same name in another case, which the message shows anyway).
fn did_you_mean(found: &str, expected: &[&str]) -> String {
    match crate::suggest::closest(found, expected) {
        Some((d, e)) if d > 0 => format!(" (did you mean `{e}`?)"),
        _ => String::new(),
    }
}

/// A pattern's own parse error carries the column inside its string
/// (`<col>:<len>\u{1}<message>`): point at that column of the literal.
fn pattern_error(file: &str, text: &str, e: &SpannedError, m: &str) -> Option<PatchError> {
    let rest = m.strip_prefix(format::PATTERN_COLUMN_TAG)?;
    let (nums, message) = rest.split_once('\u{1}')?;
    let mut it = nums.split(':').filter_map(|n| n.parse::<usize>().ok());
    let (col, _len) = (it.next()?, it.next()?);
    let (start, end) = (e.span.start, e.span.end);
    let (line, string_col) = string_start(text, start.line, start.col, end.line, end.col);
    Some(PatchError::at(
        file,
        text,
        line,
        string_col + col,
        message.to_string(),
    ))
}

/// The line and column just before the first character of the pattern's
/// string literal. ron's span may cover the variant name before the string
/// or the end of the string, so pick the literal on that line that overlaps
/// the span, else the first one after it. Pattern strings hold no quotes.
fn string_start(text: &str, l0: usize, c0: usize, l1: usize, c1: usize) -> (usize, usize) {
    let line = text.lines().nth(l0.saturating_sub(1)).unwrap_or("");
    let quotes: Vec<usize> = line
        .chars()
        .enumerate()
        .filter(|(_, c)| *c == '"')
        .map(|(i, _)| i + 1)
        .collect();
    let end_col = if l1 == l0 { c1 } else { usize::MAX };
    let pairs: Vec<(usize, usize)> = quotes
        .chunks(2)
        .filter(|p| p.len() == 2)
        .map(|p| (p[0], p[1]))
        .collect();
    let pick = pairs
        .iter()
        .find(|(open, close)| *open <= end_col && *close + 1 >= c0)
        .or_else(|| pairs.iter().find(|(open, _)| *open >= c0));
    match pick {
        Some((open, _)) => (l0, *open),
        None => (l0, c0),
    }
}
