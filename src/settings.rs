//! Raw command-line arguments become validated settings before any work starts: every
//! usage error (exit code 2) is found here, not halfway through a 10 GB log.

use crate::cli::{
    AccountArgs, EstimateArgs, FormatArg, InputFormatArg, InvoicesArgs, LedgerArgs,
    LedgerFormatArg, LogArgs, MergeArgs, OutputArgs, RatesArgs, ReconcileArgs, TariffArgs,
    TariffsAction, TariffsArgs,
};
use anyhow::{Context, Result};
use chrono::NaiveDate;
use chrono_tz::Tz;
use rust_decimal::Decimal;
use std::str::FromStr;
use std::sync::Arc;
use waprice::accounts::{Accounts, Shard};
use waprice::budget::Budget;
use waprice::calendar::Month;
use waprice::engine::EngineConfig;
use waprice::era::{AUTH_INTL_START, SUPPORTED_FROM};
use waprice::error::BadInput;
use waprice::input::columns::Field;
use waprice::input::date_format::DateFormat;
use waprice::input::reader::InputOptions;
use waprice::input::templates::TemplateCatalogue;
use waprice::message::TemplateCategory;
use waprice::phone::numbering::{NumberingPlan, Region};
use waprice::pipeline::LogSource;
use waprice::render::csv::CsvStyle;
use waprice::render::table::Chart;
use waprice::render::Format;
use waprice::report::By;
use waprice::tariff::card::RateCards;
use waprice::tariff::files;
use waprice::tariff::market::{CountryId, MarketMap};
use waprice::tariff::meta_csv::{currency_code, Overrides};
use waprice::tariff::sheet::{self, Want};
use waprice::tariff::tier::TierTables;

pub use waprice::pipeline::{InputFormat, LogSettings, Tariffs};

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

fn date(s: &str, option: &str) -> Result<NaiveDate, BadInput> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| {
        BadInput::new(format!("{option} {s}: not a date")).hint("write dates as YYYY-MM-DD")
    })
}

/// `--tariff-date` and `--tariff-currency`.
fn overrides(date_arg: &Option<String>, currency: &Option<String>) -> Result<Overrides> {
    Ok(Overrides {
        date: date_arg
            .as_deref()
            .map(|d| date(d, "--tariff-date"))
            .transpose()?,
        currency: currency
            .as_deref()
            .map(|c| {
                currency_code(c).ok_or_else(|| {
                    BadInput::new(format!("--tariff-currency {c}: not a currency"))
                        .hint("use an ISO code such as EUR or USD ($US, US$, € are understood too)")
                })
            })
            .transpose()?,
    })
}

/// The overrides describe a file in Meta's layout; given without one, they would do nothing.
fn overrides_used(ov: &Overrides, meta_files: usize) -> Result<(), BadInput> {
    if (ov.date.is_some() || ov.currency.is_some()) && meta_files == 0 {
        return Err(BadInput::new(
            "--tariff-date and --tariff-currency describe a file in Meta's CSV layout, and none was loaded",
        )
        .hint("files in waprice's layout carry currency and effective_from on every row"));
    }
    Ok(())
}

/// Reads the files named by an option: (origin, text); a workbook through its sheet of list
/// rates (`--tariff`) or of tiers (`--tiers`).
fn read_files(paths: &[String], option: &str) -> Result<Vec<(String, String)>> {
    let want = if option == "--tiers" {
        Want::Tiers
    } else {
        Want::Card
    };
    paths
        .iter()
        .map(|path| read_tariff_file(path, option, want))
        .collect()
}

fn read_tariff_file(path: &str, option: &str, want: Want) -> Result<(String, String)> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {option} {path}"))?;
    let source = sheet::read(path, bytes, want)?;
    tariff_notes(&source.notes);
    Ok((source.origin, source.text))
}

/// What reading a tariff file left out or overrode goes to stderr, beside the report.
fn tariff_notes(notes: &[String]) {
    for n in notes {
        eprintln!("waprice: note: {n}");
    }
}

/// The library's [`Tariffs`] from the command line.
pub trait TariffsFromArgs: Sized {
    /// Cards (bundled and `--tariff`), without tiers.
    fn from_args(a: &TariffArgs) -> Result<Self>;
    /// Cards (bundled and `--tariff`) and `--tiers` tables, in any layout.
    fn with_tiers(a: &TariffArgs, tier_files: &[String]) -> Result<Self>;
}

impl TariffsFromArgs for Tariffs {
    fn from_args(a: &TariffArgs) -> Result<Tariffs> {
        Tariffs::with_tiers(a, &[])
    }

    fn with_tiers(a: &TariffArgs, tier_files: &[String]) -> Result<Tariffs> {
        let markets = MarketMap::bundled();
        let ov = overrides(&a.tariff_date, &a.tariff_currency)?;
        let (cards, meta_cards, notes) =
            files::load_cards(&markets, &read_files(&a.tariffs, "--tariff")?, &ov)?;
        tariff_notes(&notes);
        let (tiers, meta_tiers, notes) =
            files::load_tiers(&markets, &read_files(tier_files, "--tiers")?, &ov)?;
        tariff_notes(&notes);
        overrides_used(&ov, meta_cards + meta_tiers)?;
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
        if !tiers.is_empty() && !tiers.has_currency(&currency) {
            let mut have: Vec<&str> = tiers.tables().iter().map(|t| t.currency.as_str()).collect();
            have.dedup();
            return Err(BadInput::new(format!(
                "no volume-tier table in {currency}: the --tiers files are in {}",
                have.join(", ")
            ))
            .hint("tiers apply to cards of their own currency; pass --currency to match")
            .into());
        }
        Ok(Tariffs {
            markets,
            cards,
            currency,
            tiers,
        })
    }
}

/// `--format` and `--decimal-comma`, checked together (and `-o` for a workbook).
pub fn output(o: &OutputArgs) -> Result<(Format, CsvStyle), BadInput> {
    let format = output_format(o.format)?;
    if format == Format::Xlsx {
        waprice::render::xlsx::check_destination(o.output.as_deref())?;
    }
    Ok((format, csv_style(format, o.decimal_comma, o.bom)?))
}

/// Standard output, or the file `-o` names.
pub fn open_output(path: Option<&str>) -> Result<std::io::BufWriter<Box<dyn std::io::Write>>> {
    let out: Box<dyn std::io::Write> = match path {
        None | Some("-") => Box::new(std::io::stdout().lock()),
        Some(p) => {
            Box::new(std::fs::File::create(p).with_context(|| format!("cannot write -o {p}"))?)
        }
    };
    Ok(std::io::BufWriter::new(out))
}

/// `--format` of a command that writes no workbook.
fn text_format(f: FormatArg, command: &str) -> Result<Format, BadInput> {
    match output_format(f)? {
        Format::Xlsx => Err(BadInput::new(format!(
            "--format xlsx: {command} writes table, CSV or JSON"
        ))
        .hint("use --format csv and open the CSV in a spreadsheet")),
        f => Ok(f),
    }
}

/// `--decimal-comma` shapes CSV only: with another format it is a usage error, not ignored.
fn csv_style(format: Format, decimal_comma: bool, bom: bool) -> Result<CsvStyle, BadInput> {
    if decimal_comma && format != Format::Csv {
        return Err(BadInput::new("--decimal-comma applies to CSV output").hint("add --format csv"));
    }
    if bom && format != Format::Csv {
        return Err(BadInput::new("--bom applies to CSV output").hint("add --format csv"));
    }
    Ok(CsvStyle { decimal_comma, bom })
}

/// `--country`: an ISO code (FR) or a calling code (+33, 33).
pub fn country_arg(markets: &MarketMap, code: &str) -> Result<CountryId, BadInput> {
    let code = code.trim();
    let found = if code.starts_with('+') || code.chars().all(|c| c.is_ascii_digit()) {
        markets.country_by_calling_code(code)
    } else {
        markets.country_by_iso(code)
    };
    found.ok_or_else(|| {
        BadInput::new(format!("--country {code}: unknown country")).hint(
            "use an ISO code (FR) or a calling code (+33); countries on none of Meta's lists pay the market Other",
        )
    })
}

fn output_format(f: FormatArg) -> Result<Format, BadInput> {
    Ok(match f {
        FormatArg::Table => Format::Table,
        FormatArg::Csv => Format::Csv,
        FormatArg::Json => Format::Json,
        FormatArg::Xlsx => Format::Xlsx,
        FormatArg::Html => {
            return Err(BadInput::new(
                "--format html: only estimate, invoices and merge write an HTML report",
            )
            .hint("use --format table, csv, json or xlsx"))
        }
    })
}

/// [`output`] for the commands that also write HTML: with `--format html`, the format the
/// other settings see is the table's, and the third value is true.
pub fn output_or_html(o: &OutputArgs) -> Result<(Format, CsvStyle, bool), BadInput> {
    if o.format == FormatArg::Html {
        return Ok((
            Format::Table,
            csv_style(Format::Table, o.decimal_comma, o.bom)?,
            true,
        ));
    }
    let (format, csv) = output(o)?;
    Ok((format, csv, false))
}

/// The library's [`LogSettings`] from the command line.
pub trait LogSettingsFromArgs: Sized {
    /// Every option of how to read the log and which rules apply, validated.
    fn from_args(a: &LogArgs, markets: &MarketMap) -> Result<Self>;
}

impl LogSettingsFromArgs for LogSettings {
    fn from_args(a: &LogArgs, markets: &MarketMap) -> Result<LogSettings> {
        let timezone = Tz::from_str(a.rules.timezone.trim()).map_err(|_| {
            BadInput::new(format!(
                "--timezone {}: not an IANA time zone",
                a.rules.timezone
            ))
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
            InputFormatArg::Csv | InputFormatArg::Twilio => InputFormat::Csv,
            InputFormatArg::MetaWebhooks => InputFormat::MetaWebhooks,
        };
        let reading = ReadingChoices::from_args(a)?;
        if format == InputFormat::MetaWebhooks && reading.any() {
            return Err(BadInput::new(
                "--default-country, --templates and --template-category apply to CSV logs, not --input meta-webhooks",
            )
            .hint("Meta's payloads carry international numbers and the pricing category")
            .into());
        }
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
        let (date_format, delimiter) = date_and_delimiter(a, format)?;
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
                skip_invalid: a.rules.skip_invalid,
                skip_unsupported: a.rules.skip_unsupported,
                default_country: reading.default_country,
                templates: reading.templates,
                uncategorised: reading.uncategorised_as.is_some(),
                twilio: a.input == InputFormatArg::Twilio,
                date_format,
                delimiter,
            },
            source: LogSource::File(path),
            timezone,
            engine: EngineConfig {
                free_service_allowance: a.rules.free_service_allowance,
                uncategorised_as: reading.uncategorised_as,
                log_starts_clean: a.rules.log_starts_clean,
                ..engine
            },
            strict: a.strict_tariffs,
            auth_intl,
            hooks: Some(Arc::new(crate::terminal::Terminal {
                progress: !a.rules.no_progress,
            })),
        })
    }
}

/// How to read what a log leaves unsaid: national numbers, template names, no categories.
struct ReadingChoices {
    default_country: Option<Region>,
    templates: Option<Arc<TemplateCatalogue>>,
    uncategorised_as: Option<TemplateCategory>,
}

impl ReadingChoices {
    fn from_args(a: &LogArgs) -> Result<ReadingChoices> {
        let default_country = match &a.default_country {
            None => None,
            Some(cc) => Some(
                NumberingPlan::bundled()
                    .region(cc)
                    .cloned()
                    .ok_or_else(|| {
                        BadInput::new(format!("--default-country {cc}: unknown country"))
                            .hint("use the ISO code of the country whose national numbers the log holds, such as US, FR or GB")
                    })?,
            ),
        };
        let templates = match &a.templates {
            None => None,
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|e| {
                    BadInput::new(format!("--templates {path}: cannot read it: {e}"))
                        .hint("give the path of a template list (JSON) or catalogue (CSV)")
                })?;
                Some(Arc::new(TemplateCatalogue::parse(&text, path)?))
            }
        };
        let uncategorised_as = match a.template_category.as_deref().map(str::trim) {
            None => None,
            Some(c) => Some(match c.to_ascii_lowercase().as_str() {
                "marketing" | "marketing_lite" => TemplateCategory::Marketing,
                "utility" => TemplateCategory::Utility,
                "authentication" => TemplateCategory::Authentication,
                _ => {
                    return Err(BadInput::new(format!(
                        "--template-category {c}: not a template category"
                    ))
                    .hint("use marketing, utility or authentication: the category of the templates your business sends outside customer service windows")
                    .into())
                }
            }),
        };
        if templates.is_some() && uncategorised_as.is_some() {
            return Err(BadInput::new("--templates and --template-category both say what categories are")
                .hint("use --templates for a log with a template column, --template-category for a log without any")
                .into());
        }
        Ok(ReadingChoices {
            default_country,
            templates,
            uncategorised_as,
        })
    }

    fn any(&self) -> bool {
        self.default_country.is_some()
            || self.templates.is_some()
            || self.uncategorised_as.is_some()
    }
}

/// `--date-format` and `--delimiter`, which describe a CSV log.
fn date_and_delimiter(
    a: &LogArgs,
    format: InputFormat,
) -> Result<(DateFormat, Option<u8>), BadInput> {
    if format != InputFormat::Csv && (a.date_format.is_some() || a.delimiter.is_some()) {
        return Err(
            BadInput::new("--date-format and --delimiter describe a CSV log")
                .hint("webhook payloads carry Unix timestamps and are JSON"),
        );
    }
    let date_format = match &a.date_format {
        None => DateFormat::Auto,
        Some(f) => f.parse().map_err(|e: String| {
            BadInput::new(e).hint(
                "give a strftime pattern with the date and the time of day, such as '%d/%m/%Y %H:%M' or '%m/%d/%Y %I:%M %p', or excel, or unix",
            )
        })?,
    };
    let delimiter = match a.delimiter.as_deref() {
        None => None,
        Some(d) => Some(match d {
            "," => b',',
            ";" => b';',
            "|" => b'|',
            "\t" | "\\t" => b'\t',
            t if t.eq_ignore_ascii_case("tab") => b'\t',
            _ => {
                return Err(BadInput::new(format!(
                    "--delimiter {}: not a field separator waprice reads",
                    waprice::error::cut(d)
                ))
                .hint("use , ; | or tab"))
            }
        }),
    };
    Ok((date_format, delimiter))
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
        let tariffs = Tariffs::with_tiers(&a.tariff, &a.tiers.tiers)?;
        let log = LogSettings::from_args(&a.log, &tariffs.markets)?;
        let budget = budget(&tariffs.currency, a.budget.as_deref(), a.agents)?;
        let by = match a
            .by
            .as_deref()
            .map(|s| s.replace(' ', "").to_ascii_lowercase())
        {
            None => None,
            Some(s) if s == "account" => None,
            Some(s) if s == "market" => Some(By::Market),
            Some(s) if s == "category" => Some(By::Category),
            Some(s) if s == "market,category" || s == "category,market" => Some(By::MarketCategory),
            // A tier only means something inside its market and category.
            Some(s) if is_tier_breakdown(&s) => Some(By::Tier),
            Some(s) => {
                return Err(BadInput::new(format!("--by {s}: unknown breakdown"))
                    .hint("use --by market, --by category, --by market,category, --by tier (which is per market and category), or --by account with --accounts")
                    .into())
            }
        };
        let (format, csv, html) = output_or_html(&a.output)?;
        if html && a.as_of.is_some() {
            return Err(
                BadInput::new("--format html goes with an estimate, not --as-of")
                    .hint("leave out --as-of, or use --format table, csv, json or xlsx")
                    .into(),
            );
        }
        let by_account = a.by.as_deref().map(str::trim) == Some("account");
        let mut log = log;
        if let Some(accounts) = load_accounts(&a.accounts, &a.log, &tariffs)? {
            if !by_account {
                return Err(BadInput::new("estimate --accounts prints one line per account and month: it needs --by account")
                    .hint("add --by account, or run waprice invoices LOG --accounts FILE for budgets and overage per account")
                    .into());
            }
            if a.as_of.is_some() {
                return Err(BadInput::new("--as-of does not go with --accounts")
                    .hint("run the what-if without --accounts")
                    .into());
            }
            log.engine.accounts = Some(accounts);
        } else if by_account {
            return Err(BadInput::new("--by account needs --accounts FILE")
                .hint("the accounts file says which business numbers belong to which account")
                .into());
        }
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
fn load_accounts(
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
    for account in &accounts.accounts {
        if !tariffs.cards.has_currency(&account.currency) {
            return Err(BadInput::new(format!(
                "{path}, line {}: account '{}' is billed in {}, and no rate card is in {}",
                account.line, account.name, account.currency, account.currency
            ))
            .hint(format!(
                "cards are bundled for {}; load one with --tariff FILE",
                tariffs.cards.currencies().join(", ")
            ))
            .into());
        }
    }
    Ok(Some(Arc::new(accounts)))
}

/// `--as-of DATE`: a date some supported pricing rule covers.
fn as_of(d: &str) -> Result<NaiveDate, BadInput> {
    let day = date(d, "--as-of")?;
    if day < SUPPORTED_FROM {
        return Err(BadInput::new(format!(
            "--as-of {day}: before 2022-02-01, the first date any supported pricing rule covers"
        ))
        .hint("give a date from 2022-02-01 on"));
    }
    Ok(day)
}

/// `--by tier`, alone or with both market and category, in any order.
fn is_tier_breakdown(s: &str) -> bool {
    let mut dims: Vec<&str> = s.split(',').collect();
    dims.sort_unstable();
    dims == ["tier"] || dims == ["category", "market", "tier"]
}

/// Authentication-international needs both flags (docs/rules.md, Authentication-international); `--auth-intl-except`
/// gives some customer countries their own start date, as Meta's eligibility email does.
fn auth_intl(a: &LogArgs, markets: &MarketMap) -> Result<(EngineConfig, Option<String>)> {
    let (country, since) = match (&a.rules.business_country, &a.rules.auth_intl_since) {
        (None, None) if a.rules.auth_intl_except.is_empty() => {
            return Ok((EngineConfig::default(), None))
        }
        (Some(c), Some(s)) => (c, date(s, "--auth-intl-since")?),
        (None, None) => {
            return Err(BadInput::new("--auth-intl-except needs --business-country and --auth-intl-since")
                .hint("it changes the start date of some countries for a business that is eligible")
                .into())
        }
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
    let with_rate: Vec<&str> = AUTH_INTL_START.iter().map(|(iso, _)| *iso).collect();
    let mut exceptions: Vec<(CountryId, NaiveDate)> = Vec::new();
    let mut note = format!("{}, eligible since {since}", markets.iso(home));
    for x in &a.rules.auth_intl_except {
        let (cc, d) = x.split_once('=').ok_or_else(|| {
            BadInput::new(format!("--auth-intl-except {x}: expected CC=DATE"))
                .hint("for example --auth-intl-except IN=2025-03-15")
        })?;
        let d = date(d, "--auth-intl-except")?;
        let c = markets.country_by_iso(cc.trim()).ok_or_else(|| {
            BadInput::new(format!("--auth-intl-except {x}: unknown country '{cc}'"))
                .hint("use an ISO 3166 code such as IN")
        })?;
        let iso = markets.iso(c);
        let Some((_, start)) = AUTH_INTL_START.iter().find(|(i, _)| *i == iso) else {
            return Err(BadInput::new(format!(
                "--auth-intl-except {x}: {iso} has no authentication-international rate"
            ))
            .hint(format!("countries with one: {}", with_rate.join(", ")))
            .into());
        };
        if c == home {
            return Err(BadInput::new(format!(
                "--auth-intl-except {x}: {iso} is the business's own country, which always pays the domestic authentication rate"
            ))
            .into());
        }
        if exceptions.iter().any(|(e, _)| *e == c) {
            return Err(BadInput::new(format!("--auth-intl-except: {iso} is given twice")).into());
        }
        exceptions.push((c, d));
        note.push_str(&if d < *start {
            format!("; {iso} from {start} (its start date; --auth-intl-except said {d})")
        } else {
            format!("; {iso} from {d} (--auth-intl-except)")
        });
    }
    Ok((
        EngineConfig {
            auth_intl_from: auth_intl_from(markets, home, since, &exceptions),
            ..EngineConfig::default()
        },
        Some(note),
    ))
}

/// Per customer country (indexed by `CountryId`): the first date an authentication template
/// pays the authentication-international rate, the later of the country's start date
/// (docs/rules.md, Authentication-international) and the business's own start for it (`since`, or the country's exception);
/// never for the business's own country.
fn auth_intl_from(
    markets: &MarketMap,
    home: CountryId,
    since: NaiveDate,
    exceptions: &[(CountryId, NaiveDate)],
) -> Vec<Option<NaiveDate>> {
    let mut from = Vec::new();
    for (iso, start) in AUTH_INTL_START {
        if let Some(c) = markets.country_by_iso(iso) {
            if c == home {
                continue;
            }
            let own = exceptions
                .iter()
                .find(|(e, _)| *e == c)
                .map_or(since, |(_, d)| *d);
            let i = c.0 as usize;
            if from.len() <= i {
                from.resize(i + 1, None);
            }
            from[i] = Some(start.max(own));
        }
    }
    from
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
fn month_arg(flag: &str, value: &str) -> Result<Month> {
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
                overrides_used(&ov, meta_cards + meta_tiers)?;
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
                overrides_used(&ov, usize::from(layout.is_meta()))?;
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

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    /// docs/rules.md, Authentication-international: the start date of each country with an authentication-international
    /// rate, never before the business's own eligibility, never for its own country.
    #[test]
    fn auth_intl_start_dates_per_country() {
        let m = MarketMap::bundled();
        let c = |iso: &str| m.country_by_iso(iso).unwrap();
        let at =
            |from: &[Option<NaiveDate>], iso: &str| from.get(c(iso).0 as usize).copied().flatten();
        let from = auth_intl_from(&m, c("FR"), d("2024-01-01"), &[]);
        assert_eq!(at(&from, "ID"), Some(d("2024-06-01")));
        assert_eq!(at(&from, "IN"), Some(d("2024-07-01")));
        for iso in ["EG", "MY", "NG", "PK", "SA", "ZA", "AE"] {
            assert_eq!(at(&from, iso), Some(d("2025-02-01")), "{iso}");
        }
        for iso in ["BD", "IQ", "NP", "LK", "KZ", "KW", "MA", "OM", "UA"] {
            assert_eq!(at(&from, iso), Some(d("2026-10-01")), "{iso}");
        }
        for iso in ["FR", "DE", "BR", "US"] {
            assert_eq!(at(&from, iso), None, "{iso}");
        }
        // Eligible later: that date for every country already started.
        let from = auth_intl_from(&m, c("FR"), d("2025-03-15"), &[]);
        assert_eq!(at(&from, "ID"), Some(d("2025-03-15")));
        assert_eq!(at(&from, "EG"), Some(d("2025-03-15")));
        assert_eq!(at(&from, "KZ"), Some(d("2026-10-01")));
        // A business in India pays India's domestic rate, and the international one elsewhere.
        let from = auth_intl_from(&m, c("IN"), d("2024-01-01"), &[]);
        assert_eq!(at(&from, "IN"), None);
        assert_eq!(at(&from, "ID"), Some(d("2024-06-01")));
        // Exceptions: one country later, one said earlier than the country's own start.
        let from = auth_intl_from(
            &m,
            c("FR"),
            d("2024-01-01"),
            &[(c("IN"), d("2025-05-01")), (c("EG"), d("2024-09-01"))],
        );
        assert_eq!(at(&from, "IN"), Some(d("2025-05-01")));
        assert_eq!(at(&from, "EG"), Some(d("2025-02-01")));
        assert_eq!(at(&from, "ID"), Some(d("2024-06-01")));
    }

    #[test]
    fn tier_breakdowns() {
        assert!(is_tier_breakdown("tier"));
        assert!(is_tier_breakdown("tier,market,category"));
        assert!(!is_tier_breakdown("market,tier"));
    }
}
