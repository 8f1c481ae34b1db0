//! Country -> market map, dated (docs/rules.md, Markets; data in `tariffs/markets.csv`).
//!
//! A number's country comes from its calling code, and inside a shared code (+1, +7) from the
//! leading digits of the national number (`prefixes`). A country's market can change on a date, so
//! each country carries a timeline. Lookups by number and by date touch only integer tables.
//!
//! Calling codes the ITU assigns to a country or territory but that `markets.csv` does not list are
//! not errors: each gets a synthetic country ("Unlisted (+53)", no ISO code) that pays Other at all
//! dates, since "a country on no list pays Other". For the same reason, dates a listed country's
//! rows do not cover (before its first row, between rows, after its last) pay Other.

use std::collections::BTreeMap;
use std::ops::Range;

use chrono::NaiveDate;

use crate::error::{BadInput, Location};
use crate::lines::LineCounter;
use crate::phone::{digit_count, PhoneError, MIN_DIGITS};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CountryId(pub u16);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
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

/// Country calling codes assigned by the ITU to a country or territory (ITU-T E.164, geographic
/// codes), as in use in 2026. Codes for global services (800, 808, 870, 878, 881, 882, 883, 888,
/// 979, 991) are deliberately absent: they have no country. So are spare codes (e.g. 28x, 671, 684,
/// 999) and 388 (withdrawn European numbering space).
const ASSIGNED_CODES: &[u16] = &[
    1, 7, // zones 1 and 7
    20, 27, // zone 2, two digits
    211, 212, 213, 216, 218, //
    220, 221, 222, 223, 224, 225, 226, 227, 228, 229, //
    230, 231, 232, 233, 234, 235, 236, 237, 238, 239, //
    240, 241, 242, 243, 244, 245, 246, 247, 248, 249, //
    250, 251, 252, 253, 254, 255, 256, 257, 258, //
    260, 261, 262, 263, 264, 265, 266, 267, 268, 269, //
    290, 291, 297, 298, 299, //
    30, 31, 32, 33, 34, 36, 39, // zone 3, two digits
    350, 351, 352, 353, 354, 355, 356, 357, 358, 359, //
    370, 371, 372, 373, 374, 375, 376, 377, 378, 379, //
    380, 381, 382, 383, 385, 386, 387, 389, //
    40, 41, 43, 44, 45, 46, 47, 48, 49, // zone 4, two digits
    420, 421, 423, //
    51, 52, 53, 54, 55, 56, 57, 58, // zone 5, two digits
    500, 501, 502, 503, 504, 505, 506, 507, 508, 509, //
    590, 591, 592, 593, 594, 595, 596, 597, 598, 599, //
    60, 61, 62, 63, 64, 65, 66, // zone 6, two digits
    670, 672, 673, 674, 675, 676, 677, 678, 679, //
    680, 681, 682, 683, 685, 686, 687, 688, 689, //
    690, 691, 692, //
    81, 82, 84, 86, // zone 8, two digits
    850, 852, 853, 855, 856, 880, 886, //
    90, 91, 92, 93, 94, 95, 98, // zone 9, two digits
    960, 961, 962, 963, 964, 965, 966, 967, 968, //
    970, 971, 972, 973, 974, 975, 976, 977, //
    992, 993, 994, 995, 996, 998,
];

/// The main country of calling codes that several countries share (the ITU's first assignee). When
/// markets.csv gives a code several rows without prefixes, this one is the code's default.
const MAIN_COUNTRY: &[(u16, &str)] = &[
    (1, "US"),
    (7, "RU"),
    (39, "IT"),
    (44, "GB"),
    (47, "NO"),
    (61, "AU"),
    (212, "MA"),
    (262, "RE"),
    (290, "SH"),
    (358, "FI"),
    (590, "GP"),
    (599, "CW"),
];

const POW10: [u64; 20] = {
    let mut p = [1u64; 20];
    let mut i = 1;
    while i < 20 {
        p[i] = p[i - 1] * 10;
        i += 1;
    }
    p
};

/// Calling codes are 1 to 3 digits, so a code's value is its slot: 1..=9, 10..=99, 100..=999.
const CODE_SLOTS: usize = 1000;
const NO_CODE: u16 = u16::MAX;
const NO_COUNTRY: u16 = u16::MAX;
/// Four leading digits: 1000..=9999.
const LEAD_FIRST: u64 = 1000;
const LEADS: usize = 9000;
const LEAD_SLOW: u16 = u16::MAX;
const LEAD_UNASSIGNED: u16 = u16::MAX - 1;
/// Longest prefix accepted (a national number has at most 14 digits).
const MAX_PREFIX_DIGITS: usize = 14;

#[derive(Debug, Clone)]
struct Country {
    /// ISO 3166 alpha-2, upper case; empty for a synthetic country.
    iso: String,
    name: String,
    code: u16,
    /// Range into `MarketMap::timeline`.
    timeline: (u32, u32),
}

#[derive(Debug, Clone, Copy)]
struct Prefix {
    len: u32,
    value: u64,
    country: CountryId,
}

#[derive(Debug, Clone)]
struct Code {
    default: CountryId,
    /// Range into `MarketMap::prefixes`, longest prefixes first.
    prefixes: (u32, u32),
}

/// Countries, their calling codes and their dated markets.
#[derive(Debug, Clone)]
pub struct MarketMap {
    markets: Vec<String>,
    countries: Vec<Country>,
    /// Per country, `(start, market)` sorted by start; the first start is `NaiveDate::MIN`.
    timeline: Vec<(NaiveDate, MarketId)>,
    prefixes: Vec<Prefix>,
    codes: Vec<Code>,
    /// Calling code -> index into `codes`, or `NO_CODE`.
    slots: Box<[u16]>,
    /// The first four digits of a number (1000..=9999, less 1000) -> its country when they
    /// decide it, `LEAD_UNASSIGNED`, or `LEAD_SLOW` when a longer prefix may apply: one
    /// division and one load per row instead of a walk through codes and prefixes.
    by_lead: Box<[u16]>,
    /// `(a - 'A') * 26 + (b - 'A')` -> country, or `NO_COUNTRY`.
    by_iso: Box<[u16]>,
}

/// A row of markets.csv, validated.
struct Row {
    line: u64,
    country: usize,
    market: MarketId,
    from: Option<NaiveDate>,
    until: Option<NaiveDate>,
}

/// A listed country while parsing.
struct Listed {
    iso: String,
    name: String,
    code: u16,
    /// Sorted `(len, value)`.
    prefixes: Vec<(u32, u64)>,
    first_line: u64,
}

impl MarketMap {
    /// Parse markets.csv text. `origin` names the file in errors.
    ///
    /// Validates: iso2 two letters, country non-empty, calling_code 1-3 digits (no leading 0),
    /// prefixes digits, market non-empty, dates YYYY-MM-DD, from < until. Rows of one country must
    /// agree on country name, calling code and prefixes, and their dates must not overlap. Two
    /// countries may not claim the same prefix of a code; several countries without prefixes on one
    /// code (US and CA on +1) must pay the same market at every date.
    // The error type is the crate's `BadInput` by contract; boxing its `Location` would be
    // error.rs's change to make.
    pub fn parse(text: &str, origin: &str) -> Result<MarketMap, BadInput> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
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

            let iso = field(C_ISO);
            let Some(iso_slot) = iso_slot(iso) else {
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
            let Some(code) = parse_code(field(C_CODE)) else {
                return Err(bad(
                    C_CODE,
                    "is not a country calling code".into(),
                    "write the calling code as 1 to 3 digits without +, like 33 or 1",
                ));
            };
            let mut prefixes = Vec::new();
            for p in field(C_PREFIXES).split_ascii_whitespace() {
                if p.is_empty()
                    || p.len() > MAX_PREFIX_DIGITS
                    || !p.bytes().all(|b| b.is_ascii_digit())
                {
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
            let market_name = field(C_MARKET);
            if market_name.is_empty() {
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

            let country = match by_iso[iso_slot] {
                NO_COUNTRY => {
                    by_iso[iso_slot] = checked_id(listed.len(), "countries");
                    listed.push(Listed {
                        iso: iso.to_ascii_uppercase(),
                        name: name.to_string(),
                        code,
                        prefixes,
                        first_line: line,
                    });
                    listed.len() - 1
                }
                k => {
                    let k = usize::from(k);
                    let first = &listed[k];
                    let same = "every row of a country must give the same country, calling_code and prefixes";
                    if first.name != name {
                        return Err(bad(
                            C_NAME,
                            format!(
                                "line {} names {} '{}'",
                                first.first_line, first.iso, first.name
                            ),
                            same,
                        ));
                    }
                    if first.code != code {
                        return Err(bad(
                            C_CODE,
                            format!(
                                "line {} gives {} the calling code {}",
                                first.first_line, first.iso, first.code
                            ),
                            same,
                        ));
                    }
                    if first.prefixes != prefixes {
                        return Err(bad(
                            C_PREFIXES,
                            format!(
                                "line {} gives {} the prefixes '{}'",
                                first.first_line,
                                first.iso,
                                prefix_list(&first.prefixes)
                            ),
                            same,
                        ));
                    }
                    k
                }
            };
            rows.push(Row {
                line,
                country,
                market: intern(&mut markets, market_name),
                from,
                until,
            });
        }

        // Timelines: sort each country's rows by start, reject overlaps, fill gaps with Other.
        rows.sort_by_key(|r| (r.country, r.from, r.line));
        let mut countries: Vec<Country> = Vec::with_capacity(listed.len() + ASSIGNED_CODES.len());
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
                        .at(Location {
                            file: origin.to_string(),
                            line: at.line,
                            column: headers[idx[C_FROM]].to_string(),
                            value: at.from.map(|d| d.to_string()).unwrap_or_default(),
                        })
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
            countries.push(Country {
                iso: l.iso.clone(),
                name: l.name.clone(),
                code: l.code,
                timeline: (start as u32, timeline.len() as u32),
            });
        }

        // Calling codes: prefixes per code, and one default country per code.
        let mut per_code: BTreeMap<u16, (Vec<usize>, Vec<Prefix>)> = BTreeMap::new();
        for (k, l) in listed.iter().enumerate() {
            let (defaults, prefixes) = per_code.entry(l.code).or_default();
            if l.prefixes.is_empty() {
                defaults.push(k);
            }
            for &(len, value) in &l.prefixes {
                if let Some(p) = prefixes.iter().find(|p| p.len == len && p.value == value) {
                    let owner = &listed[usize::from(p.country.0)];
                    return Err(BadInput::new(format!(
                        "{} ({}) claims prefix {} of +{}, which line {} gives to {} ({})",
                        l.name,
                        l.iso,
                        digits_of(len, value),
                        l.code,
                        owner.first_line,
                        owner.name,
                        owner.iso
                    ))
                    .at(Location {
                        file: origin.to_string(),
                        line: l.first_line,
                        column: headers[idx[C_PREFIXES]].to_string(),
                        value: prefix_list(&l.prefixes),
                    })
                    .hint("a prefix selects one country; remove it from one of the rows"));
                }
                prefixes.push(Prefix {
                    len,
                    value,
                    country: CountryId(k as u16),
                });
            }
        }
        for &code in ASSIGNED_CODES {
            per_code.entry(code).or_default();
        }

        let mut map = MarketMap {
            markets,
            countries,
            timeline,
            prefixes: Vec::new(),
            codes: Vec::with_capacity(per_code.len()),
            slots: vec![NO_CODE; CODE_SLOTS].into_boxed_slice(),
            by_lead: Box::default(),
            by_iso,
        };
        let mut synthetic_timeline: Option<(u32, u32)> = None;
        for (code, (defaults, mut prefixes)) in per_code {
            let default = match defaults.as_slice() {
                [] => {
                    let tl = *synthetic_timeline.get_or_insert_with(|| {
                        map.timeline.push((NaiveDate::MIN, other));
                        (map.timeline.len() as u32 - 1, map.timeline.len() as u32)
                    });
                    map.countries.push(Country {
                        iso: String::new(),
                        name: format!("Unlisted (+{code})"),
                        code,
                        timeline: tl,
                    });
                    map.countries.len() - 1
                }
                [only] => *only,
                several => {
                    let first = several[0];
                    for &k in &several[1..] {
                        if map.timeline_of(k) != map.timeline_of(first) {
                            let (a, b) = (&listed[first], &listed[k]);
                            return Err(BadInput::new(format!(
                                "{} ({}) and {} ({}, line {}) both have no prefixes, so both are the \
                                 default of +{code}, but they pay different markets",
                                b.name, b.iso, a.name, a.iso, a.first_line
                            ))
                            .at(Location {
                                file: origin.to_string(),
                                line: b.first_line,
                                column: headers[idx[C_MARKET]].to_string(),
                                value: map.market_name(rows_market(&rows, k)).to_string(),
                            })
                            .hint("give one of them prefixes, or the same markets and dates"));
                        }
                    }
                    let main = MAIN_COUNTRY
                        .iter()
                        .find(|(c, _)| *c == code)
                        .and_then(|(_, iso)| several.iter().find(|&&k| listed[k].iso == *iso));
                    *main.unwrap_or(&first)
                }
            };
            prefixes.sort_by(|a, b| b.len.cmp(&a.len).then(a.value.cmp(&b.value)));
            let start = map.prefixes.len() as u32;
            map.prefixes.extend(prefixes);
            map.slots[usize::from(code)] = checked_id(map.codes.len(), "calling codes");
            map.codes.push(Code {
                default: CountryId(checked_id(default, "countries")),
                prefixes: (start, map.prefixes.len() as u32),
            });
        }
        map.by_lead = (LEAD_FIRST..LEAD_FIRST + LEADS as u64)
            .map(|lead| map.lead_country(lead))
            .collect();
        Ok(map)
    }

    /// What the four leading digits `lead` of any number of at least 7 digits say of its
    /// country (for `by_lead`), by the same walk as [`MarketMap::country_of_slow`].
    fn lead_country(&self, lead: u64) -> u16 {
        for len in (1..=3u32).rev() {
            let known = 4 - len;
            let code = lead / POW10[known as usize];
            let slot = self.slots[code as usize];
            if slot == NO_CODE {
                continue;
            }
            let code = &self.codes[usize::from(slot)];
            let national = lead % POW10[known as usize];
            let (start, end) = code.prefixes;
            // Longest prefixes first, as the walk tries them.
            for p in &self.prefixes[start as usize..end as usize] {
                if p.len > known {
                    if p.value / POW10[(p.len - known) as usize] == national {
                        return LEAD_SLOW; // the next digits decide
                    }
                } else if national / POW10[(known - p.len) as usize] == p.value {
                    return p.country.0;
                }
            }
            return code.default.0;
        }
        LEAD_UNASSIGNED
    }

    /// The map bundled at build time (`tariffs/markets.csv`).
    pub fn bundled() -> MarketMap {
        MarketMap::parse(BUNDLED, "tariffs/markets.csv (bundled)")
            .expect("the bundled markets.csv is valid (tested)")
    }

    /// The country of a normalised number: the longest matching calling code (1 to 3 digits); inside
    /// a code shared by several countries, the country whose prefix matches the start of the national
    /// number (longest prefix wins), else the code's default (its row without prefixes; the
    /// synthetic "Unlisted (+N)" country for an assigned code markets.csv does not list).
    /// Global and unassigned codes are [`PhoneError::UnassignedCode`].
    pub fn country_of(&self, digits: u64) -> Result<CountryId, PhoneError> {
        if digits >= POW10[MIN_DIGITS - 1] {
            let lead = digits / POW10[digit_count(digits) as usize - 4];
            match self.by_lead[(lead - LEAD_FIRST) as usize] {
                LEAD_SLOW => {}
                LEAD_UNASSIGNED => return Err(PhoneError::UnassignedCode),
                country => return Ok(CountryId(country)),
            }
        }
        self.country_of_slow(digits)
    }

    /// [`MarketMap::country_of`] by walking codes and prefixes.
    fn country_of_slow(&self, digits: u64) -> Result<CountryId, PhoneError> {
        let n = digit_count(digits) as usize;
        for len in (1..=3usize).rev() {
            if n <= len {
                continue;
            }
            let rest = n - len;
            let code = digits / POW10[rest];
            let slot = self.slots[code as usize];
            if slot == NO_CODE {
                continue;
            }
            let code = &self.codes[usize::from(slot)];
            let national = digits % POW10[rest];
            let (start, end) = code.prefixes;
            for p in &self.prefixes[start as usize..end as usize] {
                if p.len as usize <= rest && national / POW10[rest - p.len as usize] == p.value {
                    return Ok(p.country);
                }
            }
            return Ok(code.default);
        }
        Err(PhoneError::UnassignedCode)
    }

    /// The market of a country on a date (rows' from inclusive, until exclusive; Other where no row
    /// covers the date). Panics on a `CountryId` that did not come from this map.
    pub fn market_at(&self, country: CountryId, date: NaiveDate) -> MarketId {
        let (start, end) = self.countries[usize::from(country.0)].timeline;
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

    /// ISO 3166 alpha-2, case-insensitive ("fr", "FR").
    pub fn country_by_iso(&self, iso: &str) -> Option<CountryId> {
        match self.by_iso[iso_slot(iso.trim())?] {
            NO_COUNTRY => None,
            k => Some(CountryId(k)),
        }
    }

    /// "+33", "33", "+1" -> the default country of that calling code (the row without prefixes; for
    /// +1 the US). An assigned code markets.csv does not list gives its synthetic "Unlisted" country;
    /// global and unassigned codes give None.
    pub fn country_by_calling_code(&self, code: &str) -> Option<CountryId> {
        let code = code.trim();
        let code = parse_code(code.strip_prefix('+').unwrap_or(code))?;
        match self.slots[usize::from(code)] {
            NO_CODE => None,
            slot => Some(self.codes[usize::from(slot)].default),
        }
    }

    /// ISO 3166 alpha-2 in upper case; empty for an unlisted calling code's synthetic country.
    pub fn iso(&self, c: CountryId) -> &str {
        &self.countries[usize::from(c.0)].iso
    }

    pub fn country_name(&self, c: CountryId) -> &str {
        &self.countries[usize::from(c.0)].name
    }

    pub fn calling_code(&self, c: CountryId) -> u16 {
        self.countries[usize::from(c.0)].code
    }

    /// Every country's calling code, in `CountryId` order.
    pub fn calling_codes(&self) -> impl Iterator<Item = u16> + '_ {
        self.countries.iter().map(|c| c.code)
    }

    fn timeline_of(&self, country: usize) -> &[(NaiveDate, MarketId)] {
        let (start, end) = self.countries[country].timeline;
        &self.timeline[start as usize..end as usize]
    }
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
        // The top two values are markers (`NO_CODE`, `LEAD_SLOW`, `LEAD_UNASSIGNED`).
        Ok(id) if id < LEAD_UNASSIGNED => id,
        _ => panic!("more than {} {what} in a market map", LEAD_UNASSIGNED),
    }
}

fn iso_slot(iso: &str) -> Option<usize> {
    match iso.as_bytes() {
        &[a, b] if a.is_ascii_alphabetic() && b.is_ascii_alphabetic() => Some(
            usize::from(a.to_ascii_uppercase() - b'A') * 26
                + usize::from(b.to_ascii_uppercase() - b'A'),
        ),
        _ => None,
    }
}

/// 1 to 3 ASCII digits, not starting with 0.
fn parse_code(s: &str) -> Option<u16> {
    let b = s.as_bytes();
    if b.is_empty() || b.len() > 3 || b[0] == b'0' || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    s.parse().ok()
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
mod tests {
    use super::*;
    use crate::phone::normalise;

    const HEADER: &str = "iso2,country,calling_code,prefixes,market,from,until\n";

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn map() -> MarketMap {
        MarketMap::bundled()
    }

    /// The country of a formatted number.
    fn country(m: &MarketMap, number: &str) -> Result<CountryId, PhoneError> {
        m.country_of(normalise(number.as_bytes()).unwrap())
    }

    /// ISO code and market name of a formatted number on a date.
    fn lookup(m: &MarketMap, number: &str, on: &str) -> (String, String) {
        let c = country(m, number).unwrap_or_else(|e| panic!("{number}: {e}"));
        let market = m.market_at(c, date(on));
        (m.iso(c).to_string(), m.market_name(market).to_string())
    }

    fn pair(iso: &str, market: &str) -> (String, String) {
        (iso.to_string(), market.to_string())
    }

    fn parse(body: &str) -> Result<MarketMap, BadInput> {
        MarketMap::parse(&format!("{HEADER}{body}"), "test.csv")
    }

    fn parse_err(body: &str) -> BadInput {
        match parse(body) {
            Ok(_) => panic!("parsed, but should not have:\n{body}"),
            Err(e) => e,
        }
    }

    #[test]
    fn bundled_map_parses() {
        let m = map();
        // Every line of the bundled file is one row; every ISO code in it is a country.
        for line in BUNDLED.lines().skip(1) {
            let iso = &line[..2];
            let c = m
                .country_by_iso(iso)
                .unwrap_or_else(|| panic!("{iso} missing"));
            assert_eq!(m.iso(c), iso);
        }
        assert!(m.market_by_name("Other").is_some());
    }

    #[test]
    fn nanp_area_codes_select_the_country() {
        let m = map();
        let d = "2026-01-15";
        assert_eq!(
            lookup(&m, "+1 212 555 0123", d),
            pair("US", "North America")
        );
        assert_eq!(
            lookup(&m, "+1 416 555 0123", d),
            pair("US", "North America")
        );
        assert_eq!(
            lookup(&m, "+1 876 555 0123", d),
            pair("JM", "Rest of Latin America")
        );
        assert_eq!(
            lookup(&m, "+1 658 555 0123", d),
            pair("JM", "Rest of Latin America")
        );
        assert_eq!(
            lookup(&m, "+1 809 555 0123", d),
            pair("DO", "Rest of Latin America")
        );
        assert_eq!(
            lookup(&m, "+1 849 555 0123", d),
            pair("DO", "Rest of Latin America")
        );
        assert_eq!(
            lookup(&m, "+1 787 555 0123", d),
            pair("PR", "Rest of Latin America")
        );
        assert_eq!(
            lookup(&m, "+1 939 555 0123", d),
            pair("PR", "Rest of Latin America")
        );
        assert_eq!(lookup(&m, "+1 242 555 0123", d), pair("BS", "Other"));
        assert_eq!(lookup(&m, "+1 684 555 0123", d), pair("AS", "Other"));
        assert_eq!(lookup(&m, "+1 340 555 0123", d), pair("VI", "Other"));
        assert_eq!(
            m.country_name(country(&m, "+1 242 555 0123").unwrap()),
            "Bahamas"
        );
        assert_eq!(m.calling_code(country(&m, "+1 876 555 0123").unwrap()), 1);
    }

    #[test]
    fn kazakhstan_inside_plus_seven() {
        let m = map();
        assert_eq!(
            lookup(&m, "+7 701 234 5678", "2026-09-30"),
            pair("KZ", "Other")
        );
        assert_eq!(
            lookup(&m, "+7 701 234 5678", "2026-10-01"),
            pair("KZ", "Kazakhstan")
        );
        assert_eq!(
            lookup(&m, "+7 600 234 5678", "2027-01-01"),
            pair("KZ", "Kazakhstan")
        );
        assert_eq!(
            lookup(&m, "+7 912 345 6789", "2026-09-30"),
            pair("RU", "Russia")
        );
        assert_eq!(
            lookup(&m, "+7 912 345 6789", "2026-10-01"),
            pair("RU", "Russia")
        );
        assert_eq!(
            lookup(&m, "+7 495 123 4567", "2024-01-01"),
            pair("RU", "Russia")
        );
    }

    #[test]
    fn dated_moves() {
        let m = map();
        let zw = "+263 77 123 4567";
        assert_eq!(lookup(&m, zw, "2022-02-01"), pair("ZW", "Other"));
        assert_eq!(lookup(&m, zw, "2025-09-30"), pair("ZW", "Other"));
        assert_eq!(lookup(&m, zw, "2025-10-01"), pair("ZW", "Rest of Africa"));
        let hu = "+36 20 123 4567";
        assert_eq!(
            lookup(&m, hu, "2026-06-30"),
            pair("HU", "Rest of Central & Eastern Europe")
        );
        assert_eq!(lookup(&m, hu, "2026-07-01"), pair("HU", "Hungary"));
        assert_eq!(lookup(&m, hu, "2030-01-01"), pair("HU", "Hungary"));
        // Extreme dates stay in range.
        let c = country(&m, hu).unwrap();
        assert_eq!(
            m.market_name(m.market_at(c, NaiveDate::MIN)),
            "Rest of Central & Eastern Europe"
        );
        assert_eq!(m.market_name(m.market_at(c, NaiveDate::MAX)), "Hungary");
    }

    #[test]
    fn unlisted_assigned_codes_pay_other() {
        let m = map();
        for number in [
            "+53 5 123 4567",
            "+262 692 12 34 56",
            "+590 690 12 34 56",
            "+383 44 123 456",
        ] {
            let c = country(&m, number).unwrap_or_else(|e| panic!("{number}: {e}"));
            assert_eq!(m.iso(c), "", "{number}");
            assert_eq!(
                m.market_name(m.market_at(c, date("2026-01-01"))),
                "Other",
                "{number}"
            );
            assert_eq!(
                m.market_name(m.market_at(c, date("2022-01-01"))),
                "Other",
                "{number}"
            );
        }
        let cuba = country(&m, "+53 5 123 4567").unwrap();
        assert_eq!(m.country_name(cuba), "Unlisted (+53)");
        assert_eq!(m.calling_code(cuba), 53);
        assert_eq!(m.country_by_calling_code("+53"), Some(cuba));
        // Each unlisted code is its own country.
        assert_ne!(country(&m, "+262 692 12 34 56").unwrap(), cuba);
    }

    #[test]
    fn every_assigned_code_has_a_country() {
        let m = map();
        for &code in ASSIGNED_CODES {
            let number = u64::from(code) * POW10[10 - digit_count(u64::from(code)) as usize] + 1;
            let c = m
                .country_of(number)
                .unwrap_or_else(|e| panic!("+{code}: {e}"));
            assert_eq!(m.calling_code(c), code);
        }
    }

    #[test]
    fn global_and_unassigned_codes_are_errors() {
        let m = map();
        for number in [
            "+881 6 1234 5678",
            "+999 123 4567",
            "+800 1234 5678",
            "+808 1234 5678",
            "+870 773 123 456",
            "+878 1 0 1234 5678",
            "+882 16 1234 5678",
            "+883 5100 1234 5678",
            "+888 1234 5678",
            "+979 1234 5678",
            "+280 1234567",
            "+671 123 4567",
            "+684 123 4567",
        ] {
            assert_eq!(
                country(&m, number),
                Err(PhoneError::UnassignedCode),
                "{number}"
            );
        }
        assert_eq!(m.country_by_calling_code("+881"), None);
        assert_eq!(m.country_by_calling_code("999"), None);
        // Too few digits to hold a code and a national number.
        assert_eq!(m.country_of(0), Err(PhoneError::UnassignedCode));
        assert_eq!(m.country_of(1), Err(PhoneError::UnassignedCode));
    }

    #[test]
    fn two_and_three_digit_codes() {
        let m = map();
        let d = "2026-01-15";
        assert_eq!(lookup(&m, "+33 6 12 34 56 78", d), pair("FR", "France"));
        assert_eq!(lookup(&m, "+34 612 345 678", d), pair("ES", "Spain"));
        assert_eq!(
            lookup(&m, "+351 912 345 678", d),
            pair("PT", "Rest of Western Europe")
        );
        assert_eq!(
            lookup(&m, "+353 85 123 4567", d),
            pair("IE", "Rest of Western Europe")
        );
        assert_eq!(
            lookup(&m, "+358 40 123 4567", d),
            pair("FI", "Rest of Western Europe")
        );
        assert_eq!(
            lookup(&m, "+359 88 123 4567", d),
            pair("BG", "Rest of Central & Eastern Europe")
        );
        assert_eq!(lookup(&m, "+20 10 1234 5678", d), pair("EG", "Egypt"));
        assert_eq!(lookup(&m, "+27 82 123 4567", d), pair("ZA", "South Africa"));
        assert_eq!(
            lookup(&m, "+212 6 12 34 56 78", d),
            pair("MA", "Rest of Africa")
        );
        assert_eq!(
            lookup(&m, "+971 50 123 4567", d),
            pair("AE", "United Arab Emirates")
        );
        // 1 and 7 followed by digits that look like other codes stay +1 / +7.
        assert_eq!(
            lookup(&m, "+1 351 555 0123", d),
            pair("US", "North America")
        );
        assert_eq!(lookup(&m, "+7 351 123 4567", d), pair("RU", "Russia"));
    }

    #[test]
    fn longest_calling_code_wins() {
        // A made-up two-digit code 38 next to the real three-digit 381 and 385.
        let m = parse(
            "XA,Fake38,38,,Fake Market,,\n\
             RS,Serbia,381,,Rest of Central & Eastern Europe,,\n",
        )
        .unwrap();
        let d = "2026-01-01";
        assert_eq!(
            lookup(&m, "+381 60 123 4567", d),
            pair("RS", "Rest of Central & Eastern Europe")
        );
        assert_eq!(lookup(&m, "+384 60 123 4567", d), pair("XA", "Fake Market"));
        // 385 is assigned (Croatia) but unlisted here: its own code beats the shorter 38.
        let hr = country(&m, "+385 91 123 4567").unwrap();
        assert_eq!(m.country_name(hr), "Unlisted (+385)");
        assert_eq!(m.market_name(m.market_at(hr, date(d))), "Other");
    }

    #[test]
    fn longest_prefix_wins() {
        let m = parse(
            "RU,Russia,7,,Russia,,\n\
             KZ,Kazakhstan,7,6 7,Kazakhstan,,\n\
             XB,Fake77,7,77,Fake Market,,\n",
        )
        .unwrap();
        let d = "2026-01-01";
        assert_eq!(lookup(&m, "+7 770 123 4567", d), pair("XB", "Fake Market"));
        assert_eq!(lookup(&m, "+7 701 123 4567", d), pair("KZ", "Kazakhstan"));
        assert_eq!(lookup(&m, "+7 612 123 4567", d), pair("KZ", "Kazakhstan"));
        assert_eq!(lookup(&m, "+7 912 123 4567", d), pair("RU", "Russia"));
    }

    #[test]
    fn prefixes_may_start_with_zero() {
        let m = parse(
            "IT,Italy,39,,Italy,,\n\
             VA,Vatican,39,06698,Other,,\n",
        )
        .unwrap();
        let d = "2026-01-01";
        assert_eq!(lookup(&m, "+39 06 698 12345", d), pair("VA", "Other"));
        assert_eq!(lookup(&m, "+39 06 123 45678", d), pair("IT", "Italy"));
        assert_eq!(lookup(&m, "+39 6698 123456", d), pair("IT", "Italy"));
    }

    /// The four-digit lead table answers exactly as the walk through codes and prefixes, for
    /// every lead and number length, on the bundled map and on maps with long and zero prefixes.
    #[test]
    fn the_lead_table_agrees_with_the_walk() {
        let maps = [
            map(),
            parse("RU,Russia,7,,Russia,,\nKZ,Kazakhstan,7,6 7,Kazakhstan,,\nXB,Fake77,7,77,Fake Market,,\nXC,Fake7701,7,7701 77021,Other,,\n").unwrap(),
            parse("IT,Italy,39,,Italy,,\nVA,Vatican,39,06698,Other,,\n").unwrap(),
        ];
        for m in &maps {
            for lead in 1000..10_000u64 {
                for len in MIN_DIGITS..=15 {
                    let scale = POW10[len - 4];
                    for tail in [0, scale / 7, scale / 3, scale - 1] {
                        let n = lead * scale + tail;
                        assert_eq!(m.country_of(n), m.country_of_slow(n), "{n}");
                    }
                }
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn lead_table_agrees_on_any_number(n in 1_000_000u64..1_000_000_000_000_000) {
            let m = map();
            proptest::prop_assert_eq!(m.country_of(n), m.country_of_slow(n));
        }
    }

    #[test]
    fn lookups_by_iso_code_and_name() {
        let m = map();
        let fr = m.country_by_iso("FR").unwrap();
        assert_eq!(m.country_by_iso("fr"), Some(fr));
        assert_eq!(m.country_by_iso(" Fr "), Some(fr));
        assert_eq!(m.iso(fr), "FR");
        assert_eq!(m.country_name(fr), "France");
        assert_eq!(m.calling_code(fr), 33);
        assert_eq!(m.country_by_iso("XX"), None);
        assert_eq!(m.country_by_iso("F"), None);
        assert_eq!(m.country_by_iso("FRA"), None);
        assert_eq!(m.country_by_iso(""), None);
        assert_eq!(m.country_by_iso("1A"), None);

        assert_eq!(m.country_by_calling_code("+33"), Some(fr));
        assert_eq!(m.country_by_calling_code("33"), Some(fr));
        assert_eq!(m.country_by_calling_code(" +33 "), Some(fr));
        assert_eq!(m.country_by_calling_code("+1"), m.country_by_iso("US"));
        assert_eq!(m.country_by_calling_code("+7"), m.country_by_iso("RU"));
        assert_eq!(m.country_by_calling_code("+358"), m.country_by_iso("FI"));
        assert_eq!(m.country_by_calling_code("+033"), None);
        assert_eq!(m.country_by_calling_code("+1234"), None);
        assert_eq!(m.country_by_calling_code("FR"), None);
        assert_eq!(m.country_by_calling_code(""), None);
    }

    #[test]
    fn us_and_canada_share_plus_one() {
        let m = map();
        let us = m.country_by_iso("US").unwrap();
        let ca = m.country_by_iso("CA").unwrap();
        assert_ne!(us, ca);
        assert_eq!(m.calling_code(ca), 1);
        assert_eq!(
            m.market_name(m.market_at(ca, date("2026-01-01"))),
            "North America"
        );
        assert_eq!(country(&m, "+1 416 555 0123"), Ok(us));
        // The main country wins whatever the file order.
        let m = parse(
            "CA,Canada,1,,North America,,\n\
             US,United States,1,,North America,,\n",
        )
        .unwrap();
        assert_eq!(m.iso(country(&m, "+1 212 555 0123").unwrap()), "US");
        let m = parse(
            "US,United States,1,,North America,,\n\
             CA,Canada,1,,North America,,\n",
        )
        .unwrap();
        assert_eq!(m.iso(country(&m, "+1 212 555 0123").unwrap()), "US");
        // Without a main country, the first in file order.
        let m = parse(
            "XB,Second,999,,Fake,,\n\
             XA,First,999,,Fake,,\n",
        )
        .unwrap();
        assert_eq!(m.iso(country(&m, "+999 123 4567").unwrap()), "XB");
        // The same markets split into different rows are still the same markets.
        parse(
            "US,United States,1,,North America,,2026-01-01\n\
             US,United States,1,,North America,2026-01-01,\n\
             CA,Canada,1,,North America,,\n",
        )
        .unwrap();
    }

    #[test]
    fn shared_defaults_with_different_markets_are_an_error() {
        let e = parse_err(
            "US,United States,1,,North America,,\n\
             CA,Canada,1,,Canada,,\n",
        );
        let at = e.at.clone().unwrap();
        assert_eq!(
            (at.line, at.column.as_str(), at.value.as_str()),
            (3, "market", "Canada")
        );
        assert!(e.what.contains("+1"), "{e}");
        // Different from a date on is different too.
        parse_err(
            "US,United States,1,,North America,,\n\
             CA,Canada,1,,North America,,2027-01-01\n\
             CA,Canada,1,,Canada,2027-01-01,\n",
        );
    }

    #[test]
    fn market_names_and_interning() {
        let mut m = map();
        let na = m.market_by_name("North America").unwrap();
        assert_eq!(m.market_by_name("north america"), Some(na));
        assert_eq!(m.market_by_name("  NORTH AMERICA "), Some(na));
        assert_eq!(m.market_name(na), "North America");
        assert_eq!(
            m.market_by_name("rest of africa").map(|x| m.market_name(x)),
            Some("Rest of Africa")
        );
        assert_eq!(m.market_by_name("Atlantis"), None);

        let names = m.market_names();
        assert!(names.contains(&"Other"));
        assert!(names.contains(&"Kazakhstan"));
        let mut sorted = names.clone();
        sorted.sort_by_key(|s| s.to_lowercase());
        assert_eq!(names, sorted);
        let count = names.len();
        assert_eq!(m.market_names(), names, "stable");

        assert_eq!(m.intern_market("north AMERICA"), na);
        assert_eq!(m.market_names().len(), count);
        let atl = m.intern_market("Atlantis");
        assert_eq!(m.market_by_name("atlantis"), Some(atl));
        assert_eq!(m.market_name(atl), "Atlantis");
        assert_eq!(m.intern_market("ATLANTIS"), atl);
        assert_eq!(m.market_names().len(), count + 1);
        assert!(m.market_names().contains(&"Atlantis"));
    }

    #[test]
    fn markets_are_case_insensitive_in_the_file() {
        let m = parse(
            "FR,France,33,,France,,\n\
             MC,Monaco,377,,FRANCE,,\n\
             AD,Andorra,376,,other,,\n",
        )
        .unwrap();
        let fr = m.market_at(m.country_by_iso("FR").unwrap(), date("2026-01-01"));
        let mc = m.market_at(m.country_by_iso("MC").unwrap(), date("2026-01-01"));
        let ad = m.market_at(m.country_by_iso("AD").unwrap(), date("2026-01-01"));
        assert_eq!(fr, mc);
        assert_eq!(m.market_name(ad), "Other");
        assert_eq!(m.market_names(), vec!["France", "Other"]);
    }

    #[test]
    fn dates_no_row_covers_pay_other() {
        let m = parse(
            "ZW,Zimbabwe,263,,Rest of Africa,2025-10-01,2026-01-01\n\
             ZW,Zimbabwe,263,,Rest of Africa,2026-02-01,\n",
        )
        .unwrap();
        let zw = m.country_by_iso("ZW").unwrap();
        let at = |d| m.market_name(m.market_at(zw, date(d)));
        assert_eq!(at("2025-09-30"), "Other");
        assert_eq!(at("2025-10-01"), "Rest of Africa");
        assert_eq!(at("2025-12-31"), "Rest of Africa");
        assert_eq!(at("2026-01-01"), "Other");
        assert_eq!(at("2026-01-31"), "Other");
        assert_eq!(at("2026-02-01"), "Rest of Africa");
        let m = parse("HU,Hungary,36,,Hungary,,2026-07-01\n").unwrap();
        let hu = m.country_by_iso("HU").unwrap();
        assert_eq!(
            m.market_name(m.market_at(hu, date("2026-06-30"))),
            "Hungary"
        );
        assert_eq!(m.market_name(m.market_at(hu, date("2026-07-01"))), "Other");
    }

    #[test]
    fn rows_in_any_order() {
        let m = parse(
            "HU,Hungary,36,,Hungary,2026-07-01,\n\
             HU,Hungary,36,,Rest of Central & Eastern Europe,,2026-07-01\n",
        )
        .unwrap();
        let hu = m.country_by_iso("HU").unwrap();
        let at = |d| m.market_name(m.market_at(hu, date(d)));
        assert_eq!(at("2026-06-30"), "Rest of Central & Eastern Europe");
        assert_eq!(at("2026-07-01"), "Hungary");
    }

    /// (line, column, value) of an error.
    fn place(e: &BadInput) -> (u64, String, String) {
        let at = e.at.clone().unwrap_or_else(|| panic!("no location: {e}"));
        (at.line, at.column, at.value)
    }

    fn place_of(line: u64, column: &str, value: &str) -> (u64, String, String) {
        (line, column.to_string(), value.to_string())
    }

    #[test]
    fn parse_errors_name_line_column_and_value() {
        let ok = "FR,France,33,,France,,\n";
        let cases: &[(&str, (u64, &str, &str))] = &[
            ("F,France,33,,France,,\n", (2, "iso2", "F")),
            ("F1,France,33,,France,,\n", (2, "iso2", "F1")),
            (",France,33,,France,,\n", (2, "iso2", "")),
            ("FR,,33,,France,,\n", (2, "country", "")),
            ("FR,France,+33,,France,,\n", (2, "calling_code", "+33")),
            ("FR,France,033,,France,,\n", (2, "calling_code", "033")),
            ("FR,France,3333,,France,,\n", (2, "calling_code", "3333")),
            ("FR,France,,,France,,\n", (2, "calling_code", "")),
            ("FR,France,33,6a,France,,\n", (2, "prefixes", "6a")),
            ("FR,France,33,6 6,France,,\n", (2, "prefixes", "6 6")),
            ("FR,France,33,,,,\n", (2, "market", "")),
            ("FR,France,33,,France,2026-7-1,\n", (2, "from", "2026-7-1")),
            (
                "FR,France,33,,France,2026-02-30,\n",
                (2, "from", "2026-02-30"),
            ),
            (
                "FR,France,33,,France,01/07/2026,\n",
                (2, "from", "01/07/2026"),
            ),
            ("FR,France,33,,France,,soon\n", (2, "until", "soon")),
            (
                "FR,France,33,,France,2026-07-01,2026-07-01\n",
                (2, "until", "2026-07-01"),
            ),
            (
                "FR,France,33,,France,2026-07-02,2026-07-01\n",
                (2, "until", "2026-07-01"),
            ),
        ];
        for (row, want) in cases {
            let e = parse_err(&format!("{ok}\n{row}"));
            // The blank line still counts: the bad row is on line 4.
            let (line, column, value) = *want;
            assert_eq!(place(&e), place_of(line + 2, column, value), "{row}: {e}");
            assert!(e.hint.is_some(), "{row}: no hint");
            let shown = e.to_string();
            assert!(shown.starts_with("test.csv, line 4, column"), "{shown}");
        }
    }

    #[test]
    fn overlapping_rows_are_an_error() {
        let e = parse_err(
            "HU,Hungary,36,,Rest of Central & Eastern Europe,,2026-07-01\n\
             HU,Hungary,36,,Hungary,2026-06-01,\n",
        );
        assert_eq!(place(&e), place_of(3, "from", "2026-06-01"));
        assert!(e.what.contains("line 2"), "{e}");
        // Two open-ended rows overlap; the later line is the one reported.
        let e = parse_err(
            "HU,Hungary,36,,Hungary,2026-07-01,\n\
             HU,Hungary,36,,Hungary,,\n",
        );
        assert_eq!(place(&e), place_of(3, "from", ""));
        let e = parse_err(
            "HU,Hungary,36,,Hungary,2026-07-01,\n\
             FR,France,33,,France,,\n\
             HU,Hungary,36,,Rest of Central & Eastern Europe,2026-01-01,2026-07-02\n",
        );
        assert_eq!(place(&e), place_of(4, "from", "2026-01-01"));
        // Touching rows do not overlap (until is exclusive).
        parse(
            "HU,Hungary,36,,Rest of Central & Eastern Europe,,2026-07-01\n\
             HU,Hungary,36,,Hungary,2026-07-01,\n",
        )
        .unwrap();
    }

    #[test]
    fn rows_of_a_country_must_agree() {
        let e = parse_err(
            "KZ,Kazakhstan,7,6 7,Other,,2026-10-01\n\
             KZ,Kazakhstan,7,7,Kazakhstan,2026-10-01,\n",
        );
        assert_eq!(place(&e), place_of(3, "prefixes", "7"));
        let e = parse_err(
            "KZ,Kazakhstan,7,6 7,Other,,2026-10-01\n\
             KZ,Kazakhstan,77,6 7,Kazakhstan,2026-10-01,\n",
        );
        assert_eq!(place(&e), place_of(3, "calling_code", "77"));
        let e = parse_err(
            "KZ,Kazakhstan,7,6 7,Other,,2026-10-01\n\
             kz,Kazakstan,7,6 7,Kazakhstan,2026-10-01,\n",
        );
        assert_eq!(place(&e), place_of(3, "country", "Kazakstan"));
        // The same prefixes in another order and case of the ISO code are the same.
        parse(
            "KZ,Kazakhstan,7,6 7,Other,,2026-10-01\n\
             kz,Kazakhstan,7,7  6,Kazakhstan,2026-10-01,\n",
        )
        .unwrap();
    }

    #[test]
    fn a_prefix_belongs_to_one_country() {
        let e = parse_err(
            "DO,Dominican Republic,1,809 829 849,Rest of Latin America,,\n\
             JM,Jamaica,1,876 829,Rest of Latin America,,\n",
        );
        assert_eq!(place(&e), place_of(3, "prefixes", "829 876"));
        assert!(e.what.contains("829") && e.what.contains("line 2"), "{e}");
        // The same prefix under different calling codes is fine.
        parse(
            "DO,Dominican Republic,1,809,Rest of Latin America,,\n\
             KZ,Kazakhstan,7,809,Other,,\n",
        )
        .unwrap();
    }

    #[test]
    fn structural_errors() {
        let e = MarketMap::parse("iso2,country,calling_code,prefixes,market,from\n", "m.csv")
            .err()
            .unwrap();
        assert!(e.what.contains("'until'"), "{e}");
        assert!(e.hint.as_deref().unwrap().contains("iso2,country"), "{e}");
        let e = MarketMap::parse("", "m.csv").err().unwrap();
        assert!(e.what.contains("no 'iso2' column"), "{e}");
        let e = parse_err("FR,France,33,,France,,\nDE,Germany,49,,Germany\n");
        assert!(e.what.starts_with("test.csv, line 3:"), "{e}");
        assert!(e.what.contains("has 5 fields"), "{e}");
        let e = parse_err("FR,France,33,,France,,\n\n\nDE,Germany,49,,Germany\n");
        assert!(e.what.starts_with("test.csv, line 5:"), "{e}");
    }

    #[test]
    fn line_numbers_count_blank_lines_and_crlf() {
        let text = "iso2,country,calling_code,prefixes,market,from,until\r\n\
                    FR,France,33,,France,,\r\n\
                    \r\n\
                    \r\n\
                    DE,Germany,49,,Germany,,\r\n\
                    \n\
                    ES,Spain,34,,Spain,2026-13-01,\r\n";
        let e = MarketMap::parse(text, "m.csv").err().unwrap();
        assert_eq!(place(&e), place_of(7, "from", "2026-13-01"));
        let text = "iso2,country,calling_code,prefixes,market,from,until\n\
                    HU,Hungary,36,,Hungary,2026-07-01,\n\
                    \n\
                    HU,Hungary,36,,Hungary,2026-01-01,2026-08-01\n";
        let e = MarketMap::parse(text, "m.csv").err().unwrap();
        assert_eq!(place(&e), place_of(4, "from", "2026-01-01"));
        assert!(e.what.contains("line 2"), "{e}");
    }

    #[test]
    fn header_order_case_spaces_and_bom() {
        let m = MarketMap::parse(
            "\u{feff}Market, ISO2 ,Country,Calling_Code,Prefixes,From,Until\n\
             France , fr , France , 33 ,, 2022-01-01 ,\n",
            "m.csv",
        )
        .unwrap();
        let fr = m.country_by_iso("FR").unwrap();
        assert_eq!(m.iso(fr), "FR");
        assert_eq!(m.country_name(fr), "France");
        assert_eq!(m.market_name(m.market_at(fr, date("2022-01-01"))), "France");
        assert_eq!(m.market_name(m.market_at(fr, date("2021-12-31"))), "Other");
        // Errors name the column as the header writes it.
        let e = MarketMap::parse(
            "Market,ISO2,Country,Calling_Code,Prefixes,From,Until\nFrance,FRA,France,33,,,\n",
            "m.csv",
        )
        .err()
        .unwrap();
        assert_eq!(place(&e), place_of(2, "ISO2", "FRA"));
    }
}
