//! The song's form through the chat, against the scripted server: a reply
//! that builds sections, a song order, a marker, a filter lane into the drop
//! and the intensity lands whole (and sounds), the next request carries the
//! form it made, a launch is queued, and one undo takes the reply back.

use super::*;

fn build_the_song(kind: ProviderKind) {
    let reply = match kind {
        ProviderKind::Anthropic => anthropic,
        _ => openai,
    };
    let server = Server::start(vec![
        reply(&[
            text("A verse, then a drop that opens the bass."),
            tool("capture_section", json!({"name": "verse", "bars": 4})),
            tool(
                "set_section",
                json!({"section": "Section(name: \"drop\", bars: 4, tracks: {\"kick\": Part(pattern: Steps(\"x.x.x.x.x.x.x.x.\"))})"}),
            ),
            tool(
                "set_song",
                json!({"song": "[(\"verse\", 1), (\"drop\", 1)]"}),
            ),
            tool("set_marker", json!({"name": "drop", "bar": 5})),
            tool(
                "set_lane",
                json!({"lane": "Lane(action: \"set_param\", args: [\"bass\", \"cutoff\"], points: [(1, 300), (5, 300), (9, 4000, Exp)])"}),
            ),
            tool("set_macro", json!({"name": "intensity", "value": 6})),
            tool("set_key", json!({"key": "D"})),
        ]),
        reply(&[tool("launch_section", json!({"section": "drop"}))]),
        reply(&[text("The drop comes in on the next bar.")]),
    ]);
    let mut s = session();
    let before = s.file().clone();
    let mut chat = Chat::new(cfg(kind, &server), History::in_memory());
    let ups = turn(&mut chat, &mut s, "make it a song: a verse, then a drop");
    assert_eq!(failed(&ups), None);
    let f = s.file().clone();
    let names: Vec<&str> = f.sections.iter().map(|x| x.name.as_str()).collect();
    assert_eq!(names, ["verse", "drop"]);
    assert_eq!(f.song, [("verse".to_string(), 1), ("drop".to_string(), 1)]);
    assert_eq!(f.markers.get("drop"), Some(&5.0));
    assert_eq!(f.automation.len(), 1);
    assert_eq!(f.macros.first().map(|m| m.value), Some(6.0));
    assert_eq!(f.key.0, 2, "D");
    // The second request's context describes the form the first reply made.
    let reqs = server.requests();
    assert_eq!(reqs.len(), 3);
    let sent = reqs[1].body.to_string();
    assert!(
        sent.contains("song order") && sent.contains("verse") && sent.contains("drop"),
        "the context after the tools carries the form"
    );
    // Every tool result was a success.
    if kind == ProviderKind::Anthropic {
        let results = anthropic_results(&reqs[1].body);
        assert_eq!(results.len(), 7);
        assert!(results.iter().all(|(_, e)| !e), "{results:?}");
    }
    // The launch hands the lead to the musician: live mode, the drop next
    // (the transport is stopped at bar 1, so it is there at once).
    let form = s.form();
    assert_eq!(form.mode, termdaw::session::Mode::Live);
    let next = form.queued.or(form.playing).map(|q| q.0);
    assert_eq!(next.as_deref(), Some("drop"));
    // It sounds: the lane opens the bass over the drop, the drop's kick
    // plays twice as often.
    let one_bar = 4.0 * 60.0 / f.tempo;
    let a = render(&only(&f, "bass"), 8.0 * one_bar);
    let bar = (one_bar * RATE as f64) as usize;
    let (verse, drop) = (
        centroid(&a.l[bar..4 * bar]),
        centroid(&a.l[7 * bar..8 * bar]),
    );
    assert!(
        drop > 1.5 * verse,
        "{verse:.0} Hz in the verse, {drop:.0} Hz at the drop's end"
    );
    let k = render(&only(&f, "kick"), 8.0 * one_bar);
    let hits = |x: &[f32]| crate::common::onsets(x, 2000).len();
    let kick_bar = |i: usize| &k.l[i * bar..(i + 1) * bar];
    assert!(
        hits(kick_bar(5)) > hits(kick_bar(1)),
        "the drop's kick is busier"
    );
    // One undo takes back the whole first reply (the launch is no edit).
    chat.submit("/undo", &mut s);
    assert_eq!(s.file(), &before);
}

#[test]
fn a_song_is_built_and_launched_from_the_chat_over_the_anthropic_protocol() {
    build_the_song(ProviderKind::Anthropic);
}

#[test]
fn a_song_is_built_and_launched_from_the_chat_over_the_openai_protocol() {
    build_the_song(ProviderKind::OpenAi);
}
