//! An Arrow table as the library's [`Table`]: the batches are held as they came (no copy), and
//! each row's cells are handed to the log's row parser as the text a CSV log would hold, but
//! for timestamps in the columns read as times, handed over as the instants they are.

use arrow_array::cast::AsArray;
use arrow_array::types::*;
use arrow_array::{Array, ArrayRef, BooleanArray, RecordBatch, StringViewArray};
use arrow_buffer::{ArrowNativeType, Buffer, NullBuffer, ScalarBuffer};
use arrow_schema::{DataType, SchemaRef, TimeUnit};
use std::sync::Arc;
use waprice::input::records::Row;
use waprice::input::table::{write_date, CellTime, Table, TableRows, Use};

/// The batches of one Arrow table or stream (empty ones left out), their columns as they came.
pub struct ArrowTable {
    header: Vec<String>,
    batches: Vec<(usize, Vec<ArrayRef>)>,
}

/// One column of one batch, by how its cells are handed to the row parser.
enum Column {
    /// A column the reader does not read: an empty cell.
    Unread,
    /// Text: each cell's bytes are `values[offsets[i]..offsets[i + 1]]`.
    Utf8 {
        offsets: ScalarBuffer<i32>,
        values: Buffer,
        nulls: Option<NullBuffer>,
    },
    LargeUtf8 {
        offsets: ScalarBuffer<i64>,
        values: Buffer,
        nulls: Option<NullBuffer>,
    },
    Utf8View(StringViewArray),
    /// Dictionary-encoded text (pandas and Polars categoricals): each row's key, and the
    /// dictionary's values.
    Dictionary {
        keys: Vec<usize>,
        nulls: Option<NullBuffer>,
        values: Box<Column>,
    },
    Int(ArrayRef, fn(&dyn Array, usize) -> i128),
    Boolean(BooleanArray),
    /// A timestamp in units per second; with a time zone an instant, without one a local time
    /// (read in the WABA's time zone, as a CSV log's naive times are). Handed over as a time
    /// in a column read as one, else written as RFC 3339 text.
    Timestamp {
        values: ScalarBuffer<i64>,
        nulls: Option<NullBuffer>,
        per_second: i64,
        utc: bool,
        as_time: bool,
    },
    Date32(ArrayRef),
    Null,
}

fn int_at<T: ArrowPrimitiveType>(a: &dyn Array, i: usize) -> i128
where
    T::Native: Into<i128>,
{
    a.as_primitive::<T>().value(i).into()
}

/// Why a column cannot be read: its Arrow type (the Python side casts other types to text
/// before they get here, so this is for types it does not know either).
pub struct Unsupported {
    pub column: String,
    pub data_type: String,
}

/// Whether the reader of `Column::of` can read an Arrow type.
fn readable(t: &DataType) -> bool {
    match t {
        DataType::Dictionary(_, values) => readable(values),
        DataType::Utf8
        | DataType::LargeUtf8
        | DataType::Utf8View
        | DataType::Int8
        | DataType::Int16
        | DataType::Int32
        | DataType::Int64
        | DataType::UInt8
        | DataType::UInt16
        | DataType::UInt32
        | DataType::UInt64
        | DataType::Boolean
        | DataType::Timestamp(_, _)
        | DataType::Date32
        | DataType::Null => true,
        _ => false,
    }
}

/// A column's nulls, `None` when it has none (no check per cell).
fn nulls_of(array: &dyn Array) -> Option<NullBuffer> {
    array.nulls().filter(|n| n.null_count() > 0).cloned()
}

impl Column {
    /// The reader of a column read as `usage` (its type checked by [`readable`]).
    fn of(array: &ArrayRef, usage: Use) -> Column {
        if usage == Use::Unread {
            return Column::Unread;
        }
        let a = Arc::clone(array);
        let nulls = nulls_of(array.as_ref());
        match array.data_type() {
            DataType::Utf8 => {
                let s = array.as_string::<i32>();
                Column::Utf8 {
                    offsets: s.offsets().inner().clone(),
                    values: s.values().clone(),
                    nulls,
                }
            }
            DataType::LargeUtf8 => {
                let s = array.as_string::<i64>();
                Column::LargeUtf8 {
                    offsets: s.offsets().inner().clone(),
                    values: s.values().clone(),
                    nulls,
                }
            }
            DataType::Utf8View => Column::Utf8View(array.as_string_view().clone()),
            DataType::Dictionary(_, _) => {
                let dict = array.as_any_dictionary();
                Column::Dictionary {
                    keys: dict.normalized_keys(),
                    nulls,
                    values: Box::new(Column::of(dict.values(), Use::Text)),
                }
            }
            DataType::Int8 => Column::Int(a, int_at::<Int8Type>),
            DataType::Int16 => Column::Int(a, int_at::<Int16Type>),
            DataType::Int32 => Column::Int(a, int_at::<Int32Type>),
            DataType::Int64 => Column::Int(a, int_at::<Int64Type>),
            DataType::UInt8 => Column::Int(a, int_at::<UInt8Type>),
            DataType::UInt16 => Column::Int(a, int_at::<UInt16Type>),
            DataType::UInt32 => Column::Int(a, int_at::<UInt32Type>),
            DataType::UInt64 => Column::Int(a, int_at::<UInt64Type>),
            DataType::Boolean => Column::Boolean(array.as_boolean().clone()),
            DataType::Timestamp(unit, tz) => {
                let (values, per_second) = match unit {
                    TimeUnit::Second => (timestamps::<TimestampSecondType>(array), 1),
                    TimeUnit::Millisecond => (timestamps::<TimestampMillisecondType>(array), 1_000),
                    TimeUnit::Microsecond => {
                        (timestamps::<TimestampMicrosecondType>(array), 1_000_000)
                    }
                    TimeUnit::Nanosecond => {
                        (timestamps::<TimestampNanosecondType>(array), 1_000_000_000)
                    }
                };
                Column::Timestamp {
                    values,
                    nulls,
                    per_second,
                    utc: tz.is_some(),
                    as_time: usage == Use::Time,
                }
            }
            DataType::Date32 => Column::Date32(a),
            _ => Column::Null,
        }
    }

    /// The cells of rows `first..` into `rows` (one row each, in order): the column's type
    /// matched once, not per cell.
    fn push_all(&self, first: usize, rows: &mut [Row], buf: &mut Vec<u8>) {
        let at = (first..).zip(rows.iter_mut());
        match self {
            Column::Unread | Column::Null => rows.iter_mut().for_each(|r| r.push_field(b"")),
            Column::Utf8 {
                offsets,
                values,
                nulls: None,
            } => push_texts(offsets, values, first, rows),
            Column::LargeUtf8 {
                offsets,
                values,
                nulls: None,
            } => push_texts(offsets, values, first, rows),
            Column::Timestamp {
                values,
                nulls,
                per_second,
                utc,
                as_time: true,
            } => {
                for ((i, &v), row) in (first..).zip(&values[first..]).zip(rows) {
                    if nulls.as_ref().is_some_and(|n| n.is_null(i)) {
                        row.push_field(b"");
                    } else {
                        row.push_time(cell_time(v, *per_second, *utc));
                    }
                }
            }
            _ => at.for_each(|(i, row)| self.push(i, row, buf)),
        }
    }

    /// Row `i`'s cell into `row` (a null is an empty cell); `buf` is scratch space.
    #[inline(always)]
    fn push(&self, i: usize, row: &mut Row, buf: &mut Vec<u8>) {
        match self {
            Column::Unread | Column::Null => row.push_field(b""),
            Column::Utf8 {
                offsets,
                values,
                nulls,
            } => push_text(offsets, values, nulls.as_ref(), i, row),
            Column::LargeUtf8 {
                offsets,
                values,
                nulls,
            } => push_text(offsets, values, nulls.as_ref(), i, row),
            Column::Utf8View(a) => {
                if a.is_null(i) {
                    row.push_field(b"");
                } else {
                    row.push_field(a.value(i).as_bytes());
                }
            }
            Column::Dictionary {
                keys,
                nulls,
                values,
            } => {
                if nulls.as_ref().is_some_and(|n| n.is_null(i)) {
                    row.push_field(b"");
                } else {
                    values.push(keys[i], row, buf);
                }
            }
            Column::Int(a, at) => {
                if a.is_null(i) {
                    row.push_field(b"");
                } else {
                    buf.clear();
                    write_int(at(a.as_ref(), i), buf);
                    row.push_field(buf);
                }
            }
            Column::Boolean(a) => {
                row.push_field(match (a.is_null(i), a.is_valid(i) && a.value(i)) {
                    (true, _) => b"",
                    (false, true) => b"true",
                    (false, false) => b"false",
                });
            }
            Column::Timestamp {
                values,
                nulls,
                per_second,
                utc,
                as_time,
            } => {
                if nulls.as_ref().is_some_and(|n| n.is_null(i)) {
                    row.push_field(b"");
                    return;
                }
                let t = cell_time(values[i], *per_second, *utc);
                if *as_time {
                    row.push_time(t);
                } else {
                    buf.clear();
                    t.write_text(buf);
                    row.push_field(buf);
                }
            }
            Column::Date32(a) => {
                if a.is_null(i) {
                    row.push_field(b"");
                } else {
                    let days = a.as_primitive::<Date32Type>().value(i);
                    buf.clear();
                    if (-719_528..=2_932_896).contains(&days) {
                        write_date(i64::from(days), buf);
                    } else {
                        // Before year 0 or after 9999: written as a number, which the reader
                        // rejects.
                        write_int(i128::from(days), buf);
                    }
                    row.push_field(buf);
                }
            }
        }
    }
}

/// A text column's cells `first..` into `rows`, straight from its offsets (no nulls).
fn push_texts<O: ArrowNativeType>(offsets: &[O], values: &[u8], first: usize, rows: &mut [Row]) {
    let offsets = &offsets[first..first + rows.len() + 1];
    for (w, row) in offsets.windows(2).zip(rows) {
        row.push_field(&values[w[0].as_usize()..w[1].as_usize()]);
    }
}

/// A text column's cell of row `i` into `row` (a null is an empty cell).
#[inline(always)]
fn push_text<O: ArrowNativeType>(
    offsets: &[O],
    values: &[u8],
    nulls: Option<&NullBuffer>,
    i: usize,
    row: &mut Row,
) {
    if nulls.is_some_and(|n| n.is_null(i)) {
        row.push_field(b"");
    } else {
        row.push_field(&values[offsets[i].as_usize()..offsets[i + 1].as_usize()]);
    }
}

fn timestamps<T: ArrowPrimitiveType<Native = i64>>(a: &ArrayRef) -> ScalarBuffer<i64> {
    a.as_primitive::<T>().values().clone()
}

/// A timestamp in units per second as a time to the millisecond (the engine's resolution: the
/// CSV reader keeps milliseconds too).
fn cell_time(v: i64, per_second: i64, utc: bool) -> CellTime {
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

fn write_int(v: i128, buf: &mut Vec<u8>) {
    use std::io::Write;
    let _ = write!(buf, "{v}");
}

impl ArrowTable {
    /// The batches of one table (their columns read as they are: no copy).
    pub fn new(schema: SchemaRef, batches: Vec<RecordBatch>) -> Result<ArrowTable, Unsupported> {
        let header: Vec<String> = schema.fields().iter().map(|f| f.name().clone()).collect();
        for (field, name) in schema.fields().iter().zip(&header) {
            if !readable(field.data_type()) {
                return Err(Unsupported {
                    column: name.clone(),
                    data_type: field.data_type().to_string(),
                });
            }
        }
        let batches = batches
            .into_iter()
            .filter(|b| b.num_rows() > 0)
            .map(|b| (b.num_rows(), b.columns().to_vec()))
            .collect();
        Ok(ArrowTable { header, batches })
    }
}

impl Table for ArrowTable {
    fn header(&self) -> Vec<String> {
        self.header.clone()
    }

    fn rows(&self, uses: &[Use]) -> Box<dyn TableRows + Send> {
        let usage = |i: usize| uses.get(i).copied().unwrap_or(Use::Text);
        let batches = self
            .batches
            .iter()
            .map(|(len, arrays)| {
                let columns = arrays
                    .iter()
                    .enumerate()
                    .map(|(i, a)| Column::of(a, usage(i)))
                    .collect();
                (*len, columns)
            })
            .collect();
        Box::new(ArrowRows::Waiting(batches))
    }
}

/// How many rows are filled at once, column by column.
const CHUNK: usize = 1024;

/// One reading of the rows: a chunk of rows is filled column by column (each column's type
/// matched once per chunk, not per cell), then handed to the row parser one row at a time by a
/// swap of two [`Row`]s. On a thread of its own the filling cost more in hand-overs and in
/// sharing two cores with the parser and the replay than it saved the parsing thread.
enum ArrowRows {
    /// Not read yet.
    Waiting(Vec<(usize, Vec<Column>)>),
    Reading(Filled),
}

struct Filled {
    batches: Vec<(usize, Vec<Column>)>,
    /// The next row to fill: batch `batch`, row `row` of it.
    batch: usize,
    row: usize,
    chunk: Vec<Row>,
    /// The rows of `chunk` filled, and the next one to hand over.
    len: usize,
    at: usize,
    buf: Vec<u8>,
}

impl Filled {
    /// Fills the chunk with the next rows, in order; false when none is left.
    fn refill(&mut self) -> bool {
        let mut k = 0;
        while k < CHUNK {
            let Some((len, cols)) = self.batches.get(self.batch) else {
                break;
            };
            if self.row == *len {
                (self.batch, self.row) = (self.batch + 1, 0);
                continue;
            }
            let n = (len - self.row).min(CHUNK - k);
            let rows = &mut self.chunk[k..k + n];
            rows.iter_mut().for_each(Row::clear);
            for c in cols {
                c.push_all(self.row, rows, &mut self.buf);
            }
            (self.row, k) = (self.row + n, k + n);
        }
        (self.len, self.at) = (k, 0);
        k > 0
    }
}

impl TableRows for ArrowRows {
    fn next(&mut self, row: &mut Row) -> bool {
        if let ArrowRows::Waiting(batches) = self {
            let mut chunk = Vec::new();
            chunk.resize_with(CHUNK, Row::default);
            *self = ArrowRows::Reading(Filled {
                batches: std::mem::take(batches),
                batch: 0,
                row: 0,
                chunk,
                len: 0,
                at: 0,
                buf: Vec::with_capacity(32),
            });
        }
        let ArrowRows::Reading(r) = self else {
            unreachable!("started above")
        };
        if r.at == r.len && !r.refill() {
            return false;
        }
        std::mem::swap(row, &mut r.chunk[r.at]);
        r.at += 1;
        true
    }
}
