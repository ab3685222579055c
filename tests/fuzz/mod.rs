//! Fuzzing on stable Rust: each target takes bytes from outside (a session
//! file, a pattern, an OSC datagram, a chat tool's arguments, an SSE stream,
//! an audio file, MIDI bytes) and must answer with a value or a specific
//! error: no panic, bounded time, bounded memory, a bounded message.
//!
//! Inputs are generated (from each target's grammar) and mutated (from its
//! seeds: the sessions in patches/, the docs' examples, valid packets), by a
//! seeded generator, so a run is repeatable from its seed. Shared by the
//! suite's short run (`tests/all/fuzz.rs`) and the long one (`cargo bench
//! --bench fuzz`); every input that ever failed is kept under
//! `tests/fuzz/regressions/<target>/` and replayed by the suite.

pub mod targets;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// What one input may cost at most (a debug build on a loaded 2-core CI
/// machine, so generous; a hang or a blow-up is far beyond it).
pub const MAX_TIME: Duration = Duration::from_secs(5);
/// Most bytes one input may have allocated at once.
pub const MAX_MEMORY: usize = 256 << 20;
/// Longest error message a target may answer with (class 6: an error
/// quotes a window of its input, never the whole of it).
pub const MAX_MESSAGE: usize = 2048;
/// Longest input the mutators make.
pub const MAX_INPUT: usize = 128 << 10;

/// One fuzz target.
pub struct Target {
    pub name: &'static str,
    /// Valid (or nearly valid) inputs to mutate.
    pub seeds: fn() -> Vec<Vec<u8>>,
    /// A fresh input from the target's grammar.
    pub generate: fn(&mut Rng) -> Vec<u8>,
    /// Tokens worth inserting (names, keywords, numbers that break things).
    pub dictionary: &'static [&'static str],
    /// `Ok` if accepted, `Err(message)` for a refusal.
    pub run: fn(&[u8]) -> Result<(), String>,
}

/// splitmix64: small, fast, and the same sequence everywhere.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// 0..n (0 when n is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
    pub fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }
    pub fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
}

/// Numbers that have broken parsers and allocators before.
pub const NUMBERS: &[&str] = &[
    "0",
    "-0",
    "-1",
    "1e9",
    "1e308",
    "-1e308",
    "inf",
    "-inf",
    "NaN",
    "4294967296",
    "18446744073709551616",
    "-2147483649",
    "65536",
    "0.0000001",
    "1e-45",
    "255",
    "256",
    "1024",
];

/// One mutation of `input`.
pub fn mutate(rng: &mut Rng, input: &mut Vec<u8>, target: &Target, seeds: &[Vec<u8>]) {
    let len = input.len();
    match rng.below(9) {
        0 if len > 0 => {
            let i = rng.below(len);
            input[i] ^= 1 << rng.below(8);
        }
        1 if len > 0 => {
            let i = rng.below(len);
            input[i] = *rng.pick(&[0, 0xFF, 0x7F, 0x80, b'"', b'(', b')', b'[', b']', b',']);
        }
        2 => {
            let i = rng.below(len + 1);
            let words: Vec<&str> = target.dictionary.iter().chain(NUMBERS).copied().collect();
            let w = rng.pick(&words).as_bytes().to_vec();
            input.splice(i..i, w);
        }
        3 if len > 0 => {
            let a = rng.below(len);
            let b = (a + 1 + rng.below(64)).min(len);
            input.drain(a..b);
        }
        4 if len > 0 => {
            // Repeat a piece many times: lists, nesting and lengths past
            // their bounds.
            let a = rng.below(len);
            let b = (a + 1 + rng.below(32)).min(len);
            let piece = input[a..b].to_vec();
            let times = *rng.pick(&[2, 16, 300, 5000]);
            let mut more = Vec::with_capacity(piece.len() * times);
            for _ in 0..times {
                more.extend_from_slice(&piece);
            }
            input.splice(b..b, more);
        }
        5 if !seeds.is_empty() => {
            let other = rng.pick(seeds);
            let a = rng.below(len + 1);
            let b = rng.below(other.len() + 1);
            let c = (b + rng.below(256)).min(other.len());
            input.splice(a..a, other[b..c].iter().copied());
        }
        6 => {
            // Replace a run of digits with a number that breaks things.
            if let Some(start) = (0..len)
                .map(|k| (rng.below(len.max(1)) + k) % len.max(1))
                .take(16)
                .find(|&i| input.get(i).is_some_and(u8::is_ascii_digit))
            {
                let mut end = start;
                while input
                    .get(end)
                    .is_some_and(|c| c.is_ascii_digit() || *c == b'.')
                {
                    end += 1;
                }
                input.splice(start..end, rng.pick(NUMBERS).bytes());
            }
        }
        7 if len > 0 => {
            let i = rng.below(len);
            input.truncate(i);
        }
        _ => {
            let i = rng.below(len + 1);
            let n = 1 + rng.below(8);
            let bytes: Vec<u8> = (0..n).map(|_| rng.next() as u8).collect();
            input.splice(i..i, bytes);
        }
    }
    input.truncate(MAX_INPUT);
}

/// Why one input failed.
#[derive(Debug)]
pub struct Failure {
    pub target: &'static str,
    pub input: Vec<u8>,
    pub why: String,
}

/// Run one input under the rules: no panic, bounded time, memory and
/// message. `peak` runs a closure and returns the most bytes it held.
/// `Ok(true)` when the target accepted the input, `Ok(false)` when it
/// refused it properly.
pub fn check(
    target: &Target,
    input: &[u8],
    peak: fn(&mut dyn FnMut()) -> usize,
) -> Result<bool, String> {
    let start = Instant::now();
    let mut outcome = None;
    let held = peak(&mut || {
        outcome = Some(catch_unwind(AssertUnwindSafe(|| (target.run)(input))));
    });
    let took = start.elapsed();
    match outcome {
        Some(Err(p)) => {
            let msg = p
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            return Err(format!("panicked: {msg}"));
        }
        Some(Ok(Err(m))) if m.trim().is_empty() => {
            return Err("refused with an empty message".into());
        }
        Some(Ok(Err(m))) if m.len() > MAX_MESSAGE => {
            return Err(format!(
                "a {}-byte error message (at most {MAX_MESSAGE}): {}…",
                m.len(),
                m.chars().take(200).collect::<String>()
            ));
        }
        _ => {}
    }
    let accepted = matches!(outcome, Some(Ok(Ok(()))));
    if took > MAX_TIME {
        return Err(format!("took {took:?} (at most {MAX_TIME:?})"));
    }
    if held > MAX_MEMORY {
        return Err(format!(
            "held {} MB at once (at most {} MB)",
            held >> 20,
            MAX_MEMORY >> 20
        ));
    }
    Ok(accepted)
}

/// Where the inputs that once failed are kept.
pub fn regressions_dir(target: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fuzz/regressions")
        .join(target)
}

/// The kept inputs of a target.
pub fn regressions(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let Ok(dir) = std::fs::read_dir(regressions_dir(target)) else {
        return Vec::new();
    };
    let mut out: Vec<_> = dir
        .filter_map(|e| {
            let p = e.ok()?.path();
            let bytes = std::fs::read(&p).ok()?;
            Some((p, bytes))
        })
        .collect();
    out.sort();
    out
}

/// What a run did.
pub struct Report {
    pub tried: u64,
    /// Inputs the target accepted (the rest it refused properly): a target
    /// that accepts nothing is not reaching past its parser.
    pub accepted: u64,
    pub failures: Vec<Failure>,
}

/// Try inputs until `budget` says stop: half generated, half mutated from
/// the seeds (and from inputs made earlier in the run). `before` sees each
/// input before it runs (the long run keeps it, to save one that hangs).
pub fn run(
    target: &Target,
    seed: u64,
    mut budget: impl FnMut(u64) -> bool,
    peak: fn(&mut dyn FnMut()) -> usize,
    mut before: impl FnMut(&[u8]),
) -> Report {
    let mut rng = Rng::new(seed ^ fnv(target.name.as_bytes()));
    let seeds = (target.seeds)();
    let mut pool: Vec<Vec<u8>> = seeds.clone();
    let mut report = Report {
        tried: 0,
        accepted: 0,
        failures: Vec::new(),
    };
    while budget(report.tried) {
        let mut input = if pool.is_empty() || rng.chance(0.3) {
            (target.generate)(&mut rng)
        } else {
            rng.pick(&pool).clone()
        };
        for _ in 0..1 + rng.below(4) {
            if rng.chance(0.8) {
                mutate(&mut rng, &mut input, target, &seeds);
            }
        }
        report.tried += 1;
        before(&input);
        match check(target, &input, peak) {
            Err(why) => {
                report.failures.push(Failure {
                    target: target.name,
                    input,
                    why,
                });
                if report.failures.len() >= 8 {
                    break;
                }
            }
            Ok(accepted) => {
                report.accepted += u64::from(accepted);
                if pool.len() < 512 && rng.chance(0.05) {
                    pool.push(input);
                }
            }
        }
    }
    report
}

/// FNV-1a: a target's seed from its name, a kept input's file name.
fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// A file name for a failing input: its hash, so the same input is kept once.
pub fn file_name(input: &[u8]) -> String {
    format!("{:016x}", fnv(input))
}
