//! `termdaw pattern`: looking inside a pattern from the shell, and renders
//! of sessions full of random pattern functions staying deterministic.

use std::process::Command;

fn termdaw() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_termdaw"));
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c
}

fn run(args: &[&str]) -> (bool, String, String) {
    let o = termdaw().args(args).output().unwrap();
    (
        o.status.success(),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn pattern_prints_exact_events_per_cycle() {
    let (ok, out, err) = run(&[
        "pattern",
        "Notes(\"every 2 (fast 2) $ c3 [e3 g3]\")",
        "--cycles",
        "2",
    ]);
    assert!(ok, "{err}");
    let want = "\
steps per cycle: 2
cycle 0: 6 events
        0    1/4  note  48  vel 0.80
      1/4    1/8  note  52  vel 0.80
      3/8    1/8  note  55  vel 0.80
      1/2    1/4  note  48  vel 0.80
      3/4    1/8  note  52  vel 0.80
      7/8    1/8  note  55  vel 0.80
cycle 1: 3 events
        1    1/2  note  48  vel 0.80
      3/2    1/4  note  52  vel 0.80
      7/4    1/4  note  55  vel 0.80
";
    assert_eq!(out, want);
    // A bare string is Notes; Steps work too.
    let (ok, out, _) = run(&["pattern", "Steps(\"rev $ x..X\")"]);
    assert!(ok);
    assert!(
        out.contains("        0    1/4  note   -  vel 1.00"),
        "{out}"
    );
    assert!(
        out.contains("      3/4    1/4  note   -  vel 0.80"),
        "{out}"
    );
}

#[test]
fn pattern_json_has_fractions_and_pan() {
    let (ok, out, err) = run(&["pattern", "jux rev $ c3 e3", "--json"]);
    assert!(ok, "{err}");
    assert_eq!(
        out.trim(),
        "{\"steps\":\"2\",\"events\":[\
         {\"cycle\":0,\"onset\":\"0\",\"duration\":\"1/2\",\"note\":48,\"velocity\":0.8,\"pan\":-1},\
         {\"cycle\":0,\"onset\":\"0\",\"duration\":\"1/2\",\"note\":52,\"velocity\":0.8,\"pan\":1},\
         {\"cycle\":0,\"onset\":\"1/2\",\"duration\":\"1/2\",\"note\":52,\"velocity\":0.8,\"pan\":-1},\
         {\"cycle\":0,\"onset\":\"1/2\",\"duration\":\"1/2\",\"note\":48,\"velocity\":0.8,\"pan\":1}]}"
    );
    let parsed: serde_json::Value = serde_json::from_str(&out).expect("valid JSON");
    assert_eq!(parsed["events"].as_array().map(Vec::len), Some(4));
    // The other controls appear where a function set them.
    let (ok, out, err) = run(&[
        "pattern",
        "echo 2 (1/4) 0.5 $ nudge 0.01 $ chop 2 $ c3",
        "--json",
    ]);
    assert!(ok, "{err}");
    assert_eq!(
        out.trim(),
        "{\"steps\":\"1\",\"events\":[\
         {\"cycle\":0,\"onset\":\"0\",\"duration\":\"1/2\",\"note\":48,\"velocity\":0.8,\"begin\":0,\"end\":0.5,\"nudge\":0.01},\
         {\"cycle\":0,\"onset\":\"1/4\",\"duration\":\"1/2\",\"note\":48,\"velocity\":0.8,\"gain\":0.5,\"begin\":0,\"end\":0.5,\"nudge\":0.01},\
         {\"cycle\":0,\"onset\":\"1/2\",\"duration\":\"1/2\",\"note\":48,\"velocity\":0.8,\"begin\":0.5,\"end\":1,\"nudge\":0.01},\
         {\"cycle\":0,\"onset\":\"3/4\",\"duration\":\"1/2\",\"note\":48,\"velocity\":0.8,\"gain\":0.5,\"begin\":0.5,\"end\":1,\"nudge\":0.01}]}"
    );
}

#[test]
fn pattern_errors_point_at_the_column() {
    let (ok, _, err) = run(&["pattern", "every 2 (fsat 2) $ c3"]);
    assert!(!ok);
    assert!(
        err.contains("column 10: unknown function \"fsat\", did you mean \"fast\"?"),
        "{err}"
    );
    assert!(
        err.contains("  every 2 (fsat 2) $ c3\n           ^"),
        "{err}"
    );
    // Inside Notes("..."), the column counts from the start of what was typed.
    let (ok, _, err) = run(&["pattern", "Notes(\"fast 1e9 $ c3\")"]);
    assert!(!ok);
    assert!(
        err.contains(
            "column 8: fast would play up to 1000000000 events per cycle; the limit is 4096"
        ),
        "{err}"
    );
    let (ok, _, err) = run(&["pattern", "c3", "--cycles", "0"]);
    assert!(!ok && err.contains("--cycles goes from 1 to 256"), "{err}");
}

const RANDOM_SESSION: &str = r#"Session(
    tempo: 128,
    tracks: [
        Track(
            name: "lead",
            instrument: Synth(wave: Saw),
            pattern: Notes("sometimes (add 12) $ shuffle 4 $ degradeBy 0.3 $ c4 e4 g4 b4 [c5 | a4 | d5]*2"),
        ),
        Track(
            name: "hats",
            instrument: HatClosed(),
            pattern: Steps("someCyclesBy 0.5 (fast 2) $ scramble 8 $ x.x.xxX."),
        ),
        Track(
            name: "other",
            instrument: Kick(),
            pattern: Steps("OTHER"),
            mute: true,
        ),
    ],
)"#;

fn render(session: &str, tag: &str) -> Vec<u8> {
    let dir = std::env::temp_dir();
    let ron = dir.join(format!("termdaw-pattern-{}-{tag}.ron", std::process::id()));
    let wav = dir.join(format!("termdaw-pattern-{}-{tag}.wav", std::process::id()));
    std::fs::write(&ron, session).unwrap();
    let o = termdaw()
        .args(["render", "--bars", "8", "-o"])
        .arg(&wav)
        .arg(&ron)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let bytes = std::fs::read(&wav).unwrap();
    let _ = std::fs::remove_file(ron);
    let _ = std::fs::remove_file(wav);
    bytes
}

#[test]
fn renders_of_random_functions_are_byte_identical() {
    let a = render(&RANDOM_SESSION.replace("OTHER", "x..."), "a");
    let b = render(&RANDOM_SESSION.replace("OTHER", "x..."), "b");
    assert!(a.len() > 10_000);
    assert!(a == b, "two renders differ");
    // Changing another (muted) track's pattern, with its own random
    // functions, reshuffles nothing on the others.
    let c = render(
        &RANDOM_SESSION.replace("OTHER", "shuffle 4 $ sometimes rev $ x.xx"),
        "c",
    );
    assert!(
        a == c,
        "a change on another track changed the random tracks"
    );
}
