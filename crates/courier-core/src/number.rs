//! Request numbers such as `ILL-2026-000123`.

use std::fmt;

/// A request's number: the year it was made and its sequence in that year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct RequestNumber {
    /// The year the request was made.
    pub year: i32,
    /// The request's place in that year, from 1.
    pub sequence: u32,
}

impl fmt::Display for RequestNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ILL-{:04}-{:06}", self.year, self.sequence)
    }
}

impl RequestNumber {
    /// Reads a number as staff and patrons type it, ignoring case and
    /// surrounding spaces. Returns `None` for anything else.
    pub fn parse(text: &str) -> Option<RequestNumber> {
        let text = text.trim().to_ascii_uppercase();
        let rest = text.strip_prefix("ILL-")?;
        let (year, sequence) = rest.split_once('-')?;
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if year.len() != 4 || !digits(year) || !digits(sequence) || sequence.len() > 9 {
            return None;
        }
        Some(RequestNumber {
            year: year.parse().ok()?,
            sequence: sequence.parse().ok()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_have_the_year_and_six_digits() {
        let number = RequestNumber {
            year: 2026,
            sequence: 123,
        };
        assert_eq!(number.to_string(), "ILL-2026-000123");
        assert_eq!(RequestNumber::parse(" ill-2026-000123 "), Some(number));
    }

    #[test]
    fn malformed_numbers_are_not_read() {
        for bad in [
            "",
            "ILL-",
            "ILL-26-1",
            "ILL-2026-",
            "ILL-2026-12a",
            "2026-000123",
            "ILL-2026-9999999999",
        ] {
            assert_eq!(RequestNumber::parse(bad), None, "{bad}");
        }
    }
}
