//! Bills at the rules' edges, on the real binary: local midnight to the millisecond in zones
//! with and without daylight saving time, conversations and entry point windows ending at
//! exactly +24h and +72h, delivery statuses, and authentication-international from the first
//! millisecond of its start date. Every expected bill carries money, worked out in the
//! comments from the bundled cards (USD France 2023-06-01: marketing 0.1432, utility 0.0768;
//! USD France 2024-11-01: marketing 0.1432; USD France 2026-10-01: marketing 0.0859, utility
//! and service 0.03; EUR Egypt 2026-07-01: authentication 0.0030, authentication-international
//! 0.0538).

use super::*;

fn boundary(name: &str) -> String {
    data(&format!("boundaries/{name}"))
}

#[test]
fn months_and_eras_start_at_local_midnight_to_the_millisecond_in_kolkata() {
    // +05:30 all year. 23:59:59.999 on 30 June is era B (a marketing conversation, June);
    // midnight is era C (a marketing message, July; the 2024-11-01 card's rate). On 30
    // September a free-form reply inside the service window is free (era C); at midnight it
    // is a charged service message (era D, 0.03).
    assert_eq!(
        estimate_csv(
            &boundary("midnight-kolkata.csv"),
            &["--timezone", "Asia/Kolkata", "--currency", "USD"]
        ),
        rows(&[
            "2025-06,1,0,0,0,0,0,0,0,1,0,0.1432,54,0,USD,0,0",
            "2025-07,1,0,0,0,0,0,0,0,1,0,0.1432,54,0,USD,0,1",
            "2026-09,0,0,0,0,0,0,0,1,0,0,0,54,0,USD,0,0",
            "2026-10,0,0,0,0,1,0,0,0,1,0,0.03,54,0,USD,0,0",
        ])
    );
}

#[test]
fn months_and_eras_start_at_local_midnight_to_the_millisecond_in_new_york() {
    // -05:00 in winter, -04:00 in summer: the same cases, and a winter month boundary.
    assert_eq!(
        estimate_csv(
            &boundary("midnight-new-york.csv"),
            &["--timezone", "America/New_York", "--currency", "USD"]
        ),
        rows(&[
            "2025-01,1,0,0,0,0,0,0,0,1,0,0.1432,54,0,USD,0,0",
            "2025-02,1,0,0,0,0,0,0,0,1,0,0.1432,54,0,USD,0,0",
            "2025-06,1,0,0,0,0,0,0,0,1,0,0.1432,54,0,USD,0,0",
            "2025-07,1,0,0,0,0,0,0,0,1,0,0.1432,54,0,USD,0,1",
            "2026-09,0,0,0,0,0,0,0,1,0,0,0,54,0,USD,0,0",
            "2026-10,0,0,0,0,1,0,0,0,1,0,0.03,54,0,USD,0,0",
        ])
    );
}

#[test]
fn era_b_conversations_last_24h_and_entry_point_windows_72h_to_the_millisecond() {
    // Marketing and utility: a template at +24h - 1ms rides on the conversation, the one at
    // +24h opens a new one: 2 marketing and 2 utility conversations. The entry point's free
    // window covers a utility template at +72h - 1ms; the one at +72h opens a utility
    // conversation. 2 x 0.1432 + 3 x 0.0768 = 0.5168.
    assert_eq!(
        estimate_csv(&boundary("era-b-24h-72h.csv"), &["--currency", "USD"]),
        rows(&["2024-03,2,3,0,0,0,0,0,1,5,0,0.5168,54,0,USD,0,0"])
    );
    // And the ledger says which messages opened them: never the one at +24h - 1ms.
    let ledger = stdout(&[
        "ledger",
        &boundary("era-b-24h-72h.csv"),
        "--currency",
        "USD",
    ]);
    let opened: Vec<&str> = ledger
        .lines()
        .filter(|l| l.contains(",conversation,"))
        .map(|l| &l[..l.find(',').unwrap()])
        .collect();
    assert_eq!(
        opened,
        [
            "2024-03-04T09:00:00Z",
            "2024-03-04T09:00:00Z",
            "2024-03-05T09:00:00Z",
            "2024-03-05T09:00:00Z",
            "2024-03-13T10:00:00Z"
        ]
    );
}

#[test]
fn failed_undelivered_and_rejected_are_not_billed_and_open_nothing() {
    // Era B: a failed utility template opens no conversation (the delivered one an hour later
    // does: 0.0768); a failed marketing template costs nothing. Era D: of six templates only
    // the delivered marketing (0.0859) and the read and sent utility (2 x 0.03) are billed.
    assert_eq!(
        estimate_csv(&boundary("statuses.csv"), &["--currency", "USD"]),
        rows(&[
            "2024-03,0,1,0,0,0,0,0,0,1,0,0.0768,54,0,USD,0,0",
            "2026-10,1,2,0,0,0,0,0,0,3,0,0.1459,54,0,USD,0,0",
        ])
    );
    let table = waprice()
        .args(["estimate", &boundary("statuses.csv"), "--currency", "USD"])
        .output()
        .unwrap();
    let table = String::from_utf8(table.stdout).unwrap();
    assert!(table.contains("5 not delivered"), "{table}");
}

#[test]
fn authentication_international_is_charged_from_local_midnight_of_its_start_date() {
    // Cairo is at +03:00 in July. Eligible from 2026-07-15: the template a millisecond before
    // pays the authentication rate (0.0030), the one at midnight the international one
    // (0.0538): 0.0568.
    assert_eq!(
        estimate_csv(
            &boundary("auth-intl-midnight-cairo.csv"),
            &[
                "--timezone",
                "Africa/Cairo",
                "--currency",
                "EUR",
                "--business-country",
                "FR",
                "--auth-intl-since",
                "2026-07-15"
            ]
        ),
        rows(&["2026-07,0,0,1,1,0,0,0,0,2,0,0.0568,50,0,EUR,0,0"])
    );
}

#[test]
fn raising_agents_never_raises_the_overage() {
    // 1,000 marketing templates to France in October 2026: 1,000 x 0.0712 EUR (EUR France
    // 2026-07-01 card) = 71.2 EUR, against 50 EUR per started block of ten agents.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("campaign.csv");
    let mut log = String::from("timestamp,direction,category,recipient\n");
    for i in 0..1000 {
        log.push_str(&format!(
            "2026-10-05T{:02}:{:02}:00Z,outbound,marketing,+336{:08}\n",
            8 + i / 60 % 12,
            i % 60,
            10_000_000 + i
        ));
    }
    std::fs::write(&path, log).unwrap();
    let mut last = None;
    for (agents, overage) in [
        (1, "21.2000"),
        (10, "21.2000"),
        (11, "0"),
        (15, "0"),
        (40, "0"),
    ] {
        let csv = estimate_csv(path.to_str().unwrap(), &["--agents", &agents.to_string()]);
        let row = csv.lines().nth(1).unwrap();
        let cols: Vec<&str> = row.split(',').collect();
        assert_eq!(cols[11], "71.2000", "cost, {agents} agents");
        assert_eq!(cols[13], overage, "overage, {agents} agents");
        let o = dec(cols[13]);
        if let Some(prev) = last {
            assert!(o <= prev, "{agents} agents: overage {o} after {prev}");
        }
        last = Some(o);
    }
}
