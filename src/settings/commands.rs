//! Each subcommand's validated settings, built from its arguments.

use crate::cli::{
    AccountArgs, EstimateArgs, InputFormatArg, InvoicesArgs, LedgerArgs, LedgerFormatArg, LogArgs,
    MergeArgs, RatesArgs, ReconcileArgs, TariffsAction, TariffsArgs,
};
use anyhow::{Context, Result};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::str::FromStr;
use std::sync::Arc;
use waprice::accounts::{Accounts, Shard};
use waprice::budget::Budget;
use waprice::calendar::Month;
use waprice::error::BadInput;
use waprice::pipeline::options::{self, Breakdown, Spelling};
use waprice::render::csv::CsvStyle;
use waprice::render::table::Chart;
use waprice::render::Format;
use waprice::report::By;
use waprice::tariff::card::RateCards;
use waprice::tariff::files;
use waprice::tariff::market::MarketMap;
use waprice::tariff::meta_csv::{currency_code, Overrides};
use waprice::tariff::sheet::Want;
use waprice::tariff::tier::TierTables;

use super::*;

pub struct EstimateSettings {
    pub log: LogSettings,
    pub tariffs: Tariffs,
    pub format: Format,
    pub csv: CsvStyle,
    /// `-o FILE`: where the output goes instead of standard output.
    pub output: Option<String>,
    pub budget: Budget,
    pub by: Option<By>,
    pub as_of: Option<NaiveDate>,
    pub chart: Chart,
    /// `--by account` (with `--accounts`).
    pub by_account: bool,
    /// `--format html` (`format` is then the table's).
    pub html: bool,
    pub strict_accounts: bool,
    /// `--shard K/N` (with `--accounts`).
    pub shard: Option<Shard>,
    /// `--ledger-sheet`: the workbook carries the ledger too.
    pub ledger_sheet: bool,
}

/// `waprice invoices`: what estimate reads and prices, per customer account.
pub struct InvoicesSettings {
    pub log: LogSettings,
    pub tariffs: Tariffs,
    pub format: Format,
    pub csv: CsvStyle,
    pub strict_accounts: bool,
    /// `--shard K/N`.
    pub shard: Option<Shard>,
    /// `--format html`.
    pub html: bool,
    /// `-o FILE`.
    pub output: Option<String>,
}

/// `waprice merge FILE...`.
pub struct MergeSettings {
    pub files: Vec<String>,
    pub format: Format,
    pub csv: CsvStyle,
    /// `--format html`.
    pub html: bool,
    /// `-o FILE`.
    pub output: Option<String>,
}

impl MergeSettings {
    pub fn from_args(a: &MergeArgs) -> Result<MergeSettings> {
        let (format, csv, html) = output_or_html(&a.output)?;
        Ok(MergeSettings {
            files: a.files.clone(),
            format,
            csv,
            html,
            output: a.output.output.clone(),
        })
    }
}

pub struct LedgerSettings {
    pub log: LogSettings,
    pub tariffs: Tariffs,
    pub csv: CsvStyle,
    /// `--format xlsx`.
    pub xlsx: bool,
    /// `-o FILE`.
    pub output: Option<String>,
}

pub struct RatesSettings {
    pub tariffs: Tariffs,
    pub format: Format,
    pub csv: CsvStyle,
    /// `-o FILE`.
    pub output: Option<String>,
    pub date: NaiveDate,
    pub country: Option<String>,
    pub market: Option<String>,
}

impl LedgerSettings {
    pub fn from_args(a: &LedgerArgs) -> Result<LedgerSettings> {
        let tariffs = Tariffs::with_tiers(&a.tariff, &a.tiers.tiers)?;
        let log = LogSettings::from_args(&a.log, &tariffs.markets)?;
        if a.format == LedgerFormatArg::Xlsx {
            if a.decimal_comma || a.bom {
                return Err(
                    BadInput::new("--decimal-comma and --bom apply to CSV output")
                        .hint("leave them out with --format xlsx")
                        .into(),
                );
            }
            waprice::render::xlsx::check_destination(a.output.as_deref())?;
        }
        Ok(LedgerSettings {
            log,
            tariffs,
            csv: CsvStyle {
                decimal_comma: a.decimal_comma,
                bom: a.bom,
            },
            xlsx: a.format == LedgerFormatArg::Xlsx,
            output: a.output.clone(),
        })
    }
}

/// Callbell's budget: `--budget AMOUNT`, else 50 EUR (54 USD) per started 10 `--agents`.
pub fn budget(currency: &str, amount: Option<&str>, agents: Option<u32>) -> Result<Budget> {
    Ok(options::budget(currency, amount, agents, Spelling::Cli)?)
}

impl EstimateSettings {
    pub fn from_args(a: &EstimateArgs) -> Result<EstimateSettings> {
        let tariffs = Tariffs::with_tiers(&a.tariff, &a.tiers.tiers)?;
        let log = LogSettings::from_args(&a.log, &tariffs.markets)?;
        let budget = budget(&tariffs.currency, a.budget.as_deref(), a.agents)?;
        let breakdown =
            a.by.as_deref()
                .map(|by| options::breakdown(by, Spelling::Cli))
                .transpose()?;
        let by = match breakdown {
            Some(Breakdown::Report(by)) => Some(by),
            _ => None,
        };
        let (format, csv, html) = output_or_html(&a.output)?;
        if html && a.as_of.is_some() {
            return Err(
                BadInput::new("--format html goes with an estimate, not --as-of")
                    .hint("leave out --as-of, or use --format table, csv, json or xlsx")
                    .into(),
            );
        }
        let by_account = breakdown == Some(Breakdown::Account);
        let mut log = log;
        let accounts = load_accounts(&a.accounts, &a.log, &tariffs)?;
        options::estimate_accounts(
            by_account,
            accounts.is_some(),
            a.as_of.is_some(),
            Spelling::Cli,
        )?;
        log.engine.accounts = accounts;
        if a.ledger_sheet && a.as_of.is_some() {
            return Err(
                BadInput::new("--ledger-sheet goes with an estimate, not --as-of")
                    .hint("leave out --as-of, or --ledger-sheet")
                    .into(),
            );
        }
        if a.ledger_sheet && format != Format::Xlsx {
            return Err(BadInput::new("--ledger-sheet adds a sheet to a workbook")
                .hint("add --format xlsx -o FILE, or run waprice ledger for the ledger as CSV")
                .into());
        }
        Ok(EstimateSettings {
            by_account,
            html,
            strict_accounts: a.accounts.strict_accounts,
            shard: a.accounts.shard.as_deref().map(Shard::parse).transpose()?,
            ledger_sheet: a.ledger_sheet,
            log,
            tariffs,
            format,
            csv,
            output: a.output.output.clone(),
            budget,
            by,
            as_of: a.as_of.as_deref().map(as_of).transpose()?,
            chart: match (a.no_chart, a.ascii) {
                (true, _) => Chart::None,
                (false, true) => Chart::Ascii,
                (false, false) => Chart::Unicode,
            },
        })
    }
}

impl InvoicesSettings {
    pub fn from_args(a: &InvoicesArgs) -> Result<InvoicesSettings> {
        let tariffs = Tariffs::with_tiers(&a.tariff, &a.tiers.tiers)?;
        let mut log = LogSettings::from_args(&a.log, &tariffs.markets)?;
        let (format, csv, html) = output_or_html(&a.output)?;
        let accounts = load_accounts(&a.accounts, &a.log, &tariffs)?.ok_or_else(|| {
            BadInput::new("waprice invoices needs --accounts FILE")
                .hint("the accounts file (account,business,agents) says which business numbers belong to which account")
        })?;
        log.engine.accounts = Some(accounts);
        Ok(InvoicesSettings {
            log,
            tariffs,
            format,
            csv,
            strict_accounts: a.accounts.strict_accounts,
            shard: a.accounts.shard.as_deref().map(Shard::parse).transpose()?,
            html,
            output: a.output.output.clone(),
        })
    }
}

/// `--accounts FILE` and `--agents-by-month FILE`, read and checked against the cards: every
/// account's currency needs cards of its own (nothing is converted).
pub(crate) fn load_accounts(
    a: &AccountArgs,
    log: &LogArgs,
    tariffs: &Tariffs,
) -> Result<Option<Arc<Accounts>>> {
    let Some(path) = &a.accounts else {
        return Ok(None);
    };
    if log.input == InputFormatArg::MetaWebhooks {
        return Err(
            BadInput::new("--accounts reads message logs (CSV or exports), not webhooks")
                .hint("drop --input, or bill the webhooks without --accounts")
                .into(),
        );
    }
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read --accounts {path}"))?;
    let mut accounts = Accounts::parse(path, &text, &tariffs.currency)?;
    if let Some(months) = &a.agents_by_month {
        let text = std::fs::read_to_string(months)
            .with_context(|| format!("cannot read --agents-by-month {months}"))?;
        accounts.agents_by_month(months, &text)?;
    }
    tariffs.check_accounts(&accounts)?;
    Ok(Some(Arc::new(accounts)))
}

pub struct ReconcileSettings {
    /// The webhooks, read as a meta-webhooks log.
    pub log: LogSettings,
    pub tariffs: Tariffs,
    pub format: Format,
    /// `-o FILE`.
    pub output: Option<String>,
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
            rules: a.rules.clone(),
            columns: Vec::new(),
            date_format: None,
            delimiter: None,
            strict_tariffs: false,
            input: InputFormatArg::MetaWebhooks,
            sent: a.sent.clone(),
            default_country: None,
            templates: None,
            template_category: None,
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
        let format = output_format(a.format)?;
        if format == Format::Xlsx {
            waprice::render::xlsx::check_destination(a.output.as_deref())?;
        }
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
            format,
            output: a.output.clone(),
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
        let (format, csv) = output(&a.output)?;
        Ok(RatesSettings {
            tariffs,
            format,
            csv,
            output: a.output.output.clone(),
            date,
            country: a.country.clone(),
            market: a.market.clone(),
        })
    }
}

/// `waprice tariffs`: list the cards and tier tables.
pub struct TariffsListSettings {
    pub markets: MarketMap,
    pub cards: RateCards,
    pub tiers: TierTables,
    /// Only this currency's cards.
    pub currency: Option<String>,
    pub format: Format,
    /// `--coverage`: the months to show, first and last.
    pub coverage: Option<(Month, Month)>,
}

/// A `--from`/`--to` month (YYYY-MM).
pub(crate) fn month_arg(flag: &str, value: &str) -> Result<Month> {
    chrono::NaiveDate::parse_from_str(&format!("{}-01", value.trim()), "%Y-%m-%d")
        .map(Month::of)
        .map_err(|_| {
            BadInput::new(format!("{flag} {value}: not a month"))
                .hint("write months as YYYY-MM, e.g. 2024-03")
                .into()
        })
}

/// `waprice tariffs check FILE`: the file, and the cards to compare it with.
pub struct TariffsCheckSettings {
    pub markets: MarketMap,
    /// Bundled cards and `--tariff` files (FILE not included).
    pub baseline: RateCards,
    pub path: String,
    pub text: String,
    pub overrides: Overrides,
    pub format: Format,
}

pub enum TariffsSettings {
    List(TariffsListSettings),
    Check(TariffsCheckSettings),
}

impl TariffsSettings {
    pub fn from_args(a: &TariffsArgs) -> Result<TariffsSettings> {
        let markets = MarketMap::bundled();
        match &a.action {
            None => {
                let ov = overrides(&a.tariff_date, &a.tariff_currency)?;
                let (cards, meta_cards, notes) =
                    files::load_cards(&markets, &read_files(&a.tariffs, "--tariff")?, &ov)?;
                tariff_notes(&notes);
                let (tiers, meta_tiers, notes) =
                    files::load_tiers(&markets, &read_files(&a.tiers, "--tiers")?, &ov)?;
                tariff_notes(&notes);
                files::overrides_used(&ov, meta_cards + meta_tiers)?;
                let currency = match &a.currency {
                    None => None,
                    Some(c) => {
                        let code = currency_code(c).unwrap_or_else(|| c.trim().to_uppercase());
                        if !cards.has_currency(&code) && !tiers.has_currency(&code) {
                            return Err(BadInput::new(format!("no rate card in currency '{c}'"))
                                .hint(format!(
                                    "cards are bundled for {}; load one for another currency with --tariff FILE",
                                    cards.currencies().join(", ")
                                ))
                                .into());
                        }
                        Some(code)
                    }
                };
                let coverage = if a.coverage {
                    if currency.is_none() {
                        return Err(BadInput::new("--coverage needs --currency")
                            .hint("e.g. waprice tariffs --coverage --currency EUR --from 2023-06 --to 2025-12")
                            .into());
                    }
                    let from = match &a.from {
                        Some(v) => month_arg("--from", v)?,
                        None => Month::of(waprice::era::SUPPORTED_FROM),
                    };
                    let to = match &a.to {
                        Some(v) => month_arg("--to", v)?,
                        None => Month::of(chrono::Local::now().date_naive()),
                    };
                    if to < from {
                        return Err(BadInput::new(format!("--to {to} is before --from {from}"))
                            .hint("give the first month with --from and the last with --to")
                            .into());
                    }
                    Some((from, to))
                } else {
                    None
                };
                Ok(TariffsSettings::List(TariffsListSettings {
                    markets,
                    cards,
                    tiers,
                    currency,
                    format: text_format(a.format, "tariffs")?,
                    coverage,
                }))
            }
            Some(TariffsAction::Check(c)) => {
                let ov = overrides(&c.tariff_date, &c.tariff_currency)?;
                let (baseline, _, notes) =
                    files::load_cards(&markets, &read_files(&c.tariffs, "--tariff")?, &ov)?;
                tariff_notes(&notes);
                let (path, text) = read_tariff_file(&c.file, "tariffs check", Want::Any)?;
                let layout = files::detect(&text, &path)?;
                files::overrides_used(&ov, usize::from(layout.is_meta()))?;
                Ok(TariffsSettings::Check(TariffsCheckSettings {
                    markets,
                    baseline,
                    path,
                    text,
                    overrides: ov,
                    format: text_format(c.format, "tariffs check")?,
                }))
            }
        }
    }
}
