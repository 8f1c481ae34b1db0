//! The WABA time zone: instants to local dates, local times to instants.
//!
//! Every date in the rules (eras, months, free tiers, card effective dates) is midnight in the
//! WABA's time zone (docs/rules.md, Vocabulary), so the engine asks this calendar for the local date of
//! each instant. Offsets are cached per 15-minute block: time-zone transitions happen on
//! 15-minute boundaries, and sorted input hits the cache almost always.

use chrono::{Datelike, NaiveDate, NaiveDateTime, Offset, TimeZone};
use chrono_tz::Tz;

/// Milliseconds in a day (of 24 hours: the windows of the rules are counted in hours).
pub(crate) const MS_PER_DAY: i64 = 86_400_000;
const BLOCK_MS: i64 = 900_000;
/// Days from 0001-01-01 (CE day 1) to 1970-01-01.
const UNIX_EPOCH_CE_DAYS: i32 = 719_163;

/// A calendar month, as a single ordered number: year * 12 + (month - 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Month(pub i32);

impl Month {
    /// The month a date falls in.
    pub fn of(date: NaiveDate) -> Month {
        Month(date.year() * 12 + date.month0() as i32)
    }
    /// The year (e.g. 2025).
    pub fn year(self) -> i32 {
        self.0.div_euclid(12)
    }
    /// 1..=12
    pub fn month(self) -> u32 {
        self.0.rem_euclid(12) as u32 + 1
    }
    /// The month's first day.
    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year(), self.month(), 1).expect("valid month")
    }
    /// The month after this one.
    pub fn next(self) -> Month {
        Month(self.0 + 1)
    }
}

impl std::fmt::Display for Month {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}", self.year(), self.month())
    }
}

#[derive(Debug, Clone)]
/// The WABA's time zone, with the caches that turn instants into local dates quickly: every
/// date of the rules (era, month, card effective date) is a local date in it.
pub struct Calendar {
    tz: Tz,
    utc: bool,
    cached_block: i64,
    cached_offset_ms: i64,
    /// The last day asked for (days since the Unix epoch) and its date.
    cached_day: (i32, NaiveDate),
}

/// The date of a day counted from the Unix epoch (`NaiveDate::MAX` past chrono's range).
fn date_of_day(days: i32) -> NaiveDate {
    NaiveDate::from_num_days_from_ce_opt(days.saturating_add(UNIX_EPOCH_CE_DAYS))
        .unwrap_or(NaiveDate::MAX)
}

impl Calendar {
    /// The calendar of time zone `tz`.
    pub fn new(tz: Tz) -> Calendar {
        Calendar {
            tz,
            utc: tz == Tz::UTC,
            cached_block: i64::MIN,
            cached_offset_ms: 0,
            cached_day: (i32::MIN, date_of_day(i32::MIN)),
        }
    }

    /// The WABA time zone.
    pub fn tz(&self) -> Tz {
        self.tz
    }

    /// The zone's offset from UTC at an instant, in milliseconds.
    pub fn offset_ms(&mut self, t_ms: i64) -> i64 {
        if self.utc {
            return 0;
        }
        let block = t_ms.div_euclid(BLOCK_MS);
        if block != self.cached_block {
            let secs = (block * BLOCK_MS).div_euclid(1000);
            let offset = match chrono::DateTime::from_timestamp(secs, 0) {
                Some(dt) => self
                    .tz
                    .offset_from_utc_datetime(&dt.naive_utc())
                    .fix()
                    .local_minus_utc(),
                None => 0,
            };
            self.cached_block = block;
            self.cached_offset_ms = i64::from(offset) * 1000;
        }
        self.cached_offset_ms
    }

    /// The local date of an instant.
    pub fn local_date(&mut self, t_ms: i64) -> NaiveDate {
        let local = t_ms + self.offset_ms(t_ms);
        let days = local.div_euclid(MS_PER_DAY) as i32;
        // Messages come in time order: most fall on the day of the one before.
        if days != self.cached_day.0 {
            self.cached_day = (days, date_of_day(days));
        }
        self.cached_day.1
    }

    /// The instant of a local wall-clock time. Ambiguous times (clocks going back) take the
    /// earlier instant; times skipped by a transition (clocks going forward) are `None`.
    pub fn local_to_instant_ms(&self, local: NaiveDateTime) -> Option<i64> {
        if self.utc {
            return Some(local.and_utc().timestamp_millis());
        }
        self.tz
            .from_local_datetime(&local)
            .earliest()
            .map(|dt| dt.timestamp_millis())
    }

    /// The instant local midnight starts a date (the first instant of that date where a
    /// transition skips midnight).
    pub fn start_of_day_ms(&self, date: NaiveDate) -> i64 {
        let mut t = date.and_hms_opt(0, 0, 0).expect("midnight");
        for _ in 0..96 {
            if let Some(ms) = self.local_to_instant_ms(t) {
                return ms;
            }
            t += chrono::Duration::minutes(15);
        }
        date.and_hms_opt(0, 0, 0)
            .expect("midnight")
            .and_utc()
            .timestamp_millis()
    }
}

/// Days since 1970-01-01 of a date (proleptic Gregorian).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    // Howard Hinnant's algorithm.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (i64::from(m) + 9) % 12;
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(s: &str) -> i64 {
        chrono::DateTime::parse_from_rfc3339(s)
            .unwrap()
            .timestamp_millis()
    }

    #[test]
    fn utc_local_date_is_the_utc_date() {
        let mut cal = Calendar::new(Tz::UTC);
        assert_eq!(
            cal.local_date(ms("2024-02-29T23:59:59Z")),
            NaiveDate::from_ymd_opt(2024, 2, 29).unwrap()
        );
        assert_eq!(
            cal.local_date(ms("2024-03-01T00:00:00Z")),
            NaiveDate::from_ymd_opt(2024, 3, 1).unwrap()
        );
    }

    #[test]
    fn paris_month_starts_an_hour_before_utc_midnight() {
        let mut cal = Calendar::new(chrono_tz::Europe::Paris);
        // 2024-03-31T22:30Z is 2024-04-01 00:30 in Paris (summer time, +02:00).
        assert_eq!(
            cal.local_date(ms("2024-03-31T22:30:00Z")),
            NaiveDate::from_ymd_opt(2024, 4, 1).unwrap()
        );
        assert_eq!(
            cal.local_date(ms("2024-03-31T21:59:59Z")),
            NaiveDate::from_ymd_opt(2024, 3, 31).unwrap()
        );
        assert_eq!(
            cal.start_of_day_ms(NaiveDate::from_ymd_opt(2025, 7, 1).unwrap()),
            ms("2025-06-30T22:00:00Z")
        );
    }

    #[test]
    fn local_times_in_a_gap_are_none_and_overlaps_take_the_earlier() {
        let cal = Calendar::new(chrono_tz::Europe::Paris);
        let gap = NaiveDate::from_ymd_opt(2024, 3, 31)
            .unwrap()
            .and_hms_opt(2, 30, 0)
            .unwrap();
        assert_eq!(cal.local_to_instant_ms(gap), None);
        let overlap = NaiveDate::from_ymd_opt(2024, 10, 27)
            .unwrap()
            .and_hms_opt(2, 30, 0)
            .unwrap();
        assert_eq!(
            cal.local_to_instant_ms(overlap),
            Some(ms("2024-10-27T00:30:00Z"))
        );
    }

    #[test]
    fn sao_paulo_midnight_gap_starts_the_day_at_one() {
        // Brazil's 2018 DST started at midnight: 2018-11-04 00:00 did not exist.
        let cal = Calendar::new(chrono_tz::America::Sao_Paulo);
        let d = NaiveDate::from_ymd_opt(2018, 11, 4).unwrap();
        assert_eq!(cal.start_of_day_ms(d), ms("2018-11-04T03:00:00Z"));
    }

    /// Local midnight, to the millisecond, in zones east and west of UTC, with and without
    /// daylight saving time, on both sides of each transition: the last millisecond of a day
    /// belongs to it and midnight to the next. The instants come from chrono, not from the
    /// calendar, and each is asked of a fresh calendar and of one warm from the day before.
    #[test]
    fn local_midnight_to_the_millisecond() {
        use chrono_tz::{America, Asia, Australia, Europe, Pacific};
        let zones = [
            Asia::Kolkata,        // +05:30, no DST
            Asia::Kathmandu,      // +05:45, no DST
            America::Sao_Paulo,   // -03:00, no DST since 2019 (and DST at midnight before)
            Europe::Paris,        // +01:00 / +02:00
            America::New_York,    // -05:00 / -04:00
            Australia::Lord_Howe, // +10:30 / +11:00 (a 30-minute shift)
            Pacific::Chatham,     // +12:45 / +13:45
        ];
        let dates = [
            (2022, 2, 1),
            (2023, 3, 26),
            (2023, 6, 1),
            (2024, 3, 1),
            (2024, 4, 1),
            (2024, 10, 27),
            (2024, 11, 1),
            (2025, 1, 1),
            (2025, 7, 1),
            (2026, 10, 1),
            (2026, 11, 1),
        ];
        for tz in zones {
            let mut warm = Calendar::new(tz);
            for (y, m, d) in dates {
                let date = NaiveDate::from_ymd_opt(y, m, d).unwrap();
                let midnight = tz
                    .from_local_datetime(&date.and_hms_opt(0, 0, 0).unwrap())
                    .earliest()
                    .unwrap()
                    .timestamp_millis();
                let day_before = date.pred_opt().unwrap();
                for cal in [&mut Calendar::new(tz), &mut warm] {
                    assert_eq!(cal.local_date(midnight - 1), day_before, "{tz} {date} -1ms");
                    assert_eq!(cal.local_date(midnight), date, "{tz} {date} midnight");
                    assert_eq!(cal.local_date(midnight + 1), date, "{tz} {date} +1ms");
                }
                assert_eq!(warm.start_of_day_ms(date), midnight, "{tz} {date}");
                let month = Month::of(date);
                assert_eq!(
                    Month::of(warm.local_date(midnight - 1)).next() == month,
                    d == 1
                );
            }
        }
    }

    #[test]
    fn days_from_civil_matches_chrono() {
        for (y, m, d) in [
            (1970, 1, 1),
            (2000, 2, 29),
            (2022, 2, 1),
            (2026, 12, 31),
            (1969, 12, 31),
        ] {
            let days =
                NaiveDate::from_ymd_opt(y, m, d).unwrap().num_days_from_ce() - UNIX_EPOCH_CE_DAYS;
            assert_eq!(days_from_civil(i64::from(y), m, d), i64::from(days));
        }
    }

    #[test]
    fn month_arithmetic() {
        let m = Month::of(NaiveDate::from_ymd_opt(2024, 12, 5).unwrap());
        assert_eq!(m.to_string(), "2024-12");
        assert_eq!(m.next().to_string(), "2025-01");
        assert_eq!(
            m.next().first_day(),
            NaiveDate::from_ymd_opt(2025, 1, 1).unwrap()
        );
    }
}
