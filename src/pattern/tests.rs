//! Tests for the pattern model and both parsers: a table of patterns against
//! the exact events they must produce, errors with their columns, multi-cycle
//! queries, and a no-panic fuzz over garbled strings.
//!
//! Test-only code.

use super::model::MAX_EVENTS;
use super::parse::bjorklund;
use super::*;

fn f(n: i64, d: i64) -> Frac {
    Frac::new(n, d)
}

fn span(b: Frac, e: Frac) -> Span {
    Span::new(b, e)
}

/// Events as compact text, `begin..end note@velocity`, joined by `, `;
/// `-` for a note of `None`. Exact times, velocities to two decimals.
fn render(events: &[Event]) -> String {
    events
        .iter()
        .map(|e| {
            let note = e.value.note.map_or("-".to_string(), |n| n.to_string());
            format!(
                "{}..{} {}@{:.2}",
                e.whole.begin, e.whole.end, note, e.value.velocity
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[derive(Clone, Copy)]
enum Kind {
    Steps,
    Notes,
}
use Kind::{Notes, Steps};

fn parse(kind: Kind, src: &str) -> Result<Pattern, PatternError> {
    match kind {
        Steps => parse_steps(src),
        Notes => parse_notes(src),
    }
}

/// `(notation, source, steps() as (n, d), cycles queried [from, to), expected events)`.
type Case = (Kind, &'static str, (i64, i64), (i64, i64), &'static str);

const TABLE: &[Case] = &[
    // ---- drum step strings
    (
        Steps,
        "x..x..x.",
        (8, 1),
        (0, 1),
        "0..1/8 -@0.80, 3/8..1/2 -@0.80, 3/4..7/8 -@0.80",
    ),
    (
        Steps,
        "X o 9 1",
        (4, 1),
        (0, 1),
        "0..1/4 -@1.00, 1/4..1/2 -@0.40, 1/2..3/4 -@1.00, 3/4..1 -@0.11",
    ),
    (
        Steps,
        "x__. x_..",
        (8, 1),
        (0, 1),
        "0..3/8 -@0.80, 1/2..3/4 -@0.80",
    ),
    (
        Steps,
        "x-x~|x.x.",
        (8, 1),
        (0, 1),
        "0..1/8 -@0.80, 1/4..3/8 -@0.80, 1/2..5/8 -@0.80, 3/4..7/8 -@0.80",
    ),
    (Steps, "._x", (3, 1), (0, 1), "2/3..1 -@0.80"),
    (
        Steps,
        "x...",
        (4, 1),
        (0, 3),
        "0..1/4 -@0.80, 1..5/4 -@0.80, 2..9/4 -@0.80",
    ),
    (Steps, "", (0, 1), (0, 1), ""),
    (Steps, "  |  ", (0, 1), (0, 1), ""),
    (Steps, "3", (1, 1), (0, 1), "0..1 -@0.33"),
    // ---- plain note sequences
    (
        Notes,
        "a2 ~ c3 e3",
        (4, 1),
        (0, 1),
        "0..1/4 45@0.80, 1/2..3/4 48@0.80, 3/4..1 52@0.80",
    ),
    (
        Notes,
        "c4 a4 c-1 g9",
        (4, 1),
        (0, 1),
        "0..1/4 60@0.80, 1/4..1/2 69@0.80, 1/2..3/4 0@0.80, 3/4..1 127@0.80",
    ),
    (
        Notes,
        "c#3 db3 cs3 eb3 bb2 b#3 cbb3",
        (7, 1),
        (0, 1),
        "0..1/7 49@0.80, 1/7..2/7 49@0.80, 2/7..3/7 49@0.80, 3/7..4/7 51@0.80, \
         4/7..5/7 46@0.80, 5/7..6/7 60@0.80, 6/7..1 46@0.80",
    ),
    (
        Notes,
        "C3 F#2 Bb1",
        (3, 1),
        (0, 1),
        "0..1/3 48@0.80, 1/3..2/3 42@0.80, 2/3..1 34@0.80",
    ),
    (
        Notes,
        "c e g",
        (3, 1),
        (0, 1),
        "0..1/3 48@0.80, 1/3..2/3 52@0.80, 2/3..1 55@0.80",
    ),
    (
        Notes,
        "60 64 0 127",
        (4, 1),
        (0, 1),
        "0..1/4 60@0.80, 1/4..1/2 64@0.80, 1/2..3/4 0@0.80, 3/4..1 127@0.80",
    ),
    (
        Notes,
        "c3:0.5 e3:1 g3:0 x:.25",
        (4, 1),
        (0, 1),
        "0..1/4 48@0.50, 1/4..1/2 52@1.00, 1/2..3/4 55@0.00, 3/4..1 -@0.25",
    ),
    (
        Notes,
        "c3 _ e3 _ _ g3",
        (6, 1),
        (0, 1),
        "0..1/3 48@0.80, 1/3..5/6 52@0.80, 5/6..1 55@0.80",
    ),
    (
        Notes,
        "c3__ e3",
        (4, 1),
        (0, 1),
        "0..3/4 48@0.80, 3/4..1 52@0.80",
    ),
    (
        Notes,
        "c3 ~ _ e3",
        (4, 1),
        (0, 1),
        "0..1/4 48@0.80, 3/4..1 52@0.80",
    ),
    (Notes, "~ c3", (2, 1), (0, 1), "1/2..1 48@0.80"),
    (
        Notes,
        "\t c3  \n e3 ",
        (2, 1),
        (0, 1),
        "0..1/2 48@0.80, 1/2..1 52@0.80",
    ),
    (Notes, "", (0, 1), (0, 1), ""),
    (
        Notes,
        "c3 e3",
        (2, 1),
        (1, 3),
        "1..3/2 48@0.80, 3/2..2 52@0.80, 2..5/2 48@0.80, 5/2..3 52@0.80",
    ),
    // ---- mini-notation: groups
    (
        Notes,
        "c3 [e3 g3]",
        (2, 1),
        (0, 1),
        "0..1/2 48@0.80, 1/2..3/4 52@0.80, 3/4..1 55@0.80",
    ),
    (
        Notes,
        "[c3 [e3 g3]] a3",
        (2, 1),
        (0, 1),
        "0..1/4 48@0.80, 1/4..3/8 52@0.80, 3/8..1/2 55@0.80, 1/2..1 57@0.80",
    ),
    // ---- repeat and slow
    (
        Notes,
        "c3*2 e3",
        (2, 1),
        (0, 1),
        "0..1/4 48@0.80, 1/4..1/2 48@0.80, 1/2..1 52@0.80",
    ),
    (
        Notes,
        "[c3 e3]*1.5",
        (1, 1),
        (0, 1),
        "0..1/3 48@0.80, 1/3..2/3 52@0.80, 2/3..1 48@0.80",
    ),
    (Notes, "c3/2", (1, 1), (0, 4), "0..2 48@0.80, 2..4 48@0.80"),
    (
        Notes,
        "[c3 e3]/2",
        (1, 1),
        (0, 2),
        "0..1 48@0.80, 1..2 52@0.80",
    ),
    (
        Notes,
        "c3 e3/2",
        (2, 1),
        (0, 2),
        "0..1/2 48@0.80, 1/2..3/2 52@0.80, 1..3/2 48@0.80",
    ),
    (
        Notes,
        "c3*3/2",
        (1, 1),
        (0, 2),
        "0..2/3 48@0.80, 2/3..4/3 48@0.80, 4/3..2 48@0.80",
    ),
    // ---- alternation
    (
        Notes,
        "<c3 e3 g3>",
        (1, 1),
        (0, 4),
        "0..1 48@0.80, 1..2 52@0.80, 2..3 55@0.80, 3..4 48@0.80",
    ),
    (
        Notes,
        "c3 <e3 g3>",
        (2, 1),
        (1, 2),
        "1..3/2 48@0.80, 3/2..2 55@0.80",
    ),
    (
        Notes,
        "<c3 [e3 g3]>",
        (1, 1),
        (1, 2),
        "1..3/2 52@0.80, 3/2..2 55@0.80",
    ),
    (
        Notes,
        "<c3 <e3 g3>>",
        (1, 1),
        (0, 4),
        "0..1 48@0.80, 1..2 52@0.80, 2..3 48@0.80, 3..4 55@0.80",
    ),
    (
        Notes,
        "<c3@2 e3>",
        (1, 1),
        (0, 3),
        "0..1 48@0.80, 1..2 48@0.80, 2..3 52@0.80",
    ),
    (
        Notes,
        "<c3 _ e3>",
        (1, 1),
        (0, 3),
        "0..1 48@0.80, 1..2 48@0.80, 2..3 52@0.80",
    ),
    (
        Notes,
        "<c3!2 e3>",
        (1, 1),
        (0, 3),
        "0..1 48@0.80, 1..2 48@0.80, 2..3 52@0.80",
    ),
    (
        Notes,
        "<c3 e3, g2>",
        (1, 1),
        (0, 2),
        "0..1 48@0.80, 0..1 43@0.80, 1..2 52@0.80, 1..2 43@0.80",
    ),
    (
        Notes,
        "<c3 e3>*2",
        (1, 1),
        (0, 1),
        "0..1/2 48@0.80, 1/2..1 52@0.80",
    ),
    (Notes, "<c3 e3>", (1, 1), (-1, 0), "-1..0 52@0.80"),
    // ---- elongation
    (
        Notes,
        "c3@3 e3",
        (4, 1),
        (0, 1),
        "0..3/4 48@0.80, 3/4..1 52@0.80",
    ),
    (
        Notes,
        "[c3@3 e3]",
        (1, 1),
        (0, 1),
        "0..3/4 48@0.80, 3/4..1 52@0.80",
    ),
    (
        Notes,
        "c3@1.5 e3",
        (5, 2),
        (0, 1),
        "0..3/5 48@0.80, 3/5..1 52@0.80",
    ),
    (
        Notes,
        "[c3 e3]@2 g3",
        (3, 1),
        (0, 1),
        "0..1/3 48@0.80, 1/3..2/3 52@0.80, 2/3..1 55@0.80",
    ),
    (Notes, "c3@2 _", (3, 1), (0, 1), "0..1 48@0.80"),
    // ---- chance (the probabilistic cases are tested separately)
    (
        Notes,
        "c3?0 e3?0.0",
        (2, 1),
        (0, 1),
        "0..1/2 48@0.80, 1/2..1 52@0.80",
    ),
    (Notes, "c3?1 e3", (2, 1), (0, 1), "1/2..1 52@0.80"),
    (
        Notes,
        "c3*4?0",
        (1, 1),
        (0, 1),
        "0..1/4 48@0.80, 1/4..1/2 48@0.80, 1/2..3/4 48@0.80, 3/4..1 48@0.80",
    ),
    // ---- polyphony
    (
        Notes,
        "[c3,e3,g3]",
        (1, 1),
        (0, 1),
        "0..1 48@0.80, 0..1 52@0.80, 0..1 55@0.80",
    ),
    (
        Notes,
        "[c3 e3, g2]",
        (1, 1),
        (0, 1),
        "0..1/2 48@0.80, 0..1 43@0.80, 1/2..1 52@0.80",
    ),
    (
        Notes,
        "c3 e3, g2",
        (2, 1),
        (0, 1),
        "0..1/2 48@0.80, 0..1 43@0.80, 1/2..1 52@0.80",
    ),
    (
        Notes,
        "[c3,e3] ~ [d3,f3]",
        (3, 1),
        (0, 1),
        "0..1/3 48@0.80, 0..1/3 52@0.80, 2/3..1 50@0.80, 2/3..1 53@0.80",
    ),
    // ---- euclidean rhythms
    (
        Notes,
        "x(3,8)",
        (1, 1),
        (0, 1),
        "0..1/8 -@0.80, 3/8..1/2 -@0.80, 3/4..7/8 -@0.80",
    ),
    (
        Notes,
        "x(3,8,2)",
        (1, 1),
        (0, 1),
        "1/8..1/4 -@0.80, 1/2..5/8 -@0.80, 3/4..7/8 -@0.80",
    ),
    (
        Notes,
        "x( 3 , 8 , -1 )",
        (1, 1),
        (0, 1),
        "1/8..1/4 -@0.80, 1/2..5/8 -@0.80, 7/8..1 -@0.80",
    ),
    (
        Notes,
        "X(5,8)",
        (1, 1),
        (0, 1),
        "0..1/8 -@1.00, 1/4..3/8 -@1.00, 3/8..1/2 -@1.00, 5/8..3/4 -@1.00, 3/4..7/8 -@1.00",
    ),
    (Notes, "x(0,4)", (1, 1), (0, 1), ""),
    (
        Notes,
        "o(2,2)",
        (1, 1),
        (0, 1),
        "0..1/2 -@0.40, 1/2..1 -@0.40",
    ),
    (
        Notes,
        "[x x] ~ x(3,8)",
        (3, 1),
        (0, 1),
        "0..1/6 -@0.80, 1/6..1/3 -@0.80, 2/3..17/24 -@0.80, 19/24..5/6 -@0.80, 11/12..23/24 -@0.80",
    ),
    (
        Notes,
        "c3:0.5(2,4)",
        (1, 1),
        (0, 1),
        "0..1/4 48@0.50, 1/2..3/4 48@0.50",
    ),
    (
        Notes,
        "<c3 e3>(3,8)",
        (1, 1),
        (1, 2),
        "1..9/8 52@0.80, 11/8..3/2 52@0.80, 7/4..15/8 52@0.80",
    ),
    // ---- replicate
    (
        Notes,
        "c3!3 e3",
        (4, 1),
        (0, 1),
        "0..1/4 48@0.80, 1/4..1/2 48@0.80, 1/2..3/4 48@0.80, 3/4..1 52@0.80",
    ),
    (
        Notes,
        "c3 ! ! e3",
        (4, 1),
        (0, 1),
        "0..1/4 48@0.80, 1/4..1/2 48@0.80, 1/2..3/4 48@0.80, 3/4..1 52@0.80",
    ),
    (
        Notes,
        "c3! e3",
        (3, 1),
        (0, 1),
        "0..1/3 48@0.80, 1/3..2/3 48@0.80, 2/3..1 52@0.80",
    ),
    (
        Notes,
        "c3:0.5!2",
        (2, 1),
        (0, 1),
        "0..1/2 48@0.50, 1/2..1 48@0.50",
    ),
    (
        Notes,
        "[c3 e3]!2",
        (2, 1),
        (0, 1),
        "0..1/4 48@0.80, 1/4..1/2 52@0.80, 1/2..3/4 48@0.80, 3/4..1 52@0.80",
    ),
    // ---- drum atoms in the mini-notation
    (
        Notes,
        "x X o",
        (3, 1),
        (0, 1),
        "0..1/3 -@0.80, 1/3..2/3 -@1.00, 2/3..1 -@0.40",
    ),
];

#[test]
fn table_of_patterns() {
    assert!(TABLE.len() >= 40);
    for &(kind, src, (sn, sd), (from, to), want) in TABLE {
        let pat = parse(kind, src).unwrap_or_else(|e| panic!("{src:?} failed to parse: {e}"));
        assert_eq!(pat.steps(), f(sn, sd), "steps() of {src:?}");
        let got = render(&pat.query(span(Frac::from_int(from), Frac::from_int(to))));
        assert_eq!(got, want, "events of {src:?} over [{from},{to})");
    }
}

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
    (Notes, "c3 . e3", 4, "write ~ for a rest"),
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

#[test]
fn queries_select_by_onset_only() {
    let p = parse_notes("c3 e3 g3 b3").expect("parses");
    assert_eq!(
        render(&p.query(span(f(1, 4), f(3, 4)))),
        "1/4..1/2 52@0.80, 1/2..3/4 55@0.80"
    );
    assert_eq!(
        render(&p.query(span(f(3, 4), f(5, 4)))),
        "3/4..1 59@0.80, 1..5/4 48@0.80"
    );
    // An event that started before the span is not returned.
    assert_eq!(render(&p.query(span(f(1, 8), f(1, 4)))), "");
    assert!(p.query(span(f(1, 2), f(1, 2))).is_empty());
    assert!(p.query(span(f(1, 2), f(1, 4))).is_empty());
    let slow = parse_notes("c3/2").expect("parses");
    assert!(slow.query(Span::cycle(1)).is_empty());
    assert_eq!(
        render(&slow.query(span(f(-2, 1), f(0, 1)))),
        "-2..0 48@0.80"
    );
}

#[test]
fn alternation_over_many_cycles() {
    let p = parse_notes("<a2 c3> e3").expect("parses");
    let notes = |c: i64| -> Vec<Option<i32>> {
        p.query(Span::cycle(c))
            .iter()
            .map(|e| e.value.note)
            .collect()
    };
    assert_eq!(notes(0), vec![Some(45), Some(52)]);
    assert_eq!(notes(1), vec![Some(48), Some(52)]);
    assert_eq!(notes(2), vec![Some(45), Some(52)]);
    assert_eq!(notes(-1), vec![Some(48), Some(52)]);
    let all = p.query(span(f(0, 1), f(4, 1)));
    assert_eq!(all.len(), 8);
    assert!(all.windows(2).all(|w| w[0].whole.begin <= w[1].whole.begin));
    assert_eq!(all[6].whole.begin, f(3, 1));
    assert_eq!(all[6].value.note, Some(48));
}

#[test]
fn chance_is_deterministic_and_roughly_fair() {
    let count = |src: &str| -> usize {
        let p = parse_notes(src).expect("parses");
        let a = p.query(span(f(0, 1), f(400, 1)));
        let b = parse_notes(src)
            .expect("parses")
            .query(span(f(0, 1), f(400, 1)));
        assert_eq!(a, b, "{src} differs between runs");
        // Cycle by cycle gives the same answer as all at once.
        let pieces: Vec<Event> = (0..400).flat_map(|c| p.query(Span::cycle(c))).collect();
        assert_eq!(a, pieces);
        a.len()
    };
    let half = count("c3?");
    assert!((140..260).contains(&half), "c3? kept {half} of 400");
    let most = count("c3?0.3");
    assert!((240..320).contains(&most), "c3?0.3 kept {most} of 400");
    // Every position of a cycle gets its own coin: not all-or-nothing.
    let p = parse_notes("x(4,4)?").expect("parses");
    let sizes: Vec<usize> = (0..50).map(|c| p.query(Span::cycle(c)).len()).collect();
    assert!(sizes.iter().any(|&n| n > 0 && n < 4), "{sizes:?}");
    // Two `?`s in one pattern are independent.
    let p = parse_notes("c3? e3?").expect("parses");
    let differ = (0..50).any(|c| p.query(Span::cycle(c)).len() == 1);
    assert!(differ);
    // A chord with `?` drops or keeps all its notes together.
    let p = parse_notes("[c3,e3,g3]?").expect("parses");
    assert!((0..50).all(|c| matches!(p.query(Span::cycle(c)).len(), 0 | 3)));
}

#[test]
fn huge_queries_are_capped_and_fast() {
    let p = parse_notes("c3*1024*1024*1024").expect("parses");
    let evs = p.query(Span::cycle(0));
    assert!(!evs.is_empty() && evs.len() <= MAX_EVENTS);
    assert!(evs.windows(2).all(|w| w[0].whole.begin <= w[1].whole.begin));
    let p = parse_notes("c3 e3").expect("parses");
    let evs = p.query(span(f(0, 1), Frac::from_int(1_000_000_000_000)));
    assert!(evs.len() <= MAX_EVENTS);
    assert_eq!(evs[0].whole.begin, Frac::ZERO);
    let p = parse_notes("[x(1000,1024)]!1024").expect("parses");
    assert!(p.query(span(f(0, 1), f(10, 1))).len() <= MAX_EVENTS);
    // Extreme spans do not overflow.
    let far = Span::new(Frac::from_int(i64::MAX - 2), Frac::from_int(i64::MAX));
    let _ = p.query(far);
    let _ = p.query(Span::new(
        Frac::from_int(-i64::MAX),
        Frac::from_int(-i64::MAX + 3),
    ));
}

#[test]
fn bjorklund_matches_known_rhythms() {
    let show = |k, n| -> String {
        bjorklund(k, n)
            .iter()
            .map(|&b| if b { 'x' } else { '.' })
            .collect()
    };
    assert_eq!(show(3, 8), "x..x..x.");
    assert_eq!(show(5, 8), "x.xx.xx.");
    assert_eq!(show(2, 5), "x.x..");
    assert_eq!(show(4, 12), "x..x..x..x..");
    assert_eq!(show(3, 4), "xxx.");
    assert_eq!(show(0, 3), "...");
    assert_eq!(show(3, 3), "xxx");
    for n in 1..40 {
        for k in 0..=n {
            let b = bjorklund(k, n);
            assert_eq!(b.len(), n);
            assert_eq!(b.iter().filter(|&&x| x).count(), k);
        }
    }
}

#[test]
fn frac_arithmetic() {
    assert_eq!(f(2, 4), f(1, 2));
    assert_eq!(f(1, -2), f(-1, 2));
    assert_eq!(f(-1, 2).denom(), 2);
    assert_eq!(f(1, 3) + f(1, 6), f(1, 2));
    assert_eq!(f(1, 3) - f(1, 2), f(-1, 6));
    assert_eq!(f(2, 3) * f(3, 4), f(1, 2));
    assert_eq!(f(1, 2) / f(1, 4), Frac::from_int(2));
    assert!(f(1, 3) < f(1, 2) && f(-1, 2) < f(-1, 3));
    assert_eq!(f(7, 2).floor(), 3);
    assert_eq!(f(-7, 2).floor(), -4);
    assert_eq!(f(7, 2).ceil(), 4);
    assert_eq!(f(-7, 2).ceil(), -3);
    assert_eq!(Frac::from_int(3).ceil(), 3);
    assert_eq!(f(3, 4).to_f64(), 0.75);
    assert_eq!(f(0, 5), Frac::ZERO);
    assert_eq!(Frac::ONE.checked_div(Frac::ZERO), None);
    assert_eq!(format!("{} {}", f(3, 4), f(4, 2)), "3/4 2");
    // Overflow approximates instead of panicking.
    let big = Frac::new(i64::MAX, 3);
    let _ = big * big + big - big / f(1, i64::MAX);
    let tiny = f(1, i64::MAX - 1) * f(1, i64::MAX - 2);
    assert!(tiny >= Frac::ZERO);
    let mut x = f(1, 3);
    for _ in 0..200 {
        x = x * f(7, 11) + f(1, 13);
    }
    assert!(x.denom() > 0);
}

/// xorshift64*: a tiny deterministic PRNG for the fuzz test.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

#[test]
fn no_panics_on_garbled_input() {
    const ALPHABET: &[&str] = &[
        "c",
        "e",
        "g",
        "a",
        "b",
        "B",
        "x",
        "X",
        "o",
        "h",
        "s",
        "#",
        "-",
        "0",
        "1",
        "3",
        "9",
        "12",
        "127",
        ".",
        "~",
        "_",
        "|",
        " ",
        " ",
        "  ",
        "\t",
        "[",
        "]",
        "<",
        ">",
        "(",
        ")",
        ",",
        "*",
        "/",
        "@",
        "?",
        "!",
        ":",
        "0.5",
        "1.5",
        "é",
        "\u{1F3B9}",
        "c3",
        "f#2",
        "[c3 e3]",
        "<a b>",
        "x(3,8)",
        "*2",
        "?0.3",
        "@3",
        "!3",
        ":0.7",
        "(3,8,2)",
        "999999999999999999999",
        ".000000000001",
    ];
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let spans = [
        Span::cycle(0),
        Span::new(f(-1, 3), f(5, 2)),
        Span::new(f(7, 1), f(9, 1)),
    ];
    let mut parsed = 0;
    for i in 0..6000 {
        let src: String = if i % 5 == 0 {
            // Arbitrary characters, including multi-byte ones.
            (0..rng.below(30))
                .filter_map(|_| char::from_u32((rng.next() % 0x2FF) as u32))
                .collect()
        } else {
            (0..rng.below(24))
                .map(|_| ALPHABET[rng.below(ALPHABET.len())])
                .collect()
        };
        for kind in [Steps, Notes] {
            match parse(kind, &src) {
                Ok(p) => {
                    parsed += 1;
                    assert!(p.steps() >= Frac::ZERO);
                    for s in spans {
                        let evs = p.query(s);
                        assert!(evs.len() <= MAX_EVENTS);
                        for w in evs.windows(2) {
                            assert!(w[0].whole.begin <= w[1].whole.begin, "{src:?} unsorted");
                        }
                        for e in &evs {
                            assert!(e.whole.begin >= s.begin && e.whole.begin < s.end, "{src:?}");
                            assert!(e.whole.end > e.whole.begin, "{src:?}");
                            assert!((0.0..=1.0).contains(&e.value.velocity), "{src:?}");
                            assert!(
                                e.value.note.is_none_or(|n| (0..=127).contains(&n)),
                                "{src:?}"
                            );
                        }
                    }
                }
                Err(e) => {
                    let len = src.chars().count();
                    assert!(
                        e.column >= 1 && e.column <= len + 1,
                        "{src:?}: column {}",
                        e.column
                    );
                    assert!(!e.message.is_empty());
                }
            }
        }
    }
    // The generator must exercise the success path too, not only errors.
    assert!(parsed > 300, "only {parsed} garbled strings parsed");
}

#[test]
fn pattern_is_shareable() {
    fn assert_traits<T: Clone + std::fmt::Debug + Send + Sync + 'static>() {}
    assert_traits::<Pattern>();
    let p = {
        let src = String::from("c3 e3");
        parse_notes(&src).expect("parses")
    };
    let q = p.clone();
    let t = std::thread::spawn(move || q.query(Span::cycle(0)).len());
    assert_eq!(t.join().ok(), Some(2));
    assert_eq!(Pattern::silence().steps(), Frac::ZERO);
}

#[test]
fn documented_examples_parse() {
    let doc = include_str!("../../docs/patterns.md");
    let mut in_block = false;
    let mut checked = 0;
    for line in doc.lines() {
        if line.starts_with("```") {
            in_block = line == "```ron";
            continue;
        }
        if !in_block {
            continue;
        }
        for (prefix, kind) in [("Steps(\"", Steps), ("Notes(\"", Notes)] {
            let Some(at) = line.find(prefix) else {
                continue;
            };
            let rest = &line[at + prefix.len()..];
            let Some(end) = rest.find("\")") else {
                continue;
            };
            let src = &rest[..end];
            if let Err(e) = parse(kind, src) {
                panic!("docs example {src:?} does not parse: {e}");
            }
            checked += 1;
        }
    }
    assert!(checked >= 30, "only {checked} examples found");
}

#[test]
fn documented_errors_are_exact() {
    let doc = include_str!("../../docs/patterns.md");
    let Some(section) = doc.split("## Errors").nth(1) else {
        panic!("docs have no Errors section");
    };
    let mut checked = 0;
    for line in section.lines().filter(|l| l.starts_with("| `")) {
        let cells: Vec<&str> = line.split(" | ").collect();
        let call = cells[0].trim_start_matches("| `").trim_end_matches('`');
        let want = cells[1].trim_end_matches(" |");
        let (kind, src) = match call.split_once("(\"") {
            Some(("Steps", s)) => (Steps, s.trim_end_matches("\")")),
            Some(("Notes", s)) => (Notes, s.trim_end_matches("\")")),
            _ => panic!("unexpected row {line}"),
        };
        let got = parse(kind, src)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert_eq!(got, want, "{call}");
        checked += 1;
    }
    assert!(checked >= 5);
}
