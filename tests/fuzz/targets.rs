//! The fuzz targets: each names termdaw's own entry point for one kind of
//! outside data, its seeds, its grammar and the tokens worth inserting.

use std::path::PathBuf;

use serde_json::{json, Value};

use super::{Rng, Target};

/// Every target, in the order the reports list them.
pub const TARGETS: &[Target] = &[
    Target {
        name: "session",
        seeds: session_seeds,
        generate: session_generate,
        dictionary: &[
            "tracks: [",
            "Track(",
            "name: \"t\", ",
            "instrument: Synth(), ",
            "pattern: Notes(\"c3\"), ",
            "effects: [Reverb(room: 100, time: 30)], ",
            "tempo: ",
            "includes: [\"x.ron\"], ",
            "sections: [",
            "lanes: [",
            "Lane(",
            "points: [(0, 0)], ",
            "Some(",
            "None",
            "inf",
            "NaN",
            "[",
            "]",
            "(",
            ")",
            ",",
            "\"",
            "//",
            "/*",
            "*/",
            "r#\"",
            "\\u{10FFFF}",
        ],
        run: run_session,
    },
    Target {
        name: "pattern",
        seeds: pattern_seeds,
        generate: pattern_generate,
        dictionary: &[
            "$ ",
            " . ",
            "(",
            ")",
            "[",
            "]",
            "<",
            ">",
            "{",
            "}%",
            "*",
            "/",
            "!",
            "@",
            "?",
            ":",
            "|",
            " .. ",
            "~",
            "-",
            ",",
            "'",
            "c3",
            "x",
            "1e9",
            "fast ",
            "slow ",
            "ply ",
            "chop ",
            "striate ",
            "stut 64 0.5 ",
            "segment ",
            "every ",
            "<1 2 3>",
            "(3,8)",
            "(<3 5>,8,<0 2>)",
        ],
        run: run_pattern,
    },
    Target {
        name: "osc",
        seeds: osc_seeds,
        generate: osc_generate,
        dictionary: &[
            "/termdaw/",
            "#bundle\0",
            ",f\0\0",
            ",s\0\0",
            ",i\0\0",
            ",b\0\0",
            "\0\0\0\0",
        ],
        run: run_osc,
    },
    Target {
        name: "tool_call",
        seeds: tool_seeds,
        generate: tool_generate,
        dictionary: &[
            "{",
            "}",
            "[",
            "]",
            "\"track\":",
            "\"value\":",
            "\"pattern\":",
            "\"text\":",
            "null",
            "true",
            "1e999",
            "-1e999",
            "\"\\ud800\"",
        ],
        run: run_tool,
    },
    Target {
        name: "sse",
        seeds: sse_seeds,
        generate: sse_generate,
        dictionary: &[
            "\n\n",
            "\r\n\r\n",
            "data: ",
            "event: ",
            ": ping\n",
            "[DONE]",
            "{\"type\":",
            "\"content_block_delta\"",
            "\"tool_calls\":[",
            "\"index\":4294967296",
            "\"partial_json\":\"",
            "\"choices\":[{\"delta\":",
            "\"finish_reason\":\"stop\"",
        ],
        run: run_sse,
    },
    Target {
        name: "audio_file",
        seeds: audio_seeds,
        generate: audio_generate,
        dictionary: &[
            "RIFF",
            "WAVE",
            "fmt ",
            "data",
            "cue ",
            "LIST",
            "\u{ff}\u{ff}\u{ff}\u{7f}",
            "fLaC",
            "OggS",
            "ID3",
        ],
        run: run_audio,
    },
    Target {
        name: "midi_bytes",
        seeds: || {
            vec![vec![
                0x90, 60, 100, 0x80, 60, 0, 0xB0, 74, 127, 0xE0, 0, 64, 0xF8, 0xFA,
            ]]
        },
        generate: |rng| (0..rng.below(64)).map(|_| rng.next() as u8).collect(),
        dictionary: &["\u{f0}", "\u{f7}", "\u{f8}", "\u{90}", "\u{b0}"],
        run: run_midi,
    },
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn text(input: &[u8]) -> String {
    String::from_utf8_lossy(input).into_owned()
}

// ---- session files -------------------------------------------------------

fn session_seeds() -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut dirs = vec![root().join("patches")];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|x| x == "ron") {
                out.extend(std::fs::read(&p));
            }
        }
    }
    out.sort();
    out
}

fn session_generate(rng: &mut Rng) -> Vec<u8> {
    let instruments = [
        "Synth()",
        "Kick()",
        "Fm()",
        "Pluck()",
        "Sample(file: \"none.wav\")",
    ];
    let mut s = format!("Session(tempo: {}, tracks: [", rng.pick(super::NUMBERS));
    for i in 0..rng.below(6) {
        s.push_str(&format!(
            "Track(name: \"t{i}\", instrument: {}, pattern: Notes(\"{}\"), volume: {}),",
            rng.pick(&instruments),
            String::from_utf8_lossy(&pattern_generate(rng)),
            rng.pick(super::NUMBERS)
        ));
    }
    s.push_str("])");
    s.into_bytes()
}

/// Parse and check, then build the session the engine would play and
/// render one block of it: what a save does while playing.
fn run_session(input: &[u8]) -> Result<(), String> {
    let file = termdaw::patch::parse("fuzz.ron", &text(input)).map_err(|e| e.report())?;
    let (mut s, mut e) = termdaw::audio::render::prepare(file, None, 48000);
    termdaw::audio::render::run(&mut s, &mut e, 256, 64, |_, _| {}, |_, _| {});
    Ok(())
}

// ---- patterns --------------------------------------------------------------

fn pattern_seeds() -> Vec<Vec<u8>> {
    termdaw::pattern::FUNCTIONS
        .iter()
        .map(|f| f.example.as_bytes().to_vec())
        .chain(
            ["c3*<2 3> [e3 g3]/[2 4] {a b c}%4 x(<3 5>,8) 0 .. 4 a . b c | d - bd:3"]
                .map(|s| s.as_bytes().to_vec()),
        )
        .collect()
}

fn pattern_generate(rng: &mut Rng) -> Vec<u8> {
    let atoms = [
        "c3",
        "e3",
        "~",
        "x",
        "[c3 e3]",
        "<c3 g3>",
        "c3*2",
        "x(3,8)",
        "{a b, c d e}",
    ];
    let mut s = (0..1 + rng.below(4))
        .map(|_| *rng.pick(&atoms))
        .collect::<Vec<_>>()
        .join(" ");
    for _ in 0..rng.below(4) {
        let f = rng.pick(termdaw::pattern::FUNCTIONS);
        let args: Vec<&str> = f
            .usage
            .split_whitespace()
            .skip(1)
            .map(|_| {
                *rng.pick(&[
                    "2", "0.25", "<1 3>", "(1/3)", "rev", "(fast 2)", "up", "1e6", "-3",
                ])
            })
            .collect();
        s = format!("{} {} $ {s}", f.name, args.join(" "));
    }
    s.into_bytes()
}

/// Parse a pattern written in a session and look at its first cycles, as
/// `termdaw pattern` and the chat's `show_pattern` do.
fn run_pattern(input: &[u8]) -> Result<(), String> {
    termdaw::pattern::show::report(
        &format!("Notes(\"{}\")", text(input).replace('"', "'")),
        4,
        true,
    )
    .map(|_| ())
}

// ---- OSC datagrams -----------------------------------------------------------

fn osc_message(rng: &mut Rng) -> rosc::OscPacket {
    let spec = rng.pick(termdaw::action::ACTIONS);
    let args = spec
        .args
        .iter()
        .map(|_| match rng.below(5) {
            0 => rosc::OscType::Float([f32::NAN, f32::INFINITY, 1e30, -1.0, 0.5][rng.below(5)]),
            1 => rosc::OscType::Int(rng.next() as i32),
            2 => rosc::OscType::String("bass".into()),
            3 => rosc::OscType::Double(f64::MAX),
            _ => rosc::OscType::Blob(vec![0; rng.below(16)]),
        })
        .collect();
    rosc::OscPacket::Message(rosc::OscMessage {
        addr: format!("/termdaw/{}", spec.name),
        args,
    })
}

fn osc_seeds() -> Vec<Vec<u8>> {
    let mut rng = Rng::new(7);
    (0..32)
        .filter_map(|_| rosc::encoder::encode(&osc_message(&mut rng)).ok())
        .collect()
}

fn osc_generate(rng: &mut Rng) -> Vec<u8> {
    let mut p = osc_message(rng);
    for _ in 0..rng.below(4) {
        p = rosc::OscPacket::Bundle(rosc::OscBundle {
            timetag: rosc::OscTime {
                seconds: *rng.pick(&[0, 1, 0xFFFF_FFFF, 3_900_000_000]),
                fractional: rng.next() as u32,
            },
            content: vec![p, osc_message(rng)],
        });
    }
    rosc::encoder::encode(&p).unwrap_or_default()
}

/// Decode a datagram as the OSC thread does.
fn run_osc(input: &[u8]) -> Result<(), String> {
    termdaw::osc::decode(input)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

// ---- tool calls ------------------------------------------------------------

const TOOL_SESSION: &str = r#"Session(tempo: 120, tracks: [
    Track(name: "bass", instrument: Synth(), pattern: Notes("c2 ~ e2 g2")),
    Track(name: "drums", instrument: Kick(), pattern: Steps("x... x...")),
])"#;

fn tool_seeds() -> Vec<Vec<u8>> {
    let mut rng = Rng::new(11);
    (0..64).map(|_| tool_generate(&mut rng)).collect()
}

fn tool_generate(rng: &mut Rng) -> Vec<u8> {
    let tools = termdaw::chat::tools::tools();
    let t = rng.pick(&tools);
    let props = t.schema["properties"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    let mut input = serde_json::Map::new();
    for (k, _) in props {
        if rng.chance(0.9) {
            let v: Value = match rng.below(6) {
                0 => json!("bass"),
                1 => json!(rng.below(1000) as f64 / 7.0),
                2 => json!(1e300),
                3 => json!(true),
                4 => json!("fast 2 $ c3 e3"),
                _ => json!([1, {"a": null}]),
            };
            input.insert(k, v);
        }
    }
    format!("{}\n{}", t.name, Value::Object(input)).into_bytes()
}

/// Apply one tool call (`name`, a newline, its JSON arguments) to a fresh
/// session, as a chat reply does.
fn run_tool(input: &[u8]) -> Result<(), String> {
    let text = text(input);
    let (name, args) = text.split_once('\n').unwrap_or((&text, ""));
    let input = serde_json::from_str(args)
        .unwrap_or_else(|e| json!({ "__invalid_json": args, "__error": e.to_string() }));
    let file = termdaw::patch::parse("fuzz.ron", TOOL_SESSION).map_err(|e| e.report())?;
    let mut session = termdaw::session::Session::new(file, None, 48000.0, None);
    let call = termdaw::chat::ToolCall {
        id: "fuzz".into(),
        name: name.to_string(),
        input,
    };
    let outcomes =
        termdaw::chat::apply::Applier::new("fuzz").apply(&mut session, &[call], &|_| None);
    for o in outcomes {
        if let termdaw::chat::apply::Outcome::Done {
            result,
            is_error: true,
            ..
        } = o
        {
            return Err(result);
        }
    }
    Ok(())
}

// ---- streamed replies ------------------------------------------------------------

fn sse_seeds() -> Vec<Vec<u8>> {
    let anthropic = concat!(
        "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"usage\":{\"input_tokens\":3}}}\n\n",
        "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"tool_use\",\"id\":\"t1\",\"name\":\"set_tempo\",\"input\":{}}}\n\n",
        "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"bpm\\\": 128}\"}}\n\n",
        "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n",
        "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n",
    );
    let openai = concat!(
        "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"ok \"}}]}\n\n",
        "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"c1\",\"function\":{\"name\":\"set_tempo\",\"arguments\":\"{\\\"bpm\\\":\"}}]}}]}\n\n",
        "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":\"128}\"}}]},\"finish_reason\":\"tool_calls\"}]}\n\n",
        "data: [DONE]\n\n",
    );
    vec![
        [b"A".as_slice(), anthropic.as_bytes()].concat(),
        [b"O".as_slice(), openai.as_bytes()].concat(),
    ]
}

fn sse_generate(rng: &mut Rng) -> Vec<u8> {
    let seeds = sse_seeds();
    let mut s = rng.pick(&seeds).clone();
    // Cut it anywhere, as the network does: chunks are fed one by one.
    let at = rng.below(s.len());
    s.insert(at, 0);
    s
}

/// Feed a stream (first byte: A for Anthropic, O for OpenAI; a zero byte
/// cuts it into chunks) through the parser and the reply assembler.
fn run_sse(input: &[u8]) -> Result<(), String> {
    use termdaw::chat::ProviderKind;
    let (kind, body) = match input.split_first() {
        Some((b'O', rest)) => (ProviderKind::OpenAi, rest),
        Some((_, rest)) => (ProviderKind::Anthropic, rest),
        None => (ProviderKind::Anthropic, input),
    };
    let mut stream = termdaw::chat::provider::Stream::new(kind);
    for chunk in body.split(|b| *b == 0) {
        if stream.feed(chunk, &mut |_| {}).map_err(|e| e.to_string())? {
            break;
        }
    }
    stream.finish().map(|_| ()).map_err(|e| e.to_string())
}

// ---- audio files -----------------------------------------------------------

fn wav(bits: u16, float: bool, channels: u16, rate: u32) -> Vec<u8> {
    let spec = hound::WavSpec {
        channels,
        sample_rate: rate,
        bits_per_sample: bits,
        sample_format: if float {
            hound::SampleFormat::Float
        } else {
            hound::SampleFormat::Int
        },
    };
    let mut cur = std::io::Cursor::new(Vec::new());
    {
        let mut w = hound::WavWriter::new(&mut cur, spec).expect("wav header");
        for i in 0..64 * channels as i32 {
            if float {
                w.write_sample((i as f32 * 0.1).sin()).expect("sample");
            } else {
                w.write_sample((i * 97) % (1 << (bits - 2)))
                    .expect("sample");
            }
        }
        w.finalize().expect("wav");
    }
    cur.into_inner()
}

fn audio_seeds() -> Vec<Vec<u8>> {
    let mut out = vec![
        wav(16, false, 1, 48000),
        wav(24, false, 2, 44100),
        wav(32, true, 2, 96000),
        wav(8, false, 1, 8000),
    ];
    for name in ["clap.wav", "hat.wav"] {
        out.extend(std::fs::read(root().join("samples").join(name)));
    }
    out.iter_mut().for_each(|w| w.truncate(super::MAX_INPUT));
    out
}

fn audio_generate(rng: &mut Rng) -> Vec<u8> {
    let mut w = wav(
        *rng.pick(&[8, 16, 24, 32]),
        false,
        1 + rng.below(3) as u16,
        *rng.pick(&[1, 8000, 48000, 384000]),
    );
    // A header field set to a value that breaks readers.
    let at = rng.below(44.min(w.len()));
    let v = *rng.pick(&[0u32, 1, 0xFFFF_FFFF, 0x7FFF_FFFF, 65535]);
    for (i, b) in v.to_le_bytes().iter().enumerate() {
        if let Some(x) = w.get_mut(at + i) {
            *x = *b;
        }
    }
    w
}

/// Load a sample as a session's track does (decode, check, resample to the
/// engine's rate). Written to a file because that is what the loader reads.
fn run_audio(input: &[u8]) -> Result<(), String> {
    let dir = std::env::temp_dir().join(format!("termdaw-fuzz-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let ext = match input.get(..4) {
        Some(b"fLaC") => "flac",
        Some(b"OggS") => "ogg",
        Some([b'I', b'D', b'3', _]) => "mp3",
        _ => "wav",
    };
    let path = dir.join(format!("in.{ext}"));
    std::fs::write(&path, input).map_err(|e| e.to_string())?;
    termdaw::sample::load(&path, 48000.0)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

// ---- MIDI bytes ------------------------------------------------------------

fn run_midi(input: &[u8]) -> Result<(), String> {
    let mut d = termdaw::midi::decode::Decoder::default();
    let mut n = 0usize;
    d.feed_all(input, |_| n += 1);
    if n > input.len() {
        return Err(format!("{n} messages from {} bytes", input.len()));
    }
    Ok(())
}
