//! Playing without the terminal UI: one line about the device, then each
//! live input's report as a line, and the position, tempo, load and xruns
//! on one rewritten line when stdout is a terminal.
//!
//! Control thread (the main thread), a [`Front`] of [`Host::run`]. Waits by
//! sleeping 5 ms a turn, so controller moves and OSC messages apply within
//! about 5 ms; prints, never reads the terminal.

use std::io::{IsTerminal, Write};
use std::ops::ControlFlow;
use std::path::Path;
use std::time::{Duration, Instant};

use super::{drain_engine, Front, Host, HostError, Started};
use crate::config::Settings;
use crate::engine::{Counters, Feedback, Slot};
use crate::live::{Inputs, LiveEvent};
use crate::midi::MidiReport;
use crate::session::Session;

/// How often the position line is rewritten.
const LINE_EVERY: Duration = Duration::from_millis(100);

/// Play the session at `path` until SIGINT or SIGTERM, or `seconds` pass.
/// `warnings` (from reading the config) are printed first, with the
/// session's own.
pub fn play(
    path: &Path,
    settings: &Settings,
    config_dir: Option<&Path>,
    mut warnings: Vec<String>,
    paused: bool,
    seconds: Option<f64>,
) -> Result<(), HostError> {
    let Started {
        mut host,
        session,
        warnings: more,
    } = Host::open(path, settings, config_dir, paused, false)?;
    warnings.extend(more);
    for w in warnings {
        eprintln!("warning: {w}");
    }
    println!("{}: {}", path.display(), host.sink().describe());
    println!("{}", host.input_line());
    if let Some(line) = host.midi_out_line() {
        println!("{line}");
    }
    if let Some(link) = &host.link {
        println!("{}", link.line());
    }
    if let Some(o) = host.inputs.osc.as_ref() {
        println!("OSC on {}", o.local);
    }
    let mut front = Headless::new(session);
    let run = host.run(&mut front, seconds);
    if front.tty {
        println!();
    }
    // What the run survived, in one line, however it ended.
    let health = crate::health::Health::read(
        front.session.engine().map(|e| &*e.counters),
        host.inputs.osc.as_ref().map(|o| &*o.counters),
    );
    if let Some(c) = front.session.engine().map(|e| &e.counters) {
        println!(
            "timing: {}",
            crate::health::timing_line(&c.callback_times.summary())
        );
    }
    println!("ended: {}", health.line());
    run
}

/// The headless front: it owns the session (there is no UI to hold it).
pub struct Headless {
    session: Session,
    tty: bool,
    beat: f64,
    bpm: f64,
    last_line: Instant,
    /// Load (per mille) and xruns at the last turn.
    counters: Option<(u64, u64)>,
    feedback: Vec<Feedback>,
    tap: Vec<f32>,
}

impl Headless {
    pub fn new(session: Session) -> Headless {
        Headless {
            tty: std::io::stdout().is_terminal(),
            beat: 0.0,
            bpm: session.file().tempo,
            session,
            last_line: Instant::now(),
            counters: None,
            feedback: Vec::new(),
            tap: Vec::new(),
        }
    }
}

impl Front for Headless {
    type Error = HostError;
    // Not SIGHUP: under nohup it stays ignored, as for any daemon.
    const SIGNALS: &'static [libc::c_int] =
        &[signal_hook::consts::SIGTERM, signal_hook::consts::SIGINT];

    fn session(&mut self) -> &mut Session {
        &mut self.session
    }

    /// No selection without the UI: unmapped channels play the first track.
    fn selected(&self) -> Option<Slot> {
        self.session
            .file()
            .tracks
            .first()
            .and_then(|t| self.session.slot(t.name.as_str()))
    }

    fn wait(&mut self) -> Result<ControlFlow<()>, HostError> {
        std::thread::sleep(Duration::from_millis(5));
        Ok(ControlFlow::Continue(()))
    }

    fn pump(&mut self) {
        if let Some(c) = drain_engine(&mut self.session, &mut self.feedback, &mut self.tap) {
            self.counters = Some((Counters::get(&c.load_permille), Counters::get(&c.xruns)));
        }
        for f in self.feedback.drain(..) {
            if let Feedback::Position { beat, bpm, .. } = f {
                self.beat = beat;
                self.bpm = bpm;
            }
        }
        self.tap.clear();
    }

    fn event(&mut self, e: LiveEvent) {
        let line = match e {
            LiveEvent::Reload(s) => format!("{s}"),
            LiveEvent::Osc(l) | LiveEvent::Notice(l) => l,
            LiveEvent::Sink(s) => format!("sound: {}", s.describe()),
            LiveEvent::Midi(MidiReport::Applied(l)) => l,
            LiveEvent::Midi(MidiReport::Learned { .. } | MidiReport::Played { .. }) => return,
        };
        if self.tty {
            println!("\r{line}");
        } else {
            eprintln!("{line}");
        }
    }

    fn frame(&mut self, _: &Inputs, _: Duration) -> Result<(), HostError> {
        if !self.tty || self.last_line.elapsed() < LINE_EVERY {
            return Ok(());
        }
        self.last_line = Instant::now();
        let (load, xruns) = self.counters.unwrap_or_default();
        let bpb = self.session.file().time_signature.beats.max(1) as f64;
        print!(
            "\r{:>4}:{} {:>6.1} BPM  load {:>3}%  xruns {}   ",
            (self.beat / bpb).floor() as u64 + 1,
            (self.beat % bpb).floor() as u64 + 1,
            self.bpm,
            load / 10,
            xruns
        );
        let _ = std::io::stdout().flush();
        Ok(())
    }
}
