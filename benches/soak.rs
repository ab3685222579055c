//! The soak benchmark: the real binary on a JACK dummy server at 64 frames,
//! playing a 16-track session for 10 minutes while a driver saves a changed
//! file every 2 s, sends 1,000 OSC messages a second, floods MIDI from a
//! JACK client and runs chat turns (tests/all/soak.rs). Prints xruns,
//! over-budget callbacks, dropped commands, audio-thread allocations, RSS at
//! start and end, and the callback-time percentiles.
//!
//! First, as the anchor, the same session plays for `SOAK_IDLE_SECONDS`
//! (60) with nothing thrown at it: the xruns the server reports then are
//! this machine's, not the load's.
//!
//! `cargo bench --features jack --bench soak` (`SOAK_SECONDS=60` for a
//! shorter run; `SOAK_REALTIME=0` without realtime scheduling). Without the
//! feature it says it did not run.

#[cfg(feature = "jack")]
#[path = "../tests/all/common.rs"]
#[allow(dead_code)]
mod common;
#[cfg(feature = "jack")]
#[path = "../tests/all/llm_server.rs"]
#[allow(dead_code)]
mod llm_server;
#[cfg(feature = "jack")]
#[path = "../tests/all/rig.rs"]
#[allow(dead_code)]
mod rig;
#[cfg(feature = "jack")]
#[path = "../tests/all/soak.rs"]
#[allow(dead_code)]
mod soak;

fn main() {
    if std::env::args().any(|a| a == "--test" || a == "--list") {
        return;
    }
    #[cfg(feature = "jack")]
    run();
    #[cfg(not(feature = "jack"))]
    println!("soak: NOT RUN (build with `--features jack` and install jackd: `sh .ci/setup`)");
}

#[cfg(feature = "jack")]
fn run() {
    let seconds: f64 = std::env::var("SOAK_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .filter(|s: &f64| s.is_finite() && *s >= 5.0)
        .unwrap_or(600.0);
    // Set before any thread exists: the MIDI flood's JACK client finds its
    // server through it.
    let name = format!("termdaw-soak-{}", std::process::id());
    std::env::set_var("JACK_DEFAULT_SERVER", &name);
    std::env::set_var("JACK_NO_START_SERVER", "1");
    let mut opts = soak::Options::new(seconds);
    // Realtime scheduling where the machine allows it (as root, or with an
    // rtprio limit); SOAK_REALTIME=0 to measure without.
    opts.realtime = std::env::var("SOAK_REALTIME").map_or(rig::realtime_allowed(), |v| v != "0");
    println!(
        "soak: {seconds:.0} s, JACK dummy server ({}) at {} frames / 48 kHz, 16 tracks; a save \
         every {:.0} s, a chat turn every {} saves, {} OSC messages/s, MIDI every cycle",
        if opts.realtime {
            "realtime"
        } else {
            "not realtime"
        },
        opts.period,
        opts.save_every.as_secs_f64(),
        opts.ask_every,
        opts.osc_per_second
    );
    // The anchor, in the same run: the same session with nothing thrown
    // at it, so the server's own xruns on this machine are known.
    let mut idle = opts.clone();
    idle.idle = true;
    idle.seconds = std::env::var("SOAK_IDLE_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .filter(|s: &f64| s.is_finite() && *s >= 5.0)
        .unwrap_or(60.0);
    match soak::run(&idle, &name) {
        Ok(r) => {
            println!(
                "anchor, {:.0} s idle (the same session, no saves, OSC, MIDI or chat):",
                idle.seconds
            );
            println!("  {}", r.timing);
            println!("  {}", r.ended);
        }
        Err(e) => println!("anchor: not measured: {e}"),
    }
    let r = match soak::run(&opts, &name) {
        Ok(r) => r,
        Err(e) => {
            println!("soak: not measured: {e}");
            return;
        }
    };
    println!("under load, {seconds:.0} s:");
    let f = |name: &str| r.field(name).map_or("?".into(), |v| format!("{v}"));
    println!("{}", r.timing);
    println!("{}", r.ended);
    let reported = r.field("xruns").unwrap_or(0.0) - r.field("over budget").unwrap_or(0.0);
    println!(
        "xruns {} (reported by the server {reported}, over-budget callbacks {}) · dropped {} · \
         audio-thread allocator calls {}",
        f("xruns"),
        f("over budget"),
        f("drops"),
        f("audio allocs")
    );
    println!(
        "callback time p50 {} ms · p99 {} ms · p99.9 {} ms · max {} ms (budget {} ms)",
        f("p50"),
        f("p99"),
        f("p99.9"),
        f("max"),
        f("budget")
    );
    let (start, end) = r.rss_start_end();
    let max = r.rss.iter().map(|x| x.1).max().unwrap_or(0);
    println!(
        "RSS: {start} kB after the first tenth, {end} kB at the end ({:+} kB), {max} kB at most",
        end as i64 - start as i64
    );
    println!(
        "driver: {} saves, {} reloads heard ({} failed), {} chat turns ({} failed), \
         {} OSC messages sent, {} MIDI messages sent; OSC answered at the end: {}",
        r.saves,
        r.reloads,
        r.reload_failures,
        r.asks_ok,
        r.asks_failed.len(),
        r.osc_sent,
        r.midi_sent,
        r.state_answered
    );
    println!("recording: {}", r.take);
    match &r.replay {
        (true, s) => println!("replay: {s}"),
        (false, e) => println!("replay: FAILED: {e}"),
    }
    for e in r.asks_failed.iter().take(3) {
        println!("  chat turn failed: {}", e.lines().next().unwrap_or(""));
    }
}
