//! The field descriptors (src/patch/field.rs) are the one place a session
//! field is described: the file, the actions, the diff and the engine all
//! agree with them, and a reload by diff plays exactly what loading the new
//! file plays.

use std::path::Path;

use termdaw::action::{self, Action, ArgValue};
use termdaw::audio::render;
use termdaw::kinds::ParamKind;
use termdaw::patch::field::{self, Entry, Field, Range};
use termdaw::patch::{self, SessionFile};
use termdaw::session::{diff, edit};

/// The field names serde expects in `Owner(...)`, from its "unknown field" error.
fn serde_fields(text: &str) -> Vec<String> {
    let e = patch::parse("t.ron", text).expect_err("the bogus field is refused");
    let m = e.message();
    let list = m
        .split("expected one of: ")
        .nth(1)
        .unwrap_or_else(|| panic!("no field list in: {m}"));
    let mut names: Vec<String> = list
        .split(", ")
        .map(|s| s.trim_matches('`').to_string())
        .collect();
    names.sort();
    names
}

fn listed<M>(entries: &[Entry<M>]) -> Vec<String> {
    let mut names: Vec<String> = entries
        .iter()
        .map(|e| match e {
            Entry::Scalar(f) => f.name.to_string(),
            Entry::Other(r) => r.name.to_string(),
        })
        .collect();
    names.sort();
    names
}

#[test]
fn every_field_of_every_owner_is_described() {
    assert_eq!(
        serde_fields("Session(bogus: 1)"),
        listed(field::SESSION),
        "Session"
    );
    assert_eq!(
        serde_fields("Session(master: Master(bogus: 1))"),
        listed(field::MASTER),
        "Master"
    );
    assert_eq!(
        serde_fields(r#"Session(buses: [Bus(name: "b", bogus: 1)])"#),
        listed(field::BUS),
        "Bus"
    );
    assert_eq!(
        serde_fields(r#"Session(tracks: [Track(name: "t", instrument: Kick(), bogus: 1)])"#),
        listed(field::TRACK),
        "Track"
    );
    assert_eq!(
        serde_fields(r#"Session(sections: [Section(name: "s", bogus: 1)])"#),
        listed(field::SECTION),
        "Section"
    );
    assert_eq!(
        serde_fields(r#"Session(sections: [Section(name: "s", tracks: {"t": Part(bogus: 1)})])"#),
        listed(field::PART),
        "Part"
    );
    assert_eq!(
        serde_fields(r#"Session(automation: [Lane(action: "set_tempo", bogus: 1)])"#),
        listed(field::LANE),
        "Lane"
    );
    assert_eq!(
        serde_fields(
            r#"Session(tracks: [Track(name: "t", instrument: Kick(), clips: [Clip(bar: 1, bars: 1, bogus: 1)])])"#
        ),
        listed(field::CLIP),
        "Clip"
    );
    assert_eq!(
        serde_fields(r#"Session(macros: [Macro(name: "m", bogus: 1)])"#),
        listed(field::MACRO),
        "Macro"
    );
    assert_eq!(
        serde_fields(r#"Session(macros: [Macro(name: "m", targets: [Target(bogus: 1)])])"#),
        listed(field::MACRO_TARGET),
        "Target"
    );
}

/// Text of a session with one field of one owner set to `v`.
fn file_with(owner: &str, name: &str, v: &str) -> String {
    match owner {
        "session" => format!("Session({name}: {v})"),
        "master" => format!("Session(master: Master({name}: {v}))"),
        "bus" => format!(r#"Session(buses: [Bus(name: "b", {name}: {v})])"#),
        _ => format!(r#"Session(tracks: [Track(name: "t", instrument: Kick(), {name}: {v})])"#),
    }
}

fn literal<M>(f: &Field<M>, v: f64) -> String {
    match f.range {
        Range::Bool => (v != 0.0).to_string(),
        _ => v.to_string(),
    }
}

/// A value the field accepts other than its default, and one it refuses.
fn probe<M>(f: &Field<M>) -> (f64, Option<f64>) {
    match f.range {
        Range::Number { min, max } => ((min + max) / 2.0 + 0.25, Some(max + 1.0)),
        Range::Int { min, max } => (((min + max) / 2) as f64, Some(max as f64 + 1.0)),
        Range::OneOf(list) => (list[1] as f64, Some(5.0)),
        Range::Bool => (1.0, None),
    }
}

/// Through the file and through its action, a field takes the same values
/// and refuses the same values, and the action changes exactly that field.
fn check_owner<M>(owner: &str, entries: &'static [Entry<M>], read: fn(&SessionFile) -> &M) {
    for f in field::scalars(entries) {
        let spec = action::spec(f.action).unwrap_or_else(|| panic!("{} has no action", f.name));
        let last = spec.args.last().expect("a set action has a value");
        assert_eq!(
            format!("{:?}", last.ty),
            format!("{:?}", action::field_arg(f)),
            "{}: the action's range is the field's",
            f.action
        );
        let base = patch::parse("t.ron", &file_with(owner, f.name, &literal(f, f.default)))
            .unwrap_or_else(|e| panic!("{owner}.{}: default refused: {}", f.name, e.report()));
        assert_eq!(
            (f.get)(read(&base)),
            f.default,
            "{owner}.{} default",
            f.name
        );

        let (good, bad) = probe(f);
        let text = file_with(owner, f.name, &literal(f, good));
        let from_file = patch::parse("t.ron", &text).unwrap();
        assert_eq!((f.get)(read(&from_file)), good, "{owner}.{} read", f.name);

        let mut args: Vec<ArgValue> = match owner {
            "bus" => vec![ArgValue::Text("b".into())],
            "track" => vec![ArgValue::Text("t".into())],
            _ => vec![],
        };
        let value = |v: f64| match f.range {
            Range::Bool => ArgValue::Bool(v != 0.0),
            _ => ArgValue::Number(v),
        };
        args.push(value(good));
        let act = Action::from_args(f.action, &args).unwrap();
        let mut edited = base.clone();
        edit::edit(&mut edited, &act).unwrap();
        assert_eq!(
            edited, from_file,
            "{}: the action sets exactly {owner}.{}",
            f.action, f.name
        );
        assert_eq!(
            diff::diff(&base, &from_file),
            vec![act],
            "{owner}.{}: the diff is its action",
            f.name
        );

        if let Some(bad) = bad {
            let e = patch::parse("t.ron", &file_with(owner, f.name, &literal(f, bad)))
                .expect_err("out of range in a file");
            let want = f.check(bad).unwrap_err().to_string();
            assert!(e.message().contains(&want), "{}: {want}", e.message());
            *args.last_mut().unwrap() = value(bad);
            let refused = Action::from_args(f.action, &args)
                .map(|a| edit::edit(&mut base.clone(), &a))
                .map(|r| r.is_err())
                .unwrap_or(true);
            assert!(refused, "{}({bad}) is refused", f.action);
        }
    }
}

#[test]
fn the_file_the_actions_and_the_diff_agree_with_every_descriptor() {
    check_owner("session", field::SESSION, |f| f);
    check_owner("master", field::MASTER, |f| &f.master);
    check_owner("bus", field::BUS, |f| &f.buses[0]);
    check_owner("track", field::TRACK, |f| &f.tracks[0]);
}

/// xorshift64*: deterministic variants of the example sessions.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
}

fn random_value<M>(f: &Field<M>, rng: &mut Rng) -> f64 {
    match f.range {
        // Two decimals, as a musician writes them.
        Range::Number { min, max } => {
            let v = min + (max - min) * rng.unit();
            ((v * 100.0).round() / 100.0).clamp(min, max)
        }
        Range::Int { min, max } => (min + rng.below((max - min + 1) as usize) as i64) as f64,
        Range::OneOf(list) => list[rng.below(list.len())] as f64,
        Range::Bool => rng.below(2) as f64,
    }
}

fn mutate_fields<M>(entries: &'static [Entry<M>], m: &mut M, rng: &mut Rng) {
    for f in field::scalars(entries) {
        if rng.chance(0.3) {
            (f.set)(m, random_value(f, rng));
        }
    }
}

fn mutate_device<K: patch::device::DeviceKind>(d: &mut patch::Device<K>, rng: &mut Rng) {
    let table = d.kind.params();
    for (i, p) in table.iter().enumerate() {
        if !rng.chance(0.2) {
            continue;
        }
        let v = match p.kind {
            ParamKind::Number => p.min + (p.max - p.min) * rng.unit() as f32,
            ParamKind::Choice(c) => rng.below(c.len()) as f32,
            ParamKind::Path => continue,
        };
        d.set_value(i, v);
    }
}

/// A variant of `a` a musician could save: fields, parameters, patterns,
/// tracks and buses changed, added and removed — kept valid.
fn variant(a: &SessionFile, other: &SessionFile, rng: &mut Rng) -> SessionFile {
    let mut b = a.clone();
    mutate_fields(field::SESSION, &mut b, rng);
    mutate_fields(field::MASTER, &mut b.master, rng);
    for bus in &mut b.buses {
        mutate_fields(field::BUS, bus, rng);
        bus.effects.iter_mut().for_each(|e| mutate_device(e, rng));
    }
    let patterns: Vec<_> = a.tracks.iter().map(|t| t.pattern.clone()).collect();
    for t in &mut b.tracks {
        mutate_fields(field::TRACK, t, rng);
        mutate_device(&mut t.instrument, rng);
        for e in &mut t.effects {
            mutate_device(e, rng);
        }
        if rng.chance(0.2) && !t.effects.is_empty() {
            t.effects.pop();
        }
        // Another track's pattern of the same notation.
        let pick = &patterns[rng.below(patterns.len())];
        if rng.chance(0.3)
            && pick.as_ref().map(|p| p.notation) == t.pattern.as_ref().map(|p| p.notation)
        {
            t.pattern = pick.clone();
        }
    }
    if rng.chance(0.3) && b.tracks.len() > 1 {
        let i = rng.below(b.tracks.len());
        let gone = b.tracks.remove(i).name;
        // As removing a track does: its parts and lanes go with it.
        b.remove_from_sections(gone.as_str());
    }
    if rng.chance(0.4) && !other.tracks.is_empty() {
        let mut t = other.tracks[rng.below(other.tracks.len())].clone();
        t.name = patch::Name(format!("{}-from-elsewhere", t.name));
        t.sends.clear();
        t.origin = None;
        b.tracks.push(t);
    }
    if rng.chance(0.2) && !b.buses.is_empty() {
        let gone = b.buses.remove(rng.below(b.buses.len())).name;
        for t in &mut b.tracks {
            t.sends.remove(gone.as_str());
        }
    }
    b
}

/// The model as it sounds: which parameters a file spells out is not
/// sound, and neither is the order of the tracks (the diff has no action
/// that moves a track; tracks in both versions keep their places).
fn sounding(f: &SessionFile) -> SessionFile {
    let mut f = f.clone();
    f.tracks
        .sort_by(|a, b| a.name.as_str().cmp(b.name.as_str()));
    let plain = |set: &mut Vec<bool>| set.iter_mut().for_each(|s| *s = false);
    f.master.effects.iter_mut().for_each(|e| plain(&mut e.set));
    for b in &mut f.buses {
        b.effects.iter_mut().for_each(|e| plain(&mut e.set));
    }
    for t in &mut f.tracks {
        plain(&mut t.instrument.set);
        t.effects.iter_mut().for_each(|e| plain(&mut e.set));
    }
    f
}

fn render_after(
    a: &SessionFile,
    b: &SessionFile,
    path: &Path,
    frames: usize,
) -> (Vec<f32>, SessionFile) {
    let (mut s, mut e) = render::prepare(a.clone(), Some(path), 48000);
    let change = s.apply_file_change(a, b);
    assert!(change.errors.is_empty(), "{:?}", change.errors);
    (play(&mut s, &mut e, frames), s.file().clone())
}

/// Both channels, left then right.
fn play(
    s: &mut termdaw::session::Session,
    e: &mut termdaw::engine::Engine,
    frames: usize,
) -> Vec<f32> {
    let (mut l, mut r) = (Vec::with_capacity(frames), Vec::with_capacity(frames));
    render::run(
        s,
        e,
        frames as u64,
        64,
        |_, _| {},
        |a, b| {
            l.extend_from_slice(a);
            r.extend_from_slice(b);
        },
    );
    l.extend(r);
    l
}

fn render_loaded(b: &SessionFile, path: &Path, frames: usize) -> Vec<f32> {
    let (mut s, mut e) = render::prepare(b.clone(), Some(path), 48000);
    play(&mut s, &mut e, frames)
}

/// For every session in patches/ and seeded variants of it: applying
/// `diff(a, b)` to a gives b, and playing the result sounds like loading b.
#[test]
fn a_reload_by_diff_is_the_new_file_and_sounds_like_loading_it() {
    let paths = crate::common::example_sessions();
    let files: Vec<SessionFile> = paths
        .iter()
        .map(|p| {
            // One file: a's included tracks become its own, so writing b
            // out and reading it back keeps them.
            let mut f = patch::load(p).unwrap_or_else(|e| panic!("{}", e.report()));
            f.includes.clear();
            f.tracks.iter_mut().for_each(|t| t.origin = None);
            f
        })
        .collect();
    let mut rng = Rng(0x7e4d_a0c1_5eed_0011);
    let frames = 3 * 48000;
    let mut worst = 0.0f32;
    let mut cases = 0;
    for (i, (path, a)) in paths.iter().zip(&files).enumerate() {
        let other = &files[(i + 1) % files.len()];
        let mut bs = vec![other.clone()];
        for _ in 0..3 {
            bs.push(variant(a, other, &mut rng));
        }
        for b in bs {
            // What a file says: b written out and read back.
            let b = patch::parse("b.ron", &patch::to_string(&b))
                .unwrap_or_else(|e| panic!("{}: variant invalid: {}", path.display(), e.report()));
            let mut applied = a.clone();
            for act in diff::diff(a, &b) {
                edit::edit(&mut applied, &act)
                    .unwrap_or_else(|e| panic!("{}: {act:?}: {e}", path.display()));
            }
            assert_eq!(
                sounding(&applied),
                sounding(&b),
                "{}: diff(a, b) applied to a is b",
                path.display()
            );

            let (heard, live) = render_after(a, &b, path, frames);
            assert_eq!(sounding(&live), sounding(&b), "{}", path.display());
            let want = render_loaded(&b, path, frames);
            // Glides from a's levels take 5 ms, but what they fed into a
            // reverb rings on: compare the last half second, after the
            // longest tail in patches/ (2 s) has taken that below -60 dB.
            let settle = frames - 24000;
            let diff = [0, frames]
                .iter()
                .flat_map(|c| {
                    heard[c + settle..c + frames]
                        .iter()
                        .zip(&want[c + settle..c + frames])
                })
                .map(|(x, y)| (x - y).abs())
                .fold(0.0f32, f32::max);
            let peak = want.iter().fold(0.0f32, |m, x| m.max(x.abs()));
            if std::env::var_os("FIELDS_DEBUG").is_some() {
                let win = 12000;
                let prof: Vec<String> = (0..frames / win)
                    .map(|w| {
                        let d = (w * win..(w + 1) * win)
                            .map(|i| (heard[i] - want[i]).abs())
                            .fold(0.0f32, f32::max);
                        format!("{d:.0e}")
                    })
                    .collect();
                eprintln!("{} case {cases}: {}", path.display(), prof.join(" "));
                for act in diff::diff(a, &b) {
                    eprintln!("   {act:?}");
                }
            }
            worst = worst.max(diff);
            cases += 1;
            // -60 dB under the music, or -80 dBFS where b is (all but) silent:
            // what is left of a glide's 5 ms in a reverb tail is below both.
            assert!(
                diff <= (1e-3 * peak).max(1e-4),
                "{}: after a reload to b the sound differs from loading b by {diff} (peak {peak})",
                path.display()
            );
        }
    }
    println!("diff round trip: {cases} pairs, worst difference in the last 0.5 s of 3 s {worst:e}");
}
