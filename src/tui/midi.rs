//! MIDI learn and the controller mapping list, on screen.
//!
//! Control thread (UI): state and keys (`view/` draws it). Learning takes
//! three steps: `L` arms it (the UI loop tells the MIDI input), the next
//! controller moved comes back through `App::midi_learned`, and the
//! musician picks what it should move from a list built from the action
//! table's `knob` actions, the selected track's first. The pick becomes one `set_midi` Action, so a mapping undoes, saves
//! and reloads like any other edit. `M` lists every mapping; `d` deletes one.
//! The App's side (overlays, status, keys) is in `tui/app/learn.rs`; this
//! module knows nothing of the App, and may not talk to MIDI devices itself.

use crate::action::{ActionSpec, ArgSpec, ArgType, ArgValue, Call, ACTIONS};
use crate::kinds::ParamKind;
use crate::midi::map;
use crate::patch::{CcArg, CcMap, CcTarget, Curve, MidiSettings, SessionFile, Track};

/// Where MIDI learn is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Learn {
    #[default]
    Off,
    /// Armed: waiting for a controller to move.
    Waiting,
    /// Controller `cc` on `channel` moved; choosing its target.
    Picking { channel: u8, cc: u8, cursor: usize },
}

#[derive(Debug, Clone, Default)]
pub struct MidiUi {
    pub learn: Learn,
    /// The highlighted row of the mapping list.
    pub map_cursor: usize,
    /// Open MIDI devices, for the list's title.
    pub devices: Vec<String>,
    request: bool,
}

impl MidiUi {
    /// Whether the loop should arm the MIDI input's learn now (once per `L`).
    pub fn take_request(&mut self) -> bool {
        std::mem::take(&mut self.request)
    }

    /// Arm learn: wait for a controller, and ask the loop to tell the input.
    pub fn arm(&mut self) {
        self.learn = Learn::Waiting;
        self.request = true;
    }
}

/// The fixed arguments MIDI learn can offer for argument `a` of `spec`,
/// given those chosen before it (`prefix`).
fn choices(
    spec: &ActionSpec,
    a: &ArgSpec,
    prefix: &[CcArg],
    file: &SessionFile,
    track: Option<&Track>,
) -> Vec<CcArg> {
    let earlier = |name: &str| -> Option<String> {
        let i = spec.args.iter().position(|x| x.name == name)?;
        match prefix.get(i)? {
            CcArg::Text(t) => Some(t.clone()),
            CcArg::Number(n) => Some(n.to_string()),
            CcArg::Bool(b) => Some(b.to_string()),
        }
    };
    let names = |v: Vec<String>| v.into_iter().map(CcArg::Text).collect();
    match (a.ty, a.name) {
        (ArgType::TrackName, _) => names(
            track
                .map(|t| t.name.as_str().to_string())
                .into_iter()
                .collect(),
        ),
        (_, "chain") => {
            let mut v: Vec<String> = track
                .map(|t| t.name.as_str().to_string())
                .into_iter()
                .collect();
            v.extend(
                file.buses
                    .iter()
                    .map(|b| format!("bus:{}", b.name.as_str())),
            );
            v.push("master".into());
            names(v)
        }
        (_, "effect") => {
            let n = earlier("chain")
                .and_then(|c| file.effect_chain(&c))
                .map_or(0, |c| c.len());
            (0..n).map(|i| CcArg::Number(i as f64)).collect()
        }
        (_, "param") => {
            let table = match earlier("track") {
                Some(t) => file.track(&t).map(|t| t.instrument.kind.params()),
                None => earlier("chain")
                    .and_then(|c| file.effect_chain(&c))
                    .zip(earlier("effect").and_then(|i| i.parse::<usize>().ok()))
                    .and_then(|(c, i)| c.get(i))
                    .map(|d| d.kind.params()),
            };
            table
                .unwrap_or(&[])
                .iter()
                .filter(|p| p.kind != ParamKind::Path)
                .map(|p| CcArg::Text(p.name.to_string()))
                .collect()
        }
        // A track's sends are the buses it already sends to.
        (_, "bus") => match earlier("track").and_then(|t| file.track(&t)) {
            Some(t) => names(t.sends.keys().cloned().collect()),
            None => names(
                file.buses
                    .iter()
                    .map(|b| b.name.as_str().to_string())
                    .collect(),
            ),
        },
        _ => Vec::new(),
    }
}

/// What a controller can move: every action the table marks `knob`, with
/// each way its other arguments can be filled here, the selected track's
/// first (fader, pan, instrument and effect parameters, sends), then the
/// rest (tempo, swing, master, buses).
pub fn targets(file: &SessionFile, track: Option<&Track>) -> Vec<(String, CcTarget)> {
    let mut all: Vec<CcTarget> = Vec::new();
    for spec in ACTIONS.iter().filter(|a| a.knob) {
        let fixed = &spec.args[..spec.args.len().saturating_sub(1)];
        let mut lists: Vec<Vec<CcArg>> = vec![Vec::new()];
        for a in fixed {
            lists = lists
                .iter()
                .flat_map(|p| {
                    choices(spec, a, p, file, track).into_iter().map(move |v| {
                        let mut p = p.clone();
                        p.push(v);
                        p
                    })
                })
                .collect();
        }
        all.extend(lists.into_iter().map(|args| CcTarget {
            action: spec.name.to_string(),
            args,
        }));
    }
    let own = |t: &CcTarget| {
        track.is_some_and(|tr| t.args.first() == Some(&CcArg::Text(tr.name.as_str().to_string())))
    };
    let (mut out, rest): (Vec<_>, Vec<_>) = all.into_iter().partition(own);
    out.extend(rest);
    out.into_iter()
        .map(|t| {
            let unit = Call::for_controller(&t)
                .ok()
                .and_then(|c| map::param_of(&c, file))
                .map(|p| p.unit)
                .filter(|u| !u.is_empty())
                .map(|u| format!(" ({u})"))
                .unwrap_or_default();
            (format!("{}{unit}", label(&t, file)), t)
        })
        .collect()
}

/// How a target reads: `bass.cutoff`, `keys fx 0 delay.mix`, `bass
/// volume`, `lead send → verb`, `tempo`.
pub fn label(t: &CcTarget, file: &SessionFile) -> String {
    let call = match Call::for_controller(t) {
        Ok(c) => c,
        Err(e) => return format!("{} ({e})", t.action),
    };
    let word = |v: &ArgValue| v.to_string();
    if let Some(param) = call.get("param") {
        let owner = match (call.get("track"), call.get("chain"), call.get("effect")) {
            (Some(t), _, _) => word(t),
            (None, Some(c), Some(i)) => {
                let kind = file
                    .effect_chain(&word(c))
                    .zip(word(i).parse::<usize>().ok())
                    .and_then(|(chain, i)| chain.get(i))
                    .map(|d| format!(" {}", d.kind.name()))
                    .unwrap_or_default();
                format!("{} fx {}{kind}", word(c), word(i))
            }
            _ => String::new(),
        };
        return format!("{owner}.{}", word(param));
    }
    let name = call.spec.name;
    let leaf = name.strip_prefix("set_").unwrap_or(name).replace('_', " ");
    let fixed: Vec<String> = call.fixed().map(|(_, v)| word(v)).collect();
    match fixed.split_first() {
        None => leaf,
        Some((first, [])) => format!("{first} {leaf}"),
        Some((first, rest)) => format!("{first} {leaf} → {}", rest.join(" ")),
    }
}

/// The curve a new mapping gets: equal ratios for frequencies and times.
fn curve_for(target: &CcTarget, file: &SessionFile) -> Curve {
    let unit = Call::for_controller(target)
        .ok()
        .and_then(|c| map::sweep(&c, file))
        .map_or("", |s| s.unit);
    if matches!(unit, "Hz" | "s" | "ms") {
        Curve::Exp
    } else {
        Curve::Linear
    }
}

/// `midi` with controller `cc` on `channel` moving `target` instead of
/// whatever it moved before.
pub fn with_mapping(
    midi: &MidiSettings,
    file: &SessionFile,
    channel: u8,
    cc: u8,
    target: CcTarget,
) -> MidiSettings {
    let mut out = midi.clone();
    out.cc
        .retain(|m| !(m.cc == cc && m.channel.is_none_or(|c| c == channel)));
    let curve = curve_for(&target, file);
    out.cc.push(CcMap {
        cc,
        channel: Some(channel),
        target,
        min: None,
        max: None,
        curve,
    });
    out
}

/// One line for a mapping: `CC 74 ch 1 → bass.cutoff 200–8000 exp`.
pub fn describe(m: &CcMap, file: &SessionFile) -> String {
    let ch = m
        .channel
        .map(|c| format!("ch {c}"))
        .unwrap_or("any ch".into());
    let target = label(&m.target, file);
    let range = match (m.min, m.max) {
        (None, None) => String::new(),
        (a, b) => format!(
            " {}–{}",
            a.map(|x| format!("{x}")).unwrap_or("min".into()),
            b.map(|x| format!("{x}")).unwrap_or("max".into())
        ),
    };
    let curve = match m.curve {
        Curve::Linear => "",
        Curve::Exp => " exp",
        Curve::Log => " log",
    };
    format!("CC {:>3} {ch:<6} → {target}{range}{curve}", m.cc)
}
