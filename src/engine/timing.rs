//! How long the audio callbacks take: a histogram of callback times, the
//! longest one, and how many ran over their real-time budget (the time the
//! buffer they filled lasts), which the device would hear as a dropout even
//! when it reports no xrun.
//!
//! Shared data: the audio thread records (relaxed atomic adds, no
//! allocation, no lock), the control side reads percentiles at any time.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Width of one histogram bucket.
const BUCKET_NS: u64 = 2_000;
/// Buckets: 2 µs each up to 8.192 ms; longer callbacks go in the last one
/// (their exact length is still in `max_ns`).
const BUCKETS: usize = 4096;

/// Callback times, recorded by the audio thread.
#[derive(Debug)]
pub struct CallbackTimes {
    buckets: Box<[AtomicU64]>,
    max_ns: AtomicU64,
    over_budget: AtomicU64,
    /// The last callback's budget, so a reader can say what "over" means.
    budget_ns: AtomicU64,
}

impl Default for CallbackTimes {
    fn default() -> Self {
        Self {
            buckets: (0..BUCKETS).map(|_| AtomicU64::new(0)).collect(),
            max_ns: AtomicU64::new(0),
            over_budget: AtomicU64::new(0),
            budget_ns: AtomicU64::new(0),
        }
    }
}

impl CallbackTimes {
    /// Audio thread: one callback took `took` to fill a buffer lasting `budget`.
    #[inline]
    pub fn record(&self, took: Duration, budget: Duration) {
        let ns = u64::try_from(took.as_nanos()).unwrap_or(u64::MAX);
        let i = ((ns / BUCKET_NS) as usize).min(BUCKETS - 1);
        if let Some(b) = self.buckets.get(i) {
            b.fetch_add(1, Ordering::Relaxed);
        }
        self.max_ns.fetch_max(ns, Ordering::Relaxed);
        if took > budget {
            self.over_budget.fetch_add(1, Ordering::Relaxed);
        }
        let budget = u64::try_from(budget.as_nanos()).unwrap_or(u64::MAX);
        self.budget_ns.store(budget, Ordering::Relaxed);
    }

    /// Callbacks that took longer than their buffer lasts.
    pub fn over_budget(&self) -> u64 {
        self.over_budget.load(Ordering::Relaxed)
    }

    /// Control side: a snapshot of the times so far.
    pub fn summary(&self) -> TimingSummary {
        let counts: Vec<u64> = self
            .buckets
            .iter()
            .map(|b| b.load(Ordering::Relaxed))
            .collect();
        let total: u64 = counts.iter().sum();
        // The bucket's upper edge: a percentile is never understated.
        let at = |p: f64| -> Duration {
            if total == 0 {
                return Duration::ZERO;
            }
            let rank = ((total as f64 * p).ceil() as u64).clamp(1, total);
            let mut seen = 0;
            for (i, c) in counts.iter().enumerate() {
                seen += c;
                if seen >= rank {
                    return Duration::from_nanos((i as u64 + 1) * BUCKET_NS);
                }
            }
            Duration::from_nanos(BUCKETS as u64 * BUCKET_NS)
        };
        let max = Duration::from_nanos(self.max_ns.load(Ordering::Relaxed));
        TimingSummary {
            callbacks: total,
            p50: at(0.50).min(max),
            p99: at(0.99).min(max),
            p999: at(0.999).min(max),
            max,
            budget: Duration::from_nanos(self.budget_ns.load(Ordering::Relaxed)),
            over_budget: self.over_budget(),
        }
    }
}

/// Callback times at one moment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TimingSummary {
    pub callbacks: u64,
    pub p50: Duration,
    pub p99: Duration,
    pub p999: Duration,
    pub max: Duration,
    /// How long the last callback's buffer lasted.
    pub budget: Duration,
    pub over_budget: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_come_from_the_recorded_times_and_over_budget_is_counted() {
        let t = CallbackTimes::default();
        let budget = Duration::from_micros(1333);
        for _ in 0..989 {
            t.record(Duration::from_micros(101), budget);
        }
        for _ in 0..10 {
            t.record(Duration::from_micros(501), budget);
        }
        t.record(Duration::from_millis(20), budget);
        let s = t.summary();
        assert_eq!(s.callbacks, 1000);
        assert_eq!(s.p50, Duration::from_micros(102));
        assert_eq!(s.p99, Duration::from_micros(502));
        assert_eq!(s.max, Duration::from_millis(20));
        assert_eq!(s.over_budget, 1);
        assert_eq!(s.budget, budget);
        assert_eq!(CallbackTimes::default().summary().p99, Duration::ZERO);
    }
}
