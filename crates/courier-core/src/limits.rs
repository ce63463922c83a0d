//! The limits an attachment carries: its size, its download limit and its
//! expiry. The defaults are the maximums.

use chrono::{DateTime, Duration, Utc};

/// The largest file accepted: 125 MiB.
pub const MAX_FILE_SIZE: u64 = 125 * 1024 * 1024;

/// Why an upload's size, download limit or expiry is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LimitError {
    /// The file is larger than [`MAX_FILE_SIZE`].
    #[error("file is larger than the limit of 125 MiB (131,072,000 bytes)")]
    TooLarge,
    /// The file has no content.
    #[error("file is empty")]
    Empty,
    /// The download limit is outside 1 to 5.
    #[error("download limit must be from 1 to 5, not {0}")]
    DownloadLimit(i64),
    /// The expiry is outside 1 to 90 days.
    #[error("expiry must be from 1 to 90 days, not {0}")]
    ExpiryDays(i64),
}

/// Checks a file's size against the limits: at least one byte, at most
/// [`MAX_FILE_SIZE`].
pub fn check_file_size(size: u64) -> Result<(), LimitError> {
    match size {
        0 => Err(LimitError::Empty),
        s if s > MAX_FILE_SIZE => Err(LimitError::TooLarge),
        _ => Ok(()),
    }
}

/// How many times an attachment may be downloaded, by anyone: 1 to 5.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct DownloadLimit(u8);

impl DownloadLimit {
    /// The most downloads an attachment may allow, and the default.
    pub const MAX: DownloadLimit = DownloadLimit(5);

    /// Accepts 1 to 5.
    pub fn new(value: i64) -> Result<Self, LimitError> {
        match u8::try_from(value) {
            Ok(v @ 1..=5) => Ok(DownloadLimit(v)),
            _ => Err(LimitError::DownloadLimit(value)),
        }
    }

    /// The limit as a number.
    pub fn get(self) -> u32 {
        u32::from(self.0)
    }
}

impl Default for DownloadLimit {
    fn default() -> Self {
        DownloadLimit::MAX
    }
}

/// For how many days after its upload an attachment may be downloaded: 1 to 90.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct ExpiryDays(u8);

impl ExpiryDays {
    /// The longest expiry, and the default.
    pub const MAX: ExpiryDays = ExpiryDays(90);

    /// Accepts 1 to 90.
    pub fn new(value: i64) -> Result<Self, LimitError> {
        match u8::try_from(value) {
            Ok(v @ 1..=90) => Ok(ExpiryDays(v)),
            _ => Err(LimitError::ExpiryDays(value)),
        }
    }

    /// The number of days.
    pub fn get(self) -> u32 {
        u32::from(self.0)
    }

    /// The moment access ends for a file uploaded at `uploaded_at`.
    pub fn expires_at(self, uploaded_at: DateTime<Utc>) -> DateTime<Utc> {
        uploaded_at + Duration::days(i64::from(self.0))
    }
}

impl Default for ExpiryDays {
    fn default() -> Self {
        ExpiryDays::MAX
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exactly_125_mib_is_accepted_and_one_byte_more_refused() {
        assert_eq!(MAX_FILE_SIZE, 131_072_000);
        assert_eq!(check_file_size(131_072_000), Ok(()));
        assert_eq!(check_file_size(131_072_001), Err(LimitError::TooLarge));
        assert_eq!(check_file_size(0), Err(LimitError::Empty));
        assert_eq!(check_file_size(1), Ok(()));
    }

    #[test]
    fn download_limit_is_one_to_five_and_defaults_to_five() {
        assert_eq!(DownloadLimit::default().get(), 5);
        assert_eq!(DownloadLimit::new(1).map(DownloadLimit::get), Ok(1));
        assert_eq!(DownloadLimit::new(5).map(DownloadLimit::get), Ok(5));
        for bad in [0, 6, -1, 256, i64::MAX, i64::MIN] {
            assert_eq!(DownloadLimit::new(bad), Err(LimitError::DownloadLimit(bad)));
        }
    }

    #[test]
    fn expiry_is_one_to_ninety_days_and_defaults_to_ninety() {
        assert_eq!(ExpiryDays::default().get(), 90);
        assert_eq!(ExpiryDays::new(1).map(ExpiryDays::get), Ok(1));
        assert_eq!(ExpiryDays::new(90).map(ExpiryDays::get), Ok(90));
        for bad in [0, 91, -5, 1000] {
            assert_eq!(ExpiryDays::new(bad), Err(LimitError::ExpiryDays(bad)));
        }
    }

    #[test]
    fn expiry_counts_from_the_upload() {
        let uploaded: DateTime<Utc> = "2026-12-04T15:00:00Z".parse().unwrap();
        let expires = ExpiryDays::new(90).unwrap().expires_at(uploaded);
        assert_eq!(
            expires,
            "2027-03-04T15:00:00Z".parse::<DateTime<Utc>>().unwrap()
        );
    }
}
