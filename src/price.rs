//! Prices billing events from the rate cards of one currency (docs/rules.md, Rate cards).
//!
//! A rate is looked up per (currency, market, column), among the cards of the event's pricing
//! model (per conversation before 2025-07-01, per message from then): the latest published
//! value on or before the event's date; else the latest derived value (a card derived from
//! another currency's by a stated rule); else the latest value of either model on or before
//! the date, or the earliest later one (a flagged substitute); else the unit is unpriced. A
//! rate is never invented and never silently zero.

use crate::era::{ERA_C_FROM, ERA_D_FROM, FREE_SERVICE_FROM};
use crate::event::{BillingEvent, Charge, Era, UnitCategory};
use crate::tariff::card::{Cells, Column, DatedRate, RateCards};
use crate::tariff::market::MarketId;
use crate::tariff::tier::{Counter, TierBand, TierCounters, TierTables};
use chrono::NaiveDate;
use rust_decimal::Decimal;

/// The rate a billed unit pays and where it came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    /// The rate per unit, in the card's currency.
    pub value: Decimal,
    /// Index of the card row in [`RateCards::rows`].
    pub row: usize,
    /// The column the value was read from (utility for a service message priced at the utility rate).
    pub column: Column,
    /// From a card later than the event, or from the other side of the 2025-07-01 switch.
    pub substitute: bool,
    /// From a derived card (in force, or as a substitute).
    pub derived: bool,
    /// An era D service message priced at the utility rate because no card has its service rate.
    pub service_at_utility: bool,
    /// The volume tier of a charged utility or authentication message, when a tier table
    /// for its market and category is in force (see [`TieredPricer`]).
    pub tier: Option<TierBand>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
/// What a unit costs: free, a rate, or no rate known.
pub enum Quote {
    /// A free unit, or an event that is not a unit.
    Free,
    /// At a card's rate.
    Priced(Rate),
    /// No card of the currency has this market and column at any date.
    Unpriced(Column),
}

impl Quote {
    /// The unit's cost: zero when free, `None` when unpriced.
    pub fn value(&self) -> Option<Decimal> {
        match self {
            Quote::Free => Some(Decimal::ZERO),
            Quote::Priced(r) => Some(r.value),
            Quote::Unpriced(_) => None,
        }
    }
}

/// Prices billing events from the rate cards of one currency (see the module documentation).
pub struct Pricer<'a> {
    currency: &'a str,
    /// The currency's published and derived cells, found once.
    cells: Option<&'a Cells>,
    derived: Option<&'a Cells>,
}

/// Where a value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Found<'v> {
    value: &'v DatedRate,
    substitute: bool,
    derived: bool,
}

impl<'a> Pricer<'a> {
    /// A pricer of `currency` over `cards`.
    pub fn new(cards: &'a RateCards, currency: &'a str) -> Pricer<'a> {
        Pricer {
            currency,
            cells: cards.cells(currency),
            derived: cards.derived_cells(currency),
        }
    }

    /// (published, derived) values of one cell.
    fn values(&self, market: MarketId, column: Column) -> (&'a [DatedRate], &'a [DatedRate]) {
        let get = |cells: Option<&'a Cells>| {
            cells
                .and_then(|cells| cells.get(&(market, column)))
                .map_or(&[][..], Vec::as_slice)
        };
        (get(self.cells), get(self.derived))
    }

    /// What event `e` costs in `market` (by the event's date, era, category and pricing).
    pub fn quote(&self, e: &BillingEvent, market: MarketId) -> Quote {
        if !e.charge.is_billed() {
            return Quote::Free;
        }
        let column = column_of(e.category);
        let (published, derived) = self.values(market, column);
        let found = match (column, e.era) {
            // Era B service past the free tier: only cards from before all service became free.
            (Column::Service, Era::B) => {
                let keep = |v: &&DatedRate| v.0 < FREE_SERVICE_FROM;
                find(
                    published.iter().filter(keep),
                    derived.iter().filter(keep),
                    e,
                )
            }
            // Era D service: only cards of the charged-service era; else the utility rate.
            (Column::Service, _) => {
                let keep = |v: &&DatedRate| v.0 >= ERA_D_FROM;
                match find(
                    published.iter().filter(keep),
                    derived.iter().filter(keep),
                    e,
                ) {
                    Some(found) => Some(found),
                    None => {
                        let (published, derived) = self.values(market, Column::Utility);
                        return match find(published.iter(), derived.iter(), e) {
                            Some(f) => Quote::Priced(Rate {
                                value: f.value.1,
                                row: f.value.2,
                                column: Column::Utility,
                                substitute: f.substitute,
                                derived: f.derived,
                                service_at_utility: true,
                                tier: None,
                            }),
                            None => Quote::Unpriced(column),
                        };
                    }
                }
            }
            _ => find(published.iter(), derived.iter(), e),
        };
        match found {
            Some(f) => Quote::Priced(Rate {
                value: f.value.1,
                row: f.value.2,
                column,
                substitute: f.substitute,
                derived: f.derived,
                service_at_utility: false,
                tier: None,
            }),
            None => Quote::Unpriced(column),
        }
    }
}

/// A billed unit of `category` on `date`, counted as that date's rules count it: how `rates`
/// and `forecast` ask the pricer what a unit would cost without a log.
pub fn probe(date: NaiveDate, category: UnitCategory) -> BillingEvent {
    let era = crate::era::era_of(date);
    BillingEvent {
        time: 0,
        date,
        month: crate::calendar::Month::of(date),
        era,
        pair: 0,
        country: crate::country::CountryId(0),
        category,
        charge: if era.is_conversation_based() {
            crate::event::Charge::Conversation
        } else {
            crate::event::Charge::Message
        },
        presumed: crate::event::Presumed::No,
        account: 0,
        waba: 0,
    }
}

/// Prices events in time order with volume tiers (docs/rules.md, Volume tiers): every charged utility or
/// authentication message of eras C and D counts in its (market, month, category) counter,
/// authentication-international in the authentication one, whether or not a table applies;
/// where a table is in force, the message pays the rate of the tier its number falls in
/// (the card's list rate below the first threshold). A message whose list rate is unknown
/// stays unpriced: a tier table refines a card, it does not replace one.
pub struct TieredPricer<'a> {
    pricer: Pricer<'a>,
    tiers: &'a TierTables,
    counters: TierCounters,
    /// The list quotes of recent (market, category, date) keys, by market and category:
    /// consecutive events of a log share their date, so the cards are searched once a day
    /// per market and category instead of once per event.
    recent: Vec<Option<(ListKey, Quote)>>,
}

/// What a billed unit's list quote depends on. Its era too, but that is `era_of` its date
/// (the engine sets both), so the date stands for both.
type ListKey = (MarketId, UnitCategory, NaiveDate);

/// Slots of [`TieredPricer::recent`] (a power of two).
const RECENT: usize = 256;

/// Slots of [`TieredPricer::recent`] in a pricer of one WABA ([`TieredPricer::one_of_many`]),
/// a power of two: a platform run with volume tiers has a pricer per WABA, thousands of them,
/// and 256 slots each (about 14 KB) took 140 MB for 10,000 WABAs.
const RECENT_ONE_OF_MANY: usize = 16;

impl<'a> TieredPricer<'a> {
    /// A pricer of `currency` over `cards`, with the volume tiers of `tiers`; tier counters start
    /// at zero.
    pub fn new(cards: &'a RateCards, tiers: &'a TierTables, currency: &'a str) -> TieredPricer<'a> {
        TieredPricer {
            pricer: Pricer::new(cards, currency),
            tiers,
            counters: TierCounters::default(),
            recent: vec![None; RECENT],
        }
    }

    /// The pricer with a small cache of list quotes, for runs with a pricer per WABA.
    pub fn one_of_many(mut self) -> TieredPricer<'a> {
        self.recent = vec![None; RECENT_ONE_OF_MANY];
        self
    }

    /// [`Pricer::quote`], from [`TieredPricer::recent`] when the same key was priced last.
    #[inline]
    fn list_quote(&mut self, e: &BillingEvent, market: MarketId) -> Quote {
        if !e.charge.is_billed() {
            return Quote::Free;
        }
        let key = (market, e.category, e.date);
        let mask = self.recent.len() - 1;
        let slot = &mut self.recent[(usize::from(market.0) * 8 + e.category as usize) & mask];
        match slot {
            Some((k, quote)) if *k == key => *quote,
            _ => {
                let quote = self.pricer.quote(e, market);
                *slot = Some((key, quote));
                quote
            }
        }
    }

    /// The currency of the cards it prices from.
    pub fn currency(&self) -> &'a str {
        self.pricer.currency
    }

    /// Events must come in time order (the counters run through each month).
    pub fn quote(&mut self, e: &BillingEvent, market: MarketId) -> Quote {
        let quote = self.list_quote(e, market);
        // Without tier tables the counters could change nothing.
        if self.tiers.is_empty() || e.charge != Charge::Message || e.era.is_conversation_based() {
            return quote;
        }
        let column = column_of(e.category);
        let Some(counter) = Counter::of(column) else {
            return quote;
        };
        let n = self.counters.next(market, e.month, counter);
        let Quote::Priced(mut rate) = quote else {
            return quote;
        };
        let Some(table) = self
            .tiers
            .in_force(self.pricer.currency, market, column, e.date)
        else {
            return quote;
        };
        let (band, value) = table.band(n);
        rate.tier = Some(band);
        if let Some(value) = value {
            // The tier's own rate, from a table in force on the event's date.
            rate.value = value;
            rate.substitute = false;
            rate.derived = false;
        }
        Quote::Priced(rate)
    }
}

/// The card column a billed unit of this category reads.
pub fn column_of(category: UnitCategory) -> Column {
    match category {
        UnitCategory::Marketing => Column::Marketing,
        UnitCategory::Utility => Column::Utility,
        UnitCategory::Authentication => Column::Authentication,
        UnitCategory::AuthenticationInternational => Column::AuthenticationInternational,
        UnitCategory::Service => Column::Service,
        UnitCategory::UserInitiated => Column::UserInitiated,
        UnitCategory::BusinessInitiated => Column::BusinessInitiated,
    }
}

/// The lookup order for one cell: a published value in force (the latest on or before the
/// event's date, from a card of the event's pricing model); else a derived value in force;
/// else a substitute by [`pick`], published values first. A derived value never replaces a
/// published one in force, and a value of the other pricing model never stands in while a
/// derived one of the right model exists.
fn find<'v>(
    published: impl Iterator<Item = &'v DatedRate> + Clone,
    derived: impl Iterator<Item = &'v DatedRate> + Clone,
    e: &BillingEvent,
) -> Option<Found<'v>> {
    let in_force = |v: &&DatedRate| v.0 <= e.date && !crosses_switch(v.0, e.era);
    if let Some(value) = published.clone().filter(in_force).last() {
        return Some(Found {
            value,
            substitute: false,
            derived: false,
        });
    }
    if let Some(value) = derived.clone().filter(in_force).last() {
        return Some(Found {
            value,
            substitute: false,
            derived: true,
        });
    }
    if let Some((value, substitute)) = pick(published, e) {
        return Some(Found {
            value,
            substitute,
            derived: false,
        });
    }
    pick(derived, e).map(|(value, substitute)| Found {
        value,
        substitute,
        derived: true,
    })
}

/// The latest value on or before the event's date, else the earliest later one. The bool
/// says whether it is a substitute: later than the event, or from a card of the other
/// pricing model (conversation cards before 2025-07-01, per-message cards from then).
fn pick<'v>(
    values: impl Iterator<Item = &'v DatedRate>,
    e: &BillingEvent,
) -> Option<(&'v DatedRate, bool)> {
    let mut before: Option<&DatedRate> = None;
    let mut after: Option<&DatedRate> = None;
    for v in values {
        if v.0 <= e.date {
            before = Some(v);
        } else if after.is_none() {
            after = Some(v);
        }
    }
    let v = before.or(after)?;
    Some((v, v.0 > e.date || crosses_switch(v.0, e.era)))
}

fn crosses_switch(card: NaiveDate, era: Era) -> bool {
    (card < ERA_C_FROM) != era.is_conversation_based()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::Month;
    use crate::era;
    use crate::tariff::card::{parse, RateCards};
    use crate::tariff::market::MarketMap;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn event(date: &str, era: Era, category: UnitCategory) -> BillingEvent {
        let date = d(date);
        BillingEvent {
            time: 0,
            date,
            month: Month::of(date),
            era,
            pair: 0,
            country: crate::country::CountryId(0),
            category,
            charge: Charge::Message,
            presumed: crate::event::Presumed::No,
            account: 0,
            waba: 0,
        }
    }

    fn cards(text: &str) -> (RateCards, MarketMap) {
        let markets = MarketMap::bundled();
        let rows = parse(text, "test.csv", &markets).unwrap();
        (RateCards::from_rows(rows), markets)
    }

    const CARDS: &str = "currency,effective_from,market,marketing,utility,authentication,authentication_international,service,business_initiated,user_initiated\n\
        EUR,2022-02-01,France,,,,,,0.1186,0.0712\n\
        EUR,2023-06-01,France,0.1000,0.0500,0.0400,,0.0300,,\n\
        EUR,2024-11-01,France,0.1100,0.0500,0.0400,,0,,\n\
        EUR,2025-07-01,France,0.1200,0.0250,0.0250,,,,\n\
        EUR,2026-10-01,Germany,0.1300,0.0260,0.0260,,0.0270,,\n\
        EUR,2026-07-01,Germany,0.1250,0.0255,0.0255,,,,\n";

    fn priced(q: Quote) -> (Decimal, bool) {
        match q {
            Quote::Priced(r) => (r.value, r.substitute),
            other => panic!("expected a price, got {other:?}"),
        }
    }

    #[test]
    fn latest_card_on_or_before_the_date() {
        let (c, m) = cards(CARDS);
        let fr = m.market_by_name("France").unwrap();
        let p = Pricer::new(&c, "EUR");
        assert_eq!(
            priced(p.quote(&event("2024-10-31", Era::B, UnitCategory::Marketing), fr)),
            (Decimal::new(1000, 4), false)
        );
        assert_eq!(
            priced(p.quote(&event("2024-11-01", Era::B, UnitCategory::Marketing), fr)),
            (Decimal::new(1100, 4), false)
        );
        assert_eq!(
            priced(p.quote(
                &event("2022-03-01", Era::A, UnitCategory::BusinessInitiated),
                fr
            )),
            (Decimal::new(1186, 4), false)
        );
    }

    #[test]
    fn earlier_or_other_model_cards_are_flagged_substitutes() {
        let (c, m) = cards(CARDS);
        let fr = m.market_by_name("France").unwrap();
        let p = Pricer::new(&c, "EUR");
        // Era A has no marketing column: the 2023 card is later, a substitute.
        assert_eq!(
            priced(p.quote(&event("2022-03-01", Era::A, UnitCategory::Marketing), fr)),
            (Decimal::new(1000, 4), true)
        );
        // Per-message Germany in 2026-08 reads the July card; France in 2026 reads 2025-07.
        let de = m.market_by_name("Germany").unwrap();
        assert_eq!(
            priced(p.quote(&event("2026-08-01", Era::C, UnitCategory::Marketing), de)),
            (Decimal::new(1250, 4), false)
        );
        // Germany before its first card: the earliest later value, flagged.
        assert_eq!(
            priced(p.quote(&event("2025-08-01", Era::C, UnitCategory::Utility), de)),
            (Decimal::new(255, 4), true)
        );
    }

    /// (value, substitute, derived) of a quote.
    fn kind(q: Quote) -> (String, bool, bool) {
        match q {
            Quote::Priced(r) => (r.value.to_string(), r.substitute, r.derived),
            other => panic!("expected a price, got {other:?}"),
        }
    }

    #[test]
    fn published_in_force_then_derived_in_force_then_substitutes() {
        let m = MarketMap::bundled();
        let mut rows = parse(
            "currency,effective_from,market,marketing,utility\n\
             EUR,2023-06-01,France,0.1186,\n\
             EUR,2025-07-01,France,0.0700,0.0250\n",
            "published.csv",
            &m,
        )
        .unwrap();
        rows.extend(
            parse(
                "currency,effective_from,market,marketing,utility,confidence\n\
                 EUR,2023-06-01,France,0.1111,0.0636,derived\n\
                 EUR,2024-08-01,France,,0.0248,derived\n",
                "derived.csv",
                &m,
            )
            .unwrap(),
        );
        let c = RateCards::from_rows(rows);
        let fr = m.market_by_name("France").unwrap();
        let p = Pricer::new(&c, "EUR");
        let q = |date: &str, era, cat| kind(p.quote(&event(date, era, cat), fr));
        let s = |v: &str, sub, der| (v.to_string(), sub, der);
        // A published value in force wins over a derived one of the same date.
        assert_eq!(
            q("2024-03-01", Era::B, UnitCategory::Marketing),
            s("0.1186", false, false)
        );
        // No published utility in force: the derived one, then the newer derived one.
        assert_eq!(
            q("2024-03-01", Era::B, UnitCategory::Utility),
            s("0.0636", false, true)
        );
        assert_eq!(
            q("2024-09-01", Era::B, UnitCategory::Utility),
            s("0.0248", false, true)
        );
        // The per-message card never stands in for a conversation while a derived rate exists.
        assert_eq!(
            q("2025-06-30", Era::B, UnitCategory::Utility),
            s("0.0248", false, true)
        );
        // Per-message months read the per-message card.
        assert_eq!(
            q("2025-08-01", Era::C, UnitCategory::Utility),
            s("0.0250", false, false)
        );
        // Before any card of the model: a later published value, flagged.
        assert_eq!(
            q("2022-06-01", Era::A, UnitCategory::Marketing),
            s("0.1186", true, false)
        );
    }

    #[test]
    fn a_derived_value_is_a_substitute_only_when_nothing_else_exists() {
        let m = MarketMap::bundled();
        let rows = parse(
            "currency,effective_from,market,utility,confidence\n\
             EUR,2024-08-01,Spain,0.0166,derived\n",
            "derived.csv",
            &m,
        )
        .unwrap();
        let c = RateCards::from_rows(rows);
        let es = m.market_by_name("Spain").unwrap();
        let p = Pricer::new(&c, "EUR");
        // Per message, the conversation-era derived value crosses the switch: a substitute.
        assert_eq!(
            kind(p.quote(&event("2025-08-01", Era::C, UnitCategory::Utility), es)),
            ("0.0166".to_string(), true, true)
        );
        // Before it: the later derived value, flagged.
        assert_eq!(
            kind(p.quote(&event("2023-07-01", Era::B, UnitCategory::Utility), es)),
            ("0.0166".to_string(), true, true)
        );
    }

    #[test]
    fn era_b_service_ignores_free_service_zeros() {
        let (c, m) = cards(CARDS);
        let fr = m.market_by_name("France").unwrap();
        let p = Pricer::new(&c, "EUR");
        assert_eq!(
            priced(p.quote(&event("2024-10-15", Era::B, UnitCategory::Service), fr)),
            (Decimal::new(300, 4), false)
        );
    }

    #[test]
    fn era_d_service_reads_only_october_2026_cards_else_the_utility_rate() {
        let (c, m) = cards(CARDS);
        let p = Pricer::new(&c, "EUR");
        let de = m.market_by_name("Germany").unwrap();
        assert_eq!(
            priced(p.quote(&event("2026-10-02", Era::D, UnitCategory::Service), de)),
            (Decimal::new(270, 4), false)
        );
        let fr = m.market_by_name("France").unwrap();
        match p.quote(&event("2026-10-02", Era::D, UnitCategory::Service), fr) {
            Quote::Priced(r) => {
                assert!(r.service_at_utility);
                assert_eq!(r.value, Decimal::new(250, 4));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn no_value_at_any_date_is_unpriced_never_zero() {
        let (c, m) = cards(CARDS);
        let p = Pricer::new(&c, "EUR");
        let it = m.market_by_name("Italy").unwrap();
        assert_eq!(
            p.quote(&event("2025-08-01", Era::C, UnitCategory::Marketing), it),
            Quote::Unpriced(Column::Marketing)
        );
        let usd = Pricer::new(&c, "USD");
        let fr = m.market_by_name("France").unwrap();
        assert_eq!(
            usd.quote(&event("2025-08-01", Era::C, UnitCategory::Marketing), fr),
            Quote::Unpriced(Column::Marketing)
        );
    }
    #[test]
    fn tiers_are_marginal_per_month_and_auth_intl_keeps_the_authentication_count() {
        let m = MarketMap::bundled();
        let cards = RateCards::from_rows(
            parse(
                "currency,effective_from,market,marketing,utility,authentication,authentication_international\n\
                 USD,2025-07-01,India,0.0107,0.0014,0.0014,0.0280\n",
                "c.csv",
                &m,
            )
            .unwrap(),
        );
        // Synthetic thresholds A < B < C = 3 < 5 < 8.
        let tiers = TierTables::from_tables(
            crate::tariff::tier::parse(
                "currency,effective_from,market,category,threshold,rate\n\
                 USD,2025-07-01,India,authentication,3,0.0012\n\
                 USD,2025-07-01,India,authentication,5,0.0010\n\
                 USD,2025-07-01,India,authentication,8,0.0008\n\
                 USD,2025-07-01,India,authentication_international,3,0.0250\n\
                 USD,2025-07-01,India,authentication_international,5,0.0200\n\
                 USD,2025-07-01,India,authentication_international,8,0.0150\n",
                "t.csv",
                &m,
            )
            .unwrap(),
        );
        let india = m.market_by_name("India").unwrap();
        let mut p = TieredPricer::new(&cards, &tiers, "USD");
        let mut quote = |date: &str, category, charge| {
            let mut e = event(date, era::era_of(d(date)), category);
            e.charge = charge;
            match p.quote(&e, india) {
                Quote::Priced(r) => (r.value.to_string(), r.tier.map(|t| t.to_string())),
                Quote::Free => ("free".into(), None),
                other => panic!("{other:?}"),
            }
        };
        let (a, ai) = (
            UnitCategory::Authentication,
            UnitCategory::AuthenticationInternational,
        );
        let msg = Charge::Message;
        let got: Vec<_> = [
            ("2025-09-01", a, msg),
            ("2025-09-02", a, msg),
            // Free messages and marketing do not count.
            (
                "2025-09-02",
                UnitCategory::Utility,
                Charge::FreeCustomerService,
            ),
            ("2025-09-02", UnitCategory::Marketing, msg),
            ("2025-09-03", a, msg),
            ("2025-09-04", a, msg),
            // Eligible from here: authentication-international continues the count at 5.
            ("2025-09-15", ai, msg),
            ("2025-09-16", ai, msg),
            ("2025-09-17", ai, msg),
            ("2025-09-18", ai, msg),
            ("2025-09-19", ai, msg),
            // A new month starts again at the list rate.
            ("2025-10-01", ai, msg),
        ]
        .into_iter()
        .map(|(date, c, charge)| quote(date, c, charge))
        .collect();
        let s = |v: &str, t: Option<&str>| (v.to_string(), t.map(str::to_string));
        assert_eq!(
            got,
            vec![
                s("0.0014", Some("1:3")),
                s("0.0014", Some("1:3")),
                s("free", None),
                s("0.0107", None),
                s("0.0014", Some("1:3")),
                s("0.0012", Some("4:5")),
                s("0.0250", Some("4:5")),
                s("0.0200", Some("6:8")),
                s("0.0200", Some("6:8")),
                s("0.0200", Some("6:8")),
                s("0.0150", Some("9+")),
                s("0.0280", Some("1:3")),
            ]
        );
        // Conversations (era B) never count or carry a tier.
        let mut p = TieredPricer::new(&cards, &tiers, "USD");
        let e = event("2025-06-10", Era::B, a);
        assert!(matches!(
            p.quote(&e, india),
            Quote::Priced(Rate { tier: None, .. })
        ));
    }

    /// Each billed category reads its own column: a card whose every column holds a
    /// different rate tells a swap (marketing for utility, international authentication
    /// for domestic) from the right answer.
    #[test]
    fn each_category_pays_its_own_column() {
        let (c, m) = cards(
            "currency,effective_from,market,marketing,utility,authentication,authentication_international,service,business_initiated,user_initiated\n\
             EUR,2022-02-01,India,,,,,,0.0006,0.0007\n\
             EUR,2023-06-01,India,0.0001,0.0002,0.0003,0.0004,0.0005,,\n",
        );
        let india = m.market_by_name("India").unwrap();
        let p = Pricer::new(&c, "EUR");
        for (category, era, date, rate) in [
            (UnitCategory::Marketing, Era::B, "2024-03-01", 1),
            (UnitCategory::Utility, Era::B, "2024-03-01", 2),
            (UnitCategory::Authentication, Era::B, "2024-03-01", 3),
            (
                UnitCategory::AuthenticationInternational,
                Era::B,
                "2024-03-01",
                4,
            ),
            (UnitCategory::Service, Era::B, "2024-03-01", 5),
            (UnitCategory::BusinessInitiated, Era::A, "2022-03-01", 6),
            (UnitCategory::UserInitiated, Era::A, "2022-03-01", 7),
        ] {
            let mut e = event(date, era, category);
            e.charge = Charge::Conversation;
            assert_eq!(
                priced(p.quote(&e, india)),
                (Decimal::new(rate, 4), false),
                "{category:?}"
            );
        }
    }

    /// A paid era B service conversation (before 2024-11-01) never takes its rate from a
    /// card of the free-service era, not even as a substitute: that card's service rate is
    /// 0 because service became free, not because this conversation was.
    #[test]
    fn era_b_service_never_takes_the_free_service_cards_rate() {
        let (c, m) = cards(
            "currency,effective_from,market,marketing,utility,authentication,authentication_international,service,business_initiated,user_initiated\n\
             EUR,2024-11-01,Spain,0.0615,0.02,0.02,,0,,\n",
        );
        let es = m.market_by_name("Spain").unwrap();
        let p = Pricer::new(&c, "EUR");
        let mut e = event("2024-03-01", Era::B, UnitCategory::Service);
        e.charge = Charge::Conversation;
        assert_eq!(p.quote(&e, es), Quote::Unpriced(Column::Service));
        let mut marketing = event("2024-03-01", Era::B, UnitCategory::Marketing);
        marketing.charge = Charge::Conversation;
        assert_eq!(
            priced(p.quote(&marketing, es)),
            (Decimal::new(615, 4), true),
            "other columns may take a later card as a flagged substitute"
        );
    }

    /// Only charged messages count towards a volume tier: utility messages that are free
    /// (in the service window, in a free entry point window) leave the count where it was.
    #[test]
    fn free_messages_do_not_count_towards_a_tier() {
        let m = MarketMap::bundled();
        let cards = RateCards::from_rows(
            parse(
                "currency,effective_from,market,marketing,utility\n\
                 USD,2025-07-01,India,0.0107,0.0014\n",
                "c.csv",
                &m,
            )
            .unwrap(),
        );
        let tiers = TierTables::from_tables(
            crate::tariff::tier::parse(
                "currency,effective_from,market,category,threshold,rate\n\
                 USD,2025-07-01,India,utility,3,0.0010\n",
                "t.csv",
                &m,
            )
            .unwrap(),
        );
        let india = m.market_by_name("India").unwrap();
        let mut p = TieredPricer::new(&cards, &tiers, "USD");
        let mut tier_of = |charge| {
            let mut e = event("2025-09-02", Era::C, UnitCategory::Utility);
            e.charge = charge;
            match p.quote(&e, india) {
                Quote::Priced(r) => r.tier.map(|t| t.to_string()),
                _ => None,
            }
        };
        assert_eq!(tier_of(Charge::Message).as_deref(), Some("1:3"));
        for free in [
            Charge::FreeCustomerService,
            Charge::FreeEntryPoint,
            Charge::FreeCustomerService,
        ] {
            assert_eq!(tier_of(free), None);
        }
        // The second charged message: still the first tier.
        assert_eq!(tier_of(Charge::Message).as_deref(), Some("1:3"));
        assert_eq!(tier_of(Charge::Message).as_deref(), Some("1:3"));
        assert_eq!(tier_of(Charge::Message).as_deref(), Some("4+"));
    }

    /// A card prices the messages of its own pricing model: conversation cards (before
    /// 2025-07-01) conversations, per-message cards (from 2025-07-01, that day included)
    /// messages. A card of the other model is only a flagged substitute, even when dated
    /// before the event.
    #[test]
    fn a_card_of_the_other_pricing_model_is_a_flagged_substitute() {
        let (c, m) = cards(CARDS);
        let fr = m.market_by_name("France").unwrap();
        let p = Pricer::new(&c, "EUR");
        assert_eq!(
            priced(p.quote(&event("2025-07-01", Era::C, UnitCategory::Marketing), fr)),
            (Decimal::new(1200, 4), false)
        );
        assert_eq!(
            priced(p.quote(&event("2025-06-30", Era::B, UnitCategory::Marketing), fr)),
            (Decimal::new(1100, 4), false)
        );
        let (c, m) = cards(
            "currency,effective_from,market,marketing\n\
             EUR,2024-11-01,Spain,0.0615\n",
        );
        let es = m.market_by_name("Spain").unwrap();
        let p = Pricer::new(&c, "EUR");
        assert_eq!(
            priced(p.quote(&event("2025-08-01", Era::C, UnitCategory::Marketing), es)),
            (Decimal::new(615, 4), true)
        );
    }
}
