//! Aggregates priced events into months (and markets/categories) and gathers what the notes
//! must say: eras, cards, substitutes, unpriced units, events that are not units.

pub mod invoices;
pub mod notes;

use crate::budget::{Budget, BudgetLine};
use crate::calendar::Month;
use crate::event::{BillingEvent, Charge, Era, Presumed, UnitCategory};
use crate::price::Quote;
use crate::tariff::card::Column;
use crate::tariff::market::MarketId;
use crate::tariff::tier::TierBand;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use rustc_hash::FxHashMap;
use std::collections::{BTreeMap, BTreeSet};
use std::hash::{Hash, Hasher};

/// Counts and cost of one month, or one (month, market, category) cell.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Totals {
    /// Billable units per [`UnitCategory`] (indexed by `UnitCategory::index`).
    pub billable: [u64; 7],
    /// Free units (every category).
    pub free: u64,
    /// Billable units without a rate: missing from `cost`, which is then a lower bound.
    pub unpriced: u64,
    /// Billable units priced by a derived rate in force.
    pub derived: u64,
    /// Billable units priced by a substitute (a later card, or the other pricing model).
    pub substituted: u64,
    /// What the priced billable units cost.
    pub cost: Decimal,
}

impl Totals {
    /// Billable units over every category (the CSV's `billable` column).
    pub fn billable_total(&self) -> u64 {
        self.billable.iter().sum()
    }
    /// Units Meta counts: billable and free.
    pub fn units(&self) -> u64 {
        self.billable_total() + self.free
    }
    fn add(&mut self, other: &Totals) {
        for (a, b) in self.billable.iter_mut().zip(other.billable) {
            *a += b;
        }
        self.free += other.free;
        self.unpriced += other.unpriced;
        self.derived += other.derived;
        self.substituted += other.substituted;
        self.cost += other.cost;
    }
}

/// Where a rate came from, for the notes: (market, column, card date).
pub type RateKey = (MarketId, Column, NaiveDate);

/// What one event contributes, as a compact hashable key: events with the same key are
/// counted together and summed once at the end, so adding an event costs one hash lookup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct EventKey {
    month: Month,
    market: MarketId,
    category: UnitCategory,
    charge: Charge,
    era: Era,
    presumed: Presumed,
    quote: QuoteKey,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum QuoteKey {
    Free,
    Priced {
        value: Decimal,
        column: Column,
        card: Option<NaiveDate>,
        substitute: bool,
        derived: bool,
        service_at_utility: bool,
        tier: Option<TierBand>,
    },
    Unpriced(Column),
}

/// Every part of the key but the rate's value: a `Decimal` hashes by normalising itself first
/// (it equals the same value at another scale), which cost as much as the rest of the lookup.
/// Keys equal by `Eq` still hash alike; keys that differ only in their value (rare: the value
/// follows from the card, the column and the tier band) only share a bucket.
impl Hash for EventKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.month.hash(state);
        self.market.hash(state);
        self.category.hash(state);
        self.charge.hash(state);
        self.era.hash(state);
        self.presumed.hash(state);
        match self.quote {
            QuoteKey::Free => 0u8.hash(state),
            QuoteKey::Priced {
                value: _,
                column,
                card,
                substitute,
                derived,
                service_at_utility,
                tier,
            } => {
                1u8.hash(state);
                column.hash(state);
                card.hash(state);
                (substitute, derived, service_at_utility).hash(state);
                tier.hash(state);
            }
            QuoteKey::Unpriced(column) => {
                2u8.hash(state);
                column.hash(state);
            }
        }
    }
}

impl EventKey {
    fn of(
        e: &BillingEvent,
        market: MarketId,
        quote: &Quote,
        card_date: Option<NaiveDate>,
    ) -> EventKey {
        let quote = match quote {
            Quote::Free => QuoteKey::Free,
            Quote::Priced(r) => QuoteKey::Priced {
                value: r.value,
                column: r.column,
                card: card_date,
                substitute: r.substitute,
                derived: r.derived,
                service_at_utility: r.service_at_utility,
                tier: r.tier,
            },
            Quote::Unpriced(c) => QuoteKey::Unpriced(*c),
        };
        EventKey {
            month: e.month,
            market,
            category: e.category,
            charge: e.charge,
            era: e.era,
            presumed: e.presumed,
            quote,
        }
    }
}

/// One tally per account, counted in one place: a platform log has thousands of accounts,
/// and a tally each would cost a cache miss or three per event. Here an event's key is
/// interned in a small table that stays in cache (a log has few distinct keys), and the count
/// goes to one flat table keyed by (account, key); [`AccountTallies::split`] hands each
/// account the totals a [`Tally`] of its own would have given it.
#[derive(Debug, Clone, Default)]
pub struct AccountTallies {
    ids: FxHashMap<EventKey, u32>,
    /// The ids of keys by their raw bits ([`RawKey`]): the lookup an event costs.
    raw_ids: RawIds,
    keys: Vec<EventKey>,
    counts: Counts,
}

/// An event's key as the raw bits of its parts (the card row standing for the card's date,
/// the rate's value as stored, at its own scale): equal bits make equal keys, so an event
/// finds its key's id by comparing five words. Interning the [`EventKey`] itself hashed a
/// dozen fields and compared the rate's value as a `Decimal` (normalised first), most of what
/// an event cost to count. Keys equal by `Eq` with different bits (a rate at another scale)
/// get an entry each here, with the id of the first: the counts are those of the `Eq` key.
#[derive(Debug, Clone, Copy, Default)]
struct RawKey([u64; 5]);

impl RawKey {
    /// Word by word: an array's `==` compares 40 bytes through `memcmp`.
    #[inline]
    fn same(&self, other: &RawKey) -> bool {
        let (a, b) = (&self.0, &other.0);
        ((a[0] ^ b[0]) | (a[1] ^ b[1]) | (a[2] ^ b[2]) | (a[3] ^ b[3]) | (a[4] ^ b[4])) == 0
    }

    /// The bits of the key of `e` in `market` priced by `quote`, unless a part is too large
    /// for its field (a card row past 2^24, a tier bound past 2^32): such an event is looked
    /// up by its [`EventKey`].
    #[inline]
    fn of(e: &BillingEvent, market: MarketId, quote: &Quote) -> Option<RawKey> {
        let w0 = u64::from(e.month.0 as u32)
            | u64::from(market.0) << 32
            | (e.category as u64) << 48
            | (e.charge as u64) << 56;
        let base = e.era as u64 | (e.presumed as u64) << 8;
        let (w1, w2, value) = match quote {
            Quote::Free => (base | 1 << 16, 0, 0),
            Quote::Unpriced(c) => (base | 2 << 16 | (*c as u64) << 24, 0, 0),
            Quote::Priced(r) => {
                if r.row >= 1 << 24 {
                    return None;
                }
                let (tier, bounds) = match r.tier {
                    None => (0, 0),
                    // The last bound plus one, 0 for an open-ended tier.
                    Some(b) => match b.last.map_or(Some(0), |l| l.checked_add(1)) {
                        Some(last) if b.first < 1 << 32 && last < 1 << 32 => {
                            (1, b.first | last << 32)
                        }
                        _ => return None,
                    },
                };
                let flags = u64::from(r.substitute)
                    | u64::from(r.derived) << 1
                    | u64::from(r.service_at_utility) << 2
                    | tier << 3;
                let w1 =
                    base | 3 << 16 | (r.column as u64) << 24 | flags << 32 | (r.row as u64) << 40;
                (w1, bounds, u128::from_le_bytes(r.value.serialize()))
            }
        };
        Some(RawKey([w0, w1, w2, value as u64, (value >> 64) as u64]))
    }
}

/// Key ids by [`RawKey`]: an open-addressing table (linear probing, at most half full) that
/// only grows, a log having few distinct keys. A free slot's key is all zeros, which no
/// [`RawKey`] is (its quote's kind is never 0).
#[derive(Debug, Clone, Default)]
struct RawIds {
    slots: Vec<(RawKey, u32)>,
    len: usize,
}

impl RawIds {
    /// The slot a key's probe starts at.
    #[inline]
    fn home(k: &RawKey, bits: u32) -> usize {
        let w = &k.0;
        let h = (w[0] ^ w[1].rotate_left(21) ^ w[2].rotate_left(42) ^ w[3] ^ w[4].rotate_left(11))
            .wrapping_mul(0x9e37_79b9_7f4a_7c15);
        (h >> (64 - bits)) as usize
    }

    #[inline]
    fn get(&self, k: &RawKey) -> Option<u32> {
        if self.slots.is_empty() {
            return None;
        }
        let mask = self.slots.len() - 1;
        let mut i = RawIds::home(k, self.slots.len().trailing_zeros());
        loop {
            let (key, id) = &self.slots[i];
            if key.same(k) {
                return Some(*id);
            }
            if key.0[1] == 0 {
                return None;
            }
            i = (i + 1) & mask;
        }
    }

    /// Adds a key not in the table.
    fn insert(&mut self, k: RawKey, id: u32) {
        if (self.len + 1) * 2 > self.slots.len() {
            let size = (self.slots.len() * 2).max(256);
            let old = std::mem::replace(&mut self.slots, vec![(RawKey::default(), 0); size]);
            self.len = 0;
            for (key, id) in old.into_iter().filter(|(key, _)| key.0[1] != 0) {
                self.insert(key, id);
            }
        }
        let mask = self.slots.len() - 1;
        let mut i = RawIds::home(&k, self.slots.len().trailing_zeros());
        while self.slots[i].0 .0[1] != 0 {
            i = (i + 1) & mask;
        }
        self.slots[i] = (k, id);
        self.len += 1;
    }
}

/// Counts per (account, key id), given packed as `account << 32 | id`: an open-addressing
/// table (linear probing) of 8-byte slots, each a pair's tag and its count, whose pairs are
/// counted a batch at a time, each batch's slots asked of the cache before any is touched.
/// With thousands of accounts the table outgrows the cache, and counting an event as it
/// comes waited for a miss or two per event; batched, the misses overlap, and at 8 bytes a
/// pair the table takes a quarter of a hashbrown map's cache. A pair too large for a tag,
/// and the counts past a slot's maximum, go to `spill`.
#[derive(Debug, Clone, Default)]
struct Counts {
    /// `tag << COUNT_BITS | count`, 0 for a free slot. A power of two long (or empty).
    slots: Vec<u64>,
    /// Slots in use.
    len: usize,
    /// Tags of pairs not yet counted (at most [`Counts::BATCH`]).
    pending: Vec<u64>,
    /// Pairs without a tag, and counts a slot could not hold, by packed pair.
    spill: FxHashMap<u64, u64>,
}

impl Counts {
    /// Events counted together: enough for their misses to overlap.
    const BATCH: usize = 32;
    /// A slot's count: up to 16,777,215, the rest in `spill`.
    const COUNT_BITS: u32 = 24;
    const COUNT_MAX: u64 = (1 << Counts::COUNT_BITS) - 1;
    /// Key ids below 65,536 and accounts below 16,777,215 have a tag.
    const ID_BITS: u32 = 16;

    #[inline]
    fn add(&mut self, pair: u64) {
        match Counts::tag(pair) {
            Some(tag) => {
                self.pending.push(tag);
                if self.pending.len() == Counts::BATCH {
                    self.flush();
                }
            }
            None => *self.spill.entry(pair).or_default() += 1,
        }
    }

    /// A pair's tag (never 0), if it has one: `(account << ID_BITS | id) + 1`, 40 bits.
    #[inline]
    fn tag(pair: u64) -> Option<u64> {
        let (account, id) = (pair >> 32, pair & 0xffff_ffff);
        (id < 1 << Counts::ID_BITS && account < (1 << (40 - Counts::ID_BITS)) - 1)
            .then(|| (account << Counts::ID_BITS | id) + 1)
    }

    /// The pair a tag was made from.
    fn pair(tag: u64) -> u64 {
        let t = tag - 1;
        (t >> Counts::ID_BITS) << 32 | (t & ((1 << Counts::ID_BITS) - 1))
    }

    /// The slot a tag's probe starts at: the high bits of a Fibonacci-hash product.
    #[inline]
    fn home(tag: u64, bits: u32) -> usize {
        (tag.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> (64 - bits)) as usize
    }

    /// Counts the pending pairs.
    fn flush(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        // At most three quarters full, so that probes stay short.
        while (self.len + self.pending.len()) * 4 > self.slots.len() * 3 {
            self.grow();
        }
        let bits = self.slots.len().trailing_zeros();
        let mask = self.slots.len() - 1;
        for &tag in &self.pending {
            crate::prefetch::prefetch(self.slots.as_ptr().wrapping_add(Counts::home(tag, bits)));
        }
        for &tag in &self.pending {
            let mut i = Counts::home(tag, bits);
            loop {
                let slot = self.slots[i];
                if slot >> Counts::COUNT_BITS == tag {
                    if slot & Counts::COUNT_MAX == Counts::COUNT_MAX {
                        *self.spill.entry(Counts::pair(tag)).or_default() += Counts::COUNT_MAX;
                        self.slots[i] = tag << Counts::COUNT_BITS | 1;
                    } else {
                        self.slots[i] = slot + 1;
                    }
                    break;
                }
                if slot == 0 {
                    self.slots[i] = tag << Counts::COUNT_BITS | 1;
                    self.len += 1;
                    break;
                }
                i = (i + 1) & mask;
            }
        }
        self.pending.clear();
    }

    /// Doubles the table (1,024 slots at first) and places every counted pair again.
    fn grow(&mut self) {
        let size = (self.slots.len() * 2).max(1024);
        let old = std::mem::replace(&mut self.slots, vec![0; size]);
        let bits = size.trailing_zeros();
        for slot in old.into_iter().filter(|&s| s != 0) {
            let mut i = Counts::home(slot >> Counts::COUNT_BITS, bits);
            while self.slots[i] != 0 {
                i = (i + 1) & (size - 1);
            }
            self.slots[i] = slot;
        }
    }

    /// Hands `f` every (pair, count), in no particular order, reading the slots in place.
    fn each(mut self, mut f: impl FnMut(u64, u64)) {
        self.flush();
        let mut spill = std::mem::take(&mut self.spill);
        for s in self.slots.into_iter().filter(|&s| s != 0) {
            let pair = Counts::pair(s >> Counts::COUNT_BITS);
            let past = if spill.is_empty() {
                0
            } else {
                spill.remove(&pair).unwrap_or(0)
            };
            f(pair, (s & Counts::COUNT_MAX) + past);
        }
        for (pair, n) in spill {
            f(pair, n);
        }
    }
}

impl AccountTallies {
    /// Counts one event in `account`'s tally.
    /// `card_date` gives the date of the card of `quote`'s row: asked only for a key not
    /// seen before.
    #[inline]
    pub fn add(
        &mut self,
        account: u32,
        e: &BillingEvent,
        market: MarketId,
        quote: &Quote,
        card_date: impl FnOnce() -> Option<NaiveDate>,
    ) {
        let raw = RawKey::of(e, market, quote);
        let id = match raw.and_then(|r| self.raw_ids.get(&r)) {
            Some(id) => id,
            None => {
                let id = self.intern(EventKey::of(e, market, quote, card_date()));
                if let Some(r) = raw {
                    self.raw_ids.insert(r, id);
                }
                id
            }
        };
        self.counts.add(u64::from(account) << 32 | u64::from(id));
    }

    /// The id of `key`, given it if it is new.
    #[cold]
    fn intern(&mut self, key: EventKey) -> u32 {
        let next = self.keys.len() as u32;
        let id = *self.ids.entry(key).or_insert(next);
        if id == next {
            self.keys.push(key);
        }
        id
    }

    /// Splits the counts once: per account `0..accounts` and month with units, its totals
    /// (what a finished [`Tally`]'s `months` holds, all an invoice line needs), per account
    /// its events, and
    /// per group of accounts (`group_of[account]` in `0..groups`), the unfinished tally of
    /// its accounts' events, for the notes. Each count is read once, where a [`Tally`] per
    /// account would cost each account a map and a sort, and the groups a hash lookup per
    /// account and key.
    pub fn split(self, accounts: usize, group_of: &[usize], groups: usize) -> Split {
        // An (account, month) has one entry, found through `at`: a map per account cost each
        // account a B-tree node (about a kilobyte) for its one or two months.
        let mut months: Vec<(u32, Month, Totals)> = Vec::with_capacity(accounts);
        let mut at: FxHashMap<(u32, Month), usize> =
            FxHashMap::with_capacity_and_hasher(accounts, Default::default());
        let mut events = vec![0u64; accounts];
        let mut per_group = vec![0u64; groups * self.keys.len()];
        let keys = &self.keys;
        self.counts.each(|packed, n| {
            let (account, id) = ((packed >> 32) as usize, packed as u32 as usize);
            events[account] += n;
            per_group[group_of[account] * keys.len() + id] += n;
            let k = &keys[id];
            if k.charge.is_unit() {
                let i = *at.entry((account as u32, k.month)).or_insert_with(|| {
                    months.push((account as u32, k.month, Totals::default()));
                    months.len() - 1
                });
                months[i].2.add(&unit_totals(k, n));
            }
        });
        // By account and month, as the lines were once made: from there, sorting them by
        // month and account name finds runs already in order.
        months.sort_unstable_by_key(|&(account, month, _)| (account, month));
        let groups = per_group
            .chunks(self.keys.len().max(1))
            .take(groups)
            .map(|counts| Tally {
                counts: self
                    .keys
                    .iter()
                    .zip(counts)
                    .filter(|(_, &n)| n > 0)
                    .map(|(k, &n)| (*k, n))
                    .collect(),
                ..Tally::default()
            })
            .collect();
        Split {
            months,
            events,
            groups,
        }
    }
}

/// [`AccountTallies::split`]: what the invoices need per account, and the notes per group.
#[derive(Debug, Clone)]
pub struct Split {
    /// The totals of each account and month with units, as (account, month, totals), by
    /// account and month.
    pub months: Vec<(u32, Month, Totals)>,
    /// Per account: the events counted in it.
    pub events: Vec<u64>,
    /// Per group: the tally of its accounts' events, unfinished.
    pub groups: Vec<Tally>,
}

/// What `n` units of key `k` add to their month's (and cell's) totals.
fn unit_totals(k: &EventKey, n: u64) -> Totals {
    let mut t = Totals::default();
    if k.charge.is_billed() {
        t.billable[k.category.index()] = n;
    } else {
        t.free = n;
    }
    match k.quote {
        QuoteKey::Free => {}
        QuoteKey::Priced {
            value,
            substitute,
            derived,
            ..
        } => {
            t.cost = value * Decimal::from(n);
            if substitute {
                t.substituted = n;
            } else if derived {
                t.derived = n;
            }
        }
        QuoteKey::Unpriced(_) => t.unpriced = n,
    }
    t
}

/// Everything the engine and pricer said, summed. [`Tally::add`] only counts; the public
/// maps are filled by [`Tally::finish`].
#[derive(Debug, Clone, Default)]
pub struct Tally {
    counts: FxHashMap<EventKey, u64>,
    /// Totals per month.
    pub months: BTreeMap<Month, Totals>,
    /// Totals per (month, market, category).
    pub cells: BTreeMap<(Month, MarketId, UnitCategory), Totals>,
    /// The eras of each month's units.
    pub eras: BTreeMap<Month, BTreeSet<Era>>,
    /// Cards that priced each month: (date, derived).
    pub cards: BTreeMap<Month, BTreeSet<(NaiveDate, bool)>>,
    /// Units priced by a substitute, per (market, column, card date).
    pub substitutes: BTreeMap<RateKey, BTreeMap<Month, u64>>,
    /// Units priced by a derived rate in force, per (market, column, derived card date).
    pub derived: BTreeMap<RateKey, BTreeMap<Month, u64>>,
    /// Billable units without a rate, per (market, column).
    pub unpriced: BTreeMap<(MarketId, Column), BTreeMap<Month, u64>>,
    /// Era D service messages priced at the utility rate (no service rate on the card), per
    /// market.
    pub service_at_utility: BTreeMap<MarketId, BTreeMap<Month, u64>>,
    /// Events per charge (the engine's verdict) (units and non-units), per month.
    pub verdicts: BTreeMap<Charge, BTreeMap<Month, u64>>,
    /// Units priced with a volume-tier table, per (month, market, category, tier).
    pub tiers: BTreeMap<(Month, MarketId, UnitCategory, TierBand), Totals>,
    /// Free-form messages inside a service window the log does not show, by why it was presumed.
    pub presumed: BTreeMap<Presumed, u64>,
}

impl Tally {
    /// Counts one event of `market`, priced by `quote` from the card of `card_date`.
    pub fn add(
        &mut self,
        e: &BillingEvent,
        market: MarketId,
        quote: &Quote,
        card_date: Option<NaiveDate>,
    ) {
        *self
            .counts
            .entry(EventKey::of(e, market, quote, card_date))
            .or_default() += 1;
    }

    /// Adds another tally's counted events to this one's, before either is finished: the
    /// tally of a set of accounts is the sum of theirs, so a platform run counts each event
    /// once (in its account) instead of once per view.
    pub fn absorb(&mut self, other: &Tally) {
        debug_assert!(
            other.months.is_empty() && self.months.is_empty(),
            "absorb before finish"
        );
        for (key, n) in &other.counts {
            *self.counts.entry(*key).or_default() += n;
        }
    }

    /// Sums the counted events into the public maps (idempotent).
    pub fn finish(&mut self) {
        let counts = std::mem::take(&mut self.counts);
        let mut keys: Vec<(&EventKey, &u64)> = counts.iter().collect();
        keys.sort_by_key(|(k, _)| (k.month, k.market, k.category, k.charge));
        for (k, &n) in keys {
            *self
                .verdicts
                .entry(k.charge)
                .or_default()
                .entry(k.month)
                .or_default() += n;
            if k.presumed != Presumed::No {
                *self.presumed.entry(k.presumed).or_default() += n;
            }
            if !k.charge.is_unit() {
                continue;
            }
            self.eras.entry(k.month).or_default().insert(k.era);
            let t = unit_totals(k, n);
            match k.quote {
                QuoteKey::Free => {}
                QuoteKey::Priced {
                    column,
                    card,
                    substitute,
                    derived,
                    service_at_utility,
                    ..
                } => {
                    if let Some(date) = card {
                        self.cards
                            .entry(k.month)
                            .or_default()
                            .insert((date, derived));
                        if derived && !substitute {
                            *self
                                .derived
                                .entry((k.market, column, date))
                                .or_default()
                                .entry(k.month)
                                .or_default() += n;
                        }
                        if substitute {
                            *self
                                .substitutes
                                .entry((k.market, column, date))
                                .or_default()
                                .entry(k.month)
                                .or_default() += n;
                        }
                    }
                    if service_at_utility {
                        *self
                            .service_at_utility
                            .entry(k.market)
                            .or_default()
                            .entry(k.month)
                            .or_default() += n;
                    }
                }
                QuoteKey::Unpriced(column) => {
                    *self
                        .unpriced
                        .entry((k.market, column))
                        .or_default()
                        .entry(k.month)
                        .or_default() += n;
                }
            }
            self.months.entry(k.month).or_default().add(&t);
            if let QuoteKey::Priced {
                tier: Some(tier), ..
            } = k.quote
            {
                self.tiers
                    .entry((k.month, k.market, k.category, tier))
                    .or_default()
                    .add(&t);
            }
            self.cells
                .entry((k.month, k.market, k.category))
                .or_default()
                .add(&t);
        }
    }

    /// Events of a charge verdict, over all months.
    pub fn count(&self, charge: Charge) -> u64 {
        self.verdicts.get(&charge).map_or(0, |m| m.values().sum())
    }

    /// The totals over all months.
    pub fn total(&self) -> Totals {
        let mut t = Totals::default();
        for m in self.months.values() {
            t.add(m);
        }
        t
    }
}

/// One month of the estimate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthLine {
    /// The month.
    pub month: Month,
    /// Its counts and cost.
    pub totals: Totals,
    /// Its cost against the budget.
    pub budget: BudgetLine,
}

/// One (month, market, category) line of `--by`; `None` means summed over that dimension.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BreakdownLine {
    /// The month.
    pub month: Month,
    /// The market (`None`: all markets).
    pub market: Option<String>,
    /// The category (`None`: all categories).
    pub category: Option<UnitCategory>,
    /// Units billed.
    pub billable: u64,
    /// Free units.
    pub free: u64,
    /// Billed units without a rate.
    pub unpriced: u64,
    /// What the billed units cost.
    pub cost: Decimal,
    /// With `--by tier`: the unit's volume tier (`None`: no tier table priced it).
    pub tier: Option<TierBand>,
}

/// `--by`: the dimensions of the long format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum By {
    /// Per month and market.
    Market,
    /// Per month and category.
    Category,
    /// Per month, market and category.
    MarketCategory,
    /// Per market, category and volume tier.
    Tier,
}

/// What the renderers print.
#[derive(Debug, Clone)]
pub struct Report {
    /// The currency every amount is in.
    pub currency: String,
    /// One line per month, in order.
    pub months: Vec<MonthLine>,
    /// The totals over all months.
    pub total: Totals,
    /// The budgets of all months.
    pub budget_total: Decimal,
    /// The overages of all months.
    pub overage_total: Decimal,
    /// The `--by` lines, when asked for.
    pub breakdown: Option<Vec<BreakdownLine>>,
    /// What the numbers rest on: eras, cards, substitutes, unpriced units, assumptions.
    pub notes: Vec<String>,
    /// The `--by` the breakdown was made for.
    pub by: Option<By>,
}

impl Report {
    /// The report of `tally` in `currency`: its months against `budget`, the `--by` breakdown,
    /// and `notes`.
    pub fn build(
        tally: &Tally,
        currency: &str,
        budget: &Budget,
        by: Option<By>,
        market_name: impl Fn(MarketId) -> String,
        notes: Vec<String>,
    ) -> Report {
        let months: Vec<MonthLine> = tally
            .months
            .iter()
            .filter(|(_, t)| t.units() > 0)
            .map(|(&month, t)| MonthLine {
                month,
                totals: t.clone(),
                budget: budget.line(month, t.cost),
            })
            .collect();
        let budget_total = months.iter().map(|m| m.budget.budget).sum();
        let overage_total = months.iter().map(|m| m.budget.overage).sum();
        let breakdown = by.filter(|&by| by != By::Tier).map(|by| {
            let mut lines: BTreeMap<(Month, Option<String>, Option<UnitCategory>), BreakdownLine> =
                BTreeMap::new();
            for (&(month, market, category), t) in &tally.cells {
                let market =
                    matches!(by, By::Market | By::MarketCategory).then(|| market_name(market));
                let category = matches!(by, By::Category | By::MarketCategory).then_some(category);
                let line = lines
                    .entry((month, market.clone(), category))
                    .or_insert_with(|| BreakdownLine {
                        month,
                        market,
                        category,
                        billable: 0,
                        free: 0,
                        unpriced: 0,
                        cost: Decimal::ZERO,
                        tier: None,
                    });
                line.billable += t.billable_total();
                line.free += t.free;
                line.unpriced += t.unpriced;
                line.cost += t.cost;
            }
            lines.into_values().collect()
        });
        // `--by tier` has lines of its own: per market, category and tier.
        let breakdown = breakdown.or_else(|| by.map(|_| tier_breakdown(tally, &market_name)));
        Report {
            currency: currency.to_string(),
            months,
            total: tally.total(),
            budget_total,
            overage_total,
            breakdown,
            notes,
            by,
        }
    }
}

/// `--by tier`: per (month, market, category), one line per tier that priced units, and one
/// line without a tier for the rest (free units, and charged ones no tier table priced).
fn tier_breakdown(tally: &Tally, market_name: &impl Fn(MarketId) -> String) -> Vec<BreakdownLine> {
    let line = |month, market, category, t: &Totals, tier| BreakdownLine {
        month,
        market: Some(market_name(market)),
        category: Some(category),
        billable: t.billable_total(),
        free: t.free,
        unpriced: t.unpriced,
        cost: t.cost,
        tier,
    };
    let mut lines = Vec::new();
    for (&(month, market, category), cell) in &tally.cells {
        let lowest = TierBand {
            first: 0,
            last: None,
        };
        let tiered: Vec<(TierBand, &Totals)> = tally
            .tiers
            .range((month, market, category, lowest)..)
            .take_while(|(k, _)| (k.0, k.1, k.2) == (month, market, category))
            .map(|(k, t)| (k.3, t))
            .collect();
        let mut rest = cell.clone();
        for (_, t) in &tiered {
            for (a, b) in rest.billable.iter_mut().zip(t.billable) {
                *a -= b;
            }
            rest.free -= t.free;
            rest.unpriced -= t.unpriced;
            rest.derived -= t.derived;
            rest.substituted -= t.substituted;
            rest.cost -= t.cost;
        }
        if rest.cost.is_zero() {
            // 0.0036 - 0.0036 is 0.0000: a free remainder costs plain 0, like other free lines.
            rest.cost = Decimal::ZERO;
        }
        if rest.units() > 0 {
            lines.push(line(month, market, category, &rest, None));
        }
        for (tier, t) in tiered {
            lines.push(line(month, market, category, t, Some(tier)));
        }
    }
    lines.sort_by(|a, b| {
        (a.month, &a.market, a.category, a.tier).cmp(&(b.month, &b.market, b.category, b.tier))
    });
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_with_the_same_raw_key_have_the_same_key() {
        use crate::country::CountryId;
        use crate::price::Rate;
        use crate::tariff::card::Column;
        let e = |category, charge| BillingEvent {
            time: 0,
            date: NaiveDate::from_ymd_opt(2026, 10, 1).unwrap(),
            month: Month(2026 * 12 + 9),
            era: Era::D,
            pair: 0,
            country: CountryId(0),
            category,
            charge,
            presumed: Presumed::No,
            account: 0,
            waba: 0,
        };
        let rate = |value: &str, row, tier: Option<(u64, Option<u64>)>| {
            Quote::Priced(Rate {
                value: value.parse().unwrap(),
                row,
                column: Column::Utility,
                substitute: false,
                derived: false,
                service_at_utility: false,
                tier: tier.map(|(first, last)| TierBand { first, last }),
            })
        };
        let quotes = [
            Quote::Free,
            Quote::Unpriced(Column::Utility),
            Quote::Unpriced(Column::Marketing),
            rate("0.01", 0, None),
            rate("0.010", 0, None),
            rate("0.01", 1, None),
            rate("0.02", 0, None),
            rate("0.01", 0, Some((1, None))),
            rate("0.01", 0, Some((1, Some(u64::MAX)))),
            rate("0.01", 0, Some((1, Some((1 << 32) - 2)))),
            rate("0.01", 0, Some((1, Some(1000)))),
            rate("0.01", 0, Some((1001, None))),
            rate("0.01", 1 << 24, None),
        ];
        let events = [
            e(UnitCategory::Utility, Charge::Message),
            e(UnitCategory::Utility, Charge::FreeCustomerService),
            e(UnitCategory::Marketing, Charge::Message),
        ];
        // The card of row r is dated the r-th day after the epoch: another row, another date.
        let card = |q: &Quote| match q {
            Quote::Priced(r) => NaiveDate::from_num_days_from_ce_opt(r.row as i32 + 1),
            _ => None,
        };
        let mut seen = Vec::new();
        for e in &events {
            for q in &quotes {
                let key = EventKey::of(e, MarketId(3), q, card(q));
                seen.push((RawKey::of(e, MarketId(3), q), key));
            }
        }
        for (a, ka) in &seen {
            for (b, kb) in &seen {
                if let (Some(a), Some(b)) = (a, b) {
                    assert!(!a.same(b) || ka == kb, "{ka:?} {kb:?}");
                }
            }
        }
        // Parts too large for their field are looked up by the key itself.
        assert!(seen.iter().filter(|(r, _)| r.is_none()).count() == 2 * events.len());
        // A count per key: the open-ended tier and the one ending at u64::MAX stay apart.
        let mut tallies = AccountTallies::default();
        for (e, q) in events
            .iter()
            .flat_map(|e| quotes.iter().map(move |q| (e, q)))
        {
            tallies.add(1, e, MarketId(3), q, || card(q));
        }
        assert_eq!(tallies.keys.len(), events.len() * (quotes.len() - 1));
    }

    /// Every (pair, count) the table hands out, each pair once.
    fn all(counts: Counts) -> FxHashMap<u64, u64> {
        let mut got = FxHashMap::default();
        counts.each(|pair, n| assert!(got.insert(pair, n).is_none(), "pair {pair} twice"));
        got
    }

    #[test]
    fn the_count_table_counts_every_pair_through_growth_and_a_part_batch() {
        // 5,000 pairs (past several doublings), each added its own number of times, in an
        // order that interleaves them, and a total that leaves a batch half full; and pairs
        // too large for a slot's tag.
        let mut counts = Counts::default();
        let mut expected: FxHashMap<u64, u64> = FxHashMap::default();
        let mut add = |counts: &mut Counts, pair: u64| {
            counts.add(pair);
            *expected.entry(pair).or_default() += 1;
        };
        for round in 0..7u64 {
            for pair in 0..5_000u64 {
                if pair % 7 >= round {
                    add(&mut counts, ((pair % 2_500) << 32) | (pair / 2_500));
                }
            }
            add(&mut counts, (7 << 32) | (1 << 16));
            add(&mut counts, ((1 << 24) - 1) << 32);
            add(&mut counts, (((1 << 24) - 2) << 32) | ((1 << 16) - 1));
        }
        add(&mut counts, 42 << 32);
        assert_eq!(all(counts), expected);
        assert!(all(Counts::default()).is_empty());
    }

    #[test]
    fn a_count_past_what_a_slot_holds_is_kept_whole() {
        let mut counts = Counts::default();
        let n = Counts::COUNT_MAX * 2 + 3;
        for _ in 0..n {
            counts.add((3 << 32) | 9);
        }
        counts.add(4 << 32);
        let got = all(counts);
        assert_eq!(got.get(&((3 << 32) | 9)), Some(&n));
        assert_eq!(got.get(&(4 << 32)), Some(&1));
        assert_eq!(got.len(), 2);
    }
}
