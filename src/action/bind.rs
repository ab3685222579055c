//! Actions with some arguments fixed ahead of time: the table's aliases
//! (a slash command, an OSC short form) and [`Call`]s (a key binding, a MIDI
//! controller mapping), whose one open argument is filled in when they run.
//!
//! Control side, pure data and conversions; no I/O.

use super::{spec, Action, ActionError, ActionSpec, ArgSpec, ArgType, ArgValue};
use crate::patch::{CcTarget, MidiSettings};

/// Another name for an action, with some of its arguments fixed: the
/// `unmute` slash command is `set_mute` with `on` fixed to false; the OSC
/// form `track/<track>/steps` is `set_pattern` with `notation` fixed to
/// steps and the track taken from the address.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Alias {
    /// The words (slash) or address (OSC, `/`-separated, `<arg>` segments
    /// taken from the address) that name the action.
    pub phrase: &'static str,
    /// Arguments fixed by name, as text (parsed by the argument's type).
    pub fixed: &'static [(&'static str, &'static str)],
    /// What follows the phrase in help text (an example, or a note).
    pub example: &'static str,
}

/// The action's arguments in table order: `named` ones placed by name, the
/// rest taken in order from `given`.
pub fn bind_named(
    spec: &'static ActionSpec,
    named: &[(&str, ArgValue)],
    given: Vec<ArgValue>,
) -> Result<Vec<ArgValue>, ActionError> {
    for (n, _) in named {
        if !spec.args.iter().any(|a| a.name == *n) {
            return Err(ActionError::Invalid(format!(
                "{} has no argument `{n}`",
                spec.name
            )));
        }
    }
    let mut given = given.into_iter();
    let mut out = Vec::with_capacity(spec.args.len());
    for a in spec.args {
        match named.iter().find(|(n, _)| *n == a.name) {
            Some((_, v)) => out.push(v.clone()),
            None => out.extend(given.next()),
        }
    }
    // Too many: report the count the musician gave, as from_args would.
    out.extend(given);
    Ok(out)
}

/// Split `rest` into at most `n` words; the last one takes the rest of the
/// line (a pattern, RON text). Numbers become numbers.
pub fn words(rest: &str, n: usize) -> Vec<ArgValue> {
    let rest = rest.trim();
    if rest.is_empty() || n == 0 {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut s = rest;
    while out.len() + 1 < n {
        match s.split_once(char::is_whitespace) {
            Some((w, r)) => {
                out.push(word(w));
                s = r.trim_start();
            }
            None => break,
        }
    }
    if !s.is_empty() {
        out.push(word(s));
    }
    out
}

fn word(w: &str) -> ArgValue {
    match w.parse::<f64>() {
        Ok(n) => ArgValue::Number(n),
        Err(_) => ArgValue::Text(w.to_string()),
    }
}

/// An action with every argument fixed but at most one, the `open` one,
/// filled in when it runs: the selected track for a key binding, the
/// controller's value for a MIDI mapping. Checked against the table when
/// it is made, so a bad binding is reported when the file loads.
#[derive(Debug, Clone)]
pub struct Call {
    pub spec: &'static ActionSpec,
    /// The arguments in table order; the open one holds a placeholder.
    args: Vec<ArgValue>,
    pub open: Option<usize>,
}

impl PartialEq for Call {
    fn eq(&self, o: &Call) -> bool {
        self.spec.name == o.spec.name && self.args == o.args && self.open == o.open
    }
}

/// A value every argument of type `ty` accepts, to check the others.
fn placeholder(ty: &ArgType) -> Option<ArgValue> {
    Some(match ty {
        ArgType::Number { min, .. } => ArgValue::Number(*min),
        ArgType::Int { min, .. } => ArgValue::Number(*min as f64),
        ArgType::Bool => ArgValue::Bool(false),
        ArgType::Text | ArgType::TrackName => ArgValue::Text("x".into()),
        ArgType::Choice(w) => ArgValue::Text(w.first()?.to_string()),
        ArgType::Any => ArgValue::Number(0.0),
        ArgType::Ron => return None,
    })
}

impl Call {
    /// `name` with `given` in table order, leaving argument `open` (if any)
    /// to fill in later.
    pub fn new(name: &str, given: Vec<ArgValue>, open: Option<usize>) -> Result<Call, ActionError> {
        let spec = spec(name).ok_or_else(|| ActionError::Unknown(name.to_string()))?;
        let wanted: Vec<&ArgSpec> = spec
            .args
            .iter()
            .enumerate()
            .filter(|(i, _)| Some(*i) != open)
            .map(|(_, a)| a)
            .collect();
        if given.len() != wanted.len() || open.is_some_and(|i| i >= spec.args.len()) {
            return Err(ActionError::ArgCount {
                action: spec.name,
                expected: wanted.len(),
                names: wanted.iter().map(|a| a.name).collect::<Vec<_>>().join(", "),
                got: given.len(),
            });
        }
        let mut args = given;
        if let Some(i) = open {
            let a = &spec.args[i];
            let p = placeholder(&a.ty).ok_or_else(|| {
                ActionError::Invalid(format!("{name}: `{}` cannot be left open", a.name))
            })?;
            args.insert(i, p);
        }
        Action::from_args(name, &args)?;
        Ok(Call { spec, args, open })
    }

    /// A controller mapping's action: its fixed arguments first, the last
    /// one open for the controller's value (a number, or on/off). A
    /// mapping that gives every argument is a button: the whole action,
    /// each time the controller is pressed.
    pub fn for_controller(target: &CcTarget) -> Result<Call, ActionError> {
        let spec =
            spec(&target.action).ok_or_else(|| ActionError::Unknown(target.action.clone()))?;
        if target.args.len() == spec.args.len() {
            let given = target.args.iter().map(ArgValue::from).collect();
            return Call::new(spec.name, given, None);
        }
        let open = spec.args.len().checked_sub(1).ok_or_else(|| {
            ActionError::Invalid(format!(
                "{} takes no value for a controller to set",
                spec.name
            ))
        })?;
        let a = &spec.args[open];
        if !matches!(
            a.ty,
            ArgType::Number { .. } | ArgType::Int { .. } | ArgType::Bool | ArgType::Any
        ) {
            return Err(ActionError::Invalid(format!(
                "{}: its last argument `{}` is not a number a controller can set",
                spec.name, a.name
            )));
        }
        let given = target.args.iter().map(ArgValue::from).collect();
        Call::new(spec.name, given, Some(open))
    }

    /// Check every controller mapping of `midi` names an action it can set.
    pub fn check_controllers(midi: &MidiSettings) -> Result<(), ActionError> {
        for c in &midi.cc {
            Call::for_controller(&c.target)
                .map_err(|e| ActionError::Invalid(format!("CC {}: {e}", c.cc)))?;
        }
        Ok(())
    }

    /// The argument left open.
    pub fn open_arg(&self) -> Option<&'static ArgSpec> {
        self.open.and_then(|i| self.spec.args.get(i))
    }

    /// The fixed arguments (the open one left out), in table order.
    pub fn fixed(&self) -> impl Iterator<Item = (&'static ArgSpec, &ArgValue)> {
        self.spec
            .args
            .iter()
            .zip(&self.args)
            .enumerate()
            .filter(move |(i, _)| Some(*i) != self.open)
            .map(|(_, a)| a)
    }

    /// The fixed argument named `name`.
    pub fn get(&self, name: &str) -> Option<&ArgValue> {
        self.fixed().find(|(a, _)| a.name == name).map(|(_, v)| v)
    }

    /// The action with the open argument set to `value`.
    pub fn fill(&self, value: Option<ArgValue>) -> Result<Action, ActionError> {
        let mut args = self.args.clone();
        if let (Some(i), Some(v)) = (self.open, value) {
            args[i] = v;
        }
        Action::from_args(self.spec.name, &args)
    }
}

impl std::fmt::Display for Call {
    /// `set_effect_param master 0 mix 0.5`, the open argument left out.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.spec.name)?;
        for (_, v) in self.fixed() {
            write!(f, " {v}")?;
        }
        Ok(())
    }
}
