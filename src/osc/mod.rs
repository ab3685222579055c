//! OSC: drive termdaw from other programs over UDP.
//!
//! A server thread (a small tokio runtime) receives datagrams, decodes them
//! with rosc and translates each message into an [`Action`] (see
//! [`address`]); the control loop applies them in [`Osc::poll`]. Bundles with
//! a future timetag are applied at their sample; late ones at once (and
//! counted). Malformed, truncated, oversized or unknown packets are dropped
//! and counted; the queue between the two threads is bounded and `poll`
//! applies at most [`MAX_PER_POLL`] messages per call, so a flood can starve
//! neither the UI nor the engine. The server thread never touches the
//! session; the audio thread never sees OSC at all.

pub mod address;
pub mod decode;

use std::net::{IpAddr, SocketAddr, UdpSocket};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender, TrySendError};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime};

use rosc::{OscMessage, OscPacket, OscType};

use crate::engine::When;
use crate::session::Session;
pub use address::Request;
pub use decode::{decode, DecodeError, Decoded};

/// The default port.
pub const DEFAULT_PORT: u16 = 7770;
/// Largest datagram accepted.
pub const MAX_DATAGRAM: usize = 8192;
/// Messages waiting between the server thread and the control loop.
pub const QUEUE: usize = 1024;
/// Messages applied per `poll`.
pub const MAX_PER_POLL: usize = 256;

/// What the server has seen.
#[derive(Debug, Default)]
pub struct OscCounters {
    pub datagrams: AtomicU64,
    pub messages: AtomicU64,
    pub malformed: AtomicU64,
    pub oversized: AtomicU64,
    pub unknown: AtomicU64,
    /// Messages dropped because the control loop was not keeping up.
    pub dropped: AtomicU64,
    /// Bundles whose time had passed when they were applied.
    pub late: AtomicU64,
    /// Actions that `Session::apply` refused (bad values, unknown track).
    pub refused: AtomicU64,
    /// Times the server thread panicked and was started again.
    pub restarts: AtomicU64,
}

fn bump(c: &AtomicU64) {
    c.fetch_add(1, Ordering::Release);
}

pub fn get(c: &AtomicU64) -> u64 {
    c.load(Ordering::Acquire)
}

struct Incoming {
    request: Request,
    at: Option<SystemTime>,
    from: SocketAddr,
}

/// Where engine time and wall-clock time meet: engine clock sample `clock`
/// is heard at `at`.
#[derive(Debug, Clone, Copy)]
pub struct TimeBase {
    pub clock: u64,
    pub at: SystemTime,
    pub rate: f64,
}

impl TimeBase {
    /// The engine sample at which wall-clock time `t` falls.
    pub fn sample_for(&self, t: SystemTime) -> i64 {
        let secs = match t.duration_since(self.at) {
            Ok(d) => d.as_secs_f64(),
            Err(e) => -e.duration().as_secs_f64(),
        };
        self.clock as i64 + (secs * self.rate).round() as i64
    }

    /// For a live session: the engine's last published clock, now.
    pub fn live(session: &Session) -> Option<Self> {
        let h = session.engine()?;
        Some(Self {
            clock: h.counters.clock(),
            at: SystemTime::now(),
            rate: h.rate as f64,
        })
    }
}

pub struct Osc {
    pub local: SocketAddr,
    pub counters: Arc<OscCounters>,
    rx: Receiver<Incoming>,
    reply: UdpSocket,
    stop: Arc<tokio::sync::Notify>,
    thread: Option<JoinHandle<()>>,
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum OscError {
    #[error("OSC: {addr} is not a loopback address; pass --osc-any to listen beyond this machine")]
    NotLoopback { addr: IpAddr },
    #[error("OSC: cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
}

impl Osc {
    /// Control thread: listen on `addr`. Addresses other than loopback need
    /// `allow_remote` (anyone on the network could then drive the session).
    pub fn start(addr: SocketAddr, allow_remote: bool) -> Result<Self, OscError> {
        if !addr.ip().is_loopback() && !allow_remote {
            return Err(OscError::NotLoopback { addr: addr.ip() });
        }
        let socket = UdpSocket::bind(addr).map_err(|source| OscError::Bind { addr, source })?;
        let local = socket
            .local_addr()
            .map_err(|source| OscError::Bind { addr, source })?;
        let reply = socket
            .try_clone()
            .map_err(|source| OscError::Bind { addr, source })?;
        socket
            .set_nonblocking(true)
            .map_err(|source| OscError::Bind { addr, source })?;
        let (tx, rx) = sync_channel(QUEUE);
        let counters = Arc::new(OscCounters::default());
        let stop = Arc::new(tokio::sync::Notify::new());
        let thread = {
            let counters = counters.clone();
            let stop = stop.clone();
            std::thread::Builder::new()
                .name("termdaw-osc".into())
                .spawn(move || run_restarting(socket, tx, counters, stop))
                .map_err(|source| OscError::Bind { addr, source })?
        };
        Ok(Self {
            local,
            counters,
            rx,
            reply,
            stop,
            thread: Some(thread),
        })
    }

    /// Control thread: apply what arrived (at most [`MAX_PER_POLL`]).
    /// Returns one line per applied change or refusal, for the status line.
    pub fn poll(&mut self, session: &mut Session, time: Option<TimeBase>) -> Vec<String> {
        let mut out = Vec::new();
        for _ in 0..MAX_PER_POLL {
            let Ok(inc) = self.rx.try_recv() else { break };
            match inc.request {
                Request::State => {
                    let msg = state_message(session);
                    if let Ok(bytes) = rosc::encoder::encode(&OscPacket::Message(msg)) {
                        let _ = self.reply.send_to(&bytes, inc.from);
                    }
                }
                Request::Action(action) => {
                    let when = match (inc.at, time) {
                        (Some(t), Some(tb)) => {
                            let s = tb.sample_for(t);
                            if s > tb.clock as i64 {
                                Some(When::Sample(s as u64))
                            } else {
                                bump(&self.counters.late);
                                None
                            }
                        }
                        _ => None,
                    };
                    let r = match when {
                        Some(w) => session.apply_at(*action, w),
                        None => session.apply(*action),
                    };
                    match r {
                        Ok(a) => out.push(format!("osc: {}", a.description)),
                        Err(e) => {
                            bump(&self.counters.refused);
                            out.push(format!("osc: {e}"));
                        }
                    }
                }
            }
        }
        out
    }
}

impl Drop for Osc {
    fn drop(&mut self) {
        self.stop.notify_one();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// `/termdaw/state`: tempo, playing, then per track: name, instrument, volume, pan, mute, solo.
fn state_message(session: &Session) -> OscMessage {
    let f = session.file();
    let mut args = vec![
        // The tempo playing: a followed clock's or Link's.
        OscType::Float(session.tempo_now() as f32),
        OscType::Int(session.is_playing() as i32),
        OscType::Int(f.tracks.len() as i32),
    ];
    for t in &f.tracks {
        args.extend([
            OscType::String(t.name.to_string()),
            OscType::String(t.instrument.kind.name().to_string()),
            OscType::Float(t.volume as f32),
            OscType::Float(t.pan as f32),
            OscType::Int(t.mute as i32),
            OscType::Int(t.solo as i32),
        ]);
    }
    OscMessage {
        addr: "/termdaw/state".into(),
        args,
    }
}

/// The server thread: [`serve`], started again (and counted in `restarts`)
/// should it ever panic, so OSC never dies silently.
/// Debug builds: a datagram starting with this panics the OSC thread.
#[cfg(debug_assertions)]
pub const TEST_PANIC: &[u8] = b"/termdaw/test/panic\0";

fn run_restarting(
    socket: UdpSocket,
    tx: SyncSender<Incoming>,
    counters: Arc<OscCounters>,
    stop: Arc<tokio::sync::Notify>,
) {
    loop {
        let Ok(sock) = socket.try_clone() else { return };
        let (tx, c, stop) = (tx.clone(), counters.clone(), stop.clone());
        let run =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| serve(sock, tx, c, stop)));
        if run.is_ok() {
            return;
        }
        bump(&counters.restarts);
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn serve(
    socket: UdpSocket,
    tx: SyncSender<Incoming>,
    counters: Arc<OscCounters>,
    stop: Arc<tokio::sync::Notify>,
) {
    let Ok(rt) = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .enable_time()
        .build()
    else {
        return;
    };
    rt.block_on(async move {
        let Ok(sock) = tokio::net::UdpSocket::from_std(socket) else {
            return;
        };
        // One byte more than we accept, so an oversized datagram is detected.
        let mut buf = vec![0u8; MAX_DATAGRAM + 1];
        loop {
            tokio::select! {
                _ = stop.notified() => break,
                r = sock.recv_from(&mut buf) => {
                    let Ok((n, from)) = r else {
                        // A socket error must not spin the thread.
                        tokio::time::sleep(Duration::from_millis(1)).await;
                        continue;
                    };
                    bump(&counters.datagrams);
                    if n > MAX_DATAGRAM {
                        bump(&counters.oversized);
                        continue;
                    }
                    let Some(datagram) = buf.get(..n) else { continue };
                    // Debug builds: a bug in this thread, on demand, for the
                    // test that it is restarted and reported.
                    #[cfg(debug_assertions)]
                    if datagram.starts_with(TEST_PANIC) {
                        panic!("OSC test panic");
                    }
                    match decode(datagram) {
                        Ok(requests) => deliver(requests, from, &tx, &counters),
                        Err(_) => bump(&counters.malformed),
                    }
                }
            }
        }
    });
}

/// Hand a datagram's requests to the control loop. Each outcome is counted
/// before `messages`, so a reader that sees `messages` reach N also sees the
/// outcomes of those N.
fn deliver(
    requests: Vec<Decoded>,
    from: SocketAddr,
    tx: &SyncSender<Incoming>,
    counters: &OscCounters,
) {
    for Decoded { request, at } in requests {
        match request {
            Ok(request) => match tx.try_send(Incoming { request, at, from }) {
                Ok(()) => {}
                Err(TrySendError::Full(_)) | Err(TrySendError::Disconnected(_)) => {
                    bump(&counters.dropped)
                }
            },
            Err(_) => bump(&counters.unknown),
        }
        bump(&counters.messages);
    }
}

/// How long the control loop may wait between polls without hurting latency.
pub const POLL_INTERVAL: Duration = Duration::from_millis(5);
