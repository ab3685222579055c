//! The `termdaw` command: the command line and which library function
//! each subcommand calls.
//!
//! Control thread (the main thread). Errors are reported here, at the edge,
//! with anyhow (one line, exit status 1); the library underneath uses typed
//! errors. What a command does lives in the library: playing in
//! `termdaw::host` (with `tui::term` or `host::headless` in front), flags
//! over the config file in `termdaw::config`.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::{Args, Parser, Subcommand};

use termdaw::audio::render::{self, Length, RenderOptions, WavFormat};
use termdaw::config::{self, Config, Flags};
use termdaw::{chat, host, patch, tui};

mod devices;
mod sound;

/// Counts allocations on the audio thread in every build, and in debug
/// builds makes the device callback's no-allocation guard around
/// `Engine::process` warn (see `audio::Guard` and `audio::watch`).
#[global_allocator]
static ALLOC: termdaw::audio::watch::Watch = termdaw::audio::watch::Watch;

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
    /// Sample rate in Hz (default: the device's; 8000-384000).
    #[arg(long, value_parser = termdaw::units::device_rate)]
    rate: Option<u32>,
    /// Buffer size in frames (64-2048).
    #[arg(long, value_parser = clap::value_parser!(u32).range(64..=2048))]
    buffer: Option<u32>,
    /// Stop after this many seconds (default: run until quit or Ctrl-C).
    #[arg(long, value_parser = termdaw::units::run_seconds)]
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
    /// Record a take into this folder from the start: master.wav and the
    /// action log that `termdaw replay` renders again.
    #[arg(long, value_name = "DIR")]
    record: Option<PathBuf>,
    /// Takes in 32-bit float (default 24-bit).
    #[arg(long)]
    record_float: bool,
    /// Takes hold one WAV per track too (stem-NAME.wav).
    #[arg(long)]
    stems: bool,
    /// Where the record action (R, OSC /termdaw/record, the chat) puts its
    /// take folders (default: takes/ in the data directory).
    #[arg(long, value_name = "DIR")]
    takes: Option<PathBuf>,
    /// Audio input for Input tracks and takes: a name's part or an index
    /// from `termdaw devices`, or none (default: the system's default input).
    #[arg(long, value_name = "DEVICE|none")]
    input: Option<String>,
    /// MIDI output that gets termdaw's clock (24 a beat) and transport
    /// (Start, Continue, Stop, song position): a name's part or an index
    /// from `termdaw devices`.
    #[arg(long, value_name = "DEVICE|none")]
    midi_out: Option<String>,
    /// Join an Ableton Link session: tempo and the bar's phase shared with
    /// the apps on the network (a build with `--features link`).
    #[arg(long)]
    link: bool,
    /// With --link: share play and stop too (Link's start/stop sync).
    #[arg(long)]
    link_start_stop: bool,
    /// Gate takes' input into segments (gate-NN.wav) that open and close
    /// by themselves: --gate, or --gate threshold=-40,start=30,end=300,preroll=200,adaptive=on,channels=1-2
    #[arg(long, value_name = "SETTINGS", num_args = 0..=1, default_missing_value = "",
          value_parser = termdaw::capture::gate::GateConfig::parse)]
    gate: Option<termdaw::capture::gate::GateConfig>,
    #[command(flatten)]
    chat: ChatArgs,
}

/// Which model the chat talks to (overrides the config file; keys come
/// from ANTHROPIC_API_KEY / OPENAI_API_KEY only).
#[derive(Args, Clone)]
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
    /// Render a recorded take again from its action log, bit for bit.
    Replay {
        /// The take's folder (holds log.txt and master.wav).
        dir: PathBuf,
        /// Output file.
        #[arg(short, long)]
        output: PathBuf,
    },
    /// Render a session to a WAV file, faster than real time.
    Render {
        session: PathBuf,
        /// Length in bars (default: the whole song order plus a 3 s tail;
        /// 16 bars for a session without one).
        #[arg(long, conflicts_with = "seconds", value_parser = termdaw::units::bars)]
        bars: Option<f64>,
        /// Length in seconds (at most an hour).
        #[arg(long, value_parser = termdaw::units::render_seconds)]
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
        /// Write a slice marker (a WAV cue point) every BEATS beats of the
        /// session's tempo, from the start, e.g. 0.5 for every 8th note;
        /// `Sample(slice_at: markers)` slices at them.
        #[arg(long, value_name = "BEATS")]
        cue_every: Option<f64>,
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
    /// Play (or write with -o) exact test tones: frequencies or notes,
    /// several mixed, a sine sweep, or noise.
    Tone(sound::ToneArgs),
    /// Assess a sound in its role: an overall score from role match, mix
    /// readiness, perceptual quality and stability, with every check's
    /// value and threshold, and the violations and warnings.
    Assess(sound::AssessArgs),
    /// The preset library by role: list presets, or render one in a tempo,
    /// key and scale.
    Preset {
        #[command(subcommand)]
        command: sound::PresetCommand,
    },
    /// Harmony in a key: the scale's notes, its chords with roman numerals,
    /// common progressions, and what could come after some chords, ranked.
    Suggest {
        /// The key's tonic, e.g. A, F#, Bb (default: the session's, else C).
        #[arg(long)]
        key: Option<String>,
        /// The scale: major, minor, dorian, mixolydian, harmonic-minor, …
        /// (default: the session's, else major).
        #[arg(long)]
        scale: Option<String>,
        /// The chords so far, e.g. "Am F": ranks what could come next.
        #[arg(long)]
        after: Option<String>,
        /// A session: its key and scale by default, and which notes its
        /// tracks play that clash with each chord.
        #[arg(long)]
        session: Option<PathBuf>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Print the events of a pattern written as in a session, e.g.
    /// 'Notes("every 2 rev $ c3 e3 g3")' (a bare string is read as Notes):
    /// onset and duration in exact fractions of a cycle, note, velocity.
    Pattern {
        pattern: String,
        /// How many cycles to show, from cycle 0 (at most 256).
        #[arg(long, default_value_t = 1)]
        cycles: i64,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
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
    #[arg(long, allow_hyphen_values = true, value_parser = termdaw::units::lufs)]
    target: Option<f64>,
    /// True-peak limit for the check, dBTP.
    #[arg(long, default_value_t = -1.0, allow_hyphen_values = true, value_parser = termdaw::units::dbtp)]
    true_peak: f64,
    /// Bars of a session to render (default 16).
    #[arg(long, value_parser = termdaw::units::bars)]
    bars: Option<f64>,
}

fn parse_rate(s: &str) -> Result<u32, String> {
    match s.parse::<u32>() {
        Ok(r @ (44100 | 48000 | 96000)) => Ok(r),
        _ => Err(format!("rate must be 44100, 48000 or 96000, got {s}")),
    }
}

fn main() -> ExitCode {
    // A file grown past the process's size limit is a write error (EFBIG)
    // for the one writing it, like a full disk, not the end of the music.
    // SAFETY: setting a signal's disposition to "ignore" before any thread
    // starts.
    unsafe {
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
    }
    let cli = Cli::parse();
    let result = match cli.command {
        Some(Command::Replay { dir, output }) => replay_cmd(&dir, &output),
        Some(Command::Render {
            session,
            bars,
            seconds,
            rate,
            output,
            float,
            block,
            cue_every,
        }) => {
            let length = match (bars, seconds) {
                (_, Some(s)) => Length::Seconds(s),
                (Some(b), None) => Length::Bars(b),
                (None, None) => Length::Song,
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
                    cue_every,
                },
                output,
            )
        }
        Some(Command::Devices) => devices::print(),
        Some(Command::Check { session }) => {
            load(&session).map(|_| println!("{}: ok", session.display()))
        }
        Some(Command::Analyze(a)) => analyze_cmd(a),
        Some(Command::Process(p)) => process_cmd(p),
        Some(Command::Pattern {
            pattern,
            cycles,
            json,
        }) => termdaw::pattern::show::report(&pattern, cycles, json)
            .map(|out| print!("{out}"))
            .map_err(anyhow::Error::msg),
        Some(Command::Tone(t)) => sound::tone_cmd(t),
        Some(Command::Assess(a)) => sound::assess_cmd(a),
        Some(Command::Preset { command }) => sound::preset_cmd(command),
        Some(Command::Suggest {
            key,
            scale,
            after,
            session,
            json,
        }) => suggest_cmd(key, scale, after, session, json),
        Some(Command::Ask {
            session,
            prompt,
            chat,
        }) => ask_cmd(&session, &prompt.join(" "), chat),
        None => play_cmd(cli.play),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("termdaw: {e:#}");
            ExitCode::FAILURE
        }
    }
}

impl PlayArgs {
    fn flags(&self) -> Flags {
        Flags {
            theme: self.theme.clone(),
            device: self.device.clone(),
            rate: self.rate,
            buffer: self.buffer,
            midi: self.midi.clone(),
            osc_port: self.osc_port,
            osc_bind: self.osc_bind,
            osc_any: self.osc_any,
            no_osc: self.no_osc,
            record: self.record.clone(),
            record_float: self.record_float,
            stems: self.stems,
            takes: self.takes.clone(),
            input: self.input.clone(),
            midi_out: self.midi_out.clone(),
            link: self.link,
            link_start_stop: self.link_start_stop,
            gate: self.gate,
            ..self.chat.clone().flags()
        }
    }
}

impl ChatArgs {
    fn flags(self) -> Flags {
        Flags {
            provider: self.provider,
            base_url: self.base_url,
            model: self.model,
            ..Flags::default()
        }
    }
}

fn env(key: &str) -> Option<String> {
    std::env::var(key).ok()
}

fn play_cmd(args: PlayArgs) -> anyhow::Result<()> {
    let path = args
        .session
        .clone()
        .unwrap_or_else(|| PathBuf::from("patches/demo.ron"));
    if !path.exists() {
        bail!("{}: no such session file", path.display());
    }
    let config_dir = config::dir();
    let (file, warnings) = Config::load(config_dir.as_deref());
    let settings = config::resolve(&args.flags(), &file, env);
    let dir = config_dir.as_deref();
    if args.headless || !std::io::stdout().is_terminal() {
        host::headless::play(&path, &settings, dir, warnings, args.paused, args.seconds)?;
    } else {
        tui::term::play(&path, settings, dir, warnings, args.paused, args.seconds)?;
    }
    Ok(())
}

fn replay_cmd(dir: &Path, out: &Path) -> anyhow::Result<()> {
    let r = termdaw::capture::replay::replay(dir, out)?;
    println!(
        "{}: {} frames ({:.2} s at {} Hz) from {} commands",
        out.display(),
        r.frames,
        r.frames as f64 / r.rate as f64,
        r.rate,
        r.commands
    );
    Ok(())
}

fn ask_cmd(path: &Path, prompt: &str, args: ChatArgs) -> anyhow::Result<()> {
    let (file, warnings) = Config::load(config::dir().as_deref());
    for w in warnings {
        eprintln!("warning: {w}");
    }
    let cfg = config::resolve(&args.flags(), &file, env).chat?;
    chat::ask::ask(cfg, path, prompt, None, &mut std::io::stdout())?;
    Ok(())
}

fn load(path: &Path) -> anyhow::Result<patch::SessionFile> {
    termdaw::session::samples::load(path).map_err(|e| anyhow::anyhow!("{}", e.report()))
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
        let limited = if n.limited {
            format!(
                "; true peak would have been {:.1} dBTP, limited under {:.1} dBTP",
                n.true_peak_dbtp,
                process::TRUE_PEAK_LIMIT
            )
        } else {
            String::new()
        };
        println!(
            "loudness {:.1} LUFS, gain {:+.1} dB{limited}",
            n.before_lufs, n.gain_db
        );
    }
    Ok(())
}

fn analyze_cmd(a: AnalyzeArgs) -> anyhow::Result<()> {
    let (l, r, rate) = if a.input.extension().is_some_and(|e| e == "ron") {
        let file = load(&a.input)?;
        let length = Length::Bars(a.bars.unwrap_or(16.0));
        let (l, r) = render::render_buffers(file, Some(&a.input), length, 48000)?;
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

fn suggest_cmd(
    key: Option<String>,
    scale: Option<String>,
    after: Option<String>,
    session: Option<PathBuf>,
    json: bool,
) -> anyhow::Result<()> {
    let file = session.as_deref().map(load).transpose()?;
    let out = termdaw::theory::clash::run(
        key.as_deref(),
        scale.as_deref(),
        after.as_deref(),
        file.as_ref(),
        json,
    )?;
    print!("{out}");
    Ok(())
}
