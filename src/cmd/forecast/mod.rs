//! `waprice forecast`: a month's cost from volumes, the calculator Meta and BSPs offer.
//!
//! Assumptions, stated in the output: volumes are for one calendar month and one business
//! number; every message is delivered; none is inside a free entry point window; utility is
//! outside the customer service window unless `--utility-in-window` says otherwise; no
//! volume tiers. Before 2025-07-01 volumes are conversations, from then messages.

mod settings;
pub use settings::*;

use crate::cli::ForecastArgs;
use crate::settings::{budget, Tariffs, TariffsFromArgs};
use anyhow::{Context, Result};
use chrono::NaiveDate;
use comfy_table::{presets, Cell, CellAlignment, ContentArrangement, Table};
use rust_decimal::Decimal;
use serde_json::json;
use std::io::Write;
use waprice::budget::Budget;
use waprice::calendar::Month;
use waprice::country::CountryId;
use waprice::era::{era_of, ERA_B_FROM, FREE_SERVICE_FROM};
use waprice::error::BadInput;
use waprice::event::Era;
use waprice::forecast::{forecast, Volumes};
use waprice::render::csv::CsvStyle;
use waprice::render::{exact, money, Format};

pub const HEADER: [&str; 9] = [
    "country", "market", "category", "volume", "free", "billable", "rate", "cost", "currency",
];

pub fn run(s: &ForecastSettings) -> Result<()> {
    let t = &s.tariffs;
    let era = era_of(s.date);
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
    let unpriced = lines.iter().any(|l| l.rate.is_none());
    notes.push(format!(
        "rules and cards in force on {} (era {})",
        s.date,
        era.describe()
    ));
    notes.push(format!(
        "assumed: one month, one business number, every message delivered, none inside a free entry point window, no volume tiers; {}",
        if era.is_conversation_based() { "volumes are conversations" } else { "volumes are messages" }
    ));
    match era {
        Era::B if s.date < FREE_SERVICE_FROM => notes.push("the first 1,000 service conversations of the month are free".into()),
        Era::B => notes.push("service conversations are free from 2024-11-01".into()),
        Era::C => notes.push("service messages and the utility templates inside a customer service window (--utility-in-window) are free".into()),
        _ => notes.push(format!("service and in-window utility are charged; free service allowance {} a month", s.allowance)),
    }
    if s.format == Format::Xlsx {
        {
            use waprice::render::xlsx::{Book, Column as XCol, Kind, Value};
            let cols = [
                XCol::new("country", Kind::Text),
                XCol::new("market", Kind::Text),
                XCol::new("category", Kind::Text),
                XCol::summed("volume", Kind::Count),
                XCol::summed("free", Kind::Count),
                XCol::summed("billable", Kind::Count),
                XCol::new("rate", Kind::Money),
                XCol::summed("cost", Kind::Money),
                XCol::new("currency", Kind::Text),
            ];
            let mut book = Book::new(&t.currency);
            let mut sheet = book.sheet("forecast", &cols)?;
            let mut sums = [0u64; 3];
            for l in &lines {
                sums[0] += l.volume;
                sums[1] += l.free;
                sums[2] += l.billable;
                sheet.row(&[
                    Value::Text(&l.country),
                    Value::Text(&l.market),
                    Value::Text(l.category.name()),
                    Value::Count(l.volume),
                    Value::Count(l.free),
                    Value::Count(l.billable),
                    l.rate.map_or(Value::Empty, Value::Decimal),
                    Value::Decimal(l.cost),
                    Value::Text(&t.currency),
                ])?;
            }
            let n = |x: u64| Some(Decimal::from(x));
            sheet.finish_with(
                "total",
                &[
                    None,
                    None,
                    None,
                    n(sums[0]),
                    n(sums[1]),
                    n(sums[2]),
                    None,
                    Some(total),
                    None,
                ],
                &[
                    ("budget", budget_line.budget),
                    ("overage", budget_line.overage),
                ],
            )?;
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
                w.write_record([
                    l.country.clone(),
                    l.market.clone(),
                    l.category.name().to_string(),
                    l.volume.to_string(),
                    l.free.to_string(),
                    l.billable.to_string(),
                    l.rate.map(|r| s.csv.decimal(r)).unwrap_or_default(),
                    s.csv.decimal(l.cost),
                    t.currency.clone(),
                ])?;
            }
            for (label, value) in [
                ("total", total),
                ("budget", budget_line.budget),
                ("overage", budget_line.overage),
            ] {
                w.write_record([
                    "",
                    "",
                    label,
                    "",
                    "",
                    "",
                    "",
                    &s.csv.decimal(value),
                    &t.currency,
                ])?;
            }
            w.flush()?;
        }
        Format::Json => {
            let rows: Vec<_> = lines
                .iter()
                .map(|l| {
                    json!({"country": l.country, "market": l.market, "category": l.category.name(), "volume": l.volume,
                           "free": l.free, "billable": l.billable, "rate": l.rate.map(exact), "cost": exact(l.cost)})
                })
                .collect();
            let doc = json!({
                "currency": t.currency, "date": s.date.to_string(), "lines": rows, "total": exact(total),
                "lower_bound": unpriced, "budget": exact(budget_line.budget), "overage": exact(budget_line.overage),
                "notes": notes,
            });
            serde_json::to_writer_pretty(&mut out, &doc)?;
            writeln!(out)?;
        }
        Format::Table => {
            let mut table = Table::new();
            table
                .load_preset(presets::UTF8_FULL_CONDENSED)
                .set_content_arrangement(ContentArrangement::Disabled)
                .force_no_tty();
            table.set_header([
                "country", "market", "category", "volume", "free", "billable", "rate", "cost",
            ]);
            let right = |s: String| Cell::new(s).set_alignment(CellAlignment::Right);
            for l in &lines {
                table.add_row(vec![
                    Cell::new(&l.country),
                    Cell::new(&l.market),
                    Cell::new(l.category.name()),
                    right(l.volume.to_string()),
                    right(l.free.to_string()),
                    right(l.billable.to_string()),
                    right(l.rate.map(exact).unwrap_or_else(|| "unpriced".into())),
                    right(format!("{} {}", money(l.cost), t.currency)),
                ]);
            }
            let bound = if unpriced { "≥ " } else { "" };
            table.add_row(vec![
                Cell::new("total"),
                Cell::new(""),
                Cell::new(""),
                Cell::new(""),
                Cell::new(""),
                Cell::new(""),
                Cell::new(""),
                right(format!("{bound}{} {}", money(total), t.currency)),
            ]);
            writeln!(out, "{table}")?;
            writeln!(
                out,
                "budget {} {cur} a month; overage {} {cur}{}",
                money(budget_line.budget),
                money(budget_line.overage),
                if budget_line.overage > Decimal::ZERO {
                    " (invoiced at cost the next month)"
                } else {
                    ""
                },
                cur = t.currency
            )?;
            writeln!(out, "notes:")?;
            for n in &notes {
                writeln!(out, "- {n}")?;
            }
        }
    }
    out.flush()?;
    Ok(())
}
