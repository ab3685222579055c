//! Which part of the song plays: song mode (the song order leads) or live
//! mode (launched sections and their follow actions), what is queued, the
//! song's end, and jumps to markers.
//!
//! Control thread only. [`Session::tick`] runs often (before every block of
//! an offline render, on every turn of the host loop) and schedules each
//! section change a little ahead, as `When::Beat` of the bar it starts, so
//! it lands on the first sample of that bar whatever the tick's timing. A
//! section change is an ordinary sync from one view of the model (the file
//! with a section's parts laid over it) to another: only what differs is
//! sent, and nothing is built on the audio thread.

use crate::action::ActionError;
use crate::engine::{Op, When};
use crate::patch::SessionFile;

use super::{Applied, Session};

/// Who leads: the song order, or the musician's launches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    #[default]
    Song,
    Live,
}

/// How far ahead of the playhead a change is scheduled, in beats. Far
/// enough that a host loop turn (tens of ms) or a large audio buffer cannot
/// pass it; near enough that a launch or an edit made meanwhile is rare.
const LOOKAHEAD_BEATS: f64 = 1.0;

/// Engine samples a jump keeps the song order from leading, beyond the
/// jump itself: the playhead the session reads lags the engine by a block.
const HOLD_SAMPLES: u64 = 8192;

#[derive(Debug, Default)]
pub(super) struct Arrangement {
    pub mode: Mode,
    /// The section the engine has been sent (it may still be waiting to land).
    pub sounding: Option<String>,
    /// The beat `sounding` starts (or started) on.
    since: f64,
    /// `since`, while it is still ahead of the playhead.
    pending: Option<f64>,
    /// What played before `sounding` (shown as playing while that is queued).
    previous: Option<(String, f64)>,
    /// Song mode: the song order entry sent.
    entry: Option<usize>,
    /// Song mode: the song's end is scheduled.
    end_sent: bool,
    /// After a jump: engine sample until which the playhead read is stale.
    hold_until: u64,
    /// The timeline clips the engine has been sent: (track, clip index).
    pub clips: Vec<(String, usize)>,
    /// The clip edge (song beat) those are scheduled for, while ahead.
    clip_edge: Option<f64>,
}

/// What plays and what is queued, for the screen and the chat.
#[derive(Debug, Clone, PartialEq)]
pub struct Form {
    pub mode: Mode,
    /// The section playing and the beat it started on.
    pub playing: Option<(String, f64)>,
    /// A section waiting to start, and the beat it starts on.
    pub queued: Option<(String, f64)>,
}

impl Arrangement {
    /// Where a session opens: at the start of its song, if it has one.
    pub fn open(file: &SessionFile) -> Self {
        let first = file.timeline().first().map(|e| e.0);
        Self {
            mode: Mode::Song,
            sounding: first.map(|i| file.sections[i].name.as_str().to_string()),
            entry: first.map(|_| 0),
            ..Self::default()
        }
    }
}

/// Song order entries as (section name, first beat, end beat).
fn entries(f: &SessionFile) -> Vec<(&str, f64, f64)> {
    let bpb = f.beats_per_bar();
    f.timeline()
        .into_iter()
        .map(|(i, bar, bars)| {
            let start = bar as f64 * bpb;
            (
                f.sections[i].name.as_str(),
                start,
                start + bars as f64 * bpb,
            )
        })
        .collect()
}

impl Session {
    /// Send the engine what it takes to go from playing `old` to playing
    /// `new`, each as it sounds in the section playing. The automation
    /// follows once `new` is the session's file ([`Session::sync_automation`]).
    pub(super) fn sync(&mut self, old: &SessionFile, new: &SessionFile, force: bool) {
        let (a, b) = (self.view(old), self.view(new));
        self.sync_views(&a, &b, force);
    }

    /// The model as it sounds in the section the engine was sent.
    pub(super) fn view(&self, f: &SessionFile) -> SessionFile {
        let v = f.in_section(self.arr.sounding.as_deref());
        if self.arr.clips.is_empty() {
            v
        } else {
            v.with_clips(&self.arr.clips)
        }
    }

    /// Send what it takes for the timeline clips `on` to play from `when`.
    fn switch_clips(&mut self, on: Vec<(String, usize)>, when: When) {
        let old = self.view(&self.file);
        self.arr.clips = on;
        let new = self.view(&self.file);
        let saved = std::mem::replace(&mut self.land, when);
        self.sync_views(&old, &new, false);
        self.land = saved;
    }

    /// Timeline clips: schedule the next clip start or end ahead of the
    /// playhead on its beat; anywhere else (a jump, a loop, an edit) put
    /// the clips of where the playhead is.
    fn follow_clips(&mut self, beat: f64) {
        if self.arr.clips.is_empty() && self.file.tracks.iter().all(|t| t.clips.is_empty()) {
            return;
        }
        if let Some(e) = self.arr.clip_edge {
            if beat + 1e-9 < e {
                return;
            }
            self.arr.clip_edge = None;
        }
        if let Some(edge) = self.file.clip_edge(beat, beat + LOOKAHEAD_BEATS) {
            let want = self.file.clips_at(edge);
            if want != self.arr.clips {
                self.arr.clip_edge = Some(edge);
                self.switch_clips(want, When::Beat(edge));
            }
            return;
        }
        let want = self.file.clips_at(beat);
        if want != self.arr.clips {
            self.switch_clips(want, When::Now);
        }
    }

    /// What plays and what is queued.
    pub fn form(&self) -> Form {
        let a = &self.arr;
        let current = a.sounding.clone().map(|s| (s, a.since));
        let (playing, queued) = match a.pending {
            Some(b) => (a.previous.clone(), current.map(|(s, _)| (s, b))),
            None => (current, None),
        };
        Form {
            mode: a.mode,
            playing,
            queued,
        }
    }

    /// Send what it takes to go from the section sounding to `to`, landing
    /// at `when`.
    fn switch(&mut self, to: Option<String>, since: f64, when: When) {
        let old = self.view(&self.file);
        let was = self.arr.sounding.clone().map(|s| (s, self.arr.since));
        self.arr.sounding = to;
        self.arr.since = since;
        self.arr.pending = matches!(when, When::Beat(_)).then_some(since);
        self.arr.previous = was;
        let new = self.view(&self.file);
        let saved = std::mem::replace(&mut self.land, when);
        self.sync_views(&old, &new, false);
        self.land = saved;
        self.sync_automation();
    }

    pub(super) fn playhead(&self) -> Option<(f64, bool, u64)> {
        let h = self.engine.as_ref()?;
        let (beat, playing) = h.counters.position();
        Some((beat, playing, h.counters.clock()))
    }

    fn samples_per_beat(&self) -> f64 {
        self.rate as f64 * 60.0 / self.file.tempo
    }

    /// Keep the song going: schedule the next section of the song order or
    /// the follow action, and the song's end. Cheap when nothing is due.
    pub fn tick(&mut self) {
        self.land_processed();
        self.land_decoded();
        let Some((beat, playing, clock)) = self.playhead() else {
            return;
        };
        if let Some(p) = self.arr.pending {
            if beat >= p && clock >= self.arr.hold_until {
                self.arr.pending = None;
            }
        }
        if !playing {
            if self.arr.end_sent {
                self.playing = false;
            }
            return;
        }
        if clock < self.arr.hold_until {
            return;
        }
        match self.arr.mode {
            Mode::Song => self.follow_song(beat),
            Mode::Live => self.follow_then(beat),
        }
        self.follow_clips(beat);
    }

    fn follow_song(&mut self, beat: f64) {
        let list = entries(&self.file);
        let Some(&(_, _, end)) = list.last() else {
            return;
        };
        let mut ahead = beat + LOOKAHEAD_BEATS;
        if let Some((first, last)) = self.file.loop_bars {
            let bpb = self.file.beats_per_bar();
            let (a, b) = ((first - 1) as f64 * bpb, last as f64 * bpb);
            if beat < b && ahead >= b {
                ahead = a + (ahead - b);
            }
        }
        if ahead >= end {
            if !self.arr.end_sent && self.file.loop_bars.is_none() {
                self.arr.end_sent = true;
                self.send_at(Op::Stop, When::Beat(end));
            }
            return;
        }
        let Some(k) = list.iter().rposition(|e| e.1 <= ahead) else {
            return;
        };
        if self.arr.entry == Some(k) {
            return;
        }
        let (name, start, _) = list[k];
        let name = name.to_string();
        self.arr.entry = Some(k);
        let when = if start > beat {
            When::Beat(start)
        } else {
            When::Now
        };
        self.switch(Some(name), start, when);
    }

    fn follow_then(&mut self, beat: f64) {
        if self.arr.pending.is_some() {
            return;
        }
        let Some(sec) = self
            .arr
            .sounding
            .as_deref()
            .and_then(|s| self.file.section(s))
        else {
            return;
        };
        let Some(next) = sec.then.clone() else {
            return;
        };
        let end = self.arr.since + sec.bars as f64 * self.file.beats_per_bar();
        if end - beat <= LOOKAHEAD_BEATS {
            let when = if end > beat {
                When::Beat(end)
            } else {
                When::Now
            };
            self.switch(Some(next), end.max(beat), when);
        }
    }

    /// Before play: a song that played to its end starts again.
    pub(super) fn rewind_finished_song(&mut self) {
        let done = self.arr.end_sent;
        self.arr.end_sent = false;
        if done && self.arr.mode == Mode::Song {
            self.jump(0.0, When::Now);
        }
    }

    /// `launch_section`: live mode, the section starts on the next bar.
    pub(super) fn launch(&mut self, name: &str) -> Result<Applied, ActionError> {
        if self.file.section(name).is_none() {
            return Err(ActionError::Invalid(super::form::no_section(
                &self.file, name,
            )));
        }
        self.arr.mode = Mode::Live;
        self.arr.entry = None;
        let when = self.when_for(crate::patch::Quantum::Bar);
        let (since, said) = match when {
            When::Beat(b) => (
                b,
                format!("section {name} queued for bar {}", bar_of(&self.file, b)),
            ),
            _ => {
                let beat = self.playhead().map(|p| p.0).unwrap_or(0.0);
                let bpb = self.file.beats_per_bar();
                ((beat / bpb).floor() * bpb, format!("section {name}"))
            }
        };
        self.switch(Some(name.to_string()), since, when);
        Ok(Applied { description: said })
    }

    /// `play_song`: the song order leads again, from where the playhead is.
    pub(super) fn play_song(&mut self) -> Result<Applied, ActionError> {
        if self.file.song.is_empty() {
            return Err(ActionError::Invalid(
                "the session has no song order (song: [(\"intro\", 1), …])".into(),
            ));
        }
        self.arr.mode = Mode::Song;
        self.arr.entry = None;
        self.arr.end_sent = false;
        self.arr.hold_until = 0;
        let beat = self.playhead().map(|p| p.0).unwrap_or(0.0);
        self.follow_song(beat);
        Ok(Applied {
            description: "following the song".into(),
        })
    }

    /// Move the playhead to `target` (beats) at `when`; in song mode the
    /// section of the song order there comes with it.
    pub(super) fn jump(&mut self, target: f64, when: When) {
        let (beat, _, clock) = self.playhead().unwrap_or((0.0, false, 0));
        let wait = match when {
            When::Beat(b) => ((b - beat).max(0.0) * self.samples_per_beat()) as u64,
            _ => 0,
        };
        self.arr.hold_until = clock + wait + HOLD_SAMPLES;
        self.arr.end_sent = false;
        self.send_at(Op::Locate { beat: target }, when);
        let clips = self.file.clips_at(target);
        if clips != self.arr.clips {
            self.arr.clip_edge = None;
            self.switch_clips(clips, when);
        }
        if self.arr.mode == Mode::Song {
            let list = entries(&self.file);
            if let Some(k) = list.iter().rposition(|e| e.1 <= target) {
                let (name, start) = (list[k].0.to_string(), list[k].1);
                self.arr.entry = Some(k);
                self.switch(Some(name), start, when);
            }
        }
    }

    /// Where `place` (a marker, else a section of the song order) is, in beats.
    pub(super) fn place(&self, place: &str) -> Result<f64, ActionError> {
        let bpb = self.file.beats_per_bar();
        if let Some(bar) = self.file.markers.get(place) {
            return Ok((bar - 1.0) * bpb);
        }
        if let Some(e) = entries(&self.file).iter().find(|e| e.0 == place) {
            return Ok(e.1);
        }
        let mut names: Vec<&str> = self.file.markers.keys().map(String::as_str).collect();
        names.extend(self.file.song.iter().map(|(n, _)| n.as_str()));
        let hint = crate::suggest::closest(place, &names)
            .map(|(_, s)| format!(" (did you mean \"{s}\"?)"))
            .unwrap_or_default();
        Err(ActionError::Invalid(format!(
            "no marker or section of the song named \"{place}\"{hint}"
        )))
    }

    /// The markers in order of position, in beats.
    pub(super) fn marker_beats(&self) -> Vec<(String, f64)> {
        let bpb = self.file.beats_per_bar();
        let mut m: Vec<(String, f64)> = self
            .file
            .markers
            .iter()
            .map(|(n, b)| (n.clone(), (b - 1.0) * bpb))
            .collect();
        m.sort_by(|a, b| a.1.total_cmp(&b.1));
        m
    }

    /// `jump_to`, `next_marker`, `prev_marker`: `step` 0 names the place,
    /// 1 is the next marker, -1 the previous one.
    pub(super) fn jump_to(
        &mut self,
        place: Option<&str>,
        step: i32,
    ) -> Result<Applied, ActionError> {
        let (beat, _, _) = self.playhead().unwrap_or((0.0, false, 0));
        let (name, target) = match place {
            Some(p) => (p.to_string(), self.place(p)?),
            None => {
                let m = self.marker_beats();
                let bpb = self.file.beats_per_bar();
                let bar_start = (beat / bpb).floor() * bpb;
                let hit = if step > 0 {
                    m.into_iter().find(|x| x.1 > beat + 1e-9)
                } else {
                    m.into_iter().rev().find(|x| x.1 < bar_start - 1e-9)
                };
                hit.ok_or_else(|| {
                    ActionError::Invalid(if step > 0 {
                        "no marker after the playhead".into()
                    } else {
                        "no marker before the playhead".into()
                    })
                })?
            }
        };
        if !self.file.song.is_empty() && place.is_some() {
            self.arr.mode = Mode::Song;
        }
        let when = self.when_for(crate::patch::Quantum::Bar);
        self.jump(target, when);
        Ok(Applied {
            description: format!("jump to {name} (bar {})", bar_of(&self.file, target)),
        })
    }

    /// `loop_section`: the bars of the section playing, as a file loop.
    pub(super) fn section_loop(&self) -> Result<(i64, i64), ActionError> {
        if self.file.loop_bars.is_some() {
            return Ok((0, 0));
        }
        let name = self
            .arr
            .sounding
            .as_deref()
            .ok_or_else(|| ActionError::Invalid("no section is playing".into()))?;
        let bars = self.file.section(name).map(|s| s.bars).unwrap_or(1) as i64;
        let first = (self.arr.since / self.file.beats_per_bar()).round() as i64 + 1;
        Ok((first, first + bars - 1))
    }
}

/// The bar (from 1) a beat falls in.
fn bar_of(f: &SessionFile, beat: f64) -> u64 {
    (beat / f.beats_per_bar()).floor() as u64 + 1
}
