//! A user's tariff files (`--tariff`, `--tiers`, `waprice tariffs check`), in whichever layout
//! they come: Meta's CSV as downloaded, or waprice's own layout of `tariffs/`. The layout is
//! detected from the header, and anything else is an error naming the line and the layouts
//! expected.

use super::card::{self, CardRow, RateCards};
use super::market::MarketMap;
use super::meta_csv::{self, Overrides, Title};
use super::tier::{self, TierTable, TierTables};
use crate::error::BadInput;

/// The layouts waprice reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// `currency,effective_from,market,marketing,…` (tariffs/rate-cards.csv).
    WapriceCard,
    /// `currency,effective_from,market,category,threshold,rate`.
    WapriceTiers,
    /// Meta's rate card: a title line, then `Market,Currency,Marketing,…`.
    MetaCard,
    /// Meta's volume-tier table: a title line, then `Market,Currency,From,To,…`.
    MetaTiers,
}

impl Layout {
    /// The layout as messages name it.
    pub fn describe(self) -> &'static str {
        match self {
            Layout::WapriceCard => "waprice's rate-card layout",
            Layout::WapriceTiers => "waprice's tier layout",
            Layout::MetaCard => "Meta's rate-card CSV",
            Layout::MetaTiers => "Meta's volume-tier CSV",
        }
    }

    /// Whether the file is in Meta's layout (where `--tariff-date` and `--tariff-currency` apply).
    pub fn is_meta(self) -> bool {
        matches!(self, Layout::MetaCard | Layout::MetaTiers)
    }
}

const EXPECTED: &str = "expected Meta's rate card as downloaded (a line such as 'Cost per message in EUR on the WhatsApp Business Platform, effective October 1, 2026', then the header Market,Currency,Marketing,Utility,Authentication,Authentication-International,Service), Meta's volume-tier table (Market,Currency,From,To,…), or waprice's layouts (currency,effective_from,market,marketing,… or currency,effective_from,market,category,threshold,rate)";

/// Which layout a file is in, from its first lines.
pub fn detect(text: &str, origin: &str) -> Result<Layout, BadInput> {
    let records = meta_csv::records(text, origin)?;
    let first = records
        .first()
        .ok_or_else(|| BadInput::new(format!("{origin}: the file is empty")).hint(EXPECTED))?;
    let names: Vec<String> = first
        .iter()
        .map(|f| f.trim().to_ascii_lowercase())
        .collect();
    let has = |n: &str| names.iter().any(|f| f == n);
    if has("currency") && has("effective_from") && has("market") {
        return Ok(if has("threshold") {
            Layout::WapriceTiers
        } else {
            Layout::WapriceCard
        });
    }
    if let Some(h) = meta_csv::header_index(&records) {
        return Ok(if meta_csv::is_tier_header(&records[h]) {
            Layout::MetaTiers
        } else {
            Layout::MetaCard
        });
    }
    let line = first.position().map_or(1, |p| p.line());
    let shown: Vec<&str> = first.iter().collect();
    let mut shown = shown.join(",");
    if shown.chars().count() > 80 {
        shown = shown.chars().take(77).collect::<String>() + "...";
    }
    Err(BadInput::new(format!(
        "{origin}, line {line}: not a rate card or tier table (it starts '{shown}', and no line within the first 20 starts with 'Market')"
    ))
    .hint(EXPECTED))
}

/// A rate-card file as read.
#[derive(Debug, Clone)]
pub struct CardFile {
    /// The layout it was in.
    pub layout: Layout,
    /// Meta's title line, for a Meta card.
    pub title: Option<Title>,
    /// Its rows, in waprice's form.
    pub rows: Vec<CardRow>,
    /// Columns left out, currency cells overridden: for the user.
    pub notes: Vec<String>,
}

/// A tier file as read.
#[derive(Debug, Clone)]
pub struct TierFile {
    /// The layout it was in.
    pub layout: Layout,
    /// Its tables.
    pub tables: Vec<TierTable>,
    /// Columns left out, currency cells overridden: for the user.
    pub notes: Vec<String>,
}

/// Reads a rate card in either layout; `ov` applies to Meta's layout only.
pub fn read_cards(
    text: &str,
    origin: &str,
    markets: &MarketMap,
    ov: &Overrides,
) -> Result<CardFile, BadInput> {
    match detect(text, origin)? {
        Layout::WapriceCard => Ok(CardFile {
            layout: Layout::WapriceCard,
            title: None,
            rows: card::parse(text, origin, markets)?,
            notes: Vec::new(),
        }),
        Layout::MetaCard => {
            let card = meta_csv::parse_card(text, origin, markets, ov)?;
            Ok(CardFile {
                layout: Layout::MetaCard,
                title: Some(card.title),
                rows: card.rows,
                notes: card.notes,
            })
        }
        tiers => Err(BadInput::new(format!(
            "{origin} is a volume-tier table ({}), not a rate card",
            tiers.describe()
        ))
        .hint(format!("load it with --tiers {origin}"))),
    }
}

/// Reads a tier table in either layout; `ov` applies to Meta's layout only.
pub fn read_tiers(
    text: &str,
    origin: &str,
    markets: &MarketMap,
    ov: &Overrides,
) -> Result<TierFile, BadInput> {
    match detect(text, origin)? {
        Layout::WapriceTiers => Ok(TierFile {
            layout: Layout::WapriceTiers,
            tables: tier::parse(text, origin, markets)?,
            notes: Vec::new(),
        }),
        Layout::MetaTiers => {
            let (tables, notes) = meta_csv::parse_tiers(text, origin, markets, ov)?;
            Ok(TierFile {
                layout: Layout::MetaTiers,
                tables,
                notes,
            })
        }
        cards => Err(BadInput::new(format!(
            "{origin} is a rate card ({}), not a volume-tier table",
            cards.describe()
        ))
        .hint(format!("load it with --tariff {origin}"))),
    }
}

/// `--tariff-date` and `--tariff-currency` describe a file in Meta's layout: given when none of
/// the `meta_files` loaded is one, they would do nothing, so that is an error.
pub fn overrides_used(ov: &Overrides, meta_files: usize) -> Result<(), BadInput> {
    if (ov.date.is_some() || ov.currency.is_some()) && meta_files == 0 {
        return Err(BadInput::new(
            "--tariff-date and --tariff-currency describe a file in Meta's CSV layout, and none was loaded",
        )
        .hint("files in waprice's layout carry currency and effective_from on every row"));
    }
    Ok(())
}

/// The bundled cards plus user files (origin, text) in any layout; a user row replaces a
/// bundled (or earlier) row with the same currency, date and market. Also returns how many
/// files were in Meta's layout, and the notes of reading them.
pub fn load_cards(
    markets: &MarketMap,
    files: &[(String, String)],
    ov: &Overrides,
) -> Result<(RateCards, usize, Vec<String>), BadInput> {
    let mut rows = card::bundled(markets)?;
    let mut meta = 0;
    let mut notes = Vec::new();
    for (origin, text) in files {
        let file = read_cards(text, origin, markets, ov)?;
        meta += usize::from(file.layout.is_meta());
        rows.extend(file.rows);
        notes.extend(file.notes);
    }
    Ok((RateCards::from_rows(rows), meta, notes))
}

/// Tier tables from user files (none are bundled). Also returns how many files were in
/// Meta's layout, and the notes of reading them.
pub fn load_tiers(
    markets: &MarketMap,
    files: &[(String, String)],
    ov: &Overrides,
) -> Result<(TierTables, usize, Vec<String>), BadInput> {
    let mut tables = Vec::new();
    let mut meta = 0;
    let mut notes = Vec::new();
    for (origin, text) in files {
        let file = read_tiers(text, origin, markets, ov)?;
        meta += usize::from(file.layout.is_meta());
        tables.extend(file.tables);
        notes.extend(file.notes);
    }
    Ok((TierTables::from_tables(tables), meta, notes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layouts_are_told_apart_by_their_header() {
        let d = |t: &str| detect(t, "f.csv");
        assert_eq!(
            d("currency,effective_from,market,marketing\n").unwrap(),
            Layout::WapriceCard
        );
        assert_eq!(
            d("currency,effective_from,market,category,threshold,rate\n").unwrap(),
            Layout::WapriceTiers
        );
        assert_eq!(
            d("Cost per message in EUR, effective October 1, 2026\nMarket,Currency,Marketing\n")
                .unwrap(),
            Layout::MetaCard
        );
        assert_eq!(
            d("\u{feff}Market,Currency,Marketing\n").unwrap(),
            Layout::MetaCard
        );
        assert_eq!(
            d("Cost per message in USD. Reflecting volume tiers\n,,Utility\nMarket,Currency,From,To,Rate\n").unwrap(),
            Layout::MetaTiers
        );
        let e = d("country,price\nFR,0.07\n").unwrap_err().to_string();
        assert!(
            e.contains("f.csv, line 1: not a rate card or tier table (it starts 'country,price'"),
            "{e}"
        );
        assert!(
            e.contains("hint: expected Meta's rate card as downloaded"),
            "{e}"
        );
        assert!(d("").unwrap_err().to_string().contains("empty"));
    }

    #[test]
    fn cards_and_tiers_go_to_their_own_option() {
        let m = MarketMap::bundled();
        let tiers = "currency,effective_from,market,category,threshold,rate\nUSD,2025-07-01,India,utility,3,0.001\n";
        let e = read_cards(tiers, "t.csv", &m, &Overrides::default())
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("is a volume-tier table") && e.contains("--tiers t.csv"),
            "{e}"
        );
        let card = "Cost per message in EUR, effective October 1, 2026\nMarket,Currency,Marketing\nFrance,EUR,0.07\n";
        let e = read_tiers(card, "c.csv", &m, &Overrides::default())
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("is a rate card") && e.contains("--tariff c.csv"),
            "{e}"
        );
        let (cards, meta, _) =
            load_cards(&m, &[("c.csv".into(), card.into())], &Overrides::default()).unwrap();
        assert_eq!(meta, 1);
        let fr = m.market_by_name("France").unwrap();
        let values = cards.values("EUR", fr, card::Column::Marketing);
        assert_eq!(values.last().unwrap().1.to_string(), "0.07");
    }
}
