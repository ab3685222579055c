//! Unit tests of the sample player (test builds only).
use super::super::test_util::render;
use super::super::voice::STEAL_FADE_S;
use super::*;
use crate::kinds::param::defaults;

const RATE: f32 = 48_000.0;

fn sampler_with(changes: &[(&str, f32)], data: SampleData, voices: usize) -> Sampler {
    let mut v = defaults(PARAMS);
    for (name, value) in changes {
        let i = PARAMS.iter().position(|p| p.name == *name).unwrap();
        v[i] = *value;
    }
    Sampler::new(&v, data, voices, RATE)
}

fn dc(frames: usize, level: f32) -> SampleData {
    SampleData {
        left: vec![level; frames],
        right: vec![level; frames],
        markers: Vec::new(),
    }
}

/// Frames until the output goes silent for good.
fn sounding_len(x: &[f32]) -> usize {
    x.iter().rposition(|s| *s != 0.0).map_or(0, |i| i + 1)
}

#[test]
fn table_starts_with_the_file() {
    assert_eq!(PARAMS[0].name, "file");
    assert_eq!(PARAMS[0].kind, crate::kinds::param::ParamKind::Path);
    assert_eq!(PARAMS[P_PAN].name, "pan");
    assert_eq!(PARAMS[P_SLICES].name, "slices");
    assert_eq!(PARAMS[P_SLICE_BY].name, "slice_by");
    assert_eq!(PARAMS[P_SLICE_AT].name, "slice_at");
}

#[test]
fn note_changes_speed_and_length() {
    // 0.1 s of DC: note 60 plays 4800 frames, 72 half, 48 double.
    for (note, want) in [(60.0, 4_800.0), (72.0, 2_400.0), (48.0, 9_600.0)] {
        let mut s = sampler_with(&[], dc(4_800, 0.5), 4);
        s.note_on(note, 1.0);
        let (l, r) = render(&mut s, 12_000, 256);
        let got = sounding_len(&l) as f32;
        assert!(
            (got - want).abs() <= 2.0,
            "note {note}: {got} frames, want {want}"
        );
        assert_eq!(l, r);
        assert_eq!(s.active_voices(), 0);
        // Full level (balance law: centre = unity) in the middle.
        assert!((l[(want / 2.0) as usize] - 0.5).abs() < 1e-4);
    }
    // `pitch` shifts the same way.
    let mut s = sampler_with(&[("pitch", 12.0)], dc(4_800, 0.5), 4);
    s.note_on(60.0, 1.0);
    let got = sounding_len(&render(&mut s, 12_000, 256).0) as f32;
    assert!((got - 2_400.0).abs() <= 2.0, "{got}");
}

#[test]
fn pitch_of_a_sine_follows_the_note() {
    // A 100 Hz sine played at note 67 must come out at 100·2^(7/12) Hz.
    let sine: Vec<f32> = (0..48_000)
        .map(|i| (std::f32::consts::TAU * 100.0 * i as f32 / RATE).sin())
        .collect();
    let mut s = sampler_with(
        &[],
        SampleData {
            left: sine.clone(),
            right: sine,
            markers: Vec::new(),
        },
        2,
    );
    s.note_on(67.0, 1.0);
    let (l, _) = render(&mut s, 24_000, 512);
    let ups: Vec<usize> = (1..l.len())
        .filter(|&i| l[i - 1] < 0.0 && l[i] >= 0.0)
        .collect();
    let (a, b) = (ups[1], *ups.last().unwrap());
    let hz = (ups.len() - 2) as f32 * RATE / (b - a) as f32;
    let want = 100.0 * (7.0f32 / 12.0).exp2();
    assert!((hz / want - 1.0).abs() < 0.001, "{hz} vs {want}");
}

#[test]
fn starts_and_ends_never_click() {
    // A full-scale DC sample is the worst case: without fades it would
    // jump by 1.0 at both ends. The 2 ms attack and 3 ms end fade limit
    // each step to 1/(2 ms · rate) ≈ 0.0104.
    let mut s = sampler_with(&[], dc(2_000, 1.0), 2);
    s.note_on(60.0, 1.0);
    let (l, _) = render(&mut s, 3_000, 100);
    let mut prev = 0.0f32;
    for &x in &l {
        assert!(
            (x - prev).abs() <= 1.0 / (0.002 * RATE) + 1e-6,
            "step {}",
            x - prev
        );
        prev = x;
    }
    // `start` halfway through plays the second half only.
    let mut s = sampler_with(&[("start", 0.5)], dc(2_000, 1.0), 2);
    s.note_on(60.0, 1.0);
    assert!((sounding_len(&render(&mut s, 3_000, 100).0) as i64 - 1_000).abs() <= 2);
}

#[test]
fn note_off_is_one_shot_unless_release() {
    let mut s = sampler_with(&[], dc(9_600, 0.5), 2);
    s.note_on(60.0, 1.0);
    render(&mut s, 100, 100);
    s.note_off(60.0);
    let (l, _) = render(&mut s, 12_000, 256);
    assert!(
        (sounding_len(&l) as i64 - 9_500).abs() <= 2,
        "plays to the end"
    );

    let mut s = sampler_with(&[("release", 0.01)], dc(9_600, 0.5), 2);
    s.note_on(60.0, 1.0);
    render(&mut s, 100, 100);
    s.note_off(60.0);
    let (l, _) = render(&mut s, 12_000, 256);
    assert!(
        (sounding_len(&l) as i64 - 480).abs() <= 2,
        "fades over 10 ms"
    );
    assert_eq!(s.active_voices(), 0);
}

#[test]
fn velocity_gain_and_balance() {
    let level = |vel: f32, changes: &[(&str, f32)]| {
        let mut s = sampler_with(changes, dc(4_800, 0.5), 2);
        s.note_on(60.0, vel);
        let (l, r) = render(&mut s, 4_800, 256);
        (l[2_400], r[2_400])
    };
    assert!((level(0.5, &[]).0 - 0.25).abs() < 1e-4);
    assert!((level(1.0, &[("gain", -6.0)]).0 - 0.5 * 10f32.powf(-0.3)).abs() < 1e-4);
    let (l, r) = level(1.0, &[("pan", -1.0)]);
    assert!((l - 0.5).abs() < 1e-4 && r.abs() < 1e-4);
}

#[test]
fn voice_limit_holds_and_steals_fade() {
    let mut s = sampler_with(&[], dc(48_000, 0.5), 2);
    for _ in 0..5 {
        s.note_on(60.0, 1.0);
        assert!(s.alloc.live() <= 2);
        assert!(s.active_voices() <= 4);
        render(&mut s, 2_000, 500);
    }
    // Each stolen voice ramps down over the steal fade: with a DC
    // sample the output moves at most 0.5 / (5 ms · rate) per sample.
    let mut s = sampler_with(&[], dc(48_000, 0.5), 1);
    s.note_on(60.0, 1.0);
    let (a, _) = render(&mut s, 1_000, 500);
    s.note_on(60.0, 0.0);
    let (b, _) = render(&mut s, 1_000, 100);
    let mut prev = *a.last().unwrap();
    for &x in &b {
        assert!((x - prev).abs() <= 0.5 / (STEAL_FADE_S * RATE) + 1e-6);
        prev = x;
    }
    assert_eq!(s.active_voices(), 1);
    assert_eq!(*b.last().unwrap(), 0.0);
}

#[test]
fn empty_or_odd_data_is_safe() {
    let mut s = sampler_with(&[], SampleData::default(), 2);
    s.note_on(60.0, 1.0);
    assert_eq!(s.active_voices(), 0);
    assert!(render(&mut s, 1_024, 1_024).0.iter().all(|x| *x == 0.0));
    // Mismatched channel lengths play the common part; a huge
    // transposition ends at once; NaNs are ignored.
    let mut s = sampler_with(
        &[],
        SampleData {
            left: vec![0.1; 100],
            right: vec![0.1; 50],
            markers: Vec::new(),
        },
        2,
    );
    s.note_on(60.0, 1.0);
    s.note_on(200.0, 1.0);
    s.note_on(f32::NAN, 1.0);
    s.set_param(3, f32::NAN);
    s.set_param(99, 0.0);
    let (l, _) = render(&mut s, 1_024, 1_024);
    assert!(l.iter().all(|x| x.is_finite()));
    assert!(sounding_len(&l) <= 50);
    assert_eq!(s.active_voices(), 0);
}
