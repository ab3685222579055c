//! Commands: what a key does, their table (names, arguments, docs) and
//! how a binding's text is read.
//!
//! Control thread (UI), pure data. Most commands stand for an action of
//! the table; their docs come from it, so the help overlay cannot drift.

use std::fmt;

use super::KeyError;
use crate::action::{self, ActionError, ArgType, Call};

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
    /// The arrangement in place of the step sequencer, or back.
    Arrange,
    /// The next automation lane in the arrangement.
    LaneNext,
    /// The preset this many places on in the library, on the selected track.
    PresetStep(i32),
    /// Launch the n-th section of the file (from 1).
    Launch(i32),
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
    Arrange = "arrange", arg: None, action: None, "Show the arrangement (sections on the song's timeline, markers, loop, an automation lane) in place of the step sequencer, or go back.";
    LaneNext = "lane_next", arg: None, action: None, "Show the next automation lane in the arrangement (the lane of a value you move is shown by itself).";
    PresetStep(i32) = "preset_step", arg: Some("presets"), action: Some("load_preset"), "Put the next (or previous) preset of the library on the selected track, in the order `termdaw preset list` gives: its instrument, effects and level.";
    Launch(i32) = "launch", arg: Some("section number"), action: Some("launch_section"), "Launch a section on the next bar, by its place in the file's list of sections (1 is the first).";
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
            Command::StepNote(n) | Command::Launch(n) | Command::PresetStep(n) => Some(*n as f64),
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

    /// How the help lists the command bound to `keys`: the key names, its
    /// name and what it does; the number keys' launches as one `launch N`.
    pub fn heading(&self, keys: &[super::Key]) -> (Vec<String>, String, String) {
        let names: Vec<String> = keys.iter().map(|k| k.to_string()).collect();
        match (self, self.spec(), names.first(), names.last()) {
            (Command::Launch(_), Some(spec), Some(a), Some(b)) if keys.len() > 1 => (
                vec![format!("{a}–{b}")],
                "launch N".into(),
                format!("{} The key is the number.", spec.doc),
            ),
            _ => (names, self.to_string(), self.doc()),
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
