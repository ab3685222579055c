//! Every kind of bad session file gives its own plain message at the right
//! line and column, and never panics.

use termdaw::patch::{self, PatchError};

fn err(text: &str) -> PatchError {
    match patch::parse("bad.ron", text) {
        Ok(_) => panic!("expected an error for:\n{text}"),
        Err(e) => e,
    }
}

fn at(text: &str) -> (usize, usize, String) {
    let e = err(text);
    let (l, c) = e.line_column().expect("a position");
    (l, c, e.message())
}

#[test]
fn syntax_error_points_at_the_bad_token() {
    let (l, c, m) = at("Session(\n    tempo: 120,\n    tracks: [\n        Track(name: \"a\" instrument: Kick()),\n    ],\n)");
    // Where the comma goes, just after "a", in plain words.
    assert_eq!((l, c), (4, 24), "{m}");
    assert!(m.contains("a comma is missing"), "{m}");
}

#[test]
fn unknown_field_is_named_with_the_alternatives() {
    let (l, c, m) = at("Session(\n    tempo: 120,\n    tempp: 3,\n)");
    assert_eq!((l, c), (3, 5));
    assert!(
        m.contains("unknown field `tempp`") && m.contains("tempo"),
        "{m}"
    );
}

#[test]
fn unknown_instrument_parameter_lists_the_real_ones() {
    let (l, c, m) =
        at("Session(tracks: [\n  Track(name: \"a\", instrument: Synth(cutof: 300)),\n])");
    assert_eq!((l, c), (2, 38));
    assert!(
        m.contains("`cutof` is not a parameter of Synth") && m.contains("cutoff"),
        "{m}"
    );
}

#[test]
fn out_of_range_values_say_the_range_and_unit() {
    let (l, _, m) = at("Session(\n  tempo: 2000,\n)");
    assert_eq!(l, 2);
    assert_eq!(m, "tempo must be between 20 and 999 BPM, found 2000");
    let (l, _, m) =
        at("Session(tracks: [\n  Track(name: \"a\", instrument: Synth(cutoff: 50000)),\n])");
    assert_eq!(l, 2);
    assert!(
        m.contains("Synth `cutoff` must be between 20 and 20000 Hz, found 50000"),
        "{m}"
    );
    let (_, _, m) = at("Session(tracks: [Track(name: \"a\", instrument: Kick(), pan: 2)])");
    assert!(m.starts_with("pan must be between -1 and 1"), "{m}");
    let (_, _, m) = at("Session(tracks: [Track(name: \"a\", instrument: Kick(), voices: 0)])");
    assert!(m.contains("voices must be between 1 and 256"), "{m}");
}

#[test]
fn unknown_instrument_kind_lists_the_kinds() {
    let (l, c, m) = at("Session(tracks: [\n  Track(name: \"a\", instrument: Banjo()),\n])");
    assert_eq!((l, c), (2, 32));
    assert!(
        m.contains("unknown instrument kind `Banjo`") && m.contains("Synth"),
        "{m}"
    );
}

#[test]
fn bad_pattern_points_inside_the_string() {
    let line = "  Track(name: \"a\", instrument: Kick(), pattern: Steps(\"x..x..q.\")),";
    let text = format!("Session(tracks: [\n{line}\n])");
    let (l, c, m) = at(&text);
    let q = line.find('q').unwrap() + 1;
    assert_eq!((l, c), (2, q), "{m}");
    assert!(m.starts_with("bad pattern"), "{m}");
    let line = "  Track(name: \"a\", instrument: Synth(), pattern: Notes(\"c3 e3 h3\")),";
    let text = format!("Session(tracks: [\n{line}\n])");
    let (l, c, m) = at(&text);
    assert_eq!((l, c), (2, line.find("h3").unwrap() + 1), "{m}");
}

#[test]
fn duplicate_track_names_point_at_the_second() {
    let (l, _, m) = at("Session(tracks: [\n  Track(name: \"a\", instrument: Kick()),\n  Track(name: \"a\", instrument: Snare()),\n])");
    assert_eq!(l, 3);
    assert!(m.contains("two tracks are named \"a\""), "{m}");
}

#[test]
fn sends_must_name_a_bus() {
    let (_, _, m) =
        at("Session(tracks: [Track(name: \"a\", instrument: Kick(), sends: {\"verb\": -6})])");
    assert!(m.contains("no bus of that name"), "{m}");
}

#[test]
fn the_report_shows_the_line_and_a_caret() {
    let e = err("Session(\n  tempo: 2000,\n)");
    let r = e.report();
    assert!(r.starts_with("bad.ron:2:"), "{r}");
    assert!(r.contains("2 |   tempo: 2000,"), "{r}");
    assert!(r.lines().last().unwrap().trim_end().ends_with('^'), "{r}");
}

#[test]
fn a_missing_file_is_an_io_error_naming_it() {
    let e = patch::load(std::path::Path::new("/nonexistent/x.ron")).unwrap_err();
    assert!(e.to_string().contains("/nonexistent/x.ron"));
}

#[test]
fn garbage_never_panics() {
    let mut seed = 0x1234_5678u32;
    let alphabet: Vec<char> = "Session(tracks:[Track(name:\"a\",instrument:Synth(cutoff:1e9)pattern:Steps(\"x.\"))]){}\n ,-#0123456789".chars().collect();
    for _ in 0..500 {
        let len = (seed % 120) as usize;
        let s: String = (0..len)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 17;
                seed ^= seed << 5;
                alphabet[(seed as usize) % alphabet.len()]
            })
            .collect();
        let _ = patch::parse("fuzz.ron", &s);
    }
}

#[test]
fn every_example_patch_parses_and_round_trips() {
    let mut n = 0;
    for entry in crate::common::example_sessions() {
        let file = patch::load(&entry).unwrap_or_else(|e| panic!("{}", e.report()));
        let text = patch::to_string(&file);
        let again =
            patch::parse("again.ron", &text).unwrap_or_else(|e| panic!("{}\n{text}", e.report()));
        let mut own = file.clone();
        own.tracks.retain(|t| t.origin.is_none());
        assert_eq!(own, again, "{}", entry.display());
        n += 1;
    }
    assert!(n >= 3, "found {n} patches");
}

#[test]
fn a_controller_mapping_with_too_many_arguments_is_refused_at_its_line() {
    let args = (0..9).map(|i| i.to_string()).collect::<Vec<_>>().join(", ");
    let text = format!(
        "Session(\n    midi: Midi(cc: [\n        Cc(cc: 1, action: \"set_swing\", args: [{args}]),\n    ]),\n)"
    );
    let (l, _, m) = at(&text);
    assert_eq!(l, 3, "{m}");
    assert!(m.contains("CC 1: at most 8 arguments, found 9"), "{m}");
}

#[test]
fn sizes_have_bounds_checked_before_anything_is_built() {
    // A chain of 33 effects, 17 includes, 513 mappings: each refused with its limit.
    let fx = vec!["Delay()"; termdaw::kinds::MAX_EFFECTS + 1].join(", ");
    let m = err(&format!(
        "Session(tracks: [Track(name: \"a\", instrument: Kick(), effects: [{fx}])])"
    ))
    .message();
    assert_eq!(m, "track \"a\": at most 32 effects in a chain, found 33");
    let inc = vec!["\"x.ron\""; patch::MAX_INCLUDES + 1].join(", ");
    let m = err(&format!("Session(includes: [{inc}])")).message();
    assert_eq!(m, "at most 16 included files, found 17");
    let cc = vec!["Cc(cc: 1, action: \"set_tempo\")"; patch::format::MAX_MAPPINGS + 1].join(", ");
    let m = err(&format!("Session(midi: Midi(cc: [{cc}]))")).message();
    assert_eq!(m, "at most 512 controller mappings, found 513");
    // 3 tracks of 22 delays and reverbs: each chain is short enough, the
    // session holds more delay memory than a set may.
    let fx = ["Delay(), Reverb(room: 100)"; 11].join(", ");
    let tracks: Vec<String> = (0..3)
        .map(|i| format!("Track(name: \"t{i}\", instrument: Kick(), effects: [{fx}])"))
        .collect();
    let m = err(&format!("Session(tracks: [{}])", tracks.join(", "))).message();
    assert_eq!(
        m,
        "track \"t2\": a session holds at most 64 reverbs and delays (each keeps seconds of audio in memory)"
    );
}

#[test]
fn a_file_too_big_to_be_a_session_is_refused_unread() {
    let p = std::env::temp_dir().join(format!("termdaw-huge-{}.ron", std::process::id()));
    let mut text = String::from("Session(\n");
    while (text.len() as u64) <= patch::MAX_FILE_BYTES {
        text.push_str("// padding padding padding padding padding padding padding padding\n");
    }
    text.push(')');
    std::fs::write(&p, &text).unwrap();
    let e = patch::load(&p).expect_err("too big");
    assert!(e.to_string().contains("larger than 4 MB"), "{e}");
    let _ = std::fs::remove_file(p);
}
