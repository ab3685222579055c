//! Every session in patches/ renders to the same bits as it did before the
//! structural refactor of issue 11: a refactor that changes what a musician
//! hears fails here. The hashes were recorded at commit 91c1ae3 with
//! `GOLDEN_RECORD=1 cargo test --test all golden::`, which rewrites
//! tests/all/golden.txt; only a change that is meant to change the sound
//! may re-record them (and must say so in its commit). Re-recorded since:
//! swing by position (issue 20) moved demo.ron's odd 16ths written inside
//! one-step-per-bar groups, which the old step-only swing left straight.

use std::path::{Path, PathBuf};

use termdaw::audio::render::{self, Length};
use termdaw::patch;

/// FNV-1a over the bits of both channels: stable across runs and machines.
fn hash(l: &[f32], r: &[f32]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for x in l.iter().chain(r) {
        for b in x.to_bits().to_le_bytes() {
            h ^= b as u64;
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

fn golden_file() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/all/golden.txt")
}

#[test]
fn every_session_in_patches_renders_to_the_recorded_bits() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut lines = Vec::new();
    for path in crate::common::example_sessions() {
        let file = patch::load(&path).unwrap_or_else(|e| panic!("{}", e.report()));
        let (l, r) = render::render_buffers(file, Some(&path), Length::Bars(8.0), 48000).unwrap();
        assert!(
            l.iter().any(|x| x.abs() > 1e-3),
            "{} is silent",
            path.display()
        );
        let name = path.strip_prefix(root).unwrap().display().to_string();
        lines.push(format!("{name} {:016x} {}", hash(&l, &r), l.len()));
    }
    let got = lines.join("\n") + "\n";
    if std::env::var_os("GOLDEN_RECORD").is_some() {
        std::fs::write(golden_file(), &got).unwrap();
        return;
    }
    let want = std::fs::read_to_string(golden_file()).unwrap();
    assert_eq!(
        got, want,
        "a session in patches/ no longer renders to its recorded bits"
    );
}
