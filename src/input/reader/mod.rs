//! Reads a message log (CSV) into compact, time-ordered [`Message`]s.
//!
//! One reused [`Row`] ([`super::records`]), no String per row: values are matched as bytes,
//! customers are interned by their digits, and a customer's country is resolved once per pair.

mod row;
pub use row::*;

use super::columns::{ColumnMap, Field, Needs};
use super::date_format::{self, DateFormat};
use super::records::{Record, Records, Row};
use super::sniff;
use super::table::{Batch, BatchView, CellTime, Table, Use, WRITTEN_ROWS};
use super::templates::{Lookup, TemplateCatalogue};
use super::time::{parse_timestamp_with, DateCache, TimeError};
use crate::calendar::Calendar;
use crate::country::{Countries, CountryId};
use crate::era::SUPPORTED_FROM;
use crate::error::{BadInput, Location};
use crate::message::{Kind, Message, TemplateCategory};
use crate::pairs::Pairs;
use crate::phone::numbering::{NumberingPlan, Region};
use crate::phone::{self, PhoneError};
use std::borrow::Cow;
use std::io::Read;
use std::sync::Arc;

/// How to read one log.
#[derive(Debug, Clone, Default)]
pub struct InputOptions {
    /// The file's name in messages (`-` or `<stdin>` for standard input).
    pub name: String,
    /// `--column NAME=HEADER`: columns of the log under another header.
    pub columns: Vec<(Field, String)>,
    /// `--skip-invalid`: a bad row is counted and skipped instead of an error.
    pub skip_invalid: bool,
    /// `--skip-unsupported`: a message dated before any supported pricing rule is counted and
    /// skipped instead of an error.
    pub skip_unsupported: bool,
    /// `--default-country`: numbers written without `+`/`00` are national numbers of it first.
    pub default_country: Option<Region>,
    /// `--templates`: template name -> category, for logs with a template column.
    pub templates: Option<Arc<TemplateCatalogue>>,
    /// `--template-category`: a log without categories may be read; its business messages are
    /// [`Kind::Uncategorised`].
    pub uncategorised: bool,
    /// `--input twilio`: Twilio's Messaging log export, where rows whose customer number has no
    /// `whatsapp:` prefix are SMS, counted and left out.
    pub twilio: bool,
    /// `--date-format`: how the timestamp columns are written.
    pub date_format: DateFormat,
    /// `--delimiter`: the byte between fields; found from the header line when `None`.
    pub delimiter: Option<u8>,
}

/// Row accounting: every row read is either a message or counted as skipped.
#[derive(Debug, Clone, Default)]
pub struct ReadStats {
    /// Rows read (messages and skipped rows).
    pub rows: u64,
    /// Customer messages.
    pub inbound: u64,
    /// Business messages.
    pub business: u64,
    /// Rows skipped as invalid (`--skip-invalid`).
    pub skipped_invalid: u64,
    /// Rows skipped as dated before any supported rule (`--skip-unsupported`).
    pub skipped_unsupported: u64,
    /// Rows of another channel (SMS rows of a Twilio export), left out.
    pub skipped_other_channel: u64,
    /// Business messages whose category came from the `--templates` catalogue.
    pub from_catalogue: u64,
    /// Business messages without any category (`--template-category`).
    pub uncategorised: u64,
    /// The first few skipped rows' errors, to show the user what was skipped.
    pub skipped_examples: Vec<BadInput>,
    /// What a reader of another input format says about it in the notes (webhooks: where
    /// every entry went); such a reader says itself when there was nothing to bill.
    pub input_notes: Vec<String>,
    /// How many rows were skipped for each reason (column and what was wrong), the first
    /// few reasons in the order met, then "other reasons".
    pub skipped_reasons: Vec<(String, u64)>,
    /// Messages dated after the day the log was read (in the WABA time zone): a mistyped
    /// year, most likely.
    pub future: u64,
    /// The earliest of them (the first in the file among equals): its line, the column its
    /// time came from, and that time (ms). Earliest, not first in the file, so that the order
    /// of the rows changes nothing but the line.
    pub first_future: Option<(u64, String, i64)>,
    /// Per business id: the line of the first message of that business number (0: none).
    pub business_lines: Vec<u64>,
}

/// A log read into memory, sorted by time (equal times in file order).
#[derive(Debug, Default)]
pub struct Log {
    /// The messages, in time order.
    pub messages: Vec<Message>,
    /// The businesses, customers and (business, customer) pairs the messages name.
    pub pairs: Pairs,
    /// What was read and skipped.
    pub stats: ReadStats,
}

const SKIPPED_EXAMPLES: usize = 5;
/// How many distinct reasons for skipping are counted apart.
const SKIPPED_REASONS: usize = 8;
/// Timestamps from this instant on are rejected as out of range (2100-01-01T00:00:00Z).
const TOO_LATE_MS: i64 = 4_102_444_800_000;

/// Why reading failed: the input is bad (exit 2) or the reading itself failed (exit 1).
#[derive(Debug)]
pub enum ReadError {
    /// The input is bad: exit code 2.
    Bad(BadInput),
    /// Reading failed: exit code 1.
    Io(std::io::Error),
}

impl From<BadInput> for ReadError {
    fn from(e: BadInput) -> Self {
        ReadError::Bad(e)
    }
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::Bad(e) => e.fmt(f),
            ReadError::Io(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for ReadError {}

/// A bad value in a row: what is wrong, which field, and a hint.
struct RowError {
    field: Field,
    what: String,
    hint: Cow<'static, str>,
}

fn bad(field: Field, what: impl Into<String>, hint: impl Into<Cow<'static, str>>) -> RowError {
    RowError {
        field,
        what: what.into(),
        hint: hint.into(),
    }
}

/// Reads a whole log on this thread and sorts it by time (equal times in file order): the
/// simple form; the pipeline reads on two threads (`crate::pipeline::read`).
pub fn read_log(
    input: impl Read,
    options: &InputOptions,
    calendar: &Calendar,
    markets: &Countries,
) -> Result<Log, ReadError> {
    let mut reader = LogReader::new(input, options, calendar)?;
    let mut log = Log::default();
    while let Some(m) = reader.next(&mut log.pairs, markets)? {
        log.messages.push(m);
    }
    log.stats = reader.into_stats();
    super::time_order::sort_by_time(&mut log.messages);
    Ok(log)
}

/// Reads a log row by row, in file order: the streaming form of [`read_log`]. Bad rows are
/// errors, or skipped and counted with `--skip-invalid` / `--skip-unsupported`.
pub struct LogReader<'a, R: Read> {
    reader: Cells<R>,
    record: Row,
    state: State<'a>,
}

/// What reading a record needs besides the record: kept apart from where records come from,
/// so that a table's row can be read while its batch is borrowed.
struct State<'a> {
    options: &'a InputOptions,
    calendar: &'a Calendar,
    columns: ColumnMap,
    supported_from: i64,
    /// Midnight after today in the WABA time zone: later messages are warned about.
    future_from: i64,
    cache: RowCache,
    stats: ReadStats,
    numbering: &'static NumberingPlan,
}

/// Where a reader's records come from: CSV text, or a table's batches, whose rows are read
/// where their columns lie (numbered as the lines of the same table written as CSV: the
/// header is line 1, the first row line 2). One per reader, never moved while reading: the
/// CSV variant stays inline rather than behind a pointer on the hot path.
#[allow(clippy::large_enum_variant)]
enum Cells<R> {
    Csv(Records<R>),
    Table(TableCursor),
}

/// Where a reading of a table stands.
struct TableCursor {
    batches: Vec<Batch>,
    /// The next row: row `row` of batch `batch`.
    batch: usize,
    row: usize,
    /// The line of the last row read.
    line: u64,
    /// The batch's [`Column::Written`](super::table::Column) columns written out for its rows
    /// `written_from..written_to` (the rows up to `written_to` can be read).
    written: Vec<Option<super::table::Column>>,
    written_from: usize,
    written_to: usize,
}

impl<'a, R: Read> LogReader<'a, R> {
    /// Reads and checks the header: a missing required column is an error before any row.
    pub fn new(
        input: R,
        options: &'a InputOptions,
        calendar: &'a Calendar,
    ) -> Result<Self, ReadError> {
        let mut reader = Records::new(input);
        let file = options.name.as_str();
        let start = reader.peek(sniff::SNIFF_BYTES).map_err(ReadError::Io)?;
        sniff::check_text(start, file)?;
        let delimiter = options.delimiter.unwrap_or_else(|| sniff::delimiter(start));
        reader.set_delimiter(delimiter);
        let headers = reader.header().map_err(ReadError::Io)?;
        Self::with_header(|_| Cells::Csv(reader), &headers, options, calendar)
    }

    /// Reads a table's rows as a CSV log's records: its column names are the header, and each
    /// row's cells go through the same row parser. Errors give the line the row would be on in
    /// the same table written as CSV (row i, counted from 0, is on line i + 2).
    pub fn from_table(
        table: &dyn Table,
        options: &'a InputOptions,
        calendar: &'a Calendar,
    ) -> Result<Self, ReadError> {
        let header = table.header();
        let cells = |columns: &ColumnMap| {
            Cells::Table(TableCursor {
                batches: table.batches(&uses(columns, header.len())),
                batch: 0,
                row: 0,
                line: 1,
                written: Vec::new(),
                written_from: 0,
                written_to: 0,
            })
        };
        Self::with_header(cells, &header, options, calendar)
    }

    fn with_header(
        reader: impl FnOnce(&ColumnMap) -> Cells<R>,
        headers: &[String],
        options: &'a InputOptions,
        calendar: &'a Calendar,
    ) -> Result<Self, ReadError> {
        let file = options.name.as_str();
        if headers.len() > 1 && headers.iter().all(|h| h.trim().is_empty()) {
            return Err(BadInput::new(format!("{file}: no column names in the header"))
            .hint("the header line holds only separators; a log starts with a header naming its columns, such as timestamp,direction,category,recipient")
            .into());
        }
        if headers.iter().all(|h| h.trim().is_empty()) {
            return Err(
                BadInput::new(format!("{file}: the file is empty: no header row"))
                    .hint(
                        "a log starts with a header such as timestamp,direction,category,recipient",
                    )
                    .into(),
            );
        }
        let needs = Needs {
            category_optional: options.uncategorised,
        };
        let columns = ColumnMap::resolve_with(headers, &options.columns, file, needs)?;
        check_category_sources(&columns, options, file)?;
        Ok(LogReader {
            reader: reader(&columns),
            record: Row::default(),
            state: State {
                options,
                calendar,
                columns,
                supported_from: calendar.start_of_day_ms(SUPPORTED_FROM),
                future_from: calendar.start_of_day_ms(
                    chrono::Utc::now()
                        .with_timezone(&calendar.tz())
                        .date_naive()
                        .succ_opt()
                        .unwrap_or(chrono::NaiveDate::MAX),
                ),
                cache: RowCache::default(),
                stats: ReadStats::default(),
                numbering: NumberingPlan::bundled(),
            },
        })
    }

    /// A reader of the rest of the same CSV log, from `input`, which starts where a record
    /// starts: this reader's columns, separator, options and day. Its records are numbered
    /// from line 1 until [`LogReader::start_at_line`] says where `input` starts.
    pub(crate) fn continuing<R2: Read>(&self, input: R2) -> LogReader<'a, R2> {
        let delimiter = match &self.reader {
            Cells::Csv(records) => records.delimiter(),
            Cells::Table(_) => b',',
        };
        let st = &self.state;
        LogReader {
            reader: Cells::Csv(Records::continuing(input, 1, delimiter)),
            record: Row::default(),
            state: State {
                options: st.options,
                calendar: st.calendar,
                columns: st.columns.clone(),
                supported_from: st.supported_from,
                future_from: st.future_from,
                cache: RowCache::default(),
                stats: ReadStats::default(),
                numbering: st.numbering,
            },
        }
    }

    /// Numbers this reader's records from `line`, where its input starts (before any is read).
    pub(crate) fn start_at_line(&mut self, line: u64) {
        if let Cells::Csv(records) = &mut self.reader {
            records.start_at_line(line);
        }
    }

    /// Where a CSV reader stopped: the line after its last, and whether its input ended
    /// inside a quoted field (not where a record starts). `None` for a table.
    pub(crate) fn end(&self) -> Option<(u64, bool)> {
        match &self.reader {
            Cells::Csv(records) => Some((records.line(), records.cut_by_end())),
            Cells::Table(_) => None,
        }
    }

    /// The accounting of the rows read so far.
    pub fn stats(&self) -> &ReadStats {
        &self.state.stats
    }

    pub(crate) fn into_stats(self) -> ReadStats {
        self.state.stats
    }

    /// The next message in file order, or `None` at the end, its pair interned in `pairs`.
    pub fn next(
        &mut self,
        pairs: &mut Pairs,
        markets: &Countries,
    ) -> Result<Option<Message>, ReadError> {
        Ok(self.next_raw(pairs, markets)?.map(|raw| raw.intern(pairs)))
    }

    /// The next message in file order with its customer not yet interned (businesses are
    /// interned in `businesses`): what a reading thread hands to a replaying one.
    pub fn next_raw(
        &mut self,
        businesses: &mut Pairs,
        markets: &Countries,
    ) -> Result<Option<RawMessage>, ReadError> {
        self.state.prepare(markets);
        match &mut self.reader {
            Cells::Csv(records) => next_csv(
                records,
                &mut self.record,
                &mut self.state,
                businesses,
                markets,
            ),
            // Tables are read a batch at a time ([`LogReader::fill`]); one row is one of those.
            Cells::Table(cursor) => {
                let mut one = Vec::with_capacity(1);
                fill_from_table(cursor, &mut self.state, businesses, markets, &mut one, 1)?;
                Ok(one.pop())
            }
        }
    }

    /// Reads messages into `out` until it holds `max` or the log ends: true at the end.
    pub fn fill(
        &mut self,
        businesses: &mut Pairs,
        markets: &Countries,
        out: &mut Vec<RawMessage>,
        max: usize,
    ) -> Result<bool, ReadError> {
        self.state.prepare(markets);
        match &mut self.reader {
            Cells::Csv(records) => {
                while out.len() < max {
                    match next_csv(
                        records,
                        &mut self.record,
                        &mut self.state,
                        businesses,
                        markets,
                    )? {
                        Some(m) => out.push(m),
                        None => return Ok(true),
                    }
                }
                Ok(false)
            }
            Cells::Table(cursor) => {
                fill_from_table(cursor, &mut self.state, businesses, markets, out, max)
            }
        }
    }
}

/// The next message of a CSV log, or `None` at its end.
#[inline(always)]
fn next_csv<R: Read>(
    records: &mut Records<R>,
    record: &mut Row,
    st: &mut State,
    businesses: &mut Pairs,
    markets: &Countries,
) -> Result<Option<RawMessage>, ReadError> {
    let file = st.options.name.as_str();
    loop {
        // Only reading itself can fail here: any bytes split into some record.
        if !records.read(record).map_err(ReadError::Io)? {
            return Ok(None);
        }
        let line = record.line();
        let blank = record.len() == 1 && record[0].iter().all(u8::is_ascii_whitespace);
        if blank {
            continue; // a blank line
        }
        let header_count = st.columns.header_count();
        let delimiter = records.delimiter();
        let is_direction = |cell: &[u8]| row::direction_of(cell, &mut [0; row::KEYWORD]).is_some();
        if let Some(rows) =
            super::unclosed_quote::swallowed_rows(record, &st.columns, delimiter, is_direction)
        {
            st.stats.rows += 1;
            return Err(quote_never_closed(file, line, rows));
        }
        if record.len() > header_count {
            st.stats.rows += 1;
            let err = too_many_fields(file, record, header_count, delimiter);
            st.skip(err, Skip::Invalid)?;
            continue;
        }
        if let Some(m) = st.read(record, businesses, markets)? {
            return Ok(Some(m));
        }
    }
}

/// Reads a table's rows into `out` until it holds `max` or the table ends: true at the end.
fn fill_from_table(
    cursor: &mut TableCursor,
    st: &mut State,
    businesses: &mut Pairs,
    markets: &Countries,
    out: &mut Vec<RawMessage>,
    max: usize,
) -> Result<bool, ReadError> {
    while out.len() < max {
        let Some(batch) = cursor.batches.get(cursor.batch) else {
            return Ok(true);
        };
        if cursor.row >= batch.rows {
            (cursor.batch, cursor.row) = (cursor.batch + 1, 0);
            (cursor.written_from, cursor.written_to) = (0, 0);
            continue;
        }
        if cursor.row >= cursor.written_to {
            let to = if batch.columns.iter().any(super::table::Column::is_written) {
                (cursor.row + WRITTEN_ROWS).min(batch.rows)
            } else {
                batch.rows
            };
            cursor.written = batch
                .columns
                .iter()
                .map(|c| c.write(cursor.row, to))
                .collect();
            (cursor.written_from, cursor.written_to) = (cursor.row, to);
        }
        let view = BatchView::new(batch, &cursor.written, cursor.written_from);
        while cursor.row < cursor.written_to && out.len() < max {
            cursor.line += 1;
            let row = view.row(cursor.row, cursor.line);
            cursor.row += 1;
            if let Some(m) = st.read(&row, businesses, markets)? {
                out.push(m);
            }
        }
    }
    Ok(false)
}

impl State<'_> {
    /// What the reading of the first record needs: the possible lengths of numbers per
    /// country, once.
    fn prepare(&mut self, markets: &Countries) {
        if self.cache.lengths.is_empty() {
            self.cache.lengths = self.numbering.total_lengths(markets.calling_codes());
        }
    }

    /// One record read: a message, or `None` when it is skipped (counted) or of another
    /// channel.
    #[inline(always)]
    fn read(
        &mut self,
        record: &impl Record,
        businesses: &mut Pairs,
        markets: &Countries,
    ) -> Result<Option<RawMessage>, ReadError> {
        let file = self.options.name.as_str();
        let line = record.line();
        self.stats.rows += 1;
        let cx = RowContext {
            columns: &self.columns,
            options: self.options,
            calendar: self.calendar,
            markets,
            numbering: self.numbering,
        };
        match parse_row(record, &cx, businesses, &mut self.cache) {
            Ok(Parsed::OtherChannel) => {
                self.stats.skipped_other_channel += 1;
            }
            Ok(Parsed::Message(m, _)) if m.time < self.supported_from => {
                let column = billing_time_column(&m, record, &self.columns);
                let err = BadInput::new(
                    "before 2022-02-01, the first date any supported pricing rule covers",
                )
                .at(location(file, line, &self.columns, column, record))
                .hint("remove older rows or pass --skip-unsupported to skip and count them");
                self.skip(err, Skip::Unsupported)?;
            }
            Ok(Parsed::Message(m, category)) => {
                if m.time >= self.future_from {
                    note_future(&mut self.stats, &self.columns, record, &m);
                }
                self.stats.count(&m, category, line);
                return Ok(Some(m));
            }
            Err(e) => {
                let err = BadInput::new(e.what)
                    .at(location(file, line, &self.columns, e.field, record))
                    .hint(e.hint);
                self.skip(err, Skip::Invalid)?;
            }
        }
        Ok(None)
    }

    /// A row that cannot be billed: an error, or with the option that allows it
    /// (`--skip-invalid` for a bad row, `--skip-unsupported` for one dated before any
    /// supported rule) counted and skipped.
    #[cold]
    #[inline(never)]
    fn skip(&mut self, err: BadInput, why: Skip) -> Result<(), ReadError> {
        let (allowed, count) = match why {
            Skip::Invalid => (self.options.skip_invalid, &mut self.stats.skipped_invalid),
            Skip::Unsupported => (
                self.options.skip_unsupported,
                &mut self.stats.skipped_unsupported,
            ),
        };
        if !allowed {
            return Err(err.into());
        }
        *count += 1;
        push_example(&mut self.stats, err);
        Ok(())
    }
}

impl ReadStats {
    /// Counts a message read: inbound or business, where its category came from, and the
    /// first line of its business number.
    #[inline(always)]
    fn count(&mut self, m: &RawMessage, category: CategoryFrom, line: u64) {
        if m.kind.is_business() {
            self.business += 1;
        } else {
            self.inbound += 1;
        }
        match category {
            CategoryFrom::Catalogue => self.from_catalogue += 1,
            CategoryFrom::Nowhere => self.uncategorised += 1,
            CategoryFrom::Row => {}
        }
        let b = m.business as usize;
        if b >= self.business_lines.len() {
            self.business_lines.resize(b + 1, 0);
        }
        if self.business_lines[b] == 0 {
            self.business_lines[b] = line;
        }
    }
}

/// A quoted field that holds `rows` lines like rows of the log: reading stops, even with
/// `--skip-invalid`, rather than lose the rows inside.
#[cold]
#[inline(never)]
fn quote_never_closed(file: &str, line: u64, rows: usize) -> ReadError {
    BadInput::new(format!(
        "{file}, line {line}: a quoted field holds {rows} line{} like rows of the log: a quote is probably never closed",
        if rows == 1 { "" } else { "s" }
    ))
    .hint("close the quote (a quote inside a quoted field is written twice: \"\"); waprice stops here, even with --skip-invalid, rather than lose the rows inside")
    .into()
}

/// A row with more fields than the header. An unquoted comma shifts every later field one
/// column right, so an empty field could land in `category` (a marketing template read as
/// free-form): never read.
#[cold]
#[inline(never)]
fn too_many_fields(file: &str, record: &Row, header_count: usize, delimiter: u8) -> BadInput {
    let extra = String::from_utf8_lossy(&record[header_count]);
    BadInput::new(format!(
        "{file}, line {}: row has {} fields but the header has {header_count} (field {} is '{}')",
        record.line(),
        record.len(),
        header_count + 1,
        extra.chars().take(80).collect::<String>()
    ))
    .hint(format!("a field holding {} must be enclosed in double quotes; otherwise the fields after it shift into the wrong columns", separator_name(delimiter)))
}

/// "a comma", "a semicolon", "a tab", "a |": the separator in a hint.
fn separator_name(delimiter: u8) -> String {
    match delimiter {
        b',' => "a comma".into(),
        b';' => "a semicolon".into(),
        b'\t' => "a tab".into(),
        d => format!("a {}", char::from(d)),
    }
}

/// Counts a message dated after today, and remembers it when it is the earliest.
#[cold]
#[inline(never)]
fn note_future(stats: &mut ReadStats, columns: &ColumnMap, record: &impl Record, m: &RawMessage) {
    stats.future += 1;
    if stats.first_future.as_ref().is_none_or(|f| m.time < f.2) {
        let header = columns.header(billing_time_column(m, record, columns));
        stats.first_future = Some((
            record.line(),
            crate::error::cut(header).into_owned(),
            m.time,
        ));
    }
}

/// The column a message's billing time came from: delivered_at when a business message has
/// one.
fn billing_time_column(m: &RawMessage, record: &impl Record, columns: &ColumnMap) -> Field {
    if m.kind.is_business() && !field(record, columns, Field::DeliveredAt).is_empty() {
        Field::DeliveredAt
    } else {
        Field::Timestamp
    }
}

/// Why a row is left out (`LogReader::skip`).
#[derive(Clone, Copy)]
enum Skip {
    /// A value that cannot be read.
    Invalid,
    /// A date before any supported rule.
    Unsupported,
}

/// Remembers a skipped row's error among the examples, and counts it under its reason.
fn push_example(stats: &mut ReadStats, e: BadInput) {
    count_reason(&mut stats.skipped_reasons, &e);
    stats.remember(e);
}

impl ReadStats {
    /// The accounting of a log read in two parts, `self` the first part's and `later` the
    /// rest's, as one reader of the whole log would have kept it; each part's business ids
    /// (`business_lines`) are mapped to the whole log's by `own_ids` and `later_ids`. False
    /// when that cannot be done exactly: the later part met more reasons for skipping than
    /// are counted apart, and which of them the first part already counted is lost.
    pub(crate) fn absorb(&mut self, later: ReadStats, own_ids: &[u32], later_ids: &[u32]) -> bool {
        // Every field named, so that a new one cannot be forgotten here.
        let ReadStats {
            rows,
            inbound,
            business,
            skipped_invalid,
            skipped_unsupported,
            skipped_other_channel,
            from_catalogue,
            uncategorised,
            skipped_examples,
            input_notes,
            skipped_reasons,
            future,
            first_future,
            business_lines,
        } = later;
        if skipped_reasons.iter().any(|(w, _)| w == OTHER_REASONS) {
            return false;
        }
        self.rows += rows;
        self.inbound += inbound;
        self.business += business;
        self.skipped_invalid += skipped_invalid;
        self.skipped_unsupported += skipped_unsupported;
        self.skipped_other_channel += skipped_other_channel;
        self.from_catalogue += from_catalogue;
        self.uncategorised += uncategorised;
        for e in skipped_examples {
            self.remember(e);
        }
        self.input_notes.extend(input_notes);
        for (what, n) in skipped_reasons {
            add_reason(&mut self.skipped_reasons, what, n);
        }
        self.future += future;
        // The earliest; among equal times the first in the file, this part's.
        if let Some(f) = first_future {
            if self.first_future.as_ref().is_none_or(|own| f.2 < own.2) {
                self.first_future = Some(f);
            }
        }
        let mut lines = Vec::new();
        for (ids, part) in [
            (own_ids, &self.business_lines),
            (later_ids, &business_lines),
        ] {
            for (&id, &line) in ids.iter().zip(part).filter(|(_, &line)| line > 0) {
                let id = id as usize;
                if id >= lines.len() {
                    lines.resize(id + 1, 0);
                }
                if lines[id] == 0 {
                    lines[id] = line;
                }
            }
        }
        self.business_lines = lines;
        true
    }

    /// Keeps a skipped row's error as an example, the first few only: the notes show them,
    /// and a log of a million bad rows must not keep a million errors.
    pub fn remember(&mut self, e: BadInput) {
        if self.skipped_examples.len() < SKIPPED_EXAMPLES {
            self.skipped_examples.push(e);
        }
    }
}

/// Counts a skipped row under "column 'X': what was wrong" (the first `SKIPPED_REASONS`
/// reasons apart, any later one as "other reasons").
pub fn count_reason(reasons: &mut Vec<(String, u64)>, e: &BadInput) {
    let what = match &e.at {
        Some(at) => format!("column '{}': {}", at.column, e.what),
        None => e.what.clone(),
    };
    let what = match e.what.split_once(" fields but the header has ") {
        // "row has 3 fields but the header has 5": one reason, whatever the count.
        Some(_) => "rows with more or fewer fields than the header".to_string(),
        None => what,
    };
    add_reason(reasons, what, 1);
}

/// Where skipped rows go once [`SKIPPED_REASONS`] reasons are counted apart.
const OTHER_REASONS: &str = "other reasons";

/// Counts `n` rows skipped for `what`.
fn add_reason(reasons: &mut Vec<(String, u64)>, what: String, n: u64) {
    if let Some(r) = reasons.iter_mut().find(|(w, _)| *w == what) {
        r.1 += n;
    } else if reasons.len() < SKIPPED_REASONS {
        reasons.push((what, n));
    } else if let Some(r) = reasons.iter_mut().find(|(w, _)| w == OTHER_REASONS) {
        r.1 += n;
    } else {
        reasons.push((OTHER_REASONS.to_string(), n));
    }
}

fn location(
    file: &str,
    line: u64,
    columns: &ColumnMap,
    field: Field,
    record: &impl Record,
) -> Location {
    let value = columns
        .index(field)
        .and_then(|i| record.text(i))
        .unwrap_or_default();
    Location {
        file: file.to_string(),
        line,
        column: crate::error::cut(columns.header(field)).into_owned(),
        value: crate::error::cut(&String::from_utf8_lossy(&value)).into_owned(),
    }
}

/// How the reader reads each of a table's columns: the timestamp columns as times (when no
/// other field is read from the same column), the other columns it maps as text.
fn uses(columns: &ColumnMap, count: usize) -> Vec<Use> {
    let mut uses = vec![Use::Unread; count];
    for f in Field::ALL {
        if let Some(u) = columns.index(f).and_then(|i| uses.get_mut(i)) {
            let time = matches!(f, Field::Timestamp | Field::DeliveredAt);
            *u = match (*u, time) {
                (Use::Unread, true) => Use::Time,
                (Use::Unread | Use::Time, false) | (Use::Text, _) => Use::Text,
                (Use::Time, true) => Use::Time,
            };
        }
    }
    uses
}

fn field<'r, C: Record>(record: &'r C, columns: &ColumnMap, f: Field) -> &'r [u8] {
    columns
        .index(f)
        .and_then(|i| record.get(i))
        .map_or(&[][..], <[u8]>::trim_ascii)
}

#[cfg(test)]
mod tests;
