//! Prices a handful of WhatsApp messages built in code, through the same library facade as
//! `waprice estimate` (`waprice::pipeline`), and prints what each month costs.
//!
//! `cargo run --example price_messages`

use anyhow::Result;
use rust_decimal::Decimal;
use std::fmt::Write as _;
use waprice::budget::Budget;
use waprice::pipeline::{self, LogSettings, LogSource, Tariffs};

/// One message of the log: when, which way, its category (business messages only) and the
/// customer's number.
struct Message {
    time: &'static str,
    direction: &'static str,
    category: &'static str,
    customer: &'static str,
}

/// A French shop's August and September 2025 (per-message pricing): a service reply and a
/// utility update inside the window a customer opened (both free), then marketing, utility
/// and authentication templates outside any window (each billed at its market's rate).
const MESSAGES: [Message; 8] = [
    msg("2025-08-04T09:00:00Z", "inbound", "", "+33612345678"),
    msg(
        "2025-08-04T09:05:00Z",
        "outbound",
        "service",
        "+33612345678",
    ),
    msg(
        "2025-08-04T09:10:00Z",
        "outbound",
        "utility",
        "+33612345678",
    ),
    msg(
        "2025-08-05T10:00:00Z",
        "outbound",
        "marketing",
        "+33612345678",
    ),
    msg(
        "2025-08-05T10:00:00Z",
        "outbound",
        "marketing",
        "+491701234567",
    ),
    msg(
        "2025-08-06T11:00:00Z",
        "outbound",
        "utility",
        "+33612345678",
    ),
    msg(
        "2025-09-01T08:00:00Z",
        "outbound",
        "authentication",
        "+33612345678",
    ),
    msg(
        "2025-09-02T08:00:00Z",
        "outbound",
        "marketing",
        "+4915112345678",
    ),
];

const fn msg(
    time: &'static str,
    direction: &'static str,
    category: &'static str,
    customer: &'static str,
) -> Message {
    Message {
        time,
        direction,
        category,
        customer,
    }
}

/// Each month with units and what it costs in `currency`, with the bundled rate cards.
fn monthly_costs(messages: &[Message], currency: &str) -> Result<Vec<(String, Decimal)>> {
    let mut log = String::from("timestamp,direction,category,recipient\n");
    for m in messages {
        writeln!(
            log,
            "{},{},{},{}",
            m.time, m.direction, m.category, m.customer
        )?;
    }
    let settings = LogSettings::new(LogSource::Bytes(log.into_bytes().into()));
    let tariffs = Tariffs::bundled(currency)?;
    let budget = Budget::explicit(Decimal::ZERO);
    let report = pipeline::estimate(&settings, &tariffs, &budget, None)?;
    Ok(report
        .months
        .iter()
        .map(|m| (m.month.to_string(), m.totals.cost))
        .collect())
}

fn main() -> Result<()> {
    for (month, cost) in monthly_costs(&MESSAGES, "EUR")? {
        println!("{month}: {cost} EUR");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The figures `waprice estimate` and `waprice ledger` give for the same log: France
    /// marketing 0.1186, Germany marketing 0.1131, France utility and authentication 0.0248
    /// each (EUR card of 2025-07-01); the in-window service reply and utility are free.
    #[test]
    fn the_example_prices_each_month_as_the_binary_does() {
        let costs = monthly_costs(&MESSAGES, "EUR").unwrap();
        let expected = [("2025-08", "0.2565"), ("2025-09", "0.1379")];
        let expected: Vec<(String, Decimal)> = expected
            .iter()
            .map(|(m, c)| (m.to_string(), c.parse().unwrap()))
            .collect();
        assert_eq!(costs, expected);
    }

    #[test]
    fn a_currency_without_cards_is_an_error() {
        let err = monthly_costs(&MESSAGES, "XYZ").unwrap_err();
        assert!(
            err.to_string().contains("no rate card in currency 'XYZ'"),
            "{err}"
        );
    }
}
