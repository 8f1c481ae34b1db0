//! `waprice invoices` (one line per account and month) and `estimate --by account` (the
//! long format with an account column), as a table, CSV, JSON or a workbook.

use super::csv::CsvStyle;
use super::table::{new_table, right};
use super::xlsx::{Book, Column, Kind, Value as XValue};
use super::{exact, money};
use crate::report::invoices::{InvoiceLine, Invoices};
use comfy_table::Cell;
use rust_decimal::Decimal;
use serde_json::{json, Value};
use std::io::Write;

/// The invoices' CSV header, fixed.
pub const INVOICES_HEADER: [&str; 11] = [
    "month",
    "account",
    "agents",
    "billable",
    "free",
    "unpriced",
    "cost",
    "budget",
    "overage",
    "invoiced_on",
    "currency",
];

/// `estimate --by account`: the long format with an account column.
pub const BY_ACCOUNT_HEADER: [&str; 6] =
    ["month", "account", "billable", "free", "cost", "currency"];

/// `invoices --format csv`: one row per month and account.
pub fn csv(inv: &Invoices, style: CsvStyle, out: impl Write) -> std::io::Result<()> {
    let mut w = style.writer(out)?;
    w.write_record(INVOICES_HEADER)?;
    // The formatted fields of a line, written one after the other into one buffer: no string
    // a field but the money's (written by `style.decimal`, the one place that says how), a
    // platform's month-end having thousands of lines.
    let mut buf: Vec<u8> = Vec::new();
    for l in &inv.lines {
        buf.clear();
        let mut ends = [0usize; 8];
        let decimals = [l.cost, l.budget, l.overage];
        write!(buf, "{}", l.month)?;
        ends[0] = buf.len();
        for (i, n) in [l.agents.into(), l.billable, l.free, l.unpriced]
            .into_iter()
            .enumerate()
        {
            write!(buf, "{n}")?;
            ends[1 + i] = buf.len();
        }
        for (i, d) in decimals.into_iter().enumerate() {
            buf.extend_from_slice(style.decimal(d).as_bytes());
            ends[5 + i] = buf.len();
        }
        write!(buf, "{}", l.invoiced_on)?;
        let field = |i: usize| &buf[if i == 0 { 0 } else { ends[i - 1] }..ends[i]];
        w.write_record([
            field(0),
            l.account.as_bytes(),
            field(1),
            field(2),
            field(3),
            field(4),
            field(5),
            field(6),
            field(7),
            &buf[ends[7]..],
            l.currency.as_bytes(),
        ])?;
    }
    w.flush()
}

/// `invoices --format json`: the lines, the totals per currency and the notes.
pub fn json(inv: &Invoices, out: impl Write) -> std::io::Result<()> {
    let lines: Vec<Value> = inv
        .lines
        .iter()
        .map(|l| {
            json!({
                "month": l.month.to_string(),
                "account": l.account,
                "agents": l.agents,
                "billable": l.billable,
                "free": l.free,
                "unpriced": l.unpriced,
                "cost": exact(l.cost),
                "budget": exact(l.budget),
                "overage": exact(l.overage),
                "invoiced_on": l.invoiced_on.to_string(),
                "currency": l.currency,
            })
        })
        .collect();
    let totals: Vec<Value> = inv
        .totals()
        .iter()
        .map(|t| {
            json!({
                "currency": t.currency,
                "cost": exact(t.cost),
                "budget": exact(t.budget),
                "overage": exact(t.overage),
            })
        })
        .collect();
    let mut doc = json!({"invoices": lines, "totals": totals, "notes": inv.notes});
    add_shard(&mut doc, inv);
    super::json::write_pretty(out, &doc)
}

/// A `--shard` run's JSON ends with `shard`: which shard, the fingerprint of the whole run,
/// and what was left to the other shards. Unsharded JSON has no such key.
fn add_shard(doc: &mut Value, inv: &Invoices) {
    if let (Some(m), Value::Object(map)) = (&inv.shard, doc) {
        map.insert(
            "shard".to_string(),
            json!({
                "k": m.k,
                "n": m.n,
                "fingerprint": m.fingerprint,
                "accounts": m.accounts,
                "other_messages": m.other_messages,
            }),
        );
    }
}

/// The table, largest overage first, a total per currency, then the notes.
pub fn table(inv: &Invoices, mut out: impl Write) -> std::io::Result<()> {
    let mut t = new_table();
    t.set_header([
        "month",
        "account",
        "agents",
        "billable",
        "free",
        "cost",
        "budget",
        "overage",
        "invoiced on",
    ]);
    for l in inv.by_overage() {
        let cost = if l.unpriced > 0 {
            format!("≥ {} {}", money(l.cost), l.currency)
        } else {
            format!("{} {}", money(l.cost), l.currency)
        };
        t.add_row(vec![
            Cell::new(l.month),
            Cell::new(&l.account),
            right(l.agents),
            right(l.billable),
            right(l.free),
            right(cost),
            right(format!("{} {}", money(l.budget), l.currency)),
            right(format!("{} {}", money(l.overage), l.currency)),
            Cell::new(if l.overage.is_zero() {
                String::new()
            } else {
                l.invoiced_on.to_string()
            }),
        ]);
    }
    for total in inv.totals() {
        t.add_row(vec![
            Cell::new("total"),
            Cell::new(""),
            Cell::new(""),
            Cell::new(""),
            Cell::new(""),
            right(format!("{} {}", money(total.cost), total.currency)),
            right(format!("{} {}", money(total.budget), total.currency)),
            right(format!("{} {}", money(total.overage), total.currency)),
            Cell::new(""),
        ]);
    }
    writeln!(out, "{t}")?;
    notes(&inv.notes, &mut out)
}

fn notes(notes: &[String], mut out: impl Write) -> std::io::Result<()> {
    if !notes.is_empty() {
        writeln!(out, "notes:")?;
        for n in notes {
            writeln!(out, "- {n}")?;
        }
    }
    Ok(())
}

/// `estimate --by account` in CSV.
pub fn by_account_csv(inv: &Invoices, style: CsvStyle, out: impl Write) -> std::io::Result<()> {
    let mut w = style.writer(out)?;
    w.write_record(BY_ACCOUNT_HEADER)?;
    for l in &inv.lines {
        w.write_record([
            l.month.to_string(),
            l.account.clone(),
            l.billable.to_string(),
            l.free.to_string(),
            style.decimal(l.cost),
            l.currency.clone(),
        ])?;
    }
    w.flush()
}

/// `estimate --by account` in JSON: `rows` like the other long formats.
pub fn by_account_json(inv: &Invoices, out: impl Write) -> std::io::Result<()> {
    let rows: Vec<Value> = inv
        .lines
        .iter()
        .map(|l| {
            json!({
                "month": l.month.to_string(),
                "account": l.account,
                "billable": l.billable,
                "free": l.free,
                "cost": exact(l.cost),
                "currency": l.currency,
            })
        })
        .collect();
    let mut doc = json!({"rows": rows, "notes": inv.notes});
    add_shard(&mut doc, inv);
    super::json::write_pretty(out, &doc)
}

/// `estimate --by account` as a table, by month and account.
pub fn by_account_table(inv: &Invoices, mut out: impl Write) -> std::io::Result<()> {
    let mut t = new_table();
    t.set_header(["month", "account", "billable", "free", "cost"]);
    for l in &inv.lines {
        t.add_row(vec![
            Cell::new(l.month),
            Cell::new(&l.account),
            right(l.billable),
            right(l.free),
            right(format!("{} {}", money(l.cost), l.currency)),
        ]);
    }
    writeln!(out, "{t}")?;
    notes(&inv.notes, &mut out)
}

/// What the invoices' columns hold in a workbook: names and months as text, counts as
/// integers, money in the line's own currency, the invoice date as a date.
fn invoice_kind(name: &str) -> Kind {
    match name {
        "month" | "account" | "currency" => Kind::Text,
        "cost" | "budget" | "overage" => Kind::Money,
        "invoiced_on" => Kind::Date,
        _ => Kind::Count,
    }
}

fn xlsx_columns<'a>(header: &[&'a str]) -> Vec<Column<'a>> {
    header
        .iter()
        .map(|&h| match invoice_kind(h) {
            k @ (Kind::Count | Kind::Money) if h != "agents" => Column::summed(h, k),
            k => Column::new(h, k),
        })
        .collect()
}

/// Writes one row per line (`row` gives its cells in the columns of `header`) to the sheet
/// `name`, then a totals row per currency with `SUMIF` formulas.
fn xlsx_sheet(
    book: &mut Book,
    name: &str,
    header: &[&str],
    inv: &Invoices,
    row: impl for<'l> Fn(&'l InvoiceLine, &'l str) -> Vec<XValue<'l>>,
) -> anyhow::Result<()> {
    for l in &inv.lines {
        book.add_currency(&l.currency);
    }
    let cols = xlsx_columns(header);
    let key = header
        .iter()
        .position(|h| *h == "currency")
        .expect("a currency column");
    let mut s = book.sheet(name, &cols)?;
    let mut groups: Vec<(&str, Vec<Option<Decimal>>)> = Vec::new();
    for l in &inv.lines {
        let month = l.month.to_string();
        let values = row(l, &month);
        let at = match groups.iter().position(|(c, _)| *c == l.currency) {
            Some(at) => at,
            None => {
                groups.push((&l.currency, vec![None; cols.len()]));
                groups.len() - 1
            }
        };
        for (i, v) in values.iter().enumerate() {
            let d = match *v {
                _ if !cols[i].total => continue,
                XValue::Count(n) => Decimal::from(n),
                XValue::Money(d, _) => d,
                _ => continue,
            };
            *groups[at].1[i].get_or_insert(Decimal::ZERO) += d;
        }
        s.row(&values)?;
    }
    groups.sort_by(|a, b| a.0.cmp(b.0));
    s.finish_per_currency("total", key, &groups)?;
    Ok(())
}

/// `invoices --format xlsx`: the sheet `invoices` (the CSV's columns, typed; a total per
/// currency), and the notes on their own sheet.
pub fn xlsx(inv: &Invoices, book: &mut Book) -> anyhow::Result<()> {
    xlsx_sheet(book, "invoices", &INVOICES_HEADER, inv, |l, month| {
        vec![
            XValue::Text(month),
            XValue::text(&l.account),
            XValue::Count(u64::from(l.agents)),
            XValue::Count(l.billable),
            XValue::Count(l.free),
            XValue::Count(l.unpriced),
            XValue::Money(l.cost, &l.currency),
            XValue::Money(l.budget, &l.currency),
            XValue::Money(l.overage, &l.currency),
            XValue::Date(l.invoiced_on),
            XValue::text(&l.currency),
        ]
    })?;
    book.notes(&inv.notes)?;
    Ok(())
}

/// `estimate --by account --format xlsx`: the long format on the sheet `accounts`.
pub fn by_account_xlsx(inv: &Invoices, book: &mut Book) -> anyhow::Result<()> {
    xlsx_sheet(book, "accounts", &BY_ACCOUNT_HEADER, inv, |l, month| {
        vec![
            XValue::Text(month),
            XValue::text(&l.account),
            XValue::Count(l.billable),
            XValue::Count(l.free),
            XValue::Money(l.cost, &l.currency),
            XValue::text(&l.currency),
        ]
    })?;
    book.notes(&inv.notes)?;
    Ok(())
}
