//! cpal's real output path on a machine without a sound card: the real
//! binary plays through ALSA's default device into a JACK server with its
//! dummy driver (paced like a sound card), and a WAV tap in the ALSA chain
//! records what the device received. See rig.rs.

use std::process::Stdio;
use std::time::Instant;

use crate::common::{peak_frequency, render_text};
use crate::rig::{self, JackServer, TempDir};

/// A4 held for the whole run (retriggered each bar), centre-panned.
const SINE: &str = r#"Session(tempo: 120, tracks: [
    Track(name: "a", instrument: Synth(wave: Sine, unison: 1, sustain: 1), pattern: Notes("69"), resolution: 1, gate: 1),
])"#;

#[test]
fn playing_through_alsa_into_jack_sounds_right_and_takes_real_time() {
    let Some(jack) = JackServer::start(
        "device::playing_through_alsa_into_jack_sounds_right_and_takes_real_time",
        256,
    ) else {
        return;
    };
    let dir = TempDir::new("termdaw-device");
    let session = dir.join("sine.ron");
    std::fs::write(&session, SINE).unwrap();
    let alsa = rig::write_alsa_config(dir.path());
    let tap = dir.join("tap.wav");

    let seconds = 10.0;
    let mut cmd = rig::termdaw(dir.path());
    cmd.arg(&session)
        .args(["--headless", "--no-osc", "--midi", "none", "--seconds"])
        .arg(seconds.to_string())
        // The JACK PCM takes periods of the server's size (256): cpal asks
        // for a quarter of the buffer per period.
        .args(["--rate", "48000", "--buffer", "1024"])
        .env("ALSA_CONFIG_PATH", &alsa)
        .env(rig::TAP_ENV, &tap)
        .stdin(Stdio::null());
    jack.env(&mut cmd);
    let started = Instant::now();
    let out = cmd.output().expect("running termdaw");
    let wall = started.elapsed().as_secs_f64();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "termdaw failed:\n{stdout}\n{stderr}");
    assert!(
        stdout.contains("default · 48000 Hz · 1024 frames"),
        "termdaw did not open ALSA's default device:\n{stdout}\n{stderr}\njackd:\n{}",
        jack.log_text()
    );

    // Playing 10 s takes 10 s: the process (start-up and shutdown included)
    // and the audio the device consumed. An unpaced sink would swallow
    // minutes of audio in that time.
    assert!(
        (seconds..seconds + 2.0).contains(&wall),
        "playing {seconds} s took {wall:.2} s of wall-clock time"
    );
    let wav = rig::read_wav(&tap).unwrap();
    assert_eq!(wav.rate, 48000);
    assert_eq!(wav.channels.len(), 2);
    let captured = wav.seconds();
    assert!(
        (seconds - 0.2..seconds + 0.5).contains(&captured),
        "the device consumed {captured:.3} s of audio in {seconds} s of play ({wall:.2} s wall)"
    );

    // Pitch and level: the same session rendered offline is the reference.
    let reference = render_text(SINE, 96000);
    let want_rms = rig::rms(&reference.l[24000..96000]);
    for (c, ch) in wav.channels.iter().enumerate() {
        let steady = &ch[48000..(wav.frames() - 24000).min(48000 * 9)];
        let f = peak_frequency(steady, wav.rate as f32);
        assert!(
            (f / 440.0 - 1.0).abs() < 0.005,
            "channel {c}: pitch {f:.2} Hz, want 440"
        );
        let got = rig::rms(steady);
        let db = 20.0 * (got / want_rms).log10();
        println!(
            "device: channel {c}: {f:.2} Hz, RMS {got:.4} ({db:+.2} dB vs offline); \
             {captured:.3} s of audio in {seconds} s of play, process {wall:.2} s"
        );
        assert!(
            db.abs() < 0.5,
            "channel {c}: RMS {got:.4} vs {want_rms:.4} rendered offline ({db:+.2} dB)"
        );
    }
    drop(jack);
}

/// With no `--buffer`, termdaw asks for 256 frames; ALSA's JACK plugin
/// takes only whole server periods, so it must negotiate a size the device
/// takes, say which, and play paced, in tune and at the right level.
#[test]
fn with_no_buffer_flag_the_default_device_negotiates_a_buffer_and_plays() {
    for period in [256u32, 1024] {
        let test = format!(
            "device::with_no_buffer_flag_the_default_device_negotiates_a_buffer_and_plays@{period}"
        );
        let Some(jack) = JackServer::start(&test, period) else {
            return;
        };
        let dir = TempDir::new(&format!("termdaw-negotiate-{period}"));
        let session = dir.join("sine.ron");
        std::fs::write(&session, SINE).unwrap();
        let alsa = rig::write_alsa_config(dir.path());
        let tap = dir.join("tap.wav");
        let seconds = 4.0;
        let mut cmd = rig::termdaw(dir.path());
        cmd.arg(&session)
            .args(["--headless", "--no-osc", "--midi", "none", "--seconds"])
            .arg(seconds.to_string())
            .args(["--rate", "48000"])
            .env("ALSA_CONFIG_PATH", &alsa)
            .env(rig::TAP_ENV, &tap)
            .stdin(Stdio::null());
        jack.env(&mut cmd);
        let started = Instant::now();
        let out = cmd.output().expect("running termdaw");
        let wall = started.elapsed().as_secs_f64();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{stdout}\n{stderr}");
        let line = stdout
            .lines()
            .find(|l| l.contains("default · 48000 Hz · "))
            .unwrap_or_else(|| panic!("period {period}: not on the device:\n{stdout}\n{stderr}"));
        assert!(line.contains("(asked 256: "), "period {period}: {line}");
        println!("device negotiation, JACK period {period}: {line}");
        assert!(
            (seconds..seconds + 2.0).contains(&wall),
            "period {period}: {wall:.2} s for {seconds} s"
        );
        let wav = rig::read_wav(&tap).unwrap();
        let captured = wav.seconds();
        assert!(
            (seconds - 0.3..seconds + 0.5).contains(&captured),
            "period {period}: the device consumed {captured:.3} s in {seconds} s"
        );
        let reference = render_text(SINE, 96000);
        let want_rms = rig::rms(&reference.l[24000..96000]);
        let steady = &wav.channels[0][48000..(wav.frames() - 24000).min(48000 * 3)];
        let f = peak_frequency(steady, wav.rate as f32);
        assert!(
            (f / 440.0 - 1.0).abs() < 0.005,
            "period {period}: {f:.2} Hz"
        );
        let db = 20.0 * (rig::rms(steady) / want_rms).log10();
        assert!(db.abs() < 0.5, "period {period}: {db:+.2} dB vs offline");
        drop(jack);
    }
}

/// A `jack` build's `--device jack`: cpal's JACK backend, a client of its
/// own whose ports `jack_rec` (another JACK client) records.
#[cfg(feature = "jack")]
#[test]
fn a_jack_build_plays_straight_into_jack_with_device_jack() {
    let test = "device::a_jack_build_plays_straight_into_jack_with_device_jack";
    let Some(jack) = JackServer::start(test, 256) else {
        return;
    };
    if !rig::have("jack_rec") {
        println!("SKIPPED {test}: jack_rec is not installed (jackd2's example clients)");
        return;
    }
    let dir = TempDir::new("termdaw-device-jack");
    let mut termdaw =
        rig::Playing::start(&jack, &dir, SINE, &["--midi", "none", "--seconds", "15"]);
    let port = termdaw.wait_for(&jack, &["termdaw_out:out_0"]).remove(0);
    let tap = dir.join("rec.wav");
    // jack_rec waits for its 3 s forever if the server drops it (a client
    // too slow on a loaded machine): bounded, so such a run fails, not hangs.
    let mut rec = jack
        .command("jack_rec")
        .arg("-f")
        .arg(&tap)
        .args(["-d", "3", "-b", "16"])
        .arg(&port)
        .arg(port.replace("out_0", "out_1"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("running jack_rec");
    let started = Instant::now();
    while rec.try_wait().unwrap().is_none() && started.elapsed().as_secs() < 30 {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let recorded = rec.try_wait().unwrap().is_some();
    rig::terminate(&mut rec, std::time::Duration::from_secs(1));
    let rec = rec.wait_with_output().unwrap();
    rig::terminate(&mut termdaw.child, std::time::Duration::from_secs(5));
    let said = termdaw.said();
    assert!(
        recorded,
        "jack_rec did not finish its 3 s within 30 s; termdaw said:\n{said}"
    );
    assert!(
        rec.status.success(),
        "jack_rec failed: {}",
        String::from_utf8_lossy(&rec.stderr)
    );
    assert!(
        said.contains("JACK termdaw_out · 48000 Hz · 256 frames"),
        "termdaw did not say it plays into JACK:\n{said}"
    );

    let wav = rig::read_wav(&tap).unwrap();
    assert_eq!(wav.channels.len(), 2);
    assert!(wav.seconds() > 2.5, "recorded {:.2} s", wav.seconds());
    let reference = render_text(SINE, 96000);
    let want_rms = rig::rms(&reference.l[24000..96000]);
    for (c, ch) in wav.channels.iter().enumerate() {
        let steady = &ch[24000..wav.frames() - 4800];
        let f = peak_frequency(steady, wav.rate as f32);
        // The level of quarter-second pieces, median: the retrigger each bar
        // (a new voice over the old one's release) is not the device's doing.
        let mut pieces: Vec<f64> = steady.chunks_exact(12000).map(rig::rms).collect();
        pieces.sort_by(f64::total_cmp);
        let db = 20.0 * (pieces[pieces.len() / 2] / want_rms).log10();
        println!("device (JACK): channel {c}: {f:.2} Hz, {db:+.2} dB vs offline");
        assert!(
            (f / 440.0 - 1.0).abs() < 0.005,
            "channel {c}: pitch {f:.2} Hz, want 440"
        );
        assert!(db.abs() < 0.2, "channel {c}: level {db:+.2} dB vs offline");
    }
}

/// A bug that panics inside the engine (here the debug-only `Op::TestPanic`)
/// must not kill the stream: the silent sink the app falls back to keeps
/// calling back, the panic is counted once, and the output is silence.
#[cfg(debug_assertions)]
#[test]
fn a_panicking_engine_leaves_a_live_stream_playing_silence_and_a_counted_panic() {
    use std::sync::atomic::Ordering;
    use std::time::Duration;
    use termdaw::audio::device;
    use termdaw::audio::Guard;
    use termdaw::engine::{Counters, EngineCmd, EngineConfig, Op};

    // The guard itself: sound before, one counted panic, silence after.
    let (mut session, mut engine) = crate::common::prepare(SINE);
    let send =
        |s: &mut termdaw::session::Session, op| s.engine_mut().unwrap().send(EngineCmd::now(op));
    send(&mut session, Op::Play);
    let mut guard = Guard::default();
    let (mut l, mut r) = (vec![0.0f32; 4800], vec![0.0f32; 4800]);
    guard.process(&mut engine, &mut l, &mut r);
    assert!(
        l.iter().any(|x| x.abs() > 0.01),
        "the sine plays before the panic"
    );
    let counters = engine.counters().clone();
    send(&mut session, Op::TestPanic);
    for _ in 0..3 {
        l.fill(1.0);
        r.fill(1.0);
        guard.process(&mut engine, &mut l, &mut r);
        assert!(
            l.iter().chain(&r).all(|x| *x == 0.0),
            "silence after the panic"
        );
    }
    assert!(guard.panicked());
    assert_eq!(
        Counters::get(&counters.panics),
        1,
        "one panic, counted once"
    );

    // The silent sink (the app's output without a sound card) keeps running.
    let (mut handle, engine) = termdaw::handle::connect(EngineConfig::new(48000.0, 120.0));
    let counters = engine.counters().clone();
    let out = device::start(engine, Err(device::DeviceError::NoDefault), 48000, 256);
    let wait_for = |what: &str, ok: &dyn Fn() -> bool| {
        let t = std::time::Instant::now();
        while !ok() {
            assert!(t.elapsed() < Duration::from_secs(10), "timed out: {what}");
            std::thread::sleep(Duration::from_millis(5));
        }
    };
    wait_for("blocks render", &|| Counters::get(&counters.blocks) > 4);
    handle.send(EngineCmd::now(Op::TestPanic));
    wait_for("the panic is counted", &|| {
        Counters::get(&counters.panics) == 1
    });
    let (blocks, calls) = (
        counters.blocks.load(Ordering::Relaxed),
        counters.callbacks.load(Ordering::Relaxed),
    );
    // 20 callbacks of 256 frames at 48 kHz: about 0.1 s.
    wait_for("callbacks keep coming", &|| {
        Counters::get(&counters.callbacks) > calls + 20
    });
    assert_eq!(
        Counters::get(&counters.blocks),
        blocks,
        "the engine is not called again after its panic"
    );
    assert_eq!(Counters::get(&counters.panics), 1);
    drop(out);
}

/// Stopping the JACK server under a playing termdaw (ALSA's default device
/// routed into it): termdaw stays up, says the device went away, plays on
/// silently, and when the server is back it reopens the device within 3 s
/// and the sine sounds again, in tune.
#[test]
fn a_device_that_goes_away_is_reopened_when_it_comes_back() {
    use std::time::Duration;
    let test = "device::a_device_that_goes_away_is_reopened_when_it_comes_back";
    let Some(jack) = JackServer::start(test, 256) else {
        return;
    };
    let name = jack.name.clone();
    let dir = TempDir::new("termdaw-reopen");
    let alsa = rig::write_alsa_config(dir.path());
    let tap = dir.join("tap.wav");
    let (mut termdaw, log) = headless_sine(&dir, &jack, 16, |cmd| {
        cmd.args(["--rate", "48000"])
            .env("ALSA_CONFIG_PATH", &alsa)
            .env(rig::TAP_ENV, &tap);
    });
    let said = || std::fs::read_to_string(&log).unwrap_or_default();
    let wait_for = |what: &str, within: Duration, ok: &dyn Fn(&str) -> bool| {
        wait_in_log(&log, what, within, ok)
    };
    wait_for("termdaw opens the device", Duration::from_secs(10), &|s| {
        s.contains("default · 48000 Hz")
    });
    std::thread::sleep(Duration::from_secs(2));
    drop(jack);
    wait_for(
        "termdaw says the device went away",
        Duration::from_secs(3),
        &|s| s.contains("went away"),
    );
    std::thread::sleep(Duration::from_secs(1));
    assert!(
        termdaw.try_wait().unwrap().is_none(),
        "termdaw is still running on the silent sink:\n{}",
        said()
    );
    let restart = Instant::now();
    let jack = JackServer::start_as(test, 256, name).expect("jackd again");
    let up = restart.elapsed();
    wait_for("the device comes back", Duration::from_secs(3), &|s| {
        s.lines()
            .any(|l| l.starts_with("sound: default · 48000 Hz"))
    });
    println!(
        "JACK server up again after {:.2} s, termdaw's device back after {:.2} s",
        up.as_secs_f64(),
        restart.elapsed().as_secs_f64()
    );
    let reopened = Instant::now();
    let status = termdaw.wait().unwrap();
    assert!(status.success(), "{}", said());
    // What the device got after it came back (reopening the device starts
    // the tap's file again): the sine, in tune, for the rest of the run.
    let after = reopened.elapsed().as_secs_f64();
    let wav = rig::read_wav(&tap).unwrap();
    assert!(
        wav.seconds() > 4.0 && wav.seconds() < after + 1.0,
        "{:.2} s in the tap, {after:.2} s since the device was reopened",
        wav.seconds()
    );
    let steady = &wav.channels[0][24000..wav.frames() - 24000];
    let f = peak_frequency(steady, wav.rate as f32);
    assert!((f / 440.0 - 1.0).abs() < 0.005, "{f:.2} Hz after reopening");
    assert!(rig::rms(steady) > 0.05, "audible after reopening");
    drop(jack);
}

/// The real binary playing the sine session headless for `seconds` on
/// `jack`'s server, with what `more` adds to its command line; everything
/// it says (its reports go to stderr without a terminal, and JACK's client
/// library talks there too) lands in the returned log.
fn headless_sine(
    dir: &TempDir,
    jack: &JackServer,
    seconds: u32,
    more: impl FnOnce(&mut std::process::Command),
) -> (std::process::Child, std::path::PathBuf) {
    let session = dir.join("sine.ron");
    std::fs::write(&session, SINE).unwrap();
    let log = dir.join("out.log");
    let out = std::fs::File::create(&log).unwrap();
    let mut cmd = rig::termdaw(dir.path());
    cmd.arg(&session)
        .args(["--headless", "--no-osc", "--midi", "none", "--seconds"])
        .arg(seconds.to_string())
        .stdin(Stdio::null())
        .stdout(out.try_clone().unwrap())
        .stderr(out);
    more(&mut cmd);
    jack.env(&mut cmd);
    (cmd.spawn().expect("starting termdaw"), log)
}

/// Wait until what termdaw wrote to `log` satisfies `ok`, failing the test
/// with `what` and the log after `within`.
fn wait_in_log(
    log: &std::path::Path,
    what: &str,
    within: std::time::Duration,
    ok: &dyn Fn(&str) -> bool,
) {
    let said = || std::fs::read_to_string(log).unwrap_or_default();
    let t = Instant::now();
    while !ok(&said()) {
        assert!(
            t.elapsed() < within,
            "{what} within {within:?}; termdaw said:\n{}",
            said()
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// The same with `--device jack` in a `jack` build: the JACK server stopped
/// under termdaw and started again, and termdaw's client is back on it
/// within 3 s.
#[cfg(feature = "jack")]
#[test]
fn a_jack_build_reconnects_to_a_restarted_jack_server() {
    use std::time::Duration;
    let test = "device::a_jack_build_reconnects_to_a_restarted_jack_server";
    let Some(jack) = JackServer::start(test, 256) else {
        return;
    };
    let name = jack.name.clone();
    let dir = TempDir::new("termdaw-rejack");
    let (mut termdaw, log) = headless_sine(&dir, &jack, 12, |cmd| {
        cmd.args(["--device", "jack"]);
    });
    let said = || std::fs::read_to_string(&log).unwrap_or_default();
    wait_in_log(&log, "termdaw opens JACK", Duration::from_secs(10), &|s| {
        s.contains("JACK termdaw_out · 48000 Hz")
    });
    std::thread::sleep(Duration::from_secs(1));
    drop(jack);
    wait_in_log(
        &log,
        "termdaw says JACK went away",
        Duration::from_secs(3),
        &|s| s.contains("went away"),
    );
    assert!(termdaw.try_wait().unwrap().is_none(), "{}", said());
    let jack = JackServer::start_as(test, 256, name).expect("jackd again");
    wait_in_log(
        &log,
        "termdaw is back on JACK",
        Duration::from_secs(3),
        &|s| {
            s.lines()
                .any(|l| l.starts_with("sound: JACK termdaw_out · 48000 Hz"))
        },
    );
    let port = jack.wait_for_port("termdaw_out:out_0", Duration::from_secs(3));
    assert!(port.is_some(), "ports: {:?}", jack.ports(""));
    // JACK's input went away with the server and came back with it.
    wait_in_log(
        &log,
        "the JACK input is back",
        Duration::from_secs(3),
        &|s| s.matches("input: termdaw_in (2 channels)").count() == 2,
    );
    let status = termdaw.wait().unwrap();
    assert!(status.success(), "{}", said());
    drop(jack);
}
