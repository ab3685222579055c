//! Hot-reload benchmark: save-to-queued latency (file written → watcher
//! event → parse → diff → Actions → engine commands queued) for a 16-track
//! session, and the control-thread cost of one reload (parse to queue).
//!
//! `cargo bench --bench reload`. Prints percentiles over 200 saves.

use std::time::{Duration, Instant};

use termdaw::audio::render;
use termdaw::patch;
use termdaw::reload::{ReloadStatus, Reloader};

fn session(variant: usize) -> String {
    let mut tracks = String::new();
    let kinds = [
        "Kick()",
        "Snare()",
        "HatClosed()",
        "Synth(cutoff: 900)",
        "Fm()",
        "Pluck()",
        "Clap()",
        "HatOpen()",
    ];
    for i in 0..16 {
        let pattern = if i == variant % 16 {
            format!(
                "x.{}x..x.x...x..x",
                if variant % 2 == 0 { "x" } else { "." }
            )
        } else {
            "x...x...x...x...".to_string()
        };
        tracks += &format!(
            "        Track(name: \"t{i}\", instrument: {}, pattern: Steps(\"{pattern}\"), volume: -{}, pan: 0.{}),\n",
            kinds[i % kinds.len()],
            6 + i % 5,
            i % 9
        );
    }
    format!("Session(\n    tempo: 124,\n    quantum: Bar,\n    tracks: [\n{tracks}    ],\n)\n")
}

fn pct(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    v[((v.len() - 1) as f64 * p) as usize]
}

fn main() {
    if std::env::args().any(|a| a == "--test" || a == "--list") {
        return;
    }
    let dir = std::env::temp_dir().join(format!("termdaw-bench-reload-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("session.ron");
    std::fs::write(&path, session(0)).unwrap();
    let file = patch::load(&path).unwrap();
    let (mut s, mut engine) = render::prepare(file.clone(), Some(&path), 48000);
    let mut reloader = Reloader::new(&path, file).unwrap();
    let mut l = vec![0.0f32; 256];
    let mut r = vec![0.0f32; 256];
    let (mut latency, mut cost) = (Vec::new(), Vec::new());
    for i in 1..=200 {
        let text = session(i);
        let t0 = Instant::now();
        std::fs::write(&path, &text).unwrap();
        loop {
            if let Some(st) = reloader.poll(&mut s) {
                match st {
                    ReloadStatus::Applied { took, changes, .. } => {
                        assert!(!changes.is_empty());
                        latency.push(t0.elapsed().as_secs_f64() * 1e3);
                        cost.push(took.as_secs_f64() * 1e3);
                    }
                    ReloadStatus::Failed { report } => panic!("{report}"),
                }
                break;
            }
            std::thread::sleep(Duration::from_micros(100));
        }
        // Keep the engine and its rings moving like a live session.
        engine.process(&mut l, &mut r);
        if let Some(h) = s.engine_mut() {
            h.collect_garbage();
            h.drain_feedback(|_| {});
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    println!("termdaw reload benchmark: 16-track session, 200 saves (polling every 0.1 ms)");
    println!(
        "save → commands queued: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        pct(&mut latency.clone(), 0.5),
        pct(&mut latency.clone(), 0.99),
        pct(&mut latency, 1.0)
    );
    println!(
        "control-thread cost (parse → diff → build → queue): p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms",
        pct(&mut cost.clone(), 0.5),
        pct(&mut cost.clone(), 0.99),
        pct(&mut cost, 1.0)
    );
}
