//! The chat's tools: the action table turned into JSON schemas (generated
//! from [`ACTIONS`], never written twice), plus the few tools that are not
//! actions (read the session, write the session file, analyse the mix), and
//! the way back from a tool call's JSON arguments to an [`Action`].
//!
//! Control side, pure. It does not apply anything (that is `apply.rs`).

use crate::quote::{clip, MAX_QUOTE};
use serde_json::{json, Map, Value};

pub use super::message::ToolDef;
use super::message::{INVALID_ERROR, INVALID_JSON};
use crate::action::{self, Action, ActionSpec, ArgType, ArgValue, ACTIONS};

pub const READ_SESSION: &str = "read_session";
pub const WRITE_SESSION: &str = "write_session";
pub const WRITE_PATCH: &str = "write_patch";
pub const ANALYSE_MIX: &str = "analyse_mix";
pub const SHOW_PATTERN: &str = "show_pattern";
pub const PATTERN_FUNCTIONS: &str = "pattern_functions";

/// Whether an action is offered to the model (the table's `tool` column).
pub fn is_tool(a: &ActionSpec) -> bool {
    a.tool
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
        // Short: these repeat in many tools, and the prompt says what a
        // track name and the session format are.
        ArgType::TrackName => json!({"type": "string", "description": format!("{doc} name")}),
        ArgType::Ron => json!({"type": "string", "description": format!("{doc} (RON)")}),
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
                          (Session(...)). Only what differs from the session now changes, on \
                          the session's quantum. Prefer the smaller tools for small changes."
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
                          [...])). Only what differs from the tracks playing now changes, on the \
                          session's quantum; the file is then written (the old one kept as \
                          FILE.bak)."
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
            description: "Render a few bars offline from the bar playing now (the music keeps \
                          playing) and measure them: \
                          peak, true peak, RMS, loudness (LUFS), tempo, spectral balance, and each \
                          track's peak and RMS. With a loudness target it also says what to change \
                          to reach it under -1 dBTP."
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
        ToolDef {
            name: SHOW_PATTERN.into(),
            description: "Print the events a pattern makes per cycle: onset and duration as \
                          exact fractions of a cycle, note, velocity and pan. Check a pattern \
                          with it before setting it; an error comes back with its column."
                .into(),
            schema: object(
                Map::from_iter([
                    (
                        "pattern".to_string(),
                        json!({"type": "string", "description": "as written in the session: Notes(\"...\"), Steps(\"...\") or a bare Notes string"}),
                    ),
                    (
                        "cycles".to_string(),
                        json!({"type": "integer", "minimum": 1, "maximum": 16, "description": "how many cycles to show (default 1)"}),
                    ),
                ]),
                vec!["pattern"],
            ),
        },
        super::harmony::tool(),
        super::assess::tool(),
        super::listen::tool(),
        ToolDef {
            name: PATTERN_FUNCTIONS.into(),
            description: "The pattern functions (fast, every, off, jux, arp...) with what each \
                          does and a paste-able example."
                .into(),
            schema: object(Map::new(), vec![]),
        },
    ];
    for a in ACTIONS.iter().filter(|a| is_tool(a)) {
        let props = a
            .args
            .iter()
            .map(|x| (x.name.to_string(), arg_schema(&x.ty, x.doc)))
            .collect();
        out.push(ToolDef {
            name: a.name.to_string(),
            description: format!("{}{}", a.doc.trim(), a.tool_note),
            schema: object(props, a.args.iter().map(|x| x.name).collect()),
        });
    }
    out
}

/// Why a tool call's arguments do not make an action.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ToolError {
    #[error("there is no tool named `{0}`")]
    NoTool(String),
    #[error("{tool} has no argument `{arg}`; its arguments are: {names}")]
    UnknownArg {
        tool: String,
        arg: String,
        names: String,
    },
    #[error("{tool}: missing argument `{arg}`; its arguments are: {names}")]
    MissingArg {
        tool: String,
        arg: &'static str,
        names: String,
    },
    #[error("{tool}: argument `{arg}` must be a number, text or true/false, got {got}")]
    BadType {
        tool: String,
        arg: &'static str,
        got: String,
    },
    #[error("the arguments must be a JSON object, got {0}")]
    NotObject(String),
    #[error("the arguments were not valid JSON ({error}): {raw}")]
    InvalidJson { error: String, raw: String },
    #[error(transparent)]
    Action(#[from] action::ActionError),
}

/// JSON arguments → the positional values the action table takes.
pub fn action_from_json(name: &str, input: &Value) -> Result<Action, ToolError> {
    let spec = action::spec(name).ok_or_else(|| ToolError::NoTool(clip(name, MAX_QUOTE)))?;
    let obj = input_object(input)?;
    for k in obj.keys() {
        if !spec.args.iter().any(|a| a.name == k) {
            return Err(ToolError::UnknownArg {
                tool: name.to_string(),
                arg: clip(k, MAX_QUOTE),
                names: names(spec),
            });
        }
    }
    let mut args = Vec::with_capacity(spec.args.len());
    for a in spec.args {
        let v = obj.get(a.name).ok_or_else(|| ToolError::MissingArg {
            tool: name.to_string(),
            arg: a.name,
            names: names(spec),
        })?;
        args.push(match v {
            Value::Number(n) => ArgValue::Number(n.as_f64().unwrap_or(f64::NAN)),
            Value::Bool(b) => ArgValue::Bool(*b),
            Value::String(s) => ArgValue::Text(s.clone()),
            other => {
                return Err(ToolError::BadType {
                    tool: name.to_string(),
                    arg: a.name,
                    got: clip(&other.to_string(), MAX_QUOTE),
                })
            }
        });
    }
    Ok(Action::from_args(name, &args)?)
}

/// The arguments object, or why it is not one.
pub fn input_object(input: &Value) -> Result<&Map<String, Value>, ToolError> {
    let obj = input
        .as_object()
        .ok_or_else(|| ToolError::NotObject(clip(&input.to_string(), MAX_QUOTE)))?;
    if let Some(raw) = obj.get(INVALID_JSON) {
        return Err(ToolError::InvalidJson {
            error: clip(
                obj.get(INVALID_ERROR).and_then(Value::as_str).unwrap_or(""),
                MAX_QUOTE,
            ),
            raw: clip(raw.as_str().unwrap_or(""), MAX_QUOTE),
        });
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

/// What `pattern_functions` answers: every function, its usage, what it
/// does and an example, one per line.
pub fn pattern_functions() -> String {
    crate::pattern::FUNCTIONS
        .iter()
        .map(|f| format!("{} — {}. e.g. Notes(\"{}\")\n", f.usage, f.about, f.example))
        .collect()
}
