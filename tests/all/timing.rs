//! Events land on their exact sample, inside blocks, at any tempo.

use crate::common::*;

fn hit_session(bpm: f64, step: usize, instrument: &str) -> String {
    let mut steps = vec!['.'; 16];
    steps[step] = 'x';
    let s: String = steps.into_iter().collect();
    format!(
        "Session(tempo: {bpm}, tracks: [Track(name: \"t\", instrument: {instrument}, pattern: Steps(\"{s}\"))])"
    )
}

fn expected(bpm: f64, step: usize) -> usize {
    (step as f64 * RATE as f64 * 60.0 / (bpm * 4.0)).round() as usize
}

fn first_sound(bpm: f64, step: usize, instrument: &str) -> usize {
    let frames = expected(bpm, step) + 2000;
    let a = render_text(&hit_session(bpm, step, instrument), frames);
    a.onset(0.0)
        .unwrap_or_else(|| panic!("{instrument} at step {step} never sounded"))
}

#[test]
fn kick_on_step_k_starts_at_k_times_6000_at_120_bpm() {
    for k in [0, 1, 3, 7, 10, 15] {
        assert_eq!(first_sound(120.0, k, "Kick()"), k * 6000, "step {k}");
    }
}

#[test]
fn kick_lands_on_the_rounded_sample_at_odd_tempos() {
    for bpm in [97.3, 133.7, 61.0] {
        for k in [1, 5, 11, 15] {
            assert_eq!(
                first_sound(bpm, k, "Kick()"),
                expected(bpm, k),
                "{bpm} BPM step {k}"
            );
        }
    }
}

#[test]
fn synth_notes_are_sample_accurate_too() {
    for k in [2, 9, 14] {
        assert_eq!(
            first_sound(97.3, k, "Synth(attack: 0)"),
            expected(97.3, k),
            "step {k}"
        );
    }
}

#[test]
fn every_hit_of_a_four_on_the_floor_bar_lands_on_its_beat() {
    // A short click-like synth note on every beat for two bars.
    let text = "Session(tempo: 120, tracks: [Track(name: \"t\", instrument: Synth(attack: 0, decay: 0.001, sustain: 0, release: 0.001), pattern: Steps(\"x...\"), gate: 0.1)])";
    let a = render_text(text, 8 * 24000 + 100);
    for beat in 0..8 {
        let at = beat * 24000;
        let window = a.slice(at - if beat == 0 { 0 } else { 1000 }, at + 10);
        let first = window
            .onset(0.0)
            .map(|i| i + at - if beat == 0 { 0 } else { 1000 });
        assert_eq!(first, Some(at), "beat {beat}");
    }
}

#[test]
fn tempo_change_mid_note_does_not_glitch() {
    // A sustained low sine; changing tempo every few blocks must not touch it.
    let text = "Session(tempo: 120, tracks: [Track(name: \"t\", instrument: Synth(wave: Sine, unison: 1, sustain: 1, cutoff: 20000), pattern: Notes(\"36\"), resolution: 1, gate: 1)])";
    let (mut s, mut e) = prepare(text);
    let a = render_with(&mut s, &mut e, 48000, |s, frame| {
        if frame % 640 == 0 && frame > 0 {
            let bpm = 100.0 + (frame / 640 % 7) as f64 * 11.3;
            s.apply(termdaw::action::Action::SetTempo { bpm }).unwrap();
        }
    });
    let steady = a.slice(4800, 48000);
    let max_step = steady
        .l
        .windows(2)
        .map(|w| (w[1] - w[0]).abs())
        .fold(0.0, f32::max);
    // 65 Hz at this level moves < 0.01 per sample; a glitch would jump.
    assert!(max_step < 0.01, "max step {max_step}");
    assert!(Audio::rms(&steady.l) > 0.05, "the note kept sounding");
}
