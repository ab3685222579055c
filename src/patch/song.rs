//! The song's form in the session file: sections (what each track plays
//! there, for how many bars), the song order, and markers.
//!
//! Control thread only, pure data and checks. A section changes the
//! session only while it plays: the session file's own tracks are the
//! base, and a section's parts override their patterns and values. Which
//! values a part may set is read from the field descriptors
//! ([`super::field::TRACK`]) and the instrument's parameter table, so a new
//! track field or parameter is settable in a section with no change here.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize};

use super::field::{self, Entry};
use super::format::{CcArg, Name, PatternDef, SessionFile, Track};
use crate::kinds::ParamKind;

/// Whether a lane's first argument (the track or chain of every action a
/// lane can move on a track) names `track`.
fn names_track(a: &CcArg, track: &str) -> bool {
    matches!(a, CcArg::Text(t) if t == track)
}

/// Lanes the whole song may lay (song-wide ones plus each section pass's).
pub const MAX_LAID_LANES: usize = 1024;

/// Sections one session may hold.
pub const MAX_SECTIONS: usize = 64;
/// Entries of the song order.
pub const MAX_SONG: usize = 256;
/// Markers one session may hold.
pub const MAX_MARKERS: usize = 128;
/// The longest section, in bars.
pub const MAX_BARS: u32 = 256;
/// The most repeats of one song entry.
pub const MAX_REPEATS: u32 = 64;

/// A named part of the song.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename = "Section", deny_unknown_fields)]
pub struct Section {
    pub name: Name,
    /// Length in bars.
    #[serde(default = "d_bars", deserialize_with = "de_bars")]
    pub bars: u32,
    /// What changes per track (by track name) while the section plays.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tracks: BTreeMap<String, Part>,
    /// Tempo while the section plays (the session's tempo otherwise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tempo: Option<f64>,
    /// Live mode: when its bars are over, this section follows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub then: Option<String>,
    /// Automation lanes inside the section: bar 1 is its first bar, and
    /// they play again on every pass.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub automation: Vec<super::Lane>,
}

fn d_bars() -> u32 {
    4
}

fn de_bars<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    let v = u32::deserialize(d)?;
    if v == 0 || v > MAX_BARS {
        return Err(serde::de::Error::custom(format!(
            "bars must be between 1 and {MAX_BARS}, found {v}"
        )));
    }
    Ok(v)
}

/// What one track plays in a section.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename = "Part", deny_unknown_fields)]
pub struct Part {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern: Option<PatternDef>,
    /// Track fields (`volume`, `mute`, `pan`, …) and instrument parameters
    /// (`cutoff`, …) by name; `true`/`false` for switches.
    #[serde(
        default,
        skip_serializing_if = "BTreeMap::is_empty",
        serialize_with = "ser_set"
    )]
    pub set: BTreeMap<String, Value>,
}

/// Switches (`mute`, `solo`) are written `true`/`false`, as they are read.
fn ser_set<S: serde::Serializer>(set: &BTreeMap<String, Value>, s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut m = s.serialize_map(Some(set.len()))?;
    for (k, v) in set {
        let switch = field::scalars(field::TRACK)
            .any(|f| f.name == k && matches!(f.range, field::Range::Bool));
        if switch {
            m.serialize_entry(k, &(v.0 != 0.0))?;
        } else {
            m.serialize_entry(k, v)?;
        }
    }
    m.end()
}

/// A number, or a switch written `true`/`false`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(transparent)]
pub struct Value(pub f64);

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Value;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a number, or true/false")
            }
            fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
                Ok(Value(f64::from(v)))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
                Ok(Value(v))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
                Ok(Value(v as f64))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
                Ok(Value(v as f64))
            }
        }
        d.deserialize_any(V)
    }
}

/// Why a part cannot set a value on its track.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PartError {
    #[error("`{name}` is neither a track field nor a parameter of {kind}{hint}")]
    Unknown {
        name: String,
        kind: &'static str,
        hint: String,
    },
    #[error(transparent)]
    Value(#[from] super::ValueError),
}

impl Part {
    /// `track` as this part plays it.
    pub fn apply(&self, track: &mut Track) -> Result<(), PartError> {
        if let Some(p) = &self.pattern {
            track.pattern = Some(p.clone());
        }
        for (name, v) in &self.set {
            set_value(track, name, v.0)?;
        }
        Ok(())
    }
}

/// The value of a track field or instrument parameter by name.
pub fn get_value(track: &Track, name: &str) -> Option<f64> {
    let scalar = field::scalars(field::TRACK).find(|f| f.name == name);
    match scalar {
        Some(f) => Some((f.get)(track)),
        None => track.instrument.param(name).map(f64::from),
    }
}

/// Set a track field or instrument parameter by name, checked.
pub fn set_value(track: &mut Track, name: &str, v: f64) -> Result<(), PartError> {
    let scalar = field::TRACK.iter().find_map(|e| match e {
        Entry::Scalar(f) if f.name == name => Some(*f),
        _ => None,
    });
    if let Some(f) = scalar {
        (f.set)(track, f.check(v)?);
        return Ok(());
    }
    let kind = track.instrument.kind;
    let table = kind.params();
    match crate::kinds::param::index_of(table, name) {
        Some(i) if table[i].kind != ParamKind::Path => {
            let value = super::device::check_number(kind.name(), &table[i], v)?;
            track.instrument.set_value(i, value);
            Ok(())
        }
        _ => {
            let names: Vec<&str> = field::TRACK
                .iter()
                .filter_map(|e| match e {
                    Entry::Scalar(f) => Some(f.name),
                    Entry::Other(_) => None,
                })
                .chain(table.iter().map(|p| p.name))
                .collect();
            Err(PartError::Unknown {
                name: name.to_string(),
                kind: kind.name(),
                hint: crate::suggest::closest(name, &names)
                    .map(|(_, s)| format!(" (did you mean `{s}`?)"))
                    .unwrap_or_default(),
            })
        }
    }
}

impl SessionFile {
    pub fn section(&self, name: &str) -> Option<&Section> {
        self.sections.iter().find(|s| s.name.as_str() == name)
    }

    /// The session as it plays in section `name` (the session itself when
    /// there is no such section). Only checked sessions get here, so every
    /// part applies; a part that would not is skipped.
    pub fn in_section(&self, name: Option<&str>) -> SessionFile {
        let mut view = self.clone();
        let Some(sec) = name.and_then(|n| self.section(n)) else {
            return view;
        };
        if let Some(t) = sec.tempo {
            view.tempo = t;
        }
        for (track, part) in &sec.tracks {
            if let Some(t) = view.track_mut(track) {
                let _ = part.apply(t);
            }
        }
        view
    }

    /// The song order expanded: (section index, first bar from 0, bars).
    pub fn timeline(&self) -> Vec<(usize, u64, u32)> {
        let mut out = Vec::new();
        let mut bar = 0u64;
        for (name, times) in &self.song {
            if let Some(i) = self.sections.iter().position(|s| s.name.as_str() == name) {
                let bars = self.sections[i].bars;
                for _ in 0..*times {
                    out.push((i, bar, bars));
                    bar += bars as u64;
                }
            }
        }
        out
    }

    /// How long the song order plays, in seconds (each section at its tempo).
    pub fn song_seconds(&self) -> f64 {
        let beats = self.time_signature.beats.max(1) as f64;
        self.timeline()
            .iter()
            .map(|&(i, _, bars)| {
                let tempo = self.sections[i].tempo.unwrap_or(self.tempo);
                bars as f64 * beats * 60.0 / tempo
            })
            .sum()
    }

    /// Checks of sections, the song order and markers: (text to point at,
    /// which occurrence, message).
    pub(super) fn validate_song(&self) -> Result<(), (String, usize, String)> {
        let too_many = |what: &str, max: usize, n: usize| {
            (
                what.to_string(),
                0,
                format!("at most {max} {what}, found {n}"),
            )
        };
        if self.sections.len() > MAX_SECTIONS {
            return Err(too_many("sections", MAX_SECTIONS, self.sections.len()));
        }
        if self.song.len() > MAX_SONG {
            return Err(too_many("song", MAX_SONG, self.song.len()));
        }
        if self.markers.len() > MAX_MARKERS {
            return Err(too_many("markers", MAX_MARKERS, self.markers.len()));
        }
        let names: Vec<&str> = self.sections.iter().map(|s| s.name.as_str()).collect();
        let known = |n: &str| {
            crate::suggest::closest(n, &names)
                .map(|(_, s)| format!(" (did you mean \"{s}\"?)"))
                .unwrap_or_else(|| format!(" (sections: {})", names.join(", ")))
        };
        if let Err(m) = super::lane::check_lanes(&self.automation, None) {
            return Err(("automation".into(), 0, m));
        }
        // Each pass of a section lays its lanes again: bound what the
        // engine reads every 128 frames, however long the song order.
        let laid: usize = self.automation.len()
            + self
                .timeline()
                .iter()
                .map(|&(i, _, _)| self.sections[i].automation.len())
                .sum::<usize>();
        if laid > MAX_LAID_LANES {
            return Err((
                "automation".into(),
                0,
                format!("the song plays {laid} automation lanes over its sections' passes; at most {MAX_LAID_LANES} (move a lane that every pass repeats to the song's own automation)"),
            ));
        }
        if let Err(m) = super::macros::check_macros(&self.macros) {
            return Err(("macros".into(), 0, m));
        }
        for t in &self.tracks {
            if let Err(m) = super::clips::check_clips(t) {
                return Err(("clips".into(), 0, m));
            }
        }
        for (k, s) in self.sections.iter().enumerate() {
            let n = s.name.as_str();
            if let Err(m) = super::lane::check_lanes(&s.automation, Some(s.bars)) {
                return Err((format!("\"{n}\""), 0, format!("section \"{n}\": {m}")));
            }
            if names[..k].contains(&n) {
                return Err((
                    format!("\"{n}\""),
                    1,
                    format!("two sections are named \"{n}\""),
                ));
            }
            if let Some(t) = s.tempo {
                if let Err(e) = field::TEMPO.check(t) {
                    return Err(("tempo".into(), 0, format!("section \"{n}\": {e}")));
                }
            }
            if let Some(next) = &s.then {
                if !names.contains(&next.as_str()) {
                    return Err((
                        format!("\"{next}\""),
                        0,
                        format!(
                            "section \"{n}\" goes on to \"{next}\", but there is no section of that name{}",
                            known(next)
                        ),
                    ));
                }
            }
            // Tracks of included files are known only once they are read.
            let tracks_known =
                self.includes.is_empty() || self.tracks.iter().any(|t| t.origin.is_some());
            for (track, part) in &s.tracks {
                let Some(t) = self.track(track) else {
                    if !tracks_known {
                        continue;
                    }
                    return Err((
                        format!("\"{track}\""),
                        0,
                        format!("section \"{n}\" names track \"{track}\", but there is no track of that name"),
                    ));
                };
                if let Err(e) = part.apply(&mut t.clone()) {
                    return Err((
                        format!("\"{track}\""),
                        0,
                        format!("section \"{n}\", track \"{track}\": {e}"),
                    ));
                }
            }
        }
        for (name, times) in &self.song {
            if !names.contains(&name.as_str()) {
                return Err((
                    format!("\"{name}\""),
                    0,
                    format!(
                        "the song plays \"{name}\", but there is no section of that name{}",
                        known(name)
                    ),
                ));
            }
            if *times == 0 || *times > MAX_REPEATS {
                return Err((
                    format!("\"{name}\""),
                    0,
                    format!("\"{name}\" repeats between 1 and {MAX_REPEATS} times, found {times}"),
                ));
            }
        }
        for (name, bar) in &self.markers {
            if !(bar.is_finite() && *bar >= 1.0 && *bar <= 100_000.0) {
                return Err((
                    format!("\"{name}\""),
                    0,
                    format!("marker \"{name}\" is at bar {bar}; bars count from 1"),
                ));
            }
        }
        if let Some((a, b)) = self.loop_bars {
            if a == 0 || b < a {
                return Err((
                    "loop_bars".into(),
                    0,
                    format!("loop_bars is (first bar, last bar), counted from 1: found ({a}, {b})"),
                ));
            }
        }
        Ok(())
    }
}

/// What the song does to the file's other fields when they change.
impl SessionFile {
    /// A track was renamed: the sections follow it.
    pub fn rename_in_sections(&mut self, old: &str, new: &str) {
        for s in &mut self.sections {
            if let Some(p) = s.tracks.remove(old) {
                s.tracks.insert(new.to_string(), p);
            }
        }
        let lanes = self.sections.iter_mut().flat_map(|s| &mut s.automation);
        for l in lanes.chain(&mut self.automation) {
            if let Some(a) = l.args.first_mut().filter(|a| names_track(a, old)) {
                *a = CcArg::Text(new.to_string());
            }
        }
    }

    /// A track was removed: so are its parts and the lanes that move it.
    pub fn remove_from_sections(&mut self, track: &str) {
        for s in &mut self.sections {
            s.tracks.remove(track);
            s.automation
                .retain(|l| !l.args.first().is_some_and(|a| names_track(a, track)));
        }
        self.automation
            .retain(|l| !l.args.first().is_some_and(|a| names_track(a, track)));
    }

    /// An edit went from `before` to `self` while section `playing` plays.
    /// A value that section overrides is what the musician hears, so the
    /// edit moves into the section and the session's own value stays: a
    /// knob turned in the chorus changes the chorus.
    pub fn redirect_into_section(&mut self, before: &SessionFile, playing: &str) {
        let Some(k) = self
            .sections
            .iter()
            .position(|s| s.name.as_str() == playing)
        else {
            return;
        };
        let mut sections = std::mem::take(&mut self.sections);
        if let Some(sec) = sections.get_mut(k) {
            if sec.tempo.is_some() && self.tempo != before.tempo {
                sec.tempo = Some(self.tempo);
                self.tempo = before.tempo;
            }
            for (name, part) in &mut sec.tracks {
                let (Some(b), Some(n)) = (before.track(name), self.track_mut(name)) else {
                    continue;
                };
                if part.pattern.is_some() && n.pattern != b.pattern {
                    part.pattern = n.pattern.clone();
                    n.pattern = b.pattern.clone();
                }
                for (key, v) in &mut part.set {
                    let (Some(old), Some(new)) = (get_value(b, key), get_value(n, key)) else {
                        continue;
                    };
                    if old != new && set_value(n, key, old).is_ok() {
                        v.0 = new;
                    }
                }
            }
        }
        self.sections = sections;
    }

    /// A section that plays what `self` plays now (every track's pattern,
    /// level and mute), as a starting point to edit.
    pub fn capture_section(&self, name: Name, bars: u32) -> Section {
        let tracks = self
            .tracks
            .iter()
            .map(|t| {
                let mut set = BTreeMap::new();
                set.insert("volume".to_string(), Value(t.volume));
                set.insert("mute".to_string(), Value(f64::from(t.mute)));
                let part = Part {
                    pattern: t.pattern.clone(),
                    set,
                };
                (t.name.as_str().to_string(), part)
            })
            .collect();
        Section {
            name,
            bars,
            tracks,
            tempo: Some(self.tempo),
            then: None,
            automation: Vec::new(),
        }
    }

    /// Beats per bar (never 0).
    pub fn beats_per_bar(&self) -> f64 {
        self.time_signature.beats.max(1) as f64
    }
}
