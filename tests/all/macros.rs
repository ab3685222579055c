//! Macros: one knob moves its targets between their ends, `intensity` is
//! built in, a turn undoes as one step, and a bad target is an error at
//! its place in the file.

use termdaw::action::{Action, ArgType, ArgValue, FromArg};
use termdaw::analysis::spectral::centroid;

use crate::common::*;

const BEAT: usize = 24000;

fn session(macros: &str) -> String {
    format!(
        "Session(tempo: 120, buses: [Bus(name: \"verb\", effects: [Reverb(mix: 1)])], tracks: [
            Track(name: \"bass\", instrument: Synth(wave: Saw, unison: 1, sustain: 1, cutoff: 400, env_amount: 0), pattern: Notes(\"33\"), resolution: 1, gate: 1),
            Track(name: \"pad\", instrument: Fm(), volume: -12, sends: {{\"verb\": -12}}),
            Track(name: \"kick\", instrument: Kick()),
        ]{macros})"
    )
}

const DECLARED: &str = ", macros: [Macro(name: \"intensity\", targets: [
    Target(action: \"set_param\", args: [\"bass\", \"cutoff\"], from: 300, to: 6000, curve: Exp),
    Target(action: \"set_volume\", args: [\"pad\"], from: -30, to: -8),
    Target(action: \"set_send\", args: [\"pad\", \"verb\"], from: -6, to: -24),
])]";

fn cutoff(s: &termdaw::session::Session, track: &str) -> f32 {
    let t = s.file().track(track).unwrap();
    let i = termdaw::kinds::param::index_of(t.instrument.kind.params(), "cutoff").unwrap();
    t.instrument.values[i]
}

#[test]
fn intensity_0_and_10_put_every_declared_target_at_its_ends() {
    let (mut s, _e) = prepare(&session(DECLARED));
    s.apply(Action::SetIntensity { level: 0.0 }).unwrap();
    let f = s.file();
    assert_eq!(cutoff(&s, "bass"), 300.0);
    assert_eq!(f.track("pad").unwrap().volume, -30.0);
    assert_eq!(f.track("pad").unwrap().sends["verb"], -6.0);
    let said = s
        .apply(Action::SetMacro {
            name: "intensity".into(),
            value: 10.0,
        })
        .unwrap();
    assert_eq!(said.description, "intensity 10 (3 values)");
    assert_eq!(cutoff(&s, "bass"), 6000.0);
    assert_eq!(s.file().track("pad").unwrap().volume, -8.0);
    assert_eq!(s.file().track("pad").unwrap().sends["verb"], -24.0);
    // Half way along an exponential target is the geometric middle.
    s.apply(Action::SetIntensity { level: 5.0 }).unwrap();
    assert!((cutoff(&s, "bass") - (300.0f32 * 6000.0).sqrt()).abs() < 0.5);
    assert_eq!(s.file().macros[0].value, 5.0);
    // One turn is one undo step: everything moves back together.
    s.apply(Action::Undo {}).unwrap();
    assert_eq!(cutoff(&s, "bass"), 6000.0);
    assert_eq!(s.file().track("pad").unwrap().volume, -8.0);
    assert_eq!(s.file().macros[0].value, 10.0);
}

#[test]
fn intensity_is_built_in_and_opens_the_filters_you_hear() {
    let render = |level: f64| {
        let (mut s, mut e) = prepare(&session(""));
        s.apply(Action::SetIntensity { level }).unwrap();
        let a = render_with(&mut s, &mut e, 4 * BEAT, |_, _| {});
        (cutoff(&s, "bass"), centroid(&a.l[BEAT..], RATE as f32), s)
    };
    let (dark, c0, s0) = render(0.0);
    let (open, c10, s10) = render(10.0);
    assert_eq!((dark, open), (300.0, 8000.0));
    assert!(
        c10 > 2.0 * c0,
        "centroid {c0:.0} Hz at 0, {c10:.0} Hz at 10"
    );
    // The pad (an Fm, no cutoff) is not touched; the kick thins out.
    assert_eq!(s0.file().track("pad"), s10.file().track("pad"));
    assert_eq!(s0.file().track("kick").unwrap().density, 0.4);
    assert_eq!(s10.file().track("kick").unwrap().density, 1.0);
    // The file records where the knob stands.
    let m = &s10.file().macros;
    assert_eq!((m[0].name.as_str(), m[0].value), ("intensity", 10.0));
    assert!(m[0].targets.is_empty());
}

#[test]
fn a_macro_that_does_not_exist_or_moves_a_macro_is_refused() {
    let (mut s, _e) = prepare(&session(""));
    let e = s
        .apply(Action::SetMacro {
            name: "intensty".into(),
            value: 3.0,
        })
        .unwrap_err()
        .to_string();
    assert!(e.contains("did you mean \"intensity\""), "{e}");
    let defs = |t: &str| -> Vec<termdaw::patch::Macro> {
        FromArg::from_arg(&ArgValue::Text(t.into()), &ArgType::Ron).unwrap()
    };
    let e = s
        .apply(Action::SetMacros {
            macros: defs("[Macro(name: \"m\", targets: [Target(action: \"set_volume\", args: [\"nope\"], from: -30, to: 0)])]"),
        })
        .unwrap_err()
        .to_string();
    assert!(e.contains("no track named \"nope\""), "{e}");
    let e = s
        .apply(Action::SetMacros {
            macros: defs("[Macro(name: \"m\", targets: [Target(action: \"set_macro\", args: [\"m\"], from: 0, to: 10)])]"),
        })
        .unwrap_err()
        .to_string();
    assert!(e.contains("not another macro"), "{e}");
    assert!(s.file().macros.is_empty(), "nothing changed");
}

#[test]
fn a_macro_target_on_a_missing_track_is_an_error_at_its_line() {
    let dir = std::env::temp_dir().join(format!("termdaw-macro-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join("s.ron");
    let text = session(",\n  macros: [Macro(name: \"lift\", targets: [Target(action: \"set_volume\", args: [\"pda\"], from: -30, to: 0)])]");
    std::fs::write(&p, &text).unwrap();
    let e = termdaw::session::samples::load(&p).unwrap_err().report();
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(e.contains("s.ron:6:"), "{e}");
    assert!(e.contains("macro \"lift\"") && e.contains("pda"), "{e}");
}

/// Blips on every 16th for `bars` bars at 120 BPM, at `density`, with
/// `more` inside the session.
fn blips(density: f64, more: &str) -> String {
    format!(
        "Session(tempo: 120, tracks: [Track(name: \"b\", instrument: {BLIP}, pattern: Notes(\"x*16\"), resolution: 1, gate: 0.2, density: {density})]{more})"
    )
}

#[test]
fn density_leaves_out_the_same_notes_each_time_and_fewer_as_it_rises() {
    let hits = |density: f64| onsets(&render_text(&blips(density, ""), 8 * BEAT).l, 1000);
    let all = hits(1.0);
    assert_eq!(all, (0..32).map(|k| k * BEAT / 4).collect::<Vec<_>>());
    let half = hits(0.5);
    let quarter = hits(0.25);
    assert!(
        (10..=22).contains(&half.len()),
        "{} of 32 at 0.5",
        half.len()
    );
    assert!(quarter.len() < half.len());
    assert!(
        quarter.iter().all(|b| half.contains(b)),
        "a lower density keeps a subset"
    );
    assert_eq!(hits(0.5), half, "the same notes every time");
    assert!(hits(0.0).is_empty());
}

#[test]
fn a_density_lane_fills_a_pattern_in_as_it_plays() {
    let text = blips(
        0.0,
        ", automation: [Lane(action: \"set_density\", args: [\"b\"], points: [(1, 0), (5, 1)])]",
    );
    let hits = onsets(&render_text(&text, 16 * BEAT).l, 1000);
    let per_bar: Vec<usize> = (0..4)
        .map(|bar| hits.iter().filter(|&&h| h / (4 * BEAT) == bar).count())
        .collect();
    assert!(
        per_bar.windows(2).all(|w| w[0] <= w[1]) && per_bar[0] < 6 && per_bar[3] > 10,
        "hits per bar {per_bar:?}"
    );
    // What plays at a density is what the lane leaves in: the same notes.
    let full = onsets(&render_text(&blips(1.0, ""), 16 * BEAT).l, 1000);
    assert!(hits.iter().all(|h| full.contains(h)));
}

/// The bass on the left, blips on the right, and a macro that opens the
/// bass's filter and fills in the blips.
fn lifted(lane: &str) -> String {
    format!(
        "Session(tempo: 120, tracks: [
            Track(name: \"bass\", instrument: Synth(wave: Saw, unison: 1, sustain: 1, cutoff: 400, env_amount: 0), pattern: Notes(\"33\"), resolution: 1, gate: 1, pan: -1),
            Track(name: \"b\", instrument: {BLIP}, pattern: Notes(\"x*16\"), resolution: 1, gate: 0.2, pan: 1),
        ],
        macros: [Macro(name: \"lift\", targets: [
            Target(action: \"set_param\", args: [\"bass\", \"cutoff\"], from: 200, to: 8000, curve: Exp),
            Target(action: \"set_density\", args: [\"b\"], from: 0.2, to: 1),
        ])],
        automation: [{lane}])"
    )
}

#[test]
fn a_lane_on_a_macro_moves_every_target_as_the_knob_would() {
    let text = lifted("Lane(action: \"set_macro\", args: [\"lift\"], points: [(1, 0), (5, 10)])");
    let a = render_text(&text, 20 * BEAT);
    let bar = 4 * BEAT;
    let centroids: Vec<f64> = (0..8)
        .map(|h| centroid(&a.l[h * bar / 2..(h + 1) * bar / 2], RATE as f32))
        .collect();
    assert!(
        centroids.windows(2).all(|w| w[1] > w[0]),
        "the bass opens in every half bar: {centroids:?}"
    );
    let hits = onsets(&a.r, 1000);
    let per_bar: Vec<usize> = (0..5)
        .map(|k| hits.iter().filter(|&&h| h / bar == k).count())
        .collect();
    assert!(
        per_bar.windows(2).all(|w| w[0] <= w[1]) && per_bar[0] < per_bar[3],
        "the blips fill in: {per_bar:?}"
    );
    // At the lane's end the knob stands at 10: the bass as open as
    // turning it there by hand.
    let (mut s, mut e) = prepare(&lifted(""));
    s.apply(Action::SetMacro {
        name: "lift".into(),
        value: 10.0,
    })
    .unwrap();
    let by_hand = render_with(&mut s, &mut e, 20 * BEAT, |_, _| {});
    let last = |x: &[f32]| centroid(&x[17 * BEAT..20 * BEAT], RATE as f32);
    let (lane_end, hand) = (last(&a.l), last(&by_hand.l));
    assert!(
        (lane_end / hand - 1.0).abs() < 0.02,
        "{lane_end:.0} Hz at the lane's end, {hand:.0} Hz by hand"
    );
}

#[test]
fn an_intensity_lane_is_a_lane_on_the_built_in_macro() {
    let (s, _e) = prepare(&session(
        ", automation: [Lane(action: \"set_intensity\", points: [(1, 0), (3, 10)])]",
    ));
    let lanes = s.laid_automation();
    // bass cutoff (the Fm pad has none) and the kick's density.
    assert_eq!(lanes.len(), 2, "{lanes:?}");
}

#[test]
fn a_lane_on_a_macro_that_moves_a_switch_or_goes_past_10_is_refused_at_its_line() {
    let report = |text: String| {
        let dir = std::env::temp_dir().join(format!("termdaw-mlane-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("s.ron");
        std::fs::write(&p, &text).unwrap();
        let e = termdaw::session::samples::load(&p).unwrap_err().report();
        std::fs::remove_dir_all(&dir).unwrap();
        e
    };
    let lane = |to: u32| {
        format!("\n  Lane(action: \"set_macro\", args: [\"lift\"], points: [(1, 0), (5, {to})])")
    };
    let muting = lifted(&lane(10)).replace(
        "Target(action: \"set_density\"",
        "Target(action: \"set_mute\", args: [\"b\"], from: 0, to: 1), Target(action: \"set_density\"",
    );
    let e = report(muting);
    assert!(e.contains("s.ron:10:"), "{e}");
    assert!(e.contains("macro \"lift\" moves set_mute"), "{e}");
    let e = report(lifted(&lane(12)));
    assert!(
        e.contains("s.ron:10:") && e.contains("12 at bar 5 is outside 0 – 10"),
        "{e}"
    );
}
