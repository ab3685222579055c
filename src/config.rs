//! The user's configuration and how it meets the command line: `config.ron`
//! and `midi.ron` in the config directory (`~/.config/termdaw/` on Linux),
//! both optional, and [`resolve`], the one place where a flag beats the
//! file and the file beats the default.
//!
//! Control thread, read once at start-up. Not TUI-specific: `termdaw ask`
//! and the headless player read it too (the TUI's own `keys.ron` is in
//! `tui::config`). A broken file is reported and its defaults used, so a
//! typo never keeps the music from starting. [`resolve`] is pure: it never
//! reads the environment or a file itself.

use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::audio::device::DeviceOptions;
use crate::chat::config::ConfigError as ChatConfigError;
use crate::chat::{ChatConfig, ChatSettings};
use crate::live::OscOptions;
use crate::midi::Wanted;

/// `config.ron`. Every field is optional.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename = "Config", default, deny_unknown_fields)]
pub struct Config {
    /// Theme name (dark, light, high-contrast, or NAME.ron in the config
    /// dir's `themes/`) or a path to a theme file.
    pub theme: Option<String>,
    /// Output device, by name (substring) or index from `termdaw devices`.
    pub device: Option<String>,
    /// Sample rate in Hz.
    pub rate: Option<u32>,
    /// Buffer size in frames (64-2048).
    pub buffer: Option<u32>,
    /// MIDI inputs to open: "all", "virtual", "none", or a device name
    /// (substring) or index from `termdaw devices`.
    pub midi: Option<String>,
    /// UDP port of the OSC server (default 7770).
    pub osc_port: Option<u16>,
    /// Whether the OSC server runs (default true).
    pub osc: Option<bool>,
    /// The chat's provider, base URL and model (docs/chat.md). Keys come
    /// from the environment only.
    pub chat: Option<ChatSettings>,
    /// Join an Ableton Link session (a build with the `link` feature).
    pub link: Option<bool>,
    /// In a Link session, share play and stop too.
    pub link_start_stop: Option<bool>,
}

/// A config file that cannot be used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ConfigFileError {
    #[error("{path}:{line}:{column}: {message}")]
    Syntax {
        path: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{path}: buffer must be between 64 and 2048 frames, found {found}")]
    Buffer { path: String, found: u32 },
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
}

impl ConfigFileError {
    fn syntax(path: &str, e: ron::error::SpannedError) -> Self {
        ConfigFileError::Syntax {
            path: path.to_string(),
            line: e.span.start.line,
            column: e.span.start.col,
            message: e.code.to_string(),
        }
    }
}

/// termdaw's config directory, if the platform has one.
pub fn dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "termdaw").map(|d| d.config_dir().to_path_buf())
}

fn ron_options() -> ron::Options {
    ron::Options::default().with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME)
}

impl Config {
    /// Parse a config file's text.
    pub fn parse(path: &str, text: &str) -> Result<Config, ConfigFileError> {
        let c: Config = ron_options()
            .from_str(text)
            .map_err(|e| ConfigFileError::syntax(path, e))?;
        if let Some(r) = c.rate {
            crate::units::device_rate(&r.to_string()).map_err(|message| {
                ConfigFileError::Invalid {
                    path: path.to_string(),
                    message,
                }
            })?;
        }
        if let Some(b) = c.buffer {
            if !(64..=2048).contains(&b) {
                return Err(ConfigFileError::Buffer {
                    path: path.to_string(),
                    found: b,
                });
            }
        }
        Ok(c)
    }

    /// Read `config.ron` from `dir` (a missing file is the defaults).
    pub fn load(dir: Option<&Path>) -> (Config, Vec<String>) {
        let Some(path) = dir.map(|d| d.join("config.ron")) else {
            return (Config::default(), Vec::new());
        };
        match crate::files::read_text(&path, crate::files::MAX_CONFIG_BYTES) {
            Ok(text) => match Config::parse(&path.display().to_string(), &text) {
                Ok(c) => (c, Vec::new()),
                Err(e) => (Config::default(), vec![format!("{e} (using the defaults)")]),
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => (Config::default(), Vec::new()),
            Err(e) => (Config::default(), vec![format!("{}: {e}", path.display())]),
        }
    }
}

/// `midi.ron` from `dir`: controller mappings and channel routes used in
/// every session (a session's own mappings win), written like a session's
/// `midi:` field: `Midi(cc: [Cc(cc: 7, target: MasterVolume)])`.
pub fn load_midi(dir: Option<&Path>) -> (Option<crate::patch::MidiSettings>, Vec<String>) {
    let Some(path) = dir.map(|d| d.join("midi.ron")) else {
        return (None, Vec::new());
    };
    let text = match crate::files::read_text(&path, crate::files::MAX_CONFIG_BYTES) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return (None, Vec::new()),
        Err(e) => return (None, vec![format!("{}: {e}", path.display())]),
    };
    let shown = path.display().to_string();
    let parsed = ron_options()
        .from_str(&text)
        .map_err(|e| ConfigFileError::syntax(&shown, e))
        .and_then(|m: crate::patch::MidiSettings| {
            m.check().map(|_| m).map_err(|e| ConfigFileError::Invalid {
                path: shown.clone(),
                message: e.to_string(),
            })
        });
    match parsed {
        Ok(m) => (Some(m), Vec::new()),
        Err(e) => (None, vec![format!("{e} (no global MIDI mappings)")]),
    }
}

/// What the command line asked for; `None` (or `false`) leaves a field to
/// the config file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Flags {
    pub theme: Option<String>,
    pub device: Option<String>,
    pub rate: Option<u32>,
    pub buffer: Option<u32>,
    pub midi: Option<String>,
    pub osc_port: Option<u16>,
    pub osc_bind: Option<IpAddr>,
    /// Allow an OSC bind address beyond loopback (a flag only: the file
    /// cannot open the session to the network).
    pub osc_any: bool,
    pub no_osc: bool,
    pub provider: Option<String>,
    pub base_url: Option<String>,
    pub model: Option<String>,
    /// Record a take into this folder from the start.
    pub record: Option<std::path::PathBuf>,
    /// Takes in 32-bit float instead of 24-bit.
    pub record_float: bool,
    /// Takes hold one WAV per track too.
    pub stems: bool,
    /// Where the `record` action puts its take folders.
    pub takes: Option<std::path::PathBuf>,
    /// Audio input device (name part or index), or `none`.
    pub input: Option<String>,
    /// MIDI output for clock and the transport (name part or index).
    pub midi_out: Option<String>,
    /// Join an Ableton Link session.
    pub link: bool,
    /// Share play and stop with it.
    pub link_start_stop: bool,
    /// Gate the input of takes (`--gate`), already parsed.
    pub gate: Option<crate::capture::gate::GateConfig>,
}

/// Everything a running termdaw is configured with, resolved.
#[derive(Debug, Clone)]
pub struct Settings {
    /// A theme name or path (default `dark`).
    pub theme: String,
    /// Device, rate and buffer; `None` leaves them to the device.
    pub device: DeviceOptions,
    pub midi: Wanted,
    pub osc: OscOptions,
    /// The chat's model, or why the chat is off (it never keeps the music
    /// from starting).
    pub chat: Result<ChatConfig, ChatConfigError>,
    pub record: RecordOptions,
    /// The audio input to open: `None` the default one, `Some("none")` none.
    pub input: Option<String>,
    /// The MIDI output clock and the transport go to, if any.
    pub midi_out: Option<String>,
    /// The Ableton Link session to join, if any.
    pub link: Option<crate::link::LinkOptions>,
}

/// How takes are recorded.
#[derive(Debug, Clone, Default)]
pub struct RecordOptions {
    /// Record into this folder from the start (`--record`).
    pub dir: Option<std::path::PathBuf>,
    pub format: crate::audio::wav::WavFormat,
    pub stems: bool,
    /// Where the `record` action puts its take folders (default: `takes`
    /// in the data directory).
    pub takes: Option<std::path::PathBuf>,
    pub gate: Option<crate::capture::gate::GateConfig>,
}

/// Flags over the config file over the defaults, field by field. `env`
/// reads an environment variable (the chat's keys and base URLs come from
/// there; tests pass their own).
pub fn resolve(flags: &Flags, file: &Config, env: impl Fn(&str) -> Option<String>) -> Settings {
    let midi = match flags.midi.as_deref().or(file.midi.as_deref()) {
        None | Some("none") => Wanted::None,
        Some("all") => Wanted::All,
        Some("virtual") => Wanted::Virtual,
        Some(name) => Wanted::Named(name.to_string()),
    };
    let record = RecordOptions {
        dir: flags.record.clone(),
        format: if flags.record_float {
            crate::audio::wav::WavFormat::Float32
        } else {
            crate::audio::wav::WavFormat::Int24
        },
        stems: flags.stems,
        takes: flags.takes.clone(),
        gate: flags.gate,
    };
    Settings {
        record,
        input: flags.input.clone(),
        midi_out: flags.midi_out.clone().filter(|m| m != "none"),
        link: (flags.link || flags.link_start_stop || file.link == Some(true)).then(|| {
            crate::link::LinkOptions {
                start_stop: flags.link_start_stop || file.link_start_stop == Some(true),
            }
        }),
        theme: flags
            .theme
            .clone()
            .or(file.theme.clone())
            .unwrap_or_else(|| "dark".into()),
        device: DeviceOptions {
            device: flags.device.clone().or(file.device.clone()),
            rate: flags.rate.or(file.rate),
            buffer: flags.buffer.or(file.buffer),
        },
        midi,
        osc: OscOptions {
            enabled: !flags.no_osc && file.osc != Some(false),
            bind: SocketAddr::new(
                flags.osc_bind.unwrap_or([127, 0, 0, 1].into()),
                flags
                    .osc_port
                    .or(file.osc_port)
                    .unwrap_or(crate::osc::DEFAULT_PORT),
            ),
            any: flags.osc_any,
        },
        chat: ChatConfig::resolve(
            &file.chat.clone().unwrap_or_default(),
            flags.provider.as_deref(),
            flags.base_url.as_deref(),
            flags.model.as_deref(),
            env,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_env(_: &str) -> Option<String> {
        None
    }

    fn file() -> Config {
        Config::parse(
            "config.ron",
            r#"Config(theme: "light", device: "pulse", rate: 44100, buffer: 512,
                midi: "virtual", osc_port: 9000, osc: true, link: true, link_start_stop: true,
                chat: (provider: "openai", base_url: "http://file/v1", model: "file-model"))"#,
        )
        .unwrap()
    }

    fn flags() -> Flags {
        Flags {
            theme: Some("high-contrast".into()),
            device: Some("hw:1".into()),
            rate: Some(96000),
            buffer: Some(128),
            midi: Some("Launchkey".into()),
            osc_port: Some(9100),
            osc_bind: Some([0, 0, 0, 0].into()),
            osc_any: true,
            no_osc: false,
            provider: Some("anthropic".into()),
            base_url: Some("http://flag".into()),
            model: Some("flag-model".into()),
            ..Flags::default()
        }
    }

    #[test]
    fn with_neither_every_field_is_the_default() {
        let s = resolve(&Flags::default(), &Config::default(), no_env);
        assert_eq!(s.theme, "dark");
        assert_eq!(s.device.device, None);
        assert_eq!(s.device.rate, None);
        assert_eq!(s.device.buffer, None);
        assert_eq!(s.midi, Wanted::None);
        assert!(s.osc.enabled);
        assert_eq!(
            s.osc.bind,
            SocketAddr::from(([127, 0, 0, 1], crate::osc::DEFAULT_PORT))
        );
        assert!(!s.osc.any);
        assert_eq!(s.link, None);
        let chat = s.chat.unwrap();
        assert_eq!(chat.provider, crate::chat::ProviderKind::Anthropic);
        assert_eq!(chat.model, crate::chat::config::DEFAULT_CLAUDE_MODEL);
        let link = Flags {
            link: true,
            ..Flags::default()
        };
        let s = resolve(&link, &Config::default(), no_env);
        assert_eq!(s.link, Some(crate::link::LinkOptions { start_stop: false }));
    }

    #[test]
    fn the_file_beats_the_default_in_every_field() {
        let s = resolve(&Flags::default(), &file(), no_env);
        assert_eq!(s.theme, "light");
        assert_eq!(s.device.device.as_deref(), Some("pulse"));
        assert_eq!(s.device.rate, Some(44100));
        assert_eq!(s.device.buffer, Some(512));
        assert_eq!(s.midi, Wanted::Virtual);
        assert_eq!(s.osc.bind.port(), 9000);
        assert!(s.osc.enabled);
        assert_eq!(s.link, Some(crate::link::LinkOptions { start_stop: true }));
        let chat = s.chat.unwrap();
        assert_eq!(chat.provider, crate::chat::ProviderKind::OpenAi);
        assert_eq!(chat.base_url, "http://file/v1");
        assert_eq!(chat.model, "file-model");
        let off = Config {
            osc: Some(false),
            ..file()
        };
        assert!(!resolve(&Flags::default(), &off, no_env).osc.enabled);
    }

    #[test]
    fn a_flag_beats_the_file_in_every_field() {
        let s = resolve(&flags(), &file(), no_env);
        assert_eq!(s.theme, "high-contrast");
        assert_eq!(s.device.device.as_deref(), Some("hw:1"));
        assert_eq!(s.device.rate, Some(96000));
        assert_eq!(s.device.buffer, Some(128));
        assert_eq!(s.midi, Wanted::Named("Launchkey".into()));
        assert_eq!(s.osc.bind, SocketAddr::from(([0, 0, 0, 0], 9100)));
        assert!(s.osc.any);
        let chat = s.chat.unwrap();
        assert_eq!(chat.provider, crate::chat::ProviderKind::Anthropic);
        assert_eq!(chat.base_url, "http://flag");
        assert_eq!(chat.model, "flag-model");
        let no_osc = Flags {
            no_osc: true,
            ..flags()
        };
        assert!(!resolve(&no_osc, &file(), no_env).osc.enabled);
        let none = Flags {
            midi: Some("none".into()),
            ..flags()
        };
        assert_eq!(resolve(&none, &file(), no_env).midi, Wanted::None);
        let all = Flags {
            midi: Some("all".into()),
            ..Flags::default()
        };
        assert_eq!(resolve(&all, &Config::default(), no_env).midi, Wanted::All);
    }

    #[test]
    fn a_bad_chat_provider_turns_the_chat_off_and_nothing_else() {
        let bad = Flags {
            provider: Some("parrot".into()),
            ..Flags::default()
        };
        let s = resolve(&bad, &file(), no_env);
        assert!(s.chat.unwrap_err().to_string().contains("parrot"));
        assert_eq!(s.device.rate, Some(44100));
    }

    #[test]
    fn a_broken_file_names_its_line_and_a_bad_buffer_is_refused() {
        let e = Config::parse("config.ron", "Config(colour: 1)").unwrap_err();
        assert!(e.to_string().starts_with("config.ron:1:"), "{e}");
        let e = Config::parse("config.ron", "Config(buffer: 32)").unwrap_err();
        assert_eq!(
            e.to_string(),
            "config.ron: buffer must be between 64 and 2048 frames, found 32"
        );
    }
}
