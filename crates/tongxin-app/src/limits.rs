//! Rate limits on filing through Open311: per API key and per client address, so one app
//! or one script cannot flood the dispatchers. Kept in each node's memory (GCRA through
//! `governor`); with several nodes each applies the limits to the traffic it serves.

use std::num::NonZeroU32;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

/// The keyed limiters for one node.
pub struct Limits {
    per_ip: DefaultKeyedRateLimiter<String>,
    per_key: DefaultKeyedRateLimiter<String>,
}

/// Limiters forget quiet clients once they hold this many keys.
const TIDY_AT: usize = 10_000;

impl Limits {
    /// `per_ip` and `per_key` requests a minute (each at least 1).
    pub fn new(per_ip: u32, per_key: u32) -> Self {
        let quota = |n: u32| Quota::per_minute(NonZeroU32::new(n.max(1)).unwrap_or(NonZeroU32::MIN));
        Self { per_ip: RateLimiter::keyed(quota(per_ip)), per_key: RateLimiter::keyed(quota(per_key)) }
    }

    /// Counts a request from `ip` with the key `key`; `Err(wait)` when either limit is spent.
    pub fn check(&self, ip: &str, key: &str) -> Result<(), Duration> {
        for (limiter, id) in [(&self.per_ip, ip), (&self.per_key, key)] {
            if limiter.len() > TIDY_AT {
                limiter.retain_recent();
            }
            if let Err(not_until) = limiter.check_key(&id.to_owned()) {
                return Err(not_until.wait_time_from(DefaultClock::default().now()));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_and_a_key_each_have_their_allowance() {
        let limits = Limits::new(2, 3);
        assert!(limits.check("10.0.0.1", "k1").is_ok());
        assert!(limits.check("10.0.0.1", "k1").is_ok());
        let wait = limits.check("10.0.0.1", "k1").unwrap_err();
        assert!(wait > Duration::ZERO && wait <= Duration::from_secs(30), "{wait:?}");
        // another address with the same key: the key has one left
        assert!(limits.check("10.0.0.2", "k1").is_ok());
        assert!(limits.check("10.0.0.3", "k1").is_err());
        assert!(limits.check("10.0.0.3", "k2").is_ok());
    }
}
