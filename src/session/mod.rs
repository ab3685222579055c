//! The session model and the one place that changes it.
//!
//! Control thread only. [`Session::apply`] takes an [`Action`] from any
//! source, validates it against the model, updates the model, records undo,
//! and sends the engine exactly the commands that make the sound match the
//! model. Undo keeps snapshots of the model and replays the difference, so
//! every edit — including structural ones — can be undone the same way.

#![allow(clippy::result_large_err)]

mod arrange;
pub mod automation;
pub mod build;
pub mod diff;
pub mod edit;
pub use arrange::{Form, Mode};
mod follow;
pub mod form;
pub mod loading;
pub mod log;
mod logging;
pub mod macros;
mod process;
mod record;
pub mod samples;
mod sync;
mod undo;

use undo::coalesce_key;

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::action::{Action, ActionError};
use crate::engine::{Op, Slot, When};
use crate::handle::EngineHandle;
use crate::kinds::MAX_BUSES;
use crate::kinds::MAX_TRACKS;
use crate::patch::{self, PatchError, SessionFile};

/// The checks of a loaded file that need the action table (automation
/// lanes and macro targets), with the place in the session file at `path`.
pub fn check_file(path: &Path, file: &SessionFile) -> Result<(), PatchError> {
    automation::check(file)
        .and_then(|_| check_macros(file))
        .map_err(|(needle, nth, msg)| {
            let name = path.display().to_string();
            let text =
                crate::files::read_text(path, crate::patch::MAX_FILE_BYTES).unwrap_or_default();
            let (line, col) = patch::locate(&text, &needle, nth);
            PatchError::at(&name, &text, line, col, msg)
        })
}

/// Every macro target of `file` is an action its macro can set at both ends.
pub fn check_macros(file: &SessionFile) -> Result<(), (String, usize, String)> {
    macros::check(file, edit::edit)
}

/// What an applied action did.
#[derive(Debug, Clone, PartialEq)]
pub struct Applied {
    /// One line for the status bar or the chat, e.g. `bass.cutoff 800 Hz → 2000 Hz`.
    pub description: String,
}

/// What applying a new version of the session file did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FileChange {
    /// One line per change, as for any action.
    pub changes: Vec<String>,
    /// Changes that could not be applied (the live session had diverged,
    /// e.g. a track renamed live that the file still edits).
    pub errors: Vec<String>,
    /// Song beat where the changes land (None: immediately).
    pub lands_at: Option<f64>,
}

/// A file the session wrote itself, whose contents are already playing.
#[derive(Debug, Clone)]
pub enum Written {
    /// [`Session::save`]: the whole model.
    Session(Box<SessionFile>),
    /// An included patch file: its index in `includes` and its tracks.
    Patch {
        index: usize,
        tracks: Vec<patch::Track>,
    },
}

struct UndoEntry {
    label: String,
    before: SessionFile,
    key: Option<String>,
    at: Instant,
    /// A group's changes in order, each with the model before it, so the
    /// last one can be undone alone (`undo_change`). Empty outside groups.
    steps: Vec<(String, SessionFile)>,
}

pub struct Session {
    file: SessionFile,
    path: Option<PathBuf>,
    rate: f32,
    engine: Option<EngineHandle>,
    slots: HashMap<String, Slot>,
    free_slots: VecDeque<Slot>,
    bus_slots: HashMap<String, u8>,
    free_buses: VecDeque<u8>,
    cache: build::SampleCache,
    /// Samples a coming reload needs, decoding on a worker.
    ahead: loading::Ahead,
    undo: Vec<UndoEntry>,
    redo: Vec<UndoEntry>,
    /// When the commands this session sends take effect.
    pub land: When,
    notices: Vec<String>,
    /// Files this session wrote itself, for the reloader to take as read
    /// rather than re-apply.
    written: Vec<Written>,
    dirty: bool,
    playing: bool,
    /// An open undo group: edits inside it undo as one step.
    group: Option<(String, bool)>,
    /// Groups opened inside the open group (they join it).
    group_depth: usize,
    /// Set by [`Session::apply_at`]: every command of the action goes out at this time.
    at: Option<When>,
    /// Where `process_sample` writes (default: the user's data directory).
    processed_dir: Option<PathBuf>,
    /// Tracks renamed since the files were last written (new name → the
    /// name in the file), so a save keeps a renamed track's text.
    renamed: BTreeMap<String, String>,
    /// Which part of the song plays (not part of the file).
    arr: arrange::Arrangement,
    /// Set while a file change applies: its edits mean what they say, even
    /// where the section playing overrides them.
    literal: bool,
    /// The automation lanes the engine has, as laid on the song.
    lanes_sent: Vec<crate::engine::automation::Lane>,
    /// `process_sample` runs still working (live sessions only).
    jobs: Vec<process::Job>,
    /// Tracks armed for recording automation (not part of the file).
    armed: std::collections::BTreeSet<String>,
    /// Recording: each lane's last recorded bar in this take.
    takes: HashMap<String, f64>,
    /// Every command sent, where it landed (sessions with an engine).
    log: Option<log::RunLog>,
    /// Nesting of [`Session::apply`]: only the outermost action is logged.
    depth: usize,
    /// A take is being recorded (the host says so), and its input gate.
    recording: bool,
    gate: Option<bool>,
    /// Start (true) or stop a take, at once (true) or on the next bar:
    /// for the host, which owns takes.
    record_request: Option<(bool, bool)>,
    /// Ableton Link's peers, while termdaw is in a Link session.
    link: Option<u64>,
}

impl Session {
    /// A session playing `file` through `engine` (or no engine, for checks).
    pub fn new(
        file: SessionFile,
        path: Option<PathBuf>,
        rate: f32,
        engine: Option<EngineHandle>,
    ) -> Self {
        let mut s = Self {
            file: SessionFile {
                tracks: Vec::new(),
                ..file.clone()
            },
            path,
            rate,
            engine,
            slots: HashMap::new(),
            free_slots: (0..MAX_TRACKS as Slot).collect(),
            bus_slots: HashMap::new(),
            free_buses: (0..MAX_BUSES as u8).collect(),
            cache: build::SampleCache::default(),
            ahead: loading::Ahead::default(),
            undo: Vec::new(),
            redo: Vec::new(),
            land: When::Now,
            notices: Vec::new(),
            written: Vec::new(),
            dirty: false,
            playing: false,
            group: None,
            group_depth: 0,
            at: None,
            processed_dir: None,
            jobs: Vec::new(),
            renamed: BTreeMap::new(),
            arr: arrange::Arrangement::open(&file),
            literal: false,
            lanes_sent: Vec::new(),
            armed: Default::default(),
            takes: HashMap::new(),
            log: None,
            depth: 0,
            recording: false,
            gate: None,
            record_request: None,
            link: None,
        };
        if s.engine.is_some() {
            let base = s.base_dir();
            match log::RunLog::open(rate, file.tempo, base.as_deref()) {
                Ok(l) => s.log = Some(l),
                Err(e) => s
                    .notices
                    .push(format!("no action log (takes will not replay): {e}")),
            }
        }
        let empty = s.file.clone();
        s.file = file;
        let new = s.file.clone();
        s.sync(&empty, &new, true);
        s.sync_automation();
        s
    }

    /// Load a session file.
    pub fn load(path: &Path, rate: f32, engine: Option<EngineHandle>) -> Result<Self, PatchError> {
        let file = samples::load(path)?;
        Ok(Self::new(file, Some(path.to_path_buf()), rate, engine))
    }

    /// Where `process_sample` writes its files (instead of the data directory).
    pub fn set_processed_dir(&mut self, dir: PathBuf) {
        self.processed_dir = Some(dir);
    }

    pub fn file(&self) -> &SessionFile {
        &self.file
    }

    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    pub fn is_dirty(&self) -> bool {
        self.dirty
    }

    pub fn is_playing(&self) -> bool {
        self.playing
    }

    /// The engine slot of a track.
    pub fn slot(&self, track: &str) -> Option<Slot> {
        self.slots.get(track).copied()
    }

    /// The engine index of a return bus (what its meter reports carry).
    pub fn bus_slot(&self, bus: &str) -> Option<u8> {
        self.bus_slots.get(bus).copied()
    }

    pub fn engine(&self) -> Option<&EngineHandle> {
        self.engine.as_ref()
    }

    pub fn engine_mut(&mut self) -> Option<&mut EngineHandle> {
        self.engine.as_mut()
    }

    /// Notices (missing samples and the like) since the last call.
    pub fn take_notices(&mut self) -> Vec<String> {
        std::mem::take(&mut self.notices)
    }

    /// Save to the session's file (atomic, previous version kept as .bak).
    pub fn save(&mut self) -> std::io::Result<PathBuf> {
        let path = self.path.clone().ok_or_else(|| {
            std::io::Error::new(std::io::ErrorKind::NotFound, "this session has no file yet")
        })?;
        patch::save_renamed(&path, &self.file, &self.renamed)?;
        self.renamed.clear();
        self.written
            .push(Written::Session(Box::new(self.file.clone())));
        self.dirty = false;
        Ok(path)
    }

    /// Note that include `index` was just written with `tracks` (whose
    /// changes this session already applied).
    pub fn wrote_patch(&mut self, index: usize, tracks: Vec<patch::Track>) {
        self.written.push(Written::Patch { index, tracks });
    }

    /// The files this session wrote since the last call, in order (for the reloader).
    pub fn take_written(&mut self) -> Vec<Written> {
        std::mem::take(&mut self.written)
    }

    pub fn can_undo(&self) -> bool {
        !self.undo.is_empty()
    }

    pub fn can_redo(&self) -> bool {
        !self.redo.is_empty()
    }

    /// Apply an action whose every command (notes and transport included)
    /// takes effect at `when`: OSC bundles with a timetag use this.
    pub fn apply_at(&mut self, action: Action, when: When) -> Result<Applied, ActionError> {
        let saved = self.at.replace(when);
        let r = self.apply(action);
        self.at = saved;
        r
    }

    /// Apply one action from any source. A refusal quotes at most a window
    /// of what it was given.
    pub fn apply(&mut self, action: Action) -> Result<Applied, ActionError> {
        let logged = (self.depth == 0)
            .then(|| {
                self.log
                    .as_ref()
                    .map(|l| (l.next_seq(), format!("{action:?}")))
            })
            .flatten();
        self.depth += 1;
        let r = self.apply_one(action).map_err(ActionError::bounded);
        self.depth -= 1;
        if let (Some((first, what)), true) = (logged, r.is_ok()) {
            self.log_action(first, what);
        }
        r
    }

    fn apply_one(&mut self, action: Action) -> Result<Applied, ActionError> {
        use Action::*;
        let described = |s: String| Ok(Applied { description: s });
        match &action {
            Undo {} => return self.undo(),
            UndoChange {} => return self.undo_change(),
            Redo {} => return self.redo(),
            LaunchSection { section } => return self.launch(section),
            ArmAutomation { track, on } => {
                if self.file.track(track).is_none() {
                    return Err(ActionError::Invalid(format!("no track named \"{track}\"")));
                }
                return described(self.arm(track, *on));
            }
            PlaySong {} => return self.play_song(),
            JumpTo { place } => return self.jump_to(Some(place), 0),
            NextMarker {} => return self.jump_to(None, 1),
            PrevMarker {} => return self.jump_to(None, -1),
            LoopSection {} => {
                let (first, last) = self.section_loop()?;
                return self.apply(SetLoopBars { first, last });
            }
            Play {} => {
                self.rewind_finished_song();
                self.playing = true;
                self.send_now(Op::Play);
                return described("play".into());
            }
            Stop {} => {
                self.playing = false;
                self.send_now(Op::Stop);
                return described("stop".into());
            }
            TogglePlay {} => {
                let a = if self.playing { Stop {} } else { Play {} };
                return self.apply(a);
            }
            Record { at, on } => return described(self.ask_record(*on, at == "now")),
            ToggleRecord {} => return described(self.ask_record(!self.recording, false)),
            Looper { track, command } => return self.looper(track, command),
            Locate { beat } => {
                self.jump(*beat, self.at.unwrap_or(When::Now));
                return described(format!("locate beat {beat}"));
            }
            SetLoop { start, end } => {
                self.send_now(Op::Loop {
                    start: *start,
                    end: *end,
                });
                return described(if end > start {
                    format!("loop {start}–{end}")
                } else {
                    "loop off".into()
                });
            }
            NoteOn {
                track,
                note,
                velocity,
            } => {
                let slot = self
                    .slot(track)
                    .ok_or_else(|| ActionError::NoTrack(track.clone()))?;
                self.send_now(Op::NoteOn {
                    slot,
                    note: *note as f32,
                    velocity: *velocity as f32,
                });
                return described(format!("{track} note {note} on"));
            }
            PlayNote {
                track,
                note,
                velocity,
                beats,
            } => {
                let slot = self
                    .slot(track)
                    .ok_or_else(|| ActionError::NoTrack(track.clone()))?;
                let len = (beats * 60.0 / self.file.tempo * self.rate as f64)
                    .round()
                    .max(1.0) as u64;
                let start = match self.at {
                    Some(When::Sample(s)) => s,
                    _ => self
                        .engine
                        .as_ref()
                        .map(|h| h.counters.clock())
                        .unwrap_or(0),
                };
                self.send_now(Op::NoteOn {
                    slot,
                    note: *note as f32,
                    velocity: *velocity as f32,
                });
                self.send_at(
                    Op::NoteOff {
                        slot,
                        note: *note as f32,
                    },
                    When::Sample(start + len),
                );
                return described(format!("{track} note {note} for {beats} beats"));
            }
            NoteOff { track, note } => {
                let slot = self
                    .slot(track)
                    .ok_or_else(|| ActionError::NoTrack(track.clone()))?;
                self.send_now(Op::NoteOff {
                    slot,
                    note: *note as f32,
                });
                return described(format!("{track} note {note} off"));
            }
            AllNotesOff {} => {
                self.send_now(Op::AllNotesOff);
                return described("all notes off".into());
            }
            ProcessSample { track, ops } => return self.process_sample(track, ops),
            _ => {}
        }
        let before = self.file.clone();
        let mut next = before.clone();
        let description = edit::edit(&mut next, &action)?;
        self.record_move(&action, &mut next);
        // Whatever an edit does, the result is a session a file could say
        // (unique names, known buses, bounded chains).
        next.validate()
            .map_err(|(_, _, message)| ActionError::Invalid(message))?;
        // A lane is checked when it is written, not after every edit: an
        // edit of the track it moves may come first in a reload.
        if matches!(action, SetLane { .. } | SetSection { .. }) {
            automation::check(&next).map_err(|(_, _, message)| ActionError::Invalid(message))?;
        }
        if matches!(action, SetMacros { .. }) {
            check_macros(&next).map_err(|(_, _, message)| ActionError::Invalid(message))?;
        }
        if let Some(playing) = self.arr.sounding.clone().filter(|_| !self.literal) {
            next.redirect_into_section(&before, &playing);
        }
        if let Some(waiting) = self.wait_for_samples(&action, &before, &next)? {
            return Ok(waiting);
        }
        let mut old_view = before.clone();
        if let RenameTrack { track, name } = &action {
            // Keep the engine track: it is the same track under a new name.
            if let Some(slot) = self.slots.remove(track) {
                self.slots.insert(name.clone(), slot);
            }
            let in_file = self.renamed.remove(track).unwrap_or_else(|| track.clone());
            self.renamed.insert(name.clone(), in_file);
            if let Some(t) = old_view.track_mut(track) {
                t.name = patch::Name(name.clone());
            }
        }
        self.sync(&old_view, &next, false);
        self.file = next;
        self.sync_automation();
        self.dirty = true;
        self.record(before, description.clone(), coalesce_key(&action));
        Ok(Applied { description })
    }

    /// When changes that land on `quantum` should take effect: the next beat
    /// or bar boundary after the playhead, as one absolute beat so that every
    /// command of one change lands together. A boundary closer than the
    /// largest audio buffer is skipped, so it cannot pass before the engine
    /// sees the commands.
    pub fn when_for(&self, quantum: patch::Quantum) -> When {
        let Some(h) = &self.engine else {
            return When::Now;
        };
        let (beat, playing) = h.counters.position();
        let step = match quantum {
            patch::Quantum::Immediate => return When::Now,
            patch::Quantum::Beat => 1.0,
            patch::Quantum::Bar => self.file.time_signature.beats.max(1) as f64,
        };
        if !playing {
            return When::Now;
        }
        let margin = 2048.0 / (self.rate as f64 * 60.0 / self.file.tempo);
        let mut b = (beat / step).ceil() * step;
        if b - beat < margin {
            b += step;
        }
        When::Beat(b)
    }

    /// Apply a new version of the session file: only what differs between
    /// `previous` (the file as last loaded) and `next` changes, landing on
    /// `next`'s quantum, and the whole change undoes as one step.
    pub fn apply_file_change(&mut self, previous: &SessionFile, next: &SessionFile) -> FileChange {
        let actions = diff::diff(previous, next);
        let mut out = FileChange::default();
        if actions.is_empty() {
            return out;
        }
        let when = self.when_for(next.quantum);
        if let When::Beat(b) = when {
            out.lands_at = Some(b);
        }
        let saved_land = self.land;
        let was_dirty = self.dirty;
        self.land = when;
        self.literal = true;
        self.begin_group("reload");
        for a in actions {
            match self.apply(a) {
                Ok(d) => out.changes.push(d.description),
                Err(e) => out.errors.push(e.to_string()),
            }
        }
        self.end_group();
        self.literal = false;
        self.land = saved_land;
        // The file now says what the session plays: a reload adds nothing unsaved.
        self.dirty = was_dirty;
        out
    }

    fn send_now(&mut self, op: Op) {
        self.send_at(op, self.at.unwrap_or(When::Now));
    }

    fn send(&mut self, op: Op) {
        self.send_at(op, self.at.unwrap_or(self.land));
    }

    fn send_at(&mut self, op: Op, at: When) {
        self.send_logged(op, at, None)
    }

    fn base_dir(&self) -> Option<PathBuf> {
        self.path
            .as_ref()
            .and_then(|p| p.parent().map(Path::to_path_buf))
    }

    fn notice(&mut self, track: &str, n: Option<String>) {
        if let Some(n) = n {
            self.notices.push(format!("{track}: {n}"));
        }
    }
}
