//! MIDI clock out: the engine stamps 24 clocks a beat on exactly the
//! samples its transport puts them on (through a tempo change too), a
//! Start when it plays from the top, the song position and Continue when it
//! plays from elsewhere or jumps, and a Stop when it stops.

use crate::common::*;
use termdaw::action::Action;
use termdaw::engine::midi_out::{
    MidiEvent, MidiOutRing, CLOCK, CONTINUE, SONG_POSITION, START, STOP,
};

const SESSION: &str = r#"Session(tempo: 120, tracks: [
    Track(name: "kick", instrument: Kick(), pattern: Steps("x...x...x...x...")),
])"#;

/// Render to `until`, applying `actions` at their clocks; every MIDI event.
fn run(actions: &[(u64, Action)], until: u64) -> Vec<MidiEvent> {
    let (mut s, mut e) = prepare(SESSION);
    s.apply(Action::Stop {}).unwrap();
    let (tx, mut rx) = rtrb::RingBuffer::new(1 << 16);
    assert!(s.set_midi_out(Box::new(MidiOutRing { tx })));
    let (mut l, mut r) = (vec![0f32; 64], vec![0f32; 64]);
    let mut out = Vec::new();
    while e.clock() < until {
        for (_, a) in actions.iter().filter(|(at, _)| *at == e.clock()) {
            s.apply(a.clone()).unwrap();
        }
        e.process(&mut l, &mut r);
        while let Ok(m) = rx.pop() {
            out.push(m);
        }
        if let Some(h) = s.engine_mut() {
            h.collect_garbage();
        }
    }
    out
}

fn clocks(events: &[MidiEvent]) -> Vec<u64> {
    events
        .iter()
        .filter(|m| m.bytes() == [CLOCK])
        .map(|m| m.clock)
        .collect()
}

#[test]
fn clock_out_is_24_a_beat_on_exact_samples_with_start_and_stop() {
    // Play at 6400, stop at 6400 + 4 beats (120 BPM: 24000 samples a beat).
    let events = run(
        &[(6400, Action::Play {}), (6400 + 96_000, Action::Stop {})],
        200_000,
    );
    assert_eq!(
        events.first().map(|m| (m.bytes(), m.clock)),
        Some((&[START][..], 6400))
    );
    let ticks = clocks(&events);
    assert_eq!(ticks.len(), 4 * 24, "24 clocks a beat for 4 beats");
    for (k, t) in ticks.iter().enumerate() {
        assert_eq!(*t, 6400 + 1000 * k as u64, "clock {k}");
    }
    let last = events.last().unwrap();
    assert_eq!((last.bytes(), last.clock), (&[STOP][..], 6400 + 96_000));
}

#[test]
fn a_tempo_change_moves_the_clocks_and_a_jump_says_where() {
    let events = run(
        &[
            (0, Action::Play {}),
            // At beat 1: 150 BPM, 800 samples a clock.
            (24_000, Action::SetTempo { bpm: 150.0 }),
            // Half a beat later, a jump to beat 8.
            (24_000 + 9_600, Action::Locate { beat: 8.0 }),
        ],
        24_000 + 9_600 + 19_200,
    );
    let ticks = clocks(&events);
    let want: Vec<u64> = (0..24)
        .map(|k| 1000 * k)
        .chain((0..12).map(|k| 24_000 + 800 * k))
        .chain((0..24).map(|k| 33_600 + 800 * k))
        .collect();
    assert_eq!(ticks, want);
    let at_jump: Vec<&[u8]> = events
        .iter()
        .filter(|m| m.clock == 33_600 && m.bytes() != [CLOCK])
        .map(|m| m.bytes())
        .collect();
    // Stop, the song position (beat 8 = 32 sixteenths), Continue.
    assert_eq!(at_jump, [&[STOP][..], &[SONG_POSITION, 32, 0], &[CONTINUE]]);
}
