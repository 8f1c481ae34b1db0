//! `waprice tariffs --coverage --currency CUR`: for each market, category and month, what kind
//! of rate `estimate` would charge a billed unit on the month's first day: published, derived,
//! a substitute, or none (unpriced). Only the categories the month's rules bill, and only the
//! months a market exists in (a country is in it), are shown.

use super::rates::columns_in_force;
use anyhow::Result;
use std::io::Write;
use waprice::calendar::Month;
use waprice::pricing::{probe, Pricer, Quote};
use waprice::render::{exact, Format};
use waprice::tariff::card::{Column, RateCards};
use waprice::tariff::market::MarketMap;

pub const HEADER: [&str; 6] = ["market", "category", "month", "rate", "card", "rate_source"];

/// One cell of the coverage: the rate, its card and its kind; `None` when the month's rules
/// do not bill the category.
struct Found {
    rate: String,
    card: String,
    source: &'static str,
}

fn cell(
    pricer: &Pricer,
    cards: &RateCards,
    markets: &MarketMap,
    market: waprice::tariff::market::MarketId,
    column: Column,
    month: Month,
) -> Option<Found> {
    let date = month.first_day();
    if !markets.in_use(market, date) {
        return None;
    }
    let (_, category) = columns_in_force(date)
        .into_iter()
        .find(|(c, _)| *c == column)?;
    Some(match pricer.quote(&probe(date, category), market) {
        Quote::Priced(r) => Found {
            rate: exact(r.value),
            card: {
                let row = cards.row(r.row);
                format!("{} {}", row.currency, row.effective_from)
            },
            source: if r.substitute {
                "substitute"
            } else if r.derived {
                "derived"
            } else {
                "published"
            },
        },
        _ => Found {
            rate: String::new(),
            card: String::new(),
            source: "unpriced",
        },
    })
}

fn symbol(f: &Option<Found>) -> char {
    match f.as_ref().map(|f| f.source) {
        None => ' ',
        Some("published") => 'P',
        Some("derived") => 'd',
        Some("substitute") => 's',
        Some(_) => '-',
    }
}

pub fn run(
    cards: &RateCards,
    markets: &MarketMap,
    currency: &str,
    from: Month,
    to: Month,
    format: Format,
    out: &mut impl Write,
) -> Result<()> {
    let pricer = Pricer::new(cards, currency);
    let mut months = Vec::new();
    let mut m = from;
    while m <= to {
        months.push(m);
        m = m.next();
    }
    let columns = [
        Column::Marketing,
        Column::Utility,
        Column::Authentication,
        Column::AuthenticationInternational,
        Column::Service,
        Column::BusinessInitiated,
        Column::UserInitiated,
    ];
    let mut names = markets.market_names();
    names.sort();
    match format {
        Format::Xlsx => unreachable!("--format xlsx is refused before"),
        Format::Json => {
            let mut rows = Vec::new();
            for name in &names {
                let market = markets.market_by_name(name).expect("a known market");
                for column in columns {
                    for &month in &months {
                        if let Some(f) = cell(&pricer, cards, markets, market, column, month) {
                            rows.push(serde_json::json!({
                                "market": name,
                                "category": column.name(),
                                "month": month.to_string(),
                                "rate": if f.rate.is_empty() { None } else { Some(f.rate) },
                                "card": if f.card.is_empty() { None } else { Some(f.card) },
                                "rate_source": f.source,
                            }));
                        }
                    }
                }
            }
            let doc = serde_json::json!({"currency": currency, "coverage": rows});
            serde_json::to_writer_pretty(&mut *out, &doc)?;
            writeln!(out)?;
        }
        Format::Csv => {
            let mut w = waprice::render::csv::SafeWriter::plain(&mut *out);
            w.write_record(HEADER)?;
            for name in &names {
                let market = markets.market_by_name(name).expect("a known market");
                for column in columns {
                    for &month in &months {
                        if let Some(f) = cell(&pricer, cards, markets, market, column, month) {
                            w.write_record([
                                *name,
                                column.name(),
                                &month.to_string(),
                                &f.rate,
                                &f.card,
                                f.source,
                            ])?;
                        }
                    }
                }
            }
            w.flush()?;
        }
        Format::Table => {
            writeln!(
                out,
                "rate coverage in {currency}, {from} .. {to}: one character per month, for the rate a billed unit would pay on its first day"
            )?;
            writeln!(
                out,
                "P published  d derived (a stated rule from another currency's card)  s substitute (a later card, or the other pricing model)  - none (unpriced)  blank: not billed that month, or not a market yet"
            )?;
            let width = names.iter().map(|n| n.len()).max().unwrap_or(6) + 1 + 28;
            // Year marks over the month columns.
            let mut years = String::new();
            for m in &months {
                years.push(if m.month() == 1 || years.is_empty() {
                    '|'
                } else {
                    ' '
                });
            }
            let mut labels = String::new();
            for (i, m) in months.iter().enumerate() {
                if (m.month() == 1 || i == 0) && labels.len() <= i {
                    labels.push_str(&m.year().to_string());
                } else if labels.len() <= i {
                    labels.push(' ');
                }
            }
            writeln!(out, "{}", format!("{:width$} {labels}", "").trim_end())?;
            writeln!(out, "{}", format!("{:width$} {years}", "").trim_end())?;
            let mut counts = [0usize; 4];
            for name in &names {
                let market = markets.market_by_name(name).expect("a known market");
                for column in columns {
                    let cells: Vec<Option<Found>> = months
                        .iter()
                        .map(|&m| cell(&pricer, cards, markets, market, column, m))
                        .collect();
                    if cells.iter().all(Option::is_none) {
                        continue;
                    }
                    let line: String = cells.iter().map(symbol).collect();
                    for c in line.chars() {
                        match c {
                            'P' => counts[0] += 1,
                            'd' => counts[1] += 1,
                            's' => counts[2] += 1,
                            '-' => counts[3] += 1,
                            _ => {}
                        }
                    }
                    let label = format!("{name} {}", column.name());
                    writeln!(out, "{label:width$} {line}")?;
                }
            }
            writeln!(
                out,
                "cells: {} published, {} derived, {} substitute, {} unpriced",
                counts[0], counts[1], counts[2], counts[3]
            )?;
        }
    }
    Ok(())
}
