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

mod card;
mod tiers;
mod title;
pub use card::*;
pub use tiers::*;
pub use title::*;

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
    /// `--tariff-date`: the effective date, instead of the title's.
    pub date: Option<NaiveDate>,
    /// `--tariff-currency`: the currency, instead of the title's.
    pub currency: Option<String>,
}

/// What a card's title line says about the unit it prices.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// Per message ("cost per message").
    Message,
    /// Per conversation ("cost per conversation").
    Conversation,
}

/// What the lines above the header say.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Title {
    /// The lines as written (fields joined back with commas), or empty.
    pub text: String,
    /// The first line of the title.
    pub line: u64,
    /// The unit the title names, if any.
    pub unit: Option<Unit>,
    /// The currency word as written ("EUR", "$US"), and the ISO code it names.
    pub currency: Option<(String, Option<String>)>,
    /// The effective date the title names, if any.
    pub date: Option<NaiveDate>,
    /// "Reflecting volume tiers" or the like.
    pub tiers: bool,
}

impl Title {
    /// The source a file's rows cite: its title as written, or `fallback` when it has none.
    fn source_or(&self, fallback: &str) -> String {
        if self.text.is_empty() {
            fallback.to_string()
        } else {
            self.text.clone()
        }
    }
}

/// A Meta rate card as read.
#[derive(Debug, Clone)]
pub struct MetaCard {
    /// The card's rows, in waprice's form.
    pub rows: Vec<CardRow>,
    /// The card's currency.
    pub currency: String,
    /// The day the card takes effect.
    pub effective_from: NaiveDate,
    /// What the lines above the header said.
    pub title: Title,
    /// What the reader left out or overrode, for the user.
    pub notes: Vec<String>,
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

/// The first ISO currency code in column `i` of the rows: the table's currency when the
/// title does not say it.
fn first_currency(rows: &[StringRecord], i: usize) -> Option<String> {
    rows.iter().find_map(|r| {
        r.get(i)
            .and_then(currency_code)
            .filter(|c| is_iso_currency(c))
    })
}

/// One row under a header, its cells trimmed and located for errors.
struct FileRow<'a> {
    r: &'a StringRecord,
    line: u64,
    origin: &'a str,
    header: &'a StringRecord,
}

impl FileRow<'_> {
    /// Cell `i`, trimmed (empty past the row's end).
    fn get(&self, i: usize) -> &str {
        self.r.get(i).unwrap_or("").trim()
    }

    /// Where cell `i` is: the file, line, column header and value.
    fn at(&self, i: usize) -> Location {
        Location {
            file: self.origin.to_string(),
            line: self.line,
            column: shown(self.header.get(i).unwrap_or("")),
            value: self.get(i).to_string(),
        }
    }

    /// The market the row's first cell names.
    fn market(&self, markets: &MarketMap) -> Result<MarketId, BadInput> {
        market(markets, self.get(0)).ok_or_else(|| {
            BadInput::new("unknown market").at(self.at(0)).hint(format!(
                "markets are named as on Meta's cards: {}",
                markets.market_names().join(", ")
            ))
        })
    }
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

/// A Meta file's first notes: the columns it has that waprice does not read (`why` says
/// why), and a title whose currency an option overrode.
fn opening_notes(
    origin: &str,
    header_line: u64,
    ignored: &[String],
    why: &str,
    title: &Title,
    ov: &Overrides,
) -> Vec<String> {
    let mut notes = Vec::new();
    if !ignored.is_empty() {
        notes.push(format!(
            "{origin}, line {header_line}: ignored column{} {}: {why}",
            if ignored.len() == 1 { "" } else { "s" },
            ignored.join(", ")
        ));
    }
    notes.extend(title_currency_note(title, ov, origin));
    notes
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

#[cfg(test)]
mod tests;
