//! Output: a table for people, CSV for spreadsheets and pipelines, JSON for programs.
//! Only the table rounds money; CSV and JSON carry full precision.
//!
//! Every command's output is written here, a module per command or view; they share one
//! table style ([`table::new_table`]), one CSV writer ([`csv::SafeWriter`]), one JSON writer
//! ([`json::write_pretty`]) and [`write_notes`].

pub mod coverage;
pub mod csv;
pub mod forecast;
pub mod html;
pub mod invoices;
pub mod json;
pub mod ledger;
pub mod rates;
pub mod reconcile;
pub mod table;
pub mod tariffs;
pub mod what_if;
pub mod workbook;
pub mod xlsx;

use rust_decimal::{Decimal, RoundingStrategy};

/// `--format`: what a command writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A table for people, with the notes under it.
    Table,
    /// CSV with exact headers, full precision.
    Csv,
    /// One JSON document, full precision.
    Json,
    /// An Excel workbook.
    Xlsx,
}

/// The estimate's CSV header, fixed.
/// `derived` and `substituted` (billable units priced by such rates) come after `currency`,
/// so readers of the original fifteen columns keep working.
pub const ESTIMATE_HEADER: [&str; 17] = [
    "month",
    "marketing",
    "utility",
    "authentication",
    "authentication_international",
    "service",
    "user_initiated",
    "business_initiated",
    "free",
    "billable",
    "unpriced",
    "cost",
    "budget",
    "overage",
    "currency",
    "derived",
    "substituted",
];

/// The long format's header for `--by`, fixed.
pub const BREAKDOWN_HEADER: [&str; 7] = [
    "month", "market", "category", "billable", "free", "cost", "currency",
];

/// The long format's header for `--by tier`: the fixed one plus the unit's volume tier.
pub const BREAKDOWN_TIER_HEADER: [&str; 8] = [
    "month", "market", "category", "tier", "billable", "free", "cost", "currency",
];

/// The notes under a report for people: "notes:" and a line each, nothing when there are none.
pub fn write_notes<S: AsRef<str>>(
    mut out: impl std::io::Write,
    notes: &[S],
) -> std::io::Result<()> {
    if !notes.is_empty() {
        writeln!(out, "notes:")?;
        for n in notes {
            writeln!(out, "- {}", n.as_ref())?;
        }
    }
    Ok(())
}

/// Money for people: two decimals, half away from zero.
pub fn money(d: Decimal) -> String {
    format!(
        "{:.2}",
        d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
    )
}

/// Full precision, as exact as the cards: no rounding, no exponent, no trailing-zero games.
pub fn exact(d: Decimal) -> String {
    d.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn money_rounds_half_away_from_zero_only_for_display() {
        assert_eq!(money(Decimal::from_str("0.125").unwrap()), "0.13");
        assert_eq!(money(Decimal::from_str("12.3449").unwrap()), "12.34");
        assert_eq!(money(Decimal::from(50)), "50.00");
        assert_eq!(exact(Decimal::from_str("0.07120").unwrap()), "0.07120");
    }
}
