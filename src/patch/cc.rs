//! Controller mappings in the session file: `Cc(cc: 21, action:
//! "set_effect_param", args: ["keys", 0, "mix"])`, and the older
//! `target: Volume("bass")` shorthands, read as the action they stand for.
//!
//! Control thread only; the shape in the file, read and written. Whether
//! the named action exists and takes those arguments is the action table's
//! check (`action::Call::for_controller`), so this module does not depend
//! on it.

use super::error::MidiError;
use serde::{Deserialize, Serialize};

/// One controller mapping: a CC number (on one channel or any) moves a target
/// between `min` and `max` (defaults: the target's whole range) along `curve`.
///
/// Written `Cc(cc: 21, action: "set_effect_param", args: ["keys", 0, "mix"])`;
/// the older `Cc(cc: 7, target: Volume("bass"))` forms still read (see
/// [`CcTarget`]) and are written back in the general form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "CcFields", into = "CcFields")]
pub struct CcMap {
    pub cc: u8,
    pub channel: Option<u8>,
    pub target: CcTarget,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub curve: Curve,
}

/// What a controller moves: an action of the action table by name, with
/// every argument given but the last, which the controller's value fills
/// in (so `set_volume` with `["bass"]` is the bass fader). Which actions
/// exist and what their arguments accept is the action table's business;
/// this is only the shape in the file.
#[derive(Debug, Clone, PartialEq)]
pub struct CcTarget {
    pub action: String,
    pub args: Vec<CcArg>,
}

impl CcTarget {
    pub fn new<A: Into<CcArg>>(action: &str, args: impl IntoIterator<Item = A>) -> CcTarget {
        CcTarget {
            action: action.to_string(),
            args: args.into_iter().map(Into::into).collect(),
        }
    }
}

/// A fixed argument of a mapped action: a number, a word or true/false.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum CcArg {
    Bool(bool),
    Number(f64),
    Text(String),
}

impl From<&str> for CcArg {
    fn from(s: &str) -> CcArg {
        CcArg::Text(s.to_string())
    }
}

impl From<String> for CcArg {
    fn from(s: String) -> CcArg {
        CcArg::Text(s)
    }
}

impl From<f64> for CcArg {
    fn from(n: f64) -> CcArg {
        CcArg::Number(n)
    }
}

/// The targets files written before mappings named actions; each reads as
/// one action (`Volume("bass")` is `set_volume` with `["bass"]`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
enum Shorthand {
    /// An instrument parameter: (track, parameter).
    Param(String, String),
    Volume(String),
    Pan(String),
    /// A send level: (track, bus).
    Send(String, String),
    Tempo,
    MasterVolume,
}

impl From<Shorthand> for CcTarget {
    fn from(s: Shorthand) -> CcTarget {
        let none: [&str; 0] = [];
        match s {
            Shorthand::Param(t, p) => CcTarget::new("set_param", [t, p]),
            Shorthand::Volume(t) => CcTarget::new("set_volume", [t]),
            Shorthand::Pan(t) => CcTarget::new("set_pan", [t]),
            Shorthand::Send(t, b) => CcTarget::new("set_send", [t, b]),
            Shorthand::Tempo => CcTarget::new("set_tempo", none),
            Shorthand::MasterVolume => CcTarget::new("set_master_volume", none),
        }
    }
}

/// `Cc(...)` as written: either `target:` (an older shorthand) or
/// `action:` with `args:`.
#[derive(Serialize, Deserialize)]
#[serde(rename = "Cc", deny_unknown_fields)]
struct CcFields {
    cc: u8,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    channel: Option<u8>,
    #[serde(default, skip_serializing)]
    target: Option<Shorthand>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    action: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    args: Vec<CcArg>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    min: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    max: Option<f64>,
    #[serde(default)]
    curve: Curve,
}

/// Most fixed arguments a mapping may give (no action takes more than four).
pub const MAX_ARGS: usize = 8;

impl TryFrom<CcFields> for CcMap {
    type Error = MidiError;
    fn try_from(f: CcFields) -> Result<CcMap, MidiError> {
        if f.args.len() > MAX_ARGS {
            return Err(MidiError::TooManyArgs {
                cc: f.cc,
                max: MAX_ARGS,
                found: f.args.len(),
            });
        }
        let target = match (f.target, f.action) {
            (Some(_), Some(_)) => return Err(MidiError::TargetAndAction(f.cc)),
            (Some(_), None) if !f.args.is_empty() => return Err(MidiError::ArgsWithTarget(f.cc)),
            (Some(t), None) => t.into(),
            (None, Some(action)) => CcTarget {
                action,
                args: f.args,
            },
            (None, None) => return Err(MidiError::NoAction(f.cc)),
        };
        Ok(CcMap {
            cc: f.cc,
            channel: f.channel,
            target,
            min: f.min,
            max: f.max,
            curve: f.curve,
        })
    }
}

impl From<CcMap> for CcFields {
    fn from(m: CcMap) -> CcFields {
        CcFields {
            cc: m.cc,
            channel: m.channel,
            target: None,
            action: Some(m.target.action),
            args: m.target.args,
            min: m.min,
            max: m.max,
            curve: m.curve,
        }
    }
}

/// How the controller's 0–127 maps onto the range.
pub use crate::kinds::curve::Curve;
