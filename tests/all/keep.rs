//! A save keeps the musician's text: after 50 random actions on every file
//! in patches/ (plain, and with comments on every line), the saved file
//! reads as exactly the session, every comment of a surviving element is
//! still there, and every line no action touched is byte-identical.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use termdaw::action::{Action, ArgValue};
use termdaw::kinds::ParamKind;
use termdaw::patch::{self, EffectDef};
use termdaw::session::Session;

/// A small deterministic generator (xorshift), so a failure replays.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn range(&mut self, lo: f64, hi: f64, step: f64) -> f64 {
        let steps = ((hi - lo) / step).floor() as usize;
        ((lo + self.below(steps + 1) as f64 * step) * 1e4).round() / 1e4
    }
}

/// Which part of the file a line belongs to: a track (by its name in the
/// original file) or the session, and the field within it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Owner {
    track: Option<String>,
    key: String,
}

fn indent(l: &str) -> usize {
    l.len() - l.trim_start().len()
}

fn is_comment(l: &str) -> bool {
    l.trim_start().starts_with("//")
}

/// A line without its trailing comment.
fn code(l: &str) -> &str {
    l.split(" //").next().unwrap_or(l).trim()
}

fn field_key(l: &str) -> Option<String> {
    let t = l.trim_start();
    let end = t.find(':')?;
    let k = &t[..end];
    (!k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        .then(|| k.to_string())
}

fn name_in(l: &str) -> Option<String> {
    let at = l.find("name: \"")? + 7;
    let end = l[at..].find('"')?;
    Some(l[at..at + end].to_string())
}

/// The owner of every line of a session or patch file written in the
/// layout of patches/ (one field per line at the top level, tracks as
/// `Track(` blocks or one-line `Track(…)` items).
fn owners(text: &str) -> Vec<Owner> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = vec![
        Owner {
            track: None,
            key: String::new()
        };
        lines.len()
    ];
    let mut top = String::from("header");
    let mut i = 0;
    while i < lines.len() {
        let l = lines[i];
        let t = l.trim_start();
        if t.starts_with("Track(") || (t.starts_with('(') && top == "tracks") {
            let ind = indent(l);
            let mut end = i;
            if !code(t).ends_with('(') {
                // one line
            } else {
                while end + 1 < lines.len() {
                    end += 1;
                    let e = lines[end];
                    if indent(e) == ind && code(e).starts_with(')') {
                        break;
                    }
                }
            }
            let name = (i..=end)
                .find_map(|k| name_in(lines[k]))
                .unwrap_or_default();
            // Its own comment lines above it.
            let mut first = i;
            while first > 0 && is_comment(lines[first - 1]) {
                first -= 1;
            }
            let mut key = String::from("track");
            let mut pending: Vec<usize> = Vec::new();
            for k in first..=end {
                let line = lines[k];
                if k > i && k < end && indent(line) == ind + 4 {
                    if is_comment(line) {
                        pending.push(k);
                        continue;
                    }
                    if let Some(f) = field_key(line) {
                        key = f;
                    }
                    for p in pending.drain(..) {
                        out[p] = Owner {
                            track: Some(name.clone()),
                            key: key.clone(),
                        };
                    }
                }
                if k == end && end > i {
                    key = String::from("close");
                    for p in pending.drain(..) {
                        out[p] = Owner {
                            track: Some(name.clone()),
                            key: key.clone(),
                        };
                    }
                }
                out[k] = Owner {
                    track: Some(name.clone()),
                    key: if k < i || (k == i && end > i) {
                        "track".into()
                    } else if end == i {
                        "one line".into()
                    } else {
                        key.clone()
                    },
                };
            }
            i = end + 1;
            continue;
        }
        if indent(l) == 4 && !is_comment(l) {
            if let Some(k) = field_key(l) {
                top = k;
            }
        }
        out[i] = match name_in(l) {
            // `tracks: [Track(…)]` on one line
            Some(name) if top == "tracks" && l.contains("Track(") => Owner {
                track: Some(name),
                key: "one line".into(),
            },
            _ => Owner {
                track: None,
                key: top.clone(),
            },
        };
        i += 1;
    }
    out
}

/// Which original lines are kept, unchanged, in `new` (a longest common
/// subsequence of lines).
fn kept_lines<T: PartialEq>(old: &[T], new: &[T]) -> Vec<bool> {
    let (n, m) = (old.len(), new.len());
    let mut t = vec![vec![0u16; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            t[i][j] = if old[i] == new[j] {
                t[i + 1][j + 1] + 1
            } else {
                t[i + 1][j].max(t[i][j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut kept = vec![false; n];
    while i < n && j < m {
        if old[i] == new[j] {
            kept[i] = true;
            i += 1;
            j += 1;
        } else if t[i + 1][j] >= t[i][j + 1] {
            i += 1;
        } else {
            j += 1;
        }
    }
    kept
}

/// Comment lines on every line, and after every line that ends with a
/// comma or an opening bracket.
fn with_comments_everywhere(text: &str) -> String {
    let mut out = String::new();
    for (n, l) in text.lines().enumerate() {
        let ind = &l[..indent(l)];
        if !l.trim().is_empty() {
            out.push_str(&format!("{ind}// note {n}\n"));
        }
        out.push_str(l);
        if l.ends_with(',') || l.ends_with('(') || l.ends_with('[') {
            out.push_str(&format!(" // tail {n}"));
        }
        out.push('\n');
    }
    out
}

/// What the actions did: the fields touched per original track name, the
/// session fields touched, the tracks removed.
#[derive(Default)]
struct Touched {
    fields: BTreeSet<Owner>,
    removed: BTreeSet<String>,
    /// Current name → name in the original file.
    original: BTreeMap<String, String>,
}

impl Touched {
    fn touch(&mut self, track: &str, key: &str) {
        let orig = self
            .original
            .get(track)
            .cloned()
            .unwrap_or(track.to_string());
        self.fields.insert(Owner {
            track: Some(orig),
            key: key.into(),
        });
    }
}

fn effect(text: &str) -> EffectDef {
    ron::from_str(text).unwrap()
}

/// One random action on the session, and what it touches.
fn random_action(
    s: &Session,
    rng: &mut Rng,
    round: usize,
) -> (Action, Vec<(String, &'static str)>) {
    let file = s.file();
    let names: Vec<String> = file.tracks.iter().map(|t| t.name.to_string()).collect();
    let track = names[rng.below(names.len())].clone();
    let t = file.track(track.as_str()).unwrap();
    let touch = |k: &'static str| vec![(track.clone(), k)];
    let buses: Vec<String> = file.buses.iter().map(|b| b.name.to_string()).collect();
    match rng.below(15) {
        0 => (
            Action::SetTempo {
                bpm: rng.range(70.0, 170.0, 0.5),
            },
            vec![(String::new(), "tempo")],
        ),
        1 => (
            Action::SetVolume {
                track: track.clone(),
                db: rng.range(-30.0, 0.0, 0.5),
            },
            touch("volume"),
        ),
        2 => (
            Action::SetPan {
                track: track.clone(),
                pan: rng.range(-1.0, 1.0, 0.05),
            },
            touch("pan"),
        ),
        3 => (
            Action::SetMute {
                track: track.clone(),
                on: rng.below(2) == 0,
            },
            touch("mute"),
        ),
        4 => {
            let params: Vec<_> = t
                .instrument
                .kind
                .params()
                .iter()
                .filter(|p| p.kind == ParamKind::Number)
                .collect();
            let p = params[rng.below(params.len())];
            let v = rng.range(p.min as f64, p.max as f64, ((p.max - p.min) / 64.0) as f64);
            (
                Action::SetParam {
                    track: track.clone(),
                    param: p.name.into(),
                    value: ArgValue::Number(v),
                },
                touch("instrument"),
            )
        }
        5 => (
            Action::SetPattern {
                track: track.clone(),
                notation: "notes".into(),
                pattern: ["c3 e3 g3", "a2 ~ a2 c3", "<c3 d3> e3*2", "x ~ x x"][rng.below(4)].into(),
            },
            touch("pattern"),
        ),
        6 => (
            Action::RenameTrack {
                track: track.clone(),
                name: format!("r{round}"),
            },
            touch("name"),
        ),
        7 => {
            let mut new = t.clone();
            new.name = patch::Name(format!("new{round}"));
            new.origin = None;
            // A list on one line (or empty) gets new lines.
            (
                Action::AddTrack { track: new },
                vec![(String::new(), "tracks")],
            )
        }
        8 if names.len() > 2 => (Action::RemoveTrack { track }, vec![]),
        9 => (
            Action::AddEffect {
                chain: track.clone(),
                position: rng.below(t.effects.len() + 1) as i64,
                effect: effect(
                    [
                        "Delay(time: 0.25, mix: 0.2)",
                        "Lowpass(cutoff: 2000)",
                        "Drive(gain: 6)",
                    ][rng.below(3)],
                ),
            },
            touch("effects"),
        ),
        10 if !t.effects.is_empty() => (
            Action::RemoveEffect {
                chain: track.clone(),
                position: rng.below(t.effects.len()) as i64,
            },
            touch("effects"),
        ),
        11 if t.effects.len() > 1 => {
            let mut effects = t.effects.clone();
            effects.reverse();
            (
                Action::SetEffects {
                    track: track.clone(),
                    effects,
                },
                touch("effects"),
            )
        }
        12 if !buses.is_empty() => (
            Action::SetSend {
                track: track.clone(),
                bus: buses[rng.below(buses.len())].clone(),
                db: [-120.0, -12.0, -6.5][rng.below(3)],
            },
            touch("sends"),
        ),
        13 if !buses.is_empty() => (
            Action::SetBusVolume {
                bus: buses[rng.below(buses.len())].clone(),
                db: rng.range(-20.0, 0.0, 0.5),
            },
            vec![(String::new(), "buses")],
        ),
        14 => {
            let lib = termdaw::preset::in_order();
            let p = lib[rng.below(lib.len())];
            (
                Action::LoadPreset {
                    track: track.clone(),
                    preset: p.name.clone(),
                },
                ["instrument", "effects", "volume"]
                    .map(|k| (track.clone(), k))
                    .to_vec(),
            )
        }
        _ => (
            Action::SetVolume {
                track: track.clone(),
                db: -6.0,
            },
            touch("volume"),
        ),
    }
}

/// Copy patches/ (and a link to samples/) into a fresh folder.
fn sandbox(name: &str) -> PathBuf {
    let root = std::env::temp_dir().join(format!("termdaw-keep-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::create_dir_all(root.join("patches/live")).unwrap();
    std::os::unix::fs::symlink(repo.join("samples"), root.join("samples")).unwrap();
    for dir in ["patches", "patches/live"] {
        for e in std::fs::read_dir(repo.join(dir)).unwrap().flatten() {
            if e.path().extension().is_some_and(|x| x == "ron") {
                std::fs::copy(e.path(), root.join(dir).join(e.file_name())).unwrap();
            }
        }
    }
    for (k, text) in doc_sessions().iter().enumerate() {
        std::fs::write(root.join(format!("patches/live/doc-{k}.ron")), text).unwrap();
    }
    root
}

/// The whole sessions shown in docs/ (```ron blocks that read as one).
fn doc_sessions() -> Vec<String> {
    let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs");
    let mut names: Vec<PathBuf> = std::fs::read_dir(docs)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    names.sort();
    let mut out = Vec::new();
    for p in names {
        let md = std::fs::read_to_string(p).unwrap();
        for block in md.split("```ron\n").skip(1) {
            let text = block.split("```").next().unwrap_or("");
            if text.contains("Session(") && patch::parse("doc.ron", text).is_ok() {
                out.push(text.to_string());
            }
        }
    }
    out
}

/// The session files of patches/ (a session, not an included patch).
fn sessions() -> Vec<String> {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    for dir in ["patches", "patches/live"] {
        for e in std::fs::read_dir(repo.join(dir)).unwrap().flatten() {
            let text = std::fs::read_to_string(e.path()).unwrap_or_default();
            if text.contains("Session(") {
                out.push(format!("{dir}/{}", e.file_name().to_string_lossy()));
            }
        }
    }
    out.extend((0..doc_sessions().len()).map(|k| format!("patches/live/doc-{k}.ron")));
    out.sort();
    out
}

fn run(rel: &str, comments: bool, seed: u64) {
    let root = sandbox(&format!("{}-{comments}-{seed}", rel.replace('/', "_")));
    let path = root.join(rel);
    let mut files: Vec<PathBuf> = vec![path.clone()];
    let first = patch::load(&path).unwrap();
    let base = path.parent().unwrap();
    files.extend(first.includes.iter().map(|i| base.join(i)));
    if comments {
        for f in &files {
            let t = std::fs::read_to_string(f).unwrap();
            std::fs::write(f, with_comments_everywhere(&t)).unwrap();
        }
    }
    let originals: Vec<String> = files
        .iter()
        .map(|f| std::fs::read_to_string(f).unwrap())
        .collect();
    let mut s = Session::load(&path, 48000.0, None).unwrap();
    let mut rng = Rng(seed);
    let mut touched = Touched::default();
    for t in &s.file().tracks {
        touched
            .original
            .insert(t.name.to_string(), t.name.to_string());
    }
    let mut log = Vec::new();
    for round in 0..50 {
        let (action, touches) = random_action(&s, &mut rng, round);
        let before = s.file().clone();
        let desc = format!("{action:?}");
        if s.apply(action.clone()).is_err() || *s.file() == before {
            continue;
        }
        log.push(desc);
        for (track, key) in touches {
            if track.is_empty() {
                touched.fields.insert(Owner {
                    track: None,
                    key: key.into(),
                });
            } else {
                touched.touch(&track, key);
            }
        }
        match &action {
            Action::RenameTrack { track, name } => {
                let orig = touched.original.remove(track).unwrap_or(track.clone());
                touched.original.insert(name.clone(), orig);
            }
            Action::RemoveTrack { track } => {
                let orig = touched.original.remove(track).unwrap_or(track.clone());
                touched.removed.insert(orig);
            }
            _ => {}
        }
    }
    s.save()
        .unwrap_or_else(|e| panic!("{rel}: save failed: {e}\nactions: {log:#?}"));
    let context = || format!("{rel} (comments: {comments}, seed {seed})\nactions: {log:#?}");

    // (a) The file reads as exactly the session.
    let loaded = patch::load(&path).unwrap_or_else(|e| panic!("{}\n{}", e.report(), context()));
    // A load lists the session file's own tracks first, then each include's.
    let mut model = s.file().clone();
    model.tracks.sort_by_key(|t| t.origin.map_or(0, |i| i + 1));
    assert_eq!(loaded, model, "{}", context());

    for (f, old) in files.iter().zip(&originals) {
        let new = std::fs::read_to_string(f).unwrap();
        let old_lines: Vec<&str> = old.lines().collect();
        let new_lines: Vec<&str> = new.lines().collect();
        let own = owners(old);
        let new_owners = owners(&new);
        // Lines match only within the same element (many lines read `Track(`).
        let current = |o: &Owner| {
            o.track.as_ref().map(|t| {
                touched
                    .original
                    .iter()
                    .find(|(_, orig)| *orig == t)
                    .map_or(String::from("(removed)"), |(cur, _)| cur.clone())
            })
        };
        let old_keyed: Vec<_> = old_lines
            .iter()
            .zip(&own)
            .map(|(l, o)| (current(o), *l))
            .collect();
        let new_keyed: Vec<_> = new_lines
            .iter()
            .zip(&new_owners)
            .map(|(l, o)| (o.track.clone(), *l))
            .collect();
        let kept = kept_lines(&old_keyed, &new_keyed);
        let survives = |o: &Owner| match &o.track {
            // A section's part goes with its track.
            // (A renamed track's part is a new map key: its comments go;
            // see the note in docs/arrangement.md.)
            None if o.key == "sections" => {
                touched.removed.is_empty() && touched.original.iter().all(|(a, b)| a == b)
            }
            // A removed track takes its lanes (and their comments) along.
            None if o.key == "automation" => touched.removed.is_empty(),
            None => true,
            Some(t) if touched.removed.contains(t) => false,
            Some(t) => {
                let now = touched
                    .original
                    .iter()
                    .find(|(_, orig)| *orig == t)
                    .map(|(cur, _)| cur.clone());
                let key_now = ["track", "close"].contains(&o.key.as_str())
                    || new_owners.iter().any(|n| n.track == now && n.key == o.key);
                now.is_some() && key_now
            }
        };
        for (k, line) in old_lines.iter().enumerate() {
            let o = &own[k];
            // (b) A comment of a surviving element is still there.
            // The comment lines above a field go with it (the writer's
            // rule), and `automation:` goes when a removal took its last lane.
            let above_gone_lanes = o.track.is_none()
                && old_lines[k + 1..]
                    .iter()
                    .find(|l| !is_comment(l))
                    .is_some_and(|n| n.trim_start().starts_with("automation:"))
                && !new.contains("automation:");
            if is_comment(line) && survives(o) && !above_gone_lanes {
                assert!(
                    new_lines.contains(line),
                    "{}: comment line {} lost: {line:?} (owner {o:?})\n{new}\n{}",
                    f.display(),
                    k + 1,
                    context()
                );
            }
            // (c) A line no action touched is byte-identical.
            if !kept[k] {
                let removed = o
                    .track
                    .as_ref()
                    .is_some_and(|t| touched.removed.contains(t));
                // A track written on one line: any field of it.
                let one_line =
                    o.key == "one line" && touched.fields.iter().any(|t| t.track == o.track);
                // Sections follow their tracks (a rename, a removal) and
                // take the edits of the values they set while they play.
                let section = o.key == "sections"
                    && (!touched.removed.is_empty()
                        || touched.fields.iter().any(|t| t.track.is_some()));
                // Lanes name their tracks: a rename or removal edits them.
                let lane = o.key == "automation"
                    && (!touched.removed.is_empty()
                        || touched.original.iter().any(|(a, b)| a != b));
                assert!(
                    removed || one_line || section || lane || touched.fields.contains(o),
                    "{}: line {} changed though no action touched it: {line:?} (owner {o:?})\n--- new:\n{new}\n{}",
                    f.display(),
                    k + 1,
                    context()
                );
            }
        }
    }
    let _ = std::fs::remove_dir_all(root);
}

#[test]
fn fifty_random_actions_and_a_save_keep_every_untouched_line_and_comment() {
    assert!(
        doc_sessions().len() >= 4,
        "the docs' example sessions are found"
    );
    for (n, rel) in sessions().iter().enumerate() {
        for seed in 1..=8 {
            run(rel, false, 0x9E37_79B9_7F4A_7C15 ^ (n as u64 * 7919 + seed));
            run(
                rel,
                true,
                0x2545_F491_4F6C_DD1D ^ (n as u64 * 104_729 + seed),
            );
        }
    }
}

/// The lines of `old` that `new` changed or removed, and the lines added.
fn changed(old: &str, new: &str) -> (Vec<String>, Vec<String>) {
    let o: Vec<&str> = old.lines().collect();
    let n: Vec<&str> = new.lines().collect();
    let gone = kept_lines(&o, &n);
    let came = kept_lines(&n, &o);
    (
        o.iter()
            .zip(gone)
            .filter(|(_, k)| !k)
            .map(|(l, _)| l.to_string())
            .collect(),
        n.iter()
            .zip(came)
            .filter(|(_, k)| !k)
            .map(|(l, _)| l.to_string())
            .collect(),
    )
}

#[test]
fn ask_changes_only_the_lines_of_the_values_its_tools_changed() {
    use crate::llm_server::{anthropic, text, tool, Server};
    use serde_json::json;
    let root = sandbox("ask");
    let path = root.join("patches/demo.ron");
    let old = std::fs::read_to_string(&path).unwrap();
    // The whole session as a model would send it back: our serializer's
    // spelling, no comments, one value changed.
    let mut whole = patch::load(&path).unwrap();
    whole.swing = 0.1;
    let server = Server::start(vec![
        anthropic(&[
            tool("write_session", json!({"ron": patch::to_string(&whole)})),
            tool("set_volume", json!({"track": "bass", "db": -9})),
            tool(
                "set_param",
                json!({"track": "pad", "param": "cutoff", "value": 1500}),
            ),
        ]),
        anthropic(&[text("Done.")]),
    ]);
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_termdaw"))
        .arg("ask")
        .arg(&path)
        .arg("bass down, darker pad, more swing")
        .env_clear()
        .env("HOME", &root)
        .env("XDG_DATA_HOME", root.join("data"))
        .env("XDG_CONFIG_HOME", root.join("config"))
        .env("ANTHROPIC_API_KEY", "sk-ant-test-keep")
        .env("ANTHROPIC_BASE_URL", &server.url)
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "{out}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let new = std::fs::read_to_string(&path).unwrap();
    let (gone, came) = changed(&old, &new);
    // Exactly three lines differ, each only in its value.
    let line = |track: &str, key: &str| {
        let from = old.find(&format!("name: \"{track}\"")).unwrap();
        let at = from + old[from..].find(key).unwrap();
        let start = old[..at].rfind('\n').unwrap() + 1;
        old[start..].lines().next().unwrap().to_string()
    };
    let (bass, pad) = (line("bass", "volume:"), line("pad", "instrument:"));
    assert_eq!(
        gone,
        vec!["    swing: 0.06,".to_string(), bass.clone(), pad.clone()],
        "{new}"
    );
    assert_eq!(
        came,
        vec![
            "    swing: 0.1,".to_string(),
            bass.replace("-7", "-9"),
            pad.replace("cutoff: 1100", "cutoff: 1500"),
        ],
        "{new}"
    );
    assert_eq!(old.len() - new.len(), 1, "one byte shorter: 0.06 → 0.1");
    let _ = std::fs::remove_dir_all(root);
}
