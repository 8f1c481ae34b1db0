//! `waprice estimate`: the worked examples of docs/rules.md, time zones, markets and budget, strict tariffs, the pinned outputs,
//! the decimal-comma CSV, `--as-of` and the chart.

use super::*;

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

// ---- Time zones, markets, budget, pinned outputs, what-if, chart -------------------------

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
