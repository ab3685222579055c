//! Applying an edit action to the session model: validation and the change
//! itself, as a pure function of the model.
//!
//! Control thread only; no engine, no I/O. Returns a one-line description of
//! what changed (`bass.cutoff 800 Hz → 2000 Hz`) for the status line and chat.

use crate::action::{Action, ActionError, ArgValue};
use crate::kinds::param::{index_of, ParamKind};
use crate::patch::device::{check_choice, check_number, describe_value};
use crate::patch::field::{self, AnyField, Field};
use crate::patch::ValueError;
use crate::patch::{Key, Name, Notation, PatternDef, Quantum, Scale, SessionFile, TimeSignature};

fn track_mut<'a>(
    f: &'a mut SessionFile,
    name: &str,
) -> Result<&'a mut crate::patch::Track, ActionError> {
    f.track_mut(name)
        .ok_or_else(|| ActionError::NoTrack(name.to_string()))
}

fn db(v: f64) -> String {
    if v <= field::TRACK_VOLUME.min() {
        "-inf dB".into()
    } else {
        format!("{v:+.1} dB")
    }
}

fn onoff(b: bool) -> &'static str {
    if b {
        "on"
    } else {
        "off"
    }
}

/// Change `f` according to `action` (an edit action), or explain why not.
pub fn edit(f: &mut SessionFile, action: &Action) -> Result<String, ActionError> {
    use Action::*;
    let invalid = |m: String| ActionError::Invalid(m);
    if let Some(field) = field::by_action(action.name()) {
        return edit_field(f, field, action);
    }
    if let Some(r) = super::macros::edit(f, action, edit) {
        return r;
    }
    if let Some(r) = super::form::edit(f, action) {
        return r;
    }
    Ok(match action {
        NudgeTempo { delta } => {
            let old = f.tempo;
            f.tempo = field::TEMPO.clamp(old + delta);
            format!("tempo {old:.1} → {:.1} BPM", f.tempo)
        }
        SetTimeSignature { beats, unit } => {
            if ![1, 2, 4, 8, 16, 32].contains(unit) {
                return Err(invalid(format!(
                    "time signature unit must be 1, 2, 4, 8, 16 or 32, got {unit}"
                )));
            }
            f.time_signature = TimeSignature {
                beats: *beats as u8,
                unit: *unit as u8,
            };
            format!("time signature {beats}/{unit}")
        }
        SetQuantum { quantum } => {
            f.quantum = match quantum.as_str() {
                "immediate" => Quantum::Immediate,
                "beat" => Quantum::Beat,
                _ => Quantum::Bar,
            };
            format!("changes land: {quantum}")
        }
        SetKey { key } => {
            let old = f.key;
            f.key = Key::parse(key)?;
            format!("key {old} → {}", f.key)
        }
        SetScale { scale } => {
            let s = Scale::parse(scale).ok_or_else(|| {
                invalid(format!(
                    "unknown scale \"{scale}\"; one of {}",
                    Scale::ALL
                        .iter()
                        .map(|s| s.name())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            })?;
            let old = f.scale;
            f.scale = s;
            format!("scale {} → {}", old.name(), s.name())
        }
        SetMasterEffects { effects } => {
            f.master.effects = effects.clone();
            format!("master effects: {}", effect_names(effects))
        }
        NudgeVolume { track, delta } => {
            let t = track_mut(f, track)?;
            let old = t.volume;
            t.volume = field::TRACK_VOLUME.clamp(old + delta);
            format!("{track}.volume {} → {}", db(old), db(t.volume))
        }
        ToggleMute { track } => {
            let t = track_mut(f, track)?;
            t.mute = !t.mute;
            format!("{track} mute {}", onoff(t.mute))
        }
        ToggleSolo { track } => {
            let t = track_mut(f, track)?;
            t.solo = !t.solo;
            format!("{track} solo {}", onoff(t.solo))
        }
        SetParam {
            track,
            param,
            value,
        } => {
            let t = track_mut(f, track)?;
            let kind = t.instrument.kind;
            let table = kind.params();
            let i = index_of(table, param).ok_or_else(|| {
                invalid(format!(
                    "{} has no parameter `{param}`; it has: {}",
                    kind.name(),
                    table.iter().map(|p| p.name).collect::<Vec<_>>().join(", ")
                ))
            })?;
            let p = &table[i];
            let old = t.instrument.describe(i);
            match (p.kind, value) {
                (ParamKind::Number | ParamKind::Choice(_), v) => {
                    let v = param_value(kind.name(), p, v)?;
                    t.instrument.set_value(i, v);
                }
                (ParamKind::Path, v) => {
                    let s = v.to_string();
                    if s.trim().is_empty() {
                        return Err(invalid(format!("{param} needs a file path")));
                    }
                    t.instrument.path = Some(s);
                    t.instrument.set[i] = true;
                }
            }
            let new = describe_value(p, t.instrument.values[i], t.instrument.path.as_deref());
            format!("{track}.{param} {old} → {new}")
        }
        SetEffectParam {
            chain,
            effect,
            param,
            value,
        } => {
            let list = effect_chain_mut(f, chain)?;
            let count = list.len();
            let d = list.get_mut(*effect as usize).ok_or_else(|| {
                invalid(format!(
                    "{chain} has {count} effect(s); there is no effect {effect} (counting from 0)"
                ))
            })?;
            let kind = d.kind;
            let table = kind.params();
            let i = index_of(table, param).ok_or_else(|| {
                invalid(format!(
                    "{} has no parameter `{param}`; it has: {}",
                    kind.name(),
                    table.iter().map(|p| p.name).collect::<Vec<_>>().join(", ")
                ))
            })?;
            let old = d.describe(i);
            let v = param_value(kind.name(), &table[i], value)?;
            d.set_value(i, v);
            format!("{chain}.{}.{param} {old} → {}", kind.name(), d.describe(i))
        }
        SetPattern {
            track,
            notation,
            pattern,
        } => {
            let n = match notation.as_str() {
                "steps" => Notation::Steps,
                "degrees" => Notation::Degrees,
                _ => Notation::Notes,
            };
            let def = PatternDef::parse(n, pattern).map_err(|e| {
                invalid(format!("bad pattern at column {}: {}", e.column, e.message))
            })?;
            track_mut(f, track)?.pattern = Some(def);
            format!("{track}.pattern {}(\"{pattern}\")", n.name())
        }
        SetInstrument { track, instrument } => {
            track_mut(f, track)?.instrument = instrument.clone();
            format!("{track}.instrument {}", instrument.kind.name())
        }
        SetClips { track, clips } => {
            let t = track_mut(f, track)?;
            let before = std::mem::replace(&mut t.clips, clips.clone());
            if let Err(m) = crate::patch::clips::check_clips(t) {
                t.clips = before;
                return Err(invalid(m));
            }
            format!("{track}: {} clips", clips.len())
        }
        LoadPreset { track, preset } => {
            let p = crate::preset::find(preset).map_err(invalid)?;
            let t = track_mut(f, track)?;
            t.instrument = p.instrument.clone();
            t.effects = p.effects.clone();
            t.volume = p.volume;
            format!("{track}: preset {} ({})", p.name, p.role.name())
        }
        SetEffects { track, effects } => {
            track_mut(f, track)?.effects = effects.clone();
            format!("{track}.effects {}", effect_names(effects))
        }
        SetSend { track, bus, db: v } => {
            if !f.buses.iter().any(|b| b.name.as_str() == bus) {
                return Err(invalid(format!("there is no bus named \"{bus}\"")));
            }
            let t = track_mut(f, track)?;
            if *v <= field::TRACK_VOLUME.min() {
                t.sends.remove(bus);
            } else {
                t.sends.insert(bus.clone(), *v);
            }
            format!("{track} → {bus} {}", db(*v))
        }
        SetMidi { midi } => {
            midi.check().map_err(|e| invalid(e.to_string()))?;
            crate::action::Call::check_controllers(midi)?;
            f.midi = midi.clone();
            format!(
                "MIDI: {} channel route(s), {} controller mapping(s)",
                midi.channels.len(),
                midi.cc.len()
            )
        }
        AddEffect {
            chain,
            position,
            effect,
        } => {
            let list = effect_chain_mut(f, chain)?;
            let at = *position as usize;
            if at > list.len() {
                return Err(invalid(format!(
                    "{chain} has {} effect(s); an effect goes at 0 to {}",
                    list.len(),
                    list.len()
                )));
            }
            list.insert(at, effect.clone());
            format!("{chain} + {} at {at}", effect.kind.name())
        }
        RemoveEffect { chain, position } => {
            let list = effect_chain_mut(f, chain)?;
            let at = *position as usize;
            if at >= list.len() {
                return Err(invalid(format!(
                    "{chain} has {} effect(s); there is no effect {at} (counting from 0)",
                    list.len()
                )));
            }
            let gone = list.remove(at);
            format!("{chain} − {} at {at}", gone.kind.name())
        }
        MapController { mapping } => {
            let mut midi = f.midi.clone();
            let same = |m: &crate::patch::CcMap| m.cc == mapping.cc && m.channel == mapping.channel;
            match midi.cc.iter_mut().find(|m| same(m)) {
                Some(m) => *m = mapping.clone(),
                None => midi.cc.push(mapping.clone()),
            }
            midi.check().map_err(|e| invalid(e.to_string()))?;
            crate::action::Call::check_controllers(&midi)?;
            f.midi = midi;
            format!("MIDI: CC {} → {}", mapping.cc, mapping.target.action)
        }
        UnmapController { cc, channel } => {
            let channel = (*channel > 0).then_some(*channel as u8);
            let before = f.midi.cc.len();
            f.midi
                .cc
                .retain(|m| !(i64::from(m.cc) == *cc && m.channel == channel));
            if f.midi.cc.len() == before {
                return Err(invalid(format!("no mapping of CC {cc} to remove")));
            }
            format!("MIDI: CC {cc} unmapped")
        }
        RouteChannel { channel, track } => {
            let ch = *channel as u8;
            if track.is_empty() {
                f.midi.channels.remove(&ch);
                format!("MIDI channel {ch} plays the selected track")
            } else {
                if f.track(track).is_none() {
                    return Err(ActionError::NoTrack(track.clone()));
                }
                f.midi.channels.insert(ch, track.clone());
                format!("MIDI channel {ch} → {track}")
            }
        }
        SetMidiClock { on } => {
            f.midi.clock = *on;
            format!("MIDI clock {}", if *on { "followed" } else { "ignored" })
        }
        AddBus { bus } => {
            if f.buses.iter().any(|b| b.name == bus.name) {
                return Err(invalid(format!(
                    "there is already a bus named \"{}\"",
                    bus.name
                )));
            }
            if f.buses.len() >= crate::kinds::MAX_BUSES {
                return Err(invalid(format!(
                    "at most {} buses",
                    crate::kinds::MAX_BUSES
                )));
            }
            f.buses.push(bus.clone());
            format!("added bus {}", bus.name)
        }
        RemoveBus { bus } => {
            let i = f
                .buses
                .iter()
                .position(|b| b.name.as_str() == bus)
                .ok_or_else(|| invalid(format!("there is no bus named \"{bus}\"")))?;
            f.buses.remove(i);
            for t in &mut f.tracks {
                t.sends.remove(bus);
            }
            format!("removed bus {bus}")
        }
        SetBusEffects { bus, effects } => {
            let b = f
                .buses
                .iter_mut()
                .find(|b| b.name.as_str() == bus)
                .ok_or_else(|| invalid(format!("there is no bus named \"{bus}\"")))?;
            b.effects = effects.clone();
            format!("bus {bus} effects {}", effect_names(effects))
        }
        AddTrack { track } => {
            if f.track(track.name.as_str()).is_some() {
                return Err(invalid(format!(
                    "there is already a track named \"{}\"",
                    track.name
                )));
            }
            if f.tracks.len() >= crate::kinds::MAX_TRACKS {
                return Err(invalid(format!(
                    "at most {} tracks",
                    crate::kinds::MAX_TRACKS
                )));
            }
            for bus in track.sends.keys() {
                if !f.buses.iter().any(|b| b.name.as_str() == bus) {
                    return Err(invalid(format!("there is no bus named \"{bus}\"")));
                }
            }
            f.tracks.push(track.clone());
            format!(
                "added track {} ({})",
                track.name,
                track.instrument.kind.name()
            )
        }
        RemoveTrack { track } => {
            let i = f
                .tracks
                .iter()
                .position(|t| t.name.as_str() == track)
                .ok_or_else(|| ActionError::NoTrack(track.clone()))?;
            f.tracks.remove(i);
            f.remove_from_sections(track);
            format!("removed track {track}")
        }
        RenameTrack { track, name } => {
            Name::check(name)?;
            if f.track(name).is_some() {
                return Err(invalid(format!(
                    "there is already a track named \"{name}\""
                )));
            }
            track_mut(f, track)?.name = Name(name.clone());
            f.rename_in_sections(track, name);
            format!("renamed {track} → {name}")
        }
        SetTempo { .. }
        | SetSwing { .. }
        | SetSwingGrid { .. }
        | SetMasterVolume { .. }
        | SetCeiling { .. }
        | SetBusVolume { .. }
        | SetBusPan { .. }
        | SetBusMute { .. }
        | SetResolution { .. }
        | SetGate { .. }
        | SetDensity { .. }
        | SetVolume { .. }
        | SetPan { .. }
        | SetMute { .. }
        | SetSolo { .. }
        | SetVoices { .. }
        | SetBendRange { .. } => {
            return Err(invalid(format!(
                "{} sets a field its descriptor does not name",
                action.name()
            )))
        }
        SetSection { .. }
        | CaptureSection { .. }
        | RemoveSection { .. }
        | SetSong { .. }
        | SetMarker { .. }
        | RemoveMarker { .. }
        | SetLane { .. }
        | RemoveLane { .. }
        | SetMacro { .. }
        | SetIntensity { .. }
        | SetMacros { .. }
        | SetLoopBars { .. } => {
            return Err(invalid(format!("{} is a song form edit", action.name())))
        }
        Play {}
        | LaunchSection { .. }
        | ArmAutomation { .. }
        | PlaySong {}
        | JumpTo { .. }
        | NextMarker {}
        | PrevMarker {}
        | LoopSection {}
        | Stop {}
        | TogglePlay {}
        | Record { .. }
        | ToggleRecord {}
        | Looper { .. }
        | Locate { .. }
        | SetLoop { .. }
        | NoteOn { .. }
        | PlayNote { .. }
        | NoteOff { .. }
        | AllNotesOff {}
        | Undo {}
        | UndoChange {}
        | Redo {} => return Err(invalid(format!("{} is not an edit", action.name()))),
        ProcessSample { .. } => {
            return Err(invalid(
                "process_sample reads and writes files, so only the session applies it".into(),
            ))
        }
    })
}

/// The effect list `chain` names: a track, `bus:NAME` or `master`.
fn effect_chain_mut<'a>(
    f: &'a mut SessionFile,
    chain: &str,
) -> Result<&'a mut Vec<crate::patch::EffectDef>, ActionError> {
    if chain == "master" {
        return Ok(&mut f.master.effects);
    }
    if let Some(bus) = chain.strip_prefix("bus:") {
        return f
            .buses
            .iter_mut()
            .find(|b| b.name.as_str() == bus)
            .map(|b| &mut b.effects)
            .ok_or_else(|| ActionError::Invalid(format!("there is no bus named \"{bus}\"")));
    }
    Ok(&mut track_mut(f, chain)?.effects)
}

/// A number or choice parameter's new value from an action argument.
fn param_value(
    kind: &str,
    p: &crate::kinds::ParamSpec,
    value: &ArgValue,
) -> Result<f32, ValueError> {
    let what = || format!("{kind}.{}", p.name);
    match (p.kind, value) {
        (ParamKind::Number, ArgValue::Number(n)) => check_number(kind, p, *n),
        (ParamKind::Number, ArgValue::Text(s)) => {
            let n = s
                .trim()
                .parse::<f64>()
                .map_err(|_| ValueError::NotANumber {
                    what: what(),
                    found: s.clone(),
                })?;
            check_number(kind, p, n)
        }
        (ParamKind::Choice(c), ArgValue::Number(n))
            if n.fract() == 0.0 && *n >= 0.0 && (*n as usize) < c.len() =>
        {
            Ok(*n as f32)
        }
        (ParamKind::Choice(_), ArgValue::Text(s)) => check_choice(kind, p, s),
        (ParamKind::Choice(c), ArgValue::Bool(b)) if c.len() == 2 => Ok(if *b { 1.0 } else { 0.0 }),
        (ParamKind::Choice(c), other) => Err(ValueError::OneOf {
            what: what(),
            choices: c.join(", "),
            found: other.to_string(),
        }),
        (_, other) => Err(ValueError::CannotSet {
            what: what(),
            found: other.to_string(),
        }),
    }
}

fn effect_names(e: &[crate::patch::EffectDef]) -> String {
    if e.is_empty() {
        "none".into()
    } else {
        e.iter()
            .map(|d| d.kind.name())
            .collect::<Vec<_>>()
            .join(" → ")
    }
}

/// Set the scalar field an action names: its first argument names the owner
/// (a track or a bus) where there is one, its last is the value.
fn edit_field(
    f: &mut SessionFile,
    field: AnyField,
    action: &Action,
) -> Result<String, ActionError> {
    let args = action.args();
    let value = match args.last() {
        Some(ArgValue::Number(n)) => *n,
        Some(ArgValue::Bool(b)) => f64::from(*b),
        other => {
            return Err(ActionError::Invalid(format!(
                "{} needs a value, got {other:?}",
                action.name()
            )))
        }
    };
    let owner = match args.first() {
        Some(ArgValue::Text(s)) => s.as_str(),
        _ => "",
    };
    match field {
        AnyField::Session(d) => set(d, f, owner, value),
        AnyField::Master(d) => set(d, &mut f.master, "master", value),
        AnyField::Bus(d) => {
            let b = f
                .buses
                .iter_mut()
                .find(|b| b.name.as_str() == owner)
                .ok_or_else(|| {
                    ActionError::Invalid(format!("there is no bus named \"{owner}\""))
                })?;
            set(d, b, owner, value)
        }
        AnyField::Track(d) => set(d, track_mut(f, owner)?, owner, value),
    }
}

fn set<M>(d: &Field<M>, m: &mut M, owner: &str, value: f64) -> Result<String, ActionError> {
    let value = d.check(value)?;
    let old = (d.get)(m);
    (d.set)(m, value);
    Ok((d.describe)(owner, old, value))
}
