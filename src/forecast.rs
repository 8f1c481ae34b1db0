//! A month's cost from volumes per country instead of a log (`waprice forecast`): the
//! calculator Meta and BSPs offer, with the rules and cards in force on one date.
//!
//! Assumptions: volumes are for one calendar month and one business number; every message is
//! delivered; none is inside a free entry point window; utility is outside the customer
//! service window unless counted as in-window; no volume tiers. Before 2025-07-01 volumes are
//! conversations, from then messages.

use crate::country::CountryId;
use crate::era::{era_of, FREE_SERVICE_FROM, FREE_TIER_CONVERSATIONS};
use crate::event::{Era, UnitCategory};
use crate::price::{probe, Pricer, Quote};
use crate::tariff::card::RateCards;
use crate::tariff::market::MarketMap;
use chrono::NaiveDate;
use rust_decimal::Decimal;

/// Monthly volumes of one country.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Volumes {
    /// Marketing templates.
    pub marketing: u64,
    /// Utility templates, those in `utility_in_window` included.
    pub utility: u64,
    /// Of `utility`, those sent inside a customer service window (free in era C).
    pub utility_in_window: u64,
    /// Authentication templates at the market's own rate.
    pub authentication: u64,
    /// Authentication templates at the international rate.
    pub authentication_international: u64,
    /// Free-form messages (service conversations before 2025-07-01).
    pub service: u64,
}

/// One country and category of a forecast.
pub struct Line {
    /// The customer country's ISO code.
    pub country: String,
    /// The market the country is priced in on the forecast's date.
    pub market: String,
    /// The category the volume is counted under.
    pub category: UnitCategory,
    /// Messages (conversations before 2025-07-01) of this country and category.
    pub volume: u64,
    /// Of `volume`, those that are free.
    pub free: u64,
    /// Of `volume`, those charged at `rate`.
    pub billable: u64,
    /// The rate a billed unit pays; zero when none is billed, `None` when no card prices it.
    pub rate: Option<Decimal>,
    /// `billable` x `rate`, in the forecast's currency.
    pub cost: Decimal,
}

/// Prices `countries`' monthly volumes with the rules and `currency`'s cards in force on
/// `date`: the free share of each category (the era B free tier, free service, in-window
/// utility in era C, the era D service `allowance`), the rest at the rate a billed unit pays.
/// Gives a line per country and category with a volume, and the notes on the rates used.
pub fn forecast(
    markets: &MarketMap,
    cards: &RateCards,
    currency: &str,
    date: NaiveDate,
    countries: &[(CountryId, Volumes)],
    allowance: u64,
) -> (Vec<Line>, Vec<String>) {
    let era = era_of(date);
    let pricer = Pricer::new(cards, currency);
    let mut notes = Vec::new();
    let mut lines = Vec::new();
    let mut allowance_left = allowance;
    // The era B free tier is per WABA: 1,000 service conversations across all countries.
    let mut free_tier_left = if era == Era::B && date < FREE_SERVICE_FROM {
        u64::from(FREE_TIER_CONVERSATIONS)
    } else {
        0
    };
    for (country, v) in countries {
        let market = markets.market_at(*country, date);
        let per = |category, volume: u64, free: u64| (category, volume, free.min(volume));
        let in_window_free = if era == Era::C {
            v.utility_in_window
        } else {
            0
        };
        let service_free = match era {
            Era::B if date >= FREE_SERVICE_FROM => v.service,
            Era::B => {
                let f = v.service.min(free_tier_left);
                free_tier_left -= f;
                f
            }
            Era::C => v.service,
            _ => {
                let f = v.service.min(allowance_left);
                allowance_left -= f;
                f
            }
        };
        for (category, volume, free) in [
            per(UnitCategory::Marketing, v.marketing, 0),
            per(UnitCategory::Utility, v.utility, in_window_free),
            per(UnitCategory::Authentication, v.authentication, 0),
            per(
                UnitCategory::AuthenticationInternational,
                v.authentication_international,
                0,
            ),
            per(UnitCategory::Service, v.service, service_free),
        ] {
            if volume == 0 {
                continue;
            }
            let billable = volume - free;
            let event = probe(date, category);
            let (rate, cost) = if billable == 0 {
                (Some(Decimal::ZERO), Decimal::ZERO)
            } else {
                match pricer.quote(&event, market) {
                    Quote::Priced(r) => {
                        let from = cards.row(r.row).effective_from;
                        if r.substitute {
                            notes.push(format!(
                                "{} {}: substitute rate from the {} card of {from}",
                                markets.market_name(market),
                                category.name(),
                                currency
                            ));
                        } else if r.derived {
                            notes.push(format!(
                                "{} {}: derived rate from the {} {from} derived card (a stated rule from another currency's card, see tariffs/SOURCES.md)",
                                markets.market_name(market),
                                category.name(),
                                currency
                            ));
                        }
                        if r.service_at_utility {
                            notes.push(format!("{} service: priced at the utility rate (no {} service rate from 2026-10-01)", markets.market_name(market), currency));
                        }
                        (Some(r.value), r.value * Decimal::from(billable))
                    }
                    Quote::Unpriced(column) => {
                        notes.push(format!(
                            "UNPRICED: {} {} for {}: no {} rate at any date; the total is a lower bound (supply one with --tariff FILE)",
                            billable,
                            column.name(),
                            markets.market_name(market),
                            currency
                        ));
                        (None, Decimal::ZERO)
                    }
                    Quote::Free => (Some(Decimal::ZERO), Decimal::ZERO),
                }
            };
            lines.push(Line {
                country: markets.iso(*country).to_string(),
                market: markets.market_name(market).to_string(),
                category,
                volume,
                free,
                billable,
                rate,
                cost,
            });
        }
    }
    (lines, notes)
}

/// The notes every forecast ends with: the rules and cards of `date`, what is assumed, and
/// what the date's rules give free (with `allowance`, the era D free service allowance).
pub fn assumptions(date: NaiveDate, allowance: u64) -> Vec<String> {
    let era = era_of(date);
    let mut notes = Vec::new();
    notes.push(format!(
        "rules and cards in force on {} (era {})",
        date,
        era.describe()
    ));
    notes.push(format!(
        "assumed: one month, one business number, every message delivered, none inside a free entry point window, no volume tiers; {}",
        if era.is_conversation_based() { "volumes are conversations" } else { "volumes are messages" }
    ));
    match era {
        Era::B if date < FREE_SERVICE_FROM => notes.push("the first 1,000 service conversations of the month are free".into()),
        Era::B => notes.push("service conversations are free from 2024-11-01".into()),
        Era::C => notes.push("service messages and the utility templates inside a customer service window (--utility-in-window) are free".into()),
        _ => notes.push(format!("service and in-window utility are charged; free service allowance {} a month", allowance)),
    }
    notes
}
