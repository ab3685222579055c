//! Every example and error message in docs/patterns.md is what the
//! parsers do.
//!
//! Test-only code.

use super::*;

#[test]
fn documented_examples_parse() {
    let doc = include_str!("../../../docs/patterns.md");
    let mut in_block = false;
    let mut checked = 0;
    for line in doc.lines() {
        if line.starts_with("```") {
            in_block = line == "```ron";
            continue;
        }
        if !in_block {
            continue;
        }
        for (prefix, kind) in [("Steps(\"", Steps), ("Notes(\"", Notes)] {
            let Some(at) = line.find(prefix) else {
                continue;
            };
            let rest = &line[at + prefix.len()..];
            let Some(end) = rest.find("\")") else {
                continue;
            };
            let src = &rest[..end];
            if let Err(e) = parse(kind, src) {
                panic!("docs example {src:?} does not parse: {e}");
            }
            checked += 1;
        }
    }
    assert!(checked >= 30, "only {checked} examples found");
}

#[test]
fn documented_errors_are_exact() {
    let doc = include_str!("../../../docs/patterns.md");
    let Some(section) = doc.split("## Errors").nth(1) else {
        panic!("docs have no Errors section");
    };
    let mut checked = 0;
    for line in section.lines().filter(|l| l.starts_with("| `")) {
        let cells: Vec<&str> = line.split(" | ").collect();
        let call = cells[0].trim_start_matches("| `").trim_end_matches('`');
        let want = cells[1].trim_end_matches(" |");
        let (kind, src) = match call.split_once("(\"") {
            Some(("Steps", s)) => (Steps, s.trim_end_matches("\")")),
            Some(("Notes", s)) => (Notes, s.trim_end_matches("\")")),
            _ => panic!("unexpected row {line}"),
        };
        let got = parse(kind, src)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert_eq!(got, want, "{call}");
        checked += 1;
    }
    assert!(checked >= 5);
}

#[test]
fn every_function_has_a_pasteable_example_in_the_docs() {
    let doc = include_str!("../../../docs/patterns.md");
    for f in crate::pattern::FUNCTIONS {
        let row = format!(
            "| `{}` | {} | `Notes(\"{}\")` |",
            f.usage, f.about, f.example
        );
        assert!(doc.contains(&row), "docs/patterns.md lacks the row {row}");
        let p = parse_notes(f.example).unwrap_or_else(|e| panic!("{}: {e}", f.example));
        // Every example makes a sound in its first four cycles.
        let n: usize = (0..4).map(|c| p.query(Span::cycle(c)).len()).sum();
        assert!(n > 0, "{} is silent", f.example);
    }
}
