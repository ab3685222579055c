//! Hot reload with real files and the real watcher: editors' ways of saving,
//! landing on the quantum, live tweaks surviving, bad saves keeping the old
//! sound, and no clicks.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::common::*;
use termdaw::action::Action;
use termdaw::audio::render;
use termdaw::engine::Engine;
use termdaw::patch;
use termdaw::reload::{ReloadStatus, Reloader};
use termdaw::session::Session;

struct Dir(PathBuf);

impl Dir {
    fn new(name: &str) -> Self {
        let d = std::env::temp_dir().join(format!("termdaw-reload-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        Dir(d)
    }
    fn path(&self, f: &str) -> PathBuf {
        self.0.join(f)
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

const BLIP: &str =
    "Synth(wave: Sine, unison: 1, attack: 0, decay: 0.005, sustain: 0, release: 0.001)";

fn session_text(tempo: f64, quantum: &str, pattern: &str) -> String {
    format!(
        "Session(tempo: {tempo}, quantum: {quantum}, tracks: [\n    Track(name: \"b\", instrument: {BLIP}, pattern: Steps(\"{pattern}\"), gate: 0.2),\n])\n"
    )
}

fn start(path: &Path) -> (Session, Engine, Reloader) {
    let file = patch::load(path).unwrap_or_else(|e| panic!("{}", e.report()));
    let (s, e) = render::prepare(file.clone(), Some(path), RATE);
    let r = Reloader::new(path, file).unwrap();
    (s, e, r)
}

/// Poll until the reloader reports something (the engine is not running meanwhile).
fn wait(r: &mut Reloader, s: &mut Session) -> ReloadStatus {
    let t = Instant::now();
    loop {
        if let Some(st) = r.poll(s) {
            return st;
        }
        assert!(
            t.elapsed() < Duration::from_secs(10),
            "the watcher never reported"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn applied(st: ReloadStatus) -> Vec<String> {
    match st {
        ReloadStatus::Applied { changes, .. } => changes,
        ReloadStatus::Failed { report } => panic!("reload failed:\n{report}"),
    }
}

fn onsets(a: &Audio) -> Vec<usize> {
    let mut out = Vec::new();
    let mut quiet = 1000;
    for (i, x) in a.l.iter().enumerate() {
        if x.abs() > 0.0 && quiet >= 1000 {
            out.push(i);
        }
        quiet = if x.abs() > 0.0 { 0 } else { quiet + 1 };
    }
    out
}

#[test]
fn in_place_write_is_applied() {
    let d = Dir::new("inplace");
    let p = d.path("s.ron");
    std::fs::write(&p, session_text(120.0, "Immediate", "x...")).unwrap();
    let (mut s, _e, mut r) = start(&p);
    std::fs::write(&p, session_text(133.0, "Immediate", "x...")).unwrap();
    let changes = applied(wait(&mut r, &mut s));
    assert_eq!(changes, vec!["tempo 120.0 → 133.0 BPM"]);
    assert_eq!(s.file().tempo, 133.0);
}

#[test]
fn a_watcher_that_dies_is_started_again_counted_and_misses_no_save() {
    let d = Dir::new("watcher-dies");
    let p = d.path("s.ron");
    std::fs::write(&p, session_text(120.0, "Immediate", "x...")).unwrap();
    let (mut s, _e, mut r) = start(&p);
    let before = termdaw::health::get(&termdaw::health::WATCHER_RESTARTS);
    r.lose_watcher_for_test();
    // A save made while no watcher listens is read when it comes back.
    std::fs::write(&p, session_text(126.0, "Immediate", "x...")).unwrap();
    assert_eq!(
        applied(wait(&mut r, &mut s)),
        vec!["tempo 120.0 → 126.0 BPM"]
    );
    assert!(termdaw::health::get(&termdaw::health::WATCHER_RESTARTS) > before);
    // And the new watcher hears the next one.
    std::fs::write(&p, session_text(131.0, "Immediate", "x...")).unwrap();
    assert_eq!(
        applied(wait(&mut r, &mut s)),
        vec!["tempo 126.0 → 131.0 BPM"]
    );
}

#[test]
fn write_to_temp_then_rename_is_applied() {
    let d = Dir::new("rename");
    let p = d.path("s.ron");
    std::fs::write(&p, session_text(120.0, "Immediate", "x...")).unwrap();
    let (mut s, _e, mut r) = start(&p);
    // What vim, helix, VS Code and emacs do: write a sibling, rename it over.
    let tmp = d.path(".s.ron.swp");
    std::fs::write(&tmp, session_text(120.0, "Immediate", "x.x.")).unwrap();
    std::fs::rename(&tmp, &p).unwrap();
    applied(wait(&mut r, &mut s));
    assert_eq!(
        s.file()
            .track("b")
            .unwrap()
            .pattern
            .as_ref()
            .unwrap()
            .source,
        "x.x."
    );
}

#[test]
fn a_hundred_saves_in_a_second_end_on_the_last() {
    let d = Dir::new("burst");
    let p = d.path("s.ron");
    std::fs::write(&p, session_text(100.0, "Immediate", "x...")).unwrap();
    let (mut s, mut e, mut r) = start(&p);
    let mut l = vec![0.0f32; 256];
    let mut rr = vec![0.0f32; 256];
    for i in 1..=100 {
        std::fs::write(&p, session_text(100.0 + i as f64, "Immediate", "x...")).unwrap();
        let _ = r.poll(&mut s);
        e.process(&mut l, &mut rr);
        std::thread::sleep(Duration::from_millis(9));
    }
    let t = Instant::now();
    while s.file().tempo != 200.0 && t.elapsed() < Duration::from_secs(5) {
        let _ = r.poll(&mut s);
        std::thread::sleep(Duration::from_millis(5));
    }
    assert_eq!(s.file().tempo, 200.0);
    assert_eq!(r.last_good().tempo, 200.0);
}

#[test]
fn deleted_and_recreated_file_is_applied() {
    let d = Dir::new("recreate");
    let p = d.path("s.ron");
    std::fs::write(&p, session_text(120.0, "Immediate", "x...")).unwrap();
    let (mut s, _e, mut r) = start(&p);
    std::fs::remove_file(&p).unwrap();
    for _ in 0..10 {
        assert_eq!(
            r.poll(&mut s),
            None,
            "a missing file is waited for, not an error"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    std::fs::write(&p, session_text(90.0, "Immediate", "x...")).unwrap();
    applied(wait(&mut r, &mut s));
    assert_eq!(s.file().tempo, 90.0);
}

#[test]
fn symlink_swap_is_applied() {
    let d = Dir::new("symlink");
    let a = d.path("a.ron");
    let b = d.path("b.ron");
    let p = d.path("s.ron");
    std::fs::write(&a, session_text(120.0, "Immediate", "x...")).unwrap();
    std::fs::write(&b, session_text(140.0, "Immediate", "x...")).unwrap();
    std::os::unix::fs::symlink(&a, &p).unwrap();
    let (mut s, _e, mut r) = start(&p);
    let tmp = d.path("s.ron.new");
    std::os::unix::fs::symlink(&b, &tmp).unwrap();
    std::fs::rename(&tmp, &p).unwrap();
    applied(wait(&mut r, &mut s));
    assert_eq!(s.file().tempo, 140.0);
    // Edits to the new target are seen too.
    std::fs::write(&b, session_text(141.0, "Immediate", "x...")).unwrap();
    applied(wait(&mut r, &mut s));
    assert_eq!(s.file().tempo, 141.0);
}

#[test]
fn an_included_file_edited_is_applied() {
    let d = Dir::new("include");
    let p = d.path("s.ron");
    let drums = d.path("drums.ron");
    std::fs::write(&p, "Session(tempo: 120, quantum: Immediate, includes: [\"drums.ron\"], tracks: [\n  Track(name: \"bass\", instrument: Synth(), pattern: Notes(\"a1\")),\n])\n").unwrap();
    std::fs::write(
        &drums,
        "Patch(tracks: [Track(name: \"kick\", instrument: Kick(), pattern: Steps(\"x...\"))])\n",
    )
    .unwrap();
    let (mut s, _e, mut r) = start(&p);
    assert!(s.file().track("kick").is_some());
    std::fs::write(
        &drums,
        "Patch(tracks: [Track(name: \"kick\", instrument: Kick(), pattern: Steps(\"x.x.\"))])\n",
    )
    .unwrap();
    let changes = applied(wait(&mut r, &mut s));
    assert_eq!(changes, vec!["kick.pattern Steps(\"x.x.\")"]);
    // An error inside the include names the include.
    std::fs::write(
        &drums,
        "Patch(tracks: [Track(name: \"kick\", instrument: Kick(tune: 900))])\n",
    )
    .unwrap();
    match wait(&mut r, &mut s) {
        ReloadStatus::Failed { report } => assert!(report.contains("drums.ron:1:"), "{report}"),
        other => panic!("{other:?}"),
    }
    // Saving writes each track back to its own file.
    s.apply(Action::SetVolume {
        track: "kick".into(),
        db: -3.0,
    })
    .unwrap();
    // A save does not overwrite a file that no longer reads: it says so.
    let e = s.save().unwrap_err().to_string();
    assert!(e.contains("not saved") && e.contains("drums.ron:1:"), "{e}");
    assert!(std::fs::read_to_string(&drums)
        .unwrap()
        .contains("tune: 900"));
    std::fs::write(
        &drums,
        "Patch(tracks: [Track(name: \"kick\", instrument: Kick(), pattern: Steps(\"x.x.\"))])\n",
    )
    .unwrap();
    s.save().unwrap();
    let text = std::fs::read_to_string(&drums).unwrap();
    assert!(
        text.contains("volume: -3") && text.starts_with("Patch("),
        "{text}"
    );
    assert!(!std::fs::read_to_string(&p).unwrap().contains("kick"));
}

/// Render `frames`, editing the file to `edit` at frame `at` and waiting for
/// the reload there (the engine is paused while we wait, so landing is exact).
fn render_with_edit(p: &Path, edit: &str, at: usize, frames: usize) -> (Audio, Vec<String>) {
    let (mut s, mut e, mut r) = start(p);
    let mut changes = Vec::new();
    let a = render_with(&mut s, &mut e, frames, |s, frame| {
        if frame as usize == at {
            std::fs::write(p, edit).unwrap();
            changes = applied(wait(&mut r, s));
        }
    });
    (a, changes)
}

#[test]
fn changes_land_exactly_on_the_quantum() {
    // Hits on every bar's first step; mid-bar 2 the pattern moves the hit a beat later.
    for (quantum, first_new) in [
        ("Immediate", 120000),
        ("Beat", 120000),
        ("Bar", 192000 + 24000),
    ] {
        let d = Dir::new(&format!("quantum-{quantum}"));
        let p = d.path("s.ron");
        std::fs::write(&p, session_text(120.0, quantum, "x...............")).unwrap();
        // At frame 100032 (bar 2, beat 1 + 4032 samples) the hit moves to beat 2 of each bar.
        let (a, _) = render_with_edit(
            &p,
            &session_text(120.0, quantum, "....x..........."),
            100032,
            3 * 96000,
        );
        let o = onsets(&a);
        assert_eq!(
            &o[..2],
            &[0, 96000],
            "{quantum}: old pattern until the change"
        );
        assert_eq!(o[2], first_new, "{quantum}: {o:?}");
    }
}

#[test]
fn a_live_tweak_to_a_field_the_file_did_not_change_survives() {
    let d = Dir::new("tweak");
    let p = d.path("s.ron");
    let text = |cutoff: u32| {
        format!("Session(tempo: 120, quantum: Immediate, tracks: [\n  Track(name: \"pad\", instrument: Synth(cutoff: {cutoff}), pattern: Notes(\"57\"), resolution: 1),\n  Track(name: \"kick\", instrument: Kick(), pattern: Steps(\"x...\")),\n])\n")
    };
    std::fs::write(&p, text(800)).unwrap();
    let (mut s, _e, mut r) = start(&p);
    s.apply(Action::SetVolume {
        track: "pad".into(),
        db: -12.0,
    })
    .unwrap();
    s.apply(Action::SetMute {
        track: "kick".into(),
        on: true,
    })
    .unwrap();
    std::fs::write(&p, text(1600)).unwrap();
    let changes = applied(wait(&mut r, &mut s));
    assert_eq!(changes, vec!["pad.cutoff 800 Hz → 1600 Hz"]);
    assert_eq!(
        s.file().track("pad").unwrap().volume,
        -12.0,
        "the fader tweak survived"
    );
    assert!(s.file().track("kick").unwrap().mute, "the mute survived");
    assert_eq!(
        s.file().track("pad").unwrap().instrument.param("cutoff"),
        Some(1600.0)
    );
}

#[test]
fn a_live_effect_tweak_survives_a_reload_that_adds_an_effect_to_its_chain() {
    let d = Dir::new("chain");
    let p = d.path("s.ron");
    let text = |fx: &str| {
        format!("Session(quantum: Immediate, tracks: [\n  Track(name: \"keys\", instrument: Synth(), pattern: Notes(\"c4 e4\"),\n    effects: [Drive(gain: 6), Delay(mix: 0.2){fx}]),\n])\n")
    };
    std::fs::write(&p, text("")).unwrap();
    let (mut s, _e, mut r) = start(&p);
    s.apply(Action::SetEffectParam {
        chain: "keys".into(),
        effect: 0,
        param: "gain".into(),
        value: termdaw::action::ArgValue::Number(18.0),
    })
    .unwrap();
    std::fs::write(&p, text(", Reverb(mix: 0.3)")).unwrap();
    let changes = applied(wait(&mut r, &mut s));
    assert_eq!(changes, vec!["keys + Reverb at 2"]);
    let fx = &s.file().track("keys").unwrap().effects;
    let names: Vec<_> = fx.iter().map(|e| e.kind.name()).collect();
    assert_eq!(names, ["Drive", "Delay", "Reverb"]);
    assert_eq!(
        fx[0].param("gain"),
        Some(18.0),
        "the live drive tweak survived"
    );

    // Removing the delay in the file keeps the tweak too, and the reverb's
    // own parameter edit is one parameter, not the chain again.
    std::fs::write(
        &p,
        text("").replace(", Delay(mix: 0.2)", ", Reverb(mix: 0.5)"),
    )
    .unwrap();
    let changes = applied(wait(&mut r, &mut s));
    assert_eq!(
        changes,
        vec!["keys − Delay at 1", "keys.Reverb.mix 0.3 → 0.5"],
        "{changes:?}"
    );
    let fx = &s.file().track("keys").unwrap().effects;
    assert_eq!(fx[0].param("gain"), Some(18.0));
}

#[test]
fn a_learned_mapping_survives_a_reload_that_changes_another_mapping() {
    let d = Dir::new("mapping");
    let p = d.path("s.ron");
    let text = |cc: u8| {
        format!("Session(quantum: Immediate, tracks: [Track(name: \"bass\", instrument: Synth())],\n  midi: Midi(cc: [Cc(cc: {cc}, action: \"set_volume\", args: [\"bass\"])]))\n")
    };
    std::fs::write(&p, text(7)).unwrap();
    let (mut s, _e, mut r) = start(&p);
    // What MIDI learn applies: one more mapping, not in the file.
    let learn = Action::from_args(
        "map_controller",
        &[termdaw::action::ArgValue::Text(
            r#"Cc(cc: 74, action: "set_param", args: ["bass", "cutoff"], curve: Exp)"#.into(),
        )],
    )
    .unwrap();
    let Action::MapController { mapping: learned } = learn.clone() else {
        unreachable!()
    };
    s.apply(learn).unwrap();
    std::fs::write(&p, text(11)).unwrap();
    let changes = applied(wait(&mut r, &mut s));
    assert_eq!(changes.len(), 2, "{changes:?}");
    let ccs: Vec<u8> = s.file().midi.cc.iter().map(|m| m.cc).collect();
    assert_eq!(
        ccs,
        [74, 11],
        "the file's 7 became 11; the learned 74 stayed"
    );
    assert_eq!(s.file().midi.cc[0], learned);
}

#[test]
fn a_save_naming_a_missing_sample_is_refused_at_its_path_and_the_old_sound_plays() {
    let d = Dir::new("sample");
    let p = d.path("s.ron");
    let good = session_text(120.0, "Immediate", "x...x...");
    std::fs::write(&p, &good).unwrap();
    let (mut s, _e, mut r) = start(&p);
    let bad = good.replace(
        "\n])",
        "\n    Track(name: \"loop\", instrument: Sample(file: \"gone.wav\")),\n])",
    );
    std::fs::write(&p, &bad).unwrap();
    match wait(&mut r, &mut s) {
        ReloadStatus::Failed { report } => {
            assert!(
                report.contains("s.ron:3:50: track \"loop\": sample file not found"),
                "{report}"
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(s.file().track("loop").is_none(), "the old session plays on");
}

fn max_step(x: &[f32]) -> f32 {
    x.windows(2)
        .map(|w| (w[1] - w[0]).abs())
        .fold(0.0, f32::max)
}

#[test]
fn param_jumps_and_instrument_and_effect_swaps_do_not_click() {
    // A held 110 Hz sine. Its own largest step is 2π·110/48000·A ≈ 0.0144·A,
    // with A ≤ 0.5 here; a click (a discontinuity) would jump by a good part
    // of A. Threshold: 0.012, above the sine's own 0.0072 and far below a jump.
    let held = |inst: &str, fx: &str| {
        format!("Session(tempo: 120, quantum: Immediate, tracks: [\n  Track(name: \"t\", instrument: {inst}, pattern: Notes(\"45\"), resolution: 1, gate: 1, effects: [{fx}]),\n])\n")
    };
    let sine = "Synth(wave: Sine, unison: 1, sustain: 1, cutoff: 200, q: 0.707, env_amount: 0)";
    let bright = "Synth(wave: Sine, unison: 1, sustain: 1, cutoff: 8000, q: 0.707, env_amount: 0)";
    let fm = "Fm(index: 0, index_env: 0, attack: 0.005, sustain: 1)";
    for (name, before, after) in [
        ("cutoff jump", held(sine, ""), held(bright, "")),
        ("instrument swap", held(bright, ""), held(fm, "")),
        (
            "effect added",
            held(bright, ""),
            held(bright, "Lowpass(cutoff: 300)"),
        ),
        (
            "track removed",
            held(bright, ""),
            "Session(tempo: 120, quantum: Immediate)\n".to_string(),
        ),
    ] {
        let d = Dir::new(&name.replace(' ', "-"));
        let p = d.path("s.ron");
        std::fs::write(&p, &before).unwrap();
        let (a, changes) = render_with_edit(&p, &after, 24000, 48000);
        assert!(!changes.is_empty(), "{name}");
        let steady = max_step(&a.l[4800..24000]);
        let across = max_step(&a.l[23000..30000]);
        assert!(steady < 0.012, "{name}: steady {steady}");
        assert!(
            across < 0.012,
            "{name}: step {across} across the change (steady {steady})"
        );
    }
}

#[test]
fn a_bad_save_keeps_the_old_sound_and_a_fix_applies() {
    let d = Dir::new("bad");
    let p = d.path("s.ron");
    let good = session_text(120.0, "Immediate", "x...x...");
    std::fs::write(&p, &good).unwrap();
    let reference = render_text(&good, 96000);
    let (mut s, mut e, mut r) = start(&p);
    let mut failure = None;
    let mut fixed = None;
    let a = render_with(&mut s, &mut e, 96000 * 2, |s, frame| {
        if frame == 24000 {
            std::fs::write(&p, good.replace("x...x...", "x..q.x..")).unwrap();
            failure = Some(wait(&mut r, s));
        }
        if frame == 96000 {
            std::fs::write(&p, good.replace("x...x...", "x.x.x.x.")).unwrap();
            fixed = Some(wait(&mut r, s));
        }
    });
    match failure.unwrap() {
        ReloadStatus::Failed { report } => {
            let col = session_text(120.0, "Immediate", "x..q.x..")
                .lines()
                .nth(1)
                .unwrap()
                .find('q')
                .unwrap()
                + 1;
            assert!(report.contains(&format!("s.ron:2:{col}:")), "{report}");
            assert!(report.contains("bad pattern"), "{report}");
            assert!(report.lines().last().unwrap().trim_end().ends_with('^'));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        &a.l[..96000],
        &reference.l[..],
        "the old sound kept playing, sample for sample"
    );
    assert_eq!(
        applied(fixed.unwrap()),
        vec!["b.pattern Steps(\"x.x.x.x.\")"]
    );
    let o = onsets(&a.slice(96000, 2 * 96000));
    assert_eq!(o.len(), 8, "the fix doubled the hits: {o:?}");
    assert_eq!(
        std::fs::read_to_string(&p).unwrap(),
        good.replace("x...x...", "x.x.x.x."),
        "never rewritten"
    );
}

#[test]
fn saving_the_session_does_not_come_back_as_a_reload() {
    let d = Dir::new("own-save");
    let p = d.path("s.ron");
    std::fs::write(&p, session_text(120.0, "Immediate", "x...")).unwrap();
    let (mut s, _e, mut r) = start(&p);
    // Live tweaks, then save (ctrl-s): the file now says what is playing.
    s.apply(Action::SetVolume {
        track: "b".into(),
        db: -6.0,
    })
    .unwrap();
    s.apply(Action::SetTempo { bpm: 128.0 }).unwrap();
    s.save().unwrap();
    let steps = s.undo_len();
    let t = Instant::now();
    while t.elapsed() < Duration::from_millis(800) {
        if let Some(st) = r.poll(&mut s) {
            panic!("the session's own save came back as a reload: {st:?}");
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    assert_eq!(s.undo_len(), steps, "no undo step for an echo");
    // A later edit by hand applies only itself.
    let text = std::fs::read_to_string(&p).unwrap().replace("x...", "x.x.");
    std::fs::write(&p, text).unwrap();
    let changes = applied(wait(&mut r, &mut s));
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert_eq!(s.file().tempo, 128.0);
}
