//! Edits of the song's form in the model: sections, the song order,
//! markers and the loop range, as pure functions of the model.
//!
//! Control thread only; no engine, no I/O (like [`super::edit`], which
//! hands these actions here). What plays when is [`super::arrange`]'s.

use crate::action::{Action, ActionError};
use crate::patch::lane::MAX_LANES;
use crate::patch::{Name, SessionFile};

/// Change `f` by a song-form action, or explain why not; `None` when the
/// action is not one of them.
pub fn edit(f: &mut SessionFile, action: &Action) -> Option<Result<String, ActionError>> {
    use Action::*;
    let invalid = |m: String| Err(ActionError::Invalid(m));
    let known = |f: &SessionFile, name: &str| -> Result<usize, ActionError> {
        f.sections
            .iter()
            .position(|s| s.name.as_str() == name)
            .ok_or_else(|| ActionError::Invalid(no_section(f, name)))
    };
    Some(match action {
        SetSection { section } => {
            let name = section.name.as_str().to_string();
            match f.sections.iter_mut().find(|s| s.name == section.name) {
                Some(s) => {
                    *s = section.clone();
                    Ok(format!("section {name} changed"))
                }
                None => {
                    f.sections.push(section.clone());
                    Ok(format!("added section {name} ({} bars)", section.bars))
                }
            }
        }
        CaptureSection { name, bars } => {
            if let Err(e) = Name::check(name) {
                return Some(Err(e.into()));
            }
            if f.section(name).is_some() {
                return Some(invalid(format!(
                    "there is already a section named \"{name}\""
                )));
            }
            let s = f.capture_section(Name(name.clone()), *bars as u32);
            f.sections.push(s);
            Ok(format!(
                "added section {name} ({bars} bars) from what plays now"
            ))
        }
        RemoveSection { section } => known(f, section).map(|i| {
            f.sections.remove(i);
            f.song.retain(|(n, _)| n != section);
            for s in &mut f.sections {
                if s.then.as_deref() == Some(section.as_str()) {
                    s.then = None;
                }
            }
            format!("removed section {section}")
        }),
        SetSong { song } => {
            for (name, _) in song {
                if f.section(name).is_none() {
                    return Some(invalid(format!(
                        "the song plays \"{name}\": {}",
                        no_section(f, name)
                    )));
                }
            }
            f.song = song.clone();
            let bars: u64 = f.timeline().iter().map(|e| e.2 as u64).sum();
            Ok(format!("song order: {} entries, {bars} bars", song.len()))
        }
        SetMarker { name, bar } => {
            if let Err(e) = Name::check(name) {
                return Some(Err(e.into()));
            }
            let old = f.markers.insert(name.clone(), *bar);
            Ok(match old {
                Some(o) => format!("marker {name} bar {o} → {bar}"),
                None => format!("marker {name} at bar {bar}"),
            })
        }
        RemoveMarker { name } => match f.markers.remove(name) {
            Some(_) => Ok(format!("removed marker {name}")),
            None => invalid(format!("there is no marker named \"{name}\"")),
        },
        SetLane { lane } => {
            if let Err(m) = lane.check(None) {
                return Some(invalid(m));
            }
            let what = lane.describe();
            let full = f.automation.len() >= MAX_LANES;
            match f.automation.iter_mut().find(|l| l.same_target(lane)) {
                Some(l) => {
                    *l = lane.clone();
                    Ok(format!("automation of {what} changed"))
                }
                None if full => invalid(format!(
                    "at most {MAX_LANES} automation lanes; remove one first"
                )),
                None => {
                    f.automation.push(lane.clone());
                    Ok(format!(
                        "automation of {what}: {} points",
                        lane.points.len()
                    ))
                }
            }
        }
        RemoveLane { lane } => {
            let want = lane.split_whitespace().collect::<Vec<_>>().join(" ");
            match f.automation.iter().position(|l| l.describe() == want) {
                Some(i) => {
                    f.automation.remove(i);
                    Ok(format!("removed the automation of {want}"))
                }
                None => {
                    let names: Vec<String> = f.automation.iter().map(|l| l.describe()).collect();
                    invalid(if names.is_empty() {
                        "the song has no automation lanes".to_string()
                    } else {
                        format!(
                            "no automation lane moves {want}; the lanes move: {}",
                            names.join(", ")
                        )
                    })
                }
            }
        }
        SetLoopBars { first, last } => {
            if *first == 0 && *last == 0 {
                f.loop_bars = None;
                Ok("loop off".into())
            } else if *first < 1 || last < first {
                invalid(format!(
                    "a loop is (first bar, last bar) counted from 1, found ({first}, {last})"
                ))
            } else {
                f.loop_bars = Some((*first as u32, *last as u32));
                Ok(format!("loop bars {first}–{last}"))
            }
        }
        _ => return None,
    })
}

pub(super) fn no_section(f: &SessionFile, name: &str) -> String {
    let names: Vec<&str> = f.sections.iter().map(|s| s.name.as_str()).collect();
    if names.is_empty() {
        return format!("there is no section named \"{name}\" (the session has none)");
    }
    let hint = crate::suggest::closest(name, &names)
        .map(|(_, s)| format!("did you mean \"{s}\"?"))
        .unwrap_or_else(|| format!("sections: {}", names.join(", ")));
    format!("there is no section named \"{name}\" ({hint})")
}
