//! Swing by position: every note in the second step of a pair of grid
//! steps is late by the same amount, however the pattern writes it.

use crate::common::*;

const BLIP: &str =
    "Synth(wave: Sine, unison: 1, attack: 0, decay: 0.001, sustain: 0, release: 0.001)";

fn session(swing: f64, grid: u32, pattern: &str, resolution: u32) -> String {
    format!(
        "Session(tempo: 120, swing: {swing}, swing_grid: {grid}, tracks: [Track(name: \"h\", instrument: {BLIP}, pattern: {pattern}, resolution: {resolution}, gate: 0.1)])"
    )
}

/// The first sample of every blip: sound after at least 500 silent samples.
fn onsets(a: &Audio) -> Vec<usize> {
    let mut out = Vec::new();
    let mut quiet = usize::MAX;
    for (i, x) in a.l.iter().enumerate() {
        if x.abs() > 0.0 {
            if quiet >= 500 {
                out.push(i);
            }
            quiet = 0;
        } else {
            quiet = quiet.saturating_add(1);
        }
    }
    out
}

/// One bar at 120 BPM is 96000 samples: an 8th is 12000, a 16th 6000.
const BAR: usize = 96000;

#[test]
fn eighth_hats_in_groups_swing_exactly_like_eighth_steps() {
    let steps = render_text(&session(0.25, 8, "Steps(\"xxxxxxxx\")", 8), BAR);
    let groups = render_text(
        &session(0.25, 8, "Notes(\"[x x] [x x] [x x] [x x]\")", 4),
        BAR,
    );
    let want: Vec<usize> = (0..8)
        .map(|k| k * 12000 + if k % 2 == 1 { 3000 } else { 0 })
        .collect();
    assert_eq!(onsets(&steps), want, "8th steps, swing 0.25 on 8ths");
    assert_eq!(onsets(&groups), want, "8ths written as groups");
    assert!(
        steps.l == groups.l && steps.r == groups.r,
        "sample-identical"
    );
}

#[test]
fn sixteenths_written_as_groups_or_repeats_swing_like_sixteenth_steps() {
    let want: Vec<usize> = (0..16)
        .map(|k| k * 6000 + if k % 2 == 1 { 1500 } else { 0 })
        .collect();
    let steps = render_text(&session(0.25, 16, "Steps(\"xxxxxxxxxxxxxxxx\")", 16), BAR);
    assert_eq!(onsets(&steps), want);
    for (pattern, res) in [
        ("Notes(\"[x x x x] [x x x x] [x x x x] [x x x x]\")", 4),
        ("Notes(\"x*4 x*4 x*4 x*4\")", 4),
        (
            "Notes(\"[x x] [x x] [x x] [x x] [x x] [x x] [x x] [x x]\")",
            8,
        ),
        ("Notes(\"x*16\")", 1),
    ] {
        let a = render_text(&session(0.25, 16, pattern, res), BAR);
        assert_eq!(onsets(&a), want, "{pattern}");
        assert!(a.l == steps.l, "{pattern} is sample-identical to the steps");
    }
}

#[test]
fn on_the_default_16th_grid_eighths_stay_straight_and_odd_lengths_swing_in_place() {
    // 8th notes sit on even 16ths: 16th swing leaves them where they are.
    let a = render_text(&session(0.3, 16, "Steps(\"xxxxxxxx\")", 8), BAR);
    let want: Vec<usize> = (0..8).map(|k| k * 12000).collect();
    assert_eq!(onsets(&a), want);
    // A 3-step pattern repeats across the bar: its hits swing by where they
    // fall in the bar, not where they fall in the pattern.
    let a = render_text(&session(0.5, 16, "Steps(\"x..\")", 16), BAR);
    let want: Vec<usize> = (0..16)
        .step_by(3)
        .map(|k| k * 6000 + if k % 2 == 1 { 3000 } else { 0 })
        .collect();
    assert_eq!(onsets(&a), want);
}

#[test]
fn a_swing_lane_moves_the_offbeats_later_bar_by_bar_and_a_reload_moves_it_live() {
    // 8th steps, swing from 0 on bar 1 to 0.5 on bar 5 (Step: each bar holds).
    let text = session(0.0, 8, "Steps(\"xxxxxxxx\")", 8).replace(
        ")])",
        ")], automation: [Lane(action: \"set_swing\", points: [(1, 0), (2, 0.125), (3, 0.25), (4, 0.375), (5, 0.5)], shape: Step)])",
    );
    let hits = onsets(&render_text(&text, 5 * BAR));
    assert_eq!(hits.len(), 40, "{hits:?}");
    for bar in 0..5 {
        let swing = bar as f64 * 0.125;
        let want: Vec<usize> = (0..8)
            .map(|k| {
                bar * BAR
                    + k * 12000
                    + if k % 2 == 1 {
                        (swing * 12000.0) as usize
                    } else {
                        0
                    }
            })
            .collect();
        assert_eq!(
            &hits[bar * 8..bar * 8 + 8],
            &want[..],
            "bar {} at swing {swing}",
            bar + 1
        );
    }
    // Without a lane, set_swing while playing lands on the notes still to come.
    let (mut s, mut e) = prepare(&session(0.0, 8, "Steps(\"xxxxxxxx\")", 8));
    let a = render_with(&mut s, &mut e, 2 * BAR, |s, at| {
        if at == BAR as u64 {
            s.apply(termdaw::action::Action::SetSwing { amount: 0.25 })
                .unwrap();
        }
    });
    let hits = onsets(&a);
    assert_eq!(hits[1], 12000, "straight before");
    assert!(hits[9] > BAR + 12000 + 2000, "swung after: {}", hits[9]);
}
