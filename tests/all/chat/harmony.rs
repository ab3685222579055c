//! `suggest_chords` through the chat, against the scripted server: the
//! model reads the ranked next chords and the clashes of the session's
//! bass, writes a progression into a track as chord symbols (one chord a
//! bar, heard at the right pitches), a wrong chord comes back as an error,
//! and one undo takes the reply back.

use super::*;

#[test]
fn the_model_asks_for_chords_and_writes_a_progression_into_a_track() {
    let server = Server::start(vec![
        anthropic(&[
            tool("suggest_chords", json!({"after": "Am F"})),
            tool(
                "suggest_chords",
                json!({"track": "bass", "progression": "Am H7"}),
            ),
        ]),
        anthropic(&[tool(
            "suggest_chords",
            json!({"track": "bass", "progression": "Am F C G"}),
        )]),
        anthropic(&[text("The bass now walks Am F C G, a chord a bar.")]),
    ]);
    let mut s = session();
    let before = s.file().clone();
    let mut chat = Chat::new(cfg(ProviderKind::Anthropic, &server), History::in_memory());
    let ups = turn(&mut chat, &mut s, "give the bass a progression");
    assert_eq!(failed(&ups), None);
    let reqs = server.requests();
    let results = anthropic_results(&reqs[1].body);
    assert_eq!(results.len(), 2, "{results:?}");
    // The session's key (A minor) by default; C continues the epic minor.
    let (report, is_error) = &results[0];
    assert!(!is_error, "{report}");
    assert!(report.starts_with("A minor: A B C D E F G"), "{report}");
    assert!(report.contains("after Am F:\n  1. C "), "{report}");
    let (bad, is_error) = &results[1];
    assert!(
        *is_error && bad.contains("\"H7\" is not a chord name"),
        "{bad}"
    );
    let bass = s.file().track("bass").unwrap();
    assert_eq!(
        bass.pattern.as_ref().unwrap().source,
        "<a3'm f3'maj c3'maj g3'maj>"
    );
    assert_eq!(bass.resolution, 1);
    // A chord a bar, at its pitches: the second bar is F A C.
    let f = s.file().clone();
    let clip = termdaw::session::build::clip(f.track("bass").unwrap(), &f).unwrap();
    let bar = f.time_signature.beats as f64;
    let mut second: Vec<i32> = clip
        .events()
        .iter()
        .filter(|e| e.beat >= bar && e.beat < 2.0 * bar)
        .map(|e| e.note as i32)
        .collect();
    second.sort_unstable();
    assert_eq!(second, vec![53, 57, 60], "F3 A3 C4");
    // One undo takes back the whole reply.
    chat.submit("/undo", &mut s);
    assert_eq!(s.file(), &before);
}
