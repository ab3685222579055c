//! Transport, quantized landing and the feedback the engine reports.

use crate::common::*;
use termdaw::action::Action;
use termdaw::engine::{Feedback, When};

const BLIP: &str =
    "Synth(wave: Sine, unison: 1, attack: 0, decay: 0.005, sustain: 0, release: 0.001)";

fn blips(pattern: &str) -> String {
    format!("Session(tempo: 120, tracks: [Track(name: \"b\", instrument: {BLIP}, pattern: Steps(\"{pattern}\"), gate: 0.2)])")
}

/// Sample indexes where a blip starts (silence before, sound now).
fn onsets(a: &Audio) -> Vec<usize> {
    let mut out = Vec::new();
    let mut quiet = 1000;
    for (i, x) in a.l.iter().enumerate() {
        if x.abs() > 0.0 && quiet >= 1000 {
            out.push(i);
        }
        quiet = if x.abs() > 0.0 { 0 } else { quiet + 1 };
    }
    out
}

#[test]
fn loop_repeats_its_range_and_skips_what_is_outside() {
    // Hits on beat 1 and beat 4; loop the first two beats.
    let (mut s, mut e) = prepare(&blips("x...........x..."));
    s.apply(Action::SetLoop {
        start: 0.0,
        end: 2.0,
    })
    .unwrap();
    let a = render_with(&mut s, &mut e, 5 * 48000, |_, _| {});
    assert_eq!(onsets(&a), vec![0, 48000, 96000, 144000, 192000]);
}

#[test]
fn stop_silences_and_play_resumes_where_it_stopped() {
    let (mut s, mut e) = prepare(&blips("x...x...x...x..."));
    let a = render_with(&mut s, &mut e, 4 * 24000, |s, frame| {
        if frame == 36032 {
            s.apply(Action::Stop {}).unwrap();
        }
        if frame == 60032 {
            s.apply(Action::Play {}).unwrap();
        }
    });
    // Beats at 0 and 24000 play; stopped for 24000 frames; the beat due at
    // song sample 48000 then arrives 24000 frames late, at frame 72000.
    assert_eq!(onsets(&a), vec![0, 24000, 72000]);
}

#[test]
fn changes_can_land_on_the_next_bar() {
    let (mut s, mut e) = prepare(&blips("x..............."));
    let a = render_with(&mut s, &mut e, 3 * 96000, |s, frame| {
        if frame == 112000 {
            s.land = When::NextBar;
            s.apply(Action::SetPattern {
                track: "b".into(),
                notation: "steps".into(),
                pattern: "....x...........".into(),
            })
            .unwrap();
        }
    });
    // Bar 2 still plays the old pattern (its hit at 96000 came before the
    // change); the new one starts at bar 3 with its hit a beat in.
    assert_eq!(onsets(&a), vec![0, 96000, 192000 + 24000]);
}

#[test]
fn changes_can_land_on_the_next_beat() {
    let (mut s, mut e) = prepare(&blips("x..............."));
    let a = render_with(&mut s, &mut e, 96000, |s, frame| {
        if frame == 30016 {
            s.land = When::NextBeat;
            s.apply(Action::SetPattern {
                track: "b".into(),
                notation: "steps".into(),
                pattern: "xxxx".into(),
            })
            .unwrap();
        }
    });
    // From beat 3 (sample 48000) on, a hit every 16th.
    let o = onsets(&a);
    assert_eq!(o[0], 0);
    assert_eq!(o[1], 48000, "{o:?}");
}

#[test]
fn feedback_reports_playhead_and_meters() {
    let text = r#"Session(tempo: 120, tracks: [
        Track(name: "on", instrument: Synth(sustain: 1), pattern: Notes("57"), resolution: 1, gate: 1),
        Track(name: "off", instrument: Synth(sustain: 1), pattern: Notes("60"), resolution: 1, mute: true),
    ])"#;
    let (mut s, mut e) = prepare(text);
    let _ = render_with(&mut s, &mut e, 48000, |_, _| {});
    let on = s.slot("on").unwrap();
    let off = s.slot("off").unwrap();
    let mut last_beat = -1.0;
    let mut positions = 0;
    let (mut on_peak, mut off_peak, mut master_peak) = (0f32, 0f32, 0f32);
    s.engine_mut().unwrap().drain_feedback(|f| match f {
        Feedback::Position { beat, playing, .. } => {
            assert!(playing);
            assert!(beat > last_beat);
            last_beat = beat;
            positions += 1;
        }
        Feedback::Meter {
            slot: Some(x),
            peak,
            rms,
            ..
        } => {
            assert!(rms[0] <= peak[0] + 1e-6);
            if x == on {
                on_peak = on_peak.max(peak[0]);
            } else if x == off {
                off_peak = off_peak.max(peak[0]);
            }
        }
        Feedback::Meter {
            slot: None, peak, ..
        } => master_peak = master_peak.max(peak[0]),
        Feedback::Limiter { gain_db } => assert!(gain_db <= 0.0),
        Feedback::BusMeter { .. } => {}
    });
    assert!(
        positions >= 50,
        "about 60 reports a second, got {positions}"
    );
    assert!(
        (last_beat - 2.0).abs() < 0.1,
        "one second at 120 BPM is two beats: {last_beat}"
    );
    assert!(on_peak > 0.1, "{on_peak}");
    assert_eq!(off_peak, 0.0);
    assert!(master_peak > 0.1);
}
