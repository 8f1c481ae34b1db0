//! An Arrow table as the library's [`Table`]: the batches are held as they came (no copy), and
//! each row's cells are handed to the log's row parser as the text a CSV log would hold, but
//! for timestamps in the columns read as times, handed over as the instants they are.

use arrow_array::cast::AsArray;
use arrow_array::types::*;
use arrow_array::{Array, ArrayRef, BooleanArray, RecordBatch, StringViewArray};
use arrow_buffer::{Buffer, NullBuffer, ScalarBuffer};
use arrow_schema::{DataType, SchemaRef, TimeUnit};
use std::sync::mpsc::{channel, sync_channel, Receiver, Sender, SyncSender};
use std::sync::Arc;
use std::thread::JoinHandle;
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
        let a = Arc::clone(array);
        let nulls = nulls_of(array.as_ref());
        if usage == Use::Unread {
            return Column::Unread;
        }
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
            } => {
                let offsets = &offsets[first..first + rows.len() + 1];
                for (w, row) in offsets.windows(2).zip(rows) {
                    row.push_field(&values[w[0] as usize..w[1] as usize]);
                }
            }
            Column::LargeUtf8 {
                offsets,
                values,
                nulls: None,
            } => {
                let offsets = &offsets[first..first + rows.len() + 1];
                for (w, row) in offsets.windows(2).zip(rows) {
                    row.push_field(&values[w[0] as usize..w[1] as usize]);
                }
            }
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
            } => {
                if nulls.as_ref().is_some_and(|n| n.is_null(i)) {
                    row.push_field(b"");
                } else {
                    let (start, end) = (offsets[i] as usize, offsets[i + 1] as usize);
                    row.push_field(&values[start..end]);
                }
            }
            Column::LargeUtf8 {
                offsets,
                values,
                nulls,
            } => {
                if nulls.as_ref().is_some_and(|n| n.is_null(i)) {
                    row.push_field(b"");
                } else {
                    let (start, end) = (offsets[i] as usize, offsets[i + 1] as usize);
                    row.push_field(&values[start..end]);
                }
            }
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

/// How many rows the filling thread hands over at once.
const CHUNK: usize = 1024;
/// How many chunks may wait for the reader.
const AHEAD: usize = 8;

/// One reading of the rows. The cells are put into rows on a thread of its own, so that the
/// reading thread (the busier of the command's two) only parses them: handing a row over is a
/// swap of two [`Row`]s.
enum ArrowRows {
    /// Not read yet: the thread starts at the first row.
    Waiting(Vec<(usize, Vec<Column>)>),
    Reading(Filled),
}

struct Filled {
    /// Chunks of rows in table order; an empty chunk after the last.
    chunks: Option<Receiver<Vec<Row>>>,
    /// Spent chunks back to the filling thread: their rows (the reader's, swapped in) keep
    /// their buffers.
    spent: Sender<Vec<Row>>,
    chunk: Vec<Row>,
    /// The next row of `chunk` to hand over.
    at: usize,
    done: bool,
    filler: Option<JoinHandle<()>>,
}

/// A chunk of rows to fill: a spent one back from the reader, else a new one.
fn fresh(spent: &Receiver<Vec<Row>>) -> Vec<Row> {
    let mut chunk = spent.try_recv().unwrap_or_default();
    chunk.resize_with(CHUNK, Row::default);
    chunk
}

/// Fills chunks of rows with the batches' cells, in order, until the reader stops taking them.
/// A chunk is filled column by column.
fn fill(batches: Vec<(usize, Vec<Column>)>, to: SyncSender<Vec<Row>>, spent: Receiver<Vec<Row>>) {
    let mut buf = Vec::with_capacity(32);
    let mut chunk = fresh(&spent);
    let mut k = 0;
    for (len, cols) in &batches {
        let mut i = 0;
        while i < *len {
            let n = (len - i).min(CHUNK - k);
            let rows = &mut chunk[k..k + n];
            rows.iter_mut().for_each(Row::clear);
            for c in cols {
                c.push_all(i, rows, &mut buf);
            }
            (i, k) = (i + n, k + n);
            if k == CHUNK {
                k = 0;
                if to
                    .send(std::mem::replace(&mut chunk, fresh(&spent)))
                    .is_err()
                {
                    return;
                }
            }
        }
    }
    chunk.truncate(k);
    if !chunk.is_empty() && to.send(chunk).is_err() {
        return;
    }
    let _ = to.send(Vec::new());
}

impl TableRows for ArrowRows {
    fn next(&mut self, row: &mut Row) -> bool {
        if let ArrowRows::Waiting(batches) = self {
            let batches = std::mem::take(batches);
            let (to, chunks) = sync_channel(AHEAD);
            let (spent, back) = channel();
            let filler = std::thread::Builder::new()
                .name("waprice-cells".into())
                .spawn(move || fill(batches, to, back))
                .expect("a thread to put the table's cells into rows");
            *self = ArrowRows::Reading(Filled {
                chunks: Some(chunks),
                spent,
                chunk: Vec::new(),
                at: 0,
                done: false,
                filler: Some(filler),
            });
        }
        let ArrowRows::Reading(r) = self else {
            unreachable!("started above")
        };
        loop {
            if let Some(next) = r.chunk.get_mut(r.at) {
                std::mem::swap(row, next);
                r.at += 1;
                return true;
            }
            if r.done {
                return false;
            }
            if !r.chunk.is_empty() {
                let _ = r.spent.send(std::mem::take(&mut r.chunk));
            }
            r.at = 0;
            match r.chunks.as_ref().map(Receiver::recv) {
                Some(Ok(chunk)) if chunk.is_empty() => r.done = true,
                Some(Ok(chunk)) => r.chunk = chunk,
                // The filling thread ended without saying it was done: it panicked.
                _ => {
                    r.chunks = None;
                    if let Some(Err(panic)) = r.filler.take().map(JoinHandle::join) {
                        std::panic::resume_unwind(panic);
                    }
                    panic!("the table's rows stopped before the last");
                }
            }
        }
    }
}

impl Drop for Filled {
    fn drop(&mut self) {
        // Stops the filling thread (its next send fails), then waits for it.
        self.chunks = None;
        if let Some(filler) = self.filler.take() {
            let _ = filler.join();
        }
    }
}
