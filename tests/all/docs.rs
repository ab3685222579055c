//! The user docs carry tables generated from the code; they must match it.
//! Run with UPDATE_DOCS=1 to rewrite them; the registry is src/reference.rs.

use std::collections::BTreeMap;
use std::path::Path;

use termdaw::reference::{self, BLOCKS};

/// Every block in the registry matches its doc, and every generated block in
/// docs/ is in the registry (so none is left unchecked).
#[test]
fn every_generated_doc_block_matches_the_code() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut by_file: BTreeMap<&str, Vec<&reference::Block>> = BTreeMap::new();
    for b in BLOCKS {
        by_file.entry(b.file).or_default().push(b);
    }
    let mut stale = Vec::new();
    for (file, blocks) in &by_file {
        let path = root.join(file);
        let doc = std::fs::read_to_string(&path).unwrap();
        let mut updated = doc.clone();
        for b in blocks {
            updated = reference::splice(&updated, b.name, &(b.generate)())
                .unwrap_or_else(|| panic!("{file} lacks the generated:{} markers", b.name));
        }
        if std::env::var_os("UPDATE_DOCS").is_some() {
            std::fs::write(&path, &updated).unwrap();
        } else if doc != updated {
            stale.push(*file);
        }
    }
    assert!(
        stale.is_empty(),
        "{stale:?} out of date with the code; run `UPDATE_DOCS=1 cargo test --test all docs::`"
    );
    for e in std::fs::read_dir(root.join("docs")).unwrap() {
        let path = e.unwrap().path();
        if path.extension().is_none_or(|x| x != "md") {
            continue;
        }
        let file = format!("docs/{}", path.file_name().unwrap().to_string_lossy());
        let text = std::fs::read_to_string(&path).unwrap();
        for piece in text.split("<!-- generated:").skip(1) {
            let name = piece.split(" -->").next().unwrap_or("");
            assert!(
                BLOCKS.iter().any(|b| b.file == file && b.name == name),
                "{file} has a generated:{name} block that no generator in src/reference.rs writes"
            );
        }
    }
}

/// Every session written out in the docs parses, so a musician can copy it.
#[test]
fn every_session_example_in_the_docs_parses() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<_> = std::fs::read_dir(root.join("docs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    files.push(root.join("README.md"));
    let mut seen = 0;
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        for (i, block) in text.split("```ron\n").skip(1).enumerate() {
            let body = block.split("```").next().unwrap_or("");
            if !body.trim_start().starts_with("Session(")
                || body.contains("includes:")
                || body.lines().any(|l| {
                    let l = l.trim();
                    l.starts_with("...") || l.starts_with('…')
                })
            {
                continue;
            }
            seen += 1;
            let name = format!("{}#{}", f.display(), i + 1);
            if let Err(e) = termdaw::patch::parse(&name, body) {
                panic!("{}", e.report());
            }
        }
    }
    assert!(seen >= 3, "found only {seen} session examples");
}
