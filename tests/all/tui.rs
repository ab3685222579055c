//! The terminal UI, drawn to ratatui's TestBackend from a fixed session and
//! fixed feedback, and driven with key and mouse events.
//!
//! Snapshots live in tests/all/snapshots; after a deliberate change to the
//! look, regenerate with `INSTA_UPDATE=always cargo test --test all tui` and
//! review the .snap diffs.

use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use ratatui::backend::TestBackend;
use ratatui::layout::Rect;
use ratatui::Terminal;

use termdaw::action::Action;
use termdaw::audio::device::SinkInfo;
use termdaw::engine::Feedback;
use termdaw::patch;
use termdaw::reload::ReloadStatus;
use termdaw::session::Session;
use termdaw::tui::app::{Overlay, Stats, StatusKind};
use termdaw::tui::keymap::{Command, Key};
use termdaw::tui::view::{self, Component};
use termdaw::tui::{App, Keymap, Theme};

const SESSION: &str = r#"Session(
    tempo: 120,
    buses: [
        Bus(name: "verb", volume: -3, effects: [Eq3(low: -6), Reverb(mix: 1)]),
        Bus(name: "echo", effects: [Delay(sync: "3/16", mode: pingpong)]),
    ],
    tracks: [
        Track(name: "kick", instrument: Kick(), pattern: Steps("x...x...x...x..."), volume: -2),
        Track(name: "snare", instrument: Snare(), pattern: Steps("....X.......x..o"), volume: -6, pan: 0.2, sends: {"verb": -12}),
        Track(name: "bass", instrument: Synth(wave: Saw), pattern: Notes("a2 ~ c3 e3 a2 _ g2 ~"), resolution: 8, volume: -8, pan: -0.3, sends: {"verb": -24, "echo": -18}),
        Track(name: "lead", instrument: Pluck(), pattern: Notes("<[a4 c5 ~ e5] [g5 ~ e5 d5]>"), resolution: 4, mute: true),
    ],
)"#;

fn file() -> patch::SessionFile {
    patch::parse("test.ron", SESSION).unwrap_or_else(|e| panic!("{}", e.report()))
}

/// An app on the fixed session with no engine and no feedback yet.
fn bare_app() -> App {
    let session = Session::new(file(), None, 48000.0, None);
    App::new(session, Keymap::defaults(), Theme::dark())
}

/// The fixed state every snapshot starts from: playing bar 2, meters up.
fn app() -> App {
    let mut a = bare_app();
    a.sink = Some(SinkInfo::Device {
        name: "test-sink".into(),
        rate: 48000,
        buffer: 256,
        note: None,
    });
    a.set_stats(Stats {
        load_permille: 123,
        block_frames: 256,
        engine_latency: 72,
        health: termdaw::health::Health {
            xruns: 2,
            ..Default::default()
        },
    });
    a.feedback(Feedback::Position {
        clock: 0,
        song_sample: 0,
        beat: 5.25,
        bpm: 120.0,
        playing: true,
        beats_per_bar: 4,
    });
    let levels = [("kick", 0.7, 0.3), ("snare", 0.4, 0.1), ("bass", 0.2, 0.08)];
    for (name, peak, rms) in levels {
        let slot = a.session().slot(name).expect("track has a slot");
        a.feedback(Feedback::Meter {
            slot: Some(slot),
            peak: [peak, peak * 0.9],
            rms: [rms, rms * 0.9],
            voices: 1,
        });
    }
    a.feedback(Feedback::Meter {
        slot: None,
        peak: [0.8, 0.75],
        rms: [0.35, 0.3],
        voices: 3,
    });
    for (name, peak, rms) in [("verb", 0.25, 0.06), ("echo", 0.1, 0.03)] {
        let bus = a.session().bus_slot(name).expect("bus has a slot");
        a.feedback(Feedback::BusMeter {
            bus,
            peak: [peak, peak * 0.9],
            rms: [rms, rms * 0.9],
        });
    }
    a.feedback(Feedback::Limiter { gain_db: -1.5 });
    // A pink-ish spectrum with a bump at 100 Hz.
    a.spectrum.set_levels(|hz| {
        let tilt = -18.0 - 6.0 * (hz.max(20.0) / 100.0).log2();
        let bump = 14.0 * (-((hz / 100.0).log2()).powi(2) * 4.0).exp();
        tilt + bump
    });
    a.set_status(StatusKind::Info, "kick volume -2 dB");
    a
}

fn draw(app: &mut App, w: u16, h: u16) -> Terminal<TestBackend> {
    app.area = Rect::new(0, 0, w, h);
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| view::draw(f, app)).unwrap();
    t
}

fn draw_part(app: &App, c: Component, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| view::render(c, app, f.area(), f.buffer_mut()))
        .unwrap();
    t
}

fn screen_text(t: &Terminal<TestBackend>) -> String {
    let buf = t.backend().buffer();
    let mut s = String::new();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            s.push_str(buf[(x, y)].symbol());
        }
        s.push('\n');
    }
    s
}

fn key(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
}

fn code(c: KeyCode) -> KeyEvent {
    KeyEvent::new(c, KeyModifiers::NONE)
}

fn ctrl(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
}

fn mouse(kind: MouseEventKind, column: u16, row: u16) -> MouseEvent {
    MouseEvent {
        kind,
        column,
        row,
        modifiers: KeyModifiers::NONE,
    }
}

fn track<'a>(a: &'a App, name: &str) -> &'a patch::Track {
    a.session().file().track(name).unwrap()
}

fn pattern(a: &App, name: &str) -> String {
    track(a, name).pattern.as_ref().unwrap().source.clone()
}

// ---- snapshots -------------------------------------------------------------

#[test]
fn whole_screen_80x24() {
    let mut a = app();
    insta::assert_snapshot!("screen_80x24", draw(&mut a, 80, 24).backend());
}

#[test]
fn whole_screen_160x48() {
    let mut a = app();
    insta::assert_snapshot!("screen_160x48", draw(&mut a, 160, 48).backend());
}

#[test]
fn whole_screen_with_help_overlay() {
    let mut a = app();
    a.handle_key(key('?'));
    insta::assert_snapshot!("screen_help_120x40", draw(&mut a, 120, 40).backend());
}

#[test]
fn snapshot_of_every_pane() {
    let mut a = app();
    insta::assert_snapshot!(
        "pane_transport_80",
        draw_part(&a, Component::Transport, 80, 1).backend()
    );
    insta::assert_snapshot!(
        "pane_transport_160",
        draw_part(&a, Component::Transport, 160, 1).backend()
    );
    insta::assert_snapshot!(
        "pane_tracks",
        draw_part(&a, Component::Tracks, 40, 7).backend()
    );
    insta::assert_snapshot!(
        "pane_mixer",
        draw_part(&a, Component::Mixer, 60, 10).backend()
    );
    insta::assert_snapshot!(
        "pane_sequencer_steps",
        draw_part(&a, Component::Sequencer, 80, 6).backend()
    );
    a.select(2);
    a.step = 2;
    insta::assert_snapshot!(
        "pane_sequencer_notes",
        draw_part(&a, Component::Sequencer, 80, 6).backend()
    );
    a.select(3);
    insta::assert_snapshot!(
        "pane_sequencer_mini_notation",
        draw_part(&a, Component::Sequencer, 80, 6).backend()
    );
    insta::assert_snapshot!(
        "pane_spectrum",
        draw_part(&a, Component::Spectrum, 60, 8).backend()
    );
    a.handle_key(key('/'));
    for c in "hello".chars() {
        a.handle_key(key(c));
    }
    insta::assert_snapshot!("pane_chat", draw_part(&a, Component::Chat, 40, 6).backend());
    insta::assert_snapshot!(
        "pane_status",
        draw_part(&a, Component::Status, 80, 1).backend()
    );
    a.handle_key(code(KeyCode::Esc));
    a.handle_key(key('?'));
    insta::assert_snapshot!(
        "pane_help",
        draw_part(&a, Component::Help, 110, 44).backend()
    );
}

#[test]
fn snapshot_of_the_quit_dialog_and_a_reload_error() {
    let mut a = app();
    a.handle_key(key('m'));
    a.handle_key(key('q'));
    assert_eq!(a.overlay, Overlay::ConfirmQuit);
    insta::assert_snapshot!(
        "dialog_quit",
        draw_part(&a, Component::ConfirmQuit, 60, 7).backend()
    );
    a.handle_key(key('n'));
    a.reload_status(ReloadStatus::Failed {
        report: "test.ron:3:20: tempo must be between 20 and 999 BPM, found 5\n  |\n3 |     tempo: 5,\n  |            ^".into(),
    });
    insta::assert_snapshot!("screen_reload_error_80x24", draw(&mut a, 80, 24).backend());
}

// ---- keys -------------------------------------------------------------------

#[test]
fn m_mutes_the_selected_track() {
    let mut a = app();
    assert_eq!(a.selected_track().unwrap().name.as_str(), "kick");
    let actions = a.handle_key(key('m'));
    assert_eq!(
        actions,
        vec![Action::ToggleMute {
            track: "kick".into()
        }]
    );
    assert!(track(&a, "kick").mute);
    assert!(a.session().is_dirty());
    let text = screen_text(&draw(&mut a, 80, 24));
    assert!(text.contains("▸kick    Kick      M"), "{text}");
}

#[test]
fn keys_drive_solo_volume_pan_tempo_and_transport() {
    let mut a = bare_app();
    a.handle_key(code(KeyCode::Down));
    assert_eq!(a.selected_track().unwrap().name.as_str(), "snare");
    assert_eq!(
        a.handle_key(key('s')),
        vec![Action::ToggleSolo {
            track: "snare".into()
        }]
    );
    assert!(track(&a, "snare").solo);
    assert_eq!(
        a.handle_key(key('+')),
        vec![Action::NudgeVolume {
            track: "snare".into(),
            delta: 1.0
        }]
    );
    assert_eq!(track(&a, "snare").volume, -5.0);
    a.handle_key(key('-'));
    a.handle_key(key('-'));
    assert_eq!(track(&a, "snare").volume, -7.0);
    assert_eq!(
        a.handle_key(key('>')),
        vec![Action::SetPan {
            track: "snare".into(),
            pan: 0.3
        }]
    );
    assert_eq!(track(&a, "snare").pan, 0.3);
    assert_eq!(
        a.handle_key(key('}')),
        vec![Action::NudgeTempo { delta: 1.0 }]
    );
    assert_eq!(a.session().file().tempo, 121.0);
    assert_eq!(a.handle_key(key(' ')), vec![Action::TogglePlay {}]);
    assert!(a.session().is_playing());
    assert_eq!(a.handle_key(key('.')), vec![Action::Stop {}]);
    assert!(!a.session().is_playing());
    assert_eq!(
        a.handle_key(code(KeyCode::Home)),
        vec![Action::Locate { beat: 0.0 }]
    );
    assert_eq!(a.handle_key(key('u')), vec![Action::Undo {}]);
    assert_eq!(a.session().file().tempo, 120.0);
    assert_eq!(a.handle_key(key('U')), vec![Action::Redo {}]);
    assert_eq!(a.session().file().tempo, 121.0);
    assert_eq!(a.handle_key(ctrl('z')), vec![Action::Undo {}]);
    // w and W press the selected track's looper and undo its overdub
    // (snare is no looper: the status line says so).
    for (k, command) in [('w', "press"), ('W', "undo")] {
        let sent = a.handle_key(key(k));
        assert!(
            sent.is_empty()
                || sent
                    == vec![Action::Looper {
                        track: "snare".into(),
                        command: command.into()
                    }],
            "{k}: {sent:?}"
        );
        let status = a.status.clone().unwrap();
        assert!(
            status.text.contains("snare is not a Looper track"),
            "{status:?}"
        );
    }
}

#[test]
fn x_toggles_the_step_under_the_cursor() {
    let mut a = bare_app();
    a.handle_key(code(KeyCode::Right));
    a.handle_key(code(KeyCode::Right));
    assert_eq!(a.step, 2);
    let actions = a.handle_key(key('x'));
    assert_eq!(
        actions,
        vec![Action::SetPattern {
            track: "kick".into(),
            notation: "steps".into(),
            pattern: "x.x.x...x...x...".into(),
        }]
    );
    assert_eq!(pattern(&a, "kick"), "x.x.x...x...x...");
    a.handle_key(key('v'));
    assert_eq!(pattern(&a, "kick"), "x.X.x...x...x...");
    a.handle_key(key('v'));
    assert_eq!(pattern(&a, "kick"), "x.o.x...x...x...");
    a.handle_key(code(KeyCode::Enter));
    assert_eq!(pattern(&a, "kick"), "x...x...x...x...");
    // Drum steps have no pitch: the status line says so and nothing changes.
    assert!(a.handle_key(key(']')).is_empty());
    assert_eq!(a.status.as_ref().unwrap().kind, StatusKind::Warning);
    // Wrapping left from the first step lands on the last.
    a.step = 0;
    a.handle_key(code(KeyCode::Left));
    assert_eq!(a.step, 15);
}

#[test]
fn note_steps_are_edited_in_place_and_mini_notation_is_left_to_the_file() {
    let mut a = bare_app();
    a.select(2);
    a.step = 1;
    a.handle_key(key('x'));
    assert_eq!(pattern(&a, "bass"), "a2 a2 c3 e3 a2 _ g2 ~");
    a.handle_key(key(']'));
    a.handle_key(key(']'));
    assert_eq!(pattern(&a, "bass"), "a2 b2 c3 e3 a2 _ g2 ~");
    a.handle_key(key('['));
    assert_eq!(pattern(&a, "bass"), "a2 a#2 c3 e3 a2 _ g2 ~");
    a.handle_key(key('v'));
    assert_eq!(pattern(&a, "bass"), "a2 a#2:1 c3 e3 a2 _ g2 ~");
    a.handle_key(key('x'));
    assert_eq!(pattern(&a, "bass"), "a2 ~ c3 e3 a2 _ g2 ~");
    a.select(3);
    assert!(a.handle_key(key('x')).is_empty());
    let status = a.status.clone().unwrap();
    assert!(
        status.text.contains("edit it in the session file"),
        "{status:?}"
    );
    assert_eq!(pattern(&a, "lead"), "<[a4 c5 ~ e5] [g5 ~ e5 d5]>");
}

#[test]
fn tap_tempo_follows_the_taps() {
    let mut a = bare_app();
    for i in 0..4 {
        a.tick(Duration::from_millis(500 * i));
        let actions = a.handle_key(key('t'));
        if i == 0 {
            assert!(actions.is_empty());
        } else {
            assert_eq!(actions, vec![Action::SetTempo { bpm: 120.0 }]);
        }
    }
    // A pause of more than 2 s starts a new series.
    a.tick(Duration::from_millis(5000));
    assert!(a.handle_key(key('t')).is_empty());
    a.tick(Duration::from_millis(5400));
    a.handle_key(key('t'));
    assert_eq!(a.session().file().tempo, 150.0);
}

#[test]
fn question_mark_opens_a_list_of_every_bound_key() {
    let mut a = app();
    a.handle_key(key('?'));
    assert_eq!(a.overlay, Overlay::Help { scroll: 0 });
    // Every key is on the list, scrolling down it as the overlay says.
    let mut text = screen_text(&draw(&mut a, 160, 48));
    for _ in 0..12 {
        a.handle_key(key('j'));
        text.push_str(&screen_text(&draw(&mut a, 160, 48)));
    }
    for (k, cmd) in Keymap::defaults().bindings() {
        assert!(
            text.contains(&k.to_string()),
            "{k} missing from the help overlay:\n{text}"
        );
        assert!(
            text.contains(cmd.name()),
            "{cmd} missing from the help overlay:\n{text}"
        );
    }
    // Plain actions carry the action table's doc.
    let doc = termdaw::action::spec("toggle_mute").unwrap().doc.trim();
    assert!(text.contains(doc), "{text}");
    a.handle_key(code(KeyCode::Esc));
    assert_eq!(a.overlay, Overlay::None);
}

#[test]
fn quit_with_unsaved_changes_asks_first() {
    let mut a = bare_app();
    a.handle_key(key('m'));
    a.handle_key(key('q'));
    assert_eq!(a.overlay, Overlay::ConfirmQuit);
    assert!(!a.should_quit());
    let text = screen_text(&draw(&mut a, 80, 24));
    assert!(text.contains("unsaved changes"), "{text}");
    a.handle_key(key('n'));
    assert_eq!(a.overlay, Overlay::None);
    assert!(!a.should_quit());
    a.handle_key(ctrl('c'));
    assert_eq!(a.overlay, Overlay::ConfirmQuit);
    a.handle_key(ctrl('c'));
    assert!(a.should_quit());

    let mut b = bare_app();
    b.handle_key(key('q'));
    assert!(b.should_quit(), "nothing unsaved: quits at once");
}

#[test]
fn save_writes_the_session_and_save_and_quit_quits() {
    let dir = std::env::temp_dir().join(format!("termdaw-tui-save-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("s.ron");
    std::fs::write(&path, SESSION).unwrap();
    let session = Session::new(file(), Some(path.clone()), 48000.0, None);
    let mut a = App::new(session, Keymap::defaults(), Theme::dark());
    a.handle_key(key('m'));
    a.handle_key(ctrl('s'));
    assert!(!a.session().is_dirty());
    assert_eq!(a.status.as_ref().unwrap().kind, StatusKind::Ok);
    assert!(patch::load(&path).unwrap().track("kick").unwrap().mute);
    a.handle_key(key('s'));
    a.handle_key(key('q'));
    assert_eq!(a.overlay, Overlay::ConfirmQuit);
    a.handle_key(key('s'));
    assert!(a.should_quit());
    assert!(patch::load(&path).unwrap().track("kick").unwrap().solo);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn chat_input_takes_typing_until_escape() {
    let mut a = bare_app();
    a.handle_key(key('/'));
    for c in "mute kick".chars() {
        assert!(a.handle_key(key(c)).is_empty());
    }
    assert_eq!(a.chat_input, "mute kick");
    assert!(
        !track(&a, "kick").mute,
        "typing in the chat is not a key command"
    );
    a.handle_key(code(KeyCode::Esc));
    a.handle_key(key('m'));
    assert!(track(&a, "kick").mute);
}

// ---- mouse ------------------------------------------------------------------

#[test]
fn clicking_step_5_toggles_it() {
    let mut a = bare_app();
    a.area = Rect::new(0, 0, 80, 24);
    let seq = view::layout(a.area).sequencer;
    // 16 steps in 78 columns: 3 columns a step, the cells on the pane's second line.
    let (x, y) = (seq.x + 1 + 4 * 3, seq.y + 2);
    let actions = a.handle_mouse(mouse(MouseEventKind::Down(MouseButton::Left), x, y));
    assert_eq!(
        actions,
        vec![Action::SetPattern {
            track: "kick".into(),
            notation: "steps".into(),
            pattern: "x.......x...x...".into(),
        }]
    );
    assert_eq!(a.step, 4);
    a.handle_mouse(mouse(MouseEventKind::Down(MouseButton::Left), x + 3, y));
    assert_eq!(pattern(&a, "kick"), "x....x..x...x...");
}

#[test]
fn clicking_and_dragging_a_fader_sets_the_volume() {
    let mut a = bare_app();
    a.area = Rect::new(0, 0, 80, 24);
    let mixer = view::layout(a.area).mixer;
    let inner = Rect::new(mixer.x + 1, mixer.y + 1, mixer.width - 2, mixer.height - 2);
    let cols = view::mixer_cols(inner);
    let (fx, fw) = cols.fader;
    // Row 2 is the bass; its fader's right end is +6 dB.
    let y = inner.y + 2;
    let actions = a.handle_mouse(mouse(
        MouseEventKind::Down(MouseButton::Left),
        fx + fw - 1,
        y,
    ));
    assert_eq!(
        actions,
        vec![Action::SetVolume {
            track: "bass".into(),
            db: 6.0
        }]
    );
    assert_eq!(a.selected_track().unwrap().name.as_str(), "bass");
    // Drag to the left end (and beyond): the fader goes down, then off.
    a.handle_mouse(mouse(
        MouseEventKind::Drag(MouseButton::Left),
        fx + fw / 2,
        y + 5,
    ));
    let mid = track(&a, "bass").volume;
    assert!((-30.0..0.0).contains(&mid), "{mid}");
    a.handle_mouse(mouse(MouseEventKind::Drag(MouseButton::Left), 0, y));
    assert_eq!(track(&a, "bass").volume, -120.0);
    a.handle_mouse(mouse(MouseEventKind::Up(MouseButton::Left), 0, y));
    assert!(a
        .handle_mouse(mouse(
            MouseEventKind::Drag(MouseButton::Left),
            fx + fw - 1,
            y
        ))
        .is_empty());
    // One drag is one undo step.
    a.handle_key(key('u'));
    assert_eq!(track(&a, "bass").volume, -8.0);
    // The master is the mixer's last line.
    let actions = a.handle_mouse(mouse(
        MouseEventKind::Down(MouseButton::Left),
        fx + fw - 1,
        inner.bottom() - 1,
    ));
    assert_eq!(actions, vec![Action::SetMasterVolume { db: 6.0 }]);
}

#[test]
fn scrolling_selects_tracks_and_clicking_a_row_selects_it() {
    let mut a = bare_app();
    a.area = Rect::new(0, 0, 80, 24);
    let tracks = view::layout(a.area).tracks;
    a.handle_mouse(mouse(
        MouseEventKind::ScrollDown,
        tracks.x + 3,
        tracks.y + 2,
    ));
    a.handle_mouse(mouse(
        MouseEventKind::ScrollDown,
        tracks.x + 3,
        tracks.y + 2,
    ));
    assert_eq!(a.selected, 2);
    a.handle_mouse(mouse(MouseEventKind::ScrollUp, tracks.x + 3, tracks.y + 2));
    assert_eq!(a.selected, 1);
    a.handle_mouse(mouse(
        MouseEventKind::Down(MouseButton::Left),
        tracks.x + 3,
        tracks.y + 4,
    ));
    assert_eq!(a.selected_track().unwrap().name.as_str(), "lead");
}

// ---- feedback, meters, spectrum, reload -------------------------------------

#[test]
fn meters_hold_their_peak_then_fall() {
    let mut a = bare_app();
    let slot = a.session().slot("kick").unwrap();
    a.feedback(Feedback::Meter {
        slot: Some(slot),
        peak: [1.0, 0.5],
        rms: [0.5, 0.5],
        voices: 2,
    });
    let m = a.meter_of("kick");
    assert!(m.peak.abs() < 0.01 && m.hold.abs() < 0.01);
    a.tick(Duration::from_millis(1000));
    let m = a.meter_of("kick");
    assert!((m.peak + 24.0).abs() < 0.1, "{m:?}");
    assert!(m.hold.abs() < 0.01, "the hold stays for 1.5 s: {m:?}");
    a.tick(Duration::from_millis(2000));
    assert!(a.meter_of("kick").hold < -5.0);
    a.tick(Duration::from_secs(10));
    assert!(a.meter_of("kick").is_silent());
    a.take_changed();
    a.tick(Duration::from_secs(11));
    assert!(!a.take_changed(), "a silent, stopped UI needs no redraw");
}

#[test]
fn the_spectrum_of_a_sine_peaks_at_its_frequency() {
    let mut a = bare_app();
    let rate = 48000.0;
    let sine: Vec<f32> = (0..4096)
        .map(|i| 0.5 * (std::f32::consts::TAU * 1000.0 * i as f32 / rate).sin())
        .collect();
    a.spectrum.push(&sine);
    a.tick(Duration::from_millis(40));
    let n = 64;
    let bars = a.spectrum.bars(n);
    let loudest = (0..n).max_by(|&x, &y| bars[x].total_cmp(&bars[y])).unwrap();
    let hz = a.spectrum.bar_hz(loudest, n);
    assert!((800.0..1250.0).contains(&hz), "loudest bar at {hz} Hz");
    // -6 dBFS within a couple of dB.
    let db = bars[loudest] * -termdaw::tui::spectrum::FLOOR_DB + termdaw::tui::spectrum::FLOOR_DB;
    assert!((-9.0..-4.0).contains(&db), "{db}");
    assert!(bars[0] < 0.2 && bars[n - 1] < 0.3, "{bars:?}");
}

#[test]
fn reload_status_shows_in_the_status_line() {
    let mut a = bare_app();
    a.reload_status(ReloadStatus::Applied {
        changes: vec!["kick volume -2 dB → -4 dB".into()],
        took: Duration::from_millis(3),
        lands_at: Some(8.0),
    });
    a.feedback(Feedback::Position {
        clock: 0,
        song_sample: 0,
        beat: 6.0,
        bpm: 120.0,
        playing: true,
        beats_per_bar: 4,
    });
    a.tick(Duration::from_millis(10));
    let text = screen_text(&draw(&mut a, 100, 24));
    assert!(
        text.contains("reload armed for bar 3: kick volume -2 dB → -4 dB (3 ms)"),
        "pending until the playhead gets there: {text}"
    );
    a.feedback(Feedback::Position {
        clock: 0,
        song_sample: 0,
        beat: 8.0,
        bpm: 120.0,
        playing: true,
        beats_per_bar: 4,
    });
    a.tick(Duration::from_millis(20));
    let text = screen_text(&draw(&mut a, 100, 24));
    assert!(
        text.contains("reloaded at bar 3: kick volume -2 dB → -4 dB (3 ms)"),
        "landed: {text}"
    );
    a.reload_status(ReloadStatus::Failed {
        report: "s.ron:4:9: expected `)`\n4 | oops\n  |     ^".into(),
    });
    let text = screen_text(&draw(&mut a, 100, 24));
    assert!(text.contains("reload failed"), "{text}");
    assert!(text.contains("4 | oops"), "the whole report shows: {text}");
    a.handle_key(code(KeyCode::Esc));
    assert!(a.reload_error.is_none());
}

// ---- keymap, themes, config, docs -------------------------------------------

#[test]
fn a_keymap_file_is_merged_over_the_defaults() {
    let mut k = Keymap::defaults();
    let problems = k
        .merge_ron(
            "keys.ron",
            r#"{"ctrl-p": "toggle_play", "q": "none", "F5": "nudge_volume -3", "z": "explode", "+": "nudge_volume 2"}"#,
        )
        .unwrap();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].contains("explode"));
    assert_eq!(k.get(Key::ctrl('p')), Some(&Command::TogglePlay));
    assert_eq!(k.get(Key::char('q')), None);
    assert_eq!(
        k.get(Key::code(KeyCode::F(5))),
        Some(&Command::NudgeVolume(-3.0))
    );
    assert_eq!(k.get(Key::char('+')), Some(&Command::NudgeVolume(2.0)));
    assert_eq!(k.get(Key::char('m')), Some(&Command::ToggleMute));
    assert!(k.merge_ron("keys.ron", "{\"x\": ").is_err());
    // Every key name reads back as itself.
    for (key, _) in Keymap::defaults().bindings() {
        assert_eq!(Key::parse(&key.to_string()).unwrap(), *key, "{key}");
    }
    assert_eq!(Key::parse("shift-x").unwrap(), Key::char('X'));
}

#[test]
fn every_command_name_parses_and_every_command_names_a_real_action() {
    use termdaw::tui::keymap::COMMANDS;
    for c in COMMANDS {
        let text = match c.arg {
            Some(_) => format!("{} 1", c.name),
            None => c.name.to_string(),
        };
        let cmd = Command::parse(&text).unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(cmd.name(), c.name);
        assert_eq!(Command::parse(&cmd.to_string()).unwrap(), cmd, "{text}");
        if let Some(a) = c.action {
            assert!(
                termdaw::action::spec(a).is_some(),
                "{}: no action `{a}`",
                c.name
            );
        }
    }
    assert_eq!(
        Command::parse("toggle_mute now").unwrap_err().to_string(),
        "toggle_mute takes no argument"
    );
    assert_eq!(
        Command::parse("nudge_volume").unwrap_err().to_string(),
        "nudge_volume needs a number (dB)"
    );
}

#[test]
fn a_keymap_file_binds_midi_learn_and_any_action_with_its_arguments() {
    let mut k = Keymap::defaults();
    let problems = k
        .merge_ron(
            "keys.ron",
            r#"{
                "ctrl-l": "midi_learn",
                "ctrl-m": "midi_map",
                "ctrl-r": "set_effect_param master 0 mix 0.5",
                "f1": "set_swing 0.2",
                "f2": "set_volume -6",
                "f3": "set_volume kick -1",
                "f4": "set_pattern steps x.x.x.x.",
                "f5": "set_swing 0.9",
                "f6": "set_effect_param master mix",
            }"#,
        )
        .unwrap();
    // Arguments are checked when the file loads, against the action table.
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(
        problems[0].contains("key \"f5\"") && problems[0].contains("between 0 and 0.5"),
        "{problems:?}"
    );
    assert!(
        problems[1].contains("key \"f6\"") && problems[1].contains("expected 4 argument(s)"),
        "{problems:?}"
    );
    assert_eq!(k.get(Key::ctrl('l')), Some(&Command::MidiLearn));
    assert_eq!(k.get(Key::ctrl('m')), Some(&Command::MidiMap));
    // Every binding reads back as itself (the help overlay and docs show it so).
    for (_, cmd) in k.bindings() {
        assert_eq!(Command::parse(&cmd.to_string()).unwrap(), *cmd, "{cmd}");
    }

    let mut f = file();
    f.master.effects = vec![patch::EffectDef::new(termdaw::kinds::EffectKind::Delay)];
    let mut a = App::new(Session::new(f, None, 48000.0, None), k, Theme::dark());
    a.handle_key(KeyEvent::new(KeyCode::Char('l'), KeyModifiers::CONTROL));
    assert_eq!(a.overlay, Overlay::MidiLearn);
    a.handle_key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE));
    a.handle_key(KeyEvent::new(KeyCode::F(1), KeyModifiers::NONE));
    assert_eq!(a.session().file().swing, 0.2);
    a.handle_key(KeyEvent::new(KeyCode::Char('r'), KeyModifiers::CONTROL));
    let delay = &a.session().file().master.effects[0];
    assert_eq!(delay.param("mix"), Some(0.5));
    // Where the binding leaves the track out, the selected one is used.
    a.select(2);
    a.handle_key(KeyEvent::new(KeyCode::F(2), KeyModifiers::NONE));
    assert_eq!(a.session().file().track("bass").unwrap().volume, -6.0);
    a.handle_key(KeyEvent::new(KeyCode::F(4), KeyModifiers::NONE));
    assert!(
        format!("{:?}", a.session().file().track("bass").unwrap().pattern).contains("x.x.x.x."),
        "{:?}",
        a.session().file().track("bass").unwrap().pattern
    );
    // A binding that names the track keeps it.
    a.handle_key(KeyEvent::new(KeyCode::F(3), KeyModifiers::NONE));
    assert_eq!(a.session().file().track("kick").unwrap().volume, -1.0);
    assert_eq!(a.session().file().track("bass").unwrap().volume, -6.0);
    // The help overlay lists the bound action with the table's doc.
    let rows = a.keymap.markdown();
    assert!(
        rows.contains("| `f1` | `set_swing 0.2` | Set the swing"),
        "{rows}"
    );
    assert!(rows.contains("(on the selected track)"), "{rows}");
}

#[test]
fn every_theme_loads_and_a_partial_theme_keeps_the_rest() {
    for (name, _) in termdaw::tui::theme::BUILTIN {
        let t = Theme::load(name, None).unwrap();
        assert_eq!(t.name, *name);
    }
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("themes");
    let t = Theme::load(dir.join("light.ron").to_str().unwrap(), None).unwrap();
    assert_eq!(t.name, "light");
    let partial = Theme::parse("mine.ron", r##"Theme(accent: "#ff0000")"##, Theme::dark()).unwrap();
    assert_eq!(partial.accent, ratatui::style::Color::Rgb(255, 0, 0));
    assert_eq!(partial.mute, Theme::dark().mute);
    let err = Theme::parse(
        "bad.ron",
        "Theme(\n  accent: \"blurple\",\n)",
        Theme::dark(),
    )
    .unwrap_err();
    assert!(err.to_string().starts_with("bad.ron:2:"), "{err}");
    assert!(Theme::load("nope", None).is_err());
    // Every built-in theme sets every role.
    for (name, text) in termdaw::tui::theme::BUILTIN {
        for (role, _) in termdaw::tui::theme::ROLES {
            assert!(
                text.contains(&format!("    {role}:")),
                "{name} lacks {role}"
            );
        }
    }
}

#[test]
fn the_config_file_parses_and_checks_the_buffer() {
    use termdaw::config::Config;
    let c = Config::parse(
        "config.ron",
        r#"Config(theme: "light", device: "pulse", rate: 44100, buffer: 128)"#,
    )
    .unwrap();
    assert_eq!(c.theme.as_deref(), Some("light"));
    assert_eq!(c.buffer, Some(128));
    assert_eq!(
        Config::parse("config.ron", "Config()").unwrap(),
        Config::default()
    );
    assert!(Config::parse("config.ron", "Config(buffer: 32)").is_err());
    assert!(Config::parse("config.ron", "Config(colour: 1)")
        .unwrap_err()
        .to_string()
        .contains("config.ron:1:"));
}

/// The mixer's loudness reading comes from the engine's tap of the master
/// output, through the same analysis `termdaw analyze` uses.
#[test]
fn the_mixer_shows_the_master_loudness_from_the_engine() {
    let text = r#"Session(tempo: 120, tracks: [
        Track(name: "a", instrument: Synth(wave: Sine, unison: 1, sustain: 1), pattern: Notes("69"), resolution: 1, gate: 1, volume: -12),
    ])"#;
    let (session, mut engine) = crate::common::prepare(text);
    let mut a = App::new(session, Keymap::defaults(), Theme::dark());
    let title = |a: &mut App| {
        let t = draw_part(a, Component::Mixer, 60, 6);
        let b = t.backend().buffer();
        (0..60)
            .map(|x| b[(x, 0)].symbol().to_string())
            .collect::<String>()
    };
    assert!(title(&mut a).starts_with("┌ mixer ─"), "{}", title(&mut a));
    let (mut l, mut r) = (vec![0.0f32; 64], vec![0.0f32; 64]);
    let (mut all_l, mut all_r) = (Vec::new(), Vec::new());
    // 4 s in 64-frame blocks; the UI reads the tap every 4096 frames.
    for block in 0..3000 {
        engine.process(&mut l, &mut r);
        all_l.extend_from_slice(&l);
        all_r.extend_from_slice(&r);
        if block % 64 == 63 {
            a.pump();
        }
    }
    a.pump();
    assert!(a.take_changed());
    let st = a.loudness.short_term().expect("3 s heard");
    let n = all_l.len();
    let last3 = n - 3 * 48000;
    let file = termdaw::analysis::loudness::measure(&all_l[last3..], &all_r[last3..], 48000.0);
    assert!(
        (st - file.short_term_max).abs() < 0.05,
        "live {st:.2} LUFS vs the analysis of the same 3 s {:.2}",
        file.short_term_max
    );
    assert!((-40.0..-10.0).contains(&st), "{st}");
    let shown = title(&mut a);
    assert!(
        shown.contains(&format!("S {st:.1} LUFS")),
        "mixer title {shown:?}, short-term {st:.1}"
    );
}

#[test]
fn the_transport_bar_shows_what_the_run_survived_once_it_happened() {
    let mut a = app();
    let quiet = screen_text(&draw_part(&a, Component::Transport, 200, 3));
    for word in ["non-finite", "OSC late", "OSC bad", "recovered"] {
        assert!(
            !quiet.contains(word),
            "{word} shown before it happened: {quiet}"
        );
    }
    let health = termdaw::health::Health {
        dropped: 7,
        nonfinite: 3,
        osc_late: 2,
        osc_bad: 5,
        recovered: 1,
        ..Default::default()
    };
    a.set_stats(Stats { health, ..a.stats });
    let shown = screen_text(&draw_part(&a, Component::Transport, 200, 3));
    for word in [
        "drops 7",
        "non-finite 3",
        "OSC late 2",
        "OSC bad 5",
        "recovered 1",
    ] {
        assert!(shown.contains(word), "{word} missing: {shown}");
    }
}

#[test]
fn the_transport_bar_says_once_that_the_engine_panicked() {
    let mut a = app();
    let before = screen_text(&draw_part(&a, Component::Transport, 200, 3));
    assert!(!before.contains("engine panic"), "{before}");
    a.set_stats(Stats {
        load_permille: 0,
        health: termdaw::health::Health {
            engine_panics: 3,
            ..Default::default()
        },
        ..Stats::default()
    });
    let after = screen_text(&draw_part(&a, Component::Transport, 200, 3));
    assert_eq!(after.matches("engine panic").count(), 1, "{after}");
}

#[test]
fn the_transport_bar_shows_links_peers_while_in_a_link_session() {
    let mut a = app();
    let bar = |a: &App| screen_text(&draw_part(a, Component::Transport, 200, 1));
    assert!(!bar(&a).contains("Link"), "{}", bar(&a));
    a.session_mut().set_link(Some(2));
    assert!(bar(&a).contains("BPM Link 2 "), "{}", bar(&a));
    a.session_mut().set_link(None);
    assert!(!bar(&a).contains("Link"), "{}", bar(&a));
}

#[test]
fn the_transport_bar_shows_the_section_playing_then_the_one_queued() {
    let text = r#"Session(tempo: 120, tracks: [Track(name: "a", instrument: Kick())],
        sections: [Section(name: "intro", bars: 2), Section(name: "drop", bars: 4)],
        song: [("intro", 1), ("drop", 1)])"#;
    let file = patch::parse("s.ron", text).unwrap();
    let (session, mut engine) = termdaw::audio::render::prepare(file, None, 48000);
    let mut a = App::new(session, Keymap::defaults(), Theme::dark());
    let bar = |a: &App| screen_text(&draw_part(a, Component::Transport, 200, 1));
    assert!(bar(&a).contains("song intro "), "{}", bar(&a));
    // Half a bar in, the musician launches the drop: queued for bar 2.
    let (mut l, mut r) = (vec![0.0; 48000], vec![0.0; 48000]);
    engine.process(&mut l, &mut r);
    a.session_mut()
        .apply(Action::LaunchSection {
            section: "drop".into(),
        })
        .unwrap();
    assert!(bar(&a).contains("live intro → drop@2 "), "{}", bar(&a));
    engine.process(&mut l, &mut r);
    engine.process(&mut l, &mut r);
    a.session_mut().tick();
    let shown = bar(&a);
    assert!(
        shown.contains("live drop ") && !shown.contains('→'),
        "{shown}"
    );
}

mod arrange;
mod mixer;
