//! The report of `waprice tariffs check` on a tier table: what it holds.

use super::check::{notes_to_stderr, write_notes};
use super::new_table;
use crate::settings::TariffsCheckSettings;
use anyhow::Result;
use comfy_table::Cell as TableCell;
use serde_json::{json, Value};
use std::io::Write;
use waprice::render::{exact, Format};
use waprice::tariff::files;
use waprice::tariff::summary::tier_summary;

/// A tier file: valid or not, and what it holds.
pub(super) fn check_tiers(s: &TariffsCheckSettings, out: &mut impl Write) -> Result<()> {
    let files::TierFile {
        layout,
        tables,
        notes,
    } = files::read_tiers(&s.text, &s.path, &s.markets, &s.overrides)?;
    match s.format {
        Format::Xlsx => unreachable!("--format xlsx is refused before"),
        Format::Table => {
            writeln!(
                out,
                "{}: {} ({} tier table{})",
                s.path,
                layout.describe(),
                tables.len(),
                if tables.len() == 1 { "" } else { "s" }
            )?;
            let mut table = new_table();
            table.set_header(["currency", "effective", "market", "category", "tiers"]);
            for t in &tables {
                table.add_row(vec![
                    TableCell::new(&t.currency),
                    TableCell::new(t.effective_from),
                    TableCell::new(s.markets.market_name(t.market)),
                    TableCell::new(t.category.name()),
                    TableCell::new(tier_summary(t)),
                ]);
            }
            writeln!(out, "{table}")?;
            write_notes(out, &notes)?;
        }
        Format::Csv => {
            notes_to_stderr(&notes);
            let mut w = waprice::render::csv::SafeWriter::plain(&mut *out);
            w.write_record([
                "currency",
                "effective_from",
                "market",
                "category",
                "tier",
                "rate",
            ])?;
            for t in &tables {
                for i in 0..t.bands.len() {
                    w.write_record([
                        t.currency.clone(),
                        t.effective_from.to_string(),
                        s.markets.market_name(t.market).to_string(),
                        t.category.name().to_string(),
                        t.tier(i).to_string(),
                        t.bands[i]
                            .rate
                            .map(exact)
                            .unwrap_or_else(|| "list rate".into()),
                    ])?;
                }
            }
            w.flush()?;
        }
        Format::Json => {
            let v: Vec<Value> = tables
                .iter()
                .map(|t| {
                    json!({
                        "currency": t.currency,
                        "effective_from": t.effective_from.to_string(),
                        "market": s.markets.market_name(t.market),
                        "category": t.category.name(),
                        "tiers": (0..t.bands.len()).map(|i| json!({"tier": t.tier(i).to_string(), "rate": t.bands[i].rate.map(exact)})).collect::<Vec<_>>(),
                    })
                })
                .collect();
            serde_json::to_writer_pretty(
                &mut *out,
                &json!({"file": s.path, "layout": layout.describe(), "tiers": v, "notes": notes}),
            )?;
            writeln!(out)?;
        }
    }
    Ok(())
}
