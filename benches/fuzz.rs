//! The fuzz targets' long run: each target for `FUZZ_SECONDS` (60 by
//! default) from a fresh seed (or `FUZZ_SEED`), printing the inputs tried
//! and any failure. A failing input is written to
//! `tests/fuzz/regressions/<target>/`, where the suite replays it from then
//! on: commit it with the fix. An input that hangs is kept the same way by a
//! watchdog, which then ends the run.
//!
//! `cargo bench --bench fuzz` (`FUZZ_SECONDS=600` for a night, `FUZZ_ONLY=osc`
//! for one target).

// Shared with the suite, which uses other parts of them.
#[allow(dead_code)]
#[path = "../tests/all/alloc_counter.rs"]
mod alloc_counter;
#[allow(dead_code)]
#[path = "../tests/fuzz/mod.rs"]
mod fuzz;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn env<T: std::str::FromStr>(name: &str) -> Option<T> {
    std::env::var(name).ok().and_then(|v| v.parse().ok())
}

/// The input running now, since when, and whether the target is done.
type Running = Arc<Mutex<(Vec<u8>, Instant, bool)>>;

/// A thread that keeps an input running longer than four times the
/// harness's time bound as a regression and ends the run: a hang is a
/// failure the loop itself would never get to report.
fn watchdog(target: &'static str) -> Running {
    let running: Running = Arc::new(Mutex::new((Vec::new(), Instant::now(), false)));
    let r = running.clone();
    std::thread::spawn(move || loop {
        std::thread::sleep(Duration::from_millis(500));
        let Ok(g) = r.lock() else { return };
        if g.2 {
            return;
        }
        if g.1.elapsed() > 4 * fuzz::MAX_TIME {
            let dir = fuzz::regressions_dir(target);
            let path = dir.join(fuzz::file_name(&g.0));
            let kept = std::fs::create_dir_all(&dir).and_then(|()| std::fs::write(&path, &g.0));
            println!(
                "  {target}: an input hangs (over {:?}); {}",
                4 * fuzz::MAX_TIME,
                kept.map_or_else(
                    |e| format!("not kept: {e}"),
                    |()| format!("kept as {}", path.display())
                )
            );
            std::process::exit(1);
        }
    });
    running
}

fn main() {
    let seconds: f64 = env("FUZZ_SECONDS").unwrap_or(60.0);
    let seed: u64 = env("FUZZ_SEED").unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64)
    });
    let only: Option<String> = env("FUZZ_ONLY");
    println!("fuzz: seed {seed}, {seconds} s per target");
    let mut failed = 0;
    for t in fuzz::targets::TARGETS {
        if only.as_deref().is_some_and(|o| o != t.name) {
            continue;
        }
        let start = Instant::now();
        let limit = Duration::from_secs_f64(seconds);
        let running = watchdog(t.name);
        let report = fuzz::run(
            t,
            seed,
            |_| start.elapsed() < limit,
            alloc_counter::peak,
            |input| {
                if let Ok(mut r) = running.lock() {
                    r.0.clear();
                    r.0.extend_from_slice(input);
                    r.1 = Instant::now();
                }
            },
        );
        if let Ok(mut r) = running.lock() {
            r.2 = true;
        }
        let secs = start.elapsed().as_secs_f64();
        println!(
            "{:<12} {:>9} inputs  {:>8.0} /s  {} failures",
            t.name,
            report.tried,
            report.tried as f64 / secs,
            report.failures.len()
        );
        for f in &report.failures {
            failed += 1;
            let dir = fuzz::regressions_dir(f.target);
            let path = dir.join(fuzz::file_name(&f.input));
            let kept = std::fs::create_dir_all(&dir)
                .and_then(|()| std::fs::write(&path, &f.input))
                .map_or_else(
                    |e| format!("not kept: {e}"),
                    |()| format!("kept as {}", path.display()),
                );
            println!("  {}: {} ({kept})", f.target, f.why);
        }
    }
    if failed > 0 {
        std::process::exit(1);
    }
}
