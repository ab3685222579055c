//! Faders, pans, mute, solo, master and limiter, as a musician hears them.

use crate::common::*;
use termdaw::action::Action;

const TWO: &str = r#"Session(tempo: 120, tracks: [
    Track(name: "a", instrument: Synth(wave: Sine, unison: 1, sustain: 1), pattern: Notes("57"), resolution: 1, gate: 1, volume: VA, pan: PA, mute: MA, solo: SA),
    Track(name: "b", instrument: Synth(wave: Sine, unison: 1, sustain: 1), pattern: Notes("64"), resolution: 1, gate: 1, volume: VB, pan: PB, mute: MB, solo: SB),
])"#;

#[derive(Clone, Copy)]
struct T {
    vol: f64,
    pan: f64,
    mute: bool,
    solo: bool,
}

const DEF: T = T {
    vol: 0.0,
    pan: 0.0,
    mute: false,
    solo: false,
};

fn two(a: T, b: T) -> String {
    TWO.replace("VA", &a.vol.to_string())
        .replace("PA", &a.pan.to_string())
        .replace("MA", &a.mute.to_string())
        .replace("SA", &a.solo.to_string())
        .replace("VB", &b.vol.to_string())
        .replace("PB", &b.pan.to_string())
        .replace("MB", &b.mute.to_string())
        .replace("SB", &b.solo.to_string())
}

fn steady(text: &str) -> Audio {
    render_text(text, 48000).slice(12000, 48000)
}

#[test]
fn mute_silences_a_track_completely() {
    let both = steady(&two(DEF, DEF));
    let only_b = steady(&two(T { mute: true, ..DEF }, DEF));
    let b_alone = steady(&two(T { vol: -120.0, ..DEF }, DEF));
    assert!(Audio::rms(&both.l) > Audio::rms(&only_b.l) * 1.2);
    assert_eq!(only_b.l, b_alone.l, "a muted track adds exactly nothing");
    let none = steady(&two(T { mute: true, ..DEF }, T { mute: true, ..DEF }));
    assert!(none.l.iter().chain(&none.r).all(|x| *x == 0.0));
}

#[test]
fn solo_silences_the_other_tracks() {
    let solo_a = steady(&two(T { solo: true, ..DEF }, DEF));
    let a_alone = steady(&two(DEF, T { mute: true, ..DEF }));
    assert_eq!(solo_a.l, a_alone.l);
    assert!((peak_frequency(&solo_a.l, RATE as f32) - 220.0).abs() < 1.1);
}

#[test]
fn minus_6_db_halves_the_amplitude() {
    let full = steady(&two(DEF, T { mute: true, ..DEF }));
    let half = steady(&two(
        T {
            vol: -6.0206,
            ..DEF
        },
        T { mute: true, ..DEF },
    ));
    let db = 20.0 * (Audio::rms(&half.l) / Audio::rms(&full.l)).log10();
    assert!((db + 6.0206).abs() < 0.1, "{db} dB");
    let ratio = half.peak() / full.peak();
    assert!((ratio - 0.5).abs() < 0.006, "peak ratio {ratio}");
}

#[test]
fn hard_pan_puts_the_signal_on_one_side() {
    let left = steady(&two(T { pan: -1.0, ..DEF }, T { mute: true, ..DEF }));
    assert!(Audio::rms(&left.l) > 0.05);
    assert!(left.r.iter().all(|x| x.abs() < 1e-6), "right is silent");
    let right = steady(&two(T { pan: 1.0, ..DEF }, T { mute: true, ..DEF }));
    assert!(right.l.iter().all(|x| x.abs() < 1e-6), "left is silent");
    let centre = steady(&two(DEF, T { mute: true, ..DEF }));
    // Equal-power: the hard-panned side carries the power of both centred sides.
    let p_centre = Audio::rms(&centre.l).powi(2) + Audio::rms(&centre.r).powi(2);
    let p_left = Audio::rms(&left.l).powi(2);
    assert!((10.0 * (p_left / p_centre).log10()).abs() < 0.1);
}

#[test]
fn muting_mid_note_fades_instead_of_clicking() {
    let (mut s, mut e) = prepare(&two(DEF, T { mute: true, ..DEF }));
    let a = render_with(&mut s, &mut e, 24000, |s, frame| {
        if frame == 12032 {
            s.apply(Action::SetMute {
                track: "a".into(),
                on: true,
            })
            .unwrap();
        }
    });
    let max_step =
        a.l.windows(2)
            .skip(4800)
            .map(|w| (w[1] - w[0]).abs())
            .fold(0.0, f32::max);
    assert!(max_step < 0.03, "max step {max_step}");
    let tail = a.slice(16000, 24000);
    assert!(tail.l.iter().all(|x| *x == 0.0), "silent after the fade");
}

#[test]
fn limiter_holds_the_ceiling_on_a_session_driven_20_db_too_hot() {
    let text = r#"Session(tempo: 120, master: Master(volume: 12), tracks: [
        Track(name: "a", instrument: Synth(sustain: 1), pattern: Notes("45 57 52 60"), volume: 12, gate: 1),
        Track(name: "b", instrument: Synth(wave: Square, sustain: 1), pattern: Notes("69 64"), volume: 12, resolution: 8, gate: 1),
        Track(name: "k", instrument: Kick(), pattern: Steps("x...x...x...x..."), volume: 12),
    ])"#;
    let a = render_text(text, 96000);
    let ceiling = 10f32.powf(-0.3 / 20.0);
    assert!(a.peak() <= ceiling, "peak {} above {}", a.peak(), ceiling);
    assert!(
        a.peak() > ceiling * 0.95,
        "and it is actually driven into the limiter"
    );
    let quiet = render_text(&text.replace("volume: 12", "volume: -20"), 96000);
    assert!(
        quiet.peak() < 0.5,
        "quiet sessions stay below the ceiling untouched"
    );
}

#[test]
fn master_volume_scales_everything() {
    let base = steady(&two(DEF, DEF));
    let text = two(DEF, DEF).replacen(
        "Session(tempo: 120,",
        "Session(tempo: 120, master: Master(volume: -12),",
        1,
    );
    let low = steady(&text);
    let db = 20.0 * (Audio::rms(&low.l) / Audio::rms(&base.l)).log10();
    assert!((db + 12.0).abs() < 0.1, "{db}");
}

/// A track silent on the master, heard only through a send to bus "fx".
fn through_bus(bus: &str) -> String {
    format!(
        r#"Session(tempo: 120, buses: [{bus}], tracks: [
    Track(name: "a", instrument: Synth(wave: Sine, unison: 1, sustain: 1), pattern: Notes("57"), resolution: 1, gate: 1, volume: 0, sends: {{"fx": 0}}),
])"#
    )
}

#[test]
fn a_muted_bus_return_is_silent_and_a_panned_one_is_on_its_side() {
    let open = steady(&through_bus(r#"Bus(name: "fx", effects: [])"#));
    assert!(Audio::rms(&open.l) > 0.1 && Audio::rms(&open.r) > 0.1);
    let muted = steady(&through_bus(r#"Bus(name: "fx", effects: [], mute: true)"#));
    // The track itself is at 0 dB on the master, so only its direct sound is left.
    let direct =
        steady(&through_bus(r#"Bus(name: "fx", effects: [])"#).replace(r#"sends: {"fx": 0}"#, ""));
    assert!(
        (Audio::rms(&muted.l) - Audio::rms(&direct.l)).abs() < 1e-4,
        "muting the bus leaves only the direct sound: {} vs {}",
        Audio::rms(&muted.l),
        Audio::rms(&direct.l)
    );
    let left = steady(&through_bus(r#"Bus(name: "fx", effects: [], pan: -1)"#));
    let bus_r = Audio::rms(&left.r) - Audio::rms(&direct.r);
    assert!(
        bus_r.abs() < 1e-4,
        "the bus adds nothing on the right: {bus_r}"
    );
    assert!(
        Audio::rms(&left.l) > Audio::rms(&open.l),
        "and more on the left"
    );
}

#[test]
fn bus_mute_and_pan_are_actions_that_undo() {
    let (mut s, _e) = prepare(&through_bus(r#"Bus(name: "fx")"#));
    let d = s
        .apply(Action::SetBusMute {
            bus: "fx".into(),
            on: true,
        })
        .unwrap();
    assert_eq!(d.description, "bus fx mute on");
    s.apply(Action::SetBusPan {
        bus: "fx".into(),
        pan: -0.5,
    })
    .unwrap();
    assert!(s.file().buses[0].mute);
    assert_eq!(s.file().buses[0].pan, -0.5);
    s.apply(Action::Undo {}).unwrap();
    s.apply(Action::Undo {}).unwrap();
    assert!(!s.file().buses[0].mute);
    assert_eq!(s.file().buses[0].pan, 0.0);
}
