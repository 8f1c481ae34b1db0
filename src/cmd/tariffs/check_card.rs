//! The report of `waprice tariffs check` on a rate card, as a table per card.

use super::{new_table, right};
use anyhow::Result;
use comfy_table::Cell as TableCell;
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::io::Write;
use waprice::render::exact;
use waprice::tariff::card::Column;
use waprice::tariff::compare::{count, CellChange, Change, Comparison};
use waprice::tariff::summary::priced_per;

/// One card compared: `source` names the file (path, layout and title), `against` the
/// origins of the rates it is compared with.
pub(super) fn card_table(
    out: &mut impl Write,
    c: &Comparison,
    source: &str,
    against: &str,
) -> Result<()> {
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
                TableCell::new(&x.market),
                TableCell::new(x.column.name()),
                right(x.before.map(|b| exact(b.0)).unwrap_or_default()),
                TableCell::new(x.before.map(|b| b.1.to_string()).unwrap_or_default()),
                right(x.now.map(exact).unwrap_or_else(|| "n/a".into())),
                TableCell::new(match x.change {
                    Change::NowNotApplicable => "now n/a".to_string(),
                    other => format!("{} {}", other.name(), x.delta()),
                }),
            ]);
        }
        writeln!(out, "{table}")?;
    }
    Ok(())
}
