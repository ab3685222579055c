//! The chat's tools: the action table turned into JSON schemas (generated
//! from [`ACTIONS`], never written twice), plus the few tools that are not
//! actions (read the session, write the session file, analyse the mix), and
//! the way back from a tool call's JSON arguments to an [`Action`].
//!
//! Control side, pure. It does not apply anything (that is `apply.rs`).

use serde_json::{json, Map, Value};

pub use super::message::ToolDef;
use super::message::{INVALID_ERROR, INVALID_JSON};
use crate::action::{self, Action, ActionSpec, ArgType, ArgValue, ACTIONS};

pub const READ_SESSION: &str = "read_session";
pub const WRITE_SESSION: &str = "write_session";
pub const WRITE_PATCH: &str = "write_patch";
pub const ANALYSE_MIX: &str = "analyse_mix";

/// Actions the chat may not call (live notes make no sense from a reply).
const NOT_TOOLS: &[&str] = &[
    "note_on",
    "note_off",
    "play_note",
    "all_notes_off",
    "redo",
    "undo_change",
];

/// Whether an action is offered to the model.
pub fn is_tool(a: &ActionSpec) -> bool {
    !NOT_TOOLS.contains(&a.name)
}

fn arg_schema(ty: &ArgType, doc: &str) -> Value {
    match ty {
        ArgType::Number { min, max, unit } => json!({
            "type": "number", "minimum": min, "maximum": max,
            "description": if unit.is_empty() { doc.to_string() } else { format!("{doc} ({unit})") },
        }),
        ArgType::Int { min, max } => {
            json!({"type": "integer", "minimum": min, "maximum": max, "description": doc})
        }
        ArgType::Bool => json!({"type": "boolean", "description": doc}),
        ArgType::Text => json!({"type": "string", "description": doc}),
        ArgType::Choice(c) => json!({"type": "string", "enum": c, "description": doc}),
        ArgType::TrackName => {
            json!({"type": "string", "description": format!("{doc}: a track's name, as read_session lists them")})
        }
        ArgType::Ron => {
            json!({"type": "string", "description": format!("{doc}, as RON text in the session-file format")})
        }
        ArgType::Any => json!({
            "anyOf": [{"type": "number"}, {"type": "string"}],
            "description": format!("{doc}: a number, or a name for choices"),
        }),
    }
}

fn object(props: Map<String, Value>, required: Vec<&str>) -> Value {
    json!({"type": "object", "properties": props, "required": required, "additionalProperties": false})
}

/// Every tool, in a fixed order (the request prefix stays cacheable).
pub fn tools() -> Vec<ToolDef> {
    let mut out = vec![
        ToolDef {
            name: READ_SESSION.into(),
            description: "Read the session as it is now: tempo, key, scale, time signature, \
                          where changes land, whether it is playing, and every track and bus \
                          in compact RON."
                .into(),
            schema: object(Map::new(), vec![]),
        },
        ToolDef {
            name: WRITE_SESSION.into(),
            description: "Replace the whole session with RON text in the session-file format \
                          (Session(...)). It is checked first: on an error nothing changes and \
                          you get the line and column. Only what differs from the session now \
                          changes, landing on the session's quantum. Prefer the smaller tools \
                          for small changes."
                .into(),
            schema: object(
                Map::from_iter([(
                    "ron".to_string(),
                    json!({"type": "string", "description": "the whole session file, RON"}),
                )]),
                vec!["ron"],
            ),
        },
        ToolDef {
            name: WRITE_PATCH.into(),
            description: "Rewrite one of the patch files the session includes (its `includes`, \
                          e.g. drums.ron) with RON text in the patch format (Patch(tracks: \
                          [...])). It is checked first: on an error nothing changes and you get \
                          the line and column. Only what differs from the tracks playing now \
                          changes, landing on the session's quantum; the file is then written \
                          (the previous version kept as FILE.bak)."
                .into(),
            schema: object(
                Map::from_iter([
                    (
                        "file".to_string(),
                        json!({"type": "string", "description": "the included file, as the session's `includes` names it"}),
                    ),
                    (
                        "ron".to_string(),
                        json!({"type": "string", "description": "the whole patch file, RON"}),
                    ),
                ]),
                vec!["file", "ron"],
            ),
        },
        ToolDef {
            name: ANALYSE_MIX.into(),
            description: "Render the session offline for a few bars (the music keeps playing) \
                          and measure it: the master's peak, true peak, RMS, EBU R128 loudness \
                          (LUFS), tempo and spectral balance (low, low-mid, high-mid, high), and \
                          each track's peak and RMS. With a loudness target it also says what to \
                          change to reach it under -1 dBTP, as `termdaw analyze --target` does."
                .into(),
            schema: object(
                Map::from_iter([
                    (
                        "bars".to_string(),
                        json!({"type": "number", "minimum": 1, "maximum": 16, "description": "how many bars to render (default 2)"}),
                    ),
                    (
                        "target".to_string(),
                        json!({"type": "number", "minimum": -70, "maximum": 0, "description": "loudness target, LUFS (-14 for streaming, -23 for broadcast)"}),
                    ),
                ]),
                vec![],
            ),
        },
    ];
    for a in ACTIONS.iter().filter(|a| is_tool(a)) {
        let props = a
            .args
            .iter()
            .map(|x| (x.name.to_string(), arg_schema(&x.ty, x.doc)))
            .collect();
        let mut description = a.doc.trim().to_string();
        if a.name == "undo" {
            description +=
                " (the last change before this reply; within a reply, set the old value instead)";
        }
        out.push(ToolDef {
            name: a.name.to_string(),
            description,
            schema: object(props, a.args.iter().map(|x| x.name).collect()),
        });
    }
    out
}

/// JSON arguments → the positional values the action table takes.
pub fn action_from_json(name: &str, input: &Value) -> Result<Action, String> {
    let spec = action::spec(name).ok_or_else(|| format!("there is no tool named `{name}`"))?;
    let obj = input_object(input)?;
    for k in obj.keys() {
        if !spec.args.iter().any(|a| a.name == k) {
            return Err(format!(
                "{name} has no argument `{k}`; its arguments are: {}",
                names(spec)
            ));
        }
    }
    let mut args = Vec::with_capacity(spec.args.len());
    for a in spec.args {
        let v = obj.get(a.name).ok_or_else(|| {
            format!(
                "{name}: missing argument `{}`; its arguments are: {}",
                a.name,
                names(spec)
            )
        })?;
        args.push(match v {
            Value::Number(n) => ArgValue::Number(n.as_f64().unwrap_or(f64::NAN)),
            Value::Bool(b) => ArgValue::Bool(*b),
            Value::String(s) => ArgValue::Text(s.clone()),
            other => {
                return Err(format!(
                    "{name}: argument `{}` must be a number, text or true/false, got {other}",
                    a.name
                ))
            }
        });
    }
    Action::from_args(name, &args).map_err(|e| e.to_string())
}

/// The arguments object, or why it is not one.
pub fn input_object(input: &Value) -> Result<&Map<String, Value>, String> {
    let obj = input
        .as_object()
        .ok_or_else(|| format!("the arguments must be a JSON object, got {input}"))?;
    if let Some(raw) = obj.get(INVALID_JSON) {
        return Err(format!(
            "the arguments were not valid JSON ({}): {}",
            obj.get(INVALID_ERROR).and_then(Value::as_str).unwrap_or(""),
            raw.as_str().unwrap_or("")
        ));
    }
    Ok(obj)
}

fn names(spec: &ActionSpec) -> String {
    if spec.args.is_empty() {
        return "none".into();
    }
    spec.args
        .iter()
        .map(|a| a.name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The tool list for docs/chat.md.
pub fn markdown() -> String {
    let mut s = String::from("| tool | arguments | what it does |\n| --- | --- | --- |\n");
    for t in tools() {
        let args = match action::spec(&t.name) {
            Some(a) => a.args.iter().map(|x| format!("`{}`", x.name)).collect(),
            None => t.schema["properties"]
                .as_object()
                .map(|p| p.keys().map(|k| format!("`{k}`")).collect::<Vec<_>>())
                .unwrap_or_default(),
        }
        .join(", ");
        s += &format!(
            "| `{}` | {} | {} |\n",
            t.name,
            if args.is_empty() { "–".into() } else { args },
            t.description
        );
    }
    s
}
