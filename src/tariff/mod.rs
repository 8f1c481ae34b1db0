//! Tariff data: the country -> market map and the rate cards, bundled and user-supplied.
pub mod card;
pub mod compare;
pub mod files;
pub mod market;
pub mod meta_csv;
pub mod sheet;
pub mod summary;
pub mod tier;
