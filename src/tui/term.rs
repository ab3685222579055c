//! The real terminal: raw mode, the alternate screen, mouse capture, the
//! event loop, and putting everything back however the program ends.
//!
//! Control thread (the main thread). The loop never waits on the audio
//! thread: it drains the feedback ring and the tap, reads atomics, polls the
//! reloader, handles input, and redraws at most 60 times a second — and only
//! when something visible changed. The terminal is restored on quit, on an
//! error (a guard's `Drop`), on a panic (a panic hook), on Ctrl-C (a key in
//! raw mode) and on SIGINT/SIGTERM/SIGHUP (a signal-hook flag the loop checks).

use std::io::{self, stdout, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Once};
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

use super::app::App;
use super::view;
use crate::live::Inputs;

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
            restore();
            previous(info);
        }));
    });
}

/// Run the UI until the musician quits, a signal arrives, or `seconds` pass.
pub fn run(app: &mut App, inputs: &mut Inputs, seconds: Option<f64>) -> io::Result<()> {
    let stop = Arc::new(AtomicBool::new(false));
    for sig in [
        signal_hook::consts::SIGTERM,
        signal_hook::consts::SIGINT,
        signal_hook::consts::SIGHUP,
    ] {
        signal_hook::flag::register(sig, stop.clone())?;
    }
    let _guard = Guard::enter()?;
    let mut terminal = Terminal::new(CrosstermBackend::new(stdout()))?;
    terminal.clear()?;
    let size = terminal.size()?;
    app.area = Rect::new(0, 0, size.width, size.height);
    let started = Instant::now();
    let mut last_draw: Option<Instant> = None;
    while !stop.load(Ordering::Relaxed) && !app.should_quit() {
        if seconds.is_some_and(|s| started.elapsed().as_secs_f64() >= s) {
            break;
        }
        let wait = match last_draw {
            Some(t) => FRAME.saturating_sub(t.elapsed()),
            None => Duration::ZERO,
        }
        .max(Duration::from_millis(1));
        let ready = match wait_for_tty(wait) {
            TtyWait::HungUp => break,
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
        app.pump();
        app.poll_chat();
        if app.midi.take_request() && !inputs.learn() {
            app.set_status(
                super::app::StatusKind::Warning,
                "MIDI learn needs a MIDI input: start with --midi all (or a device name)",
            );
        }
        let slot = app.selected_slot();
        for e in inputs.poll(app.session_mut_quiet(), slot) {
            app.live_event(e);
        }
        if let Some(m) = inputs.midi.as_ref() {
            let open = m.open_devices();
            if open != app.midi.devices {
                app.midi.devices = open;
                app.mark_changed();
            }
        }
        app.tick(started.elapsed());
        if last_draw.is_none_or(|t| t.elapsed() >= FRAME) && app.take_changed() {
            terminal.draw(|f| view::draw(f, app))?;
            last_draw = Some(Instant::now());
        }
    }
    inputs.close(app.session_mut_quiet());
    Ok(())
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
