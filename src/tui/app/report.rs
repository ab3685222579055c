//! What the engine and the live inputs report, taken into the view state:
//! feedback and counters, the spectrum and loudness tap, meter decay,
//! reloads landing on their bar.
//!
//! Control thread (UI). Reads the rings without blocking; never waits for
//! the audio thread.

use std::time::Duration;

use super::{App, Stats, Status, StatusKind, Transport};
use crate::engine::{Counters, Feedback};
use crate::reload::ReloadStatus;

impl Stats {
    /// Read the counters the transport bar shows.
    pub fn read(c: &Counters) -> Stats {
        Stats {
            load_permille: Counters::get(&c.load_permille),
            block_frames: Counters::get(&c.callback_frames),
            engine_latency: Counters::get(&c.engine_latency),
            health: Default::default(),
        }
    }
}

/// What a player waits between a key press and hearing it, in frames: the
/// engine block it waits for (commands are taken at the start of a block),
/// the device buffer the block is queued in, and the limiter's look-ahead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Latency {
    pub rate: u32,
    pub buffer: u32,
    pub block: u32,
    pub lookahead: u32,
}

impl Latency {
    pub fn frames(&self) -> u32 {
        self.buffer + self.block + self.lookahead
    }

    pub fn ms(&self) -> f64 {
        self.frames() as f64 * 1000.0 / self.rate.max(1) as f64
    }
}

impl App {
    /// The whole output path's latency, once there is a sink. Before the
    /// first callback the block is taken to be the device buffer (the
    /// engine renders one callback's frames at a time).
    pub fn latency(&self) -> Option<Latency> {
        let sink = self.sink.as_ref()?;
        let block = match self.stats.block_frames {
            0 => sink.buffer(),
            n => n.min(u32::MAX as u64) as u32,
        };
        Some(Latency {
            rate: sink.rate(),
            buffer: sink.buffer(),
            block,
            lookahead: self.stats.engine_latency.min(u32::MAX as u64) as u32,
        })
    }

    /// Read what the audio thread reported (feedback, the tap, counters) and
    /// free what it handed back. Never blocks.
    pub fn pump(&mut self) {
        let mut fb = std::mem::take(&mut self.fb_buf);
        let mut tap = std::mem::take(&mut self.tap_buf);
        let stats =
            crate::host::drain_engine(&mut self.session, &mut fb, &mut tap).map(Stats::read);
        for f in fb.drain(..) {
            self.feedback(f);
        }
        if !tap.is_empty() {
            self.spectrum.push_interleaved(&tap);
            self.loudness.push_interleaved(&tap);
            self.ear.push_interleaved(&tap);
            tap.clear();
            let tenths = |v: Option<f64>| {
                v.filter(|v| v.is_finite())
                    .map(|v| (v * 10.0).round() as i64)
            };
            let shown = (
                tenths(self.loudness.momentary()),
                tenths(self.loudness.short_term()),
            );
            if shown != self.loudness_shown {
                self.loudness_shown = shown;
                self.changed = true;
            }
        }
        if let Some(mut s) = stats {
            // Health is read with the OSC counters, by the frame.
            s.health = self.stats.health;
            self.set_stats(s);
        }
        self.fb_buf = fb;
        self.tap_buf = tap;
    }

    /// A report from the audio thread.
    pub fn feedback(&mut self, f: Feedback) {
        match f {
            Feedback::Position {
                beat,
                bpm,
                playing,
                beats_per_bar,
                ..
            } => {
                let t = Some(Transport {
                    beat,
                    bpm,
                    playing,
                    beats_per_bar,
                });
                if t != self.transport {
                    self.transport = t;
                    self.changed = true;
                }
            }
            Feedback::Meter {
                slot,
                peak,
                rms,
                voices,
            } => {
                let m = match slot {
                    Some(s) => match self.meters.get_mut(s as usize) {
                        Some(m) => m,
                        None => return,
                    },
                    None => &mut self.master,
                };
                let before = *m;
                m.report(peak, rms, voices);
                self.changed |= *m != before;
            }
            Feedback::BusMeter { bus, peak, rms } => {
                if let Some(m) = self.bus_meters.get_mut(bus as usize) {
                    let before = *m;
                    m.report(peak, rms, 0);
                    self.changed |= *m != before;
                }
            }
            Feedback::Limiter { gain_db } => {
                if gain_db != self.limiter_db {
                    self.limiter_db = gain_db;
                    self.changed = true;
                }
            }
        }
    }

    pub fn set_stats(&mut self, stats: Stats) {
        // Load is shown in whole percent: finer jitter needs no redraw.
        let shown = |s: &Stats| {
            (
                s.load_permille / 10,
                (s.block_frames, s.engine_latency, s.health),
            )
        };
        if shown(&stats) != shown(&self.stats) {
            self.changed = true;
        }
        self.stats = stats;
    }

    /// Bar number (1-based) of song beat `b`.
    fn bar_of(&self, b: f64) -> i64 {
        let bpb = self.session.file().time_signature.beats.max(1) as f64;
        (b / bpb).floor() as i64 + 1
    }

    /// An armed reload whose bar the playhead reached has landed.
    fn check_landed(&mut self) {
        let Some((b, what, ms)) = &self.reload_pending else {
            return;
        };
        let Some(t) = self.transport else {
            return;
        };
        if t.beat + 1e-9 >= *b || !t.playing {
            let text = format!("reloaded at bar {}: {what} ({ms} ms)", self.bar_of(*b));
            self.reload = Some(Status {
                text,
                kind: StatusKind::Ok,
            });
            self.reload_pending = None;
            self.changed = true;
        }
    }

    /// Let time pass: meters fall, the spectrum analyses. `now` is the time
    /// since the UI started.
    pub fn tick(&mut self, now: Duration) {
        self.check_landed();
        let dt = now.saturating_sub(self.now);
        self.now = now;
        for m in self
            .meters
            .iter_mut()
            .chain(self.bus_meters.iter_mut())
            .chain(std::iter::once(&mut self.master))
        {
            self.changed |= m.tick(dt);
        }
        self.changed |= self.spectrum.tick(dt);
    }

    /// Show what a live input (a file save, OSC, MIDI) did.
    pub fn live_event(&mut self, e: crate::live::LiveEvent) {
        use crate::live::LiveEvent;
        use crate::midi::MidiReport;
        match e {
            LiveEvent::Reload(s) => self.reload_status(s),
            LiveEvent::Osc(line) => self.set_status(StatusKind::Info, line),
            LiveEvent::Midi(MidiReport::Applied(line)) => self.set_status(StatusKind::Info, line),
            LiveEvent::Midi(MidiReport::Learned { channel, cc }) => self.midi_learned(channel, cc),
            LiveEvent::Midi(MidiReport::Played {
                channel,
                note,
                velocity,
            }) => return self.midi_played(channel, note, velocity),
            LiveEvent::Notice(n) => self.set_status(StatusKind::Warning, n),
            LiveEvent::Sink(s) => {
                let kind = match s {
                    crate::audio::device::SinkInfo::Device { .. } => StatusKind::Ok,
                    _ => StatusKind::Warning,
                };
                self.set_status(kind, format!("sound: {}", s.describe()));
                self.sink = Some(s);
            }
        }
        self.clamp_selection();
    }

    /// Show what a reload did.
    pub fn reload_status(&mut self, s: ReloadStatus) {
        match s {
            ReloadStatus::Applied {
                changes,
                took,
                lands_at,
            } => {
                self.reload_error = None;
                let what = match changes.len() {
                    0 => String::new(),
                    1 => changes[0].clone(),
                    n => format!("{n} changes: {}", changes.join("; ")),
                };
                let ms = took.as_millis();
                let (text, kind) = match (changes.is_empty(), lands_at) {
                    (true, _) => ("reloaded: file is fine again".to_string(), StatusKind::Ok),
                    (false, Some(b)) => {
                        self.reload_pending = Some((b, what.clone(), ms));
                        (
                            format!("reload armed for bar {}: {what} ({ms} ms)", self.bar_of(b)),
                            StatusKind::Info,
                        )
                    }
                    (false, None) => (format!("reloaded: {what} ({ms} ms)"), StatusKind::Ok),
                };
                self.reload = Some(Status { text, kind });
            }
            ReloadStatus::Failed { report } => {
                self.reload_pending = None;
                let first = report.lines().next().unwrap_or("").to_string();
                self.reload = Some(Status {
                    text: format!("reload failed, still playing the last good version: {first}"),
                    kind: StatusKind::Error,
                });
                self.reload_error = Some(report);
            }
        }
        self.clamp_selection();
        self.changed = true;
    }
}
