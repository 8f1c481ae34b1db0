//! `waprice ledger LOG`: one CSV row per unit (billed or free) and per message that is not a
//! unit because it was rejected or not delivered, in time order. Messages that rode on an
//! open conversation are not rows: the conversation they rode on is. Summing `rate` per
//! month gives estimate's `cost`. `tier` is a charged message's volume tier (`first:last`)
//! when a `--tiers` table priced it. `card` names the card a billed unit's rate came from and
//! `rate_source` says what kind of rate it is (`published`, `derived`, `substitute`,
//! `unpriced`; empty for free units and for messages that are not units).

use crate::settings::{LedgerSettings, LogSettings, Tariffs};
use anyhow::Result;
use chrono::{DateTime, Offset, SecondsFormat, TimeZone};
use rust_decimal::Decimal;
use std::io::Write;
use waprice::input::reader::Log;
use waprice::pipeline;
use waprice::render::xlsx::{Book, Column, Kind, Value};

use waprice::event::Pricing;
use waprice::pricing::Quote;

pub const HEADER: [&str; 12] = [
    "time",
    "business",
    "recipient",
    "market",
    "category",
    "pricing",
    "tier",
    "rate",
    "currency",
    "month",
    "card",
    "rate_source",
];

/// A billed unit's `rate_source`.
fn rate_source(quote: &Quote) -> &'static str {
    match quote {
        Quote::Free => "",
        Quote::Unpriced(_) => "unpriced",
        Quote::Priced(r) if r.substitute => "substitute",
        Quote::Priced(r) if r.derived => "derived",
        Quote::Priced(_) => "published",
    }
}

/// One ledger row, borrowed for the time it is written.
pub struct Row<'a> {
    /// In the WABA's time zone.
    pub local: chrono::NaiveDateTime,
    /// RFC 3339 with the zone's offset.
    pub time: &'a str,
    pub business: &'a [u8],
    pub recipient: &'a str,
    pub market: &'a str,
    pub category: &'static str,
    pub pricing: &'static str,
    pub tier: &'a str,
    pub rate: Option<Decimal>,
    pub currency: &'a str,
    pub month: &'a str,
    pub card: &'a str,
    pub source: &'static str,
}

/// Replays `log` and hands every ledger row to `each`, in time order.
pub fn rows(
    ls: &LogSettings,
    t: &Tariffs,
    log: &Log,
    mut each: impl FnMut(&Row) -> Result<()>,
) -> Result<()> {
    let tz = ls.timezone;
    let mut recipient = String::new();
    // Card names once per card row, not per ledger row.
    let cards: Vec<String> = t
        .cards
        .rows()
        .iter()
        .map(|r| format!("{} {}", r.currency, r.effective_from))
        .collect();
    pipeline::replay(ls, t, log, |e, market, quote| {
        if e.pricing == Pricing::Covered {
            return Ok(());
        }
        let utc = DateTime::from_timestamp_millis(e.time)
            .unwrap_or_default()
            .naive_utc();
        let offset = tz.offset_from_utc_datetime(&utc).fix();
        let local = offset.from_utc_datetime(&utc);
        let time = local.to_rfc3339_opts(SecondsFormat::AutoSi, true);
        let pair = log.parties.pair_of(e.pair);
        let customer = log.parties.customer_of(e.pair);
        recipient.clear();
        recipient.push_str(&log.parties.recipient(customer.number));
        let tier = match quote {
            Quote::Priced(r) => r.tier.map(|b| b.to_string()).unwrap_or_default(),
            _ => String::new(),
        };
        let rate = match (e.pricing.is_unit(), quote) {
            (false, _) => None,
            (true, Quote::Unpriced(_)) => None,
            (true, q) => q.value(),
        };
        let (card, source) = match quote {
            _ if !e.pricing.is_unit() => ("", ""),
            Quote::Priced(r) => (cards[r.row].as_str(), rate_source(quote)),
            q => ("", rate_source(q)),
        };
        let month = e.month.to_string();
        each(&Row {
            local: local.naive_local(),
            time: &time,
            business: log.parties.business_name(pair.business),
            recipient: &recipient,
            market: t.markets.market_name(market),
            category: e.category.name(),
            pricing: e.pricing.name(),
            tier: &tier,
            rate,
            currency: &t.currency,
            month: &month,
            card,
            source,
        })
    })
}

/// The ledger's columns in a workbook.
pub fn xlsx_columns() -> [Column<'static>; 12] {
    [
        Column::new("time", Kind::DateTime),
        Column::new("business", Kind::Text),
        Column::new("recipient", Kind::Text),
        Column::new("market", Kind::Text),
        Column::new("category", Kind::Text),
        Column::new("pricing", Kind::Text),
        Column::new("tier", Kind::Text),
        Column::summed("rate", Kind::Money),
        Column::new("currency", Kind::Text),
        Column::new("month", Kind::Text),
        Column::new("card", Kind::Text),
        Column::new("rate_source", Kind::Text),
    ]
}

/// The ledger as a sheet named `ledger` of `book`, with its total.
pub fn sheet(ls: &LogSettings, t: &Tariffs, log: &Log, book: &mut Book) -> Result<()> {
    let cols = xlsx_columns();
    let mut sheet = book.sheet("ledger", &cols)?;
    let mut total: Option<Decimal> = None;
    rows(ls, t, log, |r| {
        let text = Value::text;
        let business = String::from_utf8_lossy(r.business);
        if let Some(rate) = r.rate {
            *total.get_or_insert(Decimal::ZERO) += rate;
        }
        sheet.row(&[
            Value::DateTime(r.local),
            text(&business),
            text(r.recipient),
            text(r.market),
            text(r.category),
            text(r.pricing),
            text(r.tier),
            r.rate.map_or(Value::Empty, Value::Decimal),
            text(r.currency),
            text(r.month),
            text(r.card),
            text(r.source),
        ])
    })?;
    let mut totals = vec![None; cols.len()];
    totals[7] = total;
    sheet.finish("total", &totals)
}

pub fn run(s: &LedgerSettings) -> Result<()> {
    let t = &s.tariffs;
    let log = pipeline::read(&s.log, t)?;
    if s.xlsx {
        let mut book = Book::new(&t.currency);
        sheet(&s.log, t, &log, &mut book)?;
        book.notes(&[format!(
            "times are in {} (--timezone), as the CSV's offsets give them",
            s.log.timezone.name()
        )])?;
        return book.save(s.output.as_deref());
    }
    let mut out = crate::settings::open_output(s.output.as_deref())?;
    let mut w = s.csv.writer(&mut out)?;
    w.write_record(HEADER)?;
    let mut rate = String::new();
    rows(&s.log, t, &log, |r| {
        rate.clear();
        if let Some(d) = r.rate {
            rate.push_str(&s.csv.decimal(d));
        }
        w.write_record([
            r.time.as_bytes(),
            r.business,
            r.recipient.as_bytes(),
            r.market.as_bytes(),
            r.category.as_bytes(),
            r.pricing.as_bytes(),
            r.tier.as_bytes(),
            rate.as_bytes(),
            r.currency.as_bytes(),
            r.month.as_bytes(),
            r.card.as_bytes(),
            r.source.as_bytes(),
        ])?;
        Ok(())
    })?;
    w.flush()?;
    drop(w);
    out.flush()?;
    Ok(())
}
