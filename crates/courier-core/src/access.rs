//! The remaining access of an attachment, and the sentence that tells it.
//!
//! Staff and patrons read the same words: "5 downloads remaining until
//! 03/04/2027", "1 download remaining until 03/04/2027", "0 downloads
//! remaining" or "Download access expired 03/04/2027", with the date in the
//! borrowing library's time zone.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

/// Whether an attachment can still be downloaded, and for how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccessState {
    /// Downloads remain and the expiry has not passed.
    Open {
        remaining: u32,
        until: DateTime<Utc>,
    },
    /// Every allowed download has been used.
    UsedUp,
    /// The expiry has passed with downloads left.
    Expired { on: DateTime<Utc> },
}

impl AccessState {
    /// Whether a download may start now.
    pub fn is_open(self) -> bool {
        matches!(self, AccessState::Open { .. })
    }
}

/// Works out the access of an attachment with `max_downloads`, of which
/// `downloads_used` are used, expiring at `expires_at`, as of `now`.
///
/// Access is open until the last instant before `expires_at`. A used-up
/// attachment reads as used up even after its expiry, since that is what
/// ended it.
pub fn access_state(
    max_downloads: u32,
    downloads_used: u32,
    expires_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> AccessState {
    if downloads_used >= max_downloads {
        AccessState::UsedUp
    } else if now >= expires_at {
        AccessState::Expired { on: expires_at }
    } else {
        AccessState::Open {
            remaining: max_downloads - downloads_used,
            until: expires_at,
        }
    }
}

/// The sentence staff and patrons read, with dates as mm/dd/yyyy in `tz`.
pub fn access_text(state: AccessState, tz: Tz) -> String {
    let date = |at: DateTime<Utc>| at.with_timezone(&tz).format("%m/%d/%Y").to_string();

    match state {
        AccessState::Open {
            remaining: 1,
            until,
        } => {
            format!("1 download remaining until {}", date(until))
        }
        AccessState::Open { remaining, until } => {
            format!("{remaining} downloads remaining until {}", date(until))
        }
        AccessState::UsedUp => "0 downloads remaining".to_owned(),
        AccessState::Expired { on } => format!("Download access expired {}", date(on)),
    }
}

#[cfg(test)]
mod tests {
    use chrono::Duration;

    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    const NEW_YORK: Tz = chrono_tz::America::New_York;

    #[test]
    fn fresh_attachment_reads_five_downloads_remaining_until_its_expiry() {
        let state = access_state(5, 0, at("2027-03-04T20:00:00Z"), at("2026-12-04T20:00:00Z"));
        assert_eq!(
            access_text(state, NEW_YORK),
            "5 downloads remaining until 03/04/2027"
        );
    }

    #[test]
    fn one_remaining_download_is_singular() {
        let state = access_state(5, 4, at("2027-03-04T20:00:00Z"), at("2026-12-04T20:00:00Z"));
        assert_eq!(
            access_text(state, NEW_YORK),
            "1 download remaining until 03/04/2027"
        );
    }

    #[test]
    fn used_up_reads_zero_downloads_remaining_even_after_expiry() {
        let expires = at("2027-03-04T20:00:00Z");
        let before = access_state(3, 3, expires, at("2026-12-04T20:00:00Z"));
        let after = access_state(3, 3, expires, at("2027-06-01T00:00:00Z"));
        assert_eq!(access_text(before, NEW_YORK), "0 downloads remaining");
        assert_eq!(access_text(after, NEW_YORK), "0 downloads remaining");
        assert!(!before.is_open());
    }

    #[test]
    fn access_is_open_until_the_last_second_before_expiry() {
        let expires = at("2027-03-04T20:00:00Z");
        let last = access_state(5, 2, expires, expires - Duration::seconds(1));
        assert!(last.is_open());
        assert_eq!(
            access_text(last, NEW_YORK),
            "3 downloads remaining until 03/04/2027"
        );

        let gone = access_state(5, 2, expires, expires);
        assert!(!gone.is_open());
        assert_eq!(
            access_text(gone, NEW_YORK),
            "Download access expired 03/04/2027"
        );
    }

    #[test]
    fn the_date_is_in_the_borrowing_librarys_time_zone() {
        // 03:00 UTC on 5 March is still 4 March in New York and already
        // 5 March in Berlin.
        let state = access_state(5, 0, at("2027-03-05T03:00:00Z"), at("2026-12-04T00:00:00Z"));
        assert_eq!(
            access_text(state, NEW_YORK),
            "5 downloads remaining until 03/04/2027"
        );
        assert_eq!(
            access_text(state, chrono_tz::Europe::Berlin),
            "5 downloads remaining until 03/05/2027"
        );
    }

    #[test]
    fn a_count_above_the_limit_still_reads_used_up() {
        let state = access_state(2, 7, at("2027-03-04T20:00:00Z"), at("2026-12-04T20:00:00Z"));
        assert_eq!(state, AccessState::UsedUp);
    }
}
