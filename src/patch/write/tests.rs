use super::update;

fn check(old: &str, before: &str, after: &str, want: &str) {
    let none = Default::default();
    assert_eq!(update(old, before, after, &none).unwrap(), want);
}

#[test]
fn a_changed_number_changes_only_its_bytes() {
    check(
        "// set\nSession(\n    tempo: 118, // fast\n    swing: 0.06,\n)\n",
        "Session(tempo: 118.0, swing: 0.06)",
        "Session(tempo: 121.5, swing: 0.06)",
        "// set\nSession(\n    tempo: 121.5, // fast\n    swing: 0.06,\n)\n",
    );
    check(
        "Session(tempo: 118)",
        "Session(tempo: 118.0)",
        "Session(tempo: 120.0)",
        "Session(tempo: 120)",
    );
}

#[test]
fn a_new_field_goes_after_its_predecessor_in_the_files_style() {
    check(
        "(\n  a: 1,\n  // the c\n  c: 3\n)",
        "(a: 1, c: 3)",
        "(a: 1, b: 2, c: 3)",
        "(\n  a: 1,\n  b: 2,\n  // the c\n  c: 3\n)",
    );
    check(
        "B(x: 1)",
        "B(x: 1)",
        "B(x: 1, y: [1, 2])",
        "B(x: 1, y: [1, 2])",
    );
}

#[test]
fn a_field_back_at_its_default_is_removed_but_a_spelled_default_stays() {
    check(
        "(\n    a: 1,\n    b: 2, // two\n    c: 0,\n)",
        "(a: 1, b: 2)",
        "(a: 1)",
        "(\n    a: 1,\n    c: 0,\n)",
    );
}

#[test]
fn a_removed_item_takes_its_comment_lines_and_a_new_one_copies_its_neighbour() {
    let old =
        "[\n    // first\n    T(name: \"a\", v: 1),\n\n    // second\n    T(name: \"b\", v: 2),\n]";
    check(
        old,
        "[T(name: \"a\", v: 1), T(name: \"b\", v: 2)]",
        "[T(name: \"b\", v: 2)]",
        "[\n\n    // second\n    T(name: \"b\", v: 2),\n]",
    );
    check(
        old,
        "[T(name: \"a\", v: 1), T(name: \"b\", v: 2)]",
        "[T(name: \"a\", v: 1), T(name: \"b\", v: 2), T(name: \"c\", v: 3.0)]",
        &format!("{}    T(name: \"c\", v: 3),\n]", &old[..old.len() - 1]),
    );
}

#[test]
fn a_moved_item_keeps_its_comments() {
    check(
        "[\n    // A\n    (name: \"a\"),\n    // B\n    (name: \"b\"),\n]",
        "[T(name: \"a\"), T(name: \"b\")]",
        "[T(name: \"b\"), T(name: \"a\")]",
        "[\n    // B\n    (name: \"b\"),\n    // A\n    (name: \"a\"),\n]",
    );
}

#[test]
fn a_renamed_item_and_a_new_variant_are_rewritten_in_place() {
    check(
        "[\n    T(name: \"a\", i: Kick(tune: 40)), // k\n]",
        "[T(name: \"a\", i: Kick(tune: 40.0))]",
        "[T(name: \"z\", i: Snare(tone: 0.5))]",
        "[\n    T(name: \"z\", i: Snare(tone: 0.5)), // k\n]",
    );
}

#[test]
fn some_in_the_file_stays_some() {
    check("(a: Some(3))", "(a: 3)", "(a: 4)", "(a: Some(4))");
}

#[test]
fn a_renamed_item_is_found_by_its_old_name() {
    let renamed = [("c".to_string(), "b".to_string())].into_iter().collect();
    let got = update(
        "[\n    // A\n    (name: \"a\", v: 1),\n    // B\n    (name: \"b\", v: 1),\n]",
        "[T(name: \"a\", v: 1), T(name: \"b\", v: 1)]",
        "[T(name: \"c\", v: 1), T(name: \"x\", v: 1)]",
        &renamed,
    )
    .unwrap();
    assert_eq!(
        got,
        "[\n    // B\n    (name: \"c\", v: 1),\n    (name: \"x\", v: 1),\n]"
    );
}
