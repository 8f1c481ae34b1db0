//! Interned businesses, customers and (business, customer) pairs.
//!
//! A customer is its number's digits packed in a u64 (at most 15 digits), so interning
//! allocates nothing per row; its country is resolved once, when first seen. Most customers
//! talk to one business number, so a customer remembers its first pair and only further
//! pairs go through a map. Keys are integers hashed with Fx, not SipHash: this is the
//! hottest lookup of a run and the input is not adversarial to a local tool.

use crate::tariff::market::CountryId;
use rustc_hash::FxHashMap as HashMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Customer {
    pub number: u64,
    pub country: CountryId,
    /// The pair this customer formed first (`u32::MAX` before any).
    first_pair: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pair {
    pub business: u32,
    pub customer: u32,
}

/// What the number map holds: the customer and its first pair, so that the common case
/// (a customer talking to the business it talked to before) is one lookup.
#[derive(Debug, Clone, Copy)]
struct Slot {
    customer: u32,
    first_business: u32,
    first_pair: u32,
}

#[derive(Debug, Default, Clone)]
pub struct Parties {
    businesses: Vec<Box<[u8]>>,
    business_ids: HashMap<Box<[u8]>, u32>,
    customers: Vec<Customer>,
    customer_ids: HashMap<u64, Slot>,
    pairs: Vec<Pair>,
    pair_ids: HashMap<u64, u32>,
}

impl Parties {
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

    /// The customer id for a number, resolving its country with `country_of` only when new.
    pub fn customer<E>(
        &mut self,
        number: u64,
        country_of: impl FnOnce(u64) -> Result<CountryId, E>,
    ) -> Result<u32, E> {
        if let Some(slot) = self.customer_ids.get(&number) {
            return Ok(slot.customer);
        }
        let country = country_of(number)?;
        let id = self.customers.len() as u32;
        self.customers.push(Customer {
            number,
            country,
            first_pair: u32::MAX,
        });
        self.customer_ids.insert(
            number,
            Slot {
                customer: id,
                first_business: u32::MAX,
                first_pair: u32::MAX,
            },
        );
        Ok(id)
    }

    /// The pair of a business and a customer's number, interning the customer (and resolving
    /// its country) when new. The hot path of reading: one hash lookup per row.
    pub fn intern<E>(
        &mut self,
        business: u32,
        number: u64,
        country_of: impl FnOnce(u64) -> Result<CountryId, E>,
    ) -> Result<u32, E> {
        use std::collections::hash_map::Entry;
        let customer = match self.customer_ids.entry(number) {
            Entry::Occupied(o) => {
                let slot = *o.get();
                if slot.first_business == business {
                    return Ok(slot.first_pair);
                }
                slot.customer
            }
            Entry::Vacant(v) => {
                let country = country_of(number)?;
                let customer = self.customers.len() as u32;
                let pair = self.pairs.len() as u32;
                self.customers.push(Customer {
                    number,
                    country,
                    first_pair: pair,
                });
                self.pairs.push(Pair { business, customer });
                v.insert(Slot {
                    customer,
                    first_business: business,
                    first_pair: pair,
                });
                return Ok(pair);
            }
        };
        Ok(self.pair(business, customer))
    }

    pub fn pair(&mut self, business: u32, customer: u32) -> u32 {
        let first = self.customers[customer as usize].first_pair;
        if first != u32::MAX && self.pairs[first as usize].business == business {
            return first;
        }
        let key = (u64::from(business) << 32) | u64::from(customer);
        if let Some(&id) = self.pair_ids.get(&key) {
            return id;
        }
        let id = self.pairs.len() as u32;
        self.pairs.push(Pair { business, customer });
        if first == u32::MAX {
            let c = &mut self.customers[customer as usize];
            c.first_pair = id;
            if let Some(slot) = self.customer_ids.get_mut(&c.number) {
                slot.first_business = business;
                slot.first_pair = id;
            }
        } else {
            self.pair_ids.insert(key, id);
        }
        id
    }

    pub fn pair_of(&self, pair: u32) -> Pair {
        self.pairs[pair as usize]
    }
    pub fn customer_of(&self, pair: u32) -> Customer {
        self.customers[self.pairs[pair as usize].customer as usize]
    }
    pub fn business_name(&self, business: u32) -> &[u8] {
        &self.businesses[business as usize]
    }
    pub fn pair_count(&self) -> usize {
        self.pairs.len()
    }
    pub fn business_count(&self) -> usize {
        self.businesses.len()
    }
    pub fn customer_count(&self) -> usize {
        self.customers.len()
    }
}
