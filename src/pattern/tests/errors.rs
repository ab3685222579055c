//! Bad patterns are errors that name their column, never crashes.
//!
//! Test-only code.

use super::*;

/// `(notation, source, column, part of the message)`.
const ERRORS: &[(Kind, &str, usize, &str)] = &[
    (
        Notes,
        "c3 h3",
        4,
        "expected a note like c3, f#2 or a rest ~, found \"h3\"",
    ),
    (Notes, "c3 [e3 g3", 10, "unclosed \"[\" opened at column 4"),
    (Notes, "<c3 e3", 7, "unclosed \"<\" opened at column 1"),
    (
        Notes,
        "c3:1.5",
        4,
        "velocity must be between 0 and 1, found 1.5",
    ),
    (Notes, "c3:", 3, "expected a velocity"),
    (Notes, "c3 e3]", 6, "unexpected \"]\""),
    (
        Notes,
        "[c3 e3>",
        7,
        "expected \"]\" to close the \"[\" opened at column 1, found \">\"",
    ),
    (Notes, "_ c3", 1, "no step before it"),
    (Notes, "! c3", 1, "no step before it"),
    (Notes, "c10", 2, "octaves go from -1 to 9"),
    (Notes, "c-2", 2, "octaves go from -1 to 9"),
    (Notes, "g#9", 1, "outside the MIDI range"),
    (Notes, "cb-1", 1, "outside the MIDI range"),
    (
        Notes,
        "128",
        1,
        "MIDI note numbers go from 0 to 127, found 128",
    ),
    (Notes, "c3e3", 3, "unexpected \"e\" after the note c3"),
    (Notes, "hello", 1, "found \"hello\""),
    (Notes, "c3*0", 4, "more than 0"),
    (Notes, "c3*2000", 4, "at most 1024"),
    (Notes, "c3*", 3, "expected a number after \"*\""),
    (Notes, "c3/x", 3, "expected a number after \"/\""),
    (Notes, "c3@", 3, "expected a number after \"@\""),
    (Notes, "x(5,4)", 3, "more hits than steps"),
    (Notes, "x(3,0)", 5, "1 to 1024 steps"),
    (Notes, "x(3,8", 6, "unclosed \"(\" opened at column 2"),
    (Notes, "x(3)", 4, "expected \",\""),
    (Notes, "x(3,8,1,2)", 8, "expected \")\""),
    (Notes, "x(1.5,8)", 3, "whole numbers only"),
    (Notes, "[]", 1, "empty \"[]\""),
    (Notes, "c3 <>", 4, "empty \"<>\""),
    (Notes, "c3 .e3", 4, "write ~ for a rest"),
    (Notes, "<c3@1.5 e3>", 2, "whole cycles"),
    (Notes, "~:0.5", 2, "goes right after a note"),
    (
        Notes,
        "c3?1.5",
        4,
        "chance after \"?\" must be between 0 and 1",
    ),
    (Notes, "[c3,]", 5, "empty part"),
    (Notes, ", c3", 1, "empty part"),
    (Notes, "c3 é", 4, "found \"é\""),
    (Notes, "é c3 )", 1, "found \"é\""),
    (Notes, "c3 )", 4, "unexpected \")\""),
    (Notes, "c3!0", 3, "between 1 and 1024"),
    (Steps, "x.h.", 3, "found \"h\""),
    (Steps, "_x", 1, "no step before it"),
    (Steps, "x0", 2, "\"0\" is not a step"),
    (Steps, "xé|y", 2, "found \"é\""),
    (Steps, "x [x]", 3, "found \"[\""),
];

#[test]
fn errors_name_their_column() {
    for &(kind, src, column, part) in ERRORS {
        match parse(kind, src) {
            Ok(p) => panic!(
                "{src:?} should not parse, got {}",
                render(&p.query(Span::cycle(0)))
            ),
            Err(e) => {
                assert!(
                    e.message.contains(part),
                    "{src:?}: message {:?} lacks {part:?}",
                    e.message
                );
                assert_eq!(e.column, column, "{src:?}: column of {:?}", e.message);
                assert_eq!(e.to_string(), format!("column {column}: {}", e.message));
            }
        }
    }
}

#[test]
fn nesting_and_modifier_limits_are_errors_not_crashes() {
    let deep = format!("{}c3{}", "[".repeat(200), "]".repeat(200));
    let e = parse_notes(&deep)
        .err()
        .map(|e| e.message)
        .unwrap_or_default();
    assert!(e.contains("too deeply"), "{e}");
    let deep_alt = format!("{}c3{}", "<".repeat(200), ">".repeat(200));
    assert!(parse_notes(&deep_alt).is_err());
    let many = format!("c3{}", "*2".repeat(40));
    let e = parse_notes(&many)
        .err()
        .map(|e| e.message)
        .unwrap_or_default();
    assert!(e.contains("too many modifiers"), "{e}");
    // Within the limits, deep patterns parse and query fine.
    let ok = format!("{}c3{}", "[".repeat(30), "]".repeat(30));
    let p = parse_notes(&ok).expect("30 levels parse");
    assert_eq!(render(&p.query(Span::cycle(0))), "0..1 48@0.80");
}
