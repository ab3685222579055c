//! A streamed reply, bounded: bytes from the server, cut anywhere, through
//! the SSE parser and the provider's assembler into one [`Reply`].
//!
//! Pure, chat worker thread (and the fuzz target). Whatever the server
//! sends, this ends in a reply or a [`ChatError`]: a reply may be at most
//! [`MAX_REPLY_BYTES`] (which bounds the parser's buffer, the text and
//! every tool call's arguments), and content block indexes at most
//! [`MAX_BLOCKS`], so a hostile index cannot size an allocation.

use super::{anthropic, openai, Delta, Reply};
use crate::chat::config::ProviderKind;
use crate::chat::error::ChatError;
use crate::chat::sse;

/// Most bytes one streamed reply may carry (a long answer with tool calls
/// is a few tens of kilobytes).
pub const MAX_REPLY_BYTES: usize = 4 << 20;
/// Most content blocks (text and tool calls) in one reply.
pub const MAX_BLOCKS: usize = 256;
/// Most bytes of an error response's body read.
pub const MAX_ERROR_BODY: usize = 64 << 10;

enum Assembler {
    Anthropic(anthropic::Assembler),
    OpenAi(openai::Assembler),
}

/// One reply being received.
pub struct Stream {
    parser: sse::Parser,
    asm: Assembler,
    bytes: usize,
    done: bool,
}

impl Stream {
    pub fn new(kind: ProviderKind) -> Self {
        Stream {
            parser: sse::Parser::new(),
            asm: match kind {
                ProviderKind::Anthropic => Assembler::Anthropic(Default::default()),
                ProviderKind::OpenAi => Assembler::OpenAi(Default::default()),
            },
            bytes: 0,
            done: false,
        }
    }

    /// Bytes as they arrive; true once the reply is complete.
    pub fn feed(&mut self, chunk: &[u8], on: &mut dyn FnMut(Delta)) -> Result<bool, ChatError> {
        if self.done {
            return Ok(true);
        }
        self.bytes = self.bytes.saturating_add(chunk.len());
        if self.bytes > MAX_REPLY_BYTES {
            return Err(ChatError::Malformed(format!(
                "the reply is longer than {} MB",
                MAX_REPLY_BYTES >> 20
            )));
        }
        for ev in self.parser.feed(chunk) {
            if self.event(&ev, on)? {
                self.done = true;
                break;
            }
        }
        Ok(self.done)
    }

    fn event(&mut self, ev: &sse::Event, on: &mut dyn FnMut(Delta)) -> Result<bool, ChatError> {
        match &mut self.asm {
            Assembler::Anthropic(a) => a.event(ev, on),
            Assembler::OpenAi(a) => a.event(ev, on),
        }
    }

    /// The stream ended: the reply, or why it is not whole.
    pub fn finish(self) -> Result<Reply, ChatError> {
        self.finish_with(&mut |_| {})
    }

    /// [`Stream::finish`], telling `on` of a last event not followed by a
    /// blank line.
    pub fn finish_with(mut self, on: &mut dyn FnMut(Delta)) -> Result<Reply, ChatError> {
        if !self.done {
            if let Some(ev) = self.parser.finish() {
                self.done = self.event(&ev, on)?;
            }
        }
        match self.asm {
            Assembler::Anthropic(a) => a.finish(self.done),
            Assembler::OpenAi(a) => a.finish(self.done),
        }
    }
}
