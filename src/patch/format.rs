//! The session file format, v1: what a `.ron` session holds and how each
//! field is checked while it is read.
//!
//! Control thread only. Every range check happens during deserialization so
//! that errors carry the position of the offending text; cross-field checks
//! (duplicate names, unknown buses) happen in [`SessionFile::validate`].

use std::collections::BTreeMap;
use std::fmt;

use serde::de;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

pub use super::cc::{CcArg, CcMap, CcTarget, Curve};
use super::device::{EffectDef, InstrumentDef};
use super::error::{MidiError, ValueError};
pub use super::song::{Part, Section, Value};

pub use super::field::RESOLUTIONS;
pub use super::pattern_def::{Notation, PatternDef, PATTERN_COLUMN_TAG};
use super::ranges::*;

/// A whole session file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename = "Session", deny_unknown_fields)]
pub struct SessionFile {
    /// Beats per minute.
    #[serde(default = "d_tempo", deserialize_with = "de_tempo")]
    pub tempo: f64,
    #[serde(default)]
    pub time_signature: TimeSignature,
    /// Delay of every other step, as a share of a step (0 straight, 0.33 shuffle).
    #[serde(default, deserialize_with = "de_swing")]
    pub swing: f64,
    /// The grid swing works on: steps per whole note (16 = 16ths).
    #[serde(
        default = "d_swing_grid",
        deserialize_with = "de_swing_grid",
        skip_serializing_if = "is_default_swing_grid"
    )]
    pub swing_grid: u32,
    /// Where reloaded changes land.
    #[serde(default)]
    pub quantum: Quantum,
    #[serde(default)]
    pub key: Key,
    #[serde(default)]
    pub scale: Scale,
    #[serde(default)]
    pub master: Master,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub buses: Vec<Bus>,
    #[serde(default)]
    pub tracks: Vec<Track>,
    /// Patch files whose tracks join this session (paths relative to this file).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub includes: Vec<String>,
    /// How MIDI input plays and controls the session.
    #[serde(default, skip_serializing_if = "MidiSettings::is_empty")]
    pub midi: MidiSettings,
    /// Named parts of the song (see docs/arrangement.md).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sections: Vec<Section>,
    /// The song order: (section, times).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub song: Vec<(String, u32)>,
    /// Named positions, in bars counted from 1.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub markers: BTreeMap<String, f64>,
    /// Bars looped when the session opens: (first, last), counted from 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub loop_bars: Option<(u32, u32)>,
    /// Automation lanes on the song's timeline (bars from 1).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub automation: Vec<super::Lane>,
    /// Knobs that move several values at once (`intensity` is built in).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub macros: Vec<super::Macro>,
}

/// Controller mappings one session may hold (128 controllers × a few channels).
pub const MAX_MAPPINGS: usize = 512;

/// MIDI routing and controller mappings.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename = "Midi", deny_unknown_fields)]
pub struct MidiSettings {
    /// MIDI channel (1–16) → the track it plays. Other channels play the
    /// selected track.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub channels: BTreeMap<u8, String>,
    /// Controller (CC) mappings.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cc: Vec<CcMap>,
    /// Follow incoming MIDI clock: tempo, start and stop.
    #[serde(default)]
    pub clock: bool,
    /// Move every played note to the nearest note of the session's key
    /// and scale.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub quantize: bool,
}

impl MidiSettings {
    pub fn is_empty(&self) -> bool {
        self.channels.is_empty() && self.cc.is_empty() && !self.clock && !self.quantize
    }

    /// Channels 1–16, controller numbers 0–127, ranges with min below max.
    pub fn check(&self) -> Result<(), MidiError> {
        for ch in self
            .channels
            .keys()
            .chain(self.cc.iter().filter_map(|c| c.channel.as_ref()))
        {
            if !(1..=16).contains(ch) {
                return Err(MidiError::Channel(*ch));
            }
        }
        if self.cc.len() > MAX_MAPPINGS {
            return Err(MidiError::TooMany {
                found: self.cc.len(),
                max: MAX_MAPPINGS,
            });
        }
        for c in &self.cc {
            if c.cc > 127 {
                return Err(MidiError::Controller(c.cc));
            }
            if let (Some(a), Some(b)) = (c.min, c.max) {
                if !(a.is_finite() && b.is_finite()) {
                    return Err(MidiError::Bounds(c.cc));
                }
            }
        }
        Ok(())
    }
}

/// A file included by a session: more tracks, kept in their own file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename = "Patch", deny_unknown_fields)]
pub struct PatchFile {
    #[serde(default)]
    pub tracks: Vec<Track>,
}

impl Default for SessionFile {
    fn default() -> Self {
        Self {
            tempo: d_tempo(),
            time_signature: TimeSignature::default(),
            swing: 0.0,
            swing_grid: d_swing_grid(),
            quantum: Quantum::default(),
            key: Key::default(),
            scale: Scale::default(),
            master: Master::default(),
            buses: Vec::new(),
            tracks: Vec::new(),
            includes: Vec::new(),
            midi: MidiSettings::default(),
            sections: Vec::new(),
            song: Vec::new(),
            markers: BTreeMap::new(),
            loop_bars: None,
            automation: Vec::new(),
            macros: Vec::new(),
        }
    }
}

/// The master bus.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Master {
    /// dB.
    #[serde(default, deserialize_with = "de_master_volume")]
    pub volume: f64,
    /// Limiter ceiling, dBFS.
    #[serde(default = "d_ceiling", deserialize_with = "de_ceiling")]
    pub ceiling: f64,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub effects: Vec<EffectDef>,
}

impl Default for Master {
    fn default() -> Self {
        Self {
            volume: 0.0,
            ceiling: d_ceiling(),
            effects: Vec::new(),
        }
    }
}

/// A return bus that tracks send to; its output goes to the master.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bus {
    pub name: Name,
    #[serde(default, deserialize_with = "de_bus_volume")]
    pub volume: f64,
    /// Balance of the return, -1 left to 1 right.
    #[serde(
        default,
        deserialize_with = "de_bus_pan",
        skip_serializing_if = "is_zero"
    )]
    pub pan: f64,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub mute: bool,
    #[serde(default)]
    pub effects: Vec<EffectDef>,
}

/// One track.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Track {
    /// The track's stable id: lowercase letters, digits, `_` and `-`.
    pub name: Name,
    pub instrument: InstrumentDef,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern: Option<PatternDef>,
    /// Steps per whole note (16 = sixteenths).
    #[serde(
        default = "d_resolution",
        deserialize_with = "de_resolution",
        skip_serializing_if = "is_default_resolution"
    )]
    pub resolution: u32,
    /// Note length as a share of its step length.
    #[serde(
        default = "d_gate",
        deserialize_with = "de_gate",
        skip_serializing_if = "is_default_gate"
    )]
    pub gate: f64,
    #[serde(
        default = "d_density",
        deserialize_with = "de_density",
        skip_serializing_if = "is_default_density"
    )]
    pub density: f64,
    /// Fader, dB.
    #[serde(
        default,
        deserialize_with = "de_volume",
        skip_serializing_if = "is_zero"
    )]
    pub volume: f64,
    #[serde(default, deserialize_with = "de_pan", skip_serializing_if = "is_zero")]
    pub pan: f64,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub mute: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub solo: bool,
    /// Polyphony limit.
    #[serde(
        default = "d_voices",
        deserialize_with = "de_voices",
        skip_serializing_if = "is_default_voices"
    )]
    pub voices: u32,
    /// Pitch-wheel range, semitones each way.
    #[serde(
        default = "d_bend",
        deserialize_with = "de_bend",
        skip_serializing_if = "is_default_bend"
    )]
    pub bend_range: f64,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub effects: Vec<EffectDef>,
    /// Send levels (dB) to buses, by bus name.
    #[serde(
        default,
        skip_serializing_if = "BTreeMap::is_empty",
        deserialize_with = "de_sends"
    )]
    pub sends: BTreeMap<String, f64>,
    /// Patterns placed on the song's timeline, replacing `pattern` there.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub clips: Vec<super::clips::TimelineClip>,
    /// Which included file the track lives in (index into `includes`), so a
    /// save writes it back there; `None` for the session file itself.
    #[serde(skip)]
    pub origin: Option<usize>,
    /// Where the pattern's first cycle starts, in song beats: 0, or a
    /// timeline clip's first beat while the clip plays (never in a file).
    #[serde(skip)]
    pub phase: f64,
}

impl Track {
    pub fn new(name: &str, instrument: InstrumentDef) -> Self {
        Self {
            name: Name(name.to_string()),
            instrument,
            pattern: None,
            resolution: d_resolution(),
            gate: d_gate(),
            density: d_density(),
            volume: 0.0,
            pan: 0.0,
            mute: false,
            solo: false,
            voices: d_voices(),
            bend_range: d_bend(),
            effects: Vec::new(),
            sends: BTreeMap::new(),
            clips: Vec::new(),
            origin: None,
            phase: 0.0,
        }
    }
}

/// Where changes from a reload land.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Quantum {
    Immediate,
    Beat,
    #[default]
    Bar,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeSignature {
    pub beats: u8,
    pub unit: u8,
}

impl Default for TimeSignature {
    fn default() -> Self {
        Self { beats: 4, unit: 4 }
    }
}

impl Serialize for TimeSignature {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        (self.beats, self.unit).serialize(s)
    }
}

impl<'de> Deserialize<'de> for TimeSignature {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let (beats, unit) = <(i64, i64)>::deserialize(d)?;
        Self::checked(beats, unit).map_err(de::Error::custom)
    }
}

impl TimeSignature {
    /// A time signature, if `beats` and `unit` are ones a session may have.
    pub fn checked(beats: i64, unit: i64) -> Result<Self, String> {
        if !(1..=32).contains(&beats) {
            return Err(format!(
                "time signature needs 1 to 32 beats per bar, found {beats}"
            ));
        }
        if ![1, 2, 4, 8, 16, 32].contains(&unit) {
            return Err(format!(
                "time signature unit must be 1, 2, 4, 8, 16 or 32, found {unit}"
            ));
        }
        Ok(Self {
            beats: beats as u8,
            unit: unit as u8,
        })
    }

    /// Beats in one step at `resolution` steps per whole note.
    pub fn step_beats(&self, resolution: u32) -> f64 {
        self.unit as f64 / resolution.max(1) as f64
    }
}

const NOTE_NAMES: [&str; 12] = [
    "c", "c#", "d", "d#", "e", "f", "f#", "g", "g#", "a", "a#", "b",
];

/// A MIDI note as the Notes notation writes it: `60` → `c4`.
pub fn note_name(midi: i32) -> String {
    format!(
        "{}{}",
        NOTE_NAMES[midi.rem_euclid(12) as usize],
        midi.div_euclid(12) - 1
    )
}

/// The key's tonic as a pitch class (0 = C).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Key(pub u8);

const KEY_NAMES: [&str; 12] = [
    "C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B",
];

impl Key {
    pub fn parse(s: &str) -> Result<Self, ValueError> {
        let t = s.trim();
        let mut chars = t.chars();
        let base = match chars.next().map(|c| c.to_ascii_lowercase()) {
            Some('c') => 0,
            Some('d') => 2,
            Some('e') => 4,
            Some('f') => 5,
            Some('g') => 7,
            Some('a') => 9,
            Some('b') => 11,
            _ => return Err(ValueError::Key(s.to_string())),
        };
        let acc: i32 = match chars.as_str() {
            "" => 0,
            "#" | "s" => 1,
            "b" => -1,
            _ => return Err(ValueError::Key(s.to_string())),
        };
        Ok(Key(((base + acc).rem_euclid(12)) as u8))
    }

    pub fn name(self) -> &'static str {
        KEY_NAMES[(self.0 % 12) as usize]
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Serialize for Key {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Key::parse(&s).map_err(de::Error::custom)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Scale {
    #[default]
    Major,
    Minor,
    Dorian,
    Phrygian,
    Lydian,
    Mixolydian,
    Locrian,
    HarmonicMinor,
    MelodicMinor,
    MajorPentatonic,
    MinorPentatonic,
    Blues,
    Chromatic,
}

impl Scale {
    pub const ALL: [Scale; 13] = [
        Scale::Major,
        Scale::Minor,
        Scale::Dorian,
        Scale::Phrygian,
        Scale::Lydian,
        Scale::Mixolydian,
        Scale::Locrian,
        Scale::HarmonicMinor,
        Scale::MelodicMinor,
        Scale::MajorPentatonic,
        Scale::MinorPentatonic,
        Scale::Blues,
        Scale::Chromatic,
    ];

    /// Semitones above the tonic.
    pub fn intervals(self) -> &'static [u8] {
        match self {
            Scale::Major => &[0, 2, 4, 5, 7, 9, 11],
            Scale::Minor => &[0, 2, 3, 5, 7, 8, 10],
            Scale::Dorian => &[0, 2, 3, 5, 7, 9, 10],
            Scale::Phrygian => &[0, 1, 3, 5, 7, 8, 10],
            Scale::Lydian => &[0, 2, 4, 6, 7, 9, 11],
            Scale::Mixolydian => &[0, 2, 4, 5, 7, 9, 10],
            Scale::Locrian => &[0, 1, 3, 5, 6, 8, 10],
            Scale::HarmonicMinor => &[0, 2, 3, 5, 7, 8, 11],
            Scale::MelodicMinor => &[0, 2, 3, 5, 7, 9, 11],
            Scale::MajorPentatonic => &[0, 2, 4, 7, 9],
            Scale::MinorPentatonic => &[0, 3, 5, 7, 10],
            Scale::Blues => &[0, 3, 5, 6, 7, 10],
            Scale::Chromatic => &[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
        }
    }

    pub fn name(self) -> String {
        format!("{self:?}")
    }

    /// The scale's pitch classes (0 = C) with `key` as its tonic.
    pub fn pitch_classes(self, key: Key) -> Vec<u8> {
        self.intervals().iter().map(|i| (key.0 + i) % 12).collect()
    }

    pub fn parse(s: &str) -> Option<Scale> {
        Scale::ALL
            .into_iter()
            .find(|k| k.name().eq_ignore_ascii_case(s.trim()))
    }
}

/// A track or bus name: the stable id used by actions, OSC addresses and the chat.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct Name(pub String);

impl Name {
    pub fn check(s: &str) -> Result<(), ValueError> {
        if s.is_empty() || s.len() > 32 {
            return Err(ValueError::NameLength(s.to_string()));
        }
        if let Some(c) = s
            .chars()
            .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_' || *c == '-'))
        {
            return Err(ValueError::NameChar {
                name: s.to_string(),
                bad: c,
            });
        }
        Ok(())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Name {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Name::check(&s).map_err(de::Error::custom)?;
        Ok(Name(s))
    }
}
