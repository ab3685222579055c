//! The run's command log: every command the session sends the engine, and
//! every live note the engine took straight from a MIDI input, written in
//! the order the engine applied them, each stamped with the engine sample
//! it landed on. A take copies it; `termdaw replay` plays it back.
//!
//! Control thread only. The log covers the run from the engine's first
//! sample, so a take started mid-set still replays the voices and tails
//! that were sounding when it began. It is written to an unnamed file in
//! the temporary directory as it goes (memory stays flat over a long set),
//! and teed into the take's `log.txt` while a take records.
//!
//! Lines (see docs/recording.md):
//! `termdaw-log 1`, `rate R`, `bpm B`, `base DIR`, `state ID <session RON>`,
//! `@SAMPLE op <Op RON>`, `@SAMPLE build <Recipe RON>`,
//! `@SAMPLE action <what>`, `@SAMPLE split`, `take START FORMAT`, `end SAMPLE`.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::engine::automation::Lane;
use crate::engine::{Applied, FxTarget, Op, Slot};
use crate::patch::SessionFile;

/// The format's version, first line of every log.
pub const VERSION: &str = "termdaw-log 1";

/// How to build a command's payload again: the state it was built from
/// (a `state` line) and the part of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Recipe {
    Track {
        state: u32,
        slot: Slot,
        name: String,
    },
    Instrument {
        state: u32,
        slot: Slot,
        name: String,
    },
    Clip {
        state: u32,
        slot: Slot,
        name: String,
    },
    Effects {
        state: u32,
        chain: FxTarget,
        name: String,
    },
    Bus {
        state: u32,
        bus: u8,
        name: String,
    },
    Automation {
        lanes: Vec<Lane>,
    },
}

/// What one logged command was.
#[derive(Debug, Clone, PartialEq)]
pub enum Entry {
    Op(String),
    Build(Recipe),
}

pub struct RunLog {
    spill: BufWriter<File>,
    /// The file again, to read back from the start (the writer appends).
    reader: File,
    take: Option<BufWriter<File>>,
    /// Sent, not yet applied: number → line without its sample.
    pending: HashMap<u32, String>,
    /// Actions waiting for their first command's sample.
    actions: HashMap<u32, Vec<String>>,
    next_seq: u32,
    state: Option<(u32, SessionFile)>,
    /// A write failed: the log is incomplete from here on.
    pub broken: Option<String>,
}

impl RunLog {
    /// A log for an engine at `rate`, whose samples resolve from `base`.
    pub fn open(rate: f32, bpm: f64, base: Option<&Path>) -> io::Result<RunLog> {
        let path = std::env::temp_dir().join(format!(
            "termdaw-run-{}-{}.log",
            std::process::id(),
            unique()
        ));
        let file = File::options()
            .create_new(true)
            .append(true)
            .read(true)
            .open(&path)?;
        // Unnamed from here on: it goes when the run ends, however it ends.
        let _ = std::fs::remove_file(&path);
        let reader = file.try_clone()?;
        let mut log = RunLog {
            spill: BufWriter::new(file),
            reader,
            take: None,
            pending: HashMap::new(),
            actions: HashMap::new(),
            next_seq: 1,
            state: None,
            broken: None,
        };
        let base = base.map(Path::display).map(|d| d.to_string());
        log.line(VERSION);
        log.line(&format!("rate {rate}"));
        log.line(&format!("bpm {bpm}"));
        log.line(&format!("base {}", base.unwrap_or_default()));
        Ok(log)
    }

    fn line(&mut self, text: &str) {
        let write = |w: &mut BufWriter<File>| writeln!(w, "{text}");
        if let Err(e) = write(&mut self.spill) {
            self.broken.get_or_insert(format!("the run's log: {e}"));
        }
        if let Some(t) = self.take.as_mut() {
            if let Err(e) = write(t) {
                self.broken.get_or_insert(format!("the take's log: {e}"));
                self.take = None;
            }
        }
    }

    /// The number of a command about to be sent: `entry` is written when
    /// the engine says where it landed.
    pub fn sent(&mut self, entry: Entry) -> u32 {
        let seq = self.next_seq;
        self.next_seq = match self.next_seq.wrapping_add(1) {
            0 | Applied::SPLIT => 1,
            n => n,
        };
        let text = match entry {
            Entry::Op(op) => format!("op {op}"),
            Entry::Build(r) => format!("build {}", ron_line(&r)),
        };
        self.pending.insert(seq, text);
        seq
    }

    /// A command that was never sent after all.
    pub fn forget(&mut self, seq: u32) {
        self.pending.remove(&seq);
    }

    /// An action the musician (or the chat, OSC, MIDI, a reload) applied,
    /// whose first command got number `first`: written with that
    /// command's sample; at `clock` (now) when it sent nothing.
    pub fn action(&mut self, first: u32, clock: u64, what: String) {
        if first == self.next_seq {
            self.line(&format!("@{clock} action {what}"));
        } else {
            self.actions.entry(first).or_default().push(what);
        }
    }

    /// The next command's number.
    pub fn next_seq(&self) -> u32 {
        self.next_seq
    }

    /// The id of `file` as a `state` line, writing it if it is new.
    pub fn state(&mut self, file: &SessionFile) -> u32 {
        if let Some((id, f)) = &self.state {
            if f == file {
                return *id;
            }
        }
        let id = self.state.as_ref().map_or(1, |(id, _)| id + 1);
        self.line(&format!("state {id} {}", ron_line(file)));
        self.state = Some((id, file.clone()));
        id
    }

    /// The engine applied a command.
    pub fn applied(&mut self, a: Applied) {
        if a.seq == Applied::SPLIT {
            self.line(&format!("@{} split", a.clock));
            return;
        }
        if let Some(acts) = self.actions.remove(&a.seq) {
            for what in acts {
                self.line(&format!("@{} action {what}", a.clock));
            }
        }
        let text = match a.op {
            Some(op) => Some(format!("op {}", ron_line(&op))),
            None => self.pending.remove(&a.seq),
        };
        if let Some(t) = text {
            self.line(&format!("@{} {t}", a.clock));
        }
    }

    /// Start teeing into `path`, after everything logged so far (the
    /// `take` line follows once the disk thread knows the first sample).
    pub fn start_take(&mut self, path: &Path) -> io::Result<()> {
        self.spill.flush()?;
        let mut out = BufWriter::new(File::create(path)?);
        self.reader.seek(SeekFrom::Start(0))?;
        io::copy(&mut self.reader, &mut out)?;
        out.flush()?;
        self.take = Some(out);
        Ok(())
    }

    /// A line for the take's log only (where its audio starts).
    pub fn take_line(&mut self, text: &str) {
        if let Some(t) = self.take.as_mut() {
            if let Err(e) = writeln!(t, "{text}") {
                self.broken.get_or_insert(format!("the take's log: {e}"));
            }
        }
    }

    /// Stop teeing: the take's audio ended before engine sample `end`.
    pub fn end_take(&mut self, end: u64) -> io::Result<()> {
        match self.take.take() {
            Some(mut t) => {
                writeln!(t, "end {end}")?;
                t.flush()
            }
            None => Ok(()),
        }
    }

    /// Write what is buffered (the take's log stays readable as it grows).
    pub fn flush(&mut self) {
        let _ = self.spill.flush();
        if let Some(t) = self.take.as_mut() {
            let _ = t.flush();
        }
    }
}

/// A value as RON on one line.
pub fn ron_line<T: Serialize>(v: &T) -> String {
    ron::to_string(v).unwrap_or_else(|e| format!("<unwritable: {e}>"))
}

/// The log line of a plain command.
pub fn op_entry(op: &Op) -> Entry {
    Entry::Op(ron_line(op))
}

fn unique() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    N.fetch_add(1, Ordering::Relaxed)
}

/// Where a take's files go.
pub fn take_log_path(dir: &Path) -> PathBuf {
    dir.join("log.txt")
}
