//! Every block of docs/ generated from the code, in one registry
//! ([`BLOCKS`]), so the documentation cannot drift from the tables it
//! describes: actions, OSC addresses, chat tools, keys, theme roles, the
//! session file's fields and the instrument and effect parameters.
//!
//! Control side, pure; nothing in the program reads it. One test
//! (`tests/all/docs.rs`) checks every block against docs/ and rewrites them
//! with `UPDATE_DOCS=1`. A new generated table is one more [`Block`] here.

use crate::action::{ArgType, ACTIONS};
use crate::kinds::EffectKind;
use crate::kinds::{InstrumentKind, ParamKind, ParamSpec};
use crate::patch::field;

/// One generated block: the doc file it sits in, the name in its
/// `<!-- generated:NAME -->` markers, and the code that writes it.
#[derive(Debug, Clone, Copy)]
pub struct Block {
    /// Relative to the project root.
    pub file: &'static str,
    pub name: &'static str,
    pub generate: fn() -> String,
}

/// Every generated block of the docs.
pub const BLOCKS: &[Block] = &[
    Block {
        file: "docs/processing.md",
        name: "assess-checks",
        generate: crate::analysis::assess::checks_markdown,
    },
    Block {
        file: "docs/processing.md",
        name: "assess-roles",
        generate: crate::analysis::assess::roles_markdown,
    },
    Block {
        file: "docs/presets.md",
        name: "presets",
        generate: crate::preset::markdown,
    },
    Block {
        file: "docs/actions.md",
        name: "actions",
        generate: actions_markdown,
    },
    Block {
        file: "docs/osc.md",
        name: "osc",
        generate: crate::osc::address::markdown,
    },
    Block {
        file: "docs/chat.md",
        name: "chat-tools",
        generate: crate::chat::tools::markdown,
    },
    Block {
        file: "docs/chat.md",
        name: "slash",
        generate: crate::chat::pane::slash_markdown,
    },
    Block {
        file: "docs/keys.md",
        name: "keys",
        generate: keys_markdown,
    },
    Block {
        file: "docs/keys.md",
        name: "theme-roles",
        generate: theme_roles_markdown,
    },
    Block {
        file: "docs/session-format.md",
        name: "session-fields",
        generate: || fields_markdown(field::SESSION),
    },
    Block {
        file: "docs/session-format.md",
        name: "master-fields",
        generate: || fields_markdown(field::MASTER),
    },
    Block {
        file: "docs/session-format.md",
        name: "bus-fields",
        generate: || fields_markdown(field::BUS),
    },
    Block {
        file: "docs/session-format.md",
        name: "track-fields",
        generate: || fields_markdown(field::TRACK),
    },
    Block {
        file: "docs/arrangement.md",
        name: "section-fields",
        generate: || fields_markdown(field::SECTION),
    },
    Block {
        file: "docs/arrangement.md",
        name: "part-fields",
        generate: || fields_markdown(field::PART),
    },
    Block {
        file: "docs/arrangement.md",
        name: "lane-fields",
        generate: || fields_markdown(field::LANE),
    },
    Block {
        file: "docs/arrangement.md",
        name: "clip-fields",
        generate: || fields_markdown(field::CLIP),
    },
    Block {
        file: "docs/arrangement.md",
        name: "macro-fields",
        generate: || fields_markdown(field::MACRO),
    },
    Block {
        file: "docs/arrangement.md",
        name: "macro-target-fields",
        generate: || fields_markdown(field::MACRO_TARGET),
    },
    Block {
        file: "docs/session-format.md",
        name: "instruments",
        generate: instruments_markdown,
    },
    Block {
        file: "docs/session-format.md",
        name: "effects",
        generate: effects_markdown,
    },
    Block {
        file: "docs/architecture.md",
        name: "limits",
        generate: limits_markdown,
    },
];

/// Every bound termdaw puts on what comes from outside (files, flags,
/// packets, replies), with its value read from the constant that enforces it.
pub fn limits_markdown() -> String {
    use crate::patch::{self, clips, lane, macros, song};
    use crate::{chat, files, kinds, osc, pattern, quote, sample, units};
    let mb = |b: u64| format!("{} MB", b >> 20);
    let rows: Vec<(&str, &str, String)> = vec![
        (
            "session",
            "tracks in a session",
            kinds::MAX_TRACKS.to_string(),
        ),
        ("session", "buses", kinds::MAX_BUSES.to_string()),
        (
            "session",
            "effects in one chain (track, bus, master)",
            kinds::MAX_EFFECTS.to_string(),
        ),
        (
            "session",
            "reverbs and delays in a whole session",
            kinds::MAX_LONG_EFFECTS.to_string(),
        ),
        (
            "session",
            "size of a session or patch file",
            mb(patch::MAX_FILE_BYTES),
        ),
        (
            "session",
            "files one session includes",
            patch::MAX_INCLUDES.to_string(),
        ),
        (
            "session",
            "controller mappings",
            patch::format::MAX_MAPPINGS.to_string(),
        ),
        (
            "session",
            "timeline clips on a track",
            clips::MAX_CLIPS.to_string(),
        ),
        ("song", "sections", song::MAX_SECTIONS.to_string()),
        (
            "song",
            "entries in the song order",
            song::MAX_SONG.to_string(),
        ),
        ("song", "markers", song::MAX_MARKERS.to_string()),
        ("song", "bars of a section", song::MAX_BARS.to_string()),
        (
            "song",
            "repeats of a song entry",
            song::MAX_REPEATS.to_string(),
        ),
        (
            "song",
            "automation lanes laid over the whole song",
            song::MAX_LAID_LANES.to_string(),
        ),
        (
            "song",
            "automation lanes in one place",
            lane::MAX_LANES.to_string(),
        ),
        (
            "song",
            "breakpoints in a lane",
            lane::MAX_POINTS.to_string(),
        ),
        ("song", "macros", macros::MAX_MACROS.to_string()),
        (
            "song",
            "targets of a macro",
            macros::MAX_TARGETS.to_string(),
        ),
        (
            "pattern",
            "events a pattern may make in one cycle",
            pattern::MAX_CYCLE_EVENTS.to_string(),
        ),
        (
            "pattern",
            "events one query may return",
            pattern::MAX_EVENTS.to_string(),
        ),
        (
            "pattern",
            "cycles `termdaw pattern` shows",
            pattern::show::MAX_SHOW_CYCLES.to_string(),
        ),
        (
            "note",
            "gain of one note",
            format!("{}×", kinds::controls::MAX_GAIN),
        ),
        (
            "note",
            "nudge of one note",
            format!("±{} s", kinds::controls::MAX_NUDGE_S),
        ),
        (
            "note",
            "speed of one note",
            format!(
                "{}–{}×",
                kinds::controls::SPEED_RANGE.0,
                kinds::controls::SPEED_RANGE.1
            ),
        ),
        (
            "sample",
            "sample rate a sample file may declare",
            format!("{}–{} Hz", sample::RATES.0, sample::RATES.1),
        ),
        (
            "sample",
            "length of a sample",
            format!("{} s", sample::MAX_SECONDS),
        ),
        (
            "sample",
            "slice markers in a file",
            sample::cue::MAX_MARKERS.to_string(),
        ),
        (
            "tone",
            "tones `termdaw tone` mixes",
            crate::process::tone::MAX_TONES.to_string(),
        ),
        (
            "tone",
            "length of a tone",
            format!("{} s", crate::process::tone::MAX_SECONDS),
        ),
        (
            "chat",
            "chords `suggest_chords` writes into a track",
            crate::chat::harmony::MAX_PROGRESSION.to_string(),
        ),
        (
            "sample",
            "changes waiting for their sample to decode",
            crate::session::loading::MAX_WAITING.to_string(),
        ),
        (
            "sample",
            "decoded samples kept that no track plays any more",
            mb(crate::session::build::MAX_UNUSED_SAMPLE_BYTES as u64),
        ),
        (
            "OSC",
            "size of a datagram",
            format!("{} bytes", osc::MAX_DATAGRAM),
        ),
        (
            "OSC",
            "messages in one datagram",
            osc::decode::MAX_MESSAGES.to_string(),
        ),
        (
            "OSC",
            "bundle nesting",
            osc::decode::MAX_NESTING.to_string(),
        ),
        (
            "OSC",
            "messages waiting for the control loop",
            osc::QUEUE.to_string(),
        ),
        (
            "OSC",
            "messages applied per turn of the control loop",
            osc::MAX_PER_POLL.to_string(),
        ),
        (
            "chat",
            "size of one streamed reply",
            mb(chat::provider::MAX_REPLY_BYTES as u64),
        ),
        (
            "chat",
            "content blocks (text, tool calls) in a reply",
            chat::provider::MAX_BLOCKS.to_string(),
        ),
        (
            "chat",
            "bytes of an error response read",
            format!("{} KB", chat::provider::MAX_ERROR_BODY >> 10),
        ),
        (
            "chat",
            "characters of a server's error message shown",
            chat::provider::MAX_SERVER_MESSAGE.to_string(),
        ),
        (
            "chat",
            "bytes of events `show_pattern` returns",
            format!("{} KB", chat::apply::MAX_SHOWN >> 10),
        ),
        (
            "chat",
            "`max_tokens` a config may ask for",
            chat::config::MAX_TOKENS.to_string(),
        ),
        (
            "chat",
            "size of a chat history file (then moved aside to `.old`; a bigger one is read from its end)",
            mb(chat::history::MAX_HISTORY_BYTES),
        ),
        (
            "files",
            "size of config.ron, keys.ron, midi.ron or a theme",
            mb(files::MAX_CONFIG_BYTES),
        ),
        (
            "command line",
            "`render --seconds` (and any render to a file)",
            format!("{} s", units::MAX_RENDER_SECONDS),
        ),
        (
            "command line",
            "a render into memory (`analyze`, the chat's `analyse_mix`)",
            format!("{} s", units::MAX_ANALYZE_SECONDS),
        ),
        ("command line", "`--bars`", units::MAX_BARS.to_string()),
        (
            "command line",
            "`--seconds` of a live run",
            format!("{} s", units::MAX_RUN_SECONDS),
        ),
        (
            "command line",
            "`--rate` and the config's `rate`",
            format!("{}–{} Hz", units::DEVICE_RATES.0, units::DEVICE_RATES.1),
        ),
        (
            "command line",
            "`analyze --target`",
            format!("{} to {} LUFS", units::LUFS.0, units::LUFS.1),
        ),
        (
            "command line",
            "`analyze --true-peak`",
            format!("{} to {} dBTP", units::DBTP.0, units::DBTP.1),
        ),
        (
            "messages",
            "characters of outside text one message quotes",
            quote::MAX_QUOTE.to_string(),
        ),
        (
            "messages",
            "characters of a line a session error quotes",
            patch::error::MAX_QUOTED_LINE.to_string(),
        ),
    ];
    let mut out = String::from("| where | what | at most |\n| --- | --- | --- |\n");
    for (area, what, value) in rows {
        out.push_str(&format!("| {area} | {what} | {value} |\n"));
    }
    out
}

/// The default key bindings.
pub fn keys_markdown() -> String {
    crate::tui::Keymap::defaults().markdown()
}

/// The colour roles a theme file can set.
pub fn theme_roles_markdown() -> String {
    let mut roles = String::from("| role | used for |\n| --- | --- |\n");
    for (role, doc) in crate::tui::theme::ROLES {
        roles.push_str(&format!("| `{role}` | {doc} |\n"));
    }
    roles
}

fn range(p: &ParamSpec) -> String {
    match p.kind {
        ParamKind::Number => format!("{} – {}", p.min, p.max),
        ParamKind::Choice(c) => c.join(", "),
        ParamKind::Path => "file path".into(),
    }
}

fn default(p: &ParamSpec) -> String {
    match p.kind {
        ParamKind::Number => format!("{}", p.default),
        ParamKind::Choice(c) => c.get(p.default as usize).copied().unwrap_or("").to_string(),
        ParamKind::Path => "(required)".into(),
    }
}

fn table(params: &[ParamSpec]) -> String {
    let mut s = String::from(
        "| parameter | unit | range | default | what it does |\n| --- | --- | --- | --- | --- |\n",
    );
    for p in params {
        s += &format!(
            "| `{}` | {} | {} | {} | {} |\n",
            p.name,
            if p.unit.is_empty() { "–" } else { p.unit },
            range(p),
            default(p),
            p.doc
        );
    }
    s
}

/// Every instrument kind with its parameters.
pub fn instruments_markdown() -> String {
    let mut s = String::new();
    for k in InstrumentKind::ALL {
        s += &format!("### `{}(...)`\n\n{}.\n\n", k.name(), capitalise(k.doc()));
        s += &table(k.params());
        s += "\n";
    }
    s
}

/// Every effect kind with its parameters.
pub fn effects_markdown() -> String {
    let mut s = String::new();
    for k in EffectKind::ALL {
        s += &format!("### `{}(...)`\n\n{}.\n\n", k.name(), capitalise(k.doc()));
        s += &table(k.params());
        s += "\n";
    }
    s
}

fn arg_type(t: &ArgType) -> String {
    match t {
        ArgType::Number { min, max, unit } => {
            format!(
                "number {min} – {max}{}",
                if unit.is_empty() {
                    String::new()
                } else {
                    format!(" {unit}")
                }
            )
        }
        ArgType::Int { min, max } => format!("whole number {min} – {max}"),
        ArgType::Bool => "on/off".into(),
        ArgType::Text => "text".into(),
        ArgType::Choice(c) => format!("one of {}", c.join(", ")),
        ArgType::TrackName => "track name".into(),
        ArgType::Ron => "RON text".into(),
        ArgType::Any => "number or name".into(),
    }
}

/// The action table.
pub fn actions_markdown() -> String {
    let mut s = String::from("| action | arguments | what it does |\n| --- | --- | --- |\n");
    for a in ACTIONS {
        let args = a
            .args
            .iter()
            .map(|x| format!("`{}` ({}: {})", x.name, arg_type(&x.ty), x.doc))
            .collect::<Vec<_>>()
            .join("<br>");
        s += &format!(
            "| `{}` | {} | {} |\n",
            a.name,
            if args.is_empty() { "–".into() } else { args },
            a.doc.trim()
        );
    }
    s
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// Replace the block between `<!-- generated:NAME -->` and `<!-- /generated:NAME -->`.
pub fn splice(doc: &str, name: &str, body: &str) -> Option<String> {
    let open = format!("<!-- generated:{name} -->");
    let close = format!("<!-- /generated:{name} -->");
    let a = doc.find(&open)? + open.len();
    let b = doc.find(&close)?;
    Some(format!("{}\n{}{}", &doc[..a], body, &doc[b..]))
}

/// The docs table of one owner: one row per field, in file order.
pub fn fields_markdown<M>(entries: &'static [field::Entry<M>]) -> String {
    let mut s = String::from(
        "| field | unit | range | default | what it does |\n| --- | --- | --- | --- | --- |\n",
    );
    for e in entries {
        let (name, unit, range, default, doc) = match e {
            field::Entry::Other(r) => (
                r.name,
                r.unit.to_string(),
                r.range.to_string(),
                r.default.to_string(),
                r.doc,
            ),
            field::Entry::Scalar(f) => {
                let range = match f.range {
                    field::Range::Number { min, max } => format!("{min} – {max}"),
                    field::Range::Int { min, max } => format!("{min} – {max}"),
                    field::Range::OneOf(list) => list
                        .iter()
                        .map(u32::to_string)
                        .collect::<Vec<_>>()
                        .join(", "),
                    field::Range::Bool => "`true` / `false`".into(),
                };
                let default = match f.range {
                    field::Range::Bool => format!("`{}`", f.default != 0.0),
                    _ => f.default.to_string(),
                };
                (f.name, f.unit.to_string(), range, default, f.doc)
            }
        };
        s += &format!("| `{name}` | {unit} | {range} | {default} | {doc} |\n");
    }
    s
}
