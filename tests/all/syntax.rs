//! Broken session files, each with the exact line, column and plain words
//! of its error: where the mistake is, not where the parser gave up.

use termdaw::patch;

/// (what is wrong, the file, line, column, message).
const CASES: &[(&str, &str, usize, usize, &str)] = &[
    (
        "trailing",
        r#"Session(
    tempo: 120,
)
junk
"#,
        4,
        1,
        r#"unexpected text after the end of the session: everything must be inside `Session( … )`"#,
    ),
    (
        "trailing_after_comment",
        r#"Session(tempo: 120)
// done
  ) extra
"#,
        3,
        3,
        r#"unexpected text after the end of the session: everything must be inside `Session( … )`"#,
    ),
    (
        "missing_comma_field",
        r#"Session(
    tempo: 120
    swing: 0.1,
)
"#,
        2,
        15,
        r#"a comma is missing here, after the value before it"#,
    ),
    (
        "missing_comma_comment",
        r#"Session(
    tempo: 120 // fast
    swing: 0.1,
)
"#,
        2,
        15,
        r#"a comma is missing here, after the value before it"#,
    ),
    (
        "missing_comma_list",
        r#"Session(tracks: [
    Track(name: "a", instrument: Kick())
    Track(name: "b", instrument: Kick()),
])
"#,
        2,
        41,
        r#"a comma is missing here, after the value before it"#,
    ),
    (
        "range_number",
        r#"Session(
    tracks: [Track(name: "bass", instrument: Synth(cutoff: 50000))],
)
"#,
        2,
        60,
        r#"Synth `cutoff` must be between 20 and 20000 Hz, found 50000"#,
    ),
    (
        "range_tempo",
        r#"Session(
    tempo: 2000,
)
"#,
        2,
        12,
        r#"tempo must be between 20 and 999 BPM, found 2000"#,
    ),
    (
        "range_volume",
        r#"Session(tracks: [Track(name: "a", instrument: Kick(), volume: 40)])
"#,
        1,
        63,
        r#"volume must be between -120 and 12 dB, found 40"#,
    ),
    (
        "range_pan",
        r#"Session(tracks: [Track(name: "a", instrument: Kick(), pan: -3)])
"#,
        1,
        60,
        r#"pan must be between -1 and 1, found -3"#,
    ),
    (
        "range_voices",
        r#"Session(tracks: [Track(name: "a", instrument: Kick(), voices: 0)])
"#,
        1,
        63,
        r#"voices must be between 1 and 256, found 0"#,
    ),
    (
        "resolution",
        r#"Session(tracks: [Track(name: "a", instrument: Kick(), resolution: 5)])
"#,
        1,
        67,
        r#"resolution must be one of [1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64] steps per whole note, found 5"#,
    ),
    (
        "choice",
        r#"Session(tracks: [Track(name: "a", instrument: Synth(wave: Sawtooth))])
"#,
        1,
        59,
        r#"Synth `wave` must be one of Sine, Saw, Square, Triangle, Noise, found `Sawtooth`"#,
    ),
    (
        "string_for_number",
        r#"Session(
    tempo: "fast",
)
"#,
        2,
        12,
        r#"`tempo` needs a number, found `"fast"`"#,
    ),
    (
        "number_for_string",
        r#"Session(tracks: [Track(name: 5, instrument: Kick())])
"#,
        1,
        30,
        r#"`name` needs text in double quotes, found `5`"#,
    ),
    (
        "bool_wrong",
        r#"Session(tracks: [Track(name: "a", instrument: Kick(), mute: yes)])
"#,
        1,
        61,
        r#"`mute` is `true` or `false`, found `yes`"#,
    ),
    (
        "list_wrong",
        r#"Session(tracks: Track(name: "a", instrument: Kick()))
"#,
        1,
        17,
        r#"`tracks` needs a list in `[ ]`, found `Track(`"#,
    ),
    (
        "map_wrong",
        r#"Session(buses: [Bus(name: "v")], tracks: [Track(name: "a", instrument: Kick(), sends: ["v"])])
"#,
        1,
        87,
        r#"`sends` needs a map in `{ }`, like `{"verb": -12}`, found `[`"#,
    ),
    (
        "unclosed_string",
        r#"Session(
    tracks: [Track(name: "bass, instrument: Synth())],
)
"#,
        2,
        26,
        r#"this text is never closed: a `"` is missing at its end"#,
    ),
    (
        "duplicate_field",
        r#"Session(
    tempo: 120,
    tempo: 130,
)
"#,
        3,
        5,
        r#"`tempo` is given twice in Session; keep one"#,
    ),
    (
        "unknown_field",
        r#"Session(
    tempoo: 120,
)
"#,
        2,
        5,
        r#"unknown field `tempoo` in Session (did you mean `tempo`?); expected one of: tempo, time_signature, swing, swing_grid, quantum, key, scale, master, buses, tracks, includes, midi, sections, song, markers, loop_bars, automation, macros"#,
    ),
    (
        "unknown_track_field",
        r#"Session(tracks: [Track(name: "a", instrument: Kick(), volum: -3)])
"#,
        1,
        55,
        r#"unknown field `volum` in Track (did you mean `volume`?); expected one of: name, instrument, pattern, resolution, gate, density, volume, pan, mute, solo, voices, bend_range, effects, sends, clips"#,
    ),
    (
        "unknown_instrument",
        r#"Session(tracks: [Track(name: "a", instrument: Kik())])
"#,
        1,
        47,
        r#"unknown instrument kind `Kik`; expected one of Synth, Fm, Pluck, Kick, Snare, HatClosed, HatOpen, Clap, Sample, Tone, Input, Looper"#,
    ),
    (
        "unknown_param",
        r#"Session(tracks: [Track(name: "a", instrument: Synth(cutof: 300))])
"#,
        1,
        53,
        r#"`cutof` is not a parameter of Synth; it has: wave, unison, detune, filter, cutoff, q, env_amount, f_attack, f_decay, attack, decay, sustain, release, pan, spread"#,
    ),
    (
        "missing_name",
        r#"Session(tracks: [Track(instrument: Kick())])
"#,
        1,
        18,
        r#"missing field `name` in Track"#,
    ),
    (
        "missing_paren_instrument",
        r#"Session(tracks: [Track(name: "a", instrument: Kick)])
"#,
        1,
        51,
        r#"expected `(` here: an instrument or effect needs parentheses, e.g. `Kick()` for its defaults or `Kick(tune: 50)`"#,
    ),
    (
        "eof",
        r#"Session(
    tempo: 120,
"#,
        2,
        16,
        r#"the file ends too early: a bracket or parenthesis is not closed"#,
    ),
    (
        "unclosed_list",
        r#"Session(
    tracks: [
        Track(name: "a", instrument: Kick()),
)
"#,
        3,
        46,
        r#"a `]` is missing here, before the `)`"#,
    ),
    (
        "unclosed_comment",
        r#"Session(
    /* tempo: 120,
)
"#,
        2,
        5,
        r#"a `/*` comment is never closed"#,
    ),
    (
        "wrong_struct",
        r#"Sesion(tempo: 120)
"#,
        1,
        1,
        r#"expected `Session( … )` here, found `Sesion`"#,
    ),
    (
        "bad_char",
        r#"Session(tempo: 120, @)
"#,
        1,
        21,
        r#"unexpected `@` here; expected a field name"#,
    ),
    (
        "bad_scale",
        r#"Session(scale: Minr)
"#,
        1,
        16,
        r#"unknown value `Minr` for Scale (did you mean `Minor`?); expected one of: Major, Minor, Dorian, Phrygian, Lydian, Mixolydian, Locrian, HarmonicMinor, MelodicMinor, MajorPentatonic, MinorPentatonic, Blues, Chromatic"#,
    ),
    (
        "bad_quantum",
        r#"Session(quantum: Bars)
"#,
        1,
        18,
        r#"unknown value `Bars` for Quantum (did you mean `Bar`?); expected one of: Immediate, Beat, Bar"#,
    ),
    (
        "bad_key",
        r#"Session(key: "H")
"#,
        1,
        14,
        r#"key must be a note name like C, F# or Bb, found "H""#,
    ),
    (
        "time_signature",
        r#"Session(time_signature: (4, 3))
"#,
        1,
        29,
        r#"time signature unit must be 1, 2, 4, 8, 16 or 32, found 3"#,
    ),
    (
        "bad_name",
        r#"Session(tracks: [Track(name: "Bass Line", instrument: Kick())])
"#,
        1,
        30,
        r#"a name may use lowercase letters, digits, `_` and `-` only; "Bass Line" has `B`"#,
    ),
    (
        "duplicate_track",
        r#"Session(tracks: [
    Track(name: "a", instrument: Kick()),
    Track(name: "a", instrument: Snare()),
])
"#,
        3,
        17,
        r#"two tracks are named "a"; track names must be unique"#,
    ),
    (
        "unknown_bus",
        r#"Session(tracks: [Track(name: "a", instrument: Kick(), sends: {"verb": -6})])
"#,
        1,
        63,
        r#"track "a" sends to "verb", but there is no bus of that name"#,
    ),
    (
        "map_colon",
        r#"Session(buses: [Bus(name: "v")], tracks: [Track(name: "a", instrument: Kick(), sends: {"v" -6})])
"#,
        1,
        91,
        r#"a `:` is missing between a key and its value"#,
    ),
    (
        "bad_pattern",
        r#"Session(tracks: [Track(name: "a", instrument: Kick(), pattern: Steps("x..h"))])
"#,
        1,
        74,
        r#"bad pattern: expected a step (x X o or 1-9 for a hit, . - ~ for a rest, _ to hold), found "h""#,
    ),
    (
        "missing_close_paren",
        r#"Session(tracks: [Track(name: "a", instrument: Kick(]
)
"#,
        1,
        52,
        r#"a `)` is missing here, before the `]`"#,
    ),
];

#[test]
fn every_broken_file_gets_its_place_and_a_plain_message() {
    assert!(CASES.len() >= 30);
    let mut wrong = Vec::new();
    for (what, text, line, col, message) in CASES {
        let e = patch::parse("s.ron", text).expect_err(what);
        let got = (e.line_column(), e.message());
        let want = (Some((*line, *col)), message.to_string());
        if got != want {
            wrong.push(format!("{what}: got {got:?}, want {want:?}"));
        }
        assert!(
            !e.message().contains("Non-whitespace") && !e.message().starts_with("syntax error"),
            "{what}: RON's own words: {}",
            e.message()
        );
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
