//! Following MIDI clock in tempo and phase: the engine is sent a sender's
//! 24 ticks a beat, each on the sample it arrived with ±1 ms of jitter (a
//! USB clock's), and its beat must stay within 2 ms of the sender's for
//! two minutes, follow a jump in tempo within two beats, locate to a Song
//! Position Pointer, and leave the session's file and undo history alone.

use crate::common::*;
use termdaw::action::Action;
use termdaw::engine::follow::ClockMsg;
use termdaw::engine::{EngineCmd, Op, When};

/// The session's own tempo is not the sender's: the clock must win.
const SESSION: &str = r#"Session(tempo: 100, midi: Midi(clock: true), tracks: [
    Track(name: "kick", instrument: Kick(), pattern: Steps("x")),
])"#;

const BLOCK: u64 = 64;

/// A sender: ideal tick times and the jittered ones it delivers.
struct Sender {
    /// The sample its next tick is due on, without jitter.
    next: f64,
    /// Samples a tick.
    period: f64,
    seed: u64,
    /// Ticks sent so far.
    count: u64,
    /// Ticks lost on the way.
    lost: Vec<u64>,
    /// Ticks held back and then delivered all at once with the last (a
    /// stalled driver).
    held: Option<(u64, u64)>,
    /// Ticks delivered late, by a share of a tick, and the next on time
    /// (a busy machine's scheduling).
    late: Vec<(u64, f64)>,
    /// A shared timeline's ticks (Ableton Link's): each says its place in
    /// a bar of 96 ticks, tick `k` being at `(k + offset) % 96`.
    in_bar: Option<u64>,
}

impl Sender {
    /// At 120 BPM, its first tick due at sample 4800.
    fn new(seed: u64, lost: Vec<u64>, held: Option<(u64, u64)>) -> Sender {
        let mut tx = Sender {
            next: 4800.0,
            period: 0.0,
            seed,
            count: 0,
            lost,
            held,
            late: Vec::new(),
            in_bar: None,
        };
        tx.set_bpm(120.0);
        tx
    }

    fn set_bpm(&mut self, bpm: f64) {
        self.period = RATE as f64 * 60.0 / (bpm * 24.0);
    }

    /// ±1 ms, uniform, from a fixed seed.
    fn jitter(&mut self) -> f64 {
        self.seed = self
            .seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.seed >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0) * RATE as f64 * 0.001
    }
}

struct Rig {
    s: termdaw::session::Session,
    e: termdaw::engine::Engine,
    /// (engine sample at a block's end, the beat there), every block.
    beats: Vec<(u64, f64)>,
}

impl Rig {
    fn send(&mut self, msg: ClockMsg, at: u64) {
        let h = self.s.engine_mut().unwrap();
        assert!(h.send(EngineCmd::at(Op::Clock { msg }, When::Sample(at))));
    }

    /// Render up to `until`, sending the sender's ticks on their samples
    /// as they come due; returns the ideal times of the ticks sent.
    fn run(&mut self, tx: &mut Sender, until: u64) -> Vec<f64> {
        let (mut l, mut r) = (vec![0f32; BLOCK as usize], vec![0f32; BLOCK as usize]);
        let mut ideal = Vec::new();
        while self.e.clock() < until {
            let end = self.e.clock() + BLOCK;
            // Sent half a tick ahead, so an early one is not held to the
            // block's start (but none due from `until` on: the next run
            // sends those).
            while tx.next - 0.5 * tx.period < end as f64 && tx.next < until as f64 {
                let k = tx.count;
                let late = tx.late.iter().find(|(l, _)| *l == k).map_or(0.0, |l| l.1);
                let at = (tx.next + late * tx.period + tx.jitter())
                    .round()
                    .max(self.e.clock() as f64) as u64;
                match tx.held {
                    _ if tx.lost.contains(&k) => {}
                    Some((from, to)) if (from..to).contains(&k) => {}
                    Some((from, to)) if k == to => {
                        for _ in from..=to {
                            self.send(ClockMsg::Tick, at);
                        }
                    }
                    _ => match tx.in_bar {
                        Some(offset) => {
                            let at_ = ((k + offset) % 96) as u16;
                            // The tempo left out: the loop finds it.
                            self.send(ClockMsg::TickInBar { at: at_, bpm: 0.0 }, at)
                        }
                        None => self.send(ClockMsg::Tick, at),
                    },
                }
                tx.count += 1;
                ideal.push(tx.next);
                tx.next += tx.period;
            }
            self.e.process(&mut l, &mut r);
            let (beat, _) = self.s.engine().unwrap().counters.position();
            self.beats.push((self.e.clock(), beat));
            if let Some(h) = self.s.engine_mut() {
                h.collect_garbage();
            }
        }
        ideal
    }

    /// The sample at which the engine's beat reached `b`, between block
    /// ends (the beat runs straight within a block; a locate is no crossing).
    fn when(&self, b: f64) -> Option<f64> {
        self.beats.windows(2).find_map(|w| {
            let ((s0, b0), (s1, b1)) = (w[0], w[1]);
            (b0 < b && b <= b1 && b1 - b0 < 0.5)
                .then(|| s0 as f64 + (b - b0) / (b1 - b0) * (s1 - s0) as f64)
        })
    }
}

/// The worst distance, in ms, between the sender's beats `from..to`
/// (`ticks[k * 24]` is beat `first + k`) and the engine's.
fn worst_ms(rig: &Rig, ticks: &[f64], first: f64, from: usize, to: usize) -> f64 {
    (from..to)
        .map(|k| {
            let want = ticks[k * 24];
            let got = rig
                .when(first + k as f64)
                .unwrap_or_else(|| panic!("beat {} never came", first + k as f64));
            (got - want).abs() * 1000.0 / RATE as f64
        })
        .fold(0.0, f64::max)
}

#[test]
fn the_beat_locks_to_midi_clock_in_phase_follows_a_jump_and_locates_to_a_song_position() {
    let (mut s, e) = prepare(SESSION);
    s.apply(Action::Stop {}).unwrap();
    let before = s.file().clone();
    let mut rig = Rig {
        s,
        e,
        beats: Vec::new(),
    };
    let mut tx = Sender::new(7, Vec::new(), None);
    // Start, then two minutes at 120 BPM: 240 beats.
    rig.send(ClockMsg::Start, 4000);
    let minutes = 4800 + 240 * 24_000;
    let steady = rig.run(&mut tx, minutes);
    let locked = worst_ms(&rig, &steady, 0.0, 4, 240);
    // A jump to 140 BPM for 16 beats.
    tx.set_bpm(140.0);
    let jump_at = tx.next;
    let fast = rig.run(&mut tx, jump_at as u64 + 16 * 20_571);
    let followed = worst_ms(&rig, &fast, 240.0, 2, 16);
    let first_beat = worst_ms(&rig, &fast, 240.0, 0, 1);
    println!(
        "clock: worst beat error {locked:.3} ms over beats 4–240 at 120 BPM; \
         {followed:.3} ms from the second beat after a jump to 140 \
         ({first_beat:.3} ms on its first); tempo shown {:.2}",
        rig.s.tempo_now()
    );
    assert!(
        locked < 2.0,
        "the beat wandered {locked:.3} ms from the clock's"
    );
    assert!(followed < 2.0, "after the jump: {followed:.3} ms");
    assert!(
        (rig.s.tempo_now() - 140.0).abs() < 0.5,
        "{}",
        rig.s.tempo_now()
    );

    // Stop, a song position of 32 sixteenths (beat 8), continue: the next
    // tick is beat 8, and the beats go on from there.
    // (The sender skips the ticks the last run's block already passed.)
    while tx.next < (rig.e.clock() + 200) as f64 {
        tx.next += tx.period;
        tx.count += 1;
    }
    let stop_at = tx.next as u64 - 200;
    rig.send(ClockMsg::Stop, stop_at);
    rig.send(ClockMsg::Position(32), stop_at + 10);
    rig.send(ClockMsg::Continue, stop_at + 20);
    rig.beats.clear();
    let resumed = rig.run(&mut tx, stop_at + 8 * 20_571);
    let located = worst_ms(&rig, &resumed, 8.0, 1, 7);
    // Beat 8 itself is where the first tick after Continue landed.
    let eight = rig.when(8.0 + 1e-9).expect("beat 8 played");
    let on_tick = (eight - resumed[0]).abs() * 1000.0 / RATE as f64;
    assert!(
        on_tick < 1.5,
        "continue plays beat 8 on the first tick: {on_tick:.3} ms off"
    );
    assert!(located < 2.0, "after continuing: {located:.3} ms");

    // None of it was an edit.
    assert_eq!(rig.s.file(), &before);
    assert_eq!(rig.s.undo_len(), 0);
    assert!(!rig.s.is_dirty());

    // Following off: the session's own 100 BPM comes back.
    rig.s.apply(Action::SetMidiClock { on: false }).unwrap();
    rig.beats.clear();
    let from = rig.e.clock();
    rig.run(&mut tx, from + 28_800 * 2);
    let (a, b) = (rig.beats[1], *rig.beats.last().unwrap());
    let bpm = (b.1 - a.1) / (b.0 - a.0) as f64 * RATE as f64 * 60.0;
    assert!(
        (bpm - 100.0).abs() < 0.01,
        "{bpm} BPM after following stops"
    );
}

#[test]
fn lost_and_late_clock_ticks_do_not_move_the_beat() {
    let (mut s, e) = prepare(SESSION);
    s.apply(Action::Stop {}).unwrap();
    let mut rig = Rig {
        s,
        e,
        beats: Vec::new(),
    };
    // Two ticks lost, four late, and six held back by a stalled driver and then
    // delivered at once with the seventh.
    let mut tx = Sender::new(3, vec![500, 1001], Some((1200, 1206)));
    // Ticks late by more than half a tick, each followed by one on time,
    // and an early one followed by a late one: the gap between two is
    // then over one and a half ticks and the next one's over half, as if
    // one had been lost; they are late, not lost.
    // The first tick late, so the first two come a third of a tick apart
    // (the loop must not lock onto a third of the tempo).
    tx.late = vec![
        (0, 0.66),
        (600, -0.3),
        (601, 0.35),
        (700, 0.45),
        (801, 0.62),
        (903, 0.9),
        (1402, 0.75),
    ];
    rig.send(ClockMsg::Start, 4000);
    let ticks = rig.run(&mut tx, 4800 + 64 * 24_000);
    let worst = worst_ms(&rig, &ticks, 0.0, 4, 64);
    println!("clock: worst beat error {worst:.3} ms with ticks lost and held back");
    assert!(worst < 2.0, "the beat moved {worst:.3} ms");
}

/// Ableton Link's ticks (tests/all/link.rs has the real peers): each tick
/// says where in the shared bar it is. Play waits for the tick at the
/// playhead's place in the bar, so the downbeat lands on the shared one;
/// and when the shared bar moves (a peer joined with its own downbeat),
/// the beat moves with it.
#[test]
fn a_shared_timeline_starts_play_on_its_bar_and_keeps_the_bars_place() {
    let (mut s, e) = prepare(SESSION);
    s.apply(Action::Stop {}).unwrap();
    let mut rig = Rig {
        s,
        e,
        beats: Vec::new(),
    };
    // The shared bar's line falls on tick 66 (66 + 30 = 96), 162, ...
    let mut tx = Sender::new(11, Vec::new(), None);
    tx.in_bar = Some(30);
    let mut ticks = rig.run(&mut tx, 4800 + 48 * 1000);
    // Play, a little after tick 48: the transport waits for tick 66.
    let h = rig.s.engine_mut().unwrap();
    assert!(h.send(EngineCmd::at(Op::Play, When::Sample(4800 + 48_300))));
    ticks.extend(rig.run(&mut tx, 4800 + 66 * 1000 - 100));
    let (beat, playing) = rig.s.engine().unwrap().counters.position();
    assert!(
        beat == 0.0 && !playing,
        "play waits for the bar: at beat {beat}, playing {playing}"
    );
    ticks.extend(rig.run(&mut tx, 4800 + 66 * 1000 + 24 * 1000 * 17));
    // Beat b is the shared timeline's tick 66 + 24 b, within the jitter.
    let on_bar = worst_ms(&rig, &ticks[66..], 0.0, 1, 16);
    println!("clock: a shared timeline's bar: play lands {on_bar:.3} ms from its line");
    assert!(
        on_bar < 2.0,
        "play landed {on_bar:.3} ms off the shared bar"
    );

    // The shared bar moves by half a beat (offset 30 + 12): termdaw's
    // beats go with it within two beats.
    tx.in_bar = Some(42);
    let from = tx.count as usize;
    let until = tx.next as u64 + 24 * 1000 * 8;
    let ticks = rig.run(&mut tx, until);
    // The first tick of these that is on a beat of the new bar.
    let first = (0..24).find(|i| (from + i + 42) % 24 == 0).unwrap();
    let beat0 = rig
        .beats
        .iter()
        .find(|(c, _)| *c as f64 >= ticks[first])
        .map(|(_, b)| b.round())
        .unwrap();
    let moved = worst_ms(&rig, &ticks[first..], beat0, 2, 7);
    println!("clock: a shared bar moved by half a beat: followed within {moved:.3} ms");
    assert!(moved < 2.0, "the beat is {moved:.3} ms off the moved bar");
}
