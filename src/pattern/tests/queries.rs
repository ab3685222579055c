//! Queries over spans and many cycles, chance, the event cap, Bjorklund,
//! fraction arithmetic, and sharing a pattern across threads.
//!
//! Test-only code.

use super::*;
use crate::pattern::model::MAX_EVENTS;
use crate::pattern::parse::bjorklund;

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
fn frac_fast_paths_stay_exact_and_in_lowest_terms() {
    fn gcd(a: i128, b: i128) -> i128 {
        if b == 0 {
            a.abs()
        } else {
            gcd(b, a % b)
        }
    }
    let lowest = |x: Frac| x.denom() > 0 && gcd(x.numer() as i128, x.denom() as i128) == 1;
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = |m: i64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % (2 * m as u64 + 1)) as i64 - m
    };
    for _ in 0..20_000 {
        let a = f(next(5000), next(64).abs() + 1);
        let b = f(
            next(5000),
            [1, 2, 3, 4, 8, 12, 16, 24, 1000][next(4).unsigned_abs() as usize],
        );
        let (an, ad, bn, bd) = (
            a.numer() as i128,
            a.denom() as i128,
            b.numer() as i128,
            b.denom() as i128,
        );
        for (r, n, d) in [
            (a + b, an * bd + bn * ad, ad * bd),
            (a - b, an * bd - bn * ad, ad * bd),
            (a * b, an * bn, ad * bd),
        ] {
            assert!(lowest(r), "{a} {b} -> {r}");
            assert_eq!(
                r.numer() as i128 * d,
                n * r.denom() as i128,
                "{a} {b} -> {r}"
            );
        }
        if b != Frac::ZERO {
            let r = a / b;
            assert!(lowest(r));
            assert_eq!(r.numer() as i128 * ad * bn, an * bd * r.denom() as i128);
        }
    }
}
