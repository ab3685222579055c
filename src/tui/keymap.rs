//! Keys → commands → Actions.
//!
//! Control thread (UI), pure data. A [`Keymap`] maps a [`Key`] to a
//! [`Command`]; most commands are an [`Action`] from the action table with
//! the selected track filled in (`m` → `toggle_mute <track>`), a few build an
//! Action from the view's context (a step toggle rewrites the pattern, tap
//! tempo sets the tempo), and the rest only move the view (select, focus,
//! help, quit). The help overlay and docs/keys.md are generated from
//! [`Keymap::defaults`] and [`COMMANDS`], and action docs come from
//! [`crate::action::ACTIONS`], so none of them can drift.
//!
//! A RON file in the config directory (`keys.ron`) is merged over the
//! defaults: `{"ctrl-p": "toggle_play", "q": "none"}` binds ctrl-p and unbinds q.
//! A key can also run any action of the table with fixed arguments
//! (`"f1": "set_swing 0.2"`, helix's typable commands); where the action
//! takes a track and the binding leaves it out, the selected track is used.

use std::collections::BTreeMap;
use std::fmt;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::action::{self, ActionError, ArgType, Call};

/// Why a key name, a binding or a keymap file cannot be used.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum KeyError {
    #[error("\"{0}\" is not a key (try \"x\", \"ctrl-s\", \"space\", \"up\", \"f5\")")]
    NotAKey(String),
    #[error("\"{0}\": a command takes at most one argument")]
    TooManyArguments(String),
    #[error("unknown command \"{0}\"")]
    UnknownCommand(String),
    #[error("{name} needs a number ({unit})")]
    NeedsNumber {
        name: &'static str,
        unit: &'static str,
    },
    #[error("{name}: \"{got}\" is not a number")]
    NotANumber { name: &'static str, got: String },
    #[error("{0} takes no argument")]
    TakesNoArgument(&'static str),
    #[error(transparent)]
    Action(#[from] ActionError),
    #[error("{path}:{line}:{column}: {message}")]
    File {
        path: String,
        line: usize,
        column: usize,
        message: String,
    },
}

/// A key with its modifiers, normalised so that `X` and `shift-x` are the same key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

impl Key {
    pub fn new(code: KeyCode, mods: KeyModifiers) -> Key {
        let mut mods = mods & (KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SHIFT);
        let code = match code {
            // The character already says whether shift was held.
            KeyCode::Char(c) => {
                mods.remove(KeyModifiers::SHIFT);
                if mods.contains(KeyModifiers::CONTROL) {
                    KeyCode::Char(c.to_ascii_lowercase())
                } else {
                    KeyCode::Char(c)
                }
            }
            KeyCode::BackTab => {
                mods.remove(KeyModifiers::SHIFT);
                KeyCode::BackTab
            }
            c => c,
        };
        Key { code, mods }
    }

    pub fn char(c: char) -> Key {
        Key::new(KeyCode::Char(c), KeyModifiers::NONE)
    }

    pub fn ctrl(c: char) -> Key {
        Key::new(KeyCode::Char(c), KeyModifiers::CONTROL)
    }

    pub fn code(code: KeyCode) -> Key {
        Key::new(code, KeyModifiers::NONE)
    }

    /// Parse `x`, `X`, `ctrl-s`, `alt-left`, `shift-up`, `space`, `f5`...
    pub fn parse(s: &str) -> Result<Key, KeyError> {
        let mut mods = KeyModifiers::NONE;
        let mut rest = s;
        loop {
            let lower = rest.to_ascii_lowercase();
            let (m, len) = if lower.starts_with("ctrl-") {
                (KeyModifiers::CONTROL, 5)
            } else if lower.starts_with("alt-") {
                (KeyModifiers::ALT, 4)
            } else if lower.starts_with("shift-") {
                (KeyModifiers::SHIFT, 6)
            } else {
                break;
            };
            if rest.len() == len {
                break;
            }
            mods |= m;
            rest = &rest[len..];
        }
        let code = match rest.to_ascii_lowercase().as_str() {
            "space" => KeyCode::Char(' '),
            "enter" | "return" => KeyCode::Enter,
            "esc" | "escape" => KeyCode::Esc,
            "tab" => KeyCode::Tab,
            "backtab" => KeyCode::BackTab,
            "backspace" => KeyCode::Backspace,
            "delete" | "del" => KeyCode::Delete,
            "insert" => KeyCode::Insert,
            "up" => KeyCode::Up,
            "down" => KeyCode::Down,
            "left" => KeyCode::Left,
            "right" => KeyCode::Right,
            "home" => KeyCode::Home,
            "end" => KeyCode::End,
            "pageup" => KeyCode::PageUp,
            "pagedown" => KeyCode::PageDown,
            "minus" => KeyCode::Char('-'),
            "plus" => KeyCode::Char('+'),
            f if f.len() >= 2 && f.starts_with('f') && f[1..].parse::<u8>().is_ok() => {
                KeyCode::F(f[1..].parse().unwrap_or(1))
            }
            _ => {
                let mut chars = rest.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) => {
                        if mods.contains(KeyModifiers::SHIFT) && c.is_ascii_alphabetic() {
                            mods.remove(KeyModifiers::SHIFT);
                            KeyCode::Char(c.to_ascii_uppercase())
                        } else {
                            KeyCode::Char(c)
                        }
                    }
                    _ => return Err(KeyError::NotAKey(s.to_string())),
                }
            }
        };
        Ok(Key::new(code, mods))
    }
}

impl From<KeyEvent> for Key {
    fn from(e: KeyEvent) -> Key {
        Key::new(e.code, e.modifiers)
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.mods.contains(KeyModifiers::CONTROL) {
            f.write_str("ctrl-")?;
        }
        if self.mods.contains(KeyModifiers::ALT) {
            f.write_str("alt-")?;
        }
        if self.mods.contains(KeyModifiers::SHIFT) {
            f.write_str("shift-")?;
        }
        match self.code {
            KeyCode::Char(' ') => f.write_str("space"),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::Enter => f.write_str("enter"),
            KeyCode::Esc => f.write_str("esc"),
            KeyCode::Tab => f.write_str("tab"),
            KeyCode::BackTab => f.write_str("backtab"),
            KeyCode::Backspace => f.write_str("backspace"),
            KeyCode::Delete => f.write_str("delete"),
            KeyCode::Insert => f.write_str("insert"),
            KeyCode::Up => f.write_str("up"),
            KeyCode::Down => f.write_str("down"),
            KeyCode::Left => f.write_str("left"),
            KeyCode::Right => f.write_str("right"),
            KeyCode::Home => f.write_str("home"),
            KeyCode::End => f.write_str("end"),
            KeyCode::PageUp => f.write_str("pageup"),
            KeyCode::PageDown => f.write_str("pagedown"),
            KeyCode::F(n) => write!(f, "f{n}"),
            other => write!(f, "{other:?}"),
        }
    }
}

/// What a key does.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    TogglePlay,
    Stop,
    /// Locate to the start.
    Rewind,
    NudgeTempo(f64),
    TapTempo,
    TrackPrev,
    TrackNext,
    ToggleMute,
    ToggleSolo,
    ToggleArm,
    NudgeVolume(f64),
    NudgePan(f64),
    /// The selected track's send to the chosen bus.
    NudgeSend(f64),
    /// Choose the next bus for the send keys.
    SendNext,
    StepPrev,
    StepNext,
    StepToggle,
    StepVelocity,
    StepNote(i32),
    Undo,
    Redo,
    Save,
    Quit,
    Help,
    FocusNext,
    FocusPrev,
    Chat,
    MidiLearn,
    MidiMap,
    /// Any action of the table with its arguments fixed; an open track
    /// argument is the selected track.
    Action(Call),
}

/// A command's numeric argument as its variant holds it.
trait CommandArg {
    fn from_number(x: f64) -> Self;
}

impl CommandArg for f64 {
    fn from_number(x: f64) -> f64 {
        x
    }
}

impl CommandArg for i32 {
    fn from_number(x: f64) -> i32 {
        x.round() as i32
    }
}

/// One command as the help overlay and docs describe it.
#[derive(Debug, Clone, Copy)]
pub struct CommandSpec {
    pub name: &'static str,
    /// The argument it takes, if any (a number).
    pub arg: Option<&'static str>,
    /// The Action it makes (its doc is the table's), if any.
    pub action: Option<&'static str>,
    /// What it does, for commands that are not a plain Action.
    pub doc: &'static str,
}

macro_rules! commands {
    ($( $variant:ident $(($ty:ty))? = $name:literal, arg: $arg:expr, action: $action:expr, $doc:literal; )*) => {
        /// Every command, in the order the help overlay lists them.
        pub const COMMANDS: &[CommandSpec] = &[
            $( CommandSpec { name: $name, arg: $arg, action: $action, doc: $doc } ),*
        ];

        impl Command {
            /// The command's name (the first word in a keymap file).
            pub fn name(&self) -> &'static str {
                match self {
                    $( commands!(@pat $variant $(($ty))?) => $name, )*
                    Command::Action(call) => call.spec.name,
                }
            }

            /// The command named `name` with its numeric argument `arg`
            /// (already checked to be there when the command takes one).
            fn build(name: &str, arg: Option<f64>) -> Option<Command> {
                match name {
                    $( $name => Some(commands!(@build $variant arg $(($ty))?)), )*
                    _ => None,
                }
            }
        }
    };
    (@pat $variant:ident ($ty:ty)) => { Command::$variant(_) };
    (@pat $variant:ident) => { Command::$variant };
    (@build $variant:ident $arg:ident ($ty:ty)) => {
        Command::$variant(<$ty as CommandArg>::from_number($arg.unwrap_or_default()))
    };
    (@build $variant:ident $arg:ident) => { Command::$variant };
}

commands! {
    TogglePlay = "toggle_play", arg: None, action: Some("toggle_play"), "";
    Stop = "stop", arg: None, action: Some("stop"), "";
    Rewind = "rewind", arg: None, action: Some("locate"), "Move the playhead to the start (locate 0).";
    NudgeTempo(f64) = "nudge_tempo", arg: Some("BPM"), action: Some("nudge_tempo"), "";
    TapTempo = "tap_tempo", arg: None, action: Some("set_tempo"), "Tap the beat: the tempo follows your last taps.";
    TrackPrev = "track_prev", arg: None, action: None, "Select the track above.";
    TrackNext = "track_next", arg: None, action: None, "Select the track below.";
    ToggleMute = "toggle_mute", arg: None, action: Some("toggle_mute"), "";
    ToggleSolo = "toggle_solo", arg: None, action: Some("toggle_solo"), "";
    ToggleArm = "arm", arg: None, action: None, "Arm the selected track for live input (shown as R).";
    NudgeVolume(f64) = "nudge_volume", arg: Some("dB"), action: Some("nudge_volume"), "";
    NudgePan(f64) = "nudge_pan", arg: Some("pan"), action: Some("set_pan"), "Move the selected track's pan (-1 left … 1 right).";
    NudgeSend(f64) = "nudge_send", arg: Some("dB"), action: Some("set_send"), "Turn the selected track's send to the chosen bus up or down (from off: -30 dB).";
    SendNext = "send_next", arg: None, action: None, "Choose the bus the send keys edit (bold on the mixer's sends line).";
    StepPrev = "step_prev", arg: None, action: None, "Move the step cursor left.";
    StepNext = "step_next", arg: None, action: None, "Move the step cursor right.";
    StepToggle = "step_toggle", arg: None, action: Some("set_pattern"), "Turn the step under the cursor on or off.";
    StepVelocity = "step_velocity", arg: None, action: Some("set_pattern"), "Cycle the step's velocity: normal, accent, ghost.";
    StepNote(i32) = "step_note", arg: Some("semitones"), action: Some("set_pattern"), "Change the note at the cursor (Notes patterns).";
    Undo = "undo", arg: None, action: Some("undo"), "";
    Redo = "redo", arg: None, action: Some("redo"), "";
    Save = "save", arg: None, action: None, "Save the session file (atomic; the previous version is kept as .bak).";
    Quit = "quit", arg: None, action: None, "Quit (asks first when there are unsaved changes).";
    Help = "help", arg: None, action: None, "Show or hide this list of keys.";
    FocusNext = "focus_next", arg: None, action: None, "Give the keyboard to the next pane.";
    FocusPrev = "focus_prev", arg: None, action: None, "Give the keyboard to the previous pane.";
    Chat = "chat", arg: None, action: None, "Type in the chat input line (esc leaves it).";
    MidiLearn = "midi_learn", arg: None, action: Some("set_midi"), "MIDI learn: move a controller, then pick what it moves on the selected track.";
    MidiMap = "midi_map", arg: None, action: Some("set_midi"), "List the MIDI controller mappings (d deletes one).";
}

impl Command {
    /// The command's table entry; None for a bound action.
    pub fn spec(&self) -> Option<&'static CommandSpec> {
        let name = self.name();
        match self {
            Command::Action(_) => None,
            _ => COMMANDS.iter().find(|c| c.name == name),
        }
    }

    /// The command's numeric argument, if it takes one.
    pub fn arg(&self) -> Option<f64> {
        match self {
            Command::NudgeTempo(x)
            | Command::NudgeVolume(x)
            | Command::NudgePan(x)
            | Command::NudgeSend(x) => Some(*x),
            Command::StepNote(n) => Some(*n as f64),
            _ => None,
        }
    }

    /// What the command does: the action table's doc for a plain Action.
    pub fn doc(&self) -> String {
        let Some(spec) = self.spec() else {
            return match self {
                Command::Action(call) if call.open.is_some() => {
                    format!("{} (on the selected track)", call.spec.doc.trim())
                }
                Command::Action(call) => call.spec.doc.trim().to_string(),
                _ => String::new(),
            };
        };
        let base = match (spec.doc, spec.action.and_then(action::spec)) {
            ("", Some(a)) => a.doc.trim().to_string(),
            (d, _) => d.to_string(),
        };
        match self.arg() {
            Some(x) => format!("{base} ({:+} {})", x, spec.arg.unwrap_or("")),
            None => base,
        }
    }

    /// Parse `toggle_mute`, `nudge_volume -1.5`, or any action with its
    /// arguments: `set_effect_param master 0 mix 0.5`, `set_mute true`
    /// (the selected track filled in).
    pub fn parse(s: &str) -> Result<Command, KeyError> {
        let s = s.trim();
        let (name, rest) = s.split_once(char::is_whitespace).unwrap_or((s, ""));
        let rest = rest.trim();
        let Some(spec) = COMMANDS.iter().find(|c| c.name == name) else {
            return match action::spec(name) {
                Some(_) => Ok(Command::Action(bound_action(name, rest)?)),
                None => Err(KeyError::UnknownCommand(name.to_string())),
            };
        };
        if rest.split_whitespace().count() > 1 {
            return Err(KeyError::TooManyArguments(s.to_string()));
        }
        let arg = match (spec.arg, rest) {
            (None, "") => None,
            (None, _) => return Err(KeyError::TakesNoArgument(spec.name)),
            (Some(unit), "") => {
                return Err(KeyError::NeedsNumber {
                    name: spec.name,
                    unit,
                })
            }
            (Some(_), a) => Some(a.parse::<f64>().ok().filter(|x| x.is_finite()).ok_or_else(
                || KeyError::NotANumber {
                    name: spec.name,
                    got: a.to_string(),
                },
            )?),
        };
        Command::build(spec.name, arg).ok_or_else(|| KeyError::UnknownCommand(name.to_string()))
    }
}

/// An action bound with the arguments written after its name. The words
/// are first read as every argument; if they do not fit and the action
/// takes a track, they are read again with the track left open (filled
/// with the selected track when the key is pressed).
fn bound_action(name: &str, rest: &str) -> Result<Call, ActionError> {
    let spec = action::spec(name).ok_or_else(|| ActionError::Unknown(name.to_string()))?;
    let whole = Call::new(name, action::words(rest, spec.args.len()), None);
    let track = spec.args.iter().position(|a| a.ty == ArgType::TrackName);
    match (whole, track) {
        (Ok(c), _) => Ok(c),
        (Err(e), None) => Err(e),
        (Err(e), Some(i)) => {
            match Call::new(name, action::words(rest, spec.args.len() - 1), Some(i)) {
                Ok(c) => Ok(c),
                // Too few words: the musician most likely left the track out.
                Err(open) if matches!(e, ActionError::ArgCount { .. }) => Err(open),
                Err(_) => Err(e),
            }
        }
    }
}

impl fmt::Display for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self, self.arg()) {
            (Command::Action(call), _) => write!(f, "{call}"),
            (_, Some(x)) => write!(f, "{} {}", self.name(), x),
            (_, None) => f.write_str(self.name()),
        }
    }
}

/// Key bindings, in a stable order.
#[derive(Debug, Clone, PartialEq)]
pub struct Keymap {
    bindings: Vec<(Key, Command)>,
}

impl Keymap {
    /// The default bindings (documented in docs/keys.md).
    pub fn defaults() -> Keymap {
        use Command::*;
        let k = Key::char;
        let c = Key::code;
        let bindings = vec![
            (k(' '), TogglePlay),
            (k('.'), Stop),
            (c(KeyCode::Home), Rewind),
            (k('}'), NudgeTempo(1.0)),
            (k('{'), NudgeTempo(-1.0)),
            (k('t'), TapTempo),
            (c(KeyCode::Up), TrackPrev),
            (k('k'), TrackPrev),
            (c(KeyCode::Down), TrackNext),
            (k('j'), TrackNext),
            (k('m'), ToggleMute),
            (k('s'), ToggleSolo),
            (k('r'), ToggleArm),
            (k('+'), NudgeVolume(1.0)),
            (k('='), NudgeVolume(1.0)),
            (k('-'), NudgeVolume(-1.0)),
            (k('>'), NudgePan(0.1)),
            (k('<'), NudgePan(-0.1)),
            (k(')'), NudgeSend(1.0)),
            (k('('), NudgeSend(-1.0)),
            (k('b'), SendNext),
            (c(KeyCode::Left), StepPrev),
            (k('h'), StepPrev),
            (c(KeyCode::Right), StepNext),
            (k('l'), StepNext),
            (k('x'), StepToggle),
            (c(KeyCode::Enter), StepToggle),
            (k('v'), StepVelocity),
            (k(']'), StepNote(1)),
            (k('['), StepNote(-1)),
            (k('u'), Undo),
            (Key::ctrl('z'), Undo),
            (k('U'), Redo),
            (Key::ctrl('y'), Redo),
            (Key::ctrl('s'), Save),
            (k('q'), Quit),
            (Key::ctrl('c'), Quit),
            (k('?'), Help),
            (c(KeyCode::Tab), FocusNext),
            (c(KeyCode::BackTab), FocusPrev),
            (k('/'), Chat),
            (k('L'), MidiLearn),
            (k('M'), MidiMap),
        ];
        Keymap { bindings }
    }

    /// The command bound to `key`.
    pub fn get(&self, key: Key) -> Option<&Command> {
        self.bindings
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, c)| c)
    }

    pub fn bindings(&self) -> &[(Key, Command)] {
        &self.bindings
    }

    /// Every key bound to each command, in command order, for the help overlay.
    pub fn by_command(&self) -> Vec<(Command, Vec<Key>)> {
        let mut out: Vec<(Command, Vec<Key>)> = Vec::new();
        for (key, cmd) in &self.bindings {
            match out.iter_mut().find(|(c, _)| c == cmd) {
                Some((_, keys)) => keys.push(*key),
                None => out.push((cmd.clone(), vec![*key])),
            }
        }
        let order = |c: &Command| {
            COMMANDS
                .iter()
                .position(|s| s.name == c.name())
                .unwrap_or(usize::MAX)
        };
        out.sort_by_key(|(c, _)| order(c));
        out
    }

    /// Bind `key` to `command` (None unbinds it).
    pub fn bind(&mut self, key: Key, command: Option<Command>) {
        match (self.bindings.iter().position(|(k, _)| *k == key), command) {
            (Some(i), Some(c)) => self.bindings[i].1 = c,
            (Some(i), None) => {
                self.bindings.remove(i);
            }
            (None, Some(c)) => self.bindings.push((key, c)),
            (None, None) => {}
        }
    }

    /// Merge a keymap file (`{"key": "command", "key": "none"}`) over these
    /// bindings. Returns one message per entry that could not be used.
    pub fn merge_ron(&mut self, path: &str, text: &str) -> Result<Vec<String>, KeyError> {
        let map: BTreeMap<String, String> = ron::from_str(text).map_err(|e| KeyError::File {
            path: path.to_string(),
            line: e.span.start.line,
            column: e.span.start.col,
            message: e.code.to_string(),
        })?;
        let mut problems = Vec::new();
        for (k, v) in map {
            let key = match Key::parse(&k) {
                Ok(key) => key,
                Err(e) => {
                    problems.push(format!("{path}: {e}"));
                    continue;
                }
            };
            if v.trim() == "none" {
                self.bind(key, None);
                continue;
            }
            match Command::parse(&v) {
                Ok(c) => self.bind(key, Some(c)),
                Err(e) => problems.push(format!("{path}: key \"{k}\": {e}")),
            }
        }
        Ok(problems)
    }

    /// The docs/keys.md table of these bindings.
    pub fn markdown(&self) -> String {
        let mut s = String::from("| keys | command | what it does |\n| --- | --- | --- |\n");
        for (cmd, keys) in self.by_command() {
            let keys: Vec<String> = keys
                .iter()
                .map(|k| format!("`{}`", k.to_string().replace('|', "\\|")))
                .collect();
            s.push_str(&format!(
                "| {} | `{}` | {} |\n",
                keys.join(" "),
                cmd,
                cmd.doc()
            ));
        }
        s
    }
}

impl Default for Keymap {
    fn default() -> Self {
        Keymap::defaults()
    }
}
