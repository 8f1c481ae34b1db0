//! `waprice tariffs --coverage --currency CUR`: for each market, category and month, what kind
//! of rate `estimate` would charge a billed unit on the month's first day (waprice::rates):
//! published, derived, a substitute, or none (unpriced). Only the categories the month's rules
//! bill, and only the months a market exists in (a country is in it), are shown.

use super::json::write_pretty;
use crate::rates::{Coverage, CoverageCell};
use std::io::Write;

/// The CSV header, fixed.
pub const HEADER: [&str; 6] = ["market", "category", "month", "rate", "card", "rate_source"];

fn symbol(f: &Option<CoverageCell>) -> char {
    match f.as_ref().map(|f| f.source) {
        None => ' ',
        Some("published") => 'P',
        Some("derived") => 'd',
        Some("substitute") => 's',
        Some(_) => '-',
    }
}

/// Every cell with its month, in the order of the rows.
fn cells(c: &Coverage) -> impl Iterator<Item = (&str, &str, String, &CoverageCell)> {
    c.rows.iter().flat_map(move |r| {
        c.months.iter().zip(&r.cells).filter_map(move |(m, f)| {
            f.as_ref()
                .map(|f| (r.market.as_str(), r.column.name(), m.to_string(), f))
        })
    })
}

/// A JSON object per cell billed that month.
pub fn json(c: &Coverage, out: impl Write) -> std::io::Result<()> {
    let rows: Vec<_> = cells(c)
        .map(|(market, category, month, f)| {
            serde_json::json!({
                "market": market,
                "category": category,
                "month": month,
                "rate": if f.rate.is_empty() { None } else { Some(&f.rate) },
                "card": if f.card.is_empty() { None } else { Some(&f.card) },
                "rate_source": f.source,
            })
        })
        .collect();
    write_pretty(
        out,
        &serde_json::json!({"currency": c.currency, "coverage": rows}),
    )
}

/// A CSV row per cell billed that month.
pub fn csv(c: &Coverage, out: impl Write) -> std::io::Result<()> {
    let mut w = super::csv::SafeWriter::plain(out);
    w.write_record(HEADER)?;
    for (market, category, month, f) in cells(c) {
        w.write_record([market, category, &month, &f.rate, &f.card, f.source])?;
    }
    w.flush()
}

/// One character per month, a line per market and category billed in some month.
pub fn table(c: &Coverage, mut out: impl Write) -> std::io::Result<()> {
    let (currency, from, to) = (&c.currency, c.from, c.to);
    writeln!(
        out,
        "rate coverage in {currency}, {from} .. {to}: one character per month, for the rate a billed unit would pay on its first day"
    )?;
    writeln!(
        out,
        "P published  d derived (a stated rule from another currency's card)  s substitute (a later card, or the other pricing model)  - none (unpriced)  blank: not billed that month, or not a market yet"
    )?;
    let width = c.rows.iter().map(|r| r.market.len()).max().unwrap_or(6) + 1 + 28;
    // Year marks over the month columns.
    let mut years = String::new();
    for m in &c.months {
        years.push(if m.month() == 1 || years.is_empty() {
            '|'
        } else {
            ' '
        });
    }
    let mut labels = String::new();
    for (i, m) in c.months.iter().enumerate() {
        if (m.month() == 1 || i == 0) && labels.len() <= i {
            labels.push_str(&m.year().to_string());
        } else if labels.len() <= i {
            labels.push(' ');
        }
    }
    writeln!(out, "{}", format!("{:width$} {labels}", "").trim_end())?;
    writeln!(out, "{}", format!("{:width$} {years}", "").trim_end())?;
    let mut counts = [0usize; 4];
    for r in &c.rows {
        if r.cells.iter().all(Option::is_none) {
            continue;
        }
        let line: String = r.cells.iter().map(symbol).collect();
        for ch in line.chars() {
            match ch {
                'P' => counts[0] += 1,
                'd' => counts[1] += 1,
                's' => counts[2] += 1,
                '-' => counts[3] += 1,
                _ => {}
            }
        }
        let label = format!("{} {}", r.market, r.column.name());
        writeln!(out, "{label:width$} {line}")?;
    }
    writeln!(
        out,
        "cells: {} published, {} derived, {} substitute, {} unpriced",
        counts[0], counts[1], counts[2], counts[3]
    )
}
