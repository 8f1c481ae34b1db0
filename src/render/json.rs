//! JSON output. Money is an exact decimal string ("0.0712"), never a float, so no program
//! reading it loses a cent; counts are integers.

use super::exact;
use crate::event::UnitCategory;
use crate::report::{By, Report};
use serde_json::{json, Map, Value};
use std::io::Write;

/// One JSON document, pretty-printed, and a line break: how every JSON output ends.
pub fn write_pretty(mut out: impl Write, doc: &Value) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut out, doc)?;
    writeln!(out)
}

/// `estimate --format json`: the months (or the breakdown), the totals and the notes.
pub fn estimate(report: &Report, out: impl Write) -> std::io::Result<()> {
    let mut doc = Map::new();
    doc.insert("currency".into(), json!(report.currency));
    match &report.breakdown {
        None => {
            let months: Vec<Value> = report
                .months
                .iter()
                .map(|m| {
                    let t = &m.totals;
                    let mut o = Map::new();
                    o.insert("month".into(), json!(m.month.to_string()));
                    for c in UnitCategory::ALL {
                        o.insert(c.name().into(), json!(t.billable[c.index()]));
                    }
                    o.insert("free".into(), json!(t.free));
                    o.insert("billable".into(), json!(t.billable_total()));
                    o.insert("unpriced".into(), json!(t.unpriced));
                    o.insert("cost".into(), json!(exact(t.cost)));
                    o.insert("budget".into(), json!(exact(m.budget.budget)));
                    o.insert("overage".into(), json!(exact(m.budget.overage)));
                    o.insert("currency".into(), json!(report.currency));
                    o.insert("derived".into(), json!(t.derived));
                    o.insert("substituted".into(), json!(t.substituted));
                    o.insert(
                        "overage_invoiced_on".into(),
                        json!(m.budget.invoiced_on.to_string()),
                    );
                    o.insert(
                        "budget_used_percent".into(),
                        json!(m.budget.used_percent.map(exact)),
                    );
                    Value::Object(o)
                })
                .collect();
            doc.insert("months".into(), Value::Array(months));
        }
        Some(lines) => {
            let rows: Vec<Value> = lines
                .iter()
                .map(|l| {
                    let mut row = json!({
                        "month": l.month.to_string(),
                        "market": l.market,
                        "category": l.category.map(|c| c.name()),
                        "billable": l.billable,
                        "free": l.free,
                        "cost": exact(l.cost),
                        "currency": report.currency,
                    });
                    if report.by == Some(By::Tier) {
                        row["tier"] = json!(l.tier.map(|t| t.to_string()));
                    }
                    row
                })
                .collect();
            doc.insert("rows".into(), Value::Array(rows));
        }
    }
    doc.insert("notes".into(), json!(report.notes));
    write_pretty(out, &Value::Object(doc))
}
