//! Reads a message log (CSV) into compact, time-ordered [`Message`]s.
//!
//! One reused `ByteRecord`, no String per row: values are matched as bytes, customers are
//! interned by their digits, and a customer's country is resolved once.

use super::columns::{ColumnMap, Field};
use super::phone::{self, PhoneError};
use super::time::{parse_timestamp, TimeError};
use crate::calendar::Calendar;
use crate::engine::era::SUPPORTED_FROM;
use crate::error::{BadInput, Location};
use crate::message::{Kind, Message, TemplateCategory};
use crate::parties::Parties;
use crate::tariff::market::MarketMap;
use std::io::Read;

/// How to read one log.
#[derive(Debug, Clone, Default)]
pub struct InputOptions {
    /// The file's name in messages ("-" or "<stdin>" for standard input).
    pub name: String,
    pub columns: Vec<(Field, String)>,
    pub skip_invalid: bool,
    pub skip_unsupported: bool,
}

/// Row accounting: every row read is either a message or counted as skipped.
#[derive(Debug, Clone, Default)]
pub struct ReadStats {
    pub rows: u64,
    pub inbound: u64,
    pub business: u64,
    pub skipped_invalid: u64,
    pub skipped_unsupported: u64,
    /// The first few skipped rows' errors, to show the user what was skipped.
    pub skipped_examples: Vec<BadInput>,
}

/// A log read into memory, sorted by time (equal times in file order).
#[derive(Debug, Default)]
pub struct Log {
    pub messages: Vec<Message>,
    pub parties: Parties,
    pub stats: ReadStats,
}

const SKIPPED_EXAMPLES: usize = 5;
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
    hint: &'static str,
}

fn bad(field: Field, what: impl Into<String>, hint: &'static str) -> RowError {
    RowError {
        field,
        what: what.into(),
        hint,
    }
}

pub fn read_log(
    input: impl Read,
    options: &InputOptions,
    calendar: &Calendar,
    markets: &MarketMap,
) -> Result<Log, ReadError> {
    read_log_with_progress(input, options, calendar, markets, |_| {})
}

/// Rows between two calls of the progress callback.
pub const PROGRESS_EVERY: u64 = 1 << 16;

/// [`read_log`], calling `progress(rows read)` every [`PROGRESS_EVERY`] rows.
pub fn read_log_with_progress(
    input: impl Read,
    options: &InputOptions,
    calendar: &Calendar,
    markets: &MarketMap,
    mut progress: impl FnMut(u64),
) -> Result<Log, ReadError> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(input);
    let file = options.name.as_str();
    let headers: Vec<String> = match reader.byte_headers() {
        Ok(h) => h
            .iter()
            .map(|f| String::from_utf8_lossy(f).into_owned())
            .collect(),
        Err(e) => return Err(csv_error(e, file)),
    };
    if headers.iter().all(|h| h.trim().is_empty()) {
        return Err(
            BadInput::new(format!("{file}: the file is empty: no header row"))
                .hint("a log starts with a header such as timestamp,direction,category,recipient")
                .into(),
        );
    }
    let columns = ColumnMap::resolve(&headers, &options.columns, file)?;
    let supported_from = calendar.start_of_day_ms(SUPPORTED_FROM);
    let mut log = Log::default();
    let mut record = csv::ByteRecord::new();
    let mut number_buf = [0u8; 20];
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                if options.skip_invalid && !matches!(e.kind(), csv::ErrorKind::Io(_)) {
                    log.stats.rows += 1;
                    log.stats.skipped_invalid += 1;
                    push_example(
                        &mut log.stats,
                        BadInput::new(format!("{file}, line {line}: {e}")),
                    );
                    continue;
                }
                return Err(csv_error(e, file));
            }
        }
        let line = record.position().map_or(0, |p| p.line());
        if record.len() == 1 && record[0].iter().all(u8::is_ascii_whitespace) {
            continue; // a blank line
        }
        log.stats.rows += 1;
        if log.stats.rows % PROGRESS_EVERY == 0 {
            progress(log.stats.rows);
        }
        if let Some(rows) = super::quotes::swallowed_rows(&record, columns.header_count()) {
            return Err(BadInput::new(format!(
                "{file}, line {line}: a quoted field holds {rows} line{} like rows of the log: a quote is probably never closed",
                if rows == 1 { "" } else { "s" }
            ))
            .hint("close the quote (a quote inside a quoted field is written twice: \"\"); waprice stops here, even with --skip-invalid, rather than lose the rows inside")
            .into());
        }
        if record.len() > columns.header_count() {
            // An unquoted comma shifts every later field one column right, so an empty field
            // could land in `category` (a marketing template read as free-form): never guess.
            let extra = String::from_utf8_lossy(&record[columns.header_count()]);
            let err = BadInput::new(format!(
                "{file}, line {line}: row has {} fields but the header has {} (field {} is '{}')",
                record.len(),
                columns.header_count(),
                columns.header_count() + 1,
                extra.chars().take(80).collect::<String>()
            ))
            .hint("a field holding a comma must be enclosed in double quotes; otherwise the fields after it shift into the wrong columns");
            if !options.skip_invalid {
                return Err(err.into());
            }
            log.stats.skipped_invalid += 1;
            push_example(&mut log.stats, err);
            continue;
        }
        match parse_row(
            &record,
            &columns,
            calendar,
            markets,
            &mut log.parties,
            &mut number_buf,
        ) {
            Ok(m) if m.time < supported_from => {
                // The billing time came from delivered_at when a business message has one.
                let column = if m.kind.is_business()
                    && !field(&record, &columns, Field::DeliveredAt).is_empty()
                {
                    Field::DeliveredAt
                } else {
                    Field::Timestamp
                };
                let err = BadInput::new(
                    "before 2022-02-01, the first date any supported pricing rule covers",
                )
                .at(location(file, line, &columns, column, &record))
                .hint("remove older rows or pass --skip-unsupported to skip and count them");
                if !options.skip_unsupported {
                    return Err(err.into());
                }
                log.stats.skipped_unsupported += 1;
                push_example(&mut log.stats, err);
            }
            Ok(m) => {
                if m.kind.is_business() {
                    log.stats.business += 1;
                } else {
                    log.stats.inbound += 1;
                }
                log.messages.push(m);
            }
            Err(e) => {
                let err = BadInput::new(e.what)
                    .at(location(file, line, &columns, e.field, &record))
                    .hint(e.hint);
                if !options.skip_invalid {
                    return Err(err.into());
                }
                log.stats.skipped_invalid += 1;
                push_example(&mut log.stats, err);
            }
        }
    }
    // Stable: equal times keep file order.
    log.messages.sort_by_key(|m| m.time);
    Ok(log)
}

fn push_example(stats: &mut ReadStats, e: BadInput) {
    if stats.skipped_examples.len() < SKIPPED_EXAMPLES {
        stats.skipped_examples.push(e);
    }
}

fn csv_error(e: csv::Error, file: &str) -> ReadError {
    let line = e.position().map_or(0, |p| p.line());
    match e.into_kind() {
        csv::ErrorKind::Io(io) => ReadError::Io(io),
        other => ReadError::Bad(
            BadInput::new(format!("{file}, line {line}: not readable as CSV: {other:?}"))
                .hint("check quoting: a field with commas, quotes or line breaks must be enclosed in double quotes"),
        ),
    }
}

fn location(
    file: &str,
    line: u64,
    columns: &ColumnMap,
    field: Field,
    record: &csv::ByteRecord,
) -> Location {
    let value = columns
        .index(field)
        .and_then(|i| record.get(i))
        .unwrap_or(b"");
    let mut value = String::from_utf8_lossy(value).into_owned();
    if value.len() > 80 {
        let mut cut = 80;
        while !value.is_char_boundary(cut) {
            cut -= 1;
        }
        value.truncate(cut);
        value.push('…');
    }
    Location {
        file: file.to_string(),
        line,
        column: columns.header(field).to_string(),
        value,
    }
}

fn field<'r>(record: &'r csv::ByteRecord, columns: &ColumnMap, f: Field) -> &'r [u8] {
    columns
        .index(f)
        .and_then(|i| record.get(i))
        .map_or(&[][..], trim)
}

fn trim(s: &[u8]) -> &[u8] {
    let start = s
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(s.len());
    let end = s
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(start, |e| e + 1);
    &s[start..end]
}

fn is_one_of(value: &[u8], names: &[&str]) -> bool {
    names
        .iter()
        .any(|n| value.eq_ignore_ascii_case(n.as_bytes()))
}

fn parse_row(
    record: &csv::ByteRecord,
    columns: &ColumnMap,
    calendar: &Calendar,
    markets: &MarketMap,
    parties: &mut Parties,
    number_buf: &mut [u8; 20],
) -> Result<Message, RowError> {
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
    let direction = field(record, columns, Field::Direction);
    let inbound = if is_one_of(
        direction,
        &["inbound", "in", "incoming", "received", "user", "customer"],
    ) {
        true
    } else if is_one_of(
        direction,
        &[
            "outbound",
            "out",
            "outgoing",
            "sent",
            "business",
            "outbound-api",
            "outbound-reply",
        ],
    ) {
        false
    } else {
        return Err(bad(
            Field::Direction,
            "unknown direction",
            "use inbound (in, incoming, received, user, customer) or outbound (out, outgoing, sent, business, outbound-api, outbound-reply)",
        ));
    };
    let kind = if inbound {
        let ep = field(record, columns, Field::EntryPoint);
        let entry_point = if ep.is_empty() || is_one_of(ep, &["false", "no", "0", "none"]) {
            false
        } else if is_one_of(ep, &["ctwa", "page_cta", "true", "yes", "1"]) {
            true
        } else {
            return Err(bad(
                Field::EntryPoint,
                "unknown entry point value",
                "use ctwa, page_cta, true, yes or 1 for a Click-to-WhatsApp ad or Page button; empty, false, no or 0 otherwise",
            ));
        };
        Kind::Inbound { entry_point }
    } else {
        let c = field(record, columns, Field::Category);
        if is_one_of(c, &["marketing", "marketing_lite"]) {
            Kind::Template(TemplateCategory::Marketing)
        } else if is_one_of(c, &["utility"]) {
            Kind::Template(TemplateCategory::Utility)
        } else if is_one_of(c, &["authentication"]) {
            Kind::Template(TemplateCategory::Authentication)
        } else if c.is_empty() || is_one_of(c, &["service", "text", "free_form", "session"]) {
            Kind::FreeForm
        } else {
            return Err(bad(
                Field::Category,
                "unknown category",
                "templates are marketing, marketing_lite, utility or authentication; free-form messages are empty, service, text, free_form or session",
            ));
        }
    };
    let mut delivered = true;
    if !inbound {
        let status = field(record, columns, Field::Status);
        if is_one_of(status, &["failed", "undelivered", "rejected"]) {
            delivered = false;
        } else if !(status.is_empty() || is_one_of(status, &["delivered", "read", "sent"])) {
            return Err(bad(
                Field::Status,
                "unknown status",
                "use delivered, read or sent (delivered), failed, undelivered or rejected (not delivered), or leave it empty",
            ));
        }
    }
    let time_of = |f: Field| -> Result<i64, RowError> {
        let raw = field(record, columns, f);
        match parse_timestamp(raw, calendar) {
            Ok(t) if !(0..TOO_LATE_MS).contains(&t) => {
                Err(bad(f, "timestamp out of range", TimeError::Range.hint()))
            }
            Ok(t) => Ok(t),
            Err(e) => Err(bad(f, e.to_string(), e.hint())),
        }
    };
    let mut time = time_of(Field::Timestamp)?;
    if !inbound && !field(record, columns, Field::DeliveredAt).is_empty() {
        time = time_of(Field::DeliveredAt)?;
    }
    let number = phone::normalise(field(record, columns, Field::Recipient))
        .map_err(|e| bad(Field::Recipient, e.to_string(), e.hint()))?;
    let customer = parties
        .customer(number, |n| markets.country_of(n))
        .map_err(|e: PhoneError| bad(Field::Recipient, e.to_string(), e.hint()))?;
    let raw_business = field(record, columns, Field::Business);
    let business = match phone::normalise(raw_business) {
        Ok(n) if !raw_business.is_empty() => parties.business(write_digits(n, number_buf)),
        _ => parties.business(raw_business),
    };
    let pair = parties.pair(business, customer);
    Ok(Message {
        time,
        pair,
        kind,
        delivered,
    })
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
