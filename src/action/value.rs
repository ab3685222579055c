//! Argument types and values of actions, and the conversions between them.
//!
//! Control side, pure.

use crate::patch::{Bus, EffectDef, InstrumentDef, MidiSettings, Track};

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

/// Conversion between an argument value and a typed field.
pub trait FromArg: Sized {
    fn from_arg(v: &ArgValue, ty: &ArgType) -> Result<Self, String>;
    fn to_arg(&self) -> ArgValue;
}

fn number(v: &ArgValue) -> Result<f64, String> {
    match v {
        ArgValue::Number(n) if n.is_finite() => Ok(*n),
        ArgValue::Number(n) => Err(format!("expected a finite number, got {n}")),
        ArgValue::Bool(b) => Ok(if *b { 1.0 } else { 0.0 }),
        ArgValue::Text(t) => t
            .trim()
            .parse::<f64>()
            .map_err(|_| format!("expected a number, got \"{t}\"")),
    }
}

impl FromArg for f64 {
    fn from_arg(v: &ArgValue, ty: &ArgType) -> Result<Self, String> {
        let n = number(v)?;
        if let ArgType::Number { min, max, unit } = ty {
            if n < *min || n > *max {
                let unit = if unit.is_empty() {
                    String::new()
                } else {
                    format!(" {unit}")
                };
                return Err(format!("must be between {min} and {max}{unit}, got {n}"));
            }
        }
        Ok(n)
    }
    fn to_arg(&self) -> ArgValue {
        ArgValue::Number(*self)
    }
}

impl FromArg for i64 {
    fn from_arg(v: &ArgValue, ty: &ArgType) -> Result<Self, String> {
        let n = number(v)?;
        if n.fract() != 0.0 {
            return Err(format!("expected a whole number, got {n}"));
        }
        let n = n as i64;
        if let ArgType::Int { min, max } = ty {
            if n < *min || n > *max {
                return Err(format!("must be between {min} and {max}, got {n}"));
            }
        }
        Ok(n)
    }
    fn to_arg(&self) -> ArgValue {
        ArgValue::Number(*self as f64)
    }
}

impl FromArg for bool {
    fn from_arg(v: &ArgValue, _: &ArgType) -> Result<Self, String> {
        match v {
            ArgValue::Bool(b) => Ok(*b),
            ArgValue::Number(n) => Ok(*n != 0.0),
            ArgValue::Text(t) => match t.trim().to_ascii_lowercase().as_str() {
                "true" | "on" | "yes" | "1" => Ok(true),
                "false" | "off" | "no" | "0" => Ok(false),
                _ => Err(format!("expected on/off, got \"{t}\"")),
            },
        }
    }
    fn to_arg(&self) -> ArgValue {
        ArgValue::Bool(*self)
    }
}

impl FromArg for String {
    fn from_arg(v: &ArgValue, ty: &ArgType) -> Result<Self, String> {
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
                .ok_or_else(|| format!("must be one of {}, got \"{s}\"", words.join(", ")));
        }
        Ok(s)
    }
    fn to_arg(&self) -> ArgValue {
        ArgValue::Text(self.clone())
    }
}

impl FromArg for ArgValue {
    fn from_arg(v: &ArgValue, _: &ArgType) -> Result<Self, String> {
        Ok(v.clone())
    }
    fn to_arg(&self) -> ArgValue {
        self.clone()
    }
}

fn ron_text(v: &ArgValue) -> Result<&str, String> {
    match v {
        ArgValue::Text(t) => Ok(t),
        other => Err(format!("expected RON text, got {other}")),
    }
}

fn ron_options() -> ron::Options {
    ron::Options::default().with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME)
}

fn ron_error(e: ron::error::SpannedError) -> String {
    format!("{} (at column {})", e.code, e.span.start.col)
}

fn to_ron<T: serde::Serialize>(v: &T) -> String {
    ron_options().to_string(v).unwrap_or_default()
}

impl FromArg for Track {
    fn from_arg(v: &ArgValue, _: &ArgType) -> Result<Self, String> {
        ron_options().from_str(ron_text(v)?).map_err(ron_error)
    }
    fn to_arg(&self) -> ArgValue {
        ArgValue::Text(to_ron(self))
    }
}

impl FromArg for InstrumentDef {
    fn from_arg(v: &ArgValue, _: &ArgType) -> Result<Self, String> {
        ron_options().from_str(ron_text(v)?).map_err(ron_error)
    }
    fn to_arg(&self) -> ArgValue {
        ArgValue::Text(to_ron(self))
    }
}

impl FromArg for Vec<EffectDef> {
    fn from_arg(v: &ArgValue, _: &ArgType) -> Result<Self, String> {
        ron_options().from_str(ron_text(v)?).map_err(ron_error)
    }
    fn to_arg(&self) -> ArgValue {
        ArgValue::Text(to_ron(self))
    }
}

impl FromArg for Bus {
    fn from_arg(v: &ArgValue, _: &ArgType) -> Result<Self, String> {
        ron_options().from_str(ron_text(v)?).map_err(ron_error)
    }
    fn to_arg(&self) -> ArgValue {
        ArgValue::Text(to_ron(self))
    }
}

impl FromArg for MidiSettings {
    fn from_arg(v: &ArgValue, _: &ArgType) -> Result<Self, String> {
        let m: MidiSettings = ron_options().from_str(ron_text(v)?).map_err(ron_error)?;
        m.check()?;
        Ok(m)
    }
    fn to_arg(&self) -> ArgValue {
        ArgValue::Text(to_ron(self))
    }
}
