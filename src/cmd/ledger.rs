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
use waprice::render::ledger::{xlsx_columns, xlsx_row, LedgerCsv};
use waprice::render::xlsx::Book;

/// The ledger as a sheet named `ledger` of `book`, with its total.
pub fn sheet(ls: &LogSettings, t: &Tariffs, log: &Log, book: &mut Book) -> Result<()> {
    let cols = xlsx_columns();
    let mut sheet = book.sheet("ledger", &cols)?;
    let mut total: Option<Decimal> = None;
    pipeline::ledger(ls, t, log, |r| {
        if let Some(rate) = r.rate {
            *total.get_or_insert(Decimal::ZERO) += rate;
        }
        xlsx_row(&mut sheet, r)
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
        book.notes(&[pipeline::ledger_note(
            &s.log,
            pipeline::options::Spelling::Cli,
        )])?;
        return book.save(s.output.as_deref());
    }
    let mut out = crate::settings::open_output(s.output.as_deref())?;
    let mut w = LedgerCsv::new(s.csv, &mut out)?;
    pipeline::ledger(&s.log, t, &log, |r| Ok(w.row(r)?))?;
    w.flush()?;
    drop(w);
    out.flush()?;
    Ok(())
}
