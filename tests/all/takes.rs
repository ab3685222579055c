//! Takes: the real binary records through its device path (the silent
//! sink's callbacks without a sound card, at the buffer asked for), with
//! OSC changes, notes and a reload arriving while it plays; `termdaw
//! replay` renders the take again from its log, sample for sample.

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::common::termdaw_offline as termdaw;

const SESSION: &str = r#"Session(
    tempo: 132,
    tracks: [
        Track(name: "kick", instrument: Kick(), pattern: Steps("x...x...x...x...")),
        Track(name: "lead", instrument: Synth(wave: Saw, cutoff: 1800), pattern: Notes("a3 c4 e4 g4")),
    ],
)
"#;

fn dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("termdaw-takes-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn frames(path: &Path) -> Vec<i32> {
    let mut r = hound::WavReader::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    r.samples::<i32>().map(Result::unwrap).collect()
}

/// `termdaw replay DIR -o OUT`: whether it succeeded, and its stderr.
fn replay(take: &Path, out: &Path) -> (bool, String) {
    let o = termdaw()
        .arg("replay")
        .arg(take)
        .arg("-o")
        .arg(out)
        .output()
        .unwrap();
    (
        o.status.success(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// The take's master and its replay hold the same samples.
pub fn assert_replays(take: &Path, out: &Path) {
    let (ok, e) = replay(take, out);
    assert!(ok, "{e}");
    let (live, again) = (frames(&take.join("master.wav")), frames(out));
    assert_eq!(live.len(), again.len(), "lengths differ");
    let first = live.iter().zip(&again).position(|(a, b)| a != b);
    assert_eq!(
        first,
        None,
        "the replay differs from frame {:?}",
        first.map(|i| i / 2)
    );
}

fn osc(sock: &std::net::UdpSocket, port: u16, addr: &str, args: Vec<rosc::OscType>) {
    let m = rosc::encoder::encode(&rosc::OscPacket::Message(rosc::OscMessage {
        addr: addr.into(),
        args,
    }))
    .unwrap();
    sock.send_to(&m, ("127.0.0.1", port)).unwrap();
}

/// Play `session` headless for `seconds` at `buffer` frames, recording
/// into `take`, while OSC and a save change it; all it printed.
fn record(session: &Path, take: &Path, buffer: u32, seconds: f64) -> String {
    let port = crate::common::free_udp_port();
    let mut cmd = termdaw();
    cmd.arg(session)
        .args(["--headless", "--seconds", &seconds.to_string()])
        .args([
            "--buffer",
            &buffer.to_string(),
            "--osc-port",
            &port.to_string(),
        ])
        .arg("--record")
        .arg(take)
        .stderr(std::process::Stdio::piped());
    let (child, mut out, mut line) = crate::common::spawn_until_osc(cmd);
    let sock = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let f = rosc::OscType::Float;
    std::thread::sleep(Duration::from_millis(400));
    osc(&sock, port, "/termdaw/tempo", vec![f(140.0)]);
    osc(
        &sock,
        port,
        "/termdaw/track/lead/param/cutoff",
        vec![f(600.0)],
    );
    for i in 0..6 {
        osc(
            &sock,
            port,
            "/termdaw/track/lead/note",
            vec![f(64.0 + i as f32), f(0.9), f(0.25)],
        );
        std::thread::sleep(Duration::from_millis(37));
    }
    osc(
        &sock,
        port,
        "/termdaw/track/kick/mute",
        vec![rosc::OscType::Int(1)],
    );
    std::thread::sleep(Duration::from_millis(300));
    // A save: the reload lands on the next bar.
    std::fs::write(session, SESSION.replace("a3 c4 e4 g4", "e4 d4 c4 a3")).unwrap();
    osc(
        &sock,
        port,
        "/termdaw/track/kick/mute",
        vec![rosc::OscType::Int(0)],
    );
    // Later in the take: a faster tempo, a run of notes, a second save.
    std::thread::sleep(Duration::from_millis(3000));
    osc(&sock, port, "/termdaw/tempo", vec![f(151.5)]);
    for i in 0..8 {
        osc(
            &sock,
            port,
            "/termdaw/track/lead/note",
            vec![f(60.0 + i as f32), f(0.5), f(0.125)],
        );
        std::thread::sleep(Duration::from_millis(23));
    }
    std::fs::write(session, SESSION.replace("Saw", "Square")).unwrap();
    let mut all = line.clone();
    let t = Instant::now();
    while t.elapsed() < Duration::from_secs(30) {
        line.clear();
        if out.read_line(&mut line).unwrap() == 0 {
            break;
        }
        all.push_str(&line);
    }
    let o = child.wait_with_output().unwrap();
    all.push_str(&String::from_utf8_lossy(&o.stderr));
    assert!(o.status.success(), "{all}");
    all
}

#[test]
fn a_headless_take_replays_bit_for_bit_at_64_128_and_256_frames() {
    // Ten seconds each, the three at once.
    let runs: Vec<_> = [64u32, 128, 256]
        .into_iter()
        .map(|buffer| {
            std::thread::spawn(move || {
                let d = dir(&format!("replay-{buffer}"));
                let session = d.join("s.ron");
                std::fs::write(&session, SESSION).unwrap();
                let said = record(&session, &d.join("take"), buffer, 10.0);
                (buffer, d, said)
            })
        })
        .collect();
    for run in runs {
        let (buffer, d, said) = run.join().unwrap();
        let take = d.join("take");
        let summary = said
            .lines()
            .find(|l| l.starts_with("take "))
            .unwrap_or_else(|| panic!("no take summary: {said}"));
        assert!(!summary.contains("not replayable"), "{summary}");
        let log = std::fs::read_to_string(take.join("log.txt")).unwrap();
        assert!(log.matches("action SetTempo").count() >= 2, "{log}");
        assert!(
            log.contains("Square"),
            "the second save is in the log:\n{log}"
        );
        for what in ["SetTempo", "SetParam", "PlayNote", "SetMute", "SetPattern"] {
            assert!(
                log.contains(&format!("action {what}")),
                "{what} missing from the log:\n{log}"
            );
        }
        let live = frames(&take.join("master.wav"));
        assert!(
            live.len() > 9 * 48_000 * 2,
            "{buffer}: only {} samples",
            live.len()
        );
        assert!(
            live.iter().any(|s| s.abs() > 100_000),
            "{buffer}: the take is silent"
        );
        println!("{buffer} frames:");
        assert_replays(&take, &d.join("replay.wav"));
        let _ = std::fs::remove_dir_all(d);
    }
}

#[test]
fn a_take_into_a_folder_that_cannot_exist_is_refused_and_the_music_plays_on() {
    let d = dir("unwritable");
    let session = d.join("s.ron");
    std::fs::write(&session, SESSION).unwrap();
    // Under a plain file: no folder can be made there, even as root.
    let blocker = d.join("file");
    std::fs::write(&blocker, "x").unwrap();
    let o = termdaw()
        .arg(&session)
        .args(["--headless", "--seconds", "1", "--no-osc", "--record"])
        .arg(blocker.join("take"))
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(o.status.success(), "{text}");
    assert!(
        text.contains("cannot record into") && text.contains("playing without recording"),
        "{text}"
    );
    assert!(text.contains("ended: "), "{text}");
    let _ = std::fs::remove_dir_all(d);
}

#[test]
fn replay_names_what_is_wrong_with_a_folder_that_is_not_a_take() {
    let d = dir("not-a-take");
    let (ok, e) = replay(&d, &d.join("x.wav"));
    assert!(!ok);
    assert!(e.contains("log.txt"), "{e}");
    std::fs::write(
        d.join("log.txt"),
        "termdaw-log 1\nrate 48000\n@12 op Play\n",
    )
    .unwrap();
    let (_, e) = replay(&d, &d.join("x.wav"));
    assert!(e.contains("the take never started"), "{e}");
    std::fs::write(
        d.join("log.txt"),
        "termdaw-log 1\nrate 48000\n@12 op Jump\n",
    )
    .unwrap();
    let (_, e) = replay(&d, &d.join("x.wav"));
    assert!(e.contains("log.txt:3:1:"), "{e}");
    let _ = std::fs::remove_dir_all(d);
}

#[test]
fn the_record_action_over_osc_makes_a_take_with_stems_that_replays() {
    let d = dir("osc-record");
    let session = d.join("s.ron");
    std::fs::write(&session, SESSION).unwrap();
    let takes = d.join("takes");
    let port = crate::common::free_udp_port();
    let mut cmd = termdaw();
    cmd.arg(&session)
        .args(["--headless", "--seconds", "4", "--buffer", "128", "--stems"])
        .args(["--osc-port", &port.to_string(), "--takes"])
        .arg(&takes)
        .stderr(std::process::Stdio::piped());
    let (child, mut out, mut line) = crate::common::spawn_until_osc(cmd);
    let sock = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let (b, s) = (rosc::OscType::Bool, rosc::OscType::String);
    std::thread::sleep(Duration::from_millis(300));
    osc(
        &sock,
        port,
        "/termdaw/record",
        vec![s("bar".into()), b(true)],
    );
    std::thread::sleep(Duration::from_millis(2000));
    osc(
        &sock,
        port,
        "/termdaw/record",
        vec![s("now".into()), b(false)],
    );
    let mut all = line.clone();
    while {
        line.clear();
        out.read_line(&mut line).unwrap() > 0
    } {
        all.push_str(&line);
    }
    let o = child.wait_with_output().unwrap();
    all.push_str(&String::from_utf8_lossy(&o.stderr));
    assert!(o.status.success(), "{all}");
    assert!(all.contains("recording into "), "{all}");
    let summary = all
        .lines()
        .find(|l| l.starts_with("take "))
        .unwrap_or_else(|| panic!("no take summary: {all}"));
    assert!(!summary.contains("not replayable"), "{summary}");
    let take = std::fs::read_dir(&takes)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let master = frames(&take.join("master.wav"));
    // From the next bar (at 132 BPM a bar is 1.82 s) to the stop: between
    // a few tenths of a second and the 2 s asked for.
    let secs = master.len() as f64 / 2.0 / 48_000.0;
    assert!((0.1..2.1).contains(&secs), "{secs} s: {summary}");
    let log = std::fs::read_to_string(take.join("log.txt")).unwrap();
    let start: u64 = log
        .lines()
        .find_map(|l| l.strip_prefix("take "))
        .and_then(|r| r.split(' ').next()?.parse().ok())
        .unwrap();
    // 132 BPM, 4/4: a bar is 48000 * 60 / 132 * 4 samples, counted from
    // the sample the transport started on (the log's Play).
    let played: u64 = log
        .lines()
        .find_map(|l| l.strip_suffix(" op Play"))
        .and_then(|c| c.strip_prefix('@')?.parse().ok())
        .unwrap_or_else(|| panic!("no Play in the log:\n{log}"));
    let bar = 48_000.0 * 60.0 / 132.0 * 4.0;
    let off = ((start - played) as f64 / bar).fract() * bar;
    assert!(
        off < 1.0 || bar - off < 1.0,
        "the take starts {off} samples off a bar"
    );
    for stem in ["stem-kick.wav", "stem-lead.wav"] {
        let s = frames(&take.join(stem));
        assert_eq!(s.len(), master.len(), "{stem} is as long as the master");
        assert!(s.iter().any(|x| x.abs() > 10_000), "{stem} is silent");
    }
    assert_replays(&take, &d.join("again.wav"));
    let _ = std::fs::remove_dir_all(d);
}

/// Both channels of a float WAV.
fn float_channels(path: &Path) -> (Vec<f32>, Vec<f32>) {
    let mut r = hound::WavReader::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let v: Vec<f32> = r.samples::<f32>().map(Result::unwrap).collect();
    (
        v.iter().step_by(2).copied().collect(),
        v.iter().skip(1).step_by(2).copied().collect(),
    )
}

fn peak(x: &[f32]) -> f32 {
    x.iter().fold(0.0, |m, v| m.max(v.abs()))
}

/// Play `session` headless for `seconds` through the rig's ALSA into a
/// JACK dummy server, its capture reading `signal(t)` (left, right) as a
/// real input device, recording a take with `extra` flags. None without
/// JACK; else the folder (kept while it lives), what termdaw printed and
/// the take's path.
fn record_input(
    name: &str,
    session: &str,
    signal: impl Fn(f64) -> (f64, f64),
    seconds: f64,
    extra: &[&str],
) -> Option<(crate::rig::TempDir, String, PathBuf)> {
    record_input_at(name, session, signal, seconds, extra, 48_000)
}

/// [`record_input`] from a capture device that runs at `device_rate`
/// only (the engine stays at 48 kHz and converts).
fn record_input_at(
    name: &str,
    session: &str,
    signal: impl Fn(f64) -> (f64, f64),
    seconds: f64,
    extra: &[&str],
    device_rate: u32,
) -> Option<(crate::rig::TempDir, String, PathBuf)> {
    use crate::rig::{self, JackServer, TempDir};
    let fixed = device_rate != 48_000;
    let jack = JackServer::start_at(name, 256, rig::unique("termdaw-test"), false, device_rate)?;
    let dir = TempDir::new("termdaw-input");
    let raw = dir.join("input.raw");
    let mut bytes = Vec::new();
    let rate = device_rate as f64;
    for i in 0..(rate * (seconds + 2.0)) as usize {
        let (l, r) = signal(i as f64 / rate);
        if fixed {
            bytes.extend_from_slice(&(l as f32).to_le_bytes());
            bytes.extend_from_slice(&(r as f32).to_le_bytes());
        } else {
            bytes.extend_from_slice(&((l * 32767.0) as i16).to_le_bytes());
            bytes.extend_from_slice(&((r * 32767.0) as i16).to_le_bytes());
        }
    }
    std::fs::write(&raw, bytes).unwrap();
    let alsa = if fixed {
        rig::write_alsa_config_with_fixed_rate_input(dir.path(), &raw)
    } else {
        rig::write_alsa_config_with_input(dir.path(), &raw)
    };
    let path = dir.join("in.ron");
    std::fs::write(&path, session).unwrap();
    let take = dir.join("take");
    let mut cmd = rig::termdaw(dir.path());
    cmd.arg(&path)
        .args([
            "--headless",
            "--seconds",
            &seconds.to_string(),
            "--rate",
            "48000",
            "--no-osc",
        ])
        .args(extra)
        .arg("--record")
        .arg(&take)
        .env("ALSA_CONFIG_PATH", &alsa)
        .stdin(std::process::Stdio::null());
    jack.env(&mut cmd);
    let o = cmd.output().unwrap();
    let out = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(o.status.success(), "{out}");
    let said = if fixed {
        format!("input: default at {device_rate} Hz, converted to 48000 Hz (2 channels)")
    } else {
        "input: default (2 channels)".to_string()
    };
    assert!(out.contains(&said), "{out}");
    Some((dir, out, take))
}

const INPUT_SESSION: &str = "Session(\n    tempo: 120,\n    tracks: [\n        Track(name: \"mic\", instrument: Input(channel: 2, level: -6)),\n    ],\n)\n";

#[test]
fn a_sine_on_the_input_device_plays_through_an_input_track_and_into_the_take() {
    sine_through_the_input("takes::input", 48_000);
}

#[test]
fn an_input_device_at_44100_hz_is_converted_to_the_engines_48000() {
    sine_through_the_input("takes::input_converted", 44_100);
}

/// A sine on a capture device at `device_rate` reaches the take's input
/// and the Input track at its pitch and level, and the take replays.
fn sine_through_the_input(name: &str, device_rate: u32) {
    // 440 Hz at half scale on the left, an octave up at a quarter on the right.
    let sine = |t: f64| {
        let w = std::f64::consts::TAU * t;
        (0.5 * (440.0 * w).sin(), 0.25 * (880.0 * w).sin())
    };
    let Some((dir, _, take)) = record_input_at(name, INPUT_SESSION, sine, 3.0, &[], device_rate)
    else {
        return;
    };
    // The input as the engine read it: both channels, their pitch and level.
    let (il, ir) = float_channels(&take.join("input-1-2.wav"));
    let start = il
        .iter()
        .position(|v| v.abs() > 0.01)
        .expect("the input was heard");
    let (il, ir) = (
        &il[start + 4800..start + 4800 + 32768],
        &ir[start + 4800..start + 4800 + 32768],
    );
    let f = crate::common::peak_frequency(il, 48_000.0);
    assert!((f / 440.0 - 1.0).abs() < 0.005, "left at {f} Hz");
    let f = crate::common::peak_frequency(ir, 48_000.0);
    assert!((f / 880.0 - 1.0).abs() < 0.005, "right at {f} Hz");
    assert!((peak(il) - 0.5).abs() < 0.01, "left peak {}", peak(il));
    assert!((peak(ir) - 0.25).abs() < 0.01, "right peak {}", peak(ir));
    // The track plays channel 2 on both sides, 6 dB down.
    let m = frames(&take.join("master.wav"));
    let ml: Vec<f32> = m
        .iter()
        .step_by(2)
        .map(|s| *s as f32 / 8_388_607.0)
        .collect();
    let mr: Vec<f32> = m
        .iter()
        .skip(1)
        .step_by(2)
        .map(|s| *s as f32 / 8_388_607.0)
        .collect();
    let s = ml
        .iter()
        .position(|v| v.abs() > 0.01)
        .expect("the track was heard")
        + 4800;
    let (ml, mr) = (&ml[s..s + 32768], &mr[s..s + 32768]);
    let f = crate::common::peak_frequency(ml, 48_000.0);
    assert!(
        (f / 880.0 - 1.0).abs() < 0.005,
        "the track plays channel 2: {f} Hz"
    );
    let want = 0.25 * 10f32.powf(-6.0 / 20.0);
    assert!(
        (peak(ml) / want - 1.0).abs() < 0.03,
        "track peak {} for {want}",
        peak(ml)
    );
    assert!(
        (peak(mr) / want - 1.0).abs() < 0.03,
        "mono on both sides: {}",
        peak(mr)
    );
    // A replay plays the recorded input in its place.
    assert_replays(&take, &dir.join("again.wav"));
}

#[test]
fn a_gated_take_writes_a_burst_on_the_input_with_its_pre_roll() {
    // Silence, a second of 440 Hz, silence.
    let burst = |t: f64| {
        let on = (1.0..2.0).contains(&t);
        let v = if on {
            0.25 * (std::f64::consts::TAU * 440.0 * t).sin()
        } else {
            0.0
        };
        (v, v)
    };
    let Some((_dir, out, take)) = record_input(
        "takes::gate",
        INPUT_SESSION,
        burst,
        4.0,
        &["--gate", "preroll=200,end=300"],
    ) else {
        return;
    };
    assert!(out.contains("gate open: recording gate-01.wav"), "{out}");
    assert!(out.contains("gate closed: gate-01.wav written"), "{out}");
    let gates = std::fs::read_to_string(take.join("gates.txt")).unwrap();
    let lines: Vec<&str> = gates.lines().filter(|l| !l.starts_with('#')).collect();
    assert_eq!(lines.len(), 1, "{gates}");
    let (l, _) = float_channels(&take.join("gate-01.wav"));
    // 200 ms of pre-roll, the 1 s burst, 300 ms to close (10 ms windows).
    let secs = l.len() as f64 / 48_000.0;
    assert!((1.49..1.53).contains(&secs), "the segment is {secs} s");
    let onset = l.iter().position(|v| v.abs() > 0.01).unwrap() as f64 / 48_000.0;
    assert!(
        (0.19..0.211).contains(&onset),
        "the burst starts {onset} s in"
    );
    assert!(peak(&l) > 0.24, "the burst is in the segment");
}

#[test]
fn a_take_that_fills_the_disk_stops_with_a_message_and_the_music_plays_on() {
    let d = dir("full");
    let session = d.join("s.ron");
    std::fs::write(&session, SESSION).unwrap();
    let take = d.join("take");
    // The shell's file-size limit (300 KB) stands in for a full disk: the
    // master (288 KB a second) hits it after about a second.
    let bin = termdaw().get_program().to_owned();
    let o = std::process::Command::new("sh")
        .arg("-c")
        .arg("ulimit -f 300 && exec \"$0\" \"$@\"")
        .arg(&bin)
        .arg(&session)
        .args([
            "--headless",
            "--seconds",
            "3",
            "--no-osc",
            "--input",
            "none",
            "--record",
        ])
        .arg(&take)
        .envs(termdaw().get_envs().filter_map(|(k, v)| Some((k, v?))))
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(o.status.success(), "{text}");
    assert!(
        text.contains("recording stopped:") && text.contains("the music goes on"),
        "{text}"
    );
    // The run went to its end: three seconds of callbacks.
    let timing = text
        .lines()
        .find(|l| l.starts_with("timing: callbacks "))
        .unwrap();
    let callbacks: f64 = timing["timing: callbacks ".len()..]
        .split(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap();
    assert!(callbacks * 256.0 / 48_000.0 > 2.5, "{timing}");
    // What was written reads as a WAV of what fitted.
    let r = hound::WavReader::open(take.join("master.wav")).expect("the take stays readable");
    let secs = r.duration() as f64 / 48_000.0;
    assert!((0.3..1.1).contains(&secs), "{secs} s readable");
    let _ = std::fs::remove_dir_all(d);
}
