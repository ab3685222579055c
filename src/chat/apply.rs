//! Carrying out the model's tool calls on the live session.
//!
//! Control thread (the UI thread, or `termdaw ask`'s main thread): it owns
//! the [`Session`]. Every action goes through [`Session::apply`] exactly as
//! a key press does; `write_session` and `write_patch` go through the
//! hot-reload path (`patch::parse` → `session::diff` → actions), and
//! `write_patch` writes its file too (atomically, with a `.bak`, restored if
//! the reply is taken back). A batch lands on the
//! session's quantum, and every change of one reply joins one undo step, so
//! the reply undoes (or rolls back after a failure) as a whole. Each call is
//! all-or-nothing: a refused call changes nothing and its result says why.
//! It never does network I/O; mix analysis is handed back to the worker.

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::message::ToolCall;
use super::prompt;
use super::tools::{
    self, ANALYSE_MIX, PATTERN_FUNCTIONS, READ_SESSION, SHOW_PATTERN, WRITE_PATCH, WRITE_SESSION,
};
use crate::action::{Action, ActionError};
use crate::engine::When;
use crate::patch::{self, SessionFile};
use crate::session::{diff, Session};

/// Most bytes of events `show_pattern` hands the model (a dense pattern
/// over 16 cycles would be megabytes).
pub const MAX_SHOWN: usize = 16 << 10;

/// The whole lines of `text` that fit in `max` bytes, and how many were left.
fn first_lines(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_string();
    }
    let mut out = String::new();
    let mut lines = text.lines();
    for l in lines.by_ref() {
        if out.len() + l.len() + 1 > max {
            break;
        }
        out.push_str(l);
        out.push('\n');
    }
    let left = lines.count() + 1;
    out.push_str(&format!("… {left} more lines: ask for fewer cycles\n"));
    out
}

/// What a tool call came to.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Done here: the result for the model, and the changes for the pane.
    Done {
        result: String,
        is_error: bool,
        changes: Vec<String>,
    },
    /// Render and measure this session (slow: the worker does it).
    Analyse {
        file: Box<SessionFile>,
        path: Option<PathBuf>,
        bars: f64,
        /// Where to start: the first beat of the bar playing now.
        from_beat: f64,
        what: Measure,
    },
}

/// What a render is measured for.
#[derive(Debug, Clone, PartialEq)]
pub enum Measure {
    /// `analyse_mix`'s report, with the mastering check against a loudness
    /// target (LUFS) when one is given.
    Mix { target: Option<f64> },
    /// `assess`: a score for a role.
    Assess(super::assess::Job),
}

impl Outcome {
    fn ok(result: String, changes: Vec<String>) -> Self {
        Outcome::Done {
            result,
            is_error: false,
            changes,
        }
    }

    pub(super) fn err(result: String) -> Self {
        Outcome::Done {
            result,
            is_error: true,
            changes: Vec::new(),
        }
    }
}

/// Applies one reply's tool calls and keeps them one undo step.
#[derive(Debug, Default)]
pub struct Applier {
    label: String,
    /// The undo stack's length right after our last batch, when its top is ours.
    top: Option<usize>,
    /// Undo steps this reply made.
    steps: usize,
    /// The session before the reply's first change, and after its last.
    span: Option<(SessionFile, SessionFile)>,
    /// Patch files this reply wrote, as they were before it (put back when
    /// the reply is taken back).
    written: Vec<PatchBefore>,
}

/// An included patch file as it was before the reply rewrote it.
#[derive(Debug)]
struct PatchBefore {
    index: usize,
    path: PathBuf,
    text: String,
    tracks: Vec<patch::Track>,
}

impl Applier {
    /// A new reply to `prompt`: its undo step is labelled with the prompt.
    pub fn new(prompt: &str) -> Self {
        let short: String = prompt.chars().take(40).collect();
        Applier {
            label: format!("chat: {short}"),
            top: None,
            steps: 0,
            span: None,
            written: Vec::new(),
        }
    }

    /// Whether this reply changed the session.
    pub fn changed(&self) -> bool {
        self.steps > 0
    }

    /// Apply a batch of calls (one model message), in order.
    pub fn apply(
        &mut self,
        session: &mut Session,
        calls: &[ToolCall],
        live: &super::pane::LiveFn,
    ) -> Vec<Outcome> {
        let before = session.undo_len();
        let first = self
            .span
            .as_ref()
            .map(|(b, _)| b.clone())
            .unwrap_or_else(|| session.file().clone());
        let resumed = self.top == Some(before);
        if resumed {
            session.resume_group(&self.label);
        } else {
            session.begin_group(&self.label);
        }
        let saved_land = session.land;
        let when = session.when_for(session.file().quantum);
        session.land = when;
        let lands = match when {
            When::Beat(b) => {
                let bpb = session.file().time_signature.beats.max(1) as f64;
                format!(" (lands at bar {})", (b / bpb).floor() as i64 + 1)
            }
            _ => String::new(),
        };
        let out = calls
            .iter()
            .map(|c| self.call(session, c, &lands, live))
            .collect();
        session.land = saved_land;
        session.end_group();
        let after = session.undo_len();
        if after > before || (resumed && after == before) {
            if after > before {
                self.steps += 1;
            }
            self.top = Some(after);
        }
        if self.steps > 0 {
            self.span = Some((first, session.file().clone()));
        }
        out
    }

    /// Take back everything this reply did (after a failure or a cancel).
    /// Returns how many changes were taken back. When the reply's step is
    /// still on top of the undo stack it is undone; when the musician edited
    /// in between, only what the reply changed is set back (their edits stay).
    pub fn roll_back(&mut self, session: &mut Session) -> usize {
        let mut n = 0;
        if self.steps > 0 && self.top == Some(session.undo_len()) {
            while n < self.steps && session.apply(Action::Undo {}).is_ok() {
                n += 1;
            }
        } else if let Some((before, after)) = self.span.take() {
            session.begin_group("chat: taken back");
            for a in diff::diff(&after, &before) {
                if session.apply(a).is_ok() {
                    n += 1;
                }
            }
            session.end_group();
        }
        self.steps = 0;
        self.top = None;
        self.span = None;
        // The files go back too; the reloader then finds them as the
        // session already plays them again.
        for b in self.written.drain(..).rev() {
            if patch::write_atomic(&b.path, &b.text).is_ok() {
                session.wrote_patch(b.index, b.tracks);
            }
        }
        n
    }

    fn call(
        &mut self,
        session: &mut Session,
        call: &ToolCall,
        lands: &str,
        live: &super::pane::LiveFn,
    ) -> Outcome {
        match call.name.as_str() {
            READ_SESSION => Outcome::ok(prompt::summary(session), Vec::new()),
            PATTERN_FUNCTIONS => Outcome::ok(tools::pattern_functions(), Vec::new()),
            SHOW_PATTERN => {
                let o = match tools::input_object(&call.input) {
                    Ok(o) => o,
                    Err(e) => return Outcome::err(e.to_string()),
                };
                let Some(src) = o.get("pattern").and_then(Value::as_str) else {
                    return Outcome::err("show_pattern needs `pattern`, a string".into());
                };
                let cycles = o
                    .get("cycles")
                    .and_then(Value::as_i64)
                    .unwrap_or(1)
                    .clamp(1, 16);
                match crate::pattern::show::report(src, cycles, false) {
                    Ok(text) => Outcome::ok(first_lines(&text, MAX_SHOWN), Vec::new()),
                    Err(e) => Outcome::err(e),
                }
            }
            super::harmony::SUGGEST_CHORDS => match super::harmony::call(session, &call.input) {
                Ok((text, changes)) => Outcome::ok(
                    first_lines(&text, MAX_SHOWN),
                    changes.into_iter().map(|c| format!("{c}{lands}")).collect(),
                ),
                Err(e) => Outcome::err(e),
            },
            WRITE_SESSION => write_session(session, &call.input, lands),
            WRITE_PATCH => self.write_patch(session, &call.input, lands),
            ANALYSE_MIX => {
                let o = match tools::input_object(&call.input) {
                    Ok(o) => o,
                    Err(e) => return Outcome::err(e.to_string()),
                };
                let bars = o.get("bars").and_then(Value::as_f64).unwrap_or(2.0);
                let target = o.get("target").and_then(Value::as_f64);
                Outcome::Analyse {
                    file: Box::new(session.file().clone()),
                    path: session.path().map(|p| p.to_path_buf()),
                    bars: bars.clamp(1.0, 16.0),
                    from_beat: bar_start(session),
                    what: Measure::Mix {
                        target: target.map(|t| t.clamp(-70.0, 0.0)),
                    },
                }
            }
            super::assess::ASSESS => {
                super::assess::outcome(session, &call.input, bar_start(session))
            }
            super::listen::LISTEN => match live(session) {
                Some(l) => Outcome::ok(l.text(), Vec::new()),
                None => Outcome::err(
                    "nothing plays live here (termdaw ask has no engine): analyse_mix renders \
                     the session instead"
                        .into(),
                ),
            },
            name => {
                let spec = crate::action::spec(name);
                if spec.is_none_or(|s| !tools::is_tool(s)) {
                    return Outcome::err(format!(
                        "there is no tool named `{}`; use one of the tools you were given",
                        crate::quote::clip(name, crate::quote::MAX_QUOTE)
                    ));
                }
                let action = match tools::action_from_json(name, &call.input) {
                    Ok(a) => a,
                    Err(e) => return Outcome::err(format!("not applied: {e}")),
                };
                if matches!(action, Action::Undo {}) && self.steps > 0 {
                    return Outcome::err(
                        "not applied: undo would take back this reply's own changes; \
                         set the values you want instead"
                            .into(),
                    );
                }
                match session.apply(action) {
                    Ok(a) => {
                        let notices = session.take_notices();
                        let mut result = format!("applied: {}{lands}", a.description);
                        if !notices.is_empty() {
                            result += &format!("; notes: {}", notices.join("; "));
                        }
                        Outcome::ok(result, vec![format!("{}{lands}", a.description)])
                    }
                    Err(e) => Outcome::err(format!("not applied: {}", explain(session, &e))),
                }
            }
        }
    }
}

impl Applier {
    /// `write_patch`: check the text as the session with that include
    /// replaced, apply the difference (one path with hot reload), then write
    /// the file atomically and tell the reloader it is already playing.
    fn write_patch(&mut self, session: &mut Session, input: &Value, lands: &str) -> Outcome {
        let o = match tools::input_object(input) {
            Ok(o) => o,
            Err(e) => return Outcome::err(e.to_string()),
        };
        let (Some(file), Some(text)) = (
            o.get("file").and_then(Value::as_str),
            o.get("ron").and_then(Value::as_str),
        ) else {
            return Outcome::err(
                "write_patch: needs `file` (an included patch file) and `ron` (its whole text)"
                    .into(),
            );
        };
        let current = session.file().clone();
        let Some(index) = current.includes.iter().position(|i| i == file) else {
            return Outcome::err(format!(
                "not applied: `{file}` is not one of the session's included files ({}); \
                 write_session changes the session file itself",
                if current.includes.is_empty() {
                    "it includes none".to_string()
                } else {
                    current.includes.join(", ")
                }
            ));
        };
        let Some(path) = session
            .path()
            .map(|p| p.parent().unwrap_or(Path::new("")).join(file))
        else {
            return Outcome::err("not applied: this session has no file on disk".into());
        };
        let patch_file = match patch::parse_patch(file, text) {
            Ok(p) => p,
            Err(e) => {
                return Outcome::err(format!(
                    "not applied, nothing changed: {}\nFix the RON and call write_patch again.",
                    e.report()
                ))
            }
        };
        let next = patch::with_patch(&current, index, &patch_file.tracks);
        if let Err((_, _, msg)) = next
            .validate()
            .and_then(|_| crate::session::automation::check(&next))
            .and_then(|_| crate::session::check_macros(&next))
        {
            return Outcome::err(format!("not applied, nothing changed: {msg}"));
        }
        let old_text = match crate::files::read_text(&path, patch::MAX_FILE_BYTES) {
            Ok(t) => t,
            Err(e) => return Outcome::err(format!("not applied: cannot read {file}: {e}")),
        };
        if let Err(e) = patch::save_patch(&path, &patch_file.tracks, &Default::default()) {
            return Outcome::err(format!("not applied: cannot write {file}: {e}"));
        }
        if !self.written.iter().any(|b| b.index == index) {
            self.written.push(PatchBefore {
                index,
                path,
                text: old_text,
                tracks: current
                    .tracks
                    .iter()
                    .filter(|t| t.origin == Some(index))
                    .cloned()
                    .collect(),
            });
        }
        let outcome = apply_file_change(
            session,
            &current,
            &next,
            lands,
            &format!("wrote {file} (the previous version is {file}.bak); "),
        );
        session.wrote_patch(index, patch_file.tracks);
        outcome
    }
}

/// Apply what differs between `current` and `next` (the hot-reload path:
/// only what differs becomes actions; not `Session::apply_file_change`,
/// which treats the file as already saved). The result starts with `said`.
fn apply_file_change(
    session: &mut Session,
    current: &SessionFile,
    next: &SessionFile,
    lands: &str,
    said: &str,
) -> Outcome {
    let (mut changes, mut errors) = (Vec::new(), Vec::new());
    for a in diff::diff(current, next) {
        match session.apply(a) {
            Ok(d) => changes.push(format!("{}{lands}", d.description)),
            Err(e) => errors.push(e.to_string()),
        }
    }
    let mut result = format!(
        "{said}applied {} change(s): {}",
        changes.len(),
        changes.join("; ")
    );
    if !errors.is_empty() {
        result += &format!("; not applied: {}", errors.join("; "));
    }
    Outcome::Done {
        result,
        is_error: !errors.is_empty(),
        changes,
    }
}

/// An action error, with what the model needs to fix the call.
fn explain(session: &Session, e: &ActionError) -> String {
    match e {
        ActionError::NoTrack(_) => {
            let names: Vec<&str> = session
                .file()
                .tracks
                .iter()
                .map(|t| t.name.as_str())
                .collect();
            format!(
                "{e}; the tracks are: {}",
                if names.is_empty() {
                    "none".to_string()
                } else {
                    names.join(", ")
                }
            )
        }
        _ => e.to_string(),
    }
}

fn write_session(session: &mut Session, input: &Value, lands: &str) -> Outcome {
    let text =
        match tools::input_object(input) {
            Ok(o) => match o.get("ron").and_then(Value::as_str) {
                Some(t) => t,
                None => return Outcome::err(
                    "write_session: missing argument `ron` (the whole session file as RON text)"
                        .into(),
                ),
            },
            Err(e) => return Outcome::err(e.to_string()),
        };
    let name = session
        .path()
        .and_then(|p| p.file_name())
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| "session.ron".into());
    let mut next = match patch::parse(&name, text) {
        Ok(f) => f,
        Err(e) => {
            return Outcome::err(format!(
            "not applied, the session is unchanged: {}\nFix the RON and call write_session again.",
            e.report()
        ))
        }
    };
    let current = session.file().clone();
    // Tracks from included patch files stay unless the new text defines them.
    if next.includes == current.includes {
        for t in current.tracks.iter().filter(|t| t.origin.is_some()) {
            if next.track(t.name.as_str()).is_none() {
                next.tracks.push(t.clone());
            }
        }
    }
    if let Err((_, _, msg)) = next
        .validate()
        .and_then(|_| crate::session::automation::check(&next))
        .and_then(|_| crate::session::check_macros(&next))
    {
        return Outcome::err(format!("not applied, the session is unchanged: {msg}"));
    }
    if next == current {
        return Outcome::ok(
            "no change: the session already is this file".into(),
            Vec::new(),
        );
    }
    apply_file_change(session, &current, &next, lands, "")
}

/// The first beat of the bar the live engine plays now (0 offline).
fn bar_start(session: &Session) -> f64 {
    let per_bar = session.file().time_signature.beats.max(1) as f64;
    let beat = session
        .engine()
        .map(|e| e.counters.position().0)
        .filter(|b| b.is_finite() && *b > 0.0)
        .unwrap_or(0.0);
    (beat / per_bar).floor() * per_bar
}
