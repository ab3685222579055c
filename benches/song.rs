//! Song-form benchmarks that print numbers: the control-thread cost of
//! launching a section that changes 16 tracks, and the audio-thread cost of
//! 64 automation lanes, against the same session without them measured in
//! the same run.
//!
//! Run with `cargo bench --bench song` (release profile).
//! `BENCH_SECONDS=2 cargo bench --bench song` for a quicker pass.

use std::time::Instant;

use termdaw::action::Action;
use termdaw::audio::render;
use termdaw::patch;

const RATE: u32 = 48000;
const BLOCK: usize = 64;
const TRACKS: usize = 16;

fn tracks() -> String {
    (0..TRACKS)
        .map(|i| {
            format!(
                "Track(name: \"t{i}\", instrument: Synth(wave: Saw, cutoff: 900), pattern: Notes(\"<a2 c3> e3 g3 a3\"), volume: -18, effects: [Lowpass(cutoff: 4000)])"
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// A section that gives every track its own pattern and two values.
fn section(name: &str, notes: &str, cutoff: f64) -> String {
    let parts: Vec<String> = (0..TRACKS)
        .map(|i| {
            format!("\"t{i}\": Part(pattern: Notes(\"{notes}\"), set: {{\"cutoff\": {cutoff}, \"volume\": -{}}})", 16 + i % 4)
        })
        .collect();
    format!(
        "Section(name: \"{name}\", bars: 4, tracks: {{{}}})",
        parts.join(", ")
    )
}

/// 64 lanes: volume, pan, cutoff and the lowpass of each of the 16 tracks.
fn lanes() -> String {
    let mut out = Vec::new();
    for i in 0..TRACKS {
        out.push(format!("Lane(action: \"set_volume\", args: [\"t{i}\"], points: [(1, -30), (3, -12), (5, -24)])"));
        out.push(format!(
            "Lane(action: \"set_pan\", args: [\"t{i}\"], points: [(1, -1), (5, 1, Smooth)])"
        ));
        out.push(format!("Lane(action: \"set_param\", args: [\"t{i}\", \"cutoff\"], points: [(1, 200), (5, 6000, Exp)])"));
        out.push(format!("Lane(action: \"set_effect_param\", args: [\"t{i}\", 0, \"cutoff\"], points: [(1, 500), (5, 12000, Exp)])"));
    }
    out.join(", ")
}

fn pct(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    v[((v.len() - 1) as f64 * p) as usize]
}

fn launches(count: usize) {
    let text = format!(
        "Session(tempo: 120, tracks: [{}], sections: [{}, {}])",
        tracks(),
        section("a", "a2 c3 e3 g3", 800.0),
        section("b", "[e3 g3]*2 b3", 3000.0)
    );
    let file = patch::parse("bench.ron", &text).unwrap_or_else(|e| panic!("{}", e.report()));
    let (mut s, mut engine) = render::prepare(file, None, RATE);
    let (mut l, mut r) = (vec![0.0f32; BLOCK], vec![0.0f32; BLOCK]);
    let mut times = Vec::with_capacity(count);
    for k in 0..count {
        let name = if k % 2 == 0 { "a" } else { "b" };
        let t0 = Instant::now();
        s.apply(Action::LaunchSection {
            section: name.into(),
        })
        .unwrap();
        times.push(t0.elapsed().as_secs_f64() * 1e6);
        // Let the engine take the commands and give back what it replaced.
        for _ in 0..8 {
            engine.process(&mut l, &mut r);
        }
        if let Some(h) = s.engine_mut() {
            h.collect_garbage();
            h.drain_feedback(|_| {});
        }
    }
    println!(
        "launch a section of {TRACKS} tracks (control thread): p50 {:.0} µs, p99 {:.0} µs, max {:.0} µs over {count} launches",
        pct(&mut times, 0.5),
        pct(&mut times, 0.99),
        pct(&mut times, 1.0)
    );
}

/// µs per 64-frame block (p50, p99) of `text`, rendered for `seconds`.
fn blocks(text: &str, seconds: f64) -> (f64, f64) {
    let file = patch::parse("bench.ron", text).unwrap_or_else(|e| panic!("{}", e.report()));
    let (mut s, mut engine) = render::prepare(file, None, RATE);
    let (mut l, mut r) = (vec![0.0f32; BLOCK], vec![0.0f32; BLOCK]);
    let n = (seconds * RATE as f64) as usize / BLOCK;
    let mut times = Vec::with_capacity(n);
    for b in 0..n {
        let t0 = Instant::now();
        engine.process(&mut l, &mut r);
        times.push(t0.elapsed().as_secs_f64() * 1e6);
        if b % 64 == 0 {
            if let Some(h) = s.engine_mut() {
                h.collect_garbage();
                h.drain_feedback(|_| {});
            }
        }
    }
    std::hint::black_box(&l);
    (pct(&mut times, 0.5), pct(&mut times, 0.99))
}

fn main() {
    if std::env::args().any(|a| a == "--test" || a == "--list") {
        return;
    }
    let seconds: f64 = std::env::var("BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10.0);
    println!("termdaw song-form benchmark, {BLOCK}-frame blocks at {RATE} Hz, one thread");
    launches(((seconds * 100.0) as usize).max(50));
    let budget = BLOCK as f64 / RATE as f64 * 1e6;
    // The lanes' points span 4 bars = 8 s: the render loops over them.
    let plain = format!(
        "Session(tempo: 120, loop_bars: Some((1, 4)), tracks: [{}])",
        tracks()
    );
    let automated = plain.replacen(
        "tracks: [",
        &format!("automation: [{}], tracks: [", lanes()),
        1,
    );
    let (p50, p99) = blocks(&plain, seconds);
    let (a50, a99) = blocks(&automated, seconds);
    println!(
        "{TRACKS} tracks, no lanes (anchor):   p50 {p50:.2} µs, p99 {p99:.2} µs per block ({:.1} % of the {budget:.0} µs budget)",
        100.0 * p50 / budget
    );
    println!(
        "{TRACKS} tracks, 64 automation lanes: p50 {a50:.2} µs, p99 {a99:.2} µs per block ({:.1} % of the budget)",
        100.0 * a50 / budget
    );
    println!(
        "64 lanes cost {:.2} µs per block at p50 ({:+.1} %)",
        a50 - p50,
        100.0 * (a50 - p50) / p50
    );
}
