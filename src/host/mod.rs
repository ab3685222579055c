//! A running termdaw without its face: the session's engine and output
//! device, the live inputs (file saves, OSC, MIDI), the log redirect, and
//! the one loop that pumps them, whichever front (the terminal UI in
//! `tui::term`, or [`headless`]) shows the result.
//!
//! Control thread (the main thread). Each turn of [`Host::run`] frees what
//! the audio thread handed back, drains its feedback and tap, applies what
//! the inputs queued and lets the front draw; it never waits on the audio
//! thread and never blocks longer than the front's own wait. Building the
//! session and opening the device ([`Host::open`]) happens here too, so
//! main.rs only parses the command line.

pub mod headless;

use std::io;
use std::ops::ControlFlow;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::action::Action;
use crate::audio::device::{self, Output, SinkInfo};
use crate::config::Settings;
use crate::engine::{Counters, EngineConfig, Feedback, Slot};
use crate::live::{Inputs, LiveEvent};
use crate::log::StderrGuard;
use crate::patch::PatchError;
use crate::session::Session;

/// Why termdaw could not start playing.
#[derive(Debug, thiserror::Error)]
pub enum HostError {
    /// The session file is missing or broken: the report with its line and caret.
    #[error("{}", .0.report())]
    Patch(PatchError),
    #[error("cannot watch for signals: {0}")]
    Signals(io::Error),
}

/// Shown when a front asks for MIDI learn and no MIDI input is open.
pub const LEARN_NEEDS_MIDI: &str =
    "MIDI learn needs a MIDI input: start with --midi all (or a device name)";

/// The live inputs, the output device and the stderr redirect of a running
/// session. Fields drop in order: inputs, then the device, then stderr
/// comes back (so what the device prints on close stays in the log).
pub struct Host {
    pub inputs: Inputs,
    /// The take being recorded, if any.
    pub take: Option<crate::capture::Take>,
    record: crate::config::RecordOptions,
    /// The audio input, or why there is none.
    pub input: Result<crate::audio::input::InputStream, String>,
    /// The engine's rate and block when the input is JACK's (it follows
    /// JACK's output away and back).
    input_jack: Option<(u32, u32)>,
    /// The MIDI output clock goes to (asked for with --midi-out).
    pub midi_out: Option<crate::midi::out::MidiOut>,
    /// The Ableton Link session joined (--link).
    pub link: Option<crate::link::Link>,
    output: Output,
    _log: Option<StderrGuard>,
}

/// What [`Host::open`] built: the host, the session it plays and what the
/// musician should be told (a config typo, a missing sample).
pub struct Started {
    pub host: Host,
    pub session: Session,
    pub warnings: Vec<String>,
}

impl Host {
    /// Load the session at `path`, open the output (a silent sink paced in
    /// real time when no device opens), start playing unless `paused`, and
    /// start the inputs with the mappings of `midi.ron` in `config_dir`.
    /// `log` points stderr at the log file first (for the
    /// terminal UI: device libraries print while they open). Only a broken
    /// session file fails; everything else becomes a warning.
    pub fn open(
        path: &Path,
        settings: &Settings,
        config_dir: Option<&Path>,
        paused: bool,
        log: bool,
    ) -> Result<Started, HostError> {
        let file = crate::session::samples::load(path).map_err(HostError::Patch)?;
        let log = if log {
            crate::log::redirect_stderr()
        } else {
            None
        };
        let opts = &settings.device;
        let probe = device::probe(opts);
        let rate = match &probe {
            Ok(p) => p.rate,
            Err(_) => opts.rate.unwrap_or(device::DEFAULT_RATE),
        };
        let buffer = opts.buffer.unwrap_or(device::DEFAULT_BUFFER);
        // The input's cushion follows the output's real block (JACK's
        // period, whatever --buffer says).
        let block = probe.as_ref().map_or(buffer, |p| p.buffer);
        let (handle, engine) = crate::handle::connect(EngineConfig::new(rate as f32, file.tempo));
        let mut session = Session::new(file, Some(path.to_path_buf()), rate as f32, Some(handle));
        let mut warnings = session.take_notices();
        let mut output = device::start(engine, probe, rate, buffer);
        output.reopen_with(opts.clone());
        // Before playing starts, so a follower gets the Start.
        let midi_out = settings.midi_out.as_deref().and_then(|want| {
            match open_midi_out(&mut session, want, &output) {
                Ok(o) => Some(o),
                Err(e) => {
                    warnings.push(format!("no MIDI output: {e}"));
                    None
                }
            }
        });
        let link = settings.link.and_then(|opts| {
            let (_, rate, latency) = output_timing(&session, &output)?;
            crate::link::Link::join(&mut session, opts, rate, latency)
                .map_err(|e| warnings.push(format!("no Link: {e}")))
                .ok()
        });
        if !paused {
            let _ = session.apply(Action::Play {});
        }
        let (global_midi, problems) = crate::config::load_midi(config_dir);
        warnings.extend(problems);
        let inputs = Inputs::start(&session, &settings.osc, settings.midi.clone(), global_midi);
        // Played through JACK, the input comes from JACK too unless asked.
        let jack = opts
            .device
            .as_deref()
            .filter(|d| d.eq_ignore_ascii_case(device::JACK_DEVICE));
        let input_jack = settings
            .input
            .as_deref()
            .or(jack)
            .filter(|w| w.eq_ignore_ascii_case(device::JACK_DEVICE))
            .map(|_| (rate, block));
        let input = match settings.input.as_deref().or(jack) {
            Some("none") => Err("--input none".to_string()),
            want => match crate::audio::input::open(want, rate, block) {
                Ok((stream, ring)) => {
                    session.set_input(ring);
                    Ok(stream)
                }
                Err(e) if want.is_some() => {
                    warnings.push(format!("no audio input: {e}"));
                    Err(e.to_string())
                }
                Err(e) => Err(e.to_string()),
            },
        };
        let take = settings.record.dir.as_ref().and_then(|dir| {
            let opts = crate::capture::TakeOptions {
                dir: dir.clone(),
                format: settings.record.format,
                stems: settings.record.stems,
                at: crate::engine::When::Now,
                gate: settings.record.gate,
            };
            crate::capture::Take::start(&mut session, &opts)
                .map_err(|e| warnings.push(format!("{e}; playing without recording")))
                .ok()
        });
        session.set_recording(take.is_some());
        Ok(Started {
            host: Host {
                inputs,
                take,
                record: settings.record.clone(),
                input,
                input_jack,
                midi_out,
                link,
                output,
                _log: log,
            },
            session,
            warnings,
        })
    }

    /// Each turn: start or stop a take as the `record` action asked, watch
    /// the one recording, close it once its last frame is written.
    fn record_turn(&mut self, session: &mut Session) -> Vec<String> {
        let mut said = Vec::new();
        if let Some((on, now)) = session.take_record_request() {
            let at = if now {
                crate::engine::When::Now
            } else {
                crate::engine::When::NextBar
            };
            match (on, self.take.as_mut()) {
                (true, Some(t)) => said.push(format!("already recording into {}", t.dir.display())),
                (true, None) => match self.start_take(session, at) {
                    Ok(t) => {
                        said.push(format!("recording into {}", t.dir.display()));
                        self.take = Some(t);
                    }
                    Err(e) => said.push(e),
                },
                (false, Some(t)) => t.stop(session, at),
                (false, None) => said.push("not recording".into()),
            }
        }
        if let Some(t) = self.take.as_mut() {
            said.extend(t.poll(session));
            if t.is_done() {
                if let Some(t) = self.take.take() {
                    said.push(t.finish(session, Duration::ZERO).line());
                }
            }
        }
        session.set_recording(self.take.as_ref().is_some_and(|t| !t.is_stopping()));
        session.set_gate(self.take.as_ref().and_then(|t| t.gate_open()));
        said
    }

    fn start_take(
        &self,
        session: &mut Session,
        at: crate::engine::When,
    ) -> Result<crate::capture::Take, String> {
        let root = self
            .record
            .takes
            .clone()
            .or_else(|| crate::chat::history::data_dir().map(|d| d.join("takes")))
            .ok_or("no folder for takes: pass --takes DIR")?;
        let opts = crate::capture::TakeOptions {
            dir: crate::capture::take_dir(&root, session.path()),
            format: self.record.format,
            stems: self.record.stems,
            at,
            gate: self.record.gate,
        };
        crate::capture::Take::start(session, &opts).map_err(|e| e.to_string())
    }

    /// JACK's input lives and dies with JACK's output: a server that
    /// went away takes its client with it (closed while the server is
    /// gone; closed under a new server, libjack crashes), and it comes
    /// back with the output. What to tell the musician, if anything.
    fn follow_jack(&mut self, sink: &SinkInfo, session: &mut Session) -> Option<String> {
        let (rate, block) = self.input_jack?;
        match sink {
            SinkInfo::Silent { .. } => {
                session.clear_input();
                self.input = Err("JACK went away".into());
                None
            }
            SinkInfo::Device { .. } => {
                match crate::audio::input::open(Some(device::JACK_DEVICE), rate, block) {
                    Ok((stream, ring)) => {
                        session.set_input(ring);
                        self.input = Ok(stream);
                    }
                    Err(e) => self.input = Err(e.to_string()),
                }
                Some(self.input_line())
            }
        }
    }

    /// The MIDI output in a line, when one was asked for.
    pub fn midi_out_line(&self) -> Option<String> {
        self.midi_out
            .as_ref()
            .map(|o| format!("MIDI out: {} (clock and transport)", o.name))
    }

    /// The audio input in a line: its name, or none and why.
    pub fn input_line(&self) -> String {
        match &self.input {
            Ok(s) => format!("input: {}", s.describe()),
            Err(why) => format!("input: none ({why})"),
        }
    }

    /// Where the sound goes (a device, or silence and why).
    pub fn sink(&self) -> &SinkInfo {
        &self.output.info
    }

    /// Pump until the front stops, a signal in `F::SIGNALS` arrives, or
    /// `seconds` pass; then release every held MIDI note.
    pub fn run<F: Front>(&mut self, front: &mut F, seconds: Option<f64>) -> Result<(), F::Error> {
        let stop = Arc::new(AtomicBool::new(false));
        for sig in F::SIGNALS {
            // The first signal asks the loop to stop at its next turn; a
            // second one, while the first is still pending (a loop stuck in
            // a slow file or device), ends the process at once.
            signal_hook::flag::register_conditional_shutdown(*sig, 1, stop.clone())
                .and_then(|_| signal_hook::flag::register(*sig, stop.clone()))
                .map_err(|e| F::Error::from(HostError::Signals(e)))?;
        }
        let started = Instant::now();
        let result = loop {
            if stop.load(Ordering::Relaxed)
                || seconds.is_some_and(|s| started.elapsed().as_secs_f64() >= s)
            {
                break Ok(());
            }
            match front.wait() {
                Ok(ControlFlow::Continue(())) => {}
                Ok(ControlFlow::Break(())) => break Ok(()),
                Err(e) => break Err(e),
            }
            front.pump();
            front.session().tick();
            for line in self.record_turn(front.session()) {
                front.event(LiveEvent::Notice(line));
            }
            if let Some(said) = self.link.as_mut().and_then(|l| l.turn(front.session())) {
                front.event(LiveEvent::Notice(said));
            }
            // What landed by itself this turn (a processed sample).
            for n in front.session().take_notices() {
                front.event(LiveEvent::Notice(n));
            }
            if let Some(sink) = self.output.supervise(Instant::now()) {
                if let Some(said) = self.follow_jack(&sink, front.session()) {
                    front.event(LiveEvent::Notice(said));
                }
                front.event(LiveEvent::Sink(sink));
            }
            if front.take_learn_request() && !self.inputs.learn() {
                front.event(LiveEvent::Notice(LEARN_NEEDS_MIDI.into()));
            }
            let selected = front.selected();
            for e in self.inputs.poll(front.session(), selected) {
                front.event(e);
            }
            if let Err(e) = front.frame(&self.inputs, started.elapsed()) {
                break Err(e);
            }
        };
        self.inputs.close(front.session());
        if let Some(t) = self.take.take() {
            let summary = t.finish(front.session(), Duration::from_secs(3));
            front.event(LiveEvent::Notice(summary.line()));
        }
        result
    }
}

/// What the loop shows things on: the terminal UI, or plain lines.
pub trait Front {
    type Error: From<HostError>;
    /// The signals that end the run (each one replaces its default action).
    const SIGNALS: &'static [libc::c_int];
    fn session(&mut self) -> &mut Session;
    /// The track that notes from unmapped MIDI channels play.
    fn selected(&self) -> Option<Slot>;
    /// Wait (at most a frame) for the front's own input and handle it.
    /// `Break` ends the run.
    fn wait(&mut self) -> Result<ControlFlow<()>, Self::Error>;
    /// Take in what the engine reported ([`drain_engine`]) and anything
    /// else the front polls.
    fn pump(&mut self);
    /// Whether the musician asked for MIDI learn since the last turn.
    fn take_learn_request(&mut self) -> bool {
        false
    }
    /// What a live input did.
    fn event(&mut self, e: LiveEvent);
    /// End of a turn: draw or print, if due.
    fn frame(&mut self, inputs: &Inputs, elapsed: Duration) -> Result<(), Self::Error>;
}

/// Control thread: drop what the engine handed back, and take its
/// feedback and the master tap (appended to `feedback` and `tap`). The
/// engine's counters, or `None` for a session without an engine. Called
/// every turn even by a front that shows nothing of the tap, so its ring
/// keeps flowing.
pub fn drain_engine<'a>(
    session: &'a mut Session,
    feedback: &mut Vec<Feedback>,
    tap: &mut Vec<f32>,
) -> Option<&'a Counters> {
    session.drain_applied();
    let h = session.engine_mut()?;
    h.collect_garbage();
    h.drain_feedback(|f| feedback.push(f));
    h.read_tap(tap);
    Some(&h.counters)
}

/// The engine's counters, the output's rate, and how many frames after the
/// engine renders a sample it is heard (the output's buffer and the
/// engine's look-ahead).
fn output_timing(
    session: &Session,
    output: &Output,
) -> Option<(Arc<crate::engine::Counters>, f64, u64)> {
    let counters = session.engine()?.counters.clone();
    let buffer = match &output.info {
        SinkInfo::Device { buffer, .. } | SinkInfo::Silent { buffer, .. } => *buffer as u64,
    };
    let latency = buffer + crate::engine::Counters::get(&counters.engine_latency);
    Some((counters, output.info.rate() as f64, latency))
}

/// Open the MIDI output `want` and hand its ring to the engine; messages
/// wait for the output's buffer and the engine's look-ahead.
fn open_midi_out(
    session: &mut Session,
    want: &str,
    output: &Output,
) -> Result<crate::midi::out::MidiOut, crate::midi::out::MidiOutError> {
    let Some((counters, rate, latency)) = output_timing(session, output) else {
        return Err(crate::midi::out::MidiOutError::System("no engine".into()));
    };
    let (out, ring) = crate::midi::out::MidiOut::open(want, counters, rate, latency)?;
    session.set_midi_out(ring);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{resolve, Config, Flags};

    /// A front that asks for MIDI learn once and keeps what it is told.
    struct Probe {
        session: Session,
        asked: bool,
        events: Vec<LiveEvent>,
        feedback: Vec<Feedback>,
        tap: Vec<f32>,
        beat: f64,
        tapped: usize,
    }

    impl Front for Probe {
        type Error = HostError;
        const SIGNALS: &'static [libc::c_int] = &[];
        fn session(&mut self) -> &mut Session {
            &mut self.session
        }
        fn selected(&self) -> Option<Slot> {
            None
        }
        fn wait(&mut self) -> Result<ControlFlow<()>, HostError> {
            std::thread::sleep(Duration::from_millis(2));
            Ok(ControlFlow::Continue(()))
        }
        fn pump(&mut self) {
            drain_engine(&mut self.session, &mut self.feedback, &mut self.tap);
            for f in self.feedback.drain(..) {
                if let Feedback::Position { beat, .. } = f {
                    self.beat = self.beat.max(beat);
                }
            }
            self.tapped += self.tap.len();
            self.tap.clear();
        }
        fn take_learn_request(&mut self) -> bool {
            !std::mem::replace(&mut self.asked, true)
        }
        fn event(&mut self, e: LiveEvent) {
            self.events.push(e);
        }
        fn frame(&mut self, _: &Inputs, _: Duration) -> Result<(), HostError> {
            Ok(())
        }
    }

    #[test]
    fn the_loop_plays_reports_and_stops_on_time() {
        let dir = std::env::temp_dir().join(format!("termdaw-host-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("s.ron");
        std::fs::write(
            &path,
            r#"Session(tempo: 240, tracks: [Track(name: "k", instrument: Kick(), pattern: Steps("x..."))])"#,
        )
        .unwrap();
        let flags = Flags {
            no_osc: true,
            // A device that is not there: the silent sink, paced in real time.
            device: Some("no such device".into()),
            ..Flags::default()
        };
        let settings = resolve(&flags, &Config::default(), |_| None);
        let Started {
            mut host, session, ..
        } = Host::open(&path, &settings, None, false, false).unwrap();
        let mut front = Probe {
            session,
            asked: false,
            events: Vec::new(),
            feedback: Vec::new(),
            tap: Vec::new(),
            beat: 0.0,
            tapped: 0,
        };
        let started = Instant::now();
        host.run(&mut front, Some(0.5)).unwrap();
        let took = started.elapsed();
        assert!(
            (0.5..3.0).contains(&took.as_secs_f64()),
            "ran {took:?} for 0.5 s"
        );
        let learn: Vec<_> = front
            .events
            .iter()
            .filter(|e| **e == LiveEvent::Notice(LEARN_NEEDS_MIDI.into()))
            .collect();
        assert_eq!(learn.len(), 1, "{:?}", front.events);
        // 240 BPM: 4 beats a second, so the playhead passed beat 1.
        assert!(front.beat > 1.0, "the playhead reached beat {}", front.beat);
        assert!(front.tapped > 0, "the master tap was read");
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn a_broken_session_file_fails_with_its_line_and_caret() {
        let dir = std::env::temp_dir().join(format!("termdaw-host-bad-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("bad.ron");
        std::fs::write(&path, "Session(\n  tempo: 5,\n)").unwrap();
        let settings = resolve(&Flags::default(), &Config::default(), |_| None);
        let Err(e) = Host::open(&path, &settings, None, true, false) else {
            panic!("a tempo of 5 BPM loaded");
        };
        let text = e.to_string();
        assert!(text.contains(":2:"), "{text}");
        assert!(
            text.contains("tempo must be between 20 and 999 BPM"),
            "{text}"
        );
        assert!(
            text.lines().last().unwrap().trim_end().ends_with('^'),
            "{text}"
        );
        let _ = std::fs::remove_dir_all(dir);
    }
}
