//! The functions a pattern may apply: names (Tidal's), argument kinds,
//! usage and a paste-able example each (docs/patterns.md shows them all and
//! a test checks that every example parses), and "did you mean".
//!
//! Control thread only, pure data.

/// What an argument is written as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A number (`2`, `0.25`, `1/8`) or a number pattern (`"<1 2>"`, `<1 2>`).
    Num,
    /// A function: a name alone (`rev`) or in parentheses (`(fast 2)`, `(rev . fast 2)`).
    Func,
    /// A list of functions: `[rev, fast 2]`.
    Funcs,
    /// A pattern of t/f: `"t ~ t t"`, `[t f t t]`.
    Bools,
    /// An arp mode (`up`) or a pattern of them (`"<up down>"`).
    Mode,
    /// Two numbers: `(0, 0.5)`.
    Pair,
}

/// One function of the pattern language.
#[derive(Debug)]
pub struct Function {
    pub name: &'static str,
    pub(crate) args: &'static [Kind],
    /// `fast n`
    pub usage: &'static str,
    /// A whole pattern using it, as it goes in `Notes("...")`.
    pub example: &'static str,
    /// One line for a musician.
    pub about: &'static str,
}

use Kind::*;

macro_rules! f {
    ($name:expr, [$($k:expr),*], $usage:expr, $example:expr, $about:expr) => {
        Function { name: $name, args: &[$($k),*], usage: $usage, example: $example, about: $about }
    };
}

/// Every function, in the order docs/patterns.md lists them.
pub const FUNCTIONS: &[Function] = &[
    f!(
        "fast",
        [Num],
        "fast n",
        "fast 2 $ c3 e3 g3",
        "play n times faster (n may be a pattern: fast <1 2>)"
    ),
    f!(
        "slow",
        [Num],
        "slow n",
        "slow 2 $ c3 e3 g3 b3",
        "play n times slower"
    ),
    f!(
        "hurry",
        [Num],
        "hurry n",
        "hurry 2 $ c3 e3",
        "fast, and samples played n times as fast (speed n, so higher)"
    ),
    f!("rev", [], "rev", "rev $ c3 e3 g3", "each cycle backwards"),
    f!(
        "palindrome",
        [],
        "palindrome",
        "palindrome $ c3 e3 g3",
        "forwards, then backwards on the next cycle"
    ),
    f!(
        "iter",
        [Num],
        "iter n",
        "iter 4 $ c3 e3 g3 b3",
        "start one n-th later into the cycle on each cycle"
    ),
    f!(
        "iter'",
        [Num],
        "iter' n",
        "iter' 4 $ c3 e3 g3 b3",
        "like iter, the other way round"
    ),
    f!(
        "every",
        [Num, Func],
        "every n f",
        "every 3 (fast 2) $ c3 e3 g3",
        "apply f on cycles 0, n, 2n ..."
    ),
    f!(
        "every'",
        [Num, Num, Func],
        "every' n k f",
        "every' 3 1 rev $ c3 e3 g3",
        "apply f on cycles where cycle mod n = k"
    ),
    f!(
        "firstOf",
        [Num, Func],
        "firstOf n f",
        "firstOf 4 rev $ c3 e3 g3",
        "apply f on the first of every n cycles"
    ),
    f!(
        "lastOf",
        [Num, Func],
        "lastOf n f",
        "lastOf 4 (fast 2) $ c3 e3 g3",
        "apply f on the last of every n cycles"
    ),
    f!(
        "whenmod",
        [Num, Num, Func],
        "whenmod a b f",
        "whenmod 4 2 rev $ c3 e3 g3",
        "apply f when cycle mod a >= b"
    ),
    f!(
        "sometimesBy",
        [Num, Func],
        "sometimesBy p f",
        "sometimesBy 0.3 (add 12) $ c3*8",
        "apply f to each event with probability p"
    ),
    f!(
        "sometimes",
        [Func],
        "sometimes f",
        "sometimes (add 12) $ c3*8",
        "sometimesBy 0.5"
    ),
    f!(
        "often",
        [Func],
        "often f",
        "often (add 7) $ c3*8",
        "sometimesBy 0.75"
    ),
    f!(
        "rarely",
        [Func],
        "rarely f",
        "rarely (add 12) $ c3*8",
        "sometimesBy 0.25"
    ),
    f!(
        "almostNever",
        [Func],
        "almostNever f",
        "almostNever (add 12) $ c3*8",
        "sometimesBy 0.1"
    ),
    f!(
        "almostAlways",
        [Func],
        "almostAlways f",
        "almostAlways (add 12) $ c3*8",
        "sometimesBy 0.9"
    ),
    f!(
        "always",
        [Func],
        "always f",
        "always (add 12) $ c3 e3",
        "apply f (sometimesBy 1)"
    ),
    f!(
        "never",
        [Func],
        "never f",
        "never (add 12) $ c3 e3",
        "leave the pattern alone"
    ),
    f!(
        "degradeBy",
        [Num],
        "degradeBy p",
        "degradeBy 0.5 $ x*16",
        "drop each event with probability p"
    ),
    f!("degrade", [], "degrade", "degrade $ x*16", "degradeBy 0.5"),
    f!(
        "unDegradeBy",
        [Num],
        "unDegradeBy p",
        "unDegradeBy 0.2 $ x*16",
        "keep only the events degradeBy p would drop"
    ),
    f!(
        "someCyclesBy",
        [Num, Func],
        "someCyclesBy p f",
        "someCyclesBy 0.3 (fast 2) $ c3 e3",
        "apply f to whole cycles, with probability p"
    ),
    f!(
        "someCycles",
        [Func],
        "someCycles f",
        "someCycles rev $ c3 e3 g3",
        "someCyclesBy 0.5"
    ),
    f!(
        "off",
        [Num, Func],
        "off t f",
        "off 0.125 (add 12) $ c3 e3",
        "add a copy t cycles later, transformed by f"
    ),
    f!(
        "superimpose",
        [Func],
        "superimpose f",
        "superimpose (fast 2) $ c3 e3",
        "play the pattern and f of it together"
    ),
    f!(
        "layer",
        [Funcs],
        "layer [f, g ...]",
        "layer [rev, fast 2] $ c3 e3 g3",
        "play f of the pattern, g of it ... together"
    ),
    f!(
        "jux",
        [Func],
        "jux f",
        "jux rev $ c3 e3 g3",
        "the pattern hard left, f of it hard right (pan -1 and 1)"
    ),
    f!(
        "ply",
        [Num],
        "ply n",
        "ply 2 $ c3 e3 g3",
        "repeat each event n times within its own length"
    ),
    f!(
        "chop",
        [Num],
        "chop n",
        "chop 4 $ c3 e3",
        "cut each event into n equal events, each playing its own nth of the sample"
    ),
    f!(
        "striate",
        [Num],
        "striate n",
        "striate 2 $ c3 e3",
        "the cycle n times, squeezed, one after another, the kth playing the kth part of each sample"
    ),
    f!(
        "linger",
        [Num],
        "linger f",
        "linger 0.25 $ c3 e3 g3 b3",
        "repeat the first f of each cycle (the last -f when negative)"
    ),
    f!(
        "segment",
        [Num],
        "segment n",
        "segment 4 $ range 48 60 $ saw",
        "sample the pattern n times per cycle"
    ),
    f!(
        "range",
        [Num, Num],
        "range lo hi",
        "segment 8 $ range 48 72 $ sine",
        "scale values from 0..1 to lo..hi"
    ),
    f!(
        "rot",
        [Num],
        "rot n",
        "rot 1 $ c3 e3 g3 b3",
        "shift each cycle's values n events along, keeping the rhythm"
    ),
    f!(
        "shuffle",
        [Num],
        "shuffle n",
        "shuffle 4 $ c3 e3 g3 b3",
        "the n parts of each cycle in a random order"
    ),
    f!(
        "scramble",
        [Num],
        "scramble n",
        "scramble 4 $ c3 e3 g3 b3",
        "n random parts of each cycle (repeats allowed)"
    ),
    f!(
        "euclid",
        [Num, Num],
        "euclid k n",
        "euclid 3 8 $ c3",
        "k hits spread over n steps"
    ),
    f!(
        "euclidOff",
        [Num, Num, Num],
        "euclidOff k n r",
        "euclidOff 3 8 2 $ c3",
        "euclid, rotated left r steps"
    ),
    f!(
        "eoff",
        [Num, Num, Num],
        "eoff k n r",
        "eoff 3 8 2 $ c3",
        "euclidOff"
    ),
    f!(
        "euclidInv",
        [Num, Num],
        "euclidInv k n",
        "euclidInv 3 8 $ c3",
        "the steps euclid k n leaves out"
    ),
    f!(
        "struct",
        [Bools],
        "struct [t ~ t t]",
        "struct [t ~ t t] $ c3",
        "the rhythm of the t's, the notes of the pattern"
    ),
    f!(
        "mask",
        [Bools],
        "mask [1 0 1 1]",
        "mask [1 0 1 1] $ c3*8",
        "keep only the events under a 1 (t)"
    ),
    f!(
        "inside",
        [Num, Func],
        "inside n f",
        "inside 2 rev $ c3 e3 g3 b3",
        "apply f to the pattern n times slower, then speed it back up"
    ),
    f!(
        "outside",
        [Num, Func],
        "outside n f",
        "outside 2 rev $ <[c3 e3] [g3 b3]>",
        "inside 1/n"
    ),
    f!(
        "within",
        [Pair, Func],
        "within (b, e) f",
        "within (0, 0.5) (fast 2) $ c3 e3 g3 b3",
        "apply f to the events that start between b and e of each cycle"
    ),
    f!(
        "swingBy",
        [Num, Num],
        "swingBy x n",
        "swingBy (1/3) 4 $ x*8",
        "delay the second half of each of n parts by x of a part"
    ),
    f!("swing", [Num], "swing n", "swing 4 $ x*8", "swingBy (1/3)"),
    f!(
        "nudge",
        [Num],
        "nudge t",
        "nudge 0.01 $ x*4",
        "play t seconds later (negative: earlier), whatever the tempo; at most 1 s"
    ),
    f!(
        "late",
        [Num],
        "late t",
        "late 0.25 $ c3 e3",
        "t cycles later (Tidal's t ~>)"
    ),
    f!(
        "early",
        [Num],
        "early t",
        "early 0.25 $ c3 e3",
        "t cycles earlier (Tidal's t <~)"
    ),
    f!(
        "stut",
        [Num, Num, Num],
        "stut n feedback t",
        "stut 3 0.5 0.125 $ c3 e3",
        "n echoes t cycles apart, their gain fading by feedback (Tidal's stut)"
    ),
    f!(
        "echo",
        [Num, Num, Num],
        "echo n t feedback",
        "echo 3 0.2 0.5 $ c3 e3",
        "n events t cycles apart, each with feedback times the gain"
    ),
    f!(
        "stutWith",
        [Num, Num, Func],
        "stutWith n t f",
        "stutWith 3 (1/8) (add 7) $ c3",
        "n copies t cycles apart, f applied once more to each"
    ),
    f!(
        "echoWith",
        [Num, Num, Func],
        "echoWith n t f",
        "echoWith 3 (1/8) (add 12) $ c3 e3",
        "stutWith"
    ),
    f!(
        "arp",
        [Mode],
        "arp mode",
        "arp <up downup> $ [c3,e3,g3] [d3,f3,a3]",
        "play each chord's notes one after another"
    ),
    f!(
        "add",
        [Num],
        "add n",
        "add <0 3 5> $ c3 e3 g3",
        "add n semitones to each note"
    ),
    f!(
        "sub",
        [Num],
        "sub n",
        "sub 12 $ c4 e4",
        "subtract n semitones"
    ),
    f!(
        "mul",
        [Num],
        "mul n",
        "mul 2 $ 30 32",
        "multiply note numbers by n"
    ),
    f!(
        "chunk",
        [Num, Func],
        "chunk n f",
        "chunk 4 (add 12) $ c3 e3 g3 b3",
        "apply f to one n-th of the cycle, a different one each cycle"
    ),
    f!(
        "chunk'",
        [Num, Func],
        "chunk' n f",
        "chunk' 4 (add 12) $ c3 e3 g3 b3",
        "chunk, backwards"
    ),
    f!(
        "brak",
        [],
        "brak",
        "brak $ c3 e3",
        "every other cycle squeezed into half a cycle, a quarter late"
    ),
    f!(
        "press",
        [],
        "press",
        "press $ c3 e3 g3 b3",
        "each event moved to the second half of its own length"
    ),
    f!(
        "pressBy",
        [Num],
        "pressBy r",
        "pressBy 0.25 $ c3 e3",
        "each event starts r of its length later"
    ),
    f!(
        "pan",
        [Num],
        "pan p",
        "pan [-1 1] $ c3*4",
        "stereo position -1 (left) .. 1 (right)"
    ),
    f!(
        "velocity",
        [Num],
        "velocity v",
        "velocity [1 0.5] $ c3*4",
        "set the velocity (0 .. 1)"
    ),
    f!(
        "speed",
        [Num],
        "speed r",
        "speed <1 2> $ c3 e3",
        "play samples r times as fast (1/64 .. 64); synthesisers ignore it"
    ),
    f!(
        "gain",
        [Num],
        "gain g",
        "gain 0.5 $ c3 e3",
        "set the level factor (0 .. 8, linear; velocity and timbre stay)"
    ),
    f!(
        "id",
        [],
        "id",
        "every 2 id $ c3 e3",
        "leave the pattern alone"
    ),
];

pub(crate) const NAMES: &[&str] = &{
    let mut names = [""; FUNCTIONS.len()];
    let mut i = 0;
    while i < FUNCTIONS.len() {
        names[i] = FUNCTIONS[i].name;
        i += 1;
    }
    names
};

pub(crate) fn lookup(name: &str) -> Option<&'static Function> {
    let canonical = match name {
        "somecyclesBy" => "someCyclesBy",
        "somecycles" => "someCycles",
        other => other,
    };
    FUNCTIONS.iter().find(|f| f.name == canonical)
}

/// `", did you mean \"fast\"?"` for the closest name, or nothing.
pub(crate) fn did_you_mean(word: &str, names: &[&str]) -> String {
    match crate::suggest::closest(word, names) {
        Some((_, n)) => format!(", did you mean \"{n}\"?"),
        None => String::new(),
    }
}
