//! MIDI clock out through a real port (built with `--features jack`):
//! termdaw plays into a JACK dummy server with `--midi-out` naming the
//! port of `jack_midi_dump` (JACK's MIDI monitor, another process), which
//! prints every message it receives with its frame. A follower gets Start,
//! then 24 clocks a beat at the session's tempo, then Stop when termdaw
//! quits.

use std::process::Stdio;
use std::time::Duration;

use crate::rig::{self, JackServer, Playing, TempDir};

const SESSION: &str = r#"Session(tempo: 120, tracks: [
    Track(name: "kick", instrument: Kick(), pattern: Steps("x...x...x...x...")),
])"#;

const PERIOD: u32 = 64;

#[test]
fn a_jack_midi_monitor_gets_start_24_clocks_a_beat_and_stop() {
    let test = "midi_out_jack::a_jack_midi_monitor_gets_start_24_clocks_a_beat_and_stop";
    let Some(jack) = JackServer::start_timed(test, PERIOD) else {
        return;
    };
    let dir = TempDir::new("termdaw-midi-out");
    let dump = dir.join("dump.out");
    let mut monitor = jack
        .command("stdbuf")
        .args(["-o0", "jack_midi_dump", "-a"])
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&dump).unwrap())
        .stderr(Stdio::null())
        .spawn()
        .expect("starting jack_midi_dump");
    assert!(
        jack.wait_for_port("midi-monitor:input", Duration::from_secs(10))
            .is_some(),
        "jack_midi_dump's port never appeared"
    );
    let termdaw = Playing::start(
        &jack,
        &dir,
        SESSION,
        &["--seconds", "4", "--midi-out", "midi-monitor"],
    );
    let said = termdaw.wait();
    std::thread::sleep(Duration::from_millis(300));
    rig::terminate(&mut monitor, Duration::from_secs(2));
    assert!(said.contains("MIDI out: midi-monitor:input"), "{said}");
    let got = std::fs::read_to_string(&dump).unwrap();
    let events: Vec<(i64, String)> = got
        .lines()
        .filter_map(|l| {
            let (frame, bytes) = l.split_once(':')?;
            Some((frame.trim().parse().ok()?, bytes.trim().to_string()))
        })
        .collect();
    assert_eq!(
        events.first().map(|e| e.1.as_str()),
        Some("fa"),
        "Start first:\n{got}"
    );
    assert_eq!(events.last().map(|e| e.1.as_str()), Some("fc"), "Stop last");
    let clocks: Vec<i64> = events.iter().filter(|e| e.1 == "f8").map(|e| e.0).collect();
    assert!(clocks.len() > 150, "{} clocks in 4 s", clocks.len());
    // 120 BPM at 48 kHz: a clock every 1000 frames. midir's JACK port
    // sends each message in the cycle after it is handed over, so each
    // lands on a cycle's first frame: one period either way, and a
    // millisecond for the sender thread's wake-up.
    let span = (clocks[clocks.len() - 1] - clocks[0]) as f64 / (clocks.len() - 1) as f64;
    let mut off: Vec<i64> = clocks
        .windows(2)
        .map(|w| ((w[1] - w[0]) - 1000).abs())
        .collect();
    off.sort_unstable();
    let (p95, worst) = (off[off.len() * 95 / 100], off[off.len() - 1]);
    println!(
        "midi_out_jack: {} clocks, {span:.2} frames apart on average, \
         95 % within {p95} frames of their place, worst {worst}",
        clocks.len()
    );
    assert!((span - 1000.0).abs() < 2.0, "{span} frames a clock");
    assert!(
        p95 <= PERIOD as i64 + 48,
        "clocks {p95} frames from their place"
    );
    // A busy machine may wake the sender late now and then; never by 10 ms.
    assert!(worst <= 480, "a clock {worst} frames from its place");
}
