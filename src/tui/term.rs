//! The real terminal: raw mode, the alternate screen, mouse capture, the
//! UI's front of the host loop (`crate::host`), and putting everything back
//! however the program ends.
//!
//! Control thread (the main thread). The host loop never waits on the
//! audio thread: each turn it drains the feedback ring and the tap, polls
//! the live inputs and lets this front handle keys and redraw at most 60
//! times a second — and only when something visible changed. The terminal is restored on quit, on an
//! error (a guard's `Drop`), on a panic (a panic hook), on Ctrl-C (a key in
//! raw mode) and on SIGINT/SIGTERM/SIGHUP (a signal-hook flag the loop checks).

use std::io::{self, stdout, Stdout, Write};
use std::ops::ControlFlow;
use std::path::Path;
use std::sync::Once;
use std::time::{Duration, Instant};

use crossterm::cursor::{Hide, Show};
use crossterm::event::{self, DisableMouseCapture, EnableMouseCapture, Event};
use crossterm::execute;
use crossterm::terminal::{
    disable_raw_mode, enable_raw_mode, EnterAlternateScreen, LeaveAlternateScreen,
};
use ratatui::backend::CrosstermBackend;
use ratatui::layout::Rect;
use ratatui::Terminal;

use super::app::{App, StatusKind};
use super::theme::{Theme, ThemeError};
use super::view;
use crate::audio::device::SinkInfo;
use crate::chat;
use crate::config::Settings;
use crate::engine::Slot;
use crate::host::{Front, Host, HostError, Started};
use crate::live::{Inputs, LiveEvent};
use crate::session::Session;

/// Shortest time between two frames (60 fps).
pub const FRAME: Duration = Duration::from_micros(16_667);

/// Put the terminal back as we found it. Safe to call more than once.
pub fn restore() {
    let _ = disable_raw_mode();
    let mut out = stdout();
    let _ = execute!(out, DisableMouseCapture, LeaveAlternateScreen, Show);
    let _ = out.flush();
}

/// Restores the terminal when dropped (early returns, errors, unwinding).
struct Guard;

impl Guard {
    fn enter() -> io::Result<Guard> {
        install_panic_hook();
        enable_raw_mode()?;
        let g = Guard;
        execute!(stdout(), EnterAlternateScreen, EnableMouseCapture, Hide)?;
        Ok(g)
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        restore();
    }
}

fn install_panic_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            // Only the UI thread's panic ends the UI: a service thread's is
            // caught and counted, and the screen must stay as it is.
            if std::thread::current().name() == Some("main") {
                restore();
            }
            previous(info);
        }));
    });
}

/// Why the terminal UI could not run. Each message carries its cause (none
/// is chained as a `source`, so the edge prints it once).
#[derive(Debug, thiserror::Error)]
pub enum TuiError {
    #[error(transparent)]
    Host(#[from] HostError),
    #[error("{0}")]
    Theme(ThemeError),
    #[error("the terminal UI failed: {0}")]
    Terminal(io::Error),
}

impl From<ThemeError> for TuiError {
    fn from(e: ThemeError) -> Self {
        TuiError::Theme(e)
    }
}

impl From<io::Error> for TuiError {
    fn from(e: io::Error) -> Self {
        TuiError::Terminal(e)
    }
}

/// Play the session at `path` with the terminal UI until the musician
/// quits, a signal arrives, or `seconds` pass. `warnings` (from reading the
/// config) join the session's own on the status line. stderr goes to the
/// log file while the UI runs (device libraries print there).
pub fn play(
    path: &Path,
    settings: Settings,
    config_dir: Option<&Path>,
    mut warnings: Vec<String>,
    paused: bool,
    seconds: Option<f64>,
) -> Result<(), TuiError> {
    let themes_dir = config_dir.map(|d| d.join("themes"));
    let theme = Theme::load(&settings.theme, themes_dir.as_deref())?;
    let Started {
        mut host,
        session,
        warnings: more,
    } = Host::open(path, &settings, config_dir, paused, true)?;
    warnings.extend(more);
    let (keymap, problems) = super::config::load_keymap(config_dir);
    warnings.extend(problems);
    let mut app = App::new(session, keymap, theme);
    // A chat misconfiguration never keeps the music from starting.
    match settings.chat {
        Ok(cfg) => {
            let (history, problems) = match chat::history::data_dir() {
                Some(d) => chat::history::History::open(chat::history::file_for(&d, Some(path))),
                None => (chat::history::History::in_memory(), Vec::new()),
            };
            warnings.extend(problems.into_iter().map(|p| format!("chat history: {p}")));
            app.chat = chat::Chat::new(cfg, history);
        }
        Err(e) => warnings.push(format!("the chat is off: {e}")),
    }
    app.sink = Some(host.sink().clone());
    let mut notes = Vec::new();
    if let SinkInfo::Silent { .. } = host.sink() {
        notes.push(host.sink().describe());
    }
    notes.extend(warnings);
    if !notes.is_empty() {
        app.set_status(StatusKind::Warning, notes.join(" · "));
    }
    if let Some(o) = host.inputs.osc.as_ref() {
        app.set_status(StatusKind::Info, format!("OSC on {}", o.local));
        if !notes.is_empty() {
            app.set_status(StatusKind::Warning, notes.join(" · "));
        }
    }
    let result = run(&mut app, &mut host, seconds);
    // The devices close and stderr comes back before an error is printed.
    drop(host);
    result
}

/// Run the UI on `host` until the musician quits, a signal arrives, or
/// `seconds` pass.
pub fn run(app: &mut App, host: &mut Host, seconds: Option<f64>) -> Result<(), TuiError> {
    let _guard = Guard::enter()?;
    let mut terminal = Terminal::new(CrosstermBackend::new(stdout()))?;
    terminal.clear()?;
    let size = terminal.size()?;
    app.area = Rect::new(0, 0, size.width, size.height);
    let mut front = Tui {
        app,
        terminal,
        last_draw: None,
    };
    host.run(&mut front, seconds)
}

/// The terminal UI as the host loop's front.
struct Tui<'a> {
    app: &'a mut App,
    terminal: Terminal<CrosstermBackend<Stdout>>,
    last_draw: Option<Instant>,
}

impl Front for Tui<'_> {
    type Error = TuiError;
    const SIGNALS: &'static [libc::c_int] = &[
        signal_hook::consts::SIGTERM,
        signal_hook::consts::SIGINT,
        signal_hook::consts::SIGHUP,
    ];

    fn session(&mut self) -> &mut Session {
        self.app.session_mut_quiet()
    }

    fn selected(&self) -> Option<Slot> {
        self.app.selected_slot()
    }

    /// Read keys, clicks and resizes until the next frame is due.
    fn wait(&mut self) -> Result<ControlFlow<()>, TuiError> {
        let app = &mut *self.app;
        if app.should_quit() {
            return Ok(ControlFlow::Break(()));
        }
        let wait = match self.last_draw {
            Some(t) => FRAME.saturating_sub(t.elapsed()),
            None => Duration::ZERO,
        }
        .max(Duration::from_millis(1));
        let ready = match wait_for_tty(wait) {
            TtyWait::HungUp => return Ok(ControlFlow::Break(())),
            TtyWait::Waited => event::poll(Duration::ZERO)?,
            TtyWait::NotATty => event::poll(wait)?,
        };
        if ready {
            loop {
                match event::read()? {
                    Event::Key(k) => {
                        app.handle_key(k);
                    }
                    Event::Mouse(m) => {
                        app.handle_mouse(m);
                    }
                    Event::Resize(w, h) => {
                        app.area = Rect::new(0, 0, w, h);
                        app.mark_changed();
                    }
                    _ => {}
                }
                if app.should_quit() || !event::poll(Duration::ZERO)? {
                    break;
                }
            }
        }
        Ok(ControlFlow::Continue(()))
    }

    fn pump(&mut self) {
        self.app.pump();
        self.app.poll_chat();
    }

    fn take_learn_request(&mut self) -> bool {
        self.app.midi.take_request()
    }

    fn event(&mut self, e: LiveEvent) {
        self.app.live_event(e);
    }

    fn frame(&mut self, inputs: &Inputs, elapsed: Duration) -> Result<(), TuiError> {
        let app = &mut *self.app;
        if let Some(m) = inputs.midi.as_ref() {
            let open = m.open_devices();
            if open != app.midi.devices {
                app.midi.devices = open;
                app.mark_changed();
            }
        }
        let health = crate::health::Health::read(
            app.session().engine().map(|e| &*e.counters),
            inputs.osc.as_ref().map(|o| &*o.counters),
        );
        if health != app.stats.health {
            app.stats.health = health;
            app.mark_changed();
        }
        app.tick(elapsed);
        if self.last_draw.is_none_or(|t| t.elapsed() >= FRAME) && app.take_changed() {
            self.terminal.draw(|f| view::draw(f, app))?;
            self.last_draw = Some(Instant::now());
        }
        Ok(())
    }
}

enum TtyWait {
    /// Input is waiting, or the time is up.
    Waited,
    /// The terminal's other end closed (its window, tmux or ssh went away).
    HungUp,
    NotATty,
}

/// Wait up to `wait` for input on the terminal (stdin). crossterm reads a
/// hung-up terminal forever, since end-of-file is not an event to it, and
/// would keep termdaw spinning (and playing) with nobody to hear it; a
/// hang-up seen here ends the UI loop like a signal would.
fn wait_for_tty(wait: Duration) -> TtyWait {
    // SAFETY: isatty and poll on stdin, with a pollfd on our stack.
    if unsafe { libc::isatty(0) } != 1 {
        return TtyWait::NotATty;
    }
    let mut fd = libc::pollfd {
        fd: 0,
        events: libc::POLLIN,
        revents: 0,
    };
    let ms = wait.as_millis().min(i32::MAX as u128) as i32;
    let n = unsafe { libc::poll(&mut fd, 1, ms) };
    if n > 0 && fd.revents & (libc::POLLHUP | libc::POLLERR | libc::POLLNVAL) != 0 {
        TtyWait::HungUp
    } else {
        TtyWait::Waited
    }
}
