//! The chat worker: one thread per reply that talks to the model.
//!
//! Its own thread with a current-thread tokio runtime, so neither the UI
//! nor the audio thread ever waits on the network. It loops: request →
//! stream (text and tool calls go to the UI as they arrive) → if the model
//! called tools, hand the calls to the UI thread (which owns the session
//! and applies them) and wait for the results → next request; at most
//! `max_steps` round trips. It never touches the session and never writes
//! files; the finished turn goes back to the UI, which saves it.

use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use super::analyse;
use super::apply::{Measure, Outcome};
use super::config::ChatConfig;
use super::error::ChatError;
use super::message::{Block, Message, Role, ToolCall};
use super::provider::{self, Cancel, Delta, Request};
use super::tools::ToolDef;

/// From the worker to the UI thread.
#[derive(Debug)]
pub enum ToUi {
    Delta(Delta),
    /// Apply these and send back one [`Outcome`] per call, in order.
    Calls(Vec<ToolCall>),
    /// Measuring the mix (a render is running).
    Analysing,
    /// The provider cut the reply off at the token limit; the turn ends
    /// here and the reply's unfinished tool calls are not applied.
    CutOff {
        max_tokens: u32,
    },
    /// The reply is complete: every message of the turn, prompt first.
    Finished(Vec<Message>),
    Failed(ChatError),
}

/// What the worker needs for one reply.
pub struct Job {
    pub cfg: ChatConfig,
    pub stable: Arc<String>,
    pub context: String,
    pub tools: Arc<Vec<ToolDef>>,
    pub past: Vec<Message>,
    pub prompt: String,
}

/// Start a reply on its own thread.
pub fn spawn(
    job: Job,
    tx: Sender<ToUi>,
    results: Receiver<Vec<Outcome>>,
    cancel: Arc<Cancel>,
) -> std::io::Result<JoinHandle<()>> {
    std::thread::Builder::new()
        .name("termdaw-chat".into())
        .spawn(move || {
            let run = crate::health::survive(&crate::health::CHAT_PANICS, || {
                run(job, &tx, &results, &cancel)
            });
            let msg = match run {
                Some(Ok(turn)) => ToUi::Finished(turn),
                Some(Err(e)) => ToUi::Failed(e),
                None => ToUi::Failed(ChatError::Internal),
            };
            let _ = tx.send(msg);
        })
}

fn run(
    job: Job,
    tx: &Sender<ToUi>,
    results: &Receiver<Vec<Outcome>>,
    cancel: &Cancel,
) -> Result<Vec<Message>, ChatError> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| ChatError::Connect {
            url: job.cfg.base_url.clone(),
            message: e.to_string(),
        })?;
    let client = provider::client(&job.cfg)?;
    let mut messages = job.past;
    let first = messages.len();
    messages.push(Message::user_text(job.prompt));
    for _ in 0..job.cfg.max_steps {
        let req = Request {
            stable: &job.stable,
            context: &job.context,
            messages: &messages,
            tools: &job.tools,
        };
        let reply = rt.block_on(provider::complete(
            &client,
            &job.cfg,
            &req,
            cancel,
            &mut |d| {
                let _ = tx.send(ToUi::Delta(d));
            },
        ))?;
        let cut_off = reply.cut_off;
        let mut reply = reply.message;
        if cut_off {
            // A half-written plan is not half applied; the history keeps
            // the text only, so the next request has no call without a result.
            reply.content.retain(|b| matches!(b, Block::Text { .. }));
        }
        if reply.content.is_empty() {
            // Providers reject empty messages in the history.
            reply.content.push(Block::Text {
                text: "(no reply)".into(),
            });
        }
        let calls = reply.tool_calls();
        messages.push(reply);
        if cut_off {
            let _ = tx.send(ToUi::CutOff {
                max_tokens: job.cfg.max_tokens,
            });
            return Ok(messages.split_off(first));
        }
        if calls.is_empty() {
            return Ok(messages.split_off(first));
        }
        tx.send(ToUi::Calls(calls.clone()))
            .map_err(|_| ChatError::Cancelled)?;
        let outcomes = loop {
            if cancel.is_cancelled() {
                return Err(ChatError::Cancelled);
            }
            match results.recv_timeout(Duration::from_millis(20)) {
                Ok(o) => break o,
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => return Err(ChatError::Cancelled),
            }
        };
        let mut content = Vec::with_capacity(calls.len());
        for (call, outcome) in calls.iter().zip(outcomes) {
            let (text, is_error) = match outcome {
                Outcome::Done {
                    result, is_error, ..
                } => (result, is_error),
                Outcome::Analyse {
                    file,
                    path,
                    bars,
                    from_beat,
                    what,
                } => {
                    let _ = tx.send(ToUi::Analysing);
                    let path = path.as_deref();
                    let text = match &what {
                        Measure::Assess(job) => {
                            super::assess::run(&file, path, bars, from_beat, job)
                        }
                        Measure::Mix { target } => {
                            analyse::analyse(&file, path, bars, *target, from_beat)
                        }
                    };
                    (text, false)
                }
            };
            if cancel.is_cancelled() {
                return Err(ChatError::Cancelled);
            }
            content.push(Block::ToolResult {
                tool_use_id: call.id.clone(),
                content: text,
                is_error,
            });
        }
        messages.push(Message {
            role: Role::User,
            content,
        });
    }
    Err(ChatError::TooManySteps(job.cfg.max_steps))
}
