//! Parameter descriptions for instruments and effects: name, unit, range,
//! default, doc.
//!
//! Pure data, read on any thread: the session format validates against these
//! tables, the action table addresses parameters by name through them, the
//! docs list them, and the audio thread receives values by index (and reads
//! ranges to clamp). Nothing here allocates except [`defaults`], which the
//! control side calls.

/// What kind of value a parameter holds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ParamKind {
    /// A continuous number in `[min, max]`.
    Number,
    /// One of a fixed set of names; the value sent to the engine is the index.
    Choice(&'static [&'static str]),
    /// A file path (the sample player's WAV). Has no numeric value.
    Path,
}

/// One instrument parameter, described once.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ParamSpec {
    pub name: &'static str,
    pub kind: ParamKind,
    pub unit: &'static str,
    pub min: f32,
    pub max: f32,
    pub default: f32,
    pub doc: &'static str,
}

impl ParamSpec {
    pub const fn number(
        name: &'static str,
        unit: &'static str,
        min: f32,
        max: f32,
        default: f32,
        doc: &'static str,
    ) -> Self {
        Self {
            name,
            kind: ParamKind::Number,
            unit,
            min,
            max,
            default,
            doc,
        }
    }

    pub const fn choice(
        name: &'static str,
        choices: &'static [&'static str],
        default: usize,
        doc: &'static str,
    ) -> Self {
        Self {
            name,
            kind: ParamKind::Choice(choices),
            unit: "",
            min: 0.0,
            max: (choices.len() - 1) as f32,
            default: default as f32,
            doc,
        }
    }

    pub const fn path(name: &'static str, doc: &'static str) -> Self {
        Self {
            name,
            kind: ParamKind::Path,
            unit: "",
            min: 0.0,
            max: 0.0,
            default: 0.0,
            doc,
        }
    }

    /// Whether `value` lies in range (choices: a valid index).
    pub fn accepts(&self, value: f32) -> bool {
        value.is_finite() && value >= self.min && value <= self.max
    }
}

/// Index of the parameter called `name` in `table`.
pub fn index_of(table: &[ParamSpec], name: &str) -> Option<usize> {
    table.iter().position(|p| p.name == name)
}

/// The default values of a table, in order (paths get 0).
pub fn defaults(table: &[ParamSpec]) -> Vec<f32> {
    table.iter().map(|p| p.default).collect()
}
