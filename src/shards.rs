//! `--shard K/N`: a run's invoices cut to the accounts of one shard and marked with the
//! fingerprint of the whole run ([`keep`]); and `waprice merge FILE...`: the JSON of the
//! shards of one `invoices --shard K/N` run (or of `estimate --accounts --by account --shard
//! K/N`) put back together ([`merge`]), so that it prints exactly as the unsharded run.
//!
//! Every shard replays the whole log and carries the notes of the whole run, so merging is
//! the union of the shards' lines under those notes. The shards are refused (exit code 2,
//! naming the files) when they are not one run's: different N, the same K twice, a K
//! missing, another output, or another fingerprint (another log or other settings). The
//! merged result must hash to the fingerprint the shards carry, or nothing is printed.

use crate::accounts::{fnv1a64, Accounts, Shard};
use crate::calendar::Month;
use crate::error::BadInput;
use crate::report::invoices::{InvoiceLine, Invoices, ShardMark};
use anyhow::{Context, Result};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde_json::Value;
use std::str::FromStr;

/// One shard's file, read.
struct Part {
    file: String,
    by_account: bool,
    k: u32,
    n: u32,
    fingerprint: String,
    lines: Vec<InvoiceLine>,
    /// The run's notes, without the shard's own note.
    notes: Vec<String>,
}

fn bad(file: &str, what: impl std::fmt::Display) -> BadInput {
    BadInput::new(format!("{file}: {what}")).hint(
        "merge takes the --format json output of invoices --shard K/N (or estimate --accounts --by account --shard K/N), one file per shard",
    )
}

fn text<'a>(file: &str, v: &'a Value, key: &str) -> Result<&'a str, BadInput> {
    v.get(key)
        .and_then(Value::as_str)
        .ok_or_else(|| bad(file, format!("'{key}' is missing or not text")))
}

fn count(file: &str, v: &Value, key: &str) -> Result<u64, BadInput> {
    v.get(key)
        .and_then(Value::as_u64)
        .ok_or_else(|| bad(file, format!("'{key}' is missing or not a whole number")))
}

fn decimal(file: &str, v: &Value, key: &str) -> Result<Decimal, BadInput> {
    let raw = text(file, v, key)?;
    Decimal::from_str(raw).map_err(|_| bad(file, format!("{key} '{raw}' is not an amount")))
}

fn month(file: &str, raw: &str) -> Result<Month, BadInput> {
    NaiveDate::parse_from_str(&format!("{raw}-01"), "%Y-%m-%d")
        .map(Month::of)
        .map_err(|_| bad(file, format!("month '{raw}' is not YYYY-MM")))
}

fn read(file: &str) -> Result<Part> {
    let raw = std::fs::read_to_string(file).with_context(|| format!("cannot read {file}"))?;
    let doc: Value =
        serde_json::from_str(&raw).map_err(|e| bad(file, format!("not JSON ({e})")))?;
    let (by_account, rows) = match (doc.get("invoices"), doc.get("rows")) {
        (Some(Value::Array(rows)), None) => (false, rows),
        (None, Some(Value::Array(rows))) => (true, rows),
        _ => {
            return Err(bad(
                file,
                "neither the JSON of invoices nor of estimate --by account",
            )
            .into())
        }
    };
    let shard = doc
        .get("shard")
        .ok_or_else(|| bad(file, "no 'shard': not the output of a --shard K/N run"))?;
    let k = count(file, shard, "k")? as u32;
    let n = count(file, shard, "n")? as u32;
    if k == 0 || k > n {
        return Err(bad(file, format!("shard {k}/{n} is not K/N with 1 <= K <= N")).into());
    }
    let fingerprint = text(file, shard, "fingerprint")?.to_string();
    let mut lines = Vec::with_capacity(rows.len());
    for r in rows {
        let account = text(file, r, "account")?.to_string();
        if !(Shard { k, n }).holds(&account) {
            return Err(bad(file, format!("account '{account}' is not in shard {k}/{n}")).into());
        }
        let line = if by_account {
            InvoiceLine {
                month: month(file, text(file, r, "month")?)?,
                account,
                agents: 0,
                billable: count(file, r, "billable")?,
                free: count(file, r, "free")?,
                unpriced: 0,
                cost: decimal(file, r, "cost")?,
                budget: Decimal::ZERO,
                overage: Decimal::ZERO,
                invoiced_on: NaiveDate::default(),
                currency: text(file, r, "currency")?.to_string(),
            }
        } else {
            let raw = text(file, r, "invoiced_on")?;
            InvoiceLine {
                month: month(file, text(file, r, "month")?)?,
                account,
                agents: count(file, r, "agents")? as u32,
                billable: count(file, r, "billable")?,
                free: count(file, r, "free")?,
                unpriced: count(file, r, "unpriced")?,
                cost: decimal(file, r, "cost")?,
                budget: decimal(file, r, "budget")?,
                overage: decimal(file, r, "overage")?,
                invoiced_on: NaiveDate::parse_from_str(raw, "%Y-%m-%d")
                    .map_err(|_| bad(file, format!("invoiced_on '{raw}' is not a date")))?,
                currency: text(file, r, "currency")?.to_string(),
            }
        };
        lines.push(line);
    }
    let own = format!("shard {k}/{n}: ");
    let notes = match doc.get("notes") {
        Some(Value::Array(notes)) => notes
            .iter()
            .map(|n| n.as_str().map(str::to_string))
            .collect::<Option<Vec<String>>>()
            .ok_or_else(|| bad(file, "a note is not text"))?,
        _ => return Err(bad(file, "'notes' is missing").into()),
    }
    .into_iter()
    .filter(|note| !note.starts_with(&own))
    .collect();
    Ok(Part {
        file: file.to_string(),
        by_account,
        k,
        n,
        fingerprint,
        lines,
        notes,
    })
}

/// The shards' union, checked to be exactly one whole run.
pub fn merge(files: &[String]) -> Result<(Invoices, bool)> {
    let parts = files
        .iter()
        .map(|f| read(f))
        .collect::<Result<Vec<Part>>>()?;
    let first = &parts[0];
    let refuse = |what: String| -> anyhow::Error {
        BadInput::new(what)
            .hint("give merge every shard of one run once: the --format json outputs of --shard 1/N .. N/N, run on the same log with the same options")
            .into()
    };
    for p in &parts[1..] {
        if p.by_account != first.by_account {
            return Err(refuse(format!(
                "{} and {} are not the same output (invoices and estimate --by account)",
                first.file, p.file
            )));
        }
        if p.n != first.n {
            return Err(refuse(format!(
                "{} is shard {}/{} but {} is shard {}/{}: not the same number of shards",
                first.file, first.k, first.n, p.file, p.k, p.n
            )));
        }
        if p.fingerprint != first.fingerprint || p.notes != first.notes {
            return Err(refuse(format!(
                "{} and {} come from different runs (another log or other settings): fingerprints {} and {}",
                first.file, p.file, first.fingerprint, p.fingerprint
            )));
        }
    }
    let n = first.n;
    let mut by_k: Vec<Option<&str>> = vec![None; n as usize];
    for p in &parts {
        if let Some(other) = by_k[p.k as usize - 1] {
            return Err(refuse(format!(
                "{other} and {} are both shard {}/{n}: shards overlap",
                p.file, p.k
            )));
        }
        by_k[p.k as usize - 1] = Some(&p.file);
    }
    let missing: Vec<String> = by_k
        .iter()
        .enumerate()
        .filter(|(_, f)| f.is_none())
        .map(|(k, _)| format!("{}/{n}", k + 1))
        .collect();
    if !missing.is_empty() {
        let given: Vec<&str> = parts.iter().map(|p| p.file.as_str()).collect();
        return Err(refuse(format!(
            "shard {} missing (given: {})",
            missing.join(", "),
            given.join(", ")
        )));
    }
    let by_account = first.by_account;
    let notes = first.notes.clone();
    let expected = first.fingerprint.clone();
    let lines = parts.into_iter().flat_map(|p| p.lines).collect();
    let inv = Invoices::new(lines, notes);
    let got = fingerprint(&inv, by_account);
    if got != expected {
        return Err(refuse(format!(
            "the shards put together hash to {got}, not to the run's fingerprint {expected}: a file was edited or cut ({})",
            files.join(", ")
        )));
    }
    Ok((inv, by_account))
}

/// The unsharded JSON of `inv` (the invoices', or with `by_account` estimate's long format).
pub fn unsharded_json(inv: &Invoices, by_account: bool) -> Vec<u8> {
    let mut whole = inv.clone();
    whole.shard = None;
    let mut out = Vec::new();
    let written = if by_account {
        crate::render::invoices::by_account_json(&whole, &mut out)
    } else {
        crate::render::invoices::json(&whole, &mut out)
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
pub fn keep(
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
