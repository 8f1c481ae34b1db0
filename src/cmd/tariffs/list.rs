//! `waprice tariffs`: the cards and tier tables waprice knows.

use super::{new_table, right};
use crate::settings::TariffsListSettings;
use anyhow::Result;
use comfy_table::Cell as TableCell;
use serde_json::{json, Value};
use std::io::Write;
use waprice::render::{exact, Format};
use waprice::tariff::summary::{card_infos, priced_per, tier_summary};
use waprice::tariff::tier::TierTable;

pub(super) const LIST_HEADER: [&str; 11] = [
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

pub(super) fn list(s: &TariffsListSettings, out: &mut impl Write) -> Result<()> {
    if let (Some((from, to)), Some(currency)) = (s.coverage, s.currency.as_deref()) {
        return crate::cmd::coverage::run(&s.cards, &s.markets, currency, from, to, s.format, out);
    }
    let cards = card_infos(&s.cards, &s.markets, s.currency.as_deref());
    let tiers: Vec<&TierTable> = s
        .tiers
        .tables()
        .iter()
        .filter(|t| s.currency.as_deref().is_none_or(|c| c == t.currency))
        .collect();
    match s.format {
        Format::Xlsx => unreachable!("--format xlsx is refused before"),
        Format::Table => {
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
            for c in &cards {
                table.add_row(vec![
                    TableCell::new(&c.currency),
                    TableCell::new(c.date),
                    TableCell::new(priced_per(c.date)),
                    right(c.markets.len()),
                    TableCell::new(c.columns.join(" ")),
                    TableCell::new(&c.confidence),
                    TableCell::new(c.origins.join(", ")),
                ]);
            }
            writeln!(
                out,
                "rate cards: {} (one per currency and effective date; a card may cover only some markets)",
                cards.len()
            )?;
            writeln!(out, "{table}")?;
            writeln!(out, "sources:")?;
            for c in &cards {
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
            if tiers.is_empty() {
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
                for t in &tiers {
                    table.add_row(vec![
                        TableCell::new(&t.currency),
                        TableCell::new(t.effective_from),
                        TableCell::new(s.markets.market_name(t.market)),
                        TableCell::new(t.category.name()),
                        TableCell::new(tier_summary(t)),
                        TableCell::new(&t.origin),
                    ]);
                }
                writeln!(out, "volume tiers (messages per month: rate):")?;
                writeln!(out, "{table}")?;
            }
        }
        Format::Csv => {
            let mut w = waprice::render::csv::SafeWriter::plain(&mut *out);
            w.write_record(LIST_HEADER)?;
            for c in &cards {
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
            for t in &tiers {
                w.write_record([
                    "tiers",
                    &t.currency,
                    &t.effective_from.to_string(),
                    "message",
                    "1",
                    s.markets.market_name(t.market),
                    t.category.name(),
                    &tier_summary(t),
                    "user file",
                    &t.origin,
                    &t.source,
                ])?;
            }
            w.flush()?;
        }
        Format::Json => {
            let cards: Vec<Value> = cards
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
            let tiers: Vec<Value> = tiers
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
                        "market": s.markets.market_name(t.market),
                        "category": t.category.name(),
                        "tiers": bands,
                        "origin": t.origin,
                        "source": t.source,
                    })
                })
                .collect();
            serde_json::to_writer_pretty(&mut *out, &json!({"cards": cards, "tiers": tiers}))?;
            writeln!(out)?;
        }
    }
    Ok(())
}
