//! Volume tiers (docs/rules.md, Volume tiers): from 2025-07-01, charged utility and authentication messages
//! are counted per (WABA, market, category) from the start of each calendar month, and the
//! messages beyond a threshold of the market's tier table pay that tier's rate (marginal, like
//! tax brackets). Free messages do not count; authentication-international messages count in
//! the authentication counter.
//!
//! Tier tables are data, never bundled: no public source publishes them. A user loads Meta's
//! volume-tier CSV, or a table in waprice's own layout, with `--tiers FILE`:
//!
//! ```text
//! currency,effective_from,market,category,threshold,rate,source
//! USD,2026-10-01,Rest of Africa,utility,100000,0.0038,Meta volume tiers (USD)
//! ```
//!
//! A row says: once `threshold` charged messages of that category went to that market in the
//! month, the next ones pay `rate`. Messages up to the lowest threshold pay the card's list
//! rate unless the table has a row with threshold 0. The last tier has no upper end.

use super::card::Column;
use super::market::{MarketId, MarketMap};
use crate::calendar::Month;
use crate::era::ERA_C_FROM;
use crate::error::{BadInput, Location};
use crate::lines::LineCounter;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::str::FromStr;

/// The message numbers (1-based, within the month's counter) one tier covers: what the
/// ledger's `tier` column shows, as `first:last` (Meta's webhooks write tiers the same way) or
/// `first+` for the open-ended last tier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TierBand {
    /// The first message number of the tier.
    pub first: u64,
    /// The last one (`None`: open-ended).
    pub last: Option<u64>,
}

impl fmt::Display for TierBand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.last {
            Some(last) => write!(f, "{}:{last}", self.first),
            None => write!(f, "{}+", self.first),
        }
    }
}

/// One tier of a table: where it starts, and its rate (`None`: the card's list rate).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Band {
    /// The first message number of the tier.
    pub first: u64,
    /// Its rate per message (`None`: the card's list rate).
    pub rate: Option<Decimal>,
}

/// The tiers of one (currency, effective date, market, category).
#[derive(Debug, Clone)]
pub struct TierTable {
    /// The currency of the rates.
    pub currency: String,
    /// The day the table takes effect.
    pub effective_from: NaiveDate,
    /// The market it is for.
    pub market: MarketId,
    /// Utility, authentication or authentication-international.
    pub category: Column,
    /// In order; the first starts at message 1 and the last has no end.
    pub bands: Vec<Band>,
    /// Where the rates were published: the `source` column, or the title of Meta's file.
    pub source: String,
    /// The file the table was loaded from.
    pub origin: String,
}

impl TierTable {
    /// The tier of the n-th charged message of the month (n >= 1) and its rate, if the table
    /// gives one (else the card's list rate applies).
    pub fn band(&self, n: u64) -> (TierBand, Option<Decimal>) {
        let i = self
            .bands
            .iter()
            .rposition(|b| b.first <= n)
            .unwrap_or_default();
        (self.tier(i), self.bands[i].rate)
    }

    /// The message range of the i-th band.
    pub fn tier(&self, i: usize) -> TierBand {
        TierBand {
            first: self.bands[i].first,
            last: self.bands.get(i + 1).map(|b| b.first - 1),
        }
    }
}

/// Every tier table loaded, indexed per (currency, market, category) in date order.
#[derive(Debug, Clone, Default)]
pub struct TierTables {
    tables: Vec<TierTable>,
    /// Per currency, per (market, category): indices into `tables`, oldest first.
    index: HashMap<String, HashMap<(MarketId, Column), Vec<usize>>>,
}

impl TierTables {
    /// A table replaces an earlier one (earlier file, or earlier in the list) with the same
    /// currency, date, market and category.
    pub fn from_tables(tables: Vec<TierTable>) -> TierTables {
        let mut latest: BTreeMap<(String, NaiveDate, MarketId, Column), TierTable> =
            BTreeMap::new();
        for t in tables {
            latest.insert(
                (t.currency.clone(), t.effective_from, t.market, t.category),
                t,
            );
        }
        let tables: Vec<TierTable> = latest.into_values().collect();
        let mut index: HashMap<String, HashMap<(MarketId, Column), Vec<usize>>> = HashMap::new();
        for (i, t) in tables.iter().enumerate() {
            index
                .entry(t.currency.clone())
                .or_default()
                .entry((t.market, t.category))
                .or_default()
                .push(i);
        }
        TierTables { tables, index }
    }

    /// Every table, by (currency, effective date, market, category).
    pub fn tables(&self) -> &[TierTable] {
        &self.tables
    }

    /// Whether there is no table.
    pub fn is_empty(&self) -> bool {
        self.tables.is_empty()
    }

    /// Whether any table is in `currency`.
    pub fn has_currency(&self, currency: &str) -> bool {
        self.tables.iter().any(|t| t.currency == currency)
    }

    /// The table in force on a date: the latest one on or before it. A later table is never
    /// used for an earlier date (that would invent a discount nobody had yet).
    pub fn in_force(
        &self,
        currency: &str,
        market: MarketId,
        column: Column,
        date: NaiveDate,
    ) -> Option<&TierTable> {
        let list = self.index.get(currency)?.get(&(market, column))?;
        list.iter()
            .map(|&i| &self.tables[i])
            .take_while(|t| t.effective_from <= date)
            .last()
    }
}

/// The two monthly counters a market has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Counter {
    /// Utility messages.
    Utility,
    /// Authentication and authentication-international together.
    Authentication,
}

impl Counter {
    /// The counter a charged message of this rate column counts in; `None`: no tiers.
    pub fn of(column: Column) -> Option<Counter> {
        match column {
            Column::Utility => Some(Counter::Utility),
            Column::Authentication | Column::AuthenticationInternational => {
                Some(Counter::Authentication)
            }
            _ => None,
        }
    }
}

/// Charged messages so far per (market, month, counter); one log is one WABA.
#[derive(Debug, Clone, Default)]
pub struct TierCounters {
    counts: HashMap<(MarketId, Month, Counter), u64>,
}

impl TierCounters {
    /// Counts one more charged message and returns its number in the month (1 for the first).
    pub fn next(&mut self, market: MarketId, month: Month, counter: Counter) -> u64 {
        let n = self.counts.entry((market, month, counter)).or_default();
        *n += 1;
        *n
    }
}

/// A table's tiers while a file is read: (first message, rate, line).
pub(crate) type RawBand = (u64, Option<Decimal>, u64);

/// Checks a table's tiers and puts them in order: one tier per start, the first at message 1
/// (a list-rate tier is added in front when the table starts later).
pub(crate) fn bands(mut raw: Vec<RawBand>) -> Result<Vec<Band>, (u64, String)> {
    raw.sort_by_key(|b| b.0);
    for w in raw.windows(2) {
        if w[0].0 == w[1].0 {
            return Err((
                w[1].2,
                format!(
                    "a second tier starting at message {} (the first is on line {})",
                    w[1].0, w[0].2
                ),
            ));
        }
    }
    let mut out = Vec::with_capacity(raw.len() + 1);
    if raw.first().is_some_and(|b| b.0 > 1) {
        out.push(Band {
            first: 1,
            rate: None,
        });
    }
    out.extend(raw.into_iter().map(|(first, rate, _)| Band { first, rate }));
    Ok(out)
}

/// Checks a table's date and category, shared by both layouts.
pub(crate) fn check_key(date: NaiveDate, column: Column) -> Result<(), String> {
    if Counter::of(column).is_none() {
        return Err(format!(
            "volume tiers exist for utility, authentication and authentication_international only, not {}",
            column.name()
        ));
    }
    if date < ERA_C_FROM {
        return Err(format!(
            "volume tiers start with per-message pricing on {ERA_C_FROM}; this table is dated {date}"
        ));
    }
    Ok(())
}

/// The category names of waprice's tier layout.
fn tier_column(s: &str) -> Option<Column> {
    match s
        .trim()
        .to_ascii_lowercase()
        .replace(['-', ' '], "_")
        .as_str()
    {
        "utility" => Some(Column::Utility),
        "authentication" => Some(Column::Authentication),
        "authentication_international" => Some(Column::AuthenticationInternational),
        _ => None,
    }
}

/// Parses a tier file in waprice's layout:
/// `currency,effective_from,market,category,threshold,rate[,source]`.
pub fn parse(text: &str, origin: &str, markets: &MarketMap) -> Result<Vec<TierTable>, BadInput> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| BadInput::new(format!("{origin}: cannot read the header: {e}")))?
        .clone();
    let find = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim().eq_ignore_ascii_case(name))
    };
    const REQUIRED: [&str; 6] = [
        "currency",
        "effective_from",
        "market",
        "category",
        "threshold",
        "rate",
    ];
    let mut idx = [0usize; 6];
    for (k, name) in REQUIRED.iter().enumerate() {
        idx[k] = find(name).ok_or_else(|| {
            BadInput::new(format!("{origin}, line 1: the tier table has no '{name}' column"))
                .hint("waprice's tier layout is currency,effective_from,market,category,threshold,rate[,source]")
        })?;
    }
    let [i_cur, i_from, i_market, i_cat, i_thr, i_rate] = idx;
    let i_source = find("source");
    type Key = (String, NaiveDate, MarketId, Column);
    let mut groups: BTreeMap<Key, (Vec<RawBand>, String)> = BTreeMap::new();
    let mut lines = LineCounter::new(text);
    for record in reader.records() {
        let mut record = record.map_err(|e| BadInput::new(format!("{origin}: {e}")))?;
        lines.fix(&mut record);
        let line = record.position().map_or(0, |p| p.line());
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let get = |i: usize| record.get(i).unwrap_or("").trim();
        let at = |i: usize| Location {
            file: origin.to_string(),
            line,
            column: headers.get(i).unwrap_or("").to_string(),
            value: get(i).to_string(),
        };
        let currency = get(i_cur).to_ascii_uppercase();
        if currency.len() != 3 || !currency.bytes().all(|b| b.is_ascii_alphabetic()) {
            return Err(BadInput::new("not a currency code")
                .at(at(i_cur))
                .hint("use ISO 4217 codes such as EUR, USD, GBP"));
        }
        let date = NaiveDate::parse_from_str(get(i_from), "%Y-%m-%d").map_err(|_| {
            BadInput::new("not a date")
                .at(at(i_from))
                .hint("write effective dates as YYYY-MM-DD")
        })?;
        let market = markets.market_by_name(get(i_market)).ok_or_else(|| {
            BadInput::new("unknown market")
                .at(at(i_market))
                .hint(format!(
                    "markets are named as on Meta's cards: {}",
                    markets.market_names().join(", ")
                ))
        })?;
        let column = tier_column(get(i_cat)).ok_or_else(|| {
            BadInput::new("not a tiered category").at(at(i_cat)).hint(
                "volume tiers exist for utility, authentication and authentication_international",
            )
        })?;
        check_key(date, column).map_err(|e| BadInput::new(e).at(at(i_from)))?;
        let threshold: u64 = get(i_thr).replace([',', '_'], "").parse().map_err(|_| {
            BadInput::new("not a message count")
                .at(at(i_thr))
                .hint("threshold: how many charged messages of the month come before this tier (0 for a tier from the first message)")
        })?;
        let rate = match Decimal::from_str(get(i_rate)) {
            Ok(r) if !r.is_sign_negative() => r,
            _ => {
                return Err(BadInput::new("not a rate")
                    .at(at(i_rate))
                    .hint("write rates as plain decimals with a '.' (0.0038)"))
            }
        };
        let source = i_source.map(|i| get(i).to_string()).unwrap_or_default();
        let entry = groups
            .entry((currency, date, market, column))
            .or_insert_with(|| (Vec::new(), source));
        entry.0.push((threshold + 1, Some(rate), line));
    }
    let mut tables = Vec::new();
    for ((currency, effective_from, market, category), (raw, source)) in groups {
        let bands = bands(raw).map_err(|(line, what)| {
            BadInput::new(format!("{origin}, line {line}: {what}"))
                .hint("each threshold of a market and category appears once")
        })?;
        tables.push(TierTable {
            currency,
            effective_from,
            market,
            category,
            bands,
            source,
            origin: origin.to_string(),
        });
    }
    Ok(tables)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    const SYNTHETIC: &str = "currency,effective_from,market,category,threshold,rate,source\n\
        USD,2025-07-01,India,authentication,3,0.0012,synthetic\n\
        USD,2025-07-01,India,authentication,5,0.0010,synthetic\n\
        USD,2025-07-01,India,authentication,8,0.0008,synthetic\n\
        USD,2026-01-01,India,authentication,0,0.0013,synthetic\n";

    #[test]
    fn marginal_tiers_with_the_list_rate_below_the_first_threshold() {
        let m = MarketMap::bundled();
        let t = TierTables::from_tables(parse(SYNTHETIC, "t.csv", &m).unwrap());
        let india = m.market_by_name("India").unwrap();
        let table = t
            .in_force("USD", india, Column::Authentication, d("2025-09-10"))
            .unwrap();
        let band = |n| {
            let (b, r) = table.band(n);
            (b.to_string(), r.map(|r| r.to_string()))
        };
        // A < B < C = 3 < 5 < 8: messages 1-3 list rate, 4-5, 6-8, then 9 onwards.
        assert_eq!(band(1), ("1:3".into(), None));
        assert_eq!(band(3), ("1:3".into(), None));
        assert_eq!(band(4), ("4:5".into(), Some("0.0012".into())));
        assert_eq!(band(6), ("6:8".into(), Some("0.0010".into())));
        assert_eq!(band(9), ("9+".into(), Some("0.0008".into())));
        assert_eq!(band(1_000_000), ("9+".into(), Some("0.0008".into())));
        // A later table replaces it from its own date only; nothing applies before July 2025.
        let jan = t
            .in_force("USD", india, Column::Authentication, d("2026-01-01"))
            .unwrap();
        assert_eq!(jan.band(1).1, Some(Decimal::new(13, 4)));
        assert!(t
            .in_force("USD", india, Column::Authentication, d("2025-06-30"))
            .is_none());
        assert!(t
            .in_force("USD", india, Column::Utility, d("2025-09-10"))
            .is_none());
        assert!(t
            .in_force("EUR", india, Column::Authentication, d("2025-09-10"))
            .is_none());
    }

    #[test]
    fn counters_are_per_market_month_and_category_with_auth_intl_in_authentication() {
        let mut c = TierCounters::default();
        let (a, b) = (MarketId(1), MarketId(2));
        let (sep, oct) = (Month::of(d("2025-09-01")), Month::of(d("2025-10-01")));
        let auth = Counter::of(Column::Authentication).unwrap();
        let intl = Counter::of(Column::AuthenticationInternational).unwrap();
        assert_eq!(c.next(a, sep, auth), 1);
        assert_eq!(c.next(a, sep, intl), 2);
        assert_eq!(c.next(a, sep, Counter::Utility), 1);
        assert_eq!(c.next(b, sep, auth), 1);
        assert_eq!(c.next(a, oct, auth), 1);
        assert_eq!(Counter::of(Column::Marketing), None);
        assert_eq!(Counter::of(Column::Service), None);
    }

    #[test]
    fn bad_tables_name_the_line_and_what_was_expected() {
        let m = MarketMap::bundled();
        let h = "currency,effective_from,market,category,threshold,rate\n";
        let err = |body: &str| {
            parse(&format!("{h}{body}"), "t.csv", &m)
                .unwrap_err()
                .to_string()
        };
        assert!(
            err("USD,2025-07-01,India,marketing,3,0.01\n").contains("line 2, column 'category'")
        );
        assert!(
            err("USD,2025-06-01,India,utility,3,0.01\n").contains("start with per-message pricing")
        );
        assert!(err("USD,2025-07-01,India,utility,many,0.01\n").contains("not a message count"));
        assert!(err("USD,2025-07-01,India,utility,3,-0.01\n").contains("not a rate"));
        assert!(err("USD,2025-07-01,Atlantis,utility,3,0.01\n").contains("unknown market"));
        let dup = err("USD,2025-07-01,India,utility,3,0.01\nUSD,2025-07-01,India,utility,3,0.02\n");
        assert!(dup.contains("line 3") && dup.contains("line 2"), "{dup}");
        let no_col = parse(
            "currency,effective_from,market,category,rate\n",
            "t.csv",
            &m,
        )
        .unwrap_err()
        .to_string();
        assert!(no_col.contains("no 'threshold' column"), "{no_col}");
    }

    /// A tier table is for one currency: loaded tables say which, and no table means none.
    #[test]
    fn tables_know_their_currencies_and_refuse_malformed_codes() {
        let m = MarketMap::bundled();
        let t = TierTables::from_tables(parse(SYNTHETIC, "t.csv", &m).unwrap());
        assert_eq!(t.tables().len(), 2, "the 2025-07-01 and 2026-01-01 tables");
        assert!(!t.is_empty());
        assert!(t.has_currency("USD"));
        assert!(!t.has_currency("EUR"));
        let none = TierTables::from_tables(Vec::new());
        assert!(none.is_empty() && none.tables().is_empty() && !none.has_currency("USD"));
        let h = "currency,effective_from,market,category,threshold,rate\n";
        for c in ["US", "USDX", "U5D"] {
            let err = parse(
                &format!("{h}{c},2025-07-01,India,utility,3,0.01\n"),
                "t.csv",
                &m,
            )
            .unwrap_err()
            .to_string();
            assert!(err.contains("not a currency code"), "{c}: {err}");
        }
    }
}
