//! Input-to-sound latency at 64-, 128- and 256-frame buffers.
//!
//! With `--features jack` (and jackd installed: `sh .ci/setup`) it is
//! measured end to end on the JACK clock: a JACK client of this benchmark
//! sends note-ons into the real binary's virtual MIDI port (midir's JACK
//! backend) and listens to termdaw's output as it leaves ALSA's `jack` PCM
//! (cpal → ALSA default device → JACK, see tests/all/rig.rs). Latency is the
//! number of frames from the cycle the note-on was written in to the first
//! sample of the note reaching the JACK graph. The server runs the dummy
//! driver with a period of a quarter of termdaw's buffer, which is the
//! period cpal asks ALSA for.
//!
//! Then audio input → sound: termdaw plays and listens through JACK
//! (`--device jack`), an Input track monitors its input, and JACK's own
//! round-trip meter `jack_iodelay` loops through it; several runs at each
//! period, since where in the cycle the engine first reads the input (its
//! input and output are two JACK clients) moves the delay between runs.
//!
//! Then MIDI clock: in, the distance between a sender's beats (clock on
//! exact frames with ±1 ms of jitter, 120 BPM, then 140) and termdaw's
//! kick on each, after the lock; out, how far each clock termdaw sends
//! (`--midi-out`) lands from its place, as `jack_midi_dump` receives it.
//!
//! Without the feature it prints the figure computed from the parts (device
//! buffer + one block + the limiter's look-ahead) and says so.
//!
//! `cargo bench --features jack --bench latency`

#[cfg(feature = "jack")]
#[path = "../tests/all/rig.rs"]
#[allow(dead_code)]
mod rig;

const RATE: f64 = 48000.0;
const BUFFERS: [u32; 3] = [64, 128, 256];
/// The master limiter looks this far ahead (docs/architecture.md).
const LOOKAHEAD_MS: f64 = 1.5;

/// The computed figure: the device's buffer, one block of waiting for the
/// next callback (a period, a quarter of the buffer through ALSA), and the
/// limiter's look-ahead.
fn computed_ms(buffer: u32) -> (f64, f64) {
    let period = buffer as f64 / 4.0;
    let best = buffer as f64 / RATE * 1e3 + LOOKAHEAD_MS;
    let worst = (buffer as f64 + period) / RATE * 1e3 + LOOKAHEAD_MS;
    (best, worst)
}

fn print_computed() {
    println!(
        "computed from the parts (device buffer + up to one block + 1.5 ms limiter look-ahead):"
    );
    for b in BUFFERS {
        let (lo, hi) = computed_ms(b);
        println!("  buffer {b:>4}: {lo:.2} – {hi:.2} ms");
    }
}

fn main() {
    // `cargo test` runs benches too when asked for all targets; stay quick there.
    if std::env::args().any(|a| a == "--test" || a == "--list") {
        return;
    }
    #[cfg(feature = "jack")]
    measured::run();
    #[cfg(feature = "jack")]
    input::run();
    #[cfg(feature = "jack")]
    clock::run();
    #[cfg(not(feature = "jack"))]
    println!(
        "MIDI → sound latency: NOT MEASURED (build with `--features jack` and install jackd \
         to measure it through a JACK dummy server)"
    );
    print_computed();
}

#[cfg(feature = "jack")]
mod measured {
    use std::process::Stdio;
    use std::sync::mpsc;
    use std::time::{Duration, Instant};

    use super::rig::{self, JackServer, TempDir};
    use super::{computed_ms, BUFFERS, RATE};

    const NOTES: usize = 40;
    const SESSION: &str = r#"Session(tempo: 120, tracks: [
    Track(name: "keys", instrument: Synth(wave: Sine, unison: 1, attack: 0, sustain: 1, release: 0.002, cutoff: 20000)),
], midi: Midi(channels: {1: "keys"}))"#;

    enum Seen {
        Latency(u32),
        Missed,
    }

    pub fn run() {
        // Set once, before any thread exists; every server of this run uses the name.
        let name = format!("termdaw-bench-{}", std::process::id());
        std::env::set_var("JACK_DEFAULT_SERVER", &name);
        std::env::set_var("JACK_NO_START_SERVER", "1");
        println!(
            "MIDI → sound latency through a JACK dummy server at 48 kHz ({NOTES} notes each; \
             JACK period = buffer/4)"
        );
        println!(
            "{:>7} {:>7} {:>9} {:>9} {:>9} {:>9} {:>14}",
            "buffer", "period", "min ms", "p50 ms", "p99 ms", "max ms", "computed ms"
        );
        for b in BUFFERS {
            match one(&name, b) {
                Ok(mut lat) if !lat.is_empty() => {
                    lat.sort_unstable();
                    let ms = |f: u32| f as f64 / RATE * 1e3;
                    let pct = |p: f64| lat[((lat.len() - 1) as f64 * p) as usize];
                    let (lo, hi) = computed_ms(b);
                    println!(
                        "{b:>7} {:>7} {:>9.2} {:>9.2} {:>9.2} {:>9.2} {:>6.2} – {:.2}{}",
                        b / 4,
                        ms(lat[0]),
                        ms(pct(0.5)),
                        ms(pct(0.99)),
                        ms(*lat.last().unwrap()),
                        lo,
                        hi,
                        if lat.len() < NOTES {
                            format!("  ({} of {NOTES} notes heard)", lat.len())
                        } else {
                            String::new()
                        }
                    );
                }
                Ok(_) => println!("{b:>7} no note was heard"),
                Err(e) => println!("{b:>7} not measured: {e}"),
            }
        }
    }

    fn one(name: &str, buffer: u32) -> Result<Vec<u32>, String> {
        let period = buffer / 4;
        let Some(jack) = JackServer::start_as("latency bench", period, name.to_string()) else {
            return Err("jackd is not installed".into());
        };
        let dir = TempDir::new("termdaw-bench-latency");
        let session = dir.join("keys.ron");
        std::fs::write(&session, SESSION).unwrap();
        let alsa = rig::write_alsa_config(dir.path());
        let log = dir.join("termdaw.out");
        let mut cmd = rig::termdaw(dir.path());
        cmd.arg(&session)
            .args([
                "--headless",
                "--no-osc",
                "--midi",
                "virtual",
                "--rate",
                "48000",
            ])
            .arg("--buffer")
            .arg(buffer.to_string())
            .env("ALSA_CONFIG_PATH", &alsa)
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(&log).unwrap())
            .stderr(Stdio::null());
        jack.env(&mut cmd);
        let mut termdaw = cmd.spawn().map_err(|e| e.to_string())?;
        let result = measure(&jack, &log, termdaw.id());
        rig::terminate(&mut termdaw, Duration::from_secs(5));
        result
    }

    fn measure(jack: &JackServer, log: &std::path::Path, pid: u32) -> Result<Vec<u32>, String> {
        let said = || std::fs::read_to_string(log).unwrap_or_default();
        let midi_in = jack
            .wait_for_port("termdaw:", Duration::from_secs(20))
            .ok_or_else(|| format!("termdaw's MIDI port never appeared: {}", said()))?;
        let t = Instant::now();
        let audio_out = loop {
            // ALSA's jack PCM names its client after the program and its pid.
            let ports = jack.ports(&format!(".P.{pid}."));
            if let Some(p) = ports.iter().find(|p| p.ends_with("out_000")) {
                break p.clone();
            }
            if t.elapsed() > Duration::from_secs(10) {
                return Err(format!("termdaw's audio never reached JACK: {}", said()));
            }
            std::thread::sleep(Duration::from_millis(50));
        };

        let (client, _) =
            jack::Client::new("termdaw-latency", jack::ClientOptions::NO_START_SERVER)
                .map_err(|e| format!("JACK client: {e:?}"))?;
        let mut out = client
            .register_port("midi_out", jack::MidiOut::default())
            .map_err(|e| format!("{e:?}"))?;
        let inp = client
            .register_port("in", jack::AudioIn::default())
            .map_err(|e| format!("{e:?}"))?;
        let (tx, rx) = mpsc::sync_channel::<Seen>(NOTES * 2);
        let rate = client.sample_rate();
        // Frames: note on, listen, note off after 60 ms, next note 120 ms later.
        let gap_on = rate * 60 / 1000;
        let gap_off = rate * 120 / 1000;
        let give_up = rate / 2;
        let mut next_on: Option<u32> = None;
        let mut sent: Option<u32> = None;
        let mut off_at: Option<u32> = None;
        let mut count = 0usize;
        let handler = jack::contrib::ClosureProcessHandler::new(
            move |_: &jack::Client, ps: &jack::ProcessScope| {
                let t0 = ps.last_frame_time();
                let n = ps.n_frames();
                let mut w = out.writer(ps);
                let start = *next_on.get_or_insert(t0.wrapping_add(rate / 2));
                if let Some(s) = sent {
                    if let Some(i) = inp.as_slice(ps).iter().position(|x| x.abs() > 1e-3) {
                        let _ =
                            tx.try_send(Seen::Latency(t0.wrapping_add(i as u32).wrapping_sub(s)));
                        sent = None;
                    } else if t0.wrapping_sub(s) > give_up {
                        let _ = tx.try_send(Seen::Missed);
                        sent = None;
                    }
                }
                if off_at.is_some_and(|o| t0.wrapping_sub(o) < u32::MAX / 2) {
                    let _ = w.write(&jack::RawMidi {
                        time: 0,
                        bytes: &[0x80, 69, 0],
                    });
                    off_at = None;
                    next_on = Some(t0.wrapping_add(gap_off));
                } else if sent.is_none()
                    && off_at.is_none()
                    && count < NOTES
                    && t0.wrapping_sub(start) < u32::MAX / 2
                {
                    let _ = w.write(&jack::RawMidi {
                        time: 0,
                        bytes: &[0x90, 69, 100],
                    });
                    sent = Some(t0);
                    off_at = Some(t0.wrapping_add(gap_on.max(n)));
                    count += 1;
                }
                jack::Control::Continue
            },
        );
        let active = client
            .activate_async((), handler)
            .map_err(|e| format!("{e:?}"))?;
        let c = active.as_client();
        c.connect_ports_by_name("termdaw-latency:midi_out", &midi_in)
            .map_err(|e| format!("connecting to {midi_in}: {e:?}"))?;
        c.connect_ports_by_name(&audio_out, "termdaw-latency:in")
            .map_err(|e| format!("connecting {audio_out}: {e:?}"))?;
        let mut lat = Vec::new();
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut seen = 0;
        while seen < NOTES && Instant::now() < deadline {
            match rx.recv_timeout(Duration::from_secs(2)) {
                Ok(Seen::Latency(f)) => {
                    lat.push(f);
                    seen += 1;
                }
                Ok(Seen::Missed) => seen += 1,
                Err(_) => {}
            }
        }
        let _ = active.deactivate();
        Ok(lat)
    }
}

/// Audio input → sound through JACK, with `jack_iodelay`.
#[cfg(feature = "jack")]
mod input {
    use std::process::{Command, Stdio};
    use std::time::Duration;

    use super::rig::{self, JackServer, TempDir};

    const RUNS: usize = 5;
    const SESSION: &str = r#"Session(tempo: 120, tracks: [
    Track(name: "mic", instrument: Input(channel: 1, monitor: On)),
])"#;

    pub fn run() {
        if !rig::have("jack_iodelay") {
            println!(
                "audio input → sound: NOT MEASURED (jack_iodelay is not installed: sh .ci/setup)"
            );
            return;
        }
        println!(
            "audio input → sound through termdaw (--device jack, an Input track), round trip \
             by jack_iodelay, {RUNS} runs each (no loop closes in JACK's graph: termdaw's \
             input and output are two clients, so all of it is termdaw's)"
        );
        println!(
            "{:>7} {:>10} {:>10} {:>10} {:>16}",
            "period", "min ms", "median ms", "max ms", "computed ms"
        );
        for period in [64u32, 128, 256] {
            let mut trips: Vec<f64> = (0..RUNS).filter_map(|_| one(period)).collect();
            if trips.is_empty() {
                println!("{period:>7} not measured");
                continue;
            }
            trips.sort_by(f64::total_cmp);
            let ms = |f: f64| f / 48.0;
            let median = trips[trips.len() / 2];
            // The cushion of two blocks, less or more one as JACK runs the
            // two clients in one order or the other, and the look-ahead.
            let (lo, hi) = (ms((period + 72) as f64), ms((3 * period + 72) as f64));
            println!(
                "{period:>7} {:>10.2} {:>10.2} {:>10.2} {lo:>8.2} – {hi:.2}",
                ms(trips[0]),
                ms(median),
                ms(*trips.last().unwrap()),
            );
        }
    }

    /// One run: the round trip `jack_iodelay` settled on, in frames.
    fn one(period: u32) -> Option<f64> {
        let jack = JackServer::start_with(
            "latency bench (input)",
            period,
            format!("termdaw-bench-in-{}-{period}", std::process::id()),
            std::env::var_os("BENCH_REALTIME").is_some(),
        )?;
        let dir = TempDir::new("termdaw-bench-input");
        let termdaw = rig::Playing::start(&jack, &dir, SESSION, &["--seconds", "6"]);
        jack.wait_for_port("termdaw_out:out_0", Duration::from_secs(20))?;
        jack.wait_for_port("termdaw_in:in_0", Duration::from_secs(20))?;
        let log = dir.join("iodelay.out");
        let mut delay = jack
            .command("stdbuf")
            .args(["-o0", "jack_iodelay"])
            .stdout(std::fs::File::create(&log).unwrap())
            .stderr(Stdio::null())
            .spawn()
            .ok()?;
        jack.wait_for_port("jack_delay:out", Duration::from_secs(10))?;
        let connect = |a: &str, b: &str| {
            let mut c: Command = jack.command("jack_connect");
            c.args([a, b]).status().is_ok_and(|s| s.success())
        };
        let ok = connect("jack_delay:out", "termdaw_in:in_0")
            && connect("termdaw_out:out_0", "jack_delay:in");
        termdaw.wait();
        rig::terminate(&mut delay, Duration::from_secs(2));
        if !ok {
            return None;
        }
        std::fs::read_to_string(&log)
            .ok()?
            .lines()
            .rev()
            .find(|l| l.contains("total roundtrip latency"))
            .and_then(|l| l.split_whitespace().next()?.parse().ok())
    }
}

/// MIDI clock in (lock error) and out (timing error) through JACK.
#[cfg(feature = "jack")]
mod clock {
    use std::process::Stdio;
    use std::time::Duration;

    use super::rig::{self, JackServer, Playing, TempDir};

    const SESSION: &str = r#"Session(tempo: 90, midi: Midi(clock: true), tracks: [
    Track(name: "kick", instrument: Kick(), pattern: Steps("x...x...x...x...")),
])"#;

    fn server(what: &str, period: u32) -> Option<JackServer> {
        JackServer::start_at(
            what,
            period,
            std::env::var("JACK_DEFAULT_SERVER").unwrap_or_default(),
            std::env::var_os("BENCH_REALTIME").is_some(),
            48_000,
        )
    }

    pub fn run() {
        println!(
            "MIDI clock in: termdaw's kick on each of a sender's beats (120 BPM, ±1 ms \
             jitter, 40 beats, then 12 at 140), after the lock"
        );
        println!(
            "{:>7} {:>12} {:>14} {:>14}",
            "period", "median ms", "p99 |err| ms", "max |err| ms"
        );
        for period in [64u32, 128, 256] {
            match lock_error(period) {
                Some((median, p99, max)) => {
                    println!("{period:>7} {median:>12.2} {p99:>14.2} {max:>14.2}")
                }
                None => println!("{period:>7} not measured"),
            }
        }
        if !rig::have("jack_midi_dump") {
            println!("MIDI clock out: NOT MEASURED (jack_midi_dump is not installed)");
            return;
        }
        println!("MIDI clock out: each clock's distance from its place, as jack_midi_dump gets it");
        println!(
            "{:>7} {:>10} {:>10} {:>10} {:>14}",
            "period", "p50 fr", "p99 fr", "max fr", "frames/clock"
        );
        for period in [64u32, 128, 256] {
            match out_error(period) {
                Some((p50, p99, max, span)) => {
                    println!("{period:>7} {p50:>10} {p99:>10} {max:>10} {span:>14.2}")
                }
                None => println!("{period:>7} not measured"),
            }
        }
    }

    /// Median distance from the beats, and the p99 and largest distance
    /// from that median, in ms.
    fn lock_error(period: u32) -> Option<(f64, f64, f64)> {
        let jack = server("latency bench (clock in)", period)?;
        let dir = TempDir::new("termdaw-bench-clock");
        let mut termdaw = Playing::start(
            &jack,
            &dir,
            SESSION,
            &["--midi", "virtual", "--seconds", "70", "--paused"],
        );
        jack.wait_for_port("termdaw:", Duration::from_secs(20))?;
        jack.wait_for_port("termdaw_out:out_0", Duration::from_secs(20))?;
        let events = rig::send_clock_and_listen("termdaw:", 40, 12);
        rig::terminate(&mut termdaw.child, Duration::from_secs(5));
        let pick = |beat: bool| -> Vec<i64> {
            events
                .iter()
                .filter(|e| e.0 == beat)
                .map(|e| e.1 as i64)
                .collect()
        };
        let offsets = rig::beat_offsets_ms(&pick(true), &pick(false));
        let mut locked: Vec<f64> = offsets
            .iter()
            .filter(|(k, _)| (4..40).contains(k) || *k >= 42)
            .map(|(_, ms)| *ms)
            .collect();
        if locked.len() < 10 {
            return None;
        }
        locked.sort_by(f64::total_cmp);
        let median = locked[locked.len() / 2];
        let mut err: Vec<f64> = locked.iter().map(|o| (o - median).abs()).collect();
        err.sort_by(f64::total_cmp);
        Some((median, err[err.len() * 99 / 100], err[err.len() - 1]))
    }

    /// Frames each clock lands from its place (p50, p99, max) and the
    /// average distance between clocks (1000 is exact at 120 BPM).
    fn out_error(period: u32) -> Option<(i64, i64, i64, f64)> {
        let jack = server("latency bench (clock out)", period)?;
        let dir = TempDir::new("termdaw-bench-clock-out");
        let dump = dir.join("dump.out");
        let mut monitor = jack
            .command("stdbuf")
            .args(["-o0", "jack_midi_dump", "-a"])
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(&dump).ok()?)
            .stderr(Stdio::null())
            .spawn()
            .ok()?;
        jack.wait_for_port("midi-monitor:input", Duration::from_secs(10))?;
        let session = SESSION
            .replace("midi: Midi(clock: true), ", "")
            .replace("90", "120");
        Playing::start(
            &jack,
            &dir,
            &session,
            &["--seconds", "10", "--midi-out", "midi-monitor"],
        )
        .wait();
        std::thread::sleep(Duration::from_millis(300));
        rig::terminate(&mut monitor, Duration::from_secs(2));
        let clocks: Vec<i64> = std::fs::read_to_string(&dump)
            .ok()?
            .lines()
            .filter_map(|l| {
                let (frame, bytes) = l.split_once(':')?;
                (bytes.trim() == "f8").then(|| frame.trim().parse().ok())?
            })
            .collect();
        if clocks.len() < 100 {
            return None;
        }
        let span = (clocks[clocks.len() - 1] - clocks[0]) as f64 / (clocks.len() - 1) as f64;
        let mut off: Vec<i64> = clocks
            .iter()
            .enumerate()
            .map(|(k, c)| (c - clocks[0] - 1000 * k as i64).abs())
            .collect();
        off.sort_unstable();
        Some((
            off[off.len() / 2],
            off[off.len() * 99 / 100],
            off[off.len() - 1],
            span,
        ))
    }
}
