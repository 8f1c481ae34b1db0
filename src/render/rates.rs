//! `waprice rates`: the rates in force on a date, one line per market, as a table, CSV, JSON
//! or a workbook. The card column names the card each rate really came from, per category
//! (`derived` for a card derived by a stated rule, `substitute` for a later card or one of
//! the other pricing model); CSV's `effective_from` is the newest card a shown rate came from
//! and `source` names each card with its categories; JSON's `cards` names the card of every
//! cell.

use super::csv::CsvStyle;
use super::table::new_table;
use super::xlsx::{Book, Column as XCol, Kind, Value};
use super::{json::write_pretty, table::right, write_notes};
use crate::rates::Line;
use crate::tariff::card::{Column, RateCards};
use chrono::NaiveDate;
use comfy_table::Cell;
use rust_decimal::Decimal;
use serde_json::json;
use std::io::Write;
use std::str::FromStr;

/// The CSV header, fixed.
pub const HEADER: [&str; 11] = [
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

/// What `waprice rates` shows: a line per market, in `currency` on `date`.
pub struct Rates<'a> {
    /// A line per market.
    pub lines: &'a [Line],
    /// The notes under the rates.
    pub notes: &'a [String],
    /// The cards the lines were read from (the table names their sources).
    pub cards: &'a RateCards,
    /// The currency of the cards.
    pub currency: &'a str,
    /// The date the rates are in force on.
    pub date: NaiveDate,
}

/// The card column: one card, or each card with the categories it priced.
fn card_cell(l: &Line) -> String {
    let mut groups: Vec<(&str, Vec<&str>)> = Vec::new();
    for (c, card) in Column::ALL.iter().zip(&l.cards) {
        if card.is_empty() {
            continue;
        }
        match groups.iter_mut().find(|g| g.0 == card.as_str()) {
            Some(g) => g.1.push(c.name()),
            None => groups.push((card.as_str(), vec![c.name()])),
        }
    }
    if groups.len() == 1 {
        return groups[0].0.to_string();
    }
    groups
        .iter()
        .map(|(card, cols)| format!("{card}: {}", cols.join(", ")))
        .collect::<Vec<_>>()
        .join("; ")
}

/// The CSV's columns in one sheet, typed, and the notes.
pub fn xlsx(r: &Rates, book: &mut Book) -> anyhow::Result<()> {
    let mut cols = vec![XCol::new("market", Kind::Text)];
    cols.extend(HEADER[1..8].iter().map(|h| XCol::new(h, Kind::Money)));
    cols.extend([
        XCol::new("currency", Kind::Text),
        XCol::new("effective_from", Kind::Date),
        XCol::new("source", Kind::Text),
    ]);
    let mut sheet = book.sheet("rates", &cols)?;
    for l in r.lines {
        let mut row = vec![Value::Text(&l.market)];
        for c in &l.cells {
            row.push(match Decimal::from_str(c) {
                Ok(d) => Value::Decimal(d),
                Err(_) => Value::text(c),
            });
        }
        row.extend([
            Value::Text(r.currency),
            Value::Date(l.effective_from),
            Value::text(&l.source),
        ]);
        sheet.row(&row)?;
    }
    sheet.finish("", &[])?;
    book.notes(r.notes)?;
    Ok(())
}

/// A row per market; rates in the style's decimal separator.
pub fn csv(r: &Rates, style: CsvStyle, out: impl Write) -> std::io::Result<()> {
    let mut w = style.writer(out)?;
    w.write_record(HEADER)?;
    for l in r.lines {
        let mut row = vec![l.market.clone()];
        row.extend(l.cells.iter().map(|c| style.number(c.clone())));
        row.extend([
            r.currency.to_string(),
            l.effective_from.to_string(),
            l.source.clone(),
        ]);
        w.write_record(&row)?;
    }
    w.flush()
}

/// An object per market, with the card of every rate, and the notes.
pub fn json(r: &Rates, out: impl Write) -> std::io::Result<()> {
    let rows: Vec<_> = r
        .lines
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
            o.insert("currency".into(), json!(r.currency));
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
    write_pretty(
        out,
        &json!({"currency": r.currency, "date": r.date.to_string(), "rates": rows, "notes": r.notes}),
    )
}

/// Only the columns with a rate in some line are shown; then the cards' sources and the notes.
pub fn table(r: &Rates, mut out: impl Write) -> std::io::Result<()> {
    let shown: Vec<usize> = (0..Column::ALL.len())
        .filter(|&i| r.lines.iter().any(|l| !l.cells[i].is_empty()))
        .collect();
    let mut table = new_table();
    let mut header = vec!["market".to_string()];
    header.extend(
        shown
            .iter()
            .map(|&i| Column::ALL[i].name().replace('_', " ")),
    );
    header.push("card".into());
    table.set_header(header);
    for l in r.lines {
        let mut row = vec![Cell::new(&l.market)];
        row.extend(shown.iter().map(|&i| right(&l.cells[i])));
        row.push(Cell::new(card_cell(l)));
        table.add_row(row);
    }
    writeln!(
        out,
        "rates in {} on {} (per conversation before 2025-07-01, per message from then)",
        r.currency, r.date
    )?;
    writeln!(out, "{table}")?;
    let mut used: Vec<usize> = r.lines.iter().flat_map(|l| l.rows.clone()).collect();
    used.sort_by_key(|&i| {
        let row = r.cards.row(i);
        (row.effective_from, row.is_derived(), i)
    });
    let mut sources: Vec<(String, &str)> = used
        .iter()
        .map(|&i| {
            let row = r.cards.row(i);
            (row.card_name(), row.source.as_str())
        })
        .collect();
    sources.dedup();
    writeln!(out, "sources:")?;
    for (card, src) in sources {
        writeln!(out, "- {card}: {src}")?;
    }
    write_notes(out, r.notes)
}
