//! Spotting a quote that is never closed.
//!
//! The CSV parser reads everything after an opening quote as one field until the next quote
//! (or the end of the file), so an unclosed quote silently turns the rows after it into the
//! text of one field: when that field is in a column waprice does not read, those rows are
//! lost without any error. A field that holds a line break followed by a line with as many
//! separators as a row of the log is taken for such swallowed rows: reading stops with an error,
//! even under `--skip-invalid`, because where the rows start and end is no longer known.

use super::records::Row;

/// When a field of `record` looks like it swallowed rows of a log whose header has
/// `header_count` columns separated by `delimiter`: how many of its lines look like rows.
#[inline]
pub fn swallowed_rows(record: &Row, header_count: usize, delimiter: u8) -> Option<usize> {
    // A record read without a quote holds no line break (and few records hold a quote): the
    // search is not even called.
    if !record.may_hold_line_breaks() {
        return None;
    }
    search(record, header_count, delimiter)
}

/// [`swallowed_rows`] for a record that may hold line breaks.
#[inline(never)]
fn search(record: &Row, header_count: usize, delimiter: u8) -> Option<usize> {
    let row_commas = header_count.saturating_sub(1).max(1);
    // Most records hold no line break at all, even quoted ones.
    memchr::memchr2(b'\n', b'\r', record.as_slice())?;
    let rows: usize = record
        .iter()
        .map(|field| {
            field
                .split(|&b| b == b'\n' || b == b'\r')
                .skip(1)
                .filter(|line| line.iter().filter(|&&b| b == delimiter).count() >= row_commas)
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

    #[test]
    fn rows_inside_a_field_are_spotted() {
        let r = record(&[
            "2025-09-01T10:00:00Z",
            "inbound",
            "",
            "+33612345678",
            "hello\n2025-09-01T10:05:00Z,outbound,utility,+33612345678,ok\r\n2025-09-02T10:00:00Z,outbound,marketing,+33612345678,ok\n",
        ]);
        assert_eq!(swallowed_rows(&r, 5, b','), Some(2));
        // Rows of a log separated by `;` are rows only when `;` is the separator.
        let semi = record(&["a", "b\nx;y;z\nx;y;z"]);
        assert_eq!(swallowed_rows(&semi, 3, b';'), Some(2));
        assert_eq!(swallowed_rows(&semi, 3, b','), None);
    }

    #[test]
    fn only_a_quoted_record_is_searched_and_it_still_is() {
        use crate::input::records::Records;
        let input: &[u8] = b"a,b,c\n1,\"x\n2,3,4\n\"\n5,6,7\n";
        let mut records = Records::new(input);
        let mut row = Row::default();
        let mut found = Vec::new();
        while records.read(&mut row).unwrap() {
            found.push((row.may_hold_line_breaks(), swallowed_rows(&row, 3, b',')));
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
            "hello, I would like\nto order, please\r\nthanks",
        ]);
        assert_eq!(swallowed_rows(&r, 5, b','), None);
        assert_eq!(swallowed_rows(&record(&["a", "b"]), 2, b','), None);
    }
}
