//! Voice bookkeeping shared by every instrument: which slot plays which note,
//! who gets stolen, and the linear ADSR envelope.
//!
//! Runs on the audio thread (called from instrument `note_on`/`render`); all
//! storage is allocated at construction on the control thread and never grows.

/// How long a stolen or hard-stopped voice takes to fade out, in seconds.
/// Short enough to free the slot quickly, long enough not to click.
pub const STEAL_FADE_S: f32 = 0.005;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlotPhase {
    Free,
    /// Key is down.
    Held,
    /// Key is up, envelope releasing.
    Released,
    /// Taken away from its note; fading out fast, will be freed when silent.
    Stolen,
}

#[derive(Debug, Clone, Copy)]
pub struct Slot {
    pub note: f32,
    pub age: u64,
    pub phase: SlotPhase,
}

/// Where a new note goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Start {
    pub slot: usize,
    /// A voice that must now fade out fast (it was stolen to stay in the limit).
    pub steal: Option<usize>,
}

/// Bounded polyphony: at most `limit` voices sound as notes, plus as many slots
/// again for stolen voices that are still fading, so stealing never cuts a
/// voice off mid-waveform.
#[derive(Debug)]
pub struct VoiceAlloc {
    slots: Vec<Slot>,
    limit: usize,
    clock: u64,
    /// Times a note had to restart a slot that was still fading (rare: more
    /// than `limit` new notes inside one fade time).
    pub hard_steals: u64,
}

impl VoiceAlloc {
    /// Control thread: preallocates `2 * limit` slots.
    pub fn new(limit: usize) -> Self {
        let limit = limit.max(1);
        Self {
            slots: vec![
                Slot {
                    note: 0.0,
                    age: 0,
                    phase: SlotPhase::Free
                };
                limit * 2
            ],
            limit,
            clock: 0,
            hard_steals: 0,
        }
    }

    pub fn capacity(&self) -> usize {
        self.slots.len()
    }

    pub fn limit(&self) -> usize {
        self.limit
    }

    /// Slot `i`; past the capacity, a free slot.
    pub fn slot(&self, i: usize) -> &Slot {
        const FREE: Slot = Slot {
            note: f32::NAN,
            age: 0,
            phase: SlotPhase::Free,
        };
        self.slots.get(i).unwrap_or(&FREE)
    }

    /// Voices counting against the limit (held or releasing).
    pub fn live(&self) -> usize {
        self.slots
            .iter()
            .filter(|s| matches!(s.phase, SlotPhase::Held | SlotPhase::Released))
            .count()
    }

    /// Slots making any sound, fading ones included.
    pub fn sounding(&self) -> usize {
        self.slots
            .iter()
            .filter(|s| s.phase != SlotPhase::Free)
            .count()
    }

    /// Audio thread: pick a slot for `note`, stealing the oldest voice (released
    /// ones first) when the limit is reached.
    pub fn start(&mut self, note: f32) -> Start {
        self.clock += 1;
        let mut steal = None;
        if self.live() >= self.limit {
            let victim = self
                .slots
                .iter()
                .enumerate()
                .filter(|(_, s)| matches!(s.phase, SlotPhase::Held | SlotPhase::Released))
                .min_by_key(|(_, s)| (s.phase == SlotPhase::Held, s.age))
                .map(|(i, _)| i);
            if let Some((v, s)) = victim.and_then(|v| Some((v, self.slots.get_mut(v)?))) {
                s.phase = SlotPhase::Stolen;
                steal = Some(v);
            }
        }
        let slot = match self.slots.iter().position(|s| s.phase == SlotPhase::Free) {
            Some(free) => free,
            None => {
                self.hard_steals += 1;
                // Every slot is fading: reuse the one that has faded longest.
                self.slots
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| Some(*i) != steal)
                    .min_by_key(|(_, s)| s.age)
                    .map(|(i, _)| i)
                    .unwrap_or(0)
            }
        };
        if let Some(s) = self.slots.get_mut(slot) {
            *s = Slot {
                note,
                age: self.clock,
                phase: SlotPhase::Held,
            };
        }
        Start { slot, steal }
    }

    /// Audio thread: release every held voice playing `note`; `f` gets each slot.
    pub fn release_note(&mut self, note: f32, mut f: impl FnMut(usize)) {
        for (i, s) in self.slots.iter_mut().enumerate() {
            if s.phase == SlotPhase::Held && s.note == note {
                s.phase = SlotPhase::Released;
                f(i);
            }
        }
    }

    /// Audio thread: release every held voice.
    pub fn release_all(&mut self, mut f: impl FnMut(usize)) {
        for (i, s) in self.slots.iter_mut().enumerate() {
            if s.phase == SlotPhase::Held {
                s.phase = SlotPhase::Released;
                f(i);
            }
        }
    }

    /// Audio thread: the voice in `slot` has gone silent.
    pub fn free(&mut self, slot: usize) {
        if let Some(s) = self.slots.get_mut(slot) {
            s.phase = SlotPhase::Free;
        }
    }

    /// Slots past the capacity (padding) count as free.
    pub fn is_free(&self, slot: usize) -> bool {
        self.slots
            .get(slot)
            .is_none_or(|s| s.phase == SlotPhase::Free)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Idle,
    Attack,
    Decay,
    Sustain,
    Release,
}

/// Linear ADSR, one per voice. Retriggering starts the attack from the current
/// level, and release starts from wherever the envelope is, so neither clicks.
#[derive(Debug, Clone, Copy)]
pub struct Adsr {
    pub level: f32,
    pub stage: Stage,
    inc: f32,
    decay_inc: f32,
    sustain: f32,
}

impl Default for Adsr {
    fn default() -> Self {
        Self {
            level: 0.0,
            stage: Stage::Idle,
            inc: 0.0,
            decay_inc: 0.0,
            sustain: 0.0,
        }
    }
}

/// Per-sample increment that covers `amount` in `seconds`.
#[inline]
pub fn ramp_inc(amount: f32, seconds: f32, rate: f32) -> f32 {
    amount / (seconds * rate).max(1.0)
}

impl Adsr {
    /// Audio thread. Times in seconds, sustain 0..1.
    pub fn trigger(&mut self, attack: f32, decay: f32, sustain: f32, rate: f32) {
        self.sustain = sustain;
        self.decay_inc = -ramp_inc(1.0 - sustain, decay, rate);
        self.inc = ramp_inc(1.0, attack, rate);
        self.stage = Stage::Attack;
    }

    /// Audio thread: release from the current level over `release` seconds.
    pub fn release(&mut self, release: f32, rate: f32) {
        if self.stage != Stage::Idle {
            self.stage = Stage::Release;
            self.inc = -ramp_inc(self.level.max(1e-6), release, rate);
        }
    }

    /// Audio thread: fade out within [`STEAL_FADE_S`].
    pub fn fast_release(&mut self, rate: f32) {
        self.release(STEAL_FADE_S, rate);
    }

    pub fn is_idle(&self) -> bool {
        self.stage == Stage::Idle
    }

    /// Audio thread: advance one sample and return the level.
    #[inline]
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> f32 {
        match self.stage {
            Stage::Idle | Stage::Sustain => {}
            Stage::Attack => {
                self.level += self.inc;
                if self.level >= 1.0 {
                    self.level = 1.0;
                    self.stage = Stage::Decay;
                    self.inc = self.decay_inc;
                }
            }
            Stage::Decay => {
                self.level += self.inc;
                if self.level <= self.sustain {
                    self.level = self.sustain;
                    self.stage = Stage::Sustain;
                }
            }
            Stage::Release => {
                self.level += self.inc;
                if self.level <= 0.0 {
                    self.level = 0.0;
                    self.stage = Stage::Idle;
                }
            }
        }
        self.level
    }
}

/// MIDI note number to frequency in Hz (A4 = 69 = 440 Hz).
#[inline]
pub fn note_hz(note: f32) -> f32 {
    440.0 * ((note - 69.0) / 12.0).exp2()
}

/// Tiny deterministic noise source (xorshift32), so renders are repeatable.
#[derive(Debug, Clone, Copy)]
pub struct Noise(pub u32);

impl Noise {
    #[inline]
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> f32 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        self.0 = x;
        (x as i32 as f32) * (1.0 / 2_147_483_648.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steals_oldest_released_first_and_keeps_the_limit() {
        let mut a = VoiceAlloc::new(2);
        let s0 = a.start(60.0);
        let s1 = a.start(62.0);
        assert_eq!(s0.steal, None);
        assert_eq!(s1.steal, None);
        a.release_note(62.0, |_| {});
        let s2 = a.start(64.0);
        assert_eq!(s2.steal, Some(s1.slot), "released voice goes first");
        assert_eq!(a.live(), 2);
        let s3 = a.start(65.0);
        assert_eq!(s3.steal, Some(s0.slot), "then the oldest held one");
        assert_eq!(a.live(), 2);
        assert_eq!(a.sounding(), 4);
    }

    #[test]
    fn adsr_reaches_sustain_and_releases_to_idle() {
        let mut e = Adsr::default();
        e.trigger(0.001, 0.001, 0.5, 1000.0);
        for _ in 0..5 {
            e.next();
        }
        assert_eq!(e.stage, Stage::Sustain);
        assert!((e.level - 0.5).abs() < 1e-6);
        e.release(0.002, 1000.0);
        for _ in 0..3 {
            e.next();
        }
        assert!(e.is_idle());
    }
}
