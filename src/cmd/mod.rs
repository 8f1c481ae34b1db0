//! One file per subcommand: each wires input -> engine -> pricing -> report -> render.
pub mod estimate;
pub mod forecast;
pub mod invoices;
pub mod ledger;
pub mod man;
pub mod merge;
pub mod rates;
pub mod reconcile;
pub mod tariffs;
