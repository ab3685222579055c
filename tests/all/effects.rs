//! Every effect kind, measured: the property that says it works (delay time
//! in samples, -3 dB points, gain reduction, ceilings, decay, modulation
//! rate), plus dry/wet, bypass, in-place automation and click-free chain edits.

use termdaw::action::{Action, ArgType, ArgValue, FromArg};
use termdaw::engine::effect::EffectChain;
use termdaw::kinds::{EffectKind, EffectSpec};
use termdaw::patch::EffectDef;

use crate::common::{prepare, render_with, Audio, RATE};

const SR: f32 = RATE as f32;

fn specs(ron_list: &str) -> Vec<EffectSpec> {
    let defs: Vec<EffectDef> = ron::from_str(ron_list).unwrap_or_else(|e| panic!("{e}"));
    defs.iter().map(|d| d.kind.spec(&d.values)).collect()
}

fn chain(ron_list: &str) -> EffectChain {
    EffectChain::new(&specs(ron_list), SR)
}

/// Run stereo input through a chain in 64-frame blocks.
fn run(c: &mut EffectChain, l: &[f32], r: &[f32]) -> Audio {
    let (mut l, mut r) = (l.to_vec(), r.to_vec());
    for (a, b) in l.chunks_mut(64).zip(r.chunks_mut(64)) {
        c.process(a, b);
    }
    Audio { l, r }
}

fn impulse(n: usize) -> Vec<f32> {
    let mut x = vec![0.0; n];
    x[0] = 1.0;
    x
}

fn sine(freq: f32, amp: f32, n: usize) -> Vec<f32> {
    (0..n)
        .map(|i| amp * (std::f32::consts::TAU * freq * i as f32 / SR).sin())
        .collect()
}

fn db(x: f64) -> f64 {
    20.0 * x.log10()
}

/// Steady-state gain (dB) of a fresh chain at `freq`.
fn gain_at(fx: &str, freq: f32) -> f64 {
    let n = (SR * 0.25) as usize;
    let x = sine(freq, 0.25, n);
    let y = run(&mut chain(fx), &x, &x);
    db(Audio::rms(&y.l[n / 2..]) / Audio::rms(&x[n / 2..]))
}

/// The frequency where the gain crosses -3.01 dB, by bisection in log frequency.
fn minus_3db(fx: &str, lo: f32, hi: f32, rising: bool) -> f32 {
    let (mut a, mut b) = (lo.ln(), hi.ln());
    for _ in 0..24 {
        let m = 0.5 * (a + b);
        let above = gain_at(fx, m.exp()) > -3.0103;
        if above != rising {
            a = m;
        } else {
            b = m;
        }
    }
    (0.5 * (a + b)).exp()
}

#[test]
fn every_kind_builds_with_defaults_and_stays_finite() {
    for k in EffectKind::ALL {
        let d = EffectDef::new(k);
        let mut c = EffectChain::new(&[k.spec(&d.values)], SR);
        let x = sine(220.0, 0.5, 9600);
        let y = run(&mut c, &x, &x);
        assert!(
            y.l.iter()
                .chain(&y.r)
                .all(|v| v.is_finite() && v.abs() < 8.0),
            "{k:?} misbehaved"
        );
        assert!(y.peak() > 0.01, "{k:?} went silent");
    }
}

#[test]
fn delay_time_is_exact_in_samples_and_each_repeat_is_feedback_times_the_last() {
    let mut c = chain("[Delay(time: 0.01, feedback: 0.5, mix: 1)]");
    let x = impulse(2000);
    let y = run(&mut c, &x, &x);
    for (k, want) in [(480usize, 1.0f32), (960, 0.5), (1440, 0.25)] {
        assert!((y.l[k] - want).abs() < 1e-6, "repeat at {k}: {}", y.l[k]);
        assert!((y.r[k] - want).abs() < 1e-6);
    }
    let others: f32 =
        y.l.iter()
            .enumerate()
            .filter(|(i, _)| i % 480 != 0)
            .map(|(_, v)| v.abs())
            .sum();
    assert!(others < 1e-6, "energy between repeats: {others}");
}

#[test]
fn ping_pong_repeats_alternate_sides() {
    let mut c = chain("[Delay(time: 0.005, feedback: 0.5, mode: pingpong, mix: 1)]");
    let x = impulse(1200);
    let y = run(&mut c, &x, &x);
    // Input (mono sum 1.0) enters left: 240 L, 480 R, 720 L.
    assert!((y.l[240] - 1.0).abs() < 1e-6 && y.r[240].abs() < 1e-6);
    assert!((y.r[480] - 0.5).abs() < 1e-6 && y.l[480].abs() < 1e-6);
    assert!((y.l[720] - 0.25).abs() < 1e-6 && y.r[720].abs() < 1e-6);
}

#[test]
fn tempo_synced_delay_follows_the_tempo() {
    // 3/16 at 120 BPM is 0.375 s = 18000 samples; at 150 BPM 14400.
    let s = specs("[Delay(sync: \"3/16\", feedback: 0, mix: 1)]");
    let mut c = EffectChain::with_tempo(&s, SR, 120.0);
    let y = run(&mut c, &impulse(20000), &impulse(20000));
    let at = y.l.iter().position(|v| v.abs() > 0.5).unwrap();
    assert_eq!(at, 18000);
    let mut c = EffectChain::with_tempo(&s, SR, 100.0);
    c.set_tempo(150.0);
    let x = vec![0.0; 48000];
    run(&mut c, &x, &x); // let the time glide to the new tempo
    let y = run(&mut c, &impulse(20000), &impulse(20000));
    let at = y.l.iter().position(|v| v.abs() > 0.5).unwrap();
    assert_eq!(at, 14400);
}

#[test]
fn filter_minus_3db_points_are_within_2_percent() {
    for cutoff in [200.0f32, 1000.0, 5000.0] {
        let lp = minus_3db(
            &format!("[Lowpass(cutoff: {cutoff}, q: 0.707)]"),
            cutoff / 4.0,
            cutoff * 4.0,
            false,
        );
        let hp = minus_3db(
            &format!("[Highpass(cutoff: {cutoff}, q: 0.707)]"),
            cutoff / 4.0,
            cutoff * 4.0,
            true,
        );
        assert!((lp / cutoff - 1.0).abs() < 0.02, "lowpass {cutoff}: {lp}");
        assert!((hp / cutoff - 1.0).abs() < 0.02, "highpass {cutoff}: {hp}");
    }
    // Band-pass: 0 dB at the centre, -3 dB edges one bandwidth (f/q) apart.
    let bp = "[Bandpass(cutoff: 1000, q: 2)]";
    assert!(gain_at(bp, 1000.0).abs() < 0.05);
    let (lo, hi) = (
        minus_3db(bp, 300.0, 1000.0, true),
        minus_3db(bp, 1000.0, 3000.0, false),
    );
    assert!(
        ((hi - lo) / 500.0 - 1.0).abs() < 0.05,
        "bandwidth {lo}..{hi}"
    );
    assert!(gain_at("[Notch(cutoff: 1000, q: 2)]", 1000.0) < -40.0);
    assert!(gain_at("[Notch(cutoff: 1000, q: 2)]", 100.0).abs() < 0.2);
}

#[test]
fn comb_resonates_at_its_period() {
    let mut c = chain("[Comb(freq: 1000, feedback: 0.5, damping: 0, mix: 1)]");
    let y = run(&mut c, &impulse(400), &impulse(400));
    for (k, want) in [(0usize, 1.0f32), (48, 0.5), (96, 0.25), (144, 0.125)] {
        assert!((y.l[k] - want).abs() < 1e-5, "{k}: {}", y.l[k]);
    }
}

#[test]
fn compressor_gain_reduction_matches_ratio_and_threshold_within_half_a_db() {
    // Input RMS level L, threshold T, ratio R: output L - (L-T)(1-1/R).
    for (rms_db, threshold, ratio) in [
        (-6.0f64, -20.0, 4.0),
        (-10.0, -30.0, 2.0),
        (-12.0, -18.0, 10.0),
    ] {
        let amp = (10f64.powf(rms_db / 20.0) * 2f64.sqrt()) as f32;
        let x = sine(1000.0, amp, 48000);
        let mut c = chain(&format!(
            "[Compressor(threshold: {threshold}, ratio: {ratio}, knee: 0, attack: 5, release: 50)]"
        ));
        let y = run(&mut c, &x, &x);
        let got = db(Audio::rms(&y.l[24000..]) / Audio::rms(&x[24000..]));
        let want = -(rms_db - threshold) * (1.0 - 1.0 / ratio);
        assert!(
            (got - want).abs() < 0.5,
            "L {rms_db} T {threshold} R {ratio}: {got:.2} dB, want {want:.2}"
        );
    }
    // Below the threshold nothing changes.
    let x = sine(1000.0, 0.01, 24000);
    let y = run(&mut chain("[Compressor(threshold: -20, knee: 0)]"), &x, &x);
    assert!(db(Audio::rms(&y.l[12000..]) / Audio::rms(&x[12000..])).abs() < 0.05);
}

#[test]
fn limiter_holds_its_ceiling() {
    let ceiling = 10f32.powf(-3.0 / 20.0);
    let mut x = sine(100.0, 0.9, 48000);
    for (i, v) in x.iter_mut().enumerate() {
        if i % 997 == 0 {
            *v = 1.0; // spikes
        }
    }
    let y = run(&mut chain("[Limiter(ceiling: -3, gain: 12)]"), &x, &x);
    assert!(y.peak() <= ceiling * 1.0001, "peak {}", y.peak());
    assert!(y.peak() > ceiling * 0.9, "it still plays loud");
}

#[test]
fn reverb_tail_decays() {
    let n = 96000;
    let y = run(
        &mut chain("[Reverb(time: 1, mix: 1)]"),
        &impulse(n),
        &impulse(n),
    );
    let window = |s: f32| Audio::rms(&y.l[(s * SR) as usize..((s + 0.1) * SR) as usize]);
    let early = window(0.1);
    assert!(early > 1e-4, "there is a tail");
    let mut last = early;
    for k in 2..15 {
        let w = window(k as f32 * 0.1);
        assert!(w < last * 1.05, "tail grew at {k}00 ms");
        last = w;
    }
    let drop = db(early / window(1.1));
    assert!(drop > 20.0, "decay over 1 s (time: 1): {drop:.1} dB");
    // A longer time decays more slowly.
    let y4 = run(
        &mut chain("[Reverb(time: 8, mix: 1)]"),
        &impulse(n),
        &impulse(n),
    );
    let w4 = |s: f32| Audio::rms(&y4.l[(s * SR) as usize..((s + 0.1) * SR) as usize]);
    let drop4 = db(w4(0.1) / w4(1.1));
    assert!(
        drop4 < drop - 10.0,
        "time 8 decays {drop4:.1} dB vs {drop:.1}"
    );
}

/// The strongest frequency (0.3–10 Hz) in the envelope (RMS per `win` samples)
/// of `x`.
fn modulation_rate(x: &[f32], win: usize) -> f32 {
    let env: Vec<f64> = x.chunks_exact(win).map(Audio::rms).collect();
    let mean = env.iter().sum::<f64>() / env.len() as f64;
    let fs = SR as f64 / win as f64;
    let mut best = (0.0, 0.0);
    let mut f = 0.3;
    while f < 10.0 {
        let (mut re, mut im) = (0.0, 0.0);
        for (k, e) in env.iter().enumerate() {
            let ph = std::f64::consts::TAU * f * k as f64 / fs;
            re += (e - mean) * ph.cos();
            im += (e - mean) * ph.sin();
        }
        let m = re * re + im * im;
        if m > best.1 {
            best = (f, m);
        }
        f += 0.01;
    }
    best.0 as f32
}

#[test]
fn chorus_flanger_phaser_and_autopan_modulate_at_their_rate() {
    let n = 8 * RATE as usize;
    // Tones and depths chosen so the envelope is a monotonic function of the
    // LFO (no frequency doubling): dry + swept copy of a low sine.
    for (fx, tone, win) in [
        ("Chorus(rate: 1.7, delay: 5, depth: 3, mix: 0.5)", 50.0, 960),
        (
            "Flanger(rate: 1.7, delay: 1, depth: 4, feedback: 0, mix: 0.5)",
            100.0,
            480,
        ),
        (
            "Phaser(rate: 1.7, centre: 2000, depth: 1, feedback: 0, mix: 0.5)",
            100.0,
            480,
        ),
    ] {
        let x = sine(tone, 0.5, n);
        let y = run(&mut chain(&format!("[{fx}]")), &x, &x);
        let rate = modulation_rate(&y.l[4800..], win);
        assert!((rate - 1.7).abs() < 0.05, "{fx}: modulates at {rate} Hz");
        let env: Vec<f64> = y.l[4800..].chunks_exact(win).map(Audio::rms).collect();
        let (lo, hi) = env
            .iter()
            .fold((f64::MAX, 0.0f64), |(a, b), e| (a.min(*e), b.max(*e)));
        assert!(db(hi / lo) > 1.0, "{fx}: depth only {:.2} dB", db(hi / lo));
    }
    let dc = vec![0.5f32; n];
    let y = run(&mut chain("[AutoPan(rate: 2.3, depth: 1)]"), &dc, &dc);
    let rate = modulation_rate(&y.l, 480);
    assert!((rate - 2.3).abs() < 0.05, "autopan at {rate} Hz");
    // Equal power: L² + R² constant.
    for i in (0..n).step_by(4801) {
        let p = y.l[i].powi(2) + y.r[i].powi(2);
        assert!((p - 0.5).abs() < 1e-3, "power {p} at {i}");
    }
}

#[test]
fn distortions_do_what_they_say() {
    let x = sine(100.0, 0.9, 9600);
    let c = run(&mut chain("[Clip(gain: 12, ceiling: -6)]"), &x, &x);
    assert!((c.peak() - 10f32.powf(-6.0 / 20.0)).abs() < 1e-4);
    let d = run(&mut chain("[Drive(gain: 24)]"), &x, &x);
    assert!(d.peak() <= 1.0 + 1e-4 && d.peak() > 0.95);
    let small = sine(100.0, 0.01, 9600);
    let d = run(&mut chain("[Drive(gain: 12)]"), &small, &small);
    assert!(d.peak() > 0.035, "small signals are boosted: {}", d.peak());
    let q = run(&mut chain("[Crush(bits: 4)]"), &x, &x);
    let step = 2.0 / 16.0;
    assert!(q
        .l
        .iter()
        .all(|v| ((v / step) - (v / step).round()).abs() < 1e-4));
    let h = run(&mut chain("[Crush(bits: 24, downsample: 8)]"), &x, &x);
    let held = h.l.windows(2).filter(|w| w[0] == w[1]).count();
    assert!(held > 9600 * 6 / 8, "sample and hold: {held}");
    // Odd curves add odd harmonics; the asymmetric tube adds even ones.
    let clean = sine(100.0, 0.5, 9600);
    for (shape, harmonic) in [("fold", 300.0), ("cubic", 300.0), ("tube", 200.0)] {
        let s = run(
            &mut chain(&format!("[Shaper(gain: 12, shape: {shape})]")),
            &clean,
            &clean,
        );
        let ratio = tone(&s.l, harmonic) / tone(&s.l, 100.0);
        assert!(
            ratio > 0.05,
            "{shape}: harmonic {harmonic} Hz at {ratio:.3}"
        );
        assert!(tone(&clean, harmonic) / tone(&clean, 100.0) < 1e-3);
    }
}

/// Amplitude of the `freq` component of `x` (whole periods assumed).
fn tone(x: &[f32], freq: f32) -> f64 {
    let (mut re, mut im) = (0.0f64, 0.0f64);
    for (i, v) in x.iter().enumerate() {
        let ph = std::f64::consts::TAU * freq as f64 * i as f64 / SR as f64;
        re += *v as f64 * ph.cos();
        im += *v as f64 * ph.sin();
    }
    2.0 * (re * re + im * im).sqrt() / x.len() as f64
}

#[test]
fn gate_closes_below_and_opens_above_its_threshold() {
    let quiet = sine(200.0, 10f32.powf(-60.0 / 20.0), 24000);
    let y = run(
        &mut chain("[Gate(threshold: -40, range: -60)]"),
        &quiet,
        &quiet,
    );
    let g = db(Audio::rms(&y.l[12000..]) / Audio::rms(&quiet[12000..]));
    assert!((g + 60.0).abs() < 1.0, "closed: {g:.1} dB");
    let loud = sine(200.0, 0.3, 24000);
    let y = run(
        &mut chain("[Gate(threshold: -40, range: -60)]"),
        &loud,
        &loud,
    );
    let g = db(Audio::rms(&y.l[12000..]) / Audio::rms(&loud[12000..]));
    assert!(g.abs() < 0.05, "open: {g:.2} dB");
}

#[test]
fn eqs_boost_and_cut_where_asked() {
    let p = "[Eq(freq2: 1000, gain2: 9, q2: 1)]";
    assert!((gain_at(p, 1000.0) - 9.0).abs() < 0.1);
    assert!(gain_at(p, 50.0).abs() < 0.3);
    let e = "[Eq3(low: 6, high: -6)]";
    assert!((gain_at(e, 25.0) - 6.0).abs() < 0.3, "{}", gain_at(e, 25.0));
    assert!((gain_at(e, 18000.0) + 6.0).abs() < 0.3);
    assert!(gain_at(e, 1000.0).abs() < 1.0);
    assert!(gain_at("[Eq3()]", 3000.0).abs() < 0.01, "flat when flat");
}

#[test]
fn width_zero_is_mono_and_one_is_unchanged() {
    let l = sine(300.0, 0.5, 4800);
    let r = sine(470.0, 0.3, 4800);
    let m = run(&mut chain("[Width(width: 0)]"), &l, &r);
    assert!(m.l.iter().zip(&m.r).all(|(a, b)| (a - b).abs() < 1e-6));
    let u = run(&mut chain("[Width(width: 1)]"), &l, &r);
    assert!(u.l.iter().zip(&l).all(|(a, b)| (a - b).abs() < 1e-6));
    assert!(u.r.iter().zip(&r).all(|(a, b)| (a - b).abs() < 1e-6));
}

#[test]
fn mix_blends_and_bypass_passes_the_dry_signal() {
    let x = sine(300.0, 0.5, 9600);
    let dry = run(&mut chain("[Clip(gain: 24, ceiling: -20, mix: 0)]"), &x, &x);
    assert!(dry.l.iter().zip(&x).all(|(a, b)| (a - b).abs() < 1e-6));
    let by = run(
        &mut chain("[Clip(gain: 24, ceiling: -20, bypass: on)]"),
        &x,
        &x,
    );
    assert!(by.l.iter().zip(&x).all(|(a, b)| (a - b).abs() < 1e-6));
    let half = run(
        &mut chain("[Clip(gain: 24, ceiling: -20, mix: 0.5)]"),
        &x,
        &x,
    );
    let c = 10f32.powf(-1.0);
    let want = 0.5 * x[75] + 0.5 * c;
    assert!((half.l[75] - want).abs() < 1e-4);
    // Bypassing while running fades instead of jumping.
    let mut c2 = chain("[Clip(gain: 24, ceiling: -20)]");
    run(&mut c2, &x, &x);
    c2.set_param(0, 3, 1.0);
    let y = run(&mut c2, &x, &x);
    assert!((y.l[64] - x[64]).abs() > 0.01, "not yet fully dry");
    assert!((y.l[9000] - x[9000]).abs() < 1e-3, "dry after the fade");
}

fn held_sine(fx: &str) -> String {
    format!("Session(tempo: 120, quantum: Immediate, tracks: [\n  Track(name: \"t\", instrument: Synth(wave: Sine, unison: 1, sustain: 1, cutoff: 8000, q: 0.707, env_amount: 0), pattern: Notes(\"45\"), resolution: 1, gate: 1, effects: [{fx}]),\n])\n")
}

fn effects_arg(list: &str) -> Vec<EffectDef> {
    FromArg::from_arg(&ArgValue::Text(list.into()), &ArgType::Ron).unwrap()
}

fn max_step(x: &[f32]) -> f32 {
    x.windows(2)
        .map(|w| (w[1] - w[0]).abs())
        .fold(0.0, f32::max)
}

#[test]
fn adding_removing_reordering_and_automating_effects_while_playing_does_not_click() {
    // A held 110 Hz sine; its own steps stay below 0.0072 (see reload.rs).
    let start = "Width(width: 1), Eq3(low: 3)";
    for (name, after) in [
        (
            "added",
            "Width(width: 1), Eq3(low: 3), Lowpass(cutoff: 400), Chorus()",
        ),
        ("removed", "Eq3(low: 3)"),
        ("reordered", "Eq3(low: 3), Width(width: 1)"),
        ("replaced", "Phaser(), Compressor()"),
        ("cleared", ""),
    ] {
        let (mut s, mut e) = prepare(&held_sine(start));
        let a = render_with(&mut s, &mut e, 48000, |s, frame| {
            if frame == 24000 {
                s.apply(Action::SetEffects {
                    track: "t".into(),
                    effects: effects_arg(&format!("[{after}]")),
                })
                .unwrap();
            }
        });
        let steady = max_step(&a.l[4800..23900]);
        let across = max_step(&a.l[23900..30000]);
        assert!(steady < 0.012, "{name}: steady {steady}");
        assert!(across < 0.012, "{name}: step {across} across the change");
    }
    // Automating through the action table glides.
    let (mut s, mut e) = prepare(&held_sine("Lowpass(cutoff: 8000), Width()"));
    let a = render_with(&mut s, &mut e, 48000, |s, frame| {
        if frame == 24000 {
            for (p, v) in [("cutoff", 40.0), ("mix", 0.3)] {
                s.apply(Action::SetEffectParam {
                    chain: "t".into(),
                    effect: 0,
                    param: p.into(),
                    value: ArgValue::Number(v),
                })
                .unwrap();
            }
            s.apply(Action::SetEffectParam {
                chain: "t".into(),
                effect: 1,
                param: "bypass".into(),
                value: ArgValue::Text("on".into()),
            })
            .unwrap();
        }
    });
    assert!(max_step(&a.l[23900..30000]) < 0.012);
    assert!(Audio::rms(&a.l[40000..]) < Audio::rms(&a.l[10000..20000]) * 0.9);
}

#[test]
fn changing_the_master_chain_or_a_bus_chain_while_playing_does_not_click() {
    // The held sine goes dry to the master and, at 0 dB, through the bus.
    let session = "Session(tempo: 120, quantum: Immediate,
  master: Master(volume: -6, effects: [Width(width: 1), Eq3(low: 3)]),
  buses: [Bus(name: \"b\", effects: [Width(width: 1), Eq3(low: 3)])],
  tracks: [
    Track(name: \"t\", instrument: Synth(wave: Sine, unison: 1, sustain: 1, cutoff: 8000, q: 0.707, env_amount: 0), pattern: Notes(\"45\"), resolution: 1, gate: 1, sends: {\"b\": 0}),
  ])";
    for after in [
        "Width(width: 1), Eq3(low: 3), Lowpass(cutoff: 400), Chorus()",
        "Eq3(low: 3), Width(width: 1)",
        "",
    ] {
        for on_bus in [false, true] {
            let name = format!("{} [{after}]", if on_bus { "bus" } else { "master" });
            let (mut s, mut e) = prepare(session);
            let a = render_with(&mut s, &mut e, 48000, |s, frame| {
                if frame == 24000 {
                    let effects = effects_arg(&format!("[{after}]"));
                    let act = if on_bus {
                        Action::SetBusEffects {
                            bus: "b".into(),
                            effects,
                        }
                    } else {
                        Action::SetMasterEffects { effects }
                    };
                    s.apply(act).unwrap();
                }
            });
            let steady = max_step(&a.l[4800..23900]);
            let across = max_step(&a.l[23900..30000]);
            assert!(steady < 0.012, "{name}: steady {steady}");
            assert!(across < 0.012, "{name}: step {across} across the change");
            if after.starts_with("Eq3") {
                // Reordered: these two commute on a centred sine.
                continue;
            }
            // The change was heard: the rest differs from the same session left alone.
            let (mut s0, mut e0) = prepare(session);
            let b = render_with(&mut s0, &mut e0, 48000, |_, _| {});
            let diff: f64 = a.l[36000..]
                .iter()
                .zip(&b.l[36000..])
                .map(|(x, y)| ((x - y) as f64).powi(2))
                .sum();
            assert!(diff > 1e-3, "{name}: the new chain made no difference");
        }
    }
}

#[test]
fn set_effect_param_changes_in_place_and_keeps_the_delay_tail() {
    // A short blip into a long delay; turning the delay's mix up after the
    // blip must let its echo through (a rebuilt delay would have lost it).
    let text = "Session(tempo: 120, quantum: Immediate, tracks: [\n  Track(name: \"t\", instrument: Synth(wave: Sine, attack: 0.001, release: 0.01, sustain: 1, env_amount: 0), pattern: Notes(\"60 ~ ~ ~ ~ ~ ~ ~\"), resolution: 8, gate: 0.1, effects: [Delay(time: 0.5, feedback: 0, mix: 0.5)]),\n])\n";
    let (mut s, mut e) = prepare(text);
    let a = render_with(&mut s, &mut e, 36000, |s, frame| {
        if frame == 12032 {
            let r = s.apply(Action::SetEffectParam {
                chain: "t".into(),
                effect: 0,
                param: "mix".into(),
                value: ArgValue::Number(1.0),
            });
            assert!(r.is_ok(), "{r:?}");
        }
    });
    let dry = Audio::rms(&a.l[0..6000]);
    let echo = Audio::rms(&a.l[24000..30000]);
    assert!(dry > 0.01);
    assert!(
        echo > dry * 1.5,
        "echo {echo} after the mix went up (dry {dry})"
    );
    assert!(s
        .apply(Action::SetEffectParam {
            chain: "t".into(),
            effect: 3,
            param: "mix".into(),
            value: ArgValue::Number(1.0)
        })
        .is_err());
    assert!(s
        .apply(Action::SetEffectParam {
            chain: "t".into(),
            effect: 0,
            param: "feedback".into(),
            value: ArgValue::Number(2.0)
        })
        .is_err());
}

#[test]
fn a_bypassed_delay_lets_its_echoes_die_instead_of_replaying_them_later() {
    // One blip into a 1 s delay with feedback 0.5, then nothing more plays.
    // Bypassed at 0.5 s and back on at 10 s: by then the echoes have died
    // away as they would have with the delay on; a delay frozen while off
    // would replay its first echo at full strength.
    let text = "Session(tempo: 60, quantum: Immediate, tracks: [\n  Track(name: \"t\", instrument: Synth(wave: Sine, attack: 0.001, release: 0.01, sustain: 1, env_amount: 0), pattern: Notes(\"69 ~ ~ ~ ~ ~ ~ ~ ~ ~ ~ ~ ~ ~ ~ ~\"), resolution: 16, gate: 0.1, effects: [Delay(time: 1, feedback: 0.5, mix: 0.5)]),\n])\n";
    let bypass = |on: &str| Action::SetEffectParam {
        chain: "t".into(),
        effect: 0,
        param: "bypass".into(),
        value: ArgValue::Text(on.into()),
    };
    // The pattern falls silent at 0.5 s; with `bypass_until`, the delay
    // is bypassed from then until that frame.
    let run = |frames: usize, bypass_until: Option<usize>| {
        let (mut s, mut e) = prepare(text);
        render_with(&mut s, &mut e, frames, |s, frame| {
            if frame == 24000 {
                s.apply(Action::SetPattern {
                    track: "t".into(),
                    notation: "notes".into(),
                    pattern: "~".into(),
                })
                .unwrap();
                if bypass_until.is_some() {
                    s.apply(bypass("on")).unwrap();
                }
            }
            if Some(frame as usize) == bypass_until {
                s.apply(bypass("off")).unwrap();
            }
        })
    };
    let a = run(12 * 48000, Some(480000));
    let blip = Audio::rms(&a.l[0..4800]);
    let bypassed = Audio::rms(&a.l[30000..480000]);
    assert!(
        blip > 0.01 && bypassed < blip * 1e-3,
        "bypassed: {bypassed}"
    );
    let after = Audio::rms(&a.l[480000..]);
    assert!(
        after < blip * 5e-3,
        "an echo from before the bypass came back: {after} (blip {blip})"
    );
    // Turned back on early (at 2 s), the tail is there as it would have
    // been with the delay left on: the effect kept time while off.
    let early = |toggle: bool| {
        let b = run(4 * 48000, toggle.then_some(96000));
        Audio::rms(&b.l[144000..148800])
    };
    let (toggled, left_on) = (early(true), early(false));
    assert!(left_on > blip * 0.05, "the echo due at 3 s: {left_on}");
    assert!(
        (toggled / left_on - 1.0).abs() < 0.05,
        "the echo due at 3 s: {toggled} after a bypass, {left_on} left on"
    );
}
