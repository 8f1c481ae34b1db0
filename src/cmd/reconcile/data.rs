//! The comparison as data: CSV, a workbook or JSON, one row or object per month.

use super::*;

/// The months of the comparison and of the analytics, in order.
pub(super) fn months(rec: &Reconciliation, analytics: Option<&Analytics>) -> Vec<Month> {
    let mut all: BTreeSet<Month> = rec.months.keys().copied().collect();
    if let Some(a) = analytics {
        all.extend(a.months.keys().copied());
    }
    all.into_iter().collect()
}

pub(super) fn csv(
    rec: &Reconciliation,
    analytics: Option<&Analytics>,
    cur: &str,
    out: impl Write,
) -> std::io::Result<()> {
    let mut w = waprice::render::csv::SafeWriter::plain(out);
    w.write_record(CSV_HEADER)?;
    for month in months(rec, analytics) {
        let f = rec.months.get(&month).cloned().unwrap_or_default();
        let a = analytics.and_then(|a| a.months.get(&month));
        w.write_record([
            month.to_string(),
            f.messages.to_string(),
            f.compared.to_string(),
            f.agreeing.to_string(),
            pct_exact(f.agreement()).unwrap_or_default(),
            f.billed_waprice.to_string(),
            f.billed_meta.to_string(),
            f.billed_agreeing.to_string(),
            pct_exact(f.billed_agreement()).unwrap_or_default(),
            exact(f.cost_waprice),
            exact(f.cost_meta),
            exact(f.cost_difference()),
            f.units_waprice.to_string(),
            a.map(|a| a.volume.to_string()).unwrap_or_default(),
            a.and_then(|a| a.billed)
                .map(|b| b.to_string())
                .unwrap_or_default(),
            a.and_then(|a| a.cost).map(exact).unwrap_or_default(),
            cur.to_string(),
        ])?;
    }
    w.flush()
}

/// The CSV's columns in a workbook, one sheet of months (with their totals) and the notes.
pub(super) fn xlsx(
    rec: &Reconciliation,
    analytics: Option<&Analytics>,
    cur: &str,
    notes: &[String],
    path: Option<&str>,
) -> Result<()> {
    use waprice::render::xlsx::{Book, Column as XCol, Kind, Value};
    let cols: Vec<XCol> = CSV_HEADER
        .iter()
        .map(|&h| match h {
            "month" | "currency" => XCol::new(h, Kind::Text),
            h if h.ends_with("_percent") => XCol::new(h, Kind::Percent),
            h if h.starts_with("cost") || h == "analytics_cost" => XCol::summed(h, Kind::Money),
            h => XCol::summed(h, Kind::Count),
        })
        .collect();
    let mut book = Book::new(cur);
    let mut sheet = book.sheet("reconcile", &cols)?;
    let mut totals: Vec<Option<Decimal>> = vec![None; cols.len()];
    let pct = |p: Option<Decimal>| {
        p.map_or(Value::Empty, |p| {
            Value::Decimal(p.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero))
        })
    };
    for month in months(rec, analytics) {
        let f = rec.months.get(&month).cloned().unwrap_or_default();
        let a = analytics.and_then(|a| a.months.get(&month));
        let m = month.to_string();
        let row = [
            Value::Text(&m),
            Value::Count(f.messages),
            Value::Count(f.compared),
            Value::Count(f.agreeing),
            pct(f.agreement()),
            Value::Count(f.billed_waprice),
            Value::Count(f.billed_meta),
            Value::Count(f.billed_agreeing),
            pct(f.billed_agreement()),
            Value::Decimal(f.cost_waprice),
            Value::Decimal(f.cost_meta),
            Value::Decimal(f.cost_difference()),
            Value::Count(f.units_waprice),
            a.map_or(Value::Empty, |a| Value::Count(a.volume)),
            a.and_then(|a| a.billed).map_or(Value::Empty, Value::Count),
            a.and_then(|a| a.cost).map_or(Value::Empty, Value::Decimal),
            Value::Text(cur),
        ];
        for (i, (v, c)) in row.iter().zip(&cols).enumerate() {
            let d = match (*v, c.total) {
                (Value::Count(n), true) => Decimal::from(n),
                (Value::Decimal(d), true) => d,
                _ => continue,
            };
            *totals[i].get_or_insert(Decimal::ZERO) += d;
        }
        sheet.row(&row)?;
    }
    sheet.finish("total", &totals)?;
    book.notes(notes)?;
    book.save(path)
}

pub(super) fn figures_json(f: &Figures) -> Map<String, Value> {
    let mut o = Map::new();
    o.insert("messages".into(), json!(f.messages));
    o.insert("compared".into(), json!(f.compared));
    o.insert("agreeing".into(), json!(f.agreeing));
    o.insert("agreement_percent".into(), json!(pct_exact(f.agreement())));
    o.insert("billed_waprice".into(), json!(f.billed_waprice));
    o.insert("billed_meta".into(), json!(f.billed_meta));
    o.insert("billed_agreeing".into(), json!(f.billed_agreeing));
    o.insert(
        "billed_agreement_percent".into(),
        json!(pct_exact(f.billed_agreement())),
    );
    o.insert("cost_waprice".into(), json!(exact(f.cost_waprice)));
    o.insert("cost_meta".into(), json!(exact(f.cost_meta)));
    o.insert("cost_difference".into(), json!(exact(f.cost_difference())));
    o.insert("unpriced_waprice".into(), json!(f.unpriced_waprice));
    o.insert("unpriced_meta".into(), json!(f.unpriced_meta));
    o.insert("units_waprice".into(), json!(f.units_waprice));
    o
}

pub(super) fn json(
    rec: &Reconciliation,
    analytics: Option<&Analytics>,
    cur: &str,
    notes: &[String],
    mut out: impl Write,
) -> std::io::Result<()> {
    let mut doc = Map::new();
    doc.insert("currency".into(), json!(cur));
    let months: Vec<Value> = months(rec, analytics)
        .into_iter()
        .map(|month| {
            let f = rec.months.get(&month).cloned().unwrap_or_default();
            let mut o = Map::new();
            o.insert("month".into(), json!(month.to_string()));
            o.extend(figures_json(&f));
            if let Some(a) = analytics {
                let m = a.months.get(&month).cloned().unwrap_or_default();
                o.insert(
                    "analytics".into(),
                    json!({
                        "volume": m.volume,
                        "billed": m.billed,
                        "cost": m.cost.map(exact),
                    }),
                );
            }
            Value::Object(o)
        })
        .collect();
    doc.insert("months".into(), Value::Array(months));
    doc.insert("total".into(), Value::Object(figures_json(&rec.total)));
    let mismatches: Vec<Value> = sorted_mismatches(rec)
        .into_iter()
        .map(|((w, m), n)| json!({"waprice": w, "meta": m, "messages": n}))
        .collect();
    doc.insert("disagreements".into(), Value::Array(mismatches));
    if let Some(a) = analytics {
        doc.insert("analytics".into(), json!(a.kind.name()));
    }
    doc.insert("notes".into(), json!(notes));
    serde_json::to_writer_pretty(&mut out, &Value::Object(doc))?;
    writeln!(out)
}

/// Disagreements by kind, most frequent first.
pub(super) fn sorted_mismatches(rec: &Reconciliation) -> Vec<((String, String), u64)> {
    let mut v: Vec<_> = rec
        .mismatches
        .iter()
        .map(|(k, n)| (k.clone(), *n))
        .collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    v
}
