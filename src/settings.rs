//! Raw command-line arguments become validated settings before any work starts: every
//! usage error (exit code 2) is found here, not halfway through a 10 GB log.

use crate::cli::{
    EstimateArgs, FormatArg, InputFormatArg, LedgerArgs, LogArgs, RatesArgs, ReconcileArgs,
    TariffArgs,
};
use anyhow::{Context, Result};
use chrono::NaiveDate;
use chrono_tz::Tz;
use rust_decimal::Decimal;
use std::str::FromStr;
use waprice::budget::Budget;
use waprice::engine::era::AUTH_INTL_START;
use waprice::engine::EngineConfig;
use waprice::error::BadInput;
use waprice::input::columns::Field;
use waprice::input::reader::InputOptions;
use waprice::render::csv::CsvStyle;
use waprice::render::table::Chart;
use waprice::render::Format;
use waprice::report::By;
use waprice::tariff::card::RateCards;
use waprice::tariff::market::MarketMap;

/// What every subcommand that prices needs: markets, cards and the currency.
pub struct Tariffs {
    pub markets: MarketMap,
    pub cards: RateCards,
    pub currency: String,
}

/// What a log file is (`--input`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputFormat {
    Csv,
    MetaWebhooks,
}

/// How to read a log and which rules apply (estimate and ledger).
#[derive(Clone)]
pub struct LogSettings {
    pub path: String,
    pub format: InputFormat,
    /// `--sent FILE` (meta-webhooks input only).
    pub sent: Option<String>,
    pub input: InputOptions,
    pub timezone: Tz,
    pub engine: EngineConfig,
    pub strict: bool,
    pub progress: bool,
    /// "FR, eligible since 2025-01-01" when authentication-international is on.
    pub auth_intl: Option<String>,
}

pub struct EstimateSettings {
    pub log: LogSettings,
    pub tariffs: Tariffs,
    pub format: Format,
    pub csv: CsvStyle,
    pub budget: Budget,
    pub by: Option<By>,
    pub as_of: Option<NaiveDate>,
    pub chart: Chart,
}

pub struct LedgerSettings {
    pub log: LogSettings,
    pub tariffs: Tariffs,
    pub csv: CsvStyle,
}

pub struct RatesSettings {
    pub tariffs: Tariffs,
    pub format: Format,
    pub csv: CsvStyle,
    pub date: NaiveDate,
    pub country: Option<String>,
    pub market: Option<String>,
}

fn date(s: &str, option: &str) -> Result<NaiveDate, BadInput> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| {
        BadInput::new(format!("{option} {s}: not a date")).hint("write dates as YYYY-MM-DD")
    })
}

impl Tariffs {
    pub fn from_args(a: &TariffArgs) -> Result<Tariffs> {
        let markets = MarketMap::bundled();
        let mut extra = Vec::new();
        for path in &a.tariffs {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read --tariff {path}"))?;
            extra.push((path.clone(), text));
        }
        let cards = RateCards::load(&markets, &extra)?;
        let currency = a.currency.trim().to_ascii_uppercase();
        if !cards.has_currency(&currency) {
            return Err(
                BadInput::new(format!("no rate card in currency '{}'", a.currency))
                    .hint(format!(
                    "cards are bundled for {}; load one for another currency with --tariff FILE",
                    cards.currencies().join(", ")
                ))
                    .into(),
            );
        }
        Ok(Tariffs {
            markets,
            cards,
            currency,
        })
    }
}

/// `--decimal-comma` shapes CSV only: with another format it is a usage error, not ignored.
fn csv_style(format: Format, decimal_comma: bool) -> Result<CsvStyle, BadInput> {
    if decimal_comma && format != Format::Csv {
        return Err(BadInput::new("--decimal-comma applies to CSV output").hint("add --format csv"));
    }
    Ok(CsvStyle { decimal_comma })
}

fn output_format(f: FormatArg) -> Format {
    match f {
        FormatArg::Table => Format::Table,
        FormatArg::Csv => Format::Csv,
        FormatArg::Json => Format::Json,
    }
}

impl LogSettings {
    pub fn from_args(a: &LogArgs, markets: &MarketMap) -> Result<LogSettings> {
        let timezone = Tz::from_str(a.timezone.trim()).map_err(|_| {
            BadInput::new(format!("--timezone {}: not an IANA time zone", a.timezone))
                .hint("use a name such as UTC, Europe/Paris or America/Sao_Paulo")
        })?;
        let mut columns = Vec::new();
        for c in &a.columns {
            let (name, header) = c.split_once('=').ok_or_else(|| {
                BadInput::new(format!("--column {c}: expected NAME=HEADER"))
                    .hint("for example --column timestamp=\"Date Sent\"")
            })?;
            let field = Field::parse(name).ok_or_else(|| {
                let names: Vec<&str> = Field::ALL.iter().map(|f| f.name()).collect();
                BadInput::new(format!("--column {c}: unknown column name '{name}'"))
                    .hint(format!("names are {}", names.join(", ")))
            })?;
            columns.push((field, header.trim().to_string()));
        }
        let (engine, auth_intl) = auth_intl(a, markets)?;
        let format = match a.input {
            InputFormatArg::Csv => InputFormat::Csv,
            InputFormatArg::MetaWebhooks => InputFormat::MetaWebhooks,
        };
        if format == InputFormat::Csv && a.sent.is_some() {
            return Err(BadInput::new("--sent goes with --input meta-webhooks")
                .hint("a CSV log carries each template's category itself; --sent gives the categories Meta's webhooks lack")
                .into());
        }
        if format == InputFormat::MetaWebhooks && !columns.is_empty() {
            return Err(
                BadInput::new("--column applies to CSV logs, not --input meta-webhooks")
                    .hint("webhook payloads are read by Meta's field names")
                    .into(),
            );
        }
        let path = a.log.clone();
        Ok(LogSettings {
            format,
            sent: a.sent.clone(),
            input: InputOptions {
                name: if path == "-" {
                    "<stdin>".into()
                } else {
                    path.clone()
                },
                columns,
                skip_invalid: a.skip_invalid,
                skip_unsupported: a.skip_unsupported,
            },
            path,
            timezone,
            engine: EngineConfig {
                free_service_allowance: a.free_service_allowance,
                ..engine
            },
            strict: a.strict_tariffs,
            progress: !a.no_progress,
            auth_intl,
        })
    }
}

impl LedgerSettings {
    pub fn from_args(a: &LedgerArgs) -> Result<LedgerSettings> {
        let tariffs = Tariffs::from_args(&a.tariff)?;
        let log = LogSettings::from_args(&a.log, &tariffs.markets)?;
        Ok(LedgerSettings {
            log,
            tariffs,
            csv: CsvStyle {
                decimal_comma: a.decimal_comma,
            },
        })
    }
}

/// Callbell's budget: `--budget AMOUNT`, else 50 EUR (54 USD) per started 10 `--agents`.
pub fn budget(currency: &str, amount: Option<&str>, agents: Option<u32>) -> Result<Budget> {
    let budget = match (amount, agents) {
        (Some(amount), _) => {
            let amount = Decimal::from_str(amount.trim())
                .ok()
                .filter(|d| !d.is_sign_negative())
                .ok_or_else(|| {
                    BadInput::new(format!("--budget {amount}: not an amount"))
                        .hint("write it like 150 or 49.90")
                })?;
            Budget::explicit(amount)
        }
        (None, Some(0)) => {
            return Err(
                BadInput::new("--agents 0: a Callbell plan has at least one agent")
                    .hint("for no included budget, pass --budget 0")
                    .into(),
            )
        }
        (None, agents) => Budget::for_agents(currency, agents.unwrap_or(10), agents.is_none())
            .ok_or_else(|| {
                BadInput::new(format!(
                    "Callbell's included budget is defined in EUR and USD, not {}",
                    currency
                ))
                .hint("pass the monthly budget in that currency with --budget AMOUNT")
            })?,
    };
    Ok(budget)
}

impl EstimateSettings {
    pub fn from_args(a: &EstimateArgs) -> Result<EstimateSettings> {
        let tariffs = Tariffs::from_args(&a.tariff)?;
        let log = LogSettings::from_args(&a.log, &tariffs.markets)?;
        let budget = budget(&tariffs.currency, a.budget.as_deref(), a.agents)?;
        let by = match a
            .by
            .as_deref()
            .map(|s| s.replace(' ', "").to_ascii_lowercase())
        {
            None => None,
            Some(s) if s == "market" => Some(By::Market),
            Some(s) if s == "category" => Some(By::Category),
            Some(s) if s == "market,category" || s == "category,market" => Some(By::MarketCategory),
            Some(s) => {
                return Err(BadInput::new(format!("--by {s}: unknown breakdown"))
                    .hint("use --by market, --by category or --by market,category")
                    .into())
            }
        };
        let format = output_format(a.format);
        Ok(EstimateSettings {
            log,
            tariffs,
            format,
            csv: csv_style(format, a.decimal_comma)?,
            budget,
            by,
            as_of: a.as_of.as_deref().map(|d| date(d, "--as-of")).transpose()?,
            chart: match (a.no_chart, a.ascii) {
                (true, _) => Chart::None,
                (false, true) => Chart::Ascii,
                (false, false) => Chart::Unicode,
            },
        })
    }
}

/// Authentication-international needs both flags (spec section 5): the per-country first
/// date is the later of the country's start and the business's eligibility, and never for
/// the business's own country.
fn auth_intl(a: &LogArgs, markets: &MarketMap) -> Result<(EngineConfig, Option<String>)> {
    let (country, since) = match (&a.business_country, &a.auth_intl_since) {
        (None, None) => return Ok((EngineConfig::default(), None)),
        (Some(c), Some(s)) => (c, date(s, "--auth-intl-since")?),
        _ => {
            return Err(BadInput::new("--business-country and --auth-intl-since go together")
                .hint("authentication-international applies only when the business says it is eligible: pass both")
                .into())
        }
    };
    let home = markets.country_by_iso(country.trim()).ok_or_else(|| {
        BadInput::new(format!("--business-country {country}: unknown country"))
            .hint("use an ISO 3166 code such as FR, US, IN")
    })?;
    let mut from = Vec::new();
    for (iso, start) in AUTH_INTL_START {
        if let Some(c) = markets.country_by_iso(iso) {
            if c == home {
                continue;
            }
            let i = c.0 as usize;
            if from.len() <= i {
                from.resize(i + 1, None);
            }
            from[i] = Some(start.max(since));
        }
    }
    let note = format!("{}, eligible since {since}", markets.iso(home));
    Ok((
        EngineConfig {
            auth_intl_from: from,
            ..EngineConfig::default()
        },
        Some(note),
    ))
}

pub struct ReconcileSettings {
    /// The webhooks, read as a meta-webhooks log.
    pub log: LogSettings,
    pub tariffs: Tariffs,
    pub format: Format,
    pub diff: Option<String>,
    /// `--fail-under PCT`, 0 to 100.
    pub fail_under: Option<Decimal>,
    pub analytics: Option<String>,
}

impl ReconcileSettings {
    pub fn from_args(a: &ReconcileArgs) -> Result<ReconcileSettings> {
        let tariffs = Tariffs::from_args(&a.tariff)?;
        let log_args = LogArgs {
            log: a.webhooks.clone(),
            timezone: a.timezone.clone(),
            business_country: a.business_country.clone(),
            auth_intl_since: a.auth_intl_since.clone(),
            free_service_allowance: a.free_service_allowance,
            skip_invalid: a.skip_invalid,
            skip_unsupported: a.skip_unsupported,
            columns: Vec::new(),
            no_progress: a.no_progress,
            strict_tariffs: false,
            input: InputFormatArg::MetaWebhooks,
            sent: a.sent.clone(),
        };
        let log = LogSettings::from_args(&log_args, &tariffs.markets)?;
        let fail_under = match &a.fail_under {
            None => None,
            Some(p) => Some(
                Decimal::from_str(p.trim().trim_end_matches('%'))
                    .ok()
                    .filter(|d| !d.is_sign_negative() && *d <= Decimal::ONE_HUNDRED)
                    .ok_or_else(|| {
                        BadInput::new(format!("--fail-under {p}: not a percentage"))
                            .hint("give the least acceptable agreement from 0 to 100, like 99.5")
                    })?,
            ),
        };
        if a.diff.as_deref() == Some("-") {
            return Err(
                BadInput::new("--diff -: the report already goes to standard output")
                    .hint("name a file, like --diff disagreements.csv")
                    .into(),
            );
        }
        Ok(ReconcileSettings {
            log,
            tariffs,
            format: output_format(a.format),
            diff: a.diff.clone(),
            fail_under,
            analytics: a.analytics.clone(),
        })
    }
}

impl RatesSettings {
    pub fn from_args(a: &RatesArgs) -> Result<RatesSettings> {
        let tariffs = Tariffs::from_args(&a.tariff)?;
        let date = match &a.date {
            Some(d) => date(d, "--date")?,
            None => chrono::Utc::now().date_naive(),
        };
        let format = output_format(a.format);
        Ok(RatesSettings {
            tariffs,
            format,
            csv: csv_style(format, a.decimal_comma)?,
            date,
            country: a.country.clone(),
            market: a.market.clone(),
        })
    }
}
