//! `Session::sync`: the engine commands that take the sound from playing
//! one version of the model to playing another.
//!
//! Control thread only. Loading, every edit, undo and redo end here, so a
//! load and an edit take one path. Everything the engine will own is built
//! here (through [`super::build`]) and handed over; nothing is sent that
//! the difference does not need, so live tweaks elsewhere keep playing.

use crate::engine::command::Handoff;
use crate::engine::dsp::db_to_gain;
use crate::engine::sequencer::Clip;
use crate::engine::{FxTarget, Op, Slot};
use crate::kinds::MAX_BUSES;
use crate::patch::field::{self, Entry, Field, Sound};
use crate::patch::SessionFile;

use super::log::Recipe;
use super::{build, Session};

impl Session {
    /// Send the engine what it takes to go from playing `old` to playing
    /// `new`, both as they sound (see [`Session::sync`]).
    pub(super) fn sync_views(&mut self, old: &SessionFile, new: &SessionFile, force: bool) {
        let rate = self.rate;
        let base = self.base_dir();
        // Degree patterns sound in the key and scale: a change moves them.
        let mut all_clips = old.time_signature != new.time_signature
            || old.key != new.key
            || old.scale != new.scale;
        for d in changed(field::SESSION, old, new, force) {
            match d.sound {
                Sound::AllClips => all_clips = true,
                sound => self.send_field(sound, (d.get)(new)),
            }
        }
        // In a Link session the transport follows Link whatever the file says.
        let clock_changed = old.midi.clock != new.midi.clock || (force && new.midi.clock);
        if clock_changed && self.link.is_none() {
            self.send(Op::FollowClock { on: new.midi.clock });
            if !new.midi.clock {
                // The clock's tempo goes with it: the session's comes back.
                self.send(Op::Tempo { bpm: new.tempo });
            }
        }
        if force || old.time_signature != new.time_signature {
            self.send(Op::Meter {
                beats_per_bar: new.time_signature.beats,
            });
        }
        if force || old.loop_bars != new.loop_bars || old.time_signature != new.time_signature {
            let bpb = new.beats_per_bar();
            let (start, end) = new
                .loop_bars
                .map(|(a, b)| ((a - 1) as f64 * bpb, b as f64 * bpb))
                .unwrap_or((0.0, 0.0));
            if force && new.loop_bars.is_none() {
                // Nothing to say: a new engine does not loop.
            } else {
                self.send(Op::Loop { start, end });
            }
        }
        for d in changed(field::MASTER, &old.master, &new.master, force) {
            self.send_field(d.sound, (d.get)(&new.master));
        }
        if (force || old.master.effects != new.master.effects)
            && !self.live_effects(
                FxTarget::Master,
                &old.master.effects,
                &new.master.effects,
                force,
            )
        {
            let chain = build::effects(&new.master.effects, rate, new.tempo);
            let op = Op::MasterEffects {
                chain: Handoff::new(Box::new(chain)),
            };
            self.send_built(op, new, |state| Recipe::Effects {
                state,
                chain: FxTarget::Master,
                name: String::new(),
            });
        }

        for o in &old.buses {
            if !new.buses.iter().any(|b| b.name == o.name) {
                if let Some(bus) = self.bus_slots.remove(o.name.as_str()) {
                    self.send(Op::RemoveBus { bus });
                    self.free_buses.push_back(bus);
                }
            }
        }
        for b in &new.buses {
            let name = b.name.as_str();
            match (
                old.buses.iter().find(|o| o.name == b.name),
                self.bus_slots.get(name).copied(),
            ) {
                (Some(o), Some(bus)) => {
                    for d in changed(field::BUS, o, b, false) {
                        let v = (d.get)(b);
                        let op = match d.sound {
                            Sound::BusGain => Op::BusGain {
                                bus,
                                gain: db_to_gain(v as f32),
                            },
                            Sound::BusPan => Op::BusPan { bus, pan: v as f32 },
                            Sound::BusMute => Op::BusMute { bus, on: v != 0.0 },
                            _ => continue,
                        };
                        self.send(op);
                    }
                    if o.effects != b.effects
                        && !self.live_effects(FxTarget::Bus(bus), &o.effects, &b.effects, false)
                    {
                        let chain = build::effects(&b.effects, rate, new.tempo);
                        let op = Op::BusEffects {
                            bus,
                            chain: Handoff::new(Box::new(chain)),
                        };
                        self.send_built(op, new, |state| Recipe::Effects {
                            state,
                            chain: FxTarget::Bus(bus),
                            name: name.to_string(),
                        });
                    }
                }
                _ => {
                    let Some(bus) = self.free_buses.pop_front() else {
                        self.notices
                            .push(format!("{name}: at most {MAX_BUSES} buses"));
                        continue;
                    };
                    self.bus_slots.insert(name.to_string(), bus);
                    let dsp = build::bus(b, rate, new.tempo);
                    let op = Op::InstallBus {
                        bus,
                        dsp: Handoff::new(Box::new(dsp)),
                    };
                    self.send_built(op, new, |state| Recipe::Bus {
                        state,
                        bus,
                        name: name.to_string(),
                    });
                }
            }
        }
        let no_sends = std::collections::BTreeMap::new();

        for o in &old.tracks {
            if new.track(o.name.as_str()).is_none() {
                if let Some(slot) = self.slots.remove(o.name.as_str()) {
                    self.send(Op::RemoveTrack { slot });
                    self.free_slots.push_back(slot);
                }
            }
        }
        for n in &new.tracks {
            let name = n.name.as_str();
            let existing = old.track(name).zip(self.slot(name));
            let Some((o, slot)) = existing else {
                let Some(slot) = self.free_slots.pop_front() else {
                    self.notices.push(format!("{name}: no free track slot"));
                    continue;
                };
                let (dsp, notice) = build::track(n, new, rate, base.as_deref(), &mut self.cache);
                self.notice(name, notice);
                self.slots.insert(name.to_string(), slot);
                let op = Op::InstallTrack {
                    slot,
                    track: Handoff::new(Box::new(dsp)),
                };
                self.send_built(op, new, |state| Recipe::Track {
                    state,
                    slot,
                    name: name.to_string(),
                });
                if n.bend_range != field::BEND_RANGE.default {
                    self.send(Op::BendRange {
                        slot,
                        semitones: n.bend_range as f32,
                    });
                }
                self.sync_sends(slot, &no_sends, &n.sends);
                continue;
            };
            let (oi, ni) = (&o.instrument, &n.instrument);
            let mut instrument = oi.kind != ni.kind || oi.path != ni.path;
            let mut clip = all_clips || o.pattern != n.pattern;
            for d in changed(field::TRACK, o, n, false) {
                let v = (d.get)(n);
                match d.sound {
                    Sound::Instrument => instrument = true,
                    Sound::Clip => clip = true,
                    Sound::TrackGain => self.send(Op::TrackGain {
                        slot,
                        gain: db_to_gain(v as f32),
                    }),
                    Sound::TrackPan => self.send(Op::TrackPan {
                        slot,
                        pan: v as f32,
                    }),
                    Sound::TrackDensity => self.send(Op::TrackDensity {
                        slot,
                        density: v as f32,
                    }),
                    Sound::TrackMute => self.send(Op::TrackMute { slot, on: v != 0.0 }),
                    Sound::TrackSolo => self.send(Op::TrackSolo { slot, on: v != 0.0 }),
                    Sound::BendRange => self.send(Op::BendRange {
                        slot,
                        semitones: v as f32,
                    }),
                    sound => self.send_field(sound, v),
                }
            }
            if instrument {
                let (inst, notice) =
                    build::instrument(ni, n.voices, rate, base.as_deref(), &mut self.cache);
                self.notice(name, notice);
                let op = Op::ReplaceInstrument {
                    slot,
                    instrument: Handoff::new(inst),
                };
                self.send_built(op, new, |state| Recipe::Instrument {
                    state,
                    slot,
                    name: name.to_string(),
                });
            } else {
                for (i, (a, b)) in oi.values.iter().zip(&ni.values).enumerate() {
                    if a != b {
                        self.send(Op::Param {
                            slot,
                            index: i as u16,
                            value: *b,
                        });
                    }
                }
            }
            if clip {
                let clip = build::clip(n, new).unwrap_or_else(|| Clip::new(Vec::new(), 1.0));
                let op = Op::SetClip {
                    slot,
                    clip: Handoff::new(Box::new(clip)),
                };
                self.send_built(op, new, |state| Recipe::Clip {
                    state,
                    slot,
                    name: name.to_string(),
                });
            }
            if o.effects != n.effects
                && !self.live_effects(FxTarget::Track(slot), &o.effects, &n.effects, false)
            {
                let chain = build::effects(&n.effects, rate, new.tempo);
                let op = Op::TrackEffects {
                    slot,
                    chain: Handoff::new(Box::new(chain)),
                };
                self.send_built(op, new, |state| Recipe::Effects {
                    state,
                    chain: FxTarget::Track(slot),
                    name: name.to_string(),
                });
            }
            if o.sends != n.sends {
                self.sync_sends(slot, &o.sends, &n.sends);
            }
        }
    }

    /// The engine command of a session-wide field (tempo, master level,
    /// ceiling); fields of tracks and buses are sent where their slot is known.
    fn send_field(&mut self, sound: Sound, v: f64) {
        let op = match sound {
            Sound::Tempo => Op::Tempo { bpm: v },
            Sound::Swing => Op::Swing { amount: v },
            Sound::MasterGain => Op::MasterGain {
                gain: db_to_gain(v as f32),
            },
            Sound::Ceiling => Op::LimiterCeiling {
                gain: db_to_gain(v as f32),
            },
            _ => return,
        };
        self.send(op);
    }

    /// Send in-place parameter changes for a chain if that is all it takes;
    /// false when the chain must be rebuilt.
    fn live_effects(
        &mut self,
        chain: FxTarget,
        old: &[crate::patch::EffectDef],
        new: &[crate::patch::EffectDef],
        force: bool,
    ) -> bool {
        if force {
            return false;
        }
        let Some(changes) = build::live_effect_changes(old, new) else {
            return false;
        };
        for (index, param, value) in changes {
            self.send(Op::EffectParam {
                chain,
                index,
                param,
                value,
            });
        }
        true
    }

    fn sync_sends(
        &mut self,
        slot: Slot,
        old: &std::collections::BTreeMap<String, f64>,
        new: &std::collections::BTreeMap<String, f64>,
    ) {
        for (name, &bus) in &self.bus_slots.clone() {
            let (a, b) = (old.get(name), new.get(name));
            if a != b {
                let gain = b.map(|db| db_to_gain(*db as f32)).unwrap_or(0.0);
                self.send(Op::TrackSend { slot, bus, gain });
            }
        }
    }
}

/// The scalar fields whose value differs between `old` and `new` (all of
/// them when `force`).
fn changed<'a, M>(
    entries: &'static [Entry<M>],
    old: &'a M,
    new: &'a M,
    force: bool,
) -> impl Iterator<Item = &'static Field<M>> + 'a {
    field::scalars(entries).filter(move |d| force || (d.get)(old) != (d.get)(new))
}
