//! Attempt limits for sign-in and password reset, per client address and per account, so that
//! passwords cannot be guessed at speed. Counters live in memory (fixed windows): a restart
//! forgets them, which is acceptable for a brake on guessing.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::{Error, Result};

/// At most `max` attempts per `per`.
#[derive(Clone, Copy, Debug)]
pub struct Limit {
    /// Attempts allowed in one window.
    pub max: u32,
    /// The window's length.
    pub per: Duration,
}

/// Sign-in attempts from one client address.
pub const SIGN_IN_PER_IP: Limit = Limit {
    max: 30,
    per: Duration::from_secs(300),
};
/// Sign-in attempts for one account.
pub const SIGN_IN_PER_ACCOUNT: Limit = Limit {
    max: 10,
    per: Duration::from_secs(900),
};
/// Password-reset requests from one client address.
pub const RESET_PER_IP: Limit = Limit {
    max: 10,
    per: Duration::from_secs(900),
};
/// Password-reset requests for one account.
pub const RESET_PER_ACCOUNT: Limit = Limit {
    max: 3,
    per: Duration::from_secs(3600),
};

/// Counts attempts per key.
#[derive(Debug, Default)]
pub struct RateLimiter {
    windows: Mutex<HashMap<String, (Instant, u32)>>,
}

impl RateLimiter {
    /// Counts one attempt for `key`; [`Error::RateLimited`] once the window's limit is used up.
    pub fn hit(&self, key: &str, limit: Limit) -> Result<()> {
        let now = Instant::now();
        let mut windows = self
            .windows
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if windows.len() > 50_000 {
            // Bound memory under a flood of distinct keys: drop every finished window.
            windows.retain(|_, (start, _)| now.duration_since(*start) < Duration::from_secs(3600));
        }
        let entry = windows.entry(key.to_string()).or_insert((now, 0));
        if now.duration_since(entry.0) >= limit.per {
            *entry = (now, 0);
        }
        if entry.1 >= limit.max {
            let retry_after_secs = limit
                .per
                .saturating_sub(now.duration_since(entry.0))
                .as_secs()
                .max(1);
            return Err(Error::RateLimited { retry_after_secs });
        }
        entry.1 += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_applies_per_key_and_says_how_long_to_wait() {
        let limiter = RateLimiter::default();
        let limit = Limit {
            max: 3,
            per: Duration::from_secs(60),
        };
        for _ in 0..3 {
            limiter.hit("a", limit).unwrap();
        }
        match limiter.hit("a", limit) {
            Err(Error::RateLimited { retry_after_secs }) => {
                assert!((1..=60).contains(&retry_after_secs))
            }
            other => panic!("expected a rate limit, got {other:?}"),
        }
        limiter.hit("b", limit).unwrap();
    }

    #[test]
    fn a_new_window_starts_after_the_old_one() {
        let limiter = RateLimiter::default();
        let limit = Limit {
            max: 1,
            per: Duration::from_millis(20),
        };
        limiter.hit("a", limit).unwrap();
        assert!(limiter.hit("a", limit).is_err());
        std::thread::sleep(Duration::from_millis(30));
        limiter.hit("a", limit).unwrap();
    }
}

/// The client address of a request, put into the request's extensions by the server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientAddress(pub std::net::IpAddr);
