//! Argument types and values of actions, and the conversions between them.
//!
//! Control side, pure.

use crate::patch::{
    Bus, CcArg, CcMap, EffectDef, InstrumentDef, Lane, Macro, MidiSettings, Section, TimelineClip,
    Track,
};
use crate::quote::{clip, MAX_QUOTE};

/// What an argument accepts; drives validation, help text and JSON schemas.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ArgType {
    Number {
        min: f64,
        max: f64,
        unit: &'static str,
    },
    Int {
        min: i64,
        max: i64,
    },
    Bool,
    Text,
    /// One of a fixed set of lowercase words.
    Choice(&'static [&'static str]),
    /// The name of a track.
    TrackName,
    /// RON text of a session-file value (track, instrument, effect list).
    Ron,
    /// A number or a word.
    Any,
}

/// An argument value as it arrives from any source.
#[derive(Debug, Clone, PartialEq)]
pub enum ArgValue {
    Number(f64),
    Bool(bool),
    Text(String),
}

impl std::fmt::Display for ArgValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ArgValue::Number(n) => write!(f, "{n}"),
            ArgValue::Bool(b) => write!(f, "{b}"),
            ArgValue::Text(t) => write!(f, "{t}"),
        }
    }
}

impl From<&CcArg> for ArgValue {
    fn from(a: &CcArg) -> ArgValue {
        match a {
            CcArg::Bool(b) => ArgValue::Bool(*b),
            CcArg::Number(n) => ArgValue::Number(*n),
            CcArg::Text(t) => ArgValue::Text(t.clone()),
        }
    }
}

/// Why one argument value does not fit its type.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ArgError {
    #[error("expected a finite number, got {0}")]
    NotFinite(f64),
    #[error("expected a number, got \"{0}\"")]
    NotANumber(String),
    #[error("expected a whole number, got {0}")]
    NotWhole(f64),
    #[error("must be between {min} and {max}{unit}, got {got}")]
    OutOfRange {
        min: f64,
        max: f64,
        /// Empty, or the unit with a leading space.
        unit: String,
        got: f64,
    },
    #[error("expected on/off, got \"{0}\"")]
    NotOnOff(String),
    #[error("must be one of {choices}, got \"{got}\"")]
    NotAChoice { choices: String, got: String },
    #[error("expected RON text, got {0}")]
    NotRon(ArgValue),
    #[error("{message} (at column {column})")]
    Ron { message: String, column: usize },
    #[error("{0}")]
    Invalid(String),
}

/// Conversion between an argument value and a typed field.
pub trait FromArg: Sized {
    fn from_arg(v: &ArgValue, ty: &ArgType) -> Result<Self, ArgError>;
    fn to_arg(&self) -> ArgValue;
}

fn number(v: &ArgValue) -> Result<f64, ArgError> {
    match v {
        ArgValue::Number(n) if n.is_finite() => Ok(*n),
        ArgValue::Number(n) => Err(ArgError::NotFinite(*n)),
        ArgValue::Bool(b) => Ok(if *b { 1.0 } else { 0.0 }),
        // "nan" and "inf" parse as numbers: they are refused as one.
        ArgValue::Text(t) => match t.trim().parse::<f64>() {
            Ok(n) if n.is_finite() => Ok(n),
            Ok(n) => Err(ArgError::NotFinite(n)),
            Err(_) => Err(ArgError::NotANumber(clip(t, MAX_QUOTE))),
        },
    }
}

impl FromArg for f64 {
    fn from_arg(v: &ArgValue, ty: &ArgType) -> Result<Self, ArgError> {
        let n = number(v)?;
        if let ArgType::Number { min, max, unit } = ty {
            if n < *min || n > *max {
                let unit = if unit.is_empty() {
                    String::new()
                } else {
                    format!(" {unit}")
                };
                return Err(ArgError::OutOfRange {
                    min: *min,
                    max: *max,
                    unit,
                    got: n,
                });
            }
        }
        Ok(n)
    }
    fn to_arg(&self) -> ArgValue {
        ArgValue::Number(*self)
    }
}

impl FromArg for i64 {
    fn from_arg(v: &ArgValue, ty: &ArgType) -> Result<Self, ArgError> {
        let n = number(v)?;
        if n.fract() != 0.0 {
            return Err(ArgError::NotWhole(n));
        }
        let n = n as i64;
        if let ArgType::Int { min, max } = ty {
            if n < *min || n > *max {
                return Err(ArgError::OutOfRange {
                    min: *min as f64,
                    max: *max as f64,
                    unit: String::new(),
                    got: n as f64,
                });
            }
        }
        Ok(n)
    }
    fn to_arg(&self) -> ArgValue {
        ArgValue::Number(*self as f64)
    }
}

impl FromArg for bool {
    fn from_arg(v: &ArgValue, _: &ArgType) -> Result<Self, ArgError> {
        match v {
            ArgValue::Bool(b) => Ok(*b),
            ArgValue::Number(n) => Ok(*n != 0.0),
            ArgValue::Text(t) => match t.trim().to_ascii_lowercase().as_str() {
                "true" | "on" | "yes" | "1" => Ok(true),
                "false" | "off" | "no" | "0" => Ok(false),
                _ => Err(ArgError::NotOnOff(clip(t, MAX_QUOTE))),
            },
        }
    }
    fn to_arg(&self) -> ArgValue {
        ArgValue::Bool(*self)
    }
}

impl FromArg for String {
    fn from_arg(v: &ArgValue, ty: &ArgType) -> Result<Self, ArgError> {
        let s = match v {
            ArgValue::Text(t) => t.clone(),
            other => other.to_string(),
        };
        if let ArgType::Choice(words) = ty {
            let lower = s.trim().to_ascii_lowercase();
            return words
                .iter()
                .find(|w| **w == lower)
                .map(|w| w.to_string())
                .ok_or_else(|| ArgError::NotAChoice {
                    choices: words.join(", "),
                    got: clip(&s, MAX_QUOTE),
                });
        }
        Ok(s)
    }
    fn to_arg(&self) -> ArgValue {
        ArgValue::Text(self.clone())
    }
}

impl FromArg for ArgValue {
    fn from_arg(v: &ArgValue, _: &ArgType) -> Result<Self, ArgError> {
        Ok(v.clone())
    }
    fn to_arg(&self) -> ArgValue {
        self.clone()
    }
}

fn ron_text(v: &ArgValue) -> Result<&str, ArgError> {
    match v {
        ArgValue::Text(t) => Ok(t),
        other => Err(ArgError::NotRon(other.clone())),
    }
}

fn ron_options() -> ron::Options {
    ron::Options::default().with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME)
}

fn ron_error(e: ron::error::SpannedError) -> ArgError {
    ArgError::Ron {
        message: e.code.to_string(),
        column: e.span.start.col,
    }
}

fn to_ron<T: serde::Serialize>(v: &T) -> String {
    ron_options().to_string(v).unwrap_or_default()
}

/// Session values written as RON text: a track, an instrument, effects, a
/// bus, a controller mapping. The file's own checks run while they are read.
macro_rules! ron_arg {
    ($($t:ty),*) => {$(
        impl FromArg for $t {
            fn from_arg(v: &ArgValue, _: &ArgType) -> Result<Self, ArgError> {
                ron_options().from_str(ron_text(v)?).map_err(ron_error)
            }
            fn to_arg(&self) -> ArgValue {
                ArgValue::Text(to_ron(self))
            }
        }
    )*};
}

ron_arg!(
    Track,
    InstrumentDef,
    Vec<EffectDef>,
    EffectDef,
    Bus,
    CcMap,
    Section,
    Lane,
    Vec<Macro>,
    Vec<TimelineClip>,
    Vec<(String, u32)>
);

impl FromArg for MidiSettings {
    fn from_arg(v: &ArgValue, _: &ArgType) -> Result<Self, ArgError> {
        let m: MidiSettings = ron_options().from_str(ron_text(v)?).map_err(ron_error)?;
        m.check().map_err(|e| ArgError::Invalid(e.to_string()))?;
        super::Call::check_controllers(&m).map_err(|e| ArgError::Invalid(e.to_string()))?;
        Ok(m)
    }
    fn to_arg(&self) -> ArgValue {
        ArgValue::Text(to_ron(self))
    }
}
