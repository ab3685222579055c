//! The model listens live: `listen` answers from the running engine (the
//! mixer's own meters, loudness, a 1/3-octave spectrum, the bar, the MIDI
//! played) without rendering; every prompt's context carries a compact live
//! state. A scripted conversation listens, lowers a track that is too loud
//! and listens again, hearing the change.

use std::time::{Duration, Instant};

use super::*;
use termdaw::chat::State;
use termdaw::live::LiveEvent;
use termdaw::midi::{MidiIn, Wanted};
use termdaw::tui::{App, Keymap, Theme};

const LOUD: &str = r#"Session(
    tempo: 120,
    quantum: Immediate,
    tracks: [
        Track(name: "lead", instrument: Synth(wave: Saw, cutoff: 8000, sustain: 1), pattern: Notes("a3 c4 e4 a4"), resolution: 4, gate: 1),
        Track(name: "pad", instrument: Synth(wave: Sine, unison: 1, sustain: 1, attack: 0.01), volume: -24),
    ],
)"#;

/// A UI on a live engine, the chat pointed at `server`.
fn live_app(server: &Server) -> (App, termdaw::engine::Engine) {
    let (session, engine) = termdaw::audio::render::prepare(common::parse(LOUD), None, RATE);
    let mut app = App::new(session, Keymap::defaults(), Theme::dark());
    app.chat = Chat::new(cfg(ProviderKind::Anthropic, server), History::in_memory());
    // The pad holds one note from the start: a level that stays put.
    app.session_mut()
        .apply(termdaw::action::Action::NoteOn {
            track: "pad".into(),
            note: 45.0,
            velocity: 0.8,
        })
        .unwrap();
    (app, engine)
}

/// The UI loop at real-time pace in audio (faster in wall time): render a
/// block, take in the reports, let the meters fall, poll the chat.
fn run(app: &mut App, engine: &mut termdaw::engine::Engine, clock: &mut Duration, seconds: f64) {
    let (mut l, mut r) = (vec![0.0f32; 512], vec![0.0f32; 512]);
    for _ in 0..((seconds * RATE as f64 / 512.0) as usize).max(1) {
        engine.process(&mut l, &mut r);
        *clock += Duration::from_secs_f64(512.0 / RATE as f64);
        app.pump();
        app.tick(*clock);
        app.poll_chat();
    }
}

/// `name: peak / rms` from a listen answer.
fn heard(text: &str, name: &str) -> (f32, f32) {
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with(&format!("{name}: ")))
        .unwrap_or_else(|| panic!("no {name} in\n{text}"));
    let v: Vec<f32> = line
        .split(':')
        .nth(1)
        .unwrap()
        .split('/')
        .map(|x| x.trim().split(' ').next().unwrap().parse().unwrap())
        .collect();
    (v[0], v[1])
}

#[test]
fn the_model_listens_lowers_a_loud_track_and_hears_the_change() {
    let server = Server::start(vec![
        anthropic(&[tool("listen", json!({}))]),
        anthropic(&[tool("set_volume", json!({"track": "lead", "db": -18}))]),
        // Thinking for a while: the music plays on and the meters follow.
        Reply::Late(
            Duration::from_millis(600),
            Box::new(anthropic(&[tool("listen", json!({}))])),
        ),
        anthropic(&[text("The lead was 18 dB over the pad; I brought it down.")]),
    ]);
    let (mut app, mut engine) = live_app(&server);
    let mut clock = Duration::ZERO;
    run(&mut app, &mut engine, &mut clock, 4.5);
    app.send_chat("is anything too loud?");
    let t0 = Instant::now();
    // The meters as the mixer showed them when each `listen` was answered.
    let mut shown = Vec::new();
    while app.chat.is_busy() {
        let asked = *app.chat.state() == State::Calling("listen".into());
        run(&mut app, &mut engine, &mut clock, 0.0);
        if asked && *app.chat.state() != State::Calling("listen".into()) {
            shown.push((app.meter_of("lead"), app.master));
        }
        assert!(
            t0.elapsed() < Duration::from_secs(20),
            "the reply never ended"
        );
        std::thread::sleep(Duration::from_micros(200));
    }
    let reqs = server.requests();
    assert_eq!(reqs.len(), 4);
    // The prompt's context carried the live state.
    let system = reqs[0].body.to_string();
    assert!(
        system.contains("Live now: playing at 120 BPM, bar 3"),
        "{system}"
    );
    assert!(system.contains("lead -"), "{system}");

    let before = anthropic_results(&reqs[1].body)[0].0.clone();
    let after = anthropic_results(&reqs[3].body)[0].0.clone();
    assert!(before.starts_with("playing at 120 BPM, bar "), "{before}");
    assert!(
        before.contains("momentary -") && before.contains("short-term -"),
        "{before}"
    );
    assert!(
        before.contains("1/3-octave spectrum of the last 3.0 s") && before.contains("1k "),
        "{before}"
    );
    let (lead_before, _) = heard(&before, "lead");
    let (lead_after, _) = heard(&after, "lead");
    let (pad_before, _) = heard(&before, "pad");
    let (pad_after, _) = heard(&after, "pad");
    assert!(
        lead_before > -20.0 && lead_before - pad_before > 10.0,
        "{before}"
    );
    assert!(
        lead_before - lead_after > 10.0,
        "before {lead_before}, after {lead_after}\n{after}"
    );
    assert!(
        (pad_before - pad_after).abs() < 1.0,
        "the pad stays: {pad_before} {pad_after}"
    );
    // What listen said is what the mixer showed then (to its 0.1 dB).
    assert_eq!(shown.len(), 2, "two listens answered");
    let (m, master) = shown[0];
    assert!(
        (m.peak - lead_before).abs() <= 0.1,
        "meter {} listen {lead_before}",
        m.peak
    );
    let master_line = before.lines().nth(1).unwrap();
    assert!(
        master_line.contains(&format!("peak {:.1} dBFS", master.peak)),
        "{master_line} vs {}",
        master.peak
    );
}

#[test]
fn listen_tells_the_notes_played_on_midi_and_a_headless_turn_has_nothing_live() {
    let server = Server::start(vec![
        anthropic(&[tool("listen", json!({}))]),
        anthropic(&[text("You played A and C.")]),
    ]);
    let (mut app, mut engine) = live_app(&server);
    let mut clock = Duration::ZERO;
    run(&mut app, &mut engine, &mut clock, 2.1);
    // The real input path: bytes decoded, the note sent to the engine, the
    // report handed to the control loop.
    let mut midi = MidiIn::new(Wanted::None);
    midi.select(app.session().slot("lead"));
    let mut feed = midi.byte_feed(app.session_mut()).unwrap();
    feed.feed(&[0x90, 57, 100, 0x80, 57, 0, 0x91, 60, 90]);
    for r in midi.poll(app.session_mut()) {
        app.live_event(LiveEvent::Midi(r));
    }
    run(&mut app, &mut engine, &mut clock, 0.5);
    app.send_chat("what did I just play?");
    let t0 = Instant::now();
    while app.chat.is_busy() {
        run(&mut app, &mut engine, &mut clock, 0.05);
        assert!(t0.elapsed() < Duration::from_secs(20));
        std::thread::sleep(Duration::from_millis(2));
    }
    let said = anthropic_results(&server.requests()[1].body)[0].0.clone();
    let notes = said.lines().find(|l| l.starts_with("MIDI notes")).unwrap();
    assert!(
        notes.contains("a3 (ch 1, vel 100)") && notes.contains("c4 (ch 2, vel 90)"),
        "{notes}"
    );
    assert!(notes.contains("bar 2 beat 1"), "{notes}");

    // termdaw ask has no engine: listen says so, and nothing breaks.
    let server = Server::start(vec![
        anthropic(&[tool("listen", json!({}))]),
        anthropic(&[text("I cannot hear it here.")]),
    ]);
    let mut chat = Chat::new(cfg(ProviderKind::Anthropic, &server), History::in_memory());
    let mut s = session();
    let ups = turn(&mut chat, &mut s, "how does it sound?");
    assert_eq!(failed(&ups), None);
    let r = anthropic_results(&server.requests()[1].body);
    assert!(
        r[0].1 && r[0].0.contains("nothing plays live here"),
        "{r:?}"
    );
}
