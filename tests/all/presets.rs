//! The preset library: every file is built in and parses; every preset
//! renders its role's phrase in a context non-silent, under its true-peak
//! limit and near its loudness target, tonal presets in key, drums on the
//! beat grid; `termdaw preset list/render` work from the command line, and
//! `load_preset` (an action, so a key, OSC, MIDI and the chat) puts one on
//! a track and undoes.

use std::collections::BTreeMap;
use std::path::Path;

use termdaw::action::Action;
use termdaw::analysis::assess::{table::Group, Role};
use termdaw::patch::{Key, Scale, TimeSignature};
use termdaw::preset::{self, phrase::Setting};

use crate::rig::TempDir;

const RATE: u32 = 48_000;

use crate::common::termdaw_offline as termdaw;

#[test]
fn every_file_of_patches_presets_is_built_in_and_parses() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("patches/presets");
    let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".ron"))
        .collect();
    on_disk.sort();
    let built: Vec<String> = preset::files()
        .iter()
        .map(|(f, _)| f.trim_start_matches("patches/presets/").to_string())
        .collect();
    assert_eq!(
        built, on_disk,
        "src/preset/library.in must list every preset file"
    );
    for (file, text) in preset::files() {
        let p = preset::parse(file, text).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            text,
            &std::fs::read_to_string(dir.join(format!("{}.ron", p.name))).unwrap()
        );
        assert!(
            text.starts_with("//"),
            "{file} starts with a comment saying what it is"
        );
    }
    assert_eq!(preset::library().len(), preset::files().len());
    let mut by_role: BTreeMap<&str, usize> = BTreeMap::new();
    for p in preset::library() {
        *by_role.entry(p.role.name()).or_default() += 1;
    }
    assert!(preset::library().len() >= 40, "{by_role:?}");
    for r in Role::ALL {
        assert!(
            by_role.get(r.name()).copied().unwrap_or(0) >= 6,
            "{by_role:?}"
        );
    }
}

#[test]
fn a_broken_preset_is_refused_at_its_place() {
    let good = preset::files()[0].1;
    let e = preset::parse("patches/presets/x.ron", good)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("x.ron") && e.contains("its file is x.ron"),
        "{e}"
    );
    let name = preset::library()[0].name.clone();
    let file = format!("patches/presets/{name}.ron");
    let bad = good.replacen("volume:", "volume: 40, bogus:", 1);
    let e = preset::parse(&file, &bad).unwrap_err().to_string();
    assert!(e.contains(&format!("{name}.ron:")), "{e}");
    let bad = good.replacen("role: ", "role: Vocal, x: ", 1);
    assert!(preset::parse(&file, &bad).is_err());
}

fn check_all(setting: &Setting, label: &str) {
    let mut failures = Vec::new();
    for p in preset::library() {
        let (l, r) = preset::render::render(p, setting, None, RATE).unwrap();
        let a = preset::render::assess(p, setting, &l, &r, RATE);
        let m = &a.measures;
        let mut why = Vec::new();
        if !m.integrated_lufs.is_finite() {
            why.push("silent".to_string());
        }
        if m.true_peak_dbtp > p.constraints.true_peak_limit.min(-1.0) {
            why.push(format!("true peak {:.2} dBTP", m.true_peak_dbtp));
        }
        if (m.integrated_lufs - p.constraints.lufs_target).abs() > 3.0 {
            why.push(format!(
                "{:.1} LUFS for a {} target",
                m.integrated_lufs, p.constraints.lufs_target
            ));
        }
        if matches!(p.role, Role::Pad | Role::Bass | Role::Lead) && m.in_key.unwrap_or(0.0) < 0.9 {
            why.push(format!("in key {:.3}", m.in_key.unwrap_or(0.0)));
        }
        if p.role == Role::Drum && m.on_grid.unwrap_or(0.0) < 0.9 {
            why.push(format!("on grid {:.3}", m.on_grid.unwrap_or(0.0)));
        }
        if !a.violations.is_empty() {
            why.push(format!("violations {:?}", a.violations));
        }
        if !why.is_empty() {
            failures.push(format!("{label} {}: {}", p.name, why.join(", ")));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_preset_plays_its_phrase_in_a_minor_at_120_in_key_on_the_grid_and_under_the_limit() {
    check_all(
        &Setting {
            tempo: 120.0,
            key: Key::parse("A").unwrap(),
            scale: Scale::Minor,
            time_signature: TimeSignature::default(),
        },
        "A minor 120 4/4",
    );
}

#[test]
fn every_preset_fits_another_context_too_f_sharp_dorian_at_97_in_3_4() {
    check_all(
        &Setting {
            tempo: 97.0,
            key: Key::parse("F#").unwrap(),
            scale: Scale::Dorian,
            time_signature: TimeSignature { beats: 3, unit: 4 },
        },
        "F# dorian 97 3/4",
    );
}

#[test]
fn a_bass_preset_matches_the_bass_role_better_than_the_pad_role() {
    let setting = Setting {
        tempo: 120.0,
        key: Key::parse("A").unwrap(),
        scale: Scale::Minor,
        time_signature: TimeSignature::default(),
    };
    for p in preset::library().iter().filter(|p| p.role == Role::Bass) {
        let (l, r) = preset::render::render(p, &setting, None, RATE).unwrap();
        let ctx = preset::render::context(p, &setting);
        let as_bass = termdaw::analysis::assess::assess(&l, &r, RATE as f32, Role::Bass, &ctx);
        let as_pad = termdaw::analysis::assess::assess(&l, &r, RATE as f32, Role::Pad, &ctx);
        let (b, pd) = (
            as_bass.group(Group::RoleMatch).unwrap(),
            as_pad.group(Group::RoleMatch).unwrap(),
        );
        assert!(
            b > pd,
            "{}: role_match as bass {b:.3}, as pad {pd:.3}",
            p.name
        );
    }
}

#[test]
fn preset_list_and_render_from_the_command_line() {
    let o = termdaw()
        .args(["preset", "list", "--role", "bass"])
        .output()
        .unwrap();
    assert!(o.status.success());
    let text = String::from_utf8_lossy(&o.stdout);
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines.len() >= 6 && lines.iter().all(|l| l.starts_with("bass ")),
        "{text}"
    );

    let dir = TempDir::new("preset-render");
    let out = dir.join("pad.wav");
    let o = termdaw()
        .args([
            "preset", "render", "warm-pad", "--tempo", "100", "--key", "D", "--scale", "dorian",
            "--json", "-o",
        ])
        .arg(&out)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let json: serde_json::Value =
        serde_json::from_str(&stdout[stdout.find('{').unwrap()..]).unwrap();
    assert_eq!(json["role"], "pad");
    assert_eq!(json["context"]["key"], "D");
    assert!(json["overall_score"].as_f64().unwrap() > 0.7, "{json}");
    let r = hound::WavReader::open(&out).unwrap();
    // Four bars at 100 BPM.
    let seconds = r.duration() as f64 / r.spec().sample_rate as f64;
    assert!((seconds - 9.6).abs() < 0.05, "{seconds}");

    let o = termdaw()
        .args(["preset", "render", "warm-pda", "-o"])
        .arg(dir.join("x.wav"))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        !o.status.success() && err.contains("did you mean \"warm-pad\""),
        "{err}"
    );
    assert!(!dir.join("x.wav").exists());
}

#[test]
fn load_preset_puts_the_sound_on_a_track_keeps_its_pattern_and_undoes() {
    let text = r#"Session(
    tempo: 120,
    tracks: [
        Track(name: "bass", instrument: Synth(), pattern: Notes("a1 ~ a1 c2"), volume: -3, pan: 0.2),
    ],
)"#;
    let (mut s, _engine) = crate::common::prepare(text);
    let before = s.file().clone();
    let p = preset::find("acid-bass").unwrap();
    let applied = s
        .apply(Action::LoadPreset {
            track: "bass".into(),
            preset: "acid-bass".into(),
        })
        .unwrap();
    assert!(
        applied.description.contains("acid-bass"),
        "{}",
        applied.description
    );
    let t = s.file().track("bass").unwrap();
    assert_eq!(
        (&t.instrument, &t.effects, t.volume),
        (&p.instrument, &p.effects, p.volume)
    );
    assert_eq!(
        (t.pattern.clone(), t.pan),
        (before.tracks[0].pattern.clone(), 0.2)
    );
    let e = s
        .apply(Action::LoadPreset {
            track: "bass".into(),
            preset: "acid-bas".into(),
        })
        .unwrap_err()
        .to_string();
    assert!(e.contains("did you mean \"acid-bass\""), "{e}");
    s.apply(Action::Undo {}).unwrap();
    assert_eq!(s.file(), &before);
}

const BASS: &str = r#"Session(
    tempo: 120,
    quantum: Immediate,
    tracks: [
        Track(name: "bass", instrument: Synth(wave: Saw, cutoff: 6000), pattern: Notes("a2 a2 a2 a2"), resolution: 4),
    ],
)"#;

#[test]
fn the_p_keys_step_through_the_presets_in_list_order_and_undo_steps_back() {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use termdaw::tui::{App, Keymap, Theme};
    let (s, _engine) = crate::common::prepare(BASS);
    let before = s.file().clone();
    let mut app = App::new(s, Keymap::defaults(), Theme::dark());
    let order = preset::in_order();
    let press = |app: &mut App, c: char, m: KeyModifiers| {
        app.handle_key(KeyEvent::new(KeyCode::Char(c), m))
    };
    let on = |app: &App| {
        app.session()
            .file()
            .track("bass")
            .unwrap()
            .instrument
            .clone()
    };
    press(&mut app, 'P', KeyModifiers::SHIFT);
    assert_eq!(on(&app), order[0].instrument, "the first preset listed");
    press(&mut app, 'P', KeyModifiers::SHIFT);
    assert_eq!(on(&app), order[1].instrument);
    press(&mut app, 'p', KeyModifiers::CONTROL);
    assert_eq!(on(&app), order[0].instrument, "ctrl-p goes back");
    press(&mut app, 'p', KeyModifiers::CONTROL);
    assert_eq!(
        on(&app),
        order[order.len() - 1].instrument,
        "and wraps to the last"
    );
    for _ in 0..4 {
        press(&mut app, 'u', KeyModifiers::NONE);
    }
    assert_eq!(
        app.session().file(),
        &before,
        "four undos: the track as it was"
    );
}

#[test]
fn load_preset_over_osc_changes_the_sound_and_over_the_chat_undoes_with_the_reply() {
    use rosc::{OscMessage, OscPacket, OscType};
    use std::time::{Duration, Instant};
    let (mut s, mut e) = crate::common::prepare(BASS);
    let before = crate::common::render_with(&mut s, &mut e, 48000, |_, _| {});
    let mut o = termdaw::osc::Osc::start("127.0.0.1:0".parse().unwrap(), false).unwrap();
    let c = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let packet = OscPacket::Message(OscMessage {
        addr: "/termdaw/track/bass/preset".into(),
        args: vec![OscType::String("sub-bass".into())],
    });
    c.send_to(&rosc::encoder::encode(&packet).unwrap(), o.local)
        .unwrap();
    let t = Instant::now();
    let mut done = Vec::new();
    while done.is_empty() {
        done.extend(o.poll(&mut s, None));
        assert!(t.elapsed() < Duration::from_secs(5));
        std::thread::sleep(Duration::from_millis(1));
    }
    assert!(done[0].contains("preset sub-bass"), "{done:?}");
    let after = crate::common::render_with(&mut s, &mut e, 48000, |_, _| {});
    let centroid = |x: &[f32]| termdaw::analysis::spectral::centroid(x, RATE as f32);
    let (b, a) = (centroid(&before.l[24000..]), centroid(&after.l[24000..]));
    assert!(
        a < b / 3.0,
        "a bright saw became a sine sub: {b:.0} Hz → {a:.0} Hz"
    );

    // The chat: the model's load_preset is one of the reply's changes.
    use crate::llm_server::{anthropic, text, tool, Server};
    use termdaw::chat::history::History;
    use termdaw::chat::{ApiKey, Chat, ChatConfig, ProviderKind};
    let server = Server::start(vec![
        anthropic(&[tool(
            "load_preset",
            serde_json::json!({"track": "bass", "preset": "acid-bass"}),
        )]),
        anthropic(&[text("Acid it is.")]),
    ]);
    let mut cfg = ChatConfig::new(
        ProviderKind::Anthropic,
        &server.url,
        Some(ApiKey::new("sk-test")),
    );
    cfg.timeout = Duration::from_secs(3);
    let mut chat = Chat::new(cfg, History::in_memory());
    let sub = s.file().clone();
    chat.send("make the bass acid", &s);
    let t = Instant::now();
    while chat.is_busy() {
        chat.poll(&mut s);
        assert!(t.elapsed() < Duration::from_secs(20));
        std::thread::sleep(Duration::from_millis(2));
    }
    let acid = preset::find("acid-bass").unwrap();
    assert_eq!(s.file().track("bass").unwrap().instrument, acid.instrument);
    chat.submit("/undo", &mut s);
    assert_eq!(s.file(), &sub, "/undo takes the reply's preset back");
}

#[test]
fn a_preset_without_o_plays_in_stereo_through_alsa_into_jack() {
    let test = "presets::a_preset_without_o_plays_in_stereo_through_alsa_into_jack";
    // Ping-pong echoes: the sides differ.
    let args = ["preset", "render", "pluck-lead", "--tempo", "150"];
    let Some((out, wav)) = crate::rig::play_into_jack(test, &args) else {
        return;
    };
    assert!(out.contains("assessed as lead"), "{out}");
    // Four bars at 150 BPM.
    assert!(
        wav.seconds() > 6.2,
        "{} s reached the device",
        wav.seconds()
    );
    let (l, r) = (&wav.channels[0], &wav.channels[1]);
    let diff: f64 = l.iter().zip(r).map(|(a, b)| ((a - b) as f64).powi(2)).sum();
    let all: f64 = l.iter().map(|a| (*a as f64).powi(2)).sum();
    assert!(
        all > 0.0 && diff > 0.01 * all,
        "left and right differ: a stereo render, not a mono sum"
    );
}
