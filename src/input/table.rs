//! A log its caller holds as a table (the Python package's Arrow tables) rather than as CSV
//! text: named columns, and each row's cells as text. Its rows are read by the same row parser
//! as a CSV log's records ([`super::reader::LogReader::from_table`]), so every rule of reading
//! a value (timestamps, directions, categories, numbers, column names) is the CSV log's. The
//! one exception is a cell the table holds as a time (an Arrow timestamp): handed over as the
//! instant it is ([`Row::push_time`]) rather than written as text and parsed again.

use super::records::Row;

/// A log as a table: its column names and its rows.
pub trait Table: Send + Sync {
    /// The column names, in order: what a CSV log's header line gives.
    fn header(&self) -> Vec<String>;
    /// A reading of the rows from the first (a log out of time order is read twice). `uses`
    /// says, per column, how the reader reads it.
    fn rows(&self, uses: &[Use]) -> Box<dyn TableRows + Send>;
}

/// One reading of a table's rows, in order.
pub trait TableRows {
    /// Fills `row` (cleared first) with the next row's cells, in header order, each as the
    /// text a CSV log would hold; false after the last row.
    fn next(&mut self, row: &mut Row) -> bool;
}

/// How the reader reads one column of a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Use {
    /// Not at all: any cell will do (an empty one is cheapest).
    Unread,
    /// As text.
    Text,
    /// As a timestamp (`timestamp`, `delivered_at`): a cell the table holds as a time may be
    /// handed over as one ([`Row::push_time`]); one it holds as text, as text.
    Time,
}

/// A cell a table holds as a time, to the millisecond.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CellTime {
    /// An instant: milliseconds since the Unix epoch (a timestamp with a time zone).
    Utc(i64),
    /// A wall-clock time without a zone, as milliseconds since 1970-01-01T00:00 of that
    /// clock: read in the WABA's time zone, as a CSV log's naive times are.
    Local(i64),
}

impl CellTime {
    /// The cell as a CSV log would write it, RFC 3339 to the millisecond (`…Z` for an
    /// instant, no offset for a local time): `2024-03-01T10:00:00`, `…:00.123Z`. What an error
    /// about the cell shows as its value.
    pub fn write_text(self, buf: &mut Vec<u8>) {
        let (ms, utc) = match self {
            CellTime::Utc(ms) => (ms, true),
            CellTime::Local(ms) => (ms, false),
        };
        let days = ms.div_euclid(86_400_000);
        let in_day = ms.rem_euclid(86_400_000);
        write_date(days, buf);
        let secs = (in_day / 1000) as u32;
        buf.push(b'T');
        push_digits(buf, secs / 3600, 2);
        buf.push(b':');
        push_digits(buf, secs / 60 % 60, 2);
        buf.push(b':');
        push_digits(buf, secs % 60, 2);
        // Whole seconds as logs write them; milliseconds when there are.
        if in_day % 1000 != 0 {
            buf.push(b'.');
            push_digits(buf, (in_day % 1000) as u32, 3);
        }
        if utc {
            buf.push(b'Z');
        }
    }
}

/// The civil date of a day count since 1970-01-01 (Howard Hinnant's algorithm).
pub fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// `YYYY-MM-DD`, a day count since 1970-01-01 as a date; a year past 9999 or before 0 with its
/// sign (`+12000-01-01`, `-0001-12-31`), as chrono writes one.
pub fn write_date(days: i64, buf: &mut Vec<u8>) {
    let (y, m, d) = civil(days);
    if !(0..=9999).contains(&y) {
        buf.push(if y < 0 { b'-' } else { b'+' });
        let digits = y.unsigned_abs().to_string();
        for _ in digits.len()..4 {
            buf.push(b'0');
        }
        buf.extend_from_slice(digits.as_bytes());
    } else {
        push_digits(buf, y as u32, 4);
    }
    buf.push(b'-');
    push_digits(buf, m, 2);
    buf.push(b'-');
    push_digits(buf, d, 2);
}

fn push_digits(buf: &mut Vec<u8>, v: u32, width: usize) {
    let mut digits = [b'0'; 10];
    let mut v = v;
    for d in digits[..width].iter_mut().rev() {
        *d = b'0' + (v % 10) as u8;
        v /= 10;
    }
    buf.extend_from_slice(&digits[..width]);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(t: CellTime) -> String {
        let mut buf = Vec::new();
        t.write_text(&mut buf);
        String::from_utf8(buf).unwrap()
    }

    #[test]
    fn a_row_gives_back_its_times_and_their_text_at_any_index() {
        let mut row = Row::default();
        for i in 0..70 {
            match i {
                1 => row.push_time(CellTime::Utc(1_709_287_200_000)),
                69 => row.push_time(CellTime::Local(0)),
                _ => row.push_field(b"x"),
            }
        }
        assert_eq!(row.time(1), Some(CellTime::Utc(1_709_287_200_000)));
        assert_eq!(row.time(69), Some(CellTime::Local(0)));
        assert_eq!(row.time(2), None);
        assert_eq!(&*row.text(69).unwrap(), b"1970-01-01T00:00:00");
        assert_eq!(&*row.text(2).unwrap(), b"x");
        row.clear();
        row.push_field(b"x");
        row.push_field(b"y");
        assert_eq!(row.time(1), None);
    }

    #[test]
    fn times_are_written_as_rfc_3339_to_the_millisecond() {
        assert_eq!(
            text(CellTime::Utc(1_709_287_200_123)),
            "2024-03-01T10:00:00.123Z"
        );
        assert_eq!(
            text(CellTime::Local(951_782_400_000)),
            "2000-02-29T00:00:00"
        );
        assert_eq!(text(CellTime::Utc(-1)), "1969-12-31T23:59:59.999Z");
        assert_eq!(
            text(CellTime::Utc(253_402_300_800_000)),
            "+10000-01-01T00:00:00Z"
        );
    }
}
