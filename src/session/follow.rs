//! The session's view of a transport that something outside drives: MIDI
//! clock in, or an Ableton Link session. The engine follows them by
//! itself (`engine/follow.rs`); here the control thread only learns what
//! to show (playing or not, the tempo playing, Link's peers). None of it
//! is an edit: nothing to undo, nothing unsaved.

use super::Session;
use crate::engine::Op;

impl Session {
    /// An external clock started or stopped the transport (the engine
    /// follows it by itself): the session's view of it, no edit.
    pub fn follow_playing(&mut self, playing: bool) {
        self.playing = playing;
    }

    /// The tempo playing: an external clock's or Link's while one is
    /// followed, else the session's.
    pub fn tempo_now(&self) -> f64 {
        self.engine
            .as_ref()
            .filter(|_| self.file.midi.clock || self.link.is_some())
            .and_then(|e| e.counters.followed_tempo())
            .unwrap_or(self.file.tempo)
    }

    /// The host joined a Link session (`Some(peers)`) or left it. While
    /// in one, the transport follows it whatever `midi.clock` says.
    pub fn set_link(&mut self, peers: Option<u64>) {
        let left = self.link.is_some() && peers.is_none();
        self.link = peers;
        if left && !self.file.midi.clock {
            self.send(Op::FollowClock { on: false });
            self.send(Op::Tempo {
                bpm: self.file.tempo,
            });
        }
    }

    /// Link's peers (other apps in the session), while in one.
    pub fn link_peers(&self) -> Option<u64> {
        self.link
    }
}
