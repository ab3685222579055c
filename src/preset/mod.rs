//! Presets by role: sounds (an instrument, its effects and its level) named
//! and described for what they do in a song (pad, bass, lead, drum, fx),
//! with the loudness they are balanced for. The library is
//! patches/presets/, built into the program so it works from any folder.
//!
//! Control side, pure data and parsing; [`phrase`] builds the session a
//! preset is heard in, [`render`] plays and assesses it offline. The
//! `load_preset` action reads [`find`].

pub mod phrase;
pub mod render;

use std::sync::OnceLock;

use serde::Deserialize;

use crate::analysis::assess::Role;
use crate::patch::{self, field, EffectDef, InstrumentDef, PatchError, PatternDef};

/// What a preset is balanced for.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Constraints {
    /// Integrated loudness of its phrase, LUFS.
    pub lufs_target: f64,
    /// Highest true peak, dBTP.
    pub true_peak_limit: f64,
}

/// One preset file.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Preset {
    pub name: String,
    pub role: Role,
    pub description: String,
    pub instrument: InstrumentDef,
    #[serde(default)]
    pub effects: Vec<EffectDef>,
    /// The track's fader, dB.
    #[serde(default)]
    pub volume: f64,
    pub constraints: Constraints,
    /// The phrase it plays when heard on its own (default: its role's).
    #[serde(default)]
    pub pattern: Option<PatternDef>,
    #[serde(default)]
    pub resolution: Option<u32>,
    #[serde(default)]
    pub gate: Option<f64>,
}

/// The library, file name and text, in name order.
/// (The list is kept by hand; a test checks it names every file of
/// patches/presets/.)
const LIBRARY: &[(&str, &str)] = &include!("library.in");

/// Parse and check one preset file's text.
pub fn parse(file: &str, text: &str) -> Result<Preset, PatchError> {
    let p: Preset = patch::parse_as(file, text)?;
    let at = |needle: &str, message: String| patch::error_at(file, text, needle, message);
    let stem = file
        .rsplit('/')
        .next()
        .unwrap_or(file)
        .trim_end_matches(".ron");
    if p.name != stem {
        return Err(at(
            "name",
            format!(
                "the preset is named \"{}\" but its file is {stem}.ron",
                p.name
            ),
        ));
    }
    patch::Name::check(&p.name).map_err(|e| at("name", e.to_string()))?;
    field::TRACK_VOLUME
        .check(p.volume)
        .map_err(|e| at("volume", e.to_string()))?;
    field::GATE
        .check(p.gate.unwrap_or(1.0))
        .map_err(|e| at("gate", e.to_string()))?;
    if let Some(r) = p.resolution {
        field::RESOLUTION
            .check(r as f64)
            .map_err(|e| at("resolution", e.to_string()))?;
    }
    if !(-60.0..=0.0).contains(&p.constraints.lufs_target) {
        return Err(at(
            "lufs_target",
            format!(
                "lufs_target must be between -60 and 0 LUFS, found {}",
                p.constraints.lufs_target
            ),
        ));
    }
    if !(-20.0..=0.0).contains(&p.constraints.true_peak_limit) {
        return Err(at(
            "true_peak_limit",
            format!(
                "true_peak_limit must be between -20 and 0 dBTP, found {}",
                p.constraints.true_peak_limit
            ),
        ));
    }
    if p.instrument.path.is_some() {
        return Err(at(
            "instrument",
            "a preset's instrument cannot name a file (it must work from any folder)".into(),
        ));
    }
    if p.effects.len() > crate::kinds::MAX_EFFECTS {
        return Err(at(
            "effects",
            format!(
                "at most {} effects, found {}",
                crate::kinds::MAX_EFFECTS,
                p.effects.len()
            ),
        ));
    }
    Ok(p)
}

/// Every preset of the library, parsed once.
pub fn library() -> &'static [Preset] {
    static PRESETS: OnceLock<Vec<Preset>> = OnceLock::new();
    PRESETS.get_or_init(|| {
        LIBRARY
            .iter()
            // A broken built-in preset is a build defect the test suite
            // catches; the others stay usable.
            .filter_map(|(file, text)| parse(file, text).ok())
            .collect()
    })
}

/// The library's file names and texts (for the tests that check them).
pub fn files() -> &'static [(&'static str, &'static str)] {
    LIBRARY
}

/// A preset by name.
pub fn find(name: &str) -> Result<&'static Preset, String> {
    let lib = library();
    let said = crate::quote::clip(name, crate::quote::MAX_QUOTE);
    lib.iter().find(|p| p.name == name.trim()).ok_or_else(|| {
        let names: Vec<&str> = lib.iter().map(|p| p.name.as_str()).collect();
        match crate::suggest::closest(name, &names) {
            Some((_, n)) => format!("no preset named \"{said}\" (did you mean \"{n}\"?); `termdaw preset list` lists them"),
            None => format!("no preset named \"{said}\"; `termdaw preset list` lists them"),
        }
    })
}

/// The library in the order it is listed and stepped through: by role
/// (pad, bass, lead, drum, fx), then by name.
pub fn in_order() -> Vec<&'static Preset> {
    Role::ALL
        .into_iter()
        .flat_map(|r| library().iter().filter(move |p| p.role == r))
        .collect()
}

/// `termdaw preset list`: one line a preset, by role then name.
pub fn list_text(role: Option<Role>) -> String {
    let mut out = String::new();
    for p in in_order()
        .into_iter()
        .filter(|p| role.is_none_or(|r| r == p.role))
    {
        let line = format!("{:<5} {:<18} {}\n", p.role.name(), p.name, p.description);
        out.push_str(&line);
    }
    out
}

/// The list for docs/presets.md.
pub fn markdown() -> String {
    let mut s = String::from("| role | name | sound | LUFS target |\n| --- | --- | --- | --- |\n");
    for p in in_order() {
        s.push_str(&format!(
            "| {} | `{}` | {} | {} |\n",
            p.role.name(),
            p.name,
            p.description,
            p.constraints.lufs_target
        ));
    }
    s
}
