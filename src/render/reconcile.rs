//! `waprice reconcile`: waprice's verdicts against Meta's (waprice::reconcile), per month:
//! a table for people, CSV, JSON or a workbook, and the `--diff` file of every disagreement.

use super::csv::SafeWriter;
use super::json::write_pretty;
use super::table::{new_table, right};
use super::xlsx::{Book, Column as XCol, Kind, Value as XValue};
use super::{exact, money, write_notes};
use crate::calendar::Month;
use crate::input::webhooks::{CategorySource, Outcome, WebhookLog};
use crate::reconcile::analytics::{self, Analytics};
use crate::reconcile::notes::pct;
use crate::reconcile::{differs_name, Figures, Reconciliation};
use crate::tariff::market::MarketMap;
use chrono::{DateTime, Offset, SecondsFormat, TimeZone};
use chrono_tz::Tz;
use comfy_table::Cell;
use rust_decimal::{Decimal, RoundingStrategy};
use serde_json::{json, Map, Value};
use std::collections::BTreeSet;
use std::io::Write;

/// The `--diff` file's header.
pub const DIFF_HEADER: [&str; 18] = [
    "id",
    "time",
    "business",
    "recipient",
    "market",
    "waprice_pricing",
    "waprice_category",
    "waprice_conversation",
    "meta_pricing",
    "meta_category",
    "meta_conversation",
    "meta_pricing_model",
    "meta_type",
    "meta_billable",
    "meta_origin",
    "meta_status",
    "category_source",
    "differs",
];

/// The CSV report's header (one row per month).
pub const CSV_HEADER: [&str; 17] = [
    "month",
    "messages",
    "compared",
    "agreeing",
    "agreement_percent",
    "billed_waprice",
    "billed_meta",
    "billed_agreeing",
    "billed_agreement_percent",
    "cost_waprice",
    "cost_meta",
    "cost_difference",
    "units_waprice",
    "analytics_volume",
    "analytics_billed",
    "analytics_cost",
    "currency",
];

/// A percentage for programs: two decimals, as a string (empty or null when undefined).
fn pct_exact(p: Option<Decimal>) -> Option<String> {
    p.map(|p| {
        format!(
            "{:.2}",
            p.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
        )
    })
}

/// Money for the table; "≥" when some billed units had no rate.
fn cost(d: Decimal, unpriced: u64) -> String {
    if unpriced > 0 {
        format!("≥ {}", money(d))
    } else {
        money(d)
    }
}

fn figures_row(label: String, f: &Figures) -> Vec<Cell> {
    vec![
        Cell::new(label),
        right(f.messages),
        right(f.compared),
        right(f.agreeing),
        right(pct(f.agreement())),
        right(f.billed_waprice),
        right(f.billed_meta),
        right(f.billed_agreeing),
        right(pct(f.billed_agreement())),
        right(cost(f.cost_waprice, f.unpriced_waprice)),
        right(cost(f.cost_meta, f.unpriced_meta)),
        right(money(f.cost_difference())),
    ]
}

/// Per month and in total: messages and billed units both sides agree on, and each side's
/// cost; then Meta's analytics beside waprice's units, if given; then the notes.
pub fn table(
    rec: &Reconciliation,
    analytics: Option<&Analytics>,
    cur: &str,
    notes: &[String],
    mut out: impl Write,
) -> std::io::Result<()> {
    let mut t = new_table();
    t.set_header(vec![
        "month".to_string(),
        "messages".into(),
        "compared".into(),
        "agree".into(),
        "agreement".into(),
        "billed waprice".into(),
        "billed Meta".into(),
        "billed alike".into(),
        "billed agreement".into(),
        format!("cost waprice {cur}"),
        format!("cost Meta {cur}"),
        "difference".into(),
    ]);
    for (month, f) in &rec.months {
        t.add_row(figures_row(month.to_string(), f));
    }
    t.add_row(figures_row("total".into(), &rec.total));
    writeln!(out, "{t}")?;
    if let Some(a) = analytics {
        let unit = match a.kind {
            analytics::Kind::Pricing => "messages",
            analytics::Kind::Conversation => "conversations",
        };
        let mut t = new_table();
        t.set_header(vec![
            "month".to_string(),
            format!("Meta {unit}"),
            format!("waprice {unit}"),
            "Meta billed".into(),
            "waprice billed".into(),
            format!("Meta cost {cur}"),
            format!("waprice cost {cur}"),
            "difference".into(),
        ]);
        for month in months(rec, Some(a)) {
            let f = rec.months.get(&month).cloned().unwrap_or_default();
            let m = a.months.get(&month).cloned().unwrap_or_default();
            t.add_row(vec![
                Cell::new(month),
                right(m.volume),
                right(f.units_waprice),
                right(m.billed.map_or("-".into(), |b| b.to_string())),
                right(f.billed_waprice),
                right(m.cost.map_or("-".into(), money)),
                right(cost(f.cost_waprice, f.unpriced_waprice)),
                right(m.cost.map_or("-".into(), |c| money(f.cost_waprice - c))),
            ]);
        }
        writeln!(out, "Meta's {}:", a.kind.name())?;
        writeln!(out, "{t}")?;
    }
    write_notes(out, notes)
}

/// The months of the comparison and of the analytics, in order.
fn months(rec: &Reconciliation, analytics: Option<&Analytics>) -> Vec<Month> {
    let mut all: BTreeSet<Month> = rec.months.keys().copied().collect();
    if let Some(a) = analytics {
        all.extend(a.months.keys().copied());
    }
    all.into_iter().collect()
}

/// A row per month of the comparison or of the analytics.
pub fn csv(
    rec: &Reconciliation,
    analytics: Option<&Analytics>,
    cur: &str,
    out: impl Write,
) -> std::io::Result<()> {
    let mut w = SafeWriter::plain(out);
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
pub fn xlsx(
    rec: &Reconciliation,
    analytics: Option<&Analytics>,
    cur: &str,
    notes: &[String],
    book: &mut Book,
) -> anyhow::Result<()> {
    let cols: Vec<XCol> = CSV_HEADER
        .iter()
        .map(|&h| match h {
            "month" | "currency" => XCol::new(h, Kind::Text),
            h if h.ends_with("_percent") => XCol::new(h, Kind::Percent),
            h if h.starts_with("cost") || h == "analytics_cost" => XCol::summed(h, Kind::Money),
            h => XCol::summed(h, Kind::Count),
        })
        .collect();
    let mut sheet = book.sheet("reconcile", &cols)?;
    let mut totals: Vec<Option<Decimal>> = vec![None; cols.len()];
    let pct = |p: Option<Decimal>| {
        p.map_or(XValue::Empty, |p| {
            XValue::Decimal(p.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero))
        })
    };
    for month in months(rec, analytics) {
        let f = rec.months.get(&month).cloned().unwrap_or_default();
        let a = analytics.and_then(|a| a.months.get(&month));
        let m = month.to_string();
        let row = [
            XValue::Text(&m),
            XValue::Count(f.messages),
            XValue::Count(f.compared),
            XValue::Count(f.agreeing),
            pct(f.agreement()),
            XValue::Count(f.billed_waprice),
            XValue::Count(f.billed_meta),
            XValue::Count(f.billed_agreeing),
            pct(f.billed_agreement()),
            XValue::Decimal(f.cost_waprice),
            XValue::Decimal(f.cost_meta),
            XValue::Decimal(f.cost_difference()),
            XValue::Count(f.units_waprice),
            a.map_or(XValue::Empty, |a| XValue::Count(a.volume)),
            a.and_then(|a| a.billed)
                .map_or(XValue::Empty, XValue::Count),
            a.and_then(|a| a.cost)
                .map_or(XValue::Empty, XValue::Decimal),
            XValue::Text(cur),
        ];
        for (i, (v, c)) in row.iter().zip(&cols).enumerate() {
            let d = match (*v, c.total) {
                (XValue::Count(n), true) => Decimal::from(n),
                (XValue::Decimal(d), true) => d,
                _ => continue,
            };
            *totals[i].get_or_insert(Decimal::ZERO) += d;
        }
        sheet.row(&row)?;
    }
    sheet.finish("total", &totals)?;
    book.notes(notes)?;
    Ok(())
}

fn figures_json(f: &Figures) -> Map<String, Value> {
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

/// The months, the total, the disagreements by kind (most frequent first) and the notes.
pub fn json(
    rec: &Reconciliation,
    analytics: Option<&Analytics>,
    cur: &str,
    notes: &[String],
    out: impl Write,
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
    let mismatches: Vec<Value> = rec
        .mismatches_by_count()
        .into_iter()
        .map(|((w, m), n)| json!({"waprice": w, "meta": m, "messages": n}))
        .collect();
    doc.insert("disagreements".into(), Value::Array(mismatches));
    if let Some(a) = analytics {
        doc.insert("analytics".into(), json!(a.kind.name()));
    }
    doc.insert("notes".into(), json!(notes));
    write_pretty(out, &Value::Object(doc))
}

/// Every disagreement, one CSV row each with both verdicts (`--diff FILE`); times in `tz`.
pub fn diff(
    out: impl Write,
    wl: &WebhookLog,
    rec: &Reconciliation,
    markets: &MarketMap,
    tz: Tz,
) -> std::io::Result<()> {
    let mut w = SafeWriter::plain(out);
    w.write_record(DIFF_HEADER)?;
    let pairs = &wl.log.pairs;
    for l in rec.lines.iter().filter(|l| l.compared && l.differs != 0) {
        let v = wl.meta[l.message].as_ref().expect("business message");
        let utc = DateTime::from_timestamp_millis(l.event.time)
            .unwrap_or_default()
            .naive_utc();
        let time = tz
            .offset_from_utc_datetime(&utc)
            .fix()
            .from_utc_datetime(&utc)
            .to_rfc3339_opts(SecondsFormat::AutoSi, true);
        let pair = pairs.pair_of(l.event.pair);
        let pricing = v.pricing.unwrap_or_default();
        let conversation = v.conversation;
        let status = match v.outcome {
            Outcome::Delivered => "delivered".to_string(),
            Outcome::SentOnly => "sent".to_string(),
            Outcome::Failed { code: Some(c) } => format!("failed {c}"),
            Outcome::Failed { code: None } => "failed".to_string(),
        };
        let source = match v.category_source {
            CategorySource::Sent => "sent",
            CategorySource::Meta => "meta",
            CategorySource::Inferred => "inferred",
            CategorySource::Failure => "failure",
        };
        w.write_record([
            &*v.id,
            &time,
            &String::from_utf8_lossy(pairs.business_name(pair.business)),
            &pairs.recipient(pairs.customer_of(l.event.pair).number),
            markets.market_name(l.market),
            l.engine.name(),
            l.engine_category.map_or("", |c| c.name()),
            &l.engine_conversation
                .map_or(String::new(), |c| format!("w{c}")),
            l.meta.name(),
            pricing.category.map_or("", |c| c.name()),
            conversation.map_or("", |c| &wl.conversation_ids[c.id as usize]),
            pricing.model.map_or("", |m| m.name()),
            pricing.kind.map_or("", |k| k.name()),
            pricing
                .billable
                .map_or("", |b| if b { "true" } else { "false" }),
            conversation
                .and_then(|c| c.origin)
                .map_or("", |o| o.origin_name()),
            &status,
            source,
            &differs_name(l.differs),
        ])?;
    }
    w.flush()
}
