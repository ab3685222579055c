//! Chords: their qualities, names spelt for the key ("Bb", not "A#", in F),
//! roman numerals, and the chords a scale holds.
//!
//! Pure functions, any thread (the CLI and the chat's worker call them).

use crate::patch::{Key, Scale};

/// A chord's quality, by the intervals above its root.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Quality {
    Major,
    Minor,
    Diminished,
    Augmented,
    Sus2,
    Sus4,
    Major7,
    Dominant7,
    Minor7,
    HalfDiminished7,
    Diminished7,
    MinorMajor7,
    AugmentedMajor7,
}

impl Quality {
    pub const ALL: [Quality; 13] = [
        Quality::Major,
        Quality::Minor,
        Quality::Diminished,
        Quality::Augmented,
        Quality::Sus2,
        Quality::Sus4,
        Quality::Major7,
        Quality::Dominant7,
        Quality::Minor7,
        Quality::HalfDiminished7,
        Quality::Diminished7,
        Quality::MinorMajor7,
        Quality::AugmentedMajor7,
    ];

    /// Its name in the pattern language's chord symbols (`c'maj7`), whose
    /// table (`pattern::CHORDS`) holds its notes.
    pub fn symbol(self) -> &'static str {
        use Quality::*;
        match self {
            Major => "maj",
            Minor => "m",
            Diminished => "dim",
            Augmented => "aug",
            Sus2 => "sus2",
            Sus4 => "sus4",
            Major7 => "maj7",
            Dominant7 => "7",
            Minor7 => "m7",
            HalfDiminished7 => "m7b5",
            Diminished7 => "dim7",
            MinorMajor7 => "mMaj7",
            AugmentedMajor7 => "augMaj7",
        }
    }

    /// Semitones above the root.
    pub fn intervals(self) -> &'static [i32] {
        crate::pattern::CHORDS
            .iter()
            .find(|c| c.0 == self.symbol())
            .map_or(&[0], |c| c.1)
    }

    /// What follows the root in a chord's name: "m" in "Am", nothing for
    /// a major triad.
    pub fn suffix(self) -> &'static str {
        match self {
            Quality::Major => "",
            q => q.symbol(),
        }
    }

    /// Whether a roman numeral for it is written in lower case.
    fn minor_third(self) -> bool {
        self.intervals().get(1) == Some(&3)
    }

    /// The mark after a roman numeral: "°" in "vii°", "7" in "V7".
    fn numeral_mark(self) -> &'static str {
        use Quality::*;
        match self {
            Major | Minor => "",
            Diminished => "°",
            Augmented => "+",
            Sus2 => "sus2",
            Sus4 => "sus4",
            Major7 => "maj7",
            Dominant7 | Minor7 => "7",
            HalfDiminished7 => "ø7",
            Diminished7 => "°7",
            MinorMajor7 => "maj7",
            AugmentedMajor7 => "+maj7",
        }
    }

    /// The quality whose intervals these are.
    fn of(intervals: &[i32]) -> Option<Quality> {
        Quality::ALL
            .into_iter()
            .find(|q| q.intervals() == intervals)
    }
}

/// A chord: a root pitch class (0 = C) and a quality.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Chord {
    pub root: u8,
    pub quality: Quality,
}

impl Chord {
    /// Its pitch classes, root first.
    pub fn pitch_classes(&self) -> Vec<u8> {
        self.quality
            .intervals()
            .iter()
            .map(|&i| ((self.root as i32 + i).rem_euclid(12)) as u8)
            .collect()
    }

    /// "Am", "Bb7", spelt for `key` and `scale`.
    pub fn name(&self, key: Key, scale: Scale) -> String {
        format!("{}{}", spell(self.root, key, scale), self.quality.suffix())
    }

    /// The roman numeral in `key`: by scale degree ("VI" in A minor is F)
    /// for a chord on a note of a seven-note scale, otherwise by semitones
    /// above the tonic with a flat where needed ("bIII").
    pub fn numeral(&self, key: Key, scale: Scale) -> String {
        let above = (self.root + 12 - key.0 % 12) % 12;
        let steps = scale.intervals();
        let base = if steps.len() == 7 {
            steps
                .iter()
                .position(|&s| s == above)
                .map(|d| NUMERALS[d].to_string())
        } else {
            None
        };
        let base = base.unwrap_or_else(|| CHROMATIC_NUMERALS[above as usize].to_string());
        let base = if self.quality.minor_third() {
            base.to_lowercase()
        } else {
            base
        };
        format!("{base}{}", self.quality.numeral_mark())
    }

    /// Read a chord name: a root (C, F#, Bb…) then a suffix of
    /// [`Quality::suffix`] ("", "m", "dim", "7", "maj7", …; "min", "M7",
    /// "°" and "+" are read too).
    pub fn parse(s: &str) -> Option<Chord> {
        let s = s.trim();
        let mut chars = s.chars();
        let letter = chars.next()?;
        let rest = chars.as_str();
        let (acc, rest) = match rest.chars().next() {
            Some('#') | Some('♯') => (1i32, &rest[rest.chars().next()?.len_utf8()..]),
            Some('b') | Some('♭') if !rest.starts_with("b5") => {
                (-1, &rest[rest.chars().next()?.len_utf8()..])
            }
            _ => (0, rest),
        };
        let root = Key::parse(&letter.to_string()).ok()?.0 as i32 + acc;
        let suffix = match rest {
            "min" | "-" => "m",
            "M7" | "Maj7" | "Δ7" => "maj7",
            "°" => "dim",
            "+" => "aug",
            "ø" | "ø7" | "min7b5" => "m7b5",
            "°7" => "dim7",
            "min7" | "-7" => "m7",
            other => other,
        };
        let quality = Quality::ALL
            .into_iter()
            .find(|q| q.suffix() == suffix || q.symbol() == suffix)?;
        Some(Chord {
            root: root.rem_euclid(12) as u8,
            quality,
        })
    }
}

const NUMERALS: [&str; 7] = ["I", "II", "III", "IV", "V", "VI", "VII"];
const CHROMATIC_NUMERALS: [&str; 12] = [
    "I", "bII", "II", "bIII", "III", "IV", "#IV", "V", "bVI", "VI", "bVII", "VII",
];

const SHARPS: [&str; 12] = [
    "C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B",
];
const FLATS: [&str; 12] = [
    "C", "Db", "D", "Eb", "E", "F", "Gb", "G", "Ab", "A", "Bb", "B",
];

/// The name of pitch class `pc` as `key`'s signature spells it: a key whose
/// relative major has flats (F, Bb, Eb, Ab, Db, Gb) uses flats, others
/// sharps. The relative major is found through the scale's third and
/// seventh (a minor third means the major is three semitones up).
pub fn spell(pc: u8, key: Key, scale: Scale) -> &'static str {
    let steps = scale.intervals();
    // Semitones from the tonic up to the relative (Ionian) major's tonic.
    let to_major = match scale {
        Scale::Major | Scale::MajorPentatonic | Scale::Chromatic => 0,
        Scale::Minor | Scale::MinorPentatonic | Scale::Blues => 3,
        Scale::Dorian => 10,
        Scale::Phrygian => 8,
        Scale::Lydian => 7,
        Scale::Mixolydian => 5,
        Scale::Locrian => 1,
        // The harmonic and melodic minor are written with the natural
        // minor's signature (the raised notes as accidentals).
        Scale::HarmonicMinor | Scale::MelodicMinor => 3,
    };
    let major = (key.0 + to_major) % 12;
    // F=5, Bb=10, Eb=3, Ab=8, Db=1, Gb=6 (Gb rather than F#).
    let flats = matches!(major, 5 | 10 | 3 | 8 | 1 | 6);
    let raised = steps.len() == 7
        && matches!(scale, Scale::HarmonicMinor | Scale::MelodicMinor)
        && (pc + 12 - key.0) % 12 == 11;
    if raised {
        // The raised seventh is a sharp (or a natural) even in a flat key.
        return SHARPS[pc as usize % 12];
    }
    if flats {
        FLATS[pc as usize % 12]
    } else {
        SHARPS[pc as usize % 12]
    }
}

/// The chords `scale` holds on each of its notes: stacked thirds (triads
/// and sevenths) for a seven-note scale; for the others, the triads
/// (major, minor, sus2, sus4) whose notes all lie in the scale.
pub fn diatonic(key: Key, scale: Scale) -> Vec<(Chord, Option<Chord>)> {
    let steps = scale.intervals();
    let in_scale = |pc: u8| steps.contains(&((pc + 12 - key.0 % 12) % 12));
    let mut out = Vec::new();
    if steps.len() == 7 {
        for d in 0..7 {
            let note = |k: usize| steps[(d + k) % 7] as i32 + if d + k >= 7 { 12 } else { 0 };
            let rel = |k: usize| note(k) - note(0);
            let root = (key.0 + steps[d]) % 12;
            let triad = Quality::of(&[0, rel(2), rel(4)]);
            let seventh = Quality::of(&[0, rel(2), rel(4), rel(6)]);
            if let Some(q) = triad {
                out.push((
                    Chord { root, quality: q },
                    seventh.map(|quality| Chord { root, quality }),
                ));
            }
        }
        return out;
    }
    for &s in steps {
        let root = (key.0 + s) % 12;
        for q in [Quality::Major, Quality::Minor, Quality::Sus4, Quality::Sus2] {
            let c = Chord { root, quality: q };
            if c.pitch_classes().into_iter().all(in_scale) {
                out.push((c, None));
                break;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_numerals_read_back() {
        let a = Key::parse("A").unwrap();
        for name in [
            "Am", "F", "C", "G", "Bdim", "E7", "Bb", "F#m7b5", "Cmaj7", "G#dim7",
        ] {
            let c = Chord::parse(name).unwrap();
            let spelt = c.name(a, Scale::HarmonicMinor);
            assert_eq!(Chord::parse(&spelt), Some(c), "{name} → {spelt}");
        }
        assert_eq!(Chord::parse("Bb").unwrap().root, 10);
        assert_eq!(Chord::parse("Bbm").unwrap().quality, Quality::Minor);
        assert_eq!(
            Chord::parse("Bm7b5").unwrap().quality,
            Quality::HalfDiminished7
        );
        assert_eq!(Chord::parse("H"), None);
        assert_eq!(Chord::parse("Cxyz"), None);
    }
}
