//! Automation lanes from the file to the engine: what each lane moves
//! (through the action table and the field and parameter descriptors, so a
//! lane names what a MIDI mapping names), its values checked against that
//! target's range, and the lanes laid on the song as it plays (song-wide
//! lanes from bar 1, a section's lanes on each of its passes).
//!
//! Control thread only. The engine gets the whole set as one
//! [`Automation`] whenever it changes (an edit, a section change) and reads
//! it at the playhead; nothing here runs per block.

use crate::action::{ArgType, ArgValue, Call};
use crate::engine::automation::{Automation, Curve, Lane as EngineLane, Map, Point, Target};
use crate::engine::command::Handoff;
use crate::engine::{FxTarget, Op, Slot, When};
use crate::kinds::param::index_of;
use crate::kinds::ParamKind;
use crate::patch::field::{self, AnyField, Sound};
use crate::patch::macros::{INTENSITY, MACRO_MAX};
use crate::patch::song::MAX_LAID_LANES;
use crate::patch::{CcTarget, Lane, SessionFile, Shape};

use super::arrange::Mode;
use super::Session;

/// Finds the engine's track slot and bus of a name.
type Find<'a, T> = &'a dyn Fn(&str) -> Option<T>;

/// One engine target of a lane, and how the lane's value maps onto it.
pub type Reached = (Target, Option<Map>);

/// What a lane moves in engine terms, with how its value reaches each
/// target (a macro's lane moves every target of the macro), and the range
/// of the lane's values.
pub fn reach(
    file: &SessionFile,
    lane: &Lane,
    slot: Find<Slot>,
    bus: Find<u8>,
) -> Result<(Vec<Reached>, (f64, f64)), String> {
    let name = lane.describe();
    let call = Call::for_controller(&lane.target()).map_err(|e| format!("{name}: {e}"))?;
    let macro_name = match call.spec.name {
        "set_intensity" => INTENSITY.to_string(),
        "set_macro" => match call.get("name") {
            Some(ArgValue::Text(t)) => t.clone(),
            _ => return Err(format!("{name}: name the macro")),
        },
        _ => {
            let (t, range) = target(file, lane, slot, bus)?;
            return Ok((vec![(t, None)], range));
        }
    };
    let targets = super::macros::targets(file, &macro_name).map_err(|e| format!("{name}: {e}"))?;
    let mut out = Vec::with_capacity(targets.len());
    for t in &targets {
        let (target, _) = one(file, &t.action, &t.target(), slot, bus)
            .map_err(|e| format!("{name}: macro \"{macro_name}\" moves {e}"))?;
        let map = Map {
            span: MACRO_MAX,
            from: t.from,
            to: t.to,
            curve: t.curve,
        };
        out.push((target, Some(map)));
    }
    Ok((out, (0.0, MACRO_MAX)))
}

/// What a lane on one value moves, if the session has it, in engine terms.
pub fn target(
    file: &SessionFile,
    lane: &Lane,
    slot: Find<Slot>,
    bus: Find<u8>,
) -> Result<(Target, (f64, f64)), String> {
    one(file, &lane.describe(), &lane.target(), slot, bus)
}

fn one(
    file: &SessionFile,
    name: &str,
    cc: &CcTarget,
    slot: Find<Slot>,
    bus: Find<u8>,
) -> Result<(Target, (f64, f64)), String> {
    let call = Call::for_controller(cc).map_err(|e| format!("{name}: {e}"))?;
    if call.open_arg().is_none() {
        return Err(format!(
            "{name}: {} is given every argument: a lane needs one left for its value",
            call.spec.name
        ));
    }
    let text = |arg: &str| match call.get(arg) {
        Some(ArgValue::Text(t)) => Some(t.clone()),
        Some(v) => Some(v.to_string()),
        None => None,
    };
    let no_track = |t: &str| format!("{name}: there is no track named \"{t}\"");
    let no_bus = |b: &str| format!("{name}: there is no bus named \"{b}\"");
    let track_slot = |t: &str| slot(t).ok_or_else(|| no_track(t));
    let open = call.open_arg().map(|a| a.ty);
    let range = match open {
        Some(ArgType::Number { min, max, .. }) => (min, max),
        _ => (f64::NEG_INFINITY, f64::INFINITY),
    };
    if let Some(f) = field::by_action(call.spec.name) {
        let sound = match f {
            AnyField::Session(d) => (d.sound, d.range),
            AnyField::Master(d) => (d.sound, d.range),
            AnyField::Bus(d) => (d.sound, d.range),
            AnyField::Track(d) => (d.sound, d.range),
        };
        let (lo, hi) = match sound.1 {
            field::Range::Number { min, max } => (min, max),
            _ => range,
        };
        let t = match sound.0 {
            Sound::Tempo => Target::Tempo,
            Sound::MasterGain => Target::MasterDb,
            Sound::TrackGain => Target::TrackDb(track_slot(&text("track").unwrap_or_default())?),
            Sound::TrackPan => Target::TrackPan(track_slot(&text("track").unwrap_or_default())?),
            Sound::TrackDensity => {
                Target::TrackDensity(track_slot(&text("track").unwrap_or_default())?)
            }
            Sound::BusGain | Sound::BusPan => {
                let b = text("bus").unwrap_or_default();
                let i = bus(&b).ok_or_else(|| no_bus(&b))?;
                if sound.0 == Sound::BusGain {
                    Target::BusDb(i)
                } else {
                    Target::BusPan(i)
                }
            }
            Sound::Swing => Target::Swing,
            _ => {
                return Err(format!(
                "{name}: {} switches or rebuilds rather than glides; set it per section instead",
                f_name(f)
            ))
            }
        };
        return Ok((t, (lo, hi)));
    }
    if matches!(open, Some(ArgType::Any)) {
        let param = text("param").unwrap_or_default();
        if let Some(t) = text("track") {
            let track = file.track(&t).ok_or_else(|| no_track(&t))?;
            let table = track.instrument.kind.params();
            let i = index_of(table, &param).ok_or_else(|| {
                format!(
                    "{name}: {} has no parameter \"{param}\"",
                    track.instrument.kind.name()
                )
            })?;
            let p = &table[i];
            if p.kind != ParamKind::Number {
                return Err(format!(
                    "{name}: \"{param}\" is a choice, not a number to glide"
                ));
            }
            let t = Target::Param {
                slot: track_slot(&t)?,
                index: i as u16,
            };
            return Ok((t, (p.min as f64, p.max as f64)));
        }
        let chain = text("chain").unwrap_or_default();
        let effects = file.effect_chain(&chain).ok_or_else(|| {
            format!("{name}: there is no chain \"{chain}\" (a track, bus:NAME or master)")
        })?;
        let k: usize = text("effect").and_then(|e| e.parse().ok()).unwrap_or(0);
        let fx = effects
            .get(k)
            .ok_or_else(|| format!("{name}: chain \"{chain}\" has {} effects", effects.len()))?;
        let table = fx.kind.params();
        let i = index_of(table, &param)
            .ok_or_else(|| format!("{name}: {} has no parameter \"{param}\"", fx.kind.name()))?;
        let p = &table[i];
        if p.kind != ParamKind::Number || !fx.kind.is_live(i) {
            return Err(format!(
                "{name}: {}.{param} rebuilds the effect rather than gliding; set it per section instead",
                fx.kind.name()
            ));
        }
        let target = if chain == "master" {
            FxTarget::Master
        } else if let Some(b) = chain.strip_prefix("bus:") {
            FxTarget::Bus(bus(b).ok_or_else(|| no_bus(b))?)
        } else {
            FxTarget::Track(track_slot(&chain)?)
        };
        let t = Target::Effect {
            chain: target,
            index: k as u8,
            param: i as u8,
        };
        return Ok((t, (p.min as f64, p.max as f64)));
    }
    if let (Some(t), Some(b)) = (text("track"), text("bus")) {
        let s = track_slot(&t)?;
        let i = bus(&b).ok_or_else(|| no_bus(&b))?;
        return Ok((Target::SendDb { slot: s, bus: i }, range));
    }
    Err(format!(
        "{name}: a lane moves a level, pan, send, parameter, the master level or the tempo"
    ))
}

fn f_name(f: AnyField) -> &'static str {
    match f {
        AnyField::Session(d) => d.name,
        AnyField::Master(d) => d.name,
        AnyField::Bus(d) => d.name,
        AnyField::Track(d) => d.name,
    }
}

/// Every lane of `file` moves something it has, within that thing's range.
/// On failure: (text to point at, which occurrence, message), as
/// [`SessionFile::validate`] says it.
pub fn check(file: &SessionFile) -> Result<(), (String, usize, String)> {
    let slot = |t: &str| file.track(t).map(|_| 0);
    let bus = |b: &str| {
        file.buses
            .iter()
            .position(|x| x.name.as_str() == b)
            .map(|_| 0)
    };
    let lanes = file.automation.iter().map(|l| (None, l));
    let in_sections = file
        .sections
        .iter()
        .flat_map(|s| s.automation.iter().map(move |l| (Some(s.name.as_str()), l)));
    // A lane on a macro is one engine lane per target: bound what the
    // engine reads as the file's own check bounds the lanes it lists.
    let width = |l: &Lane| reach(file, l, &slot, &bus).map_or(1, |(t, _)| t.len());
    let laid: usize = file.automation.iter().map(width).sum::<usize>()
        + file
            .timeline()
            .iter()
            .filter_map(|&(i, _, _)| file.sections.get(i))
            .map(|s| s.automation.iter().map(width).sum::<usize>())
            .sum::<usize>();
    if laid > MAX_LAID_LANES {
        return Err((
            "automation".into(),
            0,
            format!("the song plays {laid} automation lanes, a lane on a macro once per target; at most {MAX_LAID_LANES}"),
        ));
    }
    for (section, lane) in lanes.chain(in_sections) {
        // The lane's own mention of its action: count the lanes before it
        // that name the same one (song-wide lanes come first in the file
        // as the format lists them).
        let nth = file
            .automation
            .iter()
            .chain(file.sections.iter().flat_map(|s| &s.automation))
            .take_while(|l| !std::ptr::eq(*l, lane))
            .filter(|l| l.action == lane.action)
            .count();
        let place = || (format!("\"{}\"", lane.action), nth);
        let where_ = section
            .map(|s| format!("section \"{s}\": "))
            .unwrap_or_default();
        let fail = |m: String| {
            let (needle, nth) = place();
            Err((needle, nth, format!("{where_}automation of {m}")))
        };
        let (_, (lo, hi)) = match reach(file, lane, &slot, &bus) {
            Ok(t) => t,
            Err(m) => return fail(m),
        };
        if let Some(p) = lane.points.iter().find(|p| p.value < lo || p.value > hi) {
            return fail(format!(
                "{}: {} at bar {} is outside {lo} – {hi}",
                lane.describe(),
                p.value,
                p.bar
            ));
        }
    }
    Ok(())
}

fn curve(s: Shape) -> Curve {
    match s {
        Shape::Step => Curve::Step,
        Shape::Linear => Curve::Linear,
        Shape::Exp => Curve::Exp,
        Shape::Smooth => Curve::Smooth,
    }
}

/// A lane's points in beats from its origin.
fn points(lane: &Lane, bpb: f64) -> Box<[Point]> {
    lane.points
        .iter()
        .map(|p| Point {
            beat: (p.bar - 1.0) * bpb,
            value: p.value,
            curve: curve(p.shape.unwrap_or(lane.shape)),
        })
        .collect()
}

impl Session {
    /// The lanes as they lie on the song now: song-wide ones everywhere,
    /// a section's on each of its passes (song mode: where the song order
    /// puts it; live mode: from its launch on).
    fn laid_lanes(&self) -> Vec<EngineLane> {
        let f = &self.file;
        let bpb = f.beats_per_bar();
        let slot = |t: &str| self.slots.get(t).copied();
        let bus = |b: &str| self.bus_slots.get(b).copied();
        let mut out = Vec::new();
        let mut lay = |lanes: &[Lane], from: f64, until: f64, period: f64| {
            for l in lanes.iter().filter(|l| !self.recording(l)) {
                let Ok((targets, _)) = reach(f, l, &slot, &bus) else {
                    continue;
                };
                for (target, map) in targets {
                    out.push(EngineLane {
                        target,
                        from,
                        until,
                        origin: from.max(0.0),
                        period,
                        points: points(l, bpb),
                        map,
                    });
                }
            }
        };
        lay(&f.automation, f64::NEG_INFINITY, f64::INFINITY, 0.0);
        let length = |name: &str| f.section(name).map(|s| s.bars as f64 * bpb);
        match self.arr.mode {
            Mode::Song => {
                for (i, bar, bars) in f.timeline() {
                    let s = &f.sections[i];
                    let from = bar as f64 * bpb;
                    let len = bars as f64 * bpb;
                    lay(&s.automation, from, from + len, len);
                }
            }
            Mode::Live => {
                let form = self.form();
                let next = form.queued.as_ref().map(|q| q.1);
                if let Some((name, since)) = &form.playing {
                    if let (Some(s), Some(len)) = (f.section(name), length(name)) {
                        lay(&s.automation, *since, next.unwrap_or(f64::INFINITY), len);
                    }
                }
                if let Some((name, since)) = &form.queued {
                    if let (Some(s), Some(len)) = (f.section(name), length(name)) {
                        lay(&s.automation, *since, f64::INFINITY, len);
                    }
                }
            }
        }
        out
    }

    /// The lanes the engine has now, as laid on the song (a lane on a
    /// macro once per target).
    pub fn laid_automation(&self) -> &[EngineLane] {
        &self.lanes_sent
    }

    /// Send the engine the lanes if they differ from what it has. At once:
    /// a lane says itself when its values move.
    pub(super) fn sync_automation(&mut self) {
        let lanes = self.laid_lanes();
        if lanes == self.lanes_sent {
            return;
        }
        self.lanes_sent = lanes.clone();
        let recipe = super::log::Recipe::Automation {
            lanes: lanes.clone(),
        };
        let set = Handoff::new(Box::new(Automation::new(lanes)));
        self.send_logged(Op::Automation { lanes: set }, When::Now, Some(recipe));
    }
}

/// A lane as the arrangement pane draws it: its values along the song
/// order (a section's lane on each of the section's passes).
#[derive(Debug, Clone)]
pub struct LaneView {
    /// `set_param bass cutoff`; a section's lane is prefixed `drop: `.
    pub label: String,
    /// The range it is drawn in: from its lowest point to its highest (the
    /// target's whole range when all its points are equal).
    pub range: (f64, f64),
    /// Its passes; only their curves are read, never their targets.
    parts: Vec<EngineLane>,
}

impl LaneView {
    /// The lane's value at song beat `beat`, where it plays.
    pub fn value_at(&self, beat: f64) -> Option<f64> {
        self.parts.iter().find_map(|l| l.value_at(beat))
    }

    /// Whether it moves the value `describe` names (`set_volume bass`).
    pub fn moves(&self, describe: &str) -> bool {
        self.label.rsplit(": ").next() == Some(describe)
    }
}

impl Session {
    /// Every lane of the file laid on the song order, song-wide lanes
    /// first, for drawing.
    pub fn lane_views(&self) -> Vec<LaneView> {
        let f = &self.file;
        let bpb = f.beats_per_bar();
        let (slot, bus) = (|_: &str| Some(0), |_: &str| Some(0));
        let range = |l: &Lane| {
            let lo = l
                .points
                .iter()
                .map(|p| p.value)
                .fold(f64::INFINITY, f64::min);
            let hi = l
                .points
                .iter()
                .map(|p| p.value)
                .fold(f64::NEG_INFINITY, f64::max);
            if hi > lo {
                (lo, hi)
            } else {
                reach(f, l, &slot, &bus).map_or((0.0, 1.0), |r| r.1)
            }
        };
        let part = |l: &Lane, from: f64, until: f64, period: f64| EngineLane {
            target: Target::Tempo,
            from,
            until,
            origin: from.max(0.0),
            period,
            points: points(l, bpb),
            map: None,
        };
        let mut out: Vec<LaneView> = f
            .automation
            .iter()
            .map(|l| LaneView {
                label: l.describe(),
                range: range(l),
                parts: vec![part(l, f64::NEG_INFINITY, f64::INFINITY, 0.0)],
            })
            .collect();
        let timeline = f.timeline();
        for (i, s) in f.sections.iter().enumerate() {
            for l in &s.automation {
                let len = s.bars as f64 * bpb;
                let parts = timeline
                    .iter()
                    .filter(|e| e.0 == i)
                    .map(|&(_, bar, _)| part(l, bar as f64 * bpb, bar as f64 * bpb + len, len))
                    .collect();
                out.push(LaneView {
                    label: format!("{}: {}", s.name.as_str(), l.describe()),
                    range: range(l),
                    parts,
                });
            }
        }
        out
    }
}
