//! Every sample a session names is there and decodes, checked before the
//! session is played or rendered, with the place of its path in the file.
//!
//! Control thread only (reads and decodes files). `termdaw check`,
//! `render`, live play and every reload run it, so a missing or damaged
//! file is an error at its line rather than a silent track.

use std::path::Path;

use crate::kinds::InstrumentKind;
use crate::patch::{self, PatchError, SessionFile};

/// Check the samples of `file` (loaded from `path`); those that `known`
/// also names with the same path were checked when it was loaded. `ahead`
/// answers for files decoded ahead on a worker (`Some(Ok)`: decoded,
/// `Some(Err(why))`: failed); the others are decoded here.
pub fn check(
    path: &Path,
    file: &SessionFile,
    known: Option<&SessionFile>,
    ahead: &dyn Fn(&Path) -> Option<Result<(), String>>,
) -> Result<(), PatchError> {
    let base = path.parent().map(Path::to_path_buf);
    let sources = patch::sources(path, file);
    for t in &file.tracks {
        if t.instrument.kind != InstrumentKind::Sample {
            continue;
        }
        let Some(p) = t.instrument.path.as_deref() else {
            continue;
        };
        let checked = known.is_some_and(|k| {
            k.track(t.name.as_str())
                .is_some_and(|o| o.instrument.path.as_deref() == Some(p))
        });
        if checked {
            continue;
        }
        let full = super::build::resolve(base.as_deref(), p);
        let verdict = ahead(&full).unwrap_or_else(|| {
            crate::sample::load_audio(&full)
                .map(drop)
                .map_err(|e| e.to_string())
        });
        if let Err(e) = verdict {
            let source = t
                .origin
                .and_then(|i| sources.get(i + 1))
                .unwrap_or(&sources[0]);
            let name = source.display().to_string();
            let text = crate::files::read_text(source, patch::MAX_FILE_BYTES).unwrap_or_default();
            let (line, col) = patch::locate(&text, &format!("\"{p}\""), 0);
            return Err(PatchError::at(
                &name,
                &text,
                line,
                col,
                format!("track \"{}\": {e}", t.name),
            ));
        }
    }
    Ok(())
}

/// Every file a session reads, with what it is: the session, its includes
/// and its samples (an output must be none of them).
pub fn inputs(path: Option<&Path>, file: &SessionFile) -> Vec<(std::path::PathBuf, &'static str)> {
    let mut out: Vec<_> = path
        .map(|p| patch::sources(p, file))
        .unwrap_or_default()
        .into_iter()
        .enumerate()
        .map(|(i, p)| {
            (
                p,
                if i == 0 {
                    "the session"
                } else {
                    "a file the session includes"
                },
            )
        })
        .collect();
    let base = path.and_then(Path::parent);
    for t in &file.tracks {
        if let Some(p) = t.instrument.path.as_deref() {
            out.push((super::build::resolve(base, p), "a sample"));
        }
    }
    out
}

/// Read a session file with its includes, and check its samples, its
/// automation lanes and its macros.
pub fn load(path: &Path) -> Result<SessionFile, PatchError> {
    let file = patch::load(path)?;
    check(path, &file, None, &|_| None)?;
    super::check_file(path, &file)?;
    Ok(file)
}
