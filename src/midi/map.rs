//! Controller mappings: a CC value (0–127) becomes the Action its mapping
//! names, scaled into the target's range along the mapping's curve.
//!
//! Pure, control thread.

use crate::action::{Action, ArgValue};
use crate::kinds::param::index_of;
use crate::kinds::ParamKind;
use crate::patch::{CcMap, CcTarget, Curve, MidiSettings, SessionFile};

/// The range a target moves over when the mapping gives none.
pub fn default_range(target: &CcTarget, file: &SessionFile) -> Option<(f64, f64)> {
    Some(match target {
        CcTarget::Param(track, param) => {
            let t = file.track(track)?;
            let table = t.instrument.kind.params();
            let p = &table[index_of(table, param)?];
            if p.kind == ParamKind::Path {
                return None;
            }
            (p.min as f64, p.max as f64)
        }
        CcTarget::Volume(_) | CcTarget::Send(..) => (-60.0, 6.0),
        CcTarget::Pan(_) => (-1.0, 1.0),
        CcTarget::Tempo => (60.0, 180.0),
        CcTarget::MasterVolume => (-60.0, 6.0),
    })
}

/// Position 0..1 along the curve between `lo` and `hi`.
pub fn scale(x: f64, lo: f64, hi: f64, curve: Curve) -> f64 {
    let x = x.clamp(0.0, 1.0);
    match curve {
        Curve::Linear => lo + (hi - lo) * x,
        Curve::Exp if lo > 0.0 && hi > 0.0 => lo * (hi / lo).powf(x),
        Curve::Exp => lo + (hi - lo) * x * x,
        Curve::Log => lo + (hi - lo) * x.sqrt(),
    }
}

/// The action for controller value `value` on mapping `m`, if its target exists.
pub fn action(m: &CcMap, value: u8, file: &SessionFile) -> Option<Action> {
    let (dlo, dhi) = default_range(&m.target, file)?;
    let (lo, hi) = (m.min.unwrap_or(dlo), m.max.unwrap_or(dhi));
    let v = scale(value.min(127) as f64 / 127.0, lo, hi, m.curve);
    Some(match &m.target {
        CcTarget::Param(track, param) => {
            let t = file.track(track)?;
            let table = t.instrument.kind.params();
            let p = &table[index_of(table, param)?];
            let value = match p.kind {
                ParamKind::Choice(c) => {
                    ArgValue::Number(v.round().clamp(0.0, (c.len() - 1) as f64))
                }
                _ => ArgValue::Number(v.clamp(p.min as f64, p.max as f64)),
            };
            Action::SetParam {
                track: track.clone(),
                param: param.clone(),
                value,
            }
        }
        CcTarget::Volume(track) => Action::SetVolume {
            track: track.clone(),
            db: v.clamp(-120.0, 12.0),
        },
        CcTarget::Pan(track) => Action::SetPan {
            track: track.clone(),
            pan: v.clamp(-1.0, 1.0),
        },
        CcTarget::Send(track, bus) => Action::SetSend {
            track: track.clone(),
            bus: bus.clone(),
            db: v.clamp(-120.0, 12.0),
        },
        CcTarget::Tempo => Action::SetTempo {
            bpm: v.clamp(20.0, 999.0),
        },
        CcTarget::MasterVolume => Action::SetMasterVolume {
            db: v.clamp(-120.0, 12.0),
        },
    })
}

/// The mappings that listen to `cc` on 1-based `channel`.
pub fn matching(midi: &MidiSettings, channel: u8, cc: u8) -> impl Iterator<Item = &CcMap> {
    midi.cc
        .iter()
        .filter(move |m| m.cc == cc && m.channel.is_none_or(|c| c == channel))
}
