//! Capped exponential backoff with full jitter: after the n-th failure in a row the agent waits
//! a uniformly random time in `[0, min(cap, base · 2ⁿ)]`, so a hub restart does not bring every
//! agent back in the same instant, and every agent is back within `cap` of the hub.

use std::time::Duration;

use rand::Rng;

/// The reconnection delay generator.
#[derive(Debug, Clone)]
pub struct Backoff {
    base: Duration,
    cap: Duration,
    failures: u32,
}

impl Backoff {
    /// Starts at `base` (doubling per failure) and never exceeds `cap`.
    pub fn new(base: Duration, cap: Duration) -> Self {
        Self {
            base: base.min(cap),
            cap,
            failures: 0,
        }
    }

    /// The upper bound of the next delay: `min(cap, base · 2^failures)`.
    pub fn ceiling(&self) -> Duration {
        let factor = 1u32.checked_shl(self.failures.min(31)).unwrap_or(u32::MAX);
        self.base.saturating_mul(factor).min(self.cap)
    }

    /// The delay before the next attempt; each call counts one more failure.
    pub fn next_delay(&mut self) -> Duration {
        let ceiling = self.ceiling();
        self.failures = self.failures.saturating_add(1);
        let nanos = u64::try_from(ceiling.as_nanos()).unwrap_or(u64::MAX);
        Duration::from_nanos(rand::thread_rng().gen_range(0..=nanos))
    }

    /// Forgets the failures after a successful handshake.
    pub fn reset(&mut self) {
        self.failures = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ceiling_doubles_up_to_the_cap() {
        let mut b = Backoff::new(Duration::from_millis(500), Duration::from_secs(30));
        let mut ceilings = Vec::new();
        for _ in 0..10 {
            ceilings.push(b.ceiling());
            b.next_delay();
        }
        assert_eq!(ceilings[0], Duration::from_millis(500));
        assert_eq!(ceilings[1], Duration::from_secs(1));
        assert_eq!(ceilings[2], Duration::from_secs(2));
        assert_eq!(ceilings[6], Duration::from_secs(30));
        assert_eq!(ceilings[9], Duration::from_secs(30));
    }

    #[test]
    fn every_delay_stays_within_the_ceiling_and_the_cap_even_after_many_failures() {
        let cap = Duration::from_secs(30);
        let mut b = Backoff::new(Duration::from_millis(500), cap);
        for _ in 0..10_000 {
            let ceiling = b.ceiling();
            let d = b.next_delay();
            assert!(d <= ceiling && d <= cap, "{d:?} > {ceiling:?}");
        }
    }

    #[test]
    fn delays_are_jittered_not_constant() {
        let mut b = Backoff::new(Duration::from_secs(30), Duration::from_secs(30));
        let delays: std::collections::HashSet<_> = (0..50).map(|_| b.next_delay()).collect();
        assert!(delays.len() > 40, "{} distinct delays", delays.len());
        let mean = delays.iter().map(Duration::as_secs_f64).sum::<f64>() / delays.len() as f64;
        assert!((5.0..25.0).contains(&mean), "mean {mean}");
    }

    #[test]
    fn reset_starts_over_from_the_base() {
        let mut b = Backoff::new(Duration::from_millis(100), Duration::from_secs(10));
        for _ in 0..20 {
            b.next_delay();
        }
        assert_eq!(b.ceiling(), Duration::from_secs(10));
        b.reset();
        assert_eq!(b.ceiling(), Duration::from_millis(100));
    }
}
