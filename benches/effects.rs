//! Effect and analysis benchmarks that print numbers: the cost of each
//! effect kind per 64-frame block at 48 kHz (µs, and share of the block's
//! real-time budget), and analysis speed in x real time.
//!
//! Run with `cargo bench --bench effects` (release profile).
//! `BENCH_SECONDS=2 cargo bench --bench effects` for a quicker pass.

use std::time::Instant;

use termdaw::analysis;
use termdaw::engine::effect::EffectChain;
use termdaw::kinds::EffectKind;

const RATE: f32 = 48000.0;
const BLOCK: usize = 64;

fn noise(n: usize, seed: u32) -> Vec<f32> {
    let mut s = seed;
    (0..n)
        .map(|_| {
            s = s.wrapping_mul(1664525).wrapping_add(1013904223);
            ((s >> 8) as f32 / (1u32 << 24) as f32 - 0.5) * 0.5
        })
        .collect()
}

fn main() {
    if std::env::args().any(|a| a == "--test" || a == "--list") {
        return;
    }
    let seconds: f64 = std::env::var("BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10.0);
    let budget = BLOCK as f64 / RATE as f64 * 1e6;
    println!("termdaw effects benchmark: {seconds} s of stereo noise per effect, {BLOCK}-frame blocks at {RATE} Hz, one thread");
    println!(
        "{:<12} {:>10} {:>10} {:>10}",
        "effect", "µs/block", "% budget", "x rt"
    );
    let src_l = noise(BLOCK * 1024, 1);
    let src_r = noise(BLOCK * 1024, 2);
    let blocks = (seconds * RATE as f64 / BLOCK as f64) as usize;
    for k in EffectKind::ALL {
        let v: Vec<f32> = k.params().iter().map(|p| p.default).collect();
        let mut chain = EffectChain::new(&[k.spec(&v)], RATE);
        let (mut l, mut r) = (vec![0.0f32; BLOCK], vec![0.0f32; BLOCK]);
        let mut run = |count: usize| {
            for b in 0..count {
                let at = (b % 1024) * BLOCK;
                l.copy_from_slice(&src_l[at..at + BLOCK]);
                r.copy_from_slice(&src_r[at..at + BLOCK]);
                chain.process(&mut l, &mut r);
                std::hint::black_box((&l, &r));
            }
        };
        run(blocks / 10 + 1);
        let t = Instant::now();
        run(blocks);
        let us = t.elapsed().as_secs_f64() * 1e6 / blocks as f64;
        println!(
            "{:<12} {:>10.2} {:>9.2}% {:>10.0}",
            k.name(),
            us,
            us / budget * 100.0,
            budget / us
        );
    }

    // Analysis: 60 s of music-like stereo (noise bursts on a beat over tones).
    let secs = 60usize;
    let n = secs * RATE as usize;
    let nz = noise(n, 9);
    let l: Vec<f32> = (0..n)
        .map(|i| {
            let t = i as f32 / RATE;
            let beat = (t * 2.0).fract();
            0.3 * (std::f32::consts::TAU * 220.0 * t).sin() + nz[i] * (-beat * 30.0).exp()
        })
        .collect();
    let r = l.clone();
    println!("\nanalysis of {secs} s of stereo audio at {RATE} Hz:");
    let time = |name: &str, f: &mut dyn FnMut()| {
        let t = Instant::now();
        f();
        let s = t.elapsed().as_secs_f64();
        println!(
            "{name:<28} {:>8.0} x real time ({:.3} s)",
            secs as f64 / s,
            s
        );
    };
    time("loudness (R128)", &mut || {
        std::hint::black_box(analysis::loudness::measure(&l, &r, RATE as f64));
    });
    time("true peak (4x, both sides)", &mut || {
        std::hint::black_box(analysis::peak::true_peak(&l).max(analysis::peak::true_peak(&r)));
    });
    time("onsets + tempo", &mut || {
        std::hint::black_box(analysis::spectral::onsets(&l, RATE));
    });
    time("pitch track (YIN)", &mut || {
        std::hint::black_box(analysis::pitch::track(&l, RATE, 2048));
    });
    time("whole `analyze` report", &mut || {
        std::hint::black_box(analysis::analyze(&l, &r, RATE));
    });
}
