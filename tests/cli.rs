//! Runs the real binary on files in tests/data/ and samples/: what a user would see.
//!
//! One integration target: the helpers the tests share are here, the tests in tests/cli/, a
//! file per subcommand (estimate, ledger, rates, forecast, reconcile, tariffs, ...) or topic
//! (input, errors, docs, ...).

use assert_cmd::Command;
use predicates::prelude::*;
use std::io::Write;
use std::path::Path;

const HEADER: &str = "month,marketing,utility,authentication,authentication_international,service,user_initiated,business_initiated,free,billable,unpriced,cost,budget,overage,currency,derived,substituted\n";

fn waprice() -> Command {
    Command::cargo_bin("waprice").unwrap()
}

fn data(name: &str) -> String {
    format!("tests/data/{name}")
}

/// `estimate --format csv` on a file, with extra args; asserts success and returns stdout.
fn estimate_csv(file: &str, args: &[&str]) -> String {
    let out = waprice()
        .arg("estimate")
        .arg(file)
        .args(["--format", "csv"])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn rows(lines: &[&str]) -> String {
    let mut s = HEADER.to_string();
    for l in lines {
        s.push_str(l);
        s.push('\n');
    }
    s
}

fn fails_with(args: &[&str], stdin: &str, code: i32, needles: &[&str]) {
    let out = waprice()
        .args(args)
        .write_stdin(stdin.to_string())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(code), "stderr: {err}");
    assert!(err.starts_with("error: "), "{err}");
    for n in needles {
        assert!(err.contains(n), "missing {n:?} in {err}");
    }
}

fn pinned(name: &str, actual: &str) {
    let path = Path::new("tests/data/expected").join(name);
    if std::env::var_os("WAPRICE_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        bless::rewrite(&path, actual);
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("missing {path:?}: run with WAPRICE_BLESS=1"));
    assert_eq!(
        actual, expected,
        "output differs from {path:?} (WAPRICE_BLESS=1 to update after review)"
    );
}

fn stdout(args: &[&str]) -> String {
    let out = waprice().args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

const SAMPLES: [(&str, &[&str]); 3] = [
    (
        "samples/fr-shop-2024-03.csv",
        &["--timezone", "Europe/Paris"],
    ),
    ("samples/campaign-2025-06-07.csv", &["--currency", "USD"]),
    (
        "samples/support-2026-10-11.csv",
        &["--timezone", "Europe/Paris"],
    ),
];

fn parse_csv(text: &str, delimiter: u8) -> Vec<std::collections::HashMap<String, String>> {
    let mut r = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let headers = r.headers().unwrap().clone();
    r.records()
        .map(|rec| {
            headers
                .iter()
                .zip(rec.unwrap().iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

fn dec(s: &str) -> rust_decimal::Decimal {
    s.parse().unwrap_or_else(|_| panic!("not a decimal: {s:?}"))
}

#[path = "cli/accounts.rs"]
mod accounts;
#[path = "cli/bless.rs"]
mod bless;
#[path = "cli/boundaries.rs"]
mod boundaries;
#[path = "cli/dates_and_separators.rs"]
mod dates_and_separators;
#[path = "cli/docs.rs"]
mod docs;
#[path = "cli/errors.rs"]
mod errors;
#[path = "cli/estimate.rs"]
mod estimate;
#[path = "cli/expected_rows.rs"]
mod expected_rows;
#[path = "cli/forecast.rs"]
mod forecast;
#[path = "cli/history.rs"]
mod history;
#[path = "cli/html.rs"]
mod html;
#[path = "cli/input.rs"]
mod input;
#[path = "cli/ledger.rs"]
mod ledger;
#[path = "cli/log_history.rs"]
mod log_history;
#[path = "cli/man.rs"]
mod man;
#[path = "cli/rates.rs"]
mod rates;
#[path = "cli/real_logs.rs"]
mod real_logs;
#[path = "cli/reconcile.rs"]
mod reconcile;
#[path = "cli/robustness.rs"]
mod robustness;
#[path = "cli/setup.rs"]
mod setup;
#[path = "cli/shards.rs"]
mod shards;
#[path = "cli/spreadsheet.rs"]
mod spreadsheet;
#[path = "cli/tariffs.rs"]
mod tariffs;
#[path = "cli/worked_examples.rs"]
mod worked_examples;
