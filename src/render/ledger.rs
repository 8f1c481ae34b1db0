//! `waprice ledger`: one row per billing event, as CSV (streamed) or as a workbook sheet.

use super::csv::{CsvStyle, SafeWriter};
use super::xlsx::{Column, Kind, Sheet, Value};
use crate::pipeline::Row;
use std::io::Write;

/// The CSV header, fixed.
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

/// One row of the ledger sheet (columns as [`xlsx_columns`]).
pub fn xlsx_row(sheet: &mut Sheet<'_>, r: &Row) -> anyhow::Result<()> {
    let text = Value::text;
    let business = String::from_utf8_lossy(r.business);
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
}

/// The ledger as CSV, a row at a time as the replay gives them.
pub struct LedgerCsv<W: Write> {
    w: SafeWriter<W>,
    style: CsvStyle,
    rate: String,
}

impl<W: Write> LedgerCsv<W> {
    /// Writes the header (after the byte-order mark, if the style asks for one).
    pub fn new(style: CsvStyle, out: W) -> std::io::Result<Self> {
        let mut w = style.writer(out)?;
        w.write_record(HEADER)?;
        Ok(LedgerCsv {
            w,
            style,
            rate: String::new(),
        })
    }

    /// Writes one row.
    pub fn row(&mut self, r: &Row) -> std::io::Result<()> {
        self.rate.clear();
        if let Some(d) = r.rate {
            self.rate.push_str(&self.style.decimal(d));
        }
        self.w.write_record([
            r.time.as_bytes(),
            r.business,
            r.recipient.as_bytes(),
            r.market.as_bytes(),
            r.category.as_bytes(),
            r.pricing.as_bytes(),
            r.tier.as_bytes(),
            self.rate.as_bytes(),
            r.currency.as_bytes(),
            r.month.as_bytes(),
            r.card.as_bytes(),
            r.source.as_bytes(),
        ])
    }

    /// Flushes what is written.
    pub fn flush(&mut self) -> std::io::Result<()> {
        self.w.flush()
    }
}
