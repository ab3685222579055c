//! The action table and Session::apply: validation, undo/redo, and that
//! every change reaches the sound.

use crate::common::*;
use termdaw::action::{self, Action, ActionError, ArgSpec, ArgType, ArgValue, Call, ACTIONS};

const S: &str = r#"Session(tempo: 120, tracks: [
    Track(name: "bass", instrument: Synth(cutoff: 800), pattern: Notes("45 ~ 48 ~"), voices: 4),
    Track(name: "kick", instrument: Kick(), pattern: Steps("x...x...")),
])"#;

fn session() -> termdaw::session::Session {
    termdaw::session::Session::new(parse(S), None, RATE as f32, None)
}

#[test]
fn the_table_describes_every_action_once() {
    let mut names: Vec<&str> = ACTIONS.iter().map(|a| a.name).collect();
    let n = names.len();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), n, "names are unique");
    for a in ACTIONS {
        assert!(!a.doc.trim().is_empty(), "{} has a doc", a.name);
        for arg in a.args {
            assert!(!arg.doc.is_empty(), "{}.{} has a doc", a.name, arg.name);
        }
    }
}

#[test]
fn actions_build_from_names_and_check_their_arguments() {
    let a = Action::from_args("set_tempo", &[ArgValue::Number(128.0)]).unwrap();
    assert_eq!(a, Action::SetTempo { bpm: 128.0 });
    assert_eq!(a.args(), vec![ArgValue::Number(128.0)]);
    let e = Action::from_args("set_tempo", &[ArgValue::Number(5000.0)]).unwrap_err();
    assert_eq!(
        e.to_string(),
        "set_tempo: argument `bpm`: must be between 20 and 999 BPM, got 5000"
    );
    let e = Action::from_args("set_volume", &[ArgValue::Text("bass".into())]).unwrap_err();
    assert!(
        matches!(
            e,
            ActionError::ArgCount {
                expected: 2,
                got: 1,
                ..
            }
        ),
        "{e}"
    );
    assert!(matches!(
        Action::from_args("fly", &[]),
        Err(ActionError::Unknown(_))
    ));
    let m = Action::from_args(
        "set_mute",
        &[ArgValue::Text("bass".into()), ArgValue::Text("on".into())],
    )
    .unwrap();
    assert_eq!(
        m,
        Action::SetMute {
            track: "bass".into(),
            on: true
        }
    );
    assert!(action::spec("add_track").is_some());
}

#[test]
fn apply_validates_against_the_model() {
    let mut s = session();
    let e = s
        .apply(Action::SetVolume {
            track: "nope".into(),
            db: 0.0,
        })
        .unwrap_err();
    assert_eq!(e, ActionError::NoTrack("nope".into()));
    let e = s
        .apply(Action::SetParam {
            track: "bass".into(),
            param: "cutoff".into(),
            value: ArgValue::Number(1e6),
        })
        .unwrap_err();
    assert!(e.to_string().contains("between 20 and 20000 Hz"), "{e}");
    let e = s
        .apply(Action::SetPattern {
            track: "kick".into(),
            notation: "steps".into(),
            pattern: "x..q".into(),
        })
        .unwrap_err();
    assert!(e.to_string().contains("column 4"), "{e}");
    assert!(!s.is_dirty(), "failed actions change nothing");
    let d = s
        .apply(Action::SetParam {
            track: "bass".into(),
            param: "cutoff".into(),
            value: ArgValue::Number(2000.0),
        })
        .unwrap();
    assert_eq!(d.description, "bass.cutoff 800 Hz → 2000 Hz");
    let d = s
        .apply(Action::SetParam {
            track: "bass".into(),
            param: "wave".into(),
            value: ArgValue::Text("square".into()),
        })
        .unwrap();
    assert_eq!(d.description, "bass.wave Saw → Square");
}

#[test]
fn undo_and_redo_walk_the_history() {
    let mut s = session();
    let original = s.file().clone();
    s.apply(Action::SetTempo { bpm: 90.0 }).unwrap();
    s.apply(Action::RemoveTrack {
        track: "kick".into(),
    })
    .unwrap();
    s.apply(Action::RenameTrack {
        track: "bass".into(),
        name: "sub".into(),
    })
    .unwrap();
    assert!(s.file().track("kick").is_none());
    s.apply(Action::Undo {}).unwrap();
    s.apply(Action::Undo {}).unwrap();
    assert!(s.file().track("kick").is_some());
    s.apply(Action::Undo {}).unwrap();
    assert_eq!(s.file(), &original);
    assert_eq!(
        s.apply(Action::Undo {}).unwrap_err(),
        ActionError::NothingToUndo
    );
    s.apply(Action::Redo {}).unwrap();
    assert_eq!(s.file().tempo, 90.0);
    s.apply(Action::Redo {}).unwrap();
    s.apply(Action::Redo {}).unwrap();
    assert!(s.file().track("sub").is_some());
}

#[test]
fn undo_change_walks_back_the_latest_group_one_change_at_a_time() {
    let mut s = session();
    let original = s.file().clone();
    // A long group (a big reload, a busy chat reply): 70 tempo changes.
    s.begin_group("reload");
    for i in 1..=70 {
        s.apply(Action::SetTempo {
            bpm: 100.0 + i as f64,
        })
        .unwrap();
    }
    s.end_group();
    // The last 64 changes come back one by one...
    for i in (8..=70).rev() {
        let d = s.apply(Action::UndoChange {}).unwrap().description;
        assert!(d.starts_with("undo: "), "{d}");
        assert_eq!(s.file().tempo, 100.0 + (i - 1) as f64);
    }
    // ...then the rest of the group as one step.
    s.apply(Action::UndoChange {}).unwrap();
    assert_eq!(s.file(), &original);
    // Only the newest group keeps its single changes: once another step
    // is recorded, undo_change on an older group undoes all of it.
    s.begin_group("reply");
    s.apply(Action::SetTempo { bpm: 90.0 }).unwrap();
    s.apply(Action::SetSwing { amount: 0.2 }).unwrap();
    s.end_group();
    s.apply(Action::SetTempo { bpm: 95.0 }).unwrap();
    s.apply(Action::Undo {}).unwrap();
    assert_eq!(s.file().tempo, 90.0);
    s.apply(Action::UndoChange {}).unwrap();
    assert_eq!(s.file(), &original);
}

#[test]
fn a_burst_of_knob_moves_undoes_as_one_step() {
    let mut s = session();
    for i in 0..20 {
        s.apply(Action::SetVolume {
            track: "bass".into(),
            db: -(i as f64),
        })
        .unwrap();
    }
    s.apply(Action::Undo {}).unwrap();
    assert_eq!(s.file().track("bass").unwrap().volume, 0.0);
}

#[test]
fn actions_change_the_sound_and_undo_restores_it() {
    let text = r#"Session(tempo: 120, tracks: [
        Track(name: "a", instrument: Synth(wave: Sine, unison: 1, sustain: 1), pattern: Notes("57"), resolution: 1, gate: 1),
    ])"#;
    let (mut s, mut e) = prepare(text);
    let a = render_with(&mut s, &mut e, 96000, |s, frame| match frame {
        24000 => {
            s.apply(Action::SetVolume {
                track: "a".into(),
                db: -6.0206,
            })
            .unwrap();
        }
        48000 => {
            s.apply(Action::SetParam {
                track: "a".into(),
                param: "wave".into(),
                value: ArgValue::Text("Saw".into()),
            })
            .unwrap();
        }
        72000 => {
            s.apply(Action::Undo {}).unwrap();
            s.apply(Action::Undo {}).unwrap();
        }
        _ => {}
    });
    let r0 = Audio::rms(&a.l[12000..24000]);
    let r1 = Audio::rms(&a.l[36000..48000]);
    assert!((20.0 * (r1 / r0).log10() + 6.02).abs() < 0.1);
    let r3 = Audio::rms(&a.l[84000..96000]);
    assert!(
        (r3 / r0 - 1.0).abs() < 0.01,
        "undo restored the level: {r0} {r3}"
    );
    let f = peak_frequency(&a.l[84000..96000], RATE as f32);
    assert!((f - 220.0).abs() < 2.0, "{f}");
}

#[test]
fn replaced_objects_come_back_to_be_freed() {
    let (mut s, mut e) = prepare(S);
    let _ = render_with(&mut s, &mut e, 48000, |s, frame| {
        if frame % 4800 == 0 {
            let (pattern, inst) = if frame % 9600 == 0 {
                ("x.x.", "Fm()")
            } else {
                ("x..x", "Pluck()")
            };
            s.apply(Action::SetPattern {
                track: "kick".into(),
                notation: "steps".into(),
                pattern: pattern.into(),
            })
            .unwrap();
            s.apply(Action::SetInstrument {
                track: "bass".into(),
                instrument: action::FromArg::from_arg(
                    &ArgValue::Text(inst.into()),
                    &action::ArgType::Ron,
                )
                .unwrap(),
            })
            .unwrap();
        }
    });
    let c = e.counters().clone();
    use termdaw::engine::Counters;
    let returned = Counters::get(&c.returned_objects);
    assert!(returned >= 18, "returned {returned}");
    assert_eq!(Counters::get(&c.leaked_objects), 0);
    assert_eq!(Counters::get(&c.dropped_commands), 0);
}

/// A value argument `a` accepts (RON arguments by what they hold).
fn sample(a: &ArgSpec) -> ArgValue {
    match a.ty {
        ArgType::Number { min, max, .. } => ArgValue::Number(min + (max - min) / 4.0),
        ArgType::Int { min, max } => ArgValue::Number(((min + max) / 2) as f64),
        ArgType::Bool => ArgValue::Bool(true),
        ArgType::Choice(w) => ArgValue::Text(w[w.len() - 1].into()),
        ArgType::TrackName => ArgValue::Text("bass".into()),
        ArgType::Any => ArgValue::Number(0.5),
        ArgType::Text => ArgValue::Text(format!("some {}", a.name)),
        ArgType::Ron => ArgValue::Text(
            match a.name {
                "track" => r#"Track(name: "pad", instrument: Synth(cutoff: 900))"#,
                "instrument" => "Fm(ratio: 3)",
                "effects" => "[Delay(mix: 0.3), Reverb()]",
                "effect" => "Delay(mix: 0.3)",
                "mapping" => r#"Cc(cc: 74, action: "set_param", args: ["bass", "cutoff"], curve: Exp)"#,
                "bus" => r#"Bus(name: "verb", effects: [Reverb(mix: 1)])"#,
                "midi" => r#"Midi(cc: [Cc(cc: 21, action: "set_effect_param", args: ["keys", 0, "mix"])])"#,
                "section" => r#"Section(name: "drop", bars: 8, tracks: {"bass": Part(set: {"cutoff": 2000})})"#,
                "song" => r#"[("drop", 2)]"#,
                "lane" => r#"Lane(action: "set_volume", args: ["pad"], points: [(1, -30), (5, 0, Exp)])"#,
                "clips" => r#"[Clip(bar: 9, bars: 4, pattern: Notes("a2*4"))]"#,
                "macros" => r#"[Macro(name: "lift", targets: [Target(action: "set_volume", args: ["pad"], from: -30, to: 0)])]"#,
                other => panic!("no sample RON for `{other}`"),
            }
            .into(),
        ),
    }
}

#[test]
fn every_action_round_trips_through_its_arguments() {
    for spec in ACTIONS {
        let args: Vec<ArgValue> = spec.args.iter().map(sample).collect();
        let a =
            Action::from_args(spec.name, &args).unwrap_or_else(|e| panic!("{}: {e}", spec.name));
        assert_eq!(a.name(), spec.name);
        assert_eq!(a.spec().name, spec.name);
        let back =
            Action::from_args(a.name(), &a.args()).unwrap_or_else(|e| panic!("{}: {e}", spec.name));
        assert_eq!(back, a, "{}", spec.name);
    }
}

#[test]
fn every_alias_in_the_table_names_arguments_its_action_has() {
    let mut slash = std::collections::BTreeSet::new();
    for spec in ACTIONS {
        for alias in spec.slash.iter().chain(spec.osc) {
            let mut named: Vec<&str> = alias.fixed.iter().map(|(n, _)| *n).collect();
            named.extend(
                alias
                    .phrase
                    .split('/')
                    .filter_map(|w| w.strip_prefix('<')?.strip_suffix('>')),
            );
            for n in &named {
                assert!(
                    spec.args.iter().any(|a| a.name == *n),
                    "{}: alias `{}` names no argument `{n}`",
                    spec.name,
                    alias.phrase
                );
            }
            // The fixed values are ones the arguments accept.
            let fixed: Vec<(&str, ArgValue)> = alias
                .fixed
                .iter()
                .map(|(n, v)| (*n, ArgValue::Text(v.to_string())))
                .collect();
            let given = spec
                .args
                .iter()
                .filter(|a| !alias.fixed.iter().any(|(n, _)| *n == a.name))
                .map(sample)
                .collect();
            let args = action::bind_named(spec, &fixed, given).unwrap();
            Action::from_args(spec.name, &args)
                .unwrap_or_else(|e| panic!("{} alias `{}`: {e}", spec.name, alias.phrase));
        }
        for alias in spec.slash {
            assert!(
                slash.insert(alias.phrase),
                "two actions claim /{}",
                alias.phrase
            );
        }
    }
}

#[test]
fn the_table_says_which_actions_are_chat_tools_and_which_a_knob_can_move() {
    let tools: Vec<&str> = ACTIONS.iter().filter(|a| !a.tool).map(|a| a.name).collect();
    assert_eq!(
        tools,
        [
            // Keys' toggles: the model has play and stop, and record,
            // which says on or off.
            "toggle_play",
            "toggle_record",
            // Keys for moving around: the model has jump_to and set_loop_bars.
            "next_marker",
            "prev_marker",
            "loop_section",
            // The performer's: recording is the hand on the knob.
            "arm_automation",
            "set_intensity",
            "set_macros",
            // Keys' nudges and toggles: the model sets the value
            // (set_tempo, set_volume, set_mute, set_solo).
            "nudge_tempo",
            "nudge_volume",
            "toggle_mute",
            "toggle_solo",
            "note_on",
            "play_note",
            "note_off",
            "all_notes_off",
            "undo_change",
            "redo"
        ]
    );
    for a in ACTIONS.iter().filter(|a| a.knob) {
        // A knob's value fills the last argument; the rest are fixed.
        let open = a.args.last().expect("a knob action takes a value");
        assert!(
            matches!(open.ty, ArgType::Number { .. } | ArgType::Any),
            "{}: {open:?}",
            a.name
        );
    }
}

#[test]
fn a_call_leaves_one_argument_open_and_checks_the_rest_when_made() {
    let c = Call::new("set_volume", vec![ArgValue::Number(-6.0)], Some(0)).unwrap();
    assert_eq!(c.to_string(), "set_volume -6");
    assert_eq!(
        c.fill(Some(ArgValue::Text("bass".into()))).unwrap(),
        Action::SetVolume {
            track: "bass".into(),
            db: -6.0
        }
    );
    let e = Call::new("set_volume", vec![ArgValue::Number(99.0)], Some(0)).unwrap_err();
    assert!(e.to_string().contains("between -120 and 12 dB"), "{e}");
    let e = Call::new("set_volume", vec![], Some(0)).unwrap_err();
    assert_eq!(
        e.to_string(),
        "set_volume: expected 1 argument(s) (db), got 0"
    );
    assert!(Call::new("set_volumes", vec![], None).is_err());
}
