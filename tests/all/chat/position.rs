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
