//! One file per subcommand: each wires settings to the library (input -> engine -> price -> report) and to the renderer.
pub mod estimate;
pub mod forecast;
pub mod invoices;
pub mod ledger;
pub mod man;
pub mod merge;
pub mod rates;
pub mod reconcile;
pub mod tariffs;
