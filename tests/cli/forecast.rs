//! `waprice forecast`: totals computed by hand.

use super::*;

#[test]
fn forecast_matches_hand_computed_totals_for_two_countries() {
    // EUR card in force on 2026-10-15: France 2026-07-01 (marketing 0.0712, utility and
    // authentication 0.0248; no service rate from 2026-10-01, so service at the utility rate);
    // Germany 2026-07-01 (marketing 0.1131, utility 0.0456).
    let out = stdout(&[
        "forecast",
        "--country",
        "FR",
        "--marketing",
        "2000",
        "--utility",
        "500",
        "--authentication",
        "100",
        "--service",
        "300",
        "--country",
        "DE:marketing=100,utility=10",
        "--date",
        "2026-10-15",
        "--format",
        "csv",
    ]);
    let rows = parse_csv(&out, b',');
    let cost = |country: &str, category: &str| {
        dec(&rows
            .iter()
            .find(|r| r["country"] == country && r["category"] == category)
            .unwrap()["cost"])
    };
    assert_eq!(cost("FR", "marketing"), dec("142.40"));
    assert_eq!(cost("FR", "utility"), dec("12.40"));
    assert_eq!(cost("FR", "authentication"), dec("2.48"));
    assert_eq!(cost("FR", "service"), dec("7.44"));
    assert_eq!(cost("DE", "marketing"), dec("11.31"));
    assert_eq!(cost("DE", "utility"), dec("0.456"));
    assert_eq!(cost("", "total"), dec("176.486"));
    assert_eq!(cost("", "budget"), dec("50"));
    assert_eq!(cost("", "overage"), dec("126.486"));
    // Era C: in-window utility and service are free.
    let c = parse_csv(
        &stdout(&[
            "forecast",
            "--country",
            "FR",
            "--utility",
            "10",
            "--utility-in-window",
            "4",
            "--service",
            "7",
            "--date",
            "2025-09-01",
            "--format",
            "csv",
        ]),
        b',',
    );
    let utility = c.iter().find(|r| r["category"] == "utility").unwrap();
    assert_eq!(
        (utility["free"].as_str(), utility["billable"].as_str()),
        ("4", "6")
    );
    let service = c.iter().find(|r| r["category"] == "service").unwrap();
    assert_eq!(
        (
            service["free"].as_str(),
            service["billable"].as_str(),
            service["cost"].as_str()
        ),
        ("7", "0", "0")
    );
    pinned(
        "forecast.table.txt",
        &stdout(&[
            "forecast",
            "--country",
            "FR",
            "--marketing",
            "2000",
            "--utility",
            "500",
            "--date",
            "2026-10-15",
        ]),
    );
    fails_with(&["forecast", "--marketing", "10"], "", 2, &["--country"]);
    fails_with(
        &["forecast", "--country", "FR:marketing=lots"],
        "",
        2,
        &["cannot read 'marketing=lots'"],
    );
}

/// Volumes that would go nowhere, or could be read two ways, are refused: a volume option
/// when every --country gives its own volumes (it used to be dropped without a word), and a
/// volume file with a category twice (the last column used to win). A volume file's unknown
/// country is named by its file and line, not as a --country the user never gave.
#[test]
fn forecast_refuses_volumes_it_would_drop_or_guess() {
    fails_with(
        &[
            "forecast",
            "--country",
            "FR:utility=10",
            "--marketing",
            "7",
            "--date",
            "2026-10-15",
        ],
        "",
        2,
        &["--marketing 7 would apply to no country", "hint:"],
    );
    let dir = tempfile::tempdir().unwrap();
    let volumes_fail = |name: &str, text: &str, needle: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        let path = path.to_str().unwrap();
        let args = ["forecast", "--volumes", path, "--date", "2026-10-15"];
        fails_with(&args, "", 2, &[needle, "hint:"]);
    };
    volumes_fail(
        "twice.csv",
        "country,marketing,marketing,utility,authentication,service\nFR,1000,5,0,0,0\n",
        "two columns named 'marketing' (columns 2 and 3)",
    );
    volumes_fail(
        "unknown.csv",
        "country,marketing,utility,authentication,service\nFR,1000,0,0,0\nZZ,1,0,0,0\n",
        "unknown.csv, line 3, column 'country': unknown country (value 'ZZ')",
    );
}
