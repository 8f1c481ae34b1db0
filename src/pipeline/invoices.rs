//! Invoices: one replay of a platform's log, each event counted in its account's tally, each
//! account priced in its own currency and measured against its own budget.

use super::{notes, stream, LogSettings, Tariffs};
use crate::accounts::{Accounts, UNASSIGNED};
use crate::budget::Budget;
use crate::error::BadInput;
use crate::event::BillingEvent;
use crate::price::Quote;
use crate::report::invoices::{InvoiceLine, Invoices};
use crate::report::{AccountTallies, Split, Tally};
use anyhow::Result;
use rust_decimal::Decimal;
use std::cell::RefCell;

/// A log's invoices, and what each account sent.
pub struct PerAccount {
    /// The lines (per month and account) and the notes.
    pub invoices: Invoices,
    /// Business messages per account (indexed like `Accounts::accounts`).
    pub messages: Vec<u64>,
}

/// Replays and prices the log once, each event counted in its account: the invoice lines (per
/// account and month, in the account's currency, against its budget) and the notes, with the
/// business messages of each account (for a shard's note). `strict_accounts`: a business
/// number no account lists, or a listed one used outside its dates, is an error.
pub fn invoices(ls: &LogSettings, t: &Tariffs, strict_accounts: bool) -> Result<PerAccount> {
    let accounts: &Accounts = ls.engine.accounts.as_deref().ok_or_else(|| {
        BadInput::new("invoices need the platform's accounts")
            .hint("load an accounts file into the settings' engine configuration (--accounts FILE on the command line)")
    })?;
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
    // Per account: the events (whose count is its business messages, for a shard's note).
    let tallies = RefCell::new(AccountTallies::default());
    let each = |e: &BillingEvent, market, quote: &Quote| {
        tallies
            .borrow_mut()
            .add(e.account, e, market, quote, || t.card_date(quote));
        Ok(())
    };
    let streamed = stream(
        ls,
        t,
        || *tallies.borrow_mut() = AccountTallies::default(),
        each,
    )?;
    // Each event was counted once, in its account; the per-currency and overall tallies
    // (for the notes) are the sums of the accounts'.
    let Split {
        months: per_month,
        events: messages,
        groups: mut per_currency,
    } = tallies
        .into_inner()
        .split(accounts.account_count(), &currency_of, currencies.len());
    let mut all = Tally::default();
    for tally in &per_currency {
        all.absorb(tally);
    }
    let unassigned = accounts.unassigned();
    let unassigned_units: u64 = per_month
        .iter()
        .filter(|(id, ..)| *id == unassigned)
        .map(|(_, _, totals)| totals.units())
        .sum();
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
        ls.warn(n);
    }
    let mut lines = Vec::new();
    for &(id, month, ref totals) in &per_month {
        if totals.units() == 0 {
            continue;
        }
        let account = &accounts.accounts[id as usize];
        let agents = accounts.agents(id, month);
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
    // The notes as estimate gives them. With several currencies, the notes that name a
    // currency (cards, substitutes, unpriced units) come from that currency's units, the
    // others (rules, rows, events that are not units) from all units.
    let placeholder = Budget::explicit(Decimal::ZERO);
    let notes_of = |tally: &mut Tally, currency: &str| -> Vec<String> {
        tally.finish();
        notes(ls, t, &placeholder, currency, tally, &streamed.stats)
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
    Ok(PerAccount {
        invoices: Invoices::new(lines, notes),
        messages,
    })
}
