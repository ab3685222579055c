//! The difference between two versions of a session file, as Actions.
//!
//! Control thread only, pure. A reload applies `diff(previous version, new
//! version)` to the live session, so only what changed in the file changes
//! in the sound, and a live tweak to anything the file did not touch
//! survives. The actions come out in an order that always applies cleanly:
//! globals, new buses, bus changes, removed tracks, new tracks, track
//! changes, removed buses.

use crate::action::{Action, ArgValue};
use crate::kinds::ParamKind;
use crate::patch::field::{self, Entry, Range};
use crate::patch::{Notation, SessionFile, Track};

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
    if old.midi != new.midi {
        out.push(SetMidi {
            midi: new.midi.clone(),
        });
    }
    if old.master.effects != new.master.effects {
        out.push(SetMasterEffects {
            effects: new.master.effects.clone(),
        });
    }
    for b in &new.buses {
        match old.buses.iter().find(|o| o.name == b.name) {
            None => out.push(AddBus { bus: b.clone() }),
            Some(o) => {
                fields(field::BUS, o, b, Some(b.name.as_str()), &mut out);
                if o.effects != b.effects {
                    out.push(SetBusEffects {
                        bus: b.name.to_string(),
                        effects: b.effects.clone(),
                    });
                }
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
    for o in &old.buses {
        if !new.buses.iter().any(|b| b.name == o.name) {
            out.push(RemoveBus {
                bus: o.name.to_string(),
            });
        }
    }
    out
}

fn track_diff(o: &Track, n: &Track, out: &mut Vec<Action>) {
    use Action::*;
    let track = n.name.to_string();
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
    if o.effects != n.effects {
        out.push(SetEffects {
            track: track.clone(),
            effects: n.effects.clone(),
        });
    }
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
