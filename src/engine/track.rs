//! One track on the audio thread: its instrument, clip, pending note-offs,
//! effect chain, fader, pan and meter.
//!
//! Built on the control thread ([`TrackDsp::new`] sizes every buffer), then
//! owned by the engine. `render` runs on the audio thread and splits its
//! block at every note event so each note starts on its exact sample.

use super::bus::Bus;
use super::dsp::{balance_gains, head, head_mut, MeterAcc, Smoother};
use super::effect::{ChainSlot, EffectChain};
use super::input::InputFrames;
use super::instrument::Instrument;
use super::sequencer::{nudge_samples, Clip, Cursor, PendingOff, PendingOffs};
use super::transport::Transport;
use super::MAX_BLOCK;
use crate::kinds::{Controls, MAX_BUSES};

/// Fader and pan glide time constant.
const MIX_SMOOTH_S: f32 = 0.005;
/// How long a replaced instrument or a removed track takes to fade out.
pub const SWAP_FADE_S: f32 = 0.010;
/// The most note events one track handles in one block (bounds the work).
const MAX_EVENTS_PER_BLOCK: usize = 512;

pub struct TrackDsp {
    instrument: Box<dyn Instrument>,
    /// A replaced instrument still sounding while it fades out.
    fading: Option<Box<dyn Instrument>>,
    fade_gain: f32,
    fade_step: f32,
    clip: Option<Box<Clip>>,
    cursor: Cursor,
    offs: PendingOffs,
    effects: ChainSlot,
    buf_l: Box<[f32]>,
    buf_r: Box<[f32]>,
    fade_l: Box<[f32]>,
    fade_r: Box<[f32]>,
    volume: f32,
    pan: f32,
    pub mute: bool,
    pub solo: bool,
    gain: Smoother,
    pan_l: Smoother,
    pan_r: Smoother,
    pub meter: MeterAcc,
    /// Set when the track is being removed: it fades out, then goes back.
    pub removing: bool,
    /// Default note for hits without one.
    pub default_note: f32,
    pub dropped_events: u64,
    /// Sustain pedal down, and the live notes it is holding.
    pedal: bool,
    held: [bool; 128],
    bend_range: f32,
    /// The share of the clip's notes that play (see `ClipEvent::rank`).
    density: f32,
    /// Send levels to each bus (linear, smoothed).
    sends: [Smoother; MAX_BUSES],
}

impl std::fmt::Debug for TrackDsp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TrackDsp")
            .field("volume", &self.volume)
            .field("pan", &self.pan)
            .finish()
    }
}

impl TrackDsp {
    /// Control thread.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        instrument: Box<dyn Instrument>,
        clip: Option<Clip>,
        effects: EffectChain,
        volume: f32,
        pan: f32,
        mute: bool,
        solo: bool,
        rate: f32,
    ) -> Self {
        let (pl, pr) = balance_gains(pan);
        Self {
            instrument,
            fading: None,
            fade_gain: 0.0,
            fade_step: 1.0 / (SWAP_FADE_S * rate),
            clip: clip.map(Box::new),
            cursor: Cursor::default(),
            offs: PendingOffs::default(),
            effects: ChainSlot::new(effects, rate),
            buf_l: vec![0.0; MAX_BLOCK].into_boxed_slice(),
            buf_r: vec![0.0; MAX_BLOCK].into_boxed_slice(),
            fade_l: vec![0.0; MAX_BLOCK].into_boxed_slice(),
            fade_r: vec![0.0; MAX_BLOCK].into_boxed_slice(),
            volume,
            pan,
            mute,
            solo,
            gain: Smoother::new(if mute { 0.0 } else { volume }, MIX_SMOOTH_S, rate),
            pan_l: Smoother::new(pl, MIX_SMOOTH_S, rate),
            pan_r: Smoother::new(pr, MIX_SMOOTH_S, rate),
            meter: MeterAcc::default(),
            removing: false,
            default_note: 60.0,
            dropped_events: 0,
            sends: [Smoother::new(0.0, MIX_SMOOTH_S, rate); MAX_BUSES],
            pedal: false,
            held: [false; 128],
            bend_range: 2.0,
            density: 1.0,
        }
    }

    pub fn set_volume(&mut self, gain: f32) {
        self.volume = gain;
    }

    pub fn set_density(&mut self, density: f32) {
        self.density = if density.is_finite() {
            density.clamp(0.0, 1.0)
        } else {
            1.0
        };
    }

    pub fn set_pan(&mut self, pan: f32) {
        self.pan = pan;
        let (l, r) = balance_gains(pan);
        self.pan_l.set(l);
        self.pan_r.set(r);
    }

    pub fn instrument_mut(&mut self) -> &mut dyn Instrument {
        &mut *self.instrument
    }

    /// Audio thread: the gain this track should settle at, given solo state.
    pub fn update_target(&mut self, any_solo: bool) {
        let audible = !self.removing && !self.mute && (!any_solo || self.solo);
        self.gain.set(if audible { self.volume } else { 0.0 });
    }

    /// Audio thread: whether the track has faded out completely after removal.
    pub fn finished_removing(&self) -> bool {
        self.removing && self.gain.value == 0.0
    }

    /// Audio thread: swap in a new clip, keeping the song phase. Returns the old one.
    pub fn set_clip(&mut self, clip: Box<Clip>, t: &Transport) -> Option<Box<Clip>> {
        self.cursor = Cursor::seek(&clip, t, t.song_sample);
        self.clip.replace(clip)
    }

    /// Audio thread: swap instruments; the old one fades out over
    /// [`SWAP_FADE_S`]. Returns an instrument to free, if any.
    pub fn replace_instrument(&mut self, new: Box<dyn Instrument>) -> Option<Box<dyn Instrument>> {
        let old = std::mem::replace(&mut self.instrument, new);
        self.fade_gain = 1.0;
        // If a previous swap is still fading, cut it (it is already quiet-ish).
        self.fading.replace(old)
    }

    /// Audio thread: the effect chain, for parameter and tempo changes.
    pub fn effects_mut(&mut self) -> &mut ChainSlot {
        &mut self.effects
    }

    /// Audio thread: crossfade to a new effect chain. Returns a chain to free.
    pub fn replace_effects(&mut self, new: Box<EffectChain>) -> Option<Box<EffectChain>> {
        self.effects.replace(new)
    }

    /// Audio thread: take the fading instrument once it has faded out.
    pub fn take_faded(&mut self) -> Option<Box<dyn Instrument>> {
        if self.fading.is_some() && self.fade_gain <= 0.0 {
            self.fading.take()
        } else {
            None
        }
    }

    /// Audio thread: transport (re)started at song sample `now`.
    pub fn on_play(&mut self, t: &Transport, now: i64) {
        if let Some(c) = &self.clip {
            self.cursor = Cursor::seek(c, t, now);
        }
    }

    /// Audio thread: transport stopped or jumped: release everything.
    pub fn on_stop(&mut self) {
        self.offs.clear();
        self.pedal = false;
        self.held = [false; 128];
        self.instrument.all_notes_off();
    }

    /// Audio thread: note-on with an optional note-off `length` beats later.
    fn start_note(&mut self, note: f32, velocity: f32, c: &Controls, off_beat: Option<f64>) {
        self.instrument.note_on_with(note, velocity, c);
        if let Some(beat) = off_beat {
            if let Some(evicted) = self.offs.push(PendingOff { beat, note }) {
                self.instrument.note_off(evicted.note);
            }
        }
    }

    /// Audio thread: render `n` frames starting at song sample `s0` into the
    /// track buffers (instrument + effects, before the fader).
    pub fn render(&mut self, t: &Transport, s0: i64, n: usize, input: &InputFrames) {
        let n = n.min(MAX_BLOCK);
        head_mut(&mut self.buf_l, n).fill(0.0);
        head_mut(&mut self.buf_r, n).fill(0.0);
        let s1 = s0 + n as i64;
        let mut pos = 0usize;
        let mut budget = MAX_EVENTS_PER_BLOCK;
        loop {
            // The next thing that happens inside this block, if anything.
            let mut next = s1;
            // A removed track fades out what it is playing; it starts nothing
            // new, or a note on the very boundary it was removed at would leak.
            if t.playing && !self.removing {
                if let Some(clip) = &self.clip {
                    if let Some(s) = self.cursor.peek_sample(clip, t) {
                        next = next.min(s);
                    }
                }
            }
            let earliest_off = self.offs.earliest();
            if let Some(i) = earliest_off {
                next = next.min(t.sample_at(self.offs.get(i).beat));
            }
            if next >= s1 {
                break;
            }
            if budget == 0 {
                self.dropped_events += 1;
                break;
            }
            budget -= 1;
            let at = ((next - s0).max(0) as usize).max(pos);
            if at > pos {
                self.instrument.render(
                    self.buf_l.get_mut(pos..at).unwrap_or_default(),
                    self.buf_r.get_mut(pos..at).unwrap_or_default(),
                );
                pos = at;
            }
            // Note-offs before note-ons at the same sample, so a repeated note retriggers.
            if let Some(i) = earliest_off {
                if t.sample_at(self.offs.get(i).beat) <= next {
                    let off = self.offs.remove(i);
                    self.instrument.note_off(off.note);
                    continue;
                }
            }
            if let Some(clip) = self.clip.as_deref().filter(|_| !self.removing) {
                if let (Some(b), Some(e)) =
                    (self.cursor.peek(clip, t.swing), self.cursor.event(clip))
                {
                    let e = *e;
                    self.cursor.advance(clip);
                    if self.density < 1.0 && e.rank >= self.density {
                        continue;
                    }
                    let note = if e.note.is_nan() {
                        self.default_note
                    } else {
                        e.note
                    };
                    // A nudged note keeps its length from where it starts.
                    let on = match nudge_samples(e.controls.nudge, t) {
                        0 => b,
                        shift => t.beat_at(t.sample_at(b) + shift),
                    };
                    self.start_note(note, e.velocity, &e.controls, Some(on + e.length));
                }
            }
        }
        if pos < n {
            self.instrument.render(
                self.buf_l.get_mut(pos..n).unwrap_or_default(),
                self.buf_r.get_mut(pos..n).unwrap_or_default(),
            );
        }
        let (bl, br) = (head_mut(&mut self.buf_l, n), head_mut(&mut self.buf_r, n));
        self.instrument.render_input(input, bl, br);
        if let Some(f) = self.fading.as_deref_mut() {
            let (fl, fr) = (head_mut(&mut self.fade_l, n), head_mut(&mut self.fade_r, n));
            fl.fill(0.0);
            fr.fill(0.0);
            f.render(fl, fr);
            let out = bl.iter_mut().zip(br.iter_mut());
            for ((l, r), (fl, fr)) in out.zip(fl.iter().zip(fr.iter())) {
                *l += fl * self.fade_gain;
                *r += fr * self.fade_gain;
                self.fade_gain = (self.fade_gain - self.fade_step).max(0.0);
            }
        }
        self.effects.process(bl, br);
    }

    /// Audio thread: set the send level (linear) to bus `bus`.
    pub fn set_send(&mut self, bus: usize, gain: f32) {
        if let Some(s) = self.sends.get_mut(bus) {
            s.set(gain);
        }
    }

    /// Audio thread: apply fader and pan, meter, add into the master and
    /// feed the sends (post-fader) into their buses.
    /// Audio thread: a looper command for this track's instrument.
    pub fn looper(&mut self, cmd: super::instrument::looper::LoopCmd, bar: f64) {
        self.instrument.looper(cmd, bar);
    }

    /// Audio thread: the track's output of the last `n` frames mixed
    /// (after its fader and pan), for a take's stem.
    pub fn output(&self, n: usize) -> (&[f32], &[f32]) {
        (head(&self.buf_l, n), head(&self.buf_r, n))
    }

    pub fn mix_into(
        &mut self,
        out_l: &mut [f32],
        out_r: &mut [f32],
        buses: &mut [Option<Box<Bus>>],
    ) {
        let n = out_l.len().min(out_r.len()).min(MAX_BLOCK);
        let (bl, br) = (head_mut(&mut self.buf_l, n), head_mut(&mut self.buf_r, n));
        let track = bl.iter_mut().zip(br.iter_mut());
        for ((bl, br), (ol, or)) in track.zip(out_l.iter_mut().zip(out_r.iter_mut())) {
            let g = self.gain.next();
            let l = *bl * g * self.pan_l.next();
            let r = *br * g * self.pan_r.next();
            *bl = l;
            *br = r;
            *ol += l;
            *or += r;
        }
        let (bl, br) = (head(&self.buf_l, n), head(&self.buf_r, n));
        self.meter.add(bl, br);
        for (b, send) in self.sends.iter_mut().enumerate() {
            if send.target == 0.0 && send.value == 0.0 {
                continue;
            }
            match buses.get_mut(b).and_then(|x| x.as_deref_mut()) {
                Some(bus) => bus.feed(bl, br, send),
                None => {
                    // No bus there (yet): keep the glide moving so it stays in step.
                    for _ in 0..n {
                        send.next();
                    }
                }
            }
        }
    }

    /// Audio thread: a live note from a key, MIDI or OSC.
    pub fn live_note_on(&mut self, note: f32, velocity: f32) {
        self.instrument.note_on(note, velocity);
    }

    pub fn live_note_off(&mut self, note: f32) {
        let key = note.round();
        let held = (0.0..128.0)
            .contains(&key)
            .then(|| self.held.get_mut(key as usize))
            .flatten();
        if let (true, Some(h)) = (self.pedal, held) {
            *h = true;
        } else {
            self.instrument.note_off(note);
        }
    }

    /// Audio thread: sustain pedal. Letting it up releases what it held.
    pub fn set_sustain(&mut self, on: bool) {
        self.pedal = on;
        if !on {
            for (k, h) in self.held.iter_mut().enumerate() {
                if std::mem::take(h) {
                    self.instrument.note_off(k as f32);
                }
            }
        }
    }

    /// Audio thread: pitch wheel position, -1..1 of the bend range.
    pub fn set_bend(&mut self, amount: f32) {
        self.instrument
            .set_bend(amount.clamp(-1.0, 1.0) * self.bend_range);
    }

    pub fn set_bend_range(&mut self, semitones: f32) {
        if semitones.is_finite() {
            self.bend_range = semitones.clamp(0.0, 48.0);
        }
    }

    pub fn active_voices(&self) -> usize {
        self.instrument.active_voices()
    }
}
