//! The fuzz targets' short run (the long one is `cargo bench --bench fuzz`):
//! every kept regression input, then a fixed number of generated and
//! mutated inputs per target from a fixed seed (`FUZZ_SEED` to try
//! another, `FUZZ_RUNS` for more). Each input must come back as a value or a
//! specific, bounded error, in bounded time and memory, without a panic.

// Shared with `benches/fuzz.rs`, which uses the parts that keep failures.
#[allow(dead_code)]
#[path = "../fuzz/mod.rs"]
mod harness;

use harness::targets::TARGETS;

fn runs() -> u64 {
    std::env::var("FUZZ_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(400)
}

fn seed() -> u64 {
    std::env::var("FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x7e57_da7a)
}

fn fuzz(name: &str) {
    let target = TARGETS
        .iter()
        .find(|t| t.name == name)
        .unwrap_or_else(|| panic!("no fuzz target {name}"));
    let mut bad = Vec::new();
    for (path, input) in harness::regressions(name) {
        if let Err(why) = harness::check(target, &input, crate::alloc_counter::peak) {
            bad.push(format!("{}: {why}", path.display()));
        }
    }
    let n = runs();
    let report = harness::run(
        target,
        seed(),
        |tried| tried < n,
        crate::alloc_counter::peak,
        |_| {},
    );
    for f in &report.failures {
        bad.push(format!(
            "{}: {} (input: {:?})",
            f.target,
            f.why,
            String::from_utf8_lossy(&f.input[..f.input.len().min(300)])
        ));
    }
    eprintln!(
        "fuzz {name}: {} inputs, {} accepted, {} kept regressions",
        report.tried,
        report.accepted,
        harness::regressions(name).len()
    );
    assert!(
        report.accepted > 0,
        "{name}: none of {} inputs was accepted: the generator does not reach past the parser",
        report.tried
    );
    assert!(
        bad.is_empty(),
        "{name}: {} of {} inputs failed (keep each under tests/fuzz/regressions/{name}/):\n{}",
        bad.len(),
        report.tried,
        bad.join("\n")
    );
}

#[test]
fn session_files() {
    fuzz("session");
}

#[test]
fn patterns() {
    fuzz("pattern");
}

#[test]
fn osc_datagrams() {
    fuzz("osc");
}

#[test]
fn tool_calls() {
    fuzz("tool_call");
}

#[test]
fn sse_streams() {
    fuzz("sse");
}

#[test]
fn audio_files() {
    fuzz("audio_file");
}

#[test]
fn midi_bytes() {
    fuzz("midi_bytes");
}

/// The harness itself catches what it is there to catch: a panic, a
/// message that quotes too much, an empty refusal, memory held.
#[test]
fn the_harness_catches_a_panic_a_long_message_and_a_memory_blow_up() {
    fn run(input: &[u8]) -> Result<(), String> {
        match input.first() {
            Some(b'p') => panic!("boom"),
            Some(b'm') => Err("x".repeat(harness::MAX_MESSAGE + 1)),
            Some(b'e') => Err(String::new()),
            Some(b'a') => {
                let v = vec![1u8; harness::MAX_MEMORY + 1];
                std::hint::black_box(&v);
                Ok(())
            }
            _ => Err("refused".into()),
        }
    }
    let t = harness::Target {
        name: "self-test",
        seeds: Vec::new,
        generate: |_| Vec::new(),
        dictionary: &[],
        run,
    };
    let check = |input: &[u8]| harness::check(&t, input, crate::alloc_counter::peak);
    assert!(check(b"p").unwrap_err().contains("panicked: boom"));
    assert!(check(b"m").unwrap_err().contains("error message"));
    assert!(check(b"e").unwrap_err().contains("empty"));
    assert!(check(b"a").unwrap_err().contains("MB at once"));
    assert_eq!(check(b"r"), Ok(false));
}

/// Every target has a test above, so none is left out of the suite.
#[test]
fn every_target_runs_in_the_suite() {
    let this = include_str!("fuzz.rs");
    for t in TARGETS {
        assert!(
            this.contains(&format!("fuzz(\"{}\")", t.name)),
            "fuzz target {} has no test",
            t.name
        );
    }
}
