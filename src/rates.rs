//! The rates in force on a date, each as `estimate` would charge a billed unit on that date
//! (same lookup, substitutes included): per market for `waprice rates`, and per market,
//! category and month for `waprice tariffs --coverage`.

use crate::calendar::Month;
use crate::era::{era_of, FREE_SERVICE_FROM};
use crate::event::{Era, UnitCategory};
use crate::price::{probe, Pricer, Quote};
use crate::tariff::card::{CardRow, Column, RateCards};
use crate::tariff::market::{MarketId, MarketMap};
use chrono::NaiveDate;

/// A market's rates on a date, and the card each came from.
pub struct Line {
    /// The market's name.
    pub market: String,
    /// Per column of [`Column::ALL`]: the rate at full precision, or empty when the date's
    /// rules do not bill that column or no card has the rate.
    pub cells: Vec<String>,
    /// Per column: the card the cell came from ("EUR 2023-06-01 derived"), or empty.
    pub cards: Vec<String>,
    /// The newest card a shown rate came from (see [`provenance`]).
    pub effective_from: NaiveDate,
    /// The source of each card the rates came from, with its categories.
    pub source: String,
    /// The card rows the cells came from.
    pub rows: Vec<usize>,
}

/// The card columns a billed unit can read on a date: era A prices user-/business-initiated
/// conversations; service is billed only in era B before 2024-11-01 and in era D.
pub fn columns_in_force(date: NaiveDate) -> Vec<(Column, UnitCategory)> {
    let era = era_of(date);
    let mut cols = Vec::new();
    if era == Era::A {
        cols.push((Column::BusinessInitiated, UnitCategory::BusinessInitiated));
        cols.push((Column::UserInitiated, UnitCategory::UserInitiated));
        return cols;
    }
    cols.extend([
        (Column::Marketing, UnitCategory::Marketing),
        (Column::Utility, UnitCategory::Utility),
        (Column::Authentication, UnitCategory::Authentication),
        (
            Column::AuthenticationInternational,
            UnitCategory::AuthenticationInternational,
        ),
    ]);
    if era == Era::D || (era == Era::B && date < FREE_SERVICE_FROM) {
        cols.push((Column::Service, UnitCategory::Service));
    }
    cols
}

/// A market's rates on a date, each cell exactly as `estimate` would price a billed unit.
pub fn line(
    cards: &RateCards,
    currency: &str,
    market: MarketId,
    date: NaiveDate,
    name: &str,
    notes: &mut Vec<String>,
) -> Option<Line> {
    let rows: Vec<&_> = cards
        .rows()
        .iter()
        .filter(|r| r.currency == currency && r.market == market)
        .collect();
    let row = rows
        .iter()
        .rev()
        .find(|r| r.effective_from <= date)
        .or_else(|| rows.first())?;
    if row.effective_from > date {
        notes.push(format!(
            "{name}: no {currency} card on or before {date}; the earliest later card is of {}",
            row.effective_from
        ));
    }
    let pricer = Pricer::new(cards, currency);
    let mut cells = vec![String::new(); Column::ALL.len()];
    let mut card_of = vec![String::new(); Column::ALL.len()];
    let mut used: Vec<usize> = Vec::new();
    for (column, category) in columns_in_force(date) {
        let event = probe(date, category);
        let quote = pricer.quote(&event, market);
        if let Quote::Unpriced(_) = quote {
            notes.push(format!("{name} {}: no {currency} rate at any date (unpriced; supply one with --tariff FILE)", column.name()));
        }
        if let Quote::Priced(rate) = quote {
            let from = cards.row(rate.row).effective_from;
            cells[column as usize] = rate.value.to_string();
            card_of[column as usize] = format!(
                "{}{}",
                cards.row(rate.row).card_name(),
                if rate.substitute { " substitute" } else { "" }
            );
            if !used.contains(&rate.row) {
                used.push(rate.row);
            }
            if rate.service_at_utility {
                notes.push(format!("{name} service: no {currency} service rate from 2026-10-01; priced at the utility rate {}", rate.value));
            } else if rate.substitute {
                notes.push(format!(
                    "{name} {}: {} from the card of {from}{}",
                    column.name(),
                    rate.value,
                    if rate.substitute { " (substitute)" } else { "" }
                ));
            }
        }
    }
    let (effective_from, source) = provenance(cards, row, &used, &card_of, date);
    Some(Line {
        market: name.to_string(),
        cells,
        cards: card_of,
        effective_from,
        source,
        rows: used,
    })
}

/// The `effective_from` and `source` of one market's line. When every rate shown comes
/// from one card, that card's date and source. When they come from several (a partial card
/// that changed one category, say), the date is that of the newest card in force on the day —
/// the day from which this set of rates holds — and the source names each card with the
/// categories it gave, newest first, then any later card standing in as a substitute: a line
/// never dates a rate to a card that did not set it.
pub fn provenance(
    cards: &RateCards,
    fallback: &CardRow,
    used: &[usize],
    card_of: &[String],
    date: NaiveDate,
) -> (NaiveDate, String) {
    let mut rows: Vec<&CardRow> = used.iter().map(|&i| cards.row(i)).collect();
    match rows.as_slice() {
        [] => (fallback.effective_from, fallback.source.clone()),
        [one] => (one.effective_from, one.source.clone()),
        _ => {
            // In force on the day first (newest first), then later cards (oldest first).
            rows.sort_by_key(|r| {
                let later = r.effective_from > date;
                let key = if later {
                    r.effective_from - date
                } else {
                    date - r.effective_from
                };
                (later, key, r.is_derived())
            });
            let parts: Vec<String> = rows
                .iter()
                .map(|r| {
                    let name = r.card_name();
                    let mut substitute = false;
                    let categories: Vec<&str> = Column::ALL
                        .iter()
                        .filter(|c| {
                            let shown = &card_of[**c as usize];
                            let is = shown.trim_end_matches(" substitute") == name;
                            substitute |= is && shown.ends_with(" substitute");
                            is
                        })
                        .map(|c| c.name())
                        .collect();
                    let kind = if substitute { " substitute" } else { "" };
                    format!("{name}{kind} ({}): {}", categories.join(", "), r.source)
                })
                .collect();
            (rows[0].effective_from, parts.join("; "))
        }
    }
}

/// The rate coverage of one currency over months: for each market (by name) and card column,
/// what a billed unit would pay on each month's first day.
pub struct Coverage {
    /// The currency of the cards.
    pub currency: String,
    /// The first month shown.
    pub from: Month,
    /// The last month shown.
    pub to: Month,
    /// Every month from `from` to `to`.
    pub months: Vec<Month>,
    /// A row per market (by name) and card column.
    pub rows: Vec<CoverageRow>,
}

/// One market and column of the coverage, a cell per month.
pub struct CoverageRow {
    /// The market's name.
    pub market: String,
    /// The card column.
    pub column: Column,
    /// Per month of [`Coverage::months`]; `None` when not billed that month.
    pub cells: Vec<Option<CoverageCell>>,
}

/// The coverage of `currency`'s cards from `from` to `to` (both included), markets by name.
pub fn coverage(
    cards: &RateCards,
    markets: &MarketMap,
    currency: &str,
    from: Month,
    to: Month,
) -> Coverage {
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
    let mut rows = Vec::new();
    for name in names {
        let market = markets.market_by_name(name).expect("a known market");
        for column in columns {
            let cells = months
                .iter()
                .map(|&m| coverage_cell(&pricer, cards, markets, market, column, m))
                .collect();
            rows.push(CoverageRow {
                market: name.to_string(),
                column,
                cells,
            });
        }
    }
    Coverage {
        currency: currency.to_string(),
        from,
        to,
        months,
        rows,
    }
}

/// One cell of the coverage: the rate, its card and its kind.
pub struct CoverageCell {
    /// The rate at full precision; empty when unpriced.
    pub rate: String,
    /// The card it came from ("EUR 2025-07-01"); empty when unpriced.
    pub card: String,
    /// published, derived, substitute or unpriced.
    pub source: &'static str,
}

/// What a billed unit of `column` in `market` would pay on `month`'s first day; `None` when
/// the month's rules do not bill the category or the market does not exist yet.
pub fn coverage_cell(
    pricer: &Pricer,
    cards: &RateCards,
    markets: &MarketMap,
    market: MarketId,
    column: Column,
    month: Month,
) -> Option<CoverageCell> {
    let date = month.first_day();
    if !markets.in_use(market, date) {
        return None;
    }
    let (_, category) = columns_in_force(date)
        .into_iter()
        .find(|(c, _)| *c == column)?;
    Some(match pricer.quote(&probe(date, category), market) {
        Quote::Priced(r) => CoverageCell {
            rate: r.value.to_string(),
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
        _ => CoverageCell {
            rate: String::new(),
            card: String::new(),
            source: "unpriced",
        },
    })
}
