//! Rate cards: dated rows of per-market rates per currency, in the layout of
//! `tariffs/rate-cards.csv`. The bundled file is embedded at build time; `--tariff FILE`
//! adds or replaces rows at run time, so a new Meta card needs no release.

use super::market::{MarketId, MarketMap};
use crate::error::{BadInput, Location};
use crate::input::split::LineCounter;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::collections::{BTreeMap, HashMap};
use std::str::FromStr;

pub const BUNDLED_CARDS: &str = include_str!("../../tariffs/rate-cards.csv");
pub const BUNDLED_ORIGIN: &str = "bundled tariffs/rate-cards.csv";

/// A rate column of a card.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Column {
    Marketing,
    Utility,
    Authentication,
    AuthenticationInternational,
    Service,
    BusinessInitiated,
    UserInitiated,
}

impl Column {
    pub const ALL: [Column; 7] = [
        Column::Marketing,
        Column::Utility,
        Column::Authentication,
        Column::AuthenticationInternational,
        Column::Service,
        Column::BusinessInitiated,
        Column::UserInitiated,
    ];

    /// The column's header in rate-cards.csv.
    pub fn name(self) -> &'static str {
        match self {
            Column::Marketing => "marketing",
            Column::Utility => "utility",
            Column::Authentication => "authentication",
            Column::AuthenticationInternational => "authentication_international",
            Column::Service => "service",
            Column::BusinessInitiated => "business_initiated",
            Column::UserInitiated => "user_initiated",
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Cell {
    /// Not known: the sources did not give it.
    #[default]
    Empty,
    /// The source says the category does not apply to that market.
    NotApplicable,
    Rate(Decimal),
}

#[derive(Debug, Clone)]
pub struct CardRow {
    pub currency: String,
    pub effective_from: NaiveDate,
    pub market: MarketId,
    pub cells: [Cell; 7],
    pub confidence: String,
    pub source: String,
    /// Where the row was loaded from: the bundled file or a `--tariff` path.
    pub origin: String,
}

impl CardRow {
    pub fn cell(&self, c: Column) -> &Cell {
        &self.cells[c as usize]
    }
}

/// One known value of a cell: (card date, rate, row index).
pub type DatedRate = (NaiveDate, Decimal, usize);

/// One currency's cells: every known value per (market, column), oldest card first.
pub type Cells = rustc_hash::FxHashMap<(MarketId, Column), Vec<DatedRate>>;

/// All loaded rows, indexed for lookups per (currency, market, column) in date order.
#[derive(Debug, Clone, Default)]
pub struct RateCards {
    rows: Vec<CardRow>,
    index: HashMap<String, Cells>,
}

impl RateCards {
    /// The bundled cards plus user files; a user row replaces a bundled (or earlier) row with
    /// the same currency, date and market.
    pub fn load(markets: &MarketMap, extra: &[(String, String)]) -> Result<RateCards, BadInput> {
        let mut rows = parse(BUNDLED_CARDS, BUNDLED_ORIGIN, markets)?;
        for (origin, text) in extra {
            rows.extend(parse(text, origin, markets)?);
        }
        Ok(RateCards::from_rows(rows))
    }

    pub fn from_rows(rows: Vec<CardRow>) -> RateCards {
        let mut latest: BTreeMap<(String, NaiveDate, MarketId), CardRow> = BTreeMap::new();
        for row in rows {
            latest.insert((row.currency.clone(), row.effective_from, row.market), row);
        }
        let rows: Vec<CardRow> = latest.into_values().collect();
        let mut index: HashMap<String, Cells> = HashMap::new();
        for (i, row) in rows.iter().enumerate() {
            let by_cell = index.entry(row.currency.clone()).or_default();
            for column in Column::ALL {
                if let Cell::Rate(rate) = row.cell(column) {
                    by_cell.entry((row.market, column)).or_default().push((
                        row.effective_from,
                        *rate,
                        i,
                    ));
                }
            }
        }
        // Rows are in (currency, date, market) order, so every list is already in date order.
        RateCards { rows, index }
    }

    pub fn rows(&self) -> &[CardRow] {
        &self.rows
    }

    pub fn row(&self, i: usize) -> &CardRow {
        &self.rows[i]
    }

    pub fn has_currency(&self, currency: &str) -> bool {
        self.rows.iter().any(|r| r.currency == currency)
    }

    pub fn currencies(&self) -> Vec<&str> {
        let mut v: Vec<&str> = self.rows.iter().map(|r| r.currency.as_str()).collect();
        v.dedup();
        v
    }

    /// One currency's cells (looked up once by a pricer, not per event).
    pub fn cells(&self, currency: &str) -> Option<&Cells> {
        self.index.get(currency)
    }

    /// Every known value of one cell, oldest card first.
    pub fn values(&self, currency: &str, market: MarketId, column: Column) -> &[DatedRate] {
        self.index
            .get(currency)
            .and_then(|m| m.get(&(market, column)))
            .map_or(&[], |v| v.as_slice())
    }
}

/// Parses a card file in the rate-cards.csv layout (columns found by header name).
pub fn parse(text: &str, origin: &str, markets: &MarketMap) -> Result<Vec<CardRow>, BadInput> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| BadInput::new(format!("{origin}: cannot read the header: {e}")))?
        .clone();
    let find = |name: &str| {
        headers.iter().position(|h| {
            h.trim()
                .trim_start_matches('\u{feff}')
                .eq_ignore_ascii_case(name)
        })
    };
    let required = |name: &str| {
        find(name).ok_or_else(|| {
            BadInput::new(format!("{origin}: rate card has no '{name}' column"))
                .hint("a card needs currency,effective_from,market and rate columns such as marketing,utility,authentication,authentication_international,service,business_initiated,user_initiated")
        })
    };
    let (i_currency, i_from, i_market) = (
        required("currency")?,
        required("effective_from")?,
        required("market")?,
    );
    let rate_columns: Vec<(Column, usize)> = Column::ALL
        .iter()
        .filter_map(|&c| find(c.name()).map(|i| (c, i)))
        .collect();
    if rate_columns.is_empty() {
        return Err(BadInput::new(format!("{origin}: rate card has no rate column"))
            .hint("name at least one of marketing, utility, authentication, authentication_international, service, business_initiated, user_initiated"));
    }
    let (i_confidence, i_source) = (find("confidence"), find("source"));
    let mut rows = Vec::new();
    let mut seen = HashMap::new();
    let mut lines = LineCounter::new(text);
    for record in reader.records() {
        let mut record = record.map_err(|e| BadInput::new(format!("{origin}: {e}")))?;
        lines.fix(&mut record);
        let line = record.position().map_or(0, |p| p.line());
        let at = |i: usize, value: &str| Location {
            file: origin.to_string(),
            line,
            column: headers.get(i).unwrap_or("").to_string(),
            value: value.to_string(),
        };
        let get = |i: usize| record.get(i).unwrap_or("").trim();
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let currency = get(i_currency).to_ascii_uppercase();
        if currency.len() != 3 || !currency.bytes().all(|b| b.is_ascii_alphabetic()) {
            return Err(BadInput::new("not a currency code")
                .at(at(i_currency, get(i_currency)))
                .hint("use ISO 4217 codes such as EUR, USD, GBP"));
        }
        let effective_from = NaiveDate::parse_from_str(get(i_from), "%Y-%m-%d").map_err(|_| {
            BadInput::new("not a date")
                .at(at(i_from, get(i_from)))
                .hint("write effective dates as YYYY-MM-DD")
        })?;
        let market = markets.market_by_name(get(i_market)).ok_or_else(|| {
            BadInput::new("unknown market")
                .at(at(i_market, get(i_market)))
                .hint(format!(
                    "markets are named as on Meta's cards: {}",
                    markets.market_names().join(", ")
                ))
        })?;
        let mut cells: [Cell; 7] = Default::default();
        for &(column, i) in &rate_columns {
            let raw = get(i);
            cells[column as usize] = if raw.is_empty() {
                Cell::Empty
            } else if raw.eq_ignore_ascii_case("n/a") {
                Cell::NotApplicable
            } else {
                match Decimal::from_str(raw) {
                    Ok(rate) if !rate.is_sign_negative() => Cell::Rate(rate),
                    _ => {
                        return Err(BadInput::new("not a rate")
                            .at(at(i, raw))
                            .hint("write rates as plain decimals with a '.' (0.0712), 'n/a', or leave the cell empty when unknown"))
                    }
                }
            };
        }
        if let Some(previous) = seen.insert((currency.clone(), effective_from, market), line) {
            return Err(BadInput::new(format!(
                "the same currency, date and market are already on line {previous}"
            ))
            .at(at(i_market, get(i_market))));
        }
        rows.push(CardRow {
            currency,
            effective_from,
            market,
            cells,
            confidence: i_confidence.map(|i| get(i).to_string()).unwrap_or_default(),
            source: i_source.map(|i| get(i).to_string()).unwrap_or_default(),
            origin: origin.to_string(),
        });
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = "currency,effective_from,market,marketing\n";

    fn read(row: &str) -> Result<Vec<CardRow>, String> {
        parse(&format!("{HEAD}{row}\n"), "c.csv", &MarketMap::bundled()).map_err(|e| e.to_string())
    }

    /// A rate is a decimal of zero or more and a currency three letters: anything else is
    /// refused, never read as some other rate or currency.
    #[test]
    fn negative_rates_and_malformed_currencies_are_refused() {
        assert!(read("EUR,2024-01-01,France,-0.01")
            .unwrap_err()
            .contains("not a rate"));
        for c in ["EU", "EURO", "E1R"] {
            assert!(
                read(&format!("{c},2024-01-01,France,0.01"))
                    .unwrap_err()
                    .contains("not a currency code"),
                "{c}"
            );
        }
        let rows = read("eur,2024-01-01,France,0").unwrap();
        assert_eq!(rows[0].currency, "EUR");
    }
}
