//! The input gate on a tone burst: it opens within its start debounce,
//! closes after its end debounce, and the segment holds the pre-roll; the
//! adaptive floor keeps a steady noise above the threshold from opening it.
//! Then through the binary: a burst on the capture device becomes
//! `gate-01.wav` in the take.

use termdaw::capture::gate::{Gate, GateConfig, GateEvent};

const RATE: f64 = 48_000.0;

/// `quiet` s of noise at `noise_db`, `burst` s of 440 Hz at -12 dBFS over
/// it, then `after` s of the noise again.
fn burst(quiet: f64, burst: f64, after: f64, noise_db: f32) -> Vec<f32> {
    let n = ((quiet + burst + after) * RATE) as usize;
    let amp = 10f32.powf(noise_db / 20.0) * 3f32.sqrt();
    let mut seed = 1u32;
    (0..n)
        .map(|i| {
            seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            let noise = amp * ((seed >> 8) as f32 / (1u32 << 24) as f32 * 2.0 - 1.0);
            let t = i as f64 / RATE;
            let tone = if t >= quiet && t < quiet + burst {
                0.25 * (std::f64::consts::TAU * 440.0 * t).sin() as f32
            } else {
                0.0
            };
            tone + noise
        })
        .collect()
}

fn run(cfg: GateConfig, x: &[f32]) -> Vec<GateEvent> {
    let mut g = Gate::new(cfg, RATE);
    let mut out = Vec::new();
    for (k, c) in x.chunks(64).enumerate() {
        g.feed(k as u64 * 64, c, c, &mut out);
    }
    out
}

fn ms(samples: u64) -> f64 {
    samples as f64 / RATE * 1000.0
}

#[test]
fn a_burst_opens_the_gate_after_its_start_debounce_and_closes_it_after_its_end_debounce() {
    let cfg = GateConfig::default();
    let x = burst(1.0, 1.0, 1.5, -70.0);
    let ev = run(cfg, &x);
    assert_eq!(ev.len(), 2, "{ev:?}");
    let GateEvent::Open { onset, at, from } = ev[0] else {
        panic!("{ev:?}")
    };
    let GateEvent::Close { quiet, at: closed } = ev[1] else {
        panic!("{ev:?}")
    };
    // The burst starts at 1000 ms: its onset is found within a 10 ms window.
    assert!(
        (ms(onset) - 1000.0).abs() <= 10.0,
        "onset at {} ms",
        ms(onset)
    );
    let late = ms(at) - 1000.0;
    assert!(
        late >= cfg.start_ms as f64 - 10.0 && late <= cfg.start_ms as f64 + 10.0,
        "opened {late} ms after the burst began"
    );
    assert_eq!(
        onset - from,
        (cfg.preroll_ms as f64 / 1000.0 * RATE) as u64,
        "pre-roll"
    );
    assert!(
        (ms(quiet) - 2000.0).abs() <= 10.0,
        "quiet from {} ms",
        ms(quiet)
    );
    let after = ms(closed) - 2000.0;
    assert!(
        after >= cfg.end_ms as f64 - 10.0 && after <= cfg.end_ms as f64 + 10.0,
        "closed {after} ms after the burst ended"
    );
}

#[test]
fn the_adaptive_floor_keeps_a_steady_noise_above_the_threshold_from_opening_the_gate() {
    // Noise at -35 dBFS, over the -40 dB threshold.
    let x = burst(1.0, 0.5, 1.0, -35.0);
    let adaptive = run(GateConfig::default(), &x);
    let GateEvent::Open { onset, .. } = adaptive[0] else {
        panic!("{adaptive:?}")
    };
    assert!(
        (ms(onset) - 1000.0).abs() <= 10.0,
        "opened at {} ms: {adaptive:?}",
        ms(onset)
    );
    let fixed = run(
        GateConfig {
            adaptive: false,
            ..GateConfig::default()
        },
        &x,
    );
    let GateEvent::Open { onset, .. } = fixed[0] else {
        panic!("{fixed:?}")
    };
    assert!(
        ms(onset) < 20.0,
        "without the floor the noise opens it: {fixed:?}"
    );
}

#[test]
fn gate_settings_are_read_and_a_wrong_one_is_named() {
    let g = GateConfig::parse("threshold=-30, end=500,adaptive=off").unwrap();
    assert_eq!(g.threshold_db, -30.0);
    assert_eq!(g.end_ms, 500.0);
    assert!(!g.adaptive);
    assert_eq!(g.start_ms, GateConfig::default().start_ms);
    assert_eq!(GateConfig::parse("").unwrap(), GateConfig::default());
    let e = GateConfig::parse("treshold=-30").unwrap_err();
    assert!(e.contains("treshold") && e.contains("threshold"), "{e}");
    let e = GateConfig::parse("threshold=5").unwrap_err();
    assert!(e.contains("-100") && e.contains('0'), "{e}");
    assert_eq!(GateConfig::parse("channels=3-4").unwrap().pair, 1);
    assert_eq!(GateConfig::default().pair, 0);
    for bad in ["2-3", "3", "9-10", "a-b"] {
        let e = GateConfig::parse(&format!("channels={bad}")).unwrap_err();
        assert!(e.contains("not a pair") && e.contains("3-4"), "{e}");
    }
}
