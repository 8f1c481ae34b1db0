//! `waprice ledger LOG`: one CSV row per unit (billed or free) and per message that is not a
//! unit because it was rejected or not delivered, in time order. Messages that rode on an
//! open conversation are not rows: the conversation they rode on is. Summing `rate` per
//! month gives estimate's `cost`. `tier` is a charged message's volume tier (`first:last`)
//! when a `--tiers` table priced it.

use super::replay;
use crate::settings::LedgerSettings;
use anyhow::Result;
use chrono::{DateTime, Offset, SecondsFormat, TimeZone};

use waprice::event::Pricing;
use waprice::pricing::Quote;

pub const HEADER: [&str; 10] = [
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
];

pub fn run(s: &LedgerSettings) -> Result<()> {
    let t = &s.tariffs;
    let log = replay::read(&s.log, t)?;
    let tz = s.log.timezone;
    let stdout = std::io::stdout();
    let mut w = s.csv.writer(std::io::BufWriter::new(stdout.lock()));
    w.write_record(HEADER)?;
    let mut recipient = String::new();
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
        ])?;
        Ok(())
    })?;
    w.flush()?;
    Ok(())
}
