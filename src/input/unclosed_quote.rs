//! Spotting a quote that is never closed.
//!
//! The CSV parser reads everything after an opening quote as one field until the next quote
//! (or the end of the file), so an unclosed quote silently turns the rows after it into the
//! text of one field: when that field is in a column waprice does not read, those rows are
//! lost without any error. A field that holds a line break followed by a line like a row of
//! the log is taken for such swallowed rows: reading stops with an error, even under
//! `--skip-invalid`, because where the rows start and end is no longer known. A line is like
//! a row when it has as many separators as the header, or when it is a shorter row (a row may
//! leave out its trailing optional fields): enough separators to reach the direction, the
//! time and the customer, a direction where the direction goes, and digits enough for a time
//! and for a phone number where those go (cells trimmed, as the row parser trims them). Short
//! rows swallowed after a quote opened in the last column had gone unseen, their messages
//! missing from the bill; text such as `A12,in,stock` or `new,customer,promo` is no row.

use super::columns::{ColumnMap, Field};
use super::records::Row;

/// When a field of `record` looks like it swallowed rows of a log with `columns`, separated
/// by `delimiter`: how many of its lines look like rows. `is_direction` tells a direction cell
/// (`outbound`, `in`...).
#[inline]
pub fn swallowed_rows(
    record: &Row,
    columns: &ColumnMap,
    delimiter: u8,
    is_direction: impl Fn(&[u8]) -> bool,
) -> Option<usize> {
    // A record read without a quote holds no line break (and few records hold a quote): the
    // search is not even called.
    if !record.may_hold_line_breaks() {
        return None;
    }
    // The customer's column: `recipient`, else `to` or `from` (a log of both parties).
    let party = [Field::Recipient, Field::To, Field::From]
        .into_iter()
        .find_map(|f| columns.index(f));
    let short = match (
        columns.index(Field::Direction),
        columns.index(Field::Timestamp),
        party,
    ) {
        (Some(direction), Some(time), Some(party)) => Some(ShortRow {
            direction,
            time,
            party,
        }),
        _ => None,
    };
    let shape = Shape {
        separators: columns.header_count().saturating_sub(1).max(1),
        short,
    };
    search(record, &shape, delimiter, &is_direction)
}

/// What a line holds when it is a row of the log.
struct Shape {
    /// The separators of a row as long as the header.
    separators: usize,
    /// Where a shorter row's direction, time and customer are.
    short: Option<ShortRow>,
}

struct ShortRow {
    direction: usize,
    time: usize,
    party: usize,
}

impl ShortRow {
    /// Whether `line`, split by `delimiter`, has a direction, a time and a phone number in
    /// their places: at least 8 digits for a time (`20250801`, an epoch), 7 for a number.
    fn holds(&self, line: &[u8], delimiter: u8, is_direction: &dyn Fn(&[u8]) -> bool) -> bool {
        let digits = |cell: &[u8]| cell.iter().filter(|b| b.is_ascii_digit()).count();
        let (mut direction, mut time, mut party) = (false, 0, 0);
        for (i, cell) in line.split(|&b| b == delimiter).enumerate() {
            let cell = cell.trim_ascii();
            if i == self.direction {
                direction = is_direction(cell);
            }
            if i == self.time {
                time = digits(cell);
            }
            if i == self.party {
                party = digits(cell);
            }
        }
        direction && time >= 8 && party >= 7
    }
}

/// [`swallowed_rows`] for a record that may hold line breaks.
#[inline(never)]
fn search(
    record: &Row,
    shape: &Shape,
    delimiter: u8,
    is_direction: &dyn Fn(&[u8]) -> bool,
) -> Option<usize> {
    // Most records hold no line break at all, even quoted ones.
    memchr::memchr2(b'\n', b'\r', record.as_slice())?;
    let is_row = |line: &[u8]| {
        let separators = line.iter().filter(|&&b| b == delimiter).count();
        separators >= shape.separators
            || shape
                .short
                .as_ref()
                .is_some_and(|short| short.holds(line, delimiter, is_direction))
    };
    let rows: usize = record
        .iter()
        .map(|field| {
            field
                .split(|&b| b == b'\n' || b == b'\r')
                .skip(1)
                .filter(|line| is_row(line))
                .count()
        })
        .sum();
    (rows > 0).then_some(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(fields: &[&str]) -> Row {
        Row::from_fields(fields)
    }

    fn columns(header: &str, delimiter: char) -> ColumnMap {
        let headers: Vec<String> = header.split(delimiter).map(String::from).collect();
        ColumnMap::resolve(&headers, &[], "t.csv").unwrap()
    }

    fn rows(r: &Row, header: &str, delimiter: u8) -> Option<usize> {
        let is_direction = |cell: &[u8]| matches!(cell, b"inbound" | b"outbound");
        swallowed_rows(
            r,
            &columns(header, delimiter as char),
            delimiter,
            is_direction,
        )
    }

    const HEADER: &str = "timestamp,direction,category,recipient,note";

    #[test]
    fn rows_inside_a_field_are_spotted() {
        let r = record(&[
            "2025-09-01T10:00:00Z",
            "inbound",
            "",
            "+33612345678",
            "hello\n2025-09-01T10:05:00Z,outbound,utility,+33612345678,ok\r\n2025-09-02T10:00:00Z,outbound,marketing,+33612345678,ok\n",
        ]);
        assert_eq!(rows(&r, HEADER, b','), Some(2));
        // Rows of a log separated by `;` are rows only when `;` is the separator.
        let semi = record(&["a", "b\nx;y;z;w;v\nx;y;z;w;v"]);
        assert_eq!(rows(&semi, &HEADER.replace(',', ";"), b';'), Some(2));
        assert_eq!(rows(&semi, HEADER, b','), None);
    }

    /// A quote opened in the last column, and rows after it that leave out their trailing
    /// optional fields: fewer separators than the header, but every required column and a
    /// direction. They had gone unseen, and their messages were missing from the bill.
    #[test]
    fn short_rows_with_a_direction_are_spotted() {
        let header = "timestamp,direction,category,recipient,status,note";
        let r = record(&[
            "2025-08-01T10:01:00Z",
            "outbound",
            "marketing",
            "+33612345671",
            "delivered",
            "customer said \"hi\n2025-08-01T10:02:00Z,outbound,marketing,+33612345672,delivered\n2025-08-01T10:03:00Z,outbound,marketing,+33612345673",
        ]);
        assert_eq!(rows(&r, header, b','), Some(2));
        // Too few separators for the required columns, or no direction where it goes: text.
        let text = record(&[
            "t",
            "outbound",
            "m",
            "+1",
            "d",
            "a\nb,outbound,c\nx,maybe,y,z,w",
        ]);
        assert_eq!(rows(&text, header, b','), None);
    }

    #[test]
    fn only_a_quoted_record_is_searched_and_it_still_is() {
        use crate::input::records::Records;
        let input: &[u8] =
            b"timestamp,direction,category,recipient\n1,\"x\n2,3,4,5\n\",a,b\n5,6,7,8\n";
        let mut records = Records::new(input);
        let mut row = Row::default();
        let mut found = Vec::new();
        let header = "timestamp,direction,category,recipient";
        while records.read(&mut row).unwrap() {
            found.push((row.may_hold_line_breaks(), rows(&row, header, b',')));
        }
        assert_eq!(found, vec![(false, None), (true, Some(1)), (false, None)]);
    }

    #[test]
    fn ordinary_multi_line_text_is_not_rows() {
        let r = record(&[
            "2025-09-01T10:00:00Z",
            "inbound",
            "",
            "+33612345678",
            "hello, I would like\nto order, please, now, thanks\r\nthanks",
        ]);
        assert_eq!(rows(&r, HEADER, b','), None);
        assert_eq!(rows(&record(&["a", "b"]), HEADER, b','), None);
    }
}
