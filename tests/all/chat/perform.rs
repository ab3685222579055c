//! Performing from the chat, against the scripted server: the model
//! drives a Looper track, a wrong command comes back naming the right
//! ones, and the loop it started records on the bar and repeats.

use super::*;
use crate::looper::{at, run, with_input, BAR, SESSION};

#[test]
fn the_chat_records_a_loop_and_a_wrong_command_names_the_right_ones() {
    let server = Server::start(vec![
        anthropic(&[tool(
            "looper",
            json!({"track": "loop", "command": "rewind"}),
        )]),
        anthropic(&[tool(
            "looper",
            json!({"track": "loop", "command": "record"}),
        )]),
        anthropic(&[text("Recording two bars from the next bar.")]),
    ]);
    let mut rig = with_input(SESSION);
    let mut chat = Chat::new(cfg(ProviderKind::Anthropic, &server), History::in_memory());
    // Half a bar in, the musician asks; the recording starts on bar 2.
    run(&mut rig, &[], |_| 0.0, BAR / 2);
    let ups = turn(&mut chat, &mut rig.0, "loop what I play for two bars");
    assert_eq!(failed(&ups), None);
    let reqs = server.requests();
    let wrong = anthropic_results(&reqs[1].body);
    assert!(
        wrong[0].1 && wrong[0].0.contains("rewind") && wrong[0].0.contains("press"),
        "{wrong:?}"
    );
    assert!(!anthropic_results(&reqs[2].body)[0].1, "record is taken");
    let heard = run(
        &mut rig,
        &[],
        |c| if c == BAR + 1_000 { 0.5 } else { 0.0 },
        5 * BAR,
    );
    // The click recorded in bar 2 plays a loop (two bars) later, and
    // nothing before: the recording started on the bar line, monitor off.
    let loop_len = 2 * BAR;
    assert!(at(&heard, BAR + 1_000 + loop_len).is_some(), "{heard:?}");
    assert!(heard.iter().all(|(c, _)| *c >= BAR + loop_len), "{heard:?}");
    // A performance command is no edit: nothing to undo, nothing unsaved.
    assert_eq!(rig.0.undo_len(), 0);
}
