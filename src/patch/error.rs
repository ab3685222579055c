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
        /// A window of the offending line (never the whole of a long
        /// line), and the 1-based column inside it the caret goes under.
        quote: String,
        caret: usize,
    },
}

/// Most characters of a line an error quotes.
pub const MAX_QUOTED_LINE: usize = 100;
/// Most characters of a message built from the file (a found value, a
/// name): the rest is cut with `…`.
pub const MAX_MESSAGE: usize = 400;

impl PatchError {
    /// Build an error at a 1-based line and column of `text`.
    pub fn at(file: &str, text: &str, line: usize, column: usize, message: String) -> Self {
        let line_text = text.lines().nth(line.saturating_sub(1)).unwrap_or("");
        let (quote, caret) = crate::quote::window(line_text, column, MAX_QUOTED_LINE);
        PatchError::Invalid {
            file: crate::quote::clip(file, MAX_QUOTED_LINE),
            line,
            column,
            message: crate::quote::clip(&message, MAX_MESSAGE),
            quote,
            caret,
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
                line, quote, caret, ..
            } => {
                let line_text = quote;
                let gutter = format!("{line} | ");
                let pad: String = line_text
                    .chars()
                    .take(caret.saturating_sub(1))
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

/// Why one value of a session (a number, a choice, a name, a key) is
/// refused, in the words the file's error, an action's error and the chat
/// all show.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ValueError {
    #[error("{what} must be between {min} and {max}{unit}, found {found}")]
    Range {
        what: String,
        min: String,
        max: String,
        /// With its leading space, or empty.
        unit: String,
        found: f64,
    },
    #[error("{what} must be one of {choices}, found {found}")]
    OneOf {
        what: String,
        choices: String,
        found: String,
    },
    #[error("{0} is true or false")]
    Bool(String),
    #[error("{what} needs a number, got \"{found}\"")]
    NotANumber { what: String, found: String },
    #[error("{what} cannot be set to {found}")]
    CannotSet { what: String, found: String },
    #[error("{0} is not a choice")]
    NotAChoice(String),
    #[error("a name must be 1 to 32 characters, found \"{0}\"")]
    NameLength(String),
    #[error("a name may use lowercase letters, digits, `_` and `-` only; \"{name}\" has `{bad}`")]
    NameChar { name: String, bad: char },
    #[error("key must be a note name like C, F# or Bb, found \"{0}\"")]
    Key(String),
}

impl ValueError {
    /// A range error; `unit` is added after one space when it is not empty.
    pub fn range(
        what: impl Into<String>,
        min: impl ToString,
        max: impl ToString,
        unit: &str,
        found: f64,
    ) -> Self {
        ValueError::Range {
            what: what.into(),
            min: min.to_string(),
            max: max.to_string(),
            unit: if unit.is_empty() {
                String::new()
            } else {
                format!(" {unit}")
            },
            found,
        }
    }
}

/// Why the MIDI settings of a session are refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MidiError {
    #[error("at most {max} controller mappings, found {found}")]
    TooMany { found: usize, max: usize },
    #[error("MIDI channels are 1 to 16, found {0}")]
    Channel(u8),
    #[error("controller numbers are 0 to 127, found {0}")]
    Controller(u8),
    #[error("CC {0}: min and max must be numbers")]
    Bounds(u8),
    #[error("CC {cc}: at most {max} arguments, found {found}")]
    TooManyArgs { cc: u8, max: usize, found: usize },
    #[error("CC {0}: give `target` or `action`, not both")]
    TargetAndAction(u8),
    #[error("CC {0}: `args` goes with `action`, not `target`")]
    ArgsWithTarget(u8),
    #[error("CC {0}: missing `action` (e.g. action: \"set_volume\", args: [\"bass\"])")]
    NoAction(u8),
}
