//! `analyse_mix`: render the session offline from the bar playing now and
//! measure it, for the model.
//!
//! Runs on the chat worker thread (a render takes a moment; the UI and the
//! audio thread never wait for it). It renders its own copy of the session
//! through a private engine (the live one is untouched): the master, then
//! each audible track soloed. The master is measured by
//! [`crate::analysis`] (EBU R128 loudness, true peak, tempo), the same
//! report as `termdaw analyze`, with its mastering check when the model
//! names a loudness target.

use std::path::Path;

use rustfft::{num_complex::Complex, FftPlanner};

use crate::audio::render;
use crate::engine::dsp::gain_to_db;
use crate::patch::SessionFile;

const RATE: u32 = 48_000;
/// The true-peak limit of the check, dBTP (as `termdaw analyze`'s default).
const TRUE_PEAK_LIMIT: f64 = -1.0;

/// Peak and RMS (dBFS) of planar stereo audio.
fn levels(l: &[f32], r: &[f32]) -> (f32, f32) {
    let peak = l.iter().chain(r).fold(0f32, |m, x| m.max(x.abs()));
    let n = (l.len() + r.len()).max(1) as f64;
    let rms = (l.iter().chain(r).map(|x| (*x as f64).powi(2)).sum::<f64>() / n).sqrt();
    (gain_to_db(peak), gain_to_db(rms as f32))
}

pub(super) fn render_audio(
    file: &SessionFile,
    path: Option<&Path>,
    frames: u64,
    from_beat: f64,
) -> (Vec<f32>, Vec<f32>) {
    let (mut session, mut engine) = render::prepare(file.clone(), path, RATE);
    if from_beat > 0.0 {
        let _ = session.apply(crate::action::Action::Locate { beat: from_beat });
    }
    let (mut l, mut r) = (
        Vec::with_capacity(frames as usize),
        Vec::with_capacity(frames as usize),
    );
    render::run(
        &mut session,
        &mut engine,
        frames,
        256,
        |_, _| {},
        |a, b| {
            l.extend_from_slice(a);
            r.extend_from_slice(b);
        },
    );
    (l, r)
}

/// Share of the energy in four bands: <250 Hz, 250–2k, 2k–6k, >6k.
pub fn bands(mono: &[f32], rate: f32) -> [f64; 4] {
    const N: usize = 4096;
    let fft = FftPlanner::<f32>::new().plan_fft_forward(N);
    let mut acc = [0f64; 4];
    let mut buf = vec![Complex::new(0.0, 0.0); N];
    for chunk in mono.chunks_exact(N) {
        for (i, (b, x)) in buf.iter_mut().zip(chunk).enumerate() {
            let w = 0.5 - 0.5 * (std::f32::consts::TAU * i as f32 / N as f32).cos();
            *b = Complex::new(x * w, 0.0);
        }
        fft.process(&mut buf);
        for (k, c) in buf[1..N / 2].iter().enumerate() {
            let hz = (k + 1) as f32 * rate / N as f32;
            let band = match hz {
                h if h < 250.0 => 0,
                h if h < 2000.0 => 1,
                h if h < 6000.0 => 2,
                _ => 3,
            };
            acc[band] += c.norm_sqr() as f64;
        }
    }
    let total: f64 = acc.iter().sum::<f64>().max(1e-30);
    acc.map(|a| a / total)
}

/// The analysis as text for the model, of `bars` bars from `from_beat`
/// (where the music is now); `target` (LUFS) adds the mastering check of
/// `termdaw analyze --target`.
pub fn analyse(
    file: &SessionFile,
    path: Option<&Path>,
    bars: f64,
    target: Option<f64>,
    from_beat: f64,
) -> String {
    let frames = render::frames_for(file, render::Length::Bars(bars), RATE);
    let (l, r) = render_audio(file, path, frames, from_beat);
    let report = crate::analysis::analyze(&l, &r, RATE as f32);
    let advice = target.map(|t| report.check(t, TRUE_PEAK_LIMIT));
    let mono: Vec<f32> = l.iter().zip(&r).map(|(a, b)| 0.5 * (a + b)).collect();
    let b = bands(&mono, RATE as f32);
    let mut s = format!(
        "rendered {bars} bar(s) from bar {} at {} BPM.\nmaster:\n{}\n\
         spectral balance (share of energy): low <250 Hz {:.0}%, low-mid 250-2k {:.0}%, high-mid 2k-6k {:.0}%, high >6k {:.0}%\n",
        (from_beat / file.time_signature.beats.max(1) as f64).floor() + 1.0,
        file.tempo,
        report.text(advice.as_ref()).trim_end(),
        b[0] * 100.0,
        b[1] * 100.0,
        b[2] * 100.0,
        b[3] * 100.0
    );
    let any_solo = file.tracks.iter().any(|t| t.solo);
    for (i, t) in file.tracks.iter().enumerate() {
        if t.mute || (any_solo && !t.solo) {
            s += &format!("{}: silent (muted or not soloed)\n", t.name);
            continue;
        }
        let mut solo = file.clone();
        for (j, u) in solo.tracks.iter_mut().enumerate() {
            u.solo = i == j;
        }
        let (l, r) = render_audio(&solo, path, frames, from_beat);
        let (p, rms) = levels(&l, &r);
        s += &format!("{}: peak {p:.1} dBFS, RMS {rms:.1} dBFS\n", t.name);
    }
    s
}
