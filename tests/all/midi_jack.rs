//! MIDI through a real port (built with `--features jack`): the real binary
//! opens its virtual JACK MIDI input on a JACK dummy server, another JACK
//! client in another process sends it notes, controller changes and pitch
//! bend, and what termdaw played (through cpal → ALSA → the same JACK
//! server, with a WAV tap) has the notes and the changes in it.
//!
//! The sender is this test binary run again as a child process
//! ([`jack_midi_sender_process`]), so it can be pointed at the test's own
//! server through its environment.

use std::io::{BufRead, Write};
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::common::peak_frequency;
use crate::rig::{self, JackServer, TempDir};

/// No channel is routed: without the UI, notes play the first track.
const SESSION: &str = r#"Session(tempo: 120, tracks: [
    Track(name: "keys", instrument: Synth(wave: Sine, unison: 1, attack: 0, sustain: 1, release: 0.005, cutoff: 20000)),
], midi: Midi(cc: [
    Cc(cc: 7, target: Volume("keys"), min: -12, max: 0),
    Cc(cc: 74, target: Param("keys", "cutoff"), min: 100, max: 20000, curve: Exp),
]))"#;

/// Seconds between the script's steps.
const STEP: f64 = 1.5;

/// What the sender plays: (seconds from the first message, bytes).
const SCRIPT: &[(f64, &[u8])] = &[
    // 0: A4, velocity 100.
    (0.0, &[0x90, 69, 100]),
    // 1: CC 7 to 0: the fader goes to its mapped minimum, -12 dB.
    (STEP, &[0xB0, 7, 0]),
    // 2: fader back to 0 dB; CC 74 to 0: the filter closes to 100 Hz.
    (2.0 * STEP, &[0xB0, 7, 127, 0xB0, 74, 0]),
    // 3: filter open again; the wheel all the way up: +2 semitones.
    (3.0 * STEP, &[0xB0, 74, 127, 0xE0, 0x7F, 0x7F]),
    // 4: note off.
    (4.0 * STEP, &[0x80, 69, 0]),
];

#[test]
fn notes_controllers_and_bend_sent_over_jack_midi_are_heard() {
    let test = "midi_jack::notes_controllers_and_bend_sent_over_jack_midi_are_heard";
    let Some(jack) = JackServer::start(test, 256) else {
        return;
    };
    let dir = TempDir::new("termdaw-midi-jack");
    let session = dir.join("keys.ron");
    std::fs::write(&session, SESSION).unwrap();
    let alsa = rig::write_alsa_config(dir.path());
    let tap = dir.join("tap.wav");
    let log = dir.join("termdaw.out");

    let mut cmd = rig::termdaw(dir.path());
    cmd.arg(&session)
        .args(["--headless", "--no-osc", "--midi", "virtual"])
        .args(["--rate", "48000", "--buffer", "1024"])
        .env("ALSA_CONFIG_PATH", &alsa)
        .env(rig::TAP_ENV, &tap)
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&log).unwrap())
        .stderr(Stdio::null());
    jack.env(&mut cmd);
    let mut termdaw = cmd.spawn().expect("starting termdaw");
    let port = jack.wait_for_port("termdaw:", Duration::from_secs(20));
    let output = || std::fs::read_to_string(&log).unwrap_or_default();
    if port.is_none() {
        rig::terminate(&mut termdaw, Duration::from_secs(5));
        panic!(
            "termdaw's JACK MIDI port never appeared; termdaw said:\n{}\nports: {:?}\njackd:\n{}",
            output(),
            jack.ports(""),
            jack.log_text()
        );
    }

    // The other JACK client: this binary again, as the sender.
    let mut sender = jack
        .command(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "midi_jack::jack_midi_sender_process",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(SENDER_ENV, "termdaw:")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starting the sender");
    {
        let mut stdin = sender.stdin.take().unwrap();
        for (t, bytes) in SCRIPT {
            let hex: Vec<String> = bytes.iter().map(|b| format!("{b:02x}")).collect();
            writeln!(stdin, "{t} {}", hex.join(" ")).unwrap();
        }
    }
    let sent = sender.wait_with_output().unwrap();
    let sent_text = format!(
        "{}{}",
        String::from_utf8_lossy(&sent.stdout),
        String::from_utf8_lossy(&sent.stderr)
    );
    // The silence after the note-off is checked for one step too.
    std::thread::sleep(Duration::from_secs_f64(STEP + 0.5));
    rig::terminate(&mut termdaw, Duration::from_secs(10));
    assert!(
        sent.status.success() && sent_text.contains("sent 5 messages"),
        "the sender failed:\n{sent_text}"
    );
    let said = output();
    assert!(
        said.contains("default · 48000 Hz · 1024 frames"),
        "termdaw did not play through ALSA's default device:\n{said}"
    );

    let wav = rig::read_wav(&tap).unwrap();
    let l = &wav.channels[0];
    let rate = wav.rate as f64;
    let Some(on) = rig::onset(l, 0.01) else {
        panic!(
            "nothing was heard ({:.2} s captured); termdaw said:\n{said}\nsender:\n{sent_text}",
            wav.seconds()
        );
    };
    // Each step's steady part: from 0.3 s after it to 0.3 s before the next.
    let seg = |k: f64| {
        let a = on + ((k * STEP + 0.3) * rate) as usize;
        let b = on + (((k + 1.0) * STEP - 0.3) * rate) as usize;
        assert!(
            b <= l.len(),
            "the capture ends at {:.2} s, before step {k} ({:.2} s after the note at {:.2} s)",
            wav.seconds(),
            (k + 1.0) * STEP,
            on as f64 / rate
        );
        &l[a..b]
    };
    let db = |x: &[f32], reference: f64| 20.0 * (rig::rms(x) / reference).log10();
    let (s0, s1, s2, s3, s4) = (seg(0.0), seg(1.0), seg(2.0), seg(3.0), seg(4.0));
    let r0 = rig::rms(s0);
    let f = |x: &[f32]| peak_frequency(x, wav.rate as f32);
    println!(
        "midi_jack: onset at {:.3} s; note {:.2} Hz, RMS {r0:.4}; CC 7 → {:+.2} dB; \
         CC 74 → {:+.2} dB; bend → {:.2} Hz ({:+.2} dB); after note-off peak {:.5}",
        on as f64 / rate,
        f(s0),
        db(s1, r0),
        db(s2, r0),
        f(s3),
        db(s3, r0),
        s4.iter().fold(0.0f32, |m, x| m.max(x.abs()))
    );
    assert!(r0 > 0.05, "the note is audible (RMS {r0})");
    assert!(
        (f(s0) / 440.0 - 1.0).abs() < 0.005,
        "note 69 is 440 Hz: {}",
        f(s0)
    );
    assert!(
        (db(s1, r0) + 12.0).abs() < 0.5,
        "CC 7 at 0 puts the fader at -12 dB: {:+.2} dB",
        db(s1, r0)
    );
    assert!((f(s1) / 440.0 - 1.0).abs() < 0.005);
    assert!(
        db(s2, r0) < -10.0,
        "CC 74 at 0 closes the filter to 100 Hz: {:+.2} dB",
        db(s2, r0)
    );
    let bent = 440.0 * 2f32.powf(2.0 * 8191.0 / 8192.0 / 12.0);
    assert!(
        (f(s3) / bent - 1.0).abs() < 0.005,
        "the wheel bends 2 semitones up: {} Hz, want {bent}",
        f(s3)
    );
    assert!(
        db(s3, r0).abs() < 0.5,
        "CC 7 and 74 at 127 bring the level back: {:+.2} dB",
        db(s3, r0)
    );
    assert!(
        s4.iter().all(|x| x.abs() < 2.0 / 32768.0),
        "note-off: silence"
    );
}

const SENDER_ENV: &str = "TERMDAW_RIG_MIDI_SENDER";

/// Not a test of its own: the sending JACK client that
/// [`notes_controllers_and_bend_sent_over_jack_midi_are_heard`] runs in a
/// child process (with its JACK server in the environment). Reads lines of
/// `SECONDS HEX HEX...` from stdin and sends each message at its time to the
/// first JACK MIDI input whose name starts with `$TERMDAW_RIG_MIDI_SENDER`.
#[test]
#[ignore = "run by midi_jack::notes_controllers_and_bend_sent_over_jack_midi_are_heard"]
fn jack_midi_sender_process() {
    let Ok(prefix) = std::env::var(SENDER_ENV) else {
        return;
    };
    let out = midir::MidiOutput::new("termdaw-test-sender").expect("a JACK client");
    let t = Instant::now();
    let port = loop {
        let found = out
            .ports()
            .into_iter()
            .find(|p| out.port_name(p).is_ok_and(|n| n.starts_with(&prefix)));
        if let Some(p) = found {
            break p;
        }
        assert!(t.elapsed() < Duration::from_secs(10), "no port {prefix}*");
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut conn = out.connect(&port, "out").expect("connecting");
    let script: Vec<(f64, Vec<u8>)> = std::io::stdin()
        .lock()
        .lines()
        .map(|l| {
            let l = l.unwrap();
            let mut w = l.split_whitespace();
            let at: f64 = w.next().unwrap().parse().unwrap();
            let bytes = w.map(|h| u8::from_str_radix(h, 16).unwrap()).collect();
            (at, bytes)
        })
        .collect();
    let start = Instant::now();
    for (at, bytes) in &script {
        let due = start + Duration::from_secs_f64(*at);
        if let Some(wait) = due.checked_duration_since(Instant::now()) {
            std::thread::sleep(wait);
        }
        // midir sends one message per call.
        let mut i = 0;
        while i < bytes.len() {
            let len = match bytes[i] & 0xF0 {
                0xC0 | 0xD0 => 2,
                _ => 3,
            };
            conn.send(&bytes[i..i + len]).expect("sending");
            i += len;
        }
    }
    // Let the last message leave in the next JACK cycle before closing.
    std::thread::sleep(Duration::from_millis(100));
    conn.close();
    println!("sent {} messages", script.len());
}
