//! Errors in session files: where (file:line:column) and what, in plain words.
//!
//! Control thread only.

use miette::{Diagnostic, NamedSource, SourceSpan};

#[derive(Debug, thiserror::Error, Diagnostic)]
pub enum PatchError {
    #[error("{file}: {source}")]
    #[diagnostic(code(termdaw::patch::io))]
    Io {
        file: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{file}:{line}:{column}: {message}")]
    #[diagnostic(code(termdaw::patch::invalid))]
    Invalid {
        file: String,
        /// 1-based.
        line: usize,
        /// 1-based, in characters.
        column: usize,
        message: String,
        #[source_code]
        src: NamedSource<String>,
        #[label("{message}")]
        at: SourceSpan,
    },
}

impl PatchError {
    /// Build an error at a 1-based line and column of `text`.
    pub fn at(file: &str, text: &str, line: usize, column: usize, message: String) -> Self {
        let offset = offset_of(text, line, column);
        PatchError::Invalid {
            file: file.to_string(),
            line,
            column,
            message,
            src: NamedSource::new(file, text.to_string()),
            at: SourceSpan::new(offset.into(), 1),
        }
    }

    pub fn line_column(&self) -> Option<(usize, usize)> {
        match self {
            PatchError::Invalid { line, column, .. } => Some((*line, *column)),
            PatchError::Io { .. } => None,
        }
    }

    pub fn message(&self) -> String {
        match self {
            PatchError::Invalid { message, .. } => message.clone(),
            PatchError::Io { source, .. } => source.to_string(),
        }
    }

    /// `file:line:column: message`, then the offending line with a caret under
    /// the column: what the TUI status pane and the CLI show.
    pub fn report(&self) -> String {
        match self {
            PatchError::Io { .. } => self.to_string(),
            PatchError::Invalid {
                line, column, src, ..
            } => {
                let text = src.inner();
                let line_text = text.lines().nth(line.saturating_sub(1)).unwrap_or("");
                let gutter = format!("{line} | ");
                let pad: String = line_text
                    .chars()
                    .take(column.saturating_sub(1))
                    .map(|c| if c == '\t' { '\t' } else { ' ' })
                    .collect();
                format!(
                    "{self}\n{gutter}{line_text}\n{}{pad}^",
                    " ".repeat(gutter.len())
                )
            }
        }
    }
}

/// Byte offset of a 1-based line and character column.
pub fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let mut off = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            let col_bytes: usize = l
                .chars()
                .take(column.saturating_sub(1))
                .map(char::len_utf8)
                .sum();
            return (off + col_bytes).min(text.len());
        }
        off += l.len();
    }
    text.len()
}

/// 1-based line and column of a byte offset.
pub fn line_column_of(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before
        .rsplit('\n')
        .next()
        .map(|l| l.chars().count())
        .unwrap_or(0)
        + 1;
    (line, col)
}
