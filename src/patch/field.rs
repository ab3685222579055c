//! The scalar fields of the session model, each described once: name,
//! range, unit, default, doc, the action that sets it, how to read and
//! write it on the model, and what the engine must do when it changes.
//!
//! Control thread only, pure data. Everything that touches one of these
//! fields reads its [`Field`]: the file's range checks (`patch::ranges`),
//! `session::edit`, `session::diff`, `Session::sync`, the action table's
//! argument ranges (and so the MIDI map, OSC and the chat tools) and the
//! docs tables of docs/session-format.md (written by `reference::fields_markdown`). A new scalar field is one more
//! `Field` here and one line in its owner's list; the non-scalar fields of
//! the same structs are listed beside them as [`Row`]s so the docs table
//! is whole and a test can check that no struct field is left out.

use super::error::ValueError;
pub use super::form_fields::{CLIP, LANE, MACRO, MACRO_TARGET, PART, SECTION};
use super::format::{Bus, Master, SessionFile, Track};

/// What values a field takes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Range {
    Number {
        min: f64,
        max: f64,
    },
    Int {
        min: i64,
        max: i64,
    },
    /// One of a fixed list of whole numbers.
    OneOf(&'static [u32]),
    Bool,
}

/// What the engine has to do when a field changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sound {
    Tempo,
    /// Read by the engine as notes play; clips carry each note's lag.
    Swing,
    /// Every track's clip is built again.
    AllClips,
    MasterGain,
    Ceiling,
    BusGain,
    BusPan,
    BusMute,
    TrackGain,
    TrackPan,
    /// The share of the clip's notes that play, read as they play.
    TrackDensity,
    TrackMute,
    TrackSolo,
    BendRange,
    /// The track's clip is built again.
    Clip,
    /// The track's instrument is built again.
    Instrument,
}

/// One scalar field of a model struct `M`. Values travel as `f64`
/// (booleans as 0 and 1, whole numbers exactly).
#[derive(Debug, Clone, Copy)]
pub struct Field<M: 'static> {
    pub name: &'static str,
    pub range: Range,
    pub unit: &'static str,
    pub default: f64,
    /// The "what it does" of the docs table.
    pub doc: &'static str,
    /// The action that sets it; its last argument is the value.
    pub action: &'static str,
    pub get: fn(&M) -> f64,
    pub set: fn(&mut M, f64),
    pub sound: Sound,
    /// The status line for a change: (owner's name, old, new).
    pub describe: fn(&str, f64, f64) -> String,
}

/// A field that is not a single number (a list, a name, a nested struct),
/// described for the docs table only.
#[derive(Debug, Clone, Copy)]
pub struct Row {
    pub name: &'static str,
    pub unit: &'static str,
    pub range: &'static str,
    pub default: &'static str,
    pub doc: &'static str,
}

/// One line of a model struct's table, in file order.
#[derive(Debug, Clone, Copy)]
pub enum Entry<M: 'static> {
    Scalar(&'static Field<M>),
    Other(Row),
}

/// A field of any owner, as the action that sets it finds it.
#[derive(Debug, Clone, Copy)]
pub enum AnyField {
    Session(&'static Field<SessionFile>),
    Master(&'static Field<Master>),
    Bus(&'static Field<Bus>),
    Track(&'static Field<Track>),
}

impl<M> Field<M> {
    /// `v` if the field accepts it, else the message a musician reads.
    pub fn check(&self, v: f64) -> Result<f64, ValueError> {
        let name = self.name;
        match self.range {
            Range::Number { min, max } if !(v.is_finite() && v >= min && v <= max) => {
                Err(ValueError::range(name, min, max, self.unit, v))
            }
            Range::Int { min, max }
                if !(v.fract() == 0.0 && v >= min as f64 && v <= max as f64) =>
            {
                Err(ValueError::range(name, min, max, self.unit, v))
            }
            Range::OneOf(list) if !(v.fract() == 0.0 && list.iter().any(|x| *x as f64 == v)) => {
                Err(ValueError::OneOf {
                    what: name.into(),
                    choices: format!("{list:?} {}", self.unit),
                    found: v.to_string(),
                })
            }
            Range::Bool if v != 0.0 && v != 1.0 => Err(ValueError::Bool(name.into())),
            _ => Ok(v),
        }
    }

    /// `v` moved into the field's range (for nudges).
    pub fn clamp(&self, v: f64) -> f64 {
        match self.range {
            Range::Number { min, max } => v.clamp(min, max),
            Range::Int { min, max } => v.round().clamp(min as f64, max as f64),
            Range::OneOf(list) => list
                .iter()
                .map(|x| *x as f64)
                .min_by(|a, b| (a - v).abs().total_cmp(&(b - v).abs()))
                .unwrap_or(self.default),
            Range::Bool => f64::from(v >= 0.5),
        }
    }

    /// The lowest value (for levels: silence).
    pub const fn min(&self) -> f64 {
        match self.range {
            Range::Number { min, .. } => min,
            Range::Int { min, .. } => min as f64,
            Range::OneOf(list) => match list.first() {
                Some(x) => *x as f64,
                None => 0.0,
            },
            Range::Bool => 0.0,
        }
    }

    pub const fn max(&self) -> f64 {
        match self.range {
            Range::Number { max, .. } => max,
            Range::Int { max, .. } => max as f64,
            Range::OneOf(list) => match list.last() {
                Some(x) => *x as f64,
                None => 0.0,
            },
            Range::Bool => 1.0,
        }
    }

    /// The field's value in `m`, read as serde reads it from a file.
    pub fn de<'de, D: serde::Deserializer<'de>>(&self, d: D) -> Result<f64, D::Error> {
        use serde::Deserialize;
        let v = match self.range {
            Range::Bool => f64::from(bool::deserialize(d)?),
            Range::Number { .. } => f64::deserialize(d)?,
            Range::Int { .. } | Range::OneOf(_) => i64::deserialize(d)? as f64,
        };
        self.check(v).map_err(serde::de::Error::custom)
    }
}

fn db(v: f64) -> String {
    if v <= TRACK_VOLUME.min() {
        "-inf dB".into()
    } else {
        format!("{v:+.1} dB")
    }
}

fn onoff(v: f64) -> &'static str {
    if v != 0.0 {
        "on"
    } else {
        "off"
    }
}

const LEVEL: Range = Range::Number {
    min: -120.0,
    max: 12.0,
};

pub const TEMPO: Field<SessionFile> = Field {
    name: "tempo",
    range: Range::Number {
        min: 20.0,
        max: 999.0,
    },
    unit: "BPM",
    default: 120.0,
    doc: "beats per minute; a beat is the time signature's unit (a quarter note in 4/4)",
    action: "set_tempo",
    get: |f| f.tempo,
    set: |f, v| f.tempo = v,
    sound: Sound::Tempo,
    describe: |_, a, b| format!("tempo {a:.1} → {b:.1} BPM"),
};

pub const SWING: Field<SessionFile> = Field {
    name: "swing",
    range: Range::Number { min: 0.0, max: 0.5 },
    unit: "of a grid step",
    default: 0.0,
    doc: "how late the second step of every pair of swing-grid steps plays, and everything inside it (by position, whatever the pattern's resolution or grouping); 0.33 is a triplet shuffle",
    action: "set_swing",
    get: |f| f.swing,
    set: |f, v| f.swing = v,
    sound: Sound::Swing,
    describe: |_, a, b| format!("swing {a:.2} → {b:.2}"),
};

/// The swing grids a session may choose: steps per whole note.
pub const SWING_GRIDS: &[u32] = &[4, 8, 16, 32];

pub const SWING_GRID: Field<SessionFile> = Field {
    name: "swing_grid",
    range: Range::OneOf(SWING_GRIDS),
    unit: "steps per whole note",
    default: 16.0,
    doc: "the grid swing works on, as MPC swing does: 16 swings 16th notes, 8 swings 8th notes",
    action: "set_swing_grid",
    get: |f| f.swing_grid as f64,
    set: |f, v| f.swing_grid = v as u32,
    sound: Sound::AllClips,
    describe: |_, _, b| format!("swing grid 1/{b}"),
};

pub const MASTER_VOLUME: Field<Master> = Field {
    name: "volume",
    range: LEVEL,
    unit: "dB",
    default: 0.0,
    doc: "master level before the limiter",
    action: "set_master_volume",
    get: |m| m.volume,
    set: |m, v| m.volume = v,
    sound: Sound::MasterGain,
    describe: |_, a, b| format!("master {} → {}", db(a), db(b)),
};

pub const CEILING: Field<Master> = Field {
    name: "ceiling",
    range: Range::Number {
        min: -24.0,
        max: 0.0,
    },
    unit: "dBFS",
    default: -0.3,
    doc: "the limiter never lets a sample above this",
    action: "set_ceiling",
    get: |m| m.ceiling,
    set: |m, v| m.ceiling = v,
    sound: Sound::Ceiling,
    describe: |_, _, b| format!("limiter ceiling {b:.1} dBFS"),
};

pub const BUS_VOLUME: Field<Bus> = Field {
    name: "volume",
    range: LEVEL,
    unit: "dB",
    default: 0.0,
    doc: "return level into the master",
    action: "set_bus_volume",
    get: |b| b.volume,
    set: |b, v| b.volume = v,
    sound: Sound::BusGain,
    describe: |bus, a, b| format!("bus {bus} {} → {}", db(a), db(b)),
};

pub const BUS_PAN: Field<Bus> = Field {
    name: "pan",
    range: Range::Number {
        min: -1.0,
        max: 1.0,
    },
    unit: "",
    default: 0.0,
    doc: "balance of the return: -1 left, 0 centre, 1 right",
    action: "set_bus_pan",
    get: |b| b.pan,
    set: |b, v| b.pan = v,
    sound: Sound::BusPan,
    describe: |bus, a, b| format!("bus {bus} pan {a:+.2} → {b:+.2}"),
};

pub const BUS_MUTE: Field<Bus> = Field {
    name: "mute",
    range: Range::Bool,
    unit: "",
    default: 0.0,
    doc: "silence the return (its effects keep running, so a reverb's tail is there when it comes back)",
    action: "set_bus_mute",
    get: |b| f64::from(b.mute),
    set: |b, v| b.mute = v != 0.0,
    sound: Sound::BusMute,
    describe: |bus, _, b| format!("bus {bus} mute {}", onoff(b)),
};

/// Steps per whole note a track's pattern may use.
pub const RESOLUTIONS: &[u32] = &[1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64];

pub const RESOLUTION: Field<Track> = Field {
    name: "resolution",
    range: Range::OneOf(RESOLUTIONS),
    unit: "steps per whole note",
    default: 16.0,
    doc: "how long one step of the pattern is: 16 = sixteenth notes, 8 = eighths, 12 = eighth triplets, 1 = whole notes",
    action: "set_resolution",
    get: |t| t.resolution as f64,
    set: |t, v| t.resolution = v as u32,
    sound: Sound::Clip,
    describe: |track, _, b| format!("{track}.resolution 1/{b}"),
};

pub const GATE: Field<Track> = Field {
    name: "gate",
    range: Range::Number {
        min: 0.01,
        max: 16.0,
    },
    unit: "steps",
    default: 0.9,
    doc: "how long each note is held, as a share of its step length (above 1 notes overlap)",
    action: "set_gate",
    get: |t| t.gate,
    set: |t, v| t.gate = v,
    sound: Sound::Clip,
    describe: |track, _, b| format!("{track}.gate {b:.2}"),
};

pub const DENSITY: Field<Track> = Field {
    name: "density",
    range: Range::Number { min: 0.0, max: 1.0 },
    unit: "",
    default: 1.0,
    doc: "the share of the pattern's notes that play (the others are left out, the same ones every time); the built-in intensity thins drums with it",
    action: "set_density",
    get: |t| t.density,
    set: |t, v| t.density = v,
    sound: Sound::TrackDensity,
    describe: |track, _, b| format!("{track}.density {b:.2}"),
};

pub const TRACK_VOLUME: Field<Track> = Field {
    name: "volume",
    range: LEVEL,
    unit: "dB",
    default: 0.0,
    doc: "the fader; -6 halves the amplitude, -120 is silence",
    action: "set_volume",
    get: |t| t.volume,
    set: |t, v| t.volume = v,
    sound: Sound::TrackGain,
    describe: |track, a, b| format!("{track}.volume {} → {}", db(a), db(b)),
};

pub const PAN: Field<Track> = Field {
    name: "pan",
    range: Range::Number {
        min: -1.0,
        max: 1.0,
    },
    unit: "",
    default: 0.0,
    doc: "equal-power pan: -1 left, 0 centre, 1 right (a centred mono sound keeps its loudness as it pans)",
    action: "set_pan",
    get: |t| t.pan,
    set: |t, v| t.pan = v,
    sound: Sound::TrackPan,
    describe: |track, a, b| format!("{track}.pan {a:+.2} → {b:+.2}"),
};

pub const MUTE: Field<Track> = Field {
    name: "mute",
    range: Range::Bool,
    unit: "",
    default: 0.0,
    doc: "silence the track (it keeps running, so unmuting is instant)",
    action: "set_mute",
    get: |t| f64::from(t.mute),
    set: |t, v| t.mute = v != 0.0,
    sound: Sound::TrackMute,
    describe: |track, _, b| format!("{track} mute {}", onoff(b)),
};

pub const SOLO: Field<Track> = Field {
    name: "solo",
    range: Range::Bool,
    unit: "",
    default: 0.0,
    doc: "when any track is soloed, only soloed tracks are heard",
    action: "set_solo",
    get: |t| f64::from(t.solo),
    set: |t, v| t.solo = v != 0.0,
    sound: Sound::TrackSolo,
    describe: |track, _, b| format!("{track} solo {}", onoff(b)),
};

pub const VOICES: Field<Track> = Field {
    name: "voices",
    range: Range::Int { min: 1, max: 256 },
    unit: "",
    default: 8.0,
    doc: "polyphony: the most notes the track sounds at once; a new note beyond that takes over the oldest voice with a short fade",
    action: "set_voices",
    get: |t| t.voices as f64,
    set: |t, v| t.voices = v as u32,
    sound: Sound::Instrument,
    describe: |track, _, b| format!("{track}.voices {b}"),
};

pub const BEND_RANGE: Field<Track> = Field {
    name: "bend_range",
    range: Range::Number {
        min: 0.0,
        max: 24.0,
    },
    unit: "semitones",
    default: 2.0,
    doc: "how far a MIDI pitch wheel bends this track's notes, up and down",
    action: "set_bend_range",
    get: |t| t.bend_range,
    set: |t, v| t.bend_range = v,
    sound: Sound::BendRange,
    describe: |track, _, b| format!("{track}.bend_range ±{b} semitones"),
};

pub(super) const fn other(
    name: &'static str,
    unit: &'static str,
    range: &'static str,
    default: &'static str,
    doc: &'static str,
) -> Row {
    Row {
        name,
        unit,
        range,
        default,
        doc,
    }
}

/// `Session(...)`, in the order the docs list it.
pub const SESSION: &[Entry<SessionFile>] = &[
    Entry::Scalar(&TEMPO),
    Entry::Other(other("time_signature", "(beats, unit)", "beats 1 – 32; unit 1, 2, 4, 8, 16, 32", "`(4, 4)`", "beats per bar and the note value of one beat")),
    Entry::Scalar(&SWING),
    Entry::Scalar(&SWING_GRID),
    Entry::Other(other("quantum", "", "`Immediate`, `Beat`, `Bar`", "`Bar`", "where changes from a reload or the chat land")),
    Entry::Other(other("key", "note name", "`C`, `C#`/`Db` … `B`", "`\"C\"`", "the key's tonic, as a string; `Degrees` patterns play in it, and the chat writes in it")),
    Entry::Other(other("scale", "", "`Major`, `Minor`, `Dorian`, `Phrygian`, `Lydian`, `Mixolydian`, `Locrian`, `HarmonicMinor`, `MelodicMinor`, `MajorPentatonic`, `MinorPentatonic`, `Blues`, `Chromatic`", "`Major`", "the scale `Degrees` patterns play in")),
    Entry::Other(other("master", "`Master(...)`", "see below", "", "the master bus")),
    Entry::Other(other("buses", "list of `Bus(...)`", "at most 8", "`[]`", "return buses that tracks send to")),
    Entry::Other(other("tracks", "list of `Track(...)`", "at most 64", "`[]`", "the tracks")),
    Entry::Other(other("includes", "list of paths", "", "`[]`", "patch files whose tracks join the session (relative to this file); see [live-coding.md](live-coding.md)")),
    Entry::Other(other("midi", "`Midi(...)`", "see below", "none", "MIDI channel routes and controller mappings; see [midi.md](midi.md)")),
    Entry::Other(other("sections", "list of `Section(...)`", "at most 64", "`[]`", "named parts of the song; see [arrangement.md](arrangement.md)")),
    Entry::Other(other("song", "list of (section, times)", "at most 256 entries, 1 – 64 times each", "`[]`", "the song order: with one, the transport follows it and `render` plays it to its end")),
    Entry::Other(other("markers", "map of name → bar", "at most 128; bars from 1", "`{}`", "named positions to jump to, e.g. `{\"drop\": 33}`")),
    Entry::Other(other("loop_bars", "(first, last)", "bars from 1", "none", "bars that loop, e.g. `Some((9, 16))`; the file keeps the loop you set")),
    Entry::Other(other("automation", "list of `Lane(...)`", "at most 64", "`[]`", "automation lanes on the song's timeline; see [arrangement.md](arrangement.md#automation)")),
    Entry::Other(other("macros", "list of `Macro(...)`", "at most 32", "`[]`", "knobs that move several values at once, `intensity` built in; see [arrangement.md](arrangement.md#macros-and-intensity)")),
];

/// `Master(...)`.
pub const MASTER: &[Entry<Master>] = &[
    Entry::Scalar(&MASTER_VOLUME),
    Entry::Scalar(&CEILING),
    Entry::Other(other(
        "effects",
        "list of effects",
        "",
        "`[]`",
        "effects on the whole mix, before the limiter",
    )),
];

pub(super) const NAME_RANGE: &str = "1 – 32 characters: `a`–`z`, `0`–`9`, `_`, `-`";

/// `Bus(...)`.
pub const BUS: &[Entry<Bus>] = &[
    Entry::Other(other(
        "name",
        "",
        NAME_RANGE,
        "(required)",
        "what tracks' `sends` refer to",
    )),
    Entry::Scalar(&BUS_VOLUME),
    Entry::Scalar(&BUS_PAN),
    Entry::Scalar(&BUS_MUTE),
    Entry::Other(other(
        "effects",
        "list of effects",
        "",
        "`[]`",
        "the bus's effect chain (usually with `mix: 1`)",
    )),
];

/// `Track(...)`.
pub const TRACK: &[Entry<Track>] = &[
    Entry::Other(other(
        "name",
        "",
        NAME_RANGE,
        "(required)",
        "the track's stable id, used by keys, OSC addresses and the chat; unique in the session",
    )),
    Entry::Other(other(
        "instrument",
        "an instrument",
        "see [Instruments](#instruments)",
        "(required)",
        "what the track plays",
    )),
    Entry::Other(other(
        "pattern",
        "`Steps(\"...\")`, `Notes(\"...\")` or `Degrees(\"...\")`",
        "see [patterns.md](patterns.md)",
        "none",
        "what the track plays by itself; without one the track only plays live notes",
    )),
    Entry::Scalar(&RESOLUTION),
    Entry::Scalar(&GATE),
    Entry::Scalar(&DENSITY),
    Entry::Scalar(&TRACK_VOLUME),
    Entry::Scalar(&PAN),
    Entry::Scalar(&MUTE),
    Entry::Scalar(&SOLO),
    Entry::Scalar(&VOICES),
    Entry::Other(other(
        "effects",
        "list of effects",
        "see [Effects](#effects)",
        "`[]`",
        "the track's effect chain, in order, before the fader",
    )),
    Entry::Other(other(
        "sends",
        "map of bus name → dB",
        "-120 – 12",
        "`{}`",
        "post-fader send levels, e.g. `{\"verb\": -12}`",
    )),
    Entry::Scalar(&BEND_RANGE),
    Entry::Other(other(
        "clips",
        "list of `Clip(...)`",
        "at most 256, in order, not overlapping",
        "`[]`",
        "patterns on the song's timeline that replace `pattern` for their bars; see [arrangement.md](arrangement.md#timeline-clips)",
    )),
];

/// The scalar fields of one owner's table.
pub fn scalars<M>(entries: &'static [Entry<M>]) -> impl Iterator<Item = &'static Field<M>> {
    entries.iter().filter_map(|e| match e {
        Entry::Scalar(f) => Some(*f),
        Entry::Other(_) => None,
    })
}

/// The field that the action `name` sets, if it sets one.
pub fn by_action(name: &str) -> Option<AnyField> {
    let hit = |a: &str| a == name;
    scalars(SESSION)
        .find(|f| hit(f.action))
        .map(AnyField::Session)
        .or_else(|| {
            scalars(MASTER)
                .find(|f| hit(f.action))
                .map(AnyField::Master)
        })
        .or_else(|| scalars(BUS).find(|f| hit(f.action)).map(AnyField::Bus))
        .or_else(|| scalars(TRACK).find(|f| hit(f.action)).map(AnyField::Track))
}
