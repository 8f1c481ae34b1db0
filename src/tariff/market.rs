//! Country -> market map, dated (docs/rules.md, Markets; data in `tariffs/markets.csv`).
//!
//! The file lists countries (their calling codes and prefixes: [`crate::country`] builds the
//! lookup from a number to its country) and, per country, the market it pays in from a date. A
//! country's market can change on a date, so each country carries a timeline. Lookups by date
//! touch only integer tables.
//!
//! Calling codes the ITU assigns to a country or territory but that `markets.csv` does not list are
//! not errors: each gets a synthetic country ("Unlisted (+53)", no ISO code) that pays Other at all
//! dates, since "a country on no list pays Other". For the same reason, dates a listed country's
//! rows do not cover (before its first row, between rows, after its last) pay Other.

use std::collections::BTreeMap;
use std::ops::{Deref, Range};

use chrono::NaiveDate;

pub use crate::country::CountryId;
use crate::country::{self, Countries, Listed, PrefixClash};
use crate::error::{BadInput, Location};
use crate::lines::LineCounter;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
/// A market of Meta's rate cards (a country, or a group such as "Rest of Africa"): an index
/// into a [`MarketMap`]'s markets. A country's market may change from one card to the next.
pub struct MarketId(pub u16);

/// The market of every country on no list.
pub const OTHER: &str = "Other";

const BUNDLED: &str = include_str!("../../tariffs/markets.csv");

/// The columns of markets.csv, in the order of the `C_*` indices below.
const COLUMNS: [&str; 7] = [
    "iso2",
    "country",
    "calling_code",
    "prefixes",
    "market",
    "from",
    "until",
];
const C_ISO: usize = 0;
const C_NAME: usize = 1;
const C_CODE: usize = 2;
const C_PREFIXES: usize = 3;
const C_MARKET: usize = 4;
const C_FROM: usize = 5;
const C_UNTIL: usize = 6;

const NO_COUNTRY: u16 = u16::MAX;
/// Longest prefix accepted (a national number has at most 14 digits).
const MAX_PREFIX_DIGITS: usize = 14;

/// Countries, their calling codes and their dated markets. It derefs to its [`Countries`], so
/// a market map answers every lookup of a number's country as the country table does.
#[derive(Debug, Clone)]
pub struct MarketMap {
    markets: Vec<String>,
    countries: Countries,
    /// Per country, `(start, market)` sorted by start; the first start is `NaiveDate::MIN`.
    timeline: Vec<(NaiveDate, MarketId)>,
    /// Per `CountryId`: its range into `timeline`.
    timelines: Vec<(u32, u32)>,
}

impl Deref for MarketMap {
    type Target = Countries;
    fn deref(&self) -> &Countries {
        &self.countries
    }
}

/// A row of markets.csv, validated.
struct Row {
    line: u64,
    country: usize,
    market: MarketId,
    from: Option<NaiveDate>,
    until: Option<NaiveDate>,
}

/// What the rows of markets.csv say, validated one by one, before they are put together.
struct Read {
    /// Column names as the header writes them, in the order of `COLUMNS`.
    columns: Vec<String>,
    markets: Vec<String>,
    other: MarketId,
    /// The countries in the order of their first row.
    listed: Vec<Listed>,
    /// Per listed country, the line of its first row.
    first_lines: Vec<u64>,
    rows: Vec<Row>,
}

impl Read {
    /// Where a fault of the file is: `line`, column `k`.
    fn at(&self, origin: &str, line: u64, k: usize, value: String) -> Location {
        Location {
            file: origin.to_string(),
            line,
            column: self.columns[k].clone(),
            value,
        }
    }
}

impl MarketMap {
    /// Parse markets.csv text. `origin` names the file in errors.
    ///
    /// Validates: iso2 two letters, country non-empty, calling_code 1-3 digits (no leading 0),
    /// prefixes digits, market non-empty, dates YYYY-MM-DD, from < until. Rows of one country must
    /// agree on country name, calling code and prefixes, and their dates must not overlap. Two
    /// countries may not claim the same prefix of a code; several countries without prefixes on one
    /// code (US and CA on +1) must pay the same market at every date.
    pub fn parse(text: &str, origin: &str) -> Result<MarketMap, BadInput> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let read = read_rows(text, origin)?;
        let (timeline, timelines) = timelines(&read, origin)?;
        let countries =
            Countries::build(&read.listed).map_err(|clash| prefix_clash(&read, origin, clash))?;
        let mut map = MarketMap {
            markets: read.markets.clone(),
            countries,
            timeline,
            timelines,
        };
        // Every synthetic country pays Other at all dates.
        if map.countries.len() > read.listed.len() {
            map.timeline.push((NaiveDate::MIN, read.other));
            let synthetic = (map.timeline.len() as u32 - 1, map.timeline.len() as u32);
            map.timelines.resize(map.countries.len(), synthetic);
        }
        map.check_shared_defaults(&read, origin)?;
        Ok(map)
    }

    /// Several countries without prefixes on one calling code (US and CA on +1) are all its
    /// default, so they must pay the same market at every date.
    fn check_shared_defaults(&self, read: &Read, origin: &str) -> Result<(), BadInput> {
        let mut per_code: BTreeMap<u16, Vec<usize>> = BTreeMap::new();
        for (k, l) in read.listed.iter().enumerate() {
            if l.prefixes.is_empty() {
                per_code.entry(l.code).or_default().push(k);
            }
        }
        for (code, defaults) in per_code {
            let first = defaults[0];
            for &k in &defaults[1..] {
                if self.timeline_of(k) != self.timeline_of(first) {
                    let (a, b) = (&read.listed[first], &read.listed[k]);
                    return Err(BadInput::new(format!(
                        "{} ({}) and {} ({}, line {}) both have no prefixes, so both are the \
                         default of +{code}, but they pay different markets",
                        b.name, b.iso, a.name, a.iso, read.first_lines[first]
                    ))
                    .at(read.at(
                        origin,
                        read.first_lines[k],
                        C_MARKET,
                        self.market_name(rows_market(&read.rows, k)).to_string(),
                    ))
                    .hint("give one of them prefixes, or the same markets and dates"));
                }
            }
        }
        Ok(())
    }

    /// The map bundled at build time (`tariffs/markets.csv`).
    pub fn bundled() -> MarketMap {
        MarketMap::parse(BUNDLED, "tariffs/markets.csv (bundled)")
            .expect("the bundled markets.csv is valid (tested)")
    }

    /// The countries and their calling codes.
    pub fn countries(&self) -> &Countries {
        &self.countries
    }

    /// The market of a country on a date (rows' from inclusive, until exclusive; Other where no row
    /// covers the date). Panics on a `CountryId` that did not come from this map.
    pub fn market_at(&self, country: CountryId, date: NaiveDate) -> MarketId {
        let (start, end) = self.timelines[usize::from(country.0)];
        let timeline = &self.timeline[start as usize..end as usize];
        // The first entry starts at NaiveDate::MIN, so the scan always finds one.
        for &(from, market) in timeline.iter().rev() {
            if from <= date {
                return market;
            }
        }
        timeline[0].1
    }

    /// Whether some country is in `market` on `date` (Hong Kong is a market only from
    /// 2026-07-01, for one).
    pub fn in_use(&self, market: MarketId, date: NaiveDate) -> bool {
        (0..self.countries.len()).any(|i| self.market_at(CountryId(i as u16), date) == market)
    }

    /// Panics on a `MarketId` that did not come from this map.
    pub fn market_name(&self, m: MarketId) -> &str {
        &self.markets[usize::from(m.0)]
    }

    /// Case-insensitive lookup of a market by Meta's name ("Rest of Africa", "north america").
    pub fn market_by_name(&self, name: &str) -> Option<MarketId> {
        find(&self.markets, name.trim())
    }

    /// Every market name known to the map, sorted case-insensitively.
    pub fn market_names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.markets.iter().map(String::as_str).collect();
        names.sort_by(|a, b| fold(a).cmp(fold(b)).then(a.cmp(b)));
        names
    }

    /// Register an extra market name (a rate card may name a market no country maps to yet); returns
    /// its id, the existing one if the name is known (case-insensitive).
    pub fn intern_market(&mut self, name: &str) -> MarketId {
        intern(&mut self.markets, name.trim())
    }

    fn timeline_of(&self, country: usize) -> &[(NaiveDate, MarketId)] {
        let (start, end) = self.timelines[country];
        &self.timeline[start as usize..end as usize]
    }
}

/// Reads the header and every row of markets.csv, each validated on its own.
fn read_rows(text: &str, origin: &str) -> Result<Read, BadInput> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| csv_error(origin, text, &e))?
        .clone();
    let mut idx = [0usize; COLUMNS.len()];
    for (k, name) in COLUMNS.iter().enumerate() {
        idx[k] = headers
            .iter()
            .position(|h| h.eq_ignore_ascii_case(name))
            .ok_or_else(|| {
                BadInput::new(format!("{origin}: the header has no '{name}' column"))
                    .hint(format!("the first line must be: {}", COLUMNS.join(",")))
            })?;
    }

    let mut markets = Vec::new();
    let other = intern(&mut markets, OTHER);
    let mut listed: Vec<Listed> = Vec::new();
    let mut first_lines: Vec<u64> = Vec::new();
    let mut by_iso = vec![NO_COUNTRY; 26 * 26].into_boxed_slice();
    let mut rows: Vec<Row> = Vec::new();

    // The csv crate's line numbers skip blank lines and miscount CRLF: count physical lines.
    let mut lines = LineCounter::new(text);
    for record in reader.records() {
        let record = record.map_err(|e| csv_error(origin, text, &e))?;
        let line = lines.line_at(record.position().map_or(0, |p| p.byte()));
        let field = |k: usize| record.get(idx[k]).unwrap_or("");
        let bad = |k: usize, what: String, hint: &str| {
            BadInput::new(what)
                .at(Location {
                    file: origin.to_string(),
                    line,
                    column: headers[idx[k]].to_string(),
                    value: field(k).to_string(),
                })
                .hint(hint)
        };

        let row = read_cells(&field, &bad)?;
        let country = match by_iso[row.iso_slot] {
            NO_COUNTRY => {
                by_iso[row.iso_slot] = checked_id(listed.len(), "countries");
                listed.push(Listed {
                    iso: row.iso.to_ascii_uppercase(),
                    name: row.name.to_string(),
                    code: row.code,
                    prefixes: row.prefixes,
                });
                first_lines.push(line);
                listed.len() - 1
            }
            k => {
                let k = usize::from(k);
                same_country(&listed[k], first_lines[k], &row, &bad)?;
                k
            }
        };
        rows.push(Row {
            line,
            country,
            market: intern(&mut markets, row.market),
            from: row.from,
            until: row.until,
        });
    }
    Ok(Read {
        columns: idx.iter().map(|&i| headers[i].to_string()).collect(),
        markets,
        other,
        listed,
        first_lines,
        rows,
    })
}

/// One row's cells, each checked on its own.
struct Cells<'r> {
    iso_slot: usize,
    iso: &'r str,
    name: &'r str,
    code: u16,
    /// Sorted `(len, value)`.
    prefixes: Vec<(u32, u64)>,
    market: &'r str,
    from: Option<NaiveDate>,
    until: Option<NaiveDate>,
}

/// The error for column `k` of the row being read: what is wrong, and the hint.
type Bad<'b> = &'b dyn Fn(usize, String, &str) -> BadInput;

/// Reads and checks the cells of one row (`field(k)`: the cell of column `k`).
fn read_cells<'r>(field: &dyn Fn(usize) -> &'r str, bad: Bad) -> Result<Cells<'r>, BadInput> {
    let iso = field(C_ISO);
    let Some(iso_slot) = country::iso_slot(iso) else {
        return Err(bad(
            C_ISO,
            "is not a two-letter ISO 3166 country code".into(),
            "write the country's ISO 3166 alpha-2 code, like FR or US",
        ));
    };
    let name = field(C_NAME);
    if name.is_empty() {
        return Err(bad(
            C_NAME,
            "the country name is empty".into(),
            "write the country's English name, like France",
        ));
    }
    let Some(code) = country::parse_code(field(C_CODE)) else {
        return Err(bad(
            C_CODE,
            "is not a country calling code".into(),
            "write the calling code as 1 to 3 digits without +, like 33 or 1",
        ));
    };
    let mut prefixes = Vec::new();
    for p in field(C_PREFIXES).split_ascii_whitespace() {
        if p.is_empty() || p.len() > MAX_PREFIX_DIGITS || !p.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad(
                C_PREFIXES,
                format!("prefix '{p}' is not 1 to {MAX_PREFIX_DIGITS} digits"),
                "list leading digits of the national number separated by spaces, like 809 829 849",
            ));
        }
        let prefix = (p.len() as u32, p.parse::<u64>().unwrap_or(0));
        if prefixes.contains(&prefix) {
            return Err(bad(
                C_PREFIXES,
                format!("prefix '{p}' is listed twice"),
                "list each prefix once",
            ));
        }
        prefixes.push(prefix);
    }
    prefixes.sort_unstable();
    let market = field(C_MARKET);
    if market.is_empty() {
        return Err(bad(
            C_MARKET,
            "the market is empty".into(),
            "name Meta's pricing market, like Rest of Africa, or Other for a country on no list",
        ));
    }
    let date_hint = "write dates as YYYY-MM-DD, or leave the cell empty for an open end";
    let Ok(from) = parse_date(field(C_FROM)) else {
        return Err(bad(
            C_FROM,
            "is not a date in the form YYYY-MM-DD".into(),
            date_hint,
        ));
    };
    let Ok(until) = parse_date(field(C_UNTIL)) else {
        return Err(bad(
            C_UNTIL,
            "is not a date in the form YYYY-MM-DD".into(),
            date_hint,
        ));
    };
    if let (Some(f), Some(u)) = (from, until) {
        if f >= u {
            return Err(bad(
                C_UNTIL,
                format!("until must be after from ({f})"),
                "until is exclusive: a row for one day runs from 2026-07-01 until 2026-07-02",
            ));
        }
    }
    Ok(Cells {
        iso_slot,
        iso,
        name,
        code,
        prefixes,
        market,
        from,
        until,
    })
}

/// A later row of a listed country must agree with its first on name, calling code and
/// prefixes (`first_line`: the line of the first).
fn same_country(first: &Listed, first_line: u64, row: &Cells, bad: Bad) -> Result<(), BadInput> {
    let same = "every row of a country must give the same country, calling_code and prefixes";
    if first.name != row.name {
        return Err(bad(
            C_NAME,
            format!("line {} names {} '{}'", first_line, first.iso, first.name),
            same,
        ));
    }
    if first.code != row.code {
        return Err(bad(
            C_CODE,
            format!(
                "line {} gives {} the calling code {}",
                first_line, first.iso, first.code
            ),
            same,
        ));
    }
    if first.prefixes != row.prefixes {
        return Err(bad(
            C_PREFIXES,
            format!(
                "line {} gives {} the prefixes '{}'",
                first_line,
                first.iso,
                prefix_list(&first.prefixes)
            ),
            same,
        ));
    }
    Ok(())
}

/// The timelines: each country's rows sorted by start, overlaps refused, gaps filled with
/// Other. Gives the timeline entries and, per listed country, its range into them.
type Timelines = (Vec<(NaiveDate, MarketId)>, Vec<(u32, u32)>);

fn timelines(read: &Read, origin: &str) -> Result<Timelines, BadInput> {
    let (listed, other) = (&read.listed, read.other);
    let mut rows: Vec<&Row> = read.rows.iter().collect();
    rows.sort_by_key(|r| (r.country, r.from, r.line));
    let mut timelines: Vec<(u32, u32)> = Vec::with_capacity(listed.len());
    let mut timeline: Vec<(NaiveDate, MarketId)> = Vec::new();
    let mut rest = &rows[..];
    for (k, l) in listed.iter().enumerate() {
        let n = rest.iter().take_while(|r| r.country == k).count();
        let (own, tail) = rest.split_at(n);
        rest = tail;
        let start = timeline.len();
        // Start of the first day not yet covered; None once covered to the end of time.
        let mut open: Option<NaiveDate> = Some(NaiveDate::MIN);
        for (i, r) in own.iter().enumerate() {
            let begin = r.from.unwrap_or(NaiveDate::MIN);
            match open {
                Some(o) if o <= begin => {
                    if o < begin {
                        push_merged(&mut timeline, start, o, other);
                    }
                }
                _ => {
                    let prev = &own[i - 1];
                    let (at, before) = if r.line > prev.line {
                        (r, prev)
                    } else {
                        (prev, r)
                    };
                    return Err(BadInput::new(format!(
                        "the dates of {} ({}) on this line overlap those on line {}",
                        l.name, l.iso, before.line
                    ))
                    .at(read.at(
                        origin,
                        at.line,
                        C_FROM,
                        at.from.map(|d| d.to_string()).unwrap_or_default(),
                    ))
                    .hint(
                        "a country's rows must not overlap; until is exclusive, so the next row \
                         may start on the same day",
                    ));
                }
            }
            push_merged(&mut timeline, start, begin, r.market);
            open = r.until;
        }
        if let Some(o) = open {
            push_merged(&mut timeline, start, o, other);
        }
        timelines.push((start as u32, timeline.len() as u32));
    }

    Ok((timeline, timelines))
}

/// The error for a prefix two countries claim.
fn prefix_clash(read: &Read, origin: &str, clash: PrefixClash) -> BadInput {
    let (l, owner) = (&read.listed[clash.country], &read.listed[clash.owner]);
    let (len, value) = clash.prefix;
    BadInput::new(format!(
        "{} ({}) claims prefix {} of +{}, which line {} gives to {} ({})",
        l.name,
        l.iso,
        digits_of(len, value),
        l.code,
        read.first_lines[clash.owner],
        owner.name,
        owner.iso
    ))
    .at(read.at(
        origin,
        read.first_lines[clash.country],
        C_PREFIXES,
        prefix_list(&l.prefixes),
    ))
    .hint("a prefix selects one country; remove it from one of the rows")
}

/// Push `(from, market)` onto the timeline that starts at `start`, merging it into the previous
/// entry when the market is the same.
fn push_merged(
    timeline: &mut Vec<(NaiveDate, MarketId)>,
    start: usize,
    from: NaiveDate,
    market: MarketId,
) {
    if timeline.len() > start && timeline[timeline.len() - 1].1 == market {
        return;
    }
    timeline.push((from, market));
}

fn rows_market(rows: &[Row], country: usize) -> MarketId {
    rows.iter()
        .find(|r| r.country == country)
        .map_or(MarketId(0), |r| r.market)
}

fn intern(markets: &mut Vec<String>, name: &str) -> MarketId {
    if let Some(m) = find(markets, name) {
        return m;
    }
    markets.push(name.to_string());
    MarketId(checked_id(markets.len() - 1, "markets"))
}

fn find(markets: &[String], name: &str) -> Option<MarketId> {
    markets
        .iter()
        .position(|m| fold(m).eq(fold(name)))
        .map(|k| MarketId(k as u16))
}

/// Case folding for comparisons, without allocating.
fn fold(s: &str) -> impl Iterator<Item = char> + '_ {
    s.chars().flat_map(char::to_lowercase)
}

fn checked_id(k: usize, what: &str) -> u16 {
    match u16::try_from(k) {
        // The top two values are markers in the country table.
        Ok(id) if id < u16::MAX - 1 => id,
        _ => panic!("more than {} {what} in a market map", u16::MAX - 1),
    }
}

/// Empty -> None; otherwise exactly YYYY-MM-DD and a real date.
fn parse_date(s: &str) -> Result<Option<NaiveDate>, ()> {
    if s.is_empty() {
        return Ok(None);
    }
    let b = s.as_bytes();
    let digits = |r: Range<usize>| b[r].iter().all(u8::is_ascii_digit);
    if b.len() != 10
        || b[4] != b'-'
        || b[7] != b'-'
        || !digits(0..4)
        || !digits(5..7)
        || !digits(8..10)
    {
        return Err(());
    }
    let (y, m, d) = (
        s[0..4].parse().map_err(|_| ())?,
        s[5..7].parse().map_err(|_| ())?,
        s[8..10].parse().map_err(|_| ())?,
    );
    NaiveDate::from_ymd_opt(y, m, d).map(Some).ok_or(())
}

fn digits_of(len: u32, value: u64) -> String {
    format!("{value:0width$}", width = len as usize)
}

fn prefix_list(prefixes: &[(u32, u64)]) -> String {
    prefixes
        .iter()
        .map(|&(len, value)| digits_of(len, value))
        .collect::<Vec<_>>()
        .join(" ")
}

fn csv_error(origin: &str, text: &str, e: &csv::Error) -> BadInput {
    let line = LineCounter::new(text).line_at(e.position().map_or(0, |p| p.byte()));
    match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => BadInput::new(format!(
            "{origin}, line {line}: has {len} fields where the header has {expected_len}"
        ))
        .hint(format!(
            "every line needs the columns {}; quote a value that contains a comma",
            COLUMNS.join(",")
        )),
        _ => BadInput::new(format!("{origin}, line {line}: {e}")),
    }
}

#[cfg(test)]
mod tests;
