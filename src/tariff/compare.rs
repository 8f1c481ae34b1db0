//! A new card beside the rates in force the day before it (`waprice tariffs check`).

use super::card::{CardRow, Cell, Column, RateCards};
use super::market::{MarketId, MarketMap};
use super::summary::origin_name;
use crate::era::{ERA_C_FROM, ERA_D_FROM, FREE_SERVICE_FROM};
use chrono::NaiveDate;
use rust_decimal::{Decimal, RoundingStrategy};
use std::collections::{BTreeMap, BTreeSet};

/// How one cell of the new card compares with the value in force the day before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Change {
    /// The rate went up.
    Up,
    /// The rate went down.
    Down,
    /// No earlier value of that currency, market and category.
    First,
    /// An earlier value, and `n/a` on the new card.
    NowNotApplicable,
    /// The same rate.
    Same,
}

impl Change {
    /// The change as the check names it.
    pub fn name(self) -> &'static str {
        match self {
            Change::Up => "up",
            Change::Down => "down",
            Change::First => "first",
            Change::NowNotApplicable => "n/a now",
            Change::Same => "same",
        }
    }
}

/// One cell of the new card against the value in force the day before it.
pub struct CellChange {
    /// The market's name.
    pub market: String,
    /// The rate column.
    pub column: Column,
    /// The value in force the day before, with the date of its card.
    pub before: Option<(Decimal, NaiveDate)>,
    /// The new card's rate (`None`: empty or `n/a`).
    pub now: Option<Decimal>,
    /// How the two compare.
    pub change: Change,
}

impl CellChange {
    /// "+0.0075 (+15.0%)".
    pub fn delta(&self) -> String {
        match (self.before, self.now) {
            (Some((b, _)), Some(n)) if b != n => {
                let d = n - b;
                let sign = if d > Decimal::ZERO { "+" } else { "" };
                if b.is_zero() {
                    format!("{sign}{d}")
                } else {
                    let pct = (d * Decimal::from(100) / b)
                        .round_dp_with_strategy(1, RoundingStrategy::MidpointAwayFromZero);
                    format!("{sign}{d} ({sign}{pct:.1}%)")
                }
            }
            _ => String::new(),
        }
    }
}

/// One (currency, date) of the checked file against the baseline.
pub struct Comparison {
    /// The card's currency.
    pub currency: String,
    /// Its effective date.
    pub date: NaiveDate,
    /// How many markets (rows) it has.
    pub markets: usize,
    /// How many cells carry a rate.
    pub rates: usize,
    /// How many cells say `n/a`.
    pub not_applicable: usize,
    /// Markets with no earlier rate of the currency.
    pub markets_added: Vec<String>,
    /// Markets with an earlier rate that the new card lacks.
    pub markets_missing: Vec<String>,
    /// Every cell against the value in force before.
    pub changes: Vec<CellChange>,
    /// A baseline card of the same currency and date that the file replaces.
    pub replaces: Option<Replaced>,
    /// Whether earlier values include conversation-era ones.
    pub crosses_switch: bool,
}

/// The rows of a loaded card that the file replaces, and its cells that the file changes.
pub struct Replaced {
    /// How many loaded rows of that currency and date there are.
    pub rows: usize,
    /// Rows with at least one rate changed, added or removed.
    pub differing: usize,
    /// The cells the file changes.
    pub cells: Vec<CellDiff>,
    /// Where the replaced rows were loaded from.
    pub origins: Vec<String>,
}

/// One cell of a replaced row: `before` is the loaded card's rate, `now` the file's (`None`:
/// empty or n/a).
pub struct CellDiff {
    /// The market's name.
    pub market: String,
    /// The rate column.
    pub column: Column,
    /// The loaded card's rate.
    pub before: Option<Decimal>,
    /// The file's rate.
    pub now: Option<Decimal>,
}

impl CellDiff {
    /// `changed`, `added` or `removed`.
    pub fn kind(&self) -> &'static str {
        match (self.before, self.now) {
            (Some(_), Some(_)) => "changed",
            (None, _) => "added",
            (_, None) => "removed",
        }
    }
}

impl Replaced {
    /// How many cells are of `kind` (`changed`, `added` or `removed`).
    pub fn count(&self, kind: &str) -> usize {
        self.cells.iter().filter(|c| c.kind() == kind).count()
    }
}

pub(crate) fn rate_of(cell: &Cell) -> Option<Decimal> {
    match cell {
        Cell::Rate(r) => Some(*r),
        _ => None,
    }
}

/// Compares the file's rows with the loaded rows of the same currency and date they replace:
/// a rate changed, a rate where the loaded card has none (added), none where it has one
/// (removed: the loaded rate no longer applies).
pub fn replaced(rows: &[&CardRow], same_date: &[&CardRow], markets: &MarketMap) -> Replaced {
    let mut cells = Vec::new();
    let mut differing = 0;
    for b in same_date {
        let Some(new) = rows.iter().find(|r| r.market == b.market) else {
            continue;
        };
        let before_count = cells.len();
        for column in Column::ALL {
            let (before, now) = (rate_of(b.cell(column)), rate_of(new.cell(column)));
            if before != now {
                cells.push(CellDiff {
                    market: markets.market_name(b.market).to_string(),
                    column,
                    before,
                    now,
                });
            }
        }
        differing += usize::from(cells.len() > before_count);
    }
    cells.sort_by(|a, b| (&a.market, a.column).cmp(&(&b.market, b.column)));
    let origins: BTreeSet<String> = same_date
        .iter()
        .map(|b| origin_name(&b.origin).to_string())
        .collect();
    Replaced {
        rows: same_date.len(),
        differing,
        cells,
        origins: origins.into_iter().collect(),
    }
}

/// The card of `rows` (one currency and effective date) against the rates of `baseline` in
/// force the day before it.
pub fn compare(rows: &[&CardRow], baseline: &RateCards, markets: &MarketMap) -> Comparison {
    let (currency, date) = (rows[0].currency.clone(), rows[0].effective_from);
    let before_rows: Vec<&CardRow> = baseline
        .rows()
        .iter()
        .filter(|r| r.currency == currency && r.effective_from < date)
        .collect();
    let had: BTreeSet<MarketId> = before_rows.iter().map(|r| r.market).collect();
    let now: BTreeSet<MarketId> = rows.iter().map(|r| r.market).collect();
    let name = |m: MarketId| markets.market_name(m).to_string();
    let mut markets_added: Vec<String> = now.difference(&had).map(|&m| name(m)).collect();
    markets_added.sort();
    let mut markets_missing: Vec<String> = had.difference(&now).map(|&m| name(m)).collect();
    markets_missing.sort();
    let mut changes = Vec::new();
    let (mut rates, mut not_applicable) = (0, 0);
    let mut crosses_switch = false;
    for r in rows {
        for column in Column::ALL {
            let cell = r.cell(column);
            match cell {
                Cell::Rate(_) => rates += 1,
                Cell::NotApplicable => not_applicable += 1,
                Cell::Empty => {}
            }
            // Service is compared the way it is priced: charged service of era D against
            // cards of era D, of era B against cards before all service became free; in
            // between the column is never read (service is free).
            let comparable = |d: NaiveDate| match column {
                Column::Service if date >= ERA_D_FROM => d >= ERA_D_FROM,
                Column::Service if date < FREE_SERVICE_FROM => d < FREE_SERVICE_FROM,
                Column::Service => false,
                _ => true,
            };
            if column == Column::Service && !comparable(date) {
                continue;
            }
            let before = baseline
                .values(&currency, r.market, column)
                .iter()
                .rev()
                .find(|v| v.0 < date && comparable(v.0))
                .map(|v| (v.1, v.0));
            let change = match (cell, before) {
                (Cell::Rate(n), Some((b, _))) if *n > b => Change::Up,
                (Cell::Rate(n), Some((b, _))) if *n < b => Change::Down,
                (Cell::Rate(_), Some(_)) => Change::Same,
                (Cell::Rate(_), None) => Change::First,
                (Cell::NotApplicable, Some(_)) => Change::NowNotApplicable,
                _ => continue,
            };
            if before.is_some_and(|(_, d)| (d < ERA_C_FROM) != (date < ERA_C_FROM)) {
                crosses_switch = true;
            }
            changes.push(CellChange {
                market: name(r.market),
                column,
                before,
                now: match cell {
                    Cell::Rate(n) => Some(*n),
                    _ => None,
                },
                change,
            });
        }
    }
    changes.sort_by(|a, b| (&a.market, a.column).cmp(&(&b.market, b.column)));
    // A card of the same currency and date already loaded: which of its values differ.
    let same_date: Vec<&CardRow> = baseline
        .rows()
        .iter()
        .filter(|b| b.currency == currency && b.effective_from == date && now.contains(&b.market))
        .collect();
    let replaces = (!same_date.is_empty()).then(|| replaced(rows, &same_date, markets));
    Comparison {
        currency,
        date,
        markets: rows.len(),
        rates,
        not_applicable,
        markets_added,
        markets_missing,
        changes,
        replaces,
        crosses_switch,
    }
}

/// How many cells of `c` changed by `kind`.
pub fn count(c: &Comparison, kind: Change) -> usize {
    c.changes.iter().filter(|x| x.change == kind).count()
}

/// Every card of a file (its rows grouped by currency and effective date), each compared with
/// the rates in force the day before it.
pub fn compare_file(
    rows: &[CardRow],
    baseline: &RateCards,
    markets: &MarketMap,
) -> Vec<Comparison> {
    let mut groups: BTreeMap<(String, NaiveDate), Vec<&CardRow>> = BTreeMap::new();
    for r in rows {
        groups
            .entry((r.currency.clone(), r.effective_from))
            .or_default()
            .push(r);
    }
    groups
        .values()
        .map(|rows| compare(rows, baseline, markets))
        .collect()
}

/// Where the rates a new card is compared with come from ("bundled", paths), comma-separated.
/// A new card is compared with the published rates before it, never with derived ones.
pub fn baseline_origins(baseline: &RateCards) -> String {
    let mut origins: BTreeSet<&str> = BTreeSet::new();
    for r in baseline.rows().iter().filter(|r| !r.is_derived()) {
        origins.insert(origin_name(&r.origin));
    }
    origins.into_iter().collect::<Vec<_>>().join(", ")
}
