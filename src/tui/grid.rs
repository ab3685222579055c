//! The sequencer pane's model: a track's pattern as a row of cells, and the
//! step edits that rewrite its text.
//!
//! Control thread (UI), pure functions. `Steps` patterns and plain `Notes`
//! sequences (notes, `x`, `~`, `_` separated by spaces) are edited in place,
//! one cell per step, keeping the rest of the text as written. Richer
//! mini-notation (`[ ]`, `< >`, `*`, euclid...) is shown as the events of the
//! cycle under the playhead and is edited in the file.

use crate::patch::{Notation, SessionFile, Track};
use crate::pattern::{parse_notes, Frac, Span};

/// What one cell shows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cell {
    Rest,
    /// The previous note goes on sounding.
    Hold,
    Hit {
        velocity: f32,
        note: Option<i32>,
    },
}

/// How a pattern can be edited from the grid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Editable {
    Steps,
    Notes,
    /// Only in the file (the grid shows one cycle of events).
    No,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Grid {
    pub cells: Vec<Cell>,
    pub editable: Editable,
    /// The cell under the playhead.
    pub playhead: Option<usize>,
    /// Which cycle of the pattern the cells show (for patterns that vary).
    pub cycle: i64,
    /// Steps per cell (1 for editable patterns).
    pub steps_per_cell: f64,
}

/// Most cells shown for a pattern that is not a plain sequence.
const MAX_CELLS: i64 = 64;

fn hit_char(c: char) -> Option<f32> {
    match c {
        'x' => Some(0.8),
        'X' => Some(1.0),
        'o' => Some(0.4),
        '1'..='9' => Some((c as u32 - '0' as u32) as f32 / 9.0),
        _ => None,
    }
}

/// The step characters of a `Steps` source with their byte offsets.
fn step_chars(src: &str) -> Vec<(usize, char)> {
    src.char_indices()
        .filter(|(_, c)| !c.is_whitespace() && *c != '|')
        .collect()
}

/// A whitespace-separated token of a plain note sequence.
#[derive(Debug, Clone)]
struct Token {
    start: usize,
    end: usize,
    cell: Cell,
}

/// The tokens of a `Notes` source, if every one of them is a single step
/// (a note, a MIDI number, `x X o`, `~` or `_`, with an optional `:velocity`).
fn plain_tokens(src: &str) -> Option<Vec<Token>> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in src.char_indices().chain(std::iter::once((src.len(), ' '))) {
        match (c.is_whitespace(), start) {
            (false, None) => start = Some(i),
            (true, Some(s)) => {
                out.push(token(&src[s..i], s)?);
                start = None;
            }
            _ => {}
        }
    }
    Some(out)
}

fn token(t: &str, start: usize) -> Option<Token> {
    let end = start + t.len();
    let cell = match t {
        "~" => Cell::Rest,
        "_" => Cell::Hold,
        _ => {
            let allowed = |c: char| c.is_ascii_alphanumeric() || "#:.-".contains(c);
            if !t.chars().all(allowed) {
                return None;
            }
            let p = parse_notes(t).ok()?;
            if p.steps() != Frac::ONE {
                return None;
            }
            let ev = p.query(Span::cycle(0));
            match ev.as_slice() {
                [e] if e.whole == Span::cycle(0) => Cell::Hit {
                    velocity: e.value.velocity,
                    note: e.value.note,
                },
                _ => return None,
            }
        }
    };
    Some(Token { start, end, cell })
}

/// The grid of `track` at song position `beat`.
pub fn grid(track: &Track, file: &SessionFile, beat: f64) -> Grid {
    let empty = Grid {
        cells: Vec::new(),
        editable: Editable::No,
        playhead: None,
        cycle: 0,
        steps_per_cell: 1.0,
    };
    let Some(def) = &track.pattern else {
        return empty;
    };
    let step_beats = file.time_signature.step_beats(track.resolution);
    let step_pos = if beat >= 0.0 { beat / step_beats } else { 0.0 };
    let (cells, editable) = match def.notation {
        Notation::Steps => {
            let cells = step_chars(&def.source)
                .into_iter()
                .map(|(_, c)| match (c, hit_char(c)) {
                    ('_', _) => Cell::Hold,
                    (_, Some(v)) => Cell::Hit {
                        velocity: v,
                        note: None,
                    },
                    _ => Cell::Rest,
                })
                .collect();
            (cells, Editable::Steps)
        }
        Notation::Notes => match plain_tokens(&def.source) {
            Some(tokens) => (
                tokens.into_iter().map(|t| t.cell).collect(),
                Editable::Notes,
            ),
            None => (Vec::new(), Editable::No),
        },
        // Shown as the notes they play (below); edited in the file.
        Notation::Degrees => (Vec::new(), Editable::No),
    };
    if editable != Editable::No {
        let n = cells.len();
        let playhead = (n > 0).then(|| (step_pos.floor() as i64).rem_euclid(n as i64) as usize);
        return Grid {
            cells,
            editable,
            playhead,
            cycle: if n > 0 {
                (step_pos / n as f64).floor() as i64
            } else {
                0
            },
            steps_per_cell: 1.0,
        };
    }
    // Not a plain sequence: one cycle of events on a grid fine enough to hold them.
    let steps = def.pattern.steps().to_f64();
    if steps <= 0.0 {
        return empty;
    }
    let cycle = (step_pos / steps).floor() as i64;
    let events = def.pattern.query(Span::cycle(cycle));
    let base = Frac::from_int(cycle);
    let mut n: i64 = if def.pattern.steps().denom() == 1 {
        def.pattern.steps().numer().max(1)
    } else {
        1
    };
    for e in &events {
        let d = (e.whole.begin - base).denom();
        n = lcm(n, d);
        if n > MAX_CELLS {
            n = MAX_CELLS;
            break;
        }
    }
    let mut cells = vec![Cell::Rest; n as usize];
    for e in &events {
        let at = ((e.whole.begin - base).to_f64() * n as f64).floor() as i64;
        let len = ((e.whole.end - e.whole.begin).to_f64() * n as f64)
            .round()
            .max(1.0) as i64;
        if !(0..n).contains(&at) {
            continue;
        }
        // Degrees show as the notes they play in the session's key.
        let note = match def.notation {
            Notation::Degrees => e
                .value
                .note
                .map(|d| file.degree_note(d - crate::pattern::DEGREE_ZERO, e.value.shift)),
            _ => e.value.note,
        };
        let hit = Cell::Hit {
            velocity: e.value.velocity,
            note,
        };
        match cells[at as usize] {
            // A chord shows its lowest note.
            Cell::Hit {
                note: Some(old), ..
            } if note.is_some_and(|n| n >= old) => {}
            _ => cells[at as usize] = hit,
        }
        for k in at + 1..(at + len).min(n) {
            if cells[k as usize] == Cell::Rest {
                cells[k as usize] = Cell::Hold;
            }
        }
    }
    let in_cycle = step_pos / steps - cycle as f64;
    Grid {
        cells,
        editable: Editable::No,
        playhead: Some(((in_cycle * n as f64).floor() as usize).min(n as usize - 1)),
        cycle,
        steps_per_cell: steps / n as f64,
    }
}

fn lcm(a: i64, b: i64) -> i64 {
    fn gcd(a: i64, b: i64) -> i64 {
        if b == 0 {
            a.abs()
        } else {
            gcd(b, a % b)
        }
    }
    if a == 0 || b == 0 {
        return a.max(b);
    }
    (a / gcd(a, b)).saturating_mul(b).abs()
}

pub use crate::patch::note_name;

/// What a step edit does.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Edit {
    /// On ↔ off.
    Toggle,
    /// Normal → accent → ghost → normal.
    Velocity,
    /// Move the note by semitones.
    Transpose(i32),
}

/// Why a step edit cannot be done from the grid (shown in the status line).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EditError {
    #[error("{0} has no pattern yet: add one in the file")]
    NoPattern(String),
    /// Step numbers are 1-based, as shown.
    #[error("step {0} is past the end of the pattern")]
    PastEnd(usize),
    #[error("drum steps have no pitch: use a Notes pattern to set notes")]
    DrumSteps,
    #[error("{0}'s pattern uses the mini-notation: edit it in the session file")]
    MiniNotation(String),
    #[error("notes must stay within MIDI 0-127")]
    OutOfRange,
    #[error("this step is a drum hit: it has no pitch")]
    DrumHit,
    #[error("step {0} is a rest: turn it on first")]
    Rest(usize),
}

/// Apply `edit` to step `k` of `track`'s pattern; the new pattern text, or
/// why it cannot be done from the grid. `default_note` (MIDI) is what a new
/// note in an empty Notes sequence plays.
pub fn edit(track: &Track, k: usize, edit: Edit, default_note: i32) -> Result<String, EditError> {
    let def = track
        .pattern
        .as_ref()
        .ok_or_else(|| EditError::NoPattern(track.name.as_str().to_string()))?;
    let src = &def.source;
    match def.notation {
        Notation::Steps => {
            let chars = step_chars(src);
            let &(at, c) = chars.get(k).ok_or(EditError::PastEnd(k + 1))?;
            let new = match (edit, c, hit_char(c)) {
                (Edit::Toggle, _, Some(_)) => '.',
                (Edit::Toggle, _, None) => 'x',
                (Edit::Velocity, 'x', _) => 'X',
                (Edit::Velocity, 'X', _) => 'o',
                (Edit::Velocity, _, _) => 'x',
                (Edit::Transpose(_), _, _) => return Err(EditError::DrumSteps),
            };
            Ok(format!(
                "{}{}{}",
                &src[..at],
                new,
                &src[at + c.len_utf8()..]
            ))
        }
        Notation::Degrees => Err(EditError::MiniNotation(track.name.as_str().to_string())),
        Notation::Notes => {
            let tokens = plain_tokens(src)
                .ok_or_else(|| EditError::MiniNotation(track.name.as_str().to_string()))?;
            let t = tokens.get(k).ok_or(EditError::PastEnd(k + 1))?;
            let text = &src[t.start..t.end];
            let (body, vel) = match text.split_once(':') {
                Some((b, v)) => (b, Some(v)),
                None => (text, None),
            };
            let new = match (edit, t.cell) {
                (Edit::Toggle, Cell::Hit { .. }) => "~".to_string(),
                (Edit::Toggle, _) => {
                    let prev = tokens[..k].iter().rev().find_map(|t| match t.cell {
                        Cell::Hit { note: Some(n), .. } => Some(n),
                        _ => None,
                    });
                    note_name(prev.unwrap_or(default_note))
                }
                (Edit::Velocity, Cell::Hit { .. }) => match (body, vel) {
                    ("x", _) => "X".into(),
                    ("X", _) => "o".into(),
                    ("o", _) => "x".into(),
                    (b, None) => format!("{b}:1"),
                    (b, Some("1")) => format!("{b}:0.4"),
                    (b, Some(_)) => b.to_string(),
                },
                (Edit::Transpose(d), Cell::Hit { note: Some(n), .. }) => {
                    let m = n + d;
                    if !(0..=127).contains(&m) {
                        return Err(EditError::OutOfRange);
                    }
                    match vel {
                        Some(v) => format!("{}:{v}", note_name(m)),
                        None => note_name(m),
                    }
                }
                (Edit::Transpose(_), Cell::Hit { note: None, .. }) => {
                    return Err(EditError::DrumHit)
                }
                (_, _) => return Err(EditError::Rest(k + 1)),
            };
            Ok(format!("{}{}{}", &src[..t.start], new, &src[t.end..]))
        }
    }
}
