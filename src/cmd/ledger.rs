//! `waprice ledger LOG`: one CSV row per unit (billed or free) and per message that is not a
//! unit because it was rejected or not delivered, in time order. Messages that rode on an
//! open conversation are not rows: the conversation they rode on is. Summing `rate` per
//! month gives estimate's `cost`. `tier` is a charged message's volume tier (`first:last`)
//! when a `--tiers` table priced it. `card` names the card a billed unit's rate came from and
//! `rate_source` says what kind of rate it is (`published`, `derived`, `substitute`,
//! `unpriced`; empty for free units and for messages that are not units).

use crate::settings::{LedgerSettings, LogSettings, Tariffs};
use anyhow::Result;
use rust_decimal::Decimal;
use std::io::Write;
use waprice::input::reader::Log;
use waprice::pipeline;
use waprice::render::xlsx::{Book, Column, Kind, Value};

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
    pipeline::ledger(ls, t, log, |r| {
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
    pipeline::ledger(&s.log, t, &log, |r| {
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
