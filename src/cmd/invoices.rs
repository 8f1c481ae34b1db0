//! `waprice invoices LOG --accounts FILE` and `estimate --accounts FILE --by account`: the
//! library's per-account replay (`pipeline::invoices`), cut to a shard with `--shard K/N`,
//! and printed.

use crate::settings::{InvoicesSettings, LogSettings, Tariffs};
use anyhow::Result;
use std::io::Write;
use waprice::accounts::Shard;
use waprice::pipeline::{self, PerAccount};
use waprice::render::csv::CsvStyle;
use waprice::render::xlsx::Book;
use waprice::render::{self, Format};
use waprice::report::invoices::Invoices;
use waprice::shards;

pub fn run(s: &InvoicesSettings) -> Result<()> {
    let inv = invoices(&s.log, &s.tariffs, s.strict_accounts, s.shard, false)?;
    print(&inv, s.format, s.csv, false, s.html, s.output.as_deref())
}

/// Prints the invoices, or (`by_account`) estimate's long format per account; `html` for
/// `--format html`.
pub fn print(
    inv: &Invoices,
    format: Format,
    csv: CsvStyle,
    by_account: bool,
    html: bool,
    output: Option<&str>,
) -> Result<()> {
    if html {
        let mut out = crate::settings::open_output(output)?;
        render::html::invoices(inv, by_account, &mut out)?;
        out.flush()?;
        return Ok(());
    }
    if format == Format::Xlsx {
        // Each line's money in its own currency; the workbook's default is never used.
        let mut book = Book::new(inv.lines.first().map_or("EUR", |l| l.currency.as_str()));
        if by_account {
            render::invoices::by_account_xlsx(inv, &mut book)?;
        } else {
            render::invoices::xlsx(inv, &mut book)?;
        }
        return book.save(output);
    }
    let mut out = crate::settings::open_output(output)?;
    match (format, by_account) {
        (Format::Table, false) => render::invoices::table(inv, &mut out)?,
        (Format::Csv, false) => render::invoices::csv(inv, csv, &mut out)?,
        (Format::Json, false) => render::invoices::json(inv, &mut out)?,
        (Format::Table, true) => render::invoices::by_account_table(inv, &mut out)?,
        (Format::Csv, true) => render::invoices::by_account_csv(inv, csv, &mut out)?,
        (Format::Json, true) => render::invoices::by_account_json(inv, &mut out)?,
        (Format::Xlsx, _) => unreachable!("written above"),
    }
    out.flush()?;
    Ok(())
}

/// Replays and prices the log once, per account: the lines and the notes (with `shard`, the
/// lines of that shard's accounts; `by_account` says which output the fingerprint is of).
pub fn invoices(
    ls: &LogSettings,
    t: &Tariffs,
    strict_accounts: bool,
    shard: Option<Shard>,
    by_account: bool,
) -> Result<Invoices> {
    let PerAccount { invoices, messages } = pipeline::invoices(ls, t, strict_accounts)?;
    Ok(match (shard, &ls.engine.accounts) {
        (Some(shard), Some(accounts)) => {
            shards::keep(invoices, shard, by_account, accounts, &messages)
        }
        _ => invoices,
    })
}
