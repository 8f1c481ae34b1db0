//! What a user sees at the rules' edges beyond the bill: the ledger naming the messages that
//! opened conversations at +24h and +72h to the millisecond, the notes counting messages not
//! delivered, and the overage never rising with more agents. The bills themselves at those
//! edges (local midnight in zones with and without daylight saving time, windows to the
//! millisecond, the free tier's 1,000th conversation, authentication-international's first
//! millisecond) are rows of the examples, `b*` in `tools/refcheck/examples/`, which
//! `worked_examples` runs through this binary, the library runs through its facade, and the
//! reference runs in CI.

use super::*;

/// A file of the examples written once as data (run by `worked_examples`).
fn example(name: &str) -> String {
    format!("tools/refcheck/examples/{name}")
}

#[test]
fn era_b_conversations_opened_at_24h_and_72h_to_the_millisecond_are_named_in_the_ledger() {
    // The bill of this log is an example row (b03); the ledger says which messages opened
    // its conversations: never the one at +24h - 1ms.
    let ledger = stdout(&[
        "ledger",
        &example("b03_eraB_24h_and_72h_to_the_millisecond.csv"),
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
fn messages_not_delivered_are_counted_in_the_notes() {
    // The bill of this log is an example row (b04): of its templates, 5 were not delivered.
    let table = waprice()
        .args([
            "estimate",
            &example("b04_not_delivered_is_not_billed.csv"),
            "--currency",
            "USD",
        ])
        .output()
        .unwrap();
    let table = String::from_utf8(table.stdout).unwrap();
    assert!(table.contains("5 not delivered"), "{table}");
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
