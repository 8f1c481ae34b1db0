//! `waprice tariffs`: the rate cards waprice knows (bundled and loaded) and the tier tables
//! loaded; `waprice tariffs check FILE`: is a new card readable, and what does it change
//! against the rates in force the day before it (markets added, rates up and down). That is
//! what a user wants to see on the day Meta publishes a card.

use crate::settings::{TariffsCheckSettings, TariffsListSettings, TariffsSettings};
use anyhow::Result;
use chrono::NaiveDate;
use comfy_table::{presets, Cell as TableCell, CellAlignment, ContentArrangement, Table};
use rust_decimal::{Decimal, RoundingStrategy};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use waprice::era::{ERA_C_FROM, ERA_D_FROM, FREE_SERVICE_FROM};
use waprice::render::{exact, Format};
use waprice::tariff::card::{
    CardRow, Cell, Column, RateCards, BUNDLED_DERIVED_ORIGIN, BUNDLED_ORIGIN,
};
use waprice::tariff::files::{self, Layout};
use waprice::tariff::market::{MarketId, MarketMap};
use waprice::tariff::tier::TierTable;

pub fn run(s: &TariffsSettings) -> Result<()> {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    match s {
        TariffsSettings::List(l) => list(l, &mut out)?,
        TariffsSettings::Check(c) => check(c, &mut out)?,
    }
    out.flush()?;
    Ok(())
}

fn new_table() -> Table {
    let mut t = Table::new();
    t.load_preset(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Disabled)
        .force_no_tty();
    t
}

fn right(s: impl ToString) -> TableCell {
    TableCell::new(s).set_alignment(CellAlignment::Right)
}

/// "bundled" for the embedded files ("bundled derived" for the derived cards), else the
/// path given.
fn origin_name(origin: &str) -> &str {
    if origin == BUNDLED_ORIGIN {
        "bundled"
    } else if origin == BUNDLED_DERIVED_ORIGIN {
        "bundled derived"
    } else {
        origin
    }
}

fn priced_per(date: NaiveDate) -> &'static str {
    if date < ERA_C_FROM {
        "conversation"
    } else {
        "message"
    }
}

/// One card: the rows of one (currency, effective date).
struct CardInfo {
    currency: String,
    date: NaiveDate,
    /// A card derived by a stated rule from another currency's card.
    derived: bool,
    markets: Vec<String>,
    /// Rate columns with at least one value.
    columns: Vec<&'static str>,
    /// "44 high, 3 medium".
    confidence: String,
    origins: Vec<String>,
    sources: Vec<String>,
}

fn card_infos(cards: &RateCards, markets: &MarketMap, currency: Option<&str>) -> Vec<CardInfo> {
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
fn tier_summary(t: &TierTable) -> String {
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

const LIST_HEADER: [&str; 11] = [
    "kind",
    "currency",
    "effective_from",
    "priced_per",
    "markets",
    "market_list",
    "columns",
    "tiers",
    "confidence",
    "origin",
    "source",
];

fn list(s: &TariffsListSettings, out: &mut impl Write) -> Result<()> {
    if let (Some((from, to)), Some(currency)) = (s.coverage, s.currency.as_deref()) {
        return super::coverage::run(&s.cards, &s.markets, currency, from, to, s.format, out);
    }
    let cards = card_infos(&s.cards, &s.markets, s.currency.as_deref());
    let tiers: Vec<&TierTable> = s
        .tiers
        .tables()
        .iter()
        .filter(|t| s.currency.as_deref().is_none_or(|c| c == t.currency))
        .collect();
    match s.format {
        Format::Xlsx => unreachable!("--format xlsx is refused before"),
        Format::Table => {
            let mut table = new_table();
            table.set_header([
                "currency",
                "effective",
                "per",
                "markets",
                "rates given",
                "confidence",
                "origin",
            ]);
            for c in &cards {
                table.add_row(vec![
                    TableCell::new(&c.currency),
                    TableCell::new(c.date),
                    TableCell::new(priced_per(c.date)),
                    right(c.markets.len()),
                    TableCell::new(c.columns.join(" ")),
                    TableCell::new(&c.confidence),
                    TableCell::new(c.origins.join(", ")),
                ]);
            }
            writeln!(
                out,
                "rate cards: {} (one per currency and effective date; a card may cover only some markets)",
                cards.len()
            )?;
            writeln!(out, "{table}")?;
            writeln!(out, "sources:")?;
            for c in &cards {
                writeln!(
                    out,
                    "- {} {}{}: {}",
                    c.currency,
                    c.date,
                    if c.derived { " derived" } else { "" },
                    if c.sources.is_empty() {
                        "(none given)".to_string()
                    } else {
                        c.sources.join(" | ")
                    }
                )?;
            }
            if tiers.is_empty() {
                writeln!(out, "volume tiers: none loaded; waprice bundles none, because no public source publishes Meta's tier tables (load them with --tiers FILE)")?;
            } else {
                let mut table = new_table();
                table.set_header([
                    "currency",
                    "effective",
                    "market",
                    "category",
                    "tiers",
                    "origin",
                ]);
                for t in &tiers {
                    table.add_row(vec![
                        TableCell::new(&t.currency),
                        TableCell::new(t.effective_from),
                        TableCell::new(s.markets.market_name(t.market)),
                        TableCell::new(t.category.name()),
                        TableCell::new(tier_summary(t)),
                        TableCell::new(&t.origin),
                    ]);
                }
                writeln!(out, "volume tiers (messages per month: rate):")?;
                writeln!(out, "{table}")?;
            }
        }
        Format::Csv => {
            let mut w = waprice::render::csv::SafeWriter::plain(&mut *out);
            w.write_record(LIST_HEADER)?;
            for c in &cards {
                w.write_record([
                    if c.derived { "derived card" } else { "card" },
                    &c.currency,
                    &c.date.to_string(),
                    priced_per(c.date),
                    &c.markets.len().to_string(),
                    &c.markets.join("; "),
                    &c.columns.join(" "),
                    "",
                    &c.confidence,
                    &c.origins.join("; "),
                    &c.sources.join(" | "),
                ])?;
            }
            for t in &tiers {
                w.write_record([
                    "tiers",
                    &t.currency,
                    &t.effective_from.to_string(),
                    "message",
                    "1",
                    s.markets.market_name(t.market),
                    t.category.name(),
                    &tier_summary(t),
                    "user file",
                    &t.origin,
                    &t.source,
                ])?;
            }
            w.flush()?;
        }
        Format::Json => {
            let cards: Vec<Value> = cards
                .iter()
                .map(|c| {
                    json!({
                        "currency": c.currency,
                        "effective_from": c.date.to_string(),
                        "derived": c.derived,
                        "priced_per": priced_per(c.date),
                        "markets": c.markets,
                        "columns": c.columns,
                        "confidence": c.confidence,
                        "origins": c.origins,
                        "sources": c.sources,
                    })
                })
                .collect();
            let tiers: Vec<Value> = tiers
                .iter()
                .map(|t| {
                    let bands: Vec<Value> = (0..t.bands.len())
                        .map(|i| {
                            json!({
                                "tier": t.tier(i).to_string(),
                                "rate": t.bands[i].rate.map(exact),
                            })
                        })
                        .collect();
                    json!({
                        "currency": t.currency,
                        "effective_from": t.effective_from.to_string(),
                        "market": s.markets.market_name(t.market),
                        "category": t.category.name(),
                        "tiers": bands,
                        "origin": t.origin,
                        "source": t.source,
                    })
                })
                .collect();
            serde_json::to_writer_pretty(&mut *out, &json!({"cards": cards, "tiers": tiers}))?;
            writeln!(out)?;
        }
    }
    Ok(())
}

/// How one cell of the new card compares with the value in force the day before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Change {
    Up,
    Down,
    /// No earlier value of that currency, market and category.
    First,
    /// An earlier value, and `n/a` on the new card.
    NowNotApplicable,
    Same,
}

impl Change {
    fn name(self) -> &'static str {
        match self {
            Change::Up => "up",
            Change::Down => "down",
            Change::First => "first",
            Change::NowNotApplicable => "n/a now",
            Change::Same => "same",
        }
    }
}

struct CellChange {
    market: String,
    column: Column,
    before: Option<(Decimal, NaiveDate)>,
    now: Option<Decimal>,
    change: Change,
}

impl CellChange {
    /// "+0.0075 (+15.0%)".
    fn delta(&self) -> String {
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
struct Comparison {
    currency: String,
    date: NaiveDate,
    markets: usize,
    rates: usize,
    not_applicable: usize,
    markets_added: Vec<String>,
    markets_missing: Vec<String>,
    changes: Vec<CellChange>,
    /// A baseline card of the same currency and date that the file replaces.
    replaces: Option<Replaced>,
    /// Whether earlier values include conversation-era ones.
    crosses_switch: bool,
}

/// The rows of a loaded card that the file replaces, and its cells that the file changes.
struct Replaced {
    rows: usize,
    /// Rows with at least one rate changed, added or removed.
    differing: usize,
    cells: Vec<CellDiff>,
    origins: Vec<String>,
}

/// One cell of a replaced row: `before` is the loaded card's rate, `now` the file's (`None`:
/// empty or n/a).
struct CellDiff {
    market: String,
    column: Column,
    before: Option<Decimal>,
    now: Option<Decimal>,
}

impl CellDiff {
    fn kind(&self) -> &'static str {
        match (self.before, self.now) {
            (Some(_), Some(_)) => "changed",
            (None, _) => "added",
            (_, None) => "removed",
        }
    }
}

impl Replaced {
    fn count(&self, kind: &str) -> usize {
        self.cells.iter().filter(|c| c.kind() == kind).count()
    }
}

fn rate_of(cell: &Cell) -> Option<Decimal> {
    match cell {
        Cell::Rate(r) => Some(*r),
        _ => None,
    }
}

/// Compares the file's rows with the loaded rows of the same currency and date they replace:
/// a rate changed, a rate where the loaded card has none (added), none where it has one
/// (removed: the loaded rate no longer applies).
fn replaced(rows: &[&CardRow], same_date: &[&CardRow], markets: &MarketMap) -> Replaced {
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

fn compare(rows: &[&CardRow], baseline: &RateCards, markets: &MarketMap) -> Comparison {
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

fn count(c: &Comparison, kind: Change) -> usize {
    c.changes.iter().filter(|x| x.change == kind).count()
}

fn check(s: &TariffsCheckSettings, out: &mut impl Write) -> Result<()> {
    let layout = files::detect(&s.text, &s.path)?;
    if matches!(layout, Layout::MetaTiers | Layout::WapriceTiers) {
        return check_tiers(s, out);
    }
    let file = files::read_cards(&s.text, &s.path, &s.markets, &s.overrides)?;
    let mut groups: BTreeMap<(String, NaiveDate), Vec<&CardRow>> = BTreeMap::new();
    for r in &file.rows {
        groups
            .entry((r.currency.clone(), r.effective_from))
            .or_default()
            .push(r);
    }
    let comparisons: Vec<Comparison> = groups
        .values()
        .map(|rows| compare(rows, &s.baseline, &s.markets))
        .collect();
    let mut baseline_origins: BTreeSet<&str> = BTreeSet::new();
    // A new card is compared with the published rates before it, never with derived ones.
    for r in s.baseline.rows().iter().filter(|r| !r.is_derived()) {
        baseline_origins.insert(origin_name(&r.origin));
    }
    let against = baseline_origins.into_iter().collect::<Vec<_>>().join(", ");
    match s.format {
        Format::Xlsx => unreachable!("--format xlsx is refused before"),
        Format::Table => {
            for c in &comparisons {
                writeln!(
                    out,
                    "{} {} card, priced per {}: {} ({}{})",
                    c.currency,
                    c.date,
                    priced_per(c.date),
                    s.path,
                    layout.describe(),
                    file.title
                        .as_ref()
                        .filter(|t| !t.text.is_empty())
                        .map(|t| format!(", title '{}'", t.text))
                        .unwrap_or_default()
                )?;
                writeln!(
                    out,
                    "valid: {} markets, {} rates, {} n/a",
                    c.markets, c.rates, c.not_applicable
                )?;
                writeln!(
                    out,
                    "compared with the {} rates in force on {} ({against}):",
                    c.currency,
                    c.date.pred_opt().unwrap_or(c.date)
                )?;
                writeln!(
                    out,
                    "- markets added (no earlier {} rate): {}",
                    c.currency,
                    if c.markets_added.is_empty() {
                        "none".to_string()
                    } else {
                        c.markets_added.join(", ")
                    }
                )?;
                writeln!(
                    out,
                    "- rates: {} up, {} down, {} unchanged, {} first rates, {} now n/a",
                    count(c, Change::Up),
                    count(c, Change::Down),
                    count(c, Change::Same),
                    count(c, Change::First),
                    count(c, Change::NowNotApplicable)
                )?;
                let mut firsts: BTreeMap<Column, usize> = BTreeMap::new();
                for x in c.changes.iter().filter(|x| x.change == Change::First) {
                    *firsts.entry(x.column).or_default() += 1;
                }
                if !firsts.is_empty() {
                    let parts: Vec<String> = firsts
                        .iter()
                        .map(|(col, n)| {
                            format!(
                                "{} in {n} market{}",
                                col.name(),
                                if *n == 1 { "" } else { "s" }
                            )
                        })
                        .collect();
                    writeln!(out, "- first rates: {}", parts.join(", "))?;
                }
                if !c.markets_missing.is_empty() {
                    writeln!(
                        out,
                        "- not on this card: {} market{} of earlier cards, whose earlier rates still apply: {}",
                        c.markets_missing.len(),
                        if c.markets_missing.len() == 1 { "" } else { "s" },
                        c.markets_missing.join(", ")
                    )?;
                }
                if let Some(r) = &c.replaces {
                    let detail = if r.cells.is_empty() {
                        String::new()
                    } else {
                        let n = |k: &str| {
                            let n = r.count(k);
                            format!("{n} rate{} {k}", if n == 1 { "" } else { "s" })
                        };
                        format!(": {}, {}, {}", n("changed"), n("added"), n("removed"))
                    };
                    writeln!(
                        out,
                        "- replaces {} rows of the {} {} card already loaded ({}); {} of them with different values{detail}",
                        r.rows,
                        c.currency,
                        c.date,
                        r.origins.join(", "),
                        r.differing,
                    )?;
                    const SHOWN: usize = 20;
                    for x in r.cells.iter().take(SHOWN) {
                        let rate =
                            |v: Option<Decimal>| v.map(exact).unwrap_or_else(|| "none".into());
                        writeln!(
                            out,
                            "  {} {} {}: {} -> {}",
                            x.kind(),
                            x.market,
                            x.column.name(),
                            rate(x.before),
                            rate(x.now)
                        )?;
                    }
                    if r.cells.len() > SHOWN {
                        writeln!(
                            out,
                            "  … and {} more (--format json lists them all)",
                            r.cells.len() - SHOWN
                        )?;
                    }
                }
                if c.crosses_switch {
                    writeln!(out, "- some earlier values are from the other side of the 2025-07-01 switch (per conversation vs per message)")?;
                }
                let shown: Vec<&CellChange> = c
                    .changes
                    .iter()
                    .filter(|x| {
                        matches!(
                            x.change,
                            Change::Up | Change::Down | Change::NowNotApplicable
                        )
                    })
                    .collect();
                if !shown.is_empty() {
                    let mut table = new_table();
                    table.set_header(["market", "category", "before", "card of", "now", "change"]);
                    for x in shown {
                        table.add_row(vec![
                            TableCell::new(&x.market),
                            TableCell::new(x.column.name()),
                            right(x.before.map(|b| exact(b.0)).unwrap_or_default()),
                            TableCell::new(x.before.map(|b| b.1.to_string()).unwrap_or_default()),
                            right(x.now.map(exact).unwrap_or_else(|| "n/a".into())),
                            TableCell::new(match x.change {
                                Change::NowNotApplicable => "now n/a".to_string(),
                                other => format!("{} {}", other.name(), x.delta()),
                            }),
                        ]);
                    }
                    writeln!(out, "{table}")?;
                }
            }
            write_notes(out, &file.notes)?;
        }
        Format::Csv => {
            notes_to_stderr(&file.notes);
            let mut w = waprice::render::csv::SafeWriter::plain(&mut *out);
            w.write_record([
                "currency",
                "effective_from",
                "market",
                "category",
                "before",
                "before_from",
                "now",
                "change",
            ])?;
            for c in &comparisons {
                for x in &c.changes {
                    w.write_record([
                        c.currency.clone(),
                        c.date.to_string(),
                        x.market.clone(),
                        x.column.name().to_string(),
                        x.before.map(|b| exact(b.0)).unwrap_or_default(),
                        x.before.map(|b| b.1.to_string()).unwrap_or_default(),
                        x.now.map(exact).unwrap_or_else(|| "n/a".into()),
                        x.change.name().to_string(),
                    ])?;
                }
            }
            w.flush()?;
        }
        Format::Json => {
            let cards: Vec<Value> = comparisons
                .iter()
                .map(|c| {
                    let changes: Vec<Value> = c
                        .changes
                        .iter()
                        .map(|x| {
                            json!({
                                "market": x.market,
                                "category": x.column.name(),
                                "before": x.before.map(|b| exact(b.0)),
                                "before_from": x.before.map(|b| b.1.to_string()),
                                "now": x.now.map(exact),
                                "change": x.change.name(),
                            })
                        })
                        .collect();
                    json!({
                        "currency": c.currency,
                        "effective_from": c.date.to_string(),
                        "priced_per": priced_per(c.date),
                        "file": s.path,
                        "layout": layout.describe(),
                        "title": file.title.as_ref().map(|t| t.text.clone()),
                        "markets": c.markets,
                        "rates": c.rates,
                        "not_applicable": c.not_applicable,
                        "markets_added": c.markets_added,
                        "markets_not_on_card": c.markets_missing,
                        "up": count(c, Change::Up),
                        "down": count(c, Change::Down),
                        "unchanged": count(c, Change::Same),
                        "first": count(c, Change::First),
                        "now_not_applicable": count(c, Change::NowNotApplicable),
                        "changes": changes,
                        "replaces": c.replaces.as_ref().map(|r| json!({
                            "rows": r.rows,
                            "rows_with_different_values": r.differing,
                            "changed": r.count("changed"),
                            "added": r.count("added"),
                            "removed": r.count("removed"),
                            "origins": r.origins,
                            "cells": r.cells.iter().map(|x| json!({
                                "market": x.market,
                                "category": x.column.name(),
                                "loaded": x.before.map(exact),
                                "file": x.now.map(exact),
                                "change": x.kind(),
                            })).collect::<Vec<_>>(),
                        })),
                        "notes": file.notes,
                    })
                })
                .collect();
            serde_json::to_writer_pretty(&mut *out, &json!({ "cards": cards }))?;
            writeln!(out)?;
        }
    }
    Ok(())
}

/// What reading the file left out or overrode, under the report.
fn write_notes(out: &mut impl Write, notes: &[String]) -> Result<()> {
    if !notes.is_empty() {
        writeln!(out, "notes:")?;
        for n in notes {
            writeln!(out, "- {n}")?;
        }
    }
    Ok(())
}

/// The notes of a CSV report, which has no place for them.
fn notes_to_stderr(notes: &[String]) {
    for n in notes {
        eprintln!("waprice: note: {n}");
    }
}

/// A tier file: valid or not, and what it holds.
fn check_tiers(s: &TariffsCheckSettings, out: &mut impl Write) -> Result<()> {
    let files::TierFile {
        layout,
        tables,
        notes,
    } = files::read_tiers(&s.text, &s.path, &s.markets, &s.overrides)?;
    match s.format {
        Format::Xlsx => unreachable!("--format xlsx is refused before"),
        Format::Table => {
            writeln!(
                out,
                "{}: {} ({} tier table{})",
                s.path,
                layout.describe(),
                tables.len(),
                if tables.len() == 1 { "" } else { "s" }
            )?;
            let mut table = new_table();
            table.set_header(["currency", "effective", "market", "category", "tiers"]);
            for t in &tables {
                table.add_row(vec![
                    TableCell::new(&t.currency),
                    TableCell::new(t.effective_from),
                    TableCell::new(s.markets.market_name(t.market)),
                    TableCell::new(t.category.name()),
                    TableCell::new(tier_summary(t)),
                ]);
            }
            writeln!(out, "{table}")?;
            write_notes(out, &notes)?;
        }
        Format::Csv => {
            notes_to_stderr(&notes);
            let mut w = waprice::render::csv::SafeWriter::plain(&mut *out);
            w.write_record([
                "currency",
                "effective_from",
                "market",
                "category",
                "tier",
                "rate",
            ])?;
            for t in &tables {
                for i in 0..t.bands.len() {
                    w.write_record([
                        t.currency.clone(),
                        t.effective_from.to_string(),
                        s.markets.market_name(t.market).to_string(),
                        t.category.name().to_string(),
                        t.tier(i).to_string(),
                        t.bands[i]
                            .rate
                            .map(exact)
                            .unwrap_or_else(|| "list rate".into()),
                    ])?;
                }
            }
            w.flush()?;
        }
        Format::Json => {
            let v: Vec<Value> = tables
                .iter()
                .map(|t| {
                    json!({
                        "currency": t.currency,
                        "effective_from": t.effective_from.to_string(),
                        "market": s.markets.market_name(t.market),
                        "category": t.category.name(),
                        "tiers": (0..t.bands.len()).map(|i| json!({"tier": t.tier(i).to_string(), "rate": t.bands[i].rate.map(exact)})).collect::<Vec<_>>(),
                    })
                })
                .collect();
            serde_json::to_writer_pretty(
                &mut *out,
                &json!({"file": s.path, "layout": layout.describe(), "tiers": v, "notes": notes}),
            )?;
            writeln!(out)?;
        }
    }
    Ok(())
}
