//! A track's pattern as the file writes it: `Steps("x...")`,
//! `Notes("c3 e3")` or `Degrees("0 2 4")`, kept with its parsed form, and
//! a parse error turned into a column of the file.
//!
//! Control thread only; pure.

use std::fmt;

use serde::de::{self, EnumAccess, VariantAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::pattern::{self, Pattern};

/// How a pattern string is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notation {
    /// Drum steps: `x..x..X.`
    Steps,
    /// Notes: `a2 ~ c3 e3`
    Notes,
    /// Scale degrees of the session's key and scale: `0 2 4 <5 7>`
    Degrees,
}

impl Notation {
    pub fn name(self) -> &'static str {
        match self {
            Notation::Steps => "Steps",
            Notation::Notes => "Notes",
            Notation::Degrees => "Degrees",
        }
    }
}

/// A pattern as written (`Steps("x...")` / `Notes("c3 e3")`) and as parsed.
#[derive(Debug, Clone)]
pub struct PatternDef {
    pub notation: Notation,
    pub source: String,
    pub pattern: Pattern,
}

impl PartialEq for PatternDef {
    fn eq(&self, other: &Self) -> bool {
        self.notation == other.notation && self.source == other.source
    }
}

/// Marker that lets the file loader turn a column inside a pattern string
/// into a column in the file.
pub const PATTERN_COLUMN_TAG: &str = "\u{1}pattern-column:";

impl PatternDef {
    pub fn parse(notation: Notation, source: &str) -> Result<Self, pattern::PatternError> {
        let pattern = match notation {
            Notation::Steps => pattern::parse_steps(source)?,
            Notation::Notes => pattern::parse_notes(source)?,
            Notation::Degrees => pattern::parse_degrees(source)?,
        };
        Ok(Self {
            notation,
            source: source.to_string(),
            pattern,
        })
    }
}

impl Serialize for PatternDef {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let idx = match self.notation {
            Notation::Steps => 0,
            Notation::Notes => 1,
            Notation::Degrees => 2,
        };
        s.serialize_newtype_variant("Pattern", idx, self.notation.name(), &self.source)
    }
}

impl<'de> Deserialize<'de> for PatternDef {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_enum("Pattern", &["Steps", "Notes", "Degrees"], PatternVisitor)
    }
}

struct PatternVisitor;

impl<'de> Visitor<'de> for PatternVisitor {
    type Value = PatternDef;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a pattern: Steps(\"x...\"), Notes(\"c3 e3 g3\") or Degrees(\"0 2 4\")")
    }

    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<PatternDef, A::Error> {
        let (super::device::IdentName(name), variant) = data.variant()?;
        let notation = match name.as_str() {
            "Steps" => Notation::Steps,
            "Notes" => Notation::Notes,
            "Degrees" => Notation::Degrees,
            _ => {
                return Err(de::Error::custom(format!(
                    "unknown pattern kind `{name}`; write Steps(\"x...\"), Notes(\"c3 e3\") or Degrees(\"0 2 4\")"
                )))
            }
        };
        let src: String = variant.newtype_variant()?;
        PatternDef::parse(notation, &src).map_err(|e| {
            de::Error::custom(format!(
                "{PATTERN_COLUMN_TAG}{}:{}\u{1}bad pattern: {}",
                e.column,
                src.chars().count(),
                e.message
            ))
        })
    }
}
