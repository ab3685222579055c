//! Live input through JACK (built with `--features jack`): with `--device
//! jack` the real binary reads JACK's own input too. Two of JACK's own
//! example clients, each a process of its own, play into it: `jack_metro`
//! beeps into the left input, which an Input track plays and a take
//! records; `jack_iodelay`, JACK's round-trip meter, loops through the
//! right input and output and measures the latency of the whole input path.

use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use crate::rig::{self, JackServer, Playing, TempDir};

const SESSION: &str = r#"Session(tempo: 120, tracks: [
    Track(name: "mic", instrument: Input(channel: 1, stereo: On, monitor: On)),
])"#;

/// The JACK period; termdaw's blocks are the same.
const PERIOD: u32 = 128;
/// The master limiter's look-ahead at 48 kHz.
const LOOKAHEAD: u32 = 72;

fn spawn(jack: &JackServer, program: &str, args: &[&str], log: &std::path::Path) -> Child {
    jack.command(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(log).unwrap())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("starting {program}: {e}"))
}

fn connect(jack: &JackServer, from: &str, to: &str) {
    let ok = jack
        .command("jack_connect")
        .args([from, to])
        .status()
        .is_ok_and(|s| s.success());
    assert!(ok, "jack_connect {from} {to}; ports: {:?}", jack.ports(""));
}

/// Every round trip `jack_iodelay` printed, in frames.
fn round_trips(log: &str) -> Vec<f64> {
    log.lines()
        .filter(|l| l.contains("total roundtrip latency"))
        .filter_map(|l| l.split_whitespace().next()?.parse().ok())
        .collect()
}

#[test]
fn a_tone_into_the_jack_input_is_heard_and_recorded_and_the_round_trip_is_measured() {
    let test = "input_jack::a_tone_into_the_jack_input_is_heard_and_recorded_and_the_round_trip_is_measured";
    let Some(jack) = JackServer::start_timed(test, PERIOD) else {
        return;
    };
    let dir = TempDir::new("termdaw-input-jack");
    let (mut termdaw, take) = Playing::recording(&jack, &dir, SESSION, &["--seconds", "7"]);
    termdaw.wait_for(&jack, &["termdaw_in:in_1"]);
    let (metro_log, delay_log) = (dir.join("metro.out"), dir.join("iodelay.out"));
    // A 400 ms beep of 880 Hz at half scale on every beat of 120 BPM.
    let mut metro = spawn(
        &jack,
        "jack_metro",
        &[
            "-n", "metro", "-b", "120", "-f", "880", "-A", "0.5", "-D", "400",
        ],
        &metro_log,
    );
    let mut delay = spawn(&jack, "stdbuf", &["-o0", "jack_iodelay"], &delay_log);
    let t = Instant::now();
    for port in ["metro:120_bpm", "jack_delay:out"] {
        assert!(
            jack.wait_for_port(port, Duration::from_secs(10)).is_some(),
            "{port} never appeared"
        );
    }
    connect(&jack, "metro:120_bpm", "termdaw_in:in_0");
    connect(&jack, "jack_delay:out", "termdaw_in:in_1");
    connect(&jack, "termdaw_out:out_1", "jack_delay:in");
    let said = termdaw.wait();
    for c in [&mut metro, &mut delay] {
        rig::terminate(c, Duration::from_secs(2));
    }
    assert!(
        said.contains("input: termdaw_in (2 channels)") && said.contains("JACK termdaw_out"),
        "termdaw did not play and listen through JACK:\n{said}"
    );

    // The round trip. termdaw's input and output are two JACK clients
    // (cpal opens one for each direction) with no port between them, so
    // no loop closes in JACK's graph and all of the delay is termdaw's:
    // the cushion of two blocks, less or more one as JACK runs the two
    // clients in one order or the other (or side by side), and the
    // limiter's look-ahead. A cycle missed under load leaves a block more
    // in the ring, and the engine lets it grow to four cushions at most,
    // so the round trip never passes that (~26 ms here); what it is on a
    // machine at rest is measured by `cargo bench --bench latency`.
    let delay_said = std::fs::read_to_string(&delay_log).unwrap_or_default();
    let all = round_trips(&delay_said);
    let frames = *all
        .last()
        .unwrap_or_else(|| panic!("jack_iodelay measured nothing:\n{delay_said}"));
    println!(
        "input_jack: round trip {frames:.1} frames ({:.2} ms) at {PERIOD} frames after {:.1} s",
        frames / 48.0,
        t.elapsed().as_secs_f64()
    );
    let most = (4 * 2 * PERIOD + PERIOD + LOOKAHEAD) as f64;
    assert!(
        ((PERIOD + LOOKAHEAD) as f64 - 1.0..=most + 1.0).contains(&frames),
        "the round trip is {frames} frames: not from a block and the look-ahead to {most}: {all:?}"
    );

    // The beeps reached the take's input at their pitch and level, and the
    // Input track played them: the master's left is the input's left,
    // delayed by the look-ahead, to the 24-bit step.
    let input = hound::WavReader::open(take.join("input-1-2.wav")).unwrap();
    let input: Vec<f32> = input
        .into_samples::<f32>()
        .step_by(2)
        .map(Result::unwrap)
        .collect();
    let start = input
        .iter()
        .position(|v| v.abs() > 0.05)
        .expect("the beeps reached the input");
    // Each beep's steady part (a cycle missed under load drops a block
    // from one now and then, so the pitch is the beeps' median).
    let mut pitches: Vec<f32> = (0..)
        .map(|k| start + k * 24_000 + 960)
        .take_while(|a| a + 8192 <= input.len())
        .map(|a| crate::common::peak_frequency(&input[a..a + 8192], 48_000.0))
        .collect();
    pitches.sort_by(f32::total_cmp);
    let f = pitches[pitches.len() / 2];
    assert!(
        pitches.len() >= 5 && (f / 880.0 - 1.0).abs() < 0.005,
        "the beeps at {pitches:?} Hz"
    );
    let peak = input.iter().fold(0f32, |m, v| m.max(v.abs()));
    assert!((peak - 0.5).abs() < 0.02, "the beep's peak {peak}");
    let master = hound::WavReader::open(take.join("master.wav")).unwrap();
    let left: Vec<f32> = master
        .into_samples::<i32>()
        .step_by(2)
        .map(|s| s.unwrap() as f32 / 8_388_607.0)
        .collect();
    let worst = input
        .iter()
        .zip(&left[LOOKAHEAD as usize..])
        .map(|(i, m)| (i - m).abs())
        .fold(0f32, f32::max);
    assert!(
        worst < 2.0 / 8_388_607.0,
        "the master's left is not the input's left: off by {worst}"
    );
}
