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

#[test]
fn chat_tool_list_matches_the_tools() {
    check(
        "docs/chat.md",
        &[("chat-tools", termdaw::chat::tools::markdown())],
    );
}
