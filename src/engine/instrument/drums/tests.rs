//! Unit tests of the drums voices (test builds only).
use super::super::test_util::{peak, render, rms};
use super::super::voice::STEAL_FADE_S;
use super::*;
use crate::kinds::param::defaults;

const RATE: f32 = 48_000.0;
const KINDS: [DrumKind; 5] = [
    DrumKind::Kick,
    DrumKind::Snare,
    DrumKind::HatClosed,
    DrumKind::HatOpen,
    DrumKind::Clap,
];

fn drum(kind: DrumKind, voices: usize) -> Drum {
    Drum::new(kind, &defaults(kind.params()), voices, RATE)
}

#[test]
fn tables_are_well_formed() {
    for kind in KINDS {
        let t = kind.params();
        assert!((2..=5).contains(&t.len()));
        assert_eq!(t.last().unwrap().name, "pan");
        for p in t {
            assert!(p.min <= p.default && p.default <= p.max, "{}", p.name);
            assert_ne!(Field::of(p.name), Field::None, "{}", p.name);
            assert!(!p.doc.is_empty());
        }
    }
}

#[test]
fn every_drum_hits_decays_and_ends() {
    for kind in KINDS {
        let mut d = drum(kind, 4);
        d.note_on(60.0, 1.0);
        // Longest default decay is 0.5 s; -90 dB is 1.5× that.
        let (l, r) = render(&mut d, (RATE * 1.5) as usize, 256);
        assert!(l.iter().chain(&r).all(|s| s.is_finite()), "{kind:?}");
        let p = peak(&l);
        assert!(p > 0.1 && p < 1.0, "{kind:?} peak {p}");
        let early = rms(&l[..2_400]);
        let late = rms(&l[l.len() / 2..]);
        assert!(late < early * 0.01, "{kind:?} decays: {early} -> {late}");
        assert_eq!(d.active_voices(), 0, "{kind:?} voice freed");
        assert_eq!(
            peak(&l[l.len() - 1_000..]),
            0.0,
            "{kind:?} silent at the end"
        );
    }
}

#[test]
fn longest_settings_still_end_and_stay_finite() {
    for kind in KINDS {
        let table = kind.params();
        let maxed: Vec<f32> = table.iter().map(|p| p.max).collect();
        let mut d = Drum::new(kind, &maxed, 2, RATE);
        d.note_on(127.0, 1.0);
        d.note_on(0.0, 1.0);
        let (l, _) = render(&mut d, (RATE * 5.0) as usize, 1_024);
        assert!(l.iter().all(|s| s.is_finite() && s.abs() < 4.0), "{kind:?}");
        assert_eq!(d.active_voices(), 0, "{kind:?}");
    }
}

#[test]
fn velocity_scales_level() {
    for kind in KINDS {
        let level = |vel: f32| {
            let mut d = drum(kind, 2);
            d.note_on(60.0, vel);
            rms(&render(&mut d, 9_600, 256).0)
        };
        let (full, half) = (level(1.0), level(0.5));
        assert!(
            (half / full - 0.5).abs() < 1e-3,
            "{kind:?}: {half} / {full}"
        );
    }
}

#[test]
fn note_transposes_the_kick() {
    // With no sweep the kick is a decaying sine: count zero crossings
    // to check that note 72 plays it an octave up.
    let crossings = |note: f32| {
        let mut v = defaults(KICK_PARAMS);
        v[2] = 0.0;
        v[3] = 0.0;
        let mut d = Drum::new(DrumKind::Kick, &v, 2, RATE);
        d.note_on(note, 1.0);
        let (l, _) = render(&mut d, 9_700, 256);
        l.windows(2).filter(|w| w[0] < 0.0 && w[1] >= 0.0).count()
    };
    assert_eq!(crossings(60.0), 10, "50 Hz for 0.2 s");
    assert_eq!(crossings(72.0), 20);
}

#[test]
fn note_off_is_ignored_and_all_notes_off_fades_fast() {
    let mut d = drum(DrumKind::HatOpen, 4);
    d.note_on(60.0, 1.0);
    render(&mut d, 480, 480);
    d.note_off(60.0);
    render(&mut d, 4_800, 480);
    assert_eq!(
        d.active_voices(),
        1,
        "an open hat keeps ringing after key-up"
    );
    d.all_notes_off();
    let (l, _) = render(&mut d, 960, 64);
    assert_eq!(d.active_voices(), 0);
    let fade = (STEAL_FADE_S * RATE) as usize + 1;
    assert_eq!(peak(&l[fade..]), 0.0);
    assert!(peak(&l[..48]) > 0.01, "a fade, not a cut");
}

#[test]
fn voice_limit_holds_and_steals_fade_smoothly() {
    // A kick is a low, smooth wave: its natural step is about
    // 2π·f·A/rate (f ≤ 50 Hz · (1 + punch sweep)). Compare the largest
    // step across a steal with the largest step of an undisturbed kick
    // plus what a 5 ms fade can add; a hard cut would step by the full
    // amplitude (~0.6).
    let mut v = defaults(KICK_PARAMS);
    v[3] = 0.0; // no click, so the new hit's own noise does not count
    let mut d = Drum::new(DrumKind::Kick, &v, 2, RATE);
    let (alone, _) = {
        let mut solo = Drum::new(DrumKind::Kick, &v, 2, RATE);
        solo.note_on(60.0, 1.0);
        render(&mut solo, 9_600, 9_600)
    };
    let natural = alone
        .windows(2)
        .fold(0.0f32, |m, w| m.max((w[1] - w[0]).abs()));
    let mut out = Vec::new();
    for k in 0..6 {
        d.note_on(60.0, 1.0);
        assert!(d.alloc.live() <= 2);
        assert!(d.active_voices() <= 4);
        out.extend(render(&mut d, 2_000 + k * 37, 128).0);
    }
    render(&mut d, (RATE * 0.02) as usize, 128);
    assert_eq!(d.active_voices(), 2, "stolen hits freed after the fade");
    let max_step = out
        .windows(2)
        .fold(0.0f32, |m, w| m.max((w[1] - w[0]).abs()));
    let fade_step = peak(&alone) / (STEAL_FADE_S * RATE);
    // Up to three hits overlap (two live, one fading).
    let limit = 3.0 * natural + fade_step;
    assert!(max_step < limit, "step {max_step} vs {limit}");
}

#[test]
fn tone_glides_and_output_is_deterministic() {
    let run = || {
        let mut d = drum(DrumKind::Snare, 4);
        let (mut l, mut r) = (vec![0.5; 24_000], vec![0.5; 24_000]);
        for (k, (cl, cr)) in l.chunks_mut(333).zip(r.chunks_mut(333)).enumerate() {
            if k % 12 == 0 {
                d.note_on(60.0 + (k % 5) as f32, 0.9);
            }
            if k == 30 {
                d.set_param(3, 1.0);
                d.set_param(4, -1.0);
            }
            d.render(cl, cr);
        }
        (d.tone.value, l, r)
    };
    let (a, b) = (run(), run());
    assert_eq!(a.1, b.1);
    assert_eq!(a.2, b.2);
    assert!((a.0 - 1.0).abs() < 1e-3, "tone reached its target: {}", a.0);
    // Bad input is ignored rather than trusted.
    let mut d = drum(DrumKind::Clap, 2);
    d.set_param(17, 1.0);
    d.set_param(0, f32::NAN);
    d.note_on(f32::NAN, 1.0);
    d.note_on(60.0, f32::NAN);
    assert!(render(&mut d, 4_800, 480).0.iter().all(|s| *s == 0.0));
}
