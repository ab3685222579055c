//! The real-parts rig: a JACK server with its dummy driver (paced like a
//! sound card, on a machine without one), a standalone ALSA configuration
//! that sends ALSA's default device into that server through a WAV tap, and
//! a reader for the tapped WAV. See docs/architecture.md ("Testing").
//!
//! Every JACK server gets a name of its own, passed to the processes that
//! use it through `JACK_DEFAULT_SERVER` (never set in this process: the
//! tests run in threads), so parallel tests and parallel test runs never
//! share a server. Servers and temporary directories go away on drop.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// The dummy server's rate; the sessions and the checks assume it.
pub const JACK_RATE: u32 = 48000;

static COUNTER: AtomicUsize = AtomicUsize::new(0);

pub fn unique(prefix: &str) -> String {
    format!(
        "{prefix}-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// Whether this process may ask for realtime scheduling (as root, or
/// with an rtprio limit; a container may refuse even root).
#[allow(dead_code)]
pub fn realtime_allowed() -> bool {
    Command::new("chrt")
        .args(["-f", "10", "true"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Whether `cmd` is on the PATH.
pub fn have(cmd: &str) -> bool {
    std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).any(|d| d.join(cmd).is_file()))
        .unwrap_or(false)
}

/// A directory under the system's temp dir, removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(prefix: &str) -> Self {
        let p = std::env::temp_dir().join(unique(prefix));
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    pub fn join(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Stop a child politely (SIGTERM, so JACK servers and clients clean up
/// their shared memory), then for good after `grace`.
pub fn terminate(child: &mut Child, grace: Duration) {
    if let Ok(Some(_)) = child.try_wait() {
        return;
    }
    // SAFETY: kill(2) on our own child's pid.
    unsafe {
        libc::kill(child.id() as libc::pid_t, libc::SIGTERM);
    }
    let t = Instant::now();
    while t.elapsed() < grace {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// A JACK server with the dummy driver, stopped on drop.
pub struct JackServer {
    pub name: String,
    child: Child,
    log: PathBuf,
    _dir: TempDir,
}

impl JackServer {
    /// Start a server, or `None` with a printed reason when jackd is not
    /// installed (`sh .ci/setup` installs it). Panics if an installed
    /// jackd does not come up.
    pub fn start(test: &str, period: u32) -> Option<JackServer> {
        Self::start_as(test, period, unique("termdaw-test"))
    }

    /// [`JackServer::start`] for a test that measures timing: with
    /// realtime scheduling where the machine allows it. Without, the dummy
    /// server misses most of its cycles while the other tests run beside
    /// it (measured: thousands of xruns in a 30 s run with one busy core)
    /// and the test would measure the machine's load, not termdaw.
    #[cfg_attr(not(feature = "jack"), allow(dead_code))]
    pub fn start_timed(test: &str, period: u32) -> Option<JackServer> {
        Self::start_with(test, period, unique("termdaw-test"), realtime_allowed())
    }

    /// [`JackServer::start`] under a given server name.
    pub fn start_as(test: &str, period: u32, name: String) -> Option<JackServer> {
        Self::start_with(test, period, name, false)
    }

    /// [`JackServer::start_as`], with realtime scheduling for the server and
    /// its clients' process threads when `realtime` (benchmarks on a
    /// machine that allows it; the tests run without, as CI containers may
    /// not).
    pub fn start_with(test: &str, period: u32, name: String, realtime: bool) -> Option<JackServer> {
        Self::start_at(test, period, name, realtime, JACK_RATE)
    }

    /// [`JackServer::start_with`] at a sample rate of its own.
    pub fn start_at(
        test: &str,
        period: u32,
        name: String,
        realtime: bool,
        rate: u32,
    ) -> Option<JackServer> {
        if !have("jackd") || !have("jack_wait") {
            println!(
                "SKIPPED {test}: jackd is not installed (Debian/Ubuntu: `sh .ci/setup`, \
                 or apt-get install jackd2 jack-tools libasound2-plugins)"
            );
            return None;
        }
        // Servers starting at the same moment race on JACK's shared
        // registry and one of them fails: start one at a time (they run
        // side by side once up).
        static STARTING: std::sync::Mutex<()> = std::sync::Mutex::new(());
        let _one_at_a_time = STARTING.lock().unwrap_or_else(|e| e.into_inner());
        let dir = TempDir::new("termdaw-jack");
        let log = dir.join("jackd.log");
        let out = std::fs::File::create(&log).unwrap();
        let child = Command::new("jackd")
            .arg(if realtime {
                "--realtime"
            } else {
                "--no-realtime"
            })
            .args(["-d", "dummy", "-r"])
            .arg(rate.to_string())
            .arg("-p")
            .arg(period.to_string())
            .env("JACK_DEFAULT_SERVER", &name)
            .env("JACK_NO_START_SERVER", "1")
            .stdin(Stdio::null())
            .stdout(out.try_clone().unwrap())
            .stderr(out)
            .spawn()
            .expect("starting jackd");
        let server = JackServer {
            name,
            child,
            log,
            _dir: dir,
        };
        let ok = server
            .command("jack_wait")
            .args(["-w", "-t", "20"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        assert!(
            ok,
            "jackd did not come up within 20 s:\n{}",
            server.log_text()
        );
        Some(server)
    }

    /// Point a command at this server (and never let it start another).
    pub fn env<'a>(&self, cmd: &'a mut Command) -> &'a mut Command {
        cmd.env("JACK_DEFAULT_SERVER", &self.name)
            .env("JACK_NO_START_SERVER", "1")
    }

    /// A command that talks to this server.
    pub fn command(&self, program: impl AsRef<std::ffi::OsStr>) -> Command {
        let mut c = Command::new(program);
        self.env(&mut c);
        c
    }

    /// The server's ports (`jack_lsp`), optionally only those matching `filter`.
    #[cfg_attr(not(feature = "jack"), allow(dead_code))]
    pub fn ports(&self, filter: &str) -> Vec<String> {
        // Bounded: a server wedged by a client that died mid-cycle can
        // leave jack_lsp waiting for ever, and a test must fail, not hang.
        let mut child = self
            .command("jack_lsp")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let t = Instant::now();
        while child.try_wait().ok().flatten().is_none() {
            if t.elapsed() > Duration::from_secs(5) {
                let _ = child.kill();
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let o = child.wait_with_output().unwrap();
        String::from_utf8_lossy(&o.stdout)
            .lines()
            .filter(|l| l.contains(filter))
            .map(str::to_string)
            .collect()
    }

    /// Wait until a port whose name contains `filter` exists.
    #[cfg_attr(not(feature = "jack"), allow(dead_code))]
    pub fn wait_for_port(&self, filter: &str, timeout: Duration) -> Option<String> {
        let t = Instant::now();
        while t.elapsed() < timeout {
            if let Some(p) = self.ports(filter).into_iter().next() {
                return Some(p);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        None
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for JackServer {
    fn drop(&mut self) {
        terminate(&mut self.child, Duration::from_secs(5));
    }
}

/// The environment variable the ALSA config reads the tap's file name from.
pub const TAP_ENV: &str = "TERMDAW_TAP_WAV";

/// Write a standalone ALSA configuration (it must not include the system's
/// alsa.conf: files in /etc/alsa/conf.d would replace `pcm.!default`).
/// ALSA's default device converts to 16-bit (the file plugin writes a wrong
/// header for float), writes a WAV copy of everything to the file named by
/// `$TERMDAW_TAP_WAV`, and plays into the JACK server named by
/// `$JACK_DEFAULT_SERVER` through alsa-plugins' `jack` PCM.
pub fn write_alsa_config(dir: &Path) -> PathBuf {
    alsa_config(dir, None)
}

/// The same, and ALSA's default capture reads `input` (raw 16-bit stereo
/// at 48 kHz) in the JACK server's time, through the file plugin's
/// `infile`: a real capture device for termdaw's `--input`.
pub fn write_alsa_config_with_input(dir: &Path, input: &Path) -> PathBuf {
    alsa_config(dir, Some(input))
}

/// The same, but the default capture is JACK's own PCM with no `plug`
/// before it: it runs at the JACK server's rate and no other, like a
/// sound card that cannot run at the engine's rate, and `input` holds raw
/// 32-bit float stereo at that rate.
pub fn write_alsa_config_with_fixed_rate_input(dir: &Path, input: &Path) -> PathBuf {
    let path = alsa_config(dir, None);
    let text = std::fs::read_to_string(&path).unwrap().replacen(
        "pcm.!default {\n    type plug\n",
        "pcm.!default {\n    type asym\n    playback.pcm \"termdaw_out\"\n    capture.pcm \"termdaw_fixed_in\"\n}\npcm.termdaw_out {\n    type plug\n",
        1,
    );
    let text = format!(
        r#"{text}pcm.termdaw_fixed_in {{
    type file
    slave.pcm "termdaw_jack_in"
    file "/dev/null"
    infile "{}"
    format "raw"
}}
pcm.termdaw_jack_in {{
    type jack
    capture_ports {{
        0 system:capture_1
        1 system:capture_2
    }}
}}
"#,
        input.display()
    );
    std::fs::write(&path, text).unwrap();
    path
}

fn alsa_config(dir: &Path, input: Option<&Path>) -> PathBuf {
    let infile = input
        .map(|p| format!("    infile \"{}\"\n    format \"raw\"\n", p.display()))
        .unwrap_or_else(|| "    format \"wav\"\n".into());
    let capture = if input.is_some() {
        "    capture_ports {\n        0 system:capture_1\n        1 system:capture_2\n    }\n"
    } else {
        ""
    };
    let text = format!(
        r#"# termdaw test rig: ALSA default -> S16 -> WAV tap -> JACK (dummy driver)
pcm.!default {{
    type plug
    slave {{
        pcm "termdaw_tap"
        format S16_LE
    }}
    hint {{
        show on
        description "termdaw test rig: JACK dummy server with a WAV tap"
    }}
}}
pcm.termdaw_tap {{
    type file
    slave.pcm "termdaw_to_jack"
    file {{
        @func getenv
        vars [ {TAP_ENV} ]
        default "/dev/null"
    }}
{infile}}}
pcm.termdaw_to_jack {{
    type plug
    slave.pcm "termdaw_jack"
}}
pcm.termdaw_jack {{
    type jack
    playback_ports {{
        0 system:playback_1
        1 system:playback_2
    }}
{capture}}}
"#
    );
    let path = dir.join("asound.conf");
    std::fs::write(&path, text).unwrap();
    path
}

/// A 16-bit PCM WAV as the tap wrote it.
pub struct Wav {
    pub rate: u32,
    /// One vector per channel, in [-1, 1).
    pub channels: Vec<Vec<f32>>,
}

impl Wav {
    pub fn frames(&self) -> usize {
        self.channels.first().map_or(0, Vec::len)
    }

    pub fn seconds(&self) -> f64 {
        self.frames() as f64 / self.rate as f64
    }
}

/// Read a 16-bit PCM WAV. The data chunk's size is ignored: a writer that
/// was killed leaves it at 0, so everything after the chunk header is read.
pub fn read_wav(path: &Path) -> Result<Wav, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    if bytes.len() < 12 || &bytes[0..4] != b"RIFF" || &bytes[8..12] != b"WAVE" {
        return Err(format!("{}: not a WAV file", path.display()));
    }
    let u16_at = |i: usize| u16::from_le_bytes([bytes[i], bytes[i + 1]]);
    let u32_at = |i: usize| u32::from_le_bytes(bytes[i..i + 4].try_into().unwrap());
    let mut pos = 12;
    let mut fmt = None;
    while pos + 8 <= bytes.len() {
        let id = &bytes[pos..pos + 4];
        let size = u32_at(pos + 4) as usize;
        let body = pos + 8;
        if id == b"fmt " && body + 16 <= bytes.len() {
            fmt = Some((
                u16_at(body),
                u16_at(body + 2),
                u32_at(body + 4),
                u16_at(body + 14),
            ));
        } else if id == b"data" {
            let (format, channels, rate, bits) =
                fmt.ok_or_else(|| format!("{}: data before fmt", path.display()))?;
            if format != 1 || bits != 16 || channels == 0 {
                return Err(format!(
                    "{}: expected 16-bit PCM, found format {format}, {bits} bits, {channels} channels",
                    path.display()
                ));
            }
            let data = &bytes[body..];
            let ch = channels as usize;
            let frames = data.len() / (2 * ch);
            let mut out = vec![Vec::with_capacity(frames); ch];
            for f in 0..frames {
                for (c, v) in out.iter_mut().enumerate() {
                    let i = (f * ch + c) * 2;
                    v.push(i16::from_le_bytes([data[i], data[i + 1]]) as f32 / 32768.0);
                }
            }
            return Ok(Wav {
                rate,
                channels: out,
            });
        }
        pos = body + size + (size & 1);
    }
    Err(format!("{}: no data chunk", path.display()))
}

/// The real binary, run from the repository root, with its config, state
/// and cache directories in `home` so a test never reads or writes the
/// user's own.
pub fn termdaw(home: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_termdaw"));
    c.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_CACHE_HOME", home.join("cache"));
    c
}

/// RMS of a slice.
pub fn rms(x: &[f32]) -> f64 {
    (x.iter().map(|v| (*v as f64).powi(2)).sum::<f64>() / x.len().max(1) as f64).sqrt()
}

/// First index where |x| exceeds `threshold`.
#[cfg_attr(not(feature = "jack"), allow(dead_code))]
pub fn onset(x: &[f32], threshold: f32) -> Option<usize> {
    x.iter().position(|v| v.abs() > threshold)
}

/// Run `termdaw ARGS` playing through ALSA into a JACK dummy server, as a
/// player with no other sound card would: its stdout and what reached the
/// device. None (with SKIPPED said) where jackd cannot be installed.
pub fn play_into_jack(test: &str, args: &[&str]) -> Option<(String, Wav)> {
    let jack = JackServer::start(test, 256)?;
    let dir = TempDir::new("termdaw-play");
    let alsa = write_alsa_config(dir.path());
    let tap = dir.join("tap.wav");
    let mut cmd = termdaw(dir.path());
    cmd.args(args)
        .env("ALSA_CONFIG_PATH", &alsa)
        .env(TAP_ENV, &tap)
        .stdin(std::process::Stdio::null());
    jack.env(&mut cmd);
    let o = cmd.output().unwrap();
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        o.status.success() && out.contains("playing on"),
        "{out}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    Some((out, read_wav(&tap).unwrap()))
}

/// The real binary playing a session headless on a JACK server
/// (`--device jack`), its stdout kept in a file; stopped on drop.
#[cfg_attr(not(feature = "jack"), allow(dead_code))]
pub struct Playing {
    pub child: Child,
    log: PathBuf,
}

#[cfg_attr(not(feature = "jack"), allow(dead_code))]
impl Playing {
    /// Write `session` into `dir` and play it with `args` added.
    pub fn start(jack: &JackServer, dir: &TempDir, session: &str, args: &[&str]) -> Playing {
        let path = dir.join("session.ron");
        std::fs::write(&path, session).unwrap();
        let log = dir.join("termdaw.out");
        let mut cmd = termdaw(dir.path());
        cmd.arg(&path)
            .args(["--headless", "--no-osc", "--device", "jack"])
            .args(args)
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(&log).unwrap())
            .stderr(Stdio::null());
        jack.env(&mut cmd);
        Playing {
            child: cmd.spawn().expect("starting termdaw"),
            log,
        }
    }

    /// [`Playing::start`] recording a take (`--record`) into `dir/take`.
    pub fn recording(
        jack: &JackServer,
        dir: &TempDir,
        session: &str,
        args: &[&str],
    ) -> (Playing, PathBuf) {
        let take = dir.join("take");
        let flag = take.to_string_lossy().into_owned();
        let args: Vec<&str> = args.iter().copied().chain(["--record", &flag]).collect();
        (Playing::start(jack, dir, session, &args), take)
    }

    /// What termdaw has printed so far.
    pub fn said(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Wait for each of `ports` (each the first whose name contains it);
    /// if one never appears, stop termdaw and fail saying what it said.
    pub fn wait_for(&mut self, jack: &JackServer, ports: &[&str]) -> Vec<String> {
        ports
            .iter()
            .map(|p| {
                jack.wait_for_port(p, Duration::from_secs(20))
                    .unwrap_or_else(|| {
                        terminate(&mut self.child, Duration::from_secs(5));
                        panic!(
                            "{p} never appeared; termdaw said:\n{}\nports: {:?}",
                            self.said(),
                            jack.ports("")
                        )
                    })
            })
            .collect()
    }

    /// Wait for termdaw to end by itself (`--seconds`); what it said.
    pub fn wait(mut self) -> String {
        let _ = self.child.wait();
        self.said()
    }
}

impl Drop for Playing {
    fn drop(&mut self) {
        terminate(&mut self.child, Duration::from_secs(5));
    }
}

/// A MIDI clock sender and listener on the JACK server in this process's
/// environment: Start, then clock on exact frames with ±1 ms of seeded
/// jitter, `slow_beats` at 120 BPM and `fast_beats` at 140, into the first
/// MIDI input whose name starts with `prefix`, while hearing
/// `termdaw_out:out_0`. Returns (true, frame) for each beat sent and
/// (false, frame) for each sound heard begin.
#[cfg(feature = "jack")]
pub fn send_clock_and_listen(prefix: &str, slow_beats: u64, fast_beats: u64) -> Vec<(bool, u32)> {
    let (client, _) = jack::Client::new("termdaw-clock", jack::ClientOptions::NO_START_SERVER)
        .expect("a JACK client");
    let mut out = client
        .register_port("midi_out", jack::MidiOut::default())
        .unwrap();
    let inp = client
        .register_port("in", jack::AudioIn::default())
        .unwrap();
    let rate = client.sample_rate() as f64;
    let (tx, rx) = std::sync::mpsc::sync_channel::<(bool, u32)>(4096);
    let tick = move |bpm: f64| rate * 60.0 / (bpm * 24.0);
    // Frames: Start half a second in, the first tick 10 ms after it.
    let mut start: Option<f64> = None;
    let mut next = 0.0;
    let mut sent = 0u64;
    let total = (slow_beats + fast_beats) * 24;
    let mut seed = 11u64;
    let mut quiet = 0u32;
    let handler = jack::contrib::ClosureProcessHandler::new(
        move |_: &jack::Client, ps: &jack::ProcessScope| {
            let t0 = ps.last_frame_time() as f64;
            let n = ps.n_frames() as f64;
            let mut w = out.writer(ps);
            let begin = *start.get_or_insert_with(|| {
                next = t0 + rate * 0.51;
                t0 + rate * 0.5
            });
            if (t0..t0 + n).contains(&begin) {
                let _ = w.write(&jack::RawMidi {
                    time: (begin - t0) as u32,
                    bytes: &[0xFA],
                });
            }
            while sent < total && next < t0 + n {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let jitter = ((seed >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0) * rate * 0.001;
                let at = (next + jitter).clamp(t0, t0 + n - 1.0);
                let _ = w.write(&jack::RawMidi {
                    time: (at - t0) as u32,
                    bytes: &[0xF8],
                });
                if sent % 24 == 0 {
                    let _ = tx.try_send((true, next.round() as u32));
                }
                sent += 1;
                if sent == total {
                    // The last beat's kick is heard within half a second.
                    let _ = tx.try_send((true, u32::MAX));
                }
                let bpm = if sent < slow_beats * 24 { 120.0 } else { 140.0 };
                next += tick(bpm);
            }
            for (i, v) in inp.as_slice(ps).iter().enumerate() {
                if v.abs() > 0.05 {
                    if quiet > 2000 {
                        let _ = tx.try_send((false, t0 as u32 + i as u32));
                    }
                    quiet = 0;
                } else {
                    quiet = quiet.saturating_add(1);
                }
            }
            jack::Control::Continue
        },
    );
    let active = client.activate_async((), handler).unwrap();
    let c = active.as_client();
    let port = c
        .ports(
            Some(&format!("^{prefix}")),
            Some("midi"),
            jack::PortFlags::IS_INPUT,
        )
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("no MIDI input {prefix}*"));
    c.connect_ports_by_name("termdaw-clock:midi_out", &port)
        .unwrap();
    c.connect_ports_by_name("termdaw_out:out_0", "termdaw-clock:in")
        .unwrap();
    // Until the last clock was sent (three minutes at most), and half a second.
    let give_up = std::time::Instant::now() + Duration::from_secs(180);
    let mut lines: Vec<(bool, u32)> = Vec::new();
    let mut done = None;
    while done.is_none_or(|d: std::time::Instant| d.elapsed() < Duration::from_millis(500))
        && std::time::Instant::now() < give_up
    {
        while let Ok((beat, frame)) = rx.try_recv() {
            match (beat, frame) {
                (true, u32::MAX) => done = Some(std::time::Instant::now()),
                (true, f) => lines.push((true, f)),
                (false, f) => lines.push((false, f)),
            }
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = active.deactivate();
    lines
}

/// For each beat (frames), the distance in ms at 48 kHz to the first
/// sound heard from a little before it to 10 000 frames after: (beat's
/// index, ms). Beats with no sound are left out.
#[cfg(feature = "jack")]
pub fn beat_offsets_ms(beats: &[i64], onsets: &[i64]) -> Vec<(usize, f64)> {
    beats
        .iter()
        .enumerate()
        .filter_map(|(k, b)| {
            let o = onsets
                .iter()
                .find(|o| **o >= *b - 1000 && **o < *b + 10_000)?;
            Some((k, (*o - *b) as f64 / 48.0))
        })
        .collect()
}
