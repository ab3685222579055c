//! The command line of the musician's assistant: `tone`, `assess` and
//! `preset` (their flags, and which library function each calls).
//!
//! Control (main) thread, at the edge: errors are anyhow's, printed once by
//! main. What the commands do lives in the library (`process::tone`,
//! `analysis::assess`, `preset`).

use std::path::PathBuf;

use clap::{Args, Subcommand};

use termdaw::analysis::assess::{self, Context, Role};
use termdaw::audio::device;
use termdaw::audio::render::{self, Length};
use termdaw::patch::{Key, Scale, TimeSignature};
use termdaw::preset::{self, phrase::Setting};

use super::{load, parse_rate};

#[derive(Args)]
pub struct ToneArgs {
    /// Frequencies in Hz or notes (440, A4, C#3, Bb2); several are mixed.
    pitches: Vec<String>,
    /// sine, triangle, saw, square (band-limited), noise or pink.
    #[arg(long, default_value = "sine", value_parser = termdaw::process::tone::Wave::NAMES)]
    wave: String,
    /// Length in seconds (at most 600).
    #[arg(long, default_value_t = 3.0)]
    seconds: f64,
    /// A logarithmic sine sweep FROM:TO in Hz, e.g. 20:20000.
    #[arg(long, value_name = "FROM:TO")]
    sweep: Option<String>,
    /// Peak level of the whole in dBFS (several tones share it).
    #[arg(long, default_value_t = -12.0, allow_hyphen_values = true)]
    level: f64,
    /// Sample rate of the written file: 44100, 48000 or 96000 (playing
    /// uses the device's).
    #[arg(long, default_value_t = 48000, value_parser = parse_rate)]
    rate: u32,
    #[command(flatten)]
    out: Output,
}

/// Where a made sound goes: a WAV file, or the device.
#[derive(Args)]
pub struct Output {
    /// Write a WAV file instead of playing.
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// Write 32-bit float samples instead of 24-bit integers.
    #[arg(long)]
    float: bool,
    /// Output device to play on (as `termdaw devices` lists them).
    #[arg(long)]
    device: Option<String>,
}

pub fn tone_cmd(t: ToneArgs) -> anyhow::Result<()> {
    use termdaw::process::tone::{self, Tone, Wave};
    let freqs = t
        .pitches
        .iter()
        .map(|p| tone::pitch(p))
        .collect::<Result<Vec<_>, _>>()?;
    let sweep = match &t.sweep {
        None => None,
        Some(s) => {
            let (a, b) = s
                .split_once(':')
                .ok_or_else(|| anyhow::anyhow!("--sweep takes FROM:TO in Hz, e.g. 20:20000"))?;
            Some((tone::pitch(a)?, tone::pitch(b)?))
        }
    };
    let mut spec = Tone {
        freqs,
        wave: Wave::parse(&t.wave).unwrap_or_default(),
        seconds: t.seconds,
        sweep,
        level_db: t.level,
        rate: t.rate,
    };
    if let Some(out) = &t.out.output {
        termdaw::files::check(out, &[])?;
        let mono = tone::generate(&spec)?;
        let b = termdaw::process::ops::Buffer {
            left: mono.clone(),
            right: mono,
            rate: spec.rate as f32,
        };
        termdaw::process::write_wav(out, &b, t.out.float)?;
        println!(
            "wrote {} ({} s at {} Hz)",
            out.display(),
            spec.seconds,
            spec.rate
        );
        return Ok(());
    }
    // Checked before the device is opened, so a wrong tone says so at once.
    tone::check(&spec)?;
    let opts = device::DeviceOptions {
        device: t.out.device,
        rate: None,
        buffer: None,
    };
    match device::probe(&opts) {
        Ok(p) => {
            spec.rate = p.rate;
            let mono = tone::generate(&spec)?;
            println!("playing on {} ({} Hz)", p.name, p.rate);
            termdaw::audio::play::play_mono(&p, mono)?;
        }
        Err(e) => println!("no sound: {e}; nothing played (-o FILE writes the tone to a file)"),
    }
    Ok(())
}
#[derive(Args)]
pub struct AssessArgs {
    /// A .wav (or FLAC, Ogg, MP3) file, or a .ron session to render and assess.
    input: PathBuf,
    /// What the sound is for: pad, bass, lead, drum or fx.
    #[arg(long, value_parser = Role::parse)]
    role: Role,
    /// Tempo in BPM: drums are checked against its grid (a session: its own).
    #[arg(long, value_parser = termdaw::units::tempo)]
    tempo: Option<f64>,
    /// The key's tonic, e.g. A or F#: tonal roles are checked against it
    /// (a session: its own).
    #[arg(long)]
    key: Option<String>,
    /// The scale: major, minor, dorian, … (default minor with --key; a
    /// session: its own).
    #[arg(long)]
    scale: Option<String>,
    /// Integrated loudness target, LUFS.
    #[arg(long, allow_hyphen_values = true, value_parser = termdaw::units::lufs, default_value_t = assess::DEFAULT_TARGET_LUFS)]
    target_lufs: f64,
    /// True peak over this is a violation, dBTP.
    #[arg(long, allow_hyphen_values = true, value_parser = termdaw::units::dbtp, default_value_t = assess::DEFAULT_TRUE_PEAK_LIMIT)]
    true_peak_limit: f64,
    /// Bars of a session to render (default 8).
    #[arg(long, value_parser = termdaw::units::bars)]
    bars: Option<f64>,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(Subcommand)]
pub enum PresetCommand {
    /// List the presets, by role.
    List {
        /// Only this role: pad, bass, lead, drum or fx.
        #[arg(long, value_parser = Role::parse)]
        role: Option<Role>,
    },
    /// Render a preset playing a phrase that fits its role, in a tempo,
    /// key, scale and time signature; play it (or write it with -o) and
    /// assess it against its loudness target.
    Render(PresetRenderArgs),
}

#[derive(Args)]
pub struct PresetRenderArgs {
    /// The preset's name (`termdaw preset list`).
    name: String,
    #[arg(long, default_value_t = 120.0, value_parser = termdaw::units::tempo)]
    tempo: f64,
    /// The key's tonic, e.g. A, F#, Bb.
    #[arg(long, default_value = "C")]
    key: String,
    /// The scale: major, minor, dorian, mixolydian, harmonic-minor, …
    #[arg(long, default_value = "minor")]
    scale: String,
    /// Beats per bar and the beat's note value, e.g. 3/4.
    #[arg(long, default_value = "4/4", value_parser = time_signature)]
    time_signature: TimeSignature,
    /// Length in seconds (default: the phrase, four bars).
    #[arg(long, value_parser = termdaw::units::render_seconds)]
    seconds: Option<f64>,
    /// Print the assessment as JSON.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    out: Output,
}

fn time_signature(s: &str) -> Result<TimeSignature, String> {
    let bad = || {
        format!("a time signature is BEATS/UNIT, e.g. 3/4 (beats 1-32; unit 1, 2, 4, 8, 16 or 32), got {s}")
    };
    let (b, u) = s.split_once('/').ok_or_else(bad)?;
    let (beats, unit) = (
        b.trim().parse::<i64>().map_err(|_| bad())?,
        u.trim().parse::<i64>().map_err(|_| bad())?,
    );
    TimeSignature::checked(beats, unit).map_err(|e| format!("{e} (in {s})"))
}

fn key_and_scale(key: &str, scale: &str) -> anyhow::Result<(Key, Scale)> {
    let k = Key::parse(key)?;
    let s = termdaw::theory::clash::parse_scale(scale).ok_or_else(|| {
        anyhow::anyhow!("unknown scale `{scale}`; expected major, minor, dorian, phrygian, lydian, mixolydian, locrian, harmonic-minor, melodic-minor, major-pentatonic, minor-pentatonic, blues or chromatic")
    })?;
    Ok((k, s))
}

pub fn assess_cmd(a: AssessArgs) -> anyhow::Result<()> {
    let mut ctx = Context {
        tempo: a.tempo,
        target_lufs: a.target_lufs,
        true_peak_limit: a.true_peak_limit,
        ..Context::default()
    };
    if let Some(k) = &a.key {
        ctx.key = Some(key_and_scale(k, a.scale.as_deref().unwrap_or("minor"))?);
    }
    let (l, r, rate) = if a.input.extension().is_some_and(|e| e == "ron") {
        let file = load(&a.input)?;
        ctx.tempo = ctx.tempo.or(Some(file.tempo));
        if ctx.key.is_none() {
            let scale = match &a.scale {
                Some(s) => key_and_scale("C", s)?.1,
                None => file.scale,
            };
            ctx.key = Some((file.key, scale));
        }
        let length = Length::Bars(a.bars.unwrap_or(8.0));
        let (l, r) = render::render_buffers(file, Some(&a.input), length, 48000)?;
        (l, r, 48000.0)
    } else {
        if !a.input.is_file() {
            anyhow::bail!("{}: no such audio file", a.input.display());
        }
        let d = termdaw::sample::load_audio(&a.input)?;
        (d.left, d.right, d.rate)
    };
    let result = assess::assess(&l, &r, rate, a.role, &ctx);
    if a.json {
        println!("{}", serde_json::to_string_pretty(&result.json())?);
    } else {
        print!("{}", result.text());
    }
    Ok(())
}

pub fn preset_cmd(c: PresetCommand) -> anyhow::Result<()> {
    match c {
        PresetCommand::List { role } => {
            print!("{}", preset::list_text(role));
            Ok(())
        }
        PresetCommand::Render(a) => preset_render(a),
    }
}

fn preset_render(a: PresetRenderArgs) -> anyhow::Result<()> {
    let p = preset::find(&a.name).map_err(anyhow::Error::msg)?;
    let (key, scale) = key_and_scale(&a.key, &a.scale)?;
    let setting = Setting {
        tempo: a.tempo,
        key,
        scale,
        time_signature: a.time_signature,
    };
    let play = match &a.out.output {
        Some(out) => {
            termdaw::files::check(out, &[])?;
            None
        }
        None => match device::probe(&device::DeviceOptions {
            device: a.out.device.clone(),
            rate: None,
            buffer: None,
        }) {
            Ok(p) => Some(p),
            Err(e) => {
                println!("no sound: {e}; nothing played (-o FILE writes the render to a file)");
                None
            }
        },
    };
    let rate = play.as_ref().map_or(48000, |p| p.rate);
    let (left, right) = preset::render::render(p, &setting, a.seconds, rate)?;
    let b = termdaw::process::ops::Buffer {
        left,
        right,
        rate: rate as f32,
    };
    let (l, r) = (&b.left, &b.right);
    let result = preset::render::assess(p, &setting, l, r, rate);
    if let Some(out) = &a.out.output {
        termdaw::process::write_wav(out, &b, a.out.float)?;
        println!(
            "wrote {} ({:.2} s at {rate} Hz)",
            out.display(),
            l.len() as f64 / rate as f64
        );
    }
    if a.json {
        println!("{}", serde_json::to_string_pretty(&result.json())?);
    } else {
        print!("{}", result.text());
    }
    if let Some(dev) = &play {
        println!("playing on {} ({} Hz)", dev.name, dev.rate);
        termdaw::audio::play::play_stereo(dev, l, r)?;
    }
    Ok(())
}
