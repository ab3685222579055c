//! The chat seen from the UI: sending a prompt with the live state in its
//! context, polling the worker, and what `listen` hears, read from the
//! mixer's own meters, the loudness and spectrum taps and the MIDI played.
//!
//! Control thread (UI). Builds the live state only when a prompt is sent
//! or the model calls `listen`; never waits for the worker.

use std::collections::VecDeque;

use super::App;
use crate::analysis::{bands::Recent, loudness};
use crate::chat::listen::{Level, Live, Played};
use crate::session::Session;
use crate::tui::meter::Meter;

/// MIDI notes kept for `listen` (the oldest go first).
const MAX_PLAYED: usize = 256;

/// What `listen` reads, lent from the App while the chat and the session
/// are lent to the chat's poll.
struct Ears<'a> {
    meters: &'a [Meter],
    master: &'a Meter,
    loudness: &'a loudness::Meter,
    ear: &'a Recent,
    played: &'a VecDeque<Played>,
}

impl Ears<'_> {
    fn live(&self, session: &Session) -> Option<Live> {
        let h = session.engine()?;
        let (beat, playing) = h.counters.position();
        let f = session.file();
        let any_solo = f.tracks.iter().any(|t| t.solo);
        let level = |m: &Meter| Level {
            peak: m.peak,
            rms: m.rms,
        };
        Some(Live {
            playing,
            tempo: f.tempo,
            beat,
            beats_per_bar: f.time_signature.beats,
            section: session.form().playing.map(|(s, _)| s),
            master: level(self.master),
            tracks: f
                .tracks
                .iter()
                .map(|t| {
                    let m = session
                        .slot(t.name.as_str())
                        .and_then(|s| self.meters.get(s as usize).copied())
                        .unwrap_or_default();
                    let heard = !t.mute && (!any_solo || t.solo);
                    (t.name.to_string(), level(&m), heard)
                })
                .collect(),
            momentary: self.loudness.momentary(),
            short_term: self.loudness.short_term(),
            bands: self.ear.bands(),
            band_seconds: self.ear.seconds(),
            notes: self.played.iter().copied().collect(),
        })
    }
}

impl App {
    fn ears(&self) -> Ears<'_> {
        Ears {
            meters: &self.meters,
            master: &self.master,
            loudness: &self.loudness,
            ear: &self.ear,
            played: &self.played,
        }
    }

    /// What the engine sounds like now, as `listen` tells it (None without
    /// an engine).
    pub fn live(&self) -> Option<Live> {
        self.ears().live(&self.session)
    }

    /// Send what was typed in the chat (a prompt or a slash command); the
    /// prompt's context carries the live state.
    pub fn send_chat(&mut self, input: &str) {
        let live = self.live().map(|l| l.compact());
        self.chat.set_live_context(live);
        self.chat.submit(input, &mut self.session);
        self.clamp_selection();
    }

    /// Take in what the chat's worker sent and apply its tool calls.
    /// Never blocks.
    pub fn poll_chat(&mut self) {
        if !self.chat.is_busy() {
            return;
        }
        let ears = Ears {
            meters: &self.meters,
            master: &self.master,
            loudness: &self.loudness,
            ear: &self.ear,
            played: &self.played,
        };
        if !self
            .chat
            .poll_live(&mut self.session, &|s| ears.live(s))
            .is_empty()
        {
            self.changed = true;
            self.clamp_selection();
        }
    }

    /// A note played on a MIDI input, kept for `listen`.
    pub(super) fn midi_played(&mut self, channel: u8, note: u8, velocity: u8) {
        let beat = self
            .session
            .engine()
            .map(|h| h.counters.position().0)
            .unwrap_or(0.0);
        if self.played.len() >= MAX_PLAYED {
            self.played.pop_front();
        }
        self.played.push_back(Played {
            beat,
            channel,
            note,
            velocity,
        });
    }
}
