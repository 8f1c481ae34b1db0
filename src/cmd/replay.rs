//! The pipeline estimate and ledger share: open the log, read it, replay it through the
//! engine, and price every event with the currency's cards.

use crate::settings::{LogSettings, Tariffs};
use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use waprice::calendar::Calendar;
use waprice::engine;
use waprice::error::BadInput;
use waprice::event::BillingEvent;
use waprice::input::reader::{read_log_with_progress, Log, ReadError, ReadStats};
use waprice::input::source;
use waprice::pricing::{Pricer, Quote};
use waprice::tariff::market::MarketId;

/// Inputs larger than this get a progress bar (when stderr is a terminal).
const PROGRESS_MIN_BYTES: u64 = 4 * 1024 * 1024;

/// Reads the whole log (sorted by time), reporting skipped rows on stderr.
pub fn read(s: &LogSettings, t: &Tariffs) -> Result<Log> {
    let calendar = Calendar::new(s.timezone);
    let src = source::open(&s.path).with_context(|| format!("cannot open {}", s.input.name))?;
    let bar = match src.size {
        Some(size)
            if s.progress
                && size >= PROGRESS_MIN_BYTES
                && std::io::stderr().is_terminal()
                && std::env::var_os("CI").is_none() =>
        {
            let bar = ProgressBar::new(size);
            bar.set_style(
                ProgressStyle::with_template(
                    "{spinner} reading {bytes}/{total_bytes} {bar:30} {binary_bytes_per_sec} {msg} {elapsed}",
                )
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
    let on_rows = |rows: u64| {
        if let Some(bar) = &bar {
            let secs = bar.elapsed().as_secs_f64().max(0.001);
            bar.set_message(format!("{rows} rows, {:.0} rows/s", rows as f64 / secs));
        }
    };
    let log = match read_log_with_progress(input, &s.input, &calendar, &t.markets, on_rows) {
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
    Ok(log)
}

/// Replays a read log and hands every event, its market and its price to `each`.
pub fn replay(
    s: &LogSettings,
    t: &Tariffs,
    log: &Log,
    mut each: impl FnMut(&BillingEvent, MarketId, &Quote) -> Result<()>,
) -> Result<()> {
    let pricer = Pricer::new(&t.cards, &t.currency);
    let mut result = Ok(());
    engine::replay(
        &log.messages,
        &log.parties,
        &s.engine,
        Calendar::new(s.timezone),
        |e| {
            if result.is_err() {
                return;
            }
            let market = t.markets.market_at(e.country, e.date);
            let quote = pricer.quote(&e, market);
            if s.strict {
                if let Err(problem) = strict(&e, market, &quote, t) {
                    result = Err(problem.into());
                    return;
                }
            }
            result = each(&e, market, &quote);
        },
    );
    result
}

/// `--strict-tariffs`: a substitute or a missing rate is an error naming what is missing.
fn strict(e: &BillingEvent, market: MarketId, quote: &Quote, t: &Tariffs) -> Result<(), BadInput> {
    let hint =
        "supply the rate with --tariff FILE, or drop --strict-tariffs to price with substitutes";
    let market = t.markets.market_name(market);
    match quote {
        Quote::Unpriced(column) => Err(BadInput::new(format!(
            "--strict-tariffs: no {} {} rate for {market} at any date ({} unit in {})",
            t.currency,
            column.name(),
            e.category.name(),
            e.month
        ))
        .hint(hint)),
        Quote::Priced(rate) if rate.substitute => Err(BadInput::new(format!(
            "--strict-tariffs: {market} {} in {} would use the substitute {} card of {}",
            rate.column.name(),
            e.month,
            t.currency,
            t.cards.row(rate.row).effective_from
        ))
        .hint(hint)),
        _ => Ok(()),
    }
}

/// Skipped rows are never silent: their count (and the first few reasons) go to stderr.
fn report_skipped(s: &LogSettings, stats: &ReadStats) {
    let skipped = stats.skipped_invalid + stats.skipped_unsupported;
    if s.input.skip_invalid || s.input.skip_unsupported || skipped > 0 {
        eprintln!(
            "waprice: {}: read {} rows; skipped {} invalid and {} before 2022-02-01",
            s.input.name, stats.rows, stats.skipped_invalid, stats.skipped_unsupported
        );
        for e in &stats.skipped_examples {
            eprintln!("  skipped: {}", e.to_string().replace('\n', "\n  "));
        }
    }
}
