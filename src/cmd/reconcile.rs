//! `waprice reconcile --webhooks FILE`: replays Meta's webhooks through the engine and says,
//! month by month, on how many messages and billed units waprice and Meta agree, and what the
//! disagreements cost; `--diff FILE` lists every disagreement with both verdicts.

use super::replay;
use crate::settings::ReconcileSettings;
use anyhow::{anyhow, Context, Result};
use chrono::{DateTime, Offset, SecondsFormat, TimeZone};
use comfy_table::{presets, Cell, CellAlignment, ContentArrangement, Table};
use rust_decimal::{Decimal, RoundingStrategy};
use serde_json::{json, Map, Value};
use std::collections::BTreeSet;
use std::io::Write;
use waprice::calendar::{Calendar, Month};
use waprice::input::webhooks::{Outcome, WebhookLog};
use waprice::pricing::Pricer;
use waprice::reconcile::analytics::{self, Analytics};
use waprice::reconcile::{differs_name, reconcile, Figures, Reconciliation};
use waprice::render::{exact, money, Format};

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

pub fn run(s: &ReconcileSettings) -> Result<()> {
    let t = &s.tariffs;
    let wl = replay::read_webhooks(&s.log, t)?;
    let pricer = Pricer::new(&t.cards, &t.currency);
    let rec = reconcile(
        &wl,
        &s.log.engine,
        Calendar::new(s.log.timezone),
        &t.markets,
        &pricer,
    );
    let analytics = match &s.analytics {
        None => None,
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read --analytics {path}"))?;
            Some(analytics::read_analytics(
                &text,
                path,
                &mut Calendar::new(s.log.timezone),
            )?)
        }
    };
    let disagreements = rec.total.compared - rec.total.agreeing;
    if let Some(path) = &s.diff {
        write_diff(path, s, &wl, &rec).with_context(|| format!("cannot write --diff {path}"))?;
    }
    let notes = notes(s, &wl, &rec, analytics.as_ref(), disagreements);
    let cur = &t.currency;
    if s.format == Format::Xlsx {
        xlsx(&rec, analytics.as_ref(), cur, &notes, s.output.as_deref())?;
    } else {
        let mut out = crate::settings::open_output(s.output.as_deref())?;
        match s.format {
            Format::Table => table(&rec, analytics.as_ref(), cur, &notes, &mut out)?,
            Format::Csv => csv(&rec, analytics.as_ref(), cur, &mut out)?,
            Format::Json => json(&rec, analytics.as_ref(), cur, &notes, &mut out)?,
            Format::Xlsx => unreachable!("written above"),
        }
        out.flush()?;
    }
    if let (Some(min), Some(got)) = (s.fail_under, rec.total.agreement()) {
        if got < min {
            return Err(anyhow!(
                "agreement {} of messages is below --fail-under {min}% ({disagreements} disagreement{}{})",
                pct(Some(got)),
                if disagreements == 1 { "" } else { "s" },
                s.diff
                    .as_ref()
                    .map_or(String::new(), |d| format!(", listed in {d}"))
            ));
        }
    }
    Ok(())
}

/// A percentage for people: one decimal.
fn pct(p: Option<Decimal>) -> String {
    p.map_or("-".into(), |p| {
        format!(
            "{:.1}%",
            p.round_dp_with_strategy(1, RoundingStrategy::MidpointAwayFromZero)
        )
    })
}

/// A percentage for programs: two decimals, as a string (empty or null when undefined).
fn pct_exact(p: Option<Decimal>) -> Option<String> {
    p.map(|p| {
        format!(
            "{:.2}",
            p.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
        )
    })
}

fn right(s: impl ToString) -> Cell {
    Cell::new(s).set_alignment(CellAlignment::Right)
}

/// Money for the table; "≥" when some billed units had no rate.
fn cost(d: Decimal, unpriced: u64) -> String {
    if unpriced > 0 {
        format!("≥ {}", money(d))
    } else {
        money(d)
    }
}

fn new_table() -> Table {
    let mut t = Table::new();
    t.load_preset(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Disabled)
        .force_no_tty();
    t
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

fn table(
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
    if !notes.is_empty() {
        writeln!(out, "notes:")?;
        for n in notes {
            writeln!(out, "- {n}")?;
        }
    }
    Ok(())
}

/// The months of the comparison and of the analytics, in order.
fn months(rec: &Reconciliation, analytics: Option<&Analytics>) -> Vec<Month> {
    let mut all: BTreeSet<Month> = rec.months.keys().copied().collect();
    if let Some(a) = analytics {
        all.extend(a.months.keys().copied());
    }
    all.into_iter().collect()
}

fn csv(
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
fn xlsx(
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

fn json(
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
fn sorted_mismatches(rec: &Reconciliation) -> Vec<((String, String), u64)> {
    let mut v: Vec<_> = rec
        .mismatches
        .iter()
        .map(|(k, n)| (k.clone(), *n))
        .collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    v
}

fn write_diff(
    path: &str,
    s: &ReconcileSettings,
    wl: &WebhookLog,
    rec: &Reconciliation,
) -> Result<()> {
    let t = &s.tariffs;
    let tz = s.log.timezone;
    let file = std::fs::File::create(path)?;
    let mut w = waprice::render::csv::SafeWriter::plain(std::io::BufWriter::new(file));
    w.write_record(DIFF_HEADER)?;
    let parties = &wl.log.parties;
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
        let pair = parties.pair_of(l.event.pair);
        let pricing = v.pricing.unwrap_or_default();
        let conversation = v.conversation;
        let status = match v.outcome {
            Outcome::Delivered => "delivered".to_string(),
            Outcome::SentOnly => "sent".to_string(),
            Outcome::Failed { code: Some(c) } => format!("failed {c}"),
            Outcome::Failed { code: None } => "failed".to_string(),
        };
        let source = match v.category_source {
            waprice::input::webhooks::CategorySource::Sent => "sent",
            waprice::input::webhooks::CategorySource::Meta => "meta",
            waprice::input::webhooks::CategorySource::Inferred => "inferred",
            waprice::input::webhooks::CategorySource::Failure => "failure",
        };
        w.write_record([
            &*v.id,
            &time,
            &String::from_utf8_lossy(parties.business_name(pair.business)),
            &parties.recipient(parties.customer_of(l.event.pair).number),
            t.markets.market_name(l.market),
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
    w.flush()?;
    Ok(())
}

/// "1 line", "2 lines", "3 statuses".
fn count(n: u64, what: &str) -> String {
    match (n, what.ends_with('s')) {
        (1, _) => format!("1 {what}"),
        (_, true) => format!("{n} {what}es"),
        _ => format!("{n} {what}s"),
    }
}

fn notes(
    s: &ReconcileSettings,
    wl: &WebhookLog,
    rec: &Reconciliation,
    analytics: Option<&Analytics>,
    disagreements: u64,
) -> Vec<String> {
    let cur = &s.tariffs.currency;
    let tot = &rec.total;
    let st = &wl.stats;
    let mut notes = Vec::new();
    let either = tot.billed_waprice + tot.billed_meta - tot.billed_agreeing;
    notes.push(format!(
        "agreement: waprice and Meta agree on {} of {} message{} Meta priced or failed ({}); of {} unit{} billed by either side, {} {} billed alike by both ({})",
        tot.agreeing,
        tot.compared,
        if tot.compared == 1 { "" } else { "s" },
        pct(tot.agreement()),
        either,
        if either == 1 { "" } else { "s" },
        tot.billed_agreeing,
        if tot.billed_agreeing == 1 { "is" } else { "are" },
        pct(tot.billed_agreement()),
    ));
    let unknown = st.unknown_messages();
    if let Some(values) = st.unknown_note() {
        notes.push(format!(
            "not compared: Meta priced {unknown} message{} with values waprice does not know: {values}; they are left out of the agreement figures, the billed units and the costs compared (estimate bills them by waprice's own rules)",
            if unknown == 1 { "" } else { "s" }
        ));
    }
    let unpriced = tot.messages - tot.compared - unknown;
    if unpriced > 0 {
        notes.push(format!(
            "not compared: {unpriced} message{} had no pricing in their statuses (and did not fail)",
            if unpriced == 1 { "" } else { "s" }
        ));
    }
    for ((w, m), n) in sorted_mismatches(rec) {
        notes.push(format!(
            "disagreement: {n} message{} waprice says {w}, Meta says {m}",
            if n == 1 { "" } else { "s" }
        ));
    }
    if disagreements > 0 {
        notes.push(match &s.diff {
            Some(d) => format!(
                "{disagreements} disagreement{} written to {d}, with both verdicts",
                if disagreements == 1 { "" } else { "s" }
            ),
            None => format!(
                "{disagreements} disagreement{}: list them with both verdicts with --diff FILE",
                if disagreements == 1 { "" } else { "s" }
            ),
        });
    }
    notes.push(format!(
        "Meta's verdicts are priced with the same {cur} rate cards as waprice's (webhooks carry no price): the difference is waprice's cost minus theirs"
    ));
    if tot.unpriced_waprice + tot.unpriced_meta > 0 {
        notes.push(format!(
            "UNPRICED: {} billed units of waprice and {} of Meta have no {cur} rate, so those costs are lower bounds; supply rates with --tariff FILE",
            tot.unpriced_waprice, tot.unpriced_meta
        ));
    }
    let mut cats = vec![format!(
        "{} from Meta's pricing.category",
        st.categories_from_meta
    )];
    if s.log.sent.is_some() {
        cats.insert(0, format!("{} from --sent", st.categories_from_sent));
    }
    if st.categories_inferred > 0 {
        cats.push(format!(
            "{} inferred (Meta's category named the conversation, not the message: free-form inside the customer service window, else a template)",
            st.categories_inferred
        ));
    }
    if let Some(failures) = st.failures_note() {
        cats.push(failures);
    }
    notes.push(format!("template categories: {}", cats.join(", ")));
    if let Some(sent) = &s.log.sent {
        if st.recategorised > 0 {
            notes.push(format!(
                "recategorised: Meta priced {} message{} under another category than {sent} gives (Meta may have recategorised the template)",
                st.recategorised,
                if st.recategorised == 1 { "" } else { "s" }
            ));
        }
        if st.sent_without_status > 0 {
            notes.push(format!(
                "{sent}: {} messages have no status in the webhooks and are not compared",
                st.sent_without_status
            ));
        }
    }
    if st.sent_only > 0 {
        notes.push(format!(
            "sent only: {} messages have no delivered, read or failed status; counted as delivered at their send time",
            st.sent_only
        ));
    }
    let log = &wl.log.stats;
    notes.push(format!(
        "{}; the statuses are those of {}{}",
        st.accounting(),
        count(log.business, "business message"),
        if log.skipped_unsupported > 0 {
            format!(
                ", and {} dated before 2022-02-01 (--skip-unsupported)",
                count(log.skipped_unsupported, "message")
            )
        } else {
            String::new()
        }
    ));
    if let Some(a) = analytics {
        notes.push(format!(
            "analytics: Meta's {} ({} data points) counts {}, free ones included, as waprice's units do; Meta calls these figures approximate (the invoice is final)",
            a.kind.name(),
            a.points,
            match a.kind {
                analytics::Kind::Pricing => "delivered messages",
                analytics::Kind::Conversation => "conversations",
            }
        ));
        if a.months.values().all(|m| m.cost.is_none()) {
            notes.push("analytics: the response has no cost (Meta returns none for accounts billed through a partner's credit line)".into());
        }
    }
    notes.push(match &s.log.auth_intl {
        Some(a) => format!("authentication-international: on, business in {a}"),
        None => "authentication-international: off (enable with --business-country CC --auth-intl-since DATE)".into(),
    });
    notes.push(format!(
        "months and rule dates in time zone {}",
        s.log.timezone.name()
    ));
    notes
}
