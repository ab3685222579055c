//! Laws of the pattern functions as property tests over many generated
//! patterns: `fast 2 . slow 2 = id`, `rev . rev = id`, `every 1 f = f`,
//! `degradeBy 0 = id`, `ply 1 = id`, the event counts of `striate n` and
//! `chop n`; and determinism of the random functions.
//!
//! Test-only code.

use super::functions::show;
use super::*;

/// A small deterministic generator (xorshift), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

/// A random mini-notation pattern of a few steps.
fn pattern(rng: &mut Rng, depth: usize) -> String {
    let atoms = ["c3", "e3", "g3", "x", "~", "60", "a2:0.5", "bd:2"];
    let steps = 1 + rng.below(4);
    let mut out = Vec::new();
    for _ in 0..steps {
        let mut s = if depth < 2 && rng.below(4) == 0 {
            let inner = pattern(rng, depth + 1);
            match rng.below(4) {
                0 => format!("<{inner}>"),
                1 => format!("[{inner}, {}]", pattern(rng, depth + 1)),
                2 => format!("{{{inner}}}%{}", 1 + rng.below(5)),
                _ => format!("[{inner}]"),
            }
        } else {
            atoms[rng.below(atoms.len())].to_string()
        };
        match rng.below(8) {
            0 => s.push_str("*2"),
            1 => s.push_str("(3,8)"),
            2 => s.push('?'),
            3 => s.push_str("*<2 3>"),
            4 => s.push_str("@2"),
            _ => {}
        }
        out.push(s);
    }
    out.join(" ")
}

fn patterns() -> Vec<String> {
    let mut rng = Rng(0x1234_5678_9abc_def1);
    let mut v: Vec<String> = (0..150).map(|_| pattern(&mut rng, 0)).collect();
    v.extend(
        [
            "c3 e3 g3",
            "c3/2 e3",
            "<c3 e3>/3 g3@3",
            "c3 _ e3",
            "[c3,e3,g3] ~",
            "x(5,8,2)",
        ]
        .map(String::from),
    );
    v
}

/// Cycles 0..8, cycle by cycle.
fn events(src: &str) -> Vec<String> {
    let p = parse_notes(src).unwrap_or_else(|e| panic!("{src:?} does not parse: {e}"));
    (0..8).map(|c| show(&p.query(Span::cycle(c)))).collect()
}

fn counts(src: &str) -> Vec<usize> {
    let p = parse_notes(src).unwrap_or_else(|e| panic!("{src:?} does not parse: {e}"));
    (0..8).map(|c| p.query(Span::cycle(c)).len()).collect()
}

#[test]
fn identities_hold_for_generated_patterns() {
    for p in patterns() {
        let plain = events(&p);
        for law in [
            format!("fast 2 $ slow 2 $ {p}"),
            format!("slow 3 $ fast 3 $ {p}"),
            format!("rev $ rev $ {p}"),
            format!("degradeBy 0 $ {p}"),
            format!("ply 1 $ {p}"),
            format!("every 0 rev $ {p}"),
            format!("id $ {p}"),
            format!("rot 0 $ {p}"),
            format!("late 0.25 $ early 0.25 $ {p}"),
            format!("inside 2 id $ {p}"),
        ] {
            assert_eq!(events(&law), plain, "{law}");
        }
        for f in [
            "rev",
            "(fast 2)",
            "(add 12)",
            "(ply 2)",
            "(iter 4)",
            "(degradeBy 0.5)",
        ] {
            assert_eq!(
                events(&format!("every 1 {f} $ {p}")),
                events(&format!("{} $ {p}", f.trim_matches(['(', ')']))),
                "every 1 {f} $ {p}"
            );
        }
    }
}

#[test]
fn striate_and_chop_multiply_event_counts() {
    for p in patterns() {
        let base = counts(&p);
        // chop and ply cut an event that runs past the end of its step
        // (its part is shorter than its whole) as Tidal does: the pieces
        // outside the part are dropped. Count them on whole events only.
        let contained = parse_notes(&p)
            .map(|pat| {
                (0..8).all(|c| {
                    pat.query_frags(Span::cycle(c))
                        .iter()
                        .all(|e| e.whole == e.part)
                })
            })
            .unwrap_or(false);
        for n in [1usize, 2, 3, 4] {
            let striated = counts(&format!("striate {n} $ {p}"));
            let want: Vec<usize> = base.iter().map(|c| c * n).collect();
            assert_eq!(striated, want, "striate {n} $ {p}");
            if contained {
                assert_eq!(counts(&format!("chop {n} $ {p}")), want, "chop {n} $ {p}");
                assert_eq!(counts(&format!("ply {n} $ {p}")), want, "ply {n} $ {p}");
            }
        }
    }
}

#[test]
fn random_functions_are_deterministic_and_cycle_seeded() {
    let srcs = [
        "sometimes (add 12) $ degradeBy 0.3 $ shuffle 4 $ c3 e3 g3 b3",
        "someCyclesBy 0.5 rev $ scramble 8 $ [c3 | e3 | g3] e3*4?",
        "rarely (fast 2) $ segment 8 $ range 48 60 $ rand",
    ];
    for src in srcs {
        let a = parse_notes(src).expect("parses");
        let b = parse_notes(src).expect("parses");
        let all = a.query(span(f(0, 1), f(64, 1)));
        assert_eq!(
            all,
            b.query(span(f(0, 1), f(64, 1))),
            "{src} differs between parses"
        );
        let pieces: Vec<Event> = (0..64).flat_map(|c| a.query(Span::cycle(c))).collect();
        assert_eq!(show(&all), show(&pieces), "{src}: cycle by cycle differs");
        // Not all cycles alike: the choice changes with the cycle number.
        let cycles: Vec<String> = (0..16).map(|c| show(&a.query(Span::cycle(c)))).collect();
        assert!(
            cycles.iter().any(|c| *c != cycles[0]),
            "{src} never changes"
        );
    }
    // Another pattern parsed in between changes nothing (no global state).
    let before = parse_notes(srcs[0]).expect("parses").query(Span::cycle(5));
    let _ = parse_notes("shuffle 8 $ sometimes rev $ c3*8").expect("parses");
    assert_eq!(
        parse_notes(srcs[0]).expect("parses").query(Span::cycle(5)),
        before
    );
}

#[test]
fn random_rates_are_roughly_right() {
    let count = |src: &str| -> usize {
        let p = parse_notes(src).expect("parses");
        p.query(span(f(0, 1), f(200, 1))).len()
    };
    // 8 events a cycle over 200 cycles.
    let kept = count("degradeBy 0.25 $ c3*8");
    assert!(
        (1100..1300).contains(&kept),
        "degradeBy 0.25 kept {kept} of 1600"
    );
    let dropped = count("unDegradeBy 0.25 $ c3*8");
    assert_eq!(
        kept + dropped,
        1600,
        "degradeBy and unDegradeBy split the events"
    );
    // sometimesBy: every event exactly once, either changed or not.
    let p = parse_notes("sometimesBy 0.3 (add 12) $ c3*8").expect("parses");
    let evs = p.query(span(f(0, 1), f(200, 1)));
    assert_eq!(evs.len(), 1600);
    let up = evs.iter().filter(|e| e.value.note == Some(60)).count();
    assert!(
        (380..580).contains(&up),
        "sometimesBy 0.3 changed {up} of 1600"
    );
    // someCyclesBy: whole cycles.
    let p = parse_notes("someCyclesBy 0.5 (add 12) $ c3*4").expect("parses");
    let mut changed = 0;
    for c in 0..200 {
        let notes: Vec<_> = p
            .query(Span::cycle(c))
            .iter()
            .map(|e| e.value.note)
            .collect();
        assert!(notes.windows(2).all(|w| w[0] == w[1]), "cycle {c} is mixed");
        changed += usize::from(notes[0] == Some(60));
    }
    assert!(
        (70..130).contains(&changed),
        "someCyclesBy 0.5 changed {changed} of 200"
    );
    // shuffle plays every part once per cycle; scramble may repeat.
    let p = parse_notes("shuffle 4 $ c3 e3 g3 b3").expect("parses");
    let mut orders = std::collections::HashSet::new();
    for c in 0..50 {
        let mut notes: Vec<_> = p
            .query(Span::cycle(c))
            .iter()
            .map(|e| e.value.note)
            .collect();
        orders.insert(notes.clone());
        notes.sort();
        assert_eq!(
            notes,
            vec![Some(48), Some(52), Some(55), Some(59)],
            "cycle {c}"
        );
    }
    assert!(
        orders.len() > 5,
        "shuffle 4 used only {} orders",
        orders.len()
    );
    // `|` picks each option sometimes.
    let p = parse_notes("[c3 | e3 | g3]").expect("parses");
    let picks: std::collections::HashSet<_> = (0..60)
        .map(|c| p.query(Span::cycle(c))[0].value.note)
        .collect();
    assert_eq!(picks.len(), 3);
}
