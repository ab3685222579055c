//! The OSC address space: how an OSC message becomes an [`Action`].
//!
//! Pure translation, any thread. Every action in the table is reachable as
//! `/termdaw/<action> args...`; the short forms in [`SHORT_FORMS`] cover what
//! a controller or another live-coding tool sends most. docs/osc.md is
//! generated from both.

use rosc::{OscMessage, OscType};

use crate::action::{spec, Action, ArgType, ArgValue, ACTIONS};

pub const PREFIX: &str = "/termdaw";

/// A short address form: `/termdaw/track/<name>/<leaf>` → action.
pub struct ShortForm {
    pub address: &'static str,
    pub args: &'static str,
    pub action: &'static str,
    pub doc: &'static str,
}

pub const SHORT_FORMS: &[ShortForm] = &[
    ShortForm {
        address: "/termdaw/tempo",
        args: "f",
        action: "set_tempo",
        doc: "tempo in BPM",
    },
    ShortForm {
        address: "/termdaw/state",
        args: "",
        action: "-",
        doc: "query: the reply `/termdaw/state` goes back to the sender (see below)",
    },
    ShortForm {
        address: "/termdaw/track/<name>/volume",
        args: "f",
        action: "set_volume",
        doc: "fader in dB",
    },
    ShortForm {
        address: "/termdaw/track/<name>/pan",
        args: "f",
        action: "set_pan",
        doc: "-1 left … 1 right",
    },
    ShortForm {
        address: "/termdaw/track/<name>/mute",
        args: "i",
        action: "set_mute",
        doc: "1 mutes, 0 unmutes",
    },
    ShortForm {
        address: "/termdaw/track/<name>/solo",
        args: "i",
        action: "set_solo",
        doc: "1 solos, 0 unsolos",
    },
    ShortForm {
        address: "/termdaw/track/<name>/pattern",
        args: "s",
        action: "set_pattern",
        doc: "a note pattern (mini-notation)",
    },
    ShortForm {
        address: "/termdaw/track/<name>/steps",
        args: "s",
        action: "set_pattern",
        doc: "a drum step pattern",
    },
    ShortForm {
        address: "/termdaw/track/<name>/param/<param>",
        args: "f or s",
        action: "set_param",
        doc: "an instrument parameter",
    },
    ShortForm {
        address: "/termdaw/track/<name>/note",
        args: "i f f",
        action: "play_note",
        doc: "note (MIDI), velocity (0–1), length in beats",
    },
    ShortForm {
        address: "/termdaw/track/<name>/<action>",
        args: "…",
        action: "any",
        doc: "any track action, the track name taken from the address",
    },
];

/// What a message asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    Action(Box<Action>),
    /// `/termdaw/state`: reply with the session's state.
    State,
}

fn arg(t: &OscType) -> Result<ArgValue, String> {
    Ok(match t {
        OscType::Int(i) => ArgValue::Number(*i as f64),
        OscType::Long(i) => ArgValue::Number(*i as f64),
        OscType::Float(f) => ArgValue::Number(*f as f64),
        OscType::Double(f) => ArgValue::Number(*f),
        OscType::String(s) => ArgValue::Text(s.clone()),
        OscType::Bool(b) => ArgValue::Bool(*b),
        OscType::Char(c) => ArgValue::Text(c.to_string()),
        other => return Err(format!("unsupported argument type {other:?}")),
    })
}

fn build(name: &str, args: Vec<ArgValue>) -> Result<Request, String> {
    Action::from_args(name, &args)
        .map(|a| Request::Action(Box::new(a)))
        .map_err(|e| e.to_string())
}

/// Translate one message.
pub fn request(msg: &OscMessage) -> Result<Request, String> {
    let args: Vec<ArgValue> = msg.args.iter().map(arg).collect::<Result<_, _>>()?;
    let rest = msg
        .addr
        .strip_prefix(PREFIX)
        .and_then(|r| r.strip_prefix('/'))
        .ok_or_else(|| {
            format!(
                "unknown address {} (termdaw's start with {PREFIX}/)",
                msg.addr
            )
        })?;
    let parts: Vec<&str> = rest.split('/').collect();
    match parts.as_slice() {
        ["state"] if args.is_empty() => Ok(Request::State),
        ["tempo"] => build("set_tempo", args),
        ["track", name, leaf @ ..] => {
            let track = ArgValue::Text(name.to_string());
            let with_track = |mut a: Vec<ArgValue>| {
                a.insert(0, track.clone());
                a
            };
            match leaf {
                ["volume"] => build("set_volume", with_track(args)),
                ["pan"] => build("set_pan", with_track(args)),
                ["mute"] => build("set_mute", with_track(args)),
                ["solo"] => build("set_solo", with_track(args)),
                ["pattern"] => build(
                    "set_pattern",
                    with_track([vec![ArgValue::Text("notes".into())], args].concat()),
                ),
                ["steps"] => build(
                    "set_pattern",
                    with_track([vec![ArgValue::Text("steps".into())], args].concat()),
                ),
                ["param", param] => build(
                    "set_param",
                    with_track([vec![ArgValue::Text(param.to_string())], args].concat()),
                ),
                ["note"] => build("play_note", with_track(args)),
                [action]
                    if spec(action).is_some_and(|s| {
                        s.args.first().is_some_and(|a| a.ty == ArgType::TrackName)
                    }) =>
                {
                    build(action, with_track(args))
                }
                _ => Err(format!("unknown address {}", msg.addr)),
            }
        }
        [action] if spec(action).is_some() => build(action, args),
        _ => Err(format!("unknown address {}", msg.addr)),
    }
}

fn osc_type(t: &ArgType) -> &'static str {
    match t {
        ArgType::Number { .. } => "f",
        ArgType::Int { .. } => "i",
        ArgType::Bool => "i",
        ArgType::Any => "f|s",
        _ => "s",
    }
}

/// The address map as Markdown (for docs/osc.md).
pub fn markdown() -> String {
    let mut s = String::from("| address | arguments | does |\n| --- | --- | --- |\n");
    for f in SHORT_FORMS {
        s += &format!(
            "| `{}` | {} | {} |\n",
            f.address,
            if f.args.is_empty() { "–" } else { f.args },
            f.doc
        );
    }
    s += "\nEvery action of [actions.md](actions.md) by name:\n\n| address | arguments | does |\n| --- | --- | --- |\n";
    for a in ACTIONS {
        let args: Vec<String> = a
            .args
            .iter()
            .map(|x| format!("{} `{}`", osc_type(&x.ty), x.name))
            .collect();
        s += &format!(
            "| `/termdaw/{}` | {} | {} |\n",
            a.name,
            if args.is_empty() {
                "–".into()
            } else {
                args.join(", ")
            },
            a.doc.trim()
        );
    }
    s
}
