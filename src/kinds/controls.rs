//! Per-note controls: what a pattern function asks of one note beyond its
//! pitch and velocity (Tidal's `pan`, `gain`, `begin`/`end`, `speed` and
//! `nudge`), carried from the pattern's events through the clip to the
//! instrument's note-on.
//!
//! Plain `Copy` data with no owner thread: the pattern functions set it on
//! the control thread, the engine reads it on the audio thread. Every value
//! is made playable by [`Controls::sane`] before it reaches the engine.

/// Most a note's `gain` may multiply its level by (+18 dB).
pub const MAX_GAIN: f32 = 8.0;
/// Most a note may be nudged either way, seconds.
pub const MAX_NUDGE_S: f32 = 1.0;
/// The playback-rate range of `speed` (a sample played 1/64 to 64 times as fast).
pub const SPEED_RANGE: (f32, f32) = (1.0 / 64.0, 64.0);

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Controls {
    /// Where this note sits, -1 (left) ..= 1 (right), in place of the
    /// instrument's own `pan`; `None` leaves that alone.
    pub pan: Option<f32>,
    /// The note's level times this (stut and echo fade their copies with
    /// it), 0 ..= [`MAX_GAIN`]; velocity, and so timbre, stays as played.
    pub gain: f32,
    /// The part of a sample a sampler plays, as fractions 0..1 of the region
    /// its own `start`/`end` choose (chop and striate cut it in pieces).
    /// Synthesisers ignore it.
    pub begin: f32,
    pub end: f32,
    /// Sample playback rate times this (`hurry`, `speed`): faster is higher,
    /// as on a turntable. Synthesisers ignore it, as in Tidal.
    pub speed: f32,
    /// Seconds the note plays late (negative: early), whatever the tempo.
    pub nudge: f32,
}

impl Controls {
    /// A note played as written.
    pub const NONE: Controls = Controls {
        pan: None,
        gain: 1.0,
        begin: 0.0,
        end: 1.0,
        speed: 1.0,
        nudge: 0.0,
    };

    /// Every value finite and in range; an empty or reversed window
    /// becomes the whole sample.
    pub fn sane(self) -> Controls {
        let fin = |x: f32, d: f32| if x.is_finite() { x } else { d };
        let begin = fin(self.begin, 0.0).clamp(0.0, 1.0);
        let end = fin(self.end, 1.0).clamp(0.0, 1.0);
        let (begin, end) = if end > begin {
            (begin, end)
        } else {
            (0.0, 1.0)
        };
        Controls {
            pan: self
                .pan
                .filter(|p| p.is_finite())
                .map(|p| p.clamp(-1.0, 1.0)),
            gain: fin(self.gain, 1.0).clamp(0.0, MAX_GAIN),
            begin,
            end,
            speed: fin(self.speed, 1.0).clamp(SPEED_RANGE.0, SPEED_RANGE.1),
            nudge: fin(self.nudge, 0.0).clamp(-MAX_NUDGE_S, MAX_NUDGE_S),
        }
    }

    /// The controls that differ from a note played as written, by name
    /// (`pan`, `gain`, `begin`, `end`, `speed`, `nudge`, in that order):
    /// what `termdaw pattern` shows, as text or JSON.
    pub fn set(&self) -> impl Iterator<Item = (&'static str, f32)> {
        let window = (self.begin, self.end) != (0.0, 1.0);
        [
            ("pan", self.pan.unwrap_or(0.0), self.pan.is_some()),
            ("gain", self.gain, self.gain != 1.0),
            ("begin", self.begin, window),
            ("end", self.end, window),
            ("speed", self.speed, self.speed != 1.0),
            ("nudge", self.nudge, self.nudge != 0.0),
        ]
        .into_iter()
        .filter(|&(_, _, set)| set)
        .map(|(name, value, _)| (name, value))
    }

    /// The window `[lo, hi)` of the current window (chop and striate
    /// compose: a piece of a piece).
    pub fn window(self, lo: f32, hi: f32) -> Controls {
        let span = self.end - self.begin;
        Controls {
            begin: self.begin + span * lo,
            end: self.begin + span * hi,
            ..self
        }
    }
}

impl Default for Controls {
    fn default() -> Self {
        Controls::NONE
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_compose_and_bad_values_become_playable() {
        let c = Controls::NONE.window(0.5, 1.0).window(0.0, 0.5);
        assert_eq!((c.begin, c.end), (0.5, 0.75));
        let bad = Controls {
            pan: Some(f32::NAN),
            gain: f32::INFINITY,
            begin: 0.9,
            end: 0.1,
            speed: 0.0,
            nudge: -5.0,
        }
        .sane();
        assert_eq!(bad.pan, None);
        assert_eq!(bad.gain, 1.0);
        assert_eq!((bad.begin, bad.end), (0.0, 1.0));
        assert_eq!(bad.speed, SPEED_RANGE.0);
        assert_eq!(bad.nudge, -MAX_NUDGE_S);
    }

    #[test]
    fn set_names_only_what_differs_from_a_plain_note() {
        assert_eq!(Controls::NONE.set().count(), 0);
        let c = Controls {
            pan: Some(0.0),
            ..Controls::NONE.window(0.0, 0.5)
        };
        let names: Vec<_> = c.set().collect();
        assert_eq!(names, [("pan", 0.0), ("begin", 0.0), ("end", 0.5)]);
    }
}
