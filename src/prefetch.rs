//! A cache-prefetch hint. With a million customers, the per-customer lookups of a replay
//! miss the CPU cache on almost every row; asking for the line a few rows ahead lets the
//! misses overlap instead of queueing (see BENCHMARKS.md).

/// How many rows ahead a loop over messages prefetches: enough for the cache misses of a
/// million customers to overlap, few enough that the lines are still there when used.
pub const AHEAD: usize = 16;

/// Asks the CPU to bring the cache line holding `*p` closer. A hint only: it never faults,
/// so any address (even one past the end of a slice) is fine, and it changes no result.
#[inline(always)]
pub fn prefetch<T>(p: *const T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: PREFETCHT0 is architecturally a hint: it reads no memory the program can
    // observe and never faults, whatever the address. SSE is part of the x86_64 baseline.
    #[allow(unused_unsafe)]
    unsafe {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        _mm_prefetch::<_MM_HINT_T0>(p.cast::<i8>());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = p;
}
