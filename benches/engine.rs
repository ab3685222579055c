//! Engine benchmarks that print numbers: x real time for the demo and for
//! the voice stress workloads (patches/bench/), voices per core, and
//! block-time percentiles against the real-time budget.
//!
//! Run with `cargo bench` (release profile: LTO, one codegen unit). Each
//! workload renders 60 s of audio in 64-frame blocks at 48 kHz on one thread.
//! `BENCH_SECONDS=10 cargo bench` for a quicker pass.

use std::path::Path;
use std::time::Instant;

use termdaw::audio::render;
use termdaw::patch;

const RATE: u32 = 48000;
const BLOCK: usize = 64;

struct Result {
    name: String,
    voices: usize,
    x_realtime: f64,
    p50: f64,
    p99: f64,
    max: f64,
    budget: f64,
}

fn bench(file: &str, voices: usize, seconds: f64) -> Result {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
    let session = patch::load(&path).unwrap_or_else(|e| panic!("{}", e.report()));
    let (mut s, mut engine) = render::prepare(session, Some(&path), RATE);
    let frames = (seconds * RATE as f64) as usize;
    let mut l = vec![0.0f32; BLOCK];
    let mut r = vec![0.0f32; BLOCK];
    let mut times = Vec::with_capacity(frames / BLOCK + 1);
    // Warm up one second so caches and voices are in their steady state.
    for _ in 0..RATE as usize / BLOCK {
        engine.process(&mut l, &mut r);
    }
    let start = Instant::now();
    let mut done = 0;
    while done < frames {
        let t0 = Instant::now();
        engine.process(&mut l, &mut r);
        times.push(t0.elapsed().as_secs_f64() * 1e6);
        done += BLOCK;
        if times.len() % 64 == 0 {
            if let Some(h) = s.engine_mut() {
                h.collect_garbage();
                h.drain_feedback(|_| {});
            }
        }
    }
    let wall = start.elapsed().as_secs_f64();
    std::hint::black_box(&l);
    times.sort_by(f64::total_cmp);
    let pct = |p: f64| times[((times.len() - 1) as f64 * p) as usize];
    Result {
        name: file.trim_start_matches("patches/").to_string(),
        voices,
        x_realtime: done as f64 / RATE as f64 / wall,
        p50: pct(0.5),
        p99: pct(0.99),
        max: *times.last().unwrap_or(&0.0),
        budget: BLOCK as f64 / RATE as f64 * 1e6,
    }
}

fn main() {
    // `cargo test` runs benches too when asked for all targets; stay quick there.
    if std::env::args().any(|a| a == "--test" || a == "--list") {
        return;
    }
    let seconds: f64 = std::env::var("BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(60.0);
    println!("termdaw engine benchmark: {seconds} s rendered per workload, {BLOCK}-frame blocks at {RATE} Hz, one thread");
    println!(
        "{:<28} {:>7} {:>10} {:>12} {:>9} {:>9} {:>9} {:>8}",
        "workload", "voices", "x realtime", "voices/core", "p50 µs", "p99 µs", "max µs", "budget"
    );
    let runs = [
        ("patches/demo.ron", 0),
        ("patches/bench/voices-64.ron", 64),
        ("patches/bench/voices-64-reverb.ron", 64),
        ("patches/bench/voices-256.ron", 256),
        ("patches/bench/voices-256-reverb.ron", 256),
    ];
    for (file, voices) in runs {
        let r = bench(file, voices, seconds);
        let per_core = if r.voices > 0 {
            format!("{:.0}", r.voices as f64 * r.x_realtime)
        } else {
            "–".into()
        };
        println!(
            "{:<28} {:>7} {:>9.1}x {:>12} {:>9.1} {:>9.1} {:>9.1} {:>6.0}µs",
            r.name,
            if r.voices > 0 {
                r.voices.to_string()
            } else {
                "–".into()
            },
            r.x_realtime,
            per_core,
            r.p50,
            r.p99,
            r.max,
            r.budget
        );
    }
}
