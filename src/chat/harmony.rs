//! The chat's `suggest_chords` tool: `termdaw suggest` for the model (the
//! session's key and scale by default, the clashes with its tracks), and
//! writing a progression into a track as chord symbols, one chord a bar.
//!
//! Control side (the UI thread applies tool calls); pure apart from the
//! session edits it makes through ordinary actions.

use serde_json::{json, Map, Value};

use super::message::ToolDef;
use crate::action::Action;
use crate::session::Session;
use crate::theory::chord::Chord;

pub const SUGGEST_CHORDS: &str = "suggest_chords";

/// Octave the written chords start in (pads and keys sit there).
const OCTAVE: i32 = 3;
/// Most chords one progression may write.
pub const MAX_PROGRESSION: usize = 16;

pub fn tool() -> ToolDef {
    let s = |d: &str| json!({"type": "string", "description": d});
    ToolDef {
        name: SUGGEST_CHORDS.into(),
        description: "Harmony: the key's notes and chords with roman numerals, common \
                      progressions, the next chord after `after` ranked (function, voice \
                      leading), and the notes of the tracks that clash with each chord. With \
                      `track` and `progression` it also writes the progression into that \
                      track as chord symbols, one chord a bar."
            .into(),
        schema: json!({
            "type": "object",
            "properties": Map::from_iter([
                ("key".to_string(), s("tonic, e.g. A or Bb (default: the session's)")),
                ("scale".to_string(), s("e.g. minor, dorian, harmonic minor (default: the session's)")),
                ("after".to_string(), s("the chords so far, e.g. \"Am F\"")),
                ("track".to_string(), s("a track to write `progression` into")),
                ("progression".to_string(), s("chord names to write, e.g. \"Am F C G\"")),
            ]),
            "required": [],
            "additionalProperties": false,
        }),
    }
}

/// Answer a `suggest_chords` call: the report, and the changes made when
/// it wrote a progression; or why not.
pub fn call(session: &mut Session, input: &Value) -> Result<(String, Vec<String>), String> {
    let o = input
        .as_object()
        .ok_or("suggest_chords takes an object of arguments")?;
    let text = |k: &str| o.get(k).and_then(Value::as_str);
    let report = crate::theory::clash::run(
        text("key"),
        text("scale"),
        text("after"),
        Some(session.file()),
        false,
    )
    .map_err(|e| e.to_string())?;
    let (Some(track), Some(progression)) = (text("track"), text("progression")) else {
        return Ok((report, Vec::new()));
    };
    let pattern = progression_pattern(progression)?;
    let mut changes = Vec::new();
    for action in [
        Action::SetPattern {
            track: track.to_string(),
            notation: "notes".into(),
            pattern,
        },
        Action::SetResolution {
            track: track.to_string(),
            steps: 1,
        },
    ] {
        let a = session
            .apply(action)
            .map_err(|e| format!("not written: {e}"))?;
        changes.push(a.description);
    }
    Ok((
        format!("{report}\nwritten: {}", changes.join("; ")),
        changes,
    ))
}

/// `"Am F C G"` as a pattern of one chord a cycle: `<a3'm f3'maj …>`.
pub fn progression_pattern(progression: &str) -> Result<String, String> {
    let names: Vec<&str> = progression
        .split([' ', ','])
        .filter(|w| !w.is_empty())
        .collect();
    if names.is_empty() || names.len() > MAX_PROGRESSION {
        return Err(format!(
            "`progression` needs 1 to {MAX_PROGRESSION} chord names, e.g. \"Am F C G\""
        ));
    }
    let mut out = Vec::new();
    for n in names {
        let c = Chord::parse(n).ok_or_else(|| {
            crate::theory::SuggestError::Chord(crate::quote::clip(n, 20)).to_string()
        })?;
        const NAMES: [&str; 12] = [
            "c", "c#", "d", "d#", "e", "f", "f#", "g", "g#", "a", "a#", "b",
        ];
        out.push(format!(
            "{}{OCTAVE}'{}",
            NAMES[c.root as usize % 12],
            c.quality.symbol()
        ));
    }
    Ok(format!("<{}>", out.join(" ")))
}
