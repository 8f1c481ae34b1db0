//! `waprice invoices LOG --accounts FILE` and `estimate --accounts FILE --by account`: one
//! replay of a platform's log, each event counted in its account's tally, each account priced
//! in its own currency and measured against its own budget.

use crate::settings::{InvoicesSettings, LogSettings, Tariffs};
use anyhow::Result;
use rust_decimal::Decimal;
use std::cell::RefCell;
use std::io::Write;
use waprice::accounts::{fnv1a64, Accounts, Shard, UNASSIGNED};
use waprice::budget::Budget;
use waprice::error::BadInput;
use waprice::event::BillingEvent;
use waprice::pipeline;
use waprice::pricing::Quote;
use waprice::render::csv::CsvStyle;
use waprice::render::xlsx::Book;
use waprice::render::{self, Format};
use waprice::report::invoices::{InvoiceLine, Invoices, ShardMark};
use waprice::report::Tally;

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
    let accounts: &Accounts = ls
        .engine
        .accounts
        .as_deref()
        .expect("invoices run with --accounts");
    let currencies = accounts.currencies();
    let currency_of: Vec<usize> = accounts
        .accounts
        .iter()
        .map(|a| {
            currencies
                .iter()
                .position(|c| *c == a.currency)
                .unwrap_or(0)
        })
        .collect();
    // Per account: the events and the business messages (for a shard's note).
    let empty = || {
        (
            vec![Tally::default(); accounts.account_count()],
            vec![0u64; accounts.account_count()],
        )
    };
    let tallies = RefCell::new(empty());
    let each = |e: &BillingEvent, market, quote: &Quote| {
        let (per_account, messages) = &mut *tallies.borrow_mut();
        per_account[e.account as usize].add(e, market, quote, t.card_date(quote));
        messages[e.account as usize] += 1;
        Ok(())
    };
    let streamed = pipeline::stream(ls, t, || *tallies.borrow_mut() = empty(), each)?;
    let (mut per_account, messages) = tallies.into_inner();
    // Each event was counted once, in its account; the per-currency and overall tallies
    // (for the notes) are the sums of the accounts'.
    let mut per_currency = vec![Tally::default(); currencies.len()];
    let mut all = Tally::default();
    for (id, tally) in per_account.iter().enumerate() {
        if currencies.len() > 1 {
            per_currency[currency_of[id]].absorb(tally);
        }
        all.absorb(tally);
    }
    let unassigned = accounts.unassigned() as usize;
    per_account[unassigned].finish();
    let unassigned_units = per_account[unassigned].total().units();
    let mut unlisted_notes: Vec<String> = streamed
        .unlisted
        .iter()
        .map(|(number, line)| {
            let shown = if number.is_empty() { "(empty)" } else { number };
            format!("account {UNASSIGNED}: business {shown} is in no row of {} (first on line {line} of {})", accounts.file, ls.input.name)
        })
        .collect();
    if unassigned_units > 0 && unlisted_notes.is_empty() {
        unlisted_notes.push(format!(
            "account {UNASSIGNED}: {unassigned_units} units of listed business numbers fall on dates outside their rows' from/until in {}",
            accounts.file
        ));
    }
    if strict_accounts && (!streamed.unlisted.is_empty() || unassigned_units > 0) {
        return Err(BadInput::new(format!(
            "--strict-accounts: {}",
            unlisted_notes.join("; ").replace(&format!("account {UNASSIGNED}: "), "")
        ))
        .hint(format!("add the numbers to {} (or drop --strict-accounts to bill them to the account '{UNASSIGNED}')", accounts.file))
        .into());
    }
    for n in &unlisted_notes {
        eprintln!("waprice: {n}");
    }
    let mut lines = Vec::new();
    for (id, tally) in per_account.iter_mut().enumerate() {
        tally.finish();
        let account = &accounts.accounts[id];
        for (&month, totals) in &tally.months {
            if totals.units() == 0 {
                continue;
            }
            let agents = accounts.agents(id as u32, month);
            let budget = account.budget(agents).line(month, totals.cost);
            lines.push(InvoiceLine {
                month,
                account: account.name.clone(),
                agents: if id == unassigned { 0 } else { agents },
                billable: totals.billable_total(),
                free: totals.free,
                unpriced: totals.unpriced,
                cost: totals.cost,
                budget: budget.budget,
                overage: budget.overage,
                invoiced_on: budget.invoiced_on,
                currency: account.currency.clone(),
            });
        }
    }
    // The notes as estimate gives them. With several currencies, the notes that name a
    // currency (cards, substitutes, unpriced units) come from that currency's units, the
    // others (rules, rows, events that are not units) from all units.
    let placeholder = Budget::explicit(Decimal::ZERO);
    let notes_of = |tally: &mut Tally, currency: &str| -> Vec<String> {
        tally.finish();
        pipeline::notes(ls, t, &placeholder, currency, tally, &streamed.stats)
            .into_iter()
            .filter(|n| !n.starts_with("budget:"))
            .collect()
    };
    let mut notes = notes_of(&mut all, &currencies[0]);
    if currencies.len() > 1 {
        notes.retain(|n| !currencies.iter().any(|c| n.contains(c.as_str())));
        for (tally, c) in per_currency.iter_mut().zip(&currencies) {
            let own = notes_of(tally, c);
            notes.extend(own.into_iter().filter(|n| n.contains(c.as_str())));
        }
    }
    notes.push("budget: per account and month, Callbell's 50 EUR (54 USD) per started 10 active agents of the account (agents column, or --agents-by-month), or the account's budget column; each account is billed in its own currency, never converted".to_string());
    notes.push("free tiers and volume tiers count per WABA: the numbers of an account with the same waba column (one WABA per account without it)".to_string());
    notes.extend(unlisted_notes);
    let inv = Invoices::new(lines, notes);
    Ok(match shard {
        Some(shard) => keep_shard(inv, shard, by_account, accounts, &messages),
        None => inv,
    })
}
