//! Which notes a session's tracks play that clash with a chord, and the
//! text `termdaw suggest` prints.
//!
//! Control side (the CLI and the chat's tool), pure: reads a parsed
//! session, builds its tracks' clips in memory, no I/O.

use std::collections::BTreeMap;
use std::fmt::Write;

use serde::Serialize;

use super::chord::{spell, Chord};
use super::suggest::{clashes, suggest, Report, SuggestError};
use crate::patch::{Key, Scale, SessionFile};

/// A note some tracks play that clashes with a chord.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Clash {
    pub chord: String,
    pub note: String,
    pub tracks: Vec<String>,
}

/// The pitched notes each track plays (MIDI numbers, over the clip's whole
/// period): synth tracks only, unpitched hits left out.
pub fn track_notes(file: &SessionFile) -> Vec<(String, Vec<u8>)> {
    file.tracks
        .iter()
        // Drums and samples play at their own pitch, whatever the note.
        .filter(|t| !t.instrument.kind.is_percussive())
        .filter_map(|t| {
            let clip = crate::session::build::clip(t, file)?;
            let mut notes: Vec<u8> = clip
                .events()
                .iter()
                .filter(|e| e.note.is_finite())
                .map(|e| e.note.round().clamp(0.0, 127.0) as u8)
                .collect();
            notes.sort_unstable();
            notes.dedup();
            (!notes.is_empty()).then(|| (t.name.to_string(), notes))
        })
        .collect()
}

/// The clashes of `tracks` (from [`track_notes`]) with each named chord.
pub fn clashes_with(
    chords: &[String],
    tracks: &[(String, Vec<u8>)],
    key: Key,
    scale: Scale,
) -> Vec<Clash> {
    let mut out = Vec::new();
    for name in chords {
        let Some(chord) = Chord::parse(name) else {
            continue;
        };
        let mut by_note: BTreeMap<u8, Vec<String>> = BTreeMap::new();
        for (track, notes) in tracks {
            for pc in clashes(&chord, notes) {
                by_note.entry(pc).or_default().push(track.clone());
            }
        }
        for (pc, tracks) in by_note {
            out.push(Clash {
                chord: name.clone(),
                note: spell(pc, key, scale).to_string(),
                tracks,
            });
        }
    }
    out
}

/// The report as text: notes, chords with numerals, progressions, the
/// ranked next chords, and the clashes.
pub fn text(r: &Report, clashes: &[Clash]) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{} {}: {}",
        r.key,
        r.scale.to_lowercase(),
        r.notes.join(" ")
    );
    let _ = writeln!(s, "\nchords:");
    for c in &r.chords {
        let seventh = c
            .seventh
            .as_deref()
            .map(|x| format!("  ({x})"))
            .unwrap_or_default();
        let _ = writeln!(
            s,
            "  {:<8} {:<8} {}{seventh}",
            c.numeral,
            c.name,
            c.notes.join(" ")
        );
    }
    if !r.progressions.is_empty() {
        let _ = writeln!(s, "\nprogressions:");
        for p in &r.progressions {
            let _ = writeln!(s, "  {:<32} {}", p.name, p.chords.join(" "));
        }
    }
    if !r.after.is_empty() {
        let _ = writeln!(s, "\nafter {}:", r.after.join(" "));
        for (i, n) in r.next.iter().enumerate() {
            let _ = writeln!(
                s,
                "  {}. {:<8} {:<8} {:.2}  {}",
                i + 1,
                n.name,
                n.numeral,
                n.score,
                n.why
            );
        }
    }
    if !clashes.is_empty() {
        let _ = writeln!(s, "\nclashes with the session's tracks:");
        for c in clashes {
            let _ = writeln!(
                s,
                "  {:<8} {:<3} in {}",
                c.chord,
                c.note,
                c.tracks.join(", ")
            );
        }
    }
    s
}

/// `termdaw suggest`: read the key, the scale and the chords so far (the
/// session's key and scale by default), and answer as text or JSON.
pub fn run(
    key: Option<&str>,
    scale: Option<&str>,
    after: Option<&str>,
    session: Option<&SessionFile>,
    json: bool,
) -> Result<String, SuggestError> {
    let key = match key {
        Some(k) => Key::parse(k).map_err(|_| SuggestError::Key(k.to_string()))?,
        None => session.map_or(Key(0), |f| f.key),
    };
    let scale = match scale {
        Some(s) => parse_scale(s).ok_or_else(|| SuggestError::Scale(s.to_string()))?,
        None => session.map_or(Scale::Major, |f| f.scale),
    };
    let after: Vec<String> = after
        .map(|a| {
            a.split([' ', ',', '-'])
                .filter(|w| !w.is_empty())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    let report = suggest(key, scale, &after)?;
    let clashes = match session {
        Some(f) => {
            let tracks = track_notes(f);
            let mut names: Vec<String> = report.chords.iter().map(|c| c.name.clone()).collect();
            names.extend(report.after.iter().cloned());
            names.dedup();
            clashes_with(&names, &tracks, key, scale)
        }
        None => Vec::new(),
    };
    if json {
        #[derive(Serialize)]
        struct Out<'a> {
            #[serde(flatten)]
            report: &'a Report,
            clashes: &'a [Clash],
        }
        let out = Out {
            report: &report,
            clashes: &clashes,
        };
        return Ok(serde_json::to_string_pretty(&out).unwrap_or_default() + "\n");
    }
    Ok(text(&report, &clashes))
}

/// A scale name as a musician writes it: "harmonic minor",
/// "harmonic-minor", "HarmonicMinor", "aeolian", "ionian".
pub fn parse_scale(s: &str) -> Option<Scale> {
    let squashed: String = s
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '_'))
        .collect::<String>()
        .to_lowercase();
    match squashed.as_str() {
        "ionian" => Some(Scale::Major),
        "aeolian" | "naturalminor" => Some(Scale::Minor),
        other => Scale::parse(other),
    }
}
