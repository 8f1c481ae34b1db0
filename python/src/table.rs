//! An Arrow table as the library's [`Table`]: the batches are held as they came (no copy), and
//! the row parser reads their text columns where they lie (Arrow's offsets, values and
//! validity buffers, shared), and their timestamps in the columns read as times as the
//! instants they are. A column of another type (numbers, booleans, dates, dictionaries of
//! other values, string views) is written out as the text a CSV log would hold, a range of
//! rows at a time.

use arrow_array::cast::AsArray;
use arrow_array::types::*;
use arrow_array::{Array, ArrayRef, BooleanArray, RecordBatch};
use arrow_buffer::{Buffer, NullBuffer, ScalarBuffer};
use arrow_schema::{DataType, SchemaRef, TimeUnit};
use std::sync::Arc;
use waprice::input::table::{self, write_date, Batch, CellTime, Table, TextColumn, Use};

/// The batches of one Arrow table or stream (empty ones left out), their columns as they came.
pub struct ArrowTable {
    header: Vec<String>,
    batches: Vec<(usize, Vec<ArrayRef>)>,
}

/// A column of a type the reader does not read in place, and how its cells are written as
/// the text a CSV log would hold.
enum Column {
    /// Strings of another layout (Arrow's string views), or text inside a dictionary of them.
    Strings(ArrayRef),
    /// A dictionary of values that are not plain text: each row's key, and the values.
    Dictionary {
        keys: Vec<usize>,
        nulls: Option<NullBuffer>,
        values: Box<Column>,
    },
    Int(ArrayRef, fn(&dyn Array, usize) -> i128),
    Boolean(BooleanArray),
    /// A timestamp in units per second; with a time zone an instant, without one a local time
    /// (read in the WABA's time zone, as a CSV log's naive times are), written as RFC 3339
    /// (a column read as times is read in place, as instants).
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
    /// How to write a column's cells (its type checked by [`readable`]).
    fn of(array: &ArrayRef) -> Column {
        let a = Arc::clone(array);
        let nulls = nulls_of(array.as_ref());
        match array.data_type() {
            DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => Column::Strings(a),
            DataType::Dictionary(_, _) => {
                let dict = array.as_any_dictionary();
                Column::Dictionary {
                    keys: dict.normalized_keys(),
                    nulls,
                    values: Box::new(Column::of(dict.values())),
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
                let (values, per_second) = timestamps(array, unit);
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

    /// Row `i`'s cell as text (a null is an empty cell); `buf` is scratch space.
    fn cell<'b>(&'b self, i: usize, buf: &'b mut Vec<u8>) -> &'b [u8] {
        buf.clear();
        match self {
            Column::Null => {}
            Column::Strings(a) if a.is_null(i) => {}
            Column::Strings(a) => {
                return match a.data_type() {
                    DataType::Utf8 => a.as_string::<i32>().value(i).as_bytes(),
                    DataType::LargeUtf8 => a.as_string::<i64>().value(i).as_bytes(),
                    _ => a.as_string_view().value(i).as_bytes(),
                }
            }
            Column::Dictionary {
                keys,
                nulls,
                values,
            } => {
                if !nulls.as_ref().is_some_and(|n| n.is_null(i)) {
                    return values.cell(keys[i], buf);
                }
            }
            Column::Int(a, at) => {
                if !a.is_null(i) {
                    write_int(at(a.as_ref(), i), buf);
                }
            }
            Column::Boolean(a) => {
                return match (a.is_null(i), a.is_valid(i) && a.value(i)) {
                    (true, _) => b"",
                    (false, true) => b"true",
                    (false, false) => b"false",
                }
            }
            Column::Timestamp {
                values,
                nulls,
                per_second,
                utc,
            } => {
                if !nulls.as_ref().is_some_and(|n| n.is_null(i)) {
                    CellTime::of(values[i], *per_second, *utc).write_text(buf);
                }
            }
            Column::Date32(a) => {
                if !a.is_null(i) {
                    let days = a.as_primitive::<Date32Type>().value(i);
                    if (-719_528..=2_932_896).contains(&days) {
                        write_date(i64::from(days), buf);
                    } else {
                        // Before year 0 or after 9999: written as a number, which the reader
                        // rejects.
                        write_int(i128::from(days), buf);
                    }
                }
            }
        }
        buf
    }
}

/// A timestamp column's values and their units per second.
fn timestamps(a: &ArrayRef, unit: &TimeUnit) -> (ScalarBuffer<i64>, i64) {
    fn values<T: ArrowPrimitiveType<Native = i64>>(a: &ArrayRef) -> ScalarBuffer<i64> {
        a.as_primitive::<T>().values().clone()
    }
    match unit {
        TimeUnit::Second => (values::<TimestampSecondType>(a), 1),
        TimeUnit::Millisecond => (values::<TimestampMillisecondType>(a), 1_000),
        TimeUnit::Microsecond => (values::<TimestampMicrosecondType>(a), 1_000_000),
        TimeUnit::Nanosecond => (values::<TimestampNanosecondType>(a), 1_000_000_000),
    }
}

/// A column's validity bits, where Arrow holds them.
fn validity(n: NullBuffer) -> table::Nulls {
    table::Nulls {
        bits: shared(n.inner().inner()),
        offset: n.offset(),
    }
}

/// A text column's offsets and bytes, where Arrow holds them; `None` for another type.
fn texts(a: &dyn Array) -> Option<(table::Offsets, table::Shared)> {
    match a.data_type() {
        DataType::Utf8 => {
            let s = a.as_string::<i32>();
            Some((
                table::Offsets::I32(shared(s.offsets().inner().inner())),
                shared(s.values()),
            ))
        }
        DataType::LargeUtf8 => {
            let s = a.as_string::<i64>();
            Some((
                table::Offsets::I64(shared(s.offsets().inner().inner())),
                shared(s.values()),
            ))
        }
        _ => None,
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
    let nulls = nulls_of(array.as_ref());
    if let Some((offsets, values)) = texts(array.as_ref()) {
        return table::Column::Text {
            offsets,
            values,
            nulls: nulls.map(validity),
        };
    }
    match array.data_type() {
        DataType::Dictionary(_, _) => {
            let dict = array.as_any_dictionary();
            if let Some((offsets, values)) = texts(dict.values().as_ref()) {
                let keys = dict
                    .normalized_keys()
                    .into_iter()
                    .enumerate()
                    .map(|(i, k)| match &nulls {
                        Some(n) if n.is_null(i) => table::Column::NULL_KEY,
                        _ => u32::try_from(k).unwrap_or(table::Column::NULL_KEY),
                    })
                    .collect();
                return table::Column::Dictionary {
                    keys,
                    offsets,
                    values,
                };
            }
        }
        DataType::Timestamp(unit, tz) if usage == Use::Time => {
            let (values, per_second) = timestamps(array, unit);
            return table::Column::Times {
                values: shared(values.inner()),
                per_second,
                utc: tz.is_some(),
                nulls: nulls.map(validity),
            };
        }
        _ => {}
    }
    let column = Column::of(array);
    table::Column::Written(Arc::new(move |first, end| {
        let (mut text, mut buf) = (TextColumn::default(), Vec::new());
        for i in first..end.min(rows) {
            text.push(column.cell(i, &mut buf));
        }
        text.finish()
    }))
}
