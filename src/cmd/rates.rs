//! `waprice rates`: the rates in force on a date for a country, a market, or every market
//! (waprice::rates), rendered by waprice::render::rates.

use crate::settings::RatesSettings;
use anyhow::Result;
use std::io::Write;
use waprice::error::BadInput;
use waprice::rates::line;
use waprice::render::rates::{self, Rates};
use waprice::render::xlsx::Book;
use waprice::render::Format;
use waprice::tariff::market::MarketId;

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
    let r = Rates {
        lines: &lines,
        notes: &notes,
        cards: &t.cards,
        currency: &t.currency,
        date: s.date,
    };
    if s.format == Format::Xlsx {
        let mut book = Book::new(&t.currency);
        rates::xlsx(&r, &mut book)?;
        return book.save(s.output.as_deref());
    }
    let mut out = crate::settings::open_output(s.output.as_deref())?;
    match s.format {
        Format::Xlsx => unreachable!("written above"),
        Format::Csv => rates::csv(&r, s.csv, &mut out)?,
        Format::Json => rates::json(&r, &mut out)?,
        Format::Table => rates::table(&r, &mut out)?,
    }
    out.flush()?;
    Ok(())
}
