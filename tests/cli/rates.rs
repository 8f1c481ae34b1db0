//! `waprice rates`: the pinned outputs, and a country by calling code or ISO code.

use super::*;

#[test]
fn pinned_rates_outputs() {
    pinned(
        "rates-fr-eur.table.txt",
        &stdout(&[
            "rates",
            "--country",
            "FR",
            "--currency",
            "EUR",
            "--date",
            "2026-10-15",
        ]),
    );
    pinned(
        "rates-usd-2026-10.csv",
        &stdout(&[
            "rates",
            "--currency",
            "USD",
            "--date",
            "2026-10-15",
            "--format",
            "csv",
        ]),
    );
    pinned(
        "rates-africa.json",
        &stdout(&[
            "rates",
            "--market",
            "Rest of Africa",
            "--currency",
            "USD",
            "--date",
            "2026-01-15",
            "--format",
            "json",
        ]),
    );
}

#[test]
fn rates_by_calling_code_equals_rates_by_iso_code() {
    let iso = stdout(&[
        "rates",
        "--country",
        "FR",
        "--date",
        "2026-10-15",
        "--format",
        "csv",
    ]);
    let code = stdout(&[
        "rates",
        "--country",
        "+33",
        "--date",
        "2026-10-15",
        "--format",
        "csv",
    ]);
    assert_eq!(iso, code);
    assert!(iso.contains("France,0.0712,0.0248,0.0248,"), "{iso}");
    fails_with(&["rates", "--country", "XX"], "", 2, &["unknown country"]);
}
