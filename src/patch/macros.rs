//! Macros in the session file: one knob from 0 to 10 that moves several
//! values at once, each between its own two ends along its own curve.
//! `intensity` is the built-in one: a session may declare its targets,
//! and without them it opens the filters of the tracks that have one.
//!
//! Control thread only; the shape in the file and its structural checks.
//! Whether a target's action exists and takes those arguments is the
//! action table's check (`session::macros`), so this module does not
//! depend on it.

use serde::{Deserialize, Serialize};

use super::cc::{CcArg, CcTarget, Curve};
use super::format::Name;

/// Macros one session may hold.
pub const MAX_MACROS: usize = 32;
/// Targets one macro may move.
pub const MAX_TARGETS: usize = 64;
/// Every macro goes from 0 to this.
pub const MACRO_MAX: f64 = 10.0;
/// The built-in macro.
pub const INTENSITY: &str = "intensity";

/// One macro.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename = "Macro", deny_unknown_fields)]
pub struct Macro {
    pub name: Name,
    /// Where the knob stands, 0 – 10 (the values it moved are in the file).
    #[serde(default)]
    pub value: f64,
    /// What it moves. `intensity` with none moves the built-in targets.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub targets: Vec<MacroTarget>,
}

/// One value a macro moves: the last argument of `action` (the others in
/// `args`), from `from` at 0 to `to` at 10.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename = "Target", deny_unknown_fields)]
pub struct MacroTarget {
    pub action: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub args: Vec<CcArg>,
    pub from: f64,
    pub to: f64,
    #[serde(default, skip_serializing_if = "is_linear")]
    pub curve: Curve,
}

fn is_linear(c: &Curve) -> bool {
    *c == Curve::Linear
}

impl MacroTarget {
    pub fn target(&self) -> CcTarget {
        CcTarget {
            action: self.action.clone(),
            args: self.args.clone(),
        }
    }
}

/// Structural checks of the session's macros.
pub fn check_macros(macros: &[Macro]) -> Result<(), String> {
    if macros.len() > MAX_MACROS {
        return Err(format!(
            "at most {MAX_MACROS} macros, found {}",
            macros.len()
        ));
    }
    for (i, m) in macros.iter().enumerate() {
        let n = m.name.as_str();
        if macros[..i].iter().any(|o| o.name == m.name) {
            return Err(format!("two macros are named \"{n}\""));
        }
        if !(0.0..=MACRO_MAX).contains(&m.value) {
            return Err(format!(
                "macro \"{n}\": value must be between 0 and {MACRO_MAX}, found {}",
                m.value
            ));
        }
        if m.targets.len() > MAX_TARGETS {
            return Err(format!(
                "macro \"{n}\": at most {MAX_TARGETS} targets, found {}",
                m.targets.len()
            ));
        }
        if m.targets.is_empty() && n != INTENSITY {
            return Err(format!(
                "macro \"{n}\" moves nothing: give it targets, e.g. targets: [Target(action: \"set_volume\", args: [\"pad\"], from: -30, to: 0)]"
            ));
        }
        if let Some(t) = m
            .targets
            .iter()
            .find(|t| t.action.contains("macro") || t.action == "set_intensity")
        {
            return Err(format!(
                "macro \"{n}\": a macro moves values, not another macro ({})",
                t.action
            ));
        }
        if let Some(t) = m
            .targets
            .iter()
            .find(|t| !t.from.is_finite() || !t.to.is_finite())
        {
            return Err(format!(
                "macro \"{n}\": the ends of {} must be numbers",
                t.action
            ));
        }
    }
    Ok(())
}
