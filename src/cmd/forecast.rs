//! `waprice forecast`: a month's cost from volumes, the calculator Meta and BSPs offer.
//!
//! Assumptions, stated in the output: volumes are for one calendar month and one business
//! number; every message is delivered; none is inside a free entry point window; utility is
//! outside the customer service window unless `--utility-in-window` says otherwise; no
//! volume tiers. Before 2025-07-01 volumes are conversations, from then messages.

use crate::settings::ForecastSettings;
use anyhow::Result;
use rust_decimal::Decimal;
use std::io::Write;
use waprice::calendar::Month;
use waprice::forecast::{assumptions, forecast};
use waprice::render::forecast::{self as render, Forecast};
use waprice::render::xlsx::Book;
use waprice::render::Format;

pub fn run(s: &ForecastSettings) -> Result<()> {
    let t = &s.tariffs;
    let (lines, mut notes) = forecast(
        &t.markets,
        &t.cards,
        &t.currency,
        s.date,
        &s.countries,
        s.allowance,
    );
    let total: Decimal = lines.iter().map(|l| l.cost).sum();
    let budget_line = s.budget.line(Month::of(s.date), total);
    notes.extend(assumptions(s.date, s.allowance));
    let f = Forecast {
        lines: &lines,
        notes: &notes,
        currency: &t.currency,
        date: s.date,
        total,
        budget: budget_line,
    };
    if s.format == Format::Xlsx {
        let mut book = Book::new(&t.currency);
        render::xlsx(&f, &mut book)?;
        return book.save(s.output.as_deref());
    }
    let mut out = crate::settings::open_output(s.output.as_deref())?;
    match s.format {
        Format::Xlsx => unreachable!("written above"),
        Format::Csv => render::csv(&f, s.csv, &mut out)?,
        Format::Json => render::json(&f, &mut out)?,
        Format::Table => render::table(&f, &mut out)?,
    }
    out.flush()?;
    Ok(())
}
