//! Controller mappings: a CC value (0–127) becomes the Action its mapping
//! names, the value scaled into the range of the action's open argument
//! along the mapping's curve.
//!
//! Pure, control thread. The ranges come from the action table's argument
//! specs, or, for an instrument or effect parameter, from that parameter's
//! table; nothing here names an action.

use crate::action::{self, Action, ArgType, ArgValue, Call};
use crate::kinds::param::index_of;
use crate::kinds::{ParamKind, ParamSpec};
use crate::patch::{CcMap, CcTarget, MidiSettings, SessionFile};

/// The range a mapping's open argument moves over when the mapping gives
/// no `min`/`max`, and how a value in it becomes the argument.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sweep {
    pub lo: f64,
    pub hi: f64,
    /// The value's unit ("Hz", "dB", ""...), for the curve a new mapping gets.
    pub unit: &'static str,
    fit: Fit,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Fit {
    /// Clamped into `[min, max]`.
    Number { min: f64, max: f64 },
    /// Rounded and clamped (a whole number, or a choice's index).
    Whole { min: f64, max: f64 },
    /// On from the middle of the knob up.
    OnOff,
}

fn text(v: Option<&ArgValue>) -> Option<String> {
    match v? {
        ArgValue::Text(t) => Some(t.clone()),
        other => Some(other.to_string()),
    }
}

/// The parameter a `set_param`-like call names: its `param` argument, in
/// the instrument of its `track`, or in effect `effect` of its `chain`.
pub fn param_of(call: &Call, file: &SessionFile) -> Option<&'static ParamSpec> {
    let param = text(call.get("param"))?;
    let table = if let Some(track) = text(call.get("track")) {
        file.track(&track)?.instrument.kind.params()
    } else {
        let chain = file.effect_chain(&text(call.get("chain"))?)?;
        let i: usize = text(call.get("effect"))?.trim().parse().ok()?;
        chain.get(i)?.kind.params()
    };
    table.get(index_of(table, &param)?)
}

/// What a mapping's open argument sweeps, if it names one that exists.
pub fn sweep(call: &Call, file: &SessionFile) -> Option<Sweep> {
    let open = call.open_arg()?;
    Some(match open.ty {
        ArgType::Any => {
            let p = param_of(call, file)?;
            let (min, max) = (p.min as f64, p.max as f64);
            let fit = match p.kind {
                ParamKind::Path => return None,
                ParamKind::Choice(c) => Fit::Whole {
                    min: 0.0,
                    max: (c.len() - 1) as f64,
                },
                ParamKind::Number => Fit::Number { min, max },
            };
            Sweep {
                lo: min,
                hi: max,
                unit: p.unit,
                fit,
            }
        }
        ty => {
            let (lo, hi) = action::sweep(&ty)?;
            let (fit, unit) = match ty {
                ArgType::Number { min, max, unit } => (Fit::Number { min, max }, unit),
                ArgType::Int { min, max } => (
                    Fit::Whole {
                        min: min as f64,
                        max: max as f64,
                    },
                    "",
                ),
                _ => (Fit::OnOff, ""),
            };
            Sweep { lo, hi, unit, fit }
        }
    })
}

/// The range a target moves over when the mapping gives none.
pub fn default_range(target: &CcTarget, file: &SessionFile) -> Option<(f64, f64)> {
    let s = sweep(&Call::for_controller(target).ok()?, file)?;
    Some((s.lo, s.hi))
}

/// The action for controller value `value` on mapping `m`, if its target exists.
pub fn action(m: &CcMap, value: u8, file: &SessionFile) -> Option<Action> {
    let call = Call::for_controller(&m.target).ok()?;
    if call.open_arg().is_none() {
        // A button: pressed (64 and up) fires the action; released, nothing.
        return (value >= 64).then(|| call.fill(None).ok()).flatten();
    }
    let s = sweep(&call, file)?;
    let (lo, hi) = (m.min.unwrap_or(s.lo), m.max.unwrap_or(s.hi));
    let v = m.curve.at(value.min(127) as f64 / 127.0, lo, hi);
    let arg = match s.fit {
        Fit::Number { min, max } => ArgValue::Number(v.clamp(min, max)),
        Fit::Whole { min, max } => ArgValue::Number(v.round().clamp(min, max)),
        Fit::OnOff => ArgValue::Bool(v >= 0.5),
    };
    call.fill(Some(arg)).ok()
}

/// The mappings that listen to `cc` on 1-based `channel`.
pub fn matching(midi: &MidiSettings, channel: u8, cc: u8) -> impl Iterator<Item = &CcMap> {
    midi.cc
        .iter()
        .filter(move |m| m.cc == cc && m.channel.is_none_or(|c| c == channel))
}
