//! Attempt limits for sign-in, password reset and current-password checks, per client address
//! and per account, so that passwords cannot be guessed at speed. Counters live in memory
//! (fixed windows): a restart forgets them, which is acceptable for a brake on guessing.
//!
//! Password guesses are limited per account *and* client address, so an attacker guessing from
//! one address cannot lock the owner out: the owner, from another address, still signs in. A
//! looser limit per account bounds what many addresses together can try. A right password gives
//! its attempt back ([`RateLimiter::password_right`]), so only wrong guesses add up.

use std::collections::HashMap;
use std::net::IpAddr;
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

/// Sign-in attempts from one client address, right or wrong, whatever the account.
pub const SIGN_IN_PER_IP: Limit = Limit {
    max: 30,
    per: Duration::from_secs(300),
};
/// Wrong guesses of one account's password from one client address (sign-in, or the current
/// password asked by a password or address change).
pub const GUESSES_PER_ACCOUNT_AND_IP: Limit = Limit {
    max: 10,
    per: Duration::from_secs(900),
};
/// Wrong guesses of one account's password from all addresses together.
pub const GUESSES_PER_ACCOUNT: Limit = Limit {
    max: 100,
    per: Duration::from_secs(3600),
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

/// Which password a guess is of: the one typed to sign in (the account named by its address,
/// which may not exist) or the current password a signed-in person confirms.
#[derive(Clone, Copy, Debug)]
pub enum PasswordCheck<'a> {
    /// Signing in as `email` (any case).
    SignIn(&'a str),
    /// Confirming the current password of the signed-in account.
    Current(types::UserId),
}

impl PasswordCheck<'_> {
    fn account(&self) -> String {
        match self {
            Self::SignIn(email) => format!("sign-in/{}", email.trim().to_lowercase()),
            Self::Current(user) => format!("current/{user}"),
        }
    }
}

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

    /// Gives back one attempt counted for `key` (in its current window).
    pub fn forgive(&self, key: &str) {
        let mut windows = self
            .windows
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(entry) = windows.get_mut(key) {
            entry.1 = entry.1.saturating_sub(1);
        }
    }

    /// Counts one password guess of `check`'s account from `ip`, before the password is
    /// verified: [`Error::RateLimited`] once [`GUESSES_PER_ACCOUNT_AND_IP`] or
    /// [`GUESSES_PER_ACCOUNT`] is used up. Counting before verifying means guesses sent in
    /// parallel cannot slip past the limit; [`Self::password_right`] gives a right one back.
    pub fn password_guess(&self, check: PasswordCheck<'_>, ip: &str) -> Result<()> {
        let account = check.account();
        let pair = format!("guess/{account}/ip/{ip}");
        self.hit(&pair, GUESSES_PER_ACCOUNT_AND_IP)?;
        if let Err(err) = self.hit(&format!("guess/{account}"), GUESSES_PER_ACCOUNT) {
            self.forgive(&pair);
            return Err(err);
        }
        Ok(())
    }

    /// The guess counted by [`Self::password_guess`] was the right password: it does not
    /// count against the account.
    pub fn password_right(&self, check: PasswordCheck<'_>, ip: &str) {
        let account = check.account();
        self.forgive(&format!("guess/{account}/ip/{ip}"));
        self.forgive(&format!("guess/{account}"));
    }

    /// Settles a guess counted by [`Self::password_guess`] by what came of it: only a wrong
    /// password keeps counting; success, or a refusal for another reason (a too-short new
    /// password, a taken address), gives the guess back.
    pub(crate) fn password_settled<T>(
        &self,
        check: PasswordCheck<'_>,
        ip: &str,
        outcome: &Result<T>,
    ) {
        if !matches!(outcome, Err(Error::InvalidCredentials)) {
            self.password_right(check, ip);
        }
    }
}

/// The key part that names a client: its address, or `unknown` when the server had none.
pub(crate) fn address(client: Option<IpAddr>) -> String {
    client.map_or_else(|| "unknown".to_string(), |ip| ip.to_string())
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
    fn wrong_guesses_from_one_address_leave_the_owner_another() {
        let limiter = RateLimiter::default();
        let check = PasswordCheck::SignIn("Ada@Example.com");
        for _ in 0..GUESSES_PER_ACCOUNT_AND_IP.max {
            limiter.password_guess(check, "192.0.2.1").unwrap();
        }
        assert!(matches!(
            limiter.password_guess(PasswordCheck::SignIn("ada@example.com"), "192.0.2.1"),
            Err(Error::RateLimited { .. })
        ));
        // The owner, elsewhere, signs in; right passwords never add up.
        for _ in 0..3 * GUESSES_PER_ACCOUNT_AND_IP.max {
            limiter.password_guess(check, "198.51.100.7").unwrap();
            limiter.password_right(check, "198.51.100.7");
        }
    }

    #[test]
    fn many_addresses_together_meet_the_account_limit() {
        let limiter = RateLimiter::default();
        let check = PasswordCheck::SignIn("ada@example.com");
        for i in 0..GUESSES_PER_ACCOUNT.max {
            limiter.password_guess(check, &format!("ip-{i}")).unwrap();
        }
        assert!(limiter.password_guess(check, "ip-new").is_err());
        // A refused guess is not counted against its address.
        limiter.password_right(check, "ip-0");
        limiter.password_guess(check, "ip-new").unwrap();
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
