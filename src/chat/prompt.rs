//! The system prompt: what termdaw is, the session format and the pattern
//! language (the user docs themselves, included at build time, not a second
//! copy), and how changes land; then the session as it is now.
//!
//! Control side, pure. The stable part comes first and never changes while
//! termdaw runs, so providers can cache it; the context (tempo, key, tracks,
//! what is playing) is a separate, small second part.

use crate::patch::Quantum;
use crate::session::Session;

const SESSION_FORMAT: &str = include_str!("../../docs/session-format.md");
const PATTERNS: &str = include_str!("../../docs/patterns.md");

const INTRO: &str = "\
You are the arranger inside termdaw, a terminal live-coding DAW. The musician \
talks to you while the music plays; you change the session with tools.

How to work:
- Every tool call is applied at once to the live session (the same path as a \
key press) and its result tells you what happened, including refusals. Read \
results; if one is an error, fix the call and try again.
- Changes land on the session's quantum (immediately, next beat or next bar), \
so several calls in one reply land together.
- Call read_session when you need the current tracks, instruments and patterns. \
Use set_param/set_pattern/set_tempo and the other small tools for small changes; \
write_session replaces the whole session file and write_patch one of the patch \
files it includes (both checked first: a syntax error comes back with its line \
and column and nothing changes).
- Track names, parameter names and pattern syntax must be exactly as the \
reference below says. Keep patterns musical and in the session's key and scale.
- The whole reply undoes as one step; the musician can say /undo.
- After the changes, answer in one or two short sentences saying what you changed.

Reference: the session file format and the pattern language follow.
";

/// The stable part: instructions and the reference docs.
pub fn stable() -> String {
    format!(
        "{INTRO}\n\n{}\n\n{}",
        compact(SESSION_FORMAT),
        compact(&patterns_for_the_model())
    )
}

/// docs/patterns.md with its function tables folded into one line of
/// usages: the whole reference (what each does, an example) is the
/// `pattern_functions` tool's answer, so the prompt stays small enough for
/// a local model's window.
fn patterns_for_the_model() -> String {
    let (Some(start), Some(end)) = (
        PATTERNS.find("### Every function"),
        PATTERNS.find("## Reference"),
    ) else {
        return PATTERNS.to_string();
    };
    let usages: Vec<&str> = crate::pattern::FUNCTIONS.iter().map(|f| f.usage).collect();
    format!(
        "{}### Every function\n\n{}\n\nCall pattern_functions for what each does with an example, and show_pattern to see the events a pattern makes before you set it.\n\n{}",
        &PATTERNS[..start],
        usages.join(" · "),
        &PATTERNS[end..]
    )
}

/// Sections of the docs written for people running termdaw by hand, not
/// for the model (whose errors come back as tool results).
const SKIPPED_SECTIONS: &[&str] = &[
    "## Errors",
    "## Limits",
    // The swing field's row says what it does; this is its fine print.
    "### Swing",
    "## Differences from TidalCycles",
    // Fine print for people who know Tidal; the usages line and
    // pattern_functions say what each function does here.
    "### How the functions follow Tidal",
    "## Examples",
    // The model has show_pattern for this.
    "### Looking inside a pattern",
    // Told as well by one row each of the reference table.
    "### Polymeters",
    "### Groups with",
    "### Random choice",
    "### Ranges",
    "### Rests with",
    "### Sample indexes",
    "### Combining modifiers",
    "### Elongation",
    "### Repeat a step",
    "### Chance `?`",
    "### Patterns as arguments",
];

/// The docs as the model reads them: the same text without what only
/// helps a human eye or repeats itself (the prompt is sent with every
/// request, and local models have small context windows): table rules and
/// padding, markup comments, the `bypass` row every effect table repeats
/// and the long form of the `mix` row's text (both described once above
/// the tables), and the sections in [`SKIPPED_SECTIONS`].
fn compact(md: &str) -> String {
    let mut out = String::with_capacity(md.len());
    // The level of the heading being skipped: it ends at the next heading
    // of that level or above.
    let mut skipping: Option<usize> = None;
    let mut blank = false;
    for line in md.lines() {
        let level = line.chars().take_while(|c| *c == '#').count();
        if (2..=3).contains(&level)
            && line[level..].starts_with(' ')
            && skipping.is_none_or(|l| level <= l)
        {
            skipping = SKIPPED_SECTIONS
                .iter()
                .any(|s| line.starts_with(s))
                .then_some(level);
        }
        let skipping = skipping.is_some();
        let t = line.trim_end();
        let rule = t.starts_with("| ---") || t.starts_with("|---");
        if skipping
            || rule
            || (t.starts_with("<!--") && t.ends_with("-->"))
            || t.starts_with("| `bypass` |")
        {
            continue;
        }
        if t.is_empty() {
            if !blank {
                out.push('\n');
            }
            blank = true;
            continue;
        }
        blank = false;
        if let Some(row) = t.strip_prefix("| ").and_then(|r| r.strip_suffix(" |")) {
            out.push_str(
                &row.replace(" | ", "|")
                    .replace(crate::kinds::effect::MIX_TEXT, "wet share"),
            );
        } else {
            out.push_str(t);
        }
        out.push('\n');
    }
    out
}

/// The session now, compact and true.
pub fn context(session: &Session) -> String {
    format!(
        "The session now (it may change between messages; read_session gives the latest):\n{}",
        summary(session)
    )
}

/// A compact summary of the session: settings, then each bus and track as RON.
pub fn summary(session: &Session) -> String {
    let f = session.file();
    let quantum = match f.quantum {
        Quantum::Immediate => "immediately",
        Quantum::Beat => "on the next beat",
        Quantum::Bar => "on the next bar",
    };
    let mut s = format!(
        "tempo {} BPM, time signature {}/{}, key {} {}, swing {}, changes land {quantum}, {}\n",
        f.tempo,
        f.time_signature.beats,
        f.time_signature.unit,
        f.key,
        ron_of(&f.scale),
        f.swing,
        if session.is_playing() {
            "playing"
        } else {
            "stopped"
        }
    );
    if let Some(h) = session.engine() {
        let (beat, playing) = h.counters.position();
        if playing {
            let bpb = f.time_signature.beats.max(1) as f64;
            s += &format!(
                "playhead: bar {}, beat {}\n",
                (beat / bpb).floor() as i64 + 1,
                (beat % bpb).floor() as i64 + 1
            );
        }
    }
    s += &format!("master: {}\n", ron_of(&f.master));
    for b in &f.buses {
        s += &format!("bus: {}\n", ron_of(b));
    }
    if f.tracks.is_empty() {
        s += "tracks: none\n";
    }
    for t in &f.tracks {
        s += &format!("track: {}\n", ron_of(t));
    }
    s += &form(session);
    s
}

/// The song's form: its sections, song order, markers and lanes as RON,
/// and which section plays or waits (so "go to the chorus" or "make the
/// drop longer" has something to act on).
fn form(session: &Session) -> String {
    let f = session.file();
    let mut s = String::new();
    for sec in &f.sections {
        s += &format!("section: {}\n", ron_of(sec));
    }
    if !f.song.is_empty() {
        s += &format!("song order: {}\n", ron_of(&f.song));
    }
    if !f.markers.is_empty() {
        s += &format!("markers (bars): {}\n", ron_of(&f.markers));
    }
    if let Some((a, b)) = f.loop_bars {
        s += &format!("looping bars {a}–{b}\n");
    }
    for l in &f.automation {
        s += &format!("lane: {}\n", ron_of(l));
    }
    let form = session.form();
    let bar = |beat: f64| (beat / f.beats_per_bar()).floor() as i64 + 1;
    if !f.sections.is_empty() {
        s += match form.mode {
            crate::session::Mode::Song => "mode: song (the song order leads)\n",
            crate::session::Mode::Live => "mode: live (launched sections lead)\n",
        };
    }
    if let Some((name, since)) = &form.playing {
        s += &format!("section playing: {name} (since bar {})\n", bar(*since));
    }
    if let Some((name, at)) = &form.queued {
        s += &format!("section queued: {name} (starts bar {})\n", bar(*at));
    }
    s
}

/// One line of RON in the session-file format (struct names included, so
/// the model can copy it into add_track or write_session).
fn ron_of<T: serde::Serialize>(v: &T) -> String {
    let one_line = ron::ser::PrettyConfig::new()
        .struct_names(true)
        .new_line(String::new())
        .indentor(String::new())
        .separator(" ".to_string())
        .extensions(ron::extensions::Extensions::IMPLICIT_SOME);
    ron::Options::default()
        .with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME)
        .to_string_pretty(v, one_line)
        .unwrap_or_default()
}
