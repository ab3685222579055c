//! Every instrument makes the sound it should: the right pitch, a decay that
//! ends, sample playback.

use crate::common::*;

fn one_note(instrument: &str, note: &str, frames: usize) -> Audio {
    let text = format!(
        "Session(tempo: 120, tracks: [Track(name: \"t\", instrument: {instrument}, pattern: Notes(\"{note}\"), resolution: 1, gate: 1)])"
    );
    render_text(&text, frames)
}

fn hz(midi: f32) -> f32 {
    440.0 * 2f32.powf((midi - 69.0) / 12.0)
}

fn assert_pitch(instrument: &str, midi: i32) {
    let a = one_note(instrument, &midi.to_string(), 48000 + 65536);
    let f = if instrument.starts_with("Synth") {
        peak_frequency(&a.l[9600..9600 + 65536], RATE as f32)
    } else {
        autocorr_pitch(&a.l[4800..4800 + 16384], RATE as f32)
    };
    let want = hz(midi as f32);
    let err = (f / want - 1.0).abs();
    assert!(
        err < 0.005,
        "{instrument} note {midi}: {f} Hz, want {want} Hz ({:.3} %)",
        err * 100.0
    );
}

#[test]
fn synth_pitch_is_within_half_a_percent() {
    for wave in ["Sine", "Saw", "Square", "Triangle"] {
        for midi in [45, 57, 69, 81] {
            assert_pitch(
                &format!("Synth(wave: {wave}, sustain: 1, cutoff: 20000)"),
                midi,
            );
        }
    }
    // The default two-oscillator detuned saw through the filter, too.
    assert_pitch("Synth(sustain: 1)", 57);
}

#[test]
fn fm_and_pluck_pitch_is_within_half_a_percent() {
    for midi in [45, 60, 72] {
        assert_pitch("Fm(sustain: 1)", midi);
        assert_pitch("Pluck()", midi);
    }
}

#[test]
fn every_drum_hits_and_dies_away() {
    for drum in ["Kick()", "Snare()", "HatClosed()", "HatOpen()", "Clap()"] {
        let text = format!(
            "Session(tempo: 120, tracks: [Track(name: \"d\", instrument: {drum}, pattern: Steps(\"x...............\"))])"
        );
        let a = render_text(&text, 96000);
        let head = Audio::rms(&a.l[..4800]);
        let tail = Audio::rms(&a.l[90000..]);
        assert!(head > 0.01, "{drum} is audible: {head}");
        assert!(tail < head * 0.001, "{drum} decays: {head} → {tail}");
        assert!(a.l.iter().all(|x| x.is_finite()));
    }
}

#[test]
fn sample_player_plays_a_wav_at_its_pitch() {
    let dir = std::env::temp_dir().join(format!("termdaw-sample-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let wav = dir.join("tone.wav");
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 44100,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(&wav, spec).unwrap();
    for i in 0..44100 {
        let x = (i as f32 * 440.0 * std::f32::consts::TAU / 44100.0).sin() * 0.5;
        w.write_sample((x * 32767.0) as i16).unwrap();
    }
    w.finalize().unwrap();
    let text = format!(
        "Session(tempo: 120, tracks: [Track(name: \"s\", instrument: Sample(file: {:?}), pattern: Steps(\"x\"), resolution: 1)])",
        wav.display().to_string()
    );
    let a = render_text(&text, 48000);
    let f = peak_frequency(&a.l[2000..2000 + 32768], RATE as f32);
    assert!(
        (f / 440.0 - 1.0).abs() < 0.005,
        "{f} Hz after resampling 44.1 → 48 kHz"
    );
    let missing = "Session(tracks: [Track(name: \"s\", instrument: Sample(file: \"/nope/x.wav\"), pattern: Steps(\"x\"))])";
    let (mut s, _e) = prepare(missing);
    let notices = s.take_notices();
    assert!(
        notices.iter().any(|n| n.contains("/nope/x.wav")),
        "{notices:?}"
    );
}

#[test]
fn a_tone_plays_its_note_or_its_fixed_frequency_at_its_level_and_does_not_alias() {
    // A written note plays at velocity 0.8; the centre of the track's
    // balance is unity gain.
    let velocity_db = 20.0 * 0.8f64.log10();
    let peak_db = |x: &[f32]| 20.0 * (x.iter().fold(0.0f32, |m, v| m.max(v.abs())) as f64).log10();
    for (instrument, note, want_hz, level) in [
        ("Tone()", "a4", 440.0, -12.0),
        ("Tone(freq: 1000, level: -6)", "c2", 1000.0, -6.0),
        ("Tone(wave: Saw, level: -20)", "c3", 130.812_78, -20.0),
    ] {
        let a = one_note(instrument, note, 48000 + 65536);
        let steady = &a.l[9600..9600 + 65536];
        let f = peak_frequency(steady, RATE as f32) as f64;
        assert!(
            (f / want_hz - 1.0).abs() < 0.001,
            "{instrument} {note}: {f} Hz, want {want_hz}"
        );
        let db = peak_db(steady) - velocity_db;
        assert!(
            (db - level).abs() < 0.1,
            "{instrument}: {db:.2} dBFS, want {level}"
        );
    }
    // A saw at A7: every harmonic below Nyquist and nothing between them.
    let a = one_note("Tone(wave: Saw)", "a7", 48000 + 65536);
    let x = &a.l[9600..9600 + 65536];
    let db = spectrum_db(x);
    let n = x.len();
    let worst = (0..n / 2)
        .filter(|&b| {
            let hz = b as f64 * RATE as f64 / n as f64;
            let k = (hz / 3520.0).round();
            hz > 100.0 && hz < 20000.0 && (hz - k * 3520.0).abs() > 60.0
        })
        .map(|b| db[b])
        .fold(-300.0, f64::max);
    println!("Tone saw at A7: worst bin between harmonics {worst:.1} dB");
    assert!(worst < -80.0, "{worst:.1} dB between the harmonics");
}
