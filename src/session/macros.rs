//! Macros as edits of the model: `set_macro intensity 7` moves each of the
//! macro's targets to its point between its two ends, as the actions those
//! targets name, in one edit (so one undo step, and one sync that sends
//! only what changed). The built-in `intensity` opens the filters of every
//! track that has one, unless the session declares its own targets.
//!
//! Control thread only, pure (like [`super::edit`], which hands these
//! actions here).

use crate::action::{Action, ActionError, ArgType, ArgValue, Call};
use crate::kinds::param::index_of;
use crate::kinds::ParamKind;
use crate::patch::macros::{Macro, MacroTarget, INTENSITY, MACRO_MAX};
use crate::patch::{CcArg, Curve, Name, SessionFile};

/// The built-in intensity's cutoff at 0 and at 10 (Hz), where the
/// instrument's range allows.
const DARK: f64 = 300.0;
const OPEN: f64 = 8000.0;

/// What macro `name` moves in `f`.
pub fn targets(f: &SessionFile, name: &str) -> Result<Vec<MacroTarget>, ActionError> {
    match f.macros.iter().find(|m| m.name.as_str() == name) {
        Some(m) if !m.targets.is_empty() => Ok(m.targets.clone()),
        _ if name == INTENSITY => Ok(intensity(f)),
        _ => {
            let mut names: Vec<&str> = f.macros.iter().map(|m| m.name.as_str()).collect();
            names.push(INTENSITY);
            let hint = crate::suggest::closest(name, &names)
                .map(|(_, s)| format!("did you mean \"{s}\"?"))
                .unwrap_or_else(|| format!("macros: {}", names.join(", ")));
            Err(ActionError::Invalid(format!(
                "there is no macro named \"{name}\" ({hint})"
            )))
        }
    }
}

/// The built-in intensity's drum density at 0 (all notes at 10).
const SPARSE: f64 = 0.4;

/// The built-in intensity: every instrument `cutoff` from dark to open,
/// and drum tracks from sparse to every hit.
fn intensity(f: &SessionFile) -> Vec<MacroTarget> {
    let drums = f
        .tracks
        .iter()
        .filter(|t| t.instrument.kind.is_percussive())
        .map(|t| MacroTarget {
            action: "set_density".into(),
            args: vec![CcArg::Text(t.name.as_str().to_string())],
            from: SPARSE,
            to: 1.0,
            curve: Curve::Linear,
        });
    f.tracks
        .iter()
        .filter_map(|t| {
            let table = t.instrument.kind.params();
            let p = &table[index_of(table, "cutoff")?];
            (p.kind == ParamKind::Number).then(|| MacroTarget {
                action: "set_param".into(),
                args: vec![
                    CcArg::Text(t.name.as_str().to_string()),
                    CcArg::Text("cutoff".into()),
                ],
                from: DARK.clamp(p.min as f64, p.max as f64),
                to: OPEN.clamp(p.min as f64, p.max as f64),
                curve: Curve::Exp,
            })
        })
        .chain(drums)
        .collect()
}

/// The action that puts `t` where the macro at `value` (0 – 10) wants it.
fn action_of(t: &MacroTarget, value: f64) -> Result<Action, ActionError> {
    let call = Call::for_controller(&t.target())?;
    let v = t.curve.at(value / MACRO_MAX, t.from, t.to);
    let arg = match call.open_arg().map(|a| a.ty) {
        Some(ArgType::Bool) => ArgValue::Bool(v >= 0.5),
        Some(ArgType::Int { .. }) => ArgValue::Number(v.round()),
        _ => ArgValue::Number(v),
    };
    call.fill(Some(arg))
}

/// How a target's action edits the model ([`super::edit::edit`], passed
/// in so that this module, which it calls, does not call back into it).
pub type Edit = fn(&mut SessionFile, &Action) -> Result<String, ActionError>;

/// Change `f` by a macro action, or explain why not; `None` when the
/// action is not one of them.
pub fn edit(
    f: &mut SessionFile,
    action: &Action,
    apply: Edit,
) -> Option<Result<String, ActionError>> {
    Some(match action {
        Action::SetMacro { name, value } => set(f, name, *value, apply),
        Action::SetIntensity { level } => set(f, INTENSITY, *level, apply),
        Action::SetMacros { macros } => {
            f.macros = macros.clone();
            Ok(format!("{} macros", macros.len()))
        }
        _ => return None,
    })
}

fn set(f: &mut SessionFile, name: &str, value: f64, apply: Edit) -> Result<String, ActionError> {
    let targets = targets(f, name)?;
    let mut next = f.clone();
    for t in &targets {
        let a = action_of(t, value)?;
        apply(&mut next, &a)
            .map_err(|e| ActionError::Invalid(format!("macro {name}: {}: {e}", a.name())))?;
    }
    match next.macros.iter_mut().find(|m| m.name.as_str() == name) {
        Some(m) => m.value = value,
        None => next.macros.push(Macro {
            name: Name(name.to_string()),
            value,
            targets: Vec::new(),
        }),
    }
    *f = next;
    Ok(format!("{name} {value} ({} values)", targets.len()))
}

/// Every declared target is an action its macro can set at both ends.
/// On failure: (text to point at, which occurrence, message).
pub fn check(f: &SessionFile, apply: Edit) -> Result<(), (String, usize, String)> {
    for m in &f.macros {
        for t in &m.targets {
            for end in [0.0, MACRO_MAX] {
                let r = action_of(t, end).and_then(|a| apply(&mut f.clone(), &a).map(|_| ()));
                if let Err(e) = r {
                    return Err((
                        format!("\"{}\"", m.name),
                        0,
                        format!("macro \"{}\": {}: {e}", m.name, t.action),
                    ));
                }
            }
        }
    }
    Ok(())
}
