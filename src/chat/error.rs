//! What can go wrong talking to a model, in words a musician can act on.
//!
//! Control side, pure. No message here ever contains the API key.

use std::time::Duration;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ChatError {
    #[error("{0}")]
    NoKey(String),
    #[error("the model did not answer within {0:?} (timeout); try again, or raise `timeout` in the chat config")]
    Timeout(Duration),
    #[error("cannot reach {url}: {message}")]
    Connect { url: String, message: String },
    #[error("the server refused the API key (HTTP {status}): {message}. Check {var}.")]
    Auth {
        status: u16,
        message: String,
        var: &'static str,
    },
    #[error(
        "rate limited (HTTP 429) after {retries} retries: {message}. Wait a moment and try again."
    )]
    RateLimited { retries: u32, message: String },
    #[error("the server failed (HTTP {status}) after {retries} retries: {message}")]
    Server {
        status: u16,
        retries: u32,
        message: String,
    },
    #[error("the server rejected the request (HTTP {status}): {message}")]
    Http { status: u16, message: String },
    #[error("the connection dropped before the reply was complete ({0})")]
    Dropped(String),
    #[error("the server sent something that is not valid JSON ({0})")]
    Malformed(String),
    #[error("the model's service reported an error: {0}")]
    Api(String),
    #[error("cancelled")]
    Cancelled,
    #[error("stopped after {0} tool steps without a final answer")]
    TooManySteps(usize),
    #[error("the chat hit a bug in termdaw and stopped this reply (the log has the details); what it changed is taken back like any failed reply")]
    Internal,
}
