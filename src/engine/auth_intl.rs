//! Which customer countries pay the authentication-international rate, from which date
//! (docs/rules.md, Authentication-international): a rule of the bill, so it lives beside the
//! engine that applies it, where the binary and library callers both reach it.

use crate::country::{Countries, CountryId};
use crate::era::AUTH_INTL_START;
use chrono::NaiveDate;

/// Per customer country (indexed by `CountryId`): the first date an authentication template
/// pays the authentication-international rate, the later of the country's start date and the
/// business's own start for it (`since`, or the country's entry in `exceptions`); never for the
/// business's own country (`home`). The result goes in `EngineConfig::auth_intl_from`.
pub fn auth_intl_from(
    countries: &Countries,
    home: CountryId,
    since: NaiveDate,
    exceptions: &[(CountryId, NaiveDate)],
) -> Vec<Option<NaiveDate>> {
    let mut from = Vec::new();
    for (iso, start) in AUTH_INTL_START {
        if let Some(c) = countries.country_by_iso(iso) {
            if c == home {
                continue;
            }
            let own = exceptions
                .iter()
                .find(|(e, _)| *e == c)
                .map_or(since, |(_, d)| *d);
            let i = c.0 as usize;
            if from.len() <= i {
                from.resize(i + 1, None);
            }
            from[i] = Some(start.max(own));
        }
    }
    from
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tariff::market::MarketMap;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    /// The start date of each country with an authentication-international rate, never before
    /// the business's own eligibility, never for its own country.
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
}
