//! The user's configuration: `config.ron` and `keys.ron` in the config
//! directory (`~/.config/termdaw/` on Linux), both optional.
//!
//! Control thread, read once at start-up. Command-line flags override the
//! config file. A broken file is reported and its defaults used, so a typo
//! never keeps the music from starting.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::keymap::Keymap;

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
    pub chat: Option<crate::chat::ChatSettings>,
}

/// termdaw's config directory, if the platform has one.
pub fn dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "termdaw").map(|d| d.config_dir().to_path_buf())
}

impl Config {
    /// Parse a config file's text.
    pub fn parse(path: &str, text: &str) -> Result<Config, String> {
        let c: Config = ron::Options::default()
            .with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME)
            .from_str(text)
            .map_err(|e| {
                format!(
                    "{path}:{}:{}: {}",
                    e.span.start.line, e.span.start.col, e.code
                )
            })?;
        if let Some(b) = c.buffer {
            if !(64..=2048).contains(&b) {
                return Err(format!(
                    "{path}: buffer must be between 64 and 2048 frames, found {b}"
                ));
            }
        }
        Ok(c)
    }

    /// Read `config.ron` from `dir` (a missing file is the defaults).
    pub fn load(dir: Option<&Path>) -> (Config, Vec<String>) {
        let Some(path) = dir.map(|d| d.join("config.ron")) else {
            return (Config::default(), Vec::new());
        };
        match std::fs::read_to_string(&path) {
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
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return (None, Vec::new()),
        Err(e) => return (None, vec![format!("{}: {e}", path.display())]),
    };
    let parsed: Result<crate::patch::MidiSettings, String> = ron::Options::default()
        .with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME)
        .from_str(&text)
        .map_err(|e| {
            format!(
                "{}:{}:{}: {}",
                path.display(),
                e.span.start.line,
                e.span.start.col,
                e.code
            )
        })
        .and_then(|m: crate::patch::MidiSettings| {
            m.check()
                .map(|_| m)
                .map_err(|e| format!("{}: {e}", path.display()))
        });
    match parsed {
        Ok(m) => (Some(m), Vec::new()),
        Err(e) => (None, vec![format!("{e} (no global MIDI mappings)")]),
    }
}

/// The default keys with `keys.ron` from `dir` merged over them.
pub fn load_keymap(dir: Option<&Path>) -> (Keymap, Vec<String>) {
    let mut keys = Keymap::defaults();
    let Some(path) = dir.map(|d| d.join("keys.ron")) else {
        return (keys, Vec::new());
    };
    match std::fs::read_to_string(&path) {
        Ok(text) => match keys.merge_ron(&path.display().to_string(), &text) {
            Ok(problems) => (keys, problems),
            Err(e) => (
                Keymap::defaults(),
                vec![format!("{e} (using the default keys)")],
            ),
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => (keys, Vec::new()),
        Err(e) => (keys, vec![format!("{}: {e}", path.display())]),
    }
}
