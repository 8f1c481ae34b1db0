//! Runs the real binary on files in tests/data/ and samples/: what a user would see.

use assert_cmd::Command;
use predicates::prelude::*;
use std::io::Write;
use std::path::Path;

const HEADER: &str = "month,marketing,utility,authentication,authentication_international,service,user_initiated,business_initiated,free,billable,unpriced,cost,budget,overage,currency\n";

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

// ---- Spec section 10, worked examples -------------------------------------------------

#[test]
fn example_1_era_b_one_conversation_per_category() {
    // France on the USD 2023-06-01 card: marketing 0.1432 + utility 0.0768.
    assert_eq!(
        estimate_csv(
            &data("example1-era-b-categories.csv"),
            &["--currency", "USD"]
        ),
        rows(&["2024-03,1,1,0,0,0,0,0,0,2,0,0.2200,54,0,USD"])
    );
}

#[test]
fn example_2_free_form_rides_on_marketing_then_opens_a_free_service_conversation() {
    assert_eq!(
        estimate_csv(&data("example2-era-b-service.csv"), &["--currency", "USD"]),
        rows(&["2024-03,1,0,0,0,0,0,0,1,1,0,0.1432,54,0,USD"])
    );
    // From 2024-11-01 the service conversation is free whatever the count.
    assert_eq!(
        estimate_csv(
            &data("example2-era-b-service-free.csv"),
            &["--currency", "USD"]
        ),
        rows(&["2024-11,1,0,0,0,0,0,0,1,1,0,0.1432,54,0,USD"])
    );
}

#[test]
fn example_2_service_conversations_past_the_first_1000_of_a_month_are_billed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("service.csv");
    let mut f = std::fs::File::create(&path).unwrap();
    writeln!(f, "timestamp,direction,category,recipient").unwrap();
    for i in 0..1002 {
        let (d, h, m) = (1 + i / 100, (i % 100) / 10 + 8, (i % 10) * 5);
        writeln!(
            f,
            "2024-03-{d:02}T{h:02}:{m:02}:00Z,inbound,,+33 6 {}",
            20_000_000 + i
        )
        .unwrap();
        writeln!(
            f,
            "2024-03-{d:02}T{h:02}:{m:02}:30Z,outbound,,+33 6 {}",
            20_000_000 + i
        )
        .unwrap();
    }
    drop(f);
    // 1,000 free, 2 at France's USD service rate 0.0859.
    assert_eq!(
        estimate_csv(path.to_str().unwrap(), &["--currency", "USD"]),
        rows(&["2024-03,0,0,0,0,2,0,0,1000,2,0,0.1718,54,0,USD"])
    );
}

#[test]
fn example_3_entry_point_window_makes_everything_free() {
    assert_eq!(
        estimate_csv(&data("example3-entry-point.csv"), &["--currency", "USD"]),
        rows(&["2024-03,0,0,0,0,0,0,0,1,0,0,0,54,0,USD"])
    );
}

#[test]
fn example_4_per_message_era_c_then_era_d() {
    // Era C: marketing and the out-of-window utility charged; free-form and in-window utility free.
    assert_eq!(
        estimate_csv(&data("example4-era-c.csv"), &["--currency", "USD"]),
        rows(&["2025-09,1,1,0,0,0,0,0,2,2,0,0.1732,54,0,USD"])
    );
    // Era D: all four charged; USD 2026-10-01 France: marketing 0.0859, utility and service 0.03.
    assert_eq!(
        estimate_csv(&data("example4-era-d.csv"), &["--currency", "USD"]),
        rows(&["2026-10,1,2,0,0,1,0,0,0,4,0,0.1759,54,0,USD"])
    );
}

#[test]
fn example_5_era_a_user_and_business_initiated_within_the_free_tier() {
    // UIC + BIC for the first customer, one BIC for two templates 3h apart: 3 free conversations.
    assert_eq!(
        estimate_csv(&data("example5-era-a.csv"), &[]),
        rows(&["2022-05,0,0,0,0,0,0,0,3,0,0,0,50,0,EUR"])
    );
    let by = waprice()
        .args([
            "estimate",
            &data("example5-era-a.csv"),
            "--format",
            "csv",
            "--by",
            "category",
        ])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8(by.stdout).unwrap(),
        "month,market,category,billable,free,cost,currency\n2022-05,,user_initiated,0,1,0,EUR\n2022-05,,business_initiated,0,2,0,EUR\n"
    );
}

#[test]
fn example_6_utility_switch_over_on_2025_07_01() {
    assert_eq!(
        estimate_csv(&data("example6-switch-over.csv"), &["--currency", "USD"]),
        rows(&[
            "2025-06,0,1,0,0,0,0,0,0,1,0,0.0300,54,0,USD",
            "2025-07,0,1,0,0,0,0,0,1,1,0,0.0300,54,0,USD"
        ])
    );
}

#[test]
fn example_7_free_form_outside_the_window_is_rejected_and_reported() {
    assert_eq!(
        estimate_csv(&data("example7-rejected-131047.csv"), &[]),
        HEADER
    );
    waprice()
        .args(["estimate", &data("example7-rejected-131047.csv")])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "1 free-form messages rejected outside the customer service window (Meta error 131047)",
        ));
}

#[test]
fn example_8_era_a_1003_conversations_1000_free_3_billed() {
    // EUR 2022 France business-initiated 0.1186 x 3.
    assert_eq!(
        estimate_csv(&data("example8-era-a-free-tier.csv"), &[]),
        rows(&["2022-03,0,0,0,0,0,0,3,1000,3,0,0.3558,50,0,EUR"])
    );
    // There is no USD era A card: the 3 units are unpriced, never priced at zero silently.
    assert_eq!(
        estimate_csv(
            &data("example8-era-a-free-tier.csv"),
            &["--currency", "USD"]
        ),
        rows(&["2022-03,0,0,0,0,0,0,3,1000,3,3,0,54,0,USD"])
    );
    waprice()
        .args([
            "estimate",
            &data("example8-era-a-free-tier.csv"),
            "--currency",
            "USD",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("≥ 0.00 USD"))
        .stdout(predicate::str::contains(
            "UNPRICED: 3 billable business_initiated units to France in 2022-03",
        ));
}

// ---- Time zones, markets, budget ------------------------------------------------------

#[test]
fn time_zone_moves_months_and_era_boundaries() {
    let log = "timestamp,direction,category,recipient\n2025-06-30T23:30:00Z,outbound,marketing,+33612345678\n";
    let run = |tz: &str| {
        waprice()
            .args([
                "estimate",
                "-",
                "--format",
                "csv",
                "--currency",
                "USD",
                "--timezone",
                tz,
            ])
            .write_stdin(log)
            .output()
            .unwrap()
    };
    // UTC: a June era B conversation; Paris: already July, a per-message charge.
    assert!(String::from_utf8(run("UTC").stdout)
        .unwrap()
        .contains("2025-06,1,"));
    assert!(String::from_utf8(run("Europe/Paris").stdout)
        .unwrap()
        .contains("2025-07,1,"));
}

#[test]
fn nanp_area_codes_decide_the_market() {
    let log = "timestamp,direction,category,recipient\n\
        2025-09-01T10:00:00Z,outbound,marketing,+1 876 555 0100\n\
        2025-09-01T10:00:00Z,outbound,marketing,+1 212 555 0100\n\
        2025-09-01T10:00:00Z,outbound,marketing,+1 242 555 0100\n";
    let out = waprice()
        .args([
            "estimate",
            "-",
            "--format",
            "csv",
            "--currency",
            "USD",
            "--by",
            "market",
        ])
        .write_stdin(log)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("2025-09,North America,,1,0,"), "{text}");
    assert!(
        text.contains("2025-09,Rest of Latin America,,1,0,"),
        "{text}"
    );
    assert!(text.contains("2025-09,Other,,1,0,"), "{text}");
}

#[test]
fn budget_follows_agents_and_overage_is_cost_minus_budget() {
    let f = data("example1-era-b-categories.csv");
    assert!(estimate_csv(&f, &["--agents", "25"]).contains(",150,0,EUR"));
    assert_eq!(
        estimate_csv(&f, &["--currency", "USD", "--budget", "0.1"]),
        rows(&["2024-03,1,1,0,0,0,0,0,0,2,0,0.2200,0.1,0.1200,USD"])
    );
    waprice()
        .args(["estimate", &f, "--currency", "USD", "--budget", "0.1"])
        .assert()
        .success()
        .stdout(predicate::str::contains("2024-04-01"))
        .stdout(predicate::str::contains("220.0%"));
}

// ---- Input formats ----------------------------------------------------------------------

#[test]
fn aliases_value_aliases_and_epoch_times_read_the_same_log() {
    let canonical = estimate_csv(&data("example4-era-c.csv"), &[]);
    let aliased = estimate_csv(&data("aliases.csv"), &[]);
    assert_eq!(canonical, aliased);
}

#[test]
fn column_mapping_reads_any_header() {
    let out = estimate_csv(
        &data("custom-headers.csv"),
        &[
            "--column",
            "timestamp=Date Sent",
            "--column",
            "recipient=Client",
        ],
    );
    assert_eq!(out, estimate_csv(&data("example4-era-c.csv"), &[]));
}

#[test]
fn stdin_and_gzip_input() {
    let plain = std::fs::read(data("example4-era-c.csv")).unwrap();
    let expected = estimate_csv(&data("example4-era-c.csv"), &[]);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&plain).unwrap();
    let gz = gz.finish().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("log.csv.gz");
    std::fs::write(&path, &gz).unwrap();
    assert_eq!(estimate_csv(path.to_str().unwrap(), &[]), expected);
    let out = waprice()
        .args(["estimate", "-", "--format", "csv"])
        .write_stdin(gz)
        .output()
        .unwrap();
    assert_eq!(String::from_utf8(out.stdout).unwrap(), expected);
}

#[test]
fn row_order_does_not_matter() {
    let text = std::fs::read_to_string(data("example4-era-c.csv")).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    lines[1..].reverse();
    let out = waprice()
        .args(["estimate", "-", "--format", "csv"])
        .write_stdin(lines.join("\n"))
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        estimate_csv(&data("example4-era-c.csv"), &[])
    );
}

// ---- Errors -----------------------------------------------------------------------------

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

const OK_ROW: &str = "2025-09-01T10:00:00Z,outbound,marketing,+33612345678\n";

#[test]
fn missing_required_column_is_reported_before_any_row() {
    fails_with(
        &["estimate", "-"],
        "timestamp,category,recipient\nnot-a-time,marketing,+33612345678\n",
        2,
        &["missing required column direction", "hint:"],
    );
}

#[test]
fn bad_values_name_file_line_column_and_value() {
    let h = "timestamp,direction,category,recipient\n";
    fails_with(
        &["estimate", "-"],
        &format!("{h}{OK_ROW}2025-13-01T10:00:00Z,outbound,marketing,+33612345678\n"),
        2,
        &[
            "<stdin>, line 3, column 'timestamp'",
            "'2025-13-01T10:00:00Z'",
            "hint:",
        ],
    );
    fails_with(
        &["estimate", "-"],
        &format!("{h}2025-09-01T10:00:00Z,sideways,marketing,+33612345678\n"),
        2,
        &["line 2, column 'direction'", "unknown direction"],
    );
    fails_with(
        &["estimate", "-"],
        &format!("{h}2025-09-01T10:00:00Z,outbound,promo,+33612345678\n"),
        2,
        &["column 'category'", "'promo'"],
    );
    fails_with(
        &["estimate", "-"],
        &format!("{h}2025-09-01T10:00:00Z,outbound,marketing,12345\n"),
        2,
        &["column 'recipient'", "'12345'"],
    );
    fails_with(
        &["estimate", "-"],
        &format!("{h}2025-09-01T10:00:00Z,outbound,marketing,+999 1234 5678\n"),
        2,
        &["column 'recipient'"],
    );
    fails_with(
        &["estimate", "-"],
        &format!("{h}2025-09-01T10:00:00Z,outbound,marketing\n"),
        2,
        &["line 2", "fields"],
    );
}

#[test]
fn skip_invalid_skips_and_counts() {
    let log = format!("timestamp,direction,category,recipient\n{OK_ROW}garbage,outbound,marketing,+33612345678\n{OK_ROW}");
    waprice()
        .args(["estimate", "-", "--format", "csv", "--skip-invalid"])
        .write_stdin(log)
        .assert()
        .success()
        .stdout(predicate::str::contains("2025-09,2,"))
        .stderr(predicate::str::contains("skipped 1 invalid"));
}

#[test]
fn rows_before_2022_02_01_need_skip_unsupported() {
    let log = format!("timestamp,direction,category,recipient\n2022-01-31T23:00:00Z,outbound,marketing,+33612345678\n{OK_ROW}");
    fails_with(
        &["estimate", "-"],
        &log,
        2,
        &["line 2", "before 2022-02-01", "--skip-unsupported"],
    );
    waprice()
        .args(["estimate", "-", "--format", "csv", "--skip-unsupported"])
        .write_stdin(log)
        .assert()
        .success()
        .stderr(predicate::str::contains("1 before 2022-02-01"));
}

#[test]
fn bad_options_exit_2_and_io_failures_exit_1() {
    let f = data("example1-era-b-categories.csv");
    fails_with(
        &["estimate", &f, "--currency", "XYZ"],
        "",
        2,
        &["no rate card in currency 'XYZ'"],
    );
    fails_with(
        &["estimate", &f, "--timezone", "Mars/Olympus"],
        "",
        2,
        &["not an IANA time zone"],
    );
    fails_with(&["estimate", &f, "--currency", "GBP"], "", 2, &["--budget"]);
    fails_with(&["estimate", &f, "--by", "week"], "", 2, &["--by"]);
    fails_with(
        &["estimate", &f, "--business-country", "FR"],
        "",
        2,
        &["go together"],
    );
    fails_with(
        &["estimate", "tests/data/no-such-file.csv"],
        "",
        1,
        &["cannot open"],
    );
}

#[test]
fn strict_tariffs_refuses_substitutes() {
    // France marketing in March 2024 has no EUR card before 2025-07-01.
    fails_with(
        &[
            "estimate",
            &data("example1-era-b-categories.csv"),
            "--strict-tariffs",
        ],
        "",
        2,
        &["--strict-tariffs", "France"],
    );
    // With a user card for that period, strict mode passes and uses it.
    let out = estimate_csv(
        &data("example1-era-b-categories.csv"),
        &["--strict-tariffs", "--tariff", &data("eur-2023-france.csv")],
    );
    assert_eq!(out, rows(&["2024-03,1,1,0,0,0,0,0,0,2,0,0.1500,50,0,EUR"]));
}

// ---- Pinned outputs of the three formats --------------------------------------------

fn pinned(name: &str, actual: &str) {
    let path = Path::new("tests/data/expected").join(name);
    if std::env::var_os("WAPRICE_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
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

#[test]
fn pinned_estimate_outputs() {
    let f = data("mixed.csv");
    pinned(
        "mixed.table.txt",
        &stdout(&["estimate", &f, "--currency", "USD"]),
    );
    pinned(
        "mixed.csv",
        &stdout(&["estimate", &f, "--currency", "USD", "--format", "csv"]),
    );
    pinned(
        "mixed.json",
        &stdout(&["estimate", &f, "--currency", "USD", "--format", "json"]),
    );
    pinned(
        "mixed.by-market-category.csv",
        &stdout(&[
            "estimate",
            &f,
            "--currency",
            "USD",
            "--format",
            "csv",
            "--by",
            "market,category",
        ]),
    );
    pinned(
        "mixed.by-market.table.txt",
        &stdout(&["estimate", &f, "--currency", "USD", "--by", "market"]),
    );
}

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
#[path = "cli/reconcile.rs"] #[rustfmt::skip] mod reconcile;
