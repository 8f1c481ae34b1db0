//! The views of `--format xlsx`, each a sheet of the run's workbook (see [`super::xlsx`]):
//! the same columns as the CSV of the same view, typed.

use super::xlsx::{Book, Column, Kind, Value};
use super::{BREAKDOWN_HEADER, BREAKDOWN_TIER_HEADER, ESTIMATE_HEADER};
use crate::event::UnitCategory;
use crate::report::{By, Report};
use rust_decimal::Decimal;

/// The estimate's kind of value per column of [`ESTIMATE_HEADER`].
fn estimate_kind(name: &str) -> Kind {
    match name {
        "month" | "currency" => Kind::Text,
        "cost" | "budget" | "overage" => Kind::Money,
        _ => Kind::Count,
    }
}

fn breakdown_kind(name: &str) -> Kind {
    match name {
        "month" | "market" | "category" | "tier" | "currency" => Kind::Text,
        "cost" => Kind::Money,
        _ => Kind::Count,
    }
}

/// Columns of `header`, numbers summed in the totals row.
fn columns<'a>(header: &[&'a str], kind: impl Fn(&str) -> Kind) -> Vec<Column<'a>> {
    header
        .iter()
        .map(|&h| match kind(h) {
            Kind::Text => Column::new(h, Kind::Text),
            k => Column::summed(h, k),
        })
        .collect()
}

/// The monthly sheet `months`, the breakdown sheet `markets` (from `breakdown`, a report of
/// the same log with a `--by`); the caller adds what else the workbook carries.
pub fn estimate(book: &mut Book, report: &Report, breakdown: &Report) -> anyhow::Result<()> {
    let cols = columns(&ESTIMATE_HEADER, estimate_kind);
    let mut s = book.sheet("months", &cols)?;
    let mut totals: Vec<Option<Decimal>> = vec![None; cols.len()];
    let mut add = |i: usize, d: Decimal| {
        *totals[i].get_or_insert(Decimal::ZERO) += d;
    };
    for m in &report.months {
        let t = &m.totals;
        let mut row: Vec<Value> = vec![Value::Text("")];
        row.extend(
            UnitCategory::ALL
                .iter()
                .map(|c| Value::Count(t.billable[c.index()])),
        );
        row.extend([
            Value::Count(t.free),
            Value::Count(t.billable_total()),
            Value::Count(t.unpriced),
            Value::Decimal(t.cost),
            Value::Decimal(m.budget.budget),
            Value::Decimal(m.budget.overage),
            Value::Text(&report.currency),
            Value::Count(t.derived),
            Value::Count(t.substituted),
        ]);
        let month = m.month.to_string();
        row[0] = Value::Text(&month);
        for (i, v) in row.iter().enumerate() {
            match *v {
                Value::Count(n) => add(i, Decimal::from(n)),
                Value::Decimal(d) => add(i, d),
                _ => {}
            }
        }
        s.row(&row)?;
    }
    s.finish("total", &totals)?;

    if let Some(lines) = &breakdown.breakdown {
        let tier = breakdown.by == Some(By::Tier);
        let header: &[&str] = if tier {
            &BREAKDOWN_TIER_HEADER
        } else {
            &BREAKDOWN_HEADER
        };
        let cols = columns(header, breakdown_kind);
        let name = match breakdown.by {
            Some(By::Category) => "categories",
            Some(By::Tier) => "tiers",
            _ => "markets",
        };
        let mut s = book.sheet(name, &cols)?;
        let mut totals: Vec<Option<Decimal>> = vec![None; cols.len()];
        for l in lines {
            let month = l.month.to_string();
            let tier_text = l.tier.map(|t| t.to_string()).unwrap_or_default();
            let mut row = vec![
                Value::Text(&month),
                l.market.as_deref().map_or(Value::Empty, Value::Text),
                l.category.map_or(Value::Empty, |c| Value::Text(c.name())),
            ];
            if tier {
                row.push(if tier_text.is_empty() {
                    Value::Empty
                } else {
                    Value::Text(&tier_text)
                });
            }
            row.extend([
                Value::Count(l.billable),
                Value::Count(l.free),
                Value::Decimal(l.cost),
                Value::Text(&breakdown.currency),
            ]);
            for (i, v) in row.iter().enumerate() {
                let d = match *v {
                    Value::Count(n) => Decimal::from(n),
                    Value::Decimal(d) => d,
                    _ => continue,
                };
                *totals[i].get_or_insert(Decimal::ZERO) += d;
            }
            s.row(&row)?;
        }
        s.finish("total", &totals)?;
    }
    Ok(())
}
