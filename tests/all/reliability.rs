//! The real binary, used as a hostile or clumsy user would: numbers no
//! clock or buffer can hold, outputs named like their inputs, errors on
//! lines of a megabyte, garbage over OSC. Each ends in a plain message (or
//! is counted and reported), never in a panic or a destroyed file.

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

use crate::common::termdaw_offline as termdaw;

fn dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("termdaw-rel-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Refused with a message naming `what`, not a panic.
fn refused(args: &[&str], what: &str) {
    let o = termdaw().args(args).output().unwrap();
    let t = text(&o);
    assert!(!o.status.success(), "{args:?} succeeded: {t}");
    assert!(!t.contains("panicked"), "{args:?} panicked: {t}");
    assert!(t.contains(what), "{args:?}: expected {what:?} in: {t}");
}

#[test]
fn numbers_no_clock_or_buffer_can_hold_are_refused_with_their_range() {
    let out = dir("numbers").join("x.wav");
    let out = out.to_str().unwrap();
    let first = "patches/first-beat.ron";
    // The issue's example: this was "capacity overflow".
    refused(
        &["analyze", first, "--bars", "inf"],
        "--bars must be more than 0 and at most 4096, got inf",
    );
    refused(&["analyze", first, "--bars", "1e9"], "--bars must be");
    refused(&["analyze", first, "--target", "NaN"], "loudness target");
    refused(&["analyze", first, "--true-peak", "inf"], "true-peak limit");
    refused(
        &["render", first, "--seconds", "inf", "-o", out],
        "--seconds must be",
    );
    refused(
        &["render", first, "--bars", "NaN", "-o", out],
        "--bars must be",
    );
    refused(&["render", first, "--bars=-4", "-o", out], "--bars must be");
    refused(
        &["render", first, "--bars", "4000", "-o", out],
        "renders at most 3600 s",
    );
    refused(
        &[first, "--headless", "--rate", "0", "--seconds", "1"],
        "the sample rate goes from 8000",
    );
    refused(&[first, "--headless", "--seconds=-1"], "--seconds must be");
    assert!(!Path::new(out).exists(), "a refused render wrote a file");
}

#[test]
fn a_sample_whose_header_declares_one_hertz_is_refused_before_resampling() {
    let d = dir("rate");
    // 30000 frames said to last 30000 s: resampled to 48 kHz that is
    // 1.4 billion frames per side.
    let n = 30_000u32;
    let mut wav = Vec::new();
    wav.extend(b"RIFF");
    wav.extend((36 + 2 * n).to_le_bytes());
    wav.extend(b"WAVEfmt ");
    wav.extend(16u32.to_le_bytes());
    wav.extend([1u16, 1].iter().flat_map(|v| v.to_le_bytes()));
    wav.extend([1u32, 2].iter().flat_map(|v| v.to_le_bytes()));
    wav.extend([2u16, 16].iter().flat_map(|v| v.to_le_bytes()));
    wav.extend(b"data");
    wav.extend((2 * n).to_le_bytes());
    wav.extend((0..n).flat_map(|_| 1000i16.to_le_bytes()));
    std::fs::write(d.join("slow.wav"), wav).unwrap();
    let session = d.join("s.ron");
    std::fs::write(
        &session,
        r#"Session(tempo: 120, tracks: [Track(name: "s", instrument: Sample(file: "slow.wav"), pattern: Steps("x..."))])"#,
    )
    .unwrap();
    let o = termdaw().arg("check").arg(&session).output().unwrap();
    let t = text(&o);
    assert!(!o.status.success(), "{t}");
    assert!(t.contains("declares a sample rate of 1 Hz"), "{t}");
    assert!(
        t.contains("s.ron:1:"),
        "the error is at the path in the file: {t}"
    );
}

#[test]
fn no_command_writes_over_a_file_it_reads_or_over_a_session() {
    let d = dir("clobber");
    let kick = d.join("kick.wav");
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/clap.wav"),
        &kick,
    )
    .unwrap();
    let session = d.join("song.ron");
    let text_before = r#"Session(tempo: 120, tracks: [Track(name: "k", instrument: Sample(file: "kick.wav"), pattern: Steps("x..."))])"#;
    std::fs::write(&session, text_before).unwrap();
    let kick_before = std::fs::read(&kick).unwrap();
    let s = session.to_str().unwrap();
    let sub = d.join("sub");
    std::fs::create_dir_all(&sub).unwrap();
    // The session itself, any .ron file, the sample (also through `..`).
    let through_dotdot = sub.join("../kick.wav");
    for (out, what) in [
        (s.to_string(), "session file"),
        (
            d.join("other.ron").to_str().unwrap().to_string(),
            "session file",
        ),
        (
            kick.to_str().unwrap().to_string(),
            "a sample this command reads",
        ),
        (
            through_dotdot.to_str().unwrap().to_string(),
            "a sample this command reads",
        ),
    ] {
        refused(&["render", s, "--bars", "1", "-o", &out], what);
    }
    let k = kick.to_str().unwrap();
    refused(
        &["process", k, "--reverse", "-o", k],
        "the audio file this command reads",
    );
    refused(
        &[
            "process",
            k,
            "--reverse",
            "-o",
            through_dotdot.to_str().unwrap(),
        ],
        "the audio file this command reads",
    );
    refused(&["process", k, "--reverse", "-o", s], "session file");
    assert_eq!(std::fs::read_to_string(&session).unwrap(), text_before);
    assert_eq!(std::fs::read(&kick).unwrap(), kick_before);
    // A render that is allowed leaves its file and no temporary one.
    let o = termdaw()
        .args(["render", s, "--bars", "1", "-o"])
        .arg(d.join("out.wav"))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));
    let names: Vec<String> = std::fs::read_dir(&d)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.contains(".tmp-")), "{names:?}");
    assert!(names.contains(&"out.wav".to_string()), "{names:?}");
}

#[test]
fn an_error_on_a_line_of_a_megabyte_quotes_a_window_around_its_column() {
    let d = dir("long");
    let session = d.join("long.ron");
    let mut line =
        String::from(r#"Session(tempo: 120, tracks: [Track(name: "k", instrument: Kick())"#);
    line.push_str(&" ".repeat(1 << 20));
    line.push_str(", oops])");
    std::fs::write(&session, &line).unwrap();
    let o = termdaw().arg("check").arg(&session).output().unwrap();
    let t = text(&o);
    assert!(!o.status.success(), "accepted");
    assert!(
        t.len() < 2048,
        "{} bytes of error: the line is quoted whole",
        t.len()
    );
    assert!(t.contains("long.ron:1:"), "{t}");
    let caret_line = t
        .lines()
        .find(|l| l.trim_end().ends_with('^'))
        .unwrap_or("");
    let quoted = t.lines().find(|l| l.starts_with("1 |")).unwrap_or("");
    // In characters: the window starts with a (multi-byte) `…`.
    let column = |line: &str, byte: Option<usize>| byte.map(|b| line[..b].chars().count());
    assert_eq!(
        column(quoted, quoted.find("oops")),
        column(caret_line, caret_line.find('^')),
        "the caret is under the error:\n{t}"
    );
    // The same for a pattern: a window of the text, the caret under the
    // bad note near its end.
    let pattern = format!("{}h9 c3", "c3 ".repeat(40_000));
    let o = termdaw().args(["pattern", &pattern]).output().unwrap();
    let t = text(&o);
    assert!(!o.status.success());
    assert!(t.len() < 2048, "{} bytes of error", t.len());
    let lines: Vec<&str> = t.lines().collect();
    let quoted = lines.iter().find(|l| l.contains("h9 c3")).unwrap_or(&"");
    let caret = lines
        .iter()
        .find(|l| l.trim_end().ends_with('^'))
        .unwrap_or(&"");
    assert_eq!(
        column(quoted, quoted.find("h9")),
        column(caret, caret.find('^')),
        "the caret is under the bad note:\n{t}"
    );
}

#[test]
fn a_headless_run_counts_bad_and_late_osc_and_says_so_when_it_ends() {
    let port = crate::common::free_udp_port();
    let mut cmd = termdaw();
    cmd.args(["patches/first-beat.ron", "--headless", "--seconds", "3"])
        .arg("--osc-port")
        .arg(port.to_string())
        .stderr(std::process::Stdio::null());
    let (mut child, mut out, mut line) = crate::common::spawn_until_osc(cmd);
    let sock = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    // Three that are not OSC, and one bundle timetagged 1970 + 1000 s:
    // late, it plays at once and is counted.
    for bad in [&b"garbage"[..], &[0u8; 3][..], b"/termdaw/tempo\0\0,f"] {
        sock.send_to(bad, ("127.0.0.1", port)).unwrap();
    }
    let late = rosc::encoder::encode(&rosc::OscPacket::Bundle(rosc::OscBundle {
        timetag: rosc::OscTime {
            seconds: 2_208_988_800 + 1000,
            fractional: 0,
        },
        content: vec![rosc::OscPacket::Message(rosc::OscMessage {
            addr: "/termdaw/tempo".into(),
            args: vec![rosc::OscType::Float(128.0)],
        })],
    }))
    .unwrap();
    sock.send_to(&late, ("127.0.0.1", port)).unwrap();
    // A bug in the OSC thread (a debug-only trigger): it is restarted and
    // answers again.
    sock.send_to(b"/termdaw/test/panic\0", ("127.0.0.1", port))
        .unwrap();
    let query = rosc::encoder::encode(&rosc::OscPacket::Message(rosc::OscMessage {
        addr: "/termdaw/state".into(),
        args: vec![],
    }))
    .unwrap();
    sock.set_read_timeout(Some(Duration::from_millis(500)))
        .unwrap();
    let answered = (0..10).any(|_| {
        sock.send_to(&query, ("127.0.0.1", port)).unwrap();
        sock.recv_from(&mut [0u8; 4096]).is_ok()
    });
    assert!(answered, "the OSC server never answered after its panic");
    let mut rest = String::new();
    let t = std::time::Instant::now();
    while t.elapsed() < Duration::from_secs(20) {
        line.clear();
        if out.read_line(&mut line).unwrap() == 0 {
            break;
        }
        rest.push_str(&line);
    }
    let status = child.wait().unwrap();
    assert!(status.success(), "{rest}");
    let ended = rest
        .lines()
        .find(|l| l.starts_with("ended: "))
        .unwrap_or_else(|| panic!("no summary line: {rest}"));
    assert!(ended.contains("OSC bad 3"), "{ended}");
    assert!(ended.contains("OSC late 1"), "{ended}");
    assert!(ended.contains("engine panics 0"), "{ended}");
    assert!(ended.contains("recovered 1"), "{ended}");
    assert!(ended.contains("audio allocs 0"), "{ended}");
    // The callback times, measured on the running engine's callbacks.
    let timing = rest
        .lines()
        .find(|l| l.starts_with("timing: callbacks "))
        .unwrap_or_else(|| panic!("no timing line: {rest}"));
    let callbacks: u64 = timing["timing: callbacks ".len()..]
        .split(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{timing}"));
    assert!(callbacks > 10, "{timing}");
    assert!(
        timing.contains(" p99 ") && timing.contains(" over budget "),
        "{timing}"
    );
}

/// `seconds` of a stereo 440 Hz sine at 44.1 kHz (two minutes take
/// seconds to decode and resample).
fn write_sine(path: &Path, seconds: f64) {
    let spec = hound::WavSpec {
        channels: 2,
        sample_rate: 44100,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(path, spec).unwrap();
    for i in 0..(44100.0 * seconds) as usize {
        let v = ((i as f32 * 440.0 * std::f32::consts::TAU / 44100.0).sin() * 16000.0) as i16;
        w.write_sample(v).unwrap();
        w.write_sample(v).unwrap();
    }
    w.finalize().unwrap();
}

#[test]
fn a_save_naming_a_long_sample_lands_once_a_worker_decoded_it_and_the_loop_never_waits() {
    use termdaw::audio::render;
    use termdaw::reload::{ReloadStatus, Reloader};
    let d = dir("decode-ahead");
    write_sine(&d.join("long.wav"), 120.0);
    let path = d.join("s.ron");
    let quiet = "Session(tempo: 120, quantum: Immediate, tracks: [\n    \
                 Track(name: \"pad\", instrument: Synth(), pattern: Steps(\"....\")),\n])\n";
    std::fs::write(&path, quiet).unwrap();
    let file = termdaw::patch::load(&path).unwrap();
    let (mut s, mut engine) = render::prepare(file.clone(), Some(&path), 48000);
    let mut r = Reloader::new(&path, file).unwrap();
    let with_sample = quiet.replace(
        "\n])",
        "\n    Track(name: \"long\", instrument: Sample(file: \"long.wav\"), pattern: Steps(\"x...\")),\n])",
    );
    std::fs::write(&path, with_sample).unwrap();
    let saved = std::time::Instant::now();
    let mut longest = Duration::ZERO;
    let status = loop {
        let t = std::time::Instant::now();
        let st = r.poll(&mut s);
        longest = longest.max(t.elapsed());
        if let Some(st) = st {
            break st;
        }
        assert!(saved.elapsed() < Duration::from_secs(120), "never applied");
        std::thread::sleep(Duration::from_millis(5));
    };
    let took = saved.elapsed();
    assert!(matches!(status, ReloadStatus::Applied { .. }), "{status}");
    let notices = s.take_notices();
    assert!(
        notices
            .iter()
            .any(|n| n == "decoding long.wav before the save lands…"),
        "{notices:?}"
    );
    // The loop went on meanwhile: no turn took more than a fraction of
    // what decoding took.
    assert!(
        longest * 4 < took,
        "a poll took {longest:?} of the {took:?} the save took to land"
    );
    // And the decoded sample plays.
    let (mut left, mut right) = (vec![0.0f32; 24000], vec![0.0f32; 24000]);
    for (l, r) in left.chunks_mut(256).zip(right.chunks_mut(256)) {
        engine.process(l, r);
    }
    let peak = left.iter().fold(0.0f32, |m, x| m.max(x.abs()));
    assert!(peak > 0.1, "the sample is silent: peak {peak}");
}

#[test]
fn a_sample_set_live_waits_for_its_decoding_and_changes_land_in_order() {
    use termdaw::action::{Action, ArgValue};
    let d = dir("decode-action");
    write_sine(&d.join("short.wav"), 0.2);
    write_sine(&d.join("long.wav"), 120.0);
    std::fs::write(d.join("bad.wav"), b"RIFF this is no wave at all").unwrap();
    let path = d.join("s.ron");
    std::fs::write(
        &path,
        "Session(tempo: 120, tracks: [\n    \
         Track(name: \"loop\", instrument: Sample(file: \"short.wav\"), pattern: Steps(\"x...\")),\n])\n",
    )
    .unwrap();
    let file = termdaw::patch::load(&path).unwrap();
    let (mut s, _engine) = termdaw::audio::render::prepare(file, Some(&path), 48000);
    let set = |f: &str| Action::SetParam {
        track: "loop".into(),
        param: "file".into(),
        value: ArgValue::Text(f.into()),
    };
    let file_now = |s: &termdaw::session::Session| {
        s.file()
            .track("loop")
            .unwrap()
            .instrument
            .path
            .clone()
            .unwrap()
    };
    // Answered at once; the track keeps its sample meanwhile.
    let t = std::time::Instant::now();
    let a = s.apply(set("long.wav")).unwrap();
    let answered = t.elapsed();
    assert!(a.description.contains("decoding"), "{}", a.description);
    assert_eq!(file_now(&s), "short.wav");
    // Changes of the same instrument wait behind it and land after it, in
    // the order they came (a level outside the instrument applies now).
    let gain = s
        .apply(Action::SetParam {
            track: "loop".into(),
            param: "gain".into(),
            value: ArgValue::Number(-6.0),
        })
        .unwrap();
    assert!(
        gain.description.starts_with("waits"),
        "{}",
        gain.description
    );
    s.apply(set("short.wav")).unwrap();
    assert_eq!(file_now(&s), "short.wav");
    s.apply(Action::SetVolume {
        track: "loop".into(),
        db: -3.0,
    })
    .unwrap();
    assert_eq!(s.file().track("loop").unwrap().volume, -3.0);
    let mut seen = Vec::new();
    while seen.iter().all(|n: &String| !n.contains("→ short.wav")) {
        s.tick();
        seen.extend(s.take_notices());
        assert!(t.elapsed() < Duration::from_secs(120), "{seen:?}");
        std::thread::sleep(Duration::from_millis(5));
    }
    let took = t.elapsed();
    assert!(
        answered * 4 < took,
        "answered in {answered:?}, landed in {took:?}"
    );
    let landed: Vec<&String> = seen.iter().filter(|n| n.contains("→")).collect();
    assert_eq!(landed.len(), 3, "{seen:?}");
    assert!(
        landed[0].contains("→ long.wav")
            && landed[1].contains("gain")
            && landed[2].contains("→ short.wav"),
        "{seen:?}"
    );
    assert!(
        seen.iter()
            .any(|n| n == "decoding long.wav before the change lands…"),
        "{seen:?}"
    );
    assert_eq!(file_now(&s), "short.wav");
    let loop_track = s.file().track("loop").unwrap();
    assert_eq!(
        loop_track.instrument.param("gain"),
        Some(-6.0),
        "the gain set behind landed"
    );
    assert_eq!(loop_track.volume, -3.0);
    // A file that does not decode is refused when its decoding ends; the
    // track keeps what it played.
    // (A file this small may fail its decoding before the worker is even
    // waited for: then the action itself is refused.)
    let mut seen = Vec::new();
    match s.apply(set("bad.wav")) {
        Err(e) => seen.push(format!("not applied: {e}")),
        Ok(a) => assert!(a.description.contains("decoding"), "{}", a.description),
    }
    while seen.iter().all(|n: &String| !n.starts_with("not applied")) {
        s.tick();
        seen.extend(s.take_notices());
        assert!(t.elapsed() < Duration::from_secs(120), "{seen:?}");
        std::thread::sleep(Duration::from_millis(5));
    }
    let refused = seen.iter().find(|n| n.starts_with("not applied")).unwrap();
    assert!(refused.contains("bad.wav"), "{seen:?}");
    assert!(
        !seen.iter().any(|n| n.contains("stays silent")),
        "a broken file is refused, never put on the track: {seen:?}"
    );
    assert_eq!(file_now(&s), "short.wav");
    // Fixed, it is decoded again and lands.
    write_sine(&d.join("bad.wav"), 0.2);
    let mut seen = Vec::new();
    match s.apply(set("bad.wav")) {
        Ok(_) => {}
        Err(e) => panic!("the fixed file is tried again: {e}"),
    }
    while file_now(&s) != "bad.wav" {
        s.tick();
        seen.extend(s.take_notices());
        assert!(t.elapsed() < Duration::from_secs(120), "{seen:?}");
        std::thread::sleep(Duration::from_millis(5));
    }
}
