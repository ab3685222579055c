//! Oscillator aliasing benchmark: alias energy of each band-limited wave
//! at A5 (880 Hz) and A7 (3520 Hz), 48 kHz: one voice, filter open, 1 s
//! steady, Blackman-Harris window, energy more than 6 Hz from every
//! harmonic line between 20 Hz and 16 kHz, relative to the harmonics, in
//! dB (lower is cleaner). scsynth's band-limited `Saw`, measured the same
//! way beside termdaw, reads about -72 dB at A7 and -63 dB at A5.
//!
//! The `Synth` waves (PolyBLEP) are measured beside the `Tone` instrument's
//! table waves (every harmonic under Nyquist, none over), the anchor of what
//! band-limited tables reach in the same run.
//!
//! Run with `cargo bench --bench aliasing`.

use rustfft::{num_complex::Complex, FftPlanner};
use termdaw::audio::render::{render_buffers, Length};

const RATE: u32 = 48_000;
/// Away from a harmonic line by more than this is alias (Hz).
const LINE_HZ: f64 = 6.0;

/// Alias energy relative to the harmonics of `f0`, dB.
fn alias_db(x: &[f32], f0: f64) -> f64 {
    let n = x.len();
    let fft = FftPlanner::<f64>::new().plan_fft_forward(n);
    let tau = std::f64::consts::TAU;
    let mut buf: Vec<Complex<f64>> = x
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let p = i as f64 / n as f64;
            let w = 0.35875 - 0.48829 * (tau * p).cos() + 0.14128 * (2.0 * tau * p).cos()
                - 0.01168 * (3.0 * tau * p).cos();
            Complex::new(*v as f64 * w, 0.0)
        })
        .collect();
    fft.process(&mut buf);
    let bin = RATE as f64 / n as f64;
    let (mut harm, mut alias) = (0.0f64, 0.0f64);
    for (k, c) in buf[..n / 2].iter().enumerate() {
        let hz = k as f64 * bin;
        let p = c.norm_sqr();
        let nearest = (hz / f0).round().max(1.0) * f0;
        if (hz - nearest).abs() <= LINE_HZ {
            harm += p;
        } else if (20.0..=16_000.0).contains(&hz) {
            alias += p;
        }
    }
    10.0 * (alias.max(1e-300) / harm.max(1e-300)).log10()
}

/// One voice of `instrument` holding `note`: one steady second.
fn steady(instrument: &str, note: &str) -> Vec<f32> {
    let text = format!(
        "Session(tempo: 60, tracks: [Track(name: \"o\", instrument: {instrument}, pattern: Notes(\"{note}\"), resolution: 1, gate: 1, volume: -6)])"
    );
    let file = termdaw::patch::parse("bench.ron", &text).expect("bench session");
    let (l, _) = render_buffers(file, None, Length::Seconds(2.0), RATE).expect("render");
    l[RATE as usize / 2..RATE as usize * 3 / 2].to_vec()
}

fn main() {
    if std::env::args().any(|a| a == "--test" || a == "--list") {
        return;
    }
    println!("termdaw oscillator aliasing at {RATE} Hz: alias energy re the harmonics, 20 Hz - 16 kHz, dB (lower is cleaner)");
    println!("{:<36} {:>9} {:>9}", "oscillator", "A5", "A7");
    let synth = |w: &str| {
        format!("Synth(wave: {w}, unison: 1, cutoff: 20000, q: 0.707, env_amount: 0, attack: 0, sustain: 1)")
    };
    let tone = |w: &str| format!("Tone(wave: {w}, level: -6)");
    for (label, inst) in [
        ("Synth saw (PolyBLEP)", synth("Saw")),
        ("Synth square (PolyBLEP)", synth("Square")),
        ("Synth triangle", synth("Triangle")),
        ("Tone saw (band-limited table)", tone("Saw")),
        ("Tone square (band-limited table)", tone("Square")),
        ("Tone triangle (band-limited table)", tone("Triangle")),
    ] {
        let a5 = alias_db(&steady(&inst, "a5"), 880.0);
        let a7 = alias_db(&steady(&inst, "a7"), 3520.0);
        println!("{label:<36} {a5:>9.1} {a7:>9.1}");
    }
}
