//! CSV output: the estimate's monthly rows or the `--by` long format.

use super::{exact, BREAKDOWN_HEADER, BREAKDOWN_TIER_HEADER, ESTIMATE_HEADER};
use crate::event::UnitCategory;
use crate::report::{By, Report};
use std::io::Write;

pub fn estimate(report: &Report, out: impl Write) -> std::io::Result<()> {
    let mut w = ::csv::Writer::from_writer(out);
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
                    exact(t.cost),
                    exact(m.budget.budget),
                    exact(m.budget.overage),
                    report.currency.clone(),
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
                    exact(l.cost),
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
                    exact(l.cost),
                    report.currency.clone(),
                ])?;
            }
        }
    }
    w.flush()
}
