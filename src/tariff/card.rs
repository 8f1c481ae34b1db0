//! Rate cards: dated rows of per-market rates per currency, in the layout of
//! `tariffs/rate-cards.csv`. The bundled file is embedded at build time; `--tariff FILE`
//! adds or replaces rows at run time, so a new Meta card needs no release.

use super::market::{MarketId, MarketMap};
use crate::error::{BadInput, Location};
use crate::lines::LineCounter;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::collections::{BTreeMap, HashMap};
use std::str::FromStr;

pub(crate) const BUNDLED_CARDS: &str = include_str!("../../tariffs/rate-cards.csv");
pub(crate) const BUNDLED_ORIGIN: &str = "bundled tariffs/rate-cards.csv";
/// Cards derived from another currency's card by a stated rule (tariffs/SOURCES.md), for
/// dates where Meta's card in that currency was not found. Every row's confidence is
/// `derived`; a derived rate never replaces a published one.
pub const BUNDLED_DERIVED: &str = include_str!("../../tariffs/derived-cards.csv");
pub(crate) const BUNDLED_DERIVED_ORIGIN: &str = "bundled tariffs/derived-cards.csv";

/// The confidence that marks a derived row (in any file of the rate-cards.csv layout).
pub const DERIVED: &str = "derived";

/// The bundled rows: published cards, then derived ones.
pub fn bundled(markets: &MarketMap) -> Result<Vec<CardRow>, BadInput> {
    let mut rows = parse(BUNDLED_CARDS, BUNDLED_ORIGIN, markets)?;
    rows.extend(parse(BUNDLED_DERIVED, BUNDLED_DERIVED_ORIGIN, markets)?);
    Ok(rows)
}

/// A rate column of a card.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Column {
    /// Marketing templates (per message, or per conversation before 2025-07-01).
    Marketing,
    /// Utility templates.
    Utility,
    /// Authentication templates at the market's own rate.
    Authentication,
    /// Authentication templates at the authentication-international rate.
    AuthenticationInternational,
    /// Service: free-form messages (era D), or service conversations (era B).
    Service,
    /// Era A conversations opened by a business template.
    BusinessInitiated,
    /// Era A conversations opened by the customer.
    UserInitiated,
}

impl Column {
    /// Every column, in the order of rate-cards.csv (and of [`CardRow::cells`]).
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
/// One cell of a card: a rate, `n/a`, or not known.
pub enum Cell {
    /// Not known: the sources did not give it.
    #[default]
    Empty,
    /// The source says the category does not apply to that market.
    NotApplicable,
    /// The rate per unit, in the card's currency.
    Rate(Decimal),
}

#[derive(Debug, Clone)]
/// One market's row of a card: its rates from `effective_from` on, in one currency.
pub struct CardRow {
    /// The ISO currency of the rates.
    pub currency: String,
    /// The day the card takes effect (in the WABA time zone).
    pub effective_from: NaiveDate,
    /// The market the row prices.
    pub market: MarketId,
    /// One cell per [`Column`], in [`Column::ALL`] order.
    pub cells: [Cell; 7],
    /// How sure the row is (`high`, `medium`, …, or `derived`).
    pub confidence: String,
    /// Where the rates were published (or how they were derived).
    pub source: String,
    /// Where the row was loaded from: the bundled file or a `--tariff` path.
    pub origin: String,
}

impl CardRow {
    /// Derived by a stated rule from another currency's card, not published by Meta.
    pub fn is_derived(&self) -> bool {
        self.confidence.eq_ignore_ascii_case(DERIVED)
    }

    /// "EUR 2023-06-01", or "EUR 2023-06-01 derived" for a derived card.
    pub fn card_name(&self) -> String {
        if self.is_derived() {
            format!("{} {} derived", self.currency, self.effective_from)
        } else {
            format!("{} {}", self.currency, self.effective_from)
        }
    }

    /// The row's cell for column `c`.
    pub fn cell(&self, c: Column) -> &Cell {
        &self.cells[c as usize]
    }
}

/// One known value of a cell: (card date, rate, row index).
pub type DatedRate = (NaiveDate, Decimal, usize);

/// One currency's cells: every known value per (market, column), oldest card first.
pub type Cells = rustc_hash::FxHashMap<(MarketId, Column), Vec<DatedRate>>;

/// All loaded rows, indexed for lookups per (currency, market, column) in date order;
/// published and derived values are indexed apart.
#[derive(Debug, Clone, Default)]
pub struct RateCards {
    rows: Vec<CardRow>,
    index: HashMap<String, Cells>,
    derived: HashMap<String, Cells>,
}

impl RateCards {
    /// The bundled cards plus user files; a user row replaces a bundled (or earlier) row with
    /// the same currency, date and market.
    pub fn load(markets: &MarketMap, extra: &[(String, String)]) -> Result<RateCards, BadInput> {
        let mut rows = bundled(markets)?;
        for (origin, text) in extra {
            rows.extend(parse(text, origin, markets)?);
        }
        Ok(RateCards::from_rows(rows))
    }

    pub(crate) fn from_rows(rows: Vec<CardRow>) -> RateCards {
        // A published and a derived row may share a key: a row replaces one of its own kind.
        let mut latest: BTreeMap<(String, NaiveDate, MarketId, bool), CardRow> = BTreeMap::new();
        for row in rows {
            latest.insert(
                (
                    row.currency.clone(),
                    row.effective_from,
                    row.market,
                    row.is_derived(),
                ),
                row,
            );
        }
        let rows: Vec<CardRow> = latest.into_values().collect();
        let mut index: HashMap<String, Cells> = HashMap::new();
        let mut derived: HashMap<String, Cells> = HashMap::new();
        for (i, row) in rows.iter().enumerate() {
            let by_cell = if row.is_derived() {
                derived.entry(row.currency.clone()).or_default()
            } else {
                index.entry(row.currency.clone()).or_default()
            };
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
        RateCards {
            rows,
            index,
            derived,
        }
    }

    /// Every row, by (currency, effective date, market).
    pub fn rows(&self) -> &[CardRow] {
        &self.rows
    }

    /// Row `i` (as [`crate::price::Rate::row`] names it).
    pub fn row(&self, i: usize) -> &CardRow {
        &self.rows[i]
    }

    /// Whether any card is in `currency`.
    pub fn has_currency(&self, currency: &str) -> bool {
        self.rows.iter().any(|r| r.currency == currency)
    }

    /// The currencies of the cards, sorted, each once.
    pub fn currencies(&self) -> Vec<&str> {
        let mut v: Vec<&str> = self.rows.iter().map(|r| r.currency.as_str()).collect();
        v.dedup();
        v
    }

    /// One currency's published cells (looked up once by a pricer, not per event).
    pub fn cells(&self, currency: &str) -> Option<&Cells> {
        self.index.get(currency)
    }

    /// One currency's derived cells.
    pub fn derived_cells(&self, currency: &str) -> Option<&Cells> {
        self.derived.get(currency)
    }

    /// Every published value of one cell, oldest card first.
    pub fn values(&self, currency: &str, market: MarketId, column: Column) -> &[DatedRate] {
        self.index
            .get(currency)
            .and_then(|m| m.get(&(market, column)))
            .map_or(&[], |v| v.as_slice())
    }

    /// Every derived value of one cell, oldest card first.
    pub fn derived_values(&self, currency: &str, market: MarketId, column: Column) -> &[DatedRate] {
        self.derived
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
    use rust_decimal::RoundingStrategy;

    fn bundled_rows() -> Vec<CardRow> {
        bundled(&MarketMap::bundled()).unwrap()
    }

    #[test]
    fn every_bundled_row_has_a_source_and_a_confidence() {
        for r in bundled_rows() {
            assert!(
                !r.source.trim().is_empty(),
                "{} {} {:?}: no source",
                r.currency,
                r.effective_from,
                r.market
            );
            assert!(
                ["high", "medium", "low", "derived"].contains(&r.confidence.as_str()),
                "{} {} {:?}: confidence {:?}",
                r.currency,
                r.effective_from,
                r.market,
                r.confidence
            );
            // Derived rows live in their own file, published ones never claim to be derived.
            assert_eq!(r.is_derived(), r.origin == BUNDLED_DERIVED_ORIGIN);
        }
    }

    /// The factor and base currency a derived row's source states: "round(USD 2024-08-01 x 0.8283, 4)".
    fn rule(source: &str) -> Option<(String, Decimal)> {
        let rest = &source[source.find("round(")? + "round(".len()..];
        let base = rest.get(..3)?.to_string();
        let x = rest.find(" x ")?;
        let end = rest.find(", 4)")?;
        Some((base, rest[x + 3..end].parse().ok()?))
    }

    #[test]
    fn every_derived_cell_follows_the_rule_its_row_states() {
        let rows = bundled_rows();
        let switch = NaiveDate::from_ymd_opt(2025, 7, 1).unwrap();
        let per_message = |d: NaiveDate| d >= switch;
        let mut checked = 0;
        for r in rows.iter().filter(|r| r.is_derived()) {
            for column in [
                Column::Marketing,
                Column::Utility,
                Column::Authentication,
                Column::AuthenticationInternational,
            ] {
                let Cell::Rate(value) = r.cell(column) else {
                    continue;
                };
                let (base, factor) = rule(&r.source).expect("the row states its rule");
                // The base value in force on the row's date, among cards of the same model.
                let usd = rows
                    .iter()
                    .filter(|b| {
                        !b.is_derived()
                            && b.currency == base
                            && b.market == r.market
                            && b.effective_from <= r.effective_from
                            && per_message(b.effective_from) == per_message(r.effective_from)
                    })
                    .filter_map(|b| match b.cell(column) {
                        Cell::Rate(v) => Some((b.effective_from, *v)),
                        _ => None,
                    })
                    .max_by_key(|(d, _)| *d)
                    .expect("a base value in force");
                let expected = (usd.1 * factor)
                    .round_dp_with_strategy(4, RoundingStrategy::MidpointAwayFromZero);
                assert_eq!(
                    *value,
                    expected,
                    "{} {:?} {}: {} x {factor}",
                    r.effective_from,
                    r.market,
                    column.name(),
                    usd.1
                );
                checked += 1;
            }
            if let Cell::Rate(value) = r.cell(Column::Service) {
                assert!(r.source.contains("service = EUR 2022-02-01 user_initiated"));
                let uic = rows
                    .iter()
                    .find(|b| {
                        b.currency == "EUR"
                            && b.effective_from == NaiveDate::from_ymd_opt(2022, 2, 1).unwrap()
                            && b.market == r.market
                    })
                    .expect("a 2022 EUR row");
                assert_eq!(uic.cell(Column::UserInitiated), &Cell::Rate(*value));
                checked += 1;
            }
        }
        assert!(checked > 200, "{checked} derived cells checked");
    }

    #[test]
    fn the_rule_reproduces_germanys_verbatim_june_2023_eur_rates() {
        // Germany's verbatim June-2023 EUR rates from the USD card of the same date.
        let rows = bundled_rows();
        let m = MarketMap::bundled();
        let de = m.market_by_name("Germany").unwrap();
        let d = NaiveDate::from_ymd_opt(2023, 6, 1).unwrap();
        let find = |cur: &str| {
            rows.iter()
                .find(|r| {
                    r.currency == cur && r.effective_from == d && r.market == de && !r.is_derived()
                })
                .unwrap()
        };
        let (usd, eur) = (find("USD"), find("EUR"));
        let factor: Decimal = "0.8283".parse().unwrap();
        for c in [Column::Marketing, Column::Utility, Column::Authentication] {
            let (Cell::Rate(u), Cell::Rate(e)) = (usd.cell(c), eur.cell(c)) else {
                panic!("{c:?}")
            };
            assert_eq!(
                (u * factor).round_dp_with_strategy(4, RoundingStrategy::MidpointAwayFromZero),
                *e,
                "{c:?}"
            );
        }
    }

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

    /// The bundled currencies, each once, and a lookup that knows exactly those: a currency the
    /// cards do not hold must be refused up front, never priced as unpriced silence.
    #[test]
    fn the_cards_know_their_currencies_and_rows() {
        let m = MarketMap::bundled();
        let cards = RateCards::load(&m, &[]).unwrap();
        assert_eq!(
            cards.currencies(),
            ["AED", "BRL", "EUR", "GBP", "IDR", "INR", "USD"]
        );
        for c in cards.currencies() {
            assert!(cards.has_currency(c), "{c}");
        }
        for c in ["XYZ", "eur", ""] {
            assert!(!cards.has_currency(c), "{c:?}");
        }
        let extra = vec![(
            "c.csv".to_string(),
            format!("{HEAD}CHF,2024-01-01,France,0.07\n"),
        )];
        let with_chf = RateCards::load(&m, &extra).unwrap();
        assert!(with_chf.has_currency("CHF"));
        assert_eq!(with_chf.rows().len(), cards.rows().len() + 1);
        let fr = m.market_by_name("France").unwrap();
        assert!(with_chf.rows().iter().any(|r| r.currency == "CHF"
            && r.market == fr
            && r.cell(Column::Marketing) == &Cell::Rate("0.07".parse().unwrap())));
    }

    /// France in EUR, June 2023: marketing is published, utility only derived. The lookups
    /// keep the two apart, and a card's name says which kind it is (the notes and the
    /// ledger's `card` column print it).
    #[test]
    fn published_and_derived_values_stay_apart_and_are_named_so() {
        let m = MarketMap::bundled();
        let cards = RateCards::load(&m, &[]).unwrap();
        let fr = m.market_by_name("France").unwrap();
        let june = NaiveDate::from_ymd_opt(2023, 6, 1).unwrap();
        let rate = |s: &str| s.parse::<Decimal>().unwrap();
        let first = |v: &[DatedRate]| v.first().map(|&(d, r, _)| (d, r));
        assert_eq!(
            first(cards.values("EUR", fr, Column::Marketing)),
            Some((june, rate("0.1186")))
        );
        assert_eq!(
            first(cards.derived_values("EUR", fr, Column::Utility)),
            Some((june, rate("0.0636")))
        );
        assert!(cards
            .derived_values("EUR", fr, Column::Marketing)
            .is_empty());
        assert!(cards.derived_values("USD", fr, Column::Utility).is_empty());
        let (_, _, published) = cards.values("EUR", fr, Column::Marketing)[0];
        let (_, _, derived) = cards.derived_values("EUR", fr, Column::Utility)[0];
        assert_eq!(cards.row(published).card_name(), "EUR 2023-06-01");
        assert_eq!(cards.row(derived).card_name(), "EUR 2023-06-01 derived");
    }
}
