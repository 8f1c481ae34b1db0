//! How a log writes its dates: read without options (ISO 8601 / RFC 3339 on the fast path of
//! [`super::time`], then RFC 2822 and fractional Unix seconds), or as `--date-format` says: a
//! strftime pattern, `excel` (a spreadsheet's serial days) or `unix`.
//!
//! Day-first and month-first dates (`05/03/2024`) are never guessed: the error for one names
//! the `--date-format` pattern that reads it, both orders when the value fits both.

use super::time::MAX_SERIAL_DIGITS;
use super::time::{parse_timestamp_with, DateCache, TimeError, MAX_SECONDS_DIGITS};
use crate::calendar::Calendar;
use crate::error::cut;
use chrono::format::{Item, Parsed};
use chrono::{DateTime, Days, NaiveDate, NaiveDateTime};
use std::borrow::Cow;

/// `--date-format`.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum DateFormat {
    /// The shapes read without options.
    #[default]
    Auto,
    /// Serial days in the 1900 date system (45356 = 2024-03-05), the fraction the time of day.
    Excel,
    /// Unix seconds (with a fraction or not), or milliseconds from 12 digits on.
    Unix,
    /// A strftime pattern (`%d/%m/%Y %H:%M`).
    Pattern(DatePattern),
}

/// A strftime pattern, parsed once.
#[derive(Debug, Clone, PartialEq)]
pub struct DatePattern {
    text: String,
    items: Vec<Item<'static>>,
}

/// Reads `--date-format`: `excel`, `unix` or a strftime pattern that reads a date and a time
/// of day. The error says what is wrong, with an example.
impl std::str::FromStr for DateFormat {
    type Err = String;

    fn from_str(arg: &str) -> Result<DateFormat, String> {
        let trimmed = arg.trim();
        if trimmed.eq_ignore_ascii_case("excel") {
            return Ok(DateFormat::Excel);
        }
        if trimmed.eq_ignore_ascii_case("unix") {
            return Ok(DateFormat::Unix);
        }
        if !arg.contains('%') {
            return Err(format!(
                "--date-format {}: not a strftime pattern, excel or unix",
                cut(arg)
            ));
        }
        if arg.replace("%%", "").contains("%Z") {
            return Err(format!(
                "--date-format '{}': a time zone name (%Z) cannot be read: names such as CST are ambiguous",
                cut(arg)
            ));
        }
        let pattern = DatePattern::new(arg)
            .ok_or_else(|| format!("--date-format '{}': not a valid strftime pattern", cut(arg)))?;
        if !pattern.reads_date_and_time() {
            return Err(format!(
                "--date-format '{}': the pattern must read the date and the time of day (at least hours and minutes)",
                cut(arg)
            ));
        }
        Ok(DateFormat::Pattern(pattern))
    }
}

impl DateFormat {
    /// What `--date-format` was, for messages (`auto` when it was not given).
    pub fn describe(&self) -> Cow<'_, str> {
        match self {
            DateFormat::Auto => "auto".into(),
            DateFormat::Excel => "excel".into(),
            DateFormat::Unix => "unix".into(),
            DateFormat::Pattern(p) => format!("'{}'", p.text).into(),
        }
    }
}

/// Parses a timestamp written as `format` says, to milliseconds since the Unix epoch. The
/// shapes read without options go through the allocation-free fast path first.
pub fn parse_time(
    s: &[u8],
    cal: &Calendar,
    format: &DateFormat,
    cache: &mut DateCache,
) -> Result<i64, TimeError> {
    match format {
        DateFormat::Auto => match parse_timestamp_with(s, cal, cache) {
            Err(TimeError::Format) => parse_other(s, cal, format, cache),
            done => done,
        },
        _ => parse_other(s, cal, format, cache),
    }
}

/// [`parse_time`] off the fast path: without options, a shape the fast path does not read
/// (it said [`TimeError::Format`]); with `--date-format`, every timestamp.
#[cold]
#[inline(never)]
pub fn parse_other(
    s: &[u8],
    cal: &Calendar,
    format: &DateFormat,
    cache: &mut DateCache,
) -> Result<i64, TimeError> {
    let s = s.trim_ascii();
    match format {
        DateFormat::Auto => other_shapes(s, cal, cache),
        DateFormat::Excel => excel(s, cal),
        DateFormat::Unix => unix(s),
        DateFormat::Pattern(p) => p.parse(s, cal),
    }
}

/// Shapes read without options that the fast path does not know: `YYYY/MM/DD …`, fractional
/// Unix seconds and RFC 2822. A numeric day/month date is named as such, for its hint.
fn other_shapes(s: &[u8], cal: &Calendar, cache: &mut DateCache) -> Result<i64, TimeError> {
    if s.len() >= 16 && s.len() <= 64 && s[4] == b'/' && s[7] == b'/' {
        // 2024/03/05 14:22:10: the ISO shape with slashes, read by the fast path as dashes.
        let mut dashed = [0u8; 64];
        let dashed = &mut dashed[..s.len()];
        dashed.copy_from_slice(s);
        dashed[4] = b'-';
        dashed[7] = b'-';
        return parse_timestamp_with(dashed, cal, cache);
    }
    if let Some((int, frac)) = split_number(s) {
        return if int.len() <= MAX_SERIAL_DIGITS {
            Err(TimeError::Serial)
        } else {
            unix_seconds(int, frac)
        };
    }
    if let Some(t) = rfc2822_as_written(s, cal, cache) {
        return Ok(t);
    }
    let text = std::str::from_utf8(s).map_err(|_| TimeError::Format)?;
    if text.starts_with(|c: char| c.is_ascii_alphabetic() || c.is_ascii_digit()) {
        if let Ok(t) = DateTime::parse_from_rfc2822(text) {
            return Ok(t.timestamp_millis());
        }
    }
    if numeric_date(s).is_some() {
        return Err(TimeError::DayMonth);
    }
    Err(TimeError::Format)
}

/// RFC 2822 as machines write it (`Tue, 05 Mar 2024 14:22:10 +0000`: Twilio's exports, by
/// the million), rewritten as ISO and read on the fast path with its date cache. Anything
/// else, or a weekday that does not match the date, is left to chrono's full parser.
fn rfc2822_as_written(s: &[u8], cal: &Calendar, cache: &mut DateCache) -> Option<i64> {
    const MONTHS: [&[u8; 3]; 12] = [
        b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov",
        b"Dec",
    ];
    const DAYS: [&[u8; 3]; 7] = [b"Thu", b"Fri", b"Sat", b"Sun", b"Mon", b"Tue", b"Wed"];
    let [w0, w1, w2, b',', b' ', d1, d2, b' ', m0, m1, m2, b' ', y0, y1, y2, y3, b' ', h1, h2, b':', n1, n2, b':', s1, s2, b' ', sign @ (b'+' | b'-'), z1, z2, z3, z4] =
        *s
    else {
        return None;
    };
    let month = MONTHS.iter().position(|m| **m == [m0, m1, m2])? + 1;
    let iso = [
        y0,
        y1,
        y2,
        y3,
        b'-',
        b'0' + (month / 10) as u8,
        b'0' + (month % 10) as u8,
        b'-',
        d1,
        d2,
        b'T',
        h1,
        h2,
        b':',
        n1,
        n2,
        b':',
        s1,
        s2,
        sign,
        z1,
        z2,
        z3,
        z4,
    ];
    let t = parse_timestamp_with(&iso, cal, cache).ok()?;
    // The weekday of the date as written (in its own offset) must be the one named.
    let offset = i64::from(super::time::offset_minutes(sign, [z1, z2], [z3, z4])?) * 60_000;
    let day = (t + offset).div_euclid(86_400_000).rem_euclid(7) as usize;
    (*DAYS[day] == [w0, w1, w2]).then_some(t)
}

/// `digits[.digits]` (or with a decimal comma): the integer and fraction digits.
fn split_number(s: &[u8]) -> Option<(&[u8], &[u8])> {
    let at = s.iter().position(|&b| b == b'.' || b == b',');
    let (int, frac) = match at {
        Some(i) => (&s[..i], &s[i + 1..]),
        None => (s, &s[s.len()..]),
    };
    let digits = |p: &[u8]| p.iter().all(u8::is_ascii_digit);
    (!int.is_empty() && digits(int) && digits(frac) && (at.is_none() || !frac.is_empty()))
        .then_some((int, frac))
}

fn number(digits: &[u8]) -> u64 {
    digits.iter().fold(0u64, |n, b| {
        n.saturating_mul(10).saturating_add(u64::from(b - b'0'))
    })
}

/// The first three digits of a fraction, as milliseconds.
fn millis(frac: &[u8]) -> i64 {
    let mut ms = 0;
    for i in 0..3 {
        ms = ms * 10 + frac.get(i).map_or(0, |b| i64::from(b - b'0'));
    }
    ms
}

/// Unix seconds with a fraction (`1709287200.5`); 12 digits or more are milliseconds, which
/// take no fraction.
fn unix_seconds(int: &[u8], frac: &[u8]) -> Result<i64, TimeError> {
    if int.len() > 16 {
        return Err(TimeError::Range);
    }
    let n = number(int) as i64;
    if int.len() <= MAX_SECONDS_DIGITS {
        Ok(n * 1000 + millis(frac))
    } else if frac.is_empty() {
        Ok(n)
    } else {
        Err(TimeError::Format)
    }
}

/// `--date-format unix`: any number of digits is Unix time, as the user said so.
fn unix(s: &[u8]) -> Result<i64, TimeError> {
    let (int, frac) = split_number(s).ok_or(TimeError::Pattern)?;
    unix_seconds(int, frac)
}

/// Days from 1899-12-30 to 1970-01-01: serial day 0 in Excel's 1900 date system, which
/// counts 1900-02-29 (a day that never was), so that serial days from 61 (1900-03-01) on
/// are days since 1899-12-30.
const EXCEL_EPOCH: NaiveDate = match NaiveDate::from_ymd_opt(1899, 12, 30) {
    Some(d) => d,
    None => panic!("a valid date"),
};

/// `--date-format excel`: serial days, the fraction the time of day in `--timezone`,
/// rounded to the second (spreadsheets store times as binary fractions of a day).
fn excel(s: &[u8], cal: &Calendar) -> Result<i64, TimeError> {
    let (int, frac) = split_number(s).ok_or(TimeError::Pattern)?;
    let naive = excel_naive(int, frac).ok_or(TimeError::Range)?;
    cal.local_to_instant_ms(naive).ok_or(TimeError::Skipped)
}

fn excel_naive(int: &[u8], frac: &[u8]) -> Option<NaiveDateTime> {
    if int.len() > 7 {
        return None;
    }
    // The fraction's first 18 digits, exactly: seconds = round(frac * 86400).
    let frac = &frac[..frac.len().min(18)];
    let scale = 10u128.pow(frac.len() as u32);
    let secs = (u128::from(number(frac)) * 86_400 * 2 + scale) / (2 * scale);
    let days = number(int) + (secs / 86_400) as u64;
    let secs = (secs % 86_400) as u32;
    let date = EXCEL_EPOCH.checked_add_days(Days::new(days))?;
    date.and_hms_opt(secs / 3600, secs / 60 % 60, secs % 60)
}

impl DatePattern {
    fn new(text: &str) -> Option<DatePattern> {
        let items = chrono::format::StrftimeItems::new(text)
            .parse_to_owned()
            .ok()?;
        Some(DatePattern {
            text: text.to_string(),
            items,
        })
    }

    /// A pattern's own rendering of 2024-03-05 14:22:10 +01:00 reads back as that minute.
    fn reads_date_and_time(&self) -> bool {
        use std::fmt::Write;
        let sample = DateTime::parse_from_rfc3339("2024-03-05T14:22:10+01:00").expect("valid");
        let mut text = String::new();
        if write!(text, "{}", sample.format_with_items(self.items.iter())).is_err() {
            return false;
        }
        let utc = Calendar::new(chrono_tz::Tz::UTC);
        let Ok(ms) = self.parse(text.as_bytes(), &utc) else {
            return false;
        };
        // Read as an instant (with its offset) or as a local time: both are right.
        let minute = |ms: i64| ms.div_euclid(60_000);
        let instant = sample.timestamp_millis();
        let local = sample.naive_local().and_utc().timestamp_millis();
        minute(ms) == minute(instant) || minute(ms) == minute(local)
    }

    fn parse(&self, s: &[u8], cal: &Calendar) -> Result<i64, TimeError> {
        use chrono::format::ParseErrorKind;
        let text = std::str::from_utf8(s).map_err(|_| TimeError::Pattern)?;
        let mut parsed = Parsed::new();
        chrono::format::parse(&mut parsed, text, self.items.iter()).map_err(|e| {
            match e.kind() {
                ParseErrorKind::OutOfRange | ParseErrorKind::Impossible => TimeError::Range,
                _ => TimeError::Pattern,
            }
        })?;
        if parsed.offset().is_some() || parsed.timestamp().is_some() {
            return parsed
                .to_datetime()
                .map(|t| t.timestamp_millis())
                .map_err(|_| TimeError::Range);
        }
        let naive = parsed
            .to_naive_datetime_with_offset(0)
            .map_err(|_| TimeError::Range)?;
        cal.local_to_instant_ms(naive).ok_or(TimeError::Skipped)
    }
}

/// A date that starts with three numbers `A sep B sep C` (sep one of `/ . -`): the numbers'
/// digit runs.
struct NumericDate<'a> {
    parts: [&'a [u8]; 3],
}

fn numeric_date(s: &[u8]) -> Option<NumericDate<'_>> {
    let run = |from: usize| {
        let len = s[from..].iter().take_while(|b| b.is_ascii_digit()).count();
        (len > 0).then(|| &s[from..from + len])
    };
    let a = run(0)?;
    let sep = *s.get(a.len())?;
    if !matches!(sep, b'/' | b'.' | b'-') {
        return None;
    }
    let b = run(a.len() + 1)?;
    if s.get(a.len() + 1 + b.len()) != Some(&sep) {
        return None;
    }
    let c = run(a.len() + b.len() + 2)?;
    let ok = matches!(
        (a.len(), b.len(), c.len()),
        (4, 1 | 2, 1 | 2) | (1 | 2, 1 | 2, 2 | 4)
    );
    ok.then_some(NumericDate { parts: [a, b, c] })
}

/// The hint for a value that could not be read as `format` says.
pub fn hint(e: TimeError, value: &[u8], format: &DateFormat) -> Cow<'static, str> {
    match (e, format) {
        (TimeError::Serial, _) => serial_hint(value).map_or(e.hint().into(), Cow::Owned),
        (TimeError::DayMonth | TimeError::Format | TimeError::Pattern, _) => {
            match suggest(value.trim_ascii()) {
                Some(s) => s.into(),
                None if e == TimeError::Pattern => format!(
                    "every date of the log must be written as --date-format {} says; fix the row, or pass --skip-invalid to skip and count it",
                    format.describe()
                )
                .into(),
                None => e.hint().into(),
            }
        }
        _ => e.hint().into(),
    }
}

/// "45356 is 2024-03-05 as a spreadsheet's serial date: add --date-format excel".
fn serial_hint(value: &[u8]) -> Option<String> {
    let (int, frac) = split_number(value.trim_ascii())?;
    let t = excel_naive(int, frac)?;
    let shown = if frac.is_empty() {
        t.format("%Y-%m-%d").to_string()
    } else {
        t.format("%Y-%m-%d %H:%M:%S").to_string()
    };
    Some(format!(
        "as a spreadsheet's serial date this is {shown}: add --date-format excel"
    ))
}

/// For a value the options cannot read, the `--date-format` that reads it: built from the
/// value's shape, and checked on it. Day/month dates get both orders when both fit.
fn suggest(value: &[u8]) -> Option<String> {
    let date = numeric_date(value)?;
    let [a, b, c] = date.parts;
    let sep = char::from(value[a.len()]);
    let rest = std::str::from_utf8(&value[a.len() + b.len() + c.len() + 2..]).ok()?;
    let time = time_pattern(rest)?;
    let year = if c.len() == 2 { "%y" } else { "%Y" };
    let utc = Calendar::new(chrono_tz::Tz::UTC);
    let check = |p: String| {
        let pattern = DatePattern::new(&p)?;
        let ms = pattern.parse(value, &utc).ok()?;
        let day = DateTime::from_timestamp_millis(ms)?
            .naive_utc()
            .format("%-d %B %Y")
            .to_string();
        Some((p, day))
    };
    if a.len() == 4 {
        let (p, _) = check(format!("%Y{sep}%m{sep}%d{time}"))?;
        return Some(format!("add --date-format '{p}'"));
    }
    let day_first = check(format!("%d{sep}%m{sep}{year}{time}"));
    let month_first = check(format!("%m{sep}%d{sep}{year}{time}"));
    Some(match (day_first, month_first) {
        (Some((d, dd)), Some((m, md))) => format!(
            "add --date-format '{d}' if this is {dd} (day first), or --date-format '{m}' if it is {md} (month first)"
        ),
        (Some((d, dd)), None) => {
            format!("the day comes first ({dd}): add --date-format '{d}'")
        }
        (None, Some((m, md))) => {
            format!("the month comes first ({md}): add --date-format '{m}'")
        }
        (None, None) => return None,
    })
}

/// The strftime pattern of what follows a numeric date: `[ |T]H:M[:S[.f]][ AM|PM][ offset]`.
fn time_pattern(rest: &str) -> Option<String> {
    let mut out = String::new();
    let mut s = rest;
    let sep = s.chars().next()?;
    if !matches!(sep, ' ' | 'T' | ',') {
        return None;
    }
    // ", " after the date as some exports write it.
    let lead = if s.starts_with(", ") { 2 } else { 1 };
    out.push_str(&s[..lead]);
    s = &s[lead..];
    let twelve_hour = {
        let upper = s.to_ascii_uppercase();
        upper.ends_with("AM") || upper.ends_with("PM")
    };
    let fields = ["%H", "%M", "%S"];
    let mut field = 0;
    loop {
        let digits = s.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 || digits > 2 {
            return None;
        }
        out.push_str(if field == 0 && twelve_hour {
            "%I"
        } else {
            fields[field]
        });
        s = &s[digits..];
        field += 1;
        match s.strip_prefix(':') {
            Some(next) if field < 3 => s = next,
            _ => break,
        }
        out.push(':');
    }
    if field < 2 {
        return None;
    }
    if field == 3 {
        if let Some(next) = s.strip_prefix(['.', ',']) {
            let digits = next.bytes().take_while(u8::is_ascii_digit).count();
            if digits == 0 {
                return None;
            }
            out.push_str("%.f");
            s = &next[digits..];
        }
    }
    let t = s.trim_start();
    if twelve_hour {
        out.push_str(&s[..s.len() - t.len()]);
        out.push_str("%p");
        s = &t[2..];
    }
    if s.is_empty() {
        return Some(out);
    }
    let t = s.trim_start();
    out.push_str(&s[..s.len() - t.len()]);
    match t {
        "Z" | "z" => out.push('Z'),
        _ if t.starts_with(['+', '-']) && t.len() >= 3 => out.push_str("%z"),
        _ => return None,
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc() -> Calendar {
        Calendar::new(chrono_tz::Tz::UTC)
    }

    fn ms(s: &str) -> i64 {
        DateTime::parse_from_rfc3339(s).unwrap().timestamp_millis()
    }

    fn auto(s: &str) -> Result<i64, TimeError> {
        parse_time(
            s.as_bytes(),
            &utc(),
            &DateFormat::Auto,
            &mut DateCache::default(),
        )
    }

    fn with(format: &str, s: &str) -> Result<i64, TimeError> {
        let format: DateFormat = format.parse().unwrap();
        parse_time(s.as_bytes(), &utc(), &format, &mut DateCache::default())
    }

    #[test]
    fn shapes_read_without_options() {
        let t = ms("2024-03-05T14:22:10Z");
        for s in [
            "2024-03-05T14:22:10Z",
            "2024-03-05 14:22:10",
            "2024-03-05T14:22:10",
            "2024-03-05 14:22:10 +0000",
            "2024-03-05 15:22:10 +01:00",
            "2024-03-05 15:22:10+01",
            "2024-03-05 14:22:10 UTC",
            "2024-03-05 14:22:10 GMT",
            "2024/03/05 14:22:10",
            "Tue, 05 Mar 2024 14:22:10 +0000",
            "05 Mar 2024 15:22:10 +0100",
            "Tue, 05 Mar 2024 14:22:10 GMT",
            "Tue, 05 Mar 2024 09:22:10 -0500",
            "1709648530",
            "1709648530000",
            "1709648530.0",
        ] {
            assert_eq!(auto(s), Ok(t), "{s}");
        }
        assert_eq!(auto("2024/03/05 14:22"), Ok(ms("2024-03-05T14:22:00Z")));
        assert_eq!(auto("1709648530.25"), Ok(ms("2024-03-05T14:22:10.250Z")));
    }

    proptest::proptest! {
        /// RFC 2822 read on the fast path gives chrono's answer, wrong weekdays included.
        #[test]
        fn rfc2822_as_written_is_chronos(
            secs in 1_600_000_000i64..2_000_000_000,
            offset_min in -720i32..=840,
            weekday_shift in 0u32..7,
        ) {
            let zone = chrono::FixedOffset::east_opt(offset_min * 60).unwrap();
            let t = DateTime::from_timestamp(secs, 0).unwrap().with_timezone(&zone);
            let mut text = t.format("%a, %d %b %Y %H:%M:%S %z").to_string();
            if weekday_shift > 0 {
                let names = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
                let i = names.iter().position(|n| text.starts_with(n)).unwrap();
                text.replace_range(0..3, names[(i + weekday_shift as usize) % 7]);
            }
            let chrono = DateTime::parse_from_rfc2822(&text).map(|t| t.timestamp_millis()).ok();
            let ours = auto(&text).ok();
            proptest::prop_assert_eq!(ours, chrono, "{}", text);
            if weekday_shift == 0 {
                proptest::prop_assert_eq!(
                    rfc2822_as_written(text.as_bytes(), &utc(), &mut DateCache::default()),
                    Some(secs * 1000),
                    "{}", text
                );
            }
        }
    }

    #[test]
    fn serial_dates_and_day_month_dates_are_never_guessed() {
        for s in ["45356", "45356.5", "45356,5", "0", "99999"] {
            assert_eq!(auto(s), Err(TimeError::Serial), "{s}");
        }
        for s in [
            "05/03/2024 14:22",
            "05.03.2024 14:22:10",
            "5-3-24 14:22",
            "25/03/2024",
        ] {
            assert_eq!(auto(s), Err(TimeError::DayMonth), "{s}");
        }
    }

    #[test]
    fn excel_serial_days() {
        assert_eq!(with("excel", "45356"), Ok(ms("2024-03-05T00:00:00Z")));
        assert_eq!(
            with("excel", "45356.5990509259"),
            Ok(ms("2024-03-05T14:22:38Z"))
        );
        // 14:22:10 is 0.598726851851... of a day: a spreadsheet stores it rounded.
        assert_eq!(
            with("excel", "45356.598726852"),
            Ok(ms("2024-03-05T14:22:10Z"))
        );
        assert_eq!(
            with("excel", "45356,598726852"),
            Ok(ms("2024-03-05T14:22:10Z"))
        );
        // Rounding up to midnight is the next day.
        assert_eq!(
            with("excel", "45356.999999999"),
            Ok(ms("2024-03-06T00:00:00Z"))
        );
        assert_eq!(with("excel", "2024-03-05"), Err(TimeError::Pattern));
        let paris = Calendar::new(chrono_tz::Europe::Paris);
        let f: DateFormat = "excel".parse().unwrap();
        assert_eq!(
            parse_time(b"45356.5", &paris, &f, &mut DateCache::default()),
            Ok(ms("2024-03-05T11:00:00Z"))
        );
    }

    #[test]
    fn unix_and_patterns() {
        assert_eq!(with("unix", "45356"), Ok(45_356_000));
        assert_eq!(with("unix", "1709648530"), Ok(ms("2024-03-05T14:22:10Z")));
        assert_eq!(with("unix", "2024-03-05"), Err(TimeError::Pattern));
        assert_eq!(
            with("%d/%m/%Y %H:%M", "05/03/2024 14:22"),
            Ok(ms("2024-03-05T14:22:00Z"))
        );
        assert_eq!(
            with("%m/%d/%Y %H:%M", "05/03/2024 14:22"),
            Ok(ms("2024-05-03T14:22:00Z"))
        );
        assert_eq!(
            with("%d.%m.%Y %H:%M:%S", "5.3.2024 9:02:10"),
            Ok(ms("2024-03-05T09:02:10Z"))
        );
        assert_eq!(
            with("%d/%m/%Y %H:%M %z", "05/03/2024 15:22 +0100"),
            Ok(ms("2024-03-05T14:22:00Z"))
        );
        assert_eq!(
            with("%d/%m/%Y %H:%M", "2024-03-05 14:22"),
            Err(TimeError::Pattern)
        );
        assert_eq!(
            with("%d/%m/%Y %H:%M", "31/02/2024 14:22"),
            Err(TimeError::Range)
        );
    }

    #[test]
    fn bad_date_formats_are_refused_with_the_reason() {
        for (arg, why) in [
            ("dd/mm/yyyy", "not a strftime pattern, excel or unix"),
            ("%d/%m/%Y", "must read the date and the time of day"),
            ("%H:%M", "must read the date and the time of day"),
            ("%Q %d", "not a valid strftime pattern"),
            ("%d/%m/%Y %H:%M %Z", "a time zone name (%Z) cannot be read"),
        ] {
            let e = arg.parse::<DateFormat>().unwrap_err();
            assert!(e.contains(why), "{arg}: {e}");
        }
        let long = format!("x{}", "y".repeat(5000));
        assert!(long.parse::<DateFormat>().unwrap_err().len() < 200);
    }

    #[test]
    fn hints_name_the_pattern_that_reads_the_value() {
        let h = |s: &str| hint(auto(s).unwrap_err(), s.as_bytes(), &DateFormat::Auto);
        assert_eq!(
            h("05/03/2024 14:22"),
            "add --date-format '%d/%m/%Y %H:%M' if this is 5 March 2024 (day first), or --date-format '%m/%d/%Y %H:%M' if it is 3 May 2024 (month first)"
        );
        assert_eq!(
            h("25.03.2024 14:22:10"),
            "the day comes first (25 March 2024): add --date-format '%d.%m.%Y %H:%M:%S'"
        );
        assert_eq!(
            h("3/25/24 2:22 PM"),
            "the month comes first (25 March 2024): add --date-format '%m/%d/%y %I:%M %p'"
        );
        assert_eq!(
            h("2024.03.05 14:22:10.123"),
            "add --date-format '%Y.%m.%d %H:%M:%S%.f'"
        );
        assert!(h("45356").contains("2024-03-05: add --date-format excel"));
        assert!(h("45356.5").contains("2024-03-05 12:00:00"));
        assert!(h("yesterday").contains("--date-format"));
        // Under a pattern, a row in another shape is told the pattern that reads it.
        let f: DateFormat = "%d/%m/%Y %H:%M".parse().unwrap();
        let e = with("%d/%m/%Y %H:%M", "05/03/2024 14:22:10").unwrap_err();
        assert!(hint(e, b"05/03/2024 14:22:10", &f).contains("'%d/%m/%Y %H:%M:%S'"));
        let e = with("%d/%m/%Y %H:%M", "soon").unwrap_err();
        assert!(hint(e, b"soon", &f).contains("as --date-format '%d/%m/%Y %H:%M' says"));
    }
}
