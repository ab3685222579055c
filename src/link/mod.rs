//! Ableton Link: tempo, the bar's phase and (when asked) start and stop
//! shared with the other apps in a Link session on the network.
//!
//! Control side. [`Link`] is owned by the host; its `turn` runs on the
//! control thread once a loop and tells Link what the musician changed
//! (the session's tempo, play and stop) and the session what Link says
//! (play and stop, the peers). A thread of its own (`link/ticks.rs`) reads
//! Link's timeline and sends the engine, through a live input port, one
//! tick every 1/24 beat on the sample at which Link says that tick is
//! heard, each saying where it is in the shared bar; the engine follows
//! them as it follows MIDI clock (`engine/follow.rs`), so the beat is
//! locked in phase and a take of it replays bit for bit (the ticks are in
//! its log). Nothing here runs on the audio thread.
//!
//! Built only with the cargo feature `link` (rusty_link, GPL-2.0-or-later);
//! without it [`Link::join`] says how to get it.

#[cfg(feature = "link")]
mod ticks;

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicU8, Ordering};
use std::sync::Arc;

use crate::session::Session;

/// How termdaw takes part in a Link session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LinkOptions {
    /// Play and stop are shared too (Link's start/stop sync).
    pub start_stop: bool,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LinkError {
    #[error(
        "this termdaw was built without Ableton Link: build it with \
         `cargo build --release --features link` (GPL-licensed, see README)"
    )]
    NotBuilt,
    #[error("no engine to follow Link")]
    NoEngine,
    #[error("Link needs one of the engine's live input ports, and none is free")]
    NoPort,
    #[error("cannot start the Link thread: {0}")]
    Thread(String),
}

/// What the control side and the Link thread tell each other.
#[derive(Debug, Default)]
struct Shared {
    stop: AtomicBool,
    peers: AtomicU64,
    /// A tempo to give Link (f64 bits; 0: none waiting).
    tempo: AtomicU64,
    /// Play (1) or stop (2) to give Link; 0: none waiting.
    transport: AtomicU8,
    /// Link's play state changed: playing (1) or stopped (2); 0: no news.
    heard: AtomicU8,
    /// Beats in the session's bar: Link's quantum (f64 bits).
    quantum: AtomicU64,
}

const PLAY: u8 = 1;
const STOP: u8 = 2;

/// termdaw in a Link session (it leaves when dropped).
pub struct Link {
    shared: Arc<Shared>,
    opts: LinkOptions,
    #[cfg(feature = "link")]
    thread: Option<std::thread::JoinHandle<()>>,
    /// What the control side last told Link or heard from it.
    tempo: f64,
    playing: bool,
    peers: Option<u64>,
}

impl Link {
    /// Control thread: join a Link session (enabled at once) at the
    /// session's tempo, with the output's `latency` in frames at `rate`
    /// (a tick is placed on the sample heard when Link says it is due).
    pub fn join(
        session: &mut Session,
        opts: LinkOptions,
        rate: f64,
        latency: u64,
    ) -> Result<Link, LinkError> {
        #[cfg(not(feature = "link"))]
        {
            let _ = (session, opts, rate, latency);
            Err(LinkError::NotBuilt)
        }
        #[cfg(feature = "link")]
        {
            let shared = Arc::new(Shared::default());
            let tempo = session.file().tempo;
            let beats = session.file().time_signature.beats.max(1) as f64;
            shared.quantum.store(beats.to_bits(), Ordering::Relaxed);
            let h = session.engine_mut().ok_or(LinkError::NoEngine)?;
            let port = h.take_input().ok_or(LinkError::NoPort)?;
            let counters = h.counters.clone();
            let t = ticks::Ticks::new(tempo, opts, port, counters, rate, latency);
            let thread = {
                let shared = shared.clone();
                std::thread::Builder::new()
                    .name("termdaw-link".into())
                    .spawn(move || t.run(&shared))
                    .map_err(|e| LinkError::Thread(e.to_string()))?
            };
            session.set_link(Some(0));
            Ok(Link {
                shared,
                opts,
                thread: Some(thread),
                tempo,
                playing: session.is_playing(),
                peers: None,
            })
        }
    }

    /// Control thread, once a loop: the session's tempo and bar (and its
    /// play and stop, with start/stop sync) to Link; Link's play and stop
    /// and peers to the session. Returns what the musician should be told.
    pub fn turn(&mut self, session: &mut Session) -> Option<String> {
        let f = session.file();
        let beats = f.time_signature.beats.max(1) as f64;
        self.shared
            .quantum
            .store(beats.to_bits(), Ordering::Relaxed);
        if f.tempo != self.tempo {
            self.tempo = f.tempo;
            self.shared
                .tempo
                .store(f.tempo.to_bits(), Ordering::Relaxed);
        }
        if self.opts.start_stop {
            match self.shared.heard.swap(0, Ordering::Relaxed) {
                // A peer played or stopped: the engine heard it through
                // the port; the session's view follows.
                heard @ (PLAY | STOP) => {
                    self.playing = heard == PLAY;
                    session.follow_playing(self.playing);
                }
                // The musician played or stopped: Link hears it.
                _ if session.is_playing() != self.playing => {
                    self.playing = session.is_playing();
                    let ask = if self.playing { PLAY } else { STOP };
                    self.shared.transport.store(ask, Ordering::Relaxed);
                }
                _ => {}
            }
        }
        let peers = self.shared.peers.load(Ordering::Relaxed);
        session.set_link(Some(peers));
        if self.peers == Some(peers) {
            return None;
        }
        self.peers = Some(peers);
        Some(match peers {
            1 => "Link: 1 peer".to_string(),
            n => format!("Link: {n} peers"),
        })
    }

    /// The line a headless run prints.
    pub fn line(&self) -> String {
        format!(
            "Link: on{}",
            if self.opts.start_stop {
                ", start/stop shared"
            } else {
                ""
            }
        )
    }
}

impl Drop for Link {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::Relaxed);
        #[cfg(feature = "link")]
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
