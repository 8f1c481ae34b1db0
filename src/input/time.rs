//! Timestamp parsing without allocation: RFC 3339 / ISO 8601 with an offset, naive local
//! times (taken in the WABA time zone), and Unix seconds or milliseconds. Other shapes (RFC
//! 2822, fractional Unix seconds) and `--date-format` are in [`super::date_format`].

use crate::calendar::{days_from_civil, Calendar, MS_PER_DAY};
use chrono::NaiveDate;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
/// Why a timestamp could not be read.
pub enum TimeError {
    /// Not one of the accepted shapes.
    Format,
    /// The shape is right but a field is out of range (month 13, 25:00, ...).
    Range,
    /// A local time that the time zone skips (clocks going forward).
    Skipped,
    /// A number too small for Unix time, such as a spreadsheet's serial date (45356).
    Serial,
    /// A numeric date whose day and month could come in either order (05/03/2024).
    DayMonth,
    /// Not in the shape `--date-format` describes.
    Pattern,
}

impl std::fmt::Display for TimeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            TimeError::Format => "not a timestamp",
            TimeError::Range => "not a valid date or time",
            TimeError::Skipped => {
                "this local time does not exist in the time zone (clocks went forward)"
            }
            TimeError::Serial => {
                "a number too small for Unix time (seconds have 10 digits, milliseconds 13)"
            }
            TimeError::DayMonth => "a day/month date: which comes first is never guessed",
            TimeError::Pattern => "not in the shape --date-format gives",
        })
    }
}

impl TimeError {
    /// How to fix a timestamp of this kind, for the error's hint.
    pub fn hint(self) -> &'static str {
        match self {
            TimeError::Format | TimeError::Range | TimeError::DayMonth => {
                "use RFC 3339 (2024-03-01T10:00:00Z or 2024-03-01T11:00:00+01:00), \
                 'YYYY-MM-DD HH:MM[:SS]' in --timezone, RFC 2822, or Unix seconds/milliseconds; \
                 for other shapes pass --date-format with a strftime pattern such as \
                 '%d/%m/%Y %H:%M', or excel, or unix"
            }
            TimeError::Skipped => "write the time with its UTC offset, or check --timezone",
            TimeError::Serial => {
                "a spreadsheet's serial date (45356 is 2024-03-05) needs --date-format excel"
            }
            TimeError::Pattern => {
                "every date of the log must be written as --date-format says; fix the row, or pass --skip-invalid to skip and count it"
            }
        }
    }
}

/// Unix seconds have at most 11 digits until the year 5138; more digits are milliseconds.
pub(crate) const MAX_SECONDS_DIGITS: usize = 11;
/// A number of at most 5 digits is no Unix time of a log (it would be 1970-01-01 or 02), but
/// it is what a spreadsheet's serial date looks like (45356 = 2024-03-05): refused, never
/// read as 1970.
pub(crate) const MAX_SERIAL_DIGITS: usize = 5;

/// The date part (`YYYY-MM-DD`) of the last timestamp parsed, checked: consecutive rows of a
/// log mostly fall on the same day, so its digits, range checks and day count are done once.
#[derive(Debug, Default, Clone)]
pub struct DateCache {
    key: Option<[u8; 10]>,
    year: u32,
    month: u32,
    day: u32,
    days: i64,
}

/// Parses a timestamp to milliseconds since the Unix epoch.
pub fn parse_timestamp(s: &[u8], cal: &Calendar) -> Result<i64, TimeError> {
    parse_timestamp_with(s, cal, &mut DateCache::default())
}

/// [`parse_timestamp`], remembering the last valid date in `cache`. Same results and errors.
#[inline]
pub fn parse_timestamp_with(
    s: &[u8],
    cal: &Calendar,
    cache: &mut DateCache,
) -> Result<i64, TimeError> {
    match utc_seconds(s, cache) {
        Some(t) => Ok(t),
        None => parse_any(s, cal, cache),
    }
}

/// The shape nearly every row of a machine-written log has, `YYYY-MM-DDTHH:MM:SSZ`, read
/// with no detour: on the day the cache holds only the time of day is read, on another day
/// the date too (and cached, as [`parse_any`] would). `None` for anything else (another
/// shape, a value out of range), which [`parse_any`] then reads in full, so the results and
/// errors are its own. Whatever the time zone: the `Z` says UTC.
#[inline(always)]
fn utc_seconds(s: &[u8], cache: &mut DateCache) -> Option<i64> {
    let s: &[u8; 20] = s.try_into().ok()?;
    if s[4] != b'-'
        || s[7] != b'-'
        || !matches!(s[10], b'T' | b't')
        || s[13] != b':'
        || s[16] != b':'
        || !matches!(s[19], b'Z' | b'z')
    {
        return None;
    }
    let digit = |i: usize| {
        let d = s[i].wrapping_sub(b'0');
        (d < 10).then_some(u32::from(d))
    };
    // The six digits of the time at once: each byte minus '0' is below 10 when it is a digit.
    let t = |i: usize| u32::from(s[i].wrapping_sub(b'0'));
    let (h1, h2, m1, m2, s1, s2) = (t(11), t(12), t(14), t(15), t(17), t(18));
    if (h1 | h2 | m1 | m2 | s1 | s2) > 15 || h2 > 9 || m2 > 9 || s2 > 9 {
        return None;
    }
    let (hour, minute, second) = (h1 * 10 + h2, m1 * 10 + m2, s1 * 10 + s2);
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let date_key: &[u8; 10] = s[0..10].try_into().expect("10 bytes");
    if cache.key.as_ref() != Some(date_key) {
        let year = ((digit(0)? * 10 + digit(1)?) * 10 + digit(2)?) * 10 + digit(3)?;
        let month = digit(5)? * 10 + digit(6)?;
        let day = digit(8)? * 10 + digit(9)?;
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        *cache = DateCache {
            key: Some(*date_key),
            year,
            month,
            day,
            days: days_from_civil(i64::from(year), month, day),
        };
    }
    let seconds = i64::from(hour * 3600 + minute * 60 + second);
    Some(cache.days * MS_PER_DAY + seconds * 1000)
}

/// Every shape [`parse_timestamp`] reads, the date through `cache`.
fn parse_any(s: &[u8], cal: &Calendar, cache: &mut DateCache) -> Result<i64, TimeError> {
    let s = s.trim_ascii();
    if s.is_empty() {
        return Err(TimeError::Format);
    }
    if s.iter().all(u8::is_ascii_digit) {
        if s.len() > 16 {
            return Err(TimeError::Range);
        }
        if s.len() <= MAX_SERIAL_DIGITS {
            // 1970-01-02 as Unix seconds, but 2024-03-05 as a spreadsheet's serial date.
            return Err(TimeError::Serial);
        }
        let n = digits(s) as i64;
        return Ok(if s.len() <= MAX_SECONDS_DIGITS {
            n * 1000
        } else {
            n
        });
    }
    // YYYY-MM-DD[T ]HH:MM[:SS[.fraction]][[ ]Z|±HH:MM|±HHMM|±HH|UTC|GMT] (`YYYY/MM/DD` is
    // rewritten to this by the caller, off the fast path).
    if s.len() < 16
        || s[4] != b'-'
        || s[7] != b'-'
        || !matches!(s[10], b'T' | b't' | b' ')
        || s[13] != b':'
    {
        return Err(TimeError::Format);
    }
    let date_key: [u8; 10] = s[0..10].try_into().expect("10 bytes");
    let cached = cache.key == Some(date_key);
    let (year, month, day) = if cached {
        (cache.year, cache.month, cache.day)
    } else {
        (num(&s[0..4])?, num(&s[5..7])?, num(&s[8..10])?)
    };
    let hour = num(&s[11..13])?;
    let minute = num(&s[14..16])?;
    let mut i = 16;
    let mut second = 0;
    let mut millis = 0;
    if i < s.len() && s[i] == b':' {
        if s.len() < i + 3 {
            return Err(TimeError::Format);
        }
        second = num(&s[i + 1..i + 3])?;
        i += 3;
        if i < s.len() && (s[i] == b'.' || s[i] == b',') {
            i += 1;
            let start = i;
            while i < s.len() && s[i].is_ascii_digit() {
                if i - start < 3 {
                    millis = millis * 10 + u32::from(s[i] - b'0');
                }
                i += 1;
            }
            if i == start {
                return Err(TimeError::Format);
            }
            for _ in (i - start)..3 {
                millis *= 10;
            }
        }
    }
    if !(1..=12).contains(&month) || day == 0 || hour > 23 || minute > 59 || second > 59 {
        return Err(TimeError::Range);
    }
    let days = if cached {
        cache.days
    } else {
        if day > days_in_month(year, month) {
            return Err(TimeError::Range);
        }
        let days = days_from_civil(i64::from(year), month, day);
        *cache = DateCache {
            key: Some(date_key),
            year,
            month,
            day,
            days,
        };
        days
    };
    let local_ms = days * MS_PER_DAY
        + i64::from(hour * 3600 + minute * 60 + second) * 1000
        + i64::from(millis);
    let rest = &s[i..];
    let offset_ms: i64 = match rest {
        [] => {
            let naive = NaiveDate::from_ymd_opt(year as i32, month, day)
                .and_then(|d| d.and_hms_milli_opt(hour, minute, second, millis))
                .ok_or(TimeError::Range)?;
            return cal.local_to_instant_ms(naive).ok_or(TimeError::Skipped);
        }
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] | [sign @ (b'+' | b'-'), h1, h2, m1, m2] => {
            offset(*sign, [*h1, *h2], [*m1, *m2])?
        }
        _ => other_offset(rest)?,
    };
    Ok(local_ms - offset_ms)
}

/// Offsets in the shapes RFC 3339 does not allow, off the fast path: after a space, as
/// Twilio and many databases write them (`2024-03-05 14:22:10 +0000`), whole hours as
/// PostgreSQL writes them (`+01`), and `UTC` or `GMT`.
#[cold]
fn other_offset(rest: &[u8]) -> Result<i64, TimeError> {
    let rest = match rest {
        [b' ', tail @ ..] => tail,
        _ => rest,
    };
    match rest {
        [b'Z' | b'z'] => Ok(0),
        [u, t, c] if is_utc_name([*u, *t, *c]) => Ok(0),
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] | [sign @ (b'+' | b'-'), h1, h2, m1, m2] => {
            offset(*sign, [*h1, *h2], [*m1, *m2])
        }
        [sign @ (b'+' | b'-'), h1, h2] => offset(*sign, [*h1, *h2], [b'0', b'0']),
        _ => Err(TimeError::Format),
    }
}

/// An offset from UTC in minutes (`+`/`-`, HH, MM), when it is one.
pub(crate) fn offset_minutes(sign: u8, h: [u8; 2], m: [u8; 2]) -> Option<i32> {
    let ms = offset(sign, h, m).ok()?;
    Some((ms / 60_000) as i32)
}

/// An offset from UTC in milliseconds.
fn offset(sign: u8, h: [u8; 2], m: [u8; 2]) -> Result<i64, TimeError> {
    let h = num(&h)?;
    let m = num(&m)?;
    if h > 23 || m > 59 {
        return Err(TimeError::Range);
    }
    let off = i64::from(h * 3600 + m * 60) * 1000;
    Ok(if sign == b'-' { -off } else { off })
}

/// `UTC` or `GMT`, in any case.
fn is_utc_name(name: [u8; 3]) -> bool {
    let upper = name.map(|b| b.to_ascii_uppercase());
    upper == *b"UTC" || upper == *b"GMT"
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn digits(s: &[u8]) -> u64 {
    s.iter().fold(0u64, |n, b| n * 10 + u64::from(b - b'0'))
}

fn num(s: &[u8]) -> Result<u32, TimeError> {
    if s.iter().all(u8::is_ascii_digit) {
        Ok(digits(s) as u32)
    } else {
        Err(TimeError::Format)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::Tz;

    fn utc() -> Calendar {
        Calendar::new(Tz::UTC)
    }
    fn ms(s: &str) -> i64 {
        chrono::DateTime::parse_from_rfc3339(s)
            .unwrap()
            .timestamp_millis()
    }

    #[test]
    fn rfc3339_with_offsets() {
        let c = utc();
        assert_eq!(
            parse_timestamp(b"2024-03-01T10:00:00Z", &c),
            Ok(ms("2024-03-01T10:00:00Z"))
        );
        assert_eq!(
            parse_timestamp(b"2024-03-01T11:00:00+01:00", &c),
            Ok(ms("2024-03-01T10:00:00Z"))
        );
        assert_eq!(
            parse_timestamp(b"2024-03-01T05:30:00-0430", &c),
            Ok(ms("2024-03-01T10:00:00Z"))
        );
        assert_eq!(
            parse_timestamp(b"2024-03-01t10:00:00.25z", &c),
            Ok(ms("2024-03-01T10:00:00.250Z"))
        );
        assert_eq!(
            parse_timestamp(b" 2024-03-01 10:00:00.123456Z ", &c),
            Ok(ms("2024-03-01T10:00:00.123Z"))
        );
    }

    #[test]
    fn naive_times_are_local_to_the_calendar() {
        let paris = Calendar::new(chrono_tz::Europe::Paris);
        assert_eq!(
            parse_timestamp(b"2024-03-01 11:00", &paris),
            Ok(ms("2024-03-01T10:00:00Z"))
        );
        assert_eq!(
            parse_timestamp(b"2024-07-01T12:00:00", &paris),
            Ok(ms("2024-07-01T10:00:00Z"))
        );
        assert_eq!(
            parse_timestamp(b"2024-03-31 02:30", &paris),
            Err(TimeError::Skipped)
        );
        assert_eq!(
            parse_timestamp(b"2024-03-01 11:00", &utc()),
            Ok(ms("2024-03-01T11:00:00Z"))
        );
    }

    #[test]
    fn slashes_and_offsets_as_exports_write_them() {
        let c = utc();
        for s in [
            "2024-03-01 10:00:00 +0000",
            "2024-03-01 10:00:00 Z",
            "2024-03-01 11:00:00 +01:00",
            "2024-03-01 11:00:00+01",
            "2024-03-01 05:00:00-05",
            "2024-03-01 10:00:00 UTC",
            "2024-03-01T10:00:00gmt",
        ] {
            assert_eq!(
                parse_timestamp(s.as_bytes(), &c),
                Ok(ms("2024-03-01T10:00:00Z")),
                "{s}"
            );
        }
    }

    #[test]
    fn short_numbers_are_not_unix_time() {
        for s in ["0", "45356", "99999"] {
            assert_eq!(
                parse_timestamp(s.as_bytes(), &utc()),
                Err(TimeError::Serial),
                "{s}"
            );
        }
        assert_eq!(parse_timestamp(b"100000", &utc()), Ok(100_000_000));
    }

    #[test]
    fn unix_seconds_and_milliseconds() {
        let c = utc();
        assert_eq!(
            parse_timestamp(b"1709287200", &c),
            Ok(ms("2024-03-01T10:00:00Z"))
        );
        assert_eq!(
            parse_timestamp(b"1709287200123", &c),
            Ok(ms("2024-03-01T10:00:00.123Z"))
        );
    }

    #[test]
    fn bad_timestamps_are_errors() {
        let c = utc();
        for bad in [
            "",
            "yesterday",
            "2024-03-01",
            "2024/03/01 10:00",
            "2024-03-01 10:00 +",
            "2024-03-01 10:00  +01:00",
            "2024-03-01T10:00:00+1",
            "2024-03-01T10:00:00Zx",
        ] {
            assert_eq!(
                parse_timestamp(bad.as_bytes(), &c),
                Err(TimeError::Format),
                "{bad}"
            );
        }
        for bad in [
            "2024-13-01T10:00:00Z",
            "2023-02-29T10:00:00Z",
            "2024-03-01T24:00:00Z",
            "2024-03-01T10:60Z",
        ] {
            assert_eq!(
                parse_timestamp(bad.as_bytes(), &c),
                Err(TimeError::Range),
                "{bad}"
            );
        }
    }

    proptest::proptest! {
        /// A shared date cache never changes a result or an error, whatever came before.
        #[test]
        fn the_date_cache_changes_nothing(
            stamps in proptest::collection::vec(
                (0usize..4, 0u32..30, 0u32..62, 0usize..5),
                1..40,
            )
        ) {
            let dates = ["2024-02-29", "2023-02-29", "2024-13-01", "2025-07-01"];
            let tails = ["Z", "+01:00", "", "x", ".5Z"];
            let paris = Calendar::new(chrono_tz::Europe::Paris);
            let mut cache = DateCache::default();
            for (d, h, m, t) in stamps {
                let text = format!("{}T{h:02}:{m:02}:00{}", dates[d], tails[t]);
                proptest::prop_assert_eq!(
                    parse_timestamp_with(text.as_bytes(), &paris, &mut cache),
                    parse_timestamp(text.as_bytes(), &paris),
                    "{}", text
                );
            }
        }

        /// The shortcut for `YYYY-MM-DDTHH:MM:SSZ` reads what the full parser reads, and
        /// leaves to it everything else: a date out of range (a 29 February of a common
        /// year), a time out of range, a byte that is no digit, another offset, or a naive
        /// time on a day the zone changes its clocks; across days, month ends and leap days
        /// the cached date is never carried over.
        #[test]
        fn the_utc_shortcut_agrees_with_the_full_parser(
            stamps in proptest::collection::vec(
                (0usize..6, 0u32..26, 0u32..62, 0u32..62, 0usize..8),
                1..40,
            )
        ) {
            let dates = ["2024-02-29", "2024-03-01", "2024-03-31", "2023-02-29", "2025-10-26", "2025-10-27"];
            let tails = ["Z", "z", "+01:00", "", "Zx", ".5Z", "+00:00", " Z"];
            let paris = Calendar::new(chrono_tz::Europe::Paris);
            let mut cache = DateCache::default();
            let mut full = DateCache::default();
            for (d, h, m, sec, t) in stamps {
                let mut text = format!("{}T{h:02}:{m:02}:{sec:02}{}", dates[d], tails[t]).into_bytes();
                if h == 25 {
                    text[12] = b'/'; // no digit
                }
                let expected = parse_any(&text, &paris, &mut full);
                proptest::prop_assert_eq!(
                    parse_timestamp_with(&text, &paris, &mut cache),
                    expected,
                    "{}", String::from_utf8_lossy(&text)
                );
                full = cache.clone();
            }
        }
    }

    #[test]
    fn the_utc_shortcut_never_carries_a_day_over() {
        let cal = utc();
        let mut cache = DateCache::default();
        for (text, expected) in [
            ("2024-02-29T23:59:59Z", "2024-02-29T23:59:59Z"),
            ("2024-02-29T12:00:00Z", "2024-02-29T12:00:00Z"),
            ("2024-03-01T00:00:00Z", "2024-03-01T00:00:00Z"),
            ("2024-03-01T00:00:00+01:00", "2024-02-29T23:00:00Z"),
            ("2024-03-01T00:00:01Z", "2024-03-01T00:00:01Z"),
            ("2025-03-01T00:00:01Z", "2025-03-01T00:00:01Z"),
        ] {
            assert_eq!(
                parse_timestamp_with(text.as_bytes(), &cal, &mut cache),
                Ok(ms(expected)),
                "{text}"
            );
        }
        assert_eq!(
            parse_timestamp_with(b"2025-03-01T24:00:00Z", &cal, &mut cache),
            Err(TimeError::Range)
        );
        assert_eq!(
            parse_timestamp_with(b"2025-03-01T2a:00:00Z", &cal, &mut cache),
            Err(TimeError::Format)
        );
    }
}
