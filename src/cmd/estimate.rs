//! `waprice estimate LOG`: the month-by-month bill against the Callbell budget, and with
//! `--as-of DATE` the same log re-priced under the rules and cards of that date.

use crate::settings::EstimateSettings;
use anyhow::Result;
use std::io::Write;
use waprice::pipeline;
use waprice::render::xlsx::Book;
use waprice::render::{self, Format};
use waprice::report::{By, Report};

pub fn run(s: &EstimateSettings) -> Result<()> {
    if s.by_account {
        let inv = super::invoices::invoices(&s.log, &s.tariffs, s.strict_accounts, s.shard, true)?;
        return super::invoices::print(&inv, s.format, s.csv, true, s.html, s.output.as_deref());
    }
    if s.format == Format::Xlsx && s.as_of.is_none() {
        return workbook(s);
    }
    if let Some(as_of) = s.as_of {
        let (actual, what_if) = pipeline::what_if(&s.log, &s.tariffs, &s.budget, as_of)?;
        let compare = render::what_if::Comparison {
            actual: &actual,
            what_if: &what_if,
            as_of,
        };
        if s.format == Format::Xlsx {
            let mut book = Book::new(&s.tariffs.currency);
            render::what_if::xlsx(&compare, &mut book)?;
            return book.save(s.output.as_deref());
        }
        let mut out = crate::settings::open_output(s.output.as_deref())?;
        match s.format {
            Format::Table => render::what_if::table(&compare, &mut out)?,
            Format::Csv => render::what_if::csv(&compare, s.csv, &mut out)?,
            Format::Json => render::what_if::json(&compare, &mut out)?,
            Format::Xlsx => unreachable!("written above"),
        }
        out.flush()?;
    } else {
        let actual = report(s)?;
        let mut out = crate::settings::open_output(s.output.as_deref())?;
        if s.html {
            render::html::estimate(&actual, &s.log.input.name, &mut out)?;
            out.flush()?;
            return Ok(());
        }
        match s.format {
            Format::Table => render::table::estimate(&actual, s.chart, &mut out)?,
            Format::Csv => render::csv::estimate(&actual, s.csv, &mut out)?,
            Format::Json => render::json::estimate(&actual, &mut out)?,
            Format::Xlsx => unreachable!("written by workbook()"),
        }
        out.flush()?;
    }
    Ok(())
}

/// `--format xlsx`: the months, the breakdown (per market and category unless `--by` says
/// otherwise), with `--ledger-sheet` the ledger, and the notes, in one workbook.
fn workbook(s: &EstimateSettings) -> Result<()> {
    let mut book = Book::new(&s.tariffs.currency);
    let by = s.by.unwrap_or(By::MarketCategory);
    // With the ledger the log is read whole (the ledger needs its numbers), else streamed.
    let log = match s.ledger_sheet {
        true => Some(pipeline::read(&s.log, &s.tariffs)?),
        false => None,
    };
    let tallied = pipeline::tally(&s.log, &s.tariffs, log.as_ref())?;
    let build = |by| tallied.report(&s.log, &s.tariffs, &s.budget, by);
    let (months, breakdown) = (build(None), build(Some(by)));
    render::workbook::estimate(&mut book, &months, &breakdown)?;
    if let Some(log) = &log {
        super::ledger::sheet(&s.log, &s.tariffs, log, &mut book)?;
    }
    book.notes(&months.notes)?;
    book.save(s.output.as_deref())
}

/// Replays and prices the log (streamed) and builds the report with its notes.
fn report(s: &EstimateSettings) -> Result<Report> {
    let tallied = pipeline::tally(&s.log, &s.tariffs, None)?;
    Ok(tallied.report(&s.log, &s.tariffs, &s.budget, s.by))
}
