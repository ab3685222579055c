//! Errors in session files: where (file:line:column) and what, in plain words.
//!
//! Control thread only. [`PatchError::report`] is the one rendering, the
//! same in the CLI, the TUI's status pane, the reload line and what the
//! chat's model reads (docs/architecture.md says why not miette).

#[derive(Debug, thiserror::Error)]
pub enum PatchError {
    #[error("{file}: {source}")]
    Io {
        file: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{file}:{line}:{column}: {message}")]
    Invalid {
        file: String,
        /// 1-based.
        line: usize,
        /// 1-based, in characters.
        column: usize,
        message: String,
        /// The file's text, for the line the report quotes.
        text: String,
    },
}

impl PatchError {
    /// Build an error at a 1-based line and column of `text`.
    pub fn at(file: &str, text: &str, line: usize, column: usize, message: String) -> Self {
        PatchError::Invalid {
            file: file.to_string(),
            line,
            column,
            message,
            text: text.to_string(),
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
                line, column, text, ..
            } => {
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
