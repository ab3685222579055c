//! The OSC address space: how an OSC message becomes an [`Action`].
//!
//! Pure translation, any thread. Every action in the table is reachable as
//! `/termdaw/<action> args...` (and a track action as
//! `/termdaw/track/<track>/<action>`); the short forms a controller or
//! another live-coding tool sends most are the table's `osc` column
//! ([`crate::action::ActionSpec::osc`]), so routing and docs/osc.md come from
//! the same place. This module may not apply anything.

use rosc::{OscMessage, OscType};

use crate::action::{bind_named, spec, Action, ActionError, ArgType, ArgValue, ACTIONS};

pub const PREFIX: &str = "/termdaw";

/// What a message asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    Action(Box<Action>),
    /// `/termdaw/state`: reply with the session's state.
    State,
}

/// Why a message is not one termdaw understands.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AddressError {
    #[error("unsupported argument type {0}")]
    ArgType(String),
    #[error("unknown address {0} (termdaw's start with {PREFIX}/)")]
    NoPrefix(String),
    #[error("unknown address {0}")]
    Unknown(String),
    #[error(transparent)]
    Action(#[from] ActionError),
}

fn arg(t: &OscType) -> Result<ArgValue, AddressError> {
    Ok(match t {
        OscType::Int(i) => ArgValue::Number(*i as f64),
        OscType::Long(i) => ArgValue::Number(*i as f64),
        OscType::Float(f) => ArgValue::Number(*f as f64),
        OscType::Double(f) => ArgValue::Number(*f),
        OscType::String(s) => ArgValue::Text(s.clone()),
        OscType::Bool(b) => ArgValue::Bool(*b),
        OscType::Char(c) => ArgValue::Text(c.to_string()),
        other => return Err(AddressError::ArgType(format!("{other:?}"))),
    })
}

fn build(name: &str, args: Vec<ArgValue>) -> Result<Request, AddressError> {
    Ok(Request::Action(Box::new(Action::from_args(name, &args)?)))
}

/// The arguments a short form's address fixes: `<arg>` segments and its
/// `name=value` pairs. None if `parts` is not this form's address.
fn fixed_by(
    form: &'static str,
    fixed: &[(&'static str, &'static str)],
    parts: &[&str],
) -> Option<Vec<(&'static str, ArgValue)>> {
    let pattern: Vec<&'static str> = form.split('/').collect();
    if pattern.len() != parts.len() {
        return None;
    }
    let mut out = Vec::new();
    for (p, got) in pattern.iter().zip(parts) {
        match p.strip_prefix('<').and_then(|p| p.strip_suffix('>')) {
            Some(name) => out.push((name, ArgValue::Text(got.to_string()))),
            None if p == got => {}
            None => return None,
        }
    }
    out.extend(
        fixed
            .iter()
            .map(|(n, v)| (*n, ArgValue::Text(v.to_string()))),
    );
    Some(out)
}

/// Translate one message.
pub fn request(msg: &OscMessage) -> Result<Request, AddressError> {
    let args: Vec<ArgValue> = msg.args.iter().map(arg).collect::<Result<_, _>>()?;
    let rest = msg
        .addr
        .strip_prefix(PREFIX)
        .and_then(|r| r.strip_prefix('/'))
        .ok_or_else(|| AddressError::NoPrefix(msg.addr.clone()))?;
    let parts: Vec<&str> = rest.split('/').collect();
    for a in ACTIONS {
        for form in a.osc {
            if let Some(named) = fixed_by(form.phrase, form.fixed, &parts) {
                return build(a.name, bind_named(a, &named, args)?);
            }
        }
    }
    match parts.as_slice() {
        ["state"] if args.is_empty() => Ok(Request::State),
        ["track", name, action]
            if spec(action)
                .is_some_and(|s| s.args.first().is_some_and(|a| a.ty == ArgType::TrackName)) =>
        {
            let mut a = args;
            a.insert(0, ArgValue::Text(name.to_string()));
            build(action, a)
        }
        [action] if spec(action).is_some() => build(action, args),
        _ => Err(AddressError::Unknown(msg.addr.clone())),
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

/// `f `db``, `s `pattern``: the OSC types and names of the arguments a
/// message carries.
fn carried(args: impl Iterator<Item = (&'static str, &'static ArgType)>) -> String {
    let args: Vec<String> = args
        .map(|(name, ty)| format!("{} `{name}`", osc_type(ty).replace('|', "\\|")))
        .collect();
    if args.is_empty() {
        "–".into()
    } else {
        args.join(", ")
    }
}

/// The address map as Markdown (for docs/osc.md).
pub fn markdown() -> String {
    let mut s = String::from("| address | arguments | does |\n| --- | --- | --- |\n");
    s += "| `/termdaw/state` | – | query: the reply `/termdaw/state` goes back to the sender (see below) |\n";
    for a in ACTIONS {
        for form in a.osc {
            let open = a.args.iter().filter(|x| {
                !form.phrase.contains(&format!("<{}>", x.name))
                    && !form.fixed.iter().any(|(n, _)| *n == x.name)
            });
            let fixed: Vec<String> = form.fixed.iter().map(|(n, v)| format!("{n} {v}")).collect();
            let with = if fixed.is_empty() {
                String::new()
            } else {
                format!(" with {}", fixed.join(", "))
            };
            s += &format!(
                "| `{PREFIX}/{}` | {} | {} (`{}`{with}) |\n",
                form.phrase,
                carried(open.map(|x| (x.name, &x.ty))),
                a.doc.trim(),
                a.name
            );
        }
    }
    s += "| `/termdaw/track/<track>/<action>` | … | any track action, the track name taken from the address |\n";
    s += "\nEvery action of [actions.md](actions.md) by name:\n\n| address | arguments | does |\n| --- | --- | --- |\n";
    for a in ACTIONS {
        s += &format!(
            "| `/termdaw/{}` | {} | {} |\n",
            a.name,
            carried(a.args.iter().map(|x| (x.name, &x.ty))),
            a.doc.trim()
        );
    }
    s
}
