//! Command-line definitions only; doc comments are the --help text.

use clap::{Args, Parser, Subcommand, ValueEnum};

/// What WhatsApp Business messaging costs, and why.
///
/// Replays a message log through Meta's billing rules (2022 to today), prices it from dated
/// rate cards, and compares each month with Callbell's included WhatsApp budget.
#[derive(Debug, Parser)]
#[command(name = "waprice", version, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Estimate a log's Meta bill month by month, against the Callbell budget.
    ///
    /// Example: waprice estimate samples/fr-shop-2024-03.csv --format csv
    Estimate(EstimateArgs),
    /// A platform's month-end: one invoice line per customer account and month, with the
    /// account's budget and overage.
    ///
    /// Example: waprice invoices samples/platform-2024-03.csv --accounts samples/platform-accounts.csv
    Invoices(InvoicesArgs),
    /// Every billing event of a log, one CSV row each, in time order: the audit trail.
    ///
    /// Example: waprice ledger samples/support-2026-10-11.csv > ledger.csv
    Ledger(LedgerArgs),
    /// Forecast a month's cost from volumes instead of a log, like Meta's pricing calculator.
    ///
    /// Example: waprice forecast --country FR --marketing 2000 --utility 500 --authentication 100 --service 300
    Forecast(ForecastArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell) to stdout.
    ///
    /// Example: waprice completions bash > /etc/bash_completion.d/waprice
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff) to stdout: waprice's, or a subcommand's with every option.
    ///
    /// Example: waprice man estimate > waprice-estimate.1 && man ./waprice-estimate.1
    Man {
        /// The subcommand whose page to print (`tariffs check` for a nested one).
        #[arg(value_name = "COMMAND", num_args = 0..=2)]
        command: Vec<String>,
        /// Write every page (waprice.1, waprice-estimate.1, …) into DIR instead.
        #[arg(long, value_name = "DIR", conflicts_with = "command")]
        dir: Option<std::path::PathBuf>,
    },
    /// Show the rates in force for a country, a market, or the whole card.
    ///
    /// Example: waprice rates --country FR --currency EUR --date 2026-10-15
    Rates(RatesArgs),
    /// Compare waprice's verdict on every message with the one Meta reported in its webhooks.
    ///
    /// Example: waprice reconcile --webhooks events.ndjson --sent sent.csv --diff disagreements.csv
    Reconcile(ReconcileArgs),
    /// List the rate cards (bundled and loaded), or check a new card against the ones before it.
    ///
    /// Example: waprice tariffs check "WhatsApp rate card EUR.csv"
    Tariffs(TariffsArgs),
    /// Put the JSON of `--shard K/N` runs (invoices, or estimate --by account) back together:
    /// exactly what one run prints, in any format.
    ///
    /// Example: waprice merge shard-1.json shard-2.json shard-3.json shard-4.json --format csv
    Merge(MergeArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    Table,
    Csv,
    Json,
    /// An Excel workbook with typed cells, a sheet per view (written with -o FILE).
    Xlsx,
    /// A printable HTML report with charts, the CSV's figures and the notes (estimate,
    /// invoices, merge).
    Html,
}

/// What ledger writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LedgerFormatArg {
    Csv,
    /// An Excel workbook (written with -o FILE); up to 1,048,574 rows (a sheet less its
    /// header and totals).
    Xlsx,
}

/// What a log file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InputFormatArg {
    /// A message log, one CSV row per message.
    Csv,
    /// Meta's WhatsApp Cloud API webhook payloads, one JSON per line (NDJSON).
    MetaWebhooks,
    /// Twilio's Messaging log export as downloaded (From, To, SentDate, Direction, Status…);
    /// rows without a whatsapp: number are SMS, counted and left out.
    Twilio,
}

/// How to print: shared by the commands that print tables, CSV or JSON.
#[derive(Debug, Args)]
pub struct OutputArgs {
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: FormatArg,
    /// CSV for comma-decimal spreadsheets: `;` between fields and `,` as decimal separator.
    #[arg(long)]
    pub decimal_comma: bool,
    /// CSV starting with a UTF-8 byte-order mark, so that Excel on Windows reads accents right.
    #[arg(long)]
    pub bom: bool,
    /// Write to FILE instead of standard output (needed for --format xlsx on a terminal).
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<String>,
}

#[derive(Debug, Args)]
pub struct TariffArgs {
    /// Billing currency of the rate cards (ISO code).
    #[arg(long, default_value = "EUR", value_name = "CODE")]
    pub currency: String,
    /// Extra rate card (repeatable): Meta's CSV exactly as downloaded, or the layout of
    /// tariffs/rate-cards.csv; its rows replace bundled rows with the same currency, date and market.
    #[arg(long = "tariff", value_name = "FILE")]
    pub tariffs: Vec<String>,
    /// Effective date of a --tariff in Meta's layout (YYYY-MM-DD), instead of its title line.
    #[arg(long, value_name = "DATE")]
    pub tariff_date: Option<String>,
    /// Currency of a --tariff in Meta's layout (EUR, USD, $US…), instead of its title line.
    #[arg(long, value_name = "CODE")]
    pub tariff_currency: Option<String>,
}

/// Volume tiers: shared by estimate and ledger.
#[derive(Debug, Args)]
pub struct TierArgs {
    /// Volume-tier table (repeatable): Meta's tier CSV, or waprice's layout
    /// (currency,effective_from,market,category,threshold,rate). None is bundled: without one,
    /// utility and authentication pay list rates.
    #[arg(long = "tiers", value_name = "FILE")]
    pub tiers: Vec<String>,
}

/// Which rules apply and how strictly input is read: shared by every command that replays.
#[derive(Debug, Clone, Args)]
pub struct RuleArgs {
    /// The WABA's time zone (IANA name): months and rule dates start at its midnight.
    #[arg(long, default_value = "UTC", value_name = "TZ")]
    pub timezone: String,
    /// The business's country (ISO code), for authentication-international rates; needs --auth-intl-since.
    #[arg(long, value_name = "CC")]
    pub business_country: Option<String>,
    /// The date the business became eligible for authentication-international rates (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub auth_intl_since: Option<String>,
    /// A customer country whose authentication-international start date differs, as Meta's
    /// eligibility email gives it, e.g. --auth-intl-except IN=2025-03-15 (repeatable).
    #[arg(long = "auth-intl-except", value_name = "CC=DATE")]
    pub auth_intl_except: Vec<String>,
    /// Free service messages per business number per month from 2026-10-01 (Meta publishes none; default 0).
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub free_service_allowance: u32,
    /// Skip rows (or payloads) with bad values, counted and reported, instead of failing.
    #[arg(long)]
    pub skip_invalid: bool,
    /// Skip messages dated before 2022-02-01, counted and reported, instead of failing.
    #[arg(long)]
    pub skip_unsupported: bool,
    /// The log holds the whole history: a free-form message in its first 24h with no customer
    /// message before it and no delivery evidence is rejected, not presumed inside a service
    /// window opened before the log.
    #[arg(long)]
    pub log_starts_clean: bool,
    /// Never show a progress bar.
    #[arg(long)]
    pub no_progress: bool,
}

/// How to read a log and which rules apply: shared by estimate and ledger.
#[derive(Debug, Args)]
pub struct LogArgs {
    /// The message log (CSV with a header; `-` for stdin; gzip and zstd read transparently).
    #[arg(value_name = "LOG")]
    pub log: String,
    #[command(flatten)]
    pub rules: RuleArgs,
    /// Map a column to another header, e.g. --column timestamp="Date Sent" (repeatable).
    #[arg(long = "column", value_name = "NAME=HEADER")]
    pub columns: Vec<String>,
    /// How the log writes dates that waprice does not read by itself: a strftime pattern
    /// ('%d/%m/%Y %H:%M'), excel (a spreadsheet's serial days) or unix.
    #[arg(long, value_name = "PATTERN|excel|unix")]
    pub date_format: Option<String>,
    /// The separator between the log's fields: , ; tab or | (default: found from the header).
    #[arg(long, value_name = "C")]
    pub delimiter: Option<String>,
    /// Fail instead of using a substitute rate or leaving units unpriced.
    #[arg(long)]
    pub strict_tariffs: bool,
    /// What LOG is: csv (a message log) or meta-webhooks (Meta's webhook payloads, one JSON per line).
    #[arg(long, value_enum, default_value = "csv", value_name = "FORMAT")]
    pub input: InputFormatArg,
    /// With --input meta-webhooks: a CSV of sent messages (id,category) giving each template's category.
    #[arg(long, value_name = "FILE")]
    pub sent: Option<String>,
    /// Read customer numbers written without + or 00 as national numbers of this country
    /// (ISO code) first, then as international ones.
    #[arg(long, value_name = "CC")]
    pub default_country: Option<String>,
    /// Template catalogue for a log with a template column: Meta's template list (JSON, as
    /// GET /{waba-id}/message_templates returns it) or a CSV name,category[,language].
    #[arg(long, value_name = "FILE")]
    pub templates: Option<String>,
    /// For a log without categories: business messages outside a customer service window are
    /// templates of this category (marketing, utility or authentication); inside one, free-form.
    #[arg(long, value_name = "CAT")]
    pub template_category: Option<String>,
}

#[derive(Debug, Args)]
pub struct EstimateArgs {
    #[command(flatten)]
    pub log: LogArgs,
    #[command(flatten)]
    pub tariff: TariffArgs,
    #[command(flatten)]
    pub tiers: TierArgs,
    #[command(flatten)]
    pub output: OutputArgs,
    /// Long format per market and/or category: market, category or market,category; tier adds
    /// each unit's volume tier to market,category; account (with --accounts) per customer account.
    #[arg(long, value_name = "DIMENSIONS")]
    pub by: Option<String>,
    #[command(flatten)]
    pub accounts: AccountArgs,
    /// Active Callbell agents: the budget is 50 EUR (54 USD) a month per started 10 agents.
    #[arg(long, value_name = "N")]
    pub agents: Option<u32>,
    /// Monthly WhatsApp budget, overriding the agents rule (needed for currencies other than EUR and USD).
    #[arg(long, value_name = "AMOUNT")]
    pub budget: Option<String>,
    /// What-if: re-price every message under the rules and rate cards in force on this date
    /// (YYYY-MM-DD), keeping its time of day, windows and month; shown beside the actual bill.
    #[arg(long, value_name = "DATE", conflicts_with = "by")]
    pub as_of: Option<String>,
    /// Under the table, no bar chart of cost against budget.
    #[arg(long)]
    pub no_chart: bool,
    /// Draw the chart with ASCII characters only.
    #[arg(long)]
    pub ascii: bool,
    /// With --format xlsx: the ledger too, on a sheet of its own.
    #[arg(long)]
    pub ledger_sheet: bool,
}

/// A platform's customer accounts: shared by estimate and invoices.
#[derive(Debug, Args)]
pub struct AccountArgs {
    /// The platform's accounts: CSV account,business,agents[,currency][,budget][,waba][,from][,until],
    /// one row per business number of an account. Free and volume tiers count per WABA.
    #[arg(long, value_name = "FILE")]
    pub accounts: Option<String>,
    /// A month's own agent count per account: CSV account,month,agents (month as YYYY-MM).
    #[arg(long, value_name = "FILE", requires = "accounts")]
    pub agents_by_month: Option<String>,
    /// Fail (exit 2) when the log has messages of a business number no account lists,
    /// instead of billing them to the account 'unassigned'.
    #[arg(long, requires = "accounts")]
    pub strict_accounts: bool,
    /// Only the accounts of shard K of N (1 <= K <= N): those whose name's FNV-1a 64 hash
    /// modulo N is K-1. Run every K/N with --format json, then put them together with
    /// waprice merge (docs/scale.md).
    #[arg(long, value_name = "K/N", requires = "accounts")]
    pub shard: Option<String>,
}

#[derive(Debug, Args)]
pub struct InvoicesArgs {
    #[command(flatten)]
    pub log: LogArgs,
    #[command(flatten)]
    pub tariff: TariffArgs,
    #[command(flatten)]
    pub tiers: TierArgs,
    #[command(flatten)]
    pub output: OutputArgs,
    #[command(flatten)]
    pub accounts: AccountArgs,
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The shards' JSON files (`--format json` of every --shard 1/N .. N/N of one run).
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<String>,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct LedgerArgs {
    #[command(flatten)]
    pub log: LogArgs,
    #[command(flatten)]
    pub tariff: TariffArgs,
    #[command(flatten)]
    pub tiers: TierArgs,
    /// CSV for comma-decimal spreadsheets: `;` between fields and `,` as decimal separator.
    #[arg(long)]
    pub decimal_comma: bool,
    /// CSV starting with a UTF-8 byte-order mark, so that Excel on Windows reads accents right.
    #[arg(long)]
    pub bom: bool,
    /// Output format.
    #[arg(long, value_enum, default_value = "csv")]
    pub format: LedgerFormatArg,
    /// Write to FILE instead of standard output (needed for --format xlsx on a terminal).
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<String>,
}

#[derive(Debug, Args)]
pub struct RatesArgs {
    /// Country: ISO code (FR) or calling code (+33).
    #[arg(long, value_name = "CC", conflicts_with = "market")]
    pub country: Option<String>,
    /// Market as Meta names it ("Rest of Africa").
    #[arg(long, value_name = "NAME")]
    pub market: Option<String>,
    /// The date the rates are in force on (YYYY-MM-DD; default today, UTC).
    #[arg(long, value_name = "DATE")]
    pub date: Option<String>,
    #[command(flatten)]
    pub tariff: TariffArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct ForecastArgs {
    /// Country (ISO code like FR or calling code like +33), optionally with its own volumes:
    /// FR:marketing=2000,utility=500 (repeatable).
    #[arg(long, value_name = "CC[:CATEGORY=N,...]")]
    pub country: Vec<String>,
    /// A CSV of volumes per country: header country,marketing,utility,authentication,service
    /// (authentication_international and utility_in_window optional).
    #[arg(long, value_name = "FILE")]
    pub volumes: Option<String>,
    /// Marketing templates a month (for every --country given without volumes).
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub marketing: u64,
    /// Utility templates a month.
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub utility: u64,
    /// Of the utility templates, how many are sent inside a customer service window (free before 2026-10-01).
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub utility_in_window: u64,
    /// Authentication templates a month.
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub authentication: u64,
    /// Authentication templates a month that pay the authentication-international rate.
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub authentication_international: u64,
    /// Free-form (service) messages a month (conversations before 2025-07-01).
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub service: u64,
    /// The date whose rules and cards apply (YYYY-MM-DD; default today, UTC; from 2023-06-01).
    #[arg(long, value_name = "DATE")]
    pub date: Option<String>,
    /// Free service messages a month from 2026-10-01 (Meta publishes none; default 0).
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub free_service_allowance: u64,
    /// Active Callbell agents (default 10).
    #[arg(long, value_name = "N")]
    pub agents: Option<u32>,
    /// Monthly WhatsApp budget, overriding the agents rule.
    #[arg(long, value_name = "AMOUNT")]
    pub budget: Option<String>,
    #[command(flatten)]
    pub tariff: TariffArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args)]
pub struct ReconcileArgs {
    /// Meta's webhook payloads, one JSON per line as Meta posts them (`-` for stdin; gzip and zstd read transparently).
    #[arg(long, value_name = "FILE")]
    pub webhooks: String,
    /// A CSV of sent messages (id,category): each template's category as the business sent it,
    /// instead of Meta's pricing.category.
    #[arg(long, value_name = "FILE")]
    pub sent: Option<String>,
    /// Write every disagreement, with both verdicts, to this CSV file.
    #[arg(long, value_name = "FILE")]
    pub diff: Option<String>,
    /// Exit with code 1 when the share of messages on which waprice and Meta agree is below PCT.
    #[arg(long, value_name = "PCT")]
    pub fail_under: Option<String>,
    /// Compare monthly totals with Meta's pricing_analytics or conversation_analytics JSON response.
    #[arg(long, value_name = "FILE")]
    pub analytics: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: FormatArg,
    /// Write to FILE instead of standard output (needed for --format xlsx on a terminal).
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<String>,
    #[command(flatten)]
    pub tariff: TariffArgs,
    #[command(flatten)]
    pub rules: RuleArgs,
}

#[derive(Debug, Args)]
pub struct TariffsArgs {
    #[command(subcommand)]
    pub action: Option<TariffsAction>,
    /// Only the cards of this currency (ISO code).
    #[arg(long, value_name = "CODE")]
    pub currency: Option<String>,
    /// A card to list with the bundled ones (repeatable): Meta's CSV or waprice's layout.
    #[arg(long = "tariff", value_name = "FILE")]
    pub tariffs: Vec<String>,
    /// A volume-tier table to list (repeatable).
    #[arg(long = "tiers", value_name = "FILE")]
    pub tiers: Vec<String>,
    /// Instead of the list: for each market, category and month, whether the rate in force is
    /// published, derived, a substitute or missing (needs --currency).
    ///
    /// Example: waprice tariffs --coverage --currency EUR --from 2023-06 --to 2025-12
    #[arg(long)]
    pub coverage: bool,
    /// First month of --coverage (YYYY-MM; default 2022-02).
    #[arg(long, value_name = "YYYY-MM", requires = "coverage")]
    pub from: Option<String>,
    /// Last month of --coverage (YYYY-MM; default the current month).
    #[arg(long, value_name = "YYYY-MM", requires = "coverage")]
    pub to: Option<String>,
    /// Effective date of a file in Meta's layout (YYYY-MM-DD), instead of its title line.
    #[arg(long, value_name = "DATE")]
    pub tariff_date: Option<String>,
    /// Currency of a file in Meta's layout, instead of its title line.
    #[arg(long, value_name = "CODE")]
    pub tariff_currency: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: FormatArg,
}

#[derive(Debug, Subcommand)]
pub enum TariffsAction {
    /// Validate a card and show what it changes against the rates in force the day before it:
    /// markets added, rates up and down.
    ///
    /// Example: waprice tariffs check rate-card-eur-2026-10.csv --format csv
    Check(TariffsCheckArgs),
}

#[derive(Debug, Args)]
pub struct TariffsCheckArgs {
    /// The card to check: Meta's CSV as downloaded, or waprice's layout (a tier table is
    /// validated too).
    #[arg(value_name = "FILE")]
    pub file: String,
    /// Another card to compare against besides the bundled ones (repeatable).
    #[arg(long = "tariff", value_name = "FILE")]
    pub tariffs: Vec<String>,
    /// Effective date of FILE in Meta's layout (YYYY-MM-DD), instead of its title line.
    #[arg(long, value_name = "DATE")]
    pub tariff_date: Option<String>,
    /// Currency of FILE in Meta's layout, instead of its title line.
    #[arg(long, value_name = "CODE")]
    pub tariff_currency: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: FormatArg,
}
