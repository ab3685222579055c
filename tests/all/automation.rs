//! Automation lanes: a level ramp is the RMS ramp a musician hears, a
//! cutoff sweep brightens steadily, tempo and effect lanes glide without a
//! click, section lanes play on their section's bars, and a bad lane is an
//! error at its place in the file.

use termdaw::action::{Action, ArgType, ArgValue, FromArg};
use termdaw::analysis::spectral::centroid;
use termdaw::patch::Lane;

use crate::common::*;

/// At 120 BPM in 4/4 and 48 kHz a beat is 24000 samples.
const BEAT: usize = 24000;

/// A held sine (one whole note per bar, gate 1) on track `t`.
fn held(extra: &str) -> String {
    format!(
        "Session(tempo: 120, tracks: [Track(name: \"t\", instrument: Synth(wave: Sine, unison: 1, attack: 0.001, sustain: 1, release: 0.01, cutoff: 12000, env_amount: 0), pattern: Notes(\"45\"), resolution: 1, gate: 1)]{extra})"
    )
}

fn lane(text: &str) -> Lane {
    Lane::from_arg(&ArgValue::Text(text.into()), &ArgType::Ron).unwrap()
}

fn db(x: f64) -> f64 {
    20.0 * x.log10()
}

fn max_step(x: &[f32]) -> f32 {
    x.windows(2)
        .map(|w| (w[1] - w[0]).abs())
        .fold(0.0, f32::max)
}

#[test]
fn a_volume_lane_from_minus_30_to_0_db_over_4_bars_is_that_rms_ramp() {
    let beats = 16;
    let flat = render_text(&held(""), beats * BEAT);
    let ramp = render_text(
        &held(", automation: [Lane(action: \"set_volume\", args: [\"t\"], points: [(1, -30), (5, 0)])]"),
        beats * BEAT,
    );
    // The middle of each beat, a quarter beat wide, away from the note's
    // retrigger on the bar line.
    for k in 0..beats {
        let (a, b) = (k * BEAT + 9 * BEAT / 32, k * BEAT + 23 * BEAT / 32);
        let got = db(Audio::rms(&ramp.l[a..b]) / Audio::rms(&flat.l[a..b]));
        let want = -30.0 + 30.0 * (k as f64 + 0.5) / beats as f64;
        assert!(
            (got - want).abs() < 0.5,
            "beat {k}: {got:.2} dB, want {want:.2} dB"
        );
    }
    // A ramp of 30 dB is no click: the steps stay those of the sine.
    let steady = max_step(&flat.l[BEAT..beats * BEAT]);
    assert!(max_step(&ramp.l[BEAT..beats * BEAT]) <= steady * 1.01);
}

#[test]
fn a_cutoff_lane_brightens_the_sound_bar_after_bar() {
    let text = "Session(tempo: 120, tracks: [Track(name: \"bass\", instrument: Synth(wave: Saw, unison: 1, sustain: 1, cutoff: 200, q: 0.707, env_amount: 0), pattern: Notes(\"33\"), resolution: 1, gate: 1)], automation: [Lane(action: \"set_param\", args: [\"bass\", \"cutoff\"], points: [(1, 200), (5, 6000, Exp)])])";
    let a = render_text(text, 16 * BEAT);
    let c: Vec<f64> = (0..8)
        .map(|h| centroid(&a.l[h * 2 * BEAT..(h + 1) * 2 * BEAT], RATE as f32))
        .collect();
    for w in c.windows(2) {
        assert!(w[1] > w[0], "centroid per half bar: {c:.0?}");
    }
    assert!(c[7] > 1.5 * c[0], "centroid per half bar: {c:.0?}");
}

#[test]
fn an_effect_lane_and_a_tempo_lane_glide_without_a_click() {
    // A lowpass opens while the tempo rises; the sine stays a sine. Its
    // own largest step is 2π·110/48000·A ≈ 0.0072 here; the reload tests'
    // click threshold is 0.012.
    let text = held(", automation: [Lane(action: \"set_effect_param\", args: [\"t\", 0, \"cutoff\"], points: [(1, 300), (3, 8000, Exp)]), Lane(action: \"set_tempo\", points: [(1, 120), (3, 180)])]")
        .replace("gate: 1)", "gate: 1, effects: [Lowpass(cutoff: 300)])");
    let (mut s, mut e) = prepare(&text);
    let a = render_with(&mut s, &mut e, 4 * 4 * BEAT, |_, _| {});
    let sine = render_text(&held(""), 4 * 4 * BEAT);
    let own = max_step(&sine.l[BEAT..]);
    let got = max_step(&a.l[BEAT..]);
    assert!(
        own < 0.012 && got < 0.012,
        "largest step {got}, the sine's own {own}"
    );
    // The lowpass opened: the end is as loud as the unfiltered sine.
    let end = a.l.len() - BEAT;
    let ratio = Audio::rms(&a.l[end..]) / Audio::rms(&sine.l[end..]);
    assert!((db(ratio)).abs() < 1.0, "{:.2} dB", db(ratio));
    // The tempo rose with the position: 120 → 180 BPM over 8 beats takes
    // 60/7.5·ln(1.5) s; after that a beat is 1/3 s.
    let t = a.l.len() as f64 / RATE as f64;
    let ramp = 8.0 * 1.5f64.ln();
    let want = 8.0 + (t - ramp) * 3.0;
    let beat = e.transport().beat();
    assert!((beat - want).abs() < 0.02, "beat {beat}, want {want}");
}

#[test]
fn a_section_lane_plays_on_the_sections_bars_on_every_pass() {
    let text = held(", sections: [Section(name: \"intro\", bars: 1), Section(name: \"drop\", bars: 1, automation: [Lane(action: \"set_volume\", args: [\"t\"], points: [(1, -30), (2, 0)])])], song: [(\"intro\", 1), (\"drop\", 2)]");
    let flat = render_text(&held(""), 12 * BEAT);
    let a = render_text(&text, 12 * BEAT);
    let level = |beat: f64| {
        let at = (beat * BEAT as f64) as usize;
        let (x, y) = (at - BEAT / 8, at + BEAT / 8);
        db(Audio::rms(&a.l[x..y]) / Audio::rms(&flat.l[x..y]))
    };
    assert!(
        level(2.5).abs() < 0.2,
        "the intro plays at the track's level"
    );
    for pass in [4.0, 8.0] {
        let start = level(pass + 0.5);
        let end = level(pass + 3.5);
        assert!((start + 26.25).abs() < 0.5, "pass at {pass}: {start:.2}");
        assert!((end + 3.75).abs() < 0.5, "pass at {pass}: {end:.2}");
    }
}

#[test]
fn lane_actions_edit_replace_remove_and_undo() {
    let (mut s, _e) = prepare(&held(""));
    let pan = lane("Lane(action: \"set_pan\", args: [\"t\"], points: [(1, -1), (2, 1, Smooth)])");
    s.apply(Action::SetLane { lane: pan.clone() }).unwrap();
    assert_eq!(s.file().automation, vec![pan.clone()]);
    let mut moved = pan.clone();
    moved.points[1].value = 0.5;
    let said = s
        .apply(Action::SetLane {
            lane: moved.clone(),
        })
        .unwrap();
    assert_eq!(s.file().automation, vec![moved]);
    assert!(
        said.description.contains("set_pan t"),
        "{}",
        said.description
    );
    s.apply(Action::RemoveLane {
        lane: "set_pan  t".into(),
    })
    .unwrap();
    assert!(s.file().automation.is_empty());
    s.apply(Action::Undo {}).unwrap();
    assert_eq!(s.file().automation.len(), 1);
    // A lane on what does not exist, or out of its range, is refused.
    let mut bad = |text: &str| {
        s.apply(Action::SetLane { lane: lane(text) })
            .unwrap_err()
            .to_string()
    };
    let e = bad("Lane(action: \"set_volume\", args: [\"bas\"], points: [(1, 0)])");
    assert!(e.contains("no track named \"bas\""), "{e}");
    let e = bad("Lane(action: \"set_pan\", args: [\"t\"], points: [(1, 3)])");
    assert!(e.contains("outside -1 – 1"), "{e}");
    let e = bad("Lane(action: \"set_swing_grid\", points: [(1, 8)])");
    assert!(e.contains("swing_grid switches or rebuilds"), "{e}");
    let e = bad("Lane(action: \"set_mute\", args: [\"t\"], points: [(1, 1)])");
    assert!(e.contains("switches"), "{e}");
}

#[test]
fn a_reload_that_edits_one_lane_sends_only_that_lane() {
    let old = parse(&held(
        ", automation: [Lane(action: \"set_volume\", args: [\"t\"], points: [(1, -30), (5, 0)])]",
    ));
    let new = parse(&held(
        ", automation: [Lane(action: \"set_volume\", args: [\"t\"], points: [(1, -20), (5, 0)])]",
    ));
    let d = termdaw::session::diff::diff(&old, &new);
    assert_eq!(
        d,
        vec![Action::SetLane {
            lane: new.automation[0].clone()
        }]
    );
    let none = parse(&held(""));
    assert_eq!(
        termdaw::session::diff::diff(&old, &none),
        vec![Action::RemoveLane {
            lane: "set_volume t".into()
        }]
    );
}

#[test]
fn a_bad_lane_in_the_file_is_an_error_at_its_line() {
    let dir = std::env::temp_dir().join(format!("termdaw-lane-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join("s.ron");
    let text = held(",\n  automation: [\n    Lane(action: \"set_volume\", args: [\"t\"], points: [(1, 0)]),\n    Lane(action: \"set_param\", args: [\"t\", \"cutof\"], points: [(1, 200)]),\n  ]");
    std::fs::write(&p, &text).unwrap();
    let e = termdaw::session::samples::load(&p).unwrap_err().report();
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(e.contains("s.ron:4:18"), "{e}");
    assert!(e.contains("no parameter \"cutof\""), "{e}");
}

#[test]
fn knob_moves_on_an_armed_track_record_a_thinned_lane_that_plays_back_and_undoes() {
    let (mut s, mut e) = prepare(&held(""));
    s.apply(Action::ArmAutomation {
        track: "t".into(),
        on: true,
    })
    .unwrap();
    // A fader pushed evenly from -30 to 0 dB over bars 2 and 3, a move
    // every 2048 frames (43 ms), as a MIDI knob sends them.
    let bar = 4 * BEAT;
    let _ = render_with(&mut s, &mut e, 4 * bar, |s, frame| {
        let f = frame as usize;
        if (bar..=3 * bar).contains(&f) && f % 2048 == 0 {
            let db = -30.0 + 30.0 * (f - bar) as f64 / (2 * bar) as f64;
            s.apply(Action::SetVolume {
                track: "t".into(),
                db: db.round_ties_even(),
            })
            .unwrap();
        }
    });
    let lane = s.file().automation[0].clone();
    assert_eq!(
        (lane.action.as_str(), lane.describe()),
        ("set_volume", "set_volume t".to_string())
    );
    assert!(
        lane.points.len() <= 8,
        "{} points for a straight fade of 31 whole-dB steps",
        lane.points.len()
    );
    assert!((lane.points[0].bar - 2.0).abs() < 0.05 && lane.points[0].value == -30.0);
    let last = lane.points.last().unwrap();
    assert!(
        (last.bar - 4.0).abs() < 0.05 && last.value == 0.0,
        "{last:?}"
    );
    // Disarmed, the lane plays back: from the top, the level ramps again.
    s.apply(Action::ArmAutomation {
        track: "t".into(),
        on: false,
    })
    .unwrap();
    s.apply(Action::Locate { beat: 0.0 }).unwrap();
    s.apply(Action::SetVolume {
        track: "t".into(),
        db: 0.0,
    })
    .unwrap();
    let again = render_with(&mut s, &mut e, 4 * bar, |_, _| {});
    let flat = render_text(&held(""), 4 * bar);
    let at =
        |x: usize| db(Audio::rms(&again.l[x..x + BEAT / 4]) / Audio::rms(&flat.l[x..x + BEAT / 4]));
    assert!(
        (at(bar / 2) + 30.0).abs() < 0.5,
        "before the take: {}",
        at(bar / 2)
    );
    // Mid fade (the window's middle is 1.625 beats into bar 3): the moves
    // were whole dB, so within a dB of the straight line.
    let want = -30.0 + 30.0 * (bar + BEAT / 2 + BEAT / 8) as f64 / (2 * bar) as f64;
    let got = at(2 * bar + BEAT / 2);
    assert!(
        (got - want).abs() < 1.0,
        "mid fade: {got:.2}, want {want:.2}"
    );
    assert!(
        at(3 * bar + BEAT).abs() < 0.5,
        "after: {}",
        at(3 * bar + BEAT)
    );
}

#[test]
fn a_recording_pass_undoes_as_one_step() {
    let (mut s, mut e) = prepare(&held(""));
    s.apply(Action::ArmAutomation {
        track: "t".into(),
        on: true,
    })
    .unwrap();
    let _ = render_with(&mut s, &mut e, 2 * 4 * BEAT, |s, frame| {
        if frame % 4096 == 0 && frame > 0 {
            s.apply(Action::SetPan {
                track: "t".into(),
                pan: (frame as f64 / 200_000.0).min(1.0),
            })
            .unwrap();
        }
    });
    assert_eq!(s.file().automation.len(), 1);
    s.apply(Action::Undo {}).unwrap();
    assert!(s.file().automation.is_empty(), "the take is gone");
    assert_eq!(s.file().track("t").unwrap().pan, 0.0);
}

#[test]
fn a_song_order_that_would_lay_too_many_lanes_is_refused() {
    // 20 lanes in one section, played 64 times: 1280 lanes over the song.
    let tracks: Vec<String> = (0..10)
        .map(|i| format!("Track(name: \"t{i}\", instrument: Kick())"))
        .collect();
    let lanes: Vec<String> = (0..10)
        .flat_map(|i| {
            [
                format!("Lane(action: \"set_volume\", args: [\"t{i}\"], points: [(1, 0)])"),
                format!("Lane(action: \"set_pan\", args: [\"t{i}\"], points: [(1, 0)])"),
            ]
        })
        .collect();
    let text = format!(
        "Session(tracks: [{}], sections: [Section(name: \"s\", bars: 1, automation: [{}])], song: [(\"s\", 64)])",
        tracks.join(", "),
        lanes.join(", ")
    );
    let e = termdaw::patch::parse("s.ron", &text).unwrap_err().report();
    assert!(e.contains("the song plays 1280 automation lanes"), "{e}");
    let fewer = text.replace("(\"s\", 64)", "(\"s\", 51)");
    assert!(
        termdaw::patch::parse("s.ron", &fewer).is_ok(),
        "1020 lanes are allowed"
    );
}
