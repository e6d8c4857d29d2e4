//! The emulator's clock: wall-clock time plus an offset that tests move forward.
//!
//! Every expiry in the demo tenant (authorization codes, access and ID tokens,
//! refresh tokens, client secrets, client assertions) is judged against this
//! clock, never against `Utc::now()` directly, so `DemoTenant::advance_clock`
//! expires them all consistently without a test having to sleep.

use chrono::{DateTime, Duration, Utc};
use std::sync::Mutex;

/// Wall clock plus a forward offset.
#[derive(Debug, Default)]
pub struct Clock {
    offset: Mutex<Duration>,
}

impl Clock {
    /// The emulator's "now".
    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + self.offset()
    }

    /// Moves the clock forward (a negative duration is ignored: time in the
    /// emulator never runs backwards, as expiry checks assume).
    pub fn advance(&self, by: Duration) {
        if by <= Duration::zero() {
            return;
        }
        let mut offset = self.offset.lock().unwrap_or_else(|e| e.into_inner());
        *offset += by;
    }

    fn offset(&self) -> Duration {
        *self.offset.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Entra's timestamp format in error bodies: `2016-01-09 02:02:12Z`.
pub fn entra_timestamp(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M:%SZ").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advancing_moves_now_forward_and_never_back() {
        let clock = Clock::default();
        let before = clock.now();
        clock.advance(Duration::days(91));
        assert!(clock.now() - before >= Duration::days(91));
        clock.advance(Duration::days(-200));
        assert!(clock.now() - before >= Duration::days(91));
    }
}
