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
use termdaw::engine::{Counters, EngineConfig, Feedback};
use termdaw::live::{Inputs, LiveEvent, OscOptions};
use termdaw::midi::{self, MidiReport, Wanted};
use termdaw::patch;
use termdaw::session::Session;
use termdaw::tui;

/// Debug builds: the allocator that makes the device callback's
/// no-allocation guard around `Engine::process` bite (see `audio::Guard`).
#[cfg(debug_assertions)]
#[global_allocator]
static ALLOC: assert_no_alloc::AllocDisabler = assert_no_alloc::AllocDisabler;

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
    /// Output device, by name or by index from `termdaw devices` (`jack` in a
    /// build with the `jack` feature: JACK's own output).
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
    /// MIDI inputs to open: all, virtual (a port other programs connect
    /// to), none, or a device name (substring) or index from `termdaw devices`.
    #[arg(long, value_name = "all|virtual|none|NAME")]
    midi: Option<String>,
    /// UDP port of the OSC server.
    #[arg(long, value_name = "N")]
    osc_port: Option<u16>,
    /// Address the OSC server listens on (default 127.0.0.1).
    #[arg(long, value_name = "ADDR")]
    osc_bind: Option<std::net::IpAddr>,
    /// Allow --osc-bind beyond loopback (anyone who can reach the port can drive the session).
    #[arg(long)]
    osc_any: bool,
    /// Turn the OSC server off.
    #[arg(long)]
    no_osc: bool,
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
    /// Model id (default: claude-sonnet-4-6 for Anthropic).
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
    /// Process an audio file offline: speed, reverse, echo, fades, loudness
    /// (in that order), written as a WAV.
    Process(ProcessArgs),
    /// Measure a WAV file or a session (rendered first): peaks, loudness
    /// (EBU R128), spectrum, onsets, tempo, pitch.
    Analyze(AnalyzeArgs),
}

#[derive(Args)]
struct ProcessArgs {
    /// Input: WAV, FLAC, Ogg Vorbis or MP3.
    input: PathBuf,
    /// Output WAV file.
    #[arg(short, long)]
    output: PathBuf,
    /// Play this many times faster; pitch follows, like tape (0.1-8).
    #[arg(long)]
    speed: Option<f64>,
    /// Reverse the audio.
    #[arg(long)]
    reverse: bool,
    /// Fade in over this many seconds.
    #[arg(long)]
    fade_in: Option<f64>,
    /// Fade out over this many seconds.
    #[arg(long)]
    fade_out: Option<f64>,
    /// Add an echo: light, medium or heavy.
    #[arg(long, value_parser = ["light", "medium", "heavy"])]
    echo: Option<String>,
    /// Normalize integrated loudness to this many LUFS (true peak kept under -1 dBTP).
    #[arg(long, allow_hyphen_values = true)]
    normalize: Option<f64>,
    /// Write 32-bit float samples instead of 24-bit integers.
    #[arg(long)]
    float: bool,
}

#[derive(Args)]
struct AnalyzeArgs {
    /// A .wav file, or a .ron session to render and measure.
    input: PathBuf,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
    /// Check against a loudness target in LUFS (e.g. -14) and say what to change.
    #[arg(long, allow_hyphen_values = true)]
    target: Option<f64>,
    /// True-peak limit for the check, dBTP.
    #[arg(long, default_value_t = -1.0, allow_hyphen_values = true)]
    true_peak: f64,
    /// Bars of a session to render (default 16).
    #[arg(long)]
    bars: Option<f64>,
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
        Some(Command::Analyze(a)) => analyze_cmd(a),
        Some(Command::Process(p)) => process_cmd(p),
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

fn process_cmd(p: ProcessArgs) -> anyhow::Result<()> {
    use termdaw::process::{self, Echo, Options};
    let opts = Options {
        speed: p.speed,
        reverse: p.reverse,
        fade_in: p.fade_in,
        fade_out: p.fade_out,
        echo: p.echo.as_deref().and_then(Echo::parse),
        normalize: p.normalize,
    };
    let s = process::process_file(&p.input, &opts, &p.output, p.float)?;
    println!(
        "{} → {}: {} ({:.2} s → {:.2} s)",
        p.input.display(),
        p.output.display(),
        opts.describe(),
        s.seconds_in,
        s.seconds_out
    );
    if let Some(n) = s.normalized {
        println!(
            "loudness {:.1} LUFS, gain {:+.1} dB{}",
            n.before_lufs,
            n.gain_db,
            if n.limited {
                format!(
                    "; true peak would have been {:.1} dBTP, limited under {:.1} dBTP",
                    n.true_peak_dbtp,
                    process::TRUE_PEAK_LIMIT
                )
            } else {
                String::new()
            }
        );
    }
    Ok(())
}

fn analyze_cmd(a: AnalyzeArgs) -> anyhow::Result<()> {
    let (l, r, rate) = if a.input.extension().is_some_and(|e| e == "ron") {
        let file = load(&a.input)?;
        let length = Length::Bars(a.bars.unwrap_or(16.0));
        let (l, r) = render::render_buffers(file, Some(&a.input), length, 48000);
        (l, r, 48000.0)
    } else {
        let d = termdaw::sample::load_audio(&a.input)?;
        (d.left, d.right, d.rate)
    };
    let report = termdaw::analysis::analyze(&l, &r, rate);
    let advice = a.target.map(|t| report.check(t, a.true_peak));
    if a.json {
        println!("{}", report.json(advice.as_ref()));
    } else {
        print!("{}", report.text(advice.as_ref()));
    }
    Ok(())
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
    // ALSA and JACK print their probing failures to stderr: keep them in the log.
    let _log = redirect_stderr();
    println!("audio outputs:");
    let outs = device::list_outputs();
    if outs.is_empty() {
        println!("  (none)");
    }
    for (i, name) in outs {
        println!("  {i}: {name}");
    }
    println!("MIDI inputs:");
    match midi::list_inputs() {
        Ok(ins) if ins.is_empty() => println!("  (none)"),
        Ok(ins) => {
            for (i, name) in ins.iter().enumerate() {
                println!("  {i}: {name}");
            }
        }
        Err(e) => println!("  (no MIDI system: {e})"),
    }
    Ok(())
}

/// Point stderr at `termdaw.log` in the user's state (or cache) directory
/// until the returned guard drops. `None` when it cannot (stderr stays).
fn redirect_stderr() -> Option<StderrGuard> {
    use std::os::fd::AsRawFd;
    let dirs = directories::ProjectDirs::from("", "", "termdaw")?;
    let dir = dirs.state_dir().unwrap_or(dirs.cache_dir()).to_path_buf();
    std::fs::create_dir_all(&dir).ok()?;
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join("termdaw.log"))
        .ok()?;
    // SAFETY: dup/dup2 on valid descriptors; the saved one is restored on drop.
    let saved = unsafe { libc::dup(2) };
    if saved < 0 {
        return None;
    }
    if unsafe { libc::dup2(file.as_raw_fd(), 2) } < 0 {
        unsafe { libc::close(saved) };
        return None;
    }
    Some(StderrGuard { saved })
}

struct StderrGuard {
    saved: i32,
}

impl Drop for StderrGuard {
    fn drop(&mut self) {
        // SAFETY: `saved` is the descriptor dup'ed in redirect_stderr.
        unsafe {
            libc::dup2(self.saved, 2);
            libc::close(self.saved);
        }
    }
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
    // ALSA and JACK libraries print to stderr while devices open and later,
    // which would scribble over the screen: with the UI, stderr goes to a
    // log file until play_cmd returns (errors are printed after that).
    let log = theme.as_ref().and_then(|_| redirect_stderr());
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
    let (handle, engine) = termdaw::handle::connect(EngineConfig::new(rate as f32, file.tempo));
    let counters = handle.counters.clone();
    let mut session = Session::new(file, Some(path.clone()), rate as f32, Some(handle));
    warnings.extend(session.take_notices());
    let output = device::start(engine, probe, rate, buffer);
    if !args.paused {
        let _ = session.apply(Action::Play {});
    }
    let osc = OscOptions {
        enabled: !args.no_osc && config.osc != Some(false),
        bind: std::net::SocketAddr::new(
            args.osc_bind.unwrap_or([127, 0, 0, 1].into()),
            args.osc_port
                .or(config.osc_port)
                .unwrap_or(termdaw::osc::DEFAULT_PORT),
        ),
        any: args.osc_any,
    };
    let wanted = match args.midi.clone().or(config.midi.clone()).as_deref() {
        None | Some("none") => Wanted::None,
        Some("all") => Wanted::All,
        Some("virtual") => Wanted::Virtual,
        Some(name) => Wanted::Named(name.to_string()),
    };
    let (global_midi, problems) = tui::config::load_midi(config_dir.as_deref());
    warnings.extend(problems);
    match theme {
        Some(theme) => {
            let (keymap, problems) = tui::config::load_keymap(config_dir.as_deref());
            warnings.extend(problems);
            let mut inputs = Inputs::start(&session, &osc, wanted, global_midi);
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
            if let Some(o) = inputs.osc.as_ref() {
                app.set_status(tui::app::StatusKind::Info, format!("OSC on {}", o.local));
                if !notes.is_empty() {
                    app.set_status(tui::app::StatusKind::Warning, notes.join(" · "));
                }
            }
            let result = tui::term::run(&mut app, &mut inputs, args.seconds);
            drop(inputs);
            drop(output);
            drop(log);
            result.context("the terminal UI failed")
        }
        None => {
            for w in warnings {
                eprintln!("warning: {w}");
            }
            println!("{}: {}", path.display(), output.info.describe());
            let mut inputs = Inputs::start(&session, &osc, wanted, global_midi);
            if let Some(o) = inputs.osc.as_ref() {
                println!("OSC on {}", o.local);
            }
            headless_loop(&mut session, &mut inputs, &counters, args.seconds);
            inputs.close(&mut session);
            drop(inputs);
            drop(output);
            Ok(())
        }
    }
}

/// Without the UI: keep the engine fed, show the position when stdout is a terminal.
fn headless_loop(
    session: &mut Session,
    inputs: &mut Inputs,
    counters: &Counters,
    seconds: Option<f64>,
) {
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    for sig in [signal_hook::consts::SIGTERM, signal_hook::consts::SIGINT] {
        let _ = signal_hook::flag::register(sig, stop.clone());
    }
    let started = Instant::now();
    let tty = std::io::stdout().is_terminal();
    let mut beat = 0.0;
    let mut bpm = session.file().tempo;
    let mut tap = Vec::new();
    let mut last_line = Instant::now();
    while !stop.load(std::sync::atomic::Ordering::Relaxed) {
        // Short sleeps: controller moves and OSC messages apply within ~5 ms.
        std::thread::sleep(Duration::from_millis(5));
        // No selection without the UI: unmapped channels play the first track.
        let first = session
            .file()
            .tracks
            .first()
            .and_then(|t| session.slot(t.name.as_str()));
        for e in inputs.poll(session, first) {
            let line = match e {
                LiveEvent::Reload(s) => format!("{s}"),
                LiveEvent::Osc(l) | LiveEvent::Notice(l) => l,
                LiveEvent::Midi(MidiReport::Applied(l)) => l,
                LiveEvent::Midi(MidiReport::Learned { .. }) => continue,
            };
            if tty {
                println!("\r{line}");
            } else {
                eprintln!("{line}");
            }
        }
        if last_line.elapsed() < Duration::from_millis(100) {
            continue;
        }
        last_line = Instant::now();
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
