//! MIDI learn and the mapping list in the UI, with controller bytes going
//! through the real decode → MIDI input → live-input loop path.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::common::*;
use termdaw::live::Inputs;
use termdaw::midi::{MidiIn, Wanted};
use termdaw::patch::{CcTarget, Curve};
use termdaw::tui::app::Overlay;
use termdaw::tui::{App, Keymap, Theme};

const S: &str = r#"Session(tempo: 120, tracks: [
    Track(name: "keys", instrument: Synth(wave: Saw, cutoff: 1000)),
    Track(name: "drums", instrument: Kick()),
])"#;

fn key(app: &mut App, code: KeyCode) {
    app.handle_key(KeyEvent::new(code, KeyModifiers::NONE));
}

/// One pass of the UI loop's input handling (what tui::term::run does per frame).
fn frame(app: &mut App, inputs: &mut Inputs) {
    if app.midi.take_request() {
        assert!(inputs.learn(), "MIDI is on, so learn can be armed");
    }
    let slot = app.selected_slot();
    for e in inputs.poll(app.session_mut_quiet(), slot) {
        app.live_event(e);
    }
}

#[test]
fn learn_maps_the_moved_knob_to_the_picked_parameter_and_the_knob_then_moves_it() {
    let (session, _engine) = prepare(S);
    let mut app = App::new(session, Keymap::defaults(), Theme::dark());
    let mut inputs = Inputs::default();
    inputs.midi = Some(MidiIn::new(Wanted::None));
    let mut knob = inputs
        .midi
        .as_mut()
        .unwrap()
        .byte_feed(app.session_mut_quiet())
        .expect("an input port is free");

    key(&mut app, KeyCode::Char('L'));
    assert_eq!(app.overlay, Overlay::MidiLearn);
    frame(&mut app, &mut inputs);
    // The musician turns knob CC 74 on channel 2: nothing changes yet...
    knob.feed(&[0xB1, 74, 64]);
    frame(&mut app, &mut inputs);
    assert_eq!(
        app.session()
            .file()
            .track("keys")
            .unwrap()
            .instrument
            .param("cutoff"),
        Some(1000.0)
    );
    // ...the list of targets for the selected track comes up; pick cutoff.
    let targets = termdaw::tui::midi::targets(app.session().file(), app.selected_track());
    let at = targets
        .iter()
        .position(|(_, t)| *t == CcTarget::new("set_param", ["keys", "cutoff"]))
        .expect("cutoff is offered");
    for _ in 0..at {
        key(&mut app, KeyCode::Down);
    }
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.overlay, Overlay::None);
    let m = &app.session().file().midi.cc;
    assert_eq!(m.len(), 1, "{m:?}");
    assert_eq!((m[0].cc, m[0].channel), (74, Some(2)));
    assert_eq!(m[0].target, CcTarget::new("set_param", ["keys", "cutoff"]));
    assert_eq!(m[0].curve, Curve::Exp, "a frequency moves in equal ratios");
    assert!(
        app.session().is_dirty(),
        "the mapping is part of the session file"
    );

    // Now the knob moves the cutoff: full right is the top of its range.
    knob.feed(&[0xB1, 74, 127]);
    frame(&mut app, &mut inputs);
    let top = app
        .session()
        .file()
        .track("keys")
        .unwrap()
        .instrument
        .param("cutoff")
        .unwrap();
    assert!(top > 15_000.0, "cutoff after the knob: {top}");

    // The mapping list shows it and `d` deletes it, which undoes like any edit.
    key(&mut app, KeyCode::Char('M'));
    assert_eq!(app.overlay, Overlay::MidiMap);
    key(&mut app, KeyCode::Char('d'));
    assert!(app.session().file().midi.cc.is_empty());
    key(&mut app, KeyCode::Esc);
    key(&mut app, KeyCode::Char('u'));
    assert_eq!(
        app.session().file().midi.cc.len(),
        1,
        "undo brings the mapping back"
    );
    knob.close(app.session_mut_quiet());
}

#[test]
fn escape_cancels_learn_and_the_next_knob_is_applied_normally() {
    let (session, _engine) = prepare(S);
    let mut app = App::new(session, Keymap::defaults(), Theme::dark());
    let mut inputs = Inputs::default();
    inputs.midi = Some(MidiIn::new(Wanted::None));
    key(&mut app, KeyCode::Char('L'));
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.overlay, Overlay::None);
    let before = app.session().file().clone();
    // Learn was armed in the input and then cancelled in the UI: a late
    // report must not reopen the picker.
    app.midi_learned(1, 20);
    assert_eq!(app.overlay, Overlay::None);
    assert_eq!(app.session().file(), &before);
}

#[test]
fn learn_without_midi_says_how_to_turn_it_on() {
    let (session, _engine) = prepare(S);
    let mut app = App::new(session, Keymap::defaults(), Theme::dark());
    let mut inputs = Inputs::default();
    key(&mut app, KeyCode::Char('L'));
    assert!(app.midi.take_request());
    assert!(!inputs.learn(), "no MIDI input: learn cannot be armed");
    let _ = inputs.poll(app.session_mut_quiet(), None);
}

fn screen(app: &mut App, w: u16, h: u16) -> ratatui::Terminal<ratatui::backend::TestBackend> {
    app.area = ratatui::layout::Rect::new(0, 0, w, h);
    let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(w, h)).unwrap();
    t.draw(|f| termdaw::tui::view::draw(f, app)).unwrap();
    t
}

#[test]
fn snapshots_of_the_learn_picker_and_the_mapping_list() {
    let (session, _engine) = prepare(S);
    let mut app = App::new(session, Keymap::defaults(), Theme::dark());
    key(&mut app, KeyCode::Char('L'));
    insta::assert_snapshot!("learn_waiting_80x24", screen(&mut app, 80, 24).backend());
    app.midi_learned(1, 74);
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Down);
    insta::assert_snapshot!("learn_picking_80x24", screen(&mut app, 80, 24).backend());
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Char('M'));
    insta::assert_snapshot!("mapping_list_80x24", screen(&mut app, 80, 24).backend());
}

#[test]
fn learn_offers_effect_parameters_bus_levels_sends_and_swing() {
    use termdaw::patch::CcArg;
    let (session, _engine) = prepare(
        r#"Session(tracks: [
            Track(name: "keys", instrument: Synth(), effects: [Delay()], sends: {"verb": -12}),
        ], buses: [Bus(name: "verb", effects: [Reverb()])], master: Master(effects: [Lowpass()]))"#,
    );
    let mut app = App::new(session, Keymap::defaults(), Theme::dark());
    let targets = termdaw::tui::midi::targets(app.session().file(), app.selected_track());
    let labels: Vec<&str> = targets.iter().map(|(l, _)| l.as_str()).collect();
    for want in [
        "keys volume",
        "keys.cutoff (Hz)",
        "keys fx 0 Delay.mix",
        "keys fx 0 Delay.time (s)",
        "keys send → verb",
        "swing",
        "tempo",
        "master volume",
        "master fx 0 Lowpass.cutoff (Hz)",
        "bus:verb fx 0 Reverb.mix",
        "verb bus volume",
    ] {
        assert!(labels.contains(&want), "{want} not offered: {labels:?}");
    }
    let pos = |l: &str| labels.iter().position(|x| *x == l).unwrap();
    assert!(
        pos("keys send → verb") < pos("tempo"),
        "the selected track's targets come first"
    );
    // Pick the delay's mix: the knob then moves it over its own range.
    key(&mut app, KeyCode::Char('L'));
    app.midi_learned(1, 21);
    for _ in 0..pos("keys fx 0 Delay.mix") {
        key(&mut app, KeyCode::Down);
    }
    key(&mut app, KeyCode::Enter);
    let m = app.session().file().midi.cc[0].clone();
    assert_eq!(
        m.target,
        termdaw::patch::CcTarget {
            action: "set_effect_param".into(),
            args: vec![CcArg::from("keys"), CcArg::Number(0.0), CcArg::from("mix")],
        }
    );
    assert_eq!(
        termdaw::tui::midi::describe(&m, app.session().file()),
        "CC  21 ch 1   → keys fx 0 Delay.mix"
    );
    let a = termdaw::midi::map::action(&m, 127, app.session().file()).unwrap();
    app.session_mut_quiet().apply(a).unwrap();
    let delay = &app.session().file().track("keys").unwrap().effects[0];
    assert_eq!(delay.param("mix"), Some(1.0));
}
