//! The Looper: two bars of input recorded from the bar line repeat on
//! exactly the bar boundary, sample for sample; an overdub adds a layer,
//! undo takes it back. Driven through the `looper` action, with the input
//! fed to the engine's input ring as a device callback would.

use crate::common::*;
use termdaw::action::Action;
use termdaw::engine::input::InputRing;

pub const SESSION: &str = r#"Session(tempo: 120, tracks: [
    Track(name: "loop", instrument: Looper(bars: 2, monitor: Off)),
])"#;

/// At 120 BPM in 4/4 a bar is 2 s.
pub const BAR: u64 = 96_000;

fn looper(s: &mut termdaw::session::Session, command: &str) {
    s.apply(Action::Looper {
        track: "loop".into(),
        command: command.into(),
    })
    .unwrap();
}

/// The looper session with an input ring the test feeds, as a device
/// callback would.
pub fn with_input(
    text: &str,
) -> (
    termdaw::session::Session,
    termdaw::engine::Engine,
    rtrb::Producer<f32>,
) {
    let (mut s, e) = prepare(text);
    let (tx, rx) = rtrb::RingBuffer::new(4096);
    let ring = InputRing {
        rx,
        channels: 2,
        prime: 0,
        exact: true,
        block: Default::default(),
    };
    assert!(s.set_input(Box::new(ring)));
    (s, e, tx)
}

/// Run the session to `until`, sending each `(clock, command)` and
/// feeding `input` (the same on both channels): what was heard, as
/// (engine clock, value) for every sample over -80 dB.
pub fn run(
    (s, e, tx): &mut (
        termdaw::session::Session,
        termdaw::engine::Engine,
        rtrb::Producer<f32>,
    ),
    commands: &[(u64, &str)],
    input: impl Fn(u64) -> f32,
    until: u64,
) -> Vec<(u64, f32)> {
    let lat = e.latency() as u64;
    let (mut l, mut r) = (vec![0f32; 64], vec![0f32; 64]);
    let mut out = Vec::new();
    let start = e.clock();
    while e.clock() < until {
        let c = e.clock();
        for (_, command) in commands.iter().filter(|(at, _)| *at == c) {
            looper(s, command);
        }
        for i in 0..64 {
            let v = input(c + i);
            tx.push(v).unwrap();
            tx.push(v).unwrap();
        }
        e.process(&mut l, &mut r);
        out.extend_from_slice(&l);
        if let Some(h) = s.engine_mut() {
            h.collect_garbage();
        }
    }
    // Output index = engine clock; the limiter delays everything by `lat`.
    out.iter()
        .enumerate()
        .filter(|(_, v)| v.abs() > 1e-4)
        .map(|(i, v)| (start + i as u64 - lat, *v))
        .collect()
}

fn play(commands: &[(u64, &str)], input: impl Fn(u64) -> f32, until: u64) -> Vec<(u64, f32)> {
    run(&mut with_input(SESSION), commands, input, until)
}

pub fn at(heard: &[(u64, f32)], t: u64) -> Option<f32> {
    heard.iter().find(|(c, _)| *c == t).map(|(_, v)| *v)
}

#[test]
fn a_two_bar_loop_repeats_on_the_bar_and_an_overdub_undoes() {
    // The input: two clicks in the bars recorded, one during the overdub.
    let input = |c: u64| match c {
        97_000 => 0.5,
        146_000 => 0.25,
        483_000 => 0.125,
        _ => 0.0,
    };
    let commands = [
        (24_000, "record"),   // lands on bar 2 (96000)
        (400_000, "overdub"), // lands at 480000
        (600_000, "play"),    // overdub ends at 672000
        (700_032, "undo"),    // at once
    ];
    let heard = play(&commands, input, 11 * BAR);
    let len = 2 * BAR;
    let at = |t| at(&heard, t);
    // Nothing while recording (monitor off); the loop from bar 4 on.
    assert!(heard.iter().all(|(c, _)| *c >= 96_000 + len), "{heard:?}");
    let a = at(97_000 + len).expect("the first click, one loop later");
    let b = at(146_000 + len).expect("the second click, one loop later");
    assert!(a > 0.0 && (b / a - 0.5).abs() < 1e-6, "{a} {b}");
    // Every pass is the same, on the same place in its bars.
    for k in 2..=4 {
        assert_eq!(at(97_000 + k * len), Some(a), "pass {k}: {heard:?}");
        assert_eq!(at(146_000 + k * len), Some(b), "pass {k}");
    }
    // The overdub (at 483000, during pass 2) plays on pass 3 only: undone
    // before pass 4.
    let o = at(483_000 + len).expect("the overdub plays on the next pass");
    assert!((o / a - 0.25).abs() < 1e-6, "{o}");
    assert_eq!(at(483_000 + 2 * len), None, "the overdub was undone");
    // Nothing else was heard.
    assert_eq!(heard.len(), 4 * 2 + 1, "{heard:?}");
}

#[test]
fn one_footswitch_records_then_overdubs_then_plays() {
    // A click in the recording, one in the first pass (overdubbed, as the
    // second press asked during the recording), one after the third press
    // (playing: not taken in). No press lands on its own bar: each waits
    // for the next bar line.
    let input = |c: u64| match c {
        97_000 => 0.5,
        300_000 => 0.25,
        500_000 => 0.125,
        _ => 0.0,
    };
    let commands = [
        (24_000, "press"),  // record from bar 2 (96000)
        (99_968, "press"),  // lands mid-recording (192000): overdub when it closes
        (400_000, "press"), // back to play at 480000
    ];
    let heard = play(&commands, input, 10 * BAR);
    let len = 2 * BAR;
    let at = |t| at(&heard, t);
    let a = at(97_000 + len).expect("the recorded click loops");
    let o = at(300_000 + len).expect("the overdub from the first pass loops");
    assert!((o / a - 0.5).abs() < 1e-6, "{o} {a}");
    for k in 2..=4 {
        assert_eq!(at(97_000 + k * len), Some(a), "pass {k}");
    }
    for k in 2..=3 {
        assert_eq!(at(300_000 + k * len), Some(o), "pass {k}");
    }
    assert_eq!(at(500_000 + len), None, "playing takes nothing in");
    // Four passes of the recording, three of the overdub.
    assert_eq!(heard.len(), 4 + 3, "{heard:?}");
}

#[test]
fn the_looper_action_names_a_track_that_is_no_looper() {
    let (mut s, _e) = prepare(
        r#"Session(tempo: 120, tracks: [Track(name: "k", instrument: Kick(), pattern: Steps("x"))])"#,
    );
    let e = s
        .apply(Action::Looper {
            track: "k".into(),
            command: "record".into(),
        })
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("k is not a Looper track") && e.contains("Kick"),
        "{e}"
    );
}

/// The engine notes when live input was first heard, so a take begun
/// after it can say its replay differs until the input's echoes end.
#[test]
fn the_engine_notes_when_live_input_was_first_heard() {
    let (s, mut e, mut tx) = with_input(SESSION);
    let heard = |s: &termdaw::session::Session| {
        let c = &s.engine().unwrap().counters;
        termdaw::engine::Counters::get(&c.input_first_heard)
    };
    let (mut l, mut r) = (vec![0f32; 64], vec![0f32; 64]);
    while e.clock() < 10_000 {
        let c = e.clock();
        for i in 0..64 {
            let v = if c + i == 5_000 { 0.5 } else { 0.0 };
            tx.push(v).unwrap();
            tx.push(v).unwrap();
        }
        e.process(&mut l, &mut r);
        if c + 64 <= 5_000 {
            assert_eq!(heard(&s), 0, "silence is not input heard (at {c})");
        }
    }
    // Noted with the piece it was read in (pieces start on multiples of 64).
    assert_eq!(heard(&s), 4_992 + 1);
}
