//! waprice: replays a WhatsApp Business message log into what Meta bills, month by month.
//!
//! Start at [`pipeline`], the facade: settings and tariffs in, each priced event (or the
//! tallied report) out. The `waprice` binary, the fuzz target and
//! `examples/price_messages.rs` go through it alike.
//!
//! Data flows one way: [`input`] reads rows into compact [`message::Message`]s, the
//! [`engine`] replays them and emits [`event::BillingEvent`]s, [`price`] prices each
//! event from a [`tariff::card::RateCards`], [`report`] aggregates and [`render`] prints.
//! The library never sees clap or the terminal.
//!
//! Imports point down the same way. At the bottom, importing nothing of the domain: [`era`]
//! (the calendar of rule changes), [`country`] (countries and calling codes), [`phone`],
//! [`lines`], [`calendar`], [`budget`], [`error`]. Above them the model ([`message`],
//! [`event`], [`pairs`], [`accounts`]); then the readers [`input`] and [`tariff`], which do
//! not import each other; then [`engine`], [`price`], [`rates`] and [`forecast`]; then [`report`]
//! and [`reconcile`] (which uses only the engine's public surface); then [`pipeline`], which
//! drives them all, and [`render`] with [`shards`] (`--shard` and `merge`, which fingerprint
//! the rendered JSON).
//! docs/design.md has the diagram.

#![warn(missing_docs)]

pub mod accounts;
pub mod budget;
pub mod calendar;
pub mod country;
pub mod engine;
pub mod era;
pub mod error;
pub mod event;
pub mod forecast;
pub mod input;
pub mod lines;
pub mod message;
pub mod pairs;
pub mod phone;
pub mod pipeline;
pub mod prefetch;
pub mod price;
pub mod rates;
pub mod reconcile;
pub mod render;
pub mod report;
pub mod shards;
pub mod tariff;
