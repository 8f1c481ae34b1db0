//! One row of the log: its values read and checked (time, numbers, kind, delivery), the
//! customer's country resolved once per pair.

use super::*;

/// The longest keyword a cell is matched against (`partially_delivered`) fits.
pub(super) const KEYWORD: usize = 24;

/// `value` lowercased into `buf` when it is short enough to be a keyword (keywords are at most
/// [`KEYWORD`] bytes), so that it can be matched against byte-string patterns in one `match`.
pub(super) fn keyword<'b>(value: &[u8], buf: &'b mut [u8; KEYWORD]) -> Option<&'b [u8]> {
    let out = buf.get_mut(..value.len())?;
    for (o, v) in out.iter_mut().zip(value) {
        *o = v.to_ascii_lowercase();
    }
    Some(out)
}

/// `read` of a cell as written, or else of its lowercase form: logs mostly write keywords in
/// lowercase, and then the cell is matched without copying it.
#[inline(always)]
fn by_keyword<T>(
    value: &[u8],
    kw: &mut [u8; KEYWORD],
    read: impl Fn(&[u8]) -> Option<T>,
) -> Option<T> {
    read(value).or_else(|| keyword(value, kw).and_then(read))
}

/// What a row turned out to be.
pub(super) enum Parsed {
    Message(RawMessage, CategoryFrom),
    /// A row of another channel (an SMS in a Twilio export): not Meta's to bill.
    OtherChannel,
}

/// Where a business message's category came from.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum CategoryFrom {
    /// The row's category column (or it is inbound).
    Row,
    /// The `--templates` catalogue, by the row's template name.
    Catalogue,
    /// Nowhere: `--template-category` decides outside a customer service window.
    Nowhere,
}

/// What every row of a log is read with.
pub(super) struct RowContext<'a> {
    pub(super) columns: &'a ColumnMap,
    pub(super) options: &'a InputOptions,
    pub(super) calendar: &'a Calendar,
    pub(super) markets: &'a Countries,
    pub(super) numbering: &'static NumberingPlan,
}

/// A catalogue needs a template column to look names up, and a template column a catalogue;
/// `--template-category` is for logs that carry no category at all.
pub(super) fn check_category_sources(
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

/// Reads one row of the log into a message: its direction, kind, delivery, time, customer
/// (number and market) and business. Runs once per row: its pieces are inlined into it and
/// allocate nothing unless the row is bad.
pub(super) fn parse_row(
    record: &impl Record,
    cx: &RowContext,
    businesses: &mut Pairs,
    cache: &mut RowCache,
) -> Result<Parsed, RowError> {
    let columns = cx.columns;
    if record.len() < columns.header_count() {
        missing_fields(record, columns)?;
    }
    let mut kw = [0u8; KEYWORD];
    let inbound = is_inbound(record, columns, &mut kw)?;
    // Which columns hold the customer and the business: with from and to, it depends on
    // who sent the row.
    let (customer_field, business_field) = match (columns.parties(), inbound) {
        (false, _) => (Field::Recipient, Field::Business),
        (true, true) => (Field::From, Field::To),
        (true, false) => (Field::To, Field::From),
    };
    let raw_customer = field(record, columns, customer_field);
    if cx.options.twilio && !has_whatsapp_prefix(raw_customer) && !raw_customer.is_empty() {
        return Ok(Parsed::OtherChannel);
    }
    let (kind, category_from) = if inbound {
        (inbound_kind(record, columns, &mut kw)?, CategoryFrom::Row)
    } else {
        business_kind(record, cx, &mut kw)?
    };
    let (mut delivered, mut delivery_confirmed) = (true, false);
    if !inbound {
        (delivered, delivery_confirmed) = delivery(record, columns, &mut kw)?;
    }
    let mut time = row_time(record, cx, cache, Field::Timestamp)?;
    if !inbound && !field(record, columns, Field::DeliveredAt).is_empty() {
        time = row_time(record, cx, cache, Field::DeliveredAt)?;
        delivery_confirmed = delivered;
    }
    let number_error = |e: PhoneError| {
        let default = cx.options.default_country.as_ref();
        let hint = number_hint(&e, raw_customer, cx.numbering, default);
        bad(customer_field, e.to_string(), hint)
    };
    let number = phone::read_customer(raw_customer, cx.options.default_country.as_ref())
        .map_err(number_error)?;
    let business = business_id(field(record, columns, business_field), businesses, cache);
    let country = cx.markets.country_of(number).map_err(number_error)?;
    if let Err(e) = possible_length(number, country, cx, cache) {
        return Err(number_error(e));
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

/// A row shorter than the header: an error naming the first required field it lacks (a
/// short row that still holds every required field is read).
#[cold]
#[inline(never)]
fn missing_fields(record: &impl Record, columns: &ColumnMap) -> Result<(), RowError> {
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
    Ok(())
}

/// Whether a direction cell says inbound (`Some(true)`) or outbound, as written or in any
/// case and spacing; `None` when it is no direction.
#[inline(always)]
pub(super) fn direction_of(value: &[u8], kw: &mut [u8; KEYWORD]) -> Option<bool> {
    by_keyword(value, kw, |w| match w {
        b"inbound" | b"in" | b"incoming" | b"received" | b"user" | b"customer" => Some(true),
        b"outbound" | b"out" | b"outgoing" | b"sent" | b"business" | b"outbound-api"
        | b"outbound-reply" | b"outbound-call" => Some(false),
        _ => None,
    })
}

/// The row's direction: a customer message (inbound) or a business message.
#[inline(always)]
fn is_inbound(
    record: &impl Record,
    columns: &ColumnMap,
    kw: &mut [u8; KEYWORD],
) -> Result<bool, RowError> {
    match direction_of(field(record, columns, Field::Direction), kw) {
        Some(inbound) => Ok(inbound),
        None => Err(bad(
            Field::Direction,
            "unknown direction",
            "use inbound (in, incoming, received, user, customer) or outbound (out, outgoing, sent, business, outbound-api, outbound-reply, outbound-call)",
        )),
    }
}

/// A customer message, and whether it came through an entry point (a Click-to-WhatsApp ad
/// or a Page button), which opens a free entry-point window.
#[inline(always)]
fn inbound_kind(
    record: &impl Record,
    columns: &ColumnMap,
    kw: &mut [u8; KEYWORD],
) -> Result<Kind, RowError> {
    let entry_point = by_keyword(field(record, columns, Field::EntryPoint), kw, |w| match w {
        b"" | b"false" | b"no" | b"0" | b"none" => Some(false),
        b"ctwa" | b"page_cta" | b"true" | b"yes" | b"1" => Some(true),
        _ => None,
    });
    let entry_point = match entry_point {
        Some(flag) => flag,
        None => {
            return Err(bad(
                Field::EntryPoint,
                "unknown entry point value",
                "use ctwa, page_cta, true, yes or 1 for a Click-to-WhatsApp ad or Page button; empty, false, no, 0 or none otherwise (another value could mean either, so it is not guessed)",
            ))
        }
    };
    Ok(Kind::Inbound { entry_point })
}

/// A business message's kind (a template of a category, or free-form) and where it came
/// from: the row's category column, else the `--templates` catalogue by the row's template
/// name, else nowhere (`--template-category` decides).
#[inline(always)]
fn business_kind(
    record: &impl Record,
    cx: &RowContext,
    kw: &mut [u8; KEYWORD],
) -> Result<(Kind, CategoryFrom), RowError> {
    let columns = cx.columns;
    if columns.index(Field::Category).is_some() {
        Ok((row_category(record, columns, kw)?, CategoryFrom::Row))
    } else if let Some(catalogue) = &cx.options.templates {
        let name = field(record, columns, Field::Template);
        if name.is_empty() {
            Ok((Kind::FreeForm, CategoryFrom::Row))
        } else {
            let language = field(record, columns, Field::Language);
            Ok((
                catalogued(catalogue, name, language)?,
                CategoryFrom::Catalogue,
            ))
        }
    } else if columns.index(Field::Template).is_some() {
        // A template column beside a category column: the row's category rules (checked
        // when the reader starts); without a name, a free-form message.
        Ok((Kind::FreeForm, CategoryFrom::Row))
    } else {
        Ok((Kind::Uncategorised, CategoryFrom::Nowhere))
    }
}

/// A business message's kind by the row's category column: a template's category, or one of
/// the names of a free-form message (Meta's message types among them).
#[inline(always)]
fn row_category(
    record: &impl Record,
    columns: &ColumnMap,
    kw: &mut [u8; KEYWORD],
) -> Result<Kind, RowError> {
    // `Some(None)`: the word `template`, which names no category.
    let kind = by_keyword(field(record, columns, Field::Category), kw, |w| match w {
        b"marketing" | b"marketing_lite" => Some(Some(Kind::Template(TemplateCategory::Marketing))),
        b"utility" => Some(Some(Kind::Template(TemplateCategory::Utility))),
        b"authentication" => Some(Some(Kind::Template(TemplateCategory::Authentication))),
        b"" | b"service" | b"text" | b"free_form" | b"session" => Some(Some(Kind::FreeForm)),
        // Meta's message types: every one but `template` is a free-form message.
        b"image" | b"audio" | b"video" | b"document" | b"sticker" | b"location" | b"contacts"
        | b"interactive" | b"reaction" | b"button" | b"order" => Some(Some(Kind::FreeForm)),
        b"template" => Some(None),
        _ => None,
    });
    match kind {
        Some(Some(kind)) => Ok(kind),
        Some(None) => Err(bad(
            Field::Category,
            "a template, but not which category of template",
            "write the template's category (marketing, utility or authentication), or give a template column with --templates FILE",
        )),
        None => Err(bad(
            Field::Category,
            "unknown category",
            "templates are marketing, marketing_lite, utility or authentication; free-form messages are empty, service, text, free_form, session or a Meta message type (image, audio, video, document, sticker, location, contacts, interactive, reaction, button, order)",
        )),
    }
}

/// A template's category by the `--templates` catalogue, by its name and language.
#[inline(always)]
fn catalogued(
    catalogue: &TemplateCatalogue,
    name: &[u8],
    language: &[u8],
) -> Result<Kind, RowError> {
    match catalogue.lookup(name, language) {
        Lookup::Found(c) => Ok(Kind::Template(c)),
        Lookup::Unknown => Err(bad(
            Field::Template,
            "template not in the --templates catalogue",
            "fetch the current template list (GET /{waba-id}/message_templates) or add the template to the catalogue; --skip-invalid skips and counts such rows",
        )),
        Lookup::Ambiguous => Err(bad(
            Field::Template,
            "the catalogue lists this template in several languages with different categories",
            "add the log's template language as a language column, as the catalogue writes it",
        )),
    }
}

/// A business message's delivery by its status column: (delivered, delivery confirmed).
/// A failed message is not billed; a confirmed one proves the service window was open.
#[inline(always)]
fn delivery(
    record: &impl Record,
    columns: &ColumnMap,
    kw: &mut [u8; KEYWORD],
) -> Result<(bool, bool), RowError> {
    let delivery = by_keyword(field(record, columns, Field::Status), kw, |w| match w {
        // Sent, or on its way (Twilio's statuses): delivered as far as the log knows.
        b""
        | b"sent"
        | b"queued"
        | b"accepted"
        | b"sending"
        | b"scheduled"
        | b"partially_delivered" => Some((true, false)),
        b"delivered" | b"read" | b"played" => Some((true, true)),
        b"failed" | b"undelivered" | b"rejected" | b"canceled" | b"cancelled" => {
            Some((false, false))
        }
        _ => None,
    });
    match delivery {
        Some(d) => Ok(d),
        None => Err(bad(
            Field::Status,
            "unknown status",
            "use delivered, read, played or sent (or Twilio's queued, accepted, sending, scheduled, partially_delivered) for delivered; failed, undelivered, rejected or canceled for not delivered; or leave it empty",
        )),
    }
}

/// The time (ms) in column `f`. The shapes read without options on the fast path; anything
/// else (another shape, `--date-format`, an error) off it.
#[inline(always)]
fn row_time(
    record: &impl Record,
    cx: &RowContext,
    cache: &mut RowCache,
    f: Field,
) -> Result<i64, RowError> {
    if let Some(t) = cx.columns.index(f).and_then(|i| record.time(i)) {
        return typed_time(t, f, cx.calendar);
    }
    let raw = field(record, cx.columns, f);
    let date_format = &cx.options.date_format;
    if let DateFormat::Auto = date_format {
        if let Ok(t) = parse_timestamp_with(raw, cx.calendar, &mut cache.date) {
            if (0..TOO_LATE_MS).contains(&t) {
                return Ok(t);
            }
        }
    }
    time_off_the_fast_path(f, raw, cx.calendar, date_format, &mut cache.date)
}

/// A time a table handed over as such (an Arrow timestamp): an instant as it is, a local time
/// in the WABA's time zone; `--date-format` is for text and does not apply. The errors are
/// the ones its text (RFC 3339) would earn.
#[inline(never)]
fn typed_time(t: CellTime, f: Field, calendar: &Calendar) -> Result<i64, RowError> {
    let ms = match t {
        CellTime::Utc(ms) => Some(ms),
        CellTime::Local(ms) => match chrono::DateTime::from_timestamp_millis(ms) {
            Some(local) => match calendar.local_to_instant_ms(local.naive_utc()) {
                Some(ms) => Some(ms),
                None => {
                    let e = TimeError::Skipped;
                    return Err(bad(f, e.to_string(), e.hint()));
                }
            },
            None => None,
        },
    };
    match ms {
        Some(ms) if (0..TOO_LATE_MS).contains(&ms) => Ok(ms),
        _ => Err(bad(f, "timestamp out of range", TimeError::Range.hint())),
    }
}

/// The business's id in `businesses` for its cell as written: normalised and interned the
/// first time a spelling is seen, then found by its bytes.
#[inline(always)]
fn business_id(raw_business: &[u8], businesses: &mut Pairs, cache: &mut RowCache) -> u32 {
    match cache.businesses.get(raw_business) {
        Some(&id) => id,
        None => {
            let id = match phone::normalise(raw_business) {
                Ok(n) if !raw_business.is_empty() => {
                    businesses.business(phone::write_digits(n, &mut cache.digits))
                }
                _ => businesses.business(raw_business),
            };
            // Bounded, so that a column of junk cannot grow it with the rows.
            if cache.businesses.len() < BUSINESS_SPELLINGS {
                cache.businesses.insert(raw_business.into(), id);
            }
            id
        }
    }
}

/// Whether the customer's number has a length its country's numbering plan allows. One
/// table lookup: the digits after the calling code must have a possible length, or the
/// number is most likely a national one read as international, and its market would be
/// wrong.
#[inline(always)]
fn possible_length(
    number: u64,
    country: CountryId,
    cx: &RowContext,
    cache: &RowCache,
) -> Result<(), PhoneError> {
    let total = phone::digit_count(number);
    let lengths = cache.lengths.get(usize::from(country.0)).copied();
    let fits = lengths.unwrap_or(u64::MAX) & (1 << total) != 0;
    // Mexico's legacy mobile length is possible only with its leading 1: checked in full.
    let legacy = total == 13 && cx.markets.calling_code(country) == 52;
    if !fits || (legacy && !cx.numbering.possible(number, 52)) {
        let code = cx.markets.calling_code(country);
        let national = total - phone::digit_count(u64::from(code));
        return Err(PhoneError::Impossible {
            code,
            national: national as u8,
            lengths: cx.numbering.lengths_of(code),
        });
    }
    Ok(())
}

/// `whatsapp:` before the number, as Twilio writes WhatsApp pairs.
pub(super) fn has_whatsapp_prefix(raw: &[u8]) -> bool {
    raw.trim_ascii_start()
        .get(..9)
        .is_some_and(|p| p.eq_ignore_ascii_case(b"whatsapp:"))
}

/// The hint for a number that cannot be read: for one that looks national, the countries
/// where it is a possible national number, the likeliest first.
pub(super) fn number_hint(
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
    /// Its billing time (ms since the Unix epoch, UTC).
    pub time: i64,
    /// The customer's number, digits packed in a u64.
    pub number: u64,
    /// The business number's id in the reader's [`Pairs`](crate::pairs::Pairs).
    pub business: u32,
    /// The customer's country, from the number's calling code.
    pub country: CountryId,
    /// What the row is: a customer message, a template of a category, or free-form.
    pub kind: Kind,
    /// False when the row's status says it was not delivered.
    pub delivered: bool,
    /// The row proves delivery (a delivered, read or played status, or a delivery time).
    pub delivery_confirmed: bool,
}

impl RawMessage {
    /// The message with its (business, customer) pair interned.
    pub fn intern(self, pairs: &mut Pairs) -> Message {
        let pair = pairs.intern(self.business, self.number, |_| {
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
pub(super) fn time_off_the_fast_path(
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
    pairs: &mut Pairs,
    mut each: impl FnMut(&RawMessage, Message),
) {
    for (i, raw) in raws.iter().enumerate() {
        if let Some(next) = raws.get(i + crate::prefetch::AHEAD) {
            pairs.prefetch(next.business, next.number);
        }
        each(raw, raw.intern(pairs));
    }
}

/// How many business cells (as written) a reader remembers: far more than a platform has
/// numbers, far fewer than a log has rows.
pub(super) const BUSINESS_SPELLINGS: usize = 1 << 20;

/// Per-reader scratch space: a log names its business numbers over and over (a platform's
/// log, tens of thousands of them), so each raw cell is normalised and interned once and
/// then found by its bytes.
#[derive(Default)]
pub(super) struct RowCache {
    pub(super) businesses: rustc_hash::FxHashMap<Box<[u8]>, u32>,
    pub(super) digits: [u8; 20],
    pub(super) date: DateCache,
    /// Per country: the possible digit counts of its numbers ([`NumberingPlan::total_lengths`]).
    pub(super) lengths: Vec<u64>,
}
