//! Scale degrees and chord symbols: `Degrees("0 2 4")` plays in the
//! session's key and scale, in tune, and a key or scale change moves it on
//! the quantum; `Notes("c'maj7")` is that chord.

use termdaw::action::Action;
use termdaw::session::build;

use crate::common::*;

fn notes(key: &str, scale: &str, degrees: &str) -> Vec<f32> {
    let f = parse(&format!(
        "Session(key: \"{key}\", scale: {scale}, tracks: [Track(name: \"t\", instrument: Synth(), pattern: Degrees(\"{degrees}\"))])"
    ));
    let clip = build::clip(&f.tracks[0], &f).unwrap();
    one_pass(&clip).iter().map(|e| e.note).collect()
}

/// A clip's events without the repeats it holds so that whole pairs of
/// swing-grid steps fit (a 3-step pattern plays twice in its clip).
fn one_pass(clip: &termdaw::engine::sequencer::Clip) -> Vec<termdaw::engine::sequencer::ClipEvent> {
    let mut ev = clip.events().to_vec();
    let mut len = clip.length();
    while ev.len() % 2 == 0 && !ev.is_empty() {
        let (a, b) = ev.split_at(ev.len() / 2);
        let half = len / 2.0;
        let repeats = a
            .iter()
            .zip(b)
            .all(|(x, y)| x.note == y.note && (x.beat + half - y.beat).abs() < 1e-9);
        if !repeats {
            break;
        }
        ev.truncate(ev.len() / 2);
        len = half;
    }
    ev
}

#[test]
fn degrees_are_notes_of_the_key_and_scale_with_octaves_and_sharps() {
    // A minor from A3 (57): a c e, the octave, the degree below, a sharp.
    assert_eq!(
        notes("A", "Minor", "0 2 4 7 -1 2#"),
        [57.0, 60.0, 64.0, 69.0, 55.0, 61.0]
    );
    assert_eq!(
        notes("C", "Major", "0 1 2 3 4 5 6 7"),
        [48.0, 50.0, 52.0, 53.0, 55.0, 57.0, 59.0, 60.0]
    );
    // Five notes to the octave in a pentatonic scale; `b` flattens.
    assert_eq!(notes("C", "MajorPentatonic", "5 -5 4b"), [60.0, 36.0, 56.0]);
    // The functions work on degrees: `add 7` is an octave up in A minor.
    assert_eq!(
        notes("A", "Minor", "add 7 $ 0 <2 4>"),
        [69.0, 72.0, 69.0, 76.0]
    );
    // Alternation and chords work as in Notes.
    assert_eq!(notes("A", "Minor", "[0,2,4]"), [57.0, 60.0, 64.0]);
}

#[test]
fn a_bad_degree_points_at_its_column() {
    let e = termdaw::patch::parse(
        "s.ron",
        "Session(tracks: [Track(name: \"t\", instrument: Synth(), pattern: Degrees(\"0 2 c3\"))])",
    )
    .unwrap_err()
    .report();
    assert!(
        e.contains("expected a scale degree like 0, 4, -2 or 2#"),
        "{e}"
    );
    assert!(e.contains("s.ron:1:78"), "{e}");
}

/// A held sine playing degree `d` for a whole bar, in `key`/`scale`.
fn held(degrees: &str, key: &str, scale: &str) -> String {
    format!(
        "Session(tempo: 120, quantum: Bar, key: \"{key}\", scale: {scale}, tracks: [Track(name: \"t\", instrument: Synth(wave: Sine, unison: 1, attack: 0.005, sustain: 1, release: 0.01, cutoff: 12000, env_amount: 0), pattern: Degrees(\"{degrees}\"), resolution: 1, gate: 1)])"
    )
}

fn hz(midi: f32) -> f32 {
    440.0 * 2f32.powf((midi - 69.0) / 12.0)
}

#[test]
fn degrees_sound_in_tune_and_a_key_change_transposes_them_on_the_next_bar() {
    const BAR: usize = 96000;
    let (mut s, mut e) = prepare(&held("<0 4>", "A", "Minor"));
    let a = render_with(&mut s, &mut e, 4 * BAR, |s, frame| {
        // Mid bar 2 the musician changes the key to C; then the scale.
        if frame == (BAR + BAR / 2) as u64 {
            s.apply(Action::SetKey { key: "C".into() }).unwrap();
        }
        if frame == (2 * BAR + BAR / 2) as u64 {
            s.apply(Action::SetScale {
                scale: "Major".into(),
            })
            .unwrap();
        }
    });
    let pitch = |bar: usize, from: f64, to: f64| {
        let x =
            &a.l[bar * BAR + (from * BAR as f64) as usize..bar * BAR + (to * BAR as f64) as usize];
        peak_frequency(x, RATE as f32)
    };
    // Bar 1: degree 0 of A minor (A3); bar 2: degree 4 (E4), in A minor
    // to its end although the key changed in its middle.
    let want = [(0, hz(57.0)), (1, hz(64.0)), (2, hz(48.0)), (3, hz(55.0))];
    for (bar, f) in want {
        let got = pitch(bar, 0.1, 0.9);
        assert!(
            (got / f - 1.0).abs() < 0.005,
            "bar {}: {got:.2} Hz, want {f:.2} Hz",
            bar + 1
        );
    }
    assert!(
        (pitch(1, 0.55, 0.95) / hz(64.0) - 1.0).abs() < 0.005,
        "the change waits for the bar"
    );
    // Bar 3 in C minor: degree 0 (C3); bar 4 in C major: degree 4 (G3).
}

/// The notes of each onset of a `Notes` pattern, lowest first.
fn chords(pattern: &str) -> Vec<Vec<f32>> {
    let f = parse(&format!(
        "Session(tracks: [Track(name: \"t\", instrument: Synth(), pattern: Notes(\"{pattern}\"))])"
    ));
    let clip = build::clip(&f.tracks[0], &f).unwrap();
    let mut out: Vec<(f64, Vec<f32>)> = Vec::new();
    for e in &one_pass(&clip) {
        match out.last_mut() {
            Some((b, notes)) if *b == e.beat => notes.push(e.note),
            _ => out.push((e.beat, vec![e.note])),
        }
    }
    out.into_iter()
        .map(|(_, mut n)| {
            n.sort_by(f32::total_cmp);
            n
        })
        .collect()
}

#[test]
fn chord_symbols_play_their_chords_with_inversions() {
    assert_eq!(
        chords("c'maj7 a2'm9 e'min'ii g'7'i"),
        [
            vec![48.0, 52.0, 55.0, 59.0],
            vec![45.0, 48.0, 52.0, 55.0, 59.0],
            // E minor, second inversion: B3 E4 G4.
            vec![59.0, 64.0, 67.0],
            // G7, first inversion: B3 D4 F4 G4.
            vec![59.0, 62.0, 65.0, 67.0],
        ]
    );
    // With the rest of the mini-notation: alternation, and `arp` plays it.
    assert_eq!(
        chords("<c'maj f'maj>"),
        [vec![48.0, 52.0, 55.0], vec![53.0, 57.0, 60.0]]
    );
    assert_eq!(
        chords("arp up $ c'maj"),
        [vec![48.0], vec![52.0], vec![55.0]]
    );
    let e = termdaw::patch::parse(
        "s.ron",
        "Session(tracks: [Track(name: \"t\", instrument: Synth(), pattern: Notes(\"c'mja7\"))])",
    )
    .unwrap_err()
    .report();
    assert!(
        e.contains("unknown chord \"mja7\" (did you mean 'maj"),
        "{e}"
    );
    assert!(e.contains("s.ron:1:74"), "{e}");
}
