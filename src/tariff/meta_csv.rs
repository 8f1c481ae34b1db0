//! Meta's own CSV files, exactly as downloaded from its pricing page.
//!
//! A **rate card** starts with a title line that gives the unit, the currency and the date:
//!
//! ```text
//! Cost per message in EUR on the WhatsApp Business Platform, effective October 1, 2026
//! Market,Currency,Marketing,Utility,Authentication,"Authentication-
//! International",Service
//! Argentina,€,0.0512,0.0216,0.0216,n/a,0.0216
//! ```
//!
//! The header has a line break inside the quoted `Authentication-International`; the
//! currency is written `$US`, `US$`, `€`, `EUR`…; `n/a` marks a category that does not apply
//! to the market. Conversation-era cards ("Cost per conversation in USD …") have the same
//! layout, and the 2022 cards have `Business-Initiated` and `User-Initiated` columns.
//!
//! A **volume-tier table** has a title line too, then one group of columns per tiered
//! category, each starting with `From` and `To` (messages a month) and holding the tier's
//! rate; the market is named on its first tier's row only:
//!
//! ```text
//! Cost per message in USD, effective October 1, 2026. Reflecting volume tiers
//! ,,Utility,,,,,Authentication,,,,,Authentication-International,,,,
//! Market,Currency,From,To,Tier,Rate,Discount,From,To,Tier,Rate,Discount,From,To,Tier,Rate,Discount
//! Rest of Africa,$US,0,"100,000",List rate,0.0040,0%,0,"100,000",List rate,0.0040,0%,n/a,n/a,n/a,n/a,n/a
//! ,,"100,001",,Tier 1,0.0038,-5%,…
//! ```
//!
//! No copy of Meta's tier file was available when this was written: the group layout
//! (`From`, `To`, then the rate) follows public descriptions of it. The rate column of a
//! group is the one whose header says `rate` (not a list rate or a discount); a group without
//! one is an error that asks for waprice's own tier layout instead.

use super::card::{CardRow, Cell, Column};
use super::market::{MarketId, MarketMap};
use super::tier::{self, RawBand, TierTable};
use crate::era::{ERA_B_FROM, ERA_C_FROM};
use crate::error::{BadInput, Location};
use crate::lines::LineCounter;
use chrono::NaiveDate;
use csv::StringRecord;
use rust_decimal::Decimal;
use std::collections::{BTreeMap, HashMap};
use std::str::FromStr;

/// `--tariff-date` and `--tariff-currency`: what the title line says, or would say.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Overrides {
    pub date: Option<NaiveDate>,
    pub currency: Option<String>,
}

/// What a card's title line says about the unit it prices.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Message,
    Conversation,
}

/// What the lines above the header say.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Title {
    /// The lines as written (fields joined back with commas), or empty.
    pub text: String,
    /// The first line of the title.
    pub line: u64,
    pub unit: Option<Unit>,
    /// The currency word as written ("EUR", "$US"), and the ISO code it names.
    pub currency: Option<(String, Option<String>)>,
    pub date: Option<NaiveDate>,
    /// "Reflecting volume tiers" or the like.
    pub tiers: bool,
}

/// A Meta rate card as read.
#[derive(Debug, Clone)]
pub struct MetaCard {
    pub rows: Vec<CardRow>,
    pub currency: String,
    pub effective_from: NaiveDate,
    pub title: Title,
    /// What the reader left out or overrode, for the user.
    pub notes: Vec<String>,
}

/// An ISO 4217 code from the ways Meta's files write currencies: `$US`, `US$`, `€`, `£`, `₹`,
/// `R$`, `Rp`, `A$`, `S$`, `MX$`, `RM`, `S/`, or any three letters. `$` alone is ambiguous.
pub fn currency_code(s: &str) -> Option<String> {
    let t: String = s
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_uppercase();
    let t = t.trim_end_matches(['.', ',', ':', ';']);
    let code = match t {
        "$US" | "US$" | "USD" | "U.S.$" | "US-DOLLAR" | "USDOLLAR" | "USDOLLARS" => "USD",
        "€" | "EUR" | "EURO" | "EUROS" => "EUR",
        "£" | "GBP" | "UK£" => "GBP",
        "₹" | "INR" | "RS" => "INR",
        "R$" | "BRL" => "BRL",
        "RP" | "IDR" => "IDR",
        "A$" | "AU$" | "AUD" => "AUD",
        "MX$" | "MXN" => "MXN",
        "S$" | "SGD" => "SGD",
        "RM" | "MYR" => "MYR",
        "S/" | "PEN" => "PEN",
        other if other.len() == 3 && other.bytes().all(|b| b.is_ascii_uppercase()) => other,
        _ => return None,
    };
    Some(code.to_string())
}

/// Lowercase letters and digits only: `"Authentication-\nInternational"` ->
/// `authenticationinternational`.
fn norm(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// A header cell as shown in messages: line breaks and runs of spaces collapsed.
pub fn shown(header: &str) -> String {
    header.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A header cell matched by meaning: first as written (letters and digits only), then without
/// its parenthesised qualifiers, so `"Market\n(per rate card)"` is `market` and
/// `"Marketing (USD)"` is `marketing`, while `"Authentication (International)"` keeps its
/// meaning.
fn by_meaning<T>(header: &str, find: impl Fn(&str) -> Option<T>) -> Option<T> {
    find(&norm(header)).or_else(|| {
        let mut bare = String::with_capacity(header.len());
        let mut depth = 0usize;
        for c in header.chars() {
            match c {
                '(' | '[' => depth += 1,
                ')' | ']' => depth = depth.saturating_sub(1),
                _ if depth == 0 => bare.push(c),
                _ => {}
            }
        }
        let bare = norm(&bare);
        (!bare.is_empty()).then(|| find(&bare)).flatten()
    })
}

/// Whether a header cell means `key` (letters and digits, lowercase).
fn means(header: &str, key: &str) -> bool {
    by_meaning(header, |k| (k == key).then_some(())).is_some()
}

/// The rate column a Meta header names.
fn meta_column(header: &str) -> Option<Column> {
    by_meaning(header, meta_column_key)
}

fn meta_column_key(n: &str) -> Option<Column> {
    let n = n
        .strip_suffix("rates")
        .or_else(|| n.strip_suffix("rate"))
        .unwrap_or(n);
    let n = n
        .strip_suffix("conversations")
        .or_else(|| n.strip_suffix("conversation"))
        .unwrap_or(n);
    Some(match n {
        "marketing" => Column::Marketing,
        "utility" => Column::Utility,
        "authentication" => Column::Authentication,
        "authenticationinternational" | "authinternational" | "authenticationintl" | "authintl" => {
            Column::AuthenticationInternational
        }
        "service" => Column::Service,
        "businessinitiated" => Column::BusinessInitiated,
        "userinitiated" => Column::UserInitiated,
        _ => return None,
    })
}

/// Market names as Meta's cards write them, plus the few short forms seen in the wild.
fn market(markets: &MarketMap, name: &str) -> Option<MarketId> {
    let name = name.trim().trim_end_matches('*').trim();
    markets.market_by_name(name).or_else(|| {
        let alias = match norm(name).as_str() {
            "uk" | "unitedkingdomuk" => "United Kingdom",
            "uae" => "United Arab Emirates",
            "restofcentraleasterneurope" | "restofcentralandeasterneurope" => {
                "Rest of Central & Eastern Europe"
            }
            _ => return None,
        };
        markets.market_by_name(alias)
    })
}

fn month_number(word: &str) -> Option<u32> {
    const MONTHS: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    let w = word.to_ascii_lowercase();
    let w = w.trim_end_matches('.');
    if w.len() < 3 {
        return None;
    }
    MONTHS
        .iter()
        .position(|m| m.starts_with(w) && (w.len() >= 3))
        .map(|i| i as u32 + 1)
}

fn day_number(word: &str) -> Option<u32> {
    let w = word.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    w.parse().ok().filter(|d| (1..=31).contains(d))
}

/// The date after "effective": `October 1, 2026`, `1 October 2026`, `Oct 1 2026`, `2026-10-01`.
fn effective_date(rest: &str) -> Option<NaiveDate> {
    let words: Vec<&str> = rest
        .split(|c: char| c.is_whitespace() || c == ',')
        .map(|w| w.trim_end_matches(['.', ')', ';', ':']))
        .filter(|w| !w.is_empty())
        .skip_while(|w| matches!(w.to_ascii_lowercase().as_str(), "from" | "as" | "of" | "on"))
        .take(3)
        .collect();
    let first = words.first()?;
    if let Ok(d) = NaiveDate::parse_from_str(first, "%Y-%m-%d") {
        return Some(d);
    }
    let year: i32 = words.get(2)?.parse().ok()?;
    let (month, day) = match (month_number(first), day_number(first)) {
        (Some(m), _) => (m, day_number(words[1])?),
        (None, Some(d)) => (month_number(words[1])?, d),
        _ => return None,
    };
    NaiveDate::from_ymd_opt(year, month, day)
}

/// Reads the title lines above a header.
pub fn title(records: &[StringRecord]) -> Title {
    let mut t = Title::default();
    let lines: Vec<String> = records
        .iter()
        .map(|r| {
            let fields: Vec<&str> = r.iter().collect();
            let end = fields
                .iter()
                .rposition(|f| !f.trim().is_empty())
                .map_or(0, |i| i + 1);
            fields[..end].join(",").trim().to_string()
        })
        .filter(|l| !l.is_empty())
        .collect();
    t.line = records
        .iter()
        .find(|r| r.iter().any(|f| !f.trim().is_empty()))
        .and_then(|r| r.position())
        .map_or(1, |p| p.line());
    t.text = lines.join(" ");
    let lower = t.text.to_lowercase();
    t.tiers = lower.contains("volume tier") || lower.contains("volume-tier");
    for (words, unit) in [
        ("per message", Unit::Message),
        ("per conversation", Unit::Conversation),
    ] {
        if let Some(at) = lower.find(words) {
            t.unit = Some(unit);
            let after = &t.text[at + words.len()..];
            if let Some(rest) = after.trim_start().strip_prefix("in ") {
                let mut tokens = rest.split(|c: char| c.is_whitespace() || c == ',');
                let first = tokens.next().unwrap_or("");
                let second = tokens.next().unwrap_or("");
                let code =
                    currency_code(first).or_else(|| currency_code(&format!("{first}{second}")));
                t.currency = Some((first.to_string(), code));
            }
        }
    }
    if let Some(at) = lower.find("effective") {
        t.date = effective_date(&t.text[at + "effective".len()..]);
    }
    t
}

/// Every record of a file, with its line numbers (blank lines dropped).
pub fn records(text: &str, origin: &str) -> Result<Vec<StringRecord>, BadInput> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut out = Vec::new();
    let mut lines = LineCounter::new(text);
    for r in reader.records() {
        let mut r = r.map_err(|e| BadInput::new(format!("{origin}: {e}")))?;
        lines.fix(&mut r);
        if r.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        out.push(r);
    }
    Ok(out)
}

fn line_of(r: &StringRecord) -> u64 {
    r.position().map_or(0, |p| p.line())
}

/// The index of Meta's header record: the first whose first field is `Market`.
pub fn header_index(records: &[StringRecord]) -> Option<usize> {
    records
        .iter()
        .take(20)
        .position(|r| r.get(0).is_some_and(|f| means(f, "market")))
}

/// Whether the header at `h` is a tier table's (a column group starting with `From`).
pub fn is_tier_header(r: &StringRecord) -> bool {
    r.iter().any(|f| means(f, "from"))
}

/// The card's currency and date: `--tariff-*` first, then the title line.
fn currency_and_date(
    title: &Title,
    ov: &Overrides,
    origin: &str,
    cell_currency: Option<&str>,
) -> Result<(String, NaiveDate), BadInput> {
    let currency = match (&ov.currency, &title.currency, cell_currency) {
        (Some(c), _, _) => c.clone(),
        (None, Some((_, Some(code))), _) => code.clone(),
        (None, Some((word, None)), _) => {
            return Err(BadInput::new(format!(
                "{origin}, line {}: cannot tell the currency from '{}' in the title '{}'",
                title.line,
                crate::error::cut(word),
                crate::error::cut(&title.text)
            ))
            .hint("pass --tariff-currency CODE (e.g. USD)"))
        }
        (None, None, Some(code)) => code.to_string(),
        (None, None, None) => {
            return Err(BadInput::new(format!(
                "{origin}: no currency: no title line such as 'Cost per message in EUR …' and no Currency column"
            ))
            .hint("pass --tariff-currency CODE (e.g. EUR)"))
        }
    };
    let date = match (ov.date, title.date) {
        (Some(d), _) => d,
        (None, Some(d)) => d,
        (None, None) if title.text.is_empty() => {
            return Err(BadInput::new(format!(
                "{origin}: no effective date: the file has no title line such as 'Cost per message in EUR on the WhatsApp Business Platform, effective October 1, 2026'"
            ))
            .hint("pass --tariff-date YYYY-MM-DD"))
        }
        (None, None) => {
            return Err(BadInput::new(format!(
                "{origin}, line {}: cannot read an effective date from the title '{}'",
                title.line,
                crate::error::cut(&title.text)
            ))
            .hint("expected '…, effective October 1, 2026'; or pass --tariff-date YYYY-MM-DD"))
        }
    };
    Ok((currency, date))
}

/// Where a date came from, for errors.
fn date_origin(ov: &Overrides) -> &'static str {
    if ov.date.is_some() {
        "--tariff-date"
    } else {
        "the title line"
    }
}

/// A row with values past the header's last column is broken (often a decimal comma).
fn extra_fields(r: &StringRecord, header: &StringRecord, origin: &str) -> Result<(), BadInput> {
    if r.iter().skip(header.len()).any(|f| !f.trim().is_empty()) {
        return Err(BadInput::new(format!(
            "{origin}, line {}: {} fields but the header has {}",
            line_of(r),
            r.len(),
            header.len()
        ))
        .hint(
            "write rates with a '.' as decimal point (0.0712), and quote cells that contain commas",
        ));
    }
    Ok(())
}

/// A rate cell: a plain decimal, `n/a`, or empty (not known).
fn cell(raw: &str) -> Option<Cell> {
    let t = raw.trim();
    if t.is_empty() {
        return Some(Cell::Empty);
    }
    if matches!(norm(t).as_str(), "na" | "notapplicable") || matches!(t, "-" | "--" | "–" | "—")
    {
        return Some(Cell::NotApplicable);
    }
    match Decimal::from_str(t) {
        Ok(d) if !d.is_sign_negative() => Some(Cell::Rate(d)),
        _ => None,
    }
}

/// Parses a Meta rate card (see the module documentation).
pub fn parse_card(
    text: &str,
    origin: &str,
    markets: &MarketMap,
    ov: &Overrides,
) -> Result<MetaCard, BadInput> {
    let records = records(text, origin)?;
    let h = header_index(&records).ok_or_else(|| {
        BadInput::new(format!("{origin}: no header line starting with 'Market'"))
            .hint("Meta's rate card has a header Market,Currency,Marketing,Utility,Authentication,Authentication-International,Service")
    })?;
    let title = title(&records[..h]);
    let header = &records[h];
    let header_line = line_of(header);
    let mut i_currency = None;
    let mut columns: Vec<(Column, usize)> = Vec::new();
    let mut ignored: Vec<String> = Vec::new();
    for (i, name) in header.iter().enumerate().skip(1) {
        if name.trim().is_empty() {
            continue;
        }
        if means(name, "currency") {
            i_currency = Some(i);
            continue;
        }
        let Some(column) = meta_column(name) else {
            // A misspelt rate column would silently leave its rates out: refused. Anything
            // else (Meta adds columns, such as "Meta Business Agent" in 2026) is named in a
            // note and left out.
            if let Some(like) = misspelt_column(name) {
                return Err(BadInput::new(format!(
                    "{origin}, line {header_line}: '{}' is not a rate-card column; is it {like}?",
                    shown(name)
                ))
                .hint("expected Market, Currency, Marketing, Utility, Authentication, Authentication-International, Service (Business-Initiated and User-Initiated on 2022 cards)"));
            }
            ignored.push(format!("'{}'", shown(name)));
            continue;
        };
        if let Some((_, j)) = columns.iter().find(|(c, _)| *c == column) {
            return Err(BadInput::new(format!(
                "{origin}, line {header_line}: columns {} and {} are both {}",
                j + 1,
                i + 1,
                column.name()
            )));
        }
        columns.push((column, i));
    }
    if columns.is_empty() {
        return Err(BadInput::new(format!(
            "{origin}, line {header_line}: the header names no rate column"
        ))
        .hint("expected Market,Currency,Marketing,Utility,Authentication,Authentication-International,Service"));
    }
    // Without a title or --tariff-currency, the first Currency cell naming a real currency
    // names the card's (a typo such as GBD never does).
    let first_cell_currency = i_currency.and_then(|i| {
        records[h + 1..].iter().find_map(|r| {
            r.get(i)
                .and_then(currency_code)
                .filter(|c| is_iso_currency(c))
        })
    });
    let (currency, date) = currency_and_date(&title, ov, origin, first_cell_currency.as_deref())?;
    check_dates(&title, ov, origin, date, &columns)?;
    let mut notes = Vec::new();
    if !ignored.is_empty() {
        notes.push(format!(
            "{origin}, line {header_line}: ignored column{} {}: not a rate waprice prices",
            if ignored.len() == 1 { "" } else { "s" },
            ignored.join(", ")
        ));
    }
    notes.extend(title_currency_note(&title, ov, origin));
    let mut overridden = Overridden::default();
    let source = if title.text.is_empty() {
        "Meta rate-card CSV (no title line)".to_string()
    } else {
        title.text.clone()
    };
    let mut rows = Vec::new();
    let mut seen: HashMap<MarketId, u64> = HashMap::new();
    for r in &records[h + 1..] {
        let line = line_of(r);
        let get = |i: usize| r.get(i).unwrap_or("").trim();
        let at = |i: usize| Location {
            file: origin.to_string(),
            line,
            column: shown(header.get(i).unwrap_or("")),
            value: get(i).to_string(),
        };
        // A line with text in the first column only is a footnote.
        if r.iter().skip(1).all(|f| f.trim().is_empty()) {
            continue;
        }
        extra_fields(r, header, origin)?;
        let m = market(markets, get(0)).ok_or_else(|| {
            BadInput::new("unknown market").at(at(0)).hint(format!(
                "markets are named as on Meta's cards: {}",
                markets.market_names().join(", ")
            ))
        })?;
        if let Some(i) = i_currency {
            row_currency(get(i), &currency, "card", ov, line, &mut overridden)
                .map_err(|e| e.at(at(i)))?;
        }
        let mut cells: [Cell; 7] = Default::default();
        for &(column, i) in &columns {
            cells[column as usize] = cell(get(i)).ok_or_else(|| {
                BadInput::new("not a rate")
                    .at(at(i))
                    .hint("expected a plain decimal with a '.' (0.0712), 'n/a', or an empty cell")
            })?;
        }
        if let Some(previous) = seen.insert(m, line) {
            return Err(
                BadInput::new(format!("the market is already on line {previous}")).at(at(0)),
            );
        }
        rows.push(CardRow {
            currency: currency.clone(),
            effective_from: date,
            market: m,
            cells,
            confidence: "user file".to_string(),
            source: source.clone(),
            origin: origin.to_string(),
        });
    }
    if rows.is_empty() {
        return Err(BadInput::new(format!(
            "{origin}: the card has a header on line {header_line} but no market rows"
        )));
    }
    notes.extend(overridden.note(origin, &currency));
    Ok(MetaCard {
        rows,
        currency,
        effective_from: date,
        title,
        notes,
    })
}

/// Rate-column keys a misspelt header may be close to.
const COLUMN_KEYS: [(&str, &str); 7] = [
    ("marketing", "Marketing"),
    ("utility", "Utility"),
    ("authentication", "Authentication"),
    (
        "authenticationinternational",
        "Authentication-International",
    ),
    ("service", "Service"),
    ("businessinitiated", "Business-Initiated"),
    ("userinitiated", "User-Initiated"),
];

/// The rate column an unknown header is one or two typos away from.
fn misspelt_column(header: &str) -> Option<&'static str> {
    let key = norm(header);
    COLUMN_KEYS
        .iter()
        .find(|(k, _)| edit_distance(&key, k) <= 2)
        .map(|(_, name)| *name)
}

/// Levenshtein distance of two short ASCII keys.
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, &ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, &cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// The ISO 4217 codes of current currencies: a Currency cell naming one of them is a currency,
/// anything else (`GBD`) is a typo that `--tariff-currency` may override.
const ISO_4217: &str = "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB \
    BRL BSD BTN BWP BYN BZD CAD CDF CHF CLP CNY COP CRC CUC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB \
    EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY \
    KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR \
    MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF \
    SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD \
    TZS UAH UGX USD UYU UZS VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG ZWL";

/// Whether a code is a current ISO 4217 currency.
pub fn is_iso_currency(code: &str) -> bool {
    code.len() == 3 && ISO_4217.split_whitespace().any(|c| c == code)
}

/// Currency cells that `--tariff-currency` overrode: how many, the first value and its line.
#[derive(Default)]
struct Overridden {
    rows: usize,
    first: Option<(String, u64)>,
}

impl Overridden {
    fn note(&self, origin: &str, currency: &str) -> Option<String> {
        let (value, line) = self.first.as_ref()?;
        Some(format!(
            "{origin}: --tariff-currency {currency} overrides the Currency cell{} of {} row{} (first on line {line}: '{value}')",
            if self.rows == 1 { "" } else { "s" },
            self.rows,
            if self.rows == 1 { "" } else { "s" },
        ))
    }
}

/// Checks one row's Currency cell against the file's currency. A cell naming another real
/// currency is an error whatever the options say; one naming no currency (a typo such as
/// `GBD`) is an error unless `--tariff-currency` settles it.
fn row_currency(
    written: &str,
    currency: &str,
    what: &str,
    ov: &Overrides,
    line: u64,
    overridden: &mut Overridden,
) -> Result<(), BadInput> {
    let code = currency_code(written);
    let real = code.as_deref().is_some_and(is_iso_currency);
    match code {
        Some(code) if code == currency => Ok(()),
        _ if written.is_empty() => Ok(()),
        Some(code) if real => Err(BadInput::new(format!(
            "this row is in {code}, the {what} in {currency}"
        ))
        .hint(format!(
            "one file is one currency's {what}; check --tariff-currency"
        ))),
        _ if ov.currency.is_some() => {
            overridden.rows += 1;
            overridden
                .first
                .get_or_insert_with(|| (written.to_string(), line));
            Ok(())
        }
        Some(code) => Err(BadInput::new(format!(
            "'{code}' is no currency, and the {what} is in {currency}"
        ))
        .hint(format!(
            "if the cell is a typo, pass --tariff-currency {currency}"
        ))),
        None => Err(BadInput::new("not a currency")
            .hint("pass --tariff-currency CODE to say which currency the file is in")),
    }
}

/// A note when `--tariff-currency` replaces a different currency in the title line.
fn title_currency_note(title: &Title, ov: &Overrides, origin: &str) -> Option<String> {
    let given = ov.currency.as_ref()?;
    let (word, code) = title.currency.as_ref()?;
    if code.as_ref() == Some(given) {
        return None;
    }
    Some(format!(
        "{origin}, line {}: --tariff-currency {given} overrides '{word}' in the title",
        title.line
    ))
}

/// A per-message card cannot be dated before 2025-07-01, a conversation card not after, and
/// the 2022 columns belong to cards before 2023-06-01: a mismatch is almost always a wrong
/// `--tariff-date`.
fn check_dates(
    title: &Title,
    ov: &Overrides,
    origin: &str,
    date: NaiveDate,
    columns: &[(Column, usize)],
) -> Result<(), BadInput> {
    let from = date_origin(ov);
    match title.unit {
        Some(Unit::Message) if date < ERA_C_FROM => {
            return Err(BadInput::new(format!(
                "{origin}, line {}: a per-message card dated {date} (from {from}): Meta prices per message from {ERA_C_FROM}",
                title.line
            ))
            .hint("check the date; conversation-era cards say 'Cost per conversation'"))
        }
        Some(Unit::Conversation) if date >= ERA_C_FROM => {
            return Err(BadInput::new(format!(
                "{origin}, line {}: a per-conversation card dated {date} (from {from}): conversations were priced until {}",
                title.line,
                ERA_C_FROM.pred_opt().unwrap_or(ERA_C_FROM)
            ))
            .hint("check the date; cards from July 2025 say 'Cost per message'"))
        }
        _ => {}
    }
    let era_a = columns
        .iter()
        .any(|(c, _)| matches!(c, Column::BusinessInitiated | Column::UserInitiated));
    if era_a && date >= ERA_B_FROM {
        return Err(BadInput::new(format!(
            "{origin}: Business-Initiated/User-Initiated columns on a card dated {date} (from {from}): those rates ended on {}",
            ERA_B_FROM.pred_opt().unwrap_or(ERA_B_FROM)
        ))
        .hint("check the date"));
    }
    Ok(())
}

/// A message count: digits, with or without thousands separators; `None` for an empty,
/// `n/a` or open (`+`) bound.
fn count(raw: &str) -> Result<Option<u64>, ()> {
    let t = raw.trim().trim_end_matches('+').trim();
    if t.is_empty() || matches!(norm(t).as_str(), "na" | "notapplicable") || t == "--" {
        return Ok(None);
    }
    let digits: String = t
        .chars()
        .filter(|c| !matches!(c, ',' | ' ' | '_'))
        .collect();
    digits.parse().map(Some).map_err(|_| ())
}

/// One category's columns in a tier table.
struct Group {
    column: Column,
    from: usize,
    to: Option<usize>,
    rate: usize,
}

/// Parses Meta's volume-tier table (see the module documentation).
pub fn parse_tiers(
    text: &str,
    origin: &str,
    markets: &MarketMap,
    ov: &Overrides,
) -> Result<(Vec<TierTable>, Vec<String>), BadInput> {
    let records = records(text, origin)?;
    let h = header_index(&records)
        .filter(|&h| is_tier_header(&records[h]))
        .ok_or_else(|| {
            BadInput::new(format!(
                "{origin}: no tier header (Market,Currency,From,To,…,Rate,…)"
            ))
        })?;
    let header = &records[h];
    let header_line = line_of(header);
    // A line of category names over the column groups, if the file has one.
    let names = (h > 0).then(|| &records[h - 1]);
    let title = title(
        &records[..h.saturating_sub(usize::from(
            names.is_some_and(|r| r.iter().any(|f| tier_category(f).is_some())),
        ))],
    );
    let starts: Vec<usize> = header
        .iter()
        .enumerate()
        .filter(|(_, f)| means(f, "from"))
        .map(|(i, _)| i)
        .collect();
    let i_currency = header.iter().position(|f| means(f, "currency"));
    // Columns waprice does not read, named in a note: before the groups, any but Market and
    // Currency; inside a group, any but Meta's own (From, To, Tier, Rate type, Rate, Discount).
    let ignored: Vec<String> = header
        .iter()
        .enumerate()
        .skip(1)
        .filter(|&(i, f)| {
            !f.trim().is_empty()
                && Some(i) != i_currency
                && if starts.first().is_some_and(|&s| i >= s) {
                    by_meaning(f, |k| known_group_column(k).then_some(())).is_none()
                } else {
                    true
                }
        })
        .map(|(_, f)| format!("'{}'", shown(f)))
        .collect();
    let default_order = [
        Column::Utility,
        Column::Authentication,
        Column::AuthenticationInternational,
    ];
    let mut groups = Vec::new();
    for (k, &start) in starts.iter().enumerate() {
        let end = starts.get(k + 1).copied().unwrap_or(header.len());
        let named = names.and_then(|r| (start..end).find_map(|i| r.get(i).and_then(tier_category)));
        let column = match named.or_else(|| default_order.get(k).copied()) {
            Some(c) => c,
            None => {
                return Err(BadInput::new(format!(
                    "{origin}, line {header_line}: more column groups than tiered categories"
                ))
                .hint("Meta's tier table has groups for Utility, Authentication and Authentication-International"))
            }
        };
        let to = (start + 1..end).find(|&i| header.get(i).is_some_and(|f| means(f, "to")));
        // A column named exactly Rate is the tier rate; failing that, the one column whose
        // name says rate or price that is not a list rate, a discount or a rate type.
        let exact: Vec<usize> = (start + 1..end)
            .filter(|&i| header.get(i).is_some_and(|f| means(f, "rate")))
            .collect();
        let rates: Vec<usize> = if exact.is_empty() {
            (start + 1..end)
                .filter(|&i| {
                    let n = header.get(i).map(norm).unwrap_or_default();
                    (n.contains("rate") || n.contains("price"))
                        && !n.contains("discount")
                        && !n.contains("type")
                        && !n.starts_with("list")
                })
                .collect()
        } else {
            exact
        };
        let rate = match rates.as_slice() {
            [one] => *one,
            _ => {
                let headers: Vec<String> = (start..end)
                    .filter_map(|i| header.get(i))
                    .map(shown)
                    .collect();
                return Err(BadInput::new(format!(
                    "{origin}, line {header_line}: cannot tell which column of the {} group holds the tier rate (columns: {})",
                    column.name(),
                    headers.join(", ")
                ))
                .hint("expected one column named Rate after From and To; or write the table in waprice's tier layout (currency,effective_from,market,category,threshold,rate)"));
            }
        };
        groups.push(Group {
            column,
            from: start,
            to,
            rate,
        });
    }
    let first_cell_currency = i_currency.and_then(|i| {
        records[h + 1..].iter().find_map(|r| {
            r.get(i)
                .and_then(currency_code)
                .filter(|c| is_iso_currency(c))
        })
    });
    let (currency, date) = currency_and_date(&title, ov, origin, first_cell_currency.as_deref())?;
    let mut notes = Vec::new();
    if !ignored.is_empty() {
        notes.push(format!(
            "{origin}, line {header_line}: ignored column{} {}: not read from a tier table",
            if ignored.len() == 1 { "" } else { "s" },
            ignored.join(", ")
        ));
    }
    notes.extend(title_currency_note(&title, ov, origin));
    let mut overridden = Overridden::default();
    let source = if title.text.is_empty() {
        "Meta volume-tier CSV (no title line)".to_string()
    } else {
        title.text.clone()
    };
    // (market, column) -> tiers as (from, to, rate, line).
    type Tiers = Vec<(u64, Option<u64>, Decimal, u64)>;
    let mut found: BTreeMap<(MarketId, Column), Tiers> = BTreeMap::new();
    let mut current: Option<MarketId> = None;
    for r in &records[h + 1..] {
        let line = line_of(r);
        let get = |i: usize| r.get(i).unwrap_or("").trim();
        let at = |i: usize| Location {
            file: origin.to_string(),
            line,
            column: shown(header.get(i).unwrap_or("")),
            value: get(i).to_string(),
        };
        if r.iter().skip(1).all(|f| f.trim().is_empty()) {
            continue;
        }
        extra_fields(r, header, origin)?;
        if !get(0).is_empty() {
            current = Some(market(markets, get(0)).ok_or_else(|| {
                BadInput::new("unknown market").at(at(0)).hint(format!(
                    "markets are named as on Meta's cards: {}",
                    markets.market_names().join(", ")
                ))
            })?);
        }
        let m = current.ok_or_else(|| {
            BadInput::new(format!(
                "{origin}, line {line}: a tier row before any row naming its market"
            ))
        })?;
        if let Some(i) = i_currency {
            row_currency(get(i), &currency, "table", ov, line, &mut overridden)
                .map_err(|e| e.at(at(i)))?;
        }
        for g in &groups {
            let bad_count = |i: usize| {
                BadInput::new("not a message count")
                    .at(at(i))
                    .hint("write monthly message counts as digits, e.g. 100000 or 100,000")
            };
            let from = count(get(g.from)).map_err(|_| bad_count(g.from))?;
            let to = match g.to {
                Some(i) => count(get(i)).map_err(|_| bad_count(i))?,
                None => None,
            };
            let rate = match cell(get(g.rate)) {
                Some(Cell::Rate(r)) => Some(r),
                Some(_) => None,
                None => {
                    return Err(BadInput::new("not a rate").at(at(g.rate)).hint(
                        "expected a plain decimal with a '.' (0.0038), 'n/a', or an empty cell",
                    ))
                }
            };
            match (from, rate) {
                (None, None) => continue,
                (Some(from), Some(rate)) => found
                    .entry((m, g.column))
                    .or_default()
                    .push((from, to, rate, line)),
                (None, Some(_)) => return Err(bad_count(g.from)),
                (Some(_), None) => {
                    return Err(BadInput::new("a tier without a rate")
                        .at(at(g.rate))
                        .hint("every tier needs its rate per message"))
                }
            }
        }
    }
    let mut tables = Vec::new();
    for ((m, column), mut tiers) in found {
        tier::check_key(date, column).map_err(|e| {
            BadInput::new(format!(
                "{origin}, line {}: {e} (from {})",
                title.line,
                date_origin(ov)
            ))
        })?;
        tiers.sort_by_key(|t| t.0);
        // Tiers must follow on: each starts right after the previous one ends.
        for w in tiers.windows(2) {
            let (prev, next) = (&w[0], &w[1]);
            match prev.1 {
                Some(to) if to + 1 == next.0.max(1) => {}
                Some(to) => {
                    return Err(BadInput::new(format!(
                        "{origin}, line {}: the {} tier of {} starts at {} but the tier before it (line {}) ends at {to}",
                        next.3,
                        column.name(),
                        markets.market_name(m),
                        next.0,
                        prev.3
                    ))
                    .hint("tiers must follow each other without gaps or overlaps"))
                }
                None => {
                    return Err(BadInput::new(format!(
                        "{origin}, line {}: the {} tier of {} on line {} has no upper bound, yet another tier follows",
                        prev.3,
                        column.name(),
                        markets.market_name(m),
                        next.3
                    ))
                    .hint("only the last tier may leave 'To' empty"))
                }
            }
        }
        let raw: Vec<RawBand> = tiers
            .iter()
            .map(|&(from, _, rate, line)| (from.max(1), Some(rate), line))
            .collect();
        let bands = tier::bands(raw)
            .map_err(|(line, what)| BadInput::new(format!("{origin}, line {line}: {what}")))?;
        tables.push(TierTable {
            currency: currency.clone(),
            effective_from: date,
            market: m,
            category: column,
            bands,
            source: source.clone(),
            origin: origin.to_string(),
        });
    }
    if tables.is_empty() {
        return Err(BadInput::new(format!(
            "{origin}: the tier table has a header on line {header_line} but no tiers"
        )));
    }
    notes.extend(overridden.note(origin, &currency));
    Ok((tables, notes))
}

/// Columns of a tier group that Meta's files have and waprice reads or knowingly skips.
fn known_group_column(key: &str) -> bool {
    matches!(
        key,
        "from" | "to" | "tier" | "ratetype" | "rate" | "listrate" | "volumetier" | "tiername"
    ) || key.starts_with("discount")
}

/// A category named over a tier table's column group.
fn tier_category(name: &str) -> Option<Column> {
    by_meaning(name, |k| match k {
        "utility" => Some(Column::Utility),
        "authentication" => Some(Column::Authentication),
        "authenticationinternational" | "authinternational" | "authintl" => {
            Some(Column::AuthenticationInternational)
        }
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    const EUR: &str = "Cost per message in EUR on the WhatsApp Business Platform, effective October 1, 2026\n\
        Market,Currency,Marketing,Utility,Authentication,\"Authentication-\nInternational\",Service\n\
        France,€,0.0712,0.0248,0.0248,n/a,0.0248\n\
        India,EUR,0.0099,0.0012,0.0012,0.0252,0.0012\n";

    #[test]
    fn currencies_as_meta_writes_them() {
        for (written, code) in [
            ("$US", "USD"),
            ("US$", "USD"),
            ("USD", "USD"),
            ("€", "EUR"),
            ("eur", "EUR"),
            ("£", "GBP"),
            ("R$", "BRL"),
            ("₹", "INR"),
            ("AED", "AED"),
        ] {
            assert_eq!(currency_code(written).as_deref(), Some(code), "{written}");
        }
        assert_eq!(currency_code("$"), None);
        assert_eq!(currency_code("dollars"), None);
    }

    #[test]
    fn title_lines_give_unit_currency_and_date() {
        let recs = records(
            "Cost per message in EUR, effective October 1, 2026\nMarket\n",
            "t",
        )
        .unwrap();
        let t = title(&recs[..1]);
        assert_eq!(t.text, "Cost per message in EUR, effective October 1, 2026");
        assert_eq!(t.unit, Some(Unit::Message));
        assert_eq!(t.currency, Some(("EUR".into(), Some("EUR".into()))));
        assert_eq!(t.date, Some(d("2026-10-01")));
        for (text, date) in [
            ("Cost per conversation in $US, effective June 1, 2023", "2023-06-01"),
            ("\"Cost per message in US$ on the WhatsApp Business Platform, effective 1 July 2025\",,,", "2025-07-01"),
            ("Cost per message in INR, effective Oct 1 2025", "2025-10-01"),
            ("Cost per message in BRL, effective 2026-07-01", "2026-07-01"),
        ] {
            let recs = records(text, "t").unwrap();
            assert_eq!(title(&recs).date, Some(d(date)), "{text}");
        }
    }

    #[test]
    fn a_meta_card_with_its_embedded_newline_header() {
        let m = MarketMap::bundled();
        let card = parse_card(EUR, "eur.csv", &m, &Overrides::default()).unwrap();
        assert_eq!(card.currency, "EUR");
        assert_eq!(card.effective_from, d("2026-10-01"));
        assert_eq!(card.rows.len(), 2);
        let fr = &card.rows[0];
        assert_eq!(fr.market, m.market_by_name("France").unwrap());
        assert_eq!(
            fr.cell(Column::Marketing),
            &Cell::Rate(Decimal::new(712, 4))
        );
        assert_eq!(
            fr.cell(Column::AuthenticationInternational),
            &Cell::NotApplicable
        );
        assert_eq!(fr.cell(Column::BusinessInitiated), &Cell::Empty);
        // Precision as printed.
        assert_eq!(
            card.rows[1].cell(Column::Utility),
            &Cell::Rate(Decimal::from_str("0.0012").unwrap())
        );
        assert_eq!(card.rows[1].source, card.title.text);
    }

    #[test]
    fn overrides_win_over_the_title_and_replace_a_missing_one() {
        let m = MarketMap::bundled();
        let ov = Overrides {
            date: Some(d("2027-01-01")),
            currency: None,
        };
        let card = parse_card(EUR, "eur.csv", &m, &ov).unwrap();
        assert_eq!(card.effective_from, d("2027-01-01"));
        let bare = "Market,Currency,Marketing,Utility\nFrance,$US,0.0859,0.03\n";
        let err = parse_card(bare, "bare.csv", &m, &Overrides::default())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("no effective date") && err.contains("--tariff-date"),
            "{err}"
        );
        let ov = Overrides {
            date: Some(d("2026-10-01")),
            currency: None,
        };
        let card = parse_card(bare, "bare.csv", &m, &ov).unwrap();
        assert_eq!(card.currency, "USD");
    }

    #[test]
    fn conversation_and_2022_cards() {
        let m = MarketMap::bundled();
        let conv = "Cost per conversation in US$, effective June 1, 2023\n\
            Market,Currency,Marketing,Utility,Authentication,\"Authentication-\nInternational\",Service\n\
            Malaysia,US$,0.0860,0.0200,0.0180,n/a,0.0220\n";
        let card = parse_card(conv, "c.csv", &m, &Overrides::default()).unwrap();
        assert_eq!(card.title.unit, Some(Unit::Conversation));
        assert_eq!(card.effective_from, d("2023-06-01"));
        let a = "Cost per conversation in EUR, effective February 1, 2022\n\
            Market,Currency,Business-Initiated,User-Initiated\n\
            France,EUR,0.1186,0.0712\n";
        let card = parse_card(a, "a.csv", &m, &Overrides::default()).unwrap();
        assert_eq!(
            card.rows[0].cell(Column::UserInitiated),
            &Cell::Rate(Decimal::new(712, 4))
        );
        // The same card given a date of the per-message era is refused.
        let ov = Overrides {
            date: Some(d("2025-07-01")),
            currency: None,
        };
        let err = parse_card(conv, "c.csv", &m, &ov).unwrap_err().to_string();
        assert!(
            err.contains("per-conversation card dated 2025-07-01 (from --tariff-date)"),
            "{err}"
        );
    }

    #[test]
    fn errors_name_the_line_and_what_was_expected() {
        let m = MarketMap::bundled();
        let ov = Overrides::default();
        let title = "Cost per message in EUR, effective October 1, 2026\n";
        let err = |body: &str| {
            parse_card(&format!("{title}{body}"), "x.csv", &m, &ov)
                .unwrap_err()
                .to_string()
        };
        let e = err("Market,Currency,Marketing,Utilty\nFrance,EUR,0.07,0.01\n");
        assert!(
            e.contains("x.csv, line 2: 'Utilty' is not a rate-card column; is it Utility?"),
            "{e}"
        );
        let e = err("Market,Currency,Marketing\nFrance,EUR,0,07\n");
        assert!(e.contains("line 3: 4 fields but the header has 3"), "{e}");
        let e = err("Market,Currency,Marketing\nFrance,EUR,seven\n");
        assert!(
            e.contains("line 3, column 'Marketing': not a rate (value 'seven')"),
            "{e}"
        );
        let e = err("Market,Currency,Marketing\nAtlantis,EUR,0.07\n");
        assert!(e.contains("line 3, column 'Market': unknown market"), "{e}");
        let e = err("Market,Currency,Marketing\nFrance,$US,0.07\n");
        assert!(e.contains("this row is in USD, the card in EUR"), "{e}");
        let e = err("Market,Currency,Marketing\nFrance,EUR,0.07\nFrance,EUR,0.08\n");
        assert!(
            e.contains("line 4") && e.contains("already on line 3"),
            "{e}"
        );
        let e = parse_card(
            "Cost per message in EUR, effective 2024-01-01\nMarket,Currency,Marketing\nFrance,EUR,0.07\n",
            "x.csv",
            &m,
            &ov,
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("per-message card dated 2024-01-01 (from the title line)"),
            "{e}"
        );
        let e = parse_card(
            "Cost per message in $, effective October 1, 2026\nMarket,Marketing\nFrance,0.07\n",
            "x.csv",
            &m,
            &ov,
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("cannot tell the currency from '$'") && e.contains("--tariff-currency"),
            "{e}"
        );
    }

    #[test]
    fn meta_tier_table_with_category_groups() {
        let m = MarketMap::bundled();
        let text = "Cost per message in USD, effective October 1, 2026. Reflecting volume tiers\n\
            ,,Utility,,,,,Authentication,,,,\n\
            Market,Currency,From,To,Tier,Rate,Discount,From,To,Tier,Rate,Discount\n\
            India,$US,0,3,List rate,0.0014,0%,0,\"1,000\",List rate,0.0014,0%\n\
            ,,4,5,Tier 1,0.0013,-5%,\"1,001\",,Tier 1,0.0012,-10%\n\
            ,,6,,Tier 2,0.0012,-10%,n/a,n/a,n/a,n/a,n/a\n";
        let (tables, notes) = parse_tiers(text, "t.csv", &m, &Overrides::default()).unwrap();
        assert!(notes.is_empty(), "{notes:?}");
        assert_eq!(tables.len(), 2);
        let util = tables
            .iter()
            .find(|t| t.category == Column::Utility)
            .unwrap();
        assert_eq!(util.currency, "USD");
        assert_eq!(util.effective_from, d("2026-10-01"));
        assert_eq!(
            util.bands.iter().map(|b| b.first).collect::<Vec<_>>(),
            vec![1, 4, 6]
        );
        assert_eq!(util.band(5).0.to_string(), "4:5");
        assert_eq!(util.band(7), (util.tier(2), Some(Decimal::new(12, 4))));
        let auth = tables
            .iter()
            .find(|t| t.category == Column::Authentication)
            .unwrap();
        assert_eq!(auth.band(1001).0.to_string(), "1001+");
        // A gap between tiers is an error naming both lines.
        let gap = text.replace(",,4,5,Tier 1", ",,5,5,Tier 1");
        let e = parse_tiers(&gap, "t.csv", &m, &Overrides::default())
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 5") && e.contains("ends at 3"), "{e}");
    }

    #[test]
    fn headers_match_by_meaning() {
        for (header, key) in [
            ("Market\n(per rate card)", "market"),
            ("  Market  ", "market"),
            ("Currency (ISO)", "currency"),
        ] {
            assert!(means(header, key), "{header}");
        }
        assert!(!means("Market share", "market"));
        assert_eq!(meta_column("Marketing (USD)"), Some(Column::Marketing));
        assert_eq!(
            meta_column("Authentication (International)"),
            Some(Column::AuthenticationInternational)
        );
        assert_eq!(
            meta_column("Authentication-\r\nInternational"),
            Some(Column::AuthenticationInternational)
        );
        assert_eq!(meta_column("Utility rates"), Some(Column::Utility));
        assert_eq!(meta_column("Meta Business Agent"), None);
        assert_eq!(misspelt_column("Meta Business Agent"), None);
        assert_eq!(misspelt_column("Marketting"), Some("Marketing"));
        assert_eq!(shown("Market\n(per rate card)"), "Market (per rate card)");
    }

    #[test]
    fn unknown_columns_are_left_out_and_named() {
        let m = MarketMap::bundled();
        let text = "Cost per message in USD, effective October 1, 2026\n\
            Market,Currency,Marketing,Utility,Meta Business Agent,Service,Notes\n\
            France,$US,0.0859,0.03,0.12,0.03,see footnote\n";
        let card = parse_card(text, "x.csv", &m, &Overrides::default()).unwrap();
        assert_eq!(
            card.notes,
            vec!["x.csv, line 2: ignored columns 'Meta Business Agent', 'Notes': not a rate waprice prices"]
        );
        let fr = &card.rows[0];
        assert_eq!(fr.cell(Column::Service), &Cell::Rate(Decimal::new(3, 2)));
        assert_eq!(
            fr.cell(Column::Marketing),
            &Cell::Rate(Decimal::new(859, 4))
        );
    }

    #[test]
    fn a_currency_typo_is_refused_unless_the_option_settles_it() {
        let m = MarketMap::bundled();
        let text = "Cost per message in GBP, effective October 1, 2026\n\
            Market,Currency,Marketing\n\
            France,GBP,0.07\n\
            Germany,GBD,0.08\n\
            Italy,GBD,0.06\n";
        let e = parse_card(text, "x.csv", &m, &Overrides::default())
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("line 4, column 'Currency': 'GBD' is no currency, and the card is in GBP"),
            "{e}"
        );
        assert!(e.contains("pass --tariff-currency GBP"), "{e}");
        let ov = Overrides {
            date: None,
            currency: Some("GBP".into()),
        };
        let card = parse_card(text, "x.csv", &m, &ov).unwrap();
        assert_eq!(card.rows.len(), 3);
        assert!(card.rows.iter().all(|r| r.currency == "GBP"));
        assert_eq!(
            card.notes,
            vec!["x.csv: --tariff-currency GBP overrides the Currency cells of 2 rows (first on line 4: 'GBD')"]
        );
        // A cell naming another real currency is no typo: refused even with the option.
        let usd = text.replace("Italy,GBD", "Italy,USD");
        let e = parse_card(&usd, "x.csv", &m, &ov).unwrap_err().to_string();
        assert!(
            e.contains("line 5, column 'Currency': this row is in USD, the card in GBP"),
            "{e}"
        );
        assert!(is_iso_currency("BBD") && !is_iso_currency("GBD"));
        // Without a title, a typo never names the card's currency.
        let bare = "Market,Currency,Marketing\nUnited Kingdom,GBD,0.0458\n";
        let dated = Overrides {
            date: Some(d("2026-07-01")),
            currency: None,
        };
        let e = parse_card(bare, "x.csv", &m, &dated)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("no currency") && e.contains("--tariff-currency"),
            "{e}"
        );
        // The option over a title naming another currency says so.
        let titled =
            "Cost per message in GBP, effective October 1, 2026\nMarket,Marketing\nFrance,0.07\n";
        let eur = Overrides {
            date: None,
            currency: Some("EUR".into()),
        };
        let card = parse_card(titled, "x.csv", &m, &eur).unwrap();
        assert_eq!(card.currency, "EUR");
        assert_eq!(
            card.notes,
            vec!["x.csv, line 1: --tariff-currency EUR overrides 'GBP' in the title"]
        );
    }

    #[test]
    fn tier_tables_with_a_qualified_market_header_and_a_rate_type_column() {
        let m = MarketMap::bundled();
        let text = "Cost per message in USD, effective October 1, 2026. Reflecting volume tiers\n\
            ,,Utility,,,,,Authentication,,,,\n\
            \"Market\n(per rate card)\",Currency,From,To,Rate type,Rate,Discount,From,To,Rate type,Rate,Discount,Region\n\
            India,$US,0,3,List rate,0.0014,0%,0,\"1,000\",List rate,0.0014,0%,APAC\n\
            ,,4,,Tier 1,0.0013,-5%,\"1,001\",,Tier 1,0.0012,-10%,\n";
        let (tables, notes) = parse_tiers(text, "t.csv", &m, &Overrides::default()).unwrap();
        assert_eq!(tables.len(), 2);
        let util = tables
            .iter()
            .find(|t| t.category == Column::Utility)
            .unwrap();
        assert_eq!(util.band(4), (util.tier(1), Some(Decimal::new(13, 4))));
        assert_eq!(
            notes,
            vec!["t.csv, line 3: ignored column 'Region': not read from a tier table"]
        );
    }
}
