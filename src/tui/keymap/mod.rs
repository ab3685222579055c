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

mod command;
mod key;

use std::collections::BTreeMap;

use crossterm::event::KeyCode;

pub use command::{Command, CommandSpec, COMMANDS};
pub use key::Key;

use crate::action::ActionError;

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
            (k('P'), PresetStep(1)),
            (Key::ctrl('p'), PresetStep(-1)),
            (k('A'), Arrange),
            (k('a'), LaneNext),
            (k('n'), bound("next_marker")),
            (k('N'), bound("prev_marker")),
            (k('o'), bound("loop_section")),
            (k('p'), bound("play_song")),
            (k('R'), bound("toggle_record")),
            (k('w'), bound("looper press")),
            (k('W'), bound("looper undo")),
        ];
        let launches = (1..=9).filter_map(|n| {
            let c = char::from_digit(n as u32, 10)?;
            Some((k(c), Launch(n)))
        });
        let bindings = bindings.into_iter().chain(launches).collect();
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
            // The number keys' launches read as one row.
            let same = |c: &Command| {
                c == cmd || matches!((c, cmd), (Command::Launch(_), Command::Launch(_)))
            };
            match out.iter_mut().find(|(c, _)| same(c)) {
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
            let (keys, name, doc) = cmd.heading(&keys);
            let keys: Vec<String> = keys
                .iter()
                .map(|k| format!("`{}`", k.replace('|', "\\|")))
                .collect();
            s.push_str(&format!("| {} | `{name}` | {doc} |\n", keys.join(" ")));
        }
        s
    }
}

/// A default key's action of the table, taking no arguments.
fn bound(name: &str) -> Command {
    Command::parse(name).unwrap_or(Command::Help)
}

impl Default for Keymap {
    fn default() -> Self {
        Keymap::defaults()
    }
}
