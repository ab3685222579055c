//! Clips and their playback: the prebuilt, looping list of note events a
//! track plays, and the cursor that walks it sample-accurately.
//!
//! A [`Clip`] is built on the control thread from a pattern (see
//! `crate::pattern`) and handed over whole; the audio thread only reads it.
//! The cursor and the pending note-offs are fixed-size and never allocate.

use super::transport::Transport;
use crate::kinds::Controls;

/// One note of a clip, in beats from the clip's start.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClipEvent {
    pub beat: f64,
    pub length: f64,
    pub note: f32,
    pub velocity: f32,
    /// Where the note ranks for the track's density (0..1): it plays while
    /// the density is above this, so a lower density leaves out more of
    /// the same notes, and a lane can thin or fill a pattern as it plays.
    pub rank: f32,
    /// Beats the note moves late per unit of the session's swing: one
    /// swing-grid step in the second step of a pair, else 0. The engine
    /// adds `swing * lag` as it plays, so a lane can move the swing.
    pub lag: f32,
    /// What the pattern's functions ask of this note (pan, gain, a piece
    /// of the sample, speed, nudge); made sane when the clip is built.
    pub controls: Controls,
}

/// A looping sequence of notes, `length` beats long. Clips are phase-locked
/// to the song: occurrence k of event e starts at beat `k * length + e.beat`,
/// so swapping a clip mid-bar continues from the same place in the cycle.
#[derive(Debug, Clone, PartialEq)]
pub struct Clip {
    events: Box<[ClipEvent]>,
    length: f64,
}

impl Clip {
    /// Control thread. Events outside `[0, length)` are dropped; the rest are sorted.
    pub fn new(mut events: Vec<ClipEvent>, length: f64) -> Self {
        let length = if length.is_finite() && length > 0.0 {
            length
        } else {
            1.0
        };
        events.retain(|e| e.beat.is_finite() && e.beat >= 0.0 && e.beat < length);
        events.sort_by(|a, b| a.beat.total_cmp(&b.beat));
        Self {
            events: events.into_boxed_slice(),
            length,
        }
    }

    pub fn events(&self) -> &[ClipEvent] {
        &self.events
    }

    pub fn length(&self) -> f64 {
        self.length
    }

    /// The largest lag of any note (a swing-grid step, or 0).
    fn max_lag(&self) -> f64 {
        self.events.iter().fold(0.0f64, |m, e| m.max(e.lag as f64))
    }

    /// The latest any note is nudged, seconds (0 when none is late).
    fn max_nudge(&self) -> f64 {
        self.events
            .iter()
            .fold(0.0f64, |m, e| m.max(e.controls.nudge as f64))
    }
}

/// Where in its clip a track is: the next occurrence to play.
#[derive(Debug, Clone, Copy, Default)]
pub struct Cursor {
    cycle: i64,
    index: usize,
}

impl Cursor {
    /// Audio thread: point at the first occurrence that starts at or after
    /// song sample `now`.
    pub fn seek(clip: &Clip, t: &Transport, now: i64) -> Self {
        if clip.events.is_empty() {
            return Self::default();
        }
        // Start early enough for the latest note of an earlier step
        // (swung or nudged late) that still sounds at or after `now`.
        let lead = (clip.max_nudge() * t.rate()).ceil() as i64;
        let beat = t.beat_at(now - lead) - t.swing * clip.max_lag();
        let cycle = (beat / clip.length).floor() as i64;
        let within = beat - cycle as f64 * clip.length;
        // Start slightly early and let the exact sample test decide.
        let index = clip.events.partition_point(|e| e.beat < within - 1e-6);
        let mut c = Self { cycle, index };
        c.normalise(clip);
        let mut guard = clip.events.len() + 2;
        while guard > 0 {
            match c.peek_sample(clip, t) {
                Some(s) if s < now => c.advance(clip),
                _ => break,
            }
            guard -= 1;
        }
        c
    }

    fn normalise(&mut self, clip: &Clip) {
        if self.index >= clip.events.len() {
            self.index = 0;
            self.cycle += 1;
        }
    }

    /// Beat of the next occurrence, `swing` applied.
    #[inline]
    pub fn peek(&self, clip: &Clip, swing: f64) -> Option<f64> {
        clip.events
            .get(self.index)
            .map(|e| self.cycle as f64 * clip.length + e.beat + swing * e.lag as f64)
    }

    /// Song sample the next occurrence starts on: its beat, swing applied,
    /// then its nudge (seconds, so whatever the tempo).
    #[inline]
    pub fn peek_sample(&self, clip: &Clip, t: &Transport) -> Option<i64> {
        let b = self.peek(clip, t.swing)?;
        let nudge = clip
            .events
            .get(self.index)
            .map_or(0.0, |e| e.controls.nudge);
        Some(t.sample_at(b) + nudge_samples(nudge, t))
    }

    #[inline]
    pub fn event<'c>(&self, clip: &'c Clip) -> Option<&'c ClipEvent> {
        clip.events.get(self.index)
    }

    #[inline]
    pub fn advance(&mut self, clip: &Clip) {
        self.index += 1;
        self.normalise(clip);
    }
}

/// `nudge` seconds in whole samples at the transport's rate.
#[inline]
pub fn nudge_samples(nudge: f32, t: &Transport) -> i64 {
    if nudge == 0.0 {
        0
    } else {
        (nudge as f64 * t.rate()).round() as i64
    }
}

/// A note waiting for its note-off, in beats.
#[derive(Debug, Clone, Copy, Default)]
pub struct PendingOff {
    pub beat: f64,
    pub note: f32,
}

pub const MAX_PENDING_OFFS: usize = 256;

/// Fixed-capacity set of pending note-offs.
#[derive(Debug, Clone)]
pub struct PendingOffs {
    items: [PendingOff; MAX_PENDING_OFFS],
    len: usize,
}

impl Default for PendingOffs {
    fn default() -> Self {
        Self {
            items: [PendingOff::default(); MAX_PENDING_OFFS],
            len: 0,
        }
    }
}

impl PendingOffs {
    /// Add a note-off. When full, the earliest one is returned so the caller
    /// can release it now rather than leave a note hanging.
    pub fn push(&mut self, off: PendingOff) -> Option<PendingOff> {
        if let Some(free) = self.items.get_mut(self.len) {
            *free = off;
            self.len += 1;
            None
        } else {
            let i = self.earliest()?;
            Some(std::mem::replace(self.items.get_mut(i)?, off))
        }
    }

    /// Index of the earliest pending off.
    pub fn earliest(&self) -> Option<usize> {
        let pending = self.items.iter().take(self.len).enumerate();
        pending
            .min_by(|(_, a), (_, b)| a.beat.total_cmp(&b.beat))
            .map(|(i, _)| i)
    }

    /// Pending off `i` (below [`Self::len`]; a default off otherwise).
    pub fn get(&self, i: usize) -> PendingOff {
        self.items.get(i).copied().unwrap_or_default()
    }

    /// Take pending off `i` out; the last one moves into its place.
    pub fn remove(&mut self, i: usize) -> PendingOff {
        if i >= self.len {
            return PendingOff::default();
        }
        self.len -= 1;
        let last = self.get(self.len);
        match self.items.get_mut(i) {
            Some(v) => std::mem::replace(v, last),
            None => last,
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn clear(&mut self) {
        self.len = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clip() -> Clip {
        let e = |beat| ClipEvent {
            beat,
            length: 0.25,
            note: 60.0,
            velocity: 1.0,
            rank: 0.0,
            lag: 0.0,
            controls: Controls::NONE,
        };
        Clip::new(vec![e(0.0), e(1.0), e(2.5)], 4.0)
    }

    #[test]
    fn seek_finds_next_occurrence_in_the_cycle() {
        let mut t = Transport::new(48000.0, 120.0);
        t.playing = true;
        let c = clip();
        let cur = Cursor::seek(&c, &t, t.sample_at(1.2));
        assert_eq!(cur.peek(&c, 0.0), Some(2.5));
        let cur = Cursor::seek(&c, &t, t.sample_at(3.0));
        assert_eq!(cur.peek(&c, 0.0), Some(4.0));
        let cur = Cursor::seek(&c, &t, t.sample_at(5.0));
        assert_eq!(
            cur.peek(&c, 0.0),
            Some(5.0),
            "event exactly now is still ahead"
        );
    }
}
