//! The pipeline, whole: a log in, priced events and a report out. This is the library's
//! facade: the binary's `estimate`, `ledger`, `invoices` and `reconcile`, the fuzz target and
//! `examples/price_messages.rs` all go through it, so there is one way from a log to a bill.
//!
//! ```text
//!   LogSettings (where the log is, how to read it, the engine's rules) + Tariffs (markets,
//!   cards, tiers, currency)
//!     ─▶ stream / read ─▶ replay ─▶ price ─▶ each event, its market and its Quote
//!     ─▶ tally ─▶ Tallied (totals, row accounting) ─▶ notes ─▶ report::Report
//! ```
//!
//! The shortest use prices a log held in memory with the bundled cards:
//!
//! ```no_run
//! use waprice::budget::Budget;
//! use waprice::pipeline::{self, LogSettings, LogSource, Tariffs};
//! let log = "timestamp,direction,business,customer,category\n\
//!            2025-08-01T10:00:00Z,outbound,+33100000000,+33612345678,marketing\n";
//! let settings = LogSettings::new(LogSource::Bytes(log.as_bytes().into()));
//! let tariffs = Tariffs::bundled("EUR").unwrap();
//! let budget = Budget::for_agents("EUR", 10, true).unwrap();
//! let report = pipeline::estimate(&settings, &tariffs, &budget, None).unwrap();
//! ```
//!
//! A log in time order is streamed on two threads (one reads, the other replays, prices and
//! hands each event on), so memory grows with customers, not rows; one that is not, or
//! standard input, is read whole and sorted first ([`stream`]). [`read`] and [`replay`] do the
//! two halves separately, for a log replayed twice (the what-if) or kept for its numbers (the
//! ledger).
//!
//! The library never draws on the terminal: what the user should see while it runs (a progress
//! bar, warnings about skipped rows) goes through the [`Hooks`] of [`LogSettings::hooks`], which
//! the binary implements with indicatif and standard error. Without hooks the pipeline is
//! silent; the same facts are in the notes.

mod invoices;
mod ledger;
pub mod options;
mod skipped;
mod split;
mod stream;

pub use invoices::{invoices, PerAccount};
pub use ledger::{ledger, ledger_note, Row};
pub use skipped::future_warning;
pub use split::PARALLEL_FROM;
pub use stream::{read, read_webhooks, replay, stream, Streamed};

use crate::accounts::Accounts;
use crate::budget::Budget;
use crate::engine::EngineConfig;
use crate::error::BadInput;
use crate::input::reader::{InputOptions, Log, ReadStats};
use crate::input::table::Table;
use crate::price::Quote;
use crate::report::notes::{notes as report_notes, tier_notes, NoteContext};
use crate::report::{By, Report, Tally};
use crate::tariff::card::RateCards;
use crate::tariff::files;
use crate::tariff::market::MarketMap;
use crate::tariff::meta_csv::Overrides;
use crate::tariff::tier::TierTables;
use anyhow::Result;
use chrono_tz::Tz;
use std::cell::RefCell;
use std::io::Read;
use std::sync::Arc;

/// Where a log comes from.
#[derive(Clone)]
pub enum LogSource {
    /// A file, or `-` for standard input (which cannot be read twice, so it is never
    /// streamed). Gzip and zstd are recognised by their magic bytes.
    File(String),
    /// A log held in memory (compressed or not, like a file).
    Bytes(Arc<[u8]>),
    /// A log held as a table (the Python package's Arrow tables): its column names are the
    /// header and its rows are read by the CSV log's row parser. Errors name a row by the
    /// line it would be on in the same table written as CSV (row i from 0 on line i + 2).
    Table(Arc<dyn Table>),
}

impl LogSource {
    /// Standard input.
    pub fn is_stdin(&self) -> bool {
        matches!(self, LogSource::File(p) if p == "-")
    }
}

/// What a log file is (`--input`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputFormat {
    /// A CSV export (any of the layouts `input::columns` knows).
    Csv,
    /// Meta's webhook payloads, one JSON object per line.
    MetaWebhooks,
}

/// How to read a log and which rules apply: everything the pipeline needs besides the tariffs.
#[derive(Clone)]
pub struct LogSettings {
    /// Where the log is.
    pub source: LogSource,
    /// What the log is.
    pub format: InputFormat,
    /// `--sent FILE` (meta-webhooks input only): the templates' categories.
    pub sent: Option<String>,
    /// Columns, separator, dates, skip flags, the name errors give the log.
    pub input: InputOptions,
    /// The WABA's time zone: months, days and windows are counted in it.
    pub timezone: Tz,
    /// The engine's rules (allowance, authentication-international, what-if date, accounts).
    pub engine: EngineConfig,
    /// `--strict-tariffs`: a substitute or missing rate is an error.
    pub strict: bool,
    /// "FR, eligible since 2025-01-01" when authentication-international is on (for the notes).
    pub auth_intl: Option<String>,
    /// Progress and warnings while the pipeline runs; `None`: silent.
    pub hooks: Option<Arc<dyn Hooks>>,
    /// A plain log file out of time order of at least this many bytes is parsed on two
    /// threads, each half of it by one (the same result, sooner).
    pub parallel_from: u64,
}

impl LogSettings {
    /// A CSV log from `source` under the default rules, in UTC, with no hooks. Errors name the
    /// log by its path (`<stdin>` for `-`, `<log>` for bytes).
    pub fn new(source: LogSource) -> LogSettings {
        let name = match &source {
            LogSource::File(p) if p == "-" => "<stdin>".to_string(),
            LogSource::File(p) => p.clone(),
            LogSource::Bytes(_) => "<log>".to_string(),
            LogSource::Table(_) => "<table>".to_string(),
        };
        LogSettings {
            source,
            format: InputFormat::Csv,
            sent: None,
            input: InputOptions {
                name,
                ..InputOptions::default()
            },
            timezone: chrono_tz::UTC,
            engine: EngineConfig::default(),
            strict: false,
            auth_intl: None,
            hooks: None,
            parallel_from: split::PARALLEL_FROM,
        }
    }

    /// Hands a warning to the hooks (if any).
    fn warn(&self, message: &str) {
        if let Some(hooks) = &self.hooks {
            hooks.warn(message);
        }
    }
}

/// What the pipeline tells its caller while it runs. The binary writes warnings to standard
/// error and draws a progress bar on a terminal; the library does neither itself.
pub trait Hooks: Send + Sync {
    /// A warning for the user (skipped rows, dates in the future): one message, possibly of
    /// several lines, without a program name.
    fn warn(&self, message: &str);
    /// A reading of the log starts (again, when a log out of time order is read a second
    /// time); `size` is the file's size in bytes when known. The display for it, or `None`.
    fn reading(&self, size: Option<u64>) -> Option<Arc<dyn Reading>>;
}

/// The display of one reading of the log, shared with the reading thread.
pub trait Reading: Send + Sync {
    /// Wraps the raw (still compressed) input, to count the bytes read.
    fn wrap(&self, input: Box<dyn Read + Send>) -> Box<dyn Read + Send>;
    /// `rows` rows have been read so far.
    fn rows(&self, rows: u64);
    /// The reading ended (the end, an error or a stop): the display goes.
    fn done(&self);
}

/// What every command that prices needs: markets, cards, tiers and the currency.
pub struct Tariffs {
    /// The dated country -> market map.
    pub markets: MarketMap,
    /// The rate cards (bundled, and any loaded on top).
    pub cards: RateCards,
    /// The currency the bill is in (without accounts).
    pub currency: String,
    /// Volume-tier tables (none are bundled).
    pub tiers: TierTables,
}

impl Tariffs {
    /// The bundled markets and cards, priced in `currency`, without volume tiers. A currency
    /// no bundled card is in is an error (its every unit would be unpriced).
    pub fn bundled(currency: &str) -> Result<Tariffs> {
        let markets = MarketMap::bundled();
        let cards = RateCards::load(&markets, &[])?;
        if !cards.has_currency(currency) {
            return Err(
                BadInput::new(format!("no rate card in currency '{currency}'"))
                    .hint(format!(
                        "cards are bundled for {}",
                        cards.currencies().join(", ")
                    ))
                    .into(),
            );
        }
        Ok(Tariffs {
            markets,
            cards,
            currency: currency.to_string(),
            tiers: TierTables::default(),
        })
    }

    /// The bundled markets and cards plus loaded card files and tier files, each given as
    /// (origin, text) in any layout, priced in `currency` (as the user wrote it). `ov` describes
    /// files in Meta's layout; `notes` receives what reading the cards, then the tiers, left out
    /// or overrode. Overrides with no file in Meta's layout are an error, and so is what
    /// [`Tariffs::new`] refuses.
    pub fn load(
        currency: &str,
        card_files: &[(String, String)],
        tier_files: &[(String, String)],
        ov: &Overrides,
        notes: &mut dyn FnMut(&[String]),
    ) -> Result<Tariffs> {
        let markets = MarketMap::bundled();
        let (cards, meta_cards, card_notes) = files::load_cards(&markets, card_files, ov)?;
        notes(&card_notes);
        let (tiers, meta_tiers, tier_notes) = files::load_tiers(&markets, tier_files, ov)?;
        notes(&tier_notes);
        files::overrides_used(ov, meta_cards + meta_tiers)?;
        Tariffs::new(markets, cards, tiers, currency)
    }

    /// Cards and tiers priced in `currency` (as the user wrote it, any case): a currency with
    /// no card, or tier tables none of which is in it, is an error.
    pub fn new(
        markets: MarketMap,
        cards: RateCards,
        tiers: TierTables,
        currency: &str,
    ) -> Result<Tariffs> {
        let code = currency.trim().to_ascii_uppercase();
        if !cards.has_currency(&code) {
            return Err(
                BadInput::new(format!("no rate card in currency '{currency}'"))
                    .hint(format!(
                        "cards are bundled for {}; load one for another currency with --tariff FILE",
                        cards.currencies().join(", ")
                    ))
                    .into(),
            );
        }
        if !tiers.is_empty() && !tiers.has_currency(&code) {
            let mut have: Vec<&str> = tiers.tables().iter().map(|t| t.currency.as_str()).collect();
            have.dedup();
            return Err(BadInput::new(format!(
                "no volume-tier table in {code}: the --tiers files are in {}",
                have.join(", ")
            ))
            .hint("tiers apply to cards of their own currency; pass --currency to match")
            .into());
        }
        Ok(Tariffs {
            markets,
            cards,
            currency: code,
            tiers,
        })
    }

    /// Every account is billed in a currency some card is in: an account in another would
    /// have every unit unpriced, so it is an error naming the account's first line.
    pub fn check_accounts(&self, accounts: &Accounts) -> Result<(), BadInput> {
        // Each currency is looked up in the cards once: a platform has thousands of accounts
        // in a few currencies.
        let mut known: Vec<(&str, bool)> = Vec::new();
        let mut unpriced = None;
        for a in &accounts.accounts {
            let has = match known.iter().find(|(c, _)| *c == a.currency) {
                Some(&(_, has)) => has,
                None => {
                    let has = self.cards.has_currency(&a.currency);
                    known.push((&a.currency, has));
                    has
                }
            };
            if !has {
                unpriced = Some(a);
                break;
            }
        }
        match unpriced {
            None => Ok(()),
            Some(a) => Err(BadInput::new(format!(
                "{}, line {}: account '{}' is billed in {}, and no rate card is in {}",
                accounts.file, a.line, a.name, a.currency, a.currency
            ))
            .hint(format!(
                "cards are bundled for {}; load one with --tariff FILE",
                self.cards.currencies().join(", ")
            ))),
        }
    }

    /// The effective date of the card a priced quote's rate comes from.
    pub fn card_date(&self, quote: &Quote) -> Option<chrono::NaiveDate> {
        match quote {
            Quote::Priced(r) => Some(self.cards.row(r.row).effective_from),
            _ => None,
        }
    }
}

/// A log replayed, priced and tallied.
pub struct Tallied {
    /// The totals per month, market, category and tier (finished).
    pub tally: Tally,
    /// Every row read, as a message or as skipped.
    pub stats: ReadStats,
    /// With accounts: the business numbers no account lists and the first line of each.
    pub unlisted: Vec<(String, u64)>,
    /// Billing events replayed: one per business message.
    pub events: u64,
}

impl Tallied {
    /// The notes under a report against `budget` in the tariffs' currency.
    pub fn notes(&self, ls: &LogSettings, t: &Tariffs, budget: &Budget) -> Vec<String> {
        notes(ls, t, budget, &t.currency, &self.tally, &self.stats)
    }

    /// The report (months, or the breakdown `by`) with its notes.
    pub fn report(&self, ls: &LogSettings, t: &Tariffs, budget: &Budget, by: Option<By>) -> Report {
        let market_name = |m| t.markets.market_name(m).to_string();
        Report::build(
            &self.tally,
            &t.currency,
            budget,
            by,
            market_name,
            self.notes(ls, t, budget),
        )
    }
}

/// Replays and prices the log and tallies every event: streamed from its source, or `log`
/// when it has been read already.
pub fn tally(ls: &LogSettings, t: &Tariffs, log: Option<&Log>) -> Result<Tallied> {
    let state = RefCell::new((Tally::default(), 0u64));
    let each = |e: &crate::event::BillingEvent, market, quote: &Quote| {
        let (tally, events) = &mut *state.borrow_mut();
        tally.add(e, market, quote, t.card_date(quote));
        *events += 1;
        Ok(())
    };
    let (stats, unlisted) = match log {
        Some(log) => {
            replay(ls, t, log, each)?;
            (
                log.stats.clone(),
                stream::unlisted(ls, &log.pairs, &log.stats.business_lines),
            )
        }
        None => {
            let streamed = stream(ls, t, || *state.borrow_mut() = Default::default(), each)?;
            (streamed.stats, streamed.unlisted)
        }
    };
    let (mut tally, events) = state.into_inner();
    tally.finish();
    Ok(Tallied {
        tally,
        stats,
        unlisted,
        events,
    })
}

/// The facade in one call: streams, replays, prices and tallies the log, and builds the
/// report against `budget` (months, or the breakdown `by`) with its notes.
pub fn estimate(ls: &LogSettings, t: &Tariffs, budget: &Budget, by: Option<By>) -> Result<Report> {
    Ok(tally(ls, t, None)?.report(ls, t, budget, by))
}

/// The time (ms since the Unix epoch) of the log's first message as the pipeline reads it
/// (rows skipped as invalid or unsupported left out): what [`EngineConfig::log_start`] takes
/// when a part of this log is billed alone.
pub fn log_start(ls: &LogSettings, t: &Tariffs) -> Result<Option<i64>> {
    Ok(read(ls, t)?.messages.first().map(|m| m.time))
}

/// `as_of`: the log's months as its messages' own dates price them, and the same log (read
/// once, replayed twice) re-priced under the rules and cards of `as_of`, each with its notes.
pub fn what_if(
    ls: &LogSettings,
    t: &Tariffs,
    budget: &Budget,
    as_of: chrono::NaiveDate,
) -> Result<(Report, Report)> {
    let log = read(ls, t)?;
    let actual = tally(ls, t, Some(&log))?.report(ls, t, budget, None);
    let at = LogSettings {
        engine: EngineConfig {
            as_of: Some(as_of),
            ..ls.engine.clone()
        },
        ..ls.clone()
    };
    let what_if = tally(&at, t, Some(&log))?.report(&at, t, budget, None);
    Ok((actual, what_if))
}

/// The notes under a report in `currency`: rules, cards, provenance, substitutes, what is
/// not a unit, and how the log was read.
pub fn notes(
    ls: &LogSettings,
    t: &Tariffs,
    budget: &Budget,
    currency: &str,
    tally: &Tally,
    stats: &ReadStats,
) -> Vec<String> {
    let market_name = |m| t.markets.market_name(m).to_string();
    let card_source = |date: chrono::NaiveDate, derived: bool| {
        let mut sources: Vec<&str> = t
            .cards
            .rows()
            .iter()
            .filter(|r| {
                r.currency == currency && r.effective_from == date && r.is_derived() == derived
            })
            .map(|r| {
                if r.origin.starts_with("bundled") {
                    "bundled"
                } else {
                    r.origin.as_str()
                }
            })
            .collect();
        sources.sort();
        sources.dedup();
        sources.join(", ")
    };
    let cx = NoteContext {
        currency,
        timezone: ls.timezone.name(),
        budget,
        free_service_allowance: ls.engine.free_service_allowance,
        auth_intl: ls.auth_intl.clone(),
        market_name: &market_name,
        card_source: &card_source,
        skipped_invalid: stats.skipped_invalid,
        skipped_unsupported: stats.skipped_unsupported,
        skipped_other_channel: stats.skipped_other_channel,
        reading: reading_notes(ls, stats),
        input_notes: &stats.input_notes,
        rows: stats.rows,
        inbound: stats.inbound,
        strict: ls.strict,
    };
    let mut notes = report_notes(tally, &cx);
    if let Some(warning) = future_warning(stats, ls.timezone) {
        notes.insert(0, warning);
    }
    // Volume tiers go with the rate notes, before the events that are not units.
    let at = notes
        .iter()
        .position(|n| n.starts_with("not units:"))
        .unwrap_or(notes.len());
    let tiers = tier_notes(tally, t.tiers.has_currency(currency), &market_name);
    notes.splice(at..at, tiers);
    notes
}

/// What the log left unsaid and how it was read: every assumption goes in the notes.
fn reading_notes(ls: &LogSettings, stats: &ReadStats) -> Vec<String> {
    let mut notes = Vec::new();
    if let Some(region) = &ls.input.default_country {
        notes.push(format!(
            "numbers: written without + or 00, read as national numbers of {} first, then as international (--default-country)",
            region.iso
        ));
    }
    if let Some(catalogue) = &ls.input.templates {
        notes.push(format!(
            "categories: {} business messages took their category from the template catalogue ({} templates, --templates); a template Meta recategorised since the list was fetched is priced at the category the list gives",
            stats.from_catalogue,
            catalogue.len()
        ));
    }
    if let Some(category) = ls.engine.uncategorised_as {
        notes.push(format!(
            "categories: the log gives none; {} business messages were read as free-form inside a customer service window and as {} templates outside one (--template-category)",
            stats.uncategorised,
            category.name()
        ));
    }
    notes
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod worked_examples;
