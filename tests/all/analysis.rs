//! Analysis against signals with known answers: EBU R128 loudness on the
//! Tech 3341-style references, true peak on inter-sample overs, centroid,
//! onsets, tempo, pitch, the mastering check and the `analyze` command.

use std::process::Command;

use termdaw::analysis::{self, loudness, peak};

const SR: f32 = 48000.0;

fn sine(freq: f32, dbfs: f32, secs: f32, phase: f32) -> Vec<f32> {
    let a = 10f64.powf(dbfs as f64 / 20.0);
    (0..(secs * SR) as usize)
        .map(|i| {
            let t = i as f64 / SR as f64;
            (a * (std::f64::consts::TAU * freq as f64 * t + phase as f64).sin()) as f32
        })
        .collect()
}

fn integrated(l: &[f32], r: &[f32]) -> f64 {
    loudness::measure(l, r, SR as f64).integrated
}

#[test]
fn a_1khz_sine_at_minus_23_dbfs_reads_minus_23_lufs() {
    let x = sine(1000.0, -23.0, 20.0, 0.0);
    // Stereo, both channels (EBU Tech 3341 case 1), and mono read as dual mono.
    let m = loudness::measure(&x, &x, SR as f64);
    assert!((m.integrated + 23.0).abs() < 0.1, "{}", m.integrated);
    assert!((m.short_term_max + 23.0).abs() < 0.1);
    assert!((m.momentary_max + 23.0).abs() < 0.1);
    assert!(m.range < 0.1);
    // Case 2: -33 dBFS.
    let y = sine(1000.0, -33.0, 20.0, 0.0);
    assert!((integrated(&y, &y) + 33.0).abs() < 0.1);
    // One channel only carries half the power: 3 dB less.
    let z = vec![0.0; x.len()];
    assert!((integrated(&x, &z) + 26.01).abs() < 0.1);
    // Other rates give the same answer.
    let x44: Vec<f32> = (0..44100 * 10)
        .map(|i| {
            10f32.powf(-23.0 / 20.0) * (std::f32::consts::TAU * 1000.0 * i as f32 / 44100.0).sin()
        })
        .collect();
    let m44 = loudness::measure(&x44, &x44, 44100.0).integrated;
    assert!((m44 + 23.0).abs() < 0.1, "{m44}");
}

#[test]
fn the_live_meter_reads_the_ebu_references_like_the_file_analysis() {
    // -23 dBFS for 4 s, then -33 dBFS: momentary follows within 400 ms,
    // short-term within 3 s, each reading what `measure` reads of the same
    // window.
    let mut x = sine(1000.0, -23.0, 4.0, 0.0);
    x.extend(sine(1000.0, -33.0, 4.0, 0.0));
    let inter: Vec<f32> = x.iter().flat_map(|v| [*v, *v]).collect();
    let mut m = loudness::Meter::new(SR as f64);
    m.push_interleaved(&inter[..2 * 19200]);
    assert_eq!(m.momentary().map(|_| ()), Some(()), "400 ms heard");
    assert_eq!(m.short_term(), None, "no short-term reading before 3 s");
    m.push_interleaved(&inter[2 * 19200..2 * 4 * 48000]);
    let (mo, st) = (m.momentary().unwrap(), m.short_term().unwrap());
    assert!(
        (mo + 23.0).abs() < 0.1 && (st + 23.0).abs() < 0.1,
        "{mo} {st}"
    );
    // Odd-sized pushes (a UI reading the tap at its own pace) change nothing.
    for chunk in inter[2 * 4 * 48000..].chunks(2 * 777) {
        m.push_interleaved(chunk);
    }
    let (mo, st) = (m.momentary().unwrap(), m.short_term().unwrap());
    assert!(
        (mo + 33.0).abs() < 0.1 && (st + 33.0).abs() < 0.1,
        "{mo} {st}"
    );
    let file = loudness::measure(&x, &x, SR as f64);
    let last = file.short_term.last().copied().unwrap();
    assert!((st - last).abs() < 0.01, "live {st} vs file {last}");
}

#[test]
fn gating_ignores_quiet_passages_and_silence() {
    // Tech 3341 cases 3/4 in small: -36 / -23 / -36 dBFS → -23.0 LUFS.
    let mut x = sine(1000.0, -36.0, 10.0, 0.0);
    x.extend(sine(1000.0, -23.0, 20.0, 0.0));
    x.extend(sine(1000.0, -36.0, 10.0, 0.0));
    let i = integrated(&x, &x);
    assert!((i + 23.0).abs() < 0.1, "{i}");
    // Silence around a tone is below the absolute gate. (The six blocks
    // that straddle the edges are partly silent but pass both gates, as
    // BS.1770 says they should: 100 block-powers over 103 blocks, -0.13 dB.)
    let mut y = vec![0.0; 48000 * 10];
    y.extend(sine(1000.0, -20.0, 10.0, 0.0));
    y.extend(vec![0.0; 48000 * 10]);
    let i = integrated(&y, &y);
    assert!((i + 20.13).abs() < 0.05, "{i}");
    assert!(integrated(&[0.0; 48000], &[0.0; 48000]).is_infinite());
}

#[test]
fn true_peak_finds_inter_sample_overs() {
    // A 12 kHz sine at 45° phase: every sample sits at ±0.707 of the crest.
    let x = sine(12000.0, 0.0, 1.0, std::f32::consts::FRAC_PI_4);
    let sp = peak::to_db(peak::sample_peak(&x) as f64);
    let tp = peak::to_db(peak::true_peak(&x) as f64);
    assert!((sp + 3.01).abs() < 0.05, "sample peak {sp}");
    assert!((-0.4..=0.2).contains(&tp), "true peak {tp} dBTP (want 0)");
    // Lower frequencies: true peak ≈ sample peak ≈ the crest.
    for f in [997.0, 5000.0, 8000.0] {
        let y = sine(f, -6.0, 1.0, 0.3);
        let tp = peak::to_db(peak::true_peak(&y) as f64);
        assert!((tp + 6.0).abs() < 0.2, "{f} Hz: {tp}");
    }
    // Never below the sample peak.
    let mut clicks = vec![0.0f32; 1000];
    clicks[500] = 0.9;
    assert!(peak::true_peak(&clicks) >= 0.9);
}

fn clicks(bpm: f64, secs: f64) -> Vec<f32> {
    let n = (secs * SR as f64) as usize;
    let mut x = vec![0.0f32; n];
    let period = 60.0 / bpm * SR as f64;
    let mut k = 0.0;
    let mut seed = 1u32;
    while (k as usize) < n {
        let s = k as usize;
        for i in 0..2400.min(n - s) {
            seed = seed.wrapping_mul(1664525).wrapping_add(1013904223);
            let noise = (seed >> 8) as f32 / (1u32 << 24) as f32 * 2.0 - 1.0;
            x[s + i] = 0.5 * noise * (-(i as f32) / 300.0).exp();
        }
        k += period;
    }
    x
}

#[test]
fn onsets_and_tempo_of_a_click_track() {
    for bpm in [100.0, 120.0, 128.0] {
        let x = clicks(bpm, 12.0);
        let r = analysis::analyze(&x, &x, SR);
        let period = 60.0 / bpm;
        let want = (12.0 / period).ceil() as usize;
        assert_eq!(r.onsets.len(), want, "{bpm}: {:?}", r.onsets);
        for (k, t) in r.onsets.iter().enumerate() {
            assert!(
                (t - k as f64 * period).abs() < 0.015,
                "{bpm}: onset {k} at {t}"
            );
        }
        let tempo = r.tempo.unwrap();
        assert!((tempo - bpm).abs() < 1.5, "{bpm}: estimated {tempo}");
    }
}

#[test]
fn centroid_and_pitch_of_tones() {
    let x = sine(1000.0, -12.0, 2.0, 0.0);
    let r = analysis::analyze(&x, &x, SR);
    assert!((r.centroid - 1000.0).abs() < 20.0, "{}", r.centroid);
    let mut y = sine(220.0, -12.0, 1.0, 0.0);
    y.extend(sine(330.0, -12.0, 1.0, 0.0));
    let r = analysis::analyze(&y, &y, SR);
    let at = |t: f64| {
        r.pitch
            .iter()
            .min_by(|a, b| (a.time - t).abs().total_cmp(&(b.time - t).abs()))
            .and_then(|p| p.hz)
            .unwrap()
    };
    assert!((at(0.5) / 220.0 - 1.0).abs() < 0.005, "{}", at(0.5));
    assert!((at(1.5) / 330.0 - 1.0).abs() < 0.005, "{}", at(1.5));
    let silent = analysis::analyze(&[0.0; 48000], &[0.0; 48000], SR);
    assert!(silent.pitch.iter().all(|p| p.hz.is_none()));
}

#[test]
fn the_mastering_check_says_what_to_change() {
    let x = sine(1000.0, -23.0, 10.0, 0.0);
    let r = analysis::analyze(&x, &x, SR);
    let a = r.check(-14.0, -1.0);
    assert!(!a.ok);
    assert!((a.gain - 9.0).abs() < 0.1);
    assert!(
        a.lines[0].contains("raise the master by 9.0 dB"),
        "{:?}",
        a.lines
    );
    assert!(r.check(-23.0, -1.0).ok);
    // Loud with overs: lower it and mind the peaks.
    let y = sine(12000.0, 0.0, 10.0, std::f32::consts::FRAC_PI_4);
    let a = analysis::analyze(&y, &y, SR).check(-14.0, -1.0);
    assert!(
        a.lines.iter().any(|l| l.contains("true peak")),
        "{:?}",
        a.lines
    );
}

#[test]
fn analyze_command_reads_a_wav_and_prints_json() {
    let path = std::env::temp_dir().join(format!("termdaw-analyze-{}.wav", std::process::id()));
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 48000,
        bits_per_sample: 32,
        sample_format: hound::SampleFormat::Float,
    };
    let mut w = hound::WavWriter::create(&path, spec).unwrap();
    for v in sine(1000.0, -23.0, 5.0, 0.0) {
        w.write_sample(v).unwrap();
    }
    w.finalize().unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_termdaw"))
        .arg("analyze")
        .arg(&path)
        .args(["--json", "--target", "-14"])
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "{out}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        out.starts_with('{') && out.trim_end().ends_with('}'),
        "{out}"
    );
    let field = |name: &str| -> f64 {
        let at = out.find(&format!("\"{name}\":")).unwrap() + name.len() + 3;
        let end = out[at..].find([',', '}']).unwrap();
        out[at..at + end].parse().unwrap()
    };
    assert!((field("integrated_lufs") + 23.0).abs() < 0.1, "{out}");
    assert!((field("gain_db") - 9.0).abs() < 0.1, "{out}");
    let o = Command::new(env!("CARGO_BIN_EXE_termdaw"))
        .args(["analyze", "no/such/file.wav"])
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("not found"));
    let _ = std::fs::remove_file(path);
    // A session is rendered first.
    let o = Command::new(env!("CARGO_BIN_EXE_termdaw"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["analyze", "patches/palette.ron", "--bars", "4"])
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "{out}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let tempo: f64 = out
        .lines()
        .find(|l| l.starts_with("tempo"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|t| t.parse().ok())
        .unwrap_or_else(|| panic!("{out}"));
    assert!((tempo - 112.0).abs() < 1.5, "{out}");
}

#[test]
fn the_starter_kit_loads_and_the_tonal_samples_are_in_tune() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("samples");
    let mut n = 0;
    for e in std::fs::read_dir(&dir).unwrap().flatten() {
        let p = e.path();
        if p.extension().is_some_and(|x| x == "wav") {
            let d = termdaw::sample::load_audio(&p).unwrap_or_else(|e| panic!("{e}"));
            assert!(
                peak::sample_peak(&d.left) > 0.05,
                "{} is audible",
                p.display()
            );
            let src = dir
                .join("sources")
                .join(p.file_stem().unwrap())
                .with_extension("ron");
            assert!(src.exists(), "{} has its source", p.display());
            n += 1;
        }
    }
    assert!(n >= 10, "{n} samples");
    for (name, hz) in [("bass", 55.0), ("pluck", 261.63), ("bell", 440.0)] {
        let d = termdaw::sample::load_audio(&dir.join(format!("{name}.wav"))).unwrap();
        let r = analysis::analyze(&d.left, &d.right, d.rate);
        let p = r.median_pitch().unwrap();
        assert!((p / hz - 1.0).abs() < 0.01, "{name}: {p} Hz");
    }
}

#[test]
fn the_chat_mix_analysis_reports_loudness_and_the_check_from_the_same_analysis() {
    let text = "Session(tempo: 120, tracks: [Track(name: \"k\", instrument: Kick(), pattern: Steps(\"x...x...x...x...\"))])";
    let file = termdaw::patch::parse("mix.ron", text).unwrap();
    let r = termdaw::chat::analyse::analyse(&file, None, 4.0, Some(-14.0), 0.0);
    assert!(r.contains("integrated"), "{r}");
    assert!(r.contains("true peak"), "{r}");
    assert!(r.contains("check against -14.0 LUFS / -1.0 dBTP"), "{r}");
    let tempo: f64 = r
        .lines()
        .find(|l| l.starts_with("tempo"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|t| t.parse().ok())
        .unwrap();
    assert!((tempo - 120.0).abs() < 1.5, "{r}");
    // The same numbers as `termdaw analyze` on the same render.
    let (l, rr) = termdaw::audio::render::render_buffers(
        file,
        None,
        termdaw::audio::render::Length::Bars(4.0),
        48000,
    )
    .unwrap();
    let report = analysis::analyze(&l, &rr, 48000.0);
    let line = format!("integrated       {:.1} LUFS", report.loudness.integrated);
    assert!(r.contains(&line), "{line} not in\n{r}");
}
