//! The real binary, as a musician runs it.

use std::process::Command;

fn termdaw() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_termdaw"));
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c
}

#[test]
fn render_writes_a_wav_and_prints_a_summary() {
    let out = std::env::temp_dir().join(format!("termdaw-cli-{}.wav", std::process::id()));
    let o = termdaw()
        .args(["render", "patches/demo.ron", "--bars", "1", "-o"])
        .arg(&out)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        stdout.contains("peak") && stdout.contains("x real time"),
        "{stdout}"
    );
    assert!(std::fs::metadata(&out).unwrap().len() > 10_000);
    let _ = std::fs::remove_file(out);
}

#[test]
fn check_reports_file_line_and_column() {
    let bad = std::env::temp_dir().join(format!("termdaw-bad-{}.ron", std::process::id()));
    std::fs::write(&bad, "Session(\n  tempo: 5,\n)").unwrap();
    let o = termdaw().arg("check").arg(&bad).output().unwrap();
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains(&format!("{}:2:", bad.display())), "{err}");
    assert!(
        err.contains("tempo must be between 20 and 999 BPM"),
        "{err}"
    );
    let _ = std::fs::remove_file(bad);
}

#[test]
fn playing_without_a_sound_card_says_so_once_and_keeps_running() {
    let o = termdaw()
        .args(["patches/demo.ron", "--seconds", "1"])
        .env("ALSA_CONFIG_PATH", "/nonexistent")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let lines: Vec<&str> = stdout
        .lines()
        .filter(|l| l.contains("no audio device"))
        .collect();
    assert_eq!(lines.len(), 1, "{stdout}");
    assert!(lines[0].contains("running silent"), "{stdout}");
}

/// The tempo the running session reports.
fn osc_tempo(sock: &std::net::UdpSocket, port: u16) -> Option<f32> {
    crate::common::osc_state(sock, port)?
        .first()?
        .clone()
        .float()
}

#[test]
fn the_running_binary_takes_osc_and_file_saves_and_stops_on_sigterm() {
    use std::time::{Duration, Instant};
    let dir = std::env::temp_dir().join(format!("termdaw-live-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let session = dir.join("live.ron");
    let text = |bpm: u32| {
        format!(
            "Session(tempo: {bpm}, tracks: [Track(name: \"kick\", instrument: Kick(), pattern: Steps(\"x...\"))])"
        )
    };
    std::fs::write(&session, text(120)).unwrap();
    let port = crate::common::free_udp_port();
    let mut cmd = termdaw();
    cmd.arg(&session)
        .args(["--headless", "--seconds", "60", "--osc-port"])
        .arg(port.to_string())
        .env("ALSA_CONFIG_PATH", "/nonexistent")
        .stderr(std::process::Stdio::piped());
    let (mut child, _out, line) = crate::common::spawn_until_osc(cmd);
    assert!(line.contains(&format!("127.0.0.1:{port}")), "{line}");

    let sock = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    sock.set_read_timeout(Some(Duration::from_millis(500)))
        .unwrap();
    let set = rosc::encoder::encode(&rosc::OscPacket::Message(rosc::OscMessage {
        addr: "/termdaw/tempo".into(),
        args: vec![rosc::OscType::Float(133.0)],
    }))
    .unwrap();
    sock.send_to(&set, ("127.0.0.1", port)).unwrap();
    let until = |want: f32| {
        let t = Instant::now();
        while t.elapsed() < Duration::from_secs(10) {
            if osc_tempo(&sock, port) == Some(want) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        false
    };
    assert!(
        until(133.0),
        "the OSC tempo change never showed in /termdaw/state"
    );

    // A save of the file lands too (the reloader runs in the headless loop).
    std::fs::write(&session, text(141)).unwrap();
    assert!(until(141.0), "the saved tempo never reached the session");

    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let t = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(
            t.elapsed() < Duration::from_secs(5),
            "SIGTERM did not stop termdaw"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
    assert!(status.success(), "{status}: {err}");
    assert!(err.contains("reloaded"), "no reload line on stderr: {err}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn check_and_render_refuse_a_missing_or_damaged_sample_at_its_path() {
    let dir = std::env::temp_dir().join(format!("termdaw-samples-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("broken.wav"), b"RIFF\x10\0\0\0WAVEjunkjunkjunk").unwrap();
    let s = dir.join("s.ron");
    for (sample, says) in [
        ("gone.wav", "sample file not found"),
        ("broken.wav", "is not a WAV file or is damaged"),
    ] {
        std::fs::write(
            &s,
            format!(
                "Session(\n  tracks: [\n    Track(name: \"loop\", instrument: Sample(file: \"{sample}\")),\n  ],\n)\n"
            ),
        )
        .unwrap();
        for cmd in [
            vec!["check"],
            vec!["render", "--bars", "1", "-o", "/dev/null"],
        ] {
            let o = termdaw().args(&cmd).arg(&s).output().unwrap();
            let err = String::from_utf8_lossy(&o.stderr);
            assert!(!o.status.success(), "{cmd:?} {sample}: {err}");
            // Line 3, at the opening quote of the path.
            assert!(
                err.contains(&format!("{}:3:50: track \"loop\": ", s.display())),
                "{cmd:?}: {err}"
            );
            assert!(err.contains(says), "{cmd:?}: {err}");
        }
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn render_with_no_length_renders_patches_song_to_its_end_plus_the_tail() {
    let out = std::env::temp_dir().join(format!("termdaw-song-{}.wav", std::process::id()));
    let o = termdaw()
        .args(["render", "patches/song.ron", "-o"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let wav = hound::WavReader::open(&out).unwrap();
    let (rate, frames) = (wav.spec().sample_rate, wav.duration() as u64);
    let _ = std::fs::remove_file(&out);
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("patches/song.ron");
    let file = termdaw::patch::load(&path).unwrap();
    // 64 bars at 122 BPM, to the sample, then the documented tail.
    let song = (64.0 * 4.0 * 60.0 / 122.0 * rate as f64).round() as u64;
    let tail = (termdaw::audio::render::SONG_TAIL_SECONDS * rate as f64).round() as u64;
    assert_eq!(frames, song + tail);
    assert!(file.song_seconds() >= 120.0, "at least two minutes");
    assert_eq!(
        frames,
        termdaw::audio::render::frames_for(&file, termdaw::audio::render::Length::Song, rate)
    );
}

/// A build without the `link` feature says how to get Link, and plays.
#[cfg(not(feature = "link"))]
#[test]
fn link_in_a_build_without_it_says_how_to_get_it_and_plays_on() {
    let o = termdaw()
        .args([
            "patches/demo.ron",
            "--headless",
            "--seconds",
            "0.5",
            "--link",
            "--no-osc",
        ])
        .env("ALSA_CONFIG_PATH", "/nonexistent")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert!(
        err.contains("no Link: this termdaw was built without Ableton Link")
            && err.contains("--features link"),
        "{err}"
    );
}
