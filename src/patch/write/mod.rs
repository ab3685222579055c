//! The text-preserving writer: a save changes only the bytes of the values
//! it changes. Comments, the order of fields, blank lines and the layout of
//! everything else stay as the musician wrote them.
//!
//! Control thread only. A save reads the file as it is on disk, what that
//! text means (re-spelled by our serializer) and what the session is now
//! (spelled the same way), and merges the difference into the text
//! ([`merge`]). The result is read back and must mean exactly the session;
//! if the file on disk is not valid any more, or the merge would read
//! differently, nothing is written and the error says why.

mod cst;
mod merge;
mod render;

use std::collections::BTreeMap;
use std::path::Path;

/// Why a save wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error(
        "not saved: {0} on disk is not valid any more, so its text cannot be kept \
         (fix it in your editor, or let it reload, and save again)"
    )]
    NotValid(String),
    #[error(
        "not saved: the change cannot be written into {file} keeping its text ({detail}); \
         the file is as it was and the changes still play"
    )]
    Lost { file: String, detail: String },
}

impl From<WriteError> for std::io::Error {
    fn from(e: WriteError) -> Self {
        std::io::Error::other(e)
    }
}

/// `old` (a file's text, which reads as `before`) changed so that it reads
/// as `after`. `before` and `after` are spelled by the same serializer;
/// `renamed` maps names given since the file was read to the file's names.
pub fn update(
    old: &str,
    before: &str,
    after: &str,
    renamed: &BTreeMap<String, String>,
) -> Result<String, cst::SyntaxError> {
    let t = cst::parse(old)?;
    let b = cst::parse(before)?;
    let a = cst::parse(after)?;
    let unit = render::indent_unit(old);
    let m = merge::Merge {
        style: render::Style {
            text: old,
            unit: &unit,
        },
        before,
        after,
        renamed,
    };
    Ok(format!(
        "{}{}{}",
        &old[..t.start],
        m.node(&t, Some(&b), &a),
        &old[t.end..]
    ))
}

/// Write `after` (our serializer's spelling of what the file must mean)
/// into the file at `path`, keeping its text. `meaning` reads a text the
/// way a load does and spells it with the same serializer. A missing file
/// is written whole.
pub fn write_kept<E: std::fmt::Display>(
    path: &Path,
    after: &str,
    renamed: &BTreeMap<String, String>,
    meaning: impl Fn(&str) -> Result<String, E>,
) -> std::io::Result<()> {
    let old = match crate::files::read_text(path, crate::patch::MAX_FILE_BYTES) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return super::write_atomic(path, after)
        }
        Err(e) => return Err(e),
    };
    let before = meaning(&old).map_err(|e| WriteError::NotValid(e.to_string()))?;
    if before == after {
        return Ok(());
    }
    let file = path.display().to_string();
    let lost = |detail: String| WriteError::Lost {
        file: file.clone(),
        detail,
    };
    let new = update(&old, &before, after, renamed).map_err(|e| lost(e.to_string()))?;
    // The safety net: what is written must read as exactly the session.
    match meaning(&new) {
        Ok(m) if m == after => super::write_atomic(path, &new),
        Ok(_) => Err(lost("the merged text reads differently".into()).into()),
        Err(e) => Err(lost(e.to_string()).into()),
    }
}

#[cfg(test)]
mod tests;
