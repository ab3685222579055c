//! Undo and redo: every edit records the model before it, grouped (a
//! reload, a chat reply) and coalesced (a knob's burst), and undo replays
//! the difference back through `Session::sync`.
//!
//! Control thread only; the history is bounded (the undo depth, and single
//! changes only for the newest group).

use std::time::{Duration, Instant};

use crate::action::{Action, ActionError};
use crate::patch::SessionFile;

use super::{Applied, Session, UndoEntry};

/// Most undo steps kept.
const UNDO_DEPTH: usize = 500;
/// Single changes kept for `undo_change` in the newest group.
const GROUP_STEPS: usize = 64;
/// Repeated tweaks of the same control within this time undo as one step.
const COALESCE: Duration = Duration::from_millis(1500);

impl Session {
    /// Start an undo group: every edit until [`Session::end_group`] undoes as
    /// one step labelled `label` (a reload, a chat reply).
    /// A group begun inside an open group joins it (a chat reply that
    /// writes the session file undoes as one step with its other changes).
    pub fn begin_group(&mut self, label: &str) {
        if self.group.is_some() {
            self.group_depth += 1;
            return;
        }
        self.group = Some((label.to_string(), false));
    }

    pub fn end_group(&mut self) {
        if self.group_depth > 0 {
            self.group_depth -= 1;
            return;
        }
        self.group = None;
    }

    /// How many steps can be undone.
    pub fn undo_len(&self) -> usize {
        self.undo.len()
    }

    /// Reopen the group whose step is on top of the undo stack: edits until
    /// [`Session::end_group`] join that step. Only call it when nothing else
    /// was recorded since that group ended (check [`Session::undo_len`]).
    pub fn resume_group(&mut self, label: &str) {
        if self.group.is_none() && !self.undo.is_empty() {
            self.group = Some((label.to_string(), true));
        } else {
            self.begin_group(label);
        }
    }

    pub(super) fn record(&mut self, before: SessionFile, label: String, key: Option<String>) {
        self.redo.clear();
        if let Some((group_label, recorded)) = &mut self.group {
            if *recorded {
                if let Some(top) = self.undo.last_mut() {
                    if top.steps.len() == GROUP_STEPS {
                        // The oldest changes then undo with the rest of the group.
                        top.steps.remove(0);
                    }
                    top.steps.push((label, before));
                }
                return;
            }
            *recorded = true;
            let entry = UndoEntry {
                label: group_label.clone(),
                before: before.clone(),
                key: None,
                at: Instant::now(),
                steps: vec![(label, before)],
            };
            self.push_undo(entry);
            return;
        }
        let now = Instant::now();
        if let (Some(k), Some(last)) = (&key, self.undo.last_mut()) {
            if last.key.as_ref() == Some(k) && now.duration_since(last.at) < COALESCE {
                last.at = now;
                last.label = label;
                return;
            }
        }
        self.push_undo(UndoEntry {
            label,
            before,
            key,
            at: now,
            steps: Vec::new(),
        });
    }

    /// A new step on the undo stack. Only the newest group keeps its single
    /// changes (`undo_change` works on the last reply or reload), so the
    /// history stays small over a long set.
    fn push_undo(&mut self, entry: UndoEntry) {
        if let Some(prev) = self.undo.last_mut() {
            prev.steps = Vec::new();
        }
        self.undo.push(entry);
        if self.undo.len() > UNDO_DEPTH {
            self.undo.remove(0);
        }
    }

    pub(super) fn undo(&mut self) -> Result<Applied, ActionError> {
        let entry = self.undo.pop().ok_or(ActionError::NothingToUndo)?;
        let current = self.file.clone();
        self.sync(&current, &entry.before, false);
        self.file = entry.before;
        self.sync_automation();
        self.dirty = true;
        let description = format!("undo: {}", entry.label);
        self.redo.push(UndoEntry {
            label: entry.label,
            before: current,
            key: None,
            at: Instant::now(),
            steps: Vec::new(),
        });
        Ok(Applied { description })
    }

    /// Undo only the last change, even inside a group (a chat reply, a
    /// reload): the group's earlier changes stay, and undo as one step.
    pub(super) fn undo_change(&mut self) -> Result<Applied, ActionError> {
        let Some(top) = self.undo.last_mut().filter(|t| t.steps.len() > 1) else {
            return self.undo();
        };
        let (label, before) = top.steps.pop().expect("more than one step");
        let current = self.file.clone();
        self.sync(&current, &before, false);
        self.file = before;
        self.sync_automation();
        self.dirty = true;
        let description = format!("undo: {label}");
        self.redo.push(UndoEntry {
            label,
            before: current,
            key: None,
            at: Instant::now(),
            steps: Vec::new(),
        });
        Ok(Applied { description })
    }

    pub(super) fn redo(&mut self) -> Result<Applied, ActionError> {
        let entry = self.redo.pop().ok_or(ActionError::NothingToRedo)?;
        let current = self.file.clone();
        self.sync(&current, &entry.before, false);
        self.file = entry.before;
        self.sync_automation();
        self.dirty = true;
        let description = format!("redo: {}", entry.label);
        self.undo.push(UndoEntry {
            label: entry.label,
            before: current,
            key: None,
            at: Instant::now(),
            steps: Vec::new(),
        });
        Ok(Applied { description })
    }
}

/// Actions that a performer repeats in a burst (a knob, a held key) undo as one step.
pub(super) fn coalesce_key(a: &Action) -> Option<String> {
    use Action::*;
    match a {
        SetTempo { .. } | NudgeTempo { .. } => Some("tempo".into()),
        SetMasterVolume { .. } => Some("master".into()),
        SetVolume { track, .. } | NudgeVolume { track, .. } => Some(format!("vol:{track}")),
        SetPan { track, .. } => Some(format!("pan:{track}")),
        SetSend { track, bus, .. } => Some(format!("send:{track}:{bus}")),
        SetBusVolume { bus, .. } => Some(format!("bus:{bus}")),
        SetParam { track, param, .. } => Some(format!("param:{track}:{param}")),
        SetSwing { .. } => Some("swing".into()),
        _ => None,
    }
}
