//! `termdaw suggest`: the chords of a key and scale with their numerals,
//! the next chord ranked after some chords, and notes that clash.

use std::process::Command;

use termdaw::patch::Key;
use termdaw::theory::clash::parse_scale;
use termdaw::theory::suggest;

/// (key, scale, the scale's notes, its triads, their numerals, sevenths).
const TABLE: &[(&str, &str, &str, &str, &str, &str)] = &[
    (
        "C",
        "major",
        "C D E F G A B",
        "C Dm Em F G Am Bdim",
        "I ii iii IV V vi vii°",
        "Cmaj7 Dm7 Em7 Fmaj7 G7 Am7 Bm7b5",
    ),
    (
        "A",
        "minor",
        "A B C D E F G",
        "Am Bdim C Dm Em F G",
        "i ii° III iv v VI VII",
        "Am7 Bm7b5 Cmaj7 Dm7 Em7 Fmaj7 G7",
    ),
    (
        "D",
        "dorian",
        "D E F G A B C",
        "Dm Em F G Am Bdim C",
        "i ii III IV v vi° VII",
        "Dm7 Em7 Fmaj7 G7 Am7 Bm7b5 Cmaj7",
    ),
    (
        "G",
        "mixolydian",
        "G A B C D E F",
        "G Am Bdim C Dm Em F",
        "I ii iii° IV v vi VII",
        "G7 Am7 Bm7b5 Cmaj7 Dm7 Em7 Fmaj7",
    ),
    (
        "A",
        "harmonic minor",
        "A B C D E F G#",
        "Am Bdim Caug Dm E F G#dim",
        "i ii° III+ iv V VI vii°",
        "AmMaj7 Bm7b5 CaugMaj7 Dm7 E7 Fmaj7 G#dim7",
    ),
    (
        "F",
        "major",
        "F G A Bb C D E",
        "F Gm Am Bb C Dm Edim",
        "I ii iii IV V vi vii°",
        "Fmaj7 Gm7 Am7 Bbmaj7 C7 Dm7 Em7b5",
    ),
    (
        "E",
        "phrygian",
        "E F G A B C D",
        "Em F G Am Bdim C Dm",
        "i II III iv v° VI vii",
        "Em7 Fmaj7 G7 Am7 Bm7b5 Cmaj7 Dm7",
    ),
    (
        "F",
        "lydian",
        "F G A B C D E",
        "F G Am Bdim C Dm Em",
        "I II iii iv° V vi vii",
        "Fmaj7 G7 Am7 Bm7b5 Cmaj7 Dm7 Em7",
    ),
    (
        "Bb",
        "major",
        "Bb C D Eb F G A",
        "Bb Cm Dm Eb F Gm Adim",
        "I ii iii IV V vi vii°",
        "Bbmaj7 Cm7 Dm7 Ebmaj7 F7 Gm7 Am7b5",
    ),
    (
        "C",
        "melodic minor",
        "C D Eb F G A B",
        "Cm Dm Ebaug F G Adim Bdim",
        "i ii III+ IV V vi° vii°",
        "CmMaj7 Dm7 EbaugMaj7 F7 G7 Am7b5 Bm7b5",
    ),
    (
        "F#",
        "minor",
        "F# G# A B C# D E",
        "F#m G#dim A Bm C#m D E",
        "i ii° III iv v VI VII",
        "F#m7 G#m7b5 Amaj7 Bm7 C#m7 Dmaj7 E7",
    ),
    (
        "B",
        "locrian",
        "B C D E F G A",
        "Bdim C Dm Em F G Am",
        "i° II iii iv V VI vii",
        "Bm7b5 Cmaj7 Dm7 Em7 Fmaj7 G7 Am7",
    ),
];

#[test]
fn every_key_and_scale_of_the_table_has_its_diatonic_chords_and_numerals() {
    for (key, scale, notes, triads, numerals, sevenths) in TABLE {
        let k = Key::parse(key).unwrap();
        let sc = parse_scale(scale).unwrap();
        let r = suggest::suggest(k, sc, &[]).unwrap();
        let case = format!("{key} {scale}");
        assert_eq!(r.notes.join(" "), *notes, "{case}");
        let names: Vec<&str> = r.chords.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names.join(" "), *triads, "{case}");
        let nums: Vec<&str> = r.chords.iter().map(|c| c.numeral.as_str()).collect();
        assert_eq!(nums.join(" "), *numerals, "{case}");
        let sev: Vec<&str> = r
            .chords
            .iter()
            .filter_map(|c| c.seventh.as_deref())
            .collect();
        assert_eq!(sev.join(" "), *sevenths, "{case}");
    }
}

#[test]
fn after_two_five_the_one_comes_first() {
    for (key, scale, after, one) in [
        ("C", "major", "Dm G", "C"),
        ("F", "major", "Gm C7", "F"),
        ("Bb", "major", "Cm7 F7", "Bb"),
        ("A", "harmonic minor", "Bdim E", "Am"),
    ] {
        let after: Vec<String> = after.split(' ').map(str::to_string).collect();
        let r = suggest::suggest(
            Key::parse(key).unwrap(),
            parse_scale(scale).unwrap(),
            &after,
        )
        .unwrap();
        assert_eq!(
            r.next[0].name, one,
            "{key} {scale} after {after:?}: {:?}",
            r.next
        );
        assert!(r.next.windows(2).all(|w| w[0].score >= w[1].score));
    }
    // Pop songs in major: after I, the next ones are ranked, I itself is not.
    let r = suggest::suggest(
        Key::parse("C").unwrap(),
        parse_scale("major").unwrap(),
        &["C".into()],
    )
    .unwrap();
    assert_eq!(r.next.len(), 6);
    assert!(r.next.iter().all(|n| n.name != "C"));
}

fn termdaw() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_termdaw"));
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c
}

#[test]
fn the_suggest_command_prints_text_and_json_and_refuses_what_is_not_a_chord() {
    let o = termdaw()
        .args([
            "suggest", "--key", "A", "--scale", "minor", "--after", "Am F",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(text.starts_with("A minor: A B C D E F G"), "{text}");
    assert!(
        text.contains("epic minor (i VI III VII)") && text.contains("Am F C G"),
        "{text}"
    );
    assert!(text.contains("after Am F:\n  1. "), "{text}");

    let o = termdaw()
        .args([
            "suggest", "--key", "A", "--scale", "minor", "--after", "Am F", "--json",
        ])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["key"], "A");
    assert_eq!(v["chords"][5]["numeral"], "VI");
    assert_eq!(v["chords"][5]["name"], "F");
    assert_eq!(v["chords"][5]["notes"], serde_json::json!(["F", "A", "C"]));
    assert_eq!(v["after"], serde_json::json!(["Am", "F"]));
    assert!(v["next"].as_array().unwrap().len() >= 5);
    assert!(v["next"][0]["score"].as_f64().unwrap() > 0.0);

    for (args, says) in [
        (
            vec!["--key", "A", "--after", "Am H7"],
            "\"H7\" is not a chord name",
        ),
        (vec!["--key", "X"], "\"X\" is not a key"),
        (
            vec!["--key", "A", "--scale", "mynor"],
            "\"mynor\" is not a scale",
        ),
    ] {
        let o = termdaw().arg("suggest").args(&args).output().unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(!o.status.success() && err.contains(says), "{args:?}: {err}");
    }
}

#[test]
fn notes_of_the_session_that_clash_with_a_chord_are_named_with_their_tracks() {
    let dir = std::env::temp_dir().join(format!("termdaw-theory-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("s.ron");
    std::fs::write(
        &path,
        r#"Session(tempo: 120, key: "A", scale: Minor, tracks: [
    Track(name: "kick", instrument: Kick(), pattern: Steps("x...")),
    Track(name: "bass", instrument: Synth(), pattern: Notes("a1 f2 c2 e2")),
    Track(name: "lead", instrument: Synth(), pattern: Notes("f4 b4")),
])"#,
    )
    .unwrap();
    let o = termdaw()
        .args(["suggest", "--json", "--session"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    // The session's key and scale are the default.
    assert_eq!(v["key"], "A");
    assert_eq!(v["scale"], "Minor");
    let clashes = v["clashes"].as_array().unwrap();
    let of = |chord: &str| -> Vec<(String, Vec<String>)> {
        clashes
            .iter()
            .filter(|c| c["chord"] == chord)
            .map(|c| {
                let tracks = c["tracks"].as_array().unwrap();
                (
                    c["note"].as_str().unwrap().to_string(),
                    tracks
                        .iter()
                        .map(|t| t.as_str().unwrap().to_string())
                        .collect(),
                )
            })
            .collect()
    };
    // Over Am (A C E), F sits a semitone above E: both tracks play it.
    assert_eq!(
        of("Am"),
        vec![(
            "F".to_string(),
            vec!["bass".to_string(), "lead".to_string()]
        )]
    );
    // Over F (F A C) nothing does: E sits under F, B is the sharp eleventh.
    assert_eq!(of("F"), vec![]);
    // Over G (G B D), C is the avoid note, a semitone above B.
    assert_eq!(of("G"), vec![("C".to_string(), vec!["bass".to_string()])]);
    // Drums are never counted.
    assert!(clashes
        .iter()
        .all(|c| !c["tracks"].to_string().contains("kick")));
}
