//! The threads of the pipeline: open the log, read it, replay it through the engine, and
//! price every event with the cards of its account's currency.

use super::skipped::report_skipped;
use super::{InputFormat, LogSettings, LogSource, Reading, Tariffs};
use crate::calendar::Calendar;
use crate::engine;
use crate::error::BadInput;
use crate::event::BillingEvent;
use crate::input::reader::{intern_all, Log, LogReader, RawMessage, ReadError, ReadStats};
use crate::input::source;
use crate::input::time_order::{sort_by_time, sort_run, Reorder, Runs};
use crate::input::webhooks::{self, WebhookLog};
use crate::message::Message;
use crate::pairs::Pairs;
use crate::price::{Quote, TieredPricer};
use crate::tariff::market::MarketId;
use anyhow::{Context, Result};
use std::io::Read;
use std::sync::{mpsc, Arc};

/// The opened input, decompressed, with its progress display (if any).
struct Opened {
    input: Box<dyn Read + Send>,
    bar: Option<Arc<dyn Reading>>,
}

fn open(s: &LogSettings) -> Result<Opened> {
    let (reader, size): (Box<dyn Read + Send>, Option<u64>) = match &s.source {
        LogSource::File(path) => {
            let src =
                source::open(path).with_context(|| format!("cannot open {}", s.input.name))?;
            (src.reader, src.size)
        }
        LogSource::Bytes(bytes) => (
            Box::new(std::io::Cursor::new(Arc::clone(bytes))),
            Some(bytes.len() as u64),
        ),
        LogSource::Table(_) => {
            return Err(BadInput::new(format!(
                "{}: a table is a CSV log's rows, not webhook payloads",
                s.input.name
            ))
            .hint("read a table with the CSV input format")
            .into())
        }
    };
    let bar = s.hooks.as_ref().and_then(|h| h.reading(size));
    let raw = match &bar {
        Some(bar) => bar.wrap(reader),
        None => reader,
    };
    let input = source::decompress(raw).with_context(|| format!("cannot read {}", s.input.name))?;
    Ok(Opened { input, bar })
}

/// Ends a progress display when dropped.
pub(super) struct DoneOnDrop(pub(super) Arc<dyn Reading>);

impl Drop for DoneOnDrop {
    fn drop(&mut self) {
        self.0.done();
    }
}

fn show_rows(bar: &Option<Arc<dyn Reading>>, rows: u64) {
    if let Some(bar) = bar {
        bar.rows(rows);
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
        intern_all(batch, &mut log.pairs, |_, m| log.messages.push(m));
        Ok(true)
    })?;
    let (stats, businesses) = read.ok_or_else(|| anyhow::anyhow!("the reading stopped early"))?;
    log.pairs.adopt_businesses(businesses);
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
        std::io::BufReader::with_capacity(256 * 1024, input),
        &s.input,
        sent.as_ref(),
        &calendar,
        &t.markets,
    )
    .map_err(|e| read_error(e, s))?;
    if let Some(bar) = bar {
        bar.done();
    }
    report_skipped(s, &wl.log.stats)?;
    // Billed by waprice's own reading where Meta said something it does not know: said on
    // stderr too, since CSV output carries no notes.
    if let Some(values) = wl.stats.unknown_note() {
        let n = wl.stats.unknown_messages();
        s.warn(&format!(
            "warning: {}: Meta priced {n} business message{} with values waprice does not know ({values}); {} billed by waprice's own rules",
            s.input.name,
            if n == 1 { "" } else { "s" },
            if n == 1 { "it is" } else { "they are" }
        ));
    }
    if let Some(sent) = &sent {
        if sent.skipped_invalid > 0 {
            s.warn(&format!(
                "--sent {}: skipped {} invalid rows of {}",
                s.sent.as_deref().unwrap_or(""),
                sent.skipped_invalid,
                sent.rows
            ));
        }
    }
    Ok(wl)
}

/// What a streamed replay leaves: the row accounting, and with `--accounts` the business
/// numbers no account lists, each with the first line it appears on.
pub struct Streamed {
    /// Every row read, as a message or as skipped.
    pub stats: ReadStats,
    /// With accounts: the business numbers no account lists and the first line of each.
    pub unlisted: Vec<(String, u64)>,
}

/// The businesses an accounts file does not list, with their first lines, in the order of
/// those lines (the order of the businesses' ids is the order a reader met them, which two
/// readers of a file's halves do not keep).
pub(super) fn unlisted(
    s: &LogSettings,
    businesses: &Pairs,
    first_lines: &[u64],
) -> Vec<(String, u64)> {
    let Some(accounts) = &s.engine.accounts else {
        return Vec::new();
    };
    let mut unlisted: Vec<(String, u64)> = (0..businesses.business_count() as u32)
        .filter(|&b| !accounts.lists(b))
        .map(|b| {
            let name = String::from_utf8_lossy(businesses.business_name(b)).into_owned();
            (name, first_lines.get(b as usize).copied().unwrap_or(0))
        })
        .collect();
    // A number met only on skipped rows has no line: after the others, by number.
    unlisted.sort_by(|a, b| (a.1 == 0, a.1, &a.0).cmp(&(b.1 == 0, b.1, &b.0)));
    unlisted
}

/// Reads, replays and prices the log in one pass when it is in time order (within
/// [`crate::input::time_order::WINDOW_MS`]), so memory grows with customers, not rows. When it is not (or it is
/// standard input, which cannot be read twice), the log is read whole and sorted instead;
/// `reset` is called first so that `each` can forget what it was given.
pub fn stream(
    s: &LogSettings,
    t: &Tariffs,
    mut reset: impl FnMut(),
    mut each: impl FnMut(&BillingEvent, MarketId, &Quote) -> Result<()>,
) -> Result<Streamed> {
    if !s.source.is_stdin() && s.format == InputFormat::Csv {
        if let Some(streamed) = try_stream(s, t, &mut each)? {
            return Ok(streamed);
        }
        reset();
    }
    let (runs, pairs, stats) = read_runs(s, t)?;
    replay_runs(s, t, &runs, &pairs, each)?;
    let unlisted = unlisted(s, &pairs, &stats.business_lines);
    Ok(Streamed { stats, unlisted })
}

/// Reads the whole log as [`read`] does, but sorts it a run at a time on this thread while
/// the reading thread parses, instead of all at once after: the runs are merged as they are
/// replayed ([`replay_runs`]).
fn read_runs(s: &LogSettings, t: &Tariffs) -> Result<(Runs, Pairs, ReadStats)> {
    if s.format == InputFormat::MetaWebhooks {
        let log = read_webhooks(s, t)?.log;
        return Ok((Runs::sorted(log.messages), log.pairs, log.stats));
    }
    if let Some((runs, pairs, stats)) = super::split::read_runs(s, t)? {
        report_skipped(s, &stats)?;
        return Ok((runs, pairs, stats));
    }
    read_runs_on_one_thread(s, t)
}

/// [`read_runs`] with the parsing on one thread.
pub(super) fn read_runs_on_one_thread(
    s: &LogSettings,
    t: &Tariffs,
) -> Result<(Runs, Pairs, ReadStats)> {
    let mut runs = Runs::default();
    let mut pairs = Pairs::default();
    // Full runs are sorted on a thread of their own: sorted here, a run kept this thread from
    // taking batches for tens of milliseconds, and the reading thread waited.
    let (to_sort, unsorted) = mpsc::channel::<Vec<Message>>();
    let (read, sorted) = std::thread::scope(|scope| {
        let sorter = scope.spawn(move || {
            let mut sorted = Vec::new();
            for mut run in unsorted {
                sort_run(&mut run);
                sorted.push(run);
            }
            sorted
        });
        let read = read_batches(s, t, |batch| {
            intern_all(batch, &mut pairs, |_, m| runs.push(m));
            if let Some(run) = runs.take_full_run() {
                // The sorter ends only once this sender is gone.
                let _ = to_sort.send(run);
            }
            Ok(true)
        });
        drop(to_sort);
        (read, sorter.join())
    });
    let sorted = sorted.map_err(|_| anyhow::anyhow!("the sorting thread failed"))?;
    let (stats, businesses) = read?.ok_or_else(|| anyhow::anyhow!("the reading stopped early"))?;
    pairs.adopt_businesses(businesses);
    for run in sorted {
        runs.add_sorted(run);
    }
    runs.finish();
    report_skipped(s, &stats)?;
    Ok((runs, pairs, stats))
}

/// Messages handed from the reading thread to the replaying one, in file order.
type Batch = Vec<RawMessage>;

/// Messages per batch handed from the reading thread: 8,192 held more memory at the peak for
/// no gain; how far the reading may run ahead is [`AHEAD`] batches.
pub(super) const BATCH: usize = 2048;

/// Batches the reading thread may be ahead of the replaying one: 512K messages, 16 MB at
/// most. Both threads' speed varies along a log (a stretch of new customers slows the replay,
/// one of long rows the reading); with 4 batches of slack, whichever was ahead kept waiting
/// for the other, and the sorted 10M-row, 1M-customer log took 1.22 s, with 64 1.12 s, with
/// 256 1.07 s (peak RSS 174, 178, 187 MB; on a log whose reading is the slower side the
/// batches never pile up: 36.5 MB whatever the depth).
const AHEAD: usize = 256;

/// Reads the log on a thread of its own (CSV parsing, values, numbers, countries) and hands
/// each batch of messages, in file order, to `consume` on this thread. `consume` returning
/// false stops the reading. At the end of the file: the row accounting, and the businesses
/// the reader interned (`RawMessage::business` ids).
fn read_batches(
    s: &LogSettings,
    t: &Tariffs,
    mut consume: impl FnMut(&[RawMessage]) -> Result<bool>,
) -> Result<Option<(ReadStats, Pairs)>> {
    let calendar = Calendar::new(s.timezone);
    let (reader, bar) = match &s.source {
        LogSource::Table(table) => {
            let bar = s.hooks.as_ref().and_then(|h| h.reading(None));
            let reader = LogReader::from_table(table.as_ref(), &s.input, &calendar);
            (reader, bar)
        }
        _ => {
            let Opened { input, bar } = open(s)?;
            (LogReader::new(input, &s.input, &calendar), bar)
        }
    };
    let mut reader = reader.map_err(|e| read_error(e, s))?;
    let (to_replay, batches) = mpsc::sync_channel::<Result<Batch, ReadError>>(AHEAD);
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
            let _done = bar.clone().map(DoneOnDrop);
            let mut businesses = Pairs::default();
            if let Some(accounts) = &s.engine.accounts {
                accounts.seed(&mut businesses);
            }
            loop {
                let mut messages = taken_back
                    .try_recv()
                    .unwrap_or_else(|_| Vec::with_capacity(BATCH));
                let read = reader.fill(&mut businesses, &t.markets, &mut messages, BATCH);
                // A closed channel means the consuming side stopped (unsorted log or error).
                if to_replay.send(Ok(messages)).is_err() {
                    return None;
                }
                let done = match read {
                    Ok(done) => done,
                    Err(e) => {
                        let _ = to_replay.send(Err(e));
                        return None;
                    }
                };
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
    // The engine keeps each pair's business and country (`add_pair`): only ids here.
    let mut pairs = Pairs::ids_only();
    let mut messages: Vec<Message> = Vec::with_capacity(BATCH);
    let accounts = s.engine.accounts.as_deref();
    let read = read_batches(s, t, |batch| {
        messages.clear();
        intern_all(batch, &mut pairs, |raw, m| {
            if m.pair as usize == engine.pair_count() {
                engine.add_pair(raw.business, raw.country);
            }
            // Its account is looked up when the look-back releases it: time enough for the
            // slot to arrive in cache, as for the pair's windows below.
            if let Some(accounts) = accounts {
                accounts.prefetch(raw.business);
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
    pricer: &mut Pricers,
    m: &Message,
    each: &mut impl FnMut(&BillingEvent, MarketId, &Quote) -> Result<()>,
) -> Result<()> {
    if let Some(e) = engine.push_known(m) {
        let (market, quote) = price_event(s, t, pricer, &e)?;
        each(&e, market, &quote)?;
    }
    Ok(())
}

/// The pricers of a replay, and which one prices each WABA's events.
struct Pricers<'a> {
    pricers: Vec<TieredPricer<'a>>,
    /// Per WABA id: its pricer in `pricers` when WABAs share them (a byte each, so that the
    /// table stays in cache); empty when each WABA has its own (pricer = WABA id).
    shared: Vec<u8>,
}

/// With volume-tier tables, one pricer per WABA (volume tiers count per WABA), each in its
/// account's currency. Without any, a pricer's counters change no price, so the WABAs share
/// one pricer per currency: thousands of accounts' WABAs had a pricer each, which missed the
/// cache on nearly every event, where a few stay in it. Without `--accounts`, one pricer in
/// `--currency` (WABA 0).
fn pricers<'a>(s: &'a LogSettings, t: &'a Tariffs) -> Pricers<'a> {
    let Some(a) = &s.engine.accounts else {
        return Pricers {
            pricers: vec![TieredPricer::new(&t.cards, &t.tiers, &t.currency)],
            shared: Vec::new(),
        };
    };
    let currency = |waba: usize| a.accounts[a.wabas[waba] as usize].currency.as_str();
    let per_waba = || Pricers {
        pricers: (0..a.wabas.len())
            .map(|w| TieredPricer::new(&t.cards, &t.tiers, currency(w)).one_of_many())
            .collect(),
        shared: Vec::new(),
    };
    if !t.tiers.is_empty() {
        return per_waba();
    }
    let mut currencies: Vec<&str> = Vec::new();
    let mut shared = Vec::with_capacity(a.wabas.len());
    for w in 0..a.wabas.len() {
        let c = currency(w);
        let i = match currencies.iter().position(|&known| known == c) {
            Some(i) => i,
            None => {
                currencies.push(c);
                currencies.len() - 1
            }
        };
        match u8::try_from(i) {
            Ok(i) => shared.push(i),
            // More currencies than a byte numbers: a pricer per WABA.
            Err(_) => return per_waba(),
        }
    }
    Pricers {
        pricers: currencies
            .into_iter()
            .map(|c| TieredPricer::new(&t.cards, &t.tiers, c))
            .collect(),
        shared,
    }
}

impl<'a> Pricers<'a> {
    /// The pricer of a WABA's events.
    #[inline]
    fn of(&mut self, waba: u32) -> &mut TieredPricer<'a> {
        let w = waba as usize;
        let i = if self.shared.is_empty() {
            w
        } else {
            usize::from(self.shared[w])
        };
        &mut self.pricers[i]
    }
}

/// The market and price of one event (and the `--strict-tariffs` check).
fn price_event(
    s: &LogSettings,
    t: &Tariffs,
    pricers: &mut Pricers,
    e: &BillingEvent,
) -> Result<(MarketId, Quote)> {
    let market = t.markets.market_at(e.country, e.date);
    let pricer = pricers.of(e.waba);
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
    each: impl FnMut(&BillingEvent, MarketId, &Quote) -> Result<()>,
) -> Result<()> {
    let windows = |sink: &mut dyn FnMut(BillingEvent) -> bool| {
        let calendar = Calendar::new(s.timezone);
        engine::replay_while(&log.messages, &log.pairs, &s.engine, calendar, sink);
    };
    replay_events(s, t, windows, each)
}

/// [`replay`] for a log read in sorted runs: the windows' thread merges them as it goes.
fn replay_runs(
    s: &LogSettings,
    t: &Tariffs,
    runs: &Runs,
    pairs: &Pairs,
    each: impl FnMut(&BillingEvent, MarketId, &Quote) -> Result<()>,
) -> Result<()> {
    let windows = |sink: &mut dyn FnMut(BillingEvent) -> bool| {
        let mut engine = engine::Engine::new(&s.engine, Calendar::new(s.timezone));
        runs.merge(|batch| {
            for (i, m) in batch.iter().enumerate() {
                if let Some(ahead) = batch.get(i + crate::prefetch::AHEAD) {
                    engine.prefetch(ahead.pair);
                }
                if let Some(event) = engine.push(m, pairs) {
                    if !sink(event) {
                        return false;
                    }
                }
            }
            true
        });
    };
    replay_events(s, t, windows, each)
}

/// Runs `windows` (which hands each event to its sink, stopping when the sink returns false)
/// on a thread of its own, and prices the events and hands them to `each` on this one.
fn replay_events(
    s: &LogSettings,
    t: &Tariffs,
    windows: impl FnOnce(&mut dyn FnMut(BillingEvent) -> bool) + Send,
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
            let mut open = true;
            windows(&mut |e| {
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
