//! The `termdaw` command: play a session live, render it to a file, list devices.
//!
//! Control thread (the main thread). Errors are reported here, at the edge,
//! with anyhow/miette; the library underneath uses typed errors.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use clap::{Args, Parser, Subcommand};

use termdaw::action::Action;
use termdaw::audio::device::{self, DeviceOptions};
use termdaw::audio::render::{self, Length, RenderOptions, WavFormat};
use termdaw::engine::{self, Counters, EngineConfig, Feedback};
use termdaw::patch;
use termdaw::session::Session;

#[derive(Parser)]
#[command(name = "termdaw", version, about = "A terminal live-coding DAW")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    play: PlayArgs,
}

#[derive(Args)]
struct PlayArgs {
    /// Session file to play (default: patches/demo.ron).
    session: Option<PathBuf>,
    /// Open stopped instead of playing at once.
    #[arg(long)]
    paused: bool,
    /// Output device, by name or by index from `termdaw devices`.
    #[arg(long)]
    device: Option<String>,
    /// Sample rate in Hz (default: the device's).
    #[arg(long)]
    rate: Option<u32>,
    /// Buffer size in frames (64-2048).
    #[arg(long, value_parser = clap::value_parser!(u32).range(64..=2048))]
    buffer: Option<u32>,
    /// Stop after this many seconds (default: run until Ctrl-C).
    #[arg(long)]
    seconds: Option<f64>,
}

#[derive(Subcommand)]
enum Command {
    /// Render a session to a WAV file, faster than real time.
    Render {
        session: PathBuf,
        /// Length in bars (default 16).
        #[arg(long, conflicts_with = "seconds")]
        bars: Option<f64>,
        /// Length in seconds.
        #[arg(long)]
        seconds: Option<f64>,
        /// Sample rate: 44100, 48000 or 96000.
        #[arg(long, default_value_t = 48000, value_parser = parse_rate)]
        rate: u32,
        /// Output file (default: the session's name with .wav).
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Write 32-bit float samples instead of 24-bit integers.
        #[arg(long)]
        float: bool,
        /// Frames per engine block.
        #[arg(long, default_value_t = 256)]
        block: usize,
    },
    /// List audio outputs and MIDI inputs.
    Devices,
    /// Check a session file and report the first error with its position.
    Check { session: PathBuf },
}

fn parse_rate(s: &str) -> Result<u32, String> {
    match s.parse::<u32>() {
        Ok(r @ (44100 | 48000 | 96000)) => Ok(r),
        _ => Err(format!("rate must be 44100, 48000 or 96000, got {s}")),
    }
}

fn main() {
    let cli = Cli::parse();
    let result = match cli.command {
        Some(Command::Render {
            session,
            bars,
            seconds,
            rate,
            output,
            float,
            block,
        }) => {
            let length = match (bars, seconds) {
                (_, Some(s)) => Length::Seconds(s),
                (Some(b), None) => Length::Bars(b),
                (None, None) => Length::Bars(16.0),
            };
            let format = if float {
                WavFormat::Float32
            } else {
                WavFormat::Int24
            };
            render_cmd(
                &session,
                RenderOptions {
                    length,
                    rate,
                    block,
                    format,
                },
                output,
            )
        }
        Some(Command::Devices) => devices_cmd(),
        Some(Command::Check { session }) => {
            load(&session).map(|_| println!("{}: ok", session.display()))
        }
        None => play_cmd(cli.play),
    };
    if let Err(e) = result {
        eprintln!("termdaw: {e:#}");
        std::process::exit(1);
    }
}

fn load(path: &Path) -> anyhow::Result<patch::SessionFile> {
    patch::load(path).map_err(|e| anyhow::anyhow!("{}", e.report()))
}

fn render_cmd(path: &Path, opts: RenderOptions, output: Option<PathBuf>) -> anyhow::Result<()> {
    let file = load(path)?;
    let out = output.unwrap_or_else(|| path.with_extension("wav"));
    let bar = std::io::stdout().is_terminal().then(|| {
        let b = indicatif::ProgressBar::new(render::frames_for(&file, opts.length, opts.rate));
        b.set_style(
            indicatif::ProgressStyle::with_template("{bar:40} {percent:>3}% {elapsed} ETA {eta}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        b
    });
    let (summary, notices) = render::render_to_wav(file, Some(path), opts, &out, |done, _| {
        if let Some(b) = &bar {
            b.set_position(done);
        }
    })
    .with_context(|| format!("rendering to {}", out.display()))?;
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    for n in notices {
        eprintln!("warning: {n}");
    }
    println!("{}: {summary}", out.display());
    Ok(())
}

fn devices_cmd() -> anyhow::Result<()> {
    println!("audio outputs:");
    let outs = device::list_outputs();
    if outs.is_empty() {
        println!("  (none)");
    }
    for (i, name) in outs {
        println!("  {i}: {name}");
    }
    Ok(())
}

fn play_cmd(args: PlayArgs) -> anyhow::Result<()> {
    let path = args
        .session
        .unwrap_or_else(|| PathBuf::from("patches/demo.ron"));
    if !path.exists() {
        bail!("{}: no such session file", path.display());
    }
    let file = load(&path)?;
    let opts = DeviceOptions {
        device: args.device,
        rate: args.rate,
        buffer: args.buffer,
    };
    let probe = device::probe(&opts);
    let rate = match &probe {
        Ok(p) => p.rate,
        Err(_) => args.rate.unwrap_or(device::DEFAULT_RATE),
    };
    let buffer = args.buffer.unwrap_or(device::DEFAULT_BUFFER);
    let (handle, engine) = engine::new(EngineConfig::new(rate as f32, file.tempo));
    let counters = handle.counters.clone();
    let mut session = Session::new(file, Some(path.clone()), rate as f32, Some(handle));
    for n in session.take_notices() {
        eprintln!("warning: {n}");
    }
    let output = device::start(engine, probe, rate, buffer);
    println!("{}: {}", path.display(), output.info.describe());
    if !args.paused {
        let _ = session.apply(Action::Play {});
    }
    let started = Instant::now();
    let tty = std::io::stdout().is_terminal();
    let mut beat = 0.0;
    let mut bpm = session.file().tempo;
    loop {
        std::thread::sleep(Duration::from_millis(100));
        if let Some(h) = session.engine_mut() {
            h.collect_garbage();
            h.drain_feedback(|f| {
                if let Feedback::Position {
                    beat: b, bpm: t, ..
                } = f
                {
                    beat = b;
                    bpm = t;
                }
            });
        }
        if tty {
            let bpb = session.file().time_signature.beats.max(1) as f64;
            print!(
                "\r{:>4}:{} {:>6.1} BPM  load {:>3}%  xruns {}   ",
                (beat / bpb).floor() as u64 + 1,
                (beat % bpb).floor() as u64 + 1,
                bpm,
                Counters::get(&counters.load_permille) / 10,
                Counters::get(&counters.xruns)
            );
            use std::io::Write;
            let _ = std::io::stdout().flush();
        }
        if args
            .seconds
            .is_some_and(|s| started.elapsed().as_secs_f64() >= s)
        {
            break;
        }
    }
    if tty {
        println!();
    }
    drop(output);
    Ok(())
}
