//! `waprice ledger`: it sums to the estimate, and says why each unit costs what it costs.

use super::*;

#[test]
fn ledger_sums_to_the_estimate_on_every_sample() {
    use std::collections::BTreeMap;
    for (file, args) in SAMPLES {
        let ledger = stdout(&[&["ledger", file][..], args].concat());
        let estimate = estimate_csv(file, args);
        let mut cost: BTreeMap<String, rust_decimal::Decimal> = BTreeMap::new();
        let mut units: BTreeMap<String, u64> = BTreeMap::new();
        for row in parse_csv(&ledger, b',') {
            let pricing = row["pricing"].as_str();
            if pricing == "rejected" || pricing == "undelivered" {
                assert_eq!(row["rate"], "", "{file}: a non-unit has no rate");
                continue;
            }
            *units.entry(row["month"].clone()).or_default() += 1;
            if !row["rate"].is_empty() {
                *cost.entry(row["month"].clone()).or_default() += dec(&row["rate"]);
            }
        }
        let months = parse_csv(&estimate, b',');
        assert!(!months.is_empty(), "{file}");
        for m in &months {
            let month = &m["month"];
            assert_eq!(
                cost[month],
                dec(&m["cost"]),
                "{file} {month}: ledger rates sum to the cost"
            );
            let estimated: u64 =
                m["billable"].parse::<u64>().unwrap() + m["free"].parse::<u64>().unwrap();
            assert_eq!(
                units[month], estimated,
                "{file} {month}: one ledger row per unit"
            );
        }
        assert_eq!(units.len(), months.len(), "{file}: same months");
    }
}

#[test]
fn ledger_says_why_each_unit_costs_what_it_costs() {
    let ledger = stdout(&[
        "ledger",
        &data("mixed.csv"),
        "--currency",
        "USD",
        "--timezone",
        "Europe/Paris",
    ]);
    pinned("mixed.ledger.csv", &ledger);
    let rows = parse_csv(&ledger, b',');
    let pricing: Vec<&str> = rows.iter().map(|r| r["pricing"].as_str()).collect();
    for expected in [
        "conversation",
        "message",
        "switch_over",
        "free_entry_point",
        "rejected",
        "undelivered",
    ] {
        assert!(pricing.contains(&expected), "{expected} in {pricing:?}");
    }
    assert_eq!(rows[0]["time"], "2024-03-04T10:00:00+01:00");
    assert_eq!(rows[0]["recipient"], "+33612345678");
}
