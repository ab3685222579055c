//! Unit tests of the subtractive voices (test builds only).
use super::*;
use crate::kinds::param::defaults;

fn synth(voices: usize) -> Synth {
    Synth::new(&defaults(PARAMS), voices, 48000.0)
}

fn run(s: &mut Synth, frames: usize) -> (Vec<f32>, Vec<f32>) {
    let mut l = vec![0.0; frames];
    let mut r = vec![0.0; frames];
    for (cl, cr) in l.chunks_mut(64).zip(r.chunks_mut(64)) {
        s.render(cl, cr);
    }
    (l, r)
}

#[test]
fn fast_math_is_accurate() {
    for i in 0..100 {
        let x = i as f32 * 0.015;
        assert!(
            (fast_tan(x) - x.tan()).abs() < 1e-4 * x.tan().max(1.0),
            "tan {x}"
        );
        let e = i as f32 * 0.2 - 10.0;
        assert!((fast_exp2(e) / e.exp2() - 1.0).abs() < 3e-4, "exp2 {e}");
        let t = i as f32 / 100.0;
        assert!(
            (sin_unit_turn(t) - (t * std::f32::consts::TAU).sin()).abs() < 1e-4,
            "sin {t}"
        );
    }
}

#[test]
fn note_sounds_then_releases_and_frees_its_voice() {
    let mut s = synth(4);
    s.note_on(57.0, 1.0);
    let (l, _) = run(&mut s, 4800);
    assert!(l.iter().any(|x| x.abs() > 0.05));
    s.note_off(57.0);
    let _ = run(&mut s, 48000);
    assert_eq!(s.active_voices(), 0);
    let (l, _) = run(&mut s, 512);
    assert!(l.iter().all(|x| *x == 0.0));
}

#[test]
fn voice_limit_holds_and_stealing_does_not_click() {
    // A pure low sine moves at most 2*pi*f/rate*amp per sample (< 0.01
    // here), so any step above 0.05 is a discontinuity: a click.
    let mut values = defaults(PARAMS);
    values[P_WAVE] = 0.0;
    values[P_UNISON] = 1.0;
    values[P_SUSTAIN] = 1.0;
    let mut s = Synth::new(&values, 2, 48000.0);
    let mut prev = 0.0f32;
    let mut max_step = 0.0f32;
    for k in 0..10 {
        s.note_on(40.0 + k as f32, 1.0);
        let (l, _) = run(&mut s, 2000);
        for x in l {
            max_step = max_step.max((x - prev).abs());
            prev = x;
        }
        assert!(s.alloc.live() <= 2);
    }
    assert!(max_step < 0.05, "max step {max_step}");
}
