//! `waprice tariffs`: the cards and tier tables waprice knows; `waprice tariffs check FILE`:
//! what a new card changes against the rates in force the day before it, or what a tier file
//! holds. Each as a table, CSV or JSON.

use super::csv::SafeWriter;
use super::json::write_pretty;
use super::table::{new_table, right};
use super::{exact, write_notes};
use crate::tariff::card::Column;
use crate::tariff::compare::{count, CellChange, Change, Comparison};
use crate::tariff::files::{CardFile, Layout};
use crate::tariff::market::MarketMap;
use crate::tariff::summary::{priced_per, tier_summary, CardInfo};
use crate::tariff::tier::TierTable;
use comfy_table::Cell;
use rust_decimal::Decimal;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::io::Write;

/// The list's CSV header, fixed.
pub const LIST_HEADER: [&str; 11] = [
    "kind",
    "currency",
    "effective_from",
    "priced_per",
    "markets",
    "market_list",
    "columns",
    "tiers",
    "confidence",
    "origin",
    "source",
];

/// What `waprice tariffs` lists: the cards and the tier tables loaded.
pub struct List<'a> {
    /// One per card (currency and effective date).
    pub cards: &'a [CardInfo],
    /// The tier tables loaded.
    pub tiers: &'a [&'a TierTable],
    /// The market map, for the tier tables' market names.
    pub markets: &'a MarketMap,
}

/// The cards, their sources and the tier tables, for people.
pub fn list_table(l: &List, mut out: impl Write) -> std::io::Result<()> {
    let mut table = new_table();
    table.set_header([
        "currency",
        "effective",
        "per",
        "markets",
        "rates given",
        "confidence",
        "origin",
    ]);
    for c in l.cards {
        table.add_row(vec![
            Cell::new(&c.currency),
            Cell::new(c.date),
            Cell::new(priced_per(c.date)),
            right(c.markets.len()),
            Cell::new(c.columns.join(" ")),
            Cell::new(&c.confidence),
            Cell::new(c.origins.join(", ")),
        ]);
    }
    writeln!(
        out,
        "rate cards: {} (one per currency and effective date; a card may cover only some markets)",
        l.cards.len()
    )?;
    writeln!(out, "{table}")?;
    writeln!(out, "sources:")?;
    for c in l.cards {
        writeln!(
            out,
            "- {} {}{}: {}",
            c.currency,
            c.date,
            if c.derived { " derived" } else { "" },
            if c.sources.is_empty() {
                "(none given)".to_string()
            } else {
                c.sources.join(" | ")
            }
        )?;
    }
    if l.tiers.is_empty() {
        writeln!(out, "volume tiers: none loaded; waprice bundles none, because no public source publishes Meta's tier tables (load them with --tiers FILE)")?;
    } else {
        let mut table = new_table();
        table.set_header([
            "currency",
            "effective",
            "market",
            "category",
            "tiers",
            "origin",
        ]);
        for t in l.tiers {
            table.add_row(vec![
                Cell::new(&t.currency),
                Cell::new(t.effective_from),
                Cell::new(l.markets.market_name(t.market)),
                Cell::new(t.category.name()),
                Cell::new(tier_summary(t)),
                Cell::new(&t.origin),
            ]);
        }
        writeln!(out, "volume tiers (messages per month: rate):")?;
        writeln!(out, "{table}")?;
    }
    Ok(())
}

/// A row per card, then per tier table.
pub fn list_csv(l: &List, out: impl Write) -> std::io::Result<()> {
    let mut w = SafeWriter::plain(out);
    w.write_record(LIST_HEADER)?;
    for c in l.cards {
        w.write_record([
            if c.derived { "derived card" } else { "card" },
            &c.currency,
            &c.date.to_string(),
            priced_per(c.date),
            &c.markets.len().to_string(),
            &c.markets.join("; "),
            &c.columns.join(" "),
            "",
            &c.confidence,
            &c.origins.join("; "),
            &c.sources.join(" | "),
        ])?;
    }
    for t in l.tiers {
        w.write_record([
            "tiers",
            &t.currency,
            &t.effective_from.to_string(),
            "message",
            "1",
            l.markets.market_name(t.market),
            t.category.name(),
            &tier_summary(t),
            "user file",
            &t.origin,
            &t.source,
        ])?;
    }
    w.flush()
}

/// The cards and the tier tables, with every tier's rate.
pub fn list_json(l: &List, out: impl Write) -> std::io::Result<()> {
    let cards: Vec<Value> = l
        .cards
        .iter()
        .map(|c| {
            json!({
                "currency": c.currency,
                "effective_from": c.date.to_string(),
                "derived": c.derived,
                "priced_per": priced_per(c.date),
                "markets": c.markets,
                "columns": c.columns,
                "confidence": c.confidence,
                "origins": c.origins,
                "sources": c.sources,
            })
        })
        .collect();
    let tiers: Vec<Value> = l
        .tiers
        .iter()
        .map(|t| {
            let bands: Vec<Value> = (0..t.bands.len())
                .map(|i| {
                    json!({
                        "tier": t.tier(i).to_string(),
                        "rate": t.bands[i].rate.map(exact),
                    })
                })
                .collect();
            json!({
                "currency": t.currency,
                "effective_from": t.effective_from.to_string(),
                "market": l.markets.market_name(t.market),
                "category": t.category.name(),
                "tiers": bands,
                "origin": t.origin,
                "source": t.source,
            })
        })
        .collect();
    write_pretty(out, &json!({"cards": cards, "tiers": tiers}))
}

/// One card compared: `source` names the file (path, layout and title), `against` the
/// origins of the rates it is compared with.
pub fn check_card(
    mut out: impl Write,
    c: &Comparison,
    source: &str,
    against: &str,
) -> std::io::Result<()> {
    writeln!(
        out,
        "{} {} card, priced per {}: {source}",
        c.currency,
        c.date,
        priced_per(c.date)
    )?;
    writeln!(
        out,
        "valid: {} markets, {} rates, {} n/a",
        c.markets, c.rates, c.not_applicable
    )?;
    writeln!(
        out,
        "compared with the {} rates in force on {} ({against}):",
        c.currency,
        c.date.pred_opt().unwrap_or(c.date)
    )?;
    writeln!(
        out,
        "- markets added (no earlier {} rate): {}",
        c.currency,
        if c.markets_added.is_empty() {
            "none".to_string()
        } else {
            c.markets_added.join(", ")
        }
    )?;
    writeln!(
        out,
        "- rates: {} up, {} down, {} unchanged, {} first rates, {} now n/a",
        count(c, Change::Up),
        count(c, Change::Down),
        count(c, Change::Same),
        count(c, Change::First),
        count(c, Change::NowNotApplicable)
    )?;
    let mut firsts: BTreeMap<Column, usize> = BTreeMap::new();
    for x in c.changes.iter().filter(|x| x.change == Change::First) {
        *firsts.entry(x.column).or_default() += 1;
    }
    if !firsts.is_empty() {
        let parts: Vec<String> = firsts
            .iter()
            .map(|(col, n)| {
                format!(
                    "{} in {n} market{}",
                    col.name(),
                    if *n == 1 { "" } else { "s" }
                )
            })
            .collect();
        writeln!(out, "- first rates: {}", parts.join(", "))?;
    }
    if !c.markets_missing.is_empty() {
        writeln!(
            out,
            "- not on this card: {} market{} of earlier cards, whose earlier rates still apply: {}",
            c.markets_missing.len(),
            if c.markets_missing.len() == 1 {
                ""
            } else {
                "s"
            },
            c.markets_missing.join(", ")
        )?;
    }
    if let Some(r) = &c.replaces {
        let detail = if r.cells.is_empty() {
            String::new()
        } else {
            let n = |k: &str| {
                let n = r.count(k);
                format!("{n} rate{} {k}", if n == 1 { "" } else { "s" })
            };
            format!(": {}, {}, {}", n("changed"), n("added"), n("removed"))
        };
        writeln!(
            out,
            "- replaces {} rows of the {} {} card already loaded ({}); {} of them with different values{detail}",
            r.rows,
            c.currency,
            c.date,
            r.origins.join(", "),
            r.differing,
        )?;
        const SHOWN: usize = 20;
        for x in r.cells.iter().take(SHOWN) {
            let rate = |v: Option<Decimal>| v.map(exact).unwrap_or_else(|| "none".into());
            writeln!(
                out,
                "  {} {} {}: {} -> {}",
                x.kind(),
                x.market,
                x.column.name(),
                rate(x.before),
                rate(x.now)
            )?;
        }
        if r.cells.len() > SHOWN {
            writeln!(
                out,
                "  … and {} more (--format json lists them all)",
                r.cells.len() - SHOWN
            )?;
        }
    }
    if c.crosses_switch {
        writeln!(out, "- some earlier values are from the other side of the 2025-07-01 switch (per conversation vs per message)")?;
    }
    let shown: Vec<&CellChange> = c
        .changes
        .iter()
        .filter(|x| {
            matches!(
                x.change,
                Change::Up | Change::Down | Change::NowNotApplicable
            )
        })
        .collect();
    if !shown.is_empty() {
        let mut table = new_table();
        table.set_header(["market", "category", "before", "card of", "now", "change"]);
        for x in shown {
            table.add_row(vec![
                Cell::new(&x.market),
                Cell::new(x.column.name()),
                right(x.before.map(|b| exact(b.0)).unwrap_or_default()),
                Cell::new(x.before.map(|b| b.1.to_string()).unwrap_or_default()),
                right(x.now.map(exact).unwrap_or_else(|| "n/a".into())),
                Cell::new(match x.change {
                    Change::NowNotApplicable => "now n/a".to_string(),
                    other => format!("{} {}", other.name(), x.delta()),
                }),
            ]);
        }
        writeln!(out, "{table}")?;
    }
    Ok(())
}

/// Every cell of every card compared, one CSV row each.
pub fn check_cards_csv(out: impl Write, comparisons: &[Comparison]) -> std::io::Result<()> {
    let mut w = SafeWriter::plain(out);
    w.write_record([
        "currency",
        "effective_from",
        "market",
        "category",
        "before",
        "before_from",
        "now",
        "change",
    ])?;
    for c in comparisons {
        for x in &c.changes {
            w.write_record([
                c.currency.clone(),
                c.date.to_string(),
                x.market.clone(),
                x.column.name().to_string(),
                x.before.map(|b| exact(b.0)).unwrap_or_default(),
                x.before.map(|b| b.1.to_string()).unwrap_or_default(),
                x.now.map(exact).unwrap_or_else(|| "n/a".into()),
                x.change.name().to_string(),
            ])?;
        }
    }
    w.flush()
}

/// Every card compared, as one JSON document.
pub fn check_cards_json(
    out: impl Write,
    comparisons: &[Comparison],
    path: &str,
    layout: &Layout,
    file: &CardFile,
) -> std::io::Result<()> {
    let cards: Vec<Value> = comparisons
        .iter()
        .map(|c| {
            let changes: Vec<Value> = c
                .changes
                .iter()
                .map(|x| {
                    json!({
                        "market": x.market,
                        "category": x.column.name(),
                        "before": x.before.map(|b| exact(b.0)),
                        "before_from": x.before.map(|b| b.1.to_string()),
                        "now": x.now.map(exact),
                        "change": x.change.name(),
                    })
                })
                .collect();
            json!({
                "currency": c.currency,
                "effective_from": c.date.to_string(),
                "priced_per": priced_per(c.date),
                "file": path,
                "layout": layout.describe(),
                "title": file.title.as_ref().map(|t| t.text.clone()),
                "markets": c.markets,
                "rates": c.rates,
                "not_applicable": c.not_applicable,
                "markets_added": c.markets_added,
                "markets_not_on_card": c.markets_missing,
                "up": count(c, Change::Up),
                "down": count(c, Change::Down),
                "unchanged": count(c, Change::Same),
                "first": count(c, Change::First),
                "now_not_applicable": count(c, Change::NowNotApplicable),
                "changes": changes,
                "replaces": c.replaces.as_ref().map(|r| json!({
                    "rows": r.rows,
                    "rows_with_different_values": r.differing,
                    "changed": r.count("changed"),
                    "added": r.count("added"),
                    "removed": r.count("removed"),
                    "origins": r.origins,
                    "cells": r.cells.iter().map(|x| json!({
                        "market": x.market,
                        "category": x.column.name(),
                        "loaded": x.before.map(exact),
                        "file": x.now.map(exact),
                        "change": x.kind(),
                    })).collect::<Vec<_>>(),
                })),
                "notes": file.notes,
            })
        })
        .collect();
    write_pretty(out, &json!({ "cards": cards }))
}

/// `waprice tariffs check` on a tier file: what it holds.
pub struct TierCheck<'a> {
    /// The file as given.
    pub path: &'a str,
    /// The layout it was read as.
    pub layout: &'a Layout,
    /// The tier tables it holds.
    pub tables: &'a [TierTable],
    /// What reading it left out or overrode.
    pub notes: &'a [String],
    /// The market map, for the market names.
    pub markets: &'a MarketMap,
}

/// The file, its layout and a row per tier table, then the notes.
pub fn check_tiers_table(c: &TierCheck, mut out: impl Write) -> std::io::Result<()> {
    writeln!(
        out,
        "{}: {} ({} tier table{})",
        c.path,
        c.layout.describe(),
        c.tables.len(),
        if c.tables.len() == 1 { "" } else { "s" }
    )?;
    let mut table = new_table();
    table.set_header(["currency", "effective", "market", "category", "tiers"]);
    for t in c.tables {
        table.add_row(vec![
            Cell::new(&t.currency),
            Cell::new(t.effective_from),
            Cell::new(c.markets.market_name(t.market)),
            Cell::new(t.category.name()),
            Cell::new(tier_summary(t)),
        ]);
    }
    writeln!(out, "{table}")?;
    write_notes(out, c.notes)
}

/// A row per tier of every table.
pub fn check_tiers_csv(c: &TierCheck, out: impl Write) -> std::io::Result<()> {
    let mut w = SafeWriter::plain(out);
    w.write_record([
        "currency",
        "effective_from",
        "market",
        "category",
        "tier",
        "rate",
    ])?;
    for t in c.tables {
        for i in 0..t.bands.len() {
            w.write_record([
                t.currency.clone(),
                t.effective_from.to_string(),
                c.markets.market_name(t.market).to_string(),
                t.category.name().to_string(),
                t.tier(i).to_string(),
                t.bands[i]
                    .rate
                    .map(exact)
                    .unwrap_or_else(|| "list rate".into()),
            ])?;
        }
    }
    w.flush()
}

/// The file, its layout, every table with its tiers, and the notes.
pub fn check_tiers_json(c: &TierCheck, out: impl Write) -> std::io::Result<()> {
    let v: Vec<Value> = c
        .tables
            .iter()
            .map(|t| {
                json!({
                    "currency": t.currency,
                    "effective_from": t.effective_from.to_string(),
                    "market": c.markets.market_name(t.market),
                    "category": t.category.name(),
                    "tiers": (0..t.bands.len()).map(|i| json!({"tier": t.tier(i).to_string(), "rate": t.bands[i].rate.map(exact)})).collect::<Vec<_>>(),
                })
            })
            .collect();
    write_pretty(
        out,
        &json!({"file": c.path, "layout": c.layout.describe(), "tiers": v, "notes": c.notes}),
    )
}
