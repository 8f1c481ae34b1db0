//! `waprice forecast`: a month's cost from volumes, the calculator Meta and BSPs offer.
//!
//! Assumptions, stated in the output: volumes are for one calendar month and one business
//! number; every message is delivered; none is inside a free entry point window; utility is
//! outside the customer service window unless `--utility-in-window` says otherwise; no
//! volume tiers. Before 2025-07-01 volumes are conversations, from then messages.

use crate::cli::ForecastArgs;
use crate::settings::{budget, Tariffs};
use anyhow::{Context, Result};
use chrono::NaiveDate;
use comfy_table::{presets, Cell, CellAlignment, ContentArrangement, Table};
use rust_decimal::Decimal;
use serde_json::json;
use std::io::Write;
use waprice::budget::Budget;
use waprice::calendar::Month;
use waprice::country::CountryId;
use waprice::era::{era_of, ERA_B_FROM, FREE_SERVICE_FROM, FREE_TIER_CONVERSATIONS};
use waprice::error::BadInput;
use waprice::event::{Era, UnitCategory};
use waprice::pricing::{probe, Pricer, Quote};
use waprice::render::csv::CsvStyle;
use waprice::render::{exact, money, Format};

pub const HEADER: [&str; 9] = [
    "country", "market", "category", "volume", "free", "billable", "rate", "cost", "currency",
];

/// Monthly volumes of one country.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Volumes {
    pub marketing: u64,
    pub utility: u64,
    pub utility_in_window: u64,
    pub authentication: u64,
    pub authentication_international: u64,
    pub service: u64,
}

struct Line {
    country: String,
    market: String,
    category: UnitCategory,
    volume: u64,
    free: u64,
    billable: u64,
    rate: Option<Decimal>,
    cost: Decimal,
}

pub struct ForecastSettings {
    pub tariffs: Tariffs,
    pub date: NaiveDate,
    pub countries: Vec<(CountryId, Volumes)>,
    pub allowance: u64,
    pub budget: Budget,
    pub format: Format,
    pub csv: CsvStyle,
    /// `-o FILE`.
    pub output: Option<String>,
}

impl ForecastSettings {
    pub fn from_args(a: &ForecastArgs) -> Result<ForecastSettings> {
        let tariffs = Tariffs::from_args(&a.tariff)?;
        let date = match &a.date {
            Some(d) => NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").map_err(|_| {
                BadInput::new(format!("--date {d}: not a date")).hint("write dates as YYYY-MM-DD")
            })?,
            None => chrono::Utc::now().date_naive(),
        };
        if date < ERA_B_FROM {
            return Err(BadInput::new(format!("--date {date}: forecasts start on 2023-06-01"))
                .hint("before June 2023 Meta billed user-/business-initiated conversations; estimate a log instead")
                .into());
        }
        let flags = Volumes {
            marketing: a.marketing,
            utility: a.utility,
            utility_in_window: a.utility_in_window,
            authentication: a.authentication,
            authentication_international: a.authentication_international,
            service: a.service,
        };
        let mut countries = Vec::new();
        for spec in &a.country {
            let (code, volumes) = match spec.split_once(':') {
                Some((code, list)) => (code, parse_volumes(list, spec)?),
                None => (spec.as_str(), flags.clone()),
            };
            countries.push((country(&tariffs, code)?, volumes));
        }
        if let Some(path) = &a.volumes {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read --volumes {path}"))?;
            for (code, volumes) in parse_volume_file(&text, path)? {
                countries.push((country(&tariffs, &code)?, volumes));
            }
        }
        if countries.is_empty() {
            return Err(
                BadInput::new("forecast needs at least one --country or --volumes FILE")
                    .hint(
                        "for example: waprice forecast --country FR --marketing 2000 --utility 500",
                    )
                    .into(),
            );
        }
        for (_, v) in &countries {
            if v.utility_in_window > v.utility {
                return Err(
                    BadInput::new("--utility-in-window is more than the utility volume")
                        .hint(
                            "it counts the utility templates sent inside a customer service window",
                        )
                        .into(),
                );
            }
        }
        let (format, csv) = crate::settings::output(&a.output)?;
        Ok(ForecastSettings {
            budget: budget(&tariffs.currency, a.budget.as_deref(), a.agents)?,
            tariffs,
            date,
            countries,
            allowance: a.free_service_allowance,
            format,
            csv,
            output: a.output.output.clone(),
        })
    }
}

fn country(t: &Tariffs, code: &str) -> Result<CountryId, BadInput> {
    crate::settings::country_arg(&t.markets, code)
}

fn set(v: &mut Volumes, name: &str, n: u64) -> bool {
    match name.trim().to_ascii_lowercase().as_str() {
        "marketing" => v.marketing = n,
        "utility" => v.utility = n,
        "utility_in_window" => v.utility_in_window = n,
        "authentication" => v.authentication = n,
        "authentication_international" => v.authentication_international = n,
        "service" => v.service = n,
        _ => return false,
    }
    true
}

const CATEGORY_HINT: &str =
    "categories are marketing, utility, utility_in_window, authentication, authentication_international, service";

fn parse_volumes(list: &str, spec: &str) -> Result<Volumes, BadInput> {
    let mut v = Volumes::default();
    for item in list.split(',').filter(|s| !s.trim().is_empty()) {
        let parsed = item
            .split_once('=')
            .and_then(|(k, n)| Some((k, n.trim().parse::<u64>().ok()?)));
        match parsed {
            Some((k, n)) if set(&mut v, k, n) => {}
            _ => {
                return Err(
                    BadInput::new(format!("--country {spec}: cannot read '{item}'"))
                        .hint(format!("write CC:category=N,...; {CATEGORY_HINT}")),
                )
            }
        }
    }
    Ok(v)
}

fn parse_volume_file(text: &str, path: &str) -> Result<Vec<(String, Volumes)>, BadInput> {
    let mut r = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = r
        .headers()
        .map_err(|e| BadInput::new(format!("{path}: {e}")))?
        .clone();
    let Some(i_country) = headers
        .iter()
        .position(|h| h.eq_ignore_ascii_case("country"))
    else {
        return Err(BadInput::new(format!("{path}: no 'country' column")).hint(CATEGORY_HINT));
    };
    let mut out = Vec::new();
    let mut lines = waprice::lines::LineCounter::new(text);
    for record in r.records() {
        let mut record = record.map_err(|e| BadInput::new(format!("{path}: {e}")))?;
        lines.fix(&mut record);
        let line = record.position().map_or(0, |p| p.line());
        let mut v = Volumes::default();
        for (i, h) in headers.iter().enumerate() {
            if i == i_country {
                continue;
            }
            let cell = record.get(i).unwrap_or("");
            let n = if cell.is_empty() {
                Some(0)
            } else {
                cell.parse::<u64>().ok()
            };
            match n {
                Some(n) if set(&mut v, h, n) => {}
                _ => {
                    return Err(BadInput::new(format!(
                        "{path}, line {line}, column '{}': not a volume (value '{}')",
                        waprice::error::cut(h),
                        waprice::error::cut(cell)
                    ))
                    .hint(CATEGORY_HINT))
                }
            }
        }
        out.push((record.get(i_country).unwrap_or("").to_string(), v));
    }
    Ok(out)
}

pub fn run(s: &ForecastSettings) -> Result<()> {
    let t = &s.tariffs;
    let era = era_of(s.date);
    let pricer = Pricer::new(&t.cards, &t.currency);
    let mut notes = Vec::new();
    let mut lines = Vec::new();
    let mut allowance_left = s.allowance;
    // The era B free tier is per WABA: 1,000 service conversations across all countries.
    let mut free_tier_left = if era == Era::B && s.date < FREE_SERVICE_FROM {
        u64::from(FREE_TIER_CONVERSATIONS)
    } else {
        0
    };
    for (country, v) in &s.countries {
        let market = t.markets.market_at(*country, s.date);
        let per = |category, volume: u64, free: u64| (category, volume, free.min(volume));
        let in_window_free = if era == Era::C {
            v.utility_in_window
        } else {
            0
        };
        let service_free = match era {
            Era::B if s.date >= FREE_SERVICE_FROM => v.service,
            Era::B => {
                let f = v.service.min(free_tier_left);
                free_tier_left -= f;
                f
            }
            Era::C => v.service,
            _ => {
                let f = v.service.min(allowance_left);
                allowance_left -= f;
                f
            }
        };
        for (category, volume, free) in [
            per(UnitCategory::Marketing, v.marketing, 0),
            per(UnitCategory::Utility, v.utility, in_window_free),
            per(UnitCategory::Authentication, v.authentication, 0),
            per(
                UnitCategory::AuthenticationInternational,
                v.authentication_international,
                0,
            ),
            per(UnitCategory::Service, v.service, service_free),
        ] {
            if volume == 0 {
                continue;
            }
            let billable = volume - free;
            let event = probe(s.date, category);
            let (rate, cost) = if billable == 0 {
                (Some(Decimal::ZERO), Decimal::ZERO)
            } else {
                match pricer.quote(&event, market) {
                    Quote::Priced(r) => {
                        let from = t.cards.row(r.row).effective_from;
                        if r.substitute {
                            notes.push(format!(
                                "{} {}: substitute rate from the {} card of {from}",
                                t.markets.market_name(market),
                                category.name(),
                                t.currency
                            ));
                        } else if r.derived {
                            notes.push(format!(
                                "{} {}: derived rate from the {} {from} derived card (a stated rule from another currency's card, see tariffs/SOURCES.md)",
                                t.markets.market_name(market),
                                category.name(),
                                t.currency
                            ));
                        }
                        if r.service_at_utility {
                            notes.push(format!("{} service: priced at the utility rate (no {} service rate from 2026-10-01)", t.markets.market_name(market), t.currency));
                        }
                        (Some(r.value), r.value * Decimal::from(billable))
                    }
                    Quote::Unpriced(column) => {
                        notes.push(format!(
                            "UNPRICED: {} {} for {}: no {} rate at any date; the total is a lower bound (supply one with --tariff FILE)",
                            billable,
                            column.name(),
                            t.markets.market_name(market),
                            t.currency
                        ));
                        (None, Decimal::ZERO)
                    }
                    Quote::Free => (Some(Decimal::ZERO), Decimal::ZERO),
                }
            };
            lines.push(Line {
                country: t.markets.iso(*country).to_string(),
                market: t.markets.market_name(market).to_string(),
                category,
                volume,
                free,
                billable,
                rate,
                cost,
            });
        }
    }
    let total: Decimal = lines.iter().map(|l| l.cost).sum();
    let budget_line = s.budget.line(Month::of(s.date), total);
    let unpriced = lines.iter().any(|l| l.rate.is_none());
    notes.push(format!(
        "rules and cards in force on {} (era {})",
        s.date,
        era.describe()
    ));
    notes.push(format!(
        "assumed: one month, one business number, every message delivered, none inside a free entry point window, no volume tiers; {}",
        if era.is_conversation_based() { "volumes are conversations" } else { "volumes are messages" }
    ));
    match era {
        Era::B if s.date < FREE_SERVICE_FROM => notes.push("the first 1,000 service conversations of the month are free".into()),
        Era::B => notes.push("service conversations are free from 2024-11-01".into()),
        Era::C => notes.push("service messages and the utility templates inside a customer service window (--utility-in-window) are free".into()),
        _ => notes.push(format!("service and in-window utility are charged; free service allowance {} a month", s.allowance)),
    }
    if s.format == Format::Xlsx {
        {
            use waprice::render::xlsx::{Book, Column as XCol, Kind, Value};
            let cols = [
                XCol::new("country", Kind::Text),
                XCol::new("market", Kind::Text),
                XCol::new("category", Kind::Text),
                XCol::summed("volume", Kind::Count),
                XCol::summed("free", Kind::Count),
                XCol::summed("billable", Kind::Count),
                XCol::new("rate", Kind::Money),
                XCol::summed("cost", Kind::Money),
                XCol::new("currency", Kind::Text),
            ];
            let mut book = Book::new(&t.currency);
            let mut sheet = book.sheet("forecast", &cols)?;
            let mut sums = [0u64; 3];
            for l in &lines {
                sums[0] += l.volume;
                sums[1] += l.free;
                sums[2] += l.billable;
                sheet.row(&[
                    Value::Text(&l.country),
                    Value::Text(&l.market),
                    Value::Text(l.category.name()),
                    Value::Count(l.volume),
                    Value::Count(l.free),
                    Value::Count(l.billable),
                    l.rate.map_or(Value::Empty, Value::Decimal),
                    Value::Decimal(l.cost),
                    Value::Text(&t.currency),
                ])?;
            }
            let n = |x: u64| Some(Decimal::from(x));
            sheet.finish_with(
                "total",
                &[
                    None,
                    None,
                    None,
                    n(sums[0]),
                    n(sums[1]),
                    n(sums[2]),
                    None,
                    Some(total),
                    None,
                ],
                &[
                    ("budget", budget_line.budget),
                    ("overage", budget_line.overage),
                ],
            )?;
            book.notes(&notes)?;
            return book.save(s.output.as_deref());
        }
    }
    let mut out = crate::settings::open_output(s.output.as_deref())?;
    match s.format {
        Format::Xlsx => unreachable!("written above"),
        Format::Csv => {
            let mut w = s.csv.writer(&mut out)?;
            w.write_record(HEADER)?;
            for l in &lines {
                w.write_record([
                    l.country.clone(),
                    l.market.clone(),
                    l.category.name().to_string(),
                    l.volume.to_string(),
                    l.free.to_string(),
                    l.billable.to_string(),
                    l.rate.map(|r| s.csv.decimal(r)).unwrap_or_default(),
                    s.csv.decimal(l.cost),
                    t.currency.clone(),
                ])?;
            }
            for (label, value) in [
                ("total", total),
                ("budget", budget_line.budget),
                ("overage", budget_line.overage),
            ] {
                w.write_record([
                    "",
                    "",
                    label,
                    "",
                    "",
                    "",
                    "",
                    &s.csv.decimal(value),
                    &t.currency,
                ])?;
            }
            w.flush()?;
        }
        Format::Json => {
            let rows: Vec<_> = lines
                .iter()
                .map(|l| {
                    json!({"country": l.country, "market": l.market, "category": l.category.name(), "volume": l.volume,
                           "free": l.free, "billable": l.billable, "rate": l.rate.map(exact), "cost": exact(l.cost)})
                })
                .collect();
            let doc = json!({
                "currency": t.currency, "date": s.date.to_string(), "lines": rows, "total": exact(total),
                "lower_bound": unpriced, "budget": exact(budget_line.budget), "overage": exact(budget_line.overage),
                "notes": notes,
            });
            serde_json::to_writer_pretty(&mut out, &doc)?;
            writeln!(out)?;
        }
        Format::Table => {
            let mut table = Table::new();
            table
                .load_preset(presets::UTF8_FULL_CONDENSED)
                .set_content_arrangement(ContentArrangement::Disabled)
                .force_no_tty();
            table.set_header([
                "country", "market", "category", "volume", "free", "billable", "rate", "cost",
            ]);
            let right = |s: String| Cell::new(s).set_alignment(CellAlignment::Right);
            for l in &lines {
                table.add_row(vec![
                    Cell::new(&l.country),
                    Cell::new(&l.market),
                    Cell::new(l.category.name()),
                    right(l.volume.to_string()),
                    right(l.free.to_string()),
                    right(l.billable.to_string()),
                    right(l.rate.map(exact).unwrap_or_else(|| "unpriced".into())),
                    right(format!("{} {}", money(l.cost), t.currency)),
                ]);
            }
            let bound = if unpriced { "≥ " } else { "" };
            table.add_row(vec![
                Cell::new("total"),
                Cell::new(""),
                Cell::new(""),
                Cell::new(""),
                Cell::new(""),
                Cell::new(""),
                Cell::new(""),
                right(format!("{bound}{} {}", money(total), t.currency)),
            ]);
            writeln!(out, "{table}")?;
            writeln!(
                out,
                "budget {} {cur} a month; overage {} {cur}{}",
                money(budget_line.budget),
                money(budget_line.overage),
                if budget_line.overage > Decimal::ZERO {
                    " (invoiced at cost the next month)"
                } else {
                    ""
                },
                cur = t.currency
            )?;
            writeln!(out, "notes:")?;
            for n in &notes {
                writeln!(out, "- {n}")?;
            }
        }
    }
    out.flush()?;
    Ok(())
}
