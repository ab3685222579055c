//! The mixer's buses and sends, and the latency in the transport bar: drawn
//! from the fixed session (two buses, sends on two tracks), driven with keys
//! and the mouse, and fed by a real engine where a level or a delay is
//! measured.

use crossterm::event::{KeyCode, MouseButton, MouseEventKind};
use ratatui::layout::Rect;
use ratatui::style::Modifier;

use super::{app, bare_app, code, draw, draw_part, key, mouse, screen_text, track};
use termdaw::action::Action;
use termdaw::audio::device::SinkInfo;
use termdaw::engine::Feedback;
use termdaw::tui::layout::{self, Rows};
use termdaw::tui::meter::{gain_to_db, Meter};
use termdaw::tui::view::{self, Component};
use termdaw::tui::{App, Keymap, Theme};

fn send(a: &App, track_name: &str, bus: &str) -> Option<f64> {
    track(a, track_name).sends.get(bus).copied()
}

#[test]
fn the_mixer_shows_both_buses_with_their_chains_and_the_selected_tracks_sends() {
    let mut a = app();
    a.select(2);
    // With the other snapshots, in tests/all/snapshots.
    insta::with_settings!({ snapshot_path => "../snapshots" }, {
        insta::assert_snapshot!(
            "mixer_two_buses_bass_sends",
            draw_part(&a, Component::Mixer, 60, 10).backend()
        );
    });
    let text = screen_text(&draw_part(&a, Component::Mixer, 60, 10));
    let line = |start: &str| {
        text.lines()
            .find(|l| l.trim_start_matches('│').starts_with(start))
            .unwrap_or_else(|| panic!("no line {start:?} in\n{text}"))
            .to_string()
    };
    // bass sends to verb at -24 dB and to echo at -18 dB.
    let sends = line("sends");
    assert!(sends.contains("verb") && sends.contains("-24.0"), "{sends}");
    assert!(sends.contains("echo") && sends.contains("-18.0"), "{sends}");
    // Each bus: its fader level, a meter fed by the engine, its chain.
    let verb = line("verb");
    assert!(verb.contains("-3.0") && verb.contains("Eq3→"), "{verb}");
    assert!(
        verb.contains('█'),
        "the verb meter shows its report: {verb}"
    );
    let echo = line("echo");
    assert!(echo.contains("0.0") && echo.contains("Delay"), "{echo}");
    // The master stays the last line.
    assert!(text.lines().nth(8).unwrap().contains("master"), "{text}");
    // A track without sends shows them off.
    a.select(0);
    let text = screen_text(&draw_part(&a, Component::Mixer, 60, 10));
    assert_eq!(text.matches("off").count(), 2, "{text}");
}

#[test]
fn send_keys_move_the_selected_tracks_send_through_set_send_and_undo() {
    let mut a = app();
    a.select(2);
    // ')' turns the send to the chosen bus (verb, the first) up by 1 dB.
    let actions = a.handle_key(key(')'));
    assert_eq!(
        actions,
        vec![Action::SetSend {
            track: "bass".into(),
            bus: "verb".into(),
            db: -23.0
        }]
    );
    assert_eq!(send(&a, "bass", "verb"), Some(-23.0));
    // 'b' chooses the next bus; '(' turns that send down.
    a.handle_key(key('b'));
    assert_eq!(a.send_bus, 1);
    // The chosen bus's name is bold on the sends line, the other is not.
    let t = draw_part(&a, Component::Mixer, 60, 10);
    let buf = t.backend().buffer();
    let y = 5;
    let at = |name: &str| {
        let row: String = (0..60).map(|x| buf[(x, y)].symbol().to_string()).collect();
        row.find(&format!(" {name} "))
            .map(|i| row[..i].chars().count() as u16 + 1)
    };
    let (verb_x, echo_x) = (at("verb").unwrap(), at("echo").unwrap());
    assert!(buf[(echo_x, y)].modifier.contains(Modifier::BOLD));
    assert!(!buf[(verb_x, y)].modifier.contains(Modifier::BOLD));
    a.handle_key(key('('));
    assert_eq!(send(&a, "bass", "echo"), Some(-19.0));
    assert_eq!(send(&a, "bass", "verb"), Some(-23.0));
    let text = screen_text(&draw(&mut a, 80, 24));
    assert!(text.contains("-19.0"), "{text}");
    // An off send comes in at -30 dB; below -60 dB it goes off again.
    a.select(0);
    a.handle_key(key(')'));
    assert_eq!(send(&a, "kick", "echo"), Some(-30.0));
    a.handle_key(key('b'));
    assert!(a.handle_key(key('(')).is_empty(), "an off send stays off");
    a.select(1);
    assert_eq!(send(&a, "snare", "verb"), Some(-12.0));
    // Every key press is an undoable step.
    a.handle_key(key('u'));
    assert_eq!(send(&a, "kick", "echo"), None);
    a.handle_key(key('u'));
    assert_eq!(send(&a, "bass", "echo"), Some(-18.0));
    a.handle_key(key('u'));
    assert_eq!(send(&a, "bass", "verb"), Some(-24.0));
    // 'b' wraps around the buses.
    a.handle_key(key('b'));
    assert_eq!(a.send_bus, 1);
    a.handle_key(key('b'));
    assert_eq!(a.send_bus, 0);
    a.handle_key(code(KeyCode::Esc));
}

#[test]
fn a_send_turned_below_the_faders_floor_goes_off() {
    let mut a = app();
    a.select(1);
    a.session_mut()
        .apply(Action::SetSend {
            track: "snare".into(),
            bus: "verb".into(),
            db: -59.5,
        })
        .unwrap();
    a.handle_key(key('('));
    assert_eq!(send(&a, "snare", "verb"), None, "the send is removed");
}

/// The mixer's inner area, its lines and the sends line's controls at 80x24.
fn geometry(a: &App) -> (Rect, layout::MixerLines, Vec<layout::SendCols>) {
    let mixer = view::layout(a.area).mixer;
    let inner = Rect::new(mixer.x + 1, mixer.y + 1, mixer.width - 2, mixer.height - 2);
    let rows = Rows {
        selected: a.selected,
        len: a.tracks().len(),
        buses: a.session().file().buses.len(),
        send_bus: a.send_bus,
    };
    let lines = layout::mixer_lines(rows, inner);
    (inner, lines, layout::send_cols(inner, rows))
}

#[test]
fn dragging_a_send_fader_sets_the_send_and_is_one_undo_step() {
    let mut a = bare_app();
    a.area = Rect::new(0, 0, 80, 24);
    a.select(2);
    let (_, lines, sends) = geometry(&a);
    let y = lines.sends.expect("a sends line at 80x24");
    assert_eq!(sends.len(), 2, "both buses fit at 80 columns");
    let echo = sends[1];
    let (fx, fw) = echo.fader;
    // A click on the right end of echo's send fader: +6 dB, echo now chosen.
    let actions = a.handle_mouse(mouse(
        MouseEventKind::Down(MouseButton::Left),
        fx + fw - 1,
        y,
    ));
    assert_eq!(
        actions,
        vec![Action::SetSend {
            track: "bass".into(),
            bus: "echo".into(),
            db: 6.0
        }]
    );
    assert_eq!(a.send_bus, 1);
    // Dragging follows the same fader, whatever line the pointer is on.
    a.handle_mouse(mouse(
        MouseEventKind::Drag(MouseButton::Left),
        fx + fw / 2,
        y + 3,
    ));
    let mid = send(&a, "bass", "echo").unwrap();
    assert!((-40.0..0.0).contains(&mid), "{mid}");
    assert_eq!(send(&a, "bass", "verb"), Some(-24.0), "verb untouched");
    a.handle_mouse(mouse(MouseEventKind::Drag(MouseButton::Left), fx - 1, y));
    assert_eq!(send(&a, "bass", "echo"), None, "left of the fader is off");
    a.handle_mouse(mouse(MouseEventKind::Up(MouseButton::Left), fx - 1, y));
    a.handle_key(key('u'));
    assert_eq!(send(&a, "bass", "echo"), Some(-18.0));
    // The drawn sends line agrees with the model.
    let text = screen_text(&draw(&mut a, 80, 24));
    assert!(text.contains("-18.0"), "{text}");
}

#[test]
fn clicking_and_dragging_a_bus_fader_sets_its_return_level() {
    let mut a = bare_app();
    a.area = Rect::new(0, 0, 80, 24);
    let (inner, lines, _) = geometry(&a);
    let (fx, fw) = view::mixer_cols(inner).fader;
    let echo_y = lines.bus_y + 1;
    // The left end is off, as on a track's fader.
    let actions = a.handle_mouse(mouse(MouseEventKind::Down(MouseButton::Left), fx, echo_y));
    assert_eq!(
        actions,
        vec![Action::SetBusVolume {
            bus: "echo".into(),
            db: -120.0
        }]
    );
    a.handle_mouse(mouse(
        MouseEventKind::Drag(MouseButton::Left),
        fx + fw - 1,
        0,
    ));
    assert_eq!(a.session().file().buses[1].volume, 6.0);
    assert_eq!(a.session().file().buses[0].volume, -3.0, "verb untouched");
    a.handle_mouse(mouse(MouseEventKind::Up(MouseButton::Left), 0, 0));
    a.handle_key(key('u'));
    assert_eq!(a.session().file().buses[1].volume, 0.0);
    // Track rows still hit their tracks above the buses.
    let actions = a.handle_mouse(mouse(
        MouseEventKind::Down(MouseButton::Left),
        fx + fw - 1,
        inner.y + 3,
    ));
    assert_eq!(
        actions,
        vec![Action::SetVolume {
            track: "lead".into(),
            db: 6.0
        }]
    );
}

const METERED: &str = r#"Session(tempo: 120,
    buses: [
        Bus(name: "dry", volume: -2),
        Bus(name: "verb", volume: -4, effects: [Reverb(mix: 1)]),
    ],
    tracks: [
        Track(name: "a", instrument: Synth(wave: Sine, unison: 1, sustain: 1), pattern: Notes("69"), resolution: 1, gate: 1, volume: -12, sends: SENDS),
    ])"#;

/// Peak and RMS in dB per channel of `x`.
fn levels(l: &[f32], r: &[f32]) -> [(f64, f64); 2] {
    [l, r].map(|x| {
        let peak = x.iter().fold(0f32, |m, v| m.max(v.abs()));
        let rms = (x.iter().map(|v| (*v as f64).powi(2)).sum::<f64>() / x.len() as f64).sqrt();
        (20.0 * (peak as f64).log10(), 20.0 * rms.log10())
    })
}

#[test]
fn the_bus_meter_reads_the_level_the_bus_adds_to_the_master() {
    // Two engines, the same blocks: one with the track sending to verb, one
    // without. What verb adds to the master is the difference of their
    // outputs (the limiter stays open), measured offline per report block.
    let (with, mut e_with) =
        crate::common::prepare(&METERED.replace("SENDS", r#"{"verb": -6, "dry": -10}"#));
    let (mut without, mut e_without) =
        crate::common::prepare(&METERED.replace("SENDS", r#"{"dry": -10}"#));
    let latency = e_with.latency();
    let verb = with.bus_slot("verb").expect("verb has an engine bus");
    let mut a = App::new(with, Keymap::defaults(), Theme::dark());
    // One report per 800-frame block (60 a second at 48 kHz).
    const N: usize = 800;
    let (mut out_a, mut out_b) = ((Vec::new(), Vec::new()), (Vec::new(), Vec::new()));
    let mut reports = Vec::new();
    let mut limited = 0f32;
    let (mut l, mut r) = (vec![0f32; N], vec![0f32; N]);
    for _ in 0..120 {
        e_with.process(&mut l, &mut r);
        out_a.0.extend_from_slice(&l);
        out_a.1.extend_from_slice(&r);
        e_without.process(&mut l, &mut r);
        out_b.0.extend_from_slice(&l);
        out_b.1.extend_from_slice(&r);
        let mut fb = Vec::new();
        a.session_mut()
            .engine_mut()
            .unwrap()
            .drain_feedback(|f| fb.push(f));
        let mut this = None;
        for f in fb {
            match f {
                Feedback::BusMeter { bus, peak, rms } if bus == verb => this = Some((peak, rms)),
                Feedback::Limiter { gain_db } => limited = limited.min(gain_db),
                _ => {}
            }
            a.feedback(f);
        }
        reports.push(this.expect("one verb report per block"));
        without.engine_mut().unwrap().drain_feedback(|_| {});
    }
    assert!(limited > -0.01, "the limiter stayed open: {limited} dB");
    let mut checked = 0;
    for k in (10..119).step_by(9) {
        let span = k * N + latency..(k + 1) * N + latency;
        let diff = |a: &[f32], b: &[f32]| -> Vec<f32> {
            a[span.clone()]
                .iter()
                .zip(&b[span.clone()])
                .map(|(x, y)| x - y)
                .collect()
        };
        let offline = levels(&diff(&out_a.0, &out_b.0), &diff(&out_a.1, &out_b.1));
        let (peak, rms) = reports[k];
        for ch in 0..2 {
            let (p, q) = (gain_to_db(peak[ch]) as f64, gain_to_db(rms[ch]) as f64);
            assert!(
                (p - offline[ch].0).abs() < 0.1 && (q - offline[ch].1).abs() < 0.1,
                "block {k} channel {ch}: meter peak {p:.2} rms {q:.2} dB, offline {:.2} {:.2}",
                offline[ch].0,
                offline[ch].1
            );
            assert!((-60.0..-6.0).contains(&q), "a real level: {q}");
        }
        checked += 1;
    }
    assert!(checked >= 10);
    // The UI's verb meter shows that report (the louder channel).
    a.bus_meters[verb as usize] = Meter::default();
    let (peak, rms) = reports[118];
    a.feedback(Feedback::BusMeter {
        bus: verb,
        peak,
        rms,
    });
    let m = a.bus_meter_of("verb");
    let span = 118 * N + latency..119 * N + latency;
    let d: Vec<f32> = out_a.0[span.clone()]
        .iter()
        .zip(&out_b.0[span.clone()])
        .map(|(x, y)| x - y)
        .collect();
    let e: Vec<f32> = out_a.1[span.clone()]
        .iter()
        .zip(&out_b.1[span])
        .map(|(x, y)| x - y)
        .collect();
    let offline = levels(&d, &e);
    let want = offline[0].1.max(offline[1].1);
    assert!(
        (m.rms as f64 - want).abs() < 0.1,
        "shown {} dB, offline {want:.2}",
        m.rms
    );
    assert_ne!(a.bus_meter_of("dry"), m, "each bus has its own meter");
}

#[test]
fn the_transport_shows_the_whole_output_latency_from_the_engine() {
    let (session, mut engine) = crate::common::prepare(
        r#"Session(tempo: 120, tracks: [Track(name: "a", instrument: Kick(), pattern: Steps("x..."))])"#,
    );
    let lookahead = engine.latency();
    assert!(lookahead > 0, "the limiter looks ahead");
    let mut a = App::new(session, Keymap::defaults(), Theme::dark());
    a.sink = Some(SinkInfo::Device {
        name: "test-sink".into(),
        rate: 48000,
        buffer: 512,
        note: None,
    });
    // Before any callback the block is taken to be the device buffer.
    let l0 = a.latency().unwrap();
    assert_eq!((l0.buffer, l0.block), (512, 512));
    // The device asks for 480 frames a callback: that is the engine's block.
    let (mut l, mut r) = (vec![0f32; 480], vec![0f32; 480]);
    engine.process(&mut l, &mut r);
    a.pump();
    let lat = a.latency().unwrap();
    assert_eq!(lat.buffer, 512);
    assert_eq!(lat.block, 480);
    assert_eq!(lat.lookahead as usize, lookahead);
    let frames = 512 + 480 + lookahead;
    assert_eq!(lat.frames() as usize, frames);
    let ms = frames as f64 * 1000.0 / 48000.0;
    assert!((lat.ms() - ms).abs() < 1e-9);
    // Wide: the sum and its parts; narrow: the sum. Never the buffer alone.
    let wide = screen_text(&draw_part(&a, Component::Transport, 160, 1));
    assert!(
        wide.contains(&format!(
            "out {ms:.1}ms = buffer 512 + block 480 + look-ahead {lookahead} frames"
        )),
        "{wide}"
    );
    let narrow = screen_text(&draw_part(&a, Component::Transport, 80, 1));
    assert!(
        narrow.contains(&format!("out {ms:.1}ms test-sink")),
        "{narrow}"
    );
    assert!(
        !narrow.contains("10.7ms") && !narrow.contains("512f"),
        "{narrow}"
    );
}

#[test]
fn a_send_set_over_osc_shows_on_the_sends_line_and_undoes_like_a_key() {
    use rosc::{OscMessage, OscType};
    use termdaw::osc::{address, Request};
    let mut a = app();
    a.select(2);
    let got = address::request(&OscMessage {
        addr: "/termdaw/set_send".into(),
        args: vec![
            OscType::String("bass".into()),
            OscType::String("echo".into()),
            OscType::Float(-9.0),
        ],
    });
    let Ok(Request::Action(action)) = got else {
        panic!("not an action: {got:?}");
    };
    a.apply(*action);
    assert_eq!(send(&a, "bass", "echo"), Some(-9.0));
    let text = screen_text(&draw_part(&a, Component::Mixer, 60, 10));
    assert!(text.contains("-9.0"), "{text}");
    a.handle_key(key('u'));
    assert_eq!(send(&a, "bass", "echo"), Some(-18.0));
}

#[test]
fn many_buses_leave_the_tracks_half_the_mixer() {
    let inner = Rect::new(0, 0, 46, 8);
    let rows = |buses| Rows {
        selected: 0,
        len: 4,
        buses,
        send_bus: 0,
    };
    // 80x24: eight lines, the master last; two buses leave all four tracks.
    let two = layout::mixer_lines(rows(2), inner);
    assert_eq!((two.track_h, two.buses, two.sends), (4, 2, Some(4)));
    let eight = layout::mixer_lines(rows(8), inner);
    assert_eq!((eight.track_h, eight.buses), (4, 2));
    assert_eq!(eight.bus_y + eight.buses as u16, eight.master);
    // No buses: no sends line, every line for tracks.
    let none = layout::mixer_lines(rows(0), inner);
    assert_eq!((none.track_h, none.sends), (7, None));
}
