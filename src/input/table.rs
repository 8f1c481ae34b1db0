//! A log its caller holds as a table (the Python package's Arrow tables) rather than as CSV
//! text: named columns of text cells, read where they lie (Arrow's layout: offsets into the
//! bytes of the cells, a validity bitmap), never copied into rows. Its rows are read by the
//! same row parser as a CSV log's records ([`super::records::Record`],
//! [`super::reader::LogReader::from_table`]), so every rule of reading a value (timestamps,
//! directions, categories, numbers, column names) is the CSV log's. The one exception is a
//! cell the table holds as a time (an Arrow timestamp): read as the instant it is rather than
//! written as text and parsed again.

use super::records::Record;
use std::sync::Arc;

/// A log as a table: its column names and its rows.
pub trait Table: Send + Sync {
    /// The column names, in order: what a CSV log's header line gives.
    fn header(&self) -> Vec<String>;
    /// The table's rows, batch by batch, each column as the reader reads it: `uses` says
    /// how, per column. Called once per reading (a log out of time order is read twice).
    fn batches(&self, uses: &[Use]) -> Vec<Batch>;
}

/// Bytes held by something else (an Arrow buffer, or text a caller wrote out), shared and
/// read where they lie: a table's cells are never copied into rows.
pub type Shared = Arc<dyn AsRef<[u8]> + Send + Sync>;

/// Some rows of a table, column by column.
pub struct Batch {
    /// How many rows.
    pub rows: usize,
    /// Its columns, in header order.
    pub columns: Vec<Column>,
}

/// One column of a [`Batch`] as the reader reads it.
pub enum Column {
    /// A column the reader does not read: every cell is empty.
    Unread,
    /// Text: row `i`'s cell is `values[offsets[i]..offsets[i + 1]]` (Arrow's layout of a
    /// string column).
    Text {
        /// Where each cell starts and ends in `values`.
        offsets: Offsets,
        /// The cells' bytes, back to back.
        values: Shared,
        /// The nulls, if the column has any.
        nulls: Option<Nulls>,
    },
    /// Dictionary-encoded text (pandas and Polars categoricals): row `i`'s cell is cell
    /// `keys[i]` of `values` (a text column), [`Column::NULL_KEY`] an empty cell.
    Dictionary {
        /// Each row's key.
        keys: Vec<u32>,
        /// The dictionary: cell `k` of this text column.
        offsets: Offsets,
        /// The dictionary's bytes.
        values: Shared,
    },
    /// A column of another type (numbers, dates, ...), written out as text a range of rows
    /// at a time: `write(first, end)` gives rows `first..end` as a text column (row `first`
    /// its row 0), so that the text of a whole column is never held at once.
    Written(Arc<dyn Fn(usize, usize) -> Column + Send + Sync>),
    /// Times: row `i`'s cell is the little-endian `i64` at `values[8 * i..]`, in units of
    /// `1 / per_second` s, an instant (`utc`) or a wall-clock time without a zone.
    Times {
        /// The times, eight bytes each.
        values: Shared,
        /// Units per second: 1, 1,000, 1,000,000 or 1,000,000,000.
        per_second: i64,
        /// An instant (a timestamp with a time zone), or a wall-clock time.
        utc: bool,
        /// The nulls, if the column has any.
        nulls: Option<Nulls>,
    },
}

/// A text column's offsets into its values: little-endian, one more than its rows.
pub enum Offsets {
    /// 32-bit offsets (Arrow's `utf8`).
    I32(Shared),
    /// 64-bit offsets (Arrow's `large_utf8`).
    I64(Shared),
}

/// Which cells of a column hold a value: bit `offset + i` (least significant bit first) for
/// row `i`, 1 for a value, 0 for a null (an empty cell).
pub struct Nulls {
    /// The validity bitmap.
    pub bits: Shared,
    /// The bit of the column's first row.
    pub offset: usize,
}

impl Column {
    /// The key of a null row in a [`Column::Dictionary`].
    pub const NULL_KEY: u32 = u32::MAX;

    /// Whether the column is a [`Column::Written`].
    pub fn is_written(&self) -> bool {
        matches!(self, Column::Written(_))
    }

    /// Rows `first..end` of a [`Column::Written`] written out; `None` for a column read where
    /// it lies.
    pub fn write(&self, first: usize, end: usize) -> Option<Column> {
        match self {
            Column::Written(write) => Some(write(first, end)),
            _ => None,
        }
    }
}

/// How many rows of a [`Column::Written`] are written out at a time: a few megabytes of text
/// (a few rows in tests, so that they cross the ranges' ends).
#[cfg(not(test))]
pub const WRITTEN_ROWS: usize = 1 << 16;
/// [`WRITTEN_ROWS`] in tests.
#[cfg(test)]
pub const WRITTEN_ROWS: usize = 3;

/// A text [`Column`] of cells written out one by one: what a table whose column holds
/// something other than text or times (numbers, dates, dictionary codes) gives the reader.
pub struct TextColumn {
    offsets: Vec<u8>,
    values: Vec<u8>,
}

impl Default for TextColumn {
    fn default() -> Self {
        TextColumn {
            offsets: 0i64.to_le_bytes().to_vec(),
            values: Vec::new(),
        }
    }
}

impl TextColumn {
    /// Appends the next row's cell (empty for a null).
    pub fn push(&mut self, cell: &[u8]) {
        self.values.extend_from_slice(cell);
        self.offsets
            .extend_from_slice(&(self.values.len() as i64).to_le_bytes());
    }

    /// The column.
    pub fn finish(self) -> Column {
        Column::Text {
            offsets: Offsets::I64(Arc::new(self.offsets)),
            values: Arc::new(self.values),
            nulls: None,
        }
    }
}

/// A [`Column`]'s bytes, looked up once per run of rows rather than per cell.
#[derive(Clone, Copy)]
enum ColumnBytes<'a> {
    Unread,
    Text {
        texts: Texts<'a>,
        nulls: Option<(&'a [u8], usize)>,
    },
    Times {
        values: &'a [u8],
        per_second: i64,
        utc: bool,
        nulls: Option<(&'a [u8], usize)>,
    },
    Dictionary {
        keys: &'a [u32],
        texts: Texts<'a>,
    },
}

/// Text cells by Arrow's layout: cell `k` is `values[offsets[k]..offsets[k + 1]]`, the
/// offsets 32- or 64-bit (`wide`).
#[derive(Clone, Copy)]
struct Texts<'a> {
    offsets: &'a [u8],
    wide: bool,
    values: &'a [u8],
}

impl<'a> Texts<'a> {
    fn of(offsets: &'a Offsets, values: &'a Shared) -> Texts<'a> {
        let (offsets, wide) = match offsets {
            Offsets::I32(o) => ((**o).as_ref(), false),
            Offsets::I64(o) => ((**o).as_ref(), true),
        };
        Texts {
            offsets,
            wide,
            values: (**values).as_ref(),
        }
    }

    /// Cell `k`; an offset out of bounds (a malformed array) reads as an empty cell, one past
    /// the last cell as none.
    #[inline(always)]
    fn cell(self, k: usize) -> Option<&'a [u8]> {
        let at = if self.wide { offset64 } else { offset32 };
        let (start, end) = (at(self.offsets, k)?, at(self.offsets, k + 1)?);
        Some(<[u8]>::get(self.values, start..end).unwrap_or_default())
    }
}

fn nulls(n: &Option<Nulls>) -> Option<(&[u8], usize)> {
    n.as_ref().map(|n| ((*n.bits).as_ref(), n.offset))
}

/// Whether row `i` is null by a validity bitmap (false when the column has none).
#[inline(always)]
fn is_null(nulls: Option<(&[u8], usize)>, i: usize) -> bool {
    nulls.is_some_and(|(bits, offset)| {
        let at = offset + i;
        bits.get(at / 8).is_none_or(|b| b >> (at % 8) & 1 == 0)
    })
}

#[inline(always)]
fn offset32(offsets: &[u8], i: usize) -> Option<usize> {
    let b = offsets.get(4 * i..4 * i + 4)?;
    usize::try_from(i32::from_le_bytes(b.try_into().ok()?)).ok()
}

#[inline(always)]
fn offset64(offsets: &[u8], i: usize) -> Option<usize> {
    let b = offsets.get(8 * i..8 * i + 8)?;
    usize::try_from(i64::from_le_bytes(b.try_into().ok()?)).ok()
}

/// The rows of one [`Batch`], its columns' bytes looked up once: per column, its bytes and
/// the batch row its row 0 is (not 0 for a range of a [`Column::Written`]).
pub struct BatchView<'a> {
    columns: Vec<(ColumnBytes<'a>, usize)>,
}

impl<'a> BatchView<'a> {
    /// The batch's columns' bytes, with `written` (when given) in place of its
    /// [`Column::Written`] ones: those columns written out from batch row `first` on.
    pub fn new(batch: &'a Batch, written: &'a [Option<Column>], first: usize) -> BatchView<'a> {
        let columns = batch
            .columns
            .iter()
            .enumerate()
            .map(|(c, column)| match written.get(c) {
                Some(Some(w)) => (bytes_of(w), first),
                _ => (bytes_of(column), 0),
            })
            .collect();
        BatchView { columns }
    }

    /// Row `i` of the batch, reported on `line`.
    #[inline]
    pub fn row(&self, i: usize, line: u64) -> TableRow<'_, 'a> {
        TableRow {
            columns: &self.columns,
            i,
            line,
        }
    }
}

/// A column's bytes (a [`Column::Written`] not written out reads as empty cells).
fn bytes_of(column: &Column) -> ColumnBytes<'_> {
    match column {
        Column::Unread | Column::Written(_) => ColumnBytes::Unread,
        Column::Text {
            offsets,
            values,
            nulls: n,
        } => ColumnBytes::Text {
            texts: Texts::of(offsets, values),
            nulls: nulls(n),
        },
        Column::Dictionary {
            keys,
            offsets,
            values,
        } => ColumnBytes::Dictionary {
            keys,
            texts: Texts::of(offsets, values),
        },
        Column::Times {
            values,
            per_second,
            utc,
            nulls: n,
        } => ColumnBytes::Times {
            values: (**values).as_ref(),
            per_second: *per_second,
            utc: *utc,
            nulls: nulls(n),
        },
    }
}

/// One row of a table, its cells read where they lie.
pub struct TableRow<'v, 'a> {
    columns: &'v [(ColumnBytes<'a>, usize)],
    i: usize,
    line: u64,
}

impl Record for TableRow<'_, '_> {
    #[inline]
    fn len(&self) -> usize {
        self.columns.len()
    }

    #[inline]
    fn get(&self, c: usize) -> Option<&[u8]> {
        let (column, first) = *self.columns.get(c)?;
        let i = self.i.checked_sub(first)?;
        match column {
            ColumnBytes::Unread => Some(b""),
            ColumnBytes::Text { nulls, .. } if is_null(nulls, i) => Some(b""),
            ColumnBytes::Text { texts, .. } => texts.cell(i),
            ColumnBytes::Dictionary { keys, texts } => match *keys.get(i)? {
                Column::NULL_KEY => Some(b""),
                key => texts.cell(key as usize),
            },
            // Never read as text: a placeholder, never empty (a null is).
            ColumnBytes::Times { nulls, .. } => Some(if is_null(nulls, i) { b"" } else { b"@" }),
        }
    }

    #[inline]
    fn time(&self, c: usize) -> Option<CellTime> {
        let (column, first) = *self.columns.get(c)?;
        let i = self.i.checked_sub(first)?;
        match column {
            ColumnBytes::Times {
                values,
                per_second,
                utc,
                nulls,
            } if !is_null(nulls, i) => {
                let b = values.get(8 * i..8 * i + 8)?;
                let v = i64::from_le_bytes(b.try_into().ok()?);
                Some(CellTime::of(v, per_second, utc))
            }
            _ => None,
        }
    }

    #[inline]
    fn line(&self) -> u64 {
        self.line
    }
}

/// How the reader reads one column of a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Use {
    /// Not at all: any cell will do (an empty one is cheapest).
    Unread,
    /// As text.
    Text,
    /// As a timestamp (`timestamp`, `delivered_at`): a cell the table holds as a time may be
    /// read as one ([`Column::Times`]); one it holds as text, as text.
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
    /// A timestamp in units of `1 / per_second` s, to the millisecond (the engine's
    /// resolution: the CSV reader keeps milliseconds too).
    #[inline]
    pub fn of(v: i64, per_second: i64, utc: bool) -> CellTime {
        let ms = match per_second {
            1 => v.saturating_mul(1000),
            1_000 => v,
            p => v.div_euclid(p / 1000),
        };
        if utc {
            CellTime::Utc(ms)
        } else {
            CellTime::Local(ms)
        }
    }

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

    fn bytes(b: Vec<u8>) -> Shared {
        Arc::new(b)
    }

    /// Row 1 of a batch of three: text with a null, times (a null too), a dictionary, 64-bit
    /// offsets, and an unread column.
    #[test]
    fn a_table_row_reads_its_cells_where_they_lie() {
        let offsets32 = |o: &[i32]| bytes(o.iter().flat_map(|v| v.to_le_bytes()).collect());
        let offsets64 = |o: &[i64]| bytes(o.iter().flat_map(|v| v.to_le_bytes()).collect());
        let times = [1_709_287_200i64, 0, 7];
        let batch = Batch {
            rows: 3,
            columns: vec![
                Column::Text {
                    offsets: Offsets::I32(offsets32(&[0, 2, 5, 5])),
                    values: bytes(b"abcde".to_vec()),
                    nulls: None,
                },
                Column::Times {
                    values: bytes(times.iter().flat_map(|v| v.to_le_bytes()).collect()),
                    per_second: 1,
                    utc: true,
                    nulls: Some(Nulls {
                        // Bits 1, 2 and 3 (row i is bit 1 + i): row 0 and row 1 valid, row 2 null.
                        bits: bytes(vec![0b0000_0110]),
                        offset: 1,
                    }),
                },
                Column::Dictionary {
                    keys: vec![1, Column::NULL_KEY, 0],
                    offsets: Offsets::I64(offsets64(&[0, 3, 6])),
                    values: bytes(b"outin ".to_vec()),
                },
                Column::Unread,
                Column::Text {
                    offsets: Offsets::I64(offsets64(&[0, 1, 3, 3])),
                    values: bytes(b"xyz".to_vec()),
                    nulls: Some(Nulls {
                        bits: bytes(vec![0b0000_0101]),
                        offset: 0,
                    }),
                },
            ],
        };
        let view = BatchView::new(&batch, &[], 0);
        let (r0, r1, r2) = (view.row(0, 2), view.row(1, 3), view.row(2, 4));
        assert_eq!((r1.len(), r1.line()), (5, 3));
        assert_eq!(r1.get(0), Some(&b"cde"[..]));
        assert_eq!(r1.time(1), Some(CellTime::Utc(0)));
        assert_eq!(&*r1.text(1).unwrap(), b"1970-01-01T00:00:00Z");
        assert_eq!(r0.time(1), Some(CellTime::Utc(1_709_287_200_000)));
        assert_eq!(
            (r2.time(1), r2.get(1)),
            (None, Some(&b""[..])),
            "a null time"
        );
        assert_eq!(
            (r0.get(2), r1.get(2), r2.get(2)),
            (Some(&b"in "[..]), Some(&b""[..]), Some(&b"out"[..]))
        );
        assert_eq!(r1.get(3), Some(&b""[..]));
        assert_eq!(
            (r0.get(4), r1.get(4), r2.get(4)),
            (Some(&b"x"[..]), Some(&b""[..]), Some(&b""[..]))
        );
        assert_eq!((r1.get(5), r1.time(0)), (None, None));
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
