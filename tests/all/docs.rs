//! The user docs carry tables generated from the code; they must match it.
//! Run with UPDATE_DOCS=1 to rewrite them.

use std::path::Path;

use termdaw::patch::reference;

fn check(file: &str, blocks: &[(&str, String)]) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
    let doc = std::fs::read_to_string(&path).unwrap();
    let mut updated = doc.clone();
    for (name, body) in blocks {
        updated = reference::splice(&updated, name, body)
            .unwrap_or_else(|| panic!("{file} lacks the generated:{name} markers"));
    }
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(&path, &updated).unwrap();
    } else {
        assert!(
            doc == updated,
            "{file} is out of date with the code; run `UPDATE_DOCS=1 cargo test docs`"
        );
    }
}

#[test]
fn session_format_reference_matches_the_parameter_tables() {
    check(
        "docs/session-format.md",
        &[
            ("instruments", reference::instruments_markdown()),
            ("effects", reference::effects_markdown()),
        ],
    );
}

#[test]
fn action_reference_matches_the_action_table() {
    check(
        "docs/actions.md",
        &[("actions", reference::actions_markdown())],
    );
}

#[test]
fn osc_address_map_matches_the_code() {
    check("docs/osc.md", &[("osc", termdaw::osc::address::markdown())]);
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

#[test]
fn chat_tool_list_matches_the_tools() {
    check(
        "docs/chat.md",
        &[
            ("chat-tools", termdaw::chat::tools::markdown()),
            ("slash", termdaw::chat::pane::slash_markdown()),
        ],
    );
}
