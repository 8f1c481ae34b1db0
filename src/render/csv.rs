//! CSV output: the estimate's monthly rows or the `--by` long format, in the plain style
//! (`,` between fields, `.` in numbers) or for comma-decimal spreadsheets (`--decimal-comma`:
//! `;` between fields, `,` in numbers), which French or German Excel opens as numbers.

use super::{exact, BREAKDOWN_HEADER, BREAKDOWN_TIER_HEADER, ESTIMATE_HEADER};
use crate::event::UnitCategory;
use crate::report::{By, Report};
use rust_decimal::Decimal;
use std::io::Write;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CsvStyle {
    pub decimal_comma: bool,
}

impl CsvStyle {
    pub fn writer<W: Write>(self, out: W) -> ::csv::Writer<W> {
        ::csv::WriterBuilder::new()
            .delimiter(if self.decimal_comma { b';' } else { b',' })
            .from_writer(out)
    }

    /// A decimal at full precision in this style.
    pub fn decimal(self, d: Decimal) -> String {
        self.number(exact(d))
    }

    /// A number already written with a `.` decimal point, in this style.
    pub fn number(self, s: String) -> String {
        if self.decimal_comma {
            s.replace('.', ",")
        } else {
            s
        }
    }
}

pub fn estimate(report: &Report, style: CsvStyle, out: impl Write) -> std::io::Result<()> {
    let mut w = style.writer(out);
    match &report.breakdown {
        None => {
            w.write_record(ESTIMATE_HEADER)?;
            for m in &report.months {
                let t = &m.totals;
                let mut row: Vec<String> = vec![m.month.to_string()];
                row.extend(
                    UnitCategory::ALL
                        .iter()
                        .map(|c| t.billable[c.index()].to_string()),
                );
                row.extend([
                    t.free.to_string(),
                    t.billable_total().to_string(),
                    t.unpriced.to_string(),
                    style.decimal(t.cost),
                    style.decimal(m.budget.budget),
                    style.decimal(m.budget.overage),
                    report.currency.clone(),
                    t.derived.to_string(),
                    t.substituted.to_string(),
                ]);
                w.write_record(&row)?;
            }
        }
        Some(lines) if report.by == Some(By::Tier) => {
            w.write_record(BREAKDOWN_TIER_HEADER)?;
            for l in lines {
                w.write_record([
                    l.month.to_string(),
                    l.market.clone().unwrap_or_default(),
                    l.category.map(|c| c.name().to_string()).unwrap_or_default(),
                    l.tier.map(|t| t.to_string()).unwrap_or_default(),
                    l.billable.to_string(),
                    l.free.to_string(),
                    style.decimal(l.cost),
                    report.currency.clone(),
                ])?;
            }
        }
        Some(lines) => {
            w.write_record(BREAKDOWN_HEADER)?;
            for l in lines {
                w.write_record([
                    l.month.to_string(),
                    l.market.clone().unwrap_or_default(),
                    l.category.map(|c| c.name().to_string()).unwrap_or_default(),
                    l.billable.to_string(),
                    l.free.to_string(),
                    style.decimal(l.cost),
                    report.currency.clone(),
                ])?;
            }
        }
    }
    w.flush()
}
