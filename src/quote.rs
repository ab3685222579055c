//! Quoting outside text in a message, bounded: a whole 50 MB line, a huge
//! JSON argument or a binary packet is never copied into an error, the
//! status line or the chat; a window of it is.
//!
//! Pure, any thread (the audio thread quotes nothing).

/// Most characters of outside text one message quotes.
pub const MAX_QUOTE: usize = 120;

/// `text` cut to at most `max` characters, with `…` where it was cut.
pub fn clip(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text.to_string(),
        Some((end, _)) => format!("{}…", &text[..end]),
    }
}

/// A window of at most `width` characters of `line` around `column`
/// (1-based, in characters), and the column inside that window: what an
/// error quotes with a caret under the place. `…` marks each cut end (and
/// counts in the returned column).
pub fn window(line: &str, column: usize, width: usize) -> (String, usize) {
    let len = line.chars().count();
    if len <= width {
        return (line.to_string(), column);
    }
    let col = column.clamp(1, len + 1) - 1;
    let start = col.saturating_sub(width / 2).min(len.saturating_sub(width));
    let body: String = line.chars().skip(start).take(width).collect();
    let head = if start > 0 { "…" } else { "" };
    let tail = if start + width < len { "…" } else { "" };
    (
        format!("{head}{body}{tail}"),
        col - start + 1 + head.chars().count(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_line_is_quoted_around_its_column() {
        let line = format!("{}X{}", "a".repeat(10_000), "b".repeat(10_000));
        let (w, col) = window(&line, 10_001, 40);
        assert!(w.chars().count() <= 42, "{w}");
        assert_eq!(w.chars().nth(col - 1), Some('X'));
        assert_eq!(window("short", 3, 40), ("short".to_string(), 3));
        let (w, col) = window(&line, 1, 40);
        assert!(w.starts_with('a') && w.ends_with('…'));
        assert_eq!(col, 1);
        assert_eq!(clip("héllo", 2), "hé…");
        assert_eq!(clip("hé", 2), "hé");
    }
}
