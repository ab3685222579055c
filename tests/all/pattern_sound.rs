//! The pattern functions as heard: `jux` and `pan` place each note in the
//! stereo field on every instrument, `stut` fades its copies by level,
//! `chop` and `striate` play pieces of a sample, `speed` and `hurry` change
//! its playback rate, `nudge` moves notes by seconds whatever the tempo, and
//! the sequencer pane shows the transformed events of the cycle.

use termdaw::tui::grid::{grid, Cell};

use crate::common::*;

/// One bar at 120 BPM (one cycle of a one-step-per-bar track).
const BAR: usize = 96_000;

fn one_track(instrument: &str, pattern: &str, tempo: u32) -> String {
    format!(
        "Session(tempo: {tempo}, tracks: [Track(name: \"t\", instrument: {instrument}, pattern: Notes({pattern:?}), resolution: 1)])"
    )
}

fn energy(x: &[f32]) -> f64 {
    x.iter().map(|v| (*v as f64).powi(2)).sum()
}

/// A 48 kHz mono WAV of four quarters, each a sine of its own pitch.
fn quarters_wav(tag: &str, freqs: [f32; 4], quarter: usize) -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!(
        "termdaw-pattern-sound-{}-{tag}.wav",
        std::process::id()
    ));
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: RATE,
        bits_per_sample: 32,
        sample_format: hound::SampleFormat::Float,
    };
    let mut w = hound::WavWriter::create(&path, spec).unwrap();
    for f in freqs {
        for i in 0..quarter {
            let x = 0.5 * (std::f32::consts::TAU * f * i as f32 / RATE as f32).sin();
            w.write_sample(x).unwrap();
        }
    }
    w.finalize().unwrap();
    path
}

#[test]
fn jux_puts_the_original_left_and_the_transformed_copy_right_on_every_instrument() {
    let wav = quarters_wav("jux", [440.0; 4], 12_000);
    let sample = format!("Sample(file: {wav:?})");
    for instrument in [
        "Synth(wave: Sine, unison: 1, attack: 0, decay: 0.1, sustain: 0, release: 0.01)",
        "Fm(attack: 0, decay: 0.1, sustain: 0, release: 0.01)",
        "Pluck(decay: 0.1)",
        "Kick()",
        "HatClosed()",
        sample.as_str(),
    ] {
        // The original hit is on the first half, `rev` moves it to the second.
        let a = render_text(&one_track(instrument, "jux rev $ [x ~]", 120), BAR);
        let half = BAR / 2;
        let (l1, r1) = (energy(&a.l[..half]), energy(&a.r[..half]));
        let (l2, r2) = (energy(&a.l[half..]), energy(&a.r[half..]));
        assert!(l1 > 1e-3 && r2 > 1e-3, "{instrument}: both copies sound");
        assert!(
            r1 < l1 * 1e-6 && l2 < r2 * 1e-6,
            "{instrument}: original hard left, copy hard right: {l1} {r1} / {l2} {r2}"
        );
    }
    // `pan` places a note anywhere: a quarter right is louder right.
    let a = render_text(
        &one_track(
            "Synth(wave: Sine, unison: 1, attack: 0, decay: 0.1, sustain: 0)",
            "pan 0.5 $ c4",
            120,
        ),
        BAR / 2,
    );
    let (l, r) = (energy(&a.l), energy(&a.r));
    let want = (3.0 * std::f64::consts::PI / 8.0).tan().powi(2);
    assert!((r / l / want - 1.0).abs() < 1e-3, "{r} / {l}");
    let _ = std::fs::remove_file(wav);
}

#[test]
fn stut_fades_its_echoes_by_level_and_keeps_their_sound() {
    // Three copies a quarter of a cycle apart: echo multiplies each by the
    // feedback once more; stut fades linearly from 1 towards the feedback
    // (Tidal's scalegain: fb + (1 - fb)(count - i)/count).
    let blip = "Synth(wave: Sine, unison: 1, attack: 0, decay: 0.02, sustain: 0, release: 0.001)";
    for (pattern, gains) in [
        ("echo 3 0.25 0.5 $ <~ c5>", [0.5f32, 0.25]),
        ("stut 3 0.5 0.25 $ <~ c5>", [5.0 / 6.0, 2.0 / 3.0]),
    ] {
        // A short gate, so each copy starts on a voice at rest, in phase;
        // played in the second bar, once the session's start has settled.
        let session =
            one_track(blip, pattern, 120).replace("resolution: 1", "resolution: 1, gate: 0.1");
        let a = render_text(&session, 2 * BAR);
        let step = BAR / 4;
        let copy = |k: usize| &a.l[BAR + k * step..BAR + k * step + step / 2];
        let first = copy(0);
        assert!(energy(first) > 1e-3);
        for (k, g) in [(1, gains[0]), (2, gains[1])] {
            // The same sound, only quieter: velocity (and so timbre) stays.
            for (i, (x, y)) in first.iter().zip(copy(k)).enumerate() {
                assert!(
                    (x * g - y).abs() < 1e-5,
                    "{pattern}: copy {k} sample {i}: {y} is not {g} x {x}"
                );
            }
        }
    }
}

#[test]
fn chop_and_striate_play_the_pieces_of_a_sample_they_choose() {
    let freqs = [300.0, 600.0, 1200.0, 2400.0];
    // Each quarter of the sample is 0.25 s; a bar is 2 s.
    let wav = quarters_wav("chop", freqs, 12_000);
    let sample = format!("Sample(file: {wav:?})");
    let pitch_at =
        |a: &Audio, at: usize| peak_frequency(&a.l[at + 480..at + 480 + 8192], RATE as f32);
    let near = |got: f32, want: f32| (got / want - 1.0).abs() < 0.02;
    // chop 4: four pieces across the cycle, each from its own quarter.
    let a = render_text(&one_track(&sample, "chop 4 $ x", 120), BAR);
    for (k, f) in freqs.iter().enumerate() {
        let got = pitch_at(&a, k * BAR / 4);
        assert!(near(got, *f), "chop piece {k}: {got} Hz, want {f}");
        // Each piece stops at its quarter's end: a quarter of a second.
        let piece = &a.l[k * BAR / 4..(k + 1) * BAR / 4];
        assert!(
            energy(&piece[12_200..]) < 1e-9,
            "piece {k} plays past its end"
        );
    }
    // rev of a chop plays the pieces backwards in time.
    let a = render_text(&one_track(&sample, "rev $ chop 4 $ x", 120), BAR);
    for (k, f) in freqs.iter().rev().enumerate() {
        assert!(near(pitch_at(&a, k * BAR / 4), *f), "rev chop piece {k}");
    }
    // striate 2 on two hits: the first halves of both, then the second halves.
    let a = render_text(&one_track(&sample, "striate 2 $ [x x]", 120), BAR);
    for (k, f) in [300.0, 300.0, 1200.0, 1200.0].iter().enumerate() {
        let got = pitch_at(&a, k * BAR / 4);
        assert!(near(got, *f), "striate event {k}: {got} Hz, want {f}");
    }
    let _ = std::fs::remove_file(wav);
}

#[test]
fn speed_and_hurry_change_a_samples_rate_and_synths_keep_their_pitch() {
    let wav = quarters_wav("speed", [440.0; 4], 24_000);
    let sample = format!("Sample(file: {wav:?})");
    let pitch = |a: &Audio, at: usize| peak_frequency(&a.l[at + 480..at + 16_864], RATE as f32);
    let plain = render_text(&one_track(&sample, "x", 120), BAR / 2);
    assert!((pitch(&plain, 0) / 440.0 - 1.0).abs() < 0.01);
    let fast = render_text(&one_track(&sample, "speed 2 $ x", 120), BAR / 2);
    assert!(
        (pitch(&fast, 0) / 880.0 - 1.0).abs() < 0.01,
        "speed 2 plays an octave up"
    );
    // Twice as fast a sample is also half as long (2 s of audio in 1 s).
    let len = |a: &Audio| a.l.iter().rposition(|x| x.abs() > 1e-4).unwrap_or(0);
    assert!(
        (len(&fast) as f64 / 48_000.0 - 1.0).abs() < 0.01,
        "{}",
        len(&fast)
    );
    // hurry 2: twice the hits, each at twice the rate.
    let h = render_text(&one_track(&sample, "hurry 2 $ x", 120), BAR);
    for at in [0, BAR / 2] {
        assert!(
            (pitch(&h, at) / 880.0 - 1.0).abs() < 0.01,
            "hurry hit at {at}"
        );
    }
    // A synth plays its note whatever the speed, as SuperDirt's do.
    let sine = "Synth(wave: Sine, unison: 1, attack: 0, sustain: 1, release: 0.01)";
    let a = render_text(&one_track(sine, "speed 2 $ a4", 120), BAR / 4);
    assert!((pitch(&a, 0) / 440.0 - 1.0).abs() < 0.01);
    let _ = std::fs::remove_file(wav);
}

#[test]
fn nudge_moves_notes_by_exact_samples_whatever_the_tempo() {
    let blip = "Synth(wave: Sine, unison: 1, attack: 0, decay: 0.005, sustain: 0, release: 0.001)";
    for tempo in [120u32, 90] {
        let bar = (BAR as f64 * 120.0 / tempo as f64) as usize;
        let onset = |pattern: &str| {
            let a = render_text(&one_track(blip, pattern, tempo), bar);
            onsets(&a.l, 200)
        };
        assert_eq!(onset("[c4 c4]"), vec![0, bar / 2], "at {tempo} BPM");
        // 10 ms late is 480 samples at 48 kHz, at any tempo.
        assert_eq!(onset("nudge 0.01 $ [c4 c4]"), vec![480, bar / 2 + 480]);
        // Early works too, on a note with room before it.
        assert_eq!(onset("nudge [0 -0.01] $ [c4 c4]"), vec![0, bar / 2 - 480]);
    }
}

#[test]
fn the_sequencer_pane_shows_the_transformed_events_of_the_current_cycle() {
    let file = parse(&one_track("Kick()", "every 2 (fast 2) $ c3 e3", 120));
    let track = file.track("t").unwrap();
    let hit = |note| Cell::Hit {
        velocity: 0.8,
        note: Some(note),
    };
    // Two steps of a bar each: a cycle is 8 beats. Cycle 0: `fast 2` applies.
    let g = grid(track, &file, 2.5);
    assert_eq!(
        (g.cycle, g.cells.clone()),
        (0, vec![hit(48), hit(52), hit(48), hit(52)])
    );
    assert_eq!(g.playhead, Some(1));
    // Cycle 1: as written.
    let g = grid(track, &file, 8.5);
    assert_eq!((g.cycle, g.cells), (1, vec![hit(48), hit(52)]));
    // Transformations that move notes show them where they sound.
    let file = parse(&one_track("Kick()", "rot 1 $ c3 e3 g3", 120));
    let g = grid(file.track("t").unwrap(), &file, 0.0);
    assert_eq!(g.cells, vec![hit(52), hit(55), hit(48)]);
}
