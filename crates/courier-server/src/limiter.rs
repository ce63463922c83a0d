//! Counts attempts per network address so that passwords, request numbers
//! and e-mail addresses cannot be guessed at speed.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Attempts from one address: at most `max` that did not succeed within
/// `window`.
pub struct AttemptLimiter {
    max: u32,
    window: Duration,
    attempts: Mutex<HashMap<IpAddr, (u32, Instant)>>,
}

/// The part of an address that identifies one client: the whole IPv4
/// address, or the /64 network of an IPv6 one, since a single IPv6 client
/// usually holds a whole /64.
fn client_of(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let bits = u128::from(v6) & !((1u128 << 64) - 1);
                IpAddr::V6(Ipv6Addr::from(bits))
            }
        },
        v4 => v4,
    }
}

impl AttemptLimiter {
    pub fn new(max: u32, window: Duration) -> Self {
        AttemptLimiter {
            max,
            window,
            attempts: Mutex::new(HashMap::new()),
        }
    }

    /// Starts an attempt from `ip`, or refuses it when too many recent ones
    /// failed. The attempt counts as failed until [`Self::succeeded`] says
    /// otherwise, so that attempts racing each other cannot slip through.
    pub fn try_begin(&self, ip: IpAddr) -> bool {
        let mut attempts = self.attempts.lock().unwrap_or_else(|e| e.into_inner());
        if attempts.len() > 10_000 {
            attempts.retain(|_, (_, since)| since.elapsed() < self.window);
        }
        let entry = attempts.entry(client_of(ip)).or_insert((0, Instant::now()));
        if entry.1.elapsed() >= self.window {
            *entry = (0, Instant::now());
        }
        if entry.0 >= self.max {
            return false;
        }
        entry.0 += 1;
        true
    }

    /// The attempt begun from `ip` succeeded: it no longer counts.
    pub fn succeeded(&self, ip: IpAddr) {
        let mut attempts = self.attempts.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(entry) = attempts.get_mut(&client_of(ip)) {
            entry.0 = entry.0.saturating_sub(1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sixth_attempt_after_five_failures_is_refused() {
        let limiter = AttemptLimiter::new(5, Duration::from_secs(60));
        let ip: IpAddr = "192.0.2.7".parse().unwrap();
        for _ in 0..5 {
            assert!(limiter.try_begin(ip));
        }
        assert!(!limiter.try_begin(ip));
        assert!(
            limiter.try_begin("192.0.2.8".parse().unwrap()),
            "other addresses are not affected"
        );
    }

    #[test]
    fn successful_attempts_do_not_count() {
        let limiter = AttemptLimiter::new(2, Duration::from_secs(60));
        let ip: IpAddr = "192.0.2.7".parse().unwrap();
        for _ in 0..10 {
            assert!(limiter.try_begin(ip));
            limiter.succeeded(ip);
        }
    }

    #[test]
    fn an_ipv6_network_counts_as_one_client() {
        let limiter = AttemptLimiter::new(1, Duration::from_secs(60));
        assert!(limiter.try_begin("2001:db8::1".parse().unwrap()));
        assert!(!limiter.try_begin("2001:db8::ffff:2".parse().unwrap()));
        assert!(
            limiter.try_begin("2001:db8:0:1::1".parse().unwrap()),
            "another /64"
        );
    }

    #[test]
    fn the_window_forgets_old_failures() {
        let limiter = AttemptLimiter::new(1, Duration::from_millis(20));
        let ip: IpAddr = "192.0.2.7".parse().unwrap();
        assert!(limiter.try_begin(ip));
        assert!(!limiter.try_begin(ip));
        std::thread::sleep(Duration::from_millis(30));
        assert!(limiter.try_begin(ip));
    }
}
