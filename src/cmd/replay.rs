//! The pipeline estimate and ledger share: open the log, read it, replay it through the
//! engine, and price every event with the currency's cards.

use crate::settings::{InputFormat, LogSettings, Tariffs};
use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use waprice::calendar::Calendar;
use waprice::engine;
use waprice::error::BadInput;
use waprice::event::BillingEvent;
use waprice::input::reader::{read_log, Log, ReadError, ReadStats};
use waprice::input::source;
use waprice::input::webhooks::{self, WebhookLog};
use waprice::pricing::{Pricer, Quote};
use waprice::tariff::market::MarketId;

/// Inputs larger than this get a progress bar (when stderr is a terminal).
const PROGRESS_MIN_BYTES: u64 = 4 * 1024 * 1024;

/// Reads the whole log (sorted by time), reporting skipped rows on stderr.
pub fn read(s: &LogSettings, t: &Tariffs) -> Result<Log> {
    if s.format == InputFormat::MetaWebhooks {
        return Ok(read_webhooks(s, t)?.log);
    }
    let calendar = Calendar::new(s.timezone);
    let src = source::open(&s.path).with_context(|| format!("cannot open {}", s.input.name))?;
    let bar = progress_bar(s, src.size);
    let raw = match &bar {
        Some(bar) => Box::new(bar.wrap_read(src.reader)),
        None => src.reader,
    };
    let input = source::decompress(raw).with_context(|| format!("cannot read {}", s.input.name))?;
    let log = match read_log(input, &s.input, &calendar, &t.markets) {
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

/// A progress bar on stderr for a large input, when stderr is a terminal.
fn progress_bar(s: &LogSettings, size: Option<u64>) -> Option<ProgressBar> {
    match size {
        Some(size)
            if s.progress && size >= PROGRESS_MIN_BYTES && std::io::stderr().is_terminal() =>
        {
            let bar = ProgressBar::new(size);
            bar.set_style(
                ProgressStyle::with_template(
                    "{spinner} reading {bytes}/{total_bytes} {bar:30} {binary_bytes_per_sec} {elapsed}",
                )
                .expect("valid template"),
            );
            Some(bar)
        }
        _ => None,
    }
}

/// Reads Meta's webhooks (`--input meta-webhooks`, reconcile) into a log with Meta's verdict
/// beside each business message; `--sent FILE` gives the templates' categories.
pub fn read_webhooks(s: &LogSettings, t: &Tariffs) -> Result<WebhookLog> {
    let calendar = Calendar::new(s.timezone);
    let sent = match &s.sent {
        None => None,
        Some(path) => {
            let src = source::open(path).with_context(|| format!("cannot open --sent {path}"))?;
            let input = source::decompress(src.reader)
                .with_context(|| format!("cannot read --sent {path}"))?;
            match webhooks::read_sent(input, path, s.input.skip_invalid) {
                Ok(sent) => Some(sent),
                Err(ReadError::Bad(e)) => return Err(e.into()),
                Err(ReadError::Io(e)) => {
                    return Err(e).with_context(|| format!("cannot read --sent {path}"))
                }
            }
        }
    };
    let src = source::open(&s.path).with_context(|| format!("cannot open {}", s.input.name))?;
    let bar = progress_bar(s, src.size);
    let raw = match &bar {
        Some(bar) => Box::new(bar.wrap_read(src.reader)),
        None => src.reader,
    };
    let input = source::decompress(raw).with_context(|| format!("cannot read {}", s.input.name))?;
    let wl = match webhooks::read_webhooks(
        std::io::BufReader::new(input),
        &s.input,
        sent.as_ref(),
        &calendar,
        &t.markets,
    ) {
        Ok(wl) => wl,
        Err(ReadError::Bad(e)) => return Err(e.into()),
        Err(ReadError::Io(e)) => {
            return Err(e).with_context(|| format!("cannot read {}", s.input.name))
        }
    };
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    report_skipped(s, &wl.log.stats);
    if let Some(sent) = &sent {
        if sent.skipped_invalid > 0 {
            eprintln!(
                "waprice: --sent {}: skipped {} invalid rows of {}",
                s.sent.as_deref().unwrap_or(""),
                sent.skipped_invalid,
                sent.rows
            );
        }
    }
    Ok(wl)
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
            let market = t
                .markets
                .market_at(log.parties.customer_of(e.pair).country, e.date);
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
