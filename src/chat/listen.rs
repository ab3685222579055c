//! The `listen` tool and the live state in each turn's context: what the
//! running engine sounds like now, read from the meters, the loudness and
//! spectrum taps and the MIDI played, without rendering anything.
//!
//! Control thread. The UI fills a [`Live`] from its own meters (so the
//! model reads the numbers the mixer shows) when the model asks; this
//! module only words it.

use serde_json::json;

use super::message::ToolDef;
use crate::patch::note_name;

pub const LISTEN: &str = "listen";
/// MIDI notes told are those of the last this many bars.
pub const NOTE_BARS: f64 = 4.0;
/// Most notes told (the latest).
const MAX_NOTES: usize = 64;

/// A meter's reading, dBFS.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Level {
    pub peak: f32,
    pub rms: f32,
}

/// A note played on a MIDI input.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Played {
    /// The song beat it was heard at.
    pub beat: f64,
    pub channel: u8,
    pub note: u8,
    pub velocity: u8,
}

/// What the engine sounds like now.
#[derive(Debug, Clone, PartialEq)]
pub struct Live {
    pub playing: bool,
    pub tempo: f64,
    pub beat: f64,
    pub beats_per_bar: u8,
    /// The section playing, when the session has sections.
    pub section: Option<String>,
    pub master: Level,
    /// Each track: name, meter, whether it is heard (not muted, soloed out).
    pub tracks: Vec<(String, Level, bool)>,
    pub momentary: Option<f64>,
    pub short_term: Option<f64>,
    /// 1/3-octave bands (centre Hz, dBFS) of the last seconds.
    pub bands: Vec<(f32, f32)>,
    pub band_seconds: f64,
    /// MIDI notes played, oldest first.
    pub notes: Vec<Played>,
}

pub fn tool() -> ToolDef {
    ToolDef {
        name: LISTEN.into(),
        description: "Listen to the engine playing now, without rendering: master and track \
                      peak/RMS as the meters show them, momentary and short-term LUFS, a \
                      1/3-octave spectrum of the last seconds, the bar and section, and the \
                      MIDI notes played in the last bars."
            .into(),
        schema: json!({"type": "object", "properties": {}, "required": [], "additionalProperties": false}),
    }
}

fn db(v: f32) -> String {
    if v <= -119.0 {
        "-inf".into()
    } else {
        format!("{v:.1}")
    }
}

fn lufs(v: Option<f64>) -> String {
    v.filter(|v| v.is_finite())
        .map_or("–".into(), |v| format!("{v:.1} LUFS"))
}

impl Live {
    /// Bar and beat (from 1) of `beat`.
    fn place(&self, beat: f64) -> (i64, i64) {
        let bpb = self.beats_per_bar.max(1) as f64;
        (
            (beat / bpb).floor() as i64 + 1,
            (beat % bpb).floor() as i64 + 1,
        )
    }

    fn where_(&self) -> String {
        let (bar, beat) = self.place(self.beat);
        let state = if self.playing { "playing" } else { "stopped" };
        let section = self
            .section
            .as_ref()
            .map_or(String::new(), |s| format!(", section \"{s}\""));
        format!(
            "{state} at {} BPM, bar {bar} beat {beat}{section}",
            self.tempo
        )
    }

    /// The tool's answer.
    pub fn text(&self) -> String {
        let mut s = format!(
            "{}\nmaster: peak {} dBFS, RMS {} dBFS; loudness momentary {}, short-term {}\n\
             tracks (peak / RMS dBFS, as the mixer's meters show them):\n",
            self.where_(),
            db(self.master.peak),
            db(self.master.rms),
            lufs(self.momentary),
            lufs(self.short_term),
        );
        for (name, l, heard) in &self.tracks {
            let off = if *heard {
                ""
            } else {
                " (not heard: muted or soloed out)"
            };
            s += &format!("  {name}: {} / {}{off}\n", db(l.peak), db(l.rms));
        }
        let bands: Vec<String> = self
            .bands
            .iter()
            .map(|(c, v)| format!("{} {:.0}", hz(*c), v.max(-99.0)))
            .collect();
        s += &format!(
            "1/3-octave spectrum of the last {:.1} s (Hz dBFS): {}\n",
            self.band_seconds,
            bands.join(", ")
        );
        let from = self.beat - NOTE_BARS * self.beats_per_bar.max(1) as f64;
        let recent: Vec<&Played> = self.notes.iter().filter(|n| n.beat >= from).collect();
        let notes: Vec<String> = recent[recent.len().saturating_sub(MAX_NOTES)..]
            .iter()
            .map(|n| {
                let (bar, beat) = self.place(n.beat);
                format!(
                    "bar {bar} beat {beat} {} (ch {}, vel {})",
                    note_name(n.note as i32),
                    n.channel,
                    n.velocity
                )
            })
            .collect();
        s += &format!(
            "MIDI notes played in the last {NOTE_BARS} bars: {}\n",
            if notes.is_empty() {
                "none".to_string()
            } else {
                notes.join(", ")
            }
        );
        s
    }

    /// One line for each turn's context.
    pub fn compact(&self) -> String {
        let heard: Vec<String> = self
            .tracks
            .iter()
            .filter(|(_, l, heard)| *heard && l.peak > -60.0)
            .map(|(n, l, _)| format!("{n} {}", db(l.peak)))
            .collect();
        format!(
            "Live now: {}; master peak {} dBFS, short-term {}; sounding (peak dBFS): {}. Call listen for more.",
            self.where_(),
            db(self.master.peak),
            lufs(self.short_term),
            if heard.is_empty() {
                "nothing".to_string()
            } else {
                heard.join(", ")
            }
        )
    }
}

fn hz(c: f32) -> String {
    if c >= 1000.0 {
        format!("{}k", c / 1000.0)
    } else {
        format!("{c}")
    }
}
