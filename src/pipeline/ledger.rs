//! The ledger: one row per unit (billed or free) and per message that is not a unit because
//! it was rejected or not delivered, in time order. Messages that rode on an open
//! conversation are not rows: the conversation they rode on is.

use super::{replay, LogSettings, Tariffs};
use crate::event::Charge;
use crate::input::reader::Log;
use crate::price::Quote;
use anyhow::Result;
use chrono::{DateTime, Offset, SecondsFormat, TimeZone};
use rust_decimal::Decimal;

/// The ledger's one note: the time zone its local times are in (the option spelled as the
/// caller names it).
pub fn ledger_note(ls: &LogSettings, sp: super::options::Spelling) -> String {
    format!(
        "times are in {} ({}), as the CSV's offsets give them",
        ls.timezone.name(),
        sp.name("timezone")
    )
}

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

/// One ledger row, borrowed for the time it is written.
pub struct Row<'a> {
    /// In the WABA's time zone.
    pub local: chrono::NaiveDateTime,
    /// RFC 3339 with the zone's offset.
    pub time: &'a str,
    /// The business number as the log wrote it.
    pub business: &'a [u8],
    /// The customer's number, international.
    pub recipient: &'a str,
    /// The market the customer's country was in on the day.
    pub market: &'a str,
    /// The category billed.
    pub category: &'static str,
    /// Why it costs what it costs (`message`, `free_customer_service`, ...).
    pub pricing: &'static str,
    /// The volume tier (`first:last`) when a tier table priced it.
    pub tier: &'a str,
    /// The rate of a priced unit (0 for a free one); `None` for an unpriced unit and for a
    /// message that is not a unit.
    pub rate: Option<Decimal>,
    /// The currency of the rate.
    pub currency: &'a str,
    /// The month billed (YYYY-MM).
    pub month: &'a str,
    /// The card the rate came from (`EUR 2025-07-01`).
    pub card: &'a str,
    /// `published`, `derived`, `substitute` or `unpriced`; empty when there is no rate.
    pub source: &'static str,
}

/// Replays `log` and hands every ledger row to `each`, in time order (the rows of `waprice
/// ledger`).
pub fn ledger(
    ls: &LogSettings,
    t: &Tariffs,
    log: &Log,
    mut each: impl FnMut(&Row) -> Result<()>,
) -> Result<()> {
    let tz = ls.timezone;
    let mut recipient = String::new();
    // Card names once per card row, not per ledger row.
    let cards: Vec<String> = t
        .cards
        .rows()
        .iter()
        .map(|r| format!("{} {}", r.currency, r.effective_from))
        .collect();
    replay(ls, t, log, |e, market, quote| {
        if e.charge == Charge::Covered {
            return Ok(());
        }
        let utc = DateTime::from_timestamp_millis(e.time)
            .unwrap_or_default()
            .naive_utc();
        let offset = tz.offset_from_utc_datetime(&utc).fix();
        let local = offset.from_utc_datetime(&utc);
        let time = local.to_rfc3339_opts(SecondsFormat::AutoSi, true);
        let pair = log.pairs.pair_of(e.pair);
        let customer = log.pairs.customer_of(e.pair);
        recipient.clear();
        recipient.push_str(&log.pairs.recipient(customer.number));
        let tier = match quote {
            Quote::Priced(r) => r.tier.map(|b| b.to_string()).unwrap_or_default(),
            _ => String::new(),
        };
        let rate = match (e.charge.is_unit(), quote) {
            (false, _) => None,
            (true, Quote::Unpriced(_)) => None,
            (true, q) => q.value(),
        };
        let (card, source) = match quote {
            _ if !e.charge.is_unit() => ("", ""),
            Quote::Priced(r) => (cards[r.row].as_str(), rate_source(quote)),
            q => ("", rate_source(q)),
        };
        let month = e.month.to_string();
        each(&Row {
            local: local.naive_local(),
            time: &time,
            business: log.pairs.business_name(pair.business),
            recipient: &recipient,
            market: t.markets.market_name(market),
            category: e.category.name(),
            pricing: e.charge.name(),
            tier: &tier,
            rate,
            currency: &t.currency,
            month: &month,
            card,
            source,
        })
    })
}
