//! The soak run (built with `--features jack`): the real binary plays a
//! 16-track session into a JACK dummy server at 64 frames while this driver
//! saves a changed file every 2 s (an editor's in-place write and a
//! rename, in turn), sends 1,000 OSC messages a second, floods termdaw's
//! virtual MIDI input from a JACK client (a note on or off, a controller
//! and a bend every 64-frame cycle) and runs `termdaw ask` turns against the
//! scripted chat server. What it measures comes from termdaw itself (the
//! `timing:` and `ended:` lines a headless run prints when it ends) and from
//! /proc (RSS).
//!
//! `cargo bench --features jack --bench soak` runs it for 10 minutes
//! (`SOAK_SECONDS` for another length) and prints the figures; the suite
//! runs it for a few seconds ([`a_short_soak_allocates_nothing_on_the_audio_thread`]),
//! in a child process, because the JACK client here finds its server
//! through the process's environment.

use std::net::UdpSocket;
use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;

use crate::llm_server::{anthropic, text, tool, Server};
use crate::rig::{self, JackServer, TempDir};

/// What to throw at termdaw.
#[derive(Debug, Clone)]
pub struct Options {
    pub seconds: f64,
    /// JACK period, which is also termdaw's callback size (`--device jack`).
    pub period: u32,
    pub osc_per_second: u32,
    pub save_every: Duration,
    /// A chat turn after every this many saves.
    pub ask_every: usize,
    /// Run the JACK server (and so termdaw's JACK thread) with realtime
    /// scheduling, as a performer's machine would.
    pub realtime: bool,
    /// The anchor: the same session playing with nothing thrown at it (no
    /// saves, OSC, MIDI or chat), to tell what the machine's scheduling
    /// costs from what the load costs.
    pub idle: bool,
    /// Record a take (with stems) all along, and replay it at the end.
    pub record: bool,
}

impl Options {
    pub fn new(seconds: f64) -> Options {
        Options {
            seconds,
            period: 64,
            osc_per_second: 1000,
            save_every: Duration::from_secs(2),
            ask_every: 3,
            realtime: false,
            idle: false,
            record: true,
        }
    }
}

/// What termdaw and /proc said.
#[derive(Debug, Default)]
pub struct Report {
    /// termdaw's last two lines.
    pub timing: String,
    pub ended: String,
    /// RSS in kB, sampled each second: (seconds since start, kB).
    pub rss: Vec<(f64, u64)>,
    pub saves: usize,
    /// Reload lines termdaw printed, and how many of them were failures.
    pub reloads: usize,
    pub reload_failures: usize,
    pub osc_sent: u64,
    pub midi_sent: u64,
    pub asks_ok: usize,
    pub asks_failed: Vec<String>,
    /// `/termdaw/state` answered at the end (the OSC server was alive).
    pub state_answered: bool,
    /// termdaw's stderr, for when something is off.
    pub log: String,
    /// The take's summary line, and what its replay gave.
    pub take: String,
    /// Whether the replay was identical, and what it said.
    pub replay: (bool, String),
}

impl Report {
    /// A number from the `timing:` or `ended:` line: `field("p99")`.
    pub fn field(&self, name: &str) -> Option<f64> {
        let line = self.timing.strip_prefix("timing: ").unwrap_or(&self.timing);
        let ended = self.ended.strip_prefix("ended: ").unwrap_or(&self.ended);
        line.split(" · ")
            .chain(ended.split(" · "))
            .find_map(|part| part.strip_prefix(name)?.strip_prefix(' '))
            .and_then(|v| v.split(' ').next()?.parse().ok())
    }

    /// RSS after the first tenth of the run (startup done), and at the end.
    pub fn rss_start_end(&self) -> (u64, u64) {
        let end_t = self.rss.last().map_or(0.0, |r| r.0);
        let start = self
            .rss
            .iter()
            .find(|r| r.0 >= end_t * 0.1)
            .map_or(0, |r| r.1);
        (start, self.rss.last().map_or(0, |r| r.1))
    }
}

const TRACKS: [(&str, &str, &str); 16] = [
    ("kick", "Kick(tune: 48, decay: 0.4)", "Steps(\"x...x...x...x...\")"),
    ("snare", "Snare(tune: 190, decay: 0.2)", "Steps(\"....x.......x...\")"),
    ("clap", "Clap(tone: 0.5, decay: 0.3)", "Steps(\"....x.......x..x\")"),
    ("hats", "HatClosed(tone: 0.6, decay: 0.05)", "Steps(\"xoXoxoXoxoXoxoXo\")"),
    ("openhat", "HatOpen(tone: 0.5, decay: 0.3)", "Steps(\"..x...x...x...x.\")"),
    ("perc", "Kick(tune: 110, decay: 0.1)", "Steps(\"..x..x....x..x.x\")"),
    ("bass", "Synth(wave: Saw, unison: 2, detune: 6, cutoff: 300, q: 3, env_amount: 3, f_decay: 0.2, release: 0.08)", "Notes(\"a1 ~ a1 a2 ~ a1 e2 ~\")"),
    ("sub", "Synth(wave: Sine, unison: 1, release: 0.05)", "Notes(\"a0 ~ ~ ~ f0 ~ ~ ~\")"),
    ("keys", "Synth(wave: Triangle, unison: 1, release: 0.05)", "Notes(\"~\")"),
    ("lead", "Synth(wave: Square, unison: 2, detune: 8, cutoff: 2500)", "Notes(\"<[e5 ~ c5 d5] [g5 e5 ~ c5]>\")"),
    ("pad", "Synth(wave: Saw, unison: 2, detune: 12, attack: 0.3, release: 1.2, cutoff: 1800)", "Notes(\"[a3,c4,e4] [f3,a3,c4]\")"),
    ("arp", "Synth(wave: Saw, unison: 1, cutoff: 3000, decay: 0.1, sustain: 0.2)", "Notes(\"a4*2 c5 e5 a5 e5 c5 a4\")"),
    ("pluck", "Pluck(brightness: 0.6, damping: 0.35, decay: 1.2)", "Notes(\"e4 ~ a4 ~ c5 ~ e5 ~\")"),
    ("pluck2", "Pluck(brightness: 0.4, damping: 0.5, decay: 0.8)", "Notes(\"~ a3 ~ c4 ~ e4 ~ g4\")"),
    ("bell", "Fm(ratio: 3.5, index: 1.2, index_env: 4, index_decay: 0.4, decay: 0.9, sustain: 0.15, release: 0.8)", "Notes(\"a5 ~ ~ e5 ~ ~ c6 ~\")"),
    ("fm", "Fm(ratio: 2, index: 2, decay: 0.3, sustain: 0.2)", "Notes(\"a2 a2 ~ c3 ~ e3 a2 ~\")"),
];

/// The session as saved at the `tick`th save: one track's level and the
/// bass filter move, the hats pattern rotates.
pub fn session(tick: usize) -> String {
    let mut s = format!(
        "// soak session, save {tick}\nSession(\n    tempo: 124,\n    buses: [\n        \
         Bus(name: \"verb\", volume: -4, effects: [Reverb(room: 30, time: 2.5, mix: 1)]),\n        \
         Bus(name: \"echo\", volume: -6, effects: [Delay(sync: \"3/16\", feedback: 0.4, mix: 1)]),\n    ],\n    tracks: [\n"
    );
    for (i, (name, instrument, pattern)) in TRACKS.iter().enumerate() {
        let volume = -12.0
            - if tick % 16 == i {
                1.0 + (tick % 3) as f64
            } else {
                0.0
            };
        let (instrument, pattern) = match *name {
            "bass" => (
                instrument.replace("cutoff: 300", &format!("cutoff: {}", 250 + 50 * (tick % 8))),
                pattern.to_string(),
            ),
            "hats" => {
                let steps = "xoXoxoXoxoXoxoXo";
                let k = tick % steps.len();
                let rotated = format!("{}{}", &steps[k..], &steps[..k]);
                (instrument.to_string(), format!("Steps(\"{rotated}\")"))
            }
            _ => (instrument.to_string(), pattern.to_string()),
        };
        let extra = match i % 4 {
            0 => ", sends: {\"verb\": -18}",
            1 => ", sends: {\"echo\": -20}",
            2 => ", effects: [Lowpass(cutoff: 6000)]",
            _ => "",
        };
        s.push_str(&format!(
            "        Track(name: \"{name}\", instrument: {instrument}, pattern: {pattern}, \
             volume: {volume}{extra}),\n"
        ));
    }
    s.push_str(
        "    ],\n    midi: Midi(channels: {1: \"keys\"}, cc: [\n        \
         Cc(cc: 74, target: Param(\"lead\", \"cutoff\"), min: 400, max: 8000, curve: Exp),\n    ]),\n)\n",
    );
    s
}

/// Run the soak; the caller's environment must name the JACK server
/// (`JACK_DEFAULT_SERVER`) for the MIDI client.
pub fn run(opts: &Options, server_name: &str) -> Result<Report, String> {
    let Some(jack) =
        JackServer::start_with("soak", opts.period, server_name.to_string(), opts.realtime)
    else {
        return Err("jackd is not installed (sh .ci/setup)".into());
    };
    let dir = TempDir::new("termdaw-soak");
    let path = dir.join("soak.ron");
    std::fs::write(&path, session(0)).map_err(|e| e.to_string())?;
    let osc_port = crate::common::free_udp_port();
    let out_log = dir.join("stdout.txt");
    let err_log = dir.join("stderr.txt");
    let mut cmd = rig::termdaw(dir.path());
    let take = dir.join("take");
    cmd.arg(&path)
        .args(["--headless", "--device", "jack", "--midi", "virtual"])
        .args(["--osc-port", &osc_port.to_string()])
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out_log).map_err(|e| e.to_string())?)
        .stderr(std::fs::File::create(&err_log).map_err(|e| e.to_string())?);
    if opts.record && !opts.idle {
        cmd.arg("--stems").arg("--record").arg(&take);
    }
    jack.env(&mut cmd);
    let mut child = cmd.spawn().map_err(|e| e.to_string())?;
    let result = drive(opts, &jack, &path, osc_port, &mut child);
    rig::terminate(&mut child, Duration::from_secs(10));
    let out = std::fs::read_to_string(&out_log).unwrap_or_default();
    let log = std::fs::read_to_string(&err_log).unwrap_or_default();
    let mut report = result.map_err(|e| format!("{e}\ntermdaw said:\n{out}{log}"))?;
    report.log = log;
    let line = |p: &str| out.lines().find(|l| l.starts_with(p)).map(str::to_string);
    report.timing =
        line("timing: ").ok_or_else(|| format!("no timing line: {out}{}", report.log))?;
    report.ended = line("ended: ").ok_or_else(|| format!("no summary line: {out}"))?;
    report.reloads = report.log.matches("reloaded").count();
    report.reload_failures = report.log.matches("reload failed").count();
    if opts.record && !opts.idle {
        report.take = report
            .log
            .lines()
            .find(|l| l.starts_with("take "))
            .unwrap_or("no take line")
            .to_string();
        report.replay = match replay(&take, &dir.join("again.wav")) {
            Ok(s) => (true, s),
            Err(e) => (false, e),
        };
    }
    Ok(report)
}

/// Render the take again and compare it with what was recorded: how long
/// it took and how many frames, or where it differs.
fn replay(take: &Path, out: &Path) -> Result<String, String> {
    let started = std::time::Instant::now();
    let o = crate::common::termdaw_offline()
        .arg("replay")
        .arg(take)
        .arg("-o")
        .arg(out)
        .output()
        .map_err(|e| e.to_string())?;
    if !o.status.success() {
        return Err(String::from_utf8_lossy(&o.stderr).into_owned());
    }
    let took = started.elapsed();
    let (a, b) = (
        std::fs::read(take.join("master.wav")).map_err(|e| e.to_string())?,
        std::fs::read(out).map_err(|e| e.to_string())?,
    );
    if a.len() != b.len() {
        return Err(format!("{} bytes recorded, {} replayed", a.len(), b.len()));
    }
    if let Some(i) = a.iter().zip(&b).position(|(x, y)| x != y) {
        return Err(format!("the replay differs from byte {i} of {}", a.len()));
    }
    let log = std::fs::metadata(take.join("log.txt")).map_or(0, |m| m.len());
    Ok(format!(
        "identical: {} bytes of master.wav, replayed in {:.1} s from a {:.1} MB log",
        a.len(),
        took.as_secs_f64(),
        log as f64 / 1e6
    ))
}

fn drive(
    opts: &Options,
    jack: &JackServer,
    path: &Path,
    osc_port: u16,
    child: &mut Child,
) -> Result<Report, String> {
    let midi_in = jack
        .wait_for_port("termdaw:", Duration::from_secs(30))
        .ok_or("termdaw's MIDI port never appeared")?;
    let stop = Arc::new(AtomicBool::new(false));
    let midi_sent = Arc::new(AtomicU64::new(0));
    let midi = match opts.idle {
        false => Some(flood_midi(&midi_in, midi_sent.clone())?),
        true => None,
    };
    let osc_sent = Arc::new(AtomicU64::new(0));
    let osc = {
        let rate = if opts.idle { 0 } else { opts.osc_per_second };
        let (stop, sent) = (stop.clone(), osc_sent.clone());
        std::thread::spawn(move || flood_osc(osc_port, rate, &stop, &sent))
    };
    let asks = (opts.seconds / opts.save_every.as_secs_f64()) as usize / opts.ask_every.max(1) + 1;
    let chat = Server::start(
        (0..asks)
            .flat_map(|i| {
                let track = TRACKS[i % TRACKS.len()].0;
                [
                    anthropic(&[tool("set_volume", json!({"track": track, "db": -15}))]),
                    anthropic(&[text("Turned it down.")]),
                ]
            })
            .collect(),
    );
    let mut report = Report::default();
    let pid = child.id();
    let start = Instant::now();
    let end = start + Duration::from_secs_f64(opts.seconds);
    let mut next_save = start + opts.save_every;
    let mut next_rss = start;
    while Instant::now() < end {
        if let Ok(Some(status)) = child.try_wait() {
            stop.store(true, Ordering::Relaxed);
            return Err(format!("termdaw exited during the soak: {status}"));
        }
        let now = Instant::now();
        if now >= next_rss {
            if let Some(kb) = rss_kb(pid) {
                report
                    .rss
                    .push((now.duration_since(start).as_secs_f64(), kb));
            }
            next_rss += Duration::from_secs(1);
        }
        if now >= next_save && !opts.idle {
            report.saves += 1;
            save(path, report.saves)?;
            if report.saves % opts.ask_every.max(1) == 0 {
                match ask(path, &chat.url) {
                    Ok(()) => report.asks_ok += 1,
                    Err(e) => report.asks_failed.push(e),
                }
            }
            next_save += opts.save_every;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    stop.store(true, Ordering::Relaxed);
    let _ = osc.join();
    drop(midi);
    report.state_answered = query_state(osc_port);
    report.osc_sent = osc_sent.load(Ordering::Relaxed);
    report.midi_sent = midi_sent.load(Ordering::Relaxed);
    Ok(report)
}

/// Save as editors do: in place (truncate and write) and by renaming a
/// temporary file over the session, in turn.
fn save(path: &Path, tick: usize) -> Result<(), String> {
    let text = session(tick);
    if tick % 2 == 0 {
        std::fs::write(path, text).map_err(|e| format!("saving: {e}"))
    } else {
        let tmp = path.with_extension("ron.swp");
        std::fs::write(&tmp, text).map_err(|e| format!("saving: {e}"))?;
        std::fs::rename(&tmp, path).map_err(|e| format!("saving: {e}"))
    }
}

fn ask(path: &Path, url: &str) -> Result<(), String> {
    let home = path.parent().unwrap_or(Path::new("."));
    let o = rig::termdaw(home)
        .arg("ask")
        .arg(path)
        .args(["turn", "it", "down"])
        .env("ANTHROPIC_API_KEY", "soak-test-key")
        .env("ANTHROPIC_BASE_URL", url)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| e.to_string())?;
    if o.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&o.stderr).into_owned())
    }
}

/// `rate` messages a second in bursts every 10 ms: levels, pans, a filter,
/// notes and mutes across the tracks.
fn flood_osc(port: u16, rate: u32, stop: &AtomicBool, sent: &AtomicU64) {
    use rosc::{encoder, OscMessage, OscPacket, OscType};
    let Ok(sock) = UdpSocket::bind("127.0.0.1:0") else {
        return;
    };
    if rate == 0 {
        return;
    }
    let per_burst = (rate / 100).max(1) as u64;
    let mut next = Instant::now();
    let mut n = 0u64;
    while !stop.load(Ordering::Relaxed) {
        for _ in 0..per_burst {
            let track = TRACKS[(n % 16) as usize].0;
            let wobble = (n % 7) as f32;
            let (addr, args) = match n % 5 {
                0 => ("volume", vec![OscType::Float(-14.0 + wobble * 0.5)]),
                1 => ("pan", vec![OscType::Float(wobble / 7.0 - 0.4)]),
                2 => ("param/cutoff", vec![OscType::Float(800.0 + wobble * 300.0)]),
                3 => (
                    "note",
                    vec![
                        OscType::Int(60 + (n % 12) as i32),
                        OscType::Float(0.7),
                        OscType::Float(0.1),
                    ],
                ),
                _ => ("mute", vec![OscType::Int(0)]),
            };
            let addr = format!("/termdaw/track/{track}/{addr}");
            let packet = OscPacket::Message(OscMessage { addr, args });
            if let Ok(bytes) = encoder::encode(&packet) {
                if sock.send_to(&bytes, ("127.0.0.1", port)).is_ok() {
                    sent.fetch_add(1, Ordering::Relaxed);
                }
            }
            n += 1;
        }
        next += Duration::from_millis(10);
        if let Some(wait) = next.checked_duration_since(Instant::now()) {
            std::thread::sleep(wait);
        }
    }
}

/// A JACK client writing, every cycle, a note on or off on channel 1 (the
/// `keys` track), CC 74 (the lead's filter) and a pitch bend.
fn flood_midi(port: &str, sent: Arc<AtomicU64>) -> Result<Box<dyn std::any::Any>, String> {
    let (client, _) = jack::Client::new("termdaw-soak-midi", jack::ClientOptions::NO_START_SERVER)
        .map_err(|e| format!("JACK client: {e:?}"))?;
    let mut out = client
        .register_port("out", jack::MidiOut::default())
        .map_err(|e| format!("{e:?}"))?;
    let mut cycle = 0u32;
    let handler = jack::contrib::ClosureProcessHandler::new(
        move |_: &jack::Client, ps: &jack::ProcessScope| {
            let mut w = out.writer(ps);
            let note = 48 + (cycle / 2 % 24) as u8;
            let on = [0x90, note, 90];
            let off = [0x80, note, 0];
            let cc = [0xB0, 74, (cycle % 128) as u8];
            let bend = [0xE0, 0, (64 + cycle % 32) as u8];
            let msgs: [&[u8]; 3] = [if cycle % 2 == 0 { &on } else { &off }, &cc, &bend];
            for (t, bytes) in msgs.into_iter().enumerate() {
                if w.write(&jack::RawMidi {
                    time: t as u32,
                    bytes,
                })
                .is_ok()
                {
                    sent.fetch_add(1, Ordering::Relaxed);
                }
            }
            cycle = cycle.wrapping_add(1);
            jack::Control::Continue
        },
    );
    let active = client
        .activate_async((), handler)
        .map_err(|e| format!("{e:?}"))?;
    active
        .as_client()
        .connect_ports_by_name("termdaw-soak-midi:out", port)
        .map_err(|e| format!("connecting to {port}: {e:?}"))?;
    Ok(Box::new(active))
}

fn query_state(port: u16) -> bool {
    let Ok(sock) = UdpSocket::bind("127.0.0.1:0") else {
        return false;
    };
    let _ = sock.set_read_timeout(Some(Duration::from_secs(2)));
    let msg = rosc::OscPacket::Message(rosc::OscMessage {
        addr: "/termdaw/state".into(),
        args: vec![],
    });
    let Ok(bytes) = rosc::encoder::encode(&msg) else {
        return false;
    };
    let mut buf = [0u8; 8192];
    (0..3).any(|_| {
        sock.send_to(&bytes, ("127.0.0.1", port)).is_ok() && sock.recv_from(&mut buf).is_ok()
    })
}

fn rss_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// The variable the child test reads its JACK server's name from.
const CHILD_ENV: &str = "TERMDAW_SOAK_SERVER";

#[cfg(test)]
#[test]
fn a_short_soak_allocates_nothing_on_the_audio_thread() {
    let test = "soak::a_short_soak_allocates_nothing_on_the_audio_thread";
    if !rig::have("jackd") {
        println!("SKIPPED {test}: jackd is not installed (sh .ci/setup)");
        return;
    }
    let name = format!("termdaw-soak-{}", std::process::id());
    let o = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["soak::soak_child", "--exact", "--ignored", "--nocapture"])
        .env(CHILD_ENV, &name)
        .env("JACK_DEFAULT_SERVER", &name)
        .env("JACK_NO_START_SERVER", "1")
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    println!("{out}");
    assert!(
        o.status.success() && out.contains("1 passed"),
        "{out}{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[cfg(test)]
#[test]
#[ignore = "run by soak::a_short_soak_allocates_nothing_on_the_audio_thread"]
fn soak_child() {
    let Ok(name) = std::env::var(CHILD_ENV) else {
        return;
    };
    let mut opts = Options::new(9.0);
    opts.ask_every = 2;
    let r = run(&opts, &name).unwrap();
    println!("{}\n{}\nRSS {:?} kB", r.timing, r.ended, r.rss_start_end());
    println!(
        "{} saves, {} reloads, {} asks, {} OSC, {} MIDI",
        r.saves, r.reloads, r.asks_ok, r.osc_sent, r.midi_sent
    );
    let n = |f: &str| {
        r.field(f)
            .unwrap_or_else(|| panic!("no {f}: {} {}", r.timing, r.ended))
    };
    assert!(n("callbacks") > 48000.0 / 64.0 * 4.0, "{}", r.timing);
    // The take, recorded at 64 frames through JACK with MIDI from a JACK
    // client landing inside blocks, OSC, reloads and chat turns, replays
    // bit for bit.
    println!("{}\nreplay: {}", r.take, r.replay.1);
    assert!(!r.take.contains("not replayable"), "{}", r.take);
    assert!(r.replay.0, "{}\n{}", r.replay.1, r.take);
    assert_eq!(n("audio allocs"), 0.0, "{}", r.ended);
    assert_eq!(n("engine panics"), 0.0, "{}", r.ended);
    assert_eq!(n("recovered"), 0.0, "{}", r.ended);
    assert_eq!(n("OSC bad"), 0.0, "{}", r.ended);
    assert_eq!(r.reload_failures, 0, "{}", r.log);
    assert!(
        r.saves >= 3 && r.reloads >= r.saves,
        "{} saves, {} reloads: {}",
        r.saves,
        r.reloads,
        r.log
    );
    assert!(
        r.asks_ok >= 1 && r.asks_failed.is_empty(),
        "{:?}",
        r.asks_failed
    );
    assert!(
        r.osc_sent > 5000 && r.midi_sent > 10_000,
        "{} {}",
        r.osc_sent,
        r.midi_sent
    );
    assert!(r.state_answered, "the OSC server stopped answering");
}

#[cfg(test)]
#[test]
fn every_version_of_the_soak_session_is_valid() {
    for tick in 0..32 {
        let text = session(tick);
        if let Err(e) = termdaw::patch::parse("soak.ron", &text) {
            panic!("save {tick}: {e}\n{text}");
        }
    }
}
