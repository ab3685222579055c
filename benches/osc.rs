//! OSC benchmark: datagram sent → action applied and engine command queued,
//! measured on loopback with the control loop polling continuously.
//!
//! `cargo bench --bench osc`. Prints percentiles over 2000 datagrams.

use std::net::UdpSocket;
use std::time::Instant;

use rosc::{OscMessage, OscPacket, OscType};
use termdaw::audio::render;
use termdaw::osc::Osc;
use termdaw::patch;

fn main() {
    if std::env::args().any(|a| a == "--test" || a == "--list") {
        return;
    }
    let file = patch::parse(
        "bench.ron",
        "Session(tracks: [Track(name: \"bass\", instrument: Synth(), pattern: Notes(\"a1 c2\"))])",
    )
    .unwrap();
    let (mut s, mut engine) = render::prepare(file, None, 48000);
    let mut osc = Osc::start("127.0.0.1:0".parse().unwrap(), false).unwrap();
    let client = UdpSocket::bind("127.0.0.1:0").unwrap();
    let mut l = vec![0.0f32; 64];
    let mut r = vec![0.0f32; 64];
    let mut lat = Vec::new();
    for i in 0..2000 {
        let p = OscPacket::Message(OscMessage {
            addr: "/termdaw/track/bass/param/cutoff".into(),
            args: vec![OscType::Float(200.0 + (i % 50) as f32 * 10.0)],
        });
        let bytes = rosc::encoder::encode(&p).unwrap();
        let t0 = Instant::now();
        client.send_to(&bytes, osc.local).unwrap();
        loop {
            if !osc.poll(&mut s, None).is_empty() {
                break;
            }
            std::hint::spin_loop();
        }
        lat.push(t0.elapsed().as_secs_f64() * 1e6);
        engine.process(&mut l, &mut r);
        if let Some(h) = s.engine_mut() {
            h.collect_garbage();
            h.drain_feedback(|_| {});
        }
    }
    lat.sort_by(f64::total_cmp);
    let p = |q: f64| lat[((lat.len() - 1) as f64 * q) as usize];
    println!(
        "termdaw OSC benchmark: 2000 datagrams on loopback, control loop polling continuously"
    );
    println!(
        "datagram → engine command queued: p50 {:.0} µs, p99 {:.0} µs, max {:.0} µs",
        p(0.5),
        p(0.99),
        p(1.0)
    );
    println!("(in the TUI the control loop polls once per frame, adding up to 16 ms; timetagged bundles are exact)");
}
