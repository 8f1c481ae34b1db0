//! `estimate --as-of DATE`: the actual bill and the same log re-priced under the rules and
//! cards of another date, side by side, month by month.

use super::csv::CsvStyle;
use super::table::{new_table, right};
use super::{exact, money};
use crate::calendar::Month;
use crate::report::{Report, Totals};
use chrono::NaiveDate;
use comfy_table::Cell;
use rust_decimal::Decimal;
use serde_json::json;
use std::collections::BTreeSet;
use std::io::Write;

/// The CSV header of `estimate --as-of`.
pub const HEADER: [&str; 9] = [
    "month",
    "actual_billable",
    "actual_free",
    "actual_cost",
    "as_of_billable",
    "as_of_free",
    "as_of_cost",
    "difference",
    "currency",
];

/// `estimate --as-of DATE`: the log's bill, and the same log priced under the rules and
/// cards of DATE.
pub struct Comparison<'a> {
    /// The bill as the messages' own dates price it.
    pub actual: &'a Report,
    /// The bill under the rules and cards of `as_of`.
    pub what_if: &'a Report,
    /// The date whose rules and cards price `what_if`.
    pub as_of: NaiveDate,
}

/// One month of a comparison.
pub struct Line {
    /// The month.
    pub month: Month,
    /// Its totals as the messages' own dates price them.
    pub actual: Totals,
    /// Its totals under the rules and cards of the comparison's date.
    pub what_if: Totals,
}

impl Comparison<'_> {
    /// Both notes in one list, each said of its side: `actual: ...`, `as of DATE: ...`.
    pub fn notes(&self) -> Vec<String> {
        let as_of = self.as_of;
        self.actual
            .notes
            .iter()
            .map(|n| format!("actual: {n}"))
            .chain(
                self.what_if
                    .notes
                    .iter()
                    .map(|n| format!("as of {as_of}: {n}")),
            )
            .collect()
    }

    /// Every month either side has units in, in order.
    pub fn lines(&self) -> Vec<Line> {
        let months: BTreeSet<Month> = self
            .actual
            .months
            .iter()
            .chain(&self.what_if.months)
            .map(|m| m.month)
            .collect();
        let find = |r: &Report, month| {
            r.months
                .iter()
                .find(|m| m.month == month)
                .map(|m| m.totals.clone())
                .unwrap_or_default()
        };
        months
            .into_iter()
            .map(|month| Line {
                month,
                actual: find(self.actual, month),
                what_if: find(self.what_if, month),
            })
            .collect()
    }
}

fn lower_bound(t: &Totals) -> &'static str {
    if t.unpriced > 0 {
        "≥ "
    } else {
        ""
    }
}

/// The comparison as a table, month by month, with the notes.
pub fn table(c: &Comparison, mut out: impl Write) -> std::io::Result<()> {
    let mut t = new_table();
    let as_of = c.as_of.to_string();
    t.set_header(vec![
        "month".to_string(),
        "billable".into(),
        "free".into(),
        "cost".into(),
        format!("billable as of {as_of}"),
        format!("free as of {as_of}"),
        format!("cost as of {as_of}"),
        "difference".into(),
    ]);
    let cur = &c.actual.currency;
    let mut total = (Totals::default(), Totals::default());
    for l in c.lines() {
        t.add_row(vec![
            Cell::new(l.month),
            right(l.actual.billable_total().to_string()),
            right(l.actual.free.to_string()),
            right(format!(
                "{}{} {cur}",
                lower_bound(&l.actual),
                money(l.actual.cost)
            )),
            right(l.what_if.billable_total().to_string()),
            right(l.what_if.free.to_string()),
            right(format!(
                "{}{} {cur}",
                lower_bound(&l.what_if),
                money(l.what_if.cost)
            )),
            right(signed(l.what_if.cost - l.actual.cost)),
        ]);
        add(&mut total.0, &l.actual);
        add(&mut total.1, &l.what_if);
    }
    t.add_row(vec![
        Cell::new("total"),
        right(total.0.billable_total().to_string()),
        right(total.0.free.to_string()),
        right(format!(
            "{}{} {cur}",
            lower_bound(&total.0),
            money(total.0.cost)
        )),
        right(total.1.billable_total().to_string()),
        right(total.1.free.to_string()),
        right(format!(
            "{}{} {cur}",
            lower_bound(&total.1),
            money(total.1.cost)
        )),
        right(signed(total.1.cost - total.0.cost)),
    ]);
    writeln!(out, "{t}")?;
    writeln!(out, "notes (actual):")?;
    for n in &c.actual.notes {
        writeln!(out, "- {n}")?;
    }
    writeln!(
        out,
        "notes (as of {as_of}: every message under that date's rules and cards, in its own month):"
    )?;
    for n in &c.what_if.notes {
        writeln!(out, "- {n}")?;
    }
    Ok(())
}

fn add(a: &mut Totals, b: &Totals) {
    for (x, y) in a.billable.iter_mut().zip(b.billable) {
        *x += y;
    }
    a.free += b.free;
    a.unpriced += b.unpriced;
    a.cost += b.cost;
}

fn signed(d: Decimal) -> String {
    if d > Decimal::ZERO {
        format!("+{}", money(d))
    } else {
        money(d)
    }
}

/// The comparison as CSV ([`HEADER`]).
pub fn csv(c: &Comparison, style: CsvStyle, out: impl Write) -> std::io::Result<()> {
    let mut w = style.writer(out)?;
    w.write_record(HEADER)?;
    for l in c.lines() {
        w.write_record([
            l.month.to_string(),
            l.actual.billable_total().to_string(),
            l.actual.free.to_string(),
            style.decimal(l.actual.cost),
            l.what_if.billable_total().to_string(),
            l.what_if.free.to_string(),
            style.decimal(l.what_if.cost),
            style.decimal(l.what_if.cost - l.actual.cost),
            c.actual.currency.clone(),
        ])?;
    }
    w.flush()
}

/// The comparison as the sheet `as_of` of `book` (the CSV's columns, typed, with totals),
/// then both sets of notes on the `notes` sheet.
pub fn xlsx(c: &Comparison, book: &mut super::xlsx::Book) -> anyhow::Result<()> {
    use super::xlsx::{Column, Kind, Value};
    let cols: Vec<Column> = HEADER
        .iter()
        .map(|&h| match h {
            "month" | "currency" => Column::new(h, Kind::Text),
            h if h.ends_with("cost") || h == "difference" => Column::summed(h, Kind::Money),
            h => Column::summed(h, Kind::Count),
        })
        .collect();
    let mut sheet = book.sheet("as_of", &cols)?;
    let mut total = (Totals::default(), Totals::default());
    for l in c.lines() {
        let month = l.month.to_string();
        sheet.row(&[
            Value::Text(&month),
            Value::Count(l.actual.billable_total()),
            Value::Count(l.actual.free),
            Value::Decimal(l.actual.cost),
            Value::Count(l.what_if.billable_total()),
            Value::Count(l.what_if.free),
            Value::Decimal(l.what_if.cost),
            Value::Decimal(l.what_if.cost - l.actual.cost),
            Value::Text(&c.actual.currency),
        ])?;
        add(&mut total.0, &l.actual);
        add(&mut total.1, &l.what_if);
    }
    let n = |x: u64| Some(Decimal::from(x));
    sheet.finish(
        "total",
        &[
            None,
            n(total.0.billable_total()),
            n(total.0.free),
            Some(total.0.cost),
            n(total.1.billable_total()),
            n(total.1.free),
            Some(total.1.cost),
            Some(total.1.cost - total.0.cost),
            None,
        ],
    )?;
    let notes = c.notes();
    book.notes(&notes)?;
    Ok(())
}

/// The comparison as JSON, with both sets of notes.
pub fn json(c: &Comparison, out: impl Write) -> std::io::Result<()> {
    let months: Vec<_> = c
        .lines()
        .iter()
        .map(|l| {
            json!({
                "month": l.month.to_string(),
                "actual": {"billable": l.actual.billable_total(), "free": l.actual.free, "unpriced": l.actual.unpriced, "cost": exact(l.actual.cost)},
                "as_of": {"billable": l.what_if.billable_total(), "free": l.what_if.free, "unpriced": l.what_if.unpriced, "cost": exact(l.what_if.cost)},
                "difference": exact(l.what_if.cost - l.actual.cost),
            })
        })
        .collect();
    let doc = json!({
        "currency": c.actual.currency,
        "as_of": c.as_of.to_string(),
        "months": months,
        "notes": {"actual": c.actual.notes, "as_of": c.what_if.notes},
    });
    super::json::write_pretty(out, &doc)
}
