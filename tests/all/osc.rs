//! OSC with real UDP datagrams against the running server.

use std::net::UdpSocket;
use std::time::{Duration, Instant, UNIX_EPOCH};

use rosc::{OscBundle, OscMessage, OscPacket, OscTime, OscType};

use crate::common::*;
use termdaw::action::{Action, ArgValue};
use termdaw::osc::{self, address, Osc, Request, TimeBase};
use termdaw::session::Session;

fn msg(addr: &str, args: Vec<OscType>) -> OscPacket {
    OscPacket::Message(OscMessage {
        addr: addr.into(),
        args,
    })
}

fn send(sock: &UdpSocket, to: std::net::SocketAddr, p: &OscPacket) {
    sock.send_to(&rosc::encoder::encode(p).unwrap(), to)
        .unwrap();
}

fn client() -> UdpSocket {
    let s = UdpSocket::bind("127.0.0.1:0").unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    s
}

/// Poll until `n` changes were applied (or refused).
fn poll_n(o: &mut Osc, s: &mut Session, tb: Option<TimeBase>, n: usize) -> Vec<String> {
    let t = Instant::now();
    let mut out = Vec::new();
    while out.len() < n {
        out.extend(o.poll(s, tb));
        assert!(t.elapsed() < Duration::from_secs(5), "only got {out:?}");
        std::thread::sleep(Duration::from_millis(1));
    }
    out
}

const TWO: &str = r#"Session(tempo: 120, tracks: [
    Track(name: "a", instrument: Synth(wave: Sine, unison: 1, sustain: 1, cutoff: 800), pattern: Notes("57"), resolution: 1, gate: 1),
    Track(name: "b", instrument: Synth(wave: Sine, unison: 1, attack: 0, decay: 0.05, sustain: 0, release: 0.01)),
])"#;

#[test]
fn addresses_translate_to_actions() {
    let cases: Vec<(&str, Vec<OscType>, Action)> = vec![
        ("/termdaw/play", vec![], Action::Play {}),
        (
            "/termdaw/tempo",
            vec![OscType::Float(128.0)],
            Action::SetTempo { bpm: 128.0 },
        ),
        (
            "/termdaw/set_tempo",
            vec![OscType::Int(90)],
            Action::SetTempo { bpm: 90.0 },
        ),
        (
            "/termdaw/track/bass/volume",
            vec![OscType::Float(-6.0)],
            Action::SetVolume {
                track: "bass".into(),
                db: -6.0,
            },
        ),
        (
            "/termdaw/track/bass/mute",
            vec![OscType::Int(1)],
            Action::SetMute {
                track: "bass".into(),
                on: true,
            },
        ),
        (
            "/termdaw/track/bass/solo",
            vec![OscType::Bool(false)],
            Action::SetSolo {
                track: "bass".into(),
                on: false,
            },
        ),
        (
            "/termdaw/track/bass/param/cutoff",
            vec![OscType::Float(440.0)],
            Action::SetParam {
                track: "bass".into(),
                param: "cutoff".into(),
                value: ArgValue::Number(440.0),
            },
        ),
        (
            "/termdaw/track/bass/param/wave",
            vec![OscType::String("Square".into())],
            Action::SetParam {
                track: "bass".into(),
                param: "wave".into(),
                value: ArgValue::Text("Square".into()),
            },
        ),
        (
            "/termdaw/track/kick/steps",
            vec![OscType::String("x..x".into())],
            Action::SetPattern {
                track: "kick".into(),
                notation: "steps".into(),
                pattern: "x..x".into(),
            },
        ),
        (
            "/termdaw/track/bass/note",
            vec![OscType::Int(60), OscType::Float(0.75), OscType::Float(0.5)],
            Action::PlayNote {
                track: "bass".into(),
                note: 60.0,
                velocity: 0.75,
                beats: 0.5,
            },
        ),
        (
            "/termdaw/track/bass/set_gate",
            vec![OscType::Double(0.5)],
            Action::SetGate {
                track: "bass".into(),
                gate: 0.5,
            },
        ),
        ("/termdaw/undo", vec![], Action::Undo {}),
    ];
    for (addr, args, want) in cases {
        let got = address::request(&OscMessage {
            addr: addr.into(),
            args,
        });
        assert_eq!(got, Ok(Request::Action(Box::new(want))), "{addr}");
    }
    for bad in [
        "/other/play",
        "/termdaw/fly",
        "/termdaw/track/bass/fly",
        "/termdaw/tempo",
    ] {
        assert!(
            address::request(&OscMessage {
                addr: bad.into(),
                args: vec![]
            })
            .is_err(),
            "{bad}"
        );
    }
    let e = address::request(&OscMessage {
        addr: "/termdaw/tempo".into(),
        args: vec![OscType::Float(5000.0)],
    });
    assert!(e.unwrap_err().to_string().contains("between 20 and 999"));
}

#[test]
fn datagrams_change_the_session_and_the_sound() {
    let (mut s, mut e) = prepare(TWO);
    let mut o = Osc::start("127.0.0.1:0".parse().unwrap(), false).unwrap();
    let c = client();
    send(
        &c,
        o.local,
        &msg("/termdaw/tempo", vec![OscType::Float(100.0)]),
    );
    send(
        &c,
        o.local,
        &msg("/termdaw/track/a/volume", vec![OscType::Float(-6.0)]),
    );
    send(
        &c,
        o.local,
        &msg(
            "/termdaw/track/a/param/cutoff",
            vec![OscType::Float(5000.0)],
        ),
    );
    let done = poll_n(&mut o, &mut s, None, 3);
    assert_eq!(done[0], "osc: tempo 120.0 → 100.0 BPM");
    assert_eq!(s.file().tempo, 100.0);
    assert_eq!(s.file().track("a").unwrap().volume, -6.0);
    let a = render_with(&mut s, &mut e, 24000, |_, _| {});
    let loud = Audio::rms(&a.l[12000..24000]);
    send(
        &c,
        o.local,
        &msg("/termdaw/track/a/mute", vec![OscType::Int(1)]),
    );
    poll_n(&mut o, &mut s, None, 1);
    let b = render_with(&mut s, &mut e, 24000, |_, _| {});
    assert!(loud > 0.05);
    assert!(b.l[12000..].iter().all(|x| *x == 0.0), "muted over OSC");
    // A refused action says why and changes nothing.
    send(
        &c,
        o.local,
        &msg("/termdaw/track/nope/volume", vec![OscType::Float(0.0)]),
    );
    let r = poll_n(&mut o, &mut s, None, 1);
    assert_eq!(r, vec!["osc: no track named \"nope\""]);
    assert_eq!(osc::get(&o.counters.refused), 1);
}

#[test]
fn a_bundle_with_a_future_timetag_lands_on_its_sample() {
    let (mut s, mut e) = prepare(&TWO.replace("gate: 1)", "gate: 1, mute: true)"));
    let mut o = Osc::start("127.0.0.1:0".parse().unwrap(), false).unwrap();
    let t0 = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    let tb = TimeBase {
        clock: 0,
        at: t0,
        rate: RATE as f64,
    };
    let at = |secs: f64| OscTime::try_from(t0 + Duration::from_secs_f64(secs)).unwrap();
    let note = msg(
        "/termdaw/track/b/note",
        vec![OscType::Int(69), OscType::Float(1.0), OscType::Float(0.25)],
    );
    let c = client();
    send(
        &c,
        o.local,
        &OscPacket::Bundle(OscBundle {
            timetag: at(0.5),
            content: vec![note.clone()],
        }),
    );
    send(
        &c,
        o.local,
        &OscPacket::Bundle(OscBundle {
            timetag: at(0.75),
            content: vec![note.clone()],
        }),
    );
    poll_n(&mut o, &mut s, Some(tb), 2);
    let a = render_with(&mut s, &mut e, 48000, |_, _| {});
    assert_eq!(
        a.onset(0.0),
        Some(24000),
        "first note on sample 0.5 s × 48000"
    );
    assert!(a.l[36000..36001].iter().all(|x| *x != 0.0) || a.l[36000] == 0.0);
    let second = a.l[30000..]
        .iter()
        .position(|x| *x != 0.0)
        .map(|i| i + 30000);
    assert_eq!(second, Some(36000), "second note at 0.75 s");
    // A bundle whose time has passed plays at once and is counted late.
    let tb_late = TimeBase {
        clock: 48000,
        at: t0 + Duration::from_secs(1),
        rate: RATE as f64,
    };
    send(
        &c,
        o.local,
        &OscPacket::Bundle(OscBundle {
            timetag: at(0.2),
            content: vec![note],
        }),
    );
    poll_n(&mut o, &mut s, Some(tb_late), 1);
    assert_eq!(osc::get(&o.counters.late), 1);
}

#[test]
fn state_query_is_answered_to_the_sender() {
    let (mut s, _e) = prepare(TWO);
    let mut o = Osc::start("127.0.0.1:0".parse().unwrap(), false).unwrap();
    let c = client();
    send(&c, o.local, &msg("/termdaw/state", vec![]));
    let mut buf = [0u8; 4096];
    let t = Instant::now();
    let n = loop {
        o.poll(&mut s, None);
        c.set_read_timeout(Some(Duration::from_millis(20))).unwrap();
        if let Ok((n, _)) = c.recv_from(&mut buf) {
            break n;
        }
        assert!(t.elapsed() < Duration::from_secs(5), "no reply");
    };
    let (_, p) = rosc::decoder::decode_udp(&buf[..n]).unwrap();
    let OscPacket::Message(m) = p else {
        panic!("{p:?}")
    };
    assert_eq!(m.addr, "/termdaw/state");
    assert_eq!(m.args[0], OscType::Float(120.0));
    assert_eq!(m.args[1], OscType::Int(1), "playing");
    assert_eq!(m.args[2], OscType::Int(2));
    assert_eq!(m.args[3], OscType::String("a".into()));
    assert_eq!(m.args[9], OscType::String("b".into()));
}

#[test]
fn ten_thousand_bad_and_flooding_datagrams_leave_it_alive_and_counted() {
    let (mut s, _e) = prepare(TWO);
    let mut o = Osc::start("127.0.0.1:0".parse().unwrap(), false).unwrap();
    let c = client();
    let valid = rosc::encoder::encode(&msg("/termdaw/tempo", vec![OscType::Float(121.0)])).unwrap();
    let unknown = rosc::encoder::encode(&msg("/termdaw/fly", vec![OscType::Int(1)])).unwrap();
    let mut seed = 0x2545_f491u32;
    let mut rnd = || {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        seed
    };
    let (mut garbage, mut oversized, mut unknowns, mut valids) = (0u64, 0u64, 0u64, 0u64);
    for i in 0..10_000u32 {
        match i % 5 {
            // Random bytes that cannot start an OSC packet.
            0 | 1 => {
                let len = 1 + (rnd() % 200) as usize;
                let mut b: Vec<u8> = (0..len).map(|_| rnd() as u8).collect();
                b[0] = b'x';
                c.send_to(&b, o.local).unwrap();
                garbage += 1;
            }
            // Truncated in the middle of the type tags or arguments.
            2 => {
                let cut = 13 + (rnd() as usize % (valid.len() - 13));
                c.send_to(&valid[..cut], o.local).unwrap();
                garbage += 1;
            }
            3 if i % 10 == 3 => {
                c.send_to(&vec![b'/'; osc::MAX_DATAGRAM + 100], o.local)
                    .unwrap();
                oversized += 1;
            }
            3 => {
                c.send_to(&unknown, o.local).unwrap();
                unknowns += 1;
            }
            _ => {
                c.send_to(&valid, o.local).unwrap();
                valids += 1;
            }
        }
        if i % 50 == 49 {
            // Wait for the server to take this batch, so the kernel's socket
            // buffer never overflows (UDP would drop silently).
            let t = Instant::now();
            while osc::get(&o.counters.datagrams) < i as u64 + 1
                && t.elapsed() < Duration::from_secs(5)
            {
                std::thread::yield_now();
            }
        }
    }
    // `datagrams` counts a datagram before it is decoded: wait until every one
    // has reached its outcome (oversized, malformed or a message), so the
    // counters are read settled rather than after a guessed sleep.
    let settled = |c: &osc::OscCounters| {
        osc::get(&c.oversized) + osc::get(&c.malformed) + osc::get(&c.messages)
    };
    let t = Instant::now();
    while settled(&o.counters) < 10_000 && t.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(5));
    }
    let cnt = &o.counters;
    assert_eq!(osc::get(&cnt.datagrams), 10_000);
    assert_eq!(osc::get(&cnt.oversized), oversized);
    assert_eq!(
        osc::get(&cnt.malformed),
        garbage,
        "every garbage datagram counted as malformed"
    );
    assert_eq!(osc::get(&cnt.unknown), unknowns);
    assert_eq!(osc::get(&cnt.messages), unknowns + valids);
    // Nobody polled: the queue holds QUEUE messages, the rest were dropped.
    assert_eq!(osc::get(&cnt.dropped), valids - osc::QUEUE as u64);
    // Still alive and draining in bounded steps.
    let first = o.poll(&mut s, None);
    assert_eq!(first.len(), osc::MAX_PER_POLL);
    send(
        &c,
        o.local,
        &msg("/termdaw/tempo", vec![OscType::Float(140.0)]),
    );
    let t = Instant::now();
    while s.file().tempo != 140.0 {
        o.poll(&mut s, None);
        assert!(t.elapsed() < Duration::from_secs(5));
    }
}

#[test]
fn listening_beyond_loopback_needs_asking() {
    let e = Osc::start("0.0.0.0:0".parse().unwrap(), false)
        .err()
        .expect("refused");
    assert!(e.to_string().contains("--osc-any"), "{e}");
    assert!(Osc::start("0.0.0.0:0".parse().unwrap(), true).is_ok());
}

#[test]
fn every_short_form_in_the_table_routes_to_its_action() {
    use termdaw::action::{ArgType, ACTIONS};
    let mut forms = 0;
    for spec in ACTIONS {
        for form in spec.osc {
            let addr = form
                .phrase
                .replace("<track>", "bass")
                .replace("<param>", "cutoff");
            let args: Vec<OscType> = spec
                .args
                .iter()
                .filter(|a| {
                    !form.phrase.contains(&format!("<{}>", a.name))
                        && !form.fixed.iter().any(|(n, _)| *n == a.name)
                })
                .map(|a| match a.ty {
                    ArgType::Number { min, .. } => OscType::Float(min as f32 + 1.0),
                    ArgType::Bool => OscType::Int(1),
                    ArgType::Any => OscType::Float(440.0),
                    ArgType::Choice(words) => OscType::String(words[0].into()),
                    _ => OscType::String("x...".into()),
                })
                .collect();
            let got = address::request(&OscMessage {
                addr: format!("/termdaw/{addr}"),
                args,
            })
            .unwrap_or_else(|e| panic!("{addr}: {e}"));
            let Request::Action(a) = got else {
                panic!("{addr}: {got:?}")
            };
            assert_eq!(a.name(), spec.name, "{addr}");
            forms += 1;
        }
    }
    assert!(forms >= 9, "{forms}");
    // The forms that fix arguments, exactly.
    let route = |addr: &str, args: Vec<OscType>| {
        address::request(&OscMessage {
            addr: addr.into(),
            args,
        })
    };
    assert_eq!(
        route("/termdaw/track/bass/pan", vec![OscType::Float(-0.5)]),
        Ok(Request::Action(Box::new(Action::SetPan {
            track: "bass".into(),
            pan: -0.5
        })))
    );
    assert_eq!(
        route(
            "/termdaw/track/bass/pattern",
            vec![OscType::String("c3 e3".into())]
        ),
        Ok(Request::Action(Box::new(Action::SetPattern {
            track: "bass".into(),
            notation: "notes".into(),
            pattern: "c3 e3".into(),
        })))
    );
    assert_eq!(
        route(
            "/termdaw/track/kick/steps",
            vec![OscType::String("x...".into())]
        ),
        Ok(Request::Action(Box::new(Action::SetPattern {
            track: "kick".into(),
            notation: "steps".into(),
            pattern: "x...".into(),
        })))
    );
    assert_eq!(
        route(
            "/termdaw/track/bass/param/wave",
            vec![OscType::String("Square".into())]
        ),
        Ok(Request::Action(Box::new(Action::SetParam {
            track: "bass".into(),
            param: "wave".into(),
            value: ArgValue::Text("Square".into()),
        })))
    );
    assert_eq!(
        route("/termdaw/track/bass/pan", vec![])
            .unwrap_err()
            .to_string(),
        "set_pan: expected 2 argument(s) (track, pan), got 1"
    );
}

#[test]
fn a_bundle_timetagged_before_1970_plays_at_once_and_the_server_lives_on() {
    let (mut s, _e) = prepare(TWO);
    let mut o = Osc::start("127.0.0.1:0".parse().unwrap(), false).unwrap();
    let c = client();
    for seconds in [2, 2_208_988_799, u32::MAX] {
        send(
            &c,
            o.local,
            &OscPacket::Bundle(OscBundle {
                timetag: OscTime {
                    seconds,
                    fractional: 7,
                },
                content: vec![msg("/termdaw/tempo", vec![OscType::Float(101.0)])],
            }),
        );
    }
    let done = poll_n(&mut o, &mut s, None, 2);
    assert_eq!(done[0], "osc: tempo 120.0 → 101.0 BPM", "{done:?}");
    // The same thread still serves datagrams after all three.
    send(
        &c,
        o.local,
        &msg("/termdaw/track/a/volume", vec![OscType::Float(-9.0)]),
    );
    let t = Instant::now();
    while s.file().track("a").unwrap().volume != -9.0 {
        o.poll(&mut s, None);
        assert!(t.elapsed() < Duration::from_secs(5), "the OSC thread died");
        std::thread::sleep(Duration::from_millis(1));
    }
}

#[test]
fn a_section_launched_over_udp_mid_bar_starts_on_the_next_bar_line() {
    // Track a clicks in the intro, track b in the drop.
    let click = |n: &str| {
        format!("Track(name: \"{n}\", instrument: Synth(attack: 0, decay: 0.002, sustain: 0, release: 0.002), gate: 0.1)")
    };
    let text = format!(
        "Session(tempo: 120, tracks: [{}, {}], sections: [Section(name: \"intro\", bars: 1, tracks: {{\"a\": Part(pattern: Steps(\"x...\"))}}), Section(name: \"drop\", bars: 1, tracks: {{\"b\": Part(pattern: Steps(\"x...\"))}})], song: [(\"intro\", 4)])",
        click("a"),
        click("b")
    );
    let (mut s, mut e) = prepare(&text);
    let mut o = Osc::start("127.0.0.1:0".parse().unwrap(), false).unwrap();
    // 1.37 bars in (a bar is 96000 samples), the launch arrives.
    let at = 131_520;
    let c = client();
    let mut said = Vec::new();
    let mut queued = None;
    let a = render_with(&mut s, &mut e, at + 192_000, |s, frame| {
        s.tick();
        if frame == at as u64 {
            send(&c, o.local, &msg("/termdaw/section/drop", vec![]));
            said = poll_n(&mut o, s, None, 1);
            queued = Some(s.form());
        }
    });
    assert_eq!(said, vec!["osc: section drop queued for bar 3"]);
    let form = queued.unwrap();
    assert_eq!(
        form.queued,
        Some(("drop".to_string(), 8.0)),
        "shown as queued"
    );
    assert_eq!(form.playing.as_ref().map(|p| p.0.as_str()), Some("intro"));
    // The intro's last click is beat 4 of bar 2; the drop's first is the
    // first sample of bar 3 (192000), and nothing sounds between.
    let first_b = a.l[at..].iter().position(|x| x.abs() > 0.0).map(|i| i + at);
    assert!(a.l[..at].iter().any(|x| x.abs() > 0.0), "the intro played");
    let last_intro = 96_000 + 3 * 24_000;
    assert!(first_b.unwrap() < last_intro + 1000, "{first_b:?}");
    let after_intro = a.l[last_intro + 2000..]
        .iter()
        .position(|x| x.abs() > 0.0)
        .map(|i| i + last_intro + 2000);
    assert_eq!(after_intro, Some(192_000), "the drop lands on the bar line");
    assert_eq!(
        s.form().playing.map(|p| p.0),
        Some("drop".to_string()),
        "shown as playing once it started"
    );
    assert_eq!(s.form().queued, None);
}

#[test]
fn intensity_and_lanes_arrive_over_udp() {
    let (mut s, _e) = prepare(TWO);
    let mut o = Osc::start("127.0.0.1:0".parse().unwrap(), false).unwrap();
    let c = client();
    send(
        &c,
        o.local,
        &msg("/termdaw/intensity", vec![OscType::Float(10.0)]),
    );
    send(
        &c,
        o.local,
        &msg(
            "/termdaw/set_lane",
            vec![OscType::String(
                "Lane(action: \"set_volume\", args: [\"b\"], points: [(1, -30), (5, 0)])".into(),
            )],
        ),
    );
    let said = poll_n(&mut o, &mut s, None, 2);
    assert_eq!(said[0], "osc: intensity 10 (2 values)", "{said:?}");
    let a = s.file().track("a").unwrap();
    let i = termdaw::kinds::param::index_of(a.instrument.kind.params(), "cutoff").unwrap();
    assert_eq!(a.instrument.values[i], 8000.0);
    assert_eq!(s.file().automation.len(), 1, "{said:?}");
}
