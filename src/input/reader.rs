//! Reads a message log (CSV) into compact, time-ordered [`Message`]s.
//!
//! One reused [`Row`] ([`super::split`]), no String per row: values are matched as bytes,
//! customers are interned by their digits, and a customer's country is resolved once per pair.

use super::columns::{ColumnMap, Field, Needs};
use super::date_format::{self, DateFormat};
use super::sniff;
use super::split::{Records, Row};
use super::templates::{Lookup, TemplateCatalogue};
use super::time::{parse_timestamp_with, DateCache, TimeError};
use crate::calendar::Calendar;
use crate::country::{Countries, CountryId};
use crate::era::SUPPORTED_FROM;
use crate::error::{BadInput, Location};
use crate::message::{Kind, Message, TemplateCategory};
use crate::parties::Parties;
use crate::phone::numbering::{NumberingPlan, Region};
use crate::phone::{self, PhoneError};
use std::borrow::Cow;
use std::io::Read;
use std::sync::Arc;

/// How to read one log.
#[derive(Debug, Clone, Default)]
pub struct InputOptions {
    /// The file's name in messages ("-" or "<stdin>" for standard input).
    pub name: String,
    pub columns: Vec<(Field, String)>,
    pub skip_invalid: bool,
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
    pub rows: u64,
    pub inbound: u64,
    pub business: u64,
    pub skipped_invalid: u64,
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
    pub messages: Vec<Message>,
    pub parties: Parties,
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
    Bad(BadInput),
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
/// library's simple form; the binary reads on two threads (`cmd/replay.rs`).
pub fn read_log(
    input: impl Read,
    options: &InputOptions,
    calendar: &Calendar,
    markets: &Countries,
) -> Result<Log, ReadError> {
    let mut reader = LogReader::new(input, options, calendar)?;
    let mut log = Log::default();
    while let Some(m) = reader.next(&mut log.parties, markets)? {
        log.messages.push(m);
    }
    log.stats = reader.into_stats();
    super::order::sort_by_time(&mut log.messages);
    Ok(log)
}

/// Reads a log row by row, in file order: the streaming form of [`read_log`]. Bad rows are
/// errors, or skipped and counted with `--skip-invalid` / `--skip-unsupported`.
pub struct LogReader<'a, R: Read> {
    reader: Records<R>,
    options: &'a InputOptions,
    calendar: &'a Calendar,
    columns: ColumnMap,
    supported_from: i64,
    /// Midnight after today in the WABA time zone: later messages are warned about.
    future_from: i64,
    record: Row,
    cache: RowCache,
    stats: ReadStats,
    numbering: &'static NumberingPlan,
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
        let columns = ColumnMap::resolve_with(&headers, &options.columns, file, needs)?;
        check_category_sources(&columns, options, file)?;
        Ok(LogReader {
            reader,
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
            record: Row::default(),
            cache: RowCache::default(),
            stats: ReadStats::default(),
            numbering: NumberingPlan::bundled(),
        })
    }

    pub fn stats(&self) -> &ReadStats {
        &self.stats
    }

    pub fn into_stats(self) -> ReadStats {
        self.stats
    }

    /// The next message in file order, or `None` at the end, its pair interned in `parties`.
    pub fn next(
        &mut self,
        parties: &mut Parties,
        markets: &Countries,
    ) -> Result<Option<Message>, ReadError> {
        Ok(self
            .next_raw(parties, markets)?
            .map(|raw| raw.intern(parties)))
    }

    /// The next message in file order with its customer not yet interned (businesses are
    /// interned in `businesses`): what a reading thread hands to a replaying one.
    pub fn next_raw(
        &mut self,
        businesses: &mut Parties,
        markets: &Countries,
    ) -> Result<Option<RawMessage>, ReadError> {
        let file = self.options.name.as_str();
        if self.cache.lengths.is_empty() {
            self.cache.lengths = self.numbering.total_lengths(markets.calling_codes());
        }
        loop {
            // Only reading itself can fail here: any bytes split into some record.
            if !self.reader.read(&mut self.record).map_err(ReadError::Io)? {
                return Ok(None);
            }
            let record = &self.record;
            let line = record.line();
            if record.len() == 1 && record[0].iter().all(u8::is_ascii_whitespace) {
                continue; // a blank line
            }
            self.stats.rows += 1;
            let header_count = self.columns.header_count();
            let delimiter = self.reader.delimiter();
            if let Some(rows) = super::quotes::swallowed_rows(record, header_count, delimiter) {
                return Err(BadInput::new(format!(
                    "{file}, line {line}: a quoted field holds {rows} line{} like rows of the log: a quote is probably never closed",
                    if rows == 1 { "" } else { "s" }
                ))
                .hint("close the quote (a quote inside a quoted field is written twice: \"\"); waprice stops here, even with --skip-invalid, rather than lose the rows inside")
                .into());
            }
            if record.len() > header_count {
                // An unquoted comma shifts every later field one column right, so an empty
                // field could land in `category` (a marketing template read as free-form).
                let extra = String::from_utf8_lossy(&record[header_count]);
                let err = BadInput::new(format!(
                    "{file}, line {line}: row has {} fields but the header has {header_count} (field {} is '{}')",
                    record.len(),
                    header_count + 1,
                    extra.chars().take(80).collect::<String>()
                ))
                .hint(format!("a field holding {} must be enclosed in double quotes; otherwise the fields after it shift into the wrong columns", separator_name(delimiter)));
                if !self.options.skip_invalid {
                    return Err(err.into());
                }
                self.stats.skipped_invalid += 1;
                push_example(&mut self.stats, err);
                continue;
            }
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
                    if !self.options.skip_unsupported {
                        return Err(err.into());
                    }
                    self.stats.skipped_unsupported += 1;
                    push_example(&mut self.stats, err);
                }
                Ok(Parsed::Message(m, category)) => {
                    if m.time >= self.future_from {
                        note_future(&mut self.stats, &self.columns, record, &m);
                    }
                    if m.kind.is_business() {
                        self.stats.business += 1;
                    } else {
                        self.stats.inbound += 1;
                    }
                    match category {
                        CategoryFrom::Catalogue => self.stats.from_catalogue += 1,
                        CategoryFrom::Nowhere => self.stats.uncategorised += 1,
                        CategoryFrom::Row => {}
                    }
                    let b = m.business as usize;
                    if b >= self.stats.business_lines.len() {
                        self.stats.business_lines.resize(b + 1, 0);
                    }
                    if self.stats.business_lines[b] == 0 {
                        self.stats.business_lines[b] = line;
                    }
                    return Ok(Some(m));
                }
                Err(e) => {
                    let err = BadInput::new(e.what)
                        .at(location(file, line, &self.columns, e.field, record))
                        .hint(e.hint);
                    if !self.options.skip_invalid {
                        return Err(err.into());
                    }
                    self.stats.skipped_invalid += 1;
                    push_example(&mut self.stats, err);
                }
            }
        }
    }
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
fn note_future(stats: &mut ReadStats, columns: &ColumnMap, record: &Row, m: &RawMessage) {
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
fn billing_time_column(m: &RawMessage, record: &Row, columns: &ColumnMap) -> Field {
    if m.kind.is_business() && !field(record, columns, Field::DeliveredAt).is_empty() {
        Field::DeliveredAt
    } else {
        Field::Timestamp
    }
}

/// Remembers a skipped row's error among the examples, and counts it under its reason.
fn push_example(stats: &mut ReadStats, e: BadInput) {
    count_reason(&mut stats.skipped_reasons, &e);
    if stats.skipped_examples.len() < SKIPPED_EXAMPLES {
        stats.skipped_examples.push(e);
    }
}

/// Counts a skipped row under "column 'X': what was wrong" (the first [`SKIPPED_REASONS`]
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
    if let Some(r) = reasons.iter_mut().find(|(w, _)| *w == what) {
        r.1 += 1;
    } else if reasons.len() < SKIPPED_REASONS {
        reasons.push((what, 1));
    } else if let Some(r) = reasons.iter_mut().find(|(w, _)| w == "other reasons") {
        r.1 += 1;
    } else {
        reasons.push(("other reasons".to_string(), 1));
    }
}

fn location(file: &str, line: u64, columns: &ColumnMap, field: Field, record: &Row) -> Location {
    let value = columns
        .index(field)
        .and_then(|i| record.get(i))
        .unwrap_or(b"");
    Location {
        file: file.to_string(),
        line,
        column: crate::error::cut(columns.header(field)).into_owned(),
        value: crate::error::cut(&String::from_utf8_lossy(value)).into_owned(),
    }
}

fn field<'r>(record: &'r Row, columns: &ColumnMap, f: Field) -> &'r [u8] {
    columns
        .index(f)
        .and_then(|i| record.get(i))
        .map_or(&[][..], <[u8]>::trim_ascii)
}

/// `value` lowercased into `buf` when it is short enough to be a keyword (keywords are at most
/// 16 bytes), so that it can be matched against byte-string patterns in one `match`.
fn keyword<'b>(value: &[u8], buf: &'b mut [u8; 16]) -> Option<&'b [u8]> {
    let out = buf.get_mut(..value.len())?;
    for (o, v) in out.iter_mut().zip(value) {
        *o = v.to_ascii_lowercase();
    }
    Some(out)
}

/// What a row turned out to be.
enum Parsed {
    Message(RawMessage, CategoryFrom),
    /// A row of another channel (an SMS in a Twilio export): not Meta's to bill.
    OtherChannel,
}

/// Where a business message's category came from.
#[derive(Clone, Copy, PartialEq, Eq)]
enum CategoryFrom {
    /// The row's category column (or it is inbound).
    Row,
    /// The `--templates` catalogue, by the row's template name.
    Catalogue,
    /// Nowhere: `--template-category` decides outside a customer service window.
    Nowhere,
}

/// What every row of a log is read with.
struct RowContext<'a> {
    columns: &'a ColumnMap,
    options: &'a InputOptions,
    calendar: &'a Calendar,
    markets: &'a Countries,
    numbering: &'static NumberingPlan,
}

/// A catalogue needs a template column to look names up, and a template column a catalogue;
/// `--template-category` is for logs that carry no category at all.
fn check_category_sources(
    columns: &ColumnMap,
    options: &InputOptions,
    file: &str,
) -> Result<(), BadInput> {
    let has = |f: Field| columns.index(f).is_some();
    if options.templates.is_some() && !has(Field::Template) {
        return Err(BadInput::new(format!(
            "{file}: --templates gives template categories, but the log has no template column (line 1, the header)"
        ))
        .hint("name the column holding each message's template name template or template_name, or map it with --column template=HEADER"));
    }
    if options.templates.is_none() && has(Field::Template) && !has(Field::Category) {
        return Err(BadInput::new(format!(
            "{file}: the log names templates (column '{}') but has no category column, and no catalogue says their categories",
            columns.header(Field::Template)
        ))
        .hint("add --templates FILE: Meta's template list (GET /{waba-id}/message_templates, JSON) or a CSV name,category[,language]"));
    }
    if options.uncategorised && (has(Field::Category) || has(Field::Template)) {
        let f = if has(Field::Category) {
            Field::Category
        } else {
            Field::Template
        };
        return Err(BadInput::new(format!(
            "{file}: --template-category is for logs without categories, but this log has column '{}'",
            columns.header(f)
        ))
        .hint("drop --template-category: the log's own column says each message's category"));
    }
    Ok(())
}

fn parse_row(
    record: &Row,
    cx: &RowContext,
    businesses: &mut Parties,
    cache: &mut RowCache,
) -> Result<Parsed, RowError> {
    let RowContext {
        columns,
        options,
        calendar,
        markets,
        numbering,
    } = *cx;
    let date_format = &options.date_format;
    if record.len() < columns.header_count() {
        let missing = Field::ALL
            .into_iter()
            .find(|f| f.required() && columns.index(*f).is_some_and(|i| i >= record.len()))
            .unwrap_or(Field::Timestamp);
        if columns.index(missing).is_some_and(|i| i >= record.len()) {
            return Err(bad(
                missing,
                format!(
                    "row has {} fields but the header has {}",
                    record.len(),
                    columns.header_count()
                ),
                "every row needs as many fields as the header; check for a missing separator",
            ));
        }
    }
    let mut kw = [0u8; 16];
    let inbound = match keyword(field(record, columns, Field::Direction), &mut kw) {
        Some(b"inbound" | b"in" | b"incoming" | b"received" | b"user" | b"customer") => true,
        Some(
            b"outbound" | b"out" | b"outgoing" | b"sent" | b"business" | b"outbound-api"
            | b"outbound-reply" | b"outbound-call",
        ) => false,
        _ => {
            return Err(bad(
                Field::Direction,
                "unknown direction",
                "use inbound (in, incoming, received, user, customer) or outbound (out, outgoing, sent, business, outbound-api, outbound-reply, outbound-call)",
            ))
        }
    };
    // Which columns hold the customer and the business: with from and to, it depends on
    // who sent the row.
    let (customer_field, business_field) = match (columns.parties(), inbound) {
        (false, _) => (Field::Recipient, Field::Business),
        (true, true) => (Field::From, Field::To),
        (true, false) => (Field::To, Field::From),
    };
    let raw_customer = field(record, columns, customer_field);
    if options.twilio && !has_whatsapp_prefix(raw_customer) && !raw_customer.is_empty() {
        return Ok(Parsed::OtherChannel);
    }
    let mut category_from = CategoryFrom::Row;
    let kind = if inbound {
        let entry_point = match keyword(field(record, columns, Field::EntryPoint), &mut kw) {
            Some(b"" | b"false" | b"no" | b"0" | b"none") => false,
            Some(b"ctwa" | b"page_cta" | b"true" | b"yes" | b"1") => true,
            _ => {
                return Err(bad(
                    Field::EntryPoint,
                    "unknown entry point value",
                    "use ctwa, page_cta, true, yes or 1 for a Click-to-WhatsApp ad or Page button; empty, false, no or 0 otherwise",
                ))
            }
        };
        Kind::Inbound { entry_point }
    } else if columns.index(Field::Category).is_some() {
        match keyword(field(record, columns, Field::Category), &mut kw) {
            Some(b"marketing" | b"marketing_lite") => Kind::Template(TemplateCategory::Marketing),
            Some(b"utility") => Kind::Template(TemplateCategory::Utility),
            Some(b"authentication") => Kind::Template(TemplateCategory::Authentication),
            Some(b"" | b"service" | b"text" | b"free_form" | b"session") => Kind::FreeForm,
            // Meta's message types: every one but `template` is a free-form message.
            Some(
                b"image" | b"audio" | b"video" | b"document" | b"sticker" | b"location"
                | b"contacts" | b"interactive" | b"reaction" | b"button" | b"order",
            ) => Kind::FreeForm,
            Some(b"template") => {
                return Err(bad(
                    Field::Category,
                    "a template, but not which category of template",
                    "write the template's category (marketing, utility or authentication), or give a template column with --templates FILE",
                ))
            }
            _ => {
                return Err(bad(
                    Field::Category,
                    "unknown category",
                    "templates are marketing, marketing_lite, utility or authentication; free-form messages are empty, service, text, free_form, session or a Meta message type (image, audio, video, document, sticker, location, contacts, interactive, reaction, button, order)",
                ))
            }
        }
    } else if let Some(catalogue) = &options.templates {
        let name = field(record, columns, Field::Template);
        if name.is_empty() {
            Kind::FreeForm
        } else {
            category_from = CategoryFrom::Catalogue;
            match catalogue.lookup(name, field(record, columns, Field::Language)) {
                Lookup::Found(c) => Kind::Template(c),
                Lookup::Unknown => {
                    return Err(bad(
                        Field::Template,
                        "template not in the --templates catalogue",
                        "fetch the current template list (GET /{waba-id}/message_templates) or add the template to the catalogue; --skip-invalid skips and counts such rows",
                    ))
                }
                Lookup::Ambiguous => {
                    return Err(bad(
                        Field::Template,
                        "the catalogue lists this template in several languages with different categories",
                        "add the log's template language as a language column, as the catalogue writes it",
                    ))
                }
            }
        }
    } else if columns.index(Field::Template).is_some() {
        // A template column beside a category column: the row's category rules (checked
        // when the reader starts); without a name, a free-form message.
        Kind::FreeForm
    } else {
        category_from = CategoryFrom::Nowhere;
        Kind::Uncategorised
    };
    let mut delivered = true;
    let mut delivery_confirmed = false;
    if !inbound {
        match keyword(field(record, columns, Field::Status), &mut kw) {
            // Sent, or on its way (Twilio's statuses): delivered as far as the log knows.
            Some(
                b"" | b"sent" | b"queued" | b"accepted" | b"sending" | b"scheduled"
                | b"partially_delivered",
            ) => {}
            Some(b"delivered" | b"read" | b"played") => delivery_confirmed = true,
            Some(b"failed" | b"undelivered" | b"rejected" | b"canceled" | b"cancelled") => {
                delivered = false
            }
            _ => {
                return Err(bad(
                    Field::Status,
                    "unknown status",
                    "use delivered, read, played or sent (or Twilio's queued, accepted, sending, scheduled) for delivered; failed, undelivered, rejected or canceled for not delivered; or leave it empty",
                ))
            }
        }
    }
    let mut time_of = |f: Field| -> Result<i64, RowError> {
        let raw = field(record, columns, f);
        // The shapes read without options, on the fast path; anything else (another shape,
        // --date-format, an error) off it.
        if let DateFormat::Auto = date_format {
            if let Ok(t) = parse_timestamp_with(raw, calendar, &mut cache.date) {
                if (0..TOO_LATE_MS).contains(&t) {
                    return Ok(t);
                }
            }
        }
        time_off_the_fast_path(f, raw, calendar, date_format, &mut cache.date)
    };
    let mut time = time_of(Field::Timestamp)?;
    if !inbound && !field(record, columns, Field::DeliveredAt).is_empty() {
        time = time_of(Field::DeliveredAt)?;
        delivery_confirmed = delivered;
    }
    let number_error = |e: PhoneError| {
        let hint = number_hint(
            &e,
            raw_customer,
            numbering,
            options.default_country.as_ref(),
        );
        bad(customer_field, e.to_string(), hint)
    };
    let number = phone::read_customer(raw_customer, options.default_country.as_ref())
        .map_err(number_error)?;
    let raw_business = field(record, columns, business_field);
    let business = match cache.businesses.iter().find(|(raw, _)| raw == raw_business) {
        Some(&(_, id)) => id,
        None => {
            let id = match phone::normalise(raw_business) {
                Ok(n) if !raw_business.is_empty() => {
                    businesses.business(write_digits(n, &mut cache.digits))
                }
                _ => businesses.business(raw_business),
            };
            let entry = (raw_business.to_vec(), id);
            if cache.businesses.len() < BUSINESS_CACHE {
                cache.businesses.push(entry);
            } else {
                cache.businesses[cache.next_out] = entry;
                cache.next_out = (cache.next_out + 1) % BUSINESS_CACHE;
            }
            id
        }
    };
    let country = markets.country_of(number).map_err(number_error)?;
    // One table lookup: the digits after the calling code must have a length the code's
    // numbering plan allows, or the number is most likely a national one read as
    // international, and its market would be wrong.
    let total = phone::digit_count(number);
    let lengths = cache.lengths.get(usize::from(country.0)).copied();
    let fits = lengths.unwrap_or(u64::MAX) & (1 << total) != 0;
    // Mexico's legacy mobile length is possible only with its leading 1: checked in full.
    let legacy = total == 13 && markets.calling_code(country) == 52;
    if !fits || (legacy && !numbering.possible(number, 52)) {
        let code = markets.calling_code(country);
        let national = total - phone::digit_count(u64::from(code));
        return Err(number_error(PhoneError::Impossible {
            code,
            national: national as u8,
            lengths: numbering.lengths_of(code),
        }));
    }
    Ok(Parsed::Message(
        RawMessage {
            time,
            number,
            business,
            country,
            kind,
            delivered,
            delivery_confirmed,
        },
        category_from,
    ))
}

/// `whatsapp:` before the number, as Twilio writes WhatsApp parties.
fn has_whatsapp_prefix(raw: &[u8]) -> bool {
    raw.trim_ascii_start()
        .get(..9)
        .is_some_and(|p| p.eq_ignore_ascii_case(b"whatsapp:"))
}

/// The hint for a number that cannot be read: for one that looks national, the countries
/// where it is a possible national number, the likeliest first.
fn number_hint(
    e: &PhoneError,
    raw: &[u8],
    numbering: &NumberingPlan,
    default: Option<&Region>,
) -> Cow<'static, str> {
    let looks_national = matches!(e, PhoneError::NoCallingCode | PhoneError::Impossible { .. });
    if !looks_national || default.is_some() {
        return e.hint().into();
    }
    let Ok(written) = phone::scan(raw) else {
        return e.hint().into();
    };
    if written.international {
        return e.hint().into();
    }
    let candidates = numbering.national_candidates(written.value, written.count);
    match candidates.as_slice() {
        [] => e.hint().into(),
        [only] => format!(
            "it looks like a national number of {only}: add --default-country {only} (or write numbers with + and the calling code)"
        )
        .into(),
        [first, rest @ ..] => {
            let shown: Vec<&str> = rest.iter().take(3).copied().collect();
            let more = rest.len() - shown.len();
            format!(
                "it looks like a national number of {first} (or of {}{}): add --default-country {first}, or your customers' country (or write numbers with + and the calling code)",
                shown.join(", "),
                if more > 0 { format!(" and {more} more") } else { String::new() }
            )
            .into()
        }
    }
}

/// A message read and checked, before its customer is interned: the customer's number and
/// country, and the business's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RawMessage {
    pub time: i64,
    pub number: u64,
    pub business: u32,
    pub country: CountryId,
    pub kind: Kind,
    pub delivered: bool,
    pub delivery_confirmed: bool,
}

impl RawMessage {
    /// The message with its (business, customer) pair interned.
    pub fn intern(self, parties: &mut Parties) -> Message {
        let pair = parties.intern(self.business, self.number, |_| {
            Ok::<_, std::convert::Infallible>(self.country)
        });
        Message {
            time: self.time,
            pair: pair.unwrap_or_else(|never| match never {}),
            kind: self.kind,
            delivered: self.delivered,
            delivery_confirmed: self.delivery_confirmed,
        }
    }
}

/// A timestamp the fast path did not read (another shape, `--date-format`) or that is
/// out of range, read again from the start: what it is, or the error with the hint for its
/// value.
#[cold]
#[inline(never)]
fn time_off_the_fast_path(
    f: Field,
    raw: &[u8],
    calendar: &Calendar,
    date_format: &DateFormat,
    cache: &mut DateCache,
) -> Result<i64, RowError> {
    match date_format::parse_time(raw, calendar, date_format, cache) {
        Ok(t) if !(0..TOO_LATE_MS).contains(&t) => {
            Err(bad(f, "timestamp out of range", TimeError::Range.hint()))
        }
        Ok(t) => Ok(t),
        Err(e) => Err(bad(
            f,
            e.to_string(),
            date_format::hint(e, raw, date_format),
        )),
    }
}

/// Interns a batch of messages in order, prefetching the pair table a few rows ahead, and
/// hands each with its interned form to `each`.
pub fn intern_all(
    raws: &[RawMessage],
    parties: &mut Parties,
    mut each: impl FnMut(&RawMessage, Message),
) {
    for (i, raw) in raws.iter().enumerate() {
        if let Some(next) = raws.get(i + crate::prefetch::AHEAD) {
            parties.prefetch(next.business, next.number);
        }
        each(raw, raw.intern(parties));
    }
}

/// How many business cells (as written) a reader remembers.
const BUSINESS_CACHE: usize = 8;

/// Per-reader scratch space: a log names a handful of business numbers, so the last few
/// raw cells and their ids are remembered and normalising and hashing them skipped.
#[derive(Default)]
struct RowCache {
    businesses: Vec<(Vec<u8>, u32)>,
    /// The entry a new business replaces once the cache is full (round robin).
    next_out: usize,
    digits: [u8; 20],
    date: DateCache,
    /// Per country: the possible digit counts of its numbers ([`NumberingPlan::total_lengths`]).
    lengths: Vec<u64>,
}

/// `+` and the decimal digits of `n`, written into `buf` without allocating.
fn write_digits(mut n: u64, buf: &mut [u8; 20]) -> &[u8] {
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    i -= 1;
    buf[i] = b'+';
    &buf[i..]
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::Tz;

    fn read(rows: &str) -> Result<Log, ReadError> {
        let text = format!("timestamp,direction,category,recipient,entry_point,status\n{rows}");
        let options = InputOptions {
            name: "t.csv".into(),
            ..InputOptions::default()
        };
        read_log(
            text.as_bytes(),
            &options,
            &Calendar::new(Tz::UTC),
            &crate::tariff::market::MarketMap::bundled(),
        )
    }

    fn kinds(rows: &str) -> Vec<(Kind, bool)> {
        read(rows)
            .unwrap()
            .messages
            .iter()
            .map(|m| (m.kind, m.delivered))
            .collect()
    }

    const T: &str = "2025-09-01T10:00:00Z";
    const N: &str = "+33612345678";

    #[test]
    fn every_direction_alias() {
        for d in [
            "inbound", "in", "incoming", "received", "user", "customer", "INBOUND", " In ",
        ] {
            assert_eq!(
                kinds(&format!("{T},{d},,{N},,\n")),
                vec![(Kind::Inbound { entry_point: false }, true)],
                "{d}"
            );
        }
        for d in [
            "outbound",
            "out",
            "outgoing",
            "sent",
            "business",
            "outbound-api",
            "outbound-reply",
            "Outbound",
        ] {
            assert_eq!(
                kinds(&format!("{T},{d},,{N},,\n")),
                vec![(Kind::FreeForm, true)],
                "{d}"
            );
        }
    }

    #[test]
    fn every_category_alias() {
        for (c, kind) in [
            ("marketing", Kind::Template(TemplateCategory::Marketing)),
            (
                "marketing_lite",
                Kind::Template(TemplateCategory::Marketing),
            ),
            ("utility", Kind::Template(TemplateCategory::Utility)),
            (
                "authentication",
                Kind::Template(TemplateCategory::Authentication),
            ),
            (
                "AUTHENTICATION",
                Kind::Template(TemplateCategory::Authentication),
            ),
            ("", Kind::FreeForm),
            ("service", Kind::FreeForm),
            ("text", Kind::FreeForm),
            ("free_form", Kind::FreeForm),
            ("session", Kind::FreeForm),
        ] {
            assert_eq!(
                kinds(&format!("{T},outbound,{c},{N},,\n")),
                vec![(kind, true)],
                "{c}"
            );
        }
        // Ignored on inbound rows.
        assert_eq!(
            kinds(&format!("{T},inbound,whatever,{N},,\n")),
            vec![(Kind::Inbound { entry_point: false }, true)]
        );
    }

    #[test]
    fn every_status_and_entry_point_value() {
        for (st, delivered, confirmed) in [
            ("", true, false),
            ("delivered", true, true),
            ("read", true, true),
            ("played", true, true),
            ("sent", true, false),
            ("failed", false, false),
            ("undelivered", false, false),
            ("rejected", false, false),
        ] {
            let m = read(&format!("{T},outbound,utility,{N},,{st}\n"))
                .unwrap()
                .messages[0];
            assert_eq!(
                (m.delivered, m.delivery_confirmed),
                (delivered, confirmed),
                "{st}"
            );
        }
        for (ep, flag) in [
            ("ctwa", true),
            ("page_cta", true),
            ("true", true),
            ("yes", true),
            ("1", true),
            ("", false),
            ("false", false),
            ("no", false),
            ("0", false),
        ] {
            assert_eq!(
                kinds(&format!("{T},inbound,,{N},{ep},\n")),
                vec![(Kind::Inbound { entry_point: flag }, true)],
                "{ep}"
            );
        }
    }

    #[test]
    fn the_same_customer_however_the_number_is_written() {
        let log = read(&format!("{T},inbound,,+33 6 12 34 56 78,,\n{T},inbound,,0033612345678,,\n{T},inbound,,whatsapp:+33612345678,,\n{T},inbound,,+33 (0)6 12 34 56 78,,\n{T},inbound,,33 6.12.34.56.78,,\n")).unwrap();
        assert_eq!(log.parties.customer_count(), 1);
        assert_eq!(log.parties.pair_count(), 1);
    }

    #[test]
    fn bad_values_name_line_column_and_value() {
        let err = read(&format!("{T},outbound,,{N},,\n{T},outbound,,{N},,lost\n")).unwrap_err();
        let ReadError::Bad(e) = err else {
            panic!("not bad input")
        };
        let at = e.at.as_deref().unwrap();
        assert_eq!(
            (at.line, at.column.as_str(), at.value.as_str()),
            (3, "status", "lost")
        );
        assert!(e.hint.is_some());
    }
}
