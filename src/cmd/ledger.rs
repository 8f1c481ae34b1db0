//! `waprice ledger LOG`: one CSV row per unit (billed or free) and per message that is not a
//! unit because it was rejected or not delivered, in time order. Messages that rode on an
//! open conversation are not rows: the conversation they rode on is. Summing `rate` per
//! month gives estimate's `cost`. `tier` is a charged message's volume tier (`first:last`)
//! when a `--tiers` table priced it. `card` names the card a billed unit's rate came from and
//! `rate_source` says what kind of rate it is (`published`, `derived`, `substitute`,
//! `unpriced`; empty for free units and for messages that are not units).

use super::replay;
use crate::settings::LedgerSettings;
use anyhow::Result;
use chrono::{DateTime, Offset, SecondsFormat, TimeZone};

use waprice::event::Pricing;
use waprice::pricing::Quote;

pub const HEADER: [&str; 12] = [
    "time",
    "business",
    "recipient",
    "market",
    "category",
    "pricing",
    "tier",
    "rate",
    "currency",
    "month",
    "card",
    "rate_source",
];

/// A billed unit's `rate_source`.
fn rate_source(quote: &Quote) -> &'static str {
    match quote {
        Quote::Free => "",
        Quote::Unpriced(_) => "unpriced",
        Quote::Priced(r) if r.substitute => "substitute",
        Quote::Priced(r) if r.derived => "derived",
        Quote::Priced(_) => "published",
    }
}

pub fn run(s: &LedgerSettings) -> Result<()> {
    let t = &s.tariffs;
    let log = replay::read(&s.log, t)?;
    let tz = s.log.timezone;
    let stdout = std::io::stdout();
    let mut w = s.csv.writer(std::io::BufWriter::new(stdout.lock()))?;
    w.write_record(HEADER)?;
    let mut recipient = String::new();
    // Card names once per card row, not per ledger row.
    let cards: Vec<String> = t
        .cards
        .rows()
        .iter()
        .map(|r| format!("{} {}", r.currency, r.effective_from))
        .collect();
    replay::replay(&s.log, t, &log, |e, market, quote| {
        if e.pricing == Pricing::Covered {
            return Ok(());
        }
        let utc = DateTime::from_timestamp_millis(e.time)
            .unwrap_or_default()
            .naive_utc();
        let offset = tz.offset_from_utc_datetime(&utc).fix();
        let time = offset
            .from_utc_datetime(&utc)
            .to_rfc3339_opts(SecondsFormat::AutoSi, true);
        let pair = log.parties.pair_of(e.pair);
        let customer = log.parties.customer_of(e.pair);
        recipient.clear();
        recipient.push_str(&log.parties.recipient(customer.number));
        let tier = match quote {
            Quote::Priced(r) => r.tier.map(|b| b.to_string()).unwrap_or_default(),
            _ => String::new(),
        };
        let rate = match (e.pricing.is_unit(), quote) {
            (false, _) => String::new(),
            (true, Quote::Unpriced(_)) => String::new(),
            (true, q) => q.value().map(|d| s.csv.decimal(d)).unwrap_or_default(),
        };
        let (card, source) = match quote {
            _ if !e.pricing.is_unit() => ("", ""),
            Quote::Priced(r) => (cards[r.row].as_str(), rate_source(quote)),
            q => ("", rate_source(q)),
        };
        w.write_record([
            time.as_bytes(),
            log.parties.business_name(pair.business),
            recipient.as_bytes(),
            t.markets.market_name(market).as_bytes(),
            e.category.name().as_bytes(),
            e.pricing.name().as_bytes(),
            tier.as_bytes(),
            rate.as_bytes(),
            t.currency.as_bytes(),
            e.month.to_string().as_bytes(),
            card.as_bytes(),
            source.as_bytes(),
        ])?;
        Ok(())
    })?;
    w.flush()?;
    Ok(())
}
