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

/// CSV's `effective_from` and `source` for one market's line. When every rate shown comes
/// from one card, that card's date and source. When they come from several (a partial card
/// that changed one category, say), the date is that of the newest card in force on the day —
/// the day from which this set of rates holds — and the source names each card with the
/// categories it gave, newest first, then any later card standing in as a substitute: a line
/// never dates a rate to a card that did not set it.
pub(super) fn provenance(
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
