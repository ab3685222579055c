//! The difference between two versions of a session file, as Actions.
//!
//! Control thread only, pure. A reload applies `diff(previous version, new
//! version)` to the live session, so only what changed in the file changes
//! in the sound, and a live tweak to anything the file did not touch
//! survives. The actions come out in an order that always applies cleanly:
//! globals, new buses, bus changes, removed tracks, new tracks, track
//! changes, MIDI settings, sections and the song order, removed buses. Effect chains are compared effect
//! by effect and MIDI settings entry by entry, so a live tweak of one
//! effect or a learned mapping survives a reload that changed another.

use crate::action::{Action, ArgValue};
use crate::kinds::ParamKind;
use crate::patch::field::{self, Entry, Range};
use crate::patch::{CcArg, CcMap, EffectDef, MidiSettings, Notation, SessionFile, Track};

pub fn diff(old: &SessionFile, new: &SessionFile) -> Vec<Action> {
    use Action::*;
    let mut out = Vec::new();
    fields(field::SESSION, old, new, None, &mut out);
    if old.time_signature != new.time_signature {
        out.push(SetTimeSignature {
            beats: new.time_signature.beats as i64,
            unit: new.time_signature.unit as i64,
        });
    }
    if old.quantum != new.quantum {
        out.push(SetQuantum {
            quantum: format!("{:?}", new.quantum).to_lowercase(),
        });
    }
    if old.key != new.key {
        out.push(SetKey {
            key: new.key.name().to_string(),
        });
    }
    if old.scale != new.scale {
        out.push(SetScale {
            scale: new.scale.name(),
        });
    }
    fields(field::MASTER, &old.master, &new.master, None, &mut out);
    effects_diff("master", &old.master.effects, &new.master.effects, &mut out);
    for b in &new.buses {
        match old.buses.iter().find(|o| o.name == b.name) {
            None => out.push(AddBus { bus: b.clone() }),
            Some(o) => {
                fields(field::BUS, o, b, Some(b.name.as_str()), &mut out);
                effects_diff(&format!("bus:{}", b.name), &o.effects, &b.effects, &mut out);
            }
        }
    }
    for o in &old.tracks {
        if new.track(o.name.as_str()).is_none() {
            out.push(RemoveTrack {
                track: o.name.to_string(),
            });
        }
    }
    for n in &new.tracks {
        match old.track(n.name.as_str()) {
            None => out.push(AddTrack { track: n.clone() }),
            Some(o) => track_diff(o, n, &mut out),
        }
    }
    // After the tracks, so a channel can be routed to a track just added.
    midi_diff(&old.midi, &new.midi, &mut out);
    // After the tracks, which sections name; before the buses go.
    form_diff(old, new, &mut out);
    for o in &old.buses {
        if !new.buses.iter().any(|b| b.name == o.name) {
            out.push(RemoveBus {
                bus: o.name.to_string(),
            });
        }
    }
    out
}

/// Sections, the song order, markers and the loop range.
fn form_diff(old: &SessionFile, new: &SessionFile, out: &mut Vec<Action>) {
    use Action::*;
    // New sections arrive first without their follow action, which may
    // name a section that arrives after them.
    for n in &new.sections {
        if old.section(n.name.as_str()).is_none() && n.then.is_some() {
            let mut first = n.clone();
            first.then = None;
            out.push(SetSection { section: first });
        }
    }
    for n in &new.sections {
        if old.section(n.name.as_str()) != Some(n) {
            out.push(SetSection { section: n.clone() });
        }
    }
    if old.song != new.song {
        out.push(SetSong {
            song: new.song.clone(),
        });
    }
    for o in &old.sections {
        if new.section(o.name.as_str()).is_none() {
            out.push(RemoveSection {
                section: o.name.to_string(),
            });
        }
    }
    for (name, bar) in &new.markers {
        if old.markers.get(name) != Some(bar) {
            out.push(SetMarker {
                name: name.clone(),
                bar: *bar,
            });
        }
    }
    for name in old.markers.keys() {
        if !new.markers.contains_key(name) {
            out.push(RemoveMarker { name: name.clone() });
        }
    }
    for n in &new.automation {
        if !old.automation.contains(n) {
            out.push(SetLane { lane: n.clone() });
        }
    }
    for o in &old.automation {
        // A removed track takes its lanes with it (RemoveTrack came first).
        let gone = o.args.first().is_some_and(
            |a| matches!(a, CcArg::Text(t) if old.track(t).is_some() && new.track(t).is_none()),
        );
        if !gone && !new.automation.iter().any(|n| n.same_target(o)) {
            out.push(RemoveLane { lane: o.describe() });
        }
    }
    if old.macros != new.macros {
        out.push(SetMacros {
            macros: new.macros.clone(),
        });
    }
    if old.loop_bars != new.loop_bars {
        let (first, last) = new.loop_bars.unwrap_or((0, 0));
        out.push(SetLoopBars {
            first: first as i64,
            last: last as i64,
        });
    }
}

fn track_diff(o: &Track, n: &Track, out: &mut Vec<Action>) {
    use Action::*;
    let track = n.name.to_string();
    if o.clips != n.clips {
        out.push(SetClips {
            track: track.clone(),
            clips: n.clips.clone(),
        });
    }
    let (oi, ni) = (&o.instrument, &n.instrument);
    if oi.kind != ni.kind {
        out.push(SetInstrument {
            track: track.clone(),
            instrument: ni.clone(),
        });
    } else {
        for (i, p) in ni.kind.params().iter().enumerate() {
            let value = match p.kind {
                ParamKind::Number if oi.values[i] != ni.values[i] => {
                    ArgValue::Number(ni.values[i] as f64)
                }
                ParamKind::Choice(c) if oi.values[i] != ni.values[i] => ArgValue::Text(
                    c.get(ni.values[i] as usize)
                        .copied()
                        .unwrap_or(c[0])
                        .to_string(),
                ),
                ParamKind::Path if oi.path != ni.path => {
                    ArgValue::Text(ni.path.clone().unwrap_or_default())
                }
                _ => continue,
            };
            out.push(SetParam {
                track: track.clone(),
                param: p.name.to_string(),
                value,
            });
        }
    }
    fields(field::TRACK, o, n, Some(&track), out);
    if o.pattern != n.pattern {
        let (notation, pattern) = match &n.pattern {
            Some(p) => (p.notation, p.source.clone()),
            None => (Notation::Steps, String::new()),
        };
        out.push(SetPattern {
            track: track.clone(),
            notation: notation.name().to_lowercase(),
            pattern,
        });
    }
    effects_diff(&track, &o.effects, &n.effects, out);
    for bus in o.sends.keys().chain(n.sends.keys()) {
        let (a, b) = (o.sends.get(bus), n.sends.get(bus));
        if a != b {
            let db = b.copied().unwrap_or(field::TRACK_VOLUME.min());
            let act = SetSend {
                track: track.clone(),
                bus: bus.clone(),
                db,
            };
            if !out.contains(&act) {
                out.push(act);
            }
        }
    }
}

/// The set actions of every scalar field that differs between `o` and `n`;
/// `owner` is the track or bus the action names first.
fn fields<M>(
    entries: &'static [Entry<M>],
    o: &M,
    n: &M,
    owner: Option<&str>,
    out: &mut Vec<Action>,
) {
    for d in field::scalars(entries) {
        let v = (d.get)(n);
        if (d.get)(o) == v {
            continue;
        }
        let value = match d.range {
            Range::Bool => ArgValue::Bool(v != 0.0),
            _ => ArgValue::Number(v),
        };
        let args: Vec<ArgValue> = owner
            .map(|w| ArgValue::Text(w.to_string()))
            .into_iter()
            .chain(std::iter::once(value))
            .collect();
        // A valid file's values are in the action's range (they share the
        // descriptor), so this cannot fail for files that parsed.
        if let Ok(a) = Action::from_args(d.action, &args) {
            out.push(a);
        }
    }
}

/// Chains longer than this are sent whole rather than aligned (the
/// alignment is quadratic; files hold at most `MAX_EFFECTS` anyway).
const ALIGN_MAX: usize = 64;

/// The edits that take chain `old` to `new` one effect at a time: the
/// effects both keep (the longest common run of kinds, in order) get only
/// their changed parameters; the rest are removed and inserted.
fn effects_diff(chain: &str, old: &[EffectDef], new: &[EffectDef], out: &mut Vec<Action>) {
    if old == new {
        return;
    }
    let Some(pairs) = align(old, new) else {
        out.push(whole_chain(chain, new));
        return;
    };
    let kept_old: Vec<usize> = pairs.iter().map(|p| p.0).collect();
    let kept_new: Vec<usize> = pairs.iter().map(|p| p.1).collect();
    for i in (0..old.len()).rev().filter(|i| !kept_old.contains(i)) {
        out.push(Action::RemoveEffect {
            chain: chain.to_string(),
            position: i as i64,
        });
    }
    for (j, e) in new
        .iter()
        .enumerate()
        .filter(|(j, _)| !kept_new.contains(j))
    {
        out.push(Action::AddEffect {
            chain: chain.to_string(),
            position: j as i64,
            effect: e.clone(),
        });
    }
    for (i, j) in pairs {
        let (a, b) = (&old[i], &new[j]);
        for (k, p) in b.kind.params().iter().enumerate() {
            if a.values.get(k) == b.values.get(k) {
                continue;
            }
            let v = b.values.get(k).copied().unwrap_or(p.default);
            let value = match p.kind {
                ParamKind::Choice(c) => {
                    ArgValue::Text(c.get(v as usize).copied().unwrap_or(c[0]).to_string())
                }
                _ => ArgValue::Number(v as f64),
            };
            out.push(Action::SetEffectParam {
                chain: chain.to_string(),
                effect: j as i64,
                param: p.name.to_string(),
                value,
            });
        }
    }
}

fn whole_chain(chain: &str, new: &[EffectDef]) -> Action {
    let effects = new.to_vec();
    match chain {
        "master" => Action::SetMasterEffects { effects },
        _ => match chain.strip_prefix("bus:") {
            Some(bus) => Action::SetBusEffects {
                bus: bus.to_string(),
                effects,
            },
            None => Action::SetEffects {
                track: chain.to_string(),
                effects,
            },
        },
    }
}

/// The (old, new) positions of the effects a chain keeps: the longest
/// common subsequence of kinds. None when a chain is too long to align.
fn align(old: &[EffectDef], new: &[EffectDef]) -> Option<Vec<(usize, usize)>> {
    if old.len() > ALIGN_MAX || new.len() > ALIGN_MAX {
        return None;
    }
    let (n, m) = (old.len(), new.len());
    // len[i][j]: the longest common run of old[i..] and new[j..].
    let mut len = vec![vec![0usize; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            len[i][j] = if old[i].kind == new[j].kind {
                len[i + 1][j + 1] + 1
            } else {
                len[i + 1][j].max(len[i][j + 1])
            };
        }
    }
    let (mut i, mut j, mut pairs) = (0, 0, Vec::new());
    while i < n && j < m {
        if old[i].kind == new[j].kind {
            pairs.push((i, j));
            i += 1;
            j += 1;
        } else if len[i + 1][j] >= len[i][j + 1] {
            i += 1;
        } else {
            j += 1;
        }
    }
    Some(pairs)
}

/// The MIDI settings entry by entry: channel routes, controller mappings
/// (one per controller and channel), the clock.
fn midi_diff(old: &MidiSettings, new: &MidiSettings, out: &mut Vec<Action>) {
    if old == new {
        return;
    }
    let key = |m: &CcMap| (m.cc, m.channel);
    let unique = |l: &[CcMap]| {
        let mut keys: Vec<_> = l.iter().map(key).collect();
        keys.sort();
        keys.windows(2).all(|w| w[0] != w[1])
    };
    if !unique(&old.cc) || !unique(&new.cc) {
        // Two mappings of one controller: only the whole list says which.
        out.push(Action::SetMidi { midi: new.clone() });
        return;
    }
    for o in &old.cc {
        if !new.cc.iter().any(|n| key(n) == key(o)) {
            out.push(Action::UnmapController {
                cc: o.cc as i64,
                channel: o.channel.map_or(0, i64::from),
            });
        }
    }
    for n in &new.cc {
        if old.cc.iter().find(|o| key(o) == key(n)) != Some(n) {
            out.push(Action::MapController { mapping: n.clone() });
        }
    }
    for ch in old.channels.keys().chain(new.channels.keys()) {
        let (a, b) = (old.channels.get(ch), new.channels.get(ch));
        let act = Action::RouteChannel {
            channel: *ch as i64,
            track: b.cloned().unwrap_or_default(),
        };
        if a != b && !out.contains(&act) {
            out.push(act);
        }
    }
    if old.clock != new.clock {
        out.push(Action::SetMidiClock { on: new.clock });
    }
}
