//! The arrangement pane, drawn from a real engine playing a song: the
//! sections on the timeline with the one playing lit, a launch shown queued
//! where it lands and then playing, markers, the playhead, and the lane of
//! the value the musician moves; and its keys and clicks.

use super::*;

const SONG: &str = r#"Session(tempo: 120, tracks: [Track(name: "a", instrument: Kick(), pattern: Steps("x...x...x...x..."))],
    sections: [
        Section(name: "intro", bars: 2),
        Section(name: "verse", bars: 4),
        Section(name: "drop", bars: 4, automation: [Lane(action: "set_pan", args: ["a"], points: [(1, -1), (5, 1)])]),
    ],
    song: [("intro", 1), ("verse", 1), ("drop", 1)],
    markers: {"verse": 3, "drop": 7},
    automation: [Lane(action: "set_volume", args: ["a"], points: [(1, -30), (11, 0)])])"#;

const BAR: usize = 96000;

/// The app on SONG with its real engine, played for `frames` frames.
fn playing(frames: usize) -> (App, termdaw::engine::Engine) {
    let file = patch::parse("s.ron", SONG).unwrap();
    let (session, mut engine) = termdaw::audio::render::prepare(file, None, 48000);
    let mut a = App::new(session, Keymap::defaults(), Theme::dark());
    run(&mut a, &mut engine, frames);
    a.handle_key(key('A'));
    (a, engine)
}

fn run(a: &mut App, engine: &mut termdaw::engine::Engine, frames: usize) {
    let (mut l, mut r) = (vec![0.0; 512], vec![0.0; 512]);
    for _ in 0..frames / 512 {
        engine.process(&mut l, &mut r);
    }
    a.pump();
    a.session_mut().tick();
}

fn pane(a: &App) -> Terminal<TestBackend> {
    draw_part(a, Component::Sequencer, 80, 7)
}

/// The row of the pane (0 is its top border) as text.
fn row(t: &Terminal<TestBackend>, y: u16) -> String {
    screen_text(t)
        .lines()
        .nth(y as usize)
        .unwrap_or("")
        .to_string()
}

#[test]
fn the_arrangement_shows_the_song_the_playhead_markers_and_a_lane() {
    // Five eighths into bar 3: the verse plays (bars 3 to 6).
    let (a, _e) = playing(2 * BAR + BAR * 5 / 8);
    let t = pane(&a);
    insta::assert_snapshot!("arrangement_80x7", t.backend());
    let sections = row(&t, 2);
    // 10 bars in 78 cells: 4 cells a bar, the intro at cell 0, the verse at
    // 8 and the drop at 24 (plus the border).
    assert_eq!(
        sections
            .find("▏intro")
            .map(|i| sections[..i].chars().count()),
        Some(1)
    );
    assert_eq!(
        sections
            .find("▏verse")
            .map(|i| sections[..i].chars().count()),
        Some(9)
    );
    assert_eq!(
        sections
            .find("▏drop")
            .map(|i| sections[..i].chars().count()),
        Some(25)
    );
    let markers = row(&t, 3);
    assert_eq!(
        markers.find("▾verse").map(|i| markers[..i].chars().count()),
        Some(9)
    );
    assert_eq!(
        markers.find("▾drop").map(|i| markers[..i].chars().count()),
        Some(25)
    );
    let buf = t.backend().buffer();
    let theme = Theme::dark();
    // The playhead, at bar 2.6 (0-based): cell 10 of the ruler.
    assert_eq!(buf[(11, 1)].bg, theme.playhead);
    assert_ne!(buf[(10, 1)].bg, theme.playhead);
    // The verse, playing, is lit; the intro is not.
    assert_eq!(buf[(12, 2)].bg, theme.selection_bg);
    assert_ne!(buf[(2, 2)].bg, theme.selection_bg);
    // The song-wide fade from -30 dB rises along the song.
    assert!(
        row(&t, 0).contains("lane 1/2 set_volume a"),
        "{}",
        row(&t, 0)
    );
    let level = |x: u16| {
        (4..6)
            .map(|y| {
                " ▁▂▃▄▅▆▇█"
                    .chars()
                    .position(|c| buf[(x, y)].symbol().starts_with(c))
                    .unwrap_or(0)
            })
            .sum::<usize>()
    };
    assert!(
        level(2) < level(20) && level(20) < level(39),
        "{}",
        screen_text(&t)
    );
}

#[test]
fn a_number_key_launches_a_section_shown_queued_where_it_lands_then_playing() {
    let (mut a, mut e) = playing(2 * BAR + BAR / 2);
    a.handle_key(key('3'));
    let t = pane(&a);
    let sections = row(&t, 2);
    // Queued on the next bar line, bar 4 (cell 12).
    assert_eq!(
        sections
            .find("▏→drop")
            .map(|i| sections[..i].chars().count()),
        Some(13),
        "{sections}"
    );
    assert_eq!(t.backend().buffer()[(14, 2)].fg, Theme::dark().warning);
    run(&mut a, &mut e, BAR);
    let t = pane(&a);
    let sections = row(&t, 2);
    assert!(!sections.contains('→'), "{sections}");
    assert_eq!(
        sections
            .find("▏drop")
            .map(|i| sections[..i].chars().count()),
        Some(13)
    );
    assert_eq!(t.backend().buffer()[(14, 2)].bg, Theme::dark().selection_bg);
    // A key past the sections says so and launches nothing.
    a.handle_key(key('9'));
    assert!(a
        .status
        .as_ref()
        .unwrap()
        .text
        .contains("there are 3 sections"));
}

#[test]
fn the_lane_shown_follows_the_value_moved_and_a_steps_through_them() {
    let (mut a, _e) = playing(BAR);
    a.handle_key(key('a'));
    let t = pane(&a);
    assert!(
        row(&t, 0).contains("lane 2/2 drop: set_pan a"),
        "{}",
        row(&t, 0)
    );
    // The section's lane draws only where the drop plays (bars 7 to 10).
    let curve = row(&t, 5);
    let drawn: Vec<usize> = curve
        .chars()
        .enumerate()
        .filter(|(_, c)| " ▁▂▃▄▅▆▇█│".find(*c).is_some_and(|i| i > 0) && !"│".contains(*c))
        .map(|(i, _)| i)
        .collect();
    assert!(drawn.iter().all(|&x| (25..41).contains(&x)), "{curve}");
    // Moving the volume of a shows the lane of that volume.
    a.handle_key(key('+'));
    assert!(row(&pane(&a), 0).contains("lane 1/2 set_volume a"));
    // While the arrangement is shown the step keys edit nothing.
    let before = a.session().file().track("a").unwrap().pattern.clone();
    a.handle_key(key('x'));
    assert_eq!(a.session().file().track("a").unwrap().pattern, before);
    assert!(a
        .status
        .as_ref()
        .unwrap()
        .text
        .contains("A shows the steps"));
}

#[test]
fn clicking_a_section_launches_it() {
    let (mut a, _e) = playing(BAR / 2);
    a.area = Rect::new(0, 0, 80, 24);
    let seq = view::layout(a.area).sequencer;
    // Bar 8 (0-based 7) is in the drop.
    let at = mouse(
        MouseEventKind::Down(MouseButton::Left),
        seq.x + 1 + 7 * 4,
        seq.y + 2,
    );
    let done = a.handle_mouse(at);
    assert_eq!(
        done,
        vec![Action::LaunchSection {
            section: "drop".into()
        }]
    );
    assert_eq!(a.session().form().queued.map(|q| q.0), Some("drop".into()));
}

#[test]
fn the_song_form_keys_are_bound_and_listed() {
    let k = Keymap::defaults();
    let name = |c: char| k.get(Key::char(c)).map(|c| c.to_string());
    assert_eq!(name('A').as_deref(), Some("arrange"));
    assert_eq!(name('n').as_deref(), Some("next_marker"));
    assert_eq!(name('N').as_deref(), Some("prev_marker"));
    assert_eq!(name('o').as_deref(), Some("loop_section"));
    assert_eq!(name('p').as_deref(), Some("play_song"));
    assert_eq!(name('1').as_deref(), Some("launch 1"));
    let a = bare_app();
    let help: String = view::help_rows(&a)
        .into_iter()
        .map(|r| format!("{r:?}"))
        .collect();
    for word in [
        "arrange",
        "lane_next",
        "next_marker",
        "loop_section",
        "launch",
    ] {
        assert!(help.contains(word), "? lists {word}");
    }
}
