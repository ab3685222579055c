//! `termdaw assess`: a clean sound scores higher than the same sound
//! clipped by +12 dB (which breaks the true-peak limit), the role match
//! tells a bass from a pad, the key and the grid are heard, broken audio
//! is a violation, and the JSON is the one docs/processing.md documents.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value;
use termdaw::analysis::assess::{self, table::Group, Context, Role};
use termdaw::patch::{Key, Scale, TimeSignature};
use termdaw::preset::{self, phrase::Setting};

use crate::rig::TempDir;

const RATE: u32 = 48_000;

use crate::common::termdaw_offline as termdaw;

fn a_minor() -> Setting {
    Setting {
        tempo: 120.0,
        key: Key::parse("A").unwrap(),
        scale: Scale::Minor,
        time_signature: TimeSignature::default(),
    }
}

fn write_float_wav(path: &Path, l: &[f32], r: &[f32]) {
    let spec = hound::WavSpec {
        channels: 2,
        sample_rate: RATE,
        bits_per_sample: 32,
        sample_format: hound::SampleFormat::Float,
    };
    let mut w = hound::WavWriter::create(path, spec).unwrap();
    for (a, b) in l.iter().zip(r) {
        w.write_sample(*a).unwrap();
        w.write_sample(*b).unwrap();
    }
    w.finalize().unwrap();
}

fn assess_cli(args: &[&str], file: &Path) -> Value {
    let o = termdaw()
        .arg("assess")
        .arg(file)
        .args(args)
        .arg("--json")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).unwrap()
}

#[test]
fn a_clean_sound_scores_higher_than_the_same_clipped_12_db_hotter() {
    let p = preset::find("analog-bass").unwrap();
    let (l, r) = preset::render::render(p, &a_minor(), None, RATE).unwrap();
    let gain = 10f32.powf(12.0 / 20.0);
    let clip = |x: &[f32]| -> Vec<f32> { x.iter().map(|v| (v * gain).clamp(-1.0, 1.0)).collect() };
    let dir = TempDir::new("assess-clip");
    let (clean, hot) = (dir.join("clean.wav"), dir.join("hot.wav"));
    write_float_wav(&clean, &l, &r);
    write_float_wav(&hot, &clip(&l), &clip(&r));
    let args = [
        "--role",
        "bass",
        "--tempo",
        "120",
        "--key",
        "A",
        "--scale",
        "minor",
        "--target-lufs",
        "-18",
    ];
    let (a, b) = (assess_cli(&args, &clean), assess_cli(&args, &hot));
    let score = |v: &Value| v["overall_score"].as_f64().unwrap();
    assert!(
        score(&a) > score(&b) + 0.2,
        "clean {} clipped {}",
        score(&a),
        score(&b)
    );
    assert!(
        a["violations"].as_array().unwrap().is_empty(),
        "{}",
        a["violations"]
    );
    let tp = b["violations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["check"] == "true_peak")
        .unwrap_or_else(|| panic!("no true-peak violation: {}", b["violations"]));
    assert!(
        tp["value"].as_f64().unwrap() > -1.0 && tp["threshold"] == -1.0,
        "{tp}"
    );
    assert!(b["violations"]
        .as_array()
        .unwrap()
        .iter()
        .any(|v| v["check"] == "clipping"));
    assert!(score(&b) <= assess::VIOLATION_CAP);
}

#[test]
fn the_key_and_the_grid_are_heard() {
    let drum = preset::find("kick-punch").unwrap();
    let (l, r) = preset::render::render(drum, &a_minor(), None, RATE).unwrap();
    let ctx = Context {
        tempo: Some(120.0),
        ..Context::default()
    };
    let on = assess::assess(&l, &r, RATE as f32, Role::Drum, &ctx);
    assert!(
        on.measures.on_grid.unwrap() >= 0.9,
        "{:?}",
        on.measures.on_grid
    );
    // The same beat 40 ms late is off a 120 BPM grid (a 16th is 125 ms).
    let late = |x: &[f32]| -> Vec<f32> {
        std::iter::repeat_n(0.0, RATE as usize / 25)
            .chain(x.iter().copied())
            .collect()
    };
    let off = assess::assess(&late(&l), &late(&r), RATE as f32, Role::Drum, &ctx);
    assert!(
        off.measures.on_grid.unwrap() < 0.5,
        "{:?}",
        off.measures.on_grid
    );
    assert!(off.warnings.iter().any(|w| w.check == "on_grid"));
    assert!(off.group(Group::RoleMatch) < on.group(Group::RoleMatch));

    let lead = preset::find("sine-lead").unwrap();
    let (l, r) = preset::render::render(lead, &a_minor(), None, RATE).unwrap();
    let in_a = preset::render::assess(lead, &a_minor(), &l, &r, RATE);
    let wrong = Setting {
        key: Key::parse("Eb").unwrap(),
        scale: Scale::Major,
        ..a_minor()
    };
    let in_eb = preset::render::assess(lead, &wrong, &l, &r, RATE);
    assert!(
        in_a.measures.in_key.unwrap() >= 0.9,
        "{:?}",
        in_a.measures.in_key
    );
    assert!(
        in_eb.measures.in_key.unwrap() < 0.7,
        "{:?}",
        in_eb.measures.in_key
    );
    assert!(in_eb.warnings.iter().any(|w| w.check == "in_key"));
}

#[test]
fn silence_and_broken_samples_are_violations() {
    let silent = vec![0.0f32; RATE as usize * 2];
    let a = assess::assess(
        &silent,
        &silent,
        RATE as f32,
        Role::Pad,
        &Context::default(),
    );
    assert!(
        a.violations.iter().any(|v| v.message.contains("silent")),
        "{:?}",
        a.violations
    );
    assert!(a.overall <= assess::VIOLATION_CAP);

    let mut x: Vec<f32> = (0..RATE as usize * 2)
        .map(|i| 0.3 * (i as f32 * 0.05).sin())
        .collect();
    x[1000] = f32::NAN;
    x[2000] = f32::INFINITY;
    let a = assess::assess(&x, &x, RATE as f32, Role::Pad, &Context::default());
    let v = a
        .violations
        .iter()
        .find(|v| v.check == "non_finite")
        .expect("non_finite");
    assert_eq!(v.value, 4.0, "both sides, two samples each");
    assert!(
        a.measures.integrated_lufs.is_finite(),
        "the rest is still measured"
    );

    // Opposite sides cancel in mono.
    let y: Vec<f32> = x
        .iter()
        .map(|v| if v.is_finite() { -v } else { 0.0 })
        .collect();
    let x: Vec<f32> = x
        .iter()
        .map(|v| if v.is_finite() { *v } else { 0.0 })
        .collect();
    let a = assess::assess(&x, &y, RATE as f32, Role::Pad, &Context::default());
    assert!(a.warnings.iter().any(|w| w.check == "correlation"));
    assert!(a.warnings.iter().any(|w| w.check == "mono_loss"));
}

/// Every key of an object, with its path, recursing into the first element
/// of arrays.
fn keys(v: &Value, at: &str, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                let p = format!("{at}.{k}");
                out.insert(p.clone());
                keys(x, &p, out);
            }
        }
        Value::Array(a) => {
            if let Some(x) = a.first() {
                keys(x, &format!("{at}[]"), out);
            }
        }
        _ => {}
    }
}

#[test]
fn the_json_has_exactly_the_fields_the_docs_show() {
    let docs =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/processing.md"))
            .unwrap();
    let start = docs
        .find("<!-- assess-json -->")
        .expect("docs/processing.md shows the assess JSON");
    let block = &docs[start..];
    let json = &block[block.find("```json").unwrap() + 7..];
    let documented: Value = serde_json::from_str(&json[..json.find("```").unwrap()]).unwrap();

    let dir = TempDir::new("assess-json");
    let clean = dir.join("x.wav");
    let p = preset::find("hat-closed").unwrap();
    let (l, mut r) = preset::render::render(p, &a_minor(), None, RATE).unwrap();
    r.iter_mut().for_each(|x| *x *= -1.0);
    write_float_wav(&clean, &l, &r);
    let real = assess_cli(&["--role", "drum", "--tempo", "120", "--key", "A"], &clean);
    assert!(
        !real["warnings"].as_array().unwrap().is_empty(),
        "a warning to show its fields"
    );
    let (mut a, mut b) = (BTreeSet::new(), BTreeSet::new());
    keys(&documented, "", &mut a);
    keys(&real, "", &mut b);
    // Violations look like warnings.
    b.extend(a.iter().filter(|k| k.starts_with(".violations")).cloned());
    assert_eq!(
        a, b,
        "docs/processing.md's assess JSON and the real one differ"
    );
    let names: Vec<&str> = real["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    for c in assess::table::CHECKS {
        assert!(
            names.contains(&c.name) || ["in_key"].contains(&c.name),
            "{} missing",
            c.name
        );
    }
}

#[test]
fn a_session_is_rendered_and_assessed_in_its_own_tempo_and_key() {
    let v = assess_cli(
        &["--role", "drum", "--bars", "4"],
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("patches/first-beat.ron"),
    );
    assert!(v["context"]["tempo"].as_f64().is_some(), "{}", v["context"]);
    assert!(v["context"]["key"].is_string(), "{}", v["context"]);
    let o = termdaw()
        .args(["assess", "nope.wav", "--role", "pad"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        !o.status.success() && err.contains("nope.wav: no such audio file"),
        "{err}"
    );
    let o = termdaw()
        .args(["assess", "patches/first-beat.ron", "--role", "vocal"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        !o.status.success() && err.contains("unknown role `vocal`"),
        "{err}"
    );
}
