//! Raw command-line arguments become validated settings before any work starts: every
//! usage error (exit code 2) is found here, not halfway through a 10 GB log.
//!
//! One file per concern: `log` (reading a log), `tariffs` (cards and tiers), `output`
//! (formats and files), `commands` (each subcommand's settings), `forecast` (the forecast's
//! date and volumes, from flags or a file).

mod commands;
mod forecast;
mod log;
mod output;
mod tariffs;

pub use waprice::pipeline::{InputFormat, LogSettings, Tariffs};

pub(crate) use self::commands::*;
pub(crate) use self::forecast::*;
pub(crate) use self::log::*;
pub(crate) use self::output::*;
pub(crate) use self::tariffs::*;

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use waprice::tariff::market::MarketMap;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    /// docs/rules.md, Authentication-international: the start date of each country with an authentication-international
    /// rate, never before the business's own eligibility, never for its own country.
    #[test]
    fn auth_intl_start_dates_per_country() {
        let m = MarketMap::bundled();
        let c = |iso: &str| m.country_by_iso(iso).unwrap();
        let at =
            |from: &[Option<NaiveDate>], iso: &str| from.get(c(iso).0 as usize).copied().flatten();
        let from = auth_intl_from(&m, c("FR"), d("2024-01-01"), &[]);
        assert_eq!(at(&from, "ID"), Some(d("2024-06-01")));
        assert_eq!(at(&from, "IN"), Some(d("2024-07-01")));
        for iso in ["EG", "MY", "NG", "PK", "SA", "ZA", "AE"] {
            assert_eq!(at(&from, iso), Some(d("2025-02-01")), "{iso}");
        }
        for iso in ["BD", "IQ", "NP", "LK", "KZ", "KW", "MA", "OM", "UA"] {
            assert_eq!(at(&from, iso), Some(d("2026-10-01")), "{iso}");
        }
        for iso in ["FR", "DE", "BR", "US"] {
            assert_eq!(at(&from, iso), None, "{iso}");
        }
        // Eligible later: that date for every country already started.
        let from = auth_intl_from(&m, c("FR"), d("2025-03-15"), &[]);
        assert_eq!(at(&from, "ID"), Some(d("2025-03-15")));
        assert_eq!(at(&from, "EG"), Some(d("2025-03-15")));
        assert_eq!(at(&from, "KZ"), Some(d("2026-10-01")));
        // A business in India pays India's domestic rate, and the international one elsewhere.
        let from = auth_intl_from(&m, c("IN"), d("2024-01-01"), &[]);
        assert_eq!(at(&from, "IN"), None);
        assert_eq!(at(&from, "ID"), Some(d("2024-06-01")));
        // Exceptions: one country later, one said earlier than the country's own start.
        let from = auth_intl_from(
            &m,
            c("FR"),
            d("2024-01-01"),
            &[(c("IN"), d("2025-05-01")), (c("EG"), d("2024-09-01"))],
        );
        assert_eq!(at(&from, "IN"), Some(d("2025-05-01")));
        assert_eq!(at(&from, "EG"), Some(d("2025-02-01")));
        assert_eq!(at(&from, "ID"), Some(d("2024-06-01")));
    }

    #[test]
    fn tier_breakdowns() {
        assert!(is_tier_breakdown("tier"));
        assert!(is_tier_breakdown("tier,market,category"));
        assert!(!is_tier_breakdown("market,tier"));
    }
}
