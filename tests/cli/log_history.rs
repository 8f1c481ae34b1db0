//! Logs are windows onto a longer history: a reply whose customer message is before the first
//! row is billed as inside a customer service window, in every era, through the real binary.

use super::*;

/// `ledger` on a file: (category, pricing) of each row.
fn ledger(file: &str, args: &[&str]) -> Vec<(String, String)> {
    let out = waprice()
        .arg("ledger")
        .arg(file)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    parse_csv(&String::from_utf8(out.stdout).unwrap(), b',')
        .into_iter()
        .map(|r| (r["category"].clone(), r["pricing"].clone()))
        .collect()
}

fn history(name: &str) -> String {
    data(&format!("log-history/{name}"))
}

fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
    v.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

#[test]
fn era_a_a_reply_first_is_user_initiated_not_business_initiated() {
    // 00:30 on the 1st: the first row, no customer message before it. Then a template to
    // another customer, and two days later a reply to it whose status says it was read.
    let file = history("era-a-reply-first.csv");
    assert_eq!(
        ledger(&file, &[]),
        pairs(&[
            ("user_initiated", "free_tier"),
            ("business_initiated", "free_tier"),
            ("user_initiated", "free_tier"),
        ])
    );
    assert_eq!(
        ledger(&file, &["--log-starts-clean"]),
        pairs(&[
            ("service", "rejected"),
            ("business_initiated", "free_tier"),
            ("user_initiated", "free_tier"),
        ]),
        "the read reply proves its window even when the log starts clean"
    );
}

#[test]
fn era_b_a_reply_first_opens_a_service_conversation() {
    let file = history("era-b-reply-first.csv");
    // The second reply rides on the service conversation the first one opened.
    assert_eq!(ledger(&file, &[]), pairs(&[("service", "free_tier")]));
    assert_eq!(
        estimate_csv(&file, &[]),
        rows(&["2024-03,0,0,0,0,0,0,0,1,0,0,0,50,0,EUR,0,0"])
    );
    assert_eq!(
        ledger(&file, &["--log-starts-clean"]),
        pairs(&[("service", "rejected"), ("service", "rejected")])
    );
}

#[test]
fn era_c_a_reply_first_is_free_and_opens_no_window_for_a_utility_template() {
    let file = history("era-c-reply-first.csv");
    assert_eq!(
        ledger(&file, &[]),
        pairs(&[("service", "free_customer_service"), ("utility", "message")])
    );
}

#[test]
fn era_d_a_csv_log_whose_first_row_is_a_reply_bills_it_as_a_service_message() {
    let file = history("era-d-reply-first.csv");
    let out = estimate_csv(&file, &[]);
    let row = &parse_csv(&out, b',')[0];
    assert_eq!(
        (row["service"].as_str(), row["billable"].as_str()),
        ("2", "2")
    );
    let table = stdout(&["estimate", &file]);
    assert!(
        table.contains("- window before the log: 1 free-form message in the log's first 24h"),
        "{table}"
    );
    assert!(table.contains("--log-starts-clean"), "{table}");

    // With --log-starts-clean the first reply is rejected again (Meta error 131047).
    assert_eq!(
        ledger(&file, &["--log-starts-clean"]),
        pairs(&[("service", "rejected"), ("service", "message")])
    );
    let table = stdout(&["estimate", &file, "--log-starts-clean"]);
    assert!(
        table.contains("- not units: 1 free-form messages rejected"),
        "{table}"
    );
    assert!(!table.contains("window before the log"), "{table}");
}

#[test]
fn a_webhook_capture_without_the_opening_customer_message_bills_the_reply() {
    // Meta's sent, delivered and read statuses of one service reply; no inbound message.
    let file = data("webhooks/reply-without-opening-message.ndjson");
    for clean in [&[][..], &["--log-starts-clean"][..]] {
        let mut args = vec!["--input", "meta-webhooks", "--currency", "USD"];
        args.extend_from_slice(clean);
        let row = &parse_csv(&estimate_csv(&file, &args), b',')[0];
        assert_eq!(
            (row["service"].as_str(), row["billable"].as_str()),
            ("1", "1"),
            "{clean:?}: a delivered status proves the window"
        );
    }
    let out = stdout(&[
        "reconcile",
        "--webhooks",
        &file,
        "--currency",
        "USD",
        "--format",
        "csv",
    ]);
    let row = &parse_csv(&out, b',')[0];
    assert_eq!(row["agreement_percent"], "100.00", "{out}");

    // Only a `sent` status: no proof of delivery, so only the log's first 24h save it.
    let sent = data("webhooks/reply-sent-only.ndjson");
    let row = &parse_csv(
        &estimate_csv(&sent, &["--input", "meta-webhooks", "--currency", "USD"]),
        b',',
    )[0];
    assert_eq!(row["service"], "1");
    let clean = estimate_csv(
        &sent,
        &[
            "--input",
            "meta-webhooks",
            "--currency",
            "USD",
            "--log-starts-clean",
        ],
    );
    assert_eq!(parse_csv(&clean, b',').len(), 0, "rejected: {clean}");
}

#[test]
fn an_era_a_capture_cut_after_the_customer_message_still_agrees_with_meta() {
    // The era A fixture without its first line, the customer message that opened the window:
    // Meta's user_initiated conversation and its delivered status say the window was open.
    let cut = data("webhooks/cbp-era-a-without-opening-message.ndjson");
    let whole = data("webhooks/cbp-era-a.ndjson");
    let agreement = |file: &str| {
        let out = stdout(&[
            "reconcile",
            "--webhooks",
            file,
            "--currency",
            "USD",
            "--format",
            "csv",
        ]);
        let rows = parse_csv(&out, b',');
        rows.iter()
            .map(|r| (r["compared"].clone(), r["agreement_percent"].clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(agreement(&cut), agreement(&whole));
    assert!(agreement(&cut).iter().all(|(_, p)| p == "100.00"));
}
