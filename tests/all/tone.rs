//! `termdaw tone`: exact test tones written to a file (pitch within 0.1 %,
//! the level asked, band-limited waves with nothing between their
//! harmonics, sweeps that cover their range) and played through the real
//! ALSA path into a JACK dummy server.

use crate::common::{peak_frequency, spectrum_db as spectrum};
use crate::rig::{self, TempDir};

use crate::common::termdaw_offline as termdaw;

/// Write a tone with `args` and read it back (left channel).
fn tone(dir: &TempDir, name: &str, args: &[&str]) -> Vec<f32> {
    let out = dir.join(name);
    let o = termdaw()
        .arg("tone")
        .args(args)
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    let mut r = hound::WavReader::open(&out).unwrap();
    let spec = r.spec();
    assert_eq!(
        (spec.sample_rate, spec.channels, spec.bits_per_sample),
        (48000, 2, 24)
    );
    let scale = 1.0 / (1u32 << 23) as f32;
    r.samples::<i32>()
        .step_by(2)
        .map(|v| v.unwrap() as f32 * scale)
        .collect()
}

fn peak_db(x: &[f32]) -> f64 {
    20.0 * (x.iter().fold(0.0f32, |m, v| m.max(v.abs())) as f64).log10()
}

#[test]
fn tones_are_at_their_pitch_and_level_and_the_waves_have_nothing_between_harmonics() {
    let dir = TempDir::new("termdaw-tone");
    // A4 and a frequency in Hz: within 0.1 %, peak at the level asked.
    for (args, hz, level) in [
        (vec!["A4"], 440.0, -12.0),
        (vec!["1000", "--level", "-6"], 1000.0, -6.0),
        (vec!["C#3", "--level", "-20"], 138.591_315_5, -20.0),
    ] {
        let x = tone(&dir, "t.wav", &args);
        let steady = &x[4800..x.len() - 4800];
        let f = peak_frequency(steady, 48000.0) as f64;
        assert!((f / hz - 1.0).abs() < 0.001, "{args:?}: {f} Hz, want {hz}");
        let db = peak_db(steady);
        assert!(
            (db - level).abs() < 0.1,
            "{args:?}: peak {db:.2} dBFS, want {level}"
        );
    }
    // A chord of three notes shares the level: its peak is at most the
    // level, and each note is there.
    let x = tone(&dir, "chord.wav", &["C4", "E4", "G4"]);
    assert!(peak_db(&x) <= -12.0 + 0.05, "{}", peak_db(&x));
    let s = spectrum(&x[..65536]);
    let bin = |hz: f64| (hz * 65536.0 / 48000.0).round() as usize;
    for hz in [261.63, 329.63, 392.0] {
        let around = s[bin(hz) - 2..=bin(hz) + 2]
            .iter()
            .cloned()
            .fold(-300.0, f64::max);
        assert!(around > -10.0, "{hz} Hz at {around:.1} dB");
    }
    // A saw at A7 (3520 Hz) has every harmonic below Nyquist and nothing
    // else: away from the harmonics the spectrum is far down.
    for wave in ["saw", "square", "triangle"] {
        let x = tone(
            &dir,
            "wave.wav",
            &["3520", "--wave", wave, "--seconds", "2"],
        );
        let s = spectrum(&x[4800..4800 + 65536]);
        let worst = (bin(100.0)..bin(20000.0))
            .filter(|&b| {
                let hz = b as f64 * 48000.0 / 65536.0;
                let k = (hz / 3520.0).round();
                (hz - k * 3520.0).abs() > 60.0
            })
            .map(|b| s[b])
            .fold(-300.0, f64::max);
        println!("tone: {wave} at 3520 Hz, worst bin between harmonics {worst:.1} dB");
        assert!(worst < -90.0, "{wave}: {worst:.1} dB between harmonics");
    }
}

#[test]
fn a_sweep_covers_its_range_and_noise_is_at_its_level() {
    let dir = TempDir::new("termdaw-sweep");
    let x = tone(
        &dir,
        "sweep.wav",
        &["--sweep", "20:20000", "--seconds", "10"],
    );
    assert_eq!(x.len(), 480_000);
    let f_at = |sec: f64| {
        let i = (sec * 48000.0) as usize;
        peak_frequency(&x[i..i + 8192], 48000.0) as f64
    };
    // Logarithmic: 20 Hz × 1000^(t/10).
    for sec in [2.0, 5.0, 8.0] {
        let want = 20.0 * 1000f64.powf((sec + 8192.0 / 96000.0) / 10.0);
        let got = f_at(sec);
        assert!(
            (got / want - 1.0).abs() < 0.05,
            "at {sec} s: {got:.0} Hz, want {want:.0}"
        );
    }
    let start = f_at(0.05);
    assert!(start < 40.0, "starts at {start} Hz");
    let end = f_at(9.8);
    assert!(end > 15000.0, "ends at {end} Hz");
    for wave in ["noise", "pink"] {
        let x = tone(&dir, "noise.wav", &["--wave", wave, "--level", "-10"]);
        assert!((peak_db(&x) + 10.0).abs() < 0.1, "{wave}: {}", peak_db(&x));
    }
    // Pink falls about 3 dB an octave: 10× the frequency, 10 dB less.
    let x = tone(&dir, "pink.wav", &["--wave", "pink", "--seconds", "4"]);
    let s = spectrum(&x[..131072]);
    let band = |lo: f64, hi: f64| {
        let b = |hz: f64| (hz * 131072.0 / 48000.0) as usize;
        let p: f64 = s[b(lo)..b(hi)].iter().map(|d| 10f64.powf(d / 10.0)).sum();
        10.0 * (p / (b(hi) - b(lo)) as f64).log10()
    };
    let drop = band(200.0, 400.0) - band(2000.0, 4000.0);
    assert!(
        (drop - 10.0).abs() < 2.0,
        "pink: {drop:.1} dB from 300 Hz to 3 kHz"
    );
}

#[test]
fn wrong_tones_are_refused_with_why_and_no_sound_card_is_said() {
    for (args, says) in [
        (vec!["H4"], "H4: not a frequency in Hz or a note"),
        (vec!["30000"], "30000 Hz is outside 1 Hz to 24000 Hz"),
        (
            vec!["--sweep", "20:20000", "--wave", "saw"],
            "a sweep is a sine",
        ),
        (
            vec!["440", "--level", "3"],
            "the level must be between -60 and 0 dBFS",
        ),
        (
            vec!["440", "--seconds", "1000"],
            "a tone lasts 0.01 to 600 seconds",
        ),
        (vec!["440", "-o", "x.ron"], ".ron"),
        (vec![], "give a frequency or a note"),
    ] {
        let o = termdaw().arg("tone").args(&args).output().unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(!o.status.success() && err.contains(says), "{args:?}: {err}");
    }
    let o = termdaw()
        .args(["tone", "440", "--seconds", "0.2"])
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success() && out.contains("nothing played"),
        "{out}"
    );
}

#[test]
fn a_tone_plays_through_alsa_into_jack_at_its_pitch() {
    let test = "tone::a_tone_plays_through_alsa_into_jack_at_its_pitch";
    let Some((_, wav)) = rig::play_into_jack(test, &["tone", "A4", "--seconds", "2"]) else {
        return;
    };
    assert!(
        wav.seconds() > 1.8,
        "{} s reached the device",
        wav.seconds()
    );
    let steady = &wav.channels[1][9600..9600 + 48000];
    let f = peak_frequency(steady, wav.rate as f32);
    assert!((f / 440.0 - 1.0).abs() < 0.001, "{f} Hz");
    let peak = steady.iter().fold(0.0f32, |m, v| m.max(v.abs()));
    let db = 20.0 * (peak as f64).log10();
    assert!(
        (db + 12.0).abs() < 0.2,
        "{db:.2} dBFS through the 16-bit tap"
    );
}
