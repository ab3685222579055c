//! A chat server that sends what no real one should: a content block index
//! of four billion, a reply that never ends an event, retry-after values
//! that are not numbers a clock can hold, an error body of megabytes. Each
//! ends the reply with a plain message, over real HTTP, and nothing is
//! applied.

use super::fails_cleanly;
use crate::llm_server::Reply;
use termdaw::chat::ProviderKind;

#[test]
fn a_content_block_index_of_four_billion_is_refused_not_allocated() {
    let openai = b"data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":4000000000,\"id\":\"c\",\"function\":{\"name\":\"set_tempo\",\"arguments\":\"{}\"}}]}}]}\n\ndata: [DONE]\n\n".to_vec();
    let (msg, _) = fails_cleanly(ProviderKind::OpenAi, vec![Reply::Sse(vec![openai])], |_| {});
    assert!(msg.contains("content block 4000000000"), "{msg}");
    let anthropic = b"event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":4000000000,\"content_block\":{\"type\":\"text\",\"text\":\"hi\"}}\n\nevent: message_stop\ndata: {\"type\":\"message_stop\"}\n\n".to_vec();
    let (msg, _) = fails_cleanly(
        ProviderKind::Anthropic,
        vec![Reply::Sse(vec![anthropic])],
        |_| {},
    );
    assert!(msg.contains("content block 4000000000"), "{msg}");
}

#[test]
fn a_reply_that_never_ends_an_event_stops_at_the_bound() {
    let max = termdaw::chat::provider::MAX_REPLY_BYTES;
    let mut chunks = vec![b"data: ".to_vec()];
    chunks.extend((0..max / (256 << 10) + 2).map(|_| vec![b'x'; 256 << 10]));
    let (msg, _) = fails_cleanly(ProviderKind::OpenAi, vec![Reply::Sse(chunks)], |_| {});
    assert!(msg.contains("longer than 4 MB"), "{msg}");
}

#[test]
fn retry_after_values_no_clock_can_hold_fall_back_to_the_backoff() {
    for (header, value) in [
        ("retry-after", "NaN"),
        ("retry-after", "1e300"),
        ("retry-after-ms", "inf"),
        ("retry-after-ms", "-5"),
    ] {
        let r = || {
            Reply::Status(
                429,
                vec![(header, value.to_string())],
                r#"{"error":{"message":"slow down"}}"#.into(),
            )
        };
        let (msg, server) = fails_cleanly(ProviderKind::Anthropic, vec![r(), r(), r()], |_| {});
        assert!(
            msg.contains("rate limited (HTTP 429)"),
            "{header}: {value}: {msg}"
        );
        assert_eq!(server.requests().len(), 3, "{header}: {value}");
    }
}

#[test]
fn an_error_body_of_megabytes_is_read_in_part_and_quoted_in_part() {
    let body = format!(
        r#"{{"error":{{"message":"{}"}}}}"#,
        "overloaded ".repeat(400_000)
    );
    let (msg, _) = fails_cleanly(
        ProviderKind::Anthropic,
        vec![Reply::Status(400, vec![], body)],
        |_| {},
    );
    assert!(msg.contains("HTTP 400"), "{msg}");
    assert!(
        msg.len() < 1000,
        "{} bytes: the body is quoted whole",
        msg.len()
    );
}

#[test]
fn show_pattern_hands_the_model_a_bounded_look_at_a_dense_pattern() {
    use termdaw::chat::apply::{Applier, Outcome, MAX_SHOWN};
    let mut s = super::session();
    let call = termdaw::chat::ToolCall {
        id: "1".into(),
        name: "show_pattern".into(),
        input: serde_json::json!({"pattern": "c3*1024", "cycles": 16}),
    };
    let out = Applier::new("look").apply(&mut s, &[call], &|_| None);
    let Some(Outcome::Done {
        result,
        is_error: false,
        ..
    }) = out.first()
    else {
        panic!("{out:?}")
    };
    assert!(result.len() <= MAX_SHOWN + 100, "{} bytes", result.len());
    assert!(
        result.ends_with("more lines: ask for fewer cycles\n"),
        "{result}"
    );
    assert!(result.starts_with("steps per cycle"), "{result}");
}

fn answer(text: &str) -> termdaw::chat::Message {
    termdaw::chat::Message {
        role: termdaw::chat::Role::Assistant,
        content: vec![termdaw::chat::Block::Text { text: text.into() }],
    }
}

#[test]
fn a_chat_history_file_never_grows_past_its_bound_and_a_huge_one_is_read_from_its_end() {
    use termdaw::chat::history::{History, MAX_HISTORY_BYTES};
    use termdaw::chat::Message;
    let d = super::dir("history-bound");
    let file = d.join("h.jsonl");
    // A turn of about 20 KB.
    let turn = |i: usize| {
        [
            Message::user_text(format!("prompt {i}: {}", "x".repeat(20_000))),
            answer(&format!("answer {i}")),
        ]
    };
    let turns = (MAX_HISTORY_BYTES as usize / 20_000) + 40;
    {
        let (mut h, problems) = History::open(file.clone());
        assert!(problems.is_empty());
        for i in 0..turns {
            h.push_turn(&turn(i)).unwrap();
            let size = std::fs::metadata(&file).unwrap().len();
            assert!(size <= MAX_HISTORY_BYTES, "turn {i}: {size} bytes");
        }
    }
    // The file was moved aside once it was full, and what the model
    // remembers went on in the new one.
    let old = d.join("h.jsonl.old");
    assert!(old.exists(), "the full file was kept beside");
    let (h, problems) = History::open(file.clone());
    assert!(problems.is_empty(), "{problems:?}");
    let last = &h.messages()[h.messages().len() - 1];
    assert_eq!(last.text(), format!("answer {}", turns - 1));
    assert!(h.context().len() >= 20, "the recent past survived the move");
    // A file bigger than the bound (written by hand, or by an older
    // termdaw) is read from its end: the last turn is there.
    let mut big = std::fs::read(&old).unwrap();
    big.extend(std::fs::read(&file).unwrap());
    assert!(big.len() as u64 > MAX_HISTORY_BYTES);
    std::fs::write(&file, big).unwrap();
    let (h, problems) = History::open(file);
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(
        h.messages().last().unwrap().text(),
        format!("answer {}", turns - 1)
    );
    assert!(h.messages().len() <= 4 * termdaw::chat::history::CONTEXT_MESSAGES);
}
