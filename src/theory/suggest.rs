//! Harmonic suggestions in a key: the scale's notes and chords, common
//! progressions, the next chord after some chords ranked by functional
//! harmony and voice leading, and the notes that clash with a chord.
//!
//! Pure functions, any thread (the CLI and the chat's worker call them).

use serde::Serialize;

use super::chord::{diatonic, spell, Chord, Quality};
use crate::patch::{Key, Scale};

/// One chord of the scale, for a report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScaleChord {
    pub numeral: String,
    pub name: String,
    pub quality: Quality,
    /// Its notes, spelt for the key.
    pub notes: Vec<String>,
    /// The four-note chord on the same degree, if the scale has one.
    pub seventh: Option<String>,
}

/// A common progression, as numerals and as chord names in the key.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Progression {
    pub name: &'static str,
    pub numerals: Vec<String>,
    pub chords: Vec<String>,
}

/// A ranked candidate for the next chord.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Next {
    pub name: String,
    pub numeral: String,
    /// 0–1, higher first.
    pub score: f64,
    /// Semitones the voices move from the last chord (smallest sum).
    pub voice_leading: u32,
    pub why: String,
}

/// Everything `termdaw suggest` prints.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub key: String,
    pub scale: String,
    pub notes: Vec<String>,
    pub chords: Vec<ScaleChord>,
    pub progressions: Vec<Progression>,
    /// The chords given with `--after`, as read.
    pub after: Vec<String>,
    pub next: Vec<Next>,
}

/// Why a chord name given with `after` was not understood.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum SuggestError {
    #[error("\"{0}\" is not a chord name (write e.g. Am, F, G7, Bdim, Cmaj7, F#m7b5)")]
    Chord(String),
    #[error("\"{0}\" is not a key (write a note: C, F#, Bb…)")]
    Key(String),
    #[error("\"{0}\" is not a scale (major, minor, dorian, phrygian, lydian, mixolydian, locrian, harmonic minor, melodic minor, major pentatonic, minor pentatonic, blues, chromatic)")]
    Scale(String),
}

/// A chord's job in the key, by its scale degree (0 = tonic).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Function {
    Tonic,
    Subdominant,
    Dominant,
    /// Outside the scale.
    Other,
}

/// I, iii and vi (i, III and VI in minor) share the tonic's notes; ii and
/// IV lead away; V and vii° lead home.
fn function(degree: Option<usize>) -> Function {
    match degree {
        Some(0) | Some(2) | Some(5) => Function::Tonic,
        Some(1) | Some(3) => Function::Subdominant,
        Some(4) | Some(6) => Function::Dominant,
        _ => Function::Other,
    }
}

/// How well a move from one function to another is expected to sound.
fn pull(from: Function, to: Function) -> f64 {
    use Function::*;
    match (from, to) {
        (Dominant, Tonic) => 1.0,
        (Subdominant, Dominant) => 0.9,
        (Tonic, Subdominant) => 0.8,
        (Tonic, Dominant) => 0.65,
        (Subdominant, Tonic) => 0.55,
        (Tonic, Tonic) => 0.45,
        (Subdominant, Subdominant) => 0.4,
        (Dominant, Subdominant) => 0.25,
        (Dominant, Dominant) => 0.3,
        _ => 0.1,
    }
}

/// The smallest total movement, in semitones, taking the notes of `a` to
/// those of `b` (each voice to its nearest target; extra voices double).
pub fn voice_leading(a: &Chord, b: &Chord) -> u32 {
    let (pa, pb) = (a.pitch_classes(), b.pitch_classes());
    let d = |x: u8, y: u8| {
        let d = (x as i32 - y as i32).rem_euclid(12) as u32;
        d.min(12 - d)
    };
    // Three or four voices: try every assignment of a's voices to b's notes.
    let mut best = u32::MAX;
    let n = pb.len();
    let mut idx = vec![0usize; pa.len()];
    loop {
        let covered = (0..n).all(|j| idx.contains(&j) || pa.len() < n);
        if covered {
            let cost: u32 = pa.iter().zip(&idx).map(|(&x, &j)| d(x, pb[j])).sum();
            best = best.min(cost);
        }
        // Next assignment (odometer over n^len).
        let mut i = 0;
        loop {
            if i == idx.len() {
                return best;
            }
            idx[i] += 1;
            if idx[i] < n {
                break;
            }
            idx[i] = 0;
            i += 1;
        }
    }
}

/// The suggestions for `key` and `scale` after the chords `after` (names,
/// possibly none).
pub fn suggest(key: Key, scale: Scale, after: &[String]) -> Result<Report, SuggestError> {
    let after: Vec<Chord> = after
        .iter()
        .map(|s| Chord::parse(s).ok_or_else(|| SuggestError::Chord(s.clone())))
        .collect::<Result<_, _>>()?;
    let steps = scale.intervals();
    let chords = diatonic(key, scale);
    let degree_of = |c: &Chord| {
        steps
            .iter()
            .position(|&s| (key.0 + s) % 12 == c.root)
            .filter(|_| steps.len() == 7)
    };
    let scale_chords = chords
        .iter()
        .map(|(c, seventh)| ScaleChord {
            numeral: c.numeral(key, scale),
            name: c.name(key, scale),
            quality: c.quality,
            notes: c
                .pitch_classes()
                .into_iter()
                .map(|pc| spell(pc, key, scale).to_string())
                .collect(),
            seventh: seventh.map(|s| s.name(key, scale)),
        })
        .collect();
    let progressions = if steps.len() == 7 {
        PROGRESSIONS
            .iter()
            .filter(|(_, fits, _)| fits(scale))
            .map(|(name, _, degrees)| {
                let cs: Vec<&Chord> = degrees
                    .iter()
                    .filter_map(|&d| chords.get(d).map(|c| &c.0))
                    .collect();
                Progression {
                    name,
                    numerals: cs.iter().map(|c| c.numeral(key, scale)).collect(),
                    chords: cs.iter().map(|c| c.name(key, scale)).collect(),
                }
            })
            .collect()
    } else {
        Vec::new()
    };
    let next = match after.last() {
        None => Vec::new(),
        Some(last) => rank(key, scale, &chords, &after, last, &degree_of),
    };
    Ok(Report {
        key: key.name().to_string(),
        scale: scale.name(),
        notes: steps
            .iter()
            .map(|s| spell((key.0 + s) % 12, key, scale).to_string())
            .collect(),
        chords: scale_chords,
        progressions,
        after: after.iter().map(|c| c.name(key, scale)).collect(),
        next,
    })
}

fn rank(
    key: Key,
    scale: Scale,
    chords: &[(Chord, Option<Chord>)],
    after: &[Chord],
    last: &Chord,
    degree_of: &dyn Fn(&Chord) -> Option<usize>,
) -> Vec<Next> {
    let from = function(degree_of(last));
    let after_degrees: Vec<Option<usize>> = after.iter().map(degree_of).collect();
    let before = after.len().checked_sub(2).and_then(|i| after.get(i));
    let mut out: Vec<Next> = chords
        .iter()
        .map(|(c, _)| c)
        .filter(|c| c.root != last.root || c.quality != last.quality)
        .map(|c| {
            let to = function(degree_of(c));
            let vl = voice_leading(last, c);
            let fifth_down = (last.root + 12 - c.root) % 12 == 7;
            let mut score = 0.6 * pull(from, to) + 0.25 * (1.0 - (vl.min(12) as f64) / 12.0);
            let mut why = vec![format!("{:?} → {:?}", from, to).to_lowercase()];
            if fifth_down {
                score += 0.15;
                why.push("root falls a fifth".into());
            }
            // Not straight back to where the last move came from.
            if before.is_some_and(|b| b.root == c.root && b.quality == c.quality) {
                score -= 0.1;
                why.push("goes back".into());
            }
            if let Some(name) = continues(scale, &after_degrees, degree_of(c)) {
                score += 0.25;
                why.push(format!("continues {name}"));
            }
            why.push(format!(
                "voices move {vl} semitone{}",
                if vl == 1 { "" } else { "s" }
            ));
            Next {
                name: c.name(key, scale),
                numeral: c.numeral(key, scale),
                score: (score.clamp(0.0, 1.0) * 1000.0).round() / 1000.0,
                voice_leading: vl,
                why: why.join(", "),
            }
        })
        .collect();
    out.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then(a.voice_leading.cmp(&b.voice_leading))
    });
    out
}

/// The common progression (of the scale) in which the last two chords
/// played are followed by `next`, counting round the loop.
fn continues(scale: Scale, after: &[Option<usize>], next: Option<usize>) -> Option<&'static str> {
    let (Some(Some(a)), Some(Some(b)), Some(n)) = (
        after.len().checked_sub(2).and_then(|i| after.get(i)),
        after.last(),
        next,
    ) else {
        return None;
    };
    PROGRESSIONS
        .iter()
        .filter(|(_, fits, _)| fits(scale))
        .find(|(_, _, d)| {
            (0..d.len())
                .any(|i| d[i] == *a && d[(i + 1) % d.len()] == *b && d[(i + 2) % d.len()] == n)
        })
        .map(|(name, _, _)| *name)
}

type Fits = fn(Scale) -> bool;

fn majorish(s: Scale) -> bool {
    matches!(s, Scale::Major | Scale::Lydian | Scale::Mixolydian)
}

fn minorish(s: Scale) -> bool {
    matches!(
        s,
        Scale::Minor | Scale::Dorian | Scale::Phrygian | Scale::HarmonicMinor | Scale::MelodicMinor
    )
}

/// Common progressions, by scale degree (0 = tonic).
const PROGRESSIONS: &[(&str, Fits, &[usize])] = &[
    ("pop (I V vi IV)", majorish, &[0, 4, 5, 3]),
    ("fifties (I vi IV V)", majorish, &[0, 5, 3, 4]),
    ("jazz turnaround (ii V I)", majorish, &[1, 4, 0]),
    ("blues (I IV V)", majorish, &[0, 3, 4]),
    ("sensitive (vi IV I V)", majorish, &[5, 3, 0, 4]),
    (
        "canon (I V vi iii IV I IV V)",
        majorish,
        &[0, 4, 5, 2, 3, 0, 3, 4],
    ),
    ("epic minor (i VI III VII)", minorish, &[0, 5, 2, 6]),
    ("minor cadence (i iv v)", minorish, &[0, 3, 4]),
    ("andalusian (i VII VI V)", minorish, &[0, 6, 5, 4]),
    ("minor ii–v–i", minorish, &[1, 4, 0]),
    ("minor loop (i iv VII III)", minorish, &[0, 3, 6, 2]),
];

/// The pitch classes among `notes` (MIDI numbers) that clash with `chord`:
/// not chord tones and a semitone above one (the "avoid notes": F over C
/// major, F over A minor).
pub fn clashes(chord: &Chord, notes: &[u8]) -> Vec<u8> {
    let tones = chord.pitch_classes();
    let mut out: Vec<u8> = notes
        .iter()
        .map(|n| n % 12)
        .filter(|pc| !tones.contains(pc) && tones.iter().any(|t| (pc + 12 - t) % 12 == 1))
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn voice_leading_counts_the_smallest_movement() {
        let c = Chord::parse("C").unwrap();
        assert_eq!(voice_leading(&c, &c), 0);
        // C E G → A C E: G moves up 2 to A.
        assert_eq!(voice_leading(&c, &Chord::parse("Am").unwrap()), 2);
        // C E G → B D G: C→B 1, E→D 2.
        assert_eq!(voice_leading(&c, &Chord::parse("G").unwrap()), 3);
    }
}
