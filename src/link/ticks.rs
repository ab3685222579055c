//! The Link thread: Link's timeline turned into ticks on engine samples.
//!
//! Its own thread (never the audio thread): every millisecond it reads
//! Link's session state, hands Link what the control side asked for
//! (a tempo, play, stop), and sends the engine, through a live input
//! port, the ticks (24 a beat) that fall due within the next two blocks,
//! each on the engine sample that is heard when Link says the tick is
//! due. Engine samples are mapped to Link's clock by a linear fit over
//! the moments the engine's clock was seen to move (Link's own host time
//! filter), shifted by the output's latency, so two peers' beats meet in
//! the air, not in their buffers. It may sleep and allocate; it never
//! blocks the engine (a full port drops a tick, which the engine's
//! follower counts back).

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use rusty_link::{AblLink, HostTimeFilter, SessionState};

use super::{LinkOptions, Shared, PLAY, STOP};
use crate::engine::follow::{ClockMsg, PPQN};
use crate::engine::Counters;
use crate::handle::InputPort;

/// A filtered host time this far from the moment it was read means the
/// engine's clock jumped (the output moved to another device): start the
/// fit again.
const REFIT_US: i64 = 50_000;

/// Ticks sent in one pass at most.
const MAX_TICKS_A_PASS: usize = 64;

pub(super) struct Ticks {
    link: AblLink,
    state: SessionState,
    filter: HostTimeFilter,
    port: InputPort,
    counters: Arc<Counters>,
    rate: f64,
    /// The output's latency in µs: a sample rendered now is heard then.
    latency_us: f64,
    start_stop: bool,
}

impl Ticks {
    pub(super) fn new(
        tempo: f64,
        opts: LinkOptions,
        port: InputPort,
        counters: Arc<Counters>,
        rate: f64,
        latency: u64,
    ) -> Ticks {
        let link = AblLink::new(tempo);
        link.enable_start_stop_sync(opts.start_stop);
        link.enable(true);
        Ticks {
            link,
            state: SessionState::new(),
            filter: HostTimeFilter::new(),
            port,
            counters,
            rate,
            latency_us: latency as f64 * 1e6 / rate,
            start_stop: opts.start_stop,
        }
    }

    pub(super) fn run(mut self, shared: &Shared) {
        self.port.follow(true);
        // Where the engine's clock was last seen to move: (Link's host
        // time for that sample, the sample).
        let mut anchor: Option<(i64, u64)> = None;
        let mut seen = u64::MAX;
        // The next tick to send, counted in Link's beats × 24.
        let mut next: Option<i64> = None;
        let mut was_playing: Option<bool> = None;
        while !shared.stop.load(Ordering::Relaxed) {
            let now = self.link.clock_micros();
            let clock = self.counters.clock();
            if clock != seen {
                seen = clock;
                let mut host = self.filter.sample_time_to_host_time(now, clock);
                if (host - now).abs() > REFIT_US {
                    self.filter.reset();
                    host = self.filter.sample_time_to_host_time(now, clock);
                }
                anchor = Some((host, clock));
            }
            shared.peers.store(self.link.num_peers(), Ordering::Relaxed);
            let quantum = f64::from_bits(shared.quantum.load(Ordering::Relaxed)).max(1.0);
            self.link.capture_app_session_state(&mut self.state);
            self.asked(shared, now);
            if self.start_stop {
                let playing = self.state.is_playing();
                if was_playing.is_some_and(|w| w != playing) {
                    // A peer (or this termdaw, through Link) played or
                    // stopped: the engine starts on its next bar, or stops.
                    if playing {
                        self.port.set_time(None);
                        self.port.play();
                    } else {
                        let at =
                            anchor.map(|a| self.sample_at(a, self.state.time_for_is_playing()));
                        self.port.set_time(at.map(|s| s.max(clock as f64) as u64));
                        self.port.stop();
                    }
                    let heard = if playing { PLAY } else { STOP };
                    shared.heard.store(heard, Ordering::Relaxed);
                }
                was_playing = Some(playing);
            }
            if let Some(a) = anchor {
                next = Some(self.send_ticks(a, clock, next, quantum));
            }
            std::thread::sleep(Duration::from_millis(1));
        }
    }

    /// What the control side asked Link for: a tempo, play, stop.
    fn asked(&mut self, shared: &Shared, now: i64) {
        let mut commit = false;
        let tempo = f64::from_bits(shared.tempo.swap(0, Ordering::Relaxed));
        if tempo > 0.0 {
            self.state.set_tempo(tempo, now);
            commit = true;
        }
        match shared.transport.swap(0, Ordering::Relaxed) {
            PLAY => {
                self.state.set_is_playing(true, now);
                commit = true;
            }
            STOP => {
                self.state.set_is_playing(false, now);
                commit = true;
            }
            _ => {}
        }
        if commit {
            self.link.commit_app_session_state(&self.state);
        }
    }

    /// The engine sample heard at Link's host time `t`.
    fn sample_at(&self, (host, sample): (i64, u64), t: i64) -> f64 {
        sample as f64 + ((t - host) as f64 - self.latency_us) * self.rate / 1e6
    }

    /// Link's host time at which engine sample `s` is heard.
    fn time_at(&self, (host, sample): (i64, u64), s: f64) -> i64 {
        (host as f64 + (s - sample as f64) * 1e6 / self.rate + self.latency_us) as i64
    }

    /// Send the ticks due before two blocks from now, from `next` (or from
    /// the first one not yet rendered, after a jump of Link's timeline);
    /// returns the next one to send.
    fn send_ticks(&mut self, anchor: (i64, u64), clock: u64, next: Option<i64>, q: f64) -> i64 {
        let block = Counters::get(&self.counters.callback_frames).max(64) as f64;
        let horizon = clock as f64 + 2.0 * block + self.rate * 0.002;
        let due = self
            .state
            .beat_at_time(self.time_at(anchor, clock as f64), q);
        let first = (due * PPQN).ceil() as i64;
        // A tempo or phase change of a beat or more, or a fresh start.
        let mut k = next
            .filter(|k| (k - first).abs() <= PPQN as i64)
            .unwrap_or(first);
        let bar = (q * PPQN).round().max(1.0) as i64;
        // Bounded whatever Link's timeline says: two blocks hold a few
        // ticks even at Link's fastest tempo; a jump restarts from `first`.
        for _ in 0..MAX_TICKS_A_PASS {
            let t = self.state.time_at_beat(k as f64 / PPQN, q);
            let s = self.sample_at(anchor, t);
            if s >= horizon {
                return k;
            }
            self.port.set_time(Some(s.round().max(clock as f64) as u64));
            self.port.clock_in(ClockMsg::TickInBar {
                at: k.rem_euclid(bar) as u16,
                bpm: self.state.tempo() as f32,
            });
            k += 1;
        }
        k
    }
}
