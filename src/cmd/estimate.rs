//! `waprice estimate LOG`: the month-by-month bill against the Callbell budget.

use crate::settings::EstimateSettings;
use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::{IsTerminal, Write};
use waprice::calendar::Calendar;
use waprice::engine;
use waprice::error::BadInput;
use waprice::input::reader::{read_log, ReadError};
use waprice::input::source;
use waprice::pricing::{Pricer, Quote};
use waprice::render::{self, Format};
use waprice::report::notes::{notes, NoteContext};
use waprice::report::{Report, Tally};

/// Inputs larger than this get a progress bar (when stderr is a terminal).
const PROGRESS_MIN_BYTES: u64 = 4 * 1024 * 1024;

pub fn run(s: &EstimateSettings) -> Result<()> {
    let calendar = Calendar::new(s.timezone);
    let src = source::open(&s.log).with_context(|| format!("cannot open {}", s.input.name))?;
    let bar = match src.size {
        Some(size)
            if s.progress && size >= PROGRESS_MIN_BYTES && std::io::stderr().is_terminal() =>
        {
            let bar = ProgressBar::new(size);
            bar.set_style(
                ProgressStyle::with_template("{spinner} reading {bytes}/{total_bytes} {bar:30} {binary_bytes_per_sec} {elapsed}")
                    .expect("valid template"),
            );
            Some(bar)
        }
        _ => None,
    };
    let raw = match &bar {
        Some(bar) => Box::new(bar.wrap_read(src.reader)),
        None => src.reader,
    };
    let input = source::decompress(raw).with_context(|| format!("cannot read {}", s.input.name))?;
    let log = match read_log(input, &s.input, &calendar, &s.tariffs.markets) {
        Ok(log) => log,
        Err(ReadError::Bad(e)) => return Err(e.into()),
        Err(ReadError::Io(e)) => {
            return Err(e).with_context(|| format!("cannot read {}", s.input.name))
        }
    };
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    report_skipped(s, &log.stats);

    let t = &s.tariffs;
    let pricer = Pricer::new(&t.cards, &t.currency);
    let mut tally = Tally::default();
    engine::replay(&log.messages, &log.parties, &s.engine, calendar, |e| {
        let market = t
            .markets
            .market_at(log.parties.customer_of(e.pair).country, e.date);
        let quote = pricer.quote(&e, market);
        let card_date = match &quote {
            Quote::Priced(r) => Some(t.cards.row(r.row).effective_from),
            _ => None,
        };
        tally.add(&e, market, &quote, card_date);
    });

    let market_name = |m| t.markets.market_name(m).to_string();
    if s.strict {
        strict_check(&tally, &t.currency, &market_name)?;
    }
    let card_source = |date: chrono::NaiveDate| {
        let mut sources: Vec<String> = t
            .cards
            .rows()
            .iter()
            .filter(|r| r.currency == t.currency && r.effective_from == date)
            .map(|r| {
                if r.origin.starts_with("bundled") {
                    "bundled".to_string()
                } else {
                    r.origin.clone()
                }
            })
            .collect();
        sources.sort();
        sources.dedup();
        sources.join(", ")
    };
    let cx = NoteContext {
        currency: &t.currency,
        timezone: s.timezone.name(),
        budget: &s.budget,
        free_service_allowance: s.engine.free_service_allowance,
        auth_intl: s.auth_intl.clone(),
        market_name: &market_name,
        card_source: &card_source,
        skipped_invalid: log.stats.skipped_invalid,
        skipped_unsupported: log.stats.skipped_unsupported,
        rows: log.stats.rows,
        inbound: log.stats.inbound,
        strict: s.strict,
    };
    let report = Report::build(
        &tally,
        &t.currency,
        &s.budget,
        s.by,
        market_name,
        notes(&tally, &cx),
    );
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    match t.format {
        Format::Table => render::table::estimate(&report, &mut out)?,
        Format::Csv => render::csv::estimate(&report, &mut out)?,
        Format::Json => render::json::estimate(&report, &mut out)?,
    }
    out.flush()?;
    Ok(())
}

/// Skipped rows are never silent: their count (and the first few reasons) go to stderr.
fn report_skipped(s: &EstimateSettings, stats: &waprice::input::reader::ReadStats) {
    if s.input.skip_invalid
        || s.input.skip_unsupported
        || stats.skipped_invalid + stats.skipped_unsupported > 0
    {
        eprintln!(
            "waprice: {}: read {} rows; skipped {} invalid and {} before 2022-02-01",
            s.input.name, stats.rows, stats.skipped_invalid, stats.skipped_unsupported
        );
        for e in &stats.skipped_examples {
            eprintln!("  skipped: {}", e.to_string().replace('\n', "\n  "));
        }
    }
}

/// `--strict-tariffs`: a substitute or a missing rate is an error naming what is missing.
fn strict_check(
    tally: &Tally,
    currency: &str,
    market_name: &dyn Fn(waprice::tariff::market::MarketId) -> String,
) -> Result<()> {
    let mut problems = Vec::new();
    for ((market, column), months) in &tally.unpriced {
        let list: Vec<String> = months.keys().map(|m| m.to_string()).collect();
        problems.push(format!(
            "no {currency} {} rate for {} ({})",
            column.name(),
            market_name(*market),
            list.join(", ")
        ));
    }
    for ((market, column, date), months) in &tally.substitutes {
        let list: Vec<String> = months.keys().map(|m| m.to_string()).collect();
        problems.push(format!(
            "{} {} in {} would use the substitute {currency} card of {date}",
            market_name(*market),
            column.name(),
            list.join(", ")
        ));
    }
    if problems.is_empty() {
        return Ok(());
    }
    Err(BadInput::new(format!("--strict-tariffs: {}", problems.join("; ")))
        .hint("supply the missing rates with --tariff FILE, or drop --strict-tariffs to price with substitutes")
        .into())
}
