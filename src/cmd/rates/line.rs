//! A market's rates on a date, each cell exactly as `estimate` would price a billed unit, and
//! the card each came from.

use super::*;

pub(super) struct Line {
    pub(super) market: String,
    pub(super) cells: Vec<String>,
    /// Per column: the card the cell came from ("EUR 2023-06-01 derived"), or empty.
    pub(super) cards: Vec<String>,
    pub(super) effective_from: NaiveDate,
    pub(super) source: String,
    /// The card rows the cells came from.
    pub(super) rows: Vec<usize>,
}

/// The card column: one card, or each card with the categories it priced.
pub(super) fn card_cell(l: &Line) -> String {
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
pub(super) fn line(
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
            cells[column as usize] = exact(rate.value);
            card_of[column as usize] = format!(
                "{}{}",
                cards.row(rate.row).card_name(),
                if rate.substitute { " substitute" } else { "" }
            );
            if !used.contains(&rate.row) {
                used.push(rate.row);
            }
            if rate.service_at_utility {
                notes.push(format!("{name} service: no {currency} service rate from 2026-10-01; priced at the utility rate {}", exact(rate.value)));
            } else if rate.substitute {
                notes.push(format!(
                    "{name} {}: {} from the card of {from}{}",
                    column.name(),
                    exact(rate.value),
                    if rate.substitute { " (substitute)" } else { "" }
                ));
            }
        }
    }
    // CSV's effective_from and source: the card of the first rate shown.
    let first = used.first().map_or(*row, |&i| cards.row(i));
    Some(Line {
        market: name.to_string(),
        cells,
        cards: card_of,
        effective_from: first.effective_from,
        source: first.source.clone(),
        rows: used,
    })
}
