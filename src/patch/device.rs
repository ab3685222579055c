//! Instruments and effects in session files: `Synth(cutoff: 800, wave: Saw)`.
//!
//! Control thread only. A device is a kind name plus named parameters; both
//! are checked against the kind's parameter table while the file is parsed,
//! so an unknown kind, an unknown parameter or an out-of-range value fails
//! with the position of the offending text.

use std::fmt;

use serde::de::{self, DeserializeSeed, EnumAccess, MapAccess, VariantAccess, Visitor};
use serde::ser::SerializeStructVariant;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::error::ValueError;
use crate::kinds::param::{defaults, index_of, ParamKind, ParamSpec};
use crate::kinds::EffectKind;
use crate::kinds::InstrumentKind;

/// Something with a name and a parameter table: an instrument or effect kind.
pub trait DeviceKind: Copy + PartialEq + fmt::Debug + 'static {
    const WHAT: &'static str;
    fn all() -> &'static [Self];
    fn name(self) -> &'static str;
    fn params(self) -> &'static [ParamSpec];
}

impl DeviceKind for InstrumentKind {
    const WHAT: &'static str = "instrument";
    fn all() -> &'static [Self] {
        &InstrumentKind::ALL
    }
    fn name(self) -> &'static str {
        InstrumentKind::name(self)
    }
    fn params(self) -> &'static [ParamSpec] {
        InstrumentKind::params(self)
    }
}

impl DeviceKind for EffectKind {
    const WHAT: &'static str = "effect";
    fn all() -> &'static [Self] {
        &EffectKind::ALL
    }
    fn name(self) -> &'static str {
        EffectKind::name(self)
    }
    fn params(self) -> &'static [ParamSpec] {
        EffectKind::params(self)
    }
}

/// A device as written in a file: its kind, every parameter's value (defaults
/// filled in) and, for samples, the file path.
#[derive(Debug, Clone, PartialEq)]
pub struct Device<K: DeviceKind> {
    pub kind: K,
    pub values: Vec<f32>,
    pub path: Option<String>,
    /// Which parameters the file set explicitly (saved back; the rest are defaults).
    pub set: Vec<bool>,
}

pub type InstrumentDef = Device<InstrumentKind>;
pub type EffectDef = Device<EffectKind>;

impl<K: DeviceKind> Device<K> {
    pub fn new(kind: K) -> Self {
        let n = kind.params().len();
        Self {
            kind,
            values: defaults(kind.params()),
            path: None,
            set: vec![false; n],
        }
    }

    pub fn param(&self, name: &str) -> Option<f32> {
        index_of(self.kind.params(), name).map(|i| self.values[i])
    }

    /// Set a parameter by index (already validated) and mark it explicit.
    pub fn set_value(&mut self, index: usize, value: f32) {
        if index < self.values.len() {
            self.values[index] = value;
            self.set[index] = true;
        }
    }

    /// Human-readable value, e.g. `800 Hz` or `saw`.
    pub fn describe(&self, index: usize) -> String {
        let p = &self.kind.params()[index];
        describe_value(p, self.values[index], self.path.as_deref())
    }
}

pub fn describe_value(p: &ParamSpec, v: f32, path: Option<&str>) -> String {
    match p.kind {
        ParamKind::Choice(c) => c.get(v as usize).copied().unwrap_or("?").to_string(),
        ParamKind::Path => path.unwrap_or("").to_string(),
        ParamKind::Number if p.unit.is_empty() => format!("{}", round_sig(v)),
        ParamKind::Number => format!("{} {}", round_sig(v), p.unit),
    }
}

fn round_sig(v: f32) -> f32 {
    (v * 1000.0).round() / 1000.0
}

/// The list of names, for error messages.
fn names(table: &[ParamSpec]) -> String {
    table.iter().map(|p| p.name).collect::<Vec<_>>().join(", ")
}

fn kind_names<K: DeviceKind>() -> String {
    K::all()
        .iter()
        .map(|k| k.name())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Check a number against a parameter's range, with the message a musician reads.
pub fn check_number(kind: &str, p: &ParamSpec, v: f64) -> Result<f32, ValueError> {
    if !v.is_finite() || (v as f32) < p.min || (v as f32) > p.max {
        return Err(ValueError::range(
            format!("{kind} `{}`", p.name),
            p.min,
            p.max,
            p.unit,
            v,
        ));
    }
    Ok(v as f32)
}

/// Find a choice by name, ignoring case.
pub fn check_choice(kind: &str, p: &ParamSpec, name: &str) -> Result<f32, ValueError> {
    let ParamKind::Choice(choices) = p.kind else {
        return Err(ValueError::NotAChoice(format!("{kind} `{}`", p.name)));
    };
    choices
        .iter()
        .position(|c| c.eq_ignore_ascii_case(name))
        .map(|i| i as f32)
        .ok_or_else(|| ValueError::OneOf {
            what: format!("{kind} `{}`", p.name),
            choices: choices.join(", "),
            found: format!("`{name}`"),
        })
}

impl<'de, K: DeviceKind> Deserialize<'de> for Device<K> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_enum(K::WHAT, &[], DeviceVisitor::<K>(std::marker::PhantomData))
    }
}

struct DeviceVisitor<K>(std::marker::PhantomData<K>);

impl<'de, K: DeviceKind> Visitor<'de> for DeviceVisitor<K> {
    type Value = Device<K>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "an {} such as {}(...)", K::WHAT, K::all()[0].name())
    }

    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<Self::Value, A::Error> {
        let (IdentName(name), variant) = data.variant()?;
        let kind = K::all()
            .iter()
            .copied()
            .find(|k| k.name() == name)
            .ok_or_else(|| {
                de::Error::custom(format!(
                    "unknown {} kind `{name}`; expected one of {}",
                    K::WHAT,
                    kind_names::<K>()
                ))
            })?;
        variant.struct_variant(&[], ParamsVisitor { kind })
    }
}

struct ParamsVisitor<K> {
    kind: K,
}

impl<'de, K: DeviceKind> Visitor<'de> for ParamsVisitor<K> {
    type Value = Device<K>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(
            f,
            "{}'s parameters: {}",
            self.kind.name(),
            names(self.kind.params())
        )
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let table = self.kind.params();
        let kname = self.kind.name();
        let mut dev = Device::new(self.kind);
        while let Some(key) = map.next_key::<String>()? {
            let i = index_of(table, &key).ok_or_else(|| {
                de::Error::custom(format!(
                    "`{key}` is not a parameter of {kname}; it has: {}",
                    names(table)
                ))
            })?;
            if dev.set[i] {
                return Err(de::Error::custom(format!("{kname} `{key}` is set twice")));
            }
            let p = &table[i];
            match p.kind {
                ParamKind::Number => {
                    let v: f64 = map.next_value()?;
                    dev.values[i] = check_number(kname, p, v).map_err(de::Error::custom)?;
                }
                ParamKind::Choice(c) => {
                    // Choices that are RON identifiers are written bare
                    // (`wave: Saw`); others as strings (`sync: "3/16"`).
                    let name = if c.iter().all(|n| is_ident(n)) {
                        map.next_value_seed(IdentSeed)?
                    } else {
                        map.next_value::<String>()?
                    };
                    dev.values[i] = check_choice(kname, p, &name).map_err(de::Error::custom)?;
                }
                ParamKind::Path => {
                    let v: String = map.next_value()?;
                    if v.trim().is_empty() {
                        return Err(de::Error::custom(format!(
                            "{kname} `{key}` needs a file path"
                        )));
                    }
                    dev.path = Some(v);
                }
            }
            dev.set[i] = true;
        }
        if let Some(p) = table.iter().position(|p| p.kind == ParamKind::Path) {
            if dev.path.is_none() {
                return Err(de::Error::custom(format!(
                    "{kname} needs `{}`: the path of the file to play",
                    table[p].name
                )));
            }
        }
        Ok(dev)
    }
}

/// Whether `s` can be written as a bare RON identifier.
fn is_ident(s: &str) -> bool {
    s.chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// A variant or field name as written (RON identifiers are not strings).
pub struct IdentName(pub String);

impl<'de> Deserialize<'de> for IdentName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_identifier(IdentVisitor).map(IdentName)
    }
}

/// Reads a bare identifier (`Saw`) or a string (`"saw"`).
struct IdentSeed;

impl<'de> DeserializeSeed<'de> for IdentSeed {
    type Value = String;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<String, D::Error> {
        d.deserialize_enum("choice", &[], IdentVisitor)
    }
}

struct IdentVisitor;

impl<'de> Visitor<'de> for IdentVisitor {
    type Value = String;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a name such as Saw")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<String, A::Error> {
        let (IdentName(name), variant) = data.variant()?;
        variant.unit_variant()?;
        Ok(name)
    }
}

impl<K: DeviceKind> Serialize for Device<K> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let table = self.kind.params();
        let idx = K::all().iter().position(|k| *k == self.kind).unwrap_or(0) as u32;
        let fields: Vec<usize> = (0..table.len())
            .filter(|&i| {
                self.set.get(i).copied().unwrap_or(false) || table[i].kind == ParamKind::Path
            })
            .collect();
        let mut sv = s.serialize_struct_variant(K::WHAT, idx, self.kind.name(), fields.len())?;
        for i in fields {
            let p = &table[i];
            match p.kind {
                ParamKind::Number => sv.serialize_field(p.name, &self.values[i])?,
                ParamKind::Choice(c) => {
                    let name = c.get(self.values[i] as usize).copied().unwrap_or(c[0]);
                    if c.iter().all(|n| is_ident(n)) {
                        sv.serialize_field(p.name, &Ident(name))?
                    } else {
                        sv.serialize_field(p.name, name)?
                    }
                }
                ParamKind::Path => {
                    sv.serialize_field(p.name, &self.path.clone().unwrap_or_default())?
                }
            }
        }
        sv.end()
    }
}

/// Serializes as a bare identifier (`Saw`), the way the tables spell it.
struct Ident(&'static str);

impl Serialize for Ident {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_unit_variant("choice", 0, self.0)
    }
}
