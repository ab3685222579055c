//! MIDI: notes, sustain, pitch bend, routing, controller mappings and learn,
//! through the same decode → routing → engine path a device uses.

use crate::common::*;
use termdaw::midi::{map, MidiIn, MidiReport, Wanted};
use termdaw::patch::{CcMap, CcTarget, Curve};

const S: &str = r#"Session(tempo: 120, tracks: [
    Track(name: "keys", instrument: Synth(wave: Sine, unison: 1, attack: 0, sustain: 1, release: 0.005, cutoff: 20000)),
    Track(name: "drums", instrument: Kick()),
], midi: Midi(channels: {10: "drums"}, cc: [
    Cc(cc: 74, target: Param("keys", "cutoff"), min: 200, max: 8000, curve: Exp),
    Cc(cc: 7, channel: 1, target: Volume("keys")),
]))"#;

fn setup() -> (termdaw::session::Session, termdaw::engine::Engine, MidiIn) {
    let (mut s, e) = prepare(S);
    let mut m = MidiIn::new(Wanted::None);
    m.select(s.slot("keys"));
    m.poll(&mut s);
    (s, e, m)
}

#[test]
fn a_note_sounds_at_the_next_block_and_stops_on_note_off() {
    let (mut s, mut e, mut m) = setup();
    let mut feed = m.byte_feed(&mut s).unwrap();
    let _ = render_with(&mut s, &mut e, 6400, |_, _| {});
    feed.feed(&[0x90, 69, 100]);
    let a = render_with(&mut s, &mut e, 9600, |_, _| {});
    assert_eq!(
        a.onset(0.0),
        Some(0),
        "sounds from the first sample of the next block"
    );
    let f = peak_frequency(&a.l[..8192], RATE as f32);
    assert!((f / 440.0 - 1.0).abs() < 0.005, "{f}");
    feed.feed(&[0x80, 69, 0]);
    let b = render_with(&mut s, &mut e, 4800, |_, _| {});
    assert!(
        b.l[1000..].iter().all(|x| *x == 0.0),
        "released within 5 ms"
    );
}

#[test]
fn sustain_pedal_holds_notes_until_it_is_lifted() {
    let (mut s, mut e, mut m) = setup();
    let mut feed = m.byte_feed(&mut s).unwrap();
    feed.feed(&[0xB0, 64, 127, 0x90, 60, 100, 0x80, 60, 0]);
    let a = render_with(&mut s, &mut e, 9600, |_, _| {});
    assert!(
        Audio::rms(&a.l[4800..]) > 0.05,
        "held by the pedal after note-off"
    );
    feed.feed(&[0xB0, 64, 0]);
    let b = render_with(&mut s, &mut e, 4800, |_, _| {});
    assert!(
        b.l[1000..].iter().all(|x| *x == 0.0),
        "released when the pedal lifts"
    );
}

#[test]
fn no_note_hangs_when_the_device_goes_away_or_says_all_notes_off() {
    let (mut s, mut e, mut m) = setup();
    let mut feed = m.byte_feed(&mut s).unwrap();
    feed.feed(&[0x90, 60, 100, 64, 100, 67, 100]);
    let _ = render_with(&mut s, &mut e, 4800, |_, _| {});
    feed.close(&mut s);
    let a = render_with(&mut s, &mut e, 4800, |_, _| {});
    assert!(
        a.l[1000..].iter().all(|x| *x == 0.0),
        "a vanished device's notes are released"
    );
    let mut feed = m.byte_feed(&mut s).unwrap();
    feed.feed(&[0x90, 60, 100, 62, 100]);
    let _ = render_with(&mut s, &mut e, 4800, |_, _| {});
    feed.feed(&[0xB0, 123, 0]);
    let b = render_with(&mut s, &mut e, 4800, |_, _| {});
    assert!(
        b.l[1000..].iter().all(|x| *x == 0.0),
        "All Notes Off (CC 123)"
    );
}

#[test]
fn pitch_bend_follows_the_track_range() {
    let (mut s, mut e, mut m) = setup();
    let mut feed = m.byte_feed(&mut s).unwrap();
    feed.feed(&[0x90, 69, 100, 0xE0, 127, 127]);
    let a = render_with(&mut s, &mut e, 16384, |_, _| {});
    let f = peak_frequency(&a.l, RATE as f32);
    let want = 440.0 * 2f32.powf(2.0 * 8191.0 / 8192.0 / 12.0);
    assert!((f / want - 1.0).abs() < 0.005, "{f} vs {want}");
}

#[test]
fn channels_route_to_their_tracks() {
    let (mut s, mut e, mut m) = setup();
    s.apply(termdaw::action::Action::SetMute {
        track: "keys".into(),
        on: true,
    })
    .unwrap();
    let mut feed = m.byte_feed(&mut s).unwrap();
    // Channel 10 (status 0x99) is routed to the drums, which are not muted.
    feed.feed(&[0x99, 60, 127]);
    let a = render_with(&mut s, &mut e, 4800, |_, _| {});
    assert!(a.peak() > 0.1, "the kick on channel 10 sounded");
}

#[test]
fn mapped_controllers_become_actions_with_their_curve() {
    let (s, _e, _m) = setup();
    let f = s.file();
    let m = &f.midi.cc[0];
    let v = |x: u8| match map::action(m, x, f).unwrap() {
        termdaw::action::Action::SetParam {
            value: termdaw::action::ArgValue::Number(n),
            ..
        } => n,
        other => panic!("{other:?}"),
    };
    assert!((v(0) - 200.0).abs() < 1e-9);
    assert!((v(127) - 8000.0).abs() < 1e-6);
    // Exponential: the middle of the knob is the geometric middle (1265 Hz).
    assert!(
        (v(64) - 200.0 * 40f64.powf(64.0 / 127.0)).abs() < 1e-6,
        "{}",
        v(64)
    );
    let vol = CcMap {
        cc: 7,
        channel: None,
        target: CcTarget::new("set_volume", ["keys"]),
        min: None,
        max: None,
        curve: Curve::Linear,
    };
    assert_eq!(
        map::action(&vol, 127, f),
        Some(termdaw::action::Action::SetVolume {
            track: "keys".into(),
            db: 6.0
        })
    );
    let gone = CcMap {
        target: CcTarget::new("set_param", ["nope", "cutoff"]),
        ..vol
    };
    assert_eq!(map::action(&gone, 1, f), None);
}

#[test]
fn controllers_reach_the_session_and_learn_reports_the_next_one() {
    let (mut s, _e, mut m) = setup();
    let mut feed = m.byte_feed(&mut s).unwrap();
    feed.feed(&[0xB0, 7, 0]);
    let r = m.poll(&mut s);
    assert_eq!(
        r,
        vec![MidiReport::Applied("keys.volume +0.0 dB → -60.0 dB".into())]
    );
    // CC 7 on channel 2 is not mapped (the mapping listens to channel 1 only).
    feed.feed(&[0xB1, 7, 127]);
    assert_eq!(m.poll(&mut s), vec![]);
    m.learn();
    feed.feed(&[0xB2, 21, 90]);
    assert_eq!(
        m.poll(&mut s),
        vec![MidiReport::Learned { channel: 3, cc: 21 }]
    );
    assert_eq!(
        s.file().track("keys").unwrap().volume,
        -60.0,
        "learning applied nothing"
    );
}

#[test]
fn without_a_midi_system_there_is_one_notice_and_no_error() {
    // CI has no ALSA sequencer (and no JACK server for the jack backend).
    let mut m = MidiIn::new(Wanted::All);
    let notices = m.take_notices();
    if termdaw::midi::list_inputs().is_err() {
        assert_eq!(notices.len(), 1, "{notices:?}");
        assert!(
            notices[0].contains("no MIDI input available"),
            "{notices:?}"
        );
    }
}

/// Onset (first non-zero sample) of a note played into a 512-frame-block
/// engine, with the bytes fed as `feed` does before the second block.
fn onset_with(feed: impl FnOnce(&mut termdaw::midi::ByteFeed)) -> usize {
    let (mut s, mut e, mut m) = setup();
    let mut port = m.byte_feed(&mut s).unwrap();
    let (mut l, mut r) = (vec![0.0f32; 512], vec![0.0f32; 512]);
    e.process(&mut l, &mut r);
    assert!(l.iter().all(|x| *x == 0.0));
    feed(&mut port);
    let mut out = Vec::new();
    for _ in 0..4 {
        e.process(&mut l, &mut r);
        out.extend_from_slice(&l);
    }
    port.close(&mut s);
    out.iter()
        .position(|x| x.abs() > 0.0)
        .expect("the note sounded")
}

#[test]
fn timestamped_events_keep_their_spacing_inside_a_block() {
    // Without a timestamp a note lands on the next block's first sample.
    let plain = onset_with(|p| p.feed(&[0x90, 69, 100]));
    // With timestamps: an event at t = 0 (a note-off for a silent note, so
    // it makes no sound) and the note 5 ms later must sound 240 samples
    // (5 ms at 48 kHz) after where the first event landed.
    let stamped = onset_with(|p| {
        p.feed_at(1_000_000, &[0x80, 60, 0]);
        p.feed_at(1_005_000, &[0x90, 69, 100]);
    });
    assert_eq!(stamped - plain, 240, "plain {plain}, stamped {stamped}");
    assert!(stamped < 512 + 240, "still within one block of arriving");
}

/// A held A4 through a low-pass whose mix a knob (CC 21) moves, written in
/// the general mapping form.
const FX: &str = r#"Session(tempo: 120, tracks: [
    Track(name: "keys", instrument: Synth(wave: Sine, unison: 1, attack: 0, sustain: 1, release: 0.005, cutoff: 20000),
          effects: [Lowpass(cutoff: 60, mix: 0)]),
], buses: [Bus(name: "verb", effects: [Reverb(mix: 1)])],
midi: Midi(cc: [
    Cc(cc: 21, action: "set_effect_param", args: ["keys", 0, "mix"]),
    Cc(cc: 22, action: "set_bus_volume", args: ["verb"]),
    Cc(cc: 23, action: "set_swing"),
    Cc(cc: 24, action: "set_send", args: ["keys", "verb"], min: -40, max: 0),
]))"#;

#[test]
fn a_knob_mapped_to_an_effect_parameter_moves_it_and_the_sound() {
    let (mut s, mut e) = prepare(FX);
    let mut m = MidiIn::new(Wanted::None);
    m.select(s.slot("keys"));
    m.poll(&mut s);
    let mut feed = m.byte_feed(&mut s).unwrap();
    feed.feed(&[0x90, 69, 100]);
    m.poll(&mut s);
    let dry = render_with(&mut s, &mut e, 9600, |_, _| {});
    let mix =
        |s: &termdaw::session::Session| s.file().track("keys").unwrap().effects[0].param("mix");
    assert_eq!(mix(&s), Some(0.0));

    // Knob full right: the effect is all wet, the 60 Hz low-pass takes the A4 away.
    feed.feed(&[0xB0, 21, 127]);
    m.poll(&mut s);
    assert_eq!(mix(&s), Some(1.0), "the session model holds the new mix");
    let _glide = render_with(&mut s, &mut e, 4800, |_, _| {});
    let wet = render_with(&mut s, &mut e, 9600, |_, _| {});
    let (d, w) = (Audio::rms(&dry.l[4800..]), Audio::rms(&wet.l));
    assert!(d > 0.05, "the note sounds dry: {d}");
    assert!(w < d / 10.0, "the knob filtered the note: dry {d}, wet {w}");

    // Half way: the range is the parameter's (0–1).
    feed.feed(&[0xB0, 21, 64]);
    m.poll(&mut s);
    assert!(
        (mix(&s).unwrap() - 64.0 / 127.0).abs() < 1e-3,
        "{:?}",
        mix(&s)
    );

    // Bus levels, sends and swing are in reach too, over their argument ranges.
    feed.feed(&[0xB0, 22, 0, 0xB0, 23, 127, 0xB0, 24, 127]);
    m.poll(&mut s);
    let f = s.file();
    assert_eq!(f.buses[0].volume, -60.0, "a level knob sweeps -60 to +6 dB");
    assert_eq!(f.swing, 0.5);
    assert_eq!(f.track("keys").unwrap().sends.get("verb"), Some(&0.0));
    feed.close(&mut s);
}

#[test]
fn the_older_target_forms_still_load_and_act_as_their_actions() {
    let f = parse(
        r#"Session(tracks: [
            Track(name: "bass", instrument: Synth()),
        ], buses: [Bus(name: "verb")],
        midi: Midi(cc: [
            Cc(cc: 1, target: Param("bass", "cutoff"), min: 200, max: 8000, curve: Exp),
            Cc(cc: 2, target: Volume("bass")),
            Cc(cc: 3, target: Pan("bass")),
            Cc(cc: 4, target: Send("bass", "verb"), min: -40, max: 0),
            Cc(cc: 5, target: Tempo),
            Cc(cc: 6, target: MasterVolume),
        ]))"#,
    );
    use termdaw::action::{Action, ArgValue};
    let none: [&str; 0] = [];
    let want = [
        (
            CcTarget::new("set_param", ["bass", "cutoff"]),
            Action::SetParam {
                track: "bass".into(),
                param: "cutoff".into(),
                value: ArgValue::Number(8000.0),
            },
        ),
        (
            CcTarget::new("set_volume", ["bass"]),
            Action::SetVolume {
                track: "bass".into(),
                db: 6.0,
            },
        ),
        (
            CcTarget::new("set_pan", ["bass"]),
            Action::SetPan {
                track: "bass".into(),
                pan: 1.0,
            },
        ),
        (
            CcTarget::new("set_send", ["bass", "verb"]),
            Action::SetSend {
                track: "bass".into(),
                bus: "verb".into(),
                db: 0.0,
            },
        ),
        (
            CcTarget::new("set_tempo", none),
            Action::SetTempo { bpm: 180.0 },
        ),
        (
            CcTarget::new("set_master_volume", none),
            Action::SetMasterVolume { db: 6.0 },
        ),
    ];
    for (m, (target, action)) in f.midi.cc.iter().zip(want) {
        assert_eq!(m.target, target, "CC {}", m.cc);
        assert_eq!(map::action(m, 127, &f), Some(action), "CC {}", m.cc);
    }
    // The old ranges hold: a fader's bottom is -60 dB, a tempo knob's 60 BPM.
    assert_eq!(
        map::action(&f.midi.cc[1], 0, &f),
        Some(Action::SetVolume {
            track: "bass".into(),
            db: -60.0
        })
    );
    assert_eq!(
        map::action(&f.midi.cc[4], 0, &f),
        Some(Action::SetTempo { bpm: 60.0 })
    );
    // Saved, they are written in the general form, and read back the same.
    let text = termdaw::patch::to_string(&f);
    assert!(text.contains(r#"action: "set_send""#), "{text}");
    assert!(!text.contains("target:"), "{text}");
    assert_eq!(parse(&text).midi, f.midi);
    // A mapping naming no action, or one a controller cannot set, is refused.
    for bad in [
        r#"Midi(cc: [Cc(cc: 1, action: "set_volumes", args: ["bass"])])"#,
        r#"Midi(cc: [Cc(cc: 1, action: "set_key")])"#,
        r#"Midi(cc: [Cc(cc: 1, action: "set_volume")])"#,
    ] {
        let e = Action::from_args("set_midi", &[ArgValue::Text(bad.into())]).unwrap_err();
        assert!(e.to_string().contains("CC 1:"), "{bad}: {e}");
    }
}

#[test]
fn quantize_moves_played_notes_into_the_key_and_releases_them() {
    // A minor: G# (68) is not in it; the nearest notes are G (67) and A
    // (69), and a tie goes down.
    let text = S.replace(
        "midi: Midi(",
        "key: \"A\", scale: Minor, midi: Midi(quantize: true, ",
    );
    let (mut s, mut e) = prepare(&text);
    let mut m = MidiIn::new(Wanted::None);
    m.select(s.slot("keys"));
    m.poll(&mut s);
    let mut feed = m.byte_feed(&mut s).unwrap();
    for (key, want) in [(68u8, 67.0f32), (70, 69.0), (71, 71.0)] {
        feed.feed(&[0x90, key, 100]);
        let a = render_with(&mut s, &mut e, 9600, |_, _| {});
        let f = peak_frequency(&a.l[..8192], RATE as f32);
        let hz = 440.0 * 2f32.powf((want - 69.0) / 12.0);
        assert!((f / hz - 1.0).abs() < 0.005, "key {key}: {f} Hz, want {hz}");
        // The key's release stops the note it sent, even after a key change.
        s.apply(termdaw::action::Action::SetKey { key: "C#".into() })
            .unwrap();
        m.poll(&mut s);
        feed.feed(&[0x80, key, 0]);
        let b = render_with(&mut s, &mut e, 4800, |_, _| {});
        assert!(b.l[1000..].iter().all(|x| *x == 0.0), "key {key} released");
        s.apply(termdaw::action::Action::SetKey { key: "A".into() })
            .unwrap();
        m.poll(&mut s);
    }
}

/// A mapping that gives every argument is a button: a press (64 and up)
/// fires the whole action, a release fires nothing: a footswitch starts a
/// looper's recording, another stops the transport.
#[test]
fn a_mapping_with_every_argument_is_a_button() {
    let text = r#"Session(tempo: 120, tracks: [
    Track(name: "loop", instrument: Looper(bars: 2)),
], midi: Midi(cc: [
    Cc(cc: 20, action: "looper", args: ["loop", "record"]),
    Cc(cc: 21, action: "stop"),
]))"#;
    let (mut s, _e) = prepare(text);
    let mut m = MidiIn::new(Wanted::None);
    m.poll(&mut s);
    let mut feed = m.byte_feed(&mut s).unwrap();
    feed.feed(&[0xB0, 20, 127]);
    assert_eq!(
        m.poll(&mut s),
        vec![MidiReport::Applied(
            "loop: looper record on the next bar".into()
        )]
    );
    feed.feed(&[0xB0, 20, 0]);
    assert_eq!(m.poll(&mut s), vec![], "a release fires nothing");
    assert!(s.is_playing());
    feed.feed(&[0xB0, 21, 127]);
    assert_eq!(m.poll(&mut s), vec![MidiReport::Applied("stop".into())]);
    assert!(!s.is_playing());
}
