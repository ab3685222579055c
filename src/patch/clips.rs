//! Timeline clips in the session file: `clips: [Clip(bar: 9, bars: 4,
//! pattern: Notes("..."))]` on a track, a pattern that replaces the track's
//! own loop for those bars of the song and starts from its beginning there.
//!
//! Control thread only; the shape in the file and its checks. Which clip
//! plays when is `session::arrange`'s.

use serde::{Deserialize, Serialize};

use super::format::{PatternDef, SessionFile, Track};

/// Clips one track may hold.
pub const MAX_CLIPS: usize = 256;

/// One clip on a track's timeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename = "Clip", deny_unknown_fields)]
pub struct TimelineClip {
    /// Where it starts, in bars counted from 1.
    pub bar: u32,
    /// How many bars it lasts.
    pub bars: u32,
    /// What the track plays there (a rest for the clip's bars if none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern: Option<PatternDef>,
}

impl TimelineClip {
    /// The clip's song beats, `[start, end)`.
    pub fn beats(&self, beats_per_bar: f64) -> (f64, f64) {
        let start = (self.bar.max(1) - 1) as f64 * beats_per_bar;
        (start, start + self.bars as f64 * beats_per_bar)
    }
}

/// Checks of a track's clips: from bar 1, at least a bar long, in order
/// and not overlapping.
pub fn check_clips(t: &Track) -> Result<(), String> {
    let n = t.name.as_str();
    if t.clips.len() > MAX_CLIPS {
        return Err(format!(
            "track \"{n}\": at most {MAX_CLIPS} clips, found {}",
            t.clips.len()
        ));
    }
    let mut end = 0u64;
    for c in &t.clips {
        if c.bar == 0 || c.bars == 0 {
            return Err(format!(
                "track \"{n}\": a clip starts at a bar from 1 and lasts at least one bar, found bar {} for {} bars",
                c.bar, c.bars
            ));
        }
        if (c.bar as u64) < end {
            return Err(format!(
                "track \"{n}\": the clip at bar {} starts before the one before it ends (bar {end}); clips are in order and do not overlap",
                c.bar
            ));
        }
        end = c.bar as u64 + c.bars as u64;
    }
    Ok(())
}

impl SessionFile {
    /// Each track's clip playing at song beat `beat`: (track, clip index).
    pub fn clips_at(&self, beat: f64) -> Vec<(String, usize)> {
        let bpb = self.beats_per_bar();
        self.tracks
            .iter()
            .filter_map(|t| {
                let i = t.clips.iter().position(|c| {
                    let (a, b) = c.beats(bpb);
                    beat >= a - 1e-9 && beat < b - 1e-9
                })?;
                Some((t.name.as_str().to_string(), i))
            })
            .collect()
    }

    /// The next clip start or end after `beat` and up to `until`, if any.
    pub fn clip_edge(&self, beat: f64, until: f64) -> Option<f64> {
        let bpb = self.beats_per_bar();
        self.tracks
            .iter()
            .flat_map(|t| &t.clips)
            .flat_map(|c| {
                let (a, b) = c.beats(bpb);
                [a, b]
            })
            .filter(|e| *e > beat + 1e-9 && *e <= until + 1e-9)
            .min_by(f64::total_cmp)
    }

    /// `self` with the clips of `on` laid over their tracks: the clip's
    /// pattern, started at the clip's first beat.
    pub fn with_clips(&self, on: &[(String, usize)]) -> SessionFile {
        let mut view = self.clone();
        let bpb = self.beats_per_bar();
        for (name, i) in on {
            if let Some(t) = view.track_mut(name) {
                if let Some(c) = t.clips.get(*i).cloned() {
                    t.pattern = c.pattern.clone();
                    t.phase = c.beats(bpb).0;
                }
            }
        }
        view
    }
}
