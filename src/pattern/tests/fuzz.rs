//! No input panics or hangs: a fuzz over garbled pattern strings.
//!
//! Test-only code.

use super::*;

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
