//! Offline processing: each operation measured, the command, and the
//! `process_sample` action on a session's sample track.

use std::process::Command;

use termdaw::action::{Action, ArgValue};
use termdaw::analysis::{loudness, peak};
use termdaw::process::{self, ops, Buffer, Echo, Options};

use crate::common::{peak_frequency, prepare};

const SR: f32 = 48000.0;

fn sine(freq: f32, amp: f32, secs: f32) -> Vec<f32> {
    (0..(secs * SR) as usize)
        .map(|i| amp * (std::f64::consts::TAU * freq as f64 * i as f64 / SR as f64).sin() as f32)
        .collect()
}

fn buf(x: Vec<f32>) -> Buffer {
    Buffer {
        left: x.clone(),
        right: x,
        rate: SR,
    }
}

#[test]
fn speed_reverse_and_fades() {
    let mut b = buf(sine(300.0, 0.5, 1.0));
    ops::speed(&mut b, 2.0);
    assert!((b.len() as i64 - 24000).abs() <= 1, "{}", b.len());
    let f = peak_frequency(&b.left[2000..18384], SR);
    assert!((f / 600.0 - 1.0).abs() < 0.003, "{f}");

    let ramp: Vec<f32> = (0..1000).map(|i| i as f32 / 1000.0).collect();
    let mut b = buf(ramp.clone());
    ops::reverse(&mut b);
    assert_eq!(b.left[0], ramp[999]);
    assert_eq!(b.right[999], ramp[0]);

    let mut b = buf(vec![0.5; 48000]);
    ops::fade_in(&mut b, 0.1);
    ops::fade_out(&mut b, 0.2);
    assert_eq!(b.left[0], 0.0);
    assert!((b.left[2400] - 0.25).abs() < 1e-3);
    assert!((b.left[24000] - 0.5).abs() < 1e-6);
    assert!((b.left[48000 - 4800] - 0.25).abs() < 1e-3);
    assert_eq!(b.left[47999], 0.0);
}

#[test]
fn echo_repeats_and_extends_the_tail() {
    let mut x = vec![0.0f32; 4800];
    x[0] = 1.0;
    let mut b = buf(x);
    ops::echo(&mut b, Echo::Light);
    // 0.25 s, feedback 0.25, mix 0.2: dry 0.8, repeats 0.2, 0.05, 0.0125.
    assert!((b.left[0] - 0.8).abs() < 1e-5);
    assert!((b.left[12000] - 0.2).abs() < 1e-5);
    assert!((b.left[24000] - 0.05).abs() < 1e-5);
    assert!(b.len() > 48000, "tail kept: {}", b.len());
}

#[test]
fn normalize_reaches_the_target_and_keeps_true_peak_under_minus_1() {
    let mut b = buf(sine(1000.0, 0.1, 10.0));
    let n = ops::normalize(&mut b, -14.0, -1.0).unwrap();
    assert!(!n.limited, "{n:?}");
    assert!((n.before_lufs + 20.0).abs() < 0.1, "{n:?}");
    let i = loudness::measure(&b.left, &b.right, SR as f64).integrated;
    assert!((i + 14.0).abs() < 0.1, "{i}");
    // Peaky material: reaching -8 LUFS needs the limiter.
    let mut x = sine(200.0, 0.05, 10.0);
    for k in (0..x.len()).step_by(24000) {
        x[k] = 0.9;
    }
    let mut b = buf(x);
    let n = ops::normalize(&mut b, -8.0, -1.0).unwrap();
    assert!(n.limited);
    let tp = peak::to_db(peak::true_peak(&b.left) as f64);
    assert!(tp <= -1.0, "true peak {tp}");
    let i = loudness::measure(&b.left, &b.right, SR as f64).integrated;
    assert!((i + 8.0).abs() < 0.2, "{i}");
    assert!(ops::normalize(&mut buf(vec![0.0; 48000]), -14.0, -1.0).is_none());
}

#[test]
fn options_parse_and_check() {
    let o =
        Options::parse("--speed 1.5 --reverse --fade-out 0.2 echo medium --normalize -14").unwrap();
    assert_eq!(o.speed, Some(1.5));
    assert!(o.reverse);
    assert_eq!(o.fade_out, Some(0.2));
    assert_eq!(o.echo, Some(Echo::Medium));
    assert_eq!(o.normalize, Some(-14.0));
    assert!(Options::parse("--speed 20")
        .unwrap_err()
        .to_string()
        .contains("speed"));
    assert!(Options::parse("--echo huge")
        .unwrap_err()
        .to_string()
        .contains("light"));
    assert!(Options::parse("--wobble")
        .unwrap_err()
        .to_string()
        .contains("unknown"));
}

fn write_wav(path: &std::path::Path, x: &[f32]) {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 48000,
        bits_per_sample: 32,
        sample_format: hound::SampleFormat::Float,
    };
    let mut w = hound::WavWriter::create(path, spec).unwrap();
    for v in x {
        w.write_sample(*v).unwrap();
    }
    w.finalize().unwrap();
}

#[test]
fn process_command_and_the_process_sample_action() {
    let dir = std::env::temp_dir().join(format!("termdaw-process-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let input = dir.join("in.wav");
    // A 300 Hz tone swelling from silence.
    let ramp: Vec<f32> = sine(300.0, 0.5, 1.0)
        .iter()
        .enumerate()
        .map(|(i, v)| v * i as f32 / 48000.0)
        .collect();
    write_wav(&input, &ramp);
    let out = dir.join("out.wav");
    let o = Command::new(env!("CARGO_BIN_EXE_termdaw"))
        .arg("process")
        .arg(&input)
        .args(["--speed", "2", "--reverse", "--fade-out", "0.01", "-o"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let d = termdaw::sample::load_audio(&out).unwrap();
    assert!((d.left.len() as i64 - 24000).abs() <= 1);
    let rms = termdaw::analysis::peak::rms;
    assert!(
        rms(&d.left[..2000]) > 4.0 * rms(&d.left[20000..22000]),
        "the reversed swell fades away"
    );
    let o = Command::new(env!("CARGO_BIN_EXE_termdaw"))
        .args(["process", "nope.flac", "--reverse", "-o"])
        .arg(dir.join("x.wav"))
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("nope.flac"));

    // The action: the track ends up playing a processed copy; undo restores.
    let text = format!(
        "Session(tempo: 120, tracks: [Track(name: \"s\", instrument: Sample(file: {:?}), pattern: Steps(\"x\")), Track(name: \"k\", instrument: Kick())])",
        input.display().to_string()
    );
    let (mut s, _e) = prepare(&text);
    s.set_processed_dir(dir.join("processed"));
    let r = s
        .apply(Action::ProcessSample {
            track: "s".into(),
            ops: "--reverse --normalize -20".into(),
        })
        .unwrap_or_else(|e| panic!("{e}"));
    // Live (an engine is attached), it runs beside the control loop: the
    // action answers at once and the change lands on a later turn.
    assert!(
        r.description.contains("reverse") && r.description.contains("processing"),
        "{}",
        r.description
    );
    assert!(s.is_processing());
    let t0 = std::time::Instant::now();
    while s.is_processing() {
        assert!(t0.elapsed().as_secs() < 30, "the processing never landed");
        std::thread::sleep(std::time::Duration::from_millis(5));
        s.tick();
    }
    let notices = s.take_notices();
    assert!(
        notices
            .iter()
            .any(|n| n.starts_with("s: reverse") && n.contains("→")),
        "{notices:?}"
    );
    let now = s
        .file()
        .track("s")
        .unwrap()
        .instrument
        .path
        .clone()
        .unwrap();
    assert!(
        now.starts_with(dir.join("processed").to_str().unwrap()),
        "{now}"
    );
    let d = termdaw::sample::load_audio(std::path::Path::new(&now)).unwrap();
    let i = loudness::measure(&d.left, &d.right, 48000.0).integrated;
    assert!((i + 20.0).abs() < 0.2, "{i}");
    s.apply(Action::Undo {}).unwrap();
    assert_eq!(
        s.file().track("s").unwrap().instrument.path.as_deref(),
        Some(input.to_str().unwrap())
    );
    assert!(s
        .apply(Action::ProcessSample {
            track: "k".into(),
            ops: "--reverse".into()
        })
        .is_err());
    assert!(s
        .apply(Action::ProcessSample {
            track: "s".into(),
            ops: "--speed fast".into()
        })
        .is_err());
    let _ = ArgValue::Bool(true);
    let _ = process::TRUE_PEAK_LIMIT;
    let _ = std::fs::remove_dir_all(dir);
}
