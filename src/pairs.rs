//! Interned businesses, customers and (business, customer) pairs.
//!
//! A customer is its number's digits packed in a u64 (at most 15 digits, so under 2^50),
//! so interning allocates nothing per row; its country is resolved once per pair, when the
//! pair is first seen, and kept with the pair (customers need no table of their own).
//! The hot path of a replay is one lookup per row from (business, number) straight to the
//! pair, in an open-addressing table that can be prefetched a few rows ahead: with a
//! million customers nearly every lookup misses the CPU cache, and overlapping those misses
//! is most of the speed (BENCHMARKS.md). Keys are integers hashed by one multiplication, not
//! SipHash: the input is not adversarial to a local tool.

use crate::country::CountryId;
use crate::prefetch::prefetch;
use rustc_hash::FxHashMap as HashMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
/// A customer: its number (or business-scoped user id key) and its country, resolved once.
pub struct Customer {
    /// The number's digits packed in a u64, or the key of a business-scoped user id.
    pub number: u64,
    /// The country the number's calling code (or the payload) gives.
    pub country: CountryId,
}

/// A (business, customer) pair: the scope of every window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pair {
    /// The business number's id.
    pub business: u32,
    /// The customer.
    pub customer: Customer,
}

#[derive(Debug, Default, Clone)]
/// The interned businesses, customers and (business, customer) pairs of one log: a message
/// carries only its pair's id.
pub struct Pairs {
    businesses: Vec<Box<[u8]>>,
    business_ids: HashMap<Box<[u8]>, u32>,
    pairs: Vec<Pair>,
    /// Pairs interned (`pairs.len()` unless they are not kept).
    count: u32,
    /// The pairs' businesses and customers are not kept ([`Pairs::ids_only`]).
    ids_only: bool,
    pair_ids: PairTable,
    /// Pairs whose key does not fit the table's packing (more than 16,384 businesses).
    wide_pair_ids: HashMap<(u32, u64), u32>,
    /// Customers known only by a business-scoped user id (Meta's BSUID, no phone number):
    /// each gets a key from [`USER_ID_BASE`] on, which no phone number can take.
    user_ids: Vec<Box<str>>,
    user_id_keys: HashMap<Box<str>, u64>,
}

/// Customer keys from here on stand for business-scoped user ids, not phone numbers (which
/// have at most 15 digits).
pub const USER_ID_BASE: u64 = 1 << 62;

impl Pairs {
    /// Pairs that keep only their ids: for a replay whose engine keeps each pair's business
    /// and country itself, where a second copy of a million customers was 24 MB more to
    /// touch. [`Pairs::pair_of`] and [`Pairs::customer_of`] know none.
    pub fn ids_only() -> Pairs {
        Pairs {
            ids_only: true,
            ..Pairs::default()
        }
    }

    /// The business id for a normalised business key (empty = the log's single business).
    pub fn business(&mut self, key: &[u8]) -> u32 {
        if let Some(&id) = self.business_ids.get(key) {
            return id;
        }
        let id = self.businesses.len() as u32;
        self.businesses.push(key.into());
        self.business_ids.insert(key.into(), id);
        id
    }

    /// The pair of a business and a customer's number, resolving the customer's country with
    /// `country_of` only when the pair is new. One table lookup when the pair is known.
    pub fn intern<E>(
        &mut self,
        business: u32,
        number: u64,
        country_of: impl FnOnce(u64) -> Result<CountryId, E>,
    ) -> Result<u32, E> {
        let key = pair_key(business, number);
        let known = match key {
            Some(key) => self.pair_ids.get(key),
            None => self.wide_pair_ids.get(&(business, number)).copied(),
        };
        if let Some(pair) = known {
            return Ok(pair);
        }
        let country = country_of(number)?;
        let id = self.count;
        self.count += 1;
        match key {
            Some(key) => self.pair_ids.insert(key, id),
            None => {
                self.wide_pair_ids.insert((business, number), id);
            }
        }
        if !self.ids_only {
            self.pairs.push(Pair {
                business,
                customer: Customer { number, country },
            });
        }
        Ok(id)
    }

    /// Takes the businesses of `other` (a reading thread's table), for pairs whose business
    /// ids came from it and which interned none of their own.
    pub fn adopt_businesses(&mut self, other: Pairs) {
        debug_assert!(self.businesses.is_empty(), "business ids would clash");
        self.businesses = other.businesses;
        self.business_ids = other.business_ids;
    }

    /// Asks the CPU for the table slot [`Pairs::intern`] will read for this pair.
    #[inline]
    pub fn prefetch(&self, business: u32, number: u64) {
        if let Some(key) = pair_key(business, number) {
            self.pair_ids.prefetch(key);
        }
    }

    /// The customer key of a business-scoped user id (interned: the same id, the same key).
    pub fn user_id(&mut self, id: &str) -> u64 {
        if let Some(&key) = self.user_id_keys.get(id) {
            return key;
        }
        let key = USER_ID_BASE + self.user_ids.len() as u64;
        self.user_ids.push(id.into());
        self.user_id_keys.insert(id.into(), key);
        key
    }

    /// A customer as a user reads it: `+` and the number, or the business-scoped user id.
    pub fn recipient(&self, number: u64) -> String {
        match number.checked_sub(USER_ID_BASE) {
            Some(i) => self
                .user_ids
                .get(i as usize)
                .map_or_else(String::new, |id| id.to_string()),
            None => format!("+{number}"),
        }
    }

    /// Pair `pair`: its business and customer.
    pub fn pair_of(&self, pair: u32) -> Pair {
        self.pairs[pair as usize]
    }
    /// The customer of pair `pair`.
    pub fn customer_of(&self, pair: u32) -> Customer {
        self.pairs[pair as usize].customer
    }
    /// The business number of id `business`, as interned (normalised digits, or as written).
    pub fn business_name(&self, business: u32) -> &[u8] {
        &self.businesses[business as usize]
    }
    /// How many pairs are interned.
    pub fn pair_count(&self) -> usize {
        self.count as usize
    }
    /// How many business numbers are interned.
    pub fn business_count(&self) -> usize {
        self.businesses.len()
    }
    /// Distinct customer numbers (counted, not kept: nothing on the hot path needs it).
    pub fn customer_count(&self) -> usize {
        let mut numbers: Vec<u64> = self.pairs.iter().map(|p| p.customer.number).collect();
        numbers.sort_unstable();
        numbers.dedup();
        numbers.len()
    }
}

/// Numbers have at most 15 digits, so they fit in 50 bits; the business id takes the rest.
const NUMBER_BITS: u32 = 50;

/// (business, number) packed in one u64, when both fit.
#[inline]
fn pair_key(business: u32, number: u64) -> Option<u64> {
    (number >> NUMBER_BITS == 0 && u64::from(business) < 1 << (64 - NUMBER_BITS))
        .then(|| (u64::from(business) << NUMBER_BITS) | number)
}

/// An open-addressing (linear probing) map from packed pair keys to pair ids, kept at most
/// half full. `pair == EMPTY` marks a free slot.
#[derive(Debug, Clone)]
struct PairTable {
    slots: Vec<Slot>,
    /// 64 minus log2(slots.len()): a key's home slot is the top bits of its hash.
    shift: u32,
    len: usize,
}

#[derive(Debug, Clone, Copy)]
struct Slot {
    key: u64,
    pair: u32,
}

const EMPTY: u32 = u32::MAX;
const MIN_SLOTS_LOG2: u32 = 10;

impl Default for PairTable {
    fn default() -> Self {
        PairTable {
            slots: vec![
                Slot {
                    key: 0,
                    pair: EMPTY
                };
                1 << MIN_SLOTS_LOG2
            ],
            shift: 64 - MIN_SLOTS_LOG2,
            len: 0,
        }
    }
}

impl PairTable {
    #[inline]
    fn home(&self, key: u64) -> usize {
        (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> self.shift) as usize
    }

    #[inline]
    fn prefetch(&self, key: u64) {
        prefetch(self.slots.as_ptr().wrapping_add(self.home(key)));
    }

    #[inline]
    fn get(&self, key: u64) -> Option<u32> {
        let mask = self.slots.len() - 1;
        let mut i = self.home(key);
        loop {
            let slot = self.slots[i];
            if slot.pair == EMPTY {
                return None;
            }
            if slot.key == key {
                return Some(slot.pair);
            }
            i = (i + 1) & mask;
        }
    }

    /// Inserts a key known to be absent.
    fn insert(&mut self, key: u64, pair: u32) {
        if (self.len + 1) * 2 > self.slots.len() {
            self.grow();
        }
        let mask = self.slots.len() - 1;
        let mut i = self.home(key);
        while self.slots[i].pair != EMPTY {
            debug_assert!(self.slots[i].key != key, "inserted twice");
            i = (i + 1) & mask;
        }
        self.slots[i] = Slot { key, pair };
        self.len += 1;
    }

    fn grow(&mut self) {
        let doubled = vec![
            Slot {
                key: 0,
                pair: EMPTY
            };
            self.slots.len() * 2
        ];
        let old = std::mem::replace(&mut self.slots, doubled);
        self.shift -= 1;
        let mask = self.slots.len() - 1;
        for slot in old.into_iter().filter(|s| s.pair != EMPTY) {
            let mut i = self.home(slot.key);
            while self.slots[i].pair != EMPTY {
                i = (i + 1) & mask;
            }
            self.slots[i] = slot;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fr(_: u64) -> Result<CountryId, ()> {
        Ok(CountryId(1))
    }

    #[test]
    fn a_pair_is_interned_once_per_business_and_customer() {
        let mut p = Pairs::default();
        let (b1, b2) = (p.business(b"+1"), p.business(b"+2"));
        let a = p.intern(b1, 33_612_345_678, fr).unwrap();
        let b = p.intern(b2, 33_612_345_678, fr).unwrap();
        let c = p.intern(b1, 33_612_345_679, fr).unwrap();
        assert_eq!((a, b, c), (0, 1, 2));
        assert_eq!(p.intern(b1, 33_612_345_678, fr), Ok(a));
        assert_eq!(p.intern(b2, 33_612_345_678, fr), Ok(b));
        assert_eq!(
            p.customer_count(),
            2,
            "one customer with two businesses, and another"
        );
        assert_eq!(p.pair_of(b).customer, p.pair_of(a).customer);
        assert_eq!(p.pair_of(b).business, b2);
    }

    #[test]
    fn many_pairs_survive_the_table_growing() {
        let mut p = Pairs::default();
        let b = p.business(b"");
        for i in 0..100_000u64 {
            assert_eq!(p.intern(b, 1_000_000_000 + i * 7919, fr), Ok(i as u32));
        }
        for i in 0..100_000u64 {
            assert_eq!(p.intern(b, 1_000_000_000 + i * 7919, fr), Ok(i as u32));
            assert_eq!(p.customer_of(i as u32).number, 1_000_000_000 + i * 7919);
        }
    }

    #[test]
    fn ids_only_gives_the_same_ids_and_keeps_no_customer() {
        let (mut kept, mut ids) = (Pairs::default(), Pairs::ids_only());
        for p in [&mut kept, &mut ids] {
            p.business(b"+1");
        }
        for i in [5u64, 7, 5, 9, 7, 11] {
            let n = 33_612_345_000 + i;
            assert_eq!(ids.intern(0, n, fr), kept.intern(0, n, fr));
        }
        assert_eq!((ids.pair_count(), kept.pair_count()), (4, 4));
        assert_eq!((ids.customer_count(), kept.customer_count()), (0, 4));
    }

    #[test]
    fn business_ids_past_the_packing_use_the_wide_map() {
        let mut p = Pairs::default();
        for i in 0..(1u32 << 14) + 3 {
            p.business(i.to_string().as_bytes());
        }
        let wide = (1u32 << 14) + 2;
        let x = p.intern(wide, 33_612_345_678, fr).unwrap();
        let y = p.intern(0, 33_612_345_678, fr).unwrap();
        assert_ne!(x, y);
        assert_eq!(p.intern(wide, 33_612_345_678, fr), Ok(x));
        assert_eq!(p.pair_of(x).business, wide);
    }

    #[test]
    fn a_new_customer_whose_country_fails_interns_nothing() {
        let mut p = Pairs::default();
        let b = p.business(b"");
        assert_eq!(
            p.intern(b, 80_012_345_678, |_| Err::<CountryId, _>("global")),
            Err("global")
        );
        assert_eq!((p.customer_count(), p.pair_count()), (0, 0));
    }
}
