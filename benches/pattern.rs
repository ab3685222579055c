//! Pattern benchmark: what 16 tracks of transformed patterns cost the
//! control thread. Parsing each pattern, querying one cycle of each, and
//! the reload path's share (parse the session file, then build every
//! track's clip, which queries 16 cycles per track: what loading it, or a
//! save that changes every track, costs), and a save that changes one track.
//!
//! `cargo bench --bench pattern`. Prints percentiles over 200 rounds.

use std::time::Instant;

use termdaw::patch;
use termdaw::pattern::{parse_notes, Pattern, Span};
use termdaw::session::build;

const PATTERNS: [&str; 16] = [
    "every 3 (fast 2) $ c3 e3 g3 b3",
    "jux rev $ off 0.125 (add 12) $ c3 [e3 g3] <a3 b3>",
    "sometimes (add 12) $ degradeBy 0.3 $ c4*8",
    "shuffle 8 $ c3 d3 e3 f3 g3 a3 b3 c4",
    "scramble 8 $ x*16",
    "arp <up downup thumbup> $ [c3,e3,g3,b3] [d3,f3,a3,c4]",
    "chunk 4 (hurry 2) $ c3 e3 g3 b3",
    "stut 4 0.5 0.125 $ c3 ~ e3 ~",
    "echoWith 4 (1/8) (add 7) $ c3 e3",
    "segment 16 $ range 48 72 $ sine",
    "struct [t(5,8)] $ <c3 e3 g3>",
    "mask [1 0 1 1 1 0 1 1] $ ply 2 $ c3*8",
    "swingBy (1/3) 4 $ x*16",
    "inside 2 rev $ iter 4 $ c3 e3 g3 b3",
    "whenmod 8 6 (rev . fast 2) $ linger 0.25 $ c3 e3 g3 b3 d4 f4 a4 c5",
    "someCyclesBy 0.5 (striate 2) $ {c3 e3 g3, a2 b2}%8",
];

/// This thread's CPU time in µs: unlike the wall clock, it leaves out the
/// time other processes on a shared machine take the core away.
fn cpu_us() -> f64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    ts.tv_sec as f64 * 1e6 + ts.tv_nsec as f64 / 1e3
}

fn pct(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    v[((v.len() - 1) as f64 * p) as usize]
}

fn report(what: &str, v: &mut [f64]) {
    println!(
        "{what:<44} p50 {:>8.1} µs  p99 {:>8.1} µs  max {:>8.1} µs",
        pct(v, 0.5),
        pct(v, 0.99),
        pct(v, 1.0)
    );
}

fn session() -> String {
    let mut tracks = String::new();
    for (i, p) in PATTERNS.iter().enumerate() {
        tracks += &format!(
            "        Track(name: \"t{i}\", instrument: Synth(), pattern: Notes(\"{p}\")),\n"
        );
    }
    format!("Session(\n    tempo: 124,\n    tracks: [\n{tracks}    ],\n)\n")
}

fn main() {
    if std::env::args().any(|a| a == "--test" || a == "--list") {
        return;
    }
    let rounds = 200;
    let mut parse = Vec::new();
    let mut query = Vec::new();
    let mut events = 0usize;
    let mut pats: Vec<Pattern> = Vec::new();
    for r in 0..rounds {
        let t = Instant::now();
        pats = PATTERNS.iter().map(|p| parse_notes(p).unwrap()).collect();
        parse.push(t.elapsed().as_secs_f64() * 1e6);
        let t = Instant::now();
        let mut n = 0;
        for p in &pats {
            n += p.query(Span::cycle(r as i64)).len();
        }
        query.push(t.elapsed().as_secs_f64() * 1e6);
        events = events.max(n);
    }
    println!("16 transformed patterns, {events} events per cycle at most");
    report("parse all 16", &mut parse);
    report("query one cycle of all 16", &mut query);
    let mut each: Vec<(f64, &str)> = PATTERNS
        .iter()
        .zip(&pats)
        .map(|(src, p)| {
            let t = Instant::now();
            for c in 0..rounds {
                std::hint::black_box(p.query(Span::cycle(c as i64)));
            }
            (t.elapsed().as_secs_f64() * 1e6 / rounds as f64, *src)
        })
        .collect();
    each.sort_by(|a, b| b.0.total_cmp(&a.0));
    println!("slowest patterns, one cycle each:");
    for (us, src) in each.iter().take(3) {
        println!("  {us:>8.1} µs  {src}");
    }
    // The reload path: parse the file, build all 16 clips (16 cycles each).
    let text = session();
    let mut reload = Vec::new();
    let mut reload_cpu = Vec::new();
    for _ in 0..rounds {
        let t = Instant::now();
        let c = cpu_us();
        let file = patch::parse("bench.ron", &text).unwrap();
        let clips = file
            .tracks
            .iter()
            .filter_map(|track| build::clip(track, &file))
            .count();
        assert_eq!(clips, 16);
        reload_cpu.push(cpu_us() - c);
        reload.push(t.elapsed().as_secs_f64() * 1e6);
    }
    report("reload path: parse session + 16 clips", &mut reload);
    report("  the same, this thread's CPU time", &mut reload_cpu);
    // A save that changes one track's pattern: the file is parsed whole,
    // one clip is built (the others are unchanged, so the diff keeps them).
    let mut one = Vec::new();
    for r in 0..rounds {
        let c = cpu_us();
        let file = patch::parse("bench.ron", &text).unwrap();
        let track = &file.tracks[r % file.tracks.len()];
        assert!(build::clip(track, &file).is_some());
        one.push(cpu_us() - c);
    }
    report("a save changing one track, CPU time", &mut one);
    let p99 = pct(&mut reload_cpu, 0.99);
    println!(
        "budget 2 ms p99 (CPU time): {}",
        if p99 < 2000.0 { "within" } else { "EXCEEDED" }
    );
}
