//! What a preset plays when it is heard on its own: a phrase fitting its
//! role (pad: a progression, bass: a root line, lead: a scale melody,
//! drum: a beat, fx: one hit a bar) in a musical context, as a one-track
//! session.
//!
//! Control side, pure. Tonal phrases are written in scale degrees, so the
//! session's key and scale place them; every phrase sits on an 8th-note
//! grid of the time signature.

use crate::analysis::assess::Role;
use crate::kinds::InstrumentKind;
use crate::patch::{Key, Notation, PatternDef, Scale, SessionFile, TimeSignature, Track};

use super::Preset;

/// Bars a phrase lasts before it repeats.
pub const BARS: usize = 4;
/// The name of the track a preset plays on.
pub const TRACK: &str = "preset";

/// The chords of the progression, a bar each (i VI iv v in minor, I vi IV
/// V in major), as degrees from the tonic at octave 3.
const CHORDS: [&str; BARS] = ["[0,2,4]", "[5,7,9]", "[3,5,7]", "[4,6,8]"];
/// The bass line's roots, under the chords (A2 F2 D2 E2 in A minor): a
/// bass's register, under 150 Hz.
const ROOTS: [i32; BARS] = [-7, -9, -11, -10];
/// The lead melody, an octave over the chords, taken in order.
const MELODY: [&str; 32] = [
    "7", "9", "11", "12", "11", "9", "7", "4", "5", "7", "9", "7", "5", "4", "2", "4", "7", "9",
    "11", "12", "14", "12", "11", "9", "7", "6", "4", "2", "4", "6", "7", "~",
];

/// Where a preset is heard.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Setting {
    pub tempo: f64,
    pub key: Key,
    pub scale: Scale,
    pub time_signature: TimeSignature,
}

/// The phrase: notation, text, resolution and gate.
pub fn phrase(role: Role, kind: InstrumentKind, ts: TimeSignature) -> (Notation, String, u32, f64) {
    let steps = 2 * ts.beats as usize;
    let resolution = 2 * ts.unit as u32;
    let bars = |bar: &dyn Fn(usize, usize) -> String| -> String {
        (0..BARS)
            .map(|b| (0..steps).map(|i| bar(b, i)).collect::<Vec<_>>().join(" "))
            .collect::<Vec<_>>()
            .join(" ")
    };
    match role {
        Role::Pad => {
            let text = bars(&|b, i| {
                if i == 0 {
                    CHORDS[b].to_string()
                } else {
                    "~".into()
                }
            });
            let gate = (steps as f64 * 0.95).min(16.0);
            (Notation::Degrees, text, resolution, gate)
        }
        Role::Bass => {
            let text = bars(&|b, i| {
                if i % 3 == 2 {
                    "~".into()
                } else {
                    ROOTS[b].to_string()
                }
            });
            (Notation::Degrees, text, resolution, 0.8)
        }
        Role::Lead => {
            let text = bars(&|b, i| MELODY[(b * steps + i) % MELODY.len()].to_string());
            (Notation::Degrees, text, resolution, 0.8)
        }
        Role::Drum => {
            let hit = |i: usize| match kind {
                InstrumentKind::Snare | InstrumentKind::Clap => i % 4 == 2,
                InstrumentKind::HatClosed => true,
                InstrumentKind::HatOpen => i % 2 == 1,
                _ => i % 2 == 0,
            };
            let text: String = (0..steps).map(|i| if hit(i) { 'x' } else { '.' }).collect();
            (Notation::Steps, text, resolution, 0.9)
        }
        Role::Fx => {
            let text: String = (0..steps).map(|i| if i == 0 { 'x' } else { '.' }).collect();
            (Notation::Steps, text, resolution, 0.9)
        }
    }
}

/// A one-track session playing `preset` in `setting`: its own phrase if it
/// has one, else its role's.
pub fn session(preset: &Preset, setting: &Setting) -> SessionFile {
    let mut track = Track::new(TRACK, preset.instrument.clone());
    track.effects = preset.effects.clone();
    track.volume = preset.volume;
    let (notation, text, resolution, gate) =
        phrase(preset.role, preset.instrument.kind, setting.time_signature);
    match &preset.pattern {
        Some(p) => {
            track.pattern = Some(p.clone());
            track.resolution = preset.resolution.unwrap_or(track.resolution);
            track.gate = preset.gate.unwrap_or(track.gate);
        }
        None => {
            // The role's phrases are built from fixed, valid tokens.
            track.pattern = PatternDef::parse(notation, &text).ok();
            track.resolution = preset.resolution.unwrap_or(resolution);
            track.gate = preset.gate.unwrap_or(gate);
        }
    }
    SessionFile {
        tempo: setting.tempo,
        key: setting.key,
        scale: setting.scale,
        time_signature: setting.time_signature,
        tracks: vec![track],
        ..SessionFile::default()
    }
}
