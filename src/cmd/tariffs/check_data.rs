//! The report of `waprice tariffs check` on a rate card as data: every cell change as CSV
//! or JSON.

use anyhow::Result;
use serde_json::{json, Value};
use std::io::Write;
use waprice::render::exact;
use waprice::tariff::compare::{count, Change, Comparison};
use waprice::tariff::files::{CardFile, Layout};
use waprice::tariff::summary::priced_per;

/// Every cell of every card compared, one CSV row each.
pub(super) fn cards_csv(out: &mut impl Write, comparisons: &[Comparison]) -> Result<()> {
    let mut w = waprice::render::csv::SafeWriter::plain(&mut *out);
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
    w.flush()?;
    Ok(())
}

/// Every card compared, as one JSON document.
pub(super) fn cards_json(
    out: &mut impl Write,
    comparisons: &[Comparison],
    path: &str,
    layout: &Layout,
    file: &CardFile,
) -> Result<()> {
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
    serde_json::to_writer_pretty(&mut *out, &json!({ "cards": cards }))?;
    writeln!(out)?;
    Ok(())
}
