//! `waprice estimate LOG`: the month-by-month bill against the Callbell budget, and with
//! `--as-of DATE` the same log re-priced under the rules and cards of that date.

use super::replay;
use crate::settings::{EstimateSettings, LogSettings};
use anyhow::Result;
use std::cell::RefCell;
use std::io::Write;
use waprice::event::BillingEvent;
use waprice::input::reader::{Log, ReadStats};
use waprice::pricing::Quote;
use waprice::render::xlsx::Book;
use waprice::render::{self, Format};
use waprice::report::notes::{notes, tier_notes, NoteContext};
use waprice::report::{By, Report, Tally};

pub fn run(s: &EstimateSettings) -> Result<()> {
    if s.by_account {
        let inv = super::invoices::invoices(&s.log, &s.tariffs, s.strict_accounts, s.shard, true)?;
        return super::invoices::print(&inv, s.format, s.csv, true, s.html, s.output.as_deref());
    }
    if s.format == Format::Xlsx && s.as_of.is_none() {
        return workbook(s);
    }
    if let Some(as_of) = s.as_of {
        // Two replays of the same log: read it once.
        let log = replay::read(&s.log, &s.tariffs)?;
        let actual = report(s, &s.log, &Source::Read(&log), None)?;
        let what_if_settings = LogSettings {
            engine: waprice::engine::EngineConfig {
                as_of: Some(as_of),
                ..s.log.engine.clone()
            },
            ..s.log.clone()
        };
        let what_if = report(s, &what_if_settings, &Source::Read(&log), s.by)?;
        let compare = render::what_if::Comparison {
            actual: &actual,
            what_if: &what_if,
            as_of,
        };
        if s.format == Format::Xlsx {
            let mut book = Book::new(&s.tariffs.currency);
            render::what_if::xlsx(&compare, &mut book)?;
            return book.save(s.output.as_deref());
        }
        let mut out = crate::settings::open_output(s.output.as_deref())?;
        match s.format {
            Format::Table => render::what_if::table(&compare, &mut out)?,
            Format::Csv => render::what_if::csv(&compare, s.csv, &mut out)?,
            Format::Json => render::what_if::json(&compare, &mut out)?,
            Format::Xlsx => unreachable!("written above"),
        }
        out.flush()?;
    } else {
        let actual = report(s, &s.log, &Source::Stream, None)?;
        let mut out = crate::settings::open_output(s.output.as_deref())?;
        if s.html {
            render::html::estimate(&actual, &s.log.input.name, &mut out)?;
            out.flush()?;
            return Ok(());
        }
        match s.format {
            Format::Table => render::table::estimate(&actual, s.chart, &mut out)?,
            Format::Csv => render::csv::estimate(&actual, s.csv, &mut out)?,
            Format::Json => render::json::estimate(&actual, &mut out)?,
            Format::Xlsx => unreachable!("written by workbook()"),
        }
        out.flush()?;
    }
    Ok(())
}

/// `--format xlsx`: the months, the breakdown (per market and category unless `--by` says
/// otherwise), with `--ledger-sheet` the ledger, and the notes, in one workbook.
fn workbook(s: &EstimateSettings) -> Result<()> {
    let mut book = Book::new(&s.tariffs.currency);
    let by = s.by.unwrap_or(By::MarketCategory);
    let log;
    let source = if s.ledger_sheet {
        log = replay::read(&s.log, &s.tariffs)?;
        Source::Read(&log)
    } else {
        Source::Stream
    };
    let (tally, notes) = tally(s, &s.log, &source)?;
    let build = |by| {
        Report::build(
            &tally,
            &s.tariffs.currency,
            &s.budget,
            by,
            |m| s.tariffs.markets.market_name(m).to_string(),
            notes.clone(),
        )
    };
    let (months, breakdown) = (build(None), build(Some(by)));
    render::workbook::estimate(&mut book, &months, &breakdown)?;
    if let Source::Read(log) = source {
        super::ledger::sheet(&s.log, &s.tariffs, log, &mut book)?;
    }
    book.notes(&months.notes)?;
    book.save(s.output.as_deref())
}

/// Where the messages come from: a log already read, or the file streamed.
enum Source<'a> {
    Read(&'a Log),
    Stream,
}

/// Replays and prices the log under `ls` and builds the report with its notes.
fn report(
    s: &EstimateSettings,
    ls: &LogSettings,
    source: &Source,
    by: Option<waprice::report::By>,
) -> Result<Report> {
    let t = &s.tariffs;
    let (tally, notes) = tally(s, ls, source)?;
    let market_name = |m| t.markets.market_name(m).to_string();
    let by = if ls.engine.as_of.is_some() {
        None
    } else {
        by.or(s.by)
    };
    Ok(Report::build(
        &tally,
        &t.currency,
        &s.budget,
        by,
        market_name,
        notes,
    ))
}

/// Replays and prices the log under `ls`: the tally and its notes.
fn tally(s: &EstimateSettings, ls: &LogSettings, source: &Source) -> Result<(Tally, Vec<String>)> {
    let t = &s.tariffs;
    let tally = RefCell::new(Tally::default());
    let each = |e: &BillingEvent, market, quote: &Quote| {
        let card_date = match quote {
            Quote::Priced(r) => Some(t.cards.row(r.row).effective_from),
            _ => None,
        };
        tally.borrow_mut().add(e, market, quote, card_date);
        Ok(())
    };
    let stats = match source {
        Source::Read(log) => {
            replay::replay(ls, t, log, each)?;
            log.stats.clone()
        }
        Source::Stream => {
            replay::stream(ls, t, || *tally.borrow_mut() = Tally::default(), each)?.stats
        }
    };
    let mut tally = tally.into_inner();
    tally.finish();
    let notes = report_notes(t, ls, &s.budget, &t.currency, &tally, &stats);
    Ok((tally, notes))
}

/// The notes under a report in `currency`: rules, cards, provenance, substitutes, what is
/// not a unit, and how the log was read.
pub(crate) fn report_notes(
    t: &crate::settings::Tariffs,
    ls: &LogSettings,
    budget: &waprice::budget::Budget,
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
    let mut notes = notes(tally, &cx);
    if let Some(warning) = replay::future_warning(stats, ls.timezone) {
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
