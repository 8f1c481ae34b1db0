//! `waprice forecast`: a month's cost from volumes (waprice::forecast), as a table, CSV, JSON
//! or a workbook, with the budget and the notes.

use super::csv::CsvStyle;
use super::json::write_pretty;
use super::table::{new_table, right};
use super::xlsx::{Book, Column as XCol, Kind, Value};
use super::{exact, money, write_notes};
use crate::budget::BudgetLine;
use crate::forecast::Line;
use chrono::NaiveDate;
use comfy_table::Cell;
use rust_decimal::Decimal;
use serde_json::json;
use std::io::Write;

/// The CSV header, fixed.
pub const HEADER: [&str; 9] = [
    "country", "market", "category", "volume", "free", "billable", "rate", "cost", "currency",
];

/// A forecast to print: its lines, total and budget, in `currency` on `date`.
pub struct Forecast<'a> {
    /// A line per country and category.
    pub lines: &'a [Line],
    /// The notes under the forecast.
    pub notes: &'a [String],
    /// The currency of the cards.
    pub currency: &'a str,
    /// The date whose rules and cards apply.
    pub date: NaiveDate,
    /// The sum of the lines' cost.
    pub total: Decimal,
    /// The month's budget and overage.
    pub budget: BudgetLine,
}

impl Forecast<'_> {
    /// Some line has no rate: the total is a lower bound.
    fn unpriced(&self) -> bool {
        self.lines.iter().any(|l| l.rate.is_none())
    }
}

/// The CSV's columns in one sheet with its total, budget and overage, and the notes.
pub fn xlsx(f: &Forecast, book: &mut Book) -> anyhow::Result<()> {
    let cols = [
        XCol::new("country", Kind::Text),
        XCol::new("market", Kind::Text),
        XCol::new("category", Kind::Text),
        XCol::summed("volume", Kind::Count),
        XCol::summed("free", Kind::Count),
        XCol::summed("billable", Kind::Count),
        XCol::new("rate", Kind::Money),
        XCol::summed("cost", Kind::Money),
        XCol::new("currency", Kind::Text),
    ];
    let mut sheet = book.sheet("forecast", &cols)?;
    let mut sums = [0u64; 3];
    for l in f.lines {
        sums[0] += l.volume;
        sums[1] += l.free;
        sums[2] += l.billable;
        sheet.row(&[
            Value::Text(&l.country),
            Value::Text(&l.market),
            Value::Text(l.category.name()),
            Value::Count(l.volume),
            Value::Count(l.free),
            Value::Count(l.billable),
            l.rate.map_or(Value::Empty, Value::Decimal),
            Value::Decimal(l.cost),
            Value::Text(f.currency),
        ])?;
    }
    let n = |x: u64| Some(Decimal::from(x));
    sheet.finish_with(
        "total",
        &[
            None,
            None,
            None,
            n(sums[0]),
            n(sums[1]),
            n(sums[2]),
            None,
            Some(f.total),
            None,
        ],
        &[("budget", f.budget.budget), ("overage", f.budget.overage)],
    )?;
    book.notes(f.notes)?;
    Ok(())
}

/// A row per line, then the total, the budget and the overage.
pub fn csv(f: &Forecast, style: CsvStyle, out: impl Write) -> std::io::Result<()> {
    let mut w = style.writer(out)?;
    w.write_record(HEADER)?;
    for l in f.lines {
        w.write_record([
            l.country.clone(),
            l.market.clone(),
            l.category.name().to_string(),
            l.volume.to_string(),
            l.free.to_string(),
            l.billable.to_string(),
            l.rate.map(|r| style.decimal(r)).unwrap_or_default(),
            style.decimal(l.cost),
            f.currency.to_string(),
        ])?;
    }
    for (label, value) in [
        ("total", f.total),
        ("budget", f.budget.budget),
        ("overage", f.budget.overage),
    ] {
        w.write_record([
            "",
            "",
            label,
            "",
            "",
            "",
            "",
            &style.decimal(value),
            f.currency,
        ])?;
    }
    w.flush()
}

/// The lines, the total (a lower bound when a rate is missing), the budget and the notes.
pub fn json(f: &Forecast, out: impl Write) -> std::io::Result<()> {
    let rows: Vec<_> = f
        .lines
        .iter()
        .map(|l| {
            json!({"country": l.country, "market": l.market, "category": l.category.name(), "volume": l.volume,
                   "free": l.free, "billable": l.billable, "rate": l.rate.map(exact), "cost": exact(l.cost)})
        })
        .collect();
    let doc = json!({
        "currency": f.currency, "date": f.date.to_string(), "lines": rows, "total": exact(f.total),
        "lower_bound": f.unpriced(), "budget": exact(f.budget.budget), "overage": exact(f.budget.overage),
        "notes": f.notes,
    });
    write_pretty(out, &doc)
}

/// The lines and their total for people, the budget line and the notes.
pub fn table(f: &Forecast, mut out: impl Write) -> std::io::Result<()> {
    let mut table = new_table();
    table.set_header([
        "country", "market", "category", "volume", "free", "billable", "rate", "cost",
    ]);
    for l in f.lines {
        table.add_row(vec![
            Cell::new(&l.country),
            Cell::new(&l.market),
            Cell::new(l.category.name()),
            right(l.volume),
            right(l.free),
            right(l.billable),
            right(l.rate.map(exact).unwrap_or_else(|| "unpriced".into())),
            right(format!("{} {}", money(l.cost), f.currency)),
        ]);
    }
    let bound = if f.unpriced() { "≥ " } else { "" };
    table.add_row(vec![
        Cell::new("total"),
        Cell::new(""),
        Cell::new(""),
        Cell::new(""),
        Cell::new(""),
        Cell::new(""),
        Cell::new(""),
        right(format!("{bound}{} {}", money(f.total), f.currency)),
    ]);
    writeln!(out, "{table}")?;
    writeln!(
        out,
        "budget {} {cur} a month; overage {} {cur}{}",
        money(f.budget.budget),
        money(f.budget.overage),
        if f.budget.overage > Decimal::ZERO {
            " (invoiced at cost the next month)"
        } else {
            ""
        },
        cur = f.currency
    )?;
    write_notes(out, f.notes)
}
