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
use termdaw::audio::device::{self, DeviceOptions, SinkInfo};
use termdaw::audio::render::{self, Length, RenderOptions, WavFormat};
use termdaw::chat;
use termdaw::engine::{self, Counters, EngineConfig, Feedback};
use termdaw::patch;
use termdaw::reload::Reloader;
use termdaw::session::Session;
use termdaw::tui;

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
    /// Stop after this many seconds (default: run until quit or Ctrl-C).
    #[arg(long)]
    seconds: Option<f64>,
    /// Colour theme: dark, light, high-contrast, or a path to a theme file.
    #[arg(long)]
    theme: Option<String>,
    /// Play without the terminal UI: one line about the device, then run
    /// (the default when stdout is not a terminal).
    #[arg(long)]
    headless: bool,
    #[command(flatten)]
    chat: ChatArgs,
}

/// Which model the chat talks to (overrides the config file; keys come
/// from ANTHROPIC_API_KEY / OPENAI_API_KEY only).
#[derive(Args)]
struct ChatArgs {
    /// Chat provider: anthropic or openai (any OpenAI-compatible server).
    #[arg(long)]
    provider: Option<String>,
    /// The provider's base URL (default: ANTHROPIC_BASE_URL / OPENAI_BASE_URL, or the official one).
    #[arg(long)]
    base_url: Option<String>,
    /// Model id (default: claude-sonnet-4-5 for Anthropic).
    #[arg(long)]
    model: Option<String>,
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
    /// Run one chat turn on a session file: print the reply and each change,
    /// and save the changes to the file (the previous version kept as .bak).
    Ask {
        session: PathBuf,
        /// What you want, e.g. "make the bass darker".
        #[arg(required = true, num_args = 1..)]
        prompt: Vec<String>,
        #[command(flatten)]
        chat: ChatArgs,
    },
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
        Some(Command::Ask {
            session,
            prompt,
            chat,
        }) => ask_cmd(&session, &prompt.join(" "), &chat),
        None => play_cmd(cli.play),
    };
    if let Err(e) = result {
        eprintln!("termdaw: {e:#}");
        std::process::exit(1);
    }
}

/// The chat configuration: flags over the config file over the environment.
fn chat_config(
    settings: Option<&chat::ChatSettings>,
    args: &ChatArgs,
) -> anyhow::Result<chat::ChatConfig> {
    chat::ChatConfig::resolve(
        &settings.cloned().unwrap_or_default(),
        args.provider.as_deref(),
        args.base_url.as_deref(),
        args.model.as_deref(),
        |k| std::env::var(k).ok(),
    )
    .map_err(anyhow::Error::from)
}

fn ask_cmd(path: &Path, prompt: &str, args: &ChatArgs) -> anyhow::Result<()> {
    let (config, warnings) = tui::config::Config::load(tui::config::dir().as_deref());
    for w in warnings {
        eprintln!("warning: {w}");
    }
    let cfg = chat_config(config.chat.as_ref(), args)?;
    let mut out = std::io::stdout();
    chat::ask::ask(cfg, path, prompt, None, &mut out)?;
    Ok(())
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
        .clone()
        .unwrap_or_else(|| PathBuf::from("patches/demo.ron"));
    if !path.exists() {
        bail!("{}: no such session file", path.display());
    }
    let headless = args.headless || !std::io::stdout().is_terminal();
    let config_dir = tui::config::dir();
    let (config, mut warnings) = tui::config::Config::load(config_dir.as_deref());
    // Flags override the config file.
    let theme = if headless {
        None
    } else {
        let name = args.theme.clone().or(config.theme.clone());
        let themes_dir = config_dir.as_ref().map(|d| d.join("themes"));
        Some(
            tui::Theme::load(name.as_deref().unwrap_or("dark"), themes_dir.as_deref())
                .map_err(|e| anyhow::anyhow!("{e}"))?,
        )
    };
    let file = load(&path)?;
    let buffer = args.buffer.or(config.buffer);
    let opts = DeviceOptions {
        device: args.device.clone().or(config.device.clone()),
        rate: args.rate.or(config.rate),
        buffer,
    };
    let probe = device::probe(&opts);
    let rate = match &probe {
        Ok(p) => p.rate,
        Err(_) => opts.rate.unwrap_or(device::DEFAULT_RATE),
    };
    let buffer = buffer.unwrap_or(device::DEFAULT_BUFFER);
    let (handle, engine) = engine::new(EngineConfig::new(rate as f32, file.tempo));
    let counters = handle.counters.clone();
    let mut session = Session::new(file.clone(), Some(path.clone()), rate as f32, Some(handle));
    warnings.extend(session.take_notices());
    let output = device::start(engine, probe, rate, buffer);
    if !args.paused {
        let _ = session.apply(Action::Play {});
    }
    match theme {
        Some(theme) => {
            let (keymap, problems) = tui::config::load_keymap(config_dir.as_deref());
            warnings.extend(problems);
            let reloader = match Reloader::new(&path, file) {
                Ok(r) => Some(r),
                Err(e) => {
                    warnings.push(format!("hot reload is off: {e}"));
                    None
                }
            };
            let mut app = tui::App::new(session, keymap, theme);
            // A chat misconfiguration never keeps the music from starting.
            match chat_config(config.chat.as_ref(), &args.chat) {
                Ok(cfg) => {
                    let (history, problems) = match chat::history::data_dir() {
                        Some(d) => {
                            chat::history::History::open(chat::history::file_for(&d, Some(&path)))
                        }
                        None => (chat::history::History::in_memory(), Vec::new()),
                    };
                    warnings.extend(problems.into_iter().map(|p| format!("chat history: {p}")));
                    app.chat = chat::Chat::new(cfg, history);
                }
                Err(e) => warnings.push(format!("the chat is off: {e:#}")),
            }
            app.sink = Some(output.info.clone());
            let mut notes = Vec::new();
            if let SinkInfo::Silent { .. } = output.info {
                notes.push(output.info.describe());
            }
            notes.extend(warnings);
            if !notes.is_empty() {
                app.set_status(tui::app::StatusKind::Warning, notes.join(" · "));
            }
            let result = tui::term::run(&mut app, reloader, args.seconds);
            drop(output);
            result.context("the terminal UI failed")
        }
        None => {
            for w in warnings {
                eprintln!("warning: {w}");
            }
            println!("{}: {}", path.display(), output.info.describe());
            headless_loop(&mut session, &counters, args.seconds);
            drop(output);
            Ok(())
        }
    }
}

/// Without the UI: keep the engine fed, show the position when stdout is a terminal.
fn headless_loop(session: &mut Session, counters: &Counters, seconds: Option<f64>) {
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    for sig in [signal_hook::consts::SIGTERM, signal_hook::consts::SIGINT] {
        let _ = signal_hook::flag::register(sig, stop.clone());
    }
    let started = Instant::now();
    let tty = std::io::stdout().is_terminal();
    let mut beat = 0.0;
    let mut bpm = session.file().tempo;
    let mut tap = Vec::new();
    while !stop.load(std::sync::atomic::Ordering::Relaxed) {
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
            tap.clear();
            h.read_tap(&mut tap);
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
        if seconds.is_some_and(|s| started.elapsed().as_secs_f64() >= s) {
            break;
        }
    }
    if tty {
        println!();
    }
}
