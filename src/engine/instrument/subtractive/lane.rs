//! A lane of a voice group, as a type, and the only way into the group's
//! `[T; LANES]` arrays.
//!
//! Audio thread. A `Lane` exists only as `slot % LANES` or one of
//! [`Lane::all`], so it is always below [`LANES`]: `at`/`set` have no
//! failure path, the compiler drops the range check, and the kernel's
//! per-lane loops keep the straight-line form it vectorises.

use super::LANES;

/// One lane, `0..LANES`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Lane(usize);

impl Lane {
    /// Every lane in order, for the kernel's loops. A counted range, so the
    /// loop vectoriser sees its induction variable.
    pub fn all() -> impl Iterator<Item = Lane> {
        (0..LANES).map(Lane)
    }

    /// The lane a voice slot sits in.
    pub fn of(slot: usize) -> Lane {
        Lane(slot % LANES)
    }

    /// Its position in the group, `0..LANES`.
    pub fn index(self) -> usize {
        self.0
    }
}

/// Lane access to a group's per-voice arrays. Reads and writes by value:
/// a `&mut` into a lane would need a fallback the vectoriser cannot see
/// through.
pub trait Lanes<T: Copy> {
    /// The value in lane `l`.
    fn at(&self, l: Lane) -> T;
    /// Set lane `l`.
    fn set(&mut self, l: Lane, value: T);
}

const MASK: usize = LANES - 1;
const _: () = assert!(LANES.is_power_of_two());

// The mask keeps the index provably in range, so `get` is always `Some` and
// the compiler drops both the check and the fallback.
impl<T: Copy> Lanes<T> for [T; LANES] {
    #[inline(always)]
    fn at(&self, l: Lane) -> T {
        let [first, ..] = *self;
        self.get(l.0 & MASK).copied().unwrap_or(first)
    }

    #[inline(always)]
    fn set(&mut self, l: Lane, value: T) {
        if let Some(v) = self.get_mut(l.0 & MASK) {
            *v = value;
        }
    }
}
