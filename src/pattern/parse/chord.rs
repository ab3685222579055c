//! Chord symbols in `Notes`: `c'maj7`, `a2'm9`, `e'min'ii` (the second
//! inversion), each a chord of notes played together, as `[c3,e3,g3,b3]`.
//!
//! Control thread only, pure. Names follow the ones Tidal and Strudel
//! users type; an unknown one gets a "did you mean".

use std::sync::Arc;

use super::super::model::{Hit, Node};
use super::{error, Parser, PatternError, DEFAULT_VELOCITY};

/// Chord names and their notes in semitones above the root.
pub const CHORDS: &[(&str, &[i32])] = &[
    ("maj", &[0, 4, 7]),
    ("major", &[0, 4, 7]),
    ("M", &[0, 4, 7]),
    ("min", &[0, 3, 7]),
    ("minor", &[0, 3, 7]),
    ("m", &[0, 3, 7]),
    ("dim", &[0, 3, 6]),
    ("aug", &[0, 4, 8]),
    ("sus2", &[0, 2, 7]),
    ("sus4", &[0, 5, 7]),
    ("six", &[0, 4, 7, 9]),
    ("6", &[0, 4, 7, 9]),
    ("m6", &[0, 3, 7, 9]),
    ("7", &[0, 4, 7, 10]),
    ("dom7", &[0, 4, 7, 10]),
    ("maj7", &[0, 4, 7, 11]),
    ("m7", &[0, 3, 7, 10]),
    ("min7", &[0, 3, 7, 10]),
    ("dim7", &[0, 3, 6, 9]),
    ("m7b5", &[0, 3, 6, 10]),
    ("mMaj7", &[0, 3, 7, 11]),
    ("augMaj7", &[0, 4, 8, 11]),
    ("add9", &[0, 4, 7, 14]),
    ("9", &[0, 4, 7, 10, 14]),
    ("dom9", &[0, 4, 7, 10, 14]),
    ("maj9", &[0, 4, 7, 11, 14]),
    ("m9", &[0, 3, 7, 10, 14]),
    ("min9", &[0, 3, 7, 10, 14]),
    ("11", &[0, 4, 7, 10, 14, 17]),
    ("m11", &[0, 3, 7, 10, 14, 17]),
    ("13", &[0, 4, 7, 10, 14, 21]),
];

impl Parser {
    /// After a note `root` and its `'`: the chord name and any `'i`
    /// inversions (each moves the lowest note an octave up).
    pub(super) fn chord(&mut self, root: i32) -> Result<Node, PatternError> {
        self.pos += 1;
        let at = self.column();
        let name = self.chord_word();
        let names: Vec<&str> = CHORDS.iter().map(|c| c.0).collect();
        let Some(&(_, steps)) = CHORDS.iter().find(|c| c.0 == name) else {
            let hint = crate::suggest::closest(&name, &names)
                .map(|(_, s)| format!(" (did you mean '{s}?)"))
                .unwrap_or_else(|| format!(" (chords: {})", names.join(" ")));
            return Err(error(at, format!("unknown chord \"{name}\"{hint}")));
        };
        let mut notes: Vec<i32> = steps.iter().map(|s| root + s).collect();
        while self.peek() == Some('\'') {
            self.pos += 1;
            let at = self.column();
            let m = self.chord_word();
            if m.is_empty() || !m.chars().all(|c| c == 'i') || m.len() >= notes.len() {
                return Err(error(
                    at,
                    format!(
                        "after a chord, 'i 'ii … are its inversions (at most {}), found '{m}",
                        notes.len() - 1
                    ),
                ));
            }
            for _ in 0..m.len() {
                let low = notes.remove(0);
                notes.push(low + 12);
            }
        }
        if let Some(n) = notes.iter().find(|n| !(0..=127).contains(*n)) {
            return Err(error(
                at,
                format!("the chord reaches MIDI note {n}, outside 0 – 127"),
            ));
        }
        Ok(Node::Stack(
            notes
                .into_iter()
                .map(|n| Arc::new(Node::Atom(Hit::new(Some(n), DEFAULT_VELOCITY))))
                .collect(),
        ))
    }

    fn chord_word(&mut self) -> String {
        let start = self.pos;
        while self.peek().is_some_and(|c| c.is_ascii_alphanumeric()) {
            self.pos += 1;
        }
        self.chars[start..self.pos].iter().collect()
    }
}
