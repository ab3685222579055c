//! `analyse_mix` measures where the music is: it renders from the bar the
//! live engine plays now, not from the top of the song.

use super::*;

const LATE: &str = r#"Session(tempo: 120, tracks: [
    Track(name: "late", instrument: Synth(), pattern: Notes("<~ ~ ~ ~ a3 a3 a3 a3>"), resolution: 1, gate: 1),
])"#;

fn analysed(s: &mut Session) -> String {
    let server = Server::start(vec![
        anthropic(&[tool("analyse_mix", json!({"bars": 1}))]),
        anthropic(&[text("Measured.")]),
    ]);
    let mut chat = Chat::new(cfg(ProviderKind::Anthropic, &server), History::in_memory());
    let ups = turn(&mut chat, s, "how loud is it here?");
    assert_eq!(failed(&ups), None);
    let r = anthropic_results(&server.requests()[1].body);
    r[0].0.clone()
}

fn late_peak(report: &str) -> f64 {
    let line = report
        .lines()
        .find(|l| l.starts_with("late: peak "))
        .unwrap_or_else(|| panic!("{report}"));
    line["late: peak ".len()..]
        .split(' ')
        .next()
        .and_then(|v| v.parse().ok())
        .unwrap_or(f64::NEG_INFINITY)
}

#[test]
fn analyse_mix_renders_from_the_bar_playing_now() {
    // Offline (no engine): from the top, where the track is silent.
    let mut offline = Session::new(common::parse(LATE), None, RATE as f32, None);
    let report = analysed(&mut offline);
    assert!(report.contains("from bar 1 "), "{report}");
    assert!(late_peak(&report) < -60.0, "{report}");
    // Live, four bars in (120 BPM: 2 s a bar): bar 5, where it plays.
    let (mut live, mut engine) = termdaw::audio::render::prepare(common::parse(LATE), None, RATE);
    let (mut l, mut r) = (vec![0.0f32; 256], vec![0.0f32; 256]);
    for _ in 0..(8.0 * RATE as f64 / 256.0) as usize + 20 {
        engine.process(&mut l, &mut r);
    }
    let report = analysed(&mut live);
    assert!(report.contains("from bar 5 "), "{report}");
    assert!(late_peak(&report) > -30.0, "{report}");
}

#[test]
fn the_assess_tool_scores_a_track_alone_for_its_role_and_refuses_a_wrong_role() {
    const BEAT: &str = r#"Session(tempo: 120, key: "A", scale: Minor, tracks: [
    Track(name: "kick", instrument: Kick(), pattern: Steps("x...x...x...x...")),
    Track(name: "pad", instrument: Synth(wave: Saw, attack: 0.5, sustain: 1), pattern: Degrees("[0,2,4]"), resolution: 1, gate: 1, volume: -12),
])"#;
    let server = Server::start(vec![
        anthropic(&[
            tool(
                "assess",
                json!({"role": "drum", "track": "kick", "bars": 2}),
            ),
            tool("assess", json!({"role": "vocal"})),
            tool("assess", json!({"role": "pad", "track": "nope"})),
        ]),
        anthropic(&[text("The kick is on the grid.")]),
    ]);
    let mut chat = Chat::new(cfg(ProviderKind::Anthropic, &server), History::in_memory());
    let mut s = Session::new(common::parse(BEAT), None, RATE as f32, None);
    let ups = turn(&mut chat, &mut s, "is the kick tight?");
    assert_eq!(failed(&ups), None);
    let r = anthropic_results(&server.requests()[1].body);
    let (kick, wrong, missing) = (&r[0], &r[1], &r[2]);
    assert!(
        !kick.1
            && kick
                .0
                .starts_with("kick from bar 1: assessed as drum: overall"),
        "{}",
        kick.0
    );
    let grid = kick
        .0
        .lines()
        .find(|l| l.trim_start().starts_with("on_grid"))
        .unwrap();
    assert!(grid.contains(" 1 "), "every kick on the grid: {grid}");
    // The kick alone: the pad's sustained chord is not in it.
    assert!(!kick.0.contains("warning: sustain"), "{}", kick.0);
    assert!(
        wrong.1 && wrong.0.contains("unknown role `vocal`"),
        "{wrong:?}"
    );
    assert!(
        missing.1 && missing.0.contains("no track named \"nope\""),
        "{missing:?}"
    );
}
