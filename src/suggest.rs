//! "Did you mean": the known name closest to a misspelt one, for the
//! session format's errors and the pattern language's.
//!
//! Pure, any thread (called on the control side only); no allocation
//! beyond the comparison's row.

/// The name in `names` closest to `word` (ignoring case) and how many
/// edits away it is, if it is close enough to be what was meant: at most
/// 2 edits, or a third of the word for long words.
pub fn closest<'a>(word: &str, names: &[&'a str]) -> Option<(usize, &'a str)> {
    let lower = word.to_lowercase();
    names
        .iter()
        .map(|n| (distance(&lower, &n.to_lowercase()), *n))
        .min_by_key(|(d, _)| *d)
        .filter(|(d, _)| *d <= 2.max(word.chars().count() / 3))
}

/// Levenshtein distance.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}
