//! Song form: sections follow the song order or are launched live, and
//! every change lands on the first sample of its bar.

use termdaw::action::{Action, ArgType, ArgValue, FromArg};
use termdaw::audio::render::{self, Length};
use termdaw::session::Mode;

use crate::common::*;

/// At 120 BPM in 4/4 and 48 kHz a beat is 24000 samples, a bar 96000.
const BEAT: usize = 24000;
const BAR: usize = 4 * BEAT;

/// A click on every beat, by the track `name`, only where a section gives
/// it a pattern.
fn click(name: &str) -> String {
    format!("Track(name: \"{name}\", instrument: Synth(attack: 0, decay: 0.002, sustain: 0, release: 0.002), gate: 0.1)")
}

fn song(sections: &str, song: &str) -> String {
    format!(
        "Session(tempo: 120, tracks: [{}, {}], sections: [{sections}], song: [{song}])",
        click("a"),
        click("b")
    )
}

const PLAY_A: &str = "Part(pattern: Steps(\"x...\"))";

/// Sections: `intro` plays track a, `verse` plays track b.
fn two_sections(then: &str) -> String {
    format!(
        "Section(name: \"intro\", bars: 1, tracks: {{\"a\": {PLAY_A}}}{then}), Section(name: \"verse\", bars: 2, tracks: {{\"b\": {PLAY_A}}})"
    )
}

/// Render `text` from the start (with `between` before each block) and
/// the first sample that sounds.
fn first_of(
    text: &str,
    frames: usize,
    between: impl FnMut(&mut termdaw::session::Session, u64),
) -> (Audio, Option<usize>) {
    let (mut s, mut e) = prepare(text);
    let a = render_with(&mut s, &mut e, frames, between);
    let on = a.onset(0.0);
    (a, on)
}

#[test]
fn in_song_mode_each_section_starts_on_the_first_sample_of_its_bar() {
    // intro (1 bar: a clicks), verse (2 bars: b clicks), intro again.
    let text = song(
        &two_sections(""),
        "(\"intro\", 1), (\"verse\", 1), (\"intro\", 1)",
    );
    let file = parse(&text);
    assert_eq!(file.song_seconds(), 8.0);
    // Track b alone: it sounds only in the verse, bars 2 and 3.
    let only_b = text.replace(
        "Track(name: \"a\", instrument: Synth(",
        "Track(name: \"a\", mute: true, instrument: Synth(",
    );
    let (a, first) = first_of(&only_b, 5 * BAR, |_, _| {});
    assert_eq!(first, Some(BAR), "the verse starts on bar 2's first sample");
    let hits = onsets(&a.l, 1000);
    let expected: Vec<usize> = (4..12).map(|k| k * BEAT).collect();
    assert_eq!(
        hits, expected,
        "b clicks on every beat of the verse and nowhere else"
    );
    // Track a alone: bar 1 and bar 4, then the song has ended.
    let only_a = text.replace(
        "Track(name: \"b\", instrument: Synth(",
        "Track(name: \"b\", mute: true, instrument: Synth(",
    );
    let (a, _) = first_of(&only_a, 6 * BAR, |_, _| {});
    let expected: Vec<usize> = (0..4).chain(12..16).map(|k| k * BEAT).collect();
    assert_eq!(
        onsets(&a.l, 1000),
        expected,
        "a clicks in the intros, and the song stops after bar 4"
    );
}

#[test]
fn a_section_launched_at_any_moment_starts_on_the_next_bar_shown_queued_then_playing() {
    let text = format!(
        "Session(tempo: 120, tracks: [{}], sections: [Section(name: \"drop\", bars: 4, tracks: {{\"a\": {PLAY_A}}})])",
        click("a")
    );
    // Launch moments: inside a bar, just before a bar line (closer than the
    // engine's largest buffer: the launch waits a bar more), on a bar line.
    for at in [12_345usize, 170_001, BAR * 2 - 1000, BAR * 3] {
        let at = at - at % 64;
        let mut queued = None;
        let mut playing_after = None;
        let (_, first) = first_of(&text, 6 * BAR, |s, done| {
            if done as usize == at {
                let r = s.apply(Action::LaunchSection {
                    section: "drop".into(),
                });
                assert!(r.is_ok(), "{r:?}");
                queued = Some(s.form());
            }
            if done as usize == 5 * BAR {
                playing_after = Some(s.form());
            }
        });
        let mut bar = at.div_ceil(BAR) * BAR;
        if bar - at < 2048 {
            bar += BAR;
        }
        assert_eq!(first, Some(bar), "launched at sample {at}");
        let q = queued.expect("launched");
        assert_eq!(q.mode, Mode::Live);
        assert_eq!(
            q.queued,
            Some(("drop".to_string(), (bar / BEAT) as f64)),
            "shown as queued at {at}"
        );
        assert_eq!(q.playing, None);
        let p = playing_after.expect("rendered");
        assert_eq!(p.queued, None);
        assert_eq!(
            p.playing,
            Some(("drop".to_string(), (bar / BEAT) as f64)),
            "then shown as playing"
        );
    }
}

#[test]
fn a_follow_action_goes_on_to_the_next_section_when_its_bars_are_over() {
    // intro (1 bar) then verse, launched live at the start.
    let text = format!(
        "Session(tempo: 120, tracks: [{}, {}], sections: [{}])",
        click("a"),
        click("b").replace("Synth(", "Synth(wave: square, "),
        two_sections(", then: \"verse\"")
    );
    let only_b = text.replace(
        "Track(name: \"a\", instrument: Synth(",
        "Track(name: \"a\", mute: true, instrument: Synth(",
    );
    // Launched at the very start, the intro waits for bar 2 (bar 1 has
    // begun); the verse follows it on bar 3.
    let (_, first) = first_of(&only_b, 4 * BAR, |s, done| {
        if done == 0 {
            s.apply(Action::LaunchSection {
                section: "intro".into(),
            })
            .unwrap();
        }
    });
    assert_eq!(first, Some(2 * BAR), "verse follows the one-bar intro");
}

#[test]
fn render_without_a_length_renders_the_song_to_the_sample_plus_the_tail() {
    // intro at 120 BPM (1 bar = 96000), fast at 240 BPM (1 bar = 48000), intro.
    let text = format!(
        "Session(tempo: 120, tracks: [{}, {}], sections: [{}, Section(name: \"fast\", bars: 1, tempo: 240, tracks: {{\"b\": {PLAY_A}}})], song: [(\"intro\", 1), (\"fast\", 1), (\"intro\", 1)])",
        click("a"),
        click("b"),
        two_sections("")
    );
    let file = parse(&text);
    let frames = render::frames_for(&file, Length::Song, RATE);
    assert_eq!(frames, (BAR + BAR / 2 + BAR) as u64 + 3 * RATE as u64);
    // The last intro starts where the fast bar ends: tempo changes land exactly.
    let only_a = text.replace(
        "Track(name: \"b\", instrument: Synth(",
        "Track(name: \"b\", mute: true, instrument: Synth(",
    );
    let (a, _) = first_of(&only_a, frames as usize, |_, _| {});
    let expected: Vec<usize> = (0..4)
        .map(|k| k * BEAT)
        .chain((0..4).map(|k| BAR + BAR / 2 + k * BEAT))
        .collect();
    assert_eq!(onsets(&a.l, 1000), expected);
    // The fast bar: b on every beat of 240 BPM (12000 samples).
    let only_b = text.replace(
        "Track(name: \"a\", instrument: Synth(",
        "Track(name: \"a\", mute: true, instrument: Synth(",
    );
    let (b, _) = first_of(&only_b, frames as usize, |_, _| {});
    let expected: Vec<usize> = (0..4).map(|k| BAR + k * BEAT / 2).collect();
    assert_eq!(onsets(&b.l, 1000), expected);
}

#[test]
fn a_knob_turned_in_a_section_changes_that_section_and_undo_takes_it_back() {
    let text = format!(
        "Session(tempo: 120, tracks: [{}], sections: [Section(name: \"chorus\", bars: 8, tracks: {{\"a\": Part(set: {{\"volume\": -6, \"decay\": 0.5}})}})], song: [(\"chorus\", 1)])",
        click("a")
    );
    let (mut s, _e) = prepare(&text);
    s.apply(Action::SetVolume {
        track: "a".into(),
        db: -1.0,
    })
    .unwrap();
    s.apply(Action::SetVolume {
        track: "b".into(),
        db: -1.0,
    })
    .unwrap_err();
    let f = s.file();
    assert_eq!(
        f.track("a").unwrap().volume,
        0.0,
        "the session's own level stays"
    );
    let part = &f.section("chorus").unwrap().tracks["a"];
    assert_eq!(part.set["volume"].0, -1.0, "the chorus's level moved");
    // A value the section does not set is the track's own.
    s.apply(Action::SetPan {
        track: "a".into(),
        pan: 0.5,
    })
    .unwrap();
    assert_eq!(s.file().track("a").unwrap().pan, 0.5);
    s.apply(Action::Undo {}).unwrap();
    s.apply(Action::Undo {}).unwrap();
    assert_eq!(
        s.file().section("chorus").unwrap().tracks["a"].set["volume"].0,
        -6.0
    );
}

#[test]
fn editing_a_section_in_the_file_lands_only_that_change_on_the_quantum() {
    let text = song(&two_sections(""), "(\"verse\", 4)");
    let edited = text.replace(
        "Section(name: \"verse\", bars: 2, tracks: {\"b\": Part(pattern: Steps(\"x...\"))})",
        "Section(name: \"verse\", bars: 2, tracks: {\"b\": Part(pattern: Steps(\"x.x.\"))})",
    );
    assert_ne!(text, edited);
    let (old, new) = (parse(&text), parse(&edited));
    let actions = termdaw::session::diff::diff(&old, &new);
    assert_eq!(actions.len(), 1, "{actions:?}");
    assert!(matches!(actions[0], Action::SetSection { .. }));
    let (mut s, mut e) = render::prepare(old.clone(), None, RATE);
    let edit_at = BAR + BEAT + 320;
    let a = render_with(&mut s, &mut e, 4 * BAR, |s, done| {
        if done as usize == edit_at {
            let c = s.apply_file_change(&old, &new);
            assert!(c.errors.is_empty(), "{:?}", c.errors);
            assert_eq!(c.lands_at, Some(8.0));
        }
    });
    // Before bar 3: every beat; from bar 3: every eighth note.
    let expected: Vec<usize> = (0..8)
        .map(|k| k * BEAT)
        .chain((0..16).map(|k| 2 * BAR + k * BEAT / 2))
        .collect();
    assert_eq!(onsets(&a.l, 1000), expected);
}

#[test]
fn markers_jump_on_the_next_bar_and_bring_their_section() {
    let text = song(&two_sections(""), "(\"intro\", 2), (\"verse\", 2)")
        .replace("song:", "markers: {\"verse\": 3, \"end\": 6}, song:");
    let only_b = text.replace(
        "Track(name: \"a\", instrument: Synth(",
        "Track(name: \"a\", mute: true, instrument: Synth(",
    );
    // At bar 1 beat 2, jump to the marker "verse" (bar 3): lands on bar 2.
    let (_, first) = first_of(&only_b, 3 * BAR, |s, done| {
        if done as usize == BEAT + 320 {
            let d = s
                .apply(Action::JumpTo {
                    place: "verse".into(),
                })
                .unwrap();
            assert_eq!(d.description, "jump to verse (bar 3)");
        }
    });
    assert_eq!(
        first,
        Some(BAR),
        "the verse plays from the bar after the jump"
    );
    let (mut s, _e) = prepare(&text);
    let e = s
        .apply(Action::JumpTo {
            place: "vers".into(),
        })
        .unwrap_err();
    assert!(e.to_string().contains("did you mean \"verse\""), "{e}");
    let e = s.apply(Action::PrevMarker {}).unwrap_err();
    assert_eq!(e.to_string(), "no marker before the playhead");
    assert!(s.apply(Action::NextMarker {}).is_ok());
}

#[test]
fn looping_the_section_playing_saves_its_bars_in_the_file() {
    let text = song(&two_sections(""), "(\"intro\", 1), (\"verse\", 1)");
    let (mut s, _e) = prepare(&text);
    s.apply(Action::LoopSection {}).unwrap();
    assert_eq!(s.file().loop_bars, Some((1, 1)), "the intro is bar 1");
    s.apply(Action::LoopSection {}).unwrap();
    assert_eq!(s.file().loop_bars, None, "again: loop off");
    // A looped song goes round and does not stop at its end.
    let looped = text.replace("song:", "loop_bars: Some((2, 3)), song:");
    let only_b = looped.replace(
        "Track(name: \"a\", instrument: Synth(",
        "Track(name: \"a\", mute: true, instrument: Synth(",
    );
    let a = render_text(&only_b, 6 * BAR);
    let hits = onsets(&a.l, 1000);
    assert_eq!(
        hits.len(),
        20,
        "b clicks through 5 bars of looped verse: {hits:?}"
    );
}

#[test]
fn song_form_actions_check_what_they_name_and_undo() {
    let text = song(&two_sections(""), "(\"intro\", 1)");
    let (mut s, _e) = prepare(&text);
    let e = s
        .apply(Action::LaunchSection {
            section: "chorsu".into(),
        })
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "there is no section named \"chorsu\" (sections: intro, verse)"
    );
    let e = s
        .apply(Action::SetSong {
            song: vec![("intro".into(), 1), ("vrse".into(), 2)],
        })
        .unwrap_err();
    assert!(e.to_string().contains("did you mean \"verse\"?"), "{e}");
    let sec = FromArg::from_arg(
        &ArgValue::Text(
            "Section(name: \"drop\", bars: 8, tracks: {\"a\": Part(set: {\"cutof\": 3000})})"
                .into(),
        ),
        &ArgType::Ron,
    )
    .unwrap();
    let e = s.apply(Action::SetSection { section: sec }).unwrap_err();
    assert!(
        e.to_string().contains(
            "`cutof` is neither a track field nor a parameter of Synth (did you mean `cutoff`?)"
        ),
        "{e}"
    );
    s.apply(Action::CaptureSection {
        name: "now".into(),
        bars: 2,
    })
    .unwrap();
    assert_eq!(s.file().section("now").unwrap().tracks.len(), 2);
    s.apply(Action::SetMarker {
        name: "top".into(),
        bar: 1.0,
    })
    .unwrap();
    s.apply(Action::RemoveSection {
        section: "intro".into(),
    })
    .unwrap();
    assert!(
        s.file().song.is_empty(),
        "the song order loses the removed section"
    );
    s.apply(Action::Undo {}).unwrap();
    assert_eq!(s.file().song, vec![("intro".to_string(), 1)]);
    s.apply(Action::Undo {}).unwrap();
    assert!(s.file().markers.is_empty());
    // Renaming a track renames it in its sections.
    s.apply(Action::RenameTrack {
        track: "a".into(),
        name: "lead".into(),
    })
    .unwrap();
    assert!(s
        .file()
        .section("intro")
        .unwrap()
        .tracks
        .contains_key("lead"));
}

#[test]
fn a_section_that_names_what_is_not_there_is_refused_where_it_says_so() {
    for (body, message) in [
        (
            "sections: [Section(name: \"a\", bars: 0)]",
            "bars must be between 1 and 256, found 0",
        ),
        (
            "sections: [Section(name: \"a\")], song: [(\"b\", 1)]",
            "the song plays \"b\", but there is no section of that name",
        ),
        (
            "sections: [Section(name: \"a\", then: \"c\")]",
            "section \"a\" goes on to \"c\", but there is no section of that name",
        ),
        (
            "sections: [Section(name: \"a\", tracks: {\"x\": Part()})]",
            "section \"a\" names track \"x\", but there is no track of that name",
        ),
        (
            "sections: [Section(name: \"a\")], song: [(\"a\", 0)]",
            "\"a\" repeats between 1 and 64 times, found 0",
        ),
        (
            "markers: {\"m\": 0}",
            "marker \"m\" is at bar 0; bars count from 1",
        ),
    ] {
        let text = format!("Session(tracks: [{}], {body})", click("t"));
        let e = termdaw::patch::parse("s.ron", &text)
            .unwrap_err()
            .to_string();
        assert!(e.contains(message), "{body}: {e}");
    }
}

#[test]
fn the_chat_sees_the_form_of_the_song_and_what_plays() {
    let text = song(&two_sections(""), "(\"intro\", 1), (\"verse\", 2)");
    let (mut s, _e) = prepare(&text);
    let said = termdaw::chat::prompt::summary(&s);
    assert!(said.contains("section: Section(name: \"intro\""), "{said}");
    assert!(
        said.contains("song order: [(\"intro\", 1),(\"verse\", 2),]"),
        "{said}"
    );
    assert!(said.contains("mode: song"), "{said}");
    assert!(
        said.contains("section playing: intro (since bar 1)"),
        "{said}"
    );
    s.apply(Action::LaunchSection {
        section: "verse".into(),
    })
    .unwrap();
    let said = termdaw::chat::prompt::summary(&s);
    assert!(said.contains("mode: live"), "{said}");
}

#[test]
fn a_song_that_slows_down_renders_every_beat_to_its_end_plus_the_tail() {
    // Two bars of a click on every beat, the tempo falling from 120 to 60
    // BPM over them: at the plain tempo the song would last 4 s.
    let text = format!(
        "Session(tempo: 120, tracks: [{}, {}], sections: [{}], song: [(\"intro\", 2)], automation: [Lane(action: \"set_tempo\", points: [(1, 120), (3, 60)])])",
        click("a"),
        click("b"),
        two_sections("")
    );
    let file = parse(&text);
    let plain = render::frames_for(&file, Length::Song, RATE) as usize;
    let (l, _) = render::render_buffers(file, None, Length::Song, RATE).unwrap();
    let tail = 3 * RATE as usize;
    assert!(
        l.len() > plain + RATE as usize / 2,
        "{} frames, plain {plain}",
        l.len()
    );
    let a = Audio { l: l.clone(), r: l };
    let hits = onsets(&a.l, 1000);
    assert_eq!(hits.len(), 8, "every beat of both bars sounds: {hits:?}");
    // Beats get longer as the tempo falls, and the song ends one (slow)
    // beat after the last click; then the tail.
    let gaps: Vec<usize> = hits.windows(2).map(|w| w[1] - w[0]).collect();
    assert!(gaps.windows(2).all(|g| g[1] > g[0]), "{gaps:?}");
    let end = a.l.len() - tail;
    let last_beat = end - hits[7];
    assert!(
        last_beat > *gaps.last().unwrap() && last_beat < 2 * RATE as usize,
        "the song stops one beat after the last click: {last_beat} frames"
    );
}

#[test]
fn a_timeline_clip_replaces_the_pattern_for_its_bars_from_its_own_beginning() {
    // Track a clicks on beat 1 of every bar; its clip at bar 4 plays
    // `<~ x> x ~ x` from its own first cycle (beats 2 and 4), not from
    // the song's fourth (which would click on beat 1 too). Bar 6's clip
    // has no pattern: a bar of rest.
    let text = "Session(tempo: 120, tracks: [Track(name: \"a\", instrument: Synth(attack: 0, decay: 0.002, sustain: 0, release: 0.002), gate: 0.1, resolution: 4, pattern: Steps(\"x...\"), clips: [Clip(bar: 4, bars: 1, pattern: Notes(\"<~ x> x ~ x\")), Clip(bar: 6, bars: 1)])])";
    let (a, _) = first_of(text, 7 * BAR, |_, _| {});
    let want: Vec<usize> = vec![
        0,
        BAR,
        2 * BAR,
        3 * BAR + BEAT,
        3 * BAR + 3 * BEAT,
        4 * BAR,
        6 * BAR,
    ];
    assert_eq!(onsets(&a.l, 1000), want);
}

#[test]
fn a_jump_into_a_clip_lands_with_it_and_set_clips_edits_them_live() {
    let text = "Session(tempo: 120, tracks: [Track(name: \"a\", instrument: Synth(attack: 0, decay: 0.002, sustain: 0, release: 0.002), gate: 0.1, resolution: 4, pattern: Steps(\"x...\"), clips: [Clip(bar: 9, bars: 2, pattern: Steps(\".x..\"))])], markers: {\"nine\": 9})";
    let (mut s, mut e) = prepare(text);
    let a = render_with(&mut s, &mut e, 3 * BAR, |s, frame| {
        if frame == (BAR / 2) as u64 {
            s.apply(Action::JumpTo {
                place: "nine".into(),
            })
            .unwrap();
        }
    });
    // The jump lands on bar 2's line, at bar 9, inside the clip: beat 2.
    assert_eq!(onsets(&a.l, 1000), vec![0, BAR + BEAT, 2 * BAR + BEAT]);
    // Now at bar 11: a clip placed there plays (this second render starts
    // the limiter's 72-frame look-ahead later).
    let clips = FromArg::from_arg(
        &ArgValue::Text("[Clip(bar: 11, bars: 2, pattern: Steps(\"..x.\"))]".into()),
        &ArgType::Ron,
    )
    .unwrap();
    s.apply(Action::SetClips {
        track: "a".into(),
        clips,
    })
    .unwrap();
    let b = render_with(&mut s, &mut e, 2 * BAR, |_, _| {});
    let hits = onsets(&b.l, 1000);
    let clip_hit = |at: usize| hits.iter().any(|h| h.abs_diff(at) <= 72);
    assert!(
        clip_hit(2 * BEAT) && clip_hit(BAR + 2 * BEAT),
        "the new clip plays: {hits:?}"
    );
}
