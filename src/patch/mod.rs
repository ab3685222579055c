//! Session files: reading, checking and writing the RON format.
//!
//! Control thread only. Everything that comes from a file — a load, a
//! reload, a chat edit — goes through [`parse`], which either returns a
//! fully checked [`SessionFile`] or a [`PatchError`] with file, line, column
//! and a plain-language message; it never panics. [`save`] writes atomically
//! (temp file + rename) and keeps the previous version as `NAME.ron.bak`.

// Errors are rare and carry the file text so they can show the offending line.
#![allow(clippy::result_large_err)]

mod cc;
pub mod clips;
pub mod device;
pub mod error;
pub mod field;
mod form_fields;
pub mod format;
pub mod lane;
pub mod macros;
mod pattern_def;
mod ranges;
pub mod song;
mod syntax;
mod write;

use std::collections::BTreeMap;
use std::path::Path;

use syntax::from_ron;

pub use clips::TimelineClip;
pub use device::{Device, EffectDef, InstrumentDef};
pub use error::{MidiError, PatchError, ValueError};
pub use format::note_name;
pub use format::{
    Bus, CcArg, CcMap, CcTarget, Curve, Key, Master, MidiSettings, Name, Notation, Part, PatchFile,
    PatternDef, Quantum, Scale, Section, SessionFile, TimeSignature, Track,
};
pub use lane::{Lane, Point, Shape};
pub use macros::{Macro, MacroTarget};

fn options() -> ron::Options {
    ron::Options::default().with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME)
}

/// Parse and check session text. `file` names it in errors.
pub fn parse(file: &str, text: &str) -> Result<SessionFile, PatchError> {
    let session: SessionFile = options()
        .from_str(text)
        .map_err(|e| from_ron(file, text, e))?;
    session.validate().map_err(|(needle, nth, msg)| {
        let (line, col) = locate(text, &needle, nth);
        PatchError::at(file, text, line, col, msg)
    })?;
    Ok(session)
}

/// Read and parse a session file and the patch files it includes; their
/// tracks join the session's (marked with where they came from).
pub fn load(path: &Path) -> Result<SessionFile, PatchError> {
    let (file, text) = read(path)?;
    let mut session = parse(&file, &text)?;
    let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
    for (i, inc) in session.includes.clone().iter().enumerate() {
        let inc_path = base.join(inc);
        let (inc_file, inc_text) = read(&inc_path)?;
        let patch = parse_patch(&inc_file, &inc_text)?;
        for mut t in patch.tracks {
            if session.track(t.name.as_str()).is_some() {
                let (line, col) = locate(&inc_text, &format!("\"{}\"", t.name), 0);
                return Err(PatchError::at(
                    &inc_file,
                    &inc_text,
                    line,
                    col,
                    format!(
                        "a track named \"{}\" already exists (in the session or another include)",
                        t.name
                    ),
                ));
            }
            t.origin = Some(i);
            session.tracks.push(t);
        }
    }
    if !session.includes.is_empty() {
        session
            .validate()
            .map_err(|(_, _, msg)| PatchError::at(&file, &text, 1, 1, msg))?;
    }
    Ok(session)
}

/// Parse any file written in the session's RON (a preset): syntax errors
/// with their place, as a session's.
pub fn parse_as<T: serde::de::DeserializeOwned>(file: &str, text: &str) -> Result<T, PatchError> {
    options()
        .from_str(text)
        .map_err(|e| from_ron(file, text, e))
}

/// An error at the first place `needle` appears in `text`.
pub fn error_at(file: &str, text: &str, needle: &str, message: String) -> PatchError {
    let (line, col) = locate(text, needle, 0);
    PatchError::at(file, text, line, col, message)
}

/// Parse an included patch file's text (`Patch(tracks: [...])`). Its
/// tracks are checked with the session they join (see [`with_patch`]).
pub fn parse_patch(file: &str, text: &str) -> Result<format::PatchFile, PatchError> {
    options()
        .from_str(text)
        .map_err(|e| from_ron(file, text, e))
}

/// `session` with include `index`'s tracks replaced by `tracks`, in the
/// order [`load`] gives: the session file's own tracks, then each include's.
pub fn with_patch(session: &SessionFile, index: usize, tracks: &[Track]) -> SessionFile {
    let mut next = session.clone();
    next.tracks.retain(|t| t.origin != Some(index));
    next.tracks.extend(tracks.iter().cloned().map(|mut t| {
        t.origin = Some(index);
        t
    }));
    let n = next.includes.len();
    next.tracks
        .sort_by_key(|t| t.origin.filter(|i| *i < n).map_or(0, |i| i + 1));
    next
}

/// The files a session is made of: the session file and its includes.
pub fn sources(path: &Path, session: &SessionFile) -> Vec<std::path::PathBuf> {
    let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
    std::iter::once(path.to_path_buf())
        .chain(session.includes.iter().map(|i| base.join(i)))
        .collect()
}

/// The largest session or patch file read (a set of 64 tracks is a few
/// hundred kilobytes); a bigger file is refused before it is read.
pub const MAX_FILE_BYTES: u64 = 4 << 20;
/// Patch files one session may include.
pub const MAX_INCLUDES: usize = 16;

fn read(path: &Path) -> Result<(String, String), PatchError> {
    let file = path.display().to_string();
    let io = |source| PatchError::Io {
        file: file.clone(),
        source,
    };
    let text = crate::files::read_text(path, MAX_FILE_BYTES).map_err(io)?;
    Ok((file, text))
}

/// The session file's own text: its settings and the tracks that live in
/// it (tracks from included files are written back to those files by [`save`]).
pub fn to_string(session: &SessionFile) -> String {
    let own;
    let included = |t: &Track| t.origin.is_some_and(|i| i < session.includes.len());
    let session = if session.tracks.iter().any(included) {
        let mut s = session.clone();
        s.tracks.retain(|t| !included(t));
        own = s;
        &own
    } else {
        session
    };
    // Serializing our own types cannot fail: every field is plain data.
    options()
        .to_string_pretty(session, pretty())
        .unwrap_or_default()
        + "\n"
}

/// Write `text` to `path` atomically, keeping the previous file as `.bak`
/// beside it. A symlinked file has its target written (the link stays a
/// link); the file keeps its permissions; the new text and its folder are
/// synced to disk before the rename, so a crash leaves the old file or the
/// new one, never half of one.
pub fn write_atomic(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let target = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let dir = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    // Removed on every failure below unless renamed into place.
    let tmp = crate::files::Temp::beside(&target);
    let mut f = std::fs::File::create(tmp.path())?;
    f.write_all(text.as_bytes())?;
    if let Ok(meta) = std::fs::metadata(&target) {
        f.set_permissions(meta.permissions())?;
    }
    f.sync_all()?;
    drop(f);
    if target.exists() {
        std::fs::copy(&target, dir.join(format!("{name}.bak")))?;
    }
    tmp.commit(&target)?;
    // The rename itself is durable once the folder is synced.
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Save a session atomically: each track goes back to the file it came
/// from (the session file or one of its includes), and each file keeps its
/// text: only the values that changed are rewritten (see [`write`]). Files
/// whose meaning would not change are left alone.
pub fn save(path: &Path, session: &SessionFile) -> std::io::Result<()> {
    save_renamed(path, session, &BTreeMap::new())
}

/// [`save`], knowing which tracks were renamed since the files were read
/// (new name → name in the file), so a renamed track keeps its comments
/// and layout.
pub fn save_renamed(
    path: &Path,
    session: &SessionFile,
    renamed: &BTreeMap<String, String>,
) -> std::io::Result<()> {
    let name = file_name(path);
    write::write_kept(path, &to_string(session), renamed, |text| {
        parse(&name, text).map(|s| to_string(&s))
    })?;
    let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
    for (i, inc) in session.includes.iter().enumerate() {
        let tracks: Vec<Track> = session
            .tracks
            .iter()
            .filter(|t| t.origin == Some(i))
            .cloned()
            .collect();
        save_patch(&base.join(inc), &tracks, renamed)?;
    }
    Ok(())
}

/// Save an included patch file with these tracks, keeping its text.
pub fn save_patch(
    path: &Path,
    tracks: &[Track],
    renamed: &BTreeMap<String, String>,
) -> std::io::Result<()> {
    let name = file_name(path);
    write::write_kept(path, &patch_to_string(tracks), renamed, |text| {
        parse_patch(&name, text).map(|p| patch_to_string(&p.tracks))
    })
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default()
}

fn pretty() -> ron::ser::PrettyConfig {
    ron::ser::PrettyConfig::new()
        .struct_names(true)
        .extensions(ron::extensions::Extensions::IMPLICIT_SOME)
        .indentor("    ".to_string())
}

/// A patch file's text as the serializer spells it.
fn patch_to_string(tracks: &[Track]) -> String {
    let patch = format::PatchFile {
        tracks: tracks
            .iter()
            .cloned()
            .map(|mut t| {
                t.origin = None;
                t
            })
            .collect(),
    };
    // Serializing our own types cannot fail: every field is plain data.
    options()
        .to_string_pretty(&patch, pretty())
        .unwrap_or_default()
        + "\n"
}

/// Where the `nth` occurrence of `needle` starts (1-based line, column).
pub(crate) fn locate(text: &str, needle: &str, nth: usize) -> (usize, usize) {
    let mut from = 0;
    let mut found = None;
    for _ in 0..=nth {
        match text[from..].find(needle) {
            Some(i) => {
                found = Some(from + i);
                from += i + needle.len();
            }
            None => break,
        }
    }
    error::line_column_of(text, found.unwrap_or(0))
}

impl SessionFile {
    /// Cross-field checks. On failure: (text to point at, which occurrence, message).
    pub fn validate(&self) -> Result<(), (String, usize, String)> {
        self.validate_song()?;
        if let Err(m) = self.midi.check() {
            return Err(("midi".into(), 0, m.to_string()));
        }
        let mut seen: Vec<&str> = Vec::new();
        for t in &self.tracks {
            let n = t.name.as_str();
            let count = seen.iter().filter(|s| **s == n).count();
            if count > 0 {
                return Err((
                    format!("\"{n}\""),
                    count,
                    format!("two tracks are named \"{n}\"; track names must be unique"),
                ));
            }
            seen.push(n);
        }
        if self.tracks.len() > crate::kinds::MAX_TRACKS {
            return Err((
                "tracks".into(),
                0,
                format!(
                    "at most {} tracks, found {}",
                    crate::kinds::MAX_TRACKS,
                    self.tracks.len()
                ),
            ));
        }
        if self.buses.len() > crate::kinds::MAX_BUSES {
            return Err((
                "buses".into(),
                0,
                format!(
                    "at most {} buses, found {}",
                    crate::kinds::MAX_BUSES,
                    self.buses.len()
                ),
            ));
        }
        if self.includes.len() > MAX_INCLUDES {
            return Err((
                "includes".into(),
                0,
                format!(
                    "at most {MAX_INCLUDES} included files, found {}",
                    self.includes.len()
                ),
            ));
        }
        let chains = std::iter::once(("master".to_string(), &self.master.effects))
            .chain(
                self.buses
                    .iter()
                    .map(|b| (format!("bus \"{}\"", b.name), &b.effects)),
            )
            .chain(
                self.tracks
                    .iter()
                    .map(|t| (format!("track \"{}\"", t.name), &t.effects)),
            );
        let mut long = 0;
        for (owner, effects) in chains {
            long += effects.iter().filter(|e| e.kind.holds_long_delay()).count();
            if long > crate::kinds::MAX_LONG_EFFECTS {
                return Err((
                    "effects".into(),
                    0,
                    format!(
                        "{owner}: a session holds at most {} reverbs and delays (each keeps seconds of audio in memory)",
                        crate::kinds::MAX_LONG_EFFECTS
                    ),
                ));
            }
            if effects.len() > crate::kinds::MAX_EFFECTS {
                return Err((
                    "effects".into(),
                    0,
                    format!(
                        "{owner}: at most {} effects in a chain, found {}",
                        crate::kinds::MAX_EFFECTS,
                        effects.len()
                    ),
                ));
            }
        }
        let mut buses: Vec<&str> = Vec::new();
        for b in &self.buses {
            if buses.contains(&b.name.as_str()) {
                return Err((
                    format!("\"{}\"", b.name),
                    1,
                    format!("two buses are named \"{}\"", b.name),
                ));
            }
            buses.push(b.name.as_str());
        }
        for t in &self.tracks {
            for bus in t.sends.keys() {
                if !buses.contains(&bus.as_str()) {
                    return Err((
                        format!("\"{bus}\""),
                        0,
                        format!(
                            "track \"{}\" sends to \"{bus}\", but there is no bus of that name{}",
                            t.name,
                            if buses.is_empty() {
                                String::new()
                            } else {
                                format!(" (buses: {})", buses.join(", "))
                            }
                        ),
                    ));
                }
            }
        }
        Ok(())
    }

    pub fn track(&self, name: &str) -> Option<&Track> {
        self.tracks.iter().find(|t| t.name.as_str() == name)
    }

    pub fn track_mut(&mut self, name: &str) -> Option<&mut Track> {
        self.tracks.iter_mut().find(|t| t.name.as_str() == name)
    }

    /// The MIDI note of scale degree `degree` (0: the tonic in octave 3,
    /// 7 in a seven-note scale: an octave up, -1: the degree below) of the
    /// session's key and scale, `shift` semitones up.
    pub fn degree_note(&self, degree: i32, shift: i8) -> i32 {
        let steps = self.scale.intervals();
        let len = steps.len().max(1) as i32;
        let octave = degree.div_euclid(len);
        let step = steps
            .get(degree.rem_euclid(len) as usize)
            .copied()
            .unwrap_or(0) as i32;
        let tonic = 12 * (3 + 1) + self.key.0 as i32;
        (tonic + 12 * octave + step + shift as i32).clamp(0, 127)
    }

    /// The effect chain a `chain` argument names: a track, `bus:NAME` or `master`.
    pub fn effect_chain(&self, chain: &str) -> Option<&[EffectDef]> {
        if chain == "master" {
            return Some(&self.master.effects);
        }
        if let Some(bus) = chain.strip_prefix("bus:") {
            return self
                .buses
                .iter()
                .find(|b| b.name.as_str() == bus)
                .map(|b| b.effects.as_slice());
        }
        self.track(chain).map(|t| t.effects.as_slice())
    }
}
