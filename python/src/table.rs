//! An Arrow table as the library's [`Table`]: the batches are held as they came (no copy), and
//! the row parser reads their text columns where they lie (Arrow's offsets, values and
//! validity buffers, shared), and their timestamps in the columns read as times as the
//! instants they are. A column of another type (numbers, booleans, dates, dictionaries of
//! other values, string views) is written out as the text a CSV log would hold, a range of
//! rows at a time.

use arrow_array::cast::AsArray;
use arrow_array::types::*;
use arrow_array::{Array, ArrayRef, BooleanArray, RecordBatch, StringViewArray};
use arrow_buffer::{ArrowNativeType, Buffer, NullBuffer, ScalarBuffer};
use arrow_schema::{DataType, SchemaRef, TimeUnit};
use std::sync::Arc;
use waprice::input::records::Row;
use waprice::input::table::{self, write_date, Batch, CellTime, Table, TextColumn, Use};

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
    /// (read in the WABA's time zone, as a CSV log's naive times are), written as RFC 3339
    /// text (a column read as times is read in place, as instants).
    Timestamp {
        values: ScalarBuffer<i64>,
        nulls: Option<NullBuffer>,
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
                }
            }
            DataType::Date32 => Column::Date32(a),
            _ => Column::Null,
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
            } => {
                if nulls.as_ref().is_some_and(|n| n.is_null(i)) {
                    row.push_field(b"");
                    return;
                }
                buf.clear();
                CellTime::of(values[i], *per_second, *utc).write_text(buf);
                row.push_field(buf);
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

    fn batches(&self, uses: &[Use]) -> Vec<Batch> {
        let usage = |i: usize| uses.get(i).copied().unwrap_or(Use::Text);
        self.batches
            .iter()
            .map(|(rows, arrays)| Batch {
                rows: *rows,
                columns: arrays
                    .iter()
                    .enumerate()
                    .map(|(i, a)| in_place(a, usage(i), *rows))
                    .collect(),
            })
            .collect()
    }
}

/// An Arrow buffer shared with the reader.
struct Shared(Buffer);

impl AsRef<[u8]> for Shared {
    fn as_ref(&self) -> &[u8] {
        self.0.as_slice()
    }
}

fn shared(b: &Buffer) -> table::Shared {
    Arc::new(Shared(b.clone()))
}

/// A column as the reader reads it: text and (in a column read as times) timestamps where
/// they lie; anything else written out as text.
fn in_place(array: &ArrayRef, usage: Use, rows: usize) -> table::Column {
    if usage == Use::Unread {
        return table::Column::Unread;
    }
    let nulls = || {
        nulls_of(array.as_ref()).map(|n| table::Nulls {
            bits: shared(n.inner().inner()),
            offset: n.offset(),
        })
    };
    match array.data_type() {
        DataType::Utf8 => {
            let s = array.as_string::<i32>();
            table::Column::Text {
                offsets: table::Offsets::I32(shared(s.offsets().inner().inner())),
                values: shared(s.values()),
                nulls: nulls(),
            }
        }
        DataType::LargeUtf8 => {
            let s = array.as_string::<i64>();
            table::Column::Text {
                offsets: table::Offsets::I64(shared(s.offsets().inner().inner())),
                values: shared(s.values()),
                nulls: nulls(),
            }
        }
        DataType::Dictionary(_, values)
            if matches!(values.as_ref(), DataType::Utf8 | DataType::LargeUtf8) =>
        {
            let dict = array.as_any_dictionary();
            let nulls = nulls_of(array.as_ref());
            let keys = dict
                .normalized_keys()
                .into_iter()
                .enumerate()
                .map(|(i, k)| match &nulls {
                    Some(n) if n.is_null(i) => table::Column::NULL_KEY,
                    _ => u32::try_from(k).unwrap_or(table::Column::NULL_KEY),
                })
                .collect();
            let (offsets, values) = match dict.values().data_type() {
                DataType::Utf8 => {
                    let s = dict.values().as_string::<i32>();
                    (
                        table::Offsets::I32(shared(s.offsets().inner().inner())),
                        shared(s.values()),
                    )
                }
                _ => {
                    let s = dict.values().as_string::<i64>();
                    (
                        table::Offsets::I64(shared(s.offsets().inner().inner())),
                        shared(s.values()),
                    )
                }
            };
            table::Column::Dictionary {
                keys,
                offsets,
                values,
            }
        }
        DataType::Timestamp(unit, tz) if usage == Use::Time => {
            let (values, per_second) = match unit {
                TimeUnit::Second => (timestamps::<TimestampSecondType>(array), 1),
                TimeUnit::Millisecond => (timestamps::<TimestampMillisecondType>(array), 1_000),
                TimeUnit::Microsecond => (timestamps::<TimestampMicrosecondType>(array), 1_000_000),
                TimeUnit::Nanosecond => {
                    (timestamps::<TimestampNanosecondType>(array), 1_000_000_000)
                }
            };
            table::Column::Times {
                values: shared(values.inner()),
                per_second,
                utc: tz.is_some(),
                nulls: nulls(),
            }
        }
        _ => {
            let column = Column::of(array, usage);
            table::Column::Written(Arc::new(move |first, end| {
                let (mut text, mut row, mut buf) =
                    (TextColumn::default(), Row::default(), Vec::new());
                for i in first..end.min(rows) {
                    row.clear();
                    column.push(i, &mut row, &mut buf);
                    text.push(row.get(0).unwrap_or_default());
                }
                text.finish()
            }))
        }
    }
}
