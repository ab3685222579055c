//! Bad function syntax and bad new mini-notation forms are errors naming
//! their column (inside the whole pattern string), with a "did you mean"
//! for a misspelt name; a pattern that would flood a cycle is refused at
//! parse time.
//!
//! Test-only code.

use super::*;

/// `(Notes source, column, part of the message)`.
const ERRORS: &[(&str, usize, &str)] = &[
    (
        "fsat 2 $ c3",
        1,
        "unknown function \"fsat\", did you mean \"fast\"?",
    ),
    ("every 2 (fsat 2) $ c3", 10, "did you mean \"fast\"?"),
    ("degradeby 0.5 $ c3", 1, "did you mean \"degradeBy\"?"),
    ("layer [rev, fsat 2] $ c3", 13, "did you mean \"fast\"?"),
    (
        "fast 1e9 $ c3",
        1,
        "fast would play up to 1000000000 events per cycle; the limit is 4096",
    ),
    (
        "fast 2 $ fast 1000 $ c3*8",
        10,
        "up to 8000 events per cycle",
    ),
    ("ply 1024 $ ply 1024 $ c3", 1, "the limit is 4096"),
    ("fast $ c3", 6, "fast takes 1 argument (fast n), found 0"),
    (
        "fast x $ c3",
        6,
        "expected a number like 2, 0.25 or 1/8, found \"x\"",
    ),
    ("fast (1/0) $ c3", 7, "expected a number"),
    ("every 2 $ c3", 9, "every takes 2 arguments"),
    ("every 2 fast 2 $ c3", 9, "in parentheses"),
    (
        "every 2 (fast 2 $ c3",
        17,
        "expected \")\" to close the \"(\" opened at column 9",
    ),
    (" $ c3", 2, "expected a function before \"$\""),
    ("fast 2 $ ", 8, "expected a pattern after \"$\""),
    ("fast 2 $ c3 $", 13, "expected a pattern after \"$\""),
    ("fast 2 $ c3 h3", 13, "found \"h3\""),
    ("fast \"<1 x>\" $ c3", 10, "expected a number, found \"x\""),
    ("fast <1 2 $ c3", 6, "unclosed \"<\""),
    (
        "ply 0 $ c3",
        1,
        "ply takes a whole number from 1 to 1024 here, found 0",
    ),
    ("rot 1.5 $ c3", 1, "whole number"),
    ("stut 100 0.5 0.1 $ c3", 1, "from 1 to 64"),
    ("linger 0 $ c3", 1, "linger takes a fraction of a cycle"),
    ("degradeBy 2 $ c3", 1, "probability from 0 to 1, found 2"),
    (
        "arp upp $ [c3,e3]",
        5,
        "unknown arp mode \"upp\", did you mean \"up\"?",
    ),
    (
        "arp \"<up dwn>\" $ [c3,e3]",
        10,
        "unknown \"dwn\", did you mean \"down\"?",
    ),
    ("struct \"t x2 t\" $ c3", 11, "expected t or f"),
    ("struct c3 $ c3", 8, "expected a pattern of t and f"),
    (
        "euclidOff \"<1 2 3 4 5>\" \"<8 9 10 11>\" \"<0 1 2 3 4>\" $ c3",
        1,
        "more than 64 combinations",
    ),
    ("c3 [e3 | g3, a3]", 12, "can't be mixed"),
    ("c3 .. [e3]", 7, "a range \"..\" goes between"),
    ("x .. 3", 3, "a range \"..\" goes between"),
    ("bd:99", 4, "sample indexes go from 0 to 67, found 99"),
    ("bd:0.5", 4, "whole numbers only"),
    ("{}", 1, "empty \"{}\""),
    ("{c3 e3}%0", 9, "more than 0"),
    ("{c3 | e3}", 1, "\"|\" does not work inside"),
    ("c3*<2 0>", 4, "the numbers after \"*\" must be more than 0"),
    ("x(<3 9>,8)", 3, "more hits than steps"),
    ("c3 .", 5, "none after it"),
    (". c3", 1, "none before it"),
];

#[test]
fn function_errors_name_their_column() {
    let mut failures = Vec::new();
    for &(src, column, part) in ERRORS {
        match parse_notes(src) {
            Ok(p) => failures.push(format!(
                "{src:?} should not parse, got {}",
                render(&p.query(Span::cycle(0)))
            )),
            Err(e) => {
                if !e.message.contains(part) || e.column != column {
                    failures.push(format!(
                        "{src:?}: got column {} {:?}, want column {column} with {part:?}",
                        e.column, e.message
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn flooding_patterns_are_refused_quickly() {
    // Refused at parse time, before any query: never a hang or a huge
    // allocation.
    for src in [
        "fast 1e12 $ c3",
        "ply 1000 $ chop 1000 $ c3",
        "striate 1024 $ fast 1024 $ c3",
        "echo 64 0.01 0.9 $ stut 64 0.5 0.01 $ ply 64 $ c3*8",
        "segment 1024 $ fast 16 $ c3*1024",
    ] {
        let e = parse_notes(src)
            .err()
            .map(|e| e.message)
            .unwrap_or_default();
        assert!(e.contains("the limit is 4096"), "{src}: {e:?}");
    }
    // Slowing down is fine, however far.
    let p = parse_notes("slow 1e9 $ c3 e3").expect("parses");
    assert_eq!(render(&p.query(Span::cycle(0))), "0..500000000 48@0.80");
    // At the limit is allowed and answers every cycle in full.
    let p = parse_notes("fast 4 $ c3*1024").expect("4096 a cycle is allowed");
    assert_eq!(p.query(Span::cycle(3)).len(), 4096);
}

#[test]
fn garbled_function_syntax_never_panics() {
    let pieces = [
        "fast", "2", "$", "(", ")", "[", "]", "<", ">", "\"", "'", ".", ",", "every", "rev", "c3",
        "-1", "1/0", "1e99", "arp", "up", "struct", "t", "jux", "off", "0.25", "layer", "~", "|",
        "..", "{", "}", "%", "bd:3", "*<2 3>", "(3,8)", "ply", "linger", "-0.5",
    ];
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    for _ in 0..4000 {
        let mut s = String::new();
        let n = 1 + (x % 9) as usize;
        for _ in 0..n {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            s.push_str(pieces[(x % pieces.len() as u64) as usize]);
            if x % 3 == 0 {
                s.push(' ');
            }
        }
        if let Ok(p) = parse_notes(&s) {
            for c in [-1, 0, 1, 7] {
                let evs = p.query(Span::cycle(c));
                assert!(
                    evs.len() <= crate::pattern::MAX_CYCLE_EVENTS + 64 || !s.contains('$'),
                    "{s}"
                );
            }
        }
    }
}

#[test]
fn far_away_cycles_do_not_panic() {
    for src in [
        "rev $ iter 4 $ c3 e3",
        "palindrome $ chunk 4 rev $ <c3 e3>",
        "shuffle 4 $ linger 0.25 $ c3*4",
        "every 3 (off 0.25 rev) $ brak $ c3 [e3 | g3]",
        "segment 4 $ range 1 5 $ sine",
    ] {
        let p = parse_notes(src).expect("parses");
        for c in [i64::MAX - 2, i64::MAX / 2, -i64::MAX / 2, -i64::MAX + 2] {
            let _ = p.query(Span::cycle(c));
        }
    }
}

#[test]
fn the_look_inside_hook_reads_patterns_as_written_in_a_session() {
    use crate::pattern::show;
    let evs = show::events("Notes(\"fast 2 $ c3 e3\")", 2).expect("parses");
    assert_eq!(evs.len(), 8);
    assert_eq!(evs[7].whole, span(f(7, 4), f(2, 1)));
    let evs = show::events("Steps(\"every 2 rev $ x...\")", 1).expect("parses");
    assert_eq!(evs[0].whole.begin, f(3, 4));
    assert_eq!(show::events("c3 e3", 1).expect("bare Notes").len(), 2);
    // Columns count from the start of what was typed, Notes(" included.
    let e = show::events("Notes(\"fsat 2 $ c3\")", 1).expect_err("an error");
    assert_eq!(e.column, 8);
}
