//! Ableton Link between two real termdaws (built with `--features
//! jack,link`): both play a kick on every beat into one JACK dummy server,
//! where a client of this test hears the two outputs on the same frame
//! clock. Over a minute their kicks land together (the beat's phase is
//! shared), a tempo set on either reaches the other within a second (read
//! back over OSC, `/termdaw/state`), and with start/stop sync a stop on
//! one stops the other and a play on the other starts both again, in
//! phase.
//!
//! Link announces itself by multicast on every interface, and no test
//! traffic may leave the machine: the peers run in a network namespace of
//! their own holding only a loopback device. The test re-runs this binary
//! inside `unshare --net` ([`link_peers_process`]), which starts the JACK
//! server and both termdaws there.

use std::net::UdpSocket;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{sync_channel, Receiver};
use std::time::{Duration, Instant};

use crate::common::{free_udp_port, osc_state};
use crate::rig::{self, JackServer, TempDir};

const CHILD_ENV: &str = "TERMDAW_RIG_LINK_PEERS";

fn session(bpm: u32) -> String {
    format!(
        r#"Session(tempo: {bpm}, tracks: [
    Track(name: "kick", instrument: Kick(), pattern: Steps("x...x...x...x...")),
])"#
    )
}

#[test]
fn two_termdaws_share_tempo_the_bars_phase_and_start_stop_over_link() {
    let test = "link::two_termdaws_share_tempo_the_bars_phase_and_start_stop_over_link";
    if !rig::have("unshare") || !rig::have("ip") {
        println!("SKIPPED {test}: unshare (util-linux) or ip (iproute2) is not installed");
        return;
    }
    // Only loopback, with multicast routed to it: Link's discovery finds
    // the peers there and nowhere else.
    let out = Command::new("unshare")
        .args([
            "--net",
            "sh",
            "-c",
            "ip link set lo up multicast on && ip route add 224.0.0.0/4 dev lo && exec \"$@\"",
            "sh",
        ])
        .arg(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "link::link_peers_process",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, "1")
        .stdin(Stdio::null())
        .output()
        .expect("running unshare");
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    if !out.status.success() && said.contains("unshare failed") {
        println!("SKIPPED {test}: this machine allows no network namespace:\n{said}");
        return;
    }
    println!("{said}");
    assert!(out.status.success(), "the Link peers failed:\n{said}");
    assert!(
        said.contains("link: done"),
        "the peers never finished:\n{said}"
    );
}

/// A termdaw playing `bpm` into JACK, in Link with start/stop sync, with
/// OSC on `port`.
fn peer(jack: &JackServer, dir: &TempDir, bpm: u32, port: u16) -> Peer {
    let path = dir.join("session.ron");
    std::fs::write(&path, session(bpm)).unwrap();
    // Its notices (Link's peers) go to stderr: both into one file.
    let out = std::fs::File::create(dir.join("termdaw.out")).unwrap();
    let mut cmd = rig::termdaw(dir.path());
    cmd.arg(&path)
        .args(["--headless", "--device", "jack", "--input", "none"])
        .args(["--link", "--link-start-stop", "--seconds", "150"])
        .args(["--osc-port", &port.to_string()])
        .stdin(Stdio::null())
        .stdout(out.try_clone().unwrap())
        .stderr(out);
    jack.env(&mut cmd);
    Peer(cmd.spawn().expect("starting termdaw"))
}

/// A running peer, stopped when the test ends however it ends.
struct Peer(Child);

impl Drop for Peer {
    fn drop(&mut self) {
        rig::terminate(&mut self.0, Duration::from_secs(5));
    }
}

/// `/termdaw/state`'s tempo and whether it plays.
fn state(sock: &UdpSocket, port: u16) -> Option<(f32, bool)> {
    let args = osc_state(sock, port)?;
    Some((
        args.first()?.clone().float()?,
        args.get(1)?.clone().int()? == 1,
    ))
}

fn send(sock: &UdpSocket, port: u16, addr: &str, args: Vec<rosc::OscType>) {
    let m = rosc::encoder::encode(&rosc::OscPacket::Message(rosc::OscMessage {
        addr: addr.into(),
        args,
    }))
    .unwrap();
    sock.send_to(&m, ("127.0.0.1", port)).unwrap();
}

/// How long until `f` holds (polled every 20 ms), or `None` after `limit`.
fn until(limit: Duration, mut f: impl FnMut() -> bool) -> Option<Duration> {
    let t = Instant::now();
    while t.elapsed() < limit {
        if f() {
            return Some(t.elapsed());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    None
}

/// A JACK client hearing two ports: (which, frame) for each sound that
/// begins on one of them.
struct Ears {
    rx: Receiver<(usize, u32)>,
    _client: jack::AsyncClient<(), jack::contrib::ClosureProcessHandler<(), Box<Hear>>>,
}

type Hear = dyn FnMut(&jack::Client, &jack::ProcessScope) -> jack::Control + Send;

impl Ears {
    fn on(ports: [&str; 2]) -> Ears {
        let (client, _) = jack::Client::new("termdaw-ears", jack::ClientOptions::NO_START_SERVER)
            .expect("a JACK client");
        let ins = [0, 1].map(|i| {
            client
                .register_port(&format!("in_{i}"), jack::AudioIn::default())
                .unwrap()
        });
        let (tx, rx) = sync_channel(8192);
        let mut quiet = [0u32; 2];
        let hear: Box<Hear> = Box::new(move |_, ps| {
            let t0 = ps.last_frame_time();
            for (which, port) in ins.iter().enumerate() {
                for (i, v) in port.as_slice(ps).iter().enumerate() {
                    if v.abs() > 0.05 {
                        if quiet[which] > 2000 {
                            let _ = tx.try_send((which, t0 + i as u32));
                        }
                        quiet[which] = 0;
                    } else {
                        quiet[which] = quiet[which].saturating_add(1);
                    }
                }
            }
            jack::Control::Continue
        });
        let handler = jack::contrib::ClosureProcessHandler::new(hear);
        let active = client.activate_async((), handler).unwrap();
        for (i, p) in ports.iter().enumerate() {
            active
                .as_client()
                .connect_ports_by_name(p, &format!("termdaw-ears:in_{i}"))
                .unwrap();
        }
        Ears {
            rx,
            _client: active,
        }
    }

    /// The onsets heard since the last call, per port.
    fn take(&self) -> [Vec<i64>; 2] {
        let mut out = [Vec::new(), Vec::new()];
        while let Ok((which, frame)) = self.rx.try_recv() {
            out[which].push(frame as i64);
        }
        out
    }
}

/// For each of `a`'s onsets, the distance in ms to `b`'s nearest (within
/// a quarter second).
fn apart_ms(a: &[i64], b: &[i64]) -> Vec<f64> {
    a.iter()
        .filter_map(|x| {
            b.iter()
                .map(|y| y - x)
                .min_by_key(|d| d.abs())
                .filter(|d| d.abs() < 12_000)
                .map(|d| d as f64 * 1000.0 / rig::JACK_RATE as f64)
        })
        .collect()
}

fn worst(x: &[f64]) -> f64 {
    x.iter().fold(0.0, |m, v| m.max(v.abs()))
}

/// Not a test of its own: the peers, in the namespace
/// [`two_termdaws_share_tempo_the_bars_phase_and_start_stop_over_link`]
/// made. Prints `link: done` when every check held.
#[test]
#[ignore = "run by link::two_termdaws_share_tempo_the_bars_phase_and_start_stop_over_link"]
fn link_peers_process() {
    if std::env::var(CHILD_ENV).is_err() {
        return;
    }
    let test = "link::link_peers_process";
    let Some(jack) = JackServer::start_timed(test, 128) else {
        return;
    };
    // This process is the namespace's only test (one thread so far): its
    // own JACK client finds the server through the environment.
    std::env::set_var("JACK_DEFAULT_SERVER", &jack.name);
    std::env::set_var("JACK_NO_START_SERVER", "1");
    let (da, db) = (
        TempDir::new("termdaw-link-a"),
        TempDir::new("termdaw-link-b"),
    );
    let (pa, pb) = (free_udp_port(), free_udp_port());
    let said = |d: &TempDir| std::fs::read_to_string(d.join("termdaw.out")).unwrap_or_default();
    let a = peer(&jack, &da, 120, pa);
    let a_out = jack
        .wait_for_port("termdaw_out:out_0", Duration::from_secs(20))
        .unwrap_or_else(|| panic!("A never played; it said:\n{}", said(&da)));
    let b = peer(&jack, &db, 90, pb);
    let b_out = until(Duration::from_secs(20), || {
        jack.ports("termdaw_out").len() >= 4
    })
    .and_then(|_| {
        jack.ports("termdaw_out")
            .into_iter()
            .find(|p| p.ends_with(":out_0") && *p != a_out)
    })
    .unwrap_or_else(|| panic!("B never played; it said:\n{}", said(&db)));
    let ears = Ears::on([&a_out, &b_out]);
    let sock = UdpSocket::bind("127.0.0.1:0").unwrap();
    sock.set_read_timeout(Some(Duration::from_millis(300)))
        .unwrap();

    // B joins A: one tempo for both.
    let joined = until(Duration::from_secs(10), || {
        matches!((state(&sock, pa), state(&sock, pb)),
            (Some((x, _)), Some((y, _))) if (x - y).abs() < 0.1)
    });
    assert!(
        joined.is_some(),
        "the peers never shared a tempo:\nA: {}\nB: {}",
        said(&da),
        said(&db)
    );
    let peers = until(Duration::from_secs(5), || {
        said(&db).contains("Link: 1 peer")
    });
    assert!(peers.is_some(), "B never saw A: {}", said(&db));

    // A minute of kicks: together, to the millisecond.
    std::thread::sleep(Duration::from_secs(3));
    ears.take();
    std::thread::sleep(Duration::from_secs(60));
    let [ka, kb] = ears.take();
    let apart = apart_ms(&ka, &kb);
    println!(
        "link: over 60 s, {} kicks of A, {} of B; B's {:+.3} ms (median) from A's, worst {:.3} ms",
        ka.len(),
        kb.len(),
        {
            let mut s = apart.clone();
            s.sort_by(f64::total_cmp);
            s.get(s.len() / 2).copied().unwrap_or(f64::NAN)
        },
        worst(&apart)
    );
    // Link settles on one peer's tempo (which one is Link's choice): a
    // kick a beat at it.
    let bpm = state(&sock, pa).map_or(0.0, |(t, _)| t);
    assert!(
        apart.len() as f32 >= 0.95 * bpm && bpm > 0.0,
        "{} kicks heard together in a minute at {bpm} BPM: {apart:?}",
        apart.len()
    );
    assert!(
        worst(&apart) < 1.0,
        "the beats drifted apart: {apart:?}\nA: {}\nB: {}",
        said(&da),
        said(&db)
    );

    // A tempo set on A reaches B, and one set on B reaches A.
    for (from, to, bpm) in [(pa, pb, 132.0f32), (pb, pa, 104.0)] {
        send(
            &sock,
            from,
            "/termdaw/tempo",
            vec![rosc::OscType::Float(bpm)],
        );
        let took = until(Duration::from_secs(5), || {
            state(&sock, to).is_some_and(|(t, _)| (t - bpm).abs() < 0.5)
        });
        println!("link: {bpm} BPM set on one reached the other in {took:?}");
        assert!(
            took.is_some_and(|t| t < Duration::from_secs(1)),
            "{bpm} BPM took {took:?} to reach the other peer"
        );
    }

    // Start/stop: A stops, B stops; B plays, both play, in phase.
    send(&sock, pa, "/termdaw/stop", vec![]);
    let stopped = until(Duration::from_secs(5), || {
        state(&sock, pb).is_some_and(|(_, playing)| !playing)
    });
    println!("link: a stop on A stopped B in {stopped:?}");
    assert!(
        stopped.is_some_and(|t| t < Duration::from_secs(1)),
        "B never stopped: {stopped:?}\nB: {}",
        said(&db)
    );
    std::thread::sleep(Duration::from_secs(1));
    ears.take();
    std::thread::sleep(Duration::from_secs(1));
    let [qa, qb] = ears.take();
    assert!(
        qa.is_empty() && qb.is_empty(),
        "kicks after the stop: {qa:?} {qb:?}"
    );
    send(&sock, pb, "/termdaw/play", vec![]);
    let started = until(Duration::from_secs(5), || {
        state(&sock, pa).is_some_and(|(_, playing)| playing)
    });
    assert!(
        started.is_some_and(|t| t < Duration::from_secs(1)),
        "A never played: {started:?}\nA: {}",
        said(&da)
    );
    // Each starts on the shared bar: their kicks land together again.
    std::thread::sleep(Duration::from_secs(6));
    let [ra, rb] = ears.take();
    let again = apart_ms(&ra, &rb);
    println!(
        "link: after play on B, {} kicks together, worst {:.3} ms apart",
        again.len(),
        worst(&again)
    );
    assert!(again.len() >= 6, "kicks after play: {ra:?} {rb:?}");
    assert!(worst(&again) < 1.0, "out of phase after play: {again:?}");

    drop((a, b));
    println!("link: done");
}
