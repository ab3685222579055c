//! Unit tests of the pluck voices (test builds only).
use super::super::test_util::{peak, render};
use super::super::voice::STEAL_FADE_S;
use super::*;
use crate::kinds::param::defaults;

const RATE: f32 = 48_000.0;

fn pluck_with(changes: &[(&str, f32)], voices: usize, rate: f32) -> Pluck {
    let mut v = defaults(PARAMS);
    for (name, value) in changes {
        let i = PARAMS.iter().position(|p| p.name == *name).unwrap();
        v[i] = *value;
    }
    Pluck::new(&v, voices, rate)
}

/// Period in samples: autocorrelation peak near the expected period,
/// refined at lags of 4, 16, 64… periods (parabolic interpolation) so
/// the sub-sample error divides down.
fn measure_period(x: &[f32], expect: f32) -> f32 {
    let acf = |lag: usize| -> f64 {
        let w = x.len() - lag;
        let (mut s, mut e0, mut e1) = (0.0f64, 0.0f64, 0.0f64);
        for i in 0..w {
            s += x[i] as f64 * x[i + lag] as f64;
            e0 += (x[i] as f64).powi(2);
            e1 += (x[i + lag] as f64).powi(2);
        }
        s / (e0 * e1).sqrt().max(1e-30)
    };
    let peak = |centre: usize, reach: usize| -> f64 {
        let best = (centre - reach..=centre + reach)
            .max_by(|&a, &b| acf(a).total_cmp(&acf(b)))
            .unwrap();
        let (a, b, c) = (acf(best - 1), acf(best), acf(best + 1));
        best as f64 + 0.5 * (a - c) / (a - 2.0 * b + c)
    };
    let mut est = peak(expect.round() as usize, (expect * 0.2) as usize);
    let mut m = 4;
    while (m as f64 * est) < (x.len() / 3) as f64 {
        est = peak((m as f64 * est).round() as usize, 3) / m as f64;
        m *= 4;
    }
    est as f32
}

#[test]
fn pitch_is_within_half_a_percent() {
    // Two views of pitch: the fundamental's own frequency (exact by
    // construction, any damping), and the waveform's period by
    // autocorrelation, which the overtones pull on. Heavy damping makes
    // the overtones slightly sharp, which a listener hears as pitch only
    // when they last, so the period is checked up to damping 0.7.
    for rate in [44_100.0, 48_000.0, 96_000.0] {
        for damping in [0.0, 0.3, 0.7, 1.0] {
            for note in [24.0, 40.0, 57.0, 69.0, 81.0, 93.0] {
                let mut p = pluck_with(&[("damping", damping), ("decay", 20.0)], 2, rate);
                p.note_on(note, 1.0);
                let hz = note_hz(note);
                let expect = rate / hz;
                let (l, _) = render(&mut p, (rate * 0.5) as usize, 256);
                // Skip the burst; heavily damped high notes die within
                // a few dozen periods, so look at 40 periods at most.
                let from = (expect * 2.0) as usize;
                let f = fundamental_hz(&l, hz, rate, from, 4.0 / hz);
                let err = (f / hz - 1.0).abs();
                assert!(
                    err < 0.005,
                    "rate {rate} damping {damping} note {note}: {f} Hz vs {hz} ({err})"
                );
                if damping <= 0.7 {
                    let to = (from + (expect * 40.0) as usize)
                        .max(from + 8_192)
                        .min(l.len());
                    let got = measure_period(&l[from..to], expect);
                    let err = (got / expect - 1.0).abs();
                    assert!(
                        err < 0.005,
                        "rate {rate} damping {damping} note {note}: {got} vs {expect} ({err})"
                    );
                }
            }
        }
    }
}

/// Frequency of the component near `hz`: phase advance of one DFT bin
/// between two windows `gap` seconds apart.
fn fundamental_hz(x: &[f32], hz: f32, rate: f32, start: usize, gap: f32) -> f32 {
    let n = ((rate / hz) * 4.0).round() as usize;
    let bin = |s: usize| {
        let (mut re, mut im) = (0.0f64, 0.0f64);
        for k in 0..n {
            let ph = TAU as f64 * hz as f64 * (s + k) as f64 / rate as f64;
            let w = 0.5 - 0.5 * (TAU as f64 * k as f64 / n as f64).cos();
            re += x[s + k] as f64 * w * ph.cos();
            im -= x[s + k] as f64 * w * ph.sin();
        }
        im.atan2(re)
    };
    let d = (gap * rate).round() as usize;
    let mut dphi = bin(start + d) - bin(start);
    while dphi > std::f64::consts::PI {
        dphi -= std::f64::consts::TAU;
    }
    while dphi < -std::f64::consts::PI {
        dphi += std::f64::consts::TAU;
    }
    hz + (dphi / (std::f64::consts::TAU * d as f64 / rate as f64)) as f32
}

#[test]
fn decay_time_is_the_minus_60_db_time() {
    // The fundamental should lose 60 dB over `decay`: measure its level
    // (a single DFT bin over whole periods) 0.6 s apart, expect 30 dB.
    for (note, damping) in [(45.0, 0.5), (64.0, 0.2)] {
        let mut p = pluck_with(&[("decay", 1.2), ("damping", damping)], 1, RATE);
        p.note_on(note, 1.0);
        let (l, _) = render(&mut p, RATE as usize, 512);
        let hz = note_hz(note);
        let bin = |t: f32| {
            let s = (t * RATE) as usize;
            let n = ((RATE / hz) * (0.05 * hz).round()) as usize;
            let (mut re, mut im) = (0.0f64, 0.0f64);
            for (k, x) in l[s..s + n].iter().enumerate() {
                let ph = TAU as f64 * hz as f64 * k as f64 / RATE as f64;
                re += *x as f64 * ph.cos();
                im += *x as f64 * ph.sin();
            }
            (re * re + im * im).sqrt()
        };
        let drop_db = 20.0 * (bin(0.1) / bin(0.7)).log10();
        assert!(
            (drop_db - 30.0).abs() < 1.5,
            "note {note}: dropped {drop_db} dB in 0.6 s"
        );
    }
}

#[test]
fn voice_is_freed_after_decay_and_after_release() {
    let mut p = pluck_with(&[("decay", 0.3)], 2, RATE);
    p.note_on(60.0, 1.0);
    render(&mut p, (RATE * 0.3) as usize, 256);
    assert_eq!(p.active_voices(), 1);
    // -90 dB is 1.5 × the -60 dB time; allow a few windows more.
    render(&mut p, (RATE * 0.3) as usize, 256);
    assert_eq!(p.active_voices(), 0, "freed once below -90 dB");

    let mut p = pluck_with(&[("decay", 20.0), ("release", 0.1)], 2, RATE);
    p.note_on(60.0, 1.0);
    render(&mut p, (RATE * 0.5) as usize, 256);
    assert_eq!(
        p.active_voices(),
        1,
        "a long decay keeps ringing while held"
    );
    p.note_off(60.0);
    render(&mut p, (RATE * 0.2) as usize, 256);
    assert_eq!(p.active_voices(), 0, "key-up mutes it within release");
}

#[test]
fn velocity_scales_level() {
    let level = |vel: f32| {
        let mut p = pluck_with(&[], 2, RATE);
        p.note_on(57.0, vel);
        peak(&render(&mut p, 4_800, 256).0)
    };
    let (full, quarter) = (level(1.0), level(0.25));
    assert!(full > 0.1 && full < 1.0, "{full}");
    assert!((quarter / full - 0.25).abs() < 1e-3, "{quarter} / {full}");
}

#[test]
fn voice_limit_holds() {
    let mut p = pluck_with(&[("decay", 10.0)], 3, RATE);
    for k in 0..12 {
        p.note_on(50.0 + k as f32, 0.7);
        render(&mut p, 128, 128);
        assert!(p.alloc.live() <= 3);
        assert!(p.active_voices() <= 6);
    }
    render(&mut p, (RATE * 0.01) as usize, 128);
    assert_eq!(p.active_voices(), 3);
}

#[test]
fn stolen_voice_fades_without_a_click() {
    // A fully damped low string is smooth: its largest step in steady
    // state is what we compare against. Stealing multiplies it by a
    // 5 ms ramp, which can add at most peak / (5 ms of samples) per
    // step. The new voice starts with its burst, so the test measures
    // the old voice alone by giving the new note zero velocity.
    let mut p = pluck_with(
        &[("damping", 1.0), ("brightness", 0.0), ("decay", 10.0)],
        1,
        RATE,
    );
    p.note_on(40.0, 1.0);
    let (warm, _) = render(&mut p, 9_600, 9_600);
    let tail = &warm[4_800..];
    let natural = tail
        .windows(2)
        .fold(0.0f32, |m, w| m.max((w[1] - w[0]).abs()));
    let limit = natural + peak(tail) / (STEAL_FADE_S * RATE) + 1e-4;
    p.note_on(52.0, 0.0);
    assert_eq!(p.active_voices(), 2);
    let (l, _) = render(&mut p, 960, 64);
    let mut prev = *warm.last().unwrap();
    let mut max_step = 0.0f32;
    for &s in &l {
        max_step = max_step.max((s - prev).abs());
        prev = s;
    }
    assert!(max_step <= limit, "step {max_step} > {limit}");
    assert!(peak(&l[480..]) < 1e-6, "old voice gone after the fade");
    assert_eq!(p.active_voices(), 1);
}

#[test]
fn deterministic_additive_and_finite() {
    let run = || {
        let mut p = pluck_with(&[("damping", 0.0), ("brightness", 1.0)], 4, RATE);
        let (mut l, mut r) = (vec![0.1; 20_000], vec![0.1; 20_000]);
        for (k, (cl, cr)) in l.chunks_mut(500).zip(r.chunks_mut(500)).enumerate() {
            if k % 5 == 0 {
                p.note_on(20.0 + k as f32 * 3.0, 1.0);
            }
            if k == 20 {
                p.set_param(P_DAMPING, 1.0);
            }
            p.render(cl, cr);
        }
        (l, r)
    };
    let (a, b) = (run(), run());
    assert_eq!(a, b);
    assert!(a
        .0
        .iter()
        .chain(&a.1)
        .all(|s| s.is_finite() && s.abs() < 2.0));
    // Notes below the lowest sized note and out-of-range values are safe.
    let mut p = pluck_with(&[], 2, RATE);
    p.note_on(-10.0, 1.0);
    p.note_on(f32::NAN, 1.0);
    p.note_on(135.0, f32::INFINITY);
    p.set_param(42, 1.0);
    let (l, _) = render(&mut p, 4_096, 1_024);
    assert!(l.iter().all(|s| s.is_finite()));
}
