//! Shared helpers: render session text to audio, measure it.

use termdaw::audio::render;
use termdaw::engine::Engine;
use termdaw::patch;
use termdaw::session::Session;

pub const RATE: u32 = 48000;

/// Planar stereo audio.
pub struct Audio {
    pub l: Vec<f32>,
    pub r: Vec<f32>,
}

impl Audio {
    pub fn peak(&self) -> f32 {
        self.l
            .iter()
            .chain(&self.r)
            .fold(0.0, |m, x| m.max(x.abs()))
    }

    pub fn rms(x: &[f32]) -> f64 {
        (x.iter().map(|v| (*v as f64).powi(2)).sum::<f64>() / x.len().max(1) as f64).sqrt()
    }

    /// Index of the first sample whose magnitude exceeds `threshold` on either side.
    pub fn onset(&self, threshold: f32) -> Option<usize> {
        self.l
            .iter()
            .zip(&self.r)
            .position(|(a, b)| a.abs() > threshold || b.abs() > threshold)
    }

    pub fn slice(&self, from: usize, to: usize) -> Audio {
        Audio {
            l: self.l[from..to].to_vec(),
            r: self.r[from..to].to_vec(),
        }
    }
}

/// A short sine blip: onsets are exact and tails never overlap.
pub const BLIP: &str =
    "Synth(wave: Sine, unison: 1, attack: 0, decay: 0.005, sustain: 0, release: 0.001)";

/// Sample indexes where sound starts after at least `gap` silent samples.
pub fn onsets(x: &[f32], gap: usize) -> Vec<usize> {
    let mut out = Vec::new();
    let mut quiet = gap;
    for (i, v) in x.iter().enumerate() {
        if v.abs() > 0.0 {
            if quiet >= gap {
                out.push(i);
            }
            quiet = 0;
        } else {
            quiet += 1;
        }
    }
    out
}

pub fn parse(text: &str) -> patch::SessionFile {
    patch::parse("test.ron", text).unwrap_or_else(|e| panic!("{}", e.report()))
}

pub fn prepare(text: &str) -> (Session, Engine) {
    render::prepare(parse(text), None, RATE)
}

/// Render `frames` frames of a session, playing from the start.
pub fn render_text(text: &str, frames: usize) -> Audio {
    let (mut s, mut e) = prepare(text);
    render_with(&mut s, &mut e, frames, |_, _| {})
}

pub fn render_with(
    s: &mut Session,
    e: &mut Engine,
    frames: usize,
    between: impl FnMut(&mut Session, u64),
) -> Audio {
    let mut out = Audio {
        l: Vec::with_capacity(frames),
        r: Vec::with_capacity(frames),
    };
    render::run(s, e, frames as u64, 64, between, |l, r| {
        out.l.extend_from_slice(l);
        out.r.extend_from_slice(r);
    });
    out
}

/// Frequency of the strongest spectral peak (Hann window, parabolic interpolation).
pub fn peak_frequency(x: &[f32], rate: f32) -> f32 {
    use rustfft::{num_complex::Complex, FftPlanner};
    let n = x.len().next_power_of_two() / 2;
    let x = &x[..n];
    let mut buf: Vec<Complex<f32>> = x
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let w = 0.5 - 0.5 * (std::f32::consts::TAU * i as f32 / n as f32).cos();
            Complex::new(v * w, 0.0)
        })
        .collect();
    FftPlanner::new().plan_fft_forward(n).process(&mut buf);
    let mags: Vec<f32> = buf[..n / 2].iter().map(|c| c.norm()).collect();
    let k = (2..mags.len() - 1)
        .max_by(|&a, &b| mags[a].total_cmp(&mags[b]))
        .unwrap();
    let (a, b, c) = (mags[k - 1].ln(), mags[k].ln(), mags[k + 1].ln());
    let delta = 0.5 * (a - c) / (a - 2.0 * b + c);
    (k as f32 + delta) * rate / n as f32
}

/// Fundamental frequency by normalised autocorrelation (robust when an
/// overtone is louder than the fundamental, as in a bright pluck).
pub fn autocorr_pitch(x: &[f32], rate: f32) -> f32 {
    let n = x.len().min(16384);
    let x = &x[..n];
    let min_lag = (rate / 2000.0) as usize;
    let max_lag = (rate / 30.0) as usize;
    let energy: f64 = x.iter().map(|v| (*v as f64).powi(2)).sum();
    let acf = |lag: usize| -> f64 {
        x[..n - lag]
            .iter()
            .zip(&x[lag..])
            .map(|(a, b)| (*a as f64) * (*b as f64))
            .sum::<f64>()
            / energy
    };
    let values: Vec<f64> = (0..=max_lag + 1)
        .map(|l| if l < min_lag { 0.0 } else { acf(l) })
        .collect();
    let best = values[min_lag..=max_lag]
        .iter()
        .cloned()
        .fold(f64::MIN, f64::max);
    // The first peak that comes close to the best one is the period.
    let lag = (min_lag + 1..max_lag)
        .find(|&l| {
            values[l] > 0.9 * best && values[l] >= values[l - 1] && values[l] >= values[l + 1]
        })
        .unwrap_or(min_lag);
    let (a, b, c) = (values[lag - 1], values[lag], values[lag + 1]);
    let delta = 0.5 * (a - c) / (a - 2.0 * b + c);
    rate / (lag as f64 + delta) as f32
}

/// Every session file under patches/, sorted (patch files, which only load
/// through the session that includes them, and presets are left out).
pub fn example_sessions() -> Vec<std::path::PathBuf> {
    fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "ron") {
                let text = std::fs::read_to_string(&p).unwrap();
                let kind = |k: &str| text.lines().any(|l| l.trim_start().starts_with(k));
                if !kind("Patch(") && !kind("Preset(") {
                    out.push(p);
                }
            }
        }
    }
    let mut out = Vec::new();
    walk(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("patches"),
        &mut out,
    );
    out
}

/// A UDP port free on loopback now (for a child's OSC server).
pub fn free_udp_port() -> u16 {
    std::net::UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// One `/termdaw/state` round trip to a running termdaw's OSC `port`:
/// the reply's arguments (tempo, playing, tracks…).
pub fn osc_state(sock: &std::net::UdpSocket, port: u16) -> Option<Vec<rosc::OscType>> {
    let q = rosc::encoder::encode(&rosc::OscPacket::Message(rosc::OscMessage {
        addr: "/termdaw/state".into(),
        args: vec![],
    }))
    .unwrap();
    sock.send_to(&q, ("127.0.0.1", port)).ok()?;
    let mut buf = [0u8; 4096];
    let (n, _) = sock.recv_from(&mut buf).ok()?;
    match rosc::decoder::decode_udp(&buf[..n]).ok()?.1 {
        rosc::OscPacket::Message(m) => Some(m.args),
        _ => None,
    }
}

/// Start the binary (`cmd`, its stdout piped) and read its output until it
/// says its OSC server listens: the child, the rest of its stdout, and the
/// line that said so.
pub fn spawn_until_osc(
    mut cmd: std::process::Command,
) -> (
    std::process::Child,
    std::io::BufReader<std::process::ChildStdout>,
    String,
) {
    use std::io::BufRead;
    let mut child = cmd.stdout(std::process::Stdio::piped()).spawn().unwrap();
    let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    let mut seen = String::new();
    while !line.starts_with("OSC on") {
        line.clear();
        if out.read_line(&mut line).unwrap() == 0 {
            panic!("termdaw exited before its OSC server started: {seen}");
        }
        seen.push_str(&line);
    }
    (child, out, line)
}

/// Magnitude spectrum (dB re its largest bin) of a Hann-windowed `x`.
pub fn spectrum_db(x: &[f32]) -> Vec<f64> {
    use rustfft::{num_complex::Complex, FftPlanner};
    let n = x.len();
    let mut buf: Vec<Complex<f64>> = x
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let w = 0.5 - 0.5 * (std::f64::consts::TAU * i as f64 / n as f64).cos();
            Complex::new(*v as f64 * w, 0.0)
        })
        .collect();
    FftPlanner::new().plan_fft_forward(n).process(&mut buf);
    let mags: Vec<f64> = buf[..n / 2].iter().map(|c| c.norm()).collect();
    let top = mags.iter().cloned().fold(1e-30, f64::max);
    mags.iter()
        .map(|m| 20.0 * (m / top).max(1e-12).log10())
        .collect()
}

/// The termdaw binary, run in the project folder with no sound card
/// reachable (ALSA pointed at nothing).
pub fn termdaw_offline() -> std::process::Command {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_termdaw"));
    c.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("ALSA_CONFIG_PATH", "/nonexistent");
    c
}
