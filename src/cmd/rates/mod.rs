//! `waprice rates`: the rates in force on a date for a country, a market, or every market.
//!
//! Each cell is the rate `estimate` would charge a billed unit on that date (same lookup,
//! substitutes included); only the columns the date's rules can bill are shown. The card
//! column names the card each rate really came from, per category (`derived` for a card
//! derived by a stated rule, `substitute` for a later card or one of the other pricing model);
//! CSV's `effective_from` is the newest card a shown rate came from and `source` names each
//! card with its categories (see `provenance`); JSON's `cards` names the card of every cell.

mod line;
pub use line::*;

use crate::settings::RatesSettings;
use anyhow::Result;
use chrono::NaiveDate;
use comfy_table::{presets, Cell, CellAlignment, ContentArrangement, Table};
use rust_decimal::Decimal;
use serde_json::json;
use std::io::Write;
use std::str::FromStr;
use waprice::era::{era_of, FREE_SERVICE_FROM};
use waprice::error::BadInput;
use waprice::event::{Era, UnitCategory};
use waprice::pricing::{probe, Pricer, Quote};
use waprice::render::xlsx::{Book, Column as XCol, Kind, Value};
use waprice::render::{exact, Format};
use waprice::tariff::card::{CardRow, Column, RateCards};
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

pub fn run(s: &RatesSettings) -> Result<()> {
    let t = &s.tariffs;
    let mut notes = Vec::new();
    let markets: Vec<MarketId> = if let Some(c) = &s.country {
        let country = crate::settings::country_arg(&t.markets, c)?;
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
        let mut ms: Vec<MarketId> = t
            .cards
            .rows()
            .iter()
            .filter(|r| r.currency == t.currency)
            .map(|r| r.market)
            .collect();
        ms.sort_by_key(|m| t.markets.market_name(*m).to_string());
        ms.dedup();
        ms
    };
    let mut lines = Vec::new();
    for market in markets {
        match line(
            &t.cards,
            &t.currency,
            market,
            s.date,
            t.markets.market_name(market),
            &mut notes,
        ) {
            Some(l) => lines.push(l),
            None => notes.push(format!(
                "{}: no {} card has this market",
                t.markets.market_name(market),
                t.currency
            )),
        }
    }
    if s.format == Format::Xlsx {
        {
            let mut cols = vec![XCol::new("market", Kind::Text)];
            cols.extend(HEADER[1..8].iter().map(|h| XCol::new(h, Kind::Money)));
            cols.extend([
                XCol::new("currency", Kind::Text),
                XCol::new("effective_from", Kind::Date),
                XCol::new("source", Kind::Text),
            ]);
            let mut book = Book::new(&t.currency);
            let mut sheet = book.sheet("rates", &cols)?;
            for l in &lines {
                let mut row = vec![Value::Text(&l.market)];
                for c in &l.cells {
                    row.push(match Decimal::from_str(c) {
                        Ok(d) => Value::Decimal(d),
                        Err(_) => Value::text(c),
                    });
                }
                row.extend([
                    Value::Text(&t.currency),
                    Value::Date(l.effective_from),
                    Value::text(&l.source),
                ]);
                sheet.row(&row)?;
            }
            sheet.finish("", &[])?;
            book.notes(&notes)?;
            return book.save(s.output.as_deref());
        }
    }
    let mut out = crate::settings::open_output(s.output.as_deref())?;
    match s.format {
        Format::Xlsx => unreachable!("written above"),
        Format::Csv => {
            let mut w = s.csv.writer(&mut out)?;
            w.write_record(HEADER)?;
            for l in &lines {
                let mut row = vec![l.market.clone()];
                row.extend(l.cells.iter().map(|c| s.csv.number(c.clone())));
                row.extend([
                    t.currency.clone(),
                    l.effective_from.to_string(),
                    l.source.clone(),
                ]);
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
                        o.insert(
                            c.name().into(),
                            if v.is_empty() { json!(null) } else { json!(v) },
                        );
                    }
                    o.insert("currency".into(), json!(t.currency));
                    o.insert("effective_from".into(), json!(l.effective_from.to_string()));
                    o.insert("source".into(), json!(l.source));
                    let cards: serde_json::Map<String, serde_json::Value> = Column::ALL
                        .iter()
                        .zip(&l.cards)
                        .filter(|(_, card)| !card.is_empty())
                        .map(|(c, card)| (c.name().to_string(), json!(card)))
                        .collect();
                    o.insert("cards".into(), serde_json::Value::Object(cards));
                    serde_json::Value::Object(o)
                })
                .collect();
            let doc = json!({"currency": t.currency, "date": s.date.to_string(), "rates": rows, "notes": notes});
            serde_json::to_writer_pretty(&mut out, &doc)?;
            writeln!(out)?;
        }
        Format::Table => {
            let shown: Vec<usize> = (0..Column::ALL.len())
                .filter(|&i| lines.iter().any(|l| !l.cells[i].is_empty()))
                .collect();
            let mut table = Table::new();
            table
                .load_preset(presets::UTF8_FULL_CONDENSED)
                .set_content_arrangement(ContentArrangement::Disabled)
                .force_no_tty();
            let mut header = vec!["market".to_string()];
            header.extend(
                shown
                    .iter()
                    .map(|&i| Column::ALL[i].name().replace('_', " ")),
            );
            header.push("card".into());
            table.set_header(header);
            for l in &lines {
                let mut row = vec![Cell::new(&l.market)];
                row.extend(
                    shown
                        .iter()
                        .map(|&i| Cell::new(&l.cells[i]).set_alignment(CellAlignment::Right)),
                );
                row.push(Cell::new(card_cell(l)));
                table.add_row(row);
            }
            writeln!(
                out,
                "rates in {} on {} (per conversation before 2025-07-01, per message from then)",
                t.currency, s.date
            )?;
            writeln!(out, "{table}")?;
            let mut used: Vec<usize> = lines.iter().flat_map(|l| l.rows.clone()).collect();
            used.sort_by_key(|&i| {
                let r = t.cards.row(i);
                (r.effective_from, r.is_derived(), i)
            });
            let mut sources: Vec<(String, &str)> = used
                .iter()
                .map(|&i| {
                    let r = t.cards.row(i);
                    (r.card_name(), r.source.as_str())
                })
                .collect();
            sources.dedup();
            writeln!(out, "sources:")?;
            for (card, src) in sources {
                writeln!(out, "- {card}: {src}")?;
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
