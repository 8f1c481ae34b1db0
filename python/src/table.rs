//! An Arrow table as the library's [`Table`]: the batches are held as they came (no copy), and
//! each row's cells are handed to the log's row parser as the text a CSV log would hold.

use arrow_array::cast::AsArray;
use arrow_array::types::*;
use arrow_array::{Array, ArrayRef, LargeStringArray, RecordBatch, StringArray, StringViewArray};
use arrow_schema::{DataType, SchemaRef, TimeUnit};
use std::sync::Arc;
use waprice::input::records::Row;
use waprice::input::table::{Table, TableRows};

/// The batches of one Arrow table or stream, with the readers of their columns.
pub struct ArrowTable {
    header: Vec<String>,
    batches: Arc<Vec<(usize, Vec<Column>)>>,
}

/// One column of one batch, by how its cells are written as text.
enum Column {
    Utf8(StringArray),
    LargeUtf8(LargeStringArray),
    Utf8View(StringViewArray),
    /// Dictionary-encoded text (pandas and Polars categoricals): each row's key, and the
    /// dictionary's values as text.
    Dictionary {
        keys: Vec<usize>,
        values: Box<Column>,
        array: ArrayRef,
    },
    Int(ArrayRef, fn(&dyn Array, usize) -> i128),
    Boolean(ArrayRef),
    /// A timestamp in units per second; with a time zone it is UTC (written with a Z), without
    /// one it is a local time (read in the WABA's time zone, as a CSV log's naive times are).
    Timestamp {
        array: ArrayRef,
        at: TimeAt,
        per_second: i64,
        utc: bool,
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

/// Reads a timestamp array's value (in its unit) at a row.
type TimeAt = fn(&dyn Array, usize) -> i64;

fn time_at<T: ArrowPrimitiveType<Native = i64>>(a: &dyn Array, i: usize) -> i64 {
    a.as_primitive::<T>().value(i)
}

/// Why a column cannot be read: its Arrow type (the Python side casts other types to text
/// before they get here, so this is for types it does not know either).
pub struct Unsupported {
    pub column: String,
    pub data_type: String,
}

impl Column {
    fn of(array: &ArrayRef) -> Option<Column> {
        let a = Arc::clone(array);
        Some(match array.data_type() {
            DataType::Utf8 => Column::Utf8(array.as_string::<i32>().clone()),
            DataType::LargeUtf8 => Column::LargeUtf8(array.as_string::<i64>().clone()),
            DataType::Utf8View => Column::Utf8View(array.as_string_view().clone()),
            DataType::Dictionary(_, _) => {
                let dict = array.as_any_dictionary_opt()?;
                let values = Column::of(dict.values())?;
                Column::Dictionary {
                    keys: dict.normalized_keys(),
                    values: Box::new(values),
                    array: a,
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
            DataType::Boolean => Column::Boolean(a),
            DataType::Timestamp(unit, tz) => {
                let (at, per_second): (TimeAt, i64) = match unit {
                    TimeUnit::Second => (time_at::<TimestampSecondType>, 1),
                    TimeUnit::Millisecond => (time_at::<TimestampMillisecondType>, 1_000),
                    TimeUnit::Microsecond => (time_at::<TimestampMicrosecondType>, 1_000_000),
                    TimeUnit::Nanosecond => (time_at::<TimestampNanosecondType>, 1_000_000_000),
                };
                Column::Timestamp {
                    array: a,
                    at,
                    per_second,
                    utc: tz.is_some(),
                }
            }
            DataType::Date32 => Column::Date32(a),
            DataType::Null => Column::Null,
            _ => return None,
        })
    }

    /// Row `i`'s cell as text into `row` (a null is an empty cell); `buf` is scratch space.
    fn push(&self, i: usize, row: &mut Row, buf: &mut Vec<u8>) {
        match self {
            Column::Utf8(a) => row.push_field(text(a, i)),
            Column::LargeUtf8(a) => row.push_field(text(a, i)),
            Column::Utf8View(a) => row.push_field(text(a, i)),
            Column::Dictionary {
                keys,
                values,
                array,
            } => {
                if array.is_null(i) {
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
                let a = a.as_boolean();
                row.push_field(match (a.is_null(i), a.is_valid(i) && a.value(i)) {
                    (true, _) => b"",
                    (false, true) => b"true",
                    (false, false) => b"false",
                });
            }
            Column::Timestamp {
                array,
                at,
                per_second,
                utc,
            } => {
                if array.is_null(i) {
                    row.push_field(b"");
                } else {
                    let v = at(array.as_ref(), i);
                    buf.clear();
                    write_time(v, *per_second, *utc, buf);
                    row.push_field(buf);
                }
            }
            Column::Date32(a) => {
                if a.is_null(i) {
                    row.push_field(b"");
                } else {
                    let days = a.as_primitive::<Date32Type>().value(i);
                    buf.clear();
                    write_date(i64::from(days), buf);
                    row.push_field(buf);
                }
            }
            Column::Null => row.push_field(b""),
        }
    }
}

/// A text cell's bytes; a null is an empty cell.
fn text<'a, A>(a: &'a A, i: usize) -> &'a [u8]
where
    A: Array,
    &'a A: arrow_array::ArrayAccessor<Item = &'a str>,
{
    if a.is_null(i) {
        b""
    } else {
        arrow_array::ArrayAccessor::value(&a, i).as_bytes()
    }
}

fn write_int(v: i128, buf: &mut Vec<u8>) {
    use std::io::Write;
    let _ = write!(buf, "{v}");
}

/// The civil date of a day count since 1970-01-01 (Howard Hinnant's algorithm).
fn civil(days: i64) -> (i64, u32, u32) {
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

fn push_digits(buf: &mut Vec<u8>, v: u32, width: usize) {
    let mut digits = [b'0'; 10];
    let mut v = v;
    for d in digits[..width].iter_mut().rev() {
        *d = b'0' + (v % 10) as u8;
        v /= 10;
    }
    buf.extend_from_slice(&digits[..width]);
}

fn write_date(days: i64, buf: &mut Vec<u8>) {
    let (y, m, d) = civil(days);
    if !(0..=9999).contains(&y) {
        // Out of any supported range: written as a number, which the reader rejects.
        write_int(i128::from(days), buf);
        return;
    }
    push_digits(buf, y as u32, 4);
    buf.push(b'-');
    push_digits(buf, m, 2);
    buf.push(b'-');
    push_digits(buf, d, 2);
}

/// `2024-03-01T10:00:00` or `…:00.123` (with `Z` when `utc`): a timestamp as RFC 3339 text, to the
/// millisecond (the engine's resolution: the CSV reader keeps milliseconds too).
fn write_time(v: i64, per_second: i64, utc: bool, buf: &mut Vec<u8>) {
    let ms = match per_second {
        1 => v.saturating_mul(1000),
        1_000 => v,
        p => v.div_euclid(p / 1000),
    };
    let days = ms.div_euclid(86_400_000);
    let in_day = ms.rem_euclid(86_400_000);
    write_date(days, buf);
    if buf.len() != 10 {
        return;
    }
    let secs = (in_day / 1000) as u32;
    buf.push(b'T');
    push_digits(buf, secs / 3600, 2);
    buf.push(b':');
    push_digits(buf, secs / 60 % 60, 2);
    buf.push(b':');
    push_digits(buf, secs % 60, 2);
    // Whole seconds as logs write them (the reader's fast path); milliseconds when there are.
    if in_day % 1000 != 0 {
        buf.push(b'.');
        push_digits(buf, (in_day % 1000) as u32, 3);
    }
    if utc {
        buf.push(b'Z');
    }
}

impl ArrowTable {
    /// The batches of one table (their columns read as they are: no copy).
    pub fn new(schema: SchemaRef, batches: Vec<RecordBatch>) -> Result<ArrowTable, Unsupported> {
        let header: Vec<String> = schema.fields().iter().map(|f| f.name().clone()).collect();
        let mut columns = Vec::with_capacity(batches.len());
        for batch in &batches {
            if batch.num_rows() == 0 {
                continue;
            }
            let mut cols = Vec::with_capacity(batch.num_columns());
            for (i, array) in batch.columns().iter().enumerate() {
                let col = Column::of(array).ok_or_else(|| Unsupported {
                    column: header[i].clone(),
                    data_type: array.data_type().to_string(),
                })?;
                cols.push(col);
            }
            columns.push((batch.num_rows(), cols));
        }
        Ok(ArrowTable {
            header,
            batches: Arc::new(columns),
        })
    }
}

impl Table for ArrowTable {
    fn header(&self) -> Vec<String> {
        self.header.clone()
    }

    fn rows(&self) -> Box<dyn TableRows + Send> {
        Box::new(ArrowRows {
            batches: Arc::clone(&self.batches),
            batch: 0,
            row: 0,
            buf: Vec::with_capacity(32),
        })
    }
}

struct ArrowRows {
    batches: Arc<Vec<(usize, Vec<Column>)>>,
    batch: usize,
    row: usize,
    buf: Vec<u8>,
}

impl TableRows for ArrowRows {
    fn next(&mut self, row: &mut Row) -> bool {
        loop {
            let Some(cols) = self.batches.get(self.batch) else {
                return false;
            };
            let (len, cols) = (cols.0, &cols.1);
            if self.row >= len {
                self.batch += 1;
                self.row = 0;
                continue;
            }
            for c in cols {
                c.push(self.row, row, &mut self.buf);
            }
            self.row += 1;
            return true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_written_as_rfc_3339_to_the_millisecond() {
        let mut buf = Vec::new();
        write_time(1_709_287_200_123_456_789, 1_000_000_000, true, &mut buf);
        assert_eq!(String::from_utf8(buf).unwrap(), "2024-03-01T10:00:00.123Z");
        let mut buf = Vec::new();
        write_time(951_782_400, 1, false, &mut buf);
        assert_eq!(String::from_utf8(buf).unwrap(), "2000-02-29T00:00:00");
    }
}
