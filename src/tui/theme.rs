//! Colour themes: RON files in `themes/` (built into the binary) or any path.
//!
//! Control thread (UI). A theme names a colour for each role the panes use;
//! a file may set only some of them, the rest come from the dark default, so
//! a user theme can be a three-line tweak (gitui does the same).

use std::path::{Path, PathBuf};

use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;

/// The themes shipped in `themes/`, built into the binary.
pub const BUILTIN: &[(&str, &str)] = &[
    ("dark", include_str!("../../themes/dark.ron")),
    ("light", include_str!("../../themes/light.ron")),
    (
        "high-contrast",
        include_str!("../../themes/high-contrast.ron"),
    ),
];

/// A colour as written in a theme file: a name (`red`, `light-blue`,
/// `dark-gray`, `reset`), a 256-colour index (`"236"`) or `#rrggbb`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ThemeColor(pub Color);

impl<'de> Deserialize<'de> for ThemeColor {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse::<Color>().map(ThemeColor).map_err(|_| {
            serde::de::Error::custom(format!(
                "\"{s}\" is not a colour (use a name like \"light-blue\", a number 0-255 or \"#rrggbb\")"
            ))
        })
    }
}

macro_rules! theme {
    ($( $(#[doc = $doc:literal])* $field:ident ),* $(,)?) => {
        /// Every colour the UI uses, by role.
        #[derive(Debug, Clone, PartialEq)]
        pub struct Theme {
            pub name: String,
            $( $(#[doc = $doc])* pub $field: Color, )*
        }

        #[derive(Deserialize)]
        #[serde(rename = "Theme", deny_unknown_fields)]
        struct ThemeFile {
            #[serde(default)]
            name: Option<String>,
            $( #[serde(default)] $field: Option<ThemeColor>, )*
        }

        impl ThemeFile {
            fn over(self, base: Theme) -> Theme {
                Theme {
                    name: self.name.unwrap_or(base.name),
                    $( $field: self.$field.map(|c| c.0).unwrap_or(base.$field), )*
                }
            }
        }

        /// The role names a theme file may set, in order (for the docs).
        pub const ROLES: &[(&str, &str)] = &[ $( (stringify!($field), concat!($($doc),*)) ),* ];
    };
}

theme! {
    /// Text.
    fg,
    /// Background of every pane (`reset` keeps the terminal's own).
    bg,
    /// Secondary text: labels, units, empty steps.
    dim,
    /// Titles and highlights.
    accent,
    /// Pane borders.
    border,
    /// The border of the pane that has the keyboard.
    border_focus,
    /// Background of the selected track row.
    selection_bg,
    /// Text of the selected track row.
    selection_fg,
    /// The play indicator.
    playing,
    /// The stop indicator.
    stopped,
    /// A muted track's M.
    mute,
    /// A soloed track's S.
    solo,
    /// An armed track's R.
    arm,
    /// Meters below -18 dBFS.
    meter_low,
    /// Meters between -18 and -6 dBFS.
    meter_mid,
    /// Meters above -6 dBFS.
    meter_high,
    /// A meter's peak-hold mark.
    meter_hold,
    /// The fader's filled part.
    fader,
    /// A step that plays.
    step_on,
    /// An accented step.
    step_accent,
    /// A ghost (quiet) step.
    step_ghost,
    /// A rest.
    step_off,
    /// The step under the playhead.
    playhead,
    /// The step cursor's background.
    cursor,
    /// Spectrum bars, low end.
    spectrum_low,
    /// Spectrum bars, high end.
    spectrum_high,
    /// Errors in the status line.
    error,
    /// Warnings and notices.
    warning,
    /// Confirmations (saved, reloaded).
    ok,
}

/// Why a theme could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ThemeError {
    #[error("no theme named \"{0}\" (built in: dark, light, high-contrast; or give a path to a .ron file)")]
    Unknown(String),
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}:{line}:{col}: {msg}")]
    Parse {
        path: String,
        line: usize,
        col: usize,
        msg: String,
    },
}

impl Theme {
    /// The default theme.
    pub fn dark() -> Theme {
        Theme::parse("dark.ron", BUILTIN[0].1, Theme::fallback())
            .unwrap_or_else(|_| Theme::fallback())
    }

    /// Plain terminal colours: what the dark theme overrides.
    fn fallback() -> Theme {
        use Color::*;
        Theme {
            name: "dark".into(),
            fg: Reset,
            bg: Reset,
            dim: DarkGray,
            accent: LightBlue,
            border: DarkGray,
            border_focus: LightBlue,
            selection_bg: Indexed(237),
            selection_fg: White,
            playing: LightGreen,
            stopped: Yellow,
            mute: LightRed,
            solo: LightYellow,
            arm: Red,
            meter_low: Green,
            meter_mid: Yellow,
            meter_high: Red,
            meter_hold: White,
            fader: Cyan,
            step_on: LightGreen,
            step_accent: LightYellow,
            step_ghost: Green,
            step_off: DarkGray,
            playhead: LightMagenta,
            cursor: Indexed(238),
            spectrum_low: Cyan,
            spectrum_high: LightMagenta,
            error: LightRed,
            warning: Yellow,
            ok: LightGreen,
        }
    }

    /// Read a theme's text; roles it does not set come from `base`.
    pub fn parse(path: &str, text: &str, base: Theme) -> Result<Theme, ThemeError> {
        let file: ThemeFile = ron::Options::default()
            .with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME)
            .from_str(text)
            .map_err(|e| ThemeError::Parse {
                path: path.to_string(),
                line: e.span.start.line,
                col: e.span.start.col,
                msg: e.code.to_string(),
            })?;
        Ok(file.over(base))
    }

    /// A theme by name (built in, or `NAME.ron` in `user_dir`) or by path.
    pub fn load(spec: &str, user_dir: Option<&Path>) -> Result<Theme, ThemeError> {
        let as_path = PathBuf::from(spec);
        let path = if spec.ends_with(".ron") || spec.contains(std::path::MAIN_SEPARATOR) {
            Some(as_path)
        } else {
            user_dir
                .map(|d| d.join(format!("{spec}.ron")))
                .filter(|p| p.exists())
        };
        if let Some(path) = path {
            let text = crate::files::read_text(&path, crate::files::MAX_CONFIG_BYTES).map_err(
                |source| ThemeError::Io {
                    path: path.display().to_string(),
                    source,
                },
            )?;
            return Theme::parse(&path.display().to_string(), &text, Theme::dark());
        }
        let (_, text) = BUILTIN
            .iter()
            .find(|(n, _)| *n == spec)
            .ok_or_else(|| ThemeError::Unknown(spec.to_string()))?;
        Theme::parse(&format!("themes/{spec}.ron"), text, Theme::dark())
    }

    pub fn base(&self) -> Style {
        Style::default().fg(self.fg).bg(self.bg)
    }

    pub fn dim(&self) -> Style {
        self.base().fg(self.dim)
    }

    pub fn title(&self) -> Style {
        self.base().fg(self.accent).add_modifier(Modifier::BOLD)
    }

    /// Colour for a level in dBFS.
    pub fn meter(&self, db: f32) -> Color {
        if db > -6.0 {
            self.meter_high
        } else if db > -18.0 {
            self.meter_mid
        } else {
            self.meter_low
        }
    }
}
