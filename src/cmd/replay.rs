//! The pipeline estimate and ledger share: open the log, read it, replay it through the
//! engine, and price every event with the currency's cards.

use crate::settings::{InputFormat, LogSettings, Tariffs};
use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::sync::mpsc;
use waprice::calendar::Calendar;
use waprice::engine;
use waprice::error::BadInput;
use waprice::event::BillingEvent;
use waprice::input::order::{sort_by_time, Reorder};
use waprice::input::reader::{intern_all, Log, LogReader, RawMessage, ReadError, ReadStats};
use waprice::input::source;
use waprice::input::webhooks::{self, WebhookLog};
use waprice::message::Message;
use waprice::parties::Parties;
use waprice::pricing::{Quote, TieredPricer};
use waprice::tariff::market::MarketId;

/// Inputs larger than this get a progress bar (when stderr is a terminal).
const PROGRESS_MIN_BYTES: u64 = 4 * 1024 * 1024;

/// The opened input, decompressed, with its progress bar (if any).
struct Opened {
    input: Box<dyn std::io::Read + Send>,
    bar: Option<ProgressBar>,
}

fn open(s: &LogSettings) -> Result<Opened> {
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
    Ok(Opened { input, bar })
}

/// Clears a progress bar when dropped.
struct ClearOnDrop(ProgressBar);

impl Drop for ClearOnDrop {
    fn drop(&mut self) {
        self.0.finish_and_clear();
    }
}

fn show_rows(bar: &Option<ProgressBar>, rows: u64) {
    if let Some(bar) = bar {
        let secs = bar.elapsed().as_secs_f64().max(0.001);
        bar.set_message(format!("{rows} rows, {:.0} rows/s", rows as f64 / secs));
    }
}

fn read_error(e: ReadError, s: &LogSettings) -> anyhow::Error {
    match e {
        ReadError::Bad(e) => e.into(),
        ReadError::Io(e) => anyhow::Error::new(e).context(format!("cannot read {}", s.input.name)),
    }
}

/// Reads the whole log (sorted by time), reporting skipped rows on stderr. Parsing runs on
/// its own thread while this one interns and collects; the sort uses both cores.
pub fn read(s: &LogSettings, t: &Tariffs) -> Result<Log> {
    if s.format == InputFormat::MetaWebhooks {
        return Ok(read_webhooks(s, t)?.log);
    }
    let mut log = Log::default();
    let read = read_batches(s, t, |batch| {
        intern_all(batch, &mut log.parties, |_, m| log.messages.push(m));
        Ok(true)
    })?;
    let (stats, businesses) = read.ok_or_else(|| anyhow::anyhow!("the reading stopped early"))?;
    log.parties.adopt_businesses(businesses);
    log.stats = stats;
    sort_by_time(&mut log.messages);
    report_skipped(s, &log.stats)?;
    Ok(log)
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
    let Opened { input, bar } = open(s)?;
    let wl = webhooks::read_webhooks(
        std::io::BufReader::new(input),
        &s.input,
        sent.as_ref(),
        &calendar,
        &t.markets,
    )
    .map_err(|e| read_error(e, s))?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    report_skipped(s, &wl.log.stats)?;
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

/// What a streamed replay leaves: the row accounting, and with `--accounts` the business
/// numbers no account lists, each with the first line it appears on.
pub struct Streamed {
    pub stats: ReadStats,
    pub unlisted: Vec<(String, u64)>,
}

/// The businesses an accounts file does not list, with their first lines.
fn unlisted(s: &LogSettings, businesses: &Parties, first_lines: &[u64]) -> Vec<(String, u64)> {
    let Some(accounts) = &s.engine.accounts else {
        return Vec::new();
    };
    (0..businesses.business_count() as u32)
        .filter(|&b| !accounts.lists(b))
        .map(|b| {
            let name = String::from_utf8_lossy(businesses.business_name(b)).into_owned();
            (name, first_lines.get(b as usize).copied().unwrap_or(0))
        })
        .collect()
}

/// Reads, replays and prices the log in one pass when it is in time order (within
/// [`waprice::input::order::WINDOW_MS`]), so memory grows with customers, not rows. When it is not (or it is
/// standard input, which cannot be read twice), the log is read whole and sorted instead;
/// `reset` is called first so that `each` can forget what it was given.
pub fn stream(
    s: &LogSettings,
    t: &Tariffs,
    mut reset: impl FnMut(),
    mut each: impl FnMut(&BillingEvent, MarketId, &Quote) -> Result<()>,
) -> Result<Streamed> {
    if s.path != "-" && s.format == InputFormat::Csv {
        if let Some(streamed) = try_stream(s, t, &mut each)? {
            return Ok(streamed);
        }
        reset();
    }
    let log = read(s, t)?;
    replay(s, t, &log, each)?;
    let unlisted = unlisted(s, &log.parties, &log.stats.business_lines);
    Ok(Streamed {
        stats: log.stats,
        unlisted,
    })
}

/// Messages handed from the reading thread to the replaying one, in file order.
type Batch = Vec<RawMessage>;

const BATCH: usize = 8192;

/// Reads the log on a thread of its own (CSV parsing, values, numbers, countries) and hands
/// each batch of messages, in file order, to `consume` on this thread. `consume` returning
/// false stops the reading. At the end of the file: the row accounting, and the businesses
/// the reader interned (`RawMessage::business` ids).
fn read_batches(
    s: &LogSettings,
    t: &Tariffs,
    mut consume: impl FnMut(&[RawMessage]) -> Result<bool>,
) -> Result<Option<(ReadStats, Parties)>> {
    let calendar = Calendar::new(s.timezone);
    let Opened { input, bar } = open(s)?;
    let mut reader = LogReader::new(input, &s.input, &calendar).map_err(|e| read_error(e, s))?;
    let (to_replay, batches) = mpsc::sync_channel::<Result<Batch, ReadError>>(4);
    // Emptied batches go back to the reader: fresh 256 KB buffers for every batch cost more in
    // page faults than the reading itself.
    let (give_back, taken_back) = mpsc::channel::<Batch>();
    std::thread::scope(|scope| {
        // Owned by this closure, so that returning early (an unsorted log, an error) drops the
        // receiver and unblocks the reading thread before the scope waits for it.
        let batches = batches;
        let reading = scope.spawn(move || {
            // However the reading ends (the end, an error, the consumer stopping early), the
            // bar goes: a log read again after an out-of-order row gets a fresh one.
            let _clear = bar.clone().map(ClearOnDrop);
            let mut businesses = Parties::default();
            if let Some(accounts) = &s.engine.accounts {
                accounts.seed(&mut businesses);
            }
            loop {
                let mut messages = taken_back
                    .try_recv()
                    .unwrap_or_else(|_| Vec::with_capacity(BATCH));
                let mut failed = None;
                while messages.len() < BATCH {
                    match reader.next_raw(&mut businesses, &t.markets) {
                        Ok(Some(m)) => messages.push(m),
                        Ok(None) => break,
                        Err(e) => {
                            failed = Some(e);
                            break;
                        }
                    }
                }
                let done = messages.len() < BATCH || failed.is_some();
                // A closed channel means the consuming side stopped (unsorted log or error).
                if to_replay.send(Ok(messages)).is_err() {
                    return None;
                }
                if let Some(e) = failed {
                    let _ = to_replay.send(Err(e));
                    return None;
                }
                show_rows(&bar, reader.stats().rows);
                if done {
                    return Some((reader.into_stats(), businesses));
                }
            }
        });
        for batch in &batches {
            let mut batch = batch.map_err(|e| read_error(e, s))?;
            if !consume(&batch)? {
                return Ok(None);
            }
            batch.clear();
            let _ = give_back.send(batch);
        }
        let read = reading
            .join()
            .map_err(|_| anyhow::anyhow!("the reading thread failed"))?;
        Ok(Some(read.ok_or_else(|| {
            anyhow::anyhow!("the reading thread stopped early")
        })?))
    })
}

/// One streaming pass; `None` when a message comes out of time order. Interning customers
/// and replaying (windows, prices, totals) run on this thread, reading on another, which
/// balances the two threads' work.
fn try_stream(
    s: &LogSettings,
    t: &Tariffs,
    each: &mut impl FnMut(&BillingEvent, MarketId, &Quote) -> Result<()>,
) -> Result<Option<Streamed>> {
    let mut engine = engine::Engine::new(&s.engine, Calendar::new(s.timezone));
    // Messages are released in time order, so the volume-tier counters run through each month.
    let mut pricer = pricers(s, t);
    let mut order = Reorder::default();
    let mut error: Option<anyhow::Error> = None;
    let mut parties = Parties::default();
    let mut messages: Vec<Message> = Vec::with_capacity(BATCH);
    let read = read_batches(s, t, |batch| {
        messages.clear();
        intern_all(batch, &mut parties, |raw, m| {
            if m.pair as usize == engine.pair_count() {
                engine.add_pair(raw.business, raw.country);
            }
            messages.push(m);
        });
        for &m in &messages {
            // The look-back holds the message a while before replaying it: time enough for
            // its pair's windows to arrive in cache.
            engine.prefetch(m.pair);
            let release = |m: Message| {
                if error.is_none() {
                    error = replay_one(s, t, &mut engine, &mut pricer, &m, each).err();
                }
            };
            if order.push(m, release).is_err() {
                return Ok(false);
            }
        }
        match error.take() {
            Some(err) => Err(err),
            None => Ok(true),
        }
    })?;
    let Some((stats, businesses)) = read else {
        return Ok(None);
    };
    order.finish(|m| {
        if error.is_none() {
            error = replay_one(s, t, &mut engine, &mut pricer, &m, each).err();
        }
    });
    if let Some(err) = error {
        return Err(err);
    }
    report_skipped(s, &stats)?;
    let unlisted = unlisted(s, &businesses, &stats.business_lines);
    Ok(Some(Streamed { stats, unlisted }))
}

/// Replays one message whose pair the engine knows, and hands its event on, priced.
fn replay_one(
    s: &LogSettings,
    t: &Tariffs,
    engine: &mut engine::Engine,
    pricer: &mut [TieredPricer],
    m: &Message,
    each: &mut impl FnMut(&BillingEvent, MarketId, &Quote) -> Result<()>,
) -> Result<()> {
    if let Some(e) = engine.push_known(m) {
        let (market, quote) = price_event(s, t, pricer, &e)?;
        each(&e, market, &quote)?;
    }
    Ok(())
}

/// One pricer per WABA (volume tiers count per WABA), each in its account's currency;
/// without `--accounts`, one in `--currency`.
fn pricers<'a>(s: &'a LogSettings, t: &'a Tariffs) -> Vec<TieredPricer<'a>> {
    match &s.engine.accounts {
        None => vec![TieredPricer::new(&t.cards, &t.tiers, &t.currency)],
        Some(a) => a
            .wabas
            .iter()
            .map(|&account| {
                TieredPricer::new(&t.cards, &t.tiers, &a.accounts[account as usize].currency)
            })
            .collect(),
    }
}

/// The market and price of one event (and the `--strict-tariffs` check).
fn price_event(
    s: &LogSettings,
    t: &Tariffs,
    pricers: &mut [TieredPricer],
    e: &BillingEvent,
) -> Result<(MarketId, Quote)> {
    let market = t.markets.market_at(e.country, e.date);
    let pricer = &mut pricers[e.waba as usize];
    let quote = pricer.quote(e, market);
    if s.strict {
        strict(e, market, &quote, t, pricer.currency())?;
    }
    Ok((market, quote))
}

/// Replays a read log and hands every event, its market and its price to `each`. The
/// windows are replayed on a thread of their own, pricing and `each` on this one: the
/// events pass between them in order, in batches.
pub fn replay(
    s: &LogSettings,
    t: &Tariffs,
    log: &Log,
    mut each: impl FnMut(&BillingEvent, MarketId, &Quote) -> Result<()>,
) -> Result<()> {
    const EVENTS: usize = 4096;
    // Events come in time order, so the volume-tier counters run through each month.
    let mut pricer = pricers(s, t);
    let (to_price, events) = mpsc::sync_channel::<Vec<BillingEvent>>(4);
    let (give_back, taken_back) = mpsc::channel::<Vec<BillingEvent>>();
    std::thread::scope(|scope| {
        // Owned here, so that an error below drops it and stops the replaying thread.
        let events = events;
        scope.spawn(move || {
            let mut batch = Vec::with_capacity(EVENTS);
            let calendar = Calendar::new(s.timezone);
            let mut open = true;
            engine::replay_while(&log.messages, &log.parties, &s.engine, calendar, |e| {
                batch.push(e);
                if batch.len() == EVENTS {
                    let empty = taken_back
                        .try_recv()
                        .unwrap_or_else(|_| Vec::with_capacity(EVENTS));
                    open = to_price.send(std::mem::replace(&mut batch, empty)).is_ok();
                }
                open
            });
            if open {
                let _ = to_price.send(batch);
            }
        });
        for mut batch in &events {
            for e in &batch {
                let (market, quote) = price_event(s, t, &mut pricer, e)?;
                each(e, market, &quote)?;
            }
            batch.clear();
            let _ = give_back.send(batch);
        }
        Ok(())
    })
}

/// `--strict-tariffs`: a substitute or a missing rate is an error naming what is missing.
fn strict(
    e: &BillingEvent,
    market: MarketId,
    quote: &Quote,
    t: &Tariffs,
    currency: &str,
) -> Result<(), BadInput> {
    let hint =
        "supply the rate with --tariff FILE, or drop --strict-tariffs to price with substitutes";
    let market = t.markets.market_name(market);
    match quote {
        Quote::Unpriced(column) => Err(BadInput::new(format!(
            "--strict-tariffs: no {} {} rate for {market} at any date ({} unit in {})",
            currency,
            column.name(),
            e.category.name(),
            e.month
        ))
        .hint(hint)),
        Quote::Priced(rate) if rate.substitute => Err(BadInput::new(format!(
            "--strict-tariffs: {market} {} in {} would use the substitute {} card of {}",
            rate.column.name(),
            e.month,
            currency,
            t.cards.row(rate.row).effective_from
        ))
        .hint(hint)),
        _ => Ok(()),
    }
}

/// Skipped rows are never silent: their count (and the first few reasons) go to stderr, and
/// when every row was skipped, nothing was estimated: that is an error (exit code 2), not an
/// empty bill. Messages dated after today are warned about.
fn report_skipped(s: &LogSettings, stats: &ReadStats) -> Result<(), BadInput> {
    if let Some(warning) = future_warning(stats, s.timezone) {
        eprintln!("waprice: warning: {}: {warning}", s.input.name);
    }
    if stats.skipped_other_channel > 0 {
        eprintln!(
            "waprice: {}: left out {} SMS row{} (customer number without whatsapp:)",
            s.input.name,
            stats.skipped_other_channel,
            if stats.skipped_other_channel == 1 {
                ""
            } else {
                "s"
            }
        );
    }
    let skipped = stats.skipped_invalid + stats.skipped_unsupported;
    if skipped + stats.skipped_other_channel > 0 && stats.inbound + stats.business == 0 {
        return Err(all_skipped(s, stats, skipped + stats.skipped_other_channel));
    }
    if s.input.skip_invalid || s.input.skip_unsupported || skipped > 0 {
        eprintln!(
            "waprice: {}: read {} rows; skipped {} invalid and {} before 2022-02-01",
            s.input.name, stats.rows, stats.skipped_invalid, stats.skipped_unsupported
        );
        for e in &stats.skipped_examples {
            eprintln!("  skipped: {}", e.to_string().replace('\n', "\n  "));
        }
    }
    Ok(())
}

/// Every row was skipped: the error says how many for each reason, and where the first one
/// is, with its hint.
fn all_skipped(s: &LogSettings, stats: &ReadStats, skipped: u64) -> BadInput {
    let mut reasons: Vec<String> = if stats.skipped_reasons.is_empty() {
        if stats.skipped_invalid + stats.skipped_unsupported > 0 {
            vec![format!(
                "{} invalid, {} before 2022-02-01",
                stats.skipped_invalid, stats.skipped_unsupported
            )]
        } else {
            Vec::new()
        }
    } else {
        stats
            .skipped_reasons
            .iter()
            .map(|(why, n)| format!("{n} × {why}"))
            .collect()
    };
    if stats.skipped_other_channel > 0 {
        reasons.push(format!(
            "{} × SMS (a customer number without whatsapp:)",
            stats.skipped_other_channel
        ));
    }
    let mut what = format!(
        "{}: every row was skipped ({skipped} of {}), so nothing was estimated: {}",
        s.input.name,
        stats.rows,
        reasons.join("; ")
    );
    let first = stats.skipped_examples.first();
    if let Some(at) = first.and_then(|e| e.at.as_deref()) {
        what.push_str(&format!(
            "; the first is line {}, column '{}' (value '{}')",
            at.line, at.column, at.value
        ));
    }
    let hint = match first.and_then(|e| e.hint.as_deref()) {
        Some(h) => format!("{h}; --skip-invalid and --skip-unsupported are for a few bad rows, not a whole log"),
        None => "fix the rows; --skip-invalid and --skip-unsupported are for a few bad rows, not a whole log".to_string(),
    };
    BadInput::new(what).hint(hint)
}

/// "3 messages are dated after today (the first: line 7, column 'timestamp', 2099-03-05
/// 10:00:00 in Europe/Paris): a mistyped year? They are priced with the latest rules and rate
/// cards". The time is shown as read, so that how the log writes it changes nothing.
pub fn future_warning(stats: &ReadStats, tz: chrono_tz::Tz) -> Option<String> {
    let (line, column, time) = stats.first_future.as_ref()?;
    let n = stats.future;
    let shown = chrono::DateTime::from_timestamp_millis(*time)
        .map(|t| t.with_timezone(&tz).format("%Y-%m-%d %H:%M:%S").to_string())
        .unwrap_or_default();
    Some(format!(
        "{n} message{} dated after today (the first: line {line}, column '{column}', {shown} in {}): a mistyped year? {} priced with the latest rules and rate cards",
        if n == 1 { " is" } else { "s are" },
        tz.name(),
        if n == 1 { "It is" } else { "They are" }
    ))
}
