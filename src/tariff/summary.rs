//! What the rate cards and tier tables loaded are, in a few words each (`waprice tariffs`).

use super::card::{CardRow, Cell, Column, RateCards, BUNDLED_DERIVED_ORIGIN, BUNDLED_ORIGIN};
use super::market::MarketMap;
use super::tier::TierTable;
use crate::era::ERA_C_FROM;
use chrono::NaiveDate;
use std::collections::{BTreeMap, BTreeSet};

/// "bundled" for the embedded files ("bundled derived" for the derived cards), else the
/// path given.
pub fn origin_name(origin: &str) -> &str {
    if origin == BUNDLED_ORIGIN {
        "bundled"
    } else if origin == BUNDLED_DERIVED_ORIGIN {
        "bundled derived"
    } else {
        origin
    }
}

/// What a card dated `date` prices: a `conversation` before 2025-07-01, then a `message`.
pub fn priced_per(date: NaiveDate) -> &'static str {
    if date < ERA_C_FROM {
        "conversation"
    } else {
        "message"
    }
}

/// One card: the rows of one (currency, effective date).
pub struct CardInfo {
    /// The card's currency.
    pub currency: String,
    /// Its effective date.
    pub date: NaiveDate,
    /// A card derived by a stated rule from another currency's card.
    pub derived: bool,
    /// The names of the markets it prices.
    pub markets: Vec<String>,
    /// Rate columns with at least one value.
    pub columns: Vec<&'static str>,
    /// "44 high, 3 medium".
    pub confidence: String,
    /// Where its rows were loaded from (`bundled` for the bundled file).
    pub origins: Vec<String>,
    /// Where its rates were published, as its rows cite them.
    pub sources: Vec<String>,
}

/// One [`CardInfo`] per card of `cards` (of `currency` only, when given), in (currency,
/// date) order.
pub fn card_infos(cards: &RateCards, markets: &MarketMap, currency: Option<&str>) -> Vec<CardInfo> {
    let mut groups: BTreeMap<(String, NaiveDate, bool), Vec<&CardRow>> = BTreeMap::new();
    for r in cards.rows() {
        if currency.is_none_or(|c| c == r.currency) {
            groups
                .entry((r.currency.clone(), r.effective_from, r.is_derived()))
                .or_default()
                .push(r);
        }
    }
    groups
        .into_iter()
        .map(|((currency, date, derived), rows)| {
            let mut names: Vec<String> = rows
                .iter()
                .map(|r| markets.market_name(r.market).to_string())
                .collect();
            names.sort();
            let columns = Column::ALL
                .into_iter()
                .filter(|&c| rows.iter().any(|r| matches!(r.cell(c), Cell::Rate(_))))
                .map(Column::name)
                .collect();
            let mut confidence: BTreeMap<&str, usize> = BTreeMap::new();
            for r in &rows {
                let c = if r.confidence.is_empty() {
                    "unrated"
                } else {
                    r.confidence.as_str()
                };
                *confidence.entry(c).or_default() += 1;
            }
            let confidence = if confidence.len() == 1 {
                confidence.into_keys().collect::<Vec<_>>().join("")
            } else {
                confidence
                    .iter()
                    .map(|(c, n)| format!("{n} {c}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let origins: BTreeSet<String> = rows
                .iter()
                .map(|r| origin_name(&r.origin).to_string())
                .collect();
            // A row's source may list several, separated by " | ".
            let sources: BTreeSet<String> = rows
                .iter()
                .flat_map(|r| r.source.split(" | "))
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect();
            CardInfo {
                currency,
                date,
                derived,
                markets: names,
                columns,
                confidence,
                origins: origins.into_iter().collect(),
                sources: sources.into_iter().collect(),
            }
        })
        .collect()
}

/// "1:3 list rate, 4:5 0.0012, 6+ 0.0010".
pub fn tier_summary(t: &TierTable) -> String {
    (0..t.bands.len())
        .map(|i| {
            let rate = t.bands[i]
                .rate
                .map_or("list rate".to_string(), |r| r.to_string());
            format!("{} {rate}", t.tier(i))
        })
        .collect::<Vec<_>>()
        .join(", ")
}
