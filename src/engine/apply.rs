//! `Engine::apply`: one engine command takes effect (the transport, a
//! track's instrument, clip, fader or chain, a bus, the master).
//!
//! Audio thread. Whatever a command replaces goes back through the garbage
//! ring; nothing here allocates, frees, locks or blocks.

use super::automation::Target;
use super::dsp::db_to_gain;
use super::*;

impl Engine {
    /// The transport starts now, from where it stands.
    pub(super) fn play_now(&mut self) {
        if !self.transport.playing {
            self.transport.playing = true;
            self.midi_play();
            let now = self.transport.song_sample;
            let t = &self.transport;
            for tr in self.tracks.iter_mut().flatten() {
                tr.on_play(t, now);
            }
        }
    }

    pub(super) fn apply(&mut self, op: Op) {
        match op {
            // Following a shared timeline, play starts on its bar.
            Op::Play if self.follow_arm_on_bar() => {}
            Op::Play => self.play_now(),
            Op::Stop => {
                self.follow.armed = None;
                if self.transport.playing {
                    self.midi_stop();
                }
                self.transport.playing = false;
                for tr in self.tracks.iter_mut().flatten() {
                    tr.on_stop();
                }
            }
            Op::Locate { beat } => {
                let was = self.transport.beat();
                self.transport.locate(beat);
                if self.transport.playing {
                    // A jump while playing: followers go there at once.
                    self.midi_stop();
                    self.midi_play();
                }
                self.rebase_scheduled(self.transport.beat() - was);
                let now = self.transport.song_sample;
                let t = &self.transport;
                for tr in self.tracks.iter_mut().flatten() {
                    tr.on_stop();
                    tr.on_play(t, now);
                }
            }
            Op::Loop { start, end } => {
                self.transport.loop_range = (end > start).then_some((start, end));
            }
            Op::Tempo { bpm } => {
                self.transport.set_tempo(bpm);
                self.retime_scheduled();
                let bpm = bpm as f32;
                for t in self.tracks.iter_mut().flatten() {
                    t.effects_mut().set_tempo(bpm);
                }
                for b in self.buses.iter_mut().flatten() {
                    b.chain_mut().set_tempo(bpm);
                }
                self.master_fx.set_tempo(bpm);
            }
            Op::FollowClock { on } => self.set_follow(on),
            Op::Clock { msg } => self.clock_in(msg),
            Op::Meter { beats_per_bar } => self.transport.beats_per_bar = beats_per_bar.max(1),
            Op::MasterGain { gain } => self.master_gain.set(gain),
            Op::LimiterCeiling { gain } => self.limiter.set_ceiling(gain),
            Op::TrackGain { slot, gain } => {
                if let Some(t) = self.track_mut(slot) {
                    t.set_volume(gain);
                }
            }
            Op::TrackPan { slot, pan } => {
                if let Some(t) = self.track_mut(slot) {
                    t.set_pan(pan);
                }
            }
            Op::Swing { amount } => {
                self.transport.swing = if amount.is_finite() {
                    amount.clamp(0.0, 0.5)
                } else {
                    0.0
                };
            }
            Op::TrackDensity { slot, density } => {
                if let Some(t) = self.track_mut(slot) {
                    t.set_density(density);
                }
            }
            Op::TrackMute { slot, on } => {
                if let Some(t) = self.track_mut(slot) {
                    t.mute = on;
                }
            }
            Op::TrackSolo { slot, on } => {
                if let Some(t) = self.track_mut(slot) {
                    t.solo = on;
                }
            }
            Op::Param { slot, index, value } => {
                if let Some(t) = self.track_mut(slot) {
                    t.instrument_mut().set_param(index as usize, value);
                }
            }
            Op::NoteOn {
                slot,
                note,
                velocity,
            } => {
                if let Some(t) = self.track_mut(slot) {
                    t.live_note_on(note, velocity);
                }
            }
            Op::NoteOff { slot, note } => {
                if let Some(t) = self.track_mut(slot) {
                    t.live_note_off(note);
                }
            }
            Op::Sustain { slot, on } => {
                if let Some(t) = self.track_mut(slot) {
                    t.set_sustain(on);
                }
            }
            Op::PitchBend { slot, amount } => {
                if let Some(t) = self.track_mut(slot) {
                    t.set_bend(amount);
                }
            }
            Op::BendRange { slot, semitones } => {
                if let Some(t) = self.track_mut(slot) {
                    t.set_bend_range(semitones);
                }
            }
            Op::AllNotesOff => {
                for tr in self.tracks.iter_mut().flatten() {
                    tr.on_stop();
                }
            }
            Op::SetClip { slot, clip } => {
                // SAFETY: the command ring delivered this handoff to us once.
                let clip = unsafe { clip.into_box() };
                let t = &self.transport;
                let old = match self
                    .tracks
                    .get_mut(slot as usize)
                    .and_then(|t| t.as_deref_mut())
                {
                    Some(tr) => tr.set_clip(clip, t),
                    None => Some(clip),
                };
                if let Some(c) = old {
                    self.give_back(Garbage::Clip(Handoff::new(c)));
                }
            }
            Op::InstallTrack { slot, track } => {
                // SAFETY: delivered once by the ring.
                let mut track = unsafe { track.into_box() };
                if self.transport.playing {
                    track.on_play(&self.transport, self.transport.song_sample);
                }
                match self.tracks.get_mut(slot as usize) {
                    Some(s) => {
                        if let Some(old) = s.replace(track) {
                            self.give_back(Garbage::Track(Handoff::new(old)));
                        }
                    }
                    None => self.give_back(Garbage::Track(Handoff::new(track))),
                }
            }
            Op::RemoveTrack { slot } => {
                if let Some(t) = self.track_mut(slot) {
                    t.removing = true;
                    t.on_stop();
                }
            }
            Op::ReplaceInstrument { slot, instrument } => {
                // SAFETY: delivered once by the ring.
                let inst = unsafe { instrument.into_box() };
                let old = match self.track_mut(slot) {
                    Some(t) => t.replace_instrument(inst),
                    None => Some(inst),
                };
                if let Some(i) = old {
                    self.give_back(Garbage::Instrument(Handoff::new(i)));
                }
            }
            Op::TrackEffects { slot, chain } => {
                // SAFETY: delivered once by the ring.
                let chain = unsafe { chain.into_box() };
                let old = match self.track_mut(slot) {
                    Some(t) => t.replace_effects(chain),
                    None => Some(chain),
                };
                if let Some(c) = old {
                    self.give_back(Garbage::Effects(Handoff::new(c)));
                }
            }
            Op::TrackSend { slot, bus, gain } => {
                if let Some(t) = self.track_mut(slot) {
                    t.set_send(bus as usize, gain);
                }
            }
            Op::InstallBus { bus, dsp } => {
                // SAFETY: delivered once by the ring.
                let dsp = unsafe { dsp.into_box() };
                match self.buses.get_mut(bus as usize) {
                    Some(slot) => {
                        if let Some(old) = slot.replace(dsp) {
                            self.give_back(Garbage::Bus(Handoff::new(old)));
                        }
                    }
                    None => self.give_back(Garbage::Bus(Handoff::new(dsp))),
                }
            }
            Op::Automation { lanes } => {
                // SAFETY: delivered once by the ring.
                let lanes = unsafe { lanes.into_box() };
                if let Some(old) = self.automation.replace(lanes) {
                    self.give_back(Garbage::Automation(Handoff::new(old)));
                }
            }
            Op::StartCapture { ring } => {
                // SAFETY: delivered once by the ring.
                let ring = unsafe { ring.into_box() };
                if let Some(old) = self.capture.replace(ring) {
                    self.give_back(Garbage::Capture(Handoff::new(old)));
                }
            }
            Op::SetInput { ring } => {
                // SAFETY: delivered once by the ring.
                let ring = unsafe { ring.into_box() };
                if let Some(old) = self.input.replace(Some(ring)) {
                    self.give_back(Garbage::Input(Handoff::new(old)));
                }
            }
            Op::Looper { slot, cmd } => {
                let bar =
                    self.transport.samples_per_beat() * self.transport.beats_per_bar.max(1) as f64;
                if let (Some(t), Some(cmd)) = (
                    self.track_mut(slot),
                    super::instrument::looper::LoopCmd::from_index(cmd),
                ) {
                    t.looper(cmd, bar);
                }
            }
            Op::SetMidiOut { ring } => {
                // SAFETY: delivered once by the ring.
                let ring = unsafe { ring.into_box() };
                if let Some(old) = self.midi_out.replace(ring) {
                    self.give_back(Garbage::MidiOut(Handoff::new(old)));
                }
            }
            Op::ClearMidiOut => {
                if let Some(old) = self.midi_out.take() {
                    self.give_back(Garbage::MidiOut(Handoff::new(old)));
                }
            }
            Op::ClearInput => {
                if let Some(old) = self.input.replace(None) {
                    self.give_back(Garbage::Input(Handoff::new(old)));
                }
            }
            Op::StopCapture => {
                if let Some(old) = self.capture.take() {
                    self.give_back(Garbage::Capture(Handoff::new(old)));
                }
            }
            Op::BusGain { bus, gain } => {
                if let Some(Some(b)) = self.buses.get_mut(bus as usize) {
                    b.set_gain(gain);
                }
            }
            Op::BusPan { bus, pan } => {
                if let Some(Some(b)) = self.buses.get_mut(bus as usize) {
                    b.set_pan(pan);
                }
            }
            Op::BusMute { bus, on } => {
                if let Some(Some(b)) = self.buses.get_mut(bus as usize) {
                    b.set_mute(on);
                }
            }
            Op::BusEffects { bus, chain } => {
                // SAFETY: delivered once by the ring.
                let chain = unsafe { chain.into_box() };
                let old = match self.buses.get_mut(bus as usize) {
                    Some(Some(b)) => b.replace_chain(chain),
                    _ => Some(chain),
                };
                if let Some(old) = old {
                    self.give_back(Garbage::Effects(Handoff::new(old)));
                }
            }
            Op::RemoveBus { bus } => {
                if let Some(Some(b)) = self.buses.get_mut(bus as usize) {
                    b.set_gain(0.0);
                }
            }
            Op::EffectParam {
                chain,
                index,
                param,
                value,
            } => {
                let slot = match chain {
                    FxTarget::Track(t) => self
                        .tracks
                        .get_mut(t as usize)
                        .and_then(|t| t.as_deref_mut())
                        .map(|t| t.effects_mut()),
                    FxTarget::Bus(b) => self
                        .buses
                        .get_mut(b as usize)
                        .and_then(|b| b.as_deref_mut())
                        .map(|b| b.chain_mut()),
                    FxTarget::Master => Some(&mut self.master_fx),
                };
                if let Some(s) = slot {
                    s.set_param(index as usize, param as usize, value);
                }
            }
            #[cfg(debug_assertions)]
            #[allow(clippy::panic)]
            Op::TestPanic => panic!("Op::TestPanic on the audio thread"),
            Op::MasterEffects { chain } => {
                // SAFETY: delivered once by the ring.
                let chain = unsafe { chain.into_box() };
                if let Some(old) = self.master_fx.replace(chain) {
                    self.give_back(Garbage::Effects(Handoff::new(old)));
                }
            }
        }
    }
}

/// The engine command that puts an automation target at `value`.
pub(super) fn automation_op(target: Target, value: f64) -> Op {
    let db = || db_to_gain(value as f32);
    match target {
        Target::Tempo => Op::Tempo { bpm: value },
        Target::MasterDb => Op::MasterGain { gain: db() },
        Target::TrackDb(slot) => Op::TrackGain { slot, gain: db() },
        Target::TrackPan(slot) => Op::TrackPan {
            slot,
            pan: value as f32,
        },
        Target::Swing => Op::Swing { amount: value },
        Target::TrackDensity(slot) => Op::TrackDensity {
            slot,
            density: value as f32,
        },
        Target::Param { slot, index } => Op::Param {
            slot,
            index,
            value: value as f32,
        },
        Target::SendDb { slot, bus } => Op::TrackSend {
            slot,
            bus,
            gain: if value <= -120.0 { 0.0 } else { db() },
        },
        Target::BusDb(bus) => Op::BusGain { bus, gain: db() },
        Target::BusPan(bus) => Op::BusPan {
            bus,
            pan: value as f32,
        },
        Target::Effect {
            chain,
            index,
            param,
        } => Op::EffectParam {
            chain,
            index,
            param,
            value: value as f32,
        },
    }
}
