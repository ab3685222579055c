//! The transport: the sample-accurate mapping between the engine's sample
//! clock and musical time (beats, bars), tempo changes and the loop.
//!
//! Audio thread only. Position is kept as an anchor (a sample and the beat at
//! that sample) plus the tempo, so a tempo change re-anchors instead of
//! accumulating rounding error, and an event at beat b lands on sample
//! `anchor_sample + round((b - anchor_beat) * samples_per_beat)`.

#[derive(Debug, Clone)]
pub struct Transport {
    rate: f64,
    bpm: f64,
    samples_per_beat: f64,
    /// Transport samples elapsed while playing (the song clock).
    pub song_sample: i64,
    anchor_sample: i64,
    anchor_beat: f64,
    pub playing: bool,
    pub beats_per_bar: u8,
    pub loop_range: Option<(f64, f64)>,
    /// How late the second step of each pair of swing-grid steps plays, as
    /// a share of a step (0 – 0.5); clips' notes carry their lag.
    pub swing: f64,
}

impl Transport {
    pub fn new(rate: f64, bpm: f64) -> Self {
        Self {
            rate,
            bpm,
            samples_per_beat: rate * 60.0 / bpm,
            song_sample: 0,
            anchor_sample: 0,
            anchor_beat: 0.0,
            playing: false,
            beats_per_bar: 4,
            loop_range: None,
            swing: 0.0,
        }
    }

    pub fn bpm(&self) -> f64 {
        self.bpm
    }

    pub fn rate(&self) -> f64 {
        self.rate
    }

    pub fn samples_per_beat(&self) -> f64 {
        self.samples_per_beat
    }

    /// Beat position at song sample `s`.
    #[inline]
    pub fn beat_at(&self, s: i64) -> f64 {
        self.anchor_beat + (s - self.anchor_sample) as f64 / self.samples_per_beat
    }

    /// First song sample at or after which beat `b` has begun.
    #[inline]
    pub fn sample_at(&self, b: f64) -> i64 {
        self.anchor_sample + ((b - self.anchor_beat) * self.samples_per_beat).round() as i64
    }

    pub fn beat(&self) -> f64 {
        self.beat_at(self.song_sample)
    }

    /// Change tempo from the current sample on; the beat position is continuous.
    pub fn set_tempo(&mut self, bpm: f64) {
        if !(bpm.is_finite() && bpm > 0.0) {
            return;
        }
        self.anchor_beat = self.beat();
        self.anchor_sample = self.song_sample;
        self.bpm = bpm;
        self.samples_per_beat = self.rate * 60.0 / bpm;
    }

    /// Jump to `beat`.
    pub fn locate(&mut self, beat: f64) {
        self.anchor_beat = beat.max(0.0);
        self.anchor_sample = self.song_sample;
    }

    /// Advance the song clock by `n` samples (only while playing).
    pub fn advance(&mut self, n: usize) {
        if self.playing {
            self.song_sample += n as i64;
        }
    }

    /// Samples from now until the loop end, if a loop is set and ahead of us.
    pub fn samples_to_loop_end(&self) -> Option<i64> {
        let (start, end) = self.loop_range?;
        if end <= start || !self.playing {
            return None;
        }
        let d = self.sample_at(end) - self.song_sample;
        (d >= 0).then_some(d)
    }

    /// The next beat boundary strictly after now (now, if stopped or exactly on one).
    pub fn next_boundary(&self, beats: f64) -> f64 {
        let b = self.beat();
        let n = (b / beats).ceil() * beats;
        // A boundary we are sitting on counts as "now".
        if self.sample_at(n) < self.song_sample {
            n + beats
        } else {
            n
        }
    }

    /// Bar, beat (1-based) and tick (960 per beat) of the playhead.
    pub fn bbt(&self) -> (u32, u32, u32) {
        let b = self.beat().max(0.0);
        let bpb = self.beats_per_bar.max(1) as f64;
        let bar = (b / bpb).floor();
        let in_bar = b - bar * bpb;
        let beat = in_bar.floor();
        let tick = ((in_bar - beat) * 960.0).floor();
        (bar as u32 + 1, beat as u32 + 1, tick as u32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tempo_change_keeps_beat_continuous() {
        let mut t = Transport::new(48000.0, 120.0);
        t.playing = true;
        t.advance(24000);
        assert_eq!(t.beat(), 1.0);
        t.set_tempo(60.0);
        assert_eq!(t.beat(), 1.0);
        t.advance(48000);
        assert!((t.beat() - 2.0).abs() < 1e-12);
        assert_eq!(t.sample_at(3.0), 24000 + 48000 + 48000);
    }

    #[test]
    fn bbt_counts_from_one() {
        let mut t = Transport::new(48000.0, 120.0);
        t.playing = true;
        t.advance(24000 * 5 + 12000);
        assert_eq!(t.bbt(), (2, 2, 480));
    }
}
