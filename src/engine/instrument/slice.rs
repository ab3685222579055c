//! The sample player's data and where its slices lie: [`SampleData`] (the
//! decoded frames and the file's slice markers, built on the control thread)
//! and [`slice_region`], which the sampler calls on the audio thread at each
//! note-on. Nothing here allocates, locks or panics once the data is built.

/// Decoded sample frames at the engine's rate. Mono files give
/// `left == right`. `markers` are the file's slice markers (frame offsets at
/// the engine's rate, ascending, each inside the audio), empty when it has
/// none.
#[derive(Debug, Clone, Default)]
pub struct SampleData {
    pub left: Vec<f32>,
    pub right: Vec<f32>,
    pub markers: Vec<u32>,
}

impl SampleData {
    /// Frames playable from both channels.
    pub fn len(&self) -> usize {
        if self.right.is_empty() {
            self.left.len()
        } else {
            self.left.len().min(self.right.len())
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The markers inside the played region `[from, to)`.
pub fn markers_in(markers: &[u32], from: f64, to: f64) -> &[u32] {
    let a = markers.partition_point(|&m| (m as f64) < from);
    let b = markers.partition_point(|&m| (m as f64) < to);
    markers.get(a..b.max(a)).unwrap_or(&[])
}

/// Slice `index` (wrapping) of the region `[from, to)`: between markers
/// `index` and `index + 1` (the last runs to `to`) when `markers` (already
/// inside the region) are given, else the `index`-th of `slices` equal
/// parts. `None` when the region is not sliced (no markers, one slice).
pub fn slice_region(
    from: f64,
    to: f64,
    slices: i64,
    markers: &[u32],
    index: i64,
) -> Option<(f64, f64)> {
    if !markers.is_empty() {
        let k = index.rem_euclid(markers.len() as i64) as usize;
        let start = markers.get(k).map_or(from, |&m| m as f64);
        let end = markers.get(k + 1).map_or(to, |&m| m as f64);
        return Some((start, end));
    }
    if slices <= 1 {
        return None;
    }
    let k = index.rem_euclid(slices) as f64;
    let w = (to - from) / slices as f64;
    let start = from + k * w;
    Some((start, start + w))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_cut_unequal_slices_and_wrap() {
        let m = [0u32, 100, 1_000];
        assert_eq!(slice_region(0.0, 5_000.0, 8, &m, 0), Some((0.0, 100.0)));
        assert_eq!(slice_region(0.0, 5_000.0, 8, &m, 1), Some((100.0, 1_000.0)));
        assert_eq!(
            slice_region(0.0, 5_000.0, 8, &m, 2),
            Some((1_000.0, 5_000.0))
        );
        assert_eq!(slice_region(0.0, 5_000.0, 8, &m, 3), Some((0.0, 100.0)));
        assert_eq!(
            slice_region(0.0, 5_000.0, 8, &m, -1),
            Some((1_000.0, 5_000.0))
        );
    }

    #[test]
    fn without_markers_slices_are_equal() {
        assert_eq!(slice_region(0.0, 800.0, 4, &[], 1), Some((200.0, 400.0)));
        assert_eq!(slice_region(0.0, 800.0, 1, &[], 1), None);
    }

    #[test]
    fn only_markers_inside_the_region_count() {
        let m = [0u32, 100, 1_000, 4_000];
        assert_eq!(markers_in(&m, 100.0, 4_000.0), &[100, 1_000]);
        assert_eq!(markers_in(&m, 50.0, 60.0), &[] as &[u32]);
        assert_eq!(markers_in(&m, 5_000.0, 6_000.0), &[] as &[u32]);
        assert_eq!(markers_in(&m, 6_000.0, 5_000.0), &[] as &[u32]);
    }
}
