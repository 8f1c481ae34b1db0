//! Interned businesses, customers and (business, customer) pairs.
//!
//! A customer is its number's digits packed in a u64 (at most 15 digits), so interning
//! allocates nothing per row; its country is resolved once, when first seen.

use crate::tariff::market::CountryId;
use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Customer {
    pub number: u64,
    pub country: CountryId,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pair {
    pub business: u32,
    pub customer: u32,
}

#[derive(Debug, Default, Clone)]
pub struct Parties {
    businesses: Vec<Box<[u8]>>,
    business_ids: HashMap<Box<[u8]>, u32>,
    customers: Vec<Customer>,
    customer_ids: HashMap<u64, u32>,
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
        if let Some(&id) = self.customer_ids.get(&number) {
            return Ok(id);
        }
        let country = country_of(number)?;
        let id = self.customers.len() as u32;
        self.customers.push(Customer { number, country });
        self.customer_ids.insert(number, id);
        Ok(id)
    }

    pub fn pair(&mut self, business: u32, customer: u32) -> u32 {
        let key = (u64::from(business) << 32) | u64::from(customer);
        if let Some(&id) = self.pair_ids.get(&key) {
            return id;
        }
        let id = self.pairs.len() as u32;
        self.pairs.push(Pair { business, customer });
        self.pair_ids.insert(key, id);
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
