//! A MIDI output: the port `--midi-out` names, and the sender thread that
//! empties the engine's MIDI ring ([`crate::engine::midi_out`]) and sends
//! each message when the sample it belongs to is heard.
//!
//! Opening runs on the control thread. The sender thread may sleep and
//! block on the MIDI driver; it never touches the audio thread except to
//! read the engine's published clock. The engine renders ahead of what is
//! heard by the output's buffer and its own look-ahead, so each message
//! waits that long after its sample was rendered: a synth following
//! termdaw's clock plays in time with termdaw's sound.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use midir::{MidiOutput, MidiOutputConnection};

use crate::engine::midi_out::{MidiEvent, MidiOutRing, STOP};
use crate::engine::Counters;

/// Messages the ring holds: two seconds of clock at 300 BPM, and room.
const RING: usize = 4096;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MidiOutError {
    #[error("no MIDI system: {0}")]
    System(String),
    #[error("no MIDI output matches \"{0}\" (termdaw devices lists them)")]
    NoMatch(String),
    #[error("cannot open MIDI output {name}: {why}")]
    Open { name: String, why: String },
}

/// MIDI outputs: the ports other programs and devices listen on.
pub fn list_outputs() -> Result<Vec<String>, MidiOutError> {
    let mo = MidiOutput::new("termdaw-list").map_err(|e| MidiOutError::System(e.to_string()))?;
    Ok(mo
        .ports()
        .iter()
        .map(|p| mo.port_name(p).unwrap_or_else(|_| "(unnamed)".into()))
        .collect())
}

/// A running output (the sender stops, sending Stop, when dropped).
pub struct MidiOut {
    pub name: String,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl MidiOut {
    /// Control thread: open the output `want` names (a part of its name,
    /// or its index in `termdaw devices`); messages wait `latency` frames
    /// at `rate` after their sample is rendered.
    pub fn open(
        want: &str,
        counters: Arc<Counters>,
        rate: f64,
        latency: u64,
    ) -> Result<(MidiOut, Box<MidiOutRing>), MidiOutError> {
        let mo = MidiOutput::new("termdaw").map_err(|e| MidiOutError::System(e.to_string()))?;
        let ports = mo.ports();
        let names: Vec<String> = ports
            .iter()
            .map(|p| mo.port_name(p).unwrap_or_default())
            .collect();
        let i = want
            .parse::<usize>()
            .ok()
            .filter(|i| *i < ports.len())
            .or_else(|| {
                let w = want.to_lowercase();
                names.iter().position(|n| n.to_lowercase().contains(&w))
            })
            .ok_or_else(|| MidiOutError::NoMatch(want.to_string()))?;
        let name = names[i].clone();
        let conn = mo
            .connect(&ports[i], "out")
            .map_err(|e| MidiOutError::Open {
                name: name.clone(),
                why: e.to_string(),
            })?;
        let (tx, rx) = rtrb::RingBuffer::new(RING);
        let stop = Arc::new(AtomicBool::new(false));
        let sender = Sender {
            rx,
            conn,
            counters,
            rate,
            latency,
            stop: stop.clone(),
        };
        let thread = std::thread::Builder::new()
            .name("termdaw-midi-out".into())
            .spawn(move || sender.run())
            .map_err(|e| MidiOutError::Open {
                name: name.clone(),
                why: e.to_string(),
            })?;
        Ok((
            MidiOut {
                name,
                stop,
                thread: Some(thread),
            },
            Box::new(MidiOutRing { tx }),
        ))
    }
}

impl Drop for MidiOut {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

struct Sender {
    rx: rtrb::Consumer<MidiEvent>,
    conn: MidiOutputConnection,
    counters: Arc<Counters>,
    rate: f64,
    latency: u64,
    stop: Arc<AtomicBool>,
}

impl Sender {
    fn run(mut self) {
        // When the engine's clock last moved, and to what: the sample now
        // being rendered is heard `latency` frames after that.
        let mut anchor = (Instant::now(), self.counters.clock());
        while !self.stop.load(Ordering::Relaxed) {
            let clock = self.counters.clock();
            if clock != anchor.1 {
                anchor = (Instant::now(), clock);
            }
            while let Ok(e) = self.rx.peek().copied() {
                let ahead = e.clock as f64 + self.latency as f64 - anchor.1 as f64;
                let due = anchor.0 + Duration::from_secs_f64((ahead / self.rate).max(0.0));
                if Instant::now() < due {
                    break;
                }
                let _ = self.rx.pop();
                let _ = self.conn.send(e.bytes());
            }
            std::thread::sleep(Duration::from_micros(250));
        }
        // Whoever follows stops with us.
        let _ = self.conn.send(&[STOP]);
        std::thread::sleep(Duration::from_millis(20));
    }
}
