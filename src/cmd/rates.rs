//! `waprice rates`: the rates in force on a date for a country, a market, or every market.
//!
//! Each market shows its latest card row on or before the date (else the earliest later one,
//! flagged); cells that row leaves empty are filled the way `estimate` would fill them, from
//! the nearest card that has them, and the notes name that card.

use crate::settings::RatesSettings;
use anyhow::Result;
use chrono::NaiveDate;
use comfy_table::{presets, Cell, CellAlignment, ContentArrangement, Table};
use serde_json::json;
use std::io::Write;
use waprice::error::BadInput;
use waprice::render::{exact, Format};
use waprice::tariff::card::{Cell as RateCell, Column, RateCards};
use waprice::tariff::market::MarketId;

const HEADER: [&str; 11] = [
    "market",
    "marketing",
    "utility",
    "authentication",
    "authentication_international",
    "service",
    "business_initiated",
    "user_initiated",
    "currency",
    "effective_from",
    "source",
];

struct Line {
    market: String,
    cells: Vec<String>,
    effective_from: NaiveDate,
    source: String,
}

pub fn run(s: &RatesSettings) -> Result<()> {
    let t = &s.tariffs;
    let mut notes = Vec::new();
    let markets: Vec<MarketId> = if let Some(c) = &s.country {
        let code = c.trim();
        let country = if code.starts_with('+') || code.chars().all(|ch| ch.is_ascii_digit()) {
            t.markets.country_by_calling_code(code)
        } else {
            t.markets.country_by_iso(code)
        }
        .ok_or_else(|| {
            BadInput::new(format!("--country {c}: unknown country"))
                .hint("use an ISO code (FR) or a calling code (+33); countries on none of Meta's lists pay --market Other")
        })?;
        let market = t.markets.market_at(country, s.date);
        notes.push(format!(
            "{} ({}, +{}) is in the market {} on {}",
            t.markets.country_name(country),
            t.markets.iso(country),
            t.markets.calling_code(country),
            t.markets.market_name(market),
            s.date
        ));
        vec![market]
    } else if let Some(name) = &s.market {
        vec![t.markets.market_by_name(name).ok_or_else(|| {
            BadInput::new(format!("--market {name}: unknown market"))
                .hint(format!("markets: {}", t.markets.market_names().join(", ")))
        })?]
    } else {
        let mut ms: Vec<MarketId> =
            t.cards.rows().iter().filter(|r| r.currency == t.currency).map(|r| r.market).collect();
        ms.sort_by_key(|m| t.markets.market_name(*m).to_string());
        ms.dedup();
        ms
    };
    let mut lines = Vec::new();
    for market in markets {
        match line(&t.cards, &t.currency, market, s.date, t.markets.market_name(market), &mut notes) {
            Some(l) => lines.push(l),
            None => notes.push(format!("{}: no {} card has this market", t.markets.market_name(market), t.currency)),
        }
    }
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    match t.format {
        Format::Csv => {
            let mut w = csv::Writer::from_writer(&mut out);
            w.write_record(HEADER)?;
            for l in &lines {
                let mut row = vec![l.market.clone()];
                row.extend(l.cells.iter().cloned());
                row.extend([t.currency.clone(), l.effective_from.to_string(), l.source.clone()]);
                w.write_record(&row)?;
            }
            w.flush()?;
        }
        Format::Json => {
            let rows: Vec<_> = lines
                .iter()
                .map(|l| {
                    let mut o = serde_json::Map::new();
                    o.insert("market".into(), json!(l.market));
                    for (c, v) in Column::ALL.iter().zip(&l.cells) {
                        o.insert(c.name().into(), if v.is_empty() { json!(null) } else { json!(v) });
                    }
                    o.insert("currency".into(), json!(t.currency));
                    o.insert("effective_from".into(), json!(l.effective_from.to_string()));
                    o.insert("source".into(), json!(l.source));
                    serde_json::Value::Object(o)
                })
                .collect();
            let doc = json!({"currency": t.currency, "date": s.date.to_string(), "rates": rows, "notes": notes});
            serde_json::to_writer_pretty(&mut out, &doc)?;
            writeln!(out)?;
        }
        Format::Table => {
            let shown: Vec<usize> =
                (0..Column::ALL.len()).filter(|&i| lines.iter().any(|l| !l.cells[i].is_empty())).collect();
            let mut table = Table::new();
            table.load_preset(presets::UTF8_FULL_CONDENSED).set_content_arrangement(ContentArrangement::Disabled).force_no_tty();
            let mut header = vec!["market".to_string()];
            header.extend(shown.iter().map(|&i| Column::ALL[i].name().replace('_', " ")));
            header.push("card".into());
            table.set_header(header);
            for l in &lines {
                let mut row = vec![Cell::new(&l.market)];
                row.extend(shown.iter().map(|&i| Cell::new(&l.cells[i]).set_alignment(CellAlignment::Right)));
                row.push(Cell::new(format!("{} {}", t.currency, l.effective_from)));
                table.add_row(row);
            }
            writeln!(out, "rates in {} on {} (per conversation before 2025-07-01, per message from then)", t.currency, s.date)?;
            writeln!(out, "{table}")?;
            let mut sources: Vec<(NaiveDate, &str)> = lines.iter().map(|l| (l.effective_from, l.source.as_str())).collect();
            sources.sort();
            sources.dedup();
            writeln!(out, "sources:")?;
            for (d, src) in sources {
                writeln!(out, "- {} {d}: {src}", t.currency)?;
            }
            if !notes.is_empty() {
                writeln!(out, "notes:")?;
                for n in &notes {
                    writeln!(out, "- {n}")?;
                }
            }
        }
    }
    out.flush()?;
    Ok(())
}

fn line(cards: &RateCards, currency: &str, market: MarketId, date: NaiveDate, name: &str, notes: &mut Vec<String>) -> Option<Line> {
    let rows: Vec<&_> = cards.rows().iter().filter(|r| r.currency == currency && r.market == market).collect();
    let row = rows.iter().rev().find(|r| r.effective_from <= date).or_else(|| rows.first())?;
    if row.effective_from > date {
        notes.push(format!("{name}: no {currency} card on or before {date}; showing the later card of {}", row.effective_from));
    }
    let cells = Column::ALL
        .iter()
        .map(|&c| match row.cell(c) {
            RateCell::Rate(d) => exact(*d),
            RateCell::NotApplicable => "n/a".to_string(),
            RateCell::Empty => {
                let values = cards.values(currency, market, c);
                let nearest = values.iter().rev().find(|v| v.0 <= date).or_else(|| values.first());
                match nearest {
                    Some(v) => {
                        notes.push(format!("{name} {}: {} from the card of {}", c.name(), exact(v.1), v.0));
                        exact(v.1)
                    }
                    None => String::new(),
                }
            }
        })
        .collect();
    Some(Line { market: name.to_string(), cells, effective_from: row.effective_from, source: row.source.clone() })
}
