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
use crate::patch::{Notation, SessionFile, Track};

pub fn diff(old: &SessionFile, new: &SessionFile) -> Vec<Action> {
    use Action::*;
    let mut out = Vec::new();
    if old.tempo != new.tempo {
        out.push(SetTempo { bpm: new.tempo });
    }
    if old.time_signature != new.time_signature {
        out.push(SetTimeSignature {
            beats: new.time_signature.beats as i64,
            unit: new.time_signature.unit as i64,
        });
    }
    if old.swing != new.swing {
        out.push(SetSwing { amount: new.swing });
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
    if old.master.volume != new.master.volume {
        out.push(SetMasterVolume {
            db: new.master.volume,
        });
    }
    if old.master.ceiling != new.master.ceiling {
        out.push(SetCeiling {
            db: new.master.ceiling,
        });
    }
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
                if o.volume != b.volume {
                    out.push(SetBusVolume {
                        bus: b.name.to_string(),
                        db: b.volume,
                    });
                }
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
    if o.bend_range != n.bend_range {
        out.push(SetBendRange {
            track: track.clone(),
            semitones: n.bend_range,
        });
    }
    if o.voices != n.voices {
        out.push(SetVoices {
            track: track.clone(),
            voices: n.voices as i64,
        });
    }
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
    if o.resolution != n.resolution {
        out.push(SetResolution {
            track: track.clone(),
            steps: n.resolution as i64,
        });
    }
    if o.gate != n.gate {
        out.push(SetGate {
            track: track.clone(),
            gate: n.gate,
        });
    }
    if o.volume != n.volume {
        out.push(SetVolume {
            track: track.clone(),
            db: n.volume,
        });
    }
    if o.pan != n.pan {
        out.push(SetPan {
            track: track.clone(),
            pan: n.pan,
        });
    }
    if o.mute != n.mute {
        out.push(SetMute {
            track: track.clone(),
            on: n.mute,
        });
    }
    if o.solo != n.solo {
        out.push(SetSolo {
            track: track.clone(),
            on: n.solo,
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
            let db = b.copied().unwrap_or(-120.0);
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
