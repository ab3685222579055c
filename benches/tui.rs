//! Terminal UI benchmarks that print numbers:
//!
//! 1. Full-screen render time at 200×60 for the demo session, with the
//!    playhead, meters and spectrum changing every frame: the view alone
//!    (into a buffer), through ratatui's TestBackend, and through the real
//!    crossterm backend writing its escape sequences to a sink.
//! 2. Idle CPU while playing the demo with the UI open: the real binary in a
//!    200×60 tmux session (silent sink, no sound card needed), its user and
//!    system time over 10 s read from /proc, per thread.
//!
//! `cargo bench --bench tui`; `BENCH_SECONDS=3` for a quicker CPU pass.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use ratatui::backend::{CrosstermBackend, TestBackend};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::Terminal;

use termdaw::audio::device::SinkInfo;
use termdaw::engine::Feedback;
use termdaw::patch;
use termdaw::session::Session;
use termdaw::tui::app::Stats;
use termdaw::tui::view;
use termdaw::tui::{App, Keymap, Theme};

const W: u16 = 200;
const H: u16 = 60;
const FRAMES: usize = 2000;
/// One frame at 60 fps, µs.
const FRAME_US: f64 = 1e6 / 60.0;

fn demo_app() -> App {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("patches/demo.ron");
    let file = patch::load(&path).unwrap_or_else(|e| panic!("{}", e.report()));
    let session = Session::new(file, Some(path), 48000.0, None);
    let mut app = App::new(session, Keymap::defaults(), Theme::dark());
    app.sink = Some(SinkInfo::Device {
        name: "bench".into(),
        rate: 48000,
        buffer: 256,
        note: None,
    });
    app.area = Rect::new(0, 0, W, H);
    app
}

/// Move everything that moves while playing: playhead, meters, spectrum, load.
fn advance(app: &mut App, i: usize) {
    let beat = i as f64 * 0.03;
    app.feedback(Feedback::Position {
        clock: (i * 800) as u64,
        song_sample: (i * 800) as i64,
        beat,
        bpm: 118.0,
        playing: true,
        beats_per_bar: 4,
    });
    let n = app.tracks().len();
    for k in 0..n {
        let ph = (i as f32 * 0.21 + k as f32 * 0.7).sin() * 0.5 + 0.5;
        app.feedback(Feedback::Meter {
            slot: Some(k as u16),
            peak: [ph, ph * 0.9],
            rms: [ph * 0.4, ph * 0.35],
            voices: (k % 4) as u16,
        });
    }
    app.feedback(Feedback::Meter {
        slot: None,
        peak: [0.8, 0.7],
        rms: [0.3, 0.28],
        voices: 9,
    });
    let wobble = (i as f32 * 0.1).sin() * 6.0;
    app.spectrum
        .set_levels(|hz| -20.0 - 5.0 * (hz.max(20.0) / 100.0).log2() + wobble * (hz / 500.0).sin());
    app.set_stats(Stats {
        load_permille: 100 + (i % 50) as u64,
        ..Stats::default()
    });
    app.tick(Duration::from_micros((i as u64) * 16_667));
}

struct Stat {
    mean: f64,
    p50: f64,
    p99: f64,
    max: f64,
}

fn stat(mut us: Vec<f64>) -> Stat {
    us.sort_by(f64::total_cmp);
    let pct = |p: f64| us[((us.len() - 1) as f64 * p) as usize];
    Stat {
        mean: us.iter().sum::<f64>() / us.len() as f64,
        p50: pct(0.5),
        p99: pct(0.99),
        max: *us.last().unwrap(),
    }
}

fn print(name: &str, s: &Stat) {
    println!(
        "{name:<34} {:>8.0} {:>8.0} {:>8.0} {:>8.0} {:>9.1}%",
        s.mean,
        s.p50,
        s.p99,
        s.max,
        s.p99 / FRAME_US * 100.0
    );
}

fn render_times() {
    println!("full-screen render at {W}x{H}, demo session, {FRAMES} frames, everything moving");
    println!(
        "{:<34} {:>8} {:>8} {:>8} {:>8} {:>10}",
        "path", "mean µs", "p50 µs", "p99 µs", "max µs", "p99/frame"
    );
    let area = Rect::new(0, 0, W, H);

    let mut app = demo_app();
    let mut buf = Buffer::empty(area);
    let mut times = Vec::with_capacity(FRAMES);
    for i in 0..FRAMES {
        advance(&mut app, i);
        let t = Instant::now();
        buf.reset();
        view::render_screen(&app, area, &mut buf);
        times.push(t.elapsed().as_secs_f64() * 1e6);
        std::hint::black_box(&buf);
    }
    print("view (render_screen into a buffer)", &stat(times));

    let mut app = demo_app();
    let mut term = Terminal::new(TestBackend::new(W, H)).unwrap();
    let mut times = Vec::with_capacity(FRAMES);
    for i in 0..FRAMES {
        advance(&mut app, i);
        let t = Instant::now();
        term.draw(|f| view::draw(f, &app)).unwrap();
        times.push(t.elapsed().as_secs_f64() * 1e6);
    }
    print("ratatui TestBackend draw", &stat(times));

    let mut app = demo_app();
    let backend = CrosstermBackend::new(std::io::sink());
    let mut term = Terminal::with_options(
        backend,
        ratatui::TerminalOptions {
            viewport: ratatui::Viewport::Fixed(area),
        },
    )
    .unwrap();
    let mut times = Vec::with_capacity(FRAMES);
    for i in 0..FRAMES {
        advance(&mut app, i);
        let t = Instant::now();
        term.draw(|f| view::draw(f, &app)).unwrap();
        times.push(t.elapsed().as_secs_f64() * 1e6);
    }
    print("crossterm backend (escapes to sink)", &stat(times));
}

/// (utime + stime) in clock ticks of a process, and of each of its threads by name.
fn cpu_ticks(pid: u32) -> Option<(u64, Vec<(String, u64)>)> {
    let parse = |stat: &str| -> Option<(String, u64)> {
        let open = stat.find('(')?;
        let close = stat.rfind(')')?;
        let name = stat[open + 1..close].to_string();
        let f: Vec<&str> = stat[close + 2..].split_whitespace().collect();
        // Fields 14 and 15 of stat(5); f[0] is field 3.
        Some((
            name,
            f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?,
        ))
    };
    let (_, total) = parse(&std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?)?;
    let mut threads = Vec::new();
    for e in std::fs::read_dir(format!("/proc/{pid}/task"))
        .ok()?
        .flatten()
    {
        if let Some(t) = std::fs::read_to_string(e.path().join("stat"))
            .ok()
            .and_then(|s| parse(&s))
        {
            threads.push(t);
        }
    }
    threads.sort();
    Some((total, threads))
}

fn have(cmd: &str) -> bool {
    std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).any(|d| d.join(cmd).is_file()))
        .unwrap_or(false)
}

fn idle_cpu(seconds: f64) {
    println!();
    if !have("tmux") {
        println!("idle CPU: SKIPPED (tmux is not installed; `sh .ci/setup` installs it)");
        return;
    }
    let home = std::env::temp_dir().join(format!("termdaw-bench-tui-{}", std::process::id()));
    std::fs::create_dir_all(&home).unwrap();
    let socket = home.join("tmux.sock");
    let tmux = |args: &[&str]| {
        Command::new("tmux")
            .arg("-S")
            .arg(&socket)
            .args(["-f", "/dev/null"])
            .args(args)
            .env("HOME", &home)
            .env("XDG_CONFIG_HOME", home.join("config"))
            .env("XDG_STATE_HOME", home.join("state"))
            .env("XDG_DATA_HOME", home.join("data"))
            .env("XDG_CACHE_HOME", home.join("cache"))
            .env("ALSA_CONFIG_PATH", home.join("none.conf"))
            .env_remove("TMUX")
            .output()
            .unwrap()
    };
    let bin = env!("CARGO_BIN_EXE_termdaw");
    let cmd = format!("exec '{bin}' patches/demo.ron --no-osc --midi none");
    let w = W.to_string();
    let h = H.to_string();
    let o = tmux(&[
        "new-session",
        "-d",
        "-x",
        &w,
        "-y",
        &h,
        "-s",
        "bench",
        "-c",
        env!("CARGO_MANIFEST_DIR"),
        &cmd,
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = tmux(&["display-message", "-p", "-t", "bench", "#{pane_pid}"]);
    let pid: u32 = String::from_utf8_lossy(&o.stdout).trim().parse().unwrap();
    // Let it settle (start-up, first frames, the reloader's watcher).
    std::thread::sleep(Duration::from_secs(2));
    let screen =
        String::from_utf8_lossy(&tmux(&["capture-pane", "-p", "-t", "bench"]).stdout).into_owned();
    let playing = screen.contains("▶ PLAY");
    let tick = unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as f64;
    let before = cpu_ticks(pid);
    let t = Instant::now();
    std::thread::sleep(Duration::from_secs_f64(seconds));
    let after = cpu_ticks(pid);
    let wall = t.elapsed().as_secs_f64();
    let _ = tmux(&["kill-server"]);
    let _ = std::fs::remove_dir_all(&home);
    let (Some((b, bt)), Some((a, at))) = (before, after) else {
        println!("idle CPU: termdaw ended early; the screen was:\n{screen}");
        return;
    };
    println!(
        "idle CPU while playing the demo with the UI open ({W}x{H} tmux, silent sink at 48 kHz, \
         256 frames; {}):",
        if playing { "playing" } else { "NOT PLAYING?" }
    );
    let pct = |d: u64| d as f64 / tick / wall * 100.0;
    println!(
        "  whole process: {:.1}% of one core over {wall:.1} s",
        pct(a - b)
    );
    for (name, t1) in &at {
        let t0 = bt.iter().find(|(n, _)| n == name).map_or(0, |(_, t)| *t);
        println!("  thread {name:<18} {:.1}%", pct(t1 - t0));
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
        .unwrap_or(10.0);
    render_times();
    idle_cpu(seconds);
}
