//! The chat against a real local HTTP server that speaks both providers'
//! streaming protocols (tests/all/llm_server.rs): scripted multi-step tool
//! conversations, every failure mode, undo of a whole reply, the history
//! file, `termdaw ask`, and the API key never reaching a file.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use termdaw::chat::history::{self, History};
use termdaw::chat::{ApiKey, Chat, ChatConfig, EntryKind, ProviderKind, Update};
use termdaw::patch::{self, SessionFile};
use termdaw::session::Session;

use crate::common::{self, RATE};
use crate::llm_server::{anthropic, openai, text, tool, tool_raw, Reply, Server};

const KEY: &str = "sk-ant-test-FAKEKEY-7f3a9c1e5b";

const SESSION: &str = r#"Session(
    tempo: 100,
    quantum: Immediate,
    key: "A",
    scale: Minor,
    tracks: [
        Track(name: "kick", instrument: Kick(), pattern: Steps("x...x...x...x...")),
        Track(name: "bass", instrument: Synth(wave: Saw, cutoff: 300, q: 1), pattern: Notes("a1 a1 a1 a1"), resolution: 4, volume: -6),
    ],
)
"#;

/// Every file the chat tests write lives under here (the key test greps it).
fn root() -> PathBuf {
    std::env::temp_dir().join(format!("termdaw-chat-tests-{}", std::process::id()))
}

fn dir(name: &str) -> PathBuf {
    let d = root().join(name);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn cfg(kind: ProviderKind, server: &Server) -> ChatConfig {
    let mut c = ChatConfig::new(kind, &server.url, Some(ApiKey::new(KEY)));
    c.model = "test-model".into();
    c.timeout = Duration::from_secs(3);
    c.backoff = Duration::from_millis(10);
    c.max_retries = 2;
    c.max_retry_wait = Duration::from_secs(3);
    c
}

fn session() -> Session {
    Session::new(common::parse(SESSION), None, RATE as f32, None)
}

/// Send a prompt and poll (as the UI loop does) until the reply is over.
fn turn(chat: &mut Chat, s: &mut Session, prompt: &str) -> Vec<Update> {
    chat.send(prompt, s);
    let t0 = Instant::now();
    let mut ups = Vec::new();
    while chat.is_busy() {
        ups.extend(chat.poll(s));
        assert!(
            t0.elapsed() < Duration::from_secs(20),
            "the reply never ended"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
    ups
}

fn failed(ups: &[Update]) -> Option<String> {
    ups.iter().find_map(|u| match u {
        Update::Failed(m) => Some(m.clone()),
        _ => None,
    })
}

fn cutoff(f: &SessionFile) -> f32 {
    f.track("bass").unwrap().instrument.param("cutoff").unwrap()
}

/// The tool results the client sent back in a request (Anthropic shape).
fn anthropic_results(body: &Value) -> Vec<(String, bool)> {
    let msgs = body["messages"].as_array().unwrap();
    let last = msgs.last().unwrap();
    last["content"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| b["type"] == "tool_result")
        .map(|b| {
            (
                b["content"].as_str().unwrap().to_string(),
                b["is_error"].as_bool().unwrap_or(false),
            )
        })
        .collect()
}

// ---- audio measurements ----------------------------------------------------

fn render(file: &SessionFile, seconds: f64) -> common::Audio {
    let (mut s, mut e) = termdaw::audio::render::prepare(file.clone(), None, RATE);
    common::render_with(&mut s, &mut e, (seconds * RATE as f64) as usize, |_, _| {})
}

fn only(file: &SessionFile, track: &str) -> SessionFile {
    let mut f = file.clone();
    for t in &mut f.tracks {
        t.mute = t.name.as_str() != track;
    }
    f
}

/// Mean time between onsets (rises of a 5 ms envelope above a threshold).
fn onset_spacing(a: &common::Audio) -> f64 {
    let hop = (RATE / 200) as usize;
    let env: Vec<f32> =
        a.l.chunks(hop)
            .map(|c| c.iter().fold(0f32, |m, x| m.max(x.abs())))
            .collect();
    let peak = env.iter().cloned().fold(0f32, f32::max);
    let (mut onsets, mut above) = (Vec::new(), false);
    for (i, e) in env.iter().enumerate() {
        if !above && *e > 0.5 * peak {
            onsets.push(i);
        }
        above = *e > 0.2 * peak;
    }
    assert!(onsets.len() >= 3, "too few onsets: {onsets:?}");
    (onsets[onsets.len() - 1] - onsets[0]) as f64 * hop as f64
        / RATE as f64
        / (onsets.len() - 1) as f64
}

/// Spectral centroid in Hz.
fn centroid(x: &[f32]) -> f64 {
    use rustfft::{num_complex::Complex, FftPlanner};
    let n = 8192;
    let fft = FftPlanner::<f32>::new().plan_fft_forward(n);
    let (mut num, mut den) = (0f64, 0f64);
    for c in x.chunks_exact(n) {
        let mut buf: Vec<Complex<f32>> = c.iter().map(|v| Complex::new(*v, 0.0)).collect();
        fft.process(&mut buf);
        for (k, b) in buf[1..n / 2].iter().enumerate() {
            let m = b.norm() as f64;
            num += m * (k + 1) as f64 * RATE as f64 / n as f64;
            den += m;
        }
    }
    num / den.max(1e-12)
}

// ---- scripted conversations ---------------------------------------------------

fn energetic_script(reply: fn(&[crate::llm_server::Part]) -> Reply) -> Vec<Reply> {
    vec![
        reply(&[
            text("Let's push it: faster, brighter, "),
            tool("set_tempo", json!({"bpm": 128})),
            tool(
                "set_param",
                json!({"track": "bass", "param": "cutoff", "value": 4000}),
            ),
            tool(
                "set_pattern",
                json!({"track": "bass", "notation": "notes", "pattern": "a1 a2 a1 [a2 c3]"}),
            ),
        ]),
        reply(&[text(
            "Done: 128 BPM, the bass opened up to 4 kHz and moves more. ✨",
        )]),
    ]
}

fn check_energetic(s: &Session, before: &SessionFile, chat: &Chat, ups: &[Update]) {
    assert_eq!(failed(ups), None);
    let f = s.file();
    assert_eq!(f.tempo, 128.0);
    assert_eq!(cutoff(f), 4000.0);
    let p = f.track("bass").unwrap().pattern.as_ref().unwrap();
    assert!(format!("{p:?}").contains("a1 a2 a1 [a2 c3]"), "{p:?}");
    // Each change is listed as it lands, with before → after.
    let changes: Vec<&str> = chat
        .entries()
        .iter()
        .filter(|e| e.kind == EntryKind::Change)
        .map(|e| e.text.as_str())
        .collect();
    assert_eq!(changes.len(), 3, "{changes:?}");
    assert!(
        changes
            .iter()
            .any(|c| c.contains("cutoff") && c.contains('→')),
        "{changes:?}"
    );
    // The streamed text, both messages, with the emoji cut across chunks intact.
    let said: String = chat
        .entries()
        .iter()
        .filter(|e| e.kind == EntryKind::Assistant)
        .map(|e| e.text.clone())
        .collect();
    assert!(
        said.contains("Let's push it") && said.contains("moves more. ✨"),
        "{said}"
    );
    // The audio changed: the kick comes faster, the bass is brighter.
    let (k0, k1) = (
        onset_spacing(&render(&only(before, "kick"), 3.0)),
        onset_spacing(&render(&only(f, "kick"), 3.0)),
    );
    assert!((k0 - 60.0 / 100.0).abs() < 0.01, "kick spacing before {k0}");
    assert!((k1 - 60.0 / 128.0).abs() < 0.01, "kick spacing after {k1}");
    let (c0, c1) = (
        centroid(&render(&only(before, "bass"), 2.0).l),
        centroid(&render(&only(f, "bass"), 2.0).l),
    );
    assert!(c1 > c0 * 1.5, "bass centroid {c0:.0} Hz → {c1:.0} Hz");
}

#[test]
fn make_it_more_energetic_over_the_anthropic_protocol() {
    let server = Server::start(energetic_script(anthropic));
    let mut s = session();
    let before = s.file().clone();
    let mut chat = Chat::new(cfg(ProviderKind::Anthropic, &server), History::in_memory());
    let ups = turn(&mut chat, &mut s, "make it more energetic");
    check_energetic(&s, &before, &chat, &ups);
    assert!(ups.contains(&Update::Calling("set_pattern".into())));

    let reqs = server.requests();
    assert_eq!(reqs.len(), 2);
    let r = &reqs[0];
    assert_eq!(r.path, "/v1/messages");
    assert_eq!(r.header("x-api-key"), Some(KEY));
    assert_eq!(r.header("anthropic-version"), Some("2023-06-01"));
    assert_eq!(r.body["model"], "test-model");
    assert_eq!(r.body["stream"], true);
    // The stable prefix is cached and carries the docs; the context is the session.
    assert_eq!(r.body["system"][0]["cache_control"]["type"], "ephemeral");
    assert!(
        r.body["system"][0]["text"]
            .as_str()
            .unwrap()
            .contains("mini-notation")
            || r.body["system"][0]["text"]
                .as_str()
                .unwrap()
                .contains("Steps(")
    );
    assert!(r.body["system"][1]["text"]
        .as_str()
        .unwrap()
        .contains("tempo 100 BPM"));
    let tools = r.body["tools"].as_array().unwrap();
    let set_tempo = tools.iter().find(|t| t["name"] == "set_tempo").unwrap();
    assert_eq!(
        set_tempo["input_schema"]["properties"]["bpm"]["maximum"],
        999.0
    );
    // The second request carries the assistant's tool calls and their results.
    let results = anthropic_results(&reqs[1].body);
    assert_eq!(results.len(), 3);
    assert!(
        results
            .iter()
            .all(|(t, err)| !err && t.starts_with("applied:")),
        "{results:?}"
    );
    let msgs = reqs[1].body["messages"].as_array().unwrap();
    assert_eq!(msgs[1]["content"][1]["type"], "tool_use");
    assert_eq!(msgs[1]["content"][1]["input"]["bpm"], 128);

    // The whole reply is one undo step.
    assert_eq!(s.undo_len(), 1);
    let mut s2 = s;
    chat.submit("/undo", &mut s2);
    assert_eq!(s2.file(), &before);
}

#[test]
fn make_it_more_energetic_over_the_openai_protocol() {
    let server = Server::start(energetic_script(openai));
    let mut s = session();
    let before = s.file().clone();
    let mut chat = Chat::new(cfg(ProviderKind::OpenAi, &server), History::in_memory());
    let ups = turn(&mut chat, &mut s, "make it more energetic");
    check_energetic(&s, &before, &chat, &ups);

    let reqs = server.requests();
    assert_eq!(reqs.len(), 2);
    assert_eq!(reqs[0].path, "/chat/completions");
    assert_eq!(
        reqs[0].header("authorization"),
        Some(format!("Bearer {KEY}").as_str())
    );
    let msgs = reqs[0].body["messages"].as_array().unwrap();
    assert_eq!(msgs[0]["role"], "system");
    assert_eq!(msgs[1]["content"], "make it more energetic");
    let tools = reqs[0].body["tools"].as_array().unwrap();
    assert!(tools.iter().any(|t| t["function"]["name"] == "set_pattern"
        && t["function"]["parameters"]["properties"]["notation"]["enum"]
            == json!(["steps", "notes", "degrees"])));
    // Tool calls assembled by index (their pieces arrived interleaved).
    let msgs = reqs[1].body["messages"].as_array().unwrap();
    let calls = msgs[2]["tool_calls"].as_array().unwrap();
    assert_eq!(calls.len(), 3);
    assert_eq!(calls[1]["function"]["name"], "set_param");
    let args: Value =
        serde_json::from_str(calls[1]["function"]["arguments"].as_str().unwrap()).unwrap();
    assert_eq!(args["value"], 4000);
    let tool_msgs: Vec<&Value> = msgs.iter().filter(|m| m["role"] == "tool").collect();
    assert_eq!(tool_msgs.len(), 3);
    assert_eq!(tool_msgs[0]["tool_call_id"], "call_0");
}

#[test]
fn a_bad_tool_call_gets_an_error_result_and_the_corrected_call_lands() {
    let server = Server::start(vec![
        anthropic(&[tool(
            "set_param",
            json!({"track": "bas", "param": "cutoff", "value": 900}),
        )]),
        anthropic(&[
            tool_raw("set_tempo", r#"{"bpm": 12"#),
            tool("set_tempo", json!({"bpm": 5000})),
        ]),
        anthropic(&[
            tool(
                "set_param",
                json!({"track": "bass", "param": "cutoff", "value": 900}),
            ),
            tool("set_tempo", json!({"bpm": 90})),
        ]),
        anthropic(&[text("Fixed.")]),
    ]);
    let mut s = session();
    let mut chat = Chat::new(cfg(ProviderKind::Anthropic, &server), History::in_memory());
    let ups = turn(&mut chat, &mut s, "darker and slower");
    assert_eq!(failed(&ups), None);
    let reqs = server.requests();
    assert_eq!(reqs.len(), 4);
    let r1 = anthropic_results(&reqs[1].body);
    assert!(r1[0].1, "an unknown track is an error result");
    assert!(
        r1[0].0.contains("no track named \"bas\"") && r1[0].0.contains("kick, bass"),
        "{}",
        r1[0].0
    );
    let r2 = anthropic_results(&reqs[2].body);
    assert!(r2[0].1 && r2[0].0.contains("not valid JSON"), "{}", r2[0].0);
    assert!(
        r2[1].1 && r2[1].0.contains("between 20 and 999"),
        "{}",
        r2[1].0
    );
    let r3 = anthropic_results(&reqs[3].body);
    assert!(r3.iter().all(|(_, e)| !e), "{r3:?}");
    assert_eq!(cutoff(s.file()), 900.0);
    assert_eq!(s.file().tempo, 90.0);
    assert!(chat
        .entries()
        .iter()
        .any(|e| e.kind == EntryKind::Error && e.text.contains("set_param")));
    // Refusals changed nothing of their own: one undo step for the reply.
    assert_eq!(s.undo_len(), 1);
}

#[test]
fn a_ron_syntax_error_goes_back_with_line_and_column_then_the_fix_lands() {
    let broken = "Session(\n    tempo: 140,\n    tracks: [\n        Track(name: \"kick\" instrument: Kick()),\n    ],\n)";
    let fixed = "Session(\n    tempo: 140,\n    quantum: Immediate,\n    tracks: [\n        Track(name: \"kick\", instrument: Kick(), pattern: Steps(\"x.x.x.x.\")),\n        Track(name: \"hat\", instrument: HatClosed(), pattern: Steps(\"..x...x.\")),\n    ],\n)";
    let server = Server::start(vec![
        openai(&[tool("write_session", json!({"ron": broken}))]),
        openai(&[tool("write_session", json!({"ron": fixed}))]),
        openai(&[text("Rewrote the session.")]),
    ]);
    let mut s = session();
    let mut chat = Chat::new(cfg(ProviderKind::OpenAi, &server), History::in_memory());
    let ups = turn(&mut chat, &mut s, "rewrite it as a techno loop");
    assert_eq!(failed(&ups), None);
    let reqs = server.requests();
    let msgs = reqs[1].body["messages"].as_array().unwrap();
    let result = msgs.last().unwrap()["content"].as_str().unwrap();
    assert!(result.starts_with("ERROR: not applied"), "{result}");
    assert!(
        result.contains("session.ron:4:"),
        "line and column: {result}"
    );
    assert!(result.contains('^'), "a caret under the column: {result}");
    let msgs = reqs[2].body["messages"].as_array().unwrap();
    let result = msgs.last().unwrap()["content"].as_str().unwrap();
    assert!(result.starts_with("applied"), "{result}");
    let f = s.file();
    assert_eq!(f.tempo, 140.0);
    assert_eq!(f.tracks.len(), 2);
    assert!(f.track("bass").is_none() && f.track("hat").is_some());
    assert_eq!(
        s.undo_len(),
        1,
        "the rewrite and the reply are one undo step"
    );
}

#[test]
fn write_patch_rewrites_an_included_file_through_the_reload_path() {
    use termdaw::reload::{ReloadStatus, Reloader};
    let d = dir("write-patch");
    let main = d.join("live.ron");
    std::fs::write(
        &main,
        "Session(tempo: 120, quantum: Immediate, includes: [\"drums.ron\"], tracks: [\n    Track(name: \"bass\", instrument: Synth(), pattern: Notes(\"a1 ~ a1 ~\")),\n])\n",
    )
    .unwrap();
    let old_drums = "Patch(tracks: [\n    Track(name: \"kick\", instrument: Kick(), pattern: Steps(\"x...x...\")),\n])\n";
    std::fs::write(d.join("drums.ron"), old_drums).unwrap();
    let mut s = Session::load(&main, RATE as f32, None).unwrap();
    let mut reloader = Reloader::new(&main, s.file().clone()).unwrap();
    let broken = "Patch(tracks: [\n    Track(name: \"kick\", instrument: Kick() pattern: Steps(\"x.x.x.x.\")),\n])\n";
    let fixed = "Patch(tracks: [\n    Track(name: \"kick\", instrument: Kick(), pattern: Steps(\"x.x.x.x.\")),\n    Track(name: \"hat\", instrument: HatClosed(), pattern: Steps(\"..x...x.\")),\n])\n";
    let server = Server::start(vec![
        anthropic(&[tool(
            "write_patch",
            json!({"file": "bass.ron", "ron": fixed}),
        )]),
        anthropic(&[tool(
            "write_patch",
            json!({"file": "drums.ron", "ron": broken}),
        )]),
        anthropic(&[tool(
            "write_patch",
            json!({"file": "drums.ron", "ron": fixed}),
        )]),
        anthropic(&[text("Busier drums, with a hat.")]),
    ]);
    let mut chat = Chat::new(cfg(ProviderKind::Anthropic, &server), History::in_memory());
    let ups = turn(&mut chat, &mut s, "busier drums");
    assert_eq!(failed(&ups), None);
    let reqs = server.requests();
    let r1 = anthropic_results(&reqs[1].body);
    assert!(r1[0].1 && r1[0].0.contains("drums.ron"), "{}", r1[0].0);
    let r2 = anthropic_results(&reqs[2].body);
    assert!(
        r2[0].1 && r2[0].0.contains("drums.ron:2:"),
        "line and column: {}",
        r2[0].0
    );
    let r3 = anthropic_results(&reqs[3].body);
    assert!(
        !r3[0].1 && r3[0].0.starts_with("wrote drums.ron"),
        "{}",
        r3[0].0
    );
    // The session plays it, the file says it, and the old one is kept.
    assert!(s.file().track("hat").is_some());
    // The file reads as the model's text, and keeps its own layout.
    let written = std::fs::read_to_string(d.join("drums.ron")).unwrap();
    assert_eq!(
        patch::parse_patch("drums.ron", &written).unwrap(),
        patch::parse_patch("drums.ron", fixed).unwrap(),
        "{written}"
    );
    assert_eq!(written, fixed, "the same layout as the model's here");
    assert_eq!(
        std::fs::read_to_string(d.join("drums.ron.bak")).unwrap(),
        old_drums
    );
    assert_eq!(s.undo_len(), 1, "one undo step for the reply");
    // The watcher sees the write; it is already playing, so nothing re-applies.
    let t0 = Instant::now();
    while t0.elapsed() < Duration::from_millis(800) {
        if let Some(st) = reloader.poll(&mut s) {
            panic!("the chat's own write came back as a reload: {st:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    // The musician then edits the file: only their change applies.
    std::fs::write(
        d.join("drums.ron"),
        fixed.replace("\"..x...x.\"", "\"xxxxxxxx\""),
    )
    .unwrap();
    let t0 = Instant::now();
    let changes = loop {
        if let Some(ReloadStatus::Applied { changes, .. }) = reloader.poll(&mut s) {
            break changes;
        }
        assert!(
            t0.elapsed() < Duration::from_secs(10),
            "the edit was never applied"
        );
        std::thread::sleep(Duration::from_millis(10));
    };
    assert_eq!(changes.len(), 1, "{changes:?}");
    assert!(changes[0].contains("hat"), "{changes:?}");
}

// ---- failure modes ------------------------------------------------------------

/// Run one prompt against `replies`; assert it failed and nothing changed.
fn fails_cleanly(
    kind: ProviderKind,
    replies: Vec<Reply>,
    tweak: impl FnOnce(&mut ChatConfig),
) -> (String, Server) {
    let server = Server::start(replies);
    let mut c = cfg(kind, &server);
    tweak(&mut c);
    let mut s = session();
    let before = s.file().clone();
    let mut chat = Chat::new(c, History::in_memory());
    let ups = turn(&mut chat, &mut s, "make the bass darker");
    let msg = failed(&ups).unwrap_or_else(|| panic!("expected a failure, got {ups:?}"));
    assert_eq!(s.file(), &before, "nothing applied");
    assert!(!s.can_undo(), "no undo step left behind");
    assert!(chat
        .entries()
        .iter()
        .any(|e| e.kind == EntryKind::Error && e.text == msg));
    assert!(!msg.contains(KEY));
    (msg, server)
}

#[test]
fn no_key_explains_how_to_set_one_and_sends_nothing() {
    let server = Server::start(vec![]);
    let mut c = cfg(ProviderKind::Anthropic, &server);
    c.key = None;
    let mut s = session();
    let mut chat = Chat::new(c, History::in_memory());
    let first = &chat.entries()[0];
    assert_eq!(first.kind, EntryKind::Error);
    assert!(
        first.text.contains("ANTHROPIC_API_KEY") && first.text.contains("OPENAI_BASE_URL"),
        "{}",
        first.text
    );
    chat.send("hello", &s);
    assert!(!chat.is_busy());
    assert!(chat.entries().last().unwrap().text.contains("no API key"));
    // Slash commands need no model.
    chat.submit("/tempo 132", &mut s);
    assert_eq!(s.file().tempo, 132.0);
    chat.submit("/mute bass", &mut s);
    assert!(s.file().track("bass").unwrap().mute);
    chat.submit("/undo", &mut s);
    assert!(!s.file().track("bass").unwrap().mute);
    std::thread::sleep(Duration::from_millis(50));
    assert!(server.requests().is_empty());
    // An OpenAI-compatible server needs no key.
    let mut c = cfg(ProviderKind::OpenAi, &server);
    c.key = None;
    assert_eq!(c.missing_key(), None);
}

#[test]
fn a_timeout_is_reported() {
    let t0 = Instant::now();
    let (msg, _) = fails_cleanly(
        ProviderKind::Anthropic,
        vec![Reply::Hang(Duration::from_secs(5))],
        |c| c.timeout = Duration::from_millis(300),
    );
    assert!(msg.contains("timeout"), "{msg}");
    assert!(t0.elapsed() < Duration::from_secs(3));
}

#[test]
fn refused_keys_are_reported_without_retrying() {
    for status in [401, 403] {
        let body = r#"{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}"#;
        let (msg, server) = fails_cleanly(
            ProviderKind::Anthropic,
            vec![Reply::Status(status, vec![], body.into())],
            |_| {},
        );
        assert!(
            msg.contains(&format!("refused the API key (HTTP {status})")),
            "{msg}"
        );
        assert!(
            msg.contains("invalid x-api-key") && msg.contains("ANTHROPIC_API_KEY"),
            "{msg}"
        );
        assert_eq!(server.requests().len(), 1);
    }
}

#[test]
fn rate_limits_honour_retry_after_then_succeed() {
    let server = Server::start(vec![
        Reply::Status(
            429,
            vec![("retry-after", "1".into())],
            r#"{"error":{"message":"slow down"}}"#.into(),
        ),
        anthropic(&[tool("set_tempo", json!({"bpm": 140}))]),
        anthropic(&[text("Faster.")]),
    ]);
    let mut s = session();
    let mut chat = Chat::new(cfg(ProviderKind::Anthropic, &server), History::in_memory());
    let t0 = Instant::now();
    let ups = turn(&mut chat, &mut s, "faster");
    assert_eq!(failed(&ups), None);
    assert!(
        t0.elapsed() >= Duration::from_secs(1),
        "waited {:?}",
        t0.elapsed()
    );
    assert_eq!(s.file().tempo, 140.0);
    assert_eq!(server.requests().len(), 3);
}

#[test]
fn rate_limits_that_persist_are_reported() {
    let r = || {
        Reply::Status(
            429,
            vec![("retry-after-ms", "20".into())],
            r#"{"error":{"message":"slow down"}}"#.into(),
        )
    };
    let (msg, server) = fails_cleanly(ProviderKind::OpenAi, vec![r(), r(), r()], |_| {});
    assert!(
        msg.contains("rate limited (HTTP 429) after 2 retries: slow down"),
        "{msg}"
    );
    assert_eq!(server.requests().len(), 3);
}

#[test]
fn server_errors_are_retried_then_reported() {
    let r = || Reply::Status(503, vec![], r#"{"error":{"message":"overloaded"}}"#.into());
    let (msg, server) = fails_cleanly(ProviderKind::Anthropic, vec![r(), r(), r()], |_| {});
    assert!(
        msg.contains("the server failed (HTTP 503) after 2 retries: overloaded"),
        "{msg}"
    );
    assert_eq!(server.requests().len(), 3);
}

#[test]
fn a_dropped_stream_is_reported() {
    let whole = crate::llm_server::anthropic_text(&[
        text("Sure, "),
        tool("set_tempo", json!({"bpm": 150})),
    ]);
    let cut = whole.as_bytes()[..whole.len() * 2 / 3].to_vec();
    let (msg, _) = fails_cleanly(
        ProviderKind::Anthropic,
        vec![Reply::Drop(vec![cut])],
        |_| {},
    );
    assert!(msg.contains("connection dropped"), "{msg}");
    // A stream that ends cleanly but early is dropped too.
    let cut = whole.as_bytes()[..whole.rfind("event: message_delta").unwrap()].to_vec();
    let (msg, _) = fails_cleanly(ProviderKind::Anthropic, vec![Reply::Sse(vec![cut])], |_| {});
    assert!(msg.contains("connection dropped"), "{msg}");
}

#[test]
fn malformed_json_in_the_stream_is_reported() {
    let bad =
        b"event: message_start\ndata: {\"type\": \"message_start\", \"message\": {\n\n".to_vec();
    let (msg, _) = fails_cleanly(ProviderKind::Anthropic, vec![Reply::Sse(vec![bad])], |_| {});
    assert!(msg.contains("not valid JSON"), "{msg}");
    let bad = b"data: {\"choices\": [oops]}\n\n".to_vec();
    let (msg, _) = fails_cleanly(ProviderKind::OpenAi, vec![Reply::Sse(vec![bad])], |_| {});
    assert!(msg.contains("not valid JSON"), "{msg}");
}

#[test]
fn a_failure_after_some_tool_steps_takes_the_whole_reply_back() {
    let (msg, _) = fails_cleanly(
        ProviderKind::Anthropic,
        vec![
            anthropic(&[
                tool("set_tempo", json!({"bpm": 150})),
                tool("set_mute", json!({"track": "kick", "on": true})),
            ]),
            Reply::Status(500, vec![], "boom".into()),
            Reply::Status(500, vec![], "boom".into()),
            Reply::Status(500, vec![], "boom".into()),
        ],
        |_| {},
    );
    assert!(
        msg.contains("HTTP 500") && msg.contains("taken back"),
        "{msg}"
    );
}

#[test]
fn too_many_tool_steps_stop_and_take_the_reply_back() {
    let step = || anthropic(&[tool("set_tempo", json!({"bpm": 121}))]);
    let (msg, server) = fails_cleanly(
        ProviderKind::Anthropic,
        (0..5).map(|_| step()).collect(),
        |c| c.max_steps = 3,
    );
    assert!(msg.contains("after 3 tool steps"), "{msg}");
    assert_eq!(server.requests().len(), 3);
}

#[test]
fn escape_cancels_the_request_in_flight_and_nothing_stays_half_applied() {
    let server = Server::start(vec![
        anthropic(&[tool("set_tempo", json!({"bpm": 150}))]),
        Reply::Hang(Duration::from_secs(10)),
    ]);
    let mut s = session();
    let before = s.file().clone();
    let mut chat = Chat::new(cfg(ProviderKind::Anthropic, &server), History::in_memory());
    chat.send("faster", &s);
    let t0 = Instant::now();
    // Wait until the first step has landed and the second request hangs.
    while s.file().tempo != 150.0 || server.requests().len() < 2 {
        chat.poll(&mut s);
        assert!(t0.elapsed() < Duration::from_secs(10));
        std::thread::sleep(Duration::from_millis(2));
    }
    assert!(chat.is_busy());
    assert!(
        chat.status_line().contains("esc cancels"),
        "{}",
        chat.status_line()
    );
    assert!(chat.cancel(&mut s));
    assert!(!chat.is_busy());
    assert_eq!(s.file(), &before);
    assert!(!s.can_undo());
    assert!(chat.entries().last().unwrap().text.contains("cancelled"));
}

// ---- undo, history, ask ------------------------------------------------------

#[test]
fn undo_of_a_whole_reply_restores_the_exact_previous_file_and_state() {
    let d = dir("undo");
    let path = d.join("live.ron");
    let text = patch::to_string(&common::parse(SESSION));
    std::fs::write(&path, &text).unwrap();
    let mut s = Session::load(&path, RATE as f32, None).unwrap();
    let before = s.file().clone();
    s.apply(termdaw::action::Action::SetSwing { amount: 0.1 })
        .unwrap();
    let with_swing = s.file().clone();
    s.save().unwrap();
    let saved = std::fs::read_to_string(&path).unwrap();
    let server = Server::start(energetic_script(anthropic));
    let mut chat = Chat::new(cfg(ProviderKind::Anthropic, &server), History::in_memory());
    let ups = turn(&mut chat, &mut s, "make it more energetic");
    assert_eq!(failed(&ups), None);
    s.save().unwrap();
    assert_ne!(std::fs::read_to_string(&path).unwrap(), saved);
    chat.submit("/undo", &mut s);
    assert_eq!(
        s.file(),
        &with_swing,
        "the reply undid as one step, the swing stayed"
    );
    s.save().unwrap();
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        saved,
        "the exact previous file"
    );
    chat.submit("/undo", &mut s);
    assert_eq!(s.file(), &before);
    s.save().unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
}

#[test]
fn undo_change_takes_back_one_change_of_a_reply_and_undo_the_rest() {
    let mut s = session();
    let before = s.file().clone();
    let server = Server::start(energetic_script(anthropic));
    let mut chat = Chat::new(cfg(ProviderKind::Anthropic, &server), History::in_memory());
    let ups = turn(&mut chat, &mut s, "make it more energetic");
    assert_eq!(failed(&ups), None);
    let pattern = |s: &Session| s.file().track("bass").unwrap().pattern.clone();
    // Only the last change (the new bass pattern) goes back.
    chat.submit("/undo change", &mut s);
    let last = chat.entries().last().unwrap().text.clone();
    assert!(last.starts_with("undo: "), "{last}");
    assert_eq!(pattern(&s), before.track("bass").unwrap().pattern);
    assert_eq!(s.file().tempo, 128.0);
    assert_eq!(cutoff(s.file()), 4000.0);
    // Then the rest of the reply, as one step: the session as it was.
    chat.submit("/undo", &mut s);
    assert_eq!(s.file(), &before);
    assert!(!s.can_undo());
}

#[test]
fn history_is_saved_resumed_and_cleared() {
    let d = dir("history");
    let session_path = d.join("song.ron");
    let file = history::file_for(&d, Some(&session_path));
    let server = Server::start(vec![
        anthropic(&[tool("set_tempo", json!({"bpm": 110}))]),
        anthropic(&[text("Slower now.")]),
        anthropic(&[text("It is 110 BPM.")]),
    ]);
    let mut s = session();
    {
        let (h, problems) = History::open(file.clone());
        assert!(problems.is_empty() && h.messages().is_empty());
        let mut chat = Chat::new(cfg(ProviderKind::Anthropic, &server), h);
        turn(&mut chat, &mut s, "a bit slower");
    }
    let lines = std::fs::read_to_string(&file).unwrap();
    assert_eq!(
        lines.lines().count(),
        4,
        "prompt, tool call, results, answer:\n{lines}"
    );
    let (h, problems) = History::open(file.clone());
    assert!(problems.is_empty(), "{problems:?}");
    let mut chat = Chat::new(cfg(ProviderKind::Anthropic, &server), h);
    assert!(chat.entries()[0].text.contains("resumed"));
    turn(&mut chat, &mut s, "what tempo is it?");
    let reqs = server.requests();
    let msgs = reqs[2].body["messages"].as_array().unwrap();
    assert_eq!(msgs.len(), 5, "the earlier turn is sent again");
    assert_eq!(msgs[0]["content"][0]["text"], "a bit slower");
    chat.submit("/clear", &mut s);
    assert!(std::fs::read_to_string(&file).unwrap().is_empty());
    assert!(chat.history().messages().is_empty());
    // A failed reply is not written.
    let server = Server::start(vec![Reply::Status(500, vec![], "x".into())]);
    let mut c = cfg(ProviderKind::Anthropic, &server);
    c.max_retries = 0;
    let mut chat = Chat::new(c, History::open(file.clone()).0);
    turn(&mut chat, &mut s, "hello?");
    assert!(std::fs::read_to_string(&file).unwrap().is_empty());
}

#[test]
fn ask_prints_the_reply_and_saves_the_file_keeping_the_previous_version() {
    let d = dir("ask");
    let path = d.join("song.ron");
    std::fs::write(&path, SESSION).unwrap();
    let server = Server::start(energetic_script(openai));
    let mut out = Vec::new();
    let summary = termdaw::chat::ask::ask(
        cfg(ProviderKind::OpenAi, &server),
        &path,
        "make it more energetic",
        Some(&d),
        &mut out,
    )
    .unwrap();
    let out = String::from_utf8(out).unwrap();
    assert!(
        out.contains("Let's push it") && out.contains("✓ tempo") || out.contains("✓ "),
        "{out}"
    );
    assert!(out.contains("saved"), "{out}");
    assert_eq!(summary.changes.len(), 3);
    let saved = patch::load(&path).unwrap();
    assert_eq!(saved.tempo, 128.0);
    assert_eq!(cutoff(&saved), 4000.0);
    let bak = PathBuf::from(format!("{}.bak", path.display()));
    assert_eq!(
        std::fs::read_to_string(bak).unwrap(),
        SESSION,
        "the exact previous file kept"
    );
    // A failed ask changes nothing.
    let server = Server::start(vec![Reply::Status(401, vec![], "{}".into())]);
    let now = std::fs::read_to_string(&path).unwrap();
    let err = termdaw::chat::ask::ask(
        cfg(ProviderKind::OpenAi, &server),
        &path,
        "x",
        Some(&d),
        &mut Vec::new(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("HTTP 401"), "{err}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), now);
}

#[test]
fn the_ask_command_runs_one_turn_from_the_environment() {
    let d = dir("ask-cli");
    let path = d.join("song.ron");
    std::fs::write(&path, SESSION).unwrap();
    let server = Server::start(vec![
        anthropic(&[tool("set_mute", json!({"track": "kick", "on": true}))]),
        anthropic(&[text("Muted the kick.")]),
    ]);
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_termdaw"))
        .args(["ask"])
        .arg(&path)
        .args(["mute", "the", "kick"])
        .env_clear()
        .env("HOME", &d)
        .env("XDG_DATA_HOME", d.join("data"))
        .env("XDG_CONFIG_HOME", d.join("config"))
        .env("ANTHROPIC_API_KEY", KEY)
        .env("ANTHROPIC_BASE_URL", &server.url)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        stdout.contains("Muted the kick.") && stdout.contains("✓ kick"),
        "{stdout}"
    );
    assert!(patch::load(&path).unwrap().track("kick").unwrap().mute);
    assert_eq!(server.requests()[0].body["model"], "claude-sonnet-4-6");
    // The history went to the data directory.
    let hist = walk(&d.join("data"));
    assert!(
        hist.iter()
            .any(|p| p.extension().is_some_and(|e| e == "jsonl")),
        "{hist:?}"
    );
    // No key: a clear message, a failure, the file untouched.
    let before = std::fs::read_to_string(&path).unwrap();
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_termdaw"))
        .arg("ask")
        .arg(&path)
        .arg("hello")
        .env_clear()
        .env("HOME", &d)
        .env("XDG_DATA_HOME", d.join("data"))
        .env("XDG_CONFIG_HOME", d.join("config"))
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("ANTHROPIC_API_KEY"));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), before);
}

fn walk(d: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(d) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

#[test]
fn the_key_never_appears_in_any_file_written() {
    // Write everything the chat writes, failures included, then grep it all
    // (and whatever the other chat tests have written so far).
    let d = dir("keygrep");
    let path = d.join("song.ron");
    std::fs::write(&path, SESSION).unwrap();
    let server = Server::start(vec![
        anthropic(&[tool(
            "write_session",
            json!({"ron": SESSION.replace("100", "101")}),
        )]),
        anthropic(&[text("ok")]),
        Reply::Status(401, vec![], r#"{"error":{"message":"bad key"}}"#.into()),
    ]);
    termdaw::chat::ask::ask(
        cfg(ProviderKind::Anthropic, &server),
        &path,
        "go",
        Some(&d),
        &mut Vec::new(),
    )
    .unwrap();
    let _ = termdaw::chat::ask::ask(
        cfg(ProviderKind::Anthropic, &server),
        &path,
        "again",
        Some(&d),
        &mut Vec::new(),
    );
    let c = cfg(ProviderKind::Anthropic, &server);
    assert!(!format!("{c:?}").contains(KEY), "Debug shows no key");
    let files = walk(&root());
    assert!(files.len() >= 3, "{files:?}");
    for f in files {
        let bytes = std::fs::read(&f).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains(KEY), "{} contains the API key", f.display());
    }
}

// ---- the pieces ----------------------------------------------------------------

#[test]
fn tools_are_the_action_table_and_read_the_session_truthfully() {
    let tools = termdaw::chat::tools::tools();
    for a in termdaw::action::ACTIONS
        .iter()
        .filter(|a| termdaw::chat::tools::is_tool(a))
    {
        let t = tools
            .iter()
            .find(|t| t.name == a.name)
            .unwrap_or_else(|| panic!("{} has no tool", a.name));
        let props = t.schema["properties"].as_object().unwrap();
        assert_eq!(props.len(), a.args.len(), "{}", a.name);
        for arg in a.args {
            assert!(props.contains_key(arg.name), "{}.{}", a.name, arg.name);
        }
    }
    for needed in [
        "read_session",
        "write_session",
        "analyse_mix",
        "set_tempo",
        "set_key",
        "set_scale",
        "set_param",
        "set_pattern",
        "add_track",
        "remove_track",
        "rename_track",
        "set_mute",
        "set_solo",
        "set_effects",
        "undo",
    ] {
        assert!(
            tools.iter().any(|t| t.name == needed),
            "missing tool {needed}"
        );
    }
    let s = session();
    let summary = termdaw::chat::prompt::summary(&s);
    assert!(
        summary.contains("tempo 100 BPM") && summary.contains("key A Minor"),
        "{summary}"
    );
    assert!(
        summary.contains("Track(name: \"bass\"") && summary.contains("a1 a1 a1 a1"),
        "{summary}"
    );
}

#[test]
fn analyse_mix_measures_levels_and_balance_on_the_worker() {
    let server = Server::start(vec![
        anthropic(&[tool("analyse_mix", json!({"bars": 1, "target": -14}))]),
        anthropic(&[text("The kick is loud.")]),
    ]);
    let mut s = session();
    let mut chat = Chat::new(cfg(ProviderKind::Anthropic, &server), History::in_memory());
    let ups = turn(&mut chat, &mut s, "how is the mix?");
    assert_eq!(failed(&ups), None);
    let r = anthropic_results(&server.requests()[1].body);
    let (t, err) = &r[0];
    assert!(!err);
    assert!(
        t.contains("integrated")
            && t.contains("true peak")
            && t.contains("check against -14.0 LUFS")
            && t.contains("spectral balance")
            && t.contains("kick: peak")
            && t.contains("bass: peak"),
        "{t}"
    );
    assert!(!s.can_undo(), "analysis changes nothing");
}

#[test]
fn config_resolves_provider_url_and_key_from_flags_file_and_environment() {
    use termdaw::chat::ChatSettings;
    let env = |pairs: &'static [(&'static str, &'static str)]| {
        move |k: &str| {
            pairs
                .iter()
                .find(|(a, _)| *a == k)
                .map(|(_, v)| v.to_string())
        }
    };
    let c = ChatConfig::resolve(&ChatSettings::default(), None, None, None, env(&[])).unwrap();
    assert_eq!(c.provider, ProviderKind::Anthropic);
    assert_eq!(c.model, "claude-sonnet-4-6");
    assert!(c.missing_key().is_some());
    let c = ChatConfig::resolve(
        &ChatSettings::default(),
        None,
        None,
        None,
        env(&[("OPENAI_BASE_URL", "http://127.0.0.1:8080/v1/")]),
    )
    .unwrap();
    assert_eq!(c.provider, ProviderKind::OpenAi);
    assert_eq!(c.base_url, "http://127.0.0.1:8080/v1");
    assert_eq!(c.missing_key(), None);
    let c = ChatConfig::resolve(
        &ChatSettings {
            provider: Some("openai".into()),
            base_url: Some("http://file".into()),
            model: Some("qwen".into()),
            ..Default::default()
        },
        None,
        Some("http://flag"),
        None,
        env(&[
            ("ANTHROPIC_API_KEY", "k"),
            ("OPENAI_BASE_URL", "http://env"),
        ]),
    )
    .unwrap();
    assert_eq!(
        (c.provider, c.base_url.as_str(), c.model.as_str()),
        (ProviderKind::OpenAi, "http://flag", "qwen")
    );
    let c = ChatConfig::resolve(
        &ChatSettings::default(),
        None,
        None,
        None,
        env(&[
            ("ANTHROPIC_API_KEY", "k"),
            ("ANTHROPIC_BASE_URL", "http://proxy"),
        ]),
    )
    .unwrap();
    assert_eq!(
        (c.provider, c.base_url.as_str()),
        (ProviderKind::Anthropic, "http://proxy")
    );
    assert!(ChatConfig::resolve(
        &ChatSettings::default(),
        Some("gemini"),
        None,
        None,
        env(&[])
    )
    .is_err());
}

#[test]
fn slash_commands_map_to_actions() {
    let server = Server::start(vec![]);
    let mut s = session();
    let mut chat = Chat::new(cfg(ProviderKind::Anthropic, &server), History::in_memory());
    chat.submit("/tempo 128", &mut s);
    chat.submit("/set_param bass cutoff 1234", &mut s);
    chat.submit("/set_pattern bass notes c2 ~ g2 ~", &mut s);
    chat.submit("/solo kick", &mut s);
    assert_eq!(s.file().tempo, 128.0);
    assert_eq!(cutoff(s.file()), 1234.0);
    assert!(format!("{:?}", s.file().track("bass").unwrap().pattern).contains("c2 ~ g2 ~"));
    assert!(s.file().track("kick").unwrap().solo);
    chat.submit("/mute nobody", &mut s);
    assert!(chat
        .entries()
        .last()
        .unwrap()
        .text
        .contains("no track named"));
    chat.submit("/frobnicate", &mut s);
    assert!(chat.entries().last().unwrap().text.contains("/help"));
    chat.submit("/help", &mut s);
    assert!(chat.entries().last().unwrap().text.contains("/tempo 128"));
    assert!(server.requests().is_empty());
}

// ---- in the terminal UI ------------------------------------------------------

mod ui {
    use super::*;
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    use ratatui::backend::TestBackend;
    use ratatui::Terminal;
    use termdaw::tui::view::{self, Component};
    use termdaw::tui::{App, Keymap, Theme};

    fn key(code: KeyCode, m: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, m)
    }

    fn typed(a: &mut App, s: &str) {
        for c in s.chars() {
            a.handle_key(key(KeyCode::Char(c), KeyModifiers::NONE));
        }
    }

    fn pane(a: &App, w: u16, h: u16) -> TestBackend {
        let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
        t.draw(|f| view::render(Component::Chat, a, f.area(), f.buffer_mut()))
            .unwrap();
        t.backend().clone()
    }

    fn app(server: &Server) -> App {
        let mut a = App::new(session(), Keymap::defaults(), Theme::dark());
        a.chat = Chat::new(cfg(ProviderKind::Anthropic, server), History::in_memory());
        a
    }

    #[test]
    fn the_pane_streams_lists_changes_and_takes_slash_commands() {
        let server = Server::start(energetic_script(anthropic));
        let mut a = app(&server);
        a.handle_key(key(KeyCode::Char('/'), KeyModifiers::NONE));
        typed(&mut a, "/tempo 90");
        a.handle_key(key(KeyCode::Enter, KeyModifiers::NONE));
        assert_eq!(a.session().file().tempo, 90.0);
        assert!(a.chat_input.is_empty());
        // Multi-line input: alt+enter adds a line, enter sends.
        typed(&mut a, "make it");
        a.handle_key(key(KeyCode::Enter, KeyModifiers::ALT));
        typed(&mut a, "more energetic");
        assert_eq!(a.chat_input, "make it\nmore energetic");
        let before_send = pane(&a, 50, 8);
        insta::assert_snapshot!("chat_pane_multiline_input", before_send);
        a.handle_key(key(KeyCode::Enter, KeyModifiers::NONE));
        assert!(a.chat.is_busy());
        let t0 = Instant::now();
        while a.chat.is_busy() {
            a.poll_chat();
            assert!(t0.elapsed() < Duration::from_secs(20));
            std::thread::sleep(Duration::from_millis(2));
        }
        assert_eq!(a.session().file().tempo, 128.0);
        insta::assert_snapshot!("chat_pane_after_a_reply", pane(&a, 60, 14));
        // Scrollback.
        a.handle_key(key(KeyCode::PageUp, KeyModifiers::NONE));
        assert_eq!(a.chat.scroll, 5);
        a.handle_key(key(KeyCode::PageDown, KeyModifiers::NONE));
        assert_eq!(a.chat.scroll, 0);
        // Esc with nothing in flight leaves the chat.
        a.handle_key(key(KeyCode::Esc, KeyModifiers::NONE));
        assert_ne!(a.focus, termdaw::tui::app::Pane::Chat);
    }

    #[test]
    fn a_long_transcript_shows_its_newest_lines_and_scrolls_back_by_lines() {
        let server = Server::start(vec![]);
        let mut a = app(&server);
        a.handle_key(key(KeyCode::Char('/'), KeyModifiers::NONE));
        for i in 0..400 {
            typed(&mut a, &format!("/tempo {}", 60 + i % 100));
            a.handle_key(key(KeyCode::Enter, KeyModifiers::NONE));
        }
        let entries: Vec<String> = a.chat.entries().iter().map(|e| e.text.clone()).collect();
        assert!(entries.len() >= 800, "{}", entries.len());
        // 60×10: a border row above and below, one input row, 7 of transcript.
        let row = |b: &TestBackend, y: u16| -> String {
            (1..59u16)
                .map(|x| b.buffer()[(x, y)].symbol().to_string())
                .collect::<String>()
                .trim_end()
                .to_string()
        };
        let b = pane(&a, 60, 10);
        let last = entries.last().unwrap();
        assert!(
            row(&b, 7).ends_with(last.as_str()),
            "{:?} vs {last}",
            row(&b, 7)
        );
        a.chat.scroll = 5;
        let b = pane(&a, 60, 10);
        let earlier = &entries[entries.len() - 6];
        assert!(
            row(&b, 7).ends_with(earlier.as_str()),
            "{:?} vs {earlier}",
            row(&b, 7)
        );
        let first_shown = &entries[entries.len() - 12];
        assert!(
            row(&b, 1).ends_with(first_shown.as_str()),
            "{:?}",
            row(&b, 1)
        );
    }

    #[test]
    fn escape_in_the_pane_cancels_the_reply() {
        let server = Server::start(vec![
            anthropic(&[tool("set_tempo", json!({"bpm": 150}))]),
            Reply::Hang(Duration::from_secs(10)),
        ]);
        let mut a = app(&server);
        a.handle_key(key(KeyCode::Char('/'), KeyModifiers::NONE));
        typed(&mut a, "faster");
        a.handle_key(key(KeyCode::Enter, KeyModifiers::NONE));
        let t0 = Instant::now();
        while a.session().file().tempo != 150.0 || server.requests().len() < 2 {
            a.poll_chat();
            assert!(t0.elapsed() < Duration::from_secs(10));
            std::thread::sleep(Duration::from_millis(2));
        }
        let busy = pane(&a, 60, 6);
        let title = format!(
            "{:?}",
            busy.buffer().content()[..60]
                .iter()
                .map(|c| c.symbol())
                .collect::<String>()
        );
        assert!(title.contains("esc cancels"), "{title}");
        a.handle_key(key(KeyCode::Esc, KeyModifiers::NONE));
        assert!(!a.chat.is_busy());
        assert_eq!(a.session().file().tempo, 100.0);
        assert_eq!(
            a.focus,
            termdaw::tui::app::Pane::Chat,
            "the first esc only cancels"
        );
    }
}

#[test]
fn the_config_file_takes_a_chat_section() {
    let text = r#"Config(
        theme: "dark",
        chat: (provider: "openai", base_url: "http://127.0.0.1:11434/v1", model: "qwen2.5:7b", max_steps: 4, timeout: 60, max_tokens: 2048),
    )"#;
    let c = termdaw::config::Config::parse("config.ron", text).unwrap();
    let chat = c.chat.unwrap();
    let cfg = ChatConfig::resolve(&chat, None, None, None, |_| None).unwrap();
    assert_eq!(cfg.provider, ProviderKind::OpenAi);
    assert_eq!(cfg.model, "qwen2.5:7b");
    assert_eq!(cfg.max_steps, 4);
    assert_eq!(cfg.timeout, Duration::from_secs(60));
    assert!(
        termdaw::config::Config::parse("config.ron", "Config(chat: (api_key: \"x\"))").is_err()
    );
}

#[test]
fn chat_changes_land_on_the_sessions_quantum() {
    // 120 BPM, changes land on the next bar (2 s). The chat slows the tempo
    // to 60 BPM half a second in: the kick keeps 0.5 s spacing until the bar
    // line at 2 s, then 1 s.
    let src = SESSION
        .replace("tempo: 100", "tempo: 120")
        .replace("quantum: Immediate", "quantum: Bar")
        .replace("volume: -6", "volume: -6, mute: true");
    let (mut s, mut e) = termdaw::audio::render::prepare(common::parse(&src), None, RATE);
    let server = Server::start(vec![
        anthropic(&[tool("set_tempo", json!({"bpm": 60}))]),
        anthropic(&[text("Half time.")]),
    ]);
    let mut chat = Chat::new(cfg(ProviderKind::Anthropic, &server), History::in_memory());
    let first = common::render_with(&mut s, &mut e, RATE as usize / 2, |_, _| {});
    let ups = turn(&mut chat, &mut s, "half time");
    assert_eq!(failed(&ups), None);
    let r = anthropic_results(&server.requests()[1].body);
    assert!(r[0].0.contains("lands at bar 2"), "{}", r[0].0);
    let rest = common::render_with(&mut s, &mut e, RATE as usize * 9 / 2, |_, _| {});
    let mut all = first.l.clone();
    all.extend_from_slice(&rest.l);
    let hop = (RATE / 1000) as usize;
    let env: Vec<f32> = all
        .chunks(hop)
        .map(|c| c.iter().fold(0f32, |m, x| m.max(x.abs())))
        .collect();
    let peak = env.iter().cloned().fold(0f32, f32::max);
    let (mut onsets, mut above) = (Vec::new(), false);
    for (i, v) in env.iter().enumerate() {
        if !above && *v > 0.5 * peak {
            onsets.push(i as f64 / 1000.0);
        }
        above = *v > 0.1 * peak;
    }
    let expect = [0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 5.0];
    assert_eq!(onsets.len(), expect.len(), "{onsets:?}");
    for (o, x) in onsets.iter().zip(expect) {
        assert!((o - x).abs() < 0.01, "{onsets:?}");
    }
}

/// Against a real OpenAI-compatible server (llama.cpp's, Ollama...), when
/// one is named: TERMDAW_TEST_OPENAI_URL=http://127.0.0.1:8080/v1 and
/// optionally TERMDAW_TEST_OPENAI_MODEL. Skips otherwise (CI has none).
#[test]
fn a_real_openai_compatible_server_if_one_is_configured() {
    let Ok(url) = std::env::var("TERMDAW_TEST_OPENAI_URL") else {
        eprintln!("skipped: set TERMDAW_TEST_OPENAI_URL to run against a real server");
        return;
    };
    let mut c = ChatConfig::new(ProviderKind::OpenAi, &url, None);
    c.model = std::env::var("TERMDAW_TEST_OPENAI_MODEL").unwrap_or_else(|_| "local".into());
    c.timeout = Duration::from_secs(120);
    c.max_steps = 3;
    let mut s = session();
    let mut chat = Chat::new(c, History::in_memory());
    chat.send("Set the tempo to 128 BPM with the set_tempo tool.", &s);
    let t0 = Instant::now();
    let mut ups = Vec::new();
    while chat.is_busy() {
        ups.extend(chat.poll(&mut s));
        assert!(t0.elapsed() < Duration::from_secs(600));
        std::thread::sleep(Duration::from_millis(5));
    }
    eprintln!("{ups:?}\ntempo now {}", s.file().tempo);
    if let Some(m) = failed(&ups) {
        // A weak model may loop on tools; the protocol itself must work.
        assert!(
            !m.contains("not valid JSON") && !m.contains("dropped"),
            "{m}"
        );
    }
}

#[test]
fn a_failed_reply_is_taken_back_without_losing_edits_made_meanwhile() {
    let server = Server::start(vec![
        anthropic(&[tool("set_tempo", json!({"bpm": 150}))]),
        Reply::Hang(Duration::from_secs(10)),
    ]);
    let mut c = cfg(ProviderKind::Anthropic, &server);
    c.timeout = Duration::from_millis(400);
    let mut s = session();
    let mut chat = Chat::new(c, History::in_memory());
    chat.send("faster", &s);
    let t0 = Instant::now();
    while s.file().tempo != 150.0 {
        chat.poll(&mut s);
        assert!(t0.elapsed() < Duration::from_secs(10));
        std::thread::sleep(Duration::from_millis(2));
    }
    // The musician mutes the kick while the model is still working.
    s.apply(termdaw::action::Action::SetMute {
        track: "kick".into(),
        on: true,
    })
    .unwrap();
    let mut ups = Vec::new();
    while chat.is_busy() {
        ups.extend(chat.poll(&mut s));
        std::thread::sleep(Duration::from_millis(2));
    }
    let msg = failed(&ups).unwrap();
    assert!(
        msg.contains("timeout") && msg.contains("taken back"),
        "{msg}"
    );
    assert_eq!(s.file().tempo, 100.0, "the reply's change is taken back");
    assert!(
        s.file().track("kick").unwrap().mute,
        "the musician's edit stays"
    );
}

/// The system prompt is built from the docs and stays compact: every
/// instrument, effect and parameter the docs name is in it, without the
/// docs' table rules and repeated rows.
#[test]
fn the_system_prompt_carries_the_whole_reference_compactly() {
    use termdaw::kinds::EffectKind;
    use termdaw::kinds::InstrumentKind;
    let p = termdaw::chat::prompt::stable();
    for k in InstrumentKind::ALL {
        assert!(
            p.contains(&format!("`{}(", k.name())),
            "instrument {}",
            k.name()
        );
    }
    for k in EffectKind::ALL {
        assert!(
            p.contains(&format!("### `{}(", k.name())),
            "effect {}",
            k.name()
        );
        for param in k.params() {
            if param.name != "bypass" {
                assert!(
                    p.contains(&format!("`{}`|", param.name)),
                    "{}.{}",
                    k.name(),
                    param.name
                );
            }
        }
    }
    // The mini-notation reference table, row by row.
    for op in [
        "`[a b]`|",
        "`[a, b]`|",
        "`<a b>`|",
        "`*n`|",
        "`/n`|",
        "`@n`|",
        "`?` `?p`|",
        "`(k,n)` `(k,n,r)`|",
        "`{a b, c}` `{a b}%n`|",
        "`c'maj7` `e'min'ii`|",
        "`0` `-1` `2#`|",
    ] {
        assert!(p.contains(op), "pattern reference: {op}");
    }
    assert!(!p.contains("| --- |") && !p.contains("<!--"));
    println!("stable system prompt: {} bytes", p.len());
    let tools: usize = termdaw::chat::tools::tools()
        .iter()
        .map(|t| t.name.len() + t.description.len() + t.schema.to_string().len())
        .sum();
    println!("tools: {tools} bytes");
    // docs/chat.md asks local servers for 32k tokens. The reference and the
    // tools together must leave room for the session, the history and the
    // reply (measured: 50 KB of prompt were 20k tokens for a small
    // vocabulary); what does not fit is a tool's answer on demand (the
    // pattern functions already are).
    assert!(
        p.len() + tools < 64_000,
        "the stable prompt and the tools grew to {} bytes",
        p.len() + tools
    );
    assert!(
        p.len() < 44_000,
        "the stable prompt grew to {} bytes",
        p.len()
    );
}

/// A scripted reply that the provider stopped at its token limit.
fn cut_off(reply: String, from: &str, to: &str) -> Reply {
    assert!(reply.contains(from));
    Reply::Sse(crate::llm_server::chunked(
        reply.replace(from, to).as_bytes(),
    ))
}

#[test]
fn a_reply_cut_off_at_the_token_limit_says_so_and_applies_nothing() {
    let d = dir("cut-off");
    let script = crate::llm_server::anthropic_text(&[
        text("Raising the tempo and then"),
        tool("set_tempo", json!({"bpm": 140})),
    ]);
    let server = Server::start(vec![
        cut_off(
            script,
            "\"stop_reason\":\"tool_use\"",
            "\"stop_reason\":\"max_tokens\"",
        ),
        anthropic(&[text("Shorter: done.")]),
    ]);
    let mut c = cfg(ProviderKind::Anthropic, &server);
    c.max_tokens = 300;
    let mut chat = Chat::new(c, History::open(d.join("h.jsonl")).0);
    let mut s = session();
    let ups = turn(&mut chat, &mut s, "faster");
    let notice = ups
        .iter()
        .find_map(|u| match u {
            Update::Notice(m) => Some(m.clone()),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no notice in {ups:?}"));
    assert!(
        notice.contains("cut off") && notice.contains("max_tokens: 300"),
        "{notice}"
    );
    assert!(notice.contains("Raise `max_tokens`"), "{notice}");
    assert_eq!(failed(&ups), None);
    assert_eq!(s.file().tempo, 100.0, "the unfinished call was not applied");
    // The next prompt goes out with a history the provider accepts: the cut
    // reply's text, no tool call without its result.
    let ups = turn(&mut chat, &mut s, "again, shorter");
    assert_eq!(failed(&ups), None);
    let second = &server.requests()[1].body;
    let sent = second["messages"].to_string();
    assert!(sent.contains("Raising the tempo"), "{sent}");
    assert!(!sent.contains("tool_use"), "{sent}");
}

#[test]
fn ask_says_when_an_openai_reply_stopped_at_its_length() {
    let d = dir("ask-length");
    let path = d.join("song.ron");
    std::fs::write(&path, SESSION).unwrap();
    let script = crate::llm_server::openai_text(&[text("Here is a very long answer")]);
    let server = Server::start(vec![cut_off(
        script,
        "\"finish_reason\":\"stop\"",
        "\"finish_reason\":\"length\"",
    )]);
    let mut out = Vec::new();
    termdaw::chat::ask::ask(
        cfg(ProviderKind::OpenAi, &server),
        &path,
        "explain everything",
        Some(&d),
        &mut out,
    )
    .unwrap();
    let out = String::from_utf8(out).unwrap();
    assert!(out.contains("very long answer"), "{out}");
    assert!(
        out.contains("! the reply was cut off at the token limit (max_tokens: 4096)"),
        "{out}"
    );
}

#[test]
fn the_model_can_look_inside_a_pattern_and_read_the_functions() {
    let d = dir("look-inside");
    let server = Server::start(vec![
        anthropic(&[
            tool(
                "show_pattern",
                json!({"pattern": "Notes(\"fast 2 $ c3 e3\")"}),
            ),
            tool("show_pattern", json!({"pattern": "Notes(\"fsat 2 $ c3\")"})),
            tool("pattern_functions", json!({})),
        ]),
        anthropic(&[text("It plays c3 e3 twice a cycle.")]),
    ]);
    let mut chat = Chat::new(
        cfg(ProviderKind::Anthropic, &server),
        History::open(d.join("h")).0,
    );
    let mut s = session();
    let ups = turn(&mut chat, &mut s, "what does fast 2 do?");
    assert_eq!(failed(&ups), None);
    let results = anthropic_results(&server.requests()[1].body);
    let (events, is_error) = &results[0];
    assert!(!is_error, "{events}");
    assert!(
        events.contains("4 events") && events.contains("3/4    1/4  note  52"),
        "{events}"
    );
    let (typo, is_error) = &results[1];
    assert!(
        *is_error && typo.contains("did you mean \"fast\""),
        "{typo}"
    );
    let (functions, _) = &results[2];
    assert!(
        functions.contains("fast n — play n times faster"),
        "{functions}"
    );
    assert!(functions.lines().count() >= 60, "{functions}");
    assert!(!s.is_dirty(), "looking changes nothing");
}

mod form;
mod harmony;
mod hostile;
mod listen;
mod perform;
mod position;
