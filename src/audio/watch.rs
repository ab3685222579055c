//! Allocations on the audio thread, counted in every build: the binary's
//! global allocator ([`Watch`]: the system's, through `assert_no_alloc`'s in
//! debug builds, which also warns) counts each allocator call made while a thread is inside
//! [`during`], which [`super::Guard`] wraps around `Engine::process`. The
//! count is shown with the callback times when a headless run ends, so a
//! soak run of the release binary can say "0 allocations" from measurement.
//!
//! Any thread: the flag is a thread-local `Cell` (const-initialised, no
//! destructor, so reading it from inside the allocator is sound), the count
//! one relaxed atomic.

use std::alloc::{GlobalAlloc, Layout};
use std::cell::Cell;
use std::sync::atomic::{AtomicU64, Ordering};

// Release builds go straight to the system allocator: assert_no_alloc's
// would abort the process on an audio-thread allocation there.
#[cfg(debug_assertions)]
use assert_no_alloc::AllocDisabler as Inner;
#[cfg(not(debug_assertions))]
use std::alloc::System as Inner;

thread_local! {
    static IN_AUDIO: Cell<bool> = const { Cell::new(false) };
}

/// Allocator calls (allocations, reallocations and frees) made on an audio
/// thread inside [`during`]. Stays 0 where [`Watch`] is not the global
/// allocator (the library used from tests).
pub static AUDIO_ALLOCS: AtomicU64 = AtomicU64::new(0);

/// Run `f` with this thread marked as rendering audio.
#[inline]
pub fn during<R>(f: impl FnOnce() -> R) -> R {
    struct Reset(bool);
    impl Drop for Reset {
        fn drop(&mut self) {
            IN_AUDIO.with(|c| c.set(self.0));
        }
    }
    let _reset = Reset(IN_AUDIO.with(|c| c.replace(true)));
    f()
}

#[inline]
fn note() {
    if IN_AUDIO.try_with(Cell::get).unwrap_or(false) {
        AUDIO_ALLOCS.fetch_add(1, Ordering::Relaxed);
    }
}

/// The binary's global allocator: counts calls made inside [`during`].
pub struct Watch;

// SAFETY: every call is forwarded unchanged to `Inner`, the system
// allocator or assert_no_alloc's wrapper of it; counting allocates nothing.
unsafe impl GlobalAlloc for Watch {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note();
        Inner.alloc(layout)
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note();
        Inner.alloc_zeroed(layout)
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note();
        Inner.realloc(ptr, layout, new_size)
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        note();
        Inner.dealloc(ptr, layout)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The library's own test binary counts through Watch too.
    #[global_allocator]
    static ALLOC: Watch = Watch;

    #[test]
    fn allocations_inside_during_are_counted_and_the_mark_ends_with_it() {
        let before = AUDIO_ALLOCS.load(Ordering::Relaxed);
        during(|| drop(std::hint::black_box(vec![1u8; 64])));
        let after = AUDIO_ALLOCS.load(Ordering::Relaxed);
        assert!(
            after >= before + 2,
            "an allocation and a free: {before} → {after}"
        );
        // A panic inside does not leave the thread marked.
        let _ = std::panic::catch_unwind(|| during(|| panic!("engine bug")));
        assert!(!IN_AUDIO.with(Cell::get));
        during(|| assert!(IN_AUDIO.with(Cell::get)));
        assert!(!IN_AUDIO.with(Cell::get));
    }
}
