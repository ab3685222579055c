//! The `assess` tool: render a few bars from the bar playing now (the
//! whole mix, or one track alone) and score them for a role, the same
//! assessment as `termdaw assess`.
//!
//! The call is read on the control thread ([`outcome`]); the render and
//! the scoring run on the chat worker ([`run`]), like `analyse_mix`.

use std::path::Path;

use serde_json::{json, Map, Value};

use super::apply::{Measure, Outcome};
use super::message::ToolDef;
use crate::analysis::assess::{self, Context, Role};
use crate::audio::render::{self, Length};
use crate::patch::SessionFile;
use crate::session::Session;

pub const ASSESS: &str = "assess";
const RATE: u32 = 48_000;

pub fn tool() -> ToolDef {
    let roles: Vec<&str> = Role::ALL.iter().map(|r| r.name()).collect();
    ToolDef {
        name: ASSESS.into(),
        description: "Render bars from the bar playing now (the mix, or one track alone) and \
                      score them for a role: overall 0-1, role match, mix readiness, perceptual \
                      quality, stability, with each violation and warning and its threshold."
            .into(),
        schema: json!({
            "type": "object",
            "properties": Map::from_iter([
                ("role".to_string(), json!({"type": "string", "enum": roles})),
                ("track".to_string(), json!({"type": "string", "description": "a track alone (default: the mix)"})),
                ("bars".to_string(), json!({"type": "number", "minimum": 1, "maximum": 16, "description": "default 4"})),
                ("target".to_string(), json!({"type": "number", "minimum": -70, "maximum": 0, "description": "LUFS (default -14)"})),
            ]),
            "required": ["role"],
            "additionalProperties": false,
        }),
    }
}

/// What to assess, read from the call on the control thread.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    pub role: Role,
    pub track: Option<String>,
    pub target: f64,
}

/// The call checked against the session, as work for the worker.
pub fn outcome(session: &Session, input: &Value, from_beat: f64) -> Outcome {
    let o = match super::tools::input_object(input) {
        Ok(o) => o,
        Err(e) => return Outcome::err(e.to_string()),
    };
    let role = match o.get("role").and_then(Value::as_str).map(Role::parse) {
        Some(Ok(r)) => r,
        Some(Err(e)) => return Outcome::err(e),
        None => return Outcome::err("assess needs `role`: pad, bass, lead, drum or fx".into()),
    };
    let track = o.get("track").and_then(Value::as_str).map(str::to_string);
    if let Some(t) = &track {
        if session.file().track(t).is_none() {
            return Outcome::err(format!(
                "no track named \"{}\"",
                crate::quote::clip(t, crate::quote::MAX_QUOTE)
            ));
        }
    }
    let bars = o
        .get("bars")
        .and_then(Value::as_f64)
        .unwrap_or(4.0)
        .clamp(1.0, 16.0);
    let target = o
        .get("target")
        .and_then(Value::as_f64)
        .unwrap_or(assess::DEFAULT_TARGET_LUFS)
        .clamp(-70.0, 0.0);
    Outcome::Analyse {
        file: Box::new(session.file().clone()),
        path: session.path().map(|p| p.to_path_buf()),
        bars,
        from_beat,
        what: Measure::Assess(Job {
            role,
            track,
            target,
        }),
    }
}

/// Render and score: the text for the model.
pub fn run(
    file: &SessionFile,
    path: Option<&Path>,
    bars: f64,
    from_beat: f64,
    job: &Job,
) -> String {
    let mut file = file.clone();
    if let Some(t) = &job.track {
        for u in &mut file.tracks {
            u.solo = u.name.as_str() == t;
        }
    }
    let frames = render::frames_for(&file, Length::Bars(bars), RATE);
    let (l, r) = super::analyse::render_audio(&file, path, frames, from_beat);
    let ctx = Context {
        tempo: Some(file.tempo),
        key: Some((file.key, file.scale)),
        target_lufs: job.target,
        ..Context::default()
    };
    let a = assess::assess(&l, &r, RATE as f32, job.role, &ctx);
    format!(
        "{} from bar {}: {}",
        job.track.as_deref().unwrap_or("the mix"),
        (from_beat / file.time_signature.beats.max(1) as f64).floor() + 1.0,
        a.text()
    )
}
