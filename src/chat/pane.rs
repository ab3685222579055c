//! The chat as the UI sees it: the transcript, what the model is doing, the
//! request in flight, and slash commands.
//!
//! Control thread (the UI thread, or `termdaw ask`'s main thread). [`Chat`]
//! starts a worker per prompt and, in [`Chat::poll`] (called by the UI loop,
//! never blocking), shows the streamed text, applies the tool calls through
//! `apply.rs` and sends the results back. Esc ([`Chat::cancel`]) stops the
//! request and takes back whatever the reply had changed, so nothing is left
//! half-applied; so does any failure. Slash commands need no model and map
//! to the same actions. Drawing is `tui/view.rs`'s job, not this module's.

use std::sync::mpsc::{channel, Receiver, Sender, TryRecvError};
use std::sync::Arc;

use super::apply::{Applier, Outcome};
use super::config::ChatConfig;
use super::error::ChatError;
use super::history::History;
use super::provider::{Cancel, Delta};
use super::tools::{self, ToolDef};
use super::worker::{self, ToUi};
use super::{prompt, Message};
use crate::action::{self, Action, ActionSpec, Alias, ArgValue, ACTIONS};
use crate::session::Session;

/// Kinds of transcript lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    /// What the musician typed.
    User,
    /// What the model said.
    Assistant,
    /// A change that landed, e.g. `bass.cutoff 800 Hz → 2000 Hz`.
    Change,
    /// A refused call or a failure.
    Error,
    /// termdaw's own notes (help, cancelled, provider).
    Info,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub kind: EntryKind,
    pub text: String,
}

/// What the chat is doing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum State {
    Idle,
    /// Waiting for the model.
    Thinking,
    /// The model is writing.
    Writing,
    /// The model is calling a tool.
    Calling(String),
    /// Rendering for analyse_mix.
    Analysing,
}

/// What happened in one [`Chat::poll`], for a caller that prints as it goes.
#[derive(Debug, Clone, PartialEq)]
pub enum Update {
    Text(String),
    Calling(String),
    Change(String),
    Refused(String),
    /// Something the musician should know about the reply (it was cut off).
    Notice(String),
    Done,
    Failed(String),
}

struct InFlight {
    rx: Receiver<ToUi>,
    results: Sender<Vec<Outcome>>,
    cancel: Arc<Cancel>,
    applier: Applier,
    /// The transcript entry the streamed text goes to.
    text_entry: Option<usize>,
}

pub struct Chat {
    cfg: ChatConfig,
    stable: Arc<String>,
    tools: Arc<Vec<ToolDef>>,
    history: History,
    entries: Vec<Entry>,
    state: State,
    job: Option<InFlight>,
    /// Lines scrolled up from the bottom of the transcript.
    pub scroll: usize,
    /// The live state sent with the next prompt's context.
    live_context: Option<String>,
}

/// What the engine sounds like now, asked of the UI when `listen` is called.
pub type LiveFn<'a> = dyn Fn(&Session) -> Option<super::listen::Live> + 'a;

impl Chat {
    pub fn new(cfg: ChatConfig, history: History) -> Self {
        let mut c = Chat {
            cfg,
            stable: Arc::new(prompt::stable()),
            tools: Arc::new(tools::tools()),
            history,
            entries: Vec::new(),
            state: State::Idle,
            job: None,
            scroll: 0,
            live_context: None,
        };
        let resumed = c
            .history
            .messages()
            .iter()
            .filter(|m| m.is_prompt())
            .count();
        if resumed > 0 {
            c.info(format!(
                "resumed the conversation ({resumed} earlier prompt(s)); /clear starts afresh"
            ));
        }
        if let Some(m) = c.cfg.missing_key() {
            c.push(EntryKind::Error, m);
        }
        c
    }

    /// The live state (tempo, bar, what plays, levels) the next prompt's
    /// context carries.
    pub fn set_live_context(&mut self, live: Option<String>) {
        self.live_context = live;
    }

    /// A chat with nothing configured (Anthropic, no key): it explains how
    /// to set one up. The program replaces it with the configured one.
    pub fn unconfigured() -> Self {
        Chat::new(
            ChatConfig::new(
                super::ProviderKind::Anthropic,
                super::config::DEFAULT_ANTHROPIC_URL,
                None,
            ),
            History::in_memory(),
        )
    }

    pub fn config(&self) -> &ChatConfig {
        &self.cfg
    }

    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    pub fn history(&self) -> &History {
        &self.history
    }

    pub fn state(&self) -> &State {
        &self.state
    }

    pub fn is_busy(&self) -> bool {
        self.job.is_some()
    }

    /// One line for the pane's title: the model and what it is doing.
    pub fn status_line(&self) -> String {
        match &self.state {
            State::Idle => self.cfg.short(),
            State::Thinking => "thinking… (esc cancels)".into(),
            State::Writing => "writing… (esc cancels)".into(),
            State::Calling(t) => format!("calling {t}… (esc cancels)"),
            State::Analysing => "analysing the mix… (esc cancels)".into(),
        }
    }

    fn push(&mut self, kind: EntryKind, text: impl Into<String>) {
        self.entries.push(Entry {
            kind,
            text: text.into(),
        });
        self.scroll = 0;
    }

    fn info(&mut self, text: impl Into<String>) {
        self.push(EntryKind::Info, text);
    }

    /// What the musician typed: a slash command, or a prompt for the model.
    pub fn submit(&mut self, input: &str, session: &mut Session) {
        let input = input.trim();
        if input.is_empty() {
            return;
        }
        if let Some(cmd) = input.strip_prefix('/') {
            self.push(EntryKind::User, input);
            self.slash(cmd, session);
        } else {
            self.send(input, session);
        }
    }

    /// Send a prompt to the model.
    pub fn send(&mut self, prompt: &str, session: &Session) {
        if self.job.is_some() {
            self.push(
                EntryKind::Error,
                "still answering the last prompt (esc cancels it)",
            );
            return;
        }
        self.push(EntryKind::User, prompt);
        if let Some(m) = self.cfg.missing_key() {
            self.push(EntryKind::Error, m);
            return;
        }
        let (tx, rx) = channel();
        let (rtx, rrx) = channel();
        let cancel = Arc::new(Cancel::default());
        let job = worker::Job {
            cfg: self.cfg.clone(),
            stable: self.stable.clone(),
            context: match &self.live_context {
                Some(l) => format!("{}\n{l}", prompt::context(session)),
                None => prompt::context(session),
            },
            tools: self.tools.clone(),
            past: self.history.context().to_vec(),
            prompt: prompt.to_string(),
        };
        match worker::spawn(job, tx, rrx, cancel.clone()) {
            Ok(_) => {
                self.job = Some(InFlight {
                    rx,
                    results: rtx,
                    cancel,
                    applier: Applier::new(prompt),
                    text_entry: None,
                });
                self.state = State::Thinking;
            }
            Err(e) => self.push(EntryKind::Error, format!("cannot start the chat: {e}")),
        }
    }

    /// Stop the request in flight and take back what its reply changed.
    pub fn cancel(&mut self, session: &mut Session) -> bool {
        let Some(mut job) = self.job.take() else {
            return false;
        };
        job.cancel.cancel();
        let n = job.applier.roll_back(session);
        self.state = State::Idle;
        self.info(if n > 0 {
            "cancelled: this reply's changes were taken back".to_string()
        } else {
            "cancelled: nothing was changed".to_string()
        });
        true
    }

    /// Take in what the worker sent; apply tool calls. Never blocks. No
    /// engine is heard live (`listen` says so).
    pub fn poll(&mut self, session: &mut Session) -> Vec<Update> {
        self.poll_live(session, &|_| None)
    }

    /// [`Chat::poll`] where `live` tells what the engine sounds like now
    /// (asked only when the model calls `listen`).
    pub fn poll_live(&mut self, session: &mut Session, live: &LiveFn) -> Vec<Update> {
        let mut out = Vec::new();
        while let Some(job) = self.job.as_mut() {
            let msg = match job.rx.try_recv() {
                Ok(m) => m,
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => ToUi::Failed(ChatError::Dropped(
                    "the chat worker stopped unexpectedly".into(),
                )),
            };
            match msg {
                ToUi::Delta(Delta::Text(t)) => {
                    self.state = State::Writing;
                    let job = self.job.as_mut().expect("checked above");
                    match job.text_entry {
                        Some(i) => self.entries[i].text.push_str(&t),
                        None => {
                            job.text_entry = Some(self.entries.len());
                            self.entries.push(Entry {
                                kind: EntryKind::Assistant,
                                text: t.clone(),
                            });
                        }
                    }
                    self.scroll = 0;
                    out.push(Update::Text(t));
                }
                ToUi::Delta(Delta::ToolStart(name)) => {
                    self.state = State::Calling(name.clone());
                    out.push(Update::Calling(name));
                }
                ToUi::Analysing => self.state = State::Analysing,
                ToUi::Calls(calls) => {
                    let job = self.job.as_mut().expect("checked above");
                    job.text_entry = None;
                    let outcomes = job.applier.apply(session, &calls, live);
                    let send = job.results.send(outcomes.clone());
                    for (call, o) in calls.iter().zip(&outcomes) {
                        if let Outcome::Done {
                            result,
                            is_error,
                            changes,
                        } = o
                        {
                            if *is_error {
                                let first = result.lines().next().unwrap_or("").to_string();
                                self.push(EntryKind::Error, format!("{}: {first}", call.name));
                                out.push(Update::Refused(format!("{}: {result}", call.name)));
                            }
                            for c in changes {
                                self.push(EntryKind::Change, c.clone());
                                out.push(Update::Change(c.clone()));
                            }
                        }
                    }
                    self.state = State::Thinking;
                    if send.is_err() {
                        self.fail(ChatError::Cancelled, session, &mut out);
                    }
                }
                ToUi::CutOff { max_tokens } => {
                    let m = cut_off_message(max_tokens);
                    self.push(EntryKind::Error, m.clone());
                    out.push(Update::Notice(m));
                }
                ToUi::Finished(turn) => {
                    self.finish(turn, session);
                    out.push(Update::Done);
                }
                ToUi::Failed(e) => self.fail(e, session, &mut out),
            }
        }
        out
    }

    fn finish(&mut self, turn: Vec<Message>, session: &mut Session) {
        let job = self.job.take();
        self.state = State::Idle;
        if let Err(e) = self.history.push_turn(&turn) {
            self.push(
                EntryKind::Error,
                format!("could not save the chat history: {e}"),
            );
        }
        let _ = session;
        if let Some(j) = job {
            if j.applier.changed() {
                self.info("the whole reply undoes as one step: /undo");
            }
        }
    }

    fn fail(&mut self, e: ChatError, session: &mut Session, out: &mut Vec<Update>) {
        let Some(mut job) = self.job.take() else {
            return;
        };
        let n = job.applier.roll_back(session);
        self.state = State::Idle;
        let mut msg = e.to_string();
        if n > 0 {
            msg += " — this reply's changes were taken back";
        } else {
            msg += " — nothing was changed";
        }
        self.push(EntryKind::Error, msg.clone());
        out.push(Update::Failed(msg));
    }

    /// A slash command: `/tempo 128`, `/mute bass`, `/undo`, `/help`,
    /// `/clear`, or any action by its table name with its arguments.
    fn slash(&mut self, cmd: &str, session: &mut Session) {
        let (name, rest) = cmd.split_once(char::is_whitespace).unwrap_or((cmd, ""));
        let rest = rest.trim();
        match name {
            "help" | "?" => {
                self.info(help());
                return;
            }
            "clear" => {
                if self.job.is_some() {
                    self.cancel(session);
                }
                self.entries.clear();
                let r = self.history.clear();
                self.info(match r {
                    Ok(()) => "a fresh conversation".to_string(),
                    Err(e) => format!("could not clear the history file: {e}"),
                });
                return;
            }
            "model" => {
                let d = self.cfg.describe();
                self.info(d);
                return;
            }
            _ => {}
        }
        let built = match slash_alias(cmd) {
            Some((spec, alias, rest)) => {
                let fixed: Vec<(&str, ArgValue)> = alias
                    .fixed
                    .iter()
                    .map(|(n, v)| (*n, ArgValue::Text(v.to_string())))
                    .collect();
                let open = spec.args.len().saturating_sub(fixed.len());
                action::bind_named(spec, &fixed, action::words(rest, open))
                    .and_then(|args| Action::from_args(spec.name, &args))
            }
            None => match action::spec(name) {
                Some(s) => Action::from_args(s.name, &action::words(rest, s.args.len())),
                None => {
                    self.push(
                        EntryKind::Error,
                        format!("unknown command /{name}: /help lists them"),
                    );
                    return;
                }
            },
        };
        match built.and_then(|a| session.apply(a)) {
            Ok(a) => self.push(EntryKind::Change, a.description),
            Err(e) => self.push(EntryKind::Error, e.to_string()),
        }
    }
}

impl Drop for Chat {
    /// Quitting with a reply in flight stops its worker.
    fn drop(&mut self) {
        if let Some(job) = &self.job {
            job.cancel.cancel();
        }
    }
}

/// The table's slash alias that `cmd` starts with (the longest phrase
/// wins, so `/undo change` is not `/undo`), and the rest of the line.
fn slash_alias(cmd: &str) -> Option<(&'static ActionSpec, &'static Alias, &str)> {
    let mut best: Option<(&'static ActionSpec, &'static Alias, &str)> = None;
    for spec in ACTIONS {
        for alias in spec.slash {
            let mut rest = cmd;
            let fits = alias.phrase.split_whitespace().all(|w| {
                let (first, r) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
                rest = r.trim_start();
                first == w
            });
            if fits && best.is_none_or(|(_, b, _)| alias.phrase.len() > b.phrase.len()) {
                best = Some((spec, alias, rest.trim()));
            }
        }
    }
    best
}

/// One row of the slash commands: the names that make the same action
/// with the same fixed arguments (`/tempo 128`, `/bpm`).
struct SlashCommand {
    names: Vec<String>,
    spec: &'static ActionSpec,
    fixed: &'static [(&'static str, &'static str)],
}

/// The table's slash commands, in table order.
fn slash_commands() -> Vec<SlashCommand> {
    let mut out: Vec<SlashCommand> = Vec::new();
    for spec in ACTIONS {
        for a in spec.slash {
            let usage = if a.example.is_empty() {
                format!("/{}", a.phrase)
            } else {
                format!("/{} {}", a.phrase, a.example)
            };
            match out.last_mut() {
                Some(c) if c.spec.name == spec.name && c.fixed == a.fixed => {
                    c.names.push(format!("/{}", a.phrase))
                }
                _ => out.push(SlashCommand {
                    names: vec![usage],
                    spec,
                    fixed: a.fixed,
                }),
            }
        }
    }
    out
}

/// The slash command table of docs/chat.md.
pub fn slash_markdown() -> String {
    let mut s = String::from("| command | action | what it does |\n| --- | --- | --- |\n");
    for SlashCommand { names, spec, fixed } in slash_commands() {
        let names: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
        let with: Vec<String> = fixed.iter().map(|(n, v)| format!("{n} {v}")).collect();
        let with = if with.is_empty() {
            String::new()
        } else {
            format!(" with {}", with.join(", "))
        };
        s += &format!(
            "| {} | `{}`{with} | {} |\n",
            names.join(", "),
            spec.name,
            spec.doc.trim()
        );
    }
    s
}

/// The `/help` text; the slash commands come from the action table.
fn help() -> String {
    let items: Vec<String> = slash_commands()
        .into_iter()
        .map(|c| match c.names.split_first() {
            Some((first, [])) => first.clone(),
            Some((first, rest)) => format!("{first} (or {})", rest.join(", ")),
            None => String::new(),
        })
        .collect();
    format!(
        "Type what you want and press enter: the model changes the session with tools and \
         each change is listed here. alt+enter: new line · pgup/pgdn: scroll · esc: cancel a \
         reply (or leave the chat). Commands that need no model: {} · /clear (forget the \
         conversation) · /model · and any action by name, e.g. /set_param bass cutoff 2000 \
         or /set_pattern bass notes c2 ~ g2 ~",
        items.join(" · ")
    )
}

/// What the pane and `ask` say when the provider stopped a reply at its
/// token limit.
pub fn cut_off_message(max_tokens: u32) -> String {
    format!(
        "the reply was cut off at the token limit (max_tokens: {max_tokens}) before the model finished; \
         any change it was still writing was not applied. Raise `max_tokens` in the `chat` section \
         of config.ron (e.g. {}), or ask for less at once",
        max_tokens.saturating_mul(2)
    )
}
