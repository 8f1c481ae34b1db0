//! `waprice invoices LOG --accounts FILE` and `estimate --accounts FILE --by account`: the
//! library's per-account replay (`pipeline::invoices`), cut to a shard with `--shard K/N`,
//! and printed.

use crate::settings::{InvoicesSettings, LogSettings, Tariffs};
use anyhow::Result;
use std::io::Write;
use waprice::accounts::{fnv1a64, Accounts, Shard};
use waprice::pipeline::{self, PerAccount};
use waprice::render::csv::CsvStyle;
use waprice::render::xlsx::Book;
use waprice::render::{self, Format};
use waprice::report::invoices::{Invoices, ShardMark};

pub fn run(s: &InvoicesSettings) -> Result<()> {
    let inv = invoices(&s.log, &s.tariffs, s.strict_accounts, s.shard, false)?;
    print(&inv, s.format, s.csv, false, s.html, s.output.as_deref())
}

/// The unsharded JSON of `inv` (the invoices', or with `by_account` estimate's long format).
pub fn unsharded_json(inv: &Invoices, by_account: bool) -> Vec<u8> {
    let mut whole = inv.clone();
    whole.shard = None;
    let mut out = Vec::new();
    let written = if by_account {
        render::invoices::by_account_json(&whole, &mut out)
    } else {
        render::invoices::json(&whole, &mut out)
    };
    written.expect("writing to memory");
    out
}

/// The fingerprint of a whole run: FNV-1a 64 of its unsharded JSON, as 16 hex digits.
pub fn fingerprint(inv: &Invoices, by_account: bool) -> String {
    format!("{:016x}", fnv1a64(&unsharded_json(inv, by_account)))
}

/// `--shard K/N`: keeps the lines of the shard's accounts, notes what was left to the other
/// shards, and marks the result with the fingerprint of the whole run.
fn keep_shard(
    mut inv: Invoices,
    shard: Shard,
    by_account: bool,
    accounts: &Accounts,
    messages: &[u64],
) -> Invoices {
    let fingerprint = fingerprint(&inv, by_account);
    inv.lines.retain(|l| shard.holds(&l.account));
    let mut held = 0;
    let mut other_messages = 0;
    for (a, n) in accounts.accounts.iter().zip(messages) {
        if shard.holds(&a.name) {
            held += 1;
        } else {
            other_messages += n;
        }
    }
    inv.notes.push(format!(
        "shard {shard}: the accounts whose name's FNV-1a 64 hash modulo {} is {} ({held} of {}); {other_messages} business messages of accounts in other shards were replayed with the log but left to their shards (not skipped as invalid); waprice merge puts the {} shards' JSON together",
        shard.n,
        shard.k - 1,
        accounts.account_count(),
        shard.n
    ));
    inv.shard = Some(ShardMark {
        k: shard.k,
        n: shard.n,
        fingerprint,
        accounts: held,
        other_messages,
    });
    inv
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
            keep_shard(invoices, shard, by_account, accounts, &messages)
        }
        _ => invoices,
    })
}
