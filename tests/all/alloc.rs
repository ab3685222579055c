//! Real-time rule 1, tested: a whole render of the demo, with commands and
//! structural changes arriving mid-render, the meters (tracks, buses,
//! master) read as the UI reads them, the action log kept and a take with
//! stems recorded (started, stopped, started again), allocates and frees
//! nothing on the audio path.

use std::path::Path;

use crate::alloc_counter;
use termdaw::action::{Action, ArgType, ArgValue, FromArg};
use termdaw::audio::render;
use termdaw::engine::follow::ClockMsg;
use termdaw::engine::{Counters, EngineCmd, Feedback, Op, When};
use termdaw::patch;

/// One of every effect kind (the chain a track gets mid-render).
const EVERY_EFFECT: &str = "[Reverb(), Delay(sync: \"3/16\", mode: pingpong), Lowpass(), Highpass(), Bandpass(), Notch(), Comb(), Drive(), Clip(), Shaper(), Crush(bits: 6, downsample: 3), Chorus(), Flanger(), Phaser(), AutoPan(), Width(width: 1.5), Compressor(), Limiter(), Gate(), Eq3(low: 3), Eq(gain2: 4)]";

#[test]
fn whole_demo_render_with_live_changes_allocates_nothing_on_the_audio_path() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("patches/demo.ron");
    let file = patch::load(&path).unwrap_or_else(|e| panic!("{}", e.report()));
    let names: Vec<String> = file.tracks.iter().map(|t| t.name.to_string()).collect();
    let total = render::frames_for(&file, render::Length::Bars(16.0), 48000);
    let (mut session, mut engine) = render::prepare(file, Some(&path), 48000);
    let mut l = vec![0.0f32; 128];
    let mut r = vec![0.0f32; 128];
    let mut done = 0u64;
    let mut block = 0u64;
    let mut allocations = 0u64;
    let mut first_bad = None;
    let mut peak = 0f32;
    let mut effect_params = 0;
    let (mut bus_reports, mut bus_rms) = (0u64, 0f32);
    let (mut take_rx, mut captured) = (None::<rtrb::Consumer<f32>>, 0usize);
    while done < total {
        // A take with stems: on at block 5, off at 300, on again at 400.
        if block == 5 || block == 400 {
            let (tx, rx) = rtrb::RingBuffer::new(1 << 20);
            let ring = Box::new(termdaw::engine::capture::Capture::new(tx, true));
            assert!(session.start_capture(ring, termdaw::engine::When::Now));
            take_rx = Some(rx);
        }
        if block == 300 {
            assert!(session.stop_capture(termdaw::engine::When::NextBeat));
        }
        if let Some(rx) = take_rx.as_mut() {
            let n = rx.slots();
            captured += n;
            rx.read_chunk(n).unwrap().commit_all();
        }
        session.drain_applied();
        // Control side: a performer and a chat making changes.
        let t = &names[(block as usize) % names.len()];
        match block % 97 {
            10 => drop(session.apply(Action::NudgeTempo { delta: 3.0 })),
            20 => drop(session.apply(Action::ToggleMute { track: t.clone() })),
            30 => drop(session.apply(Action::SetVolume { track: t.clone(), db: -3.0 })),
            40 => drop(session.apply(Action::SetParam { track: t.clone(), param: "pan".into(), value: ArgValue::Number(0.3) })),
            45 => drop(session.apply(Action::SetEffects { track: t.clone(), effects: FromArg::from_arg(&ArgValue::Text(EVERY_EFFECT.into()), &ArgType::Ron).unwrap() })),
            // The track that got every effect at block 45 of this cycle.
            47 | 57 if session.apply(Action::SetEffectParam { chain: names[(block - block % 97 + 45) as usize % names.len()].clone(), effect: (block % 21) as i64, param: "mix".into(), value: ArgValue::Number(0.5) }).is_ok() => effect_params += 1,
            55 => drop(session.apply(Action::SetMasterEffects { effects: FromArg::from_arg(&ArgValue::Text("[Compressor(), Eq3(low: 2), Limiter()]".into()), &ArgType::Ron).unwrap() })),
            65 => drop(session.apply(Action::SetEffectParam { chain: "master".into(), effect: 1, param: "low".into(), value: ArgValue::Number(-3.0) })),
            50 => drop(session.apply(Action::SetPattern { track: t.clone(), notation: "steps".into(), pattern: "x.x.x..x".into() })),
            60 => drop(session.apply(Action::SetInstrument { track: t.clone(), instrument: FromArg::from_arg(&ArgValue::Text("Pluck()".into()), &ArgType::Ron).unwrap() })),
            70 => drop(session.apply(Action::AddTrack { track: FromArg::from_arg(&ArgValue::Text(format!("Track(name: \"x{block}\", instrument: Fm(), pattern: Notes(\"60 64 67\"))")), &ArgType::Ron).unwrap() })),
            80 => drop(session.apply(Action::Undo {})),
            90 => drop(session.apply(Action::SetSolo { track: t.clone(), on: block % 2 == 0 })),
            75 => drop(session.apply(Action::SetSend { track: t.clone(), bus: "verb".into(), db: -12.0 })),
            85 => drop(session.apply(Action::SetBusVolume { bus: "echo".into(), db: (block % 7) as f64 - 6.0 })),
            _ => {}
        }
        if let Some(h) = session.engine_mut() {
            h.collect_garbage();
            // The UI's side: read the meters, so every report gets through.
            h.drain_feedback(|f| {
                if let Feedback::BusMeter { rms, .. } = f {
                    bus_reports += 1;
                    bus_rms = bus_rms.max(rms[0]);
                }
            });
        }
        let n = ((total - done) as usize).min(l.len());
        let (_, count) = alloc_counter::count(|| engine.process(&mut l[..n], &mut r[..n]));
        if count > 0 && first_bad.is_none() {
            first_bad = Some(block);
        }
        allocations += count;
        peak = l[..n]
            .iter()
            .chain(&r[..n])
            .fold(peak, |m, x| m.max(x.abs()));
        done += n as u64;
        block += 1;
    }
    assert_eq!(
        allocations, 0,
        "allocations on the audio path, first in block {first_bad:?}"
    );
    assert!(peak > 0.1, "the demo was audible");
    assert!(
        captured > 48_000 * 2 * 4,
        "the take was written: {captured} values"
    );
    assert!(effect_params >= 2, "effect parameters changed in place");
    // Two buses, about 60 reports a second each.
    assert!(
        bus_reports > 2 * 60 * 20,
        "bus meters reported: {bus_reports}"
    );
    assert!(bus_rms > 0.01, "a bus meter read a level: {bus_rms}");
    let c = engine.counters();
    assert!(
        Counters::get(&c.returned_objects) > 10,
        "replaced objects came back"
    );
    assert_eq!(Counters::get(&c.leaked_objects), 0);
    assert_eq!(Counters::get(&c.nonfinite_samples), 0);
}

#[test]
fn the_counter_does_catch_allocations() {
    let (v, n) = alloc_counter::count(|| vec![1u8; 10]);
    assert_eq!(v.len(), 10);
    assert!(n >= 1);
}

/// A song: sections with parts and lanes, timeline clips, song-wide
/// lanes on every kind of target, a tempo lane, a density lane, a lane
/// on the built-in intensity macro, and pattern functions that set each
/// note's pan, gain, speed, sample piece and nudge.
const SONG: &str = r#"Session(
    tempo: 124,
    buses: [Bus(name: "verb", effects: [Reverb(mix: 1)])],
    tracks: [
        Track(name: "kick", instrument: Kick(), pattern: Steps("jux rev $ x...x...x..xx...")),
        Track(name: "bass", instrument: Synth(wave: Saw, cutoff: 400), pattern: Notes("jux (hurry 2) $ chop 2 $ a1 ~ a1 c2"), effects: [Lowpass(cutoff: 2000), Delay(mix: 0.2)], sends: {"verb": -12}),
        Track(name: "pad", instrument: Fm(), pattern: Notes("nudge -0.01 $ stut 3 0.5 0.125 $ <a3 c4>"), resolution: 1, clips: [Clip(bar: 3, bars: 2, pattern: Notes("[a3,c4,e4]")), Clip(bar: 6, bars: 1)]),
        Track(name: "ref", instrument: Tone(wave: Saw, level: -30), pattern: Notes("<a4 [e5 c2] ~ a7>")),
        Track(name: "hiss", instrument: Tone(wave: Noise, level: -40), pattern: Steps("x.x.")),
    ],
    sections: [
        Section(name: "intro", bars: 2, tracks: {"kick": Part(set: {"mute": true})}, automation: [Lane(action: "set_volume", args: ["pad"], points: [(1, -30), (3, 0)])]),
        Section(name: "drop", bars: 2, tracks: {"bass": Part(pattern: Notes("a1 a1 c2 e2"), set: {"cutoff": 2400})}, automation: [Lane(action: "set_param", args: ["bass", "cutoff"], points: [(1, 300), (3, 5000, Exp)])], then: "intro"),
    ],
    song: [("intro", 1), ("drop", 2), ("intro", 1)],
    automation: [
        Lane(action: "set_pan", args: ["pad"], points: [(1, -1), (9, 1, Smooth)]),
        Lane(action: "set_effect_param", args: ["bass", 0, "cutoff"], points: [(1, 300), (5, 6000, Exp), (9, 300, Step)]),
        Lane(action: "set_send", args: ["bass", "verb"], points: [(1, -30), (9, 0)]),
        Lane(action: "set_bus_volume", args: ["verb"], points: [(1, -6), (9, 0)]),
        Lane(action: "set_master_volume", points: [(1, -3), (9, 0)]),
        Lane(action: "set_tempo", points: [(1, 124), (5, 140), (9, 124)]),
        Lane(action: "set_density", args: ["kick"], points: [(1, 0.2), (9, 1)]),
        Lane(action: "set_intensity", points: [(1, 0), (9, 10, Smooth)]),
    ],
)"#;

#[test]
fn a_whole_song_with_section_changes_launches_and_automation_allocates_nothing() {
    let file = patch::parse("song.ron", SONG).unwrap_or_else(|e| panic!("{}", e.report()));
    let total = render::frames_for(&file, render::Length::Song, 48000);
    let (mut session, mut engine) = render::prepare(file, None, 48000);
    let (mut l, mut r) = (vec![0.0f32; 128], vec![0.0f32; 128]);
    let (mut done, mut block, mut allocations, mut peak) = (0u64, 0u64, 0u64, 0f32);
    let lane = |text: &str| FromArg::from_arg(&ArgValue::Text(text.into()), &ArgType::Ron).unwrap();
    while done < total {
        session.tick();
        match block {
            // Live: launch the drop, then its follow action brings the intro.
            2000 => drop(session.apply(Action::LaunchSection {
                section: "drop".into(),
            })),
            2600 => drop(session.apply(Action::SetLane {
                lane: lane(
                    r#"Lane(action: "set_volume", args: ["kick"], points: [(1, -12), (20, 0)])"#,
                ),
            })),
            3000 => drop(session.apply(Action::PlaySong {})),
            3500 => drop(session.apply(Action::RemoveLane {
                lane: "set_tempo".into(),
            })),
            _ => {}
        }
        if let Some(h) = session.engine_mut() {
            h.collect_garbage();
            h.drain_feedback(|_| {});
        }
        let n = ((total - done) as usize).min(l.len());
        let (_, count) = alloc_counter::count(|| engine.process(&mut l[..n], &mut r[..n]));
        allocations += count;
        peak = l[..n]
            .iter()
            .chain(&r[..n])
            .fold(peak, |m, x| m.max(x.abs()));
        done += n as u64;
        block += 1;
    }
    assert_eq!(allocations, 0, "allocations on the audio path");
    assert!(peak > 0.1, "the song was audible");
    let c = engine.counters();
    assert!(
        Counters::get(&c.returned_objects) > 3,
        "replaced lanes came back"
    );
    assert_eq!(Counters::get(&c.leaked_objects), 0);
    assert_eq!(Counters::get(&c.nonfinite_samples), 0);
    assert!(session
        .file()
        .automation
        .iter()
        .any(|l| l.action == "set_volume"));
    assert!(!session
        .file()
        .automation
        .iter()
        .any(|l| l.action == "set_tempo"));
}

/// Live input through an Input track and a Looper (recording, overdubbing,
/// undoing, clearing, recording again) into a take with stems and the
/// input: nothing allocates on the audio path.
#[test]
fn live_input_looping_a_take_of_it_and_a_followed_clock_allocate_nothing() {
    let text = r#"Session(tempo: 140, tracks: [
        Track(name: "mic", instrument: Input(channel: 1, stereo: On), effects: [Compressor(), Reverb()]),
        Track(name: "loop", instrument: Looper(bars: 1, monitor: On)),
        Track(name: "k", instrument: Kick(), pattern: Steps("x..x")),
    ])"#;
    let file = patch::parse("live.ron", text).unwrap_or_else(|e| panic!("{}", e.report()));
    let (mut session, mut engine) = render::prepare(file, None, 48000);
    let (mut input, rx) = rtrb::RingBuffer::new(1 << 16);
    let ring = termdaw::engine::input::InputRing {
        rx,
        channels: 2,
        prime: 256,
        exact: false,
        block: Default::default(),
    };
    assert!(session.set_input(Box::new(ring)));
    session.apply(Action::SetMidiClock { on: true }).unwrap();
    // And clock out, sent on to a MIDI output's ring.
    let (midi_tx, mut midi_rx) = rtrb::RingBuffer::new(1 << 12);
    assert!(
        session.set_midi_out(Box::new(termdaw::engine::midi_out::MidiOutRing {
            tx: midi_tx
        }))
    );
    let mut midi_sent = 0usize;
    let (tx, mut take) = rtrb::RingBuffer::new(1 << 20);
    let capture = Box::new(termdaw::engine::capture::Capture::new(tx, true));
    assert!(session.start_capture(capture, termdaw::engine::When::Now));
    let (mut l, mut r) = (vec![0f32; 64], vec![0f32; 64]);
    let (mut allocations, mut peak, mut phase) = (0u64, 0f32, 0f32);
    for block in 0..6000u32 {
        let command = match block % 1500 {
            10 => Some("record"),
            400 => Some("overdub"),
            700 => Some("play"),
            800 => Some("undo"),
            1100 => Some("press"),
            1400 => Some("clear"),
            _ => None,
        };
        if let Some(c) = command {
            session
                .apply(Action::Looper {
                    track: "loop".into(),
                    command: c.into(),
                })
                .unwrap();
        }
        // The device's side: 64 frames of a sine, as its callback would.
        for _ in 0..64 {
            phase = (phase + 440.0 / 48000.0).fract();
            let v = 0.3 * (std::f32::consts::TAU * phase).sin();
            let _ = input.push(v);
            let _ = input.push(v);
        }
        // An external MIDI clock, followed: a tick every 16 blocks (a
        // beat of 24 at 117 BPM), Start, then Stop, a song position and
        // Continue.
        let clock = match block {
            30 => Some(ClockMsg::Start),
            3000 => Some(ClockMsg::Stop),
            3001 => Some(ClockMsg::Position(16)),
            3002 => Some(ClockMsg::Continue),
            // Then a shared timeline's (Link's) ticks, and a stop and a
            // play that waits for the shared bar.
            b if b >= 4000 && b % 16 == 0 => Some(ClockMsg::TickInBar {
                at: ((b / 16) % 96) as u16,
                bpm: 117.0,
            }),
            b if b % 16 == 0 => Some(ClockMsg::Tick),
            _ => None,
        };
        if let (Some(msg), Some(h)) = (clock, session.engine_mut()) {
            h.send(EngineCmd::at(Op::Clock { msg }, When::Now));
        }
        if let (4500 | 4501, Some(h)) = (block, session.engine_mut()) {
            let op = if block == 4500 { Op::Stop } else { Op::Play };
            h.send(EngineCmd::at(op, When::Now));
        }
        let n = take.slots();
        take.read_chunk(n).unwrap().commit_all();
        while midi_rx.pop().is_ok() {
            midi_sent += 1;
        }
        session.drain_applied();
        if let Some(h) = session.engine_mut() {
            h.collect_garbage();
        }
        let (_, count) = alloc_counter::count(|| engine.process(&mut l, &mut r));
        allocations += count;
        peak = l.iter().fold(peak, |m, x| m.max(x.abs()));
    }
    assert_eq!(allocations, 0, "allocations on the audio path");
    assert!(peak > 0.1, "the input was heard: {peak}");
    assert!(midi_sent > 100, "clock went out: {midi_sent} messages");
}
