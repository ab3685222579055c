//! The Looper: two bars of input recorded from the bar line repeat on
//! exactly the bar boundary, sample for sample; an overdub adds a layer,
//! undo takes it back. Driven through the `looper` action, with the input
//! fed to the engine's input ring as a device callback would.

use crate::common::*;
use termdaw::action::Action;
use termdaw::engine::input::InputRing;

const SESSION: &str = r#"Session(tempo: 120, tracks: [
    Track(name: "loop", instrument: Looper(bars: 2, monitor: Off)),
])"#;

/// At 120 BPM in 4/4 a bar is 2 s.
const BAR: u64 = 96_000;

fn looper(s: &mut termdaw::session::Session, command: &str) {
    s.apply(Action::Looper {
        track: "loop".into(),
        command: command.into(),
    })
    .unwrap();
}

#[test]
fn a_two_bar_loop_repeats_on_the_bar_and_an_overdub_undoes() {
    let (mut s, mut e) = prepare(SESSION);
    let (mut tx, rx) = rtrb::RingBuffer::new(4096);
    let ring = InputRing {
        rx,
        channels: 2,
        prime: 0,
        exact: true,
        block: Default::default(),
    };
    assert!(s.set_input(Box::new(ring)));
    // The input: two clicks in the bars recorded, one during the overdub.
    let input = |c: u64| match c {
        97_000 => 0.5,
        146_000 => 0.25,
        483_000 => 0.125,
        _ => 0.0,
    };
    let lat = e.latency() as u64;
    let (mut l, mut r) = (vec![0f32; 64], vec![0f32; 64]);
    let mut out = Vec::new();
    while e.clock() < 11 * BAR {
        let c = e.clock();
        match c {
            24_000 => looper(&mut s, "record"),   // lands on bar 2 (96000)
            400_000 => looper(&mut s, "overdub"), // lands at 480000
            600_000 => looper(&mut s, "play"),    // overdub ends at 672000
            700_032 => looper(&mut s, "undo"),    // at once
            _ => {}
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
    let heard: Vec<(u64, f32)> = out
        .iter()
        .enumerate()
        .filter(|(_, v)| v.abs() > 1e-4)
        .map(|(i, v)| (i as u64 - lat, *v))
        .collect();
    let len = 2 * BAR;
    let at = |t: u64| heard.iter().find(|(c, _)| *c == t).map(|(_, v)| *v);
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
