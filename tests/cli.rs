//! Runs the real binary on files in tests/data/ and samples/: what a user would see.

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

// ---- Worked examples (docs/rules.md) --------------------------------------------------

#[test]
fn example_1_era_b_one_conversation_per_category() {
    // France on the USD 2023-06-01 card: marketing 0.1432 + utility 0.0768.
    assert_eq!(
        estimate_csv(
            &data("example1-era-b-categories.csv"),
            &["--currency", "USD"]
        ),
        rows(&["2024-03,1,1,0,0,0,0,0,0,2,0,0.2200,54,0,USD,0,0"])
    );
}

#[test]
fn example_2_free_form_rides_on_marketing_then_opens_a_free_service_conversation() {
    assert_eq!(
        estimate_csv(&data("example2-era-b-service.csv"), &["--currency", "USD"]),
        rows(&["2024-03,1,0,0,0,0,0,0,1,1,0,0.1432,54,0,USD,0,0"])
    );
    // From 2024-11-01 the service conversation is free whatever the count.
    assert_eq!(
        estimate_csv(
            &data("example2-era-b-service-free.csv"),
            &["--currency", "USD"]
        ),
        rows(&["2024-11,1,0,0,0,0,0,0,1,1,0,0.1432,54,0,USD,0,0"])
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
        rows(&["2024-03,0,0,0,0,2,0,0,1000,2,0,0.1718,54,0,USD,0,0"])
    );
}

#[test]
fn example_3_entry_point_window_makes_everything_free() {
    assert_eq!(
        estimate_csv(&data("example3-entry-point.csv"), &["--currency", "USD"]),
        rows(&["2024-03,0,0,0,0,0,0,0,1,0,0,0,54,0,USD,0,0"])
    );
}

#[test]
fn an_era_a_entry_point_window_lasts_24h_so_a_reply_26h_later_opens_a_user_initiated_conversation()
{
    // Entry point 2022-09-01 10:00, reply 11:00 (free entry point, 24h in era A); the customer
    // writes again the next day and the reply at 13:00 (26h after the first reply) is outside
    // the window: a user-initiated conversation (free, within the month's free tier).
    let ledger = stdout(&["ledger", &data("era-a-entry-point-24h.csv")]);
    let got: Vec<(String, String, String)> = parse_csv(&ledger, b',')
        .into_iter()
        .map(|r| {
            (
                r["time"].clone(),
                r["category"].clone(),
                r["pricing"].clone(),
            )
        })
        .collect();
    let row = |t: &str, c: &str, p: &str| (t.to_string(), c.to_string(), p.to_string());
    assert_eq!(
        got,
        vec![
            row("2022-09-01T11:00:00Z", "user_initiated", "free_entry_point"),
            row("2022-09-02T13:00:00Z", "user_initiated", "free_tier"),
        ]
    );
}

#[test]
fn example_4_per_message_era_c_then_era_d() {
    // Era C: marketing and the out-of-window utility charged; free-form and in-window utility free.
    assert_eq!(
        estimate_csv(&data("example4-era-c.csv"), &["--currency", "USD"]),
        rows(&["2025-09,1,1,0,0,0,0,0,2,2,0,0.1732,54,0,USD,0,2"])
    );
    // Era D: all four charged; USD 2026-10-01 France: marketing 0.0859, utility and service 0.03.
    assert_eq!(
        estimate_csv(&data("example4-era-d.csv"), &["--currency", "USD"]),
        rows(&["2026-10,1,2,0,0,1,0,0,0,4,0,0.1759,54,0,USD,0,0"])
    );
}

#[test]
fn example_5_era_a_user_and_business_initiated_within_the_free_tier() {
    // UIC + BIC for the first customer, one BIC for two templates 3h apart: 3 free conversations.
    assert_eq!(
        estimate_csv(&data("example5-era-a.csv"), &[]),
        rows(&["2022-05,0,0,0,0,0,0,0,3,0,0,0,50,0,EUR,0,0"])
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
            "2025-06,0,1,0,0,0,0,0,0,1,0,0.0300,54,0,USD,0,0",
            "2025-07,0,1,0,0,0,0,0,1,1,0,0.0300,54,0,USD,0,1"
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
        rows(&["2022-03,0,0,0,0,0,0,3,1000,3,0,0.3558,50,0,EUR,0,0"])
    );
    // There is no USD era A card: the 3 units are unpriced, never priced at zero silently.
    assert_eq!(
        estimate_csv(
            &data("example8-era-a-free-tier.csv"),
            &["--currency", "USD"]
        ),
        rows(&["2022-03,0,0,0,0,0,0,3,1000,3,3,0,54,0,USD,0,0"])
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
        rows(&["2024-03,1,1,0,0,0,0,0,0,2,0,0.2200,0.1,0.1200,USD,0,0"])
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
fn zstd_input_from_a_file_and_stdin_including_concatenated_frames_and_long_windows() {
    let plain = std::fs::read(data("example4-era-c.csv")).unwrap();
    let expected = estimate_csv(&data("example4-era-c.csv"), &[]);
    let dir = tempfile::tempdir().unwrap();
    let zst = zstd::encode_all(&plain[..], 3).unwrap();
    let path = dir.path().join("log.csv.zst");
    std::fs::write(&path, &zst).unwrap();
    assert_eq!(estimate_csv(path.to_str().unwrap(), &[]), expected);
    let out = waprice()
        .args(["estimate", "-", "--format", "csv"])
        .write_stdin(zst)
        .output()
        .unwrap();
    assert_eq!(String::from_utf8(out.stdout).unwrap(), expected);

    // `cat a.zst b.zst`: the header in the first frame, the rows split over both.
    let cut = plain.iter().position(|&b| b == b'\n').unwrap() + 1;
    let mut two = zstd::encode_all(&plain[..cut], 1).unwrap();
    two.extend(zstd::encode_all(&plain[cut..], 19).unwrap());
    let path = dir.path().join("two-frames.zst");
    std::fs::write(&path, &two).unwrap();
    assert_eq!(estimate_csv(path.to_str().unwrap(), &[]), expected);

    // `zstd --long=31`: a window larger than the decoder's default limit.
    let mut enc = zstd::stream::write::Encoder::new(Vec::new(), 3).unwrap();
    enc.long_distance_matching(true).unwrap();
    enc.window_log(31).unwrap();
    enc.write_all(&plain).unwrap();
    let path = dir.path().join("long.zst");
    std::fs::write(&path, enc.finish().unwrap()).unwrap();
    assert_eq!(estimate_csv(path.to_str().unwrap(), &[]), expected);
}

#[test]
fn a_truncated_zstd_log_is_an_error_not_a_shorter_bill() {
    let plain = std::fs::read(data("example4-era-c.csv")).unwrap();
    let zst = zstd::encode_all(&plain[..], 3).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cut.csv.zst");
    std::fs::write(&path, &zst[..zst.len() - 8]).unwrap();
    let out = waprice()
        .args(["estimate", path.to_str().unwrap(), "--format", "csv"])
        .output()
        .unwrap();
    assert_ne!(
        out.status.code(),
        Some(0),
        "a cut file must not give a bill"
    );
    assert!(
        out.stdout.is_empty(),
        "no bill on stdout: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("cut.csv.zst"),
        "the error names the file: {err}"
    );
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
    // France in September 2025 has no per-message USD card before 2025-10-01: the
    // conversation card of 2024-11-01 would stand in.
    fails_with(
        &[
            "estimate",
            &data("example4-era-c.csv"),
            "--currency",
            "USD",
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
    assert_eq!(
        out,
        rows(&["2024-03,1,1,0,0,0,0,0,0,2,0,0.1500,50,0,EUR,0,0"])
    );
}

// ---- Pinned outputs of the three formats --------------------------------------------

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

// ---- Ledger, decimal comma, what-if, forecast, chart, completions -------------------

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

#[test]
fn decimal_comma_csv_parses_back_to_the_same_numbers() {
    for (file, args) in SAMPLES {
        let plain = parse_csv(&estimate_csv(file, args), b',');
        let comma = parse_csv(
            &estimate_csv(file, &[args, &["--decimal-comma"][..]].concat()),
            b';',
        );
        assert_eq!(plain.len(), comma.len());
        for (p, c) in plain.iter().zip(&comma) {
            for field in ["cost", "budget", "overage"] {
                assert!(!c[field].contains('.'), "{field}: {}", c[field]);
                assert_eq!(
                    dec(&p[field]),
                    dec(&c[field].replace(',', ".")),
                    "{file} {field}"
                );
            }
            assert_eq!(p["billable"], c["billable"]);
        }
    }
    let ledger = stdout(&[
        "ledger",
        &data("mixed.csv"),
        "--currency",
        "USD",
        "--decimal-comma",
    ]);
    assert!(ledger
        .starts_with("time;business;recipient;market;category;pricing;tier;rate;currency;month;card;rate_source\n"));
    assert!(ledger.contains(";0,1432;USD;"), "{ledger}");
    let rates = stdout(&[
        "rates",
        "--country",
        "FR",
        "--date",
        "2026-10-15",
        "--format",
        "csv",
        "--decimal-comma",
    ]);
    assert!(rates.contains("France;0,0712;0,0248;"), "{rates}");
    fails_with(
        &["estimate", &data("mixed.csv"), "--decimal-comma"],
        "",
        2,
        &["--decimal-comma applies to CSV"],
    );
}

#[test]
fn as_of_reprices_a_2024_log_per_message() {
    let file = "samples/fr-shop-2024-03.csv";
    let out = estimate_csv(
        file,
        &["--timezone", "Europe/Paris", "--as-of", "2025-09-01"],
    );
    let rows = parse_csv(&out, b',');
    assert_eq!(rows.len(), 1);
    let row = &rows[0];
    // Under per-message pricing every delivered, accepted business message is a unit.
    let ledger = parse_csv(
        &stdout(&["ledger", file, "--timezone", "Europe/Paris"]),
        b',',
    );
    let rejected = ledger.iter().filter(|r| r["pricing"] == "rejected").count() as u64;
    let text = std::fs::read_to_string(file).unwrap();
    let delivered_out = parse_csv(&text, b',')
        .iter()
        .filter(|r| r["direction"] == "outbound" && r["status"] != "failed")
        .count() as u64;
    let units: u64 =
        row["as_of_billable"].parse::<u64>().unwrap() + row["as_of_free"].parse::<u64>().unwrap();
    assert_eq!(units, delivered_out - rejected);
    // The actual side is the plain estimate.
    let actual = &parse_csv(&estimate_csv(file, &["--timezone", "Europe/Paris"]), b',')[0];
    assert_eq!(row["actual_billable"], actual["billable"]);
    assert_eq!(dec(&row["actual_cost"]), dec(&actual["cost"]));
    assert_eq!(
        dec(&row["difference"]),
        dec(&row["as_of_cost"]) - dec(&row["actual_cost"])
    );
    pinned(
        "fr-shop.as-of.table.txt",
        &stdout(&[
            "estimate",
            file,
            "--timezone",
            "Europe/Paris",
            "--as-of",
            "2025-09-01",
        ]),
    );
}

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

#[test]
fn chart_under_the_table_degrades_to_ascii() {
    let unicode = stdout(&[
        "estimate",
        "samples/support-2026-10-11.csv",
        "--timezone",
        "Europe/Paris",
    ]);
    assert!(
        unicode.contains("cost per month, │ = budget 50.00 EUR"),
        "{unicode}"
    );
    assert!(unicode.contains("2026-10 ███"), "{unicode}");
    let ascii = stdout(&[
        "estimate",
        "samples/support-2026-10-11.csv",
        "--timezone",
        "Europe/Paris",
        "--ascii",
    ]);
    assert!(ascii.contains("2026-10 ###"), "{ascii}");
    let chart: Vec<&str> = ascii
        .lines()
        .filter(|l| l.starts_with("2026-1") && l.contains('#'))
        .collect();
    assert_eq!(chart.len(), 2);
    assert!(chart.iter().all(|l| l.is_ascii()), "{chart:?}");
    let none = stdout(&["estimate", "samples/support-2026-10-11.csv", "--no-chart"]);
    assert!(!none.contains("cost per month"));
}

#[test]
fn completions_and_man_page_come_from_the_command_definitions() {
    for shell in ["bash", "zsh", "fish"] {
        let out = stdout(&["completions", shell]);
        assert!(
            out.contains("forecast") && out.contains("decimal-comma"),
            "{shell}"
        );
    }
    let man = stdout(&["man"]);
    assert!(man.contains(".TH waprice 1"), "{man}");
}

#[test]
fn man_writes_a_page_per_subcommand_with_its_options() {
    let page = stdout(&["man", "estimate"]);
    assert!(page.contains(".TH waprice-estimate 1"), "{page}");
    assert!(page.contains("free\\-service\\-allowance"), "{page}");
    let nested = stdout(&["man", "tariffs", "check"]);
    assert!(nested.contains(".TH waprice-tariffs-check 1"), "{nested}");

    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("man1");
    waprice()
        .args(["man", "--dir", out_dir.to_str().unwrap()])
        .assert()
        .success();
    for name in [
        "waprice",
        "waprice-estimate",
        "waprice-ledger",
        "waprice-tariffs-check",
    ] {
        let page = std::fs::read_to_string(out_dir.join(format!("{name}.1"))).unwrap();
        assert!(page.contains(&format!(".TH {name} 1")), "{name}");
    }

    waprice()
        .args(["man", "estimat"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no manual page for 'estimat'"))
        .stderr(predicate::str::contains("estimate, invoices, ledger"));
}

#[test]
fn a_closed_pipe_ends_quietly_with_success() {
    let bin = assert_cmd::cargo::cargo_bin("waprice");
    let out = std::process::Command::new("bash")
        .arg("-c")
        .arg(format!(
            "set -o pipefail; '{}' ledger samples/support-2026-10-11.csv | head -1",
            bin.display()
        ))
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 1);
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
}

// ---- README: every console example is the binary's real output -----------------------

/// Splits a command line on spaces, keeping "double quoted" words together.
fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    for ch in line.chars() {
        match ch {
            '"' => quoted = !quoted,
            ' ' if !quoted => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            c => cur.push(c),
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

#[test]
fn readme_examples_show_real_output() {
    let checked = console_examples_show_real_output("README.md");
    assert!(checked >= 6, "only {checked} README examples found");
}

/// The console examples of docs/ are checked the same way as the README's.
#[test]
fn docs_examples_show_real_output() {
    let mut docs: Vec<_> = std::fs::read_dir("docs")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    docs.sort();
    let checked: usize = docs
        .iter()
        .map(|p| console_examples_show_real_output(p.to_str().unwrap()))
        .sum();
    assert!(checked >= 6, "only {checked} examples found in docs/");
}

/// Runs every ```console block of a Markdown file and compares its output with the binary's
/// (WAPRICE_BLESS=1 rewrites them); returns how many were checked.
fn console_examples_show_real_output(file: &str) -> usize {
    let readme = std::fs::read_to_string(file).unwrap();
    let mut updated = String::new();
    let mut checked = 0;
    let mut rest = readme.as_str();
    while let Some(start) = rest.find("```console\n$ ") {
        let body_start = start + "```console\n".len();
        let end = body_start + rest[body_start..].find("\n```").expect("closed block");
        let block = &rest[body_start..end];
        // The command may go on over lines ending in a backslash.
        let mut command_end = 0;
        while let Some(nl) = block[command_end..].find('\n') {
            if !block[..command_end + nl].ends_with('\\') {
                break;
            }
            command_end += nl + 1;
        }
        let split = block[command_end..]
            .find('\n')
            .map_or(block.len(), |nl| command_end + nl);
        let written = &block[..split];
        let expected = block.get(split + 1..).unwrap_or("");
        let joined = written.replace("\\\n", " ");
        let command = joined.trim_start_matches("$ ");
        let (command, head) = match command.split_once(" | head -") {
            Some((c, n)) => (c, Some(n.trim().parse::<usize>().unwrap())),
            None => (command, None),
        };
        let args = words(
            command
                .strip_prefix("cargo run --release -- ")
                .or_else(|| command.strip_prefix("waprice "))
                .unwrap(),
        );
        let out = waprice().args(&args).output().unwrap();
        assert!(out.status.success(), "{file} example failed: {command}");
        let text = String::from_utf8(out.stdout).unwrap();
        let mut actual: Vec<&str> = text.lines().collect();
        if let Some(n) = head {
            actual.truncate(n);
        }
        let actual = actual.join("\n");
        updated.push_str(&rest[..body_start]);
        updated.push_str(written);
        updated.push('\n');
        updated.push_str(&actual);
        if std::env::var_os("WAPRICE_BLESS").is_none() {
            assert_eq!(
                actual, expected,
                "{file}: output of `{command}` is stale (WAPRICE_BLESS=1 updates it)"
            );
        }
        checked += 1;
        rest = &rest[end..];
    }
    updated.push_str(rest);
    if std::env::var_os("WAPRICE_BLESS").is_some() {
        bless::rewrite(Path::new(file), &updated);
    }
    checked
}

#[test]
fn streamed_files_and_sorted_in_memory_logs_give_the_same_bill() {
    // A file in time order is streamed; stdin and unsorted files are read whole and sorted.
    for (file, args) in SAMPLES {
        let streamed = estimate_csv(file, args);
        let text = std::fs::read_to_string(file).unwrap();
        let out = waprice()
            .args([&["estimate", "-", "--format", "csv"][..], args].concat())
            .write_stdin(text.clone())
            .output()
            .unwrap();
        assert_eq!(
            String::from_utf8(out.stdout).unwrap(),
            streamed,
            "{file} via stdin"
        );
        // The same rows, last first, in a file: the streaming pass finds them out of order.
        let mut lines: Vec<&str> = text.lines().collect();
        lines[1..].reverse();
        let dir = tempfile::tempdir().unwrap();
        let reversed = dir.path().join("reversed.csv");
        std::fs::write(&reversed, lines.join("\n")).unwrap();
        assert_eq!(
            estimate_csv(reversed.to_str().unwrap(), args),
            streamed,
            "{file} reversed"
        );
    }
}

#[test]
fn a_bad_row_in_a_streamed_file_stops_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.csv");
    let mut text = String::from("timestamp,direction,category,recipient\n");
    for i in 0..20_000 {
        text.push_str(&format!(
            "2025-09-01T10:{:02}:{:02}Z,outbound,marketing,+33612345678\n",
            i / 60 % 60,
            i % 60
        ));
    }
    text.push_str("2025-09-02T10:00:00Z,outbound,marketing,+33 not a number\n");
    std::fs::write(&path, text).unwrap();
    let out = waprice()
        .args(["estimate", path.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("line 20002, column 'recipient'"), "{err}");
    assert!(out.stdout.is_empty(), "no partial estimate is printed");
}
#[path = "cli/bless.rs"]
mod bless;
#[path = "cli/boundaries.rs"]
mod boundaries;
#[path = "cli/dates_and_separators.rs"]
mod dates_and_separators;
#[path = "cli/history.rs"]
mod history;
#[path = "cli/log_history.rs"]
mod log_history;
#[path = "cli/real_logs.rs"]
mod real_logs;
#[path = "cli/reconcile.rs"]
mod reconcile;
#[path = "cli/robustness.rs"]
mod robustness;
#[path = "cli/setup.rs"]
mod setup;
#[path = "cli/spreadsheet.rs"]
mod spreadsheet;
#[path = "cli/tariffs.rs"]
mod tariffs;

#[test]
fn a_large_unsorted_file_falls_back_to_sorting_without_hanging() {
    // More rows than the streaming reader's channel holds, so the reading thread is blocked
    // on a full channel when the replaying side finds the disorder and gives up.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("unsorted.csv");
    let mut text = String::from("timestamp,direction,category,recipient\n");
    for i in (0..120_000u64).rev() {
        let (d, s) = (1 + i / 86_400 % 28, i % 86_400);
        text.push_str(&format!(
            "2025-09-{d:02}T{:02}:{:02}:{:02}Z,outbound,marketing,+33 6 {}\n",
            s / 3600,
            s / 60 % 60,
            s % 60,
            10_000_000 + i % 5_000
        ));
    }
    std::fs::write(&path, &text).unwrap();
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("waprice"));
    let mut child = cmd
        .args(["estimate", path.to_str().unwrap(), "--format", "csv"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(60),
            "estimate hung on an unsorted file"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("\n2025-09,120000,"), "{text}");
}
#[path = "cli/accounts.rs"]
mod accounts;
#[path = "cli/html.rs"]
mod html;
#[path = "cli/shards.rs"]
mod shards;
#[path = "cli/worked_examples.rs"]
mod worked_examples;
