//! A platform's log billed per customer account (`--accounts`, `waprice invoices`,
//! `estimate --by account`), on the real binary.

use super::*;
use proptest::prelude::*;
use rust_decimal::Decimal;
use std::collections::{BTreeMap, HashMap};
use std::str::FromStr;

fn platform(name: &str) -> String {
    data(&format!("platform/{name}"))
}

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap_or_else(|_| panic!("not a decimal: {s}"))
}

/// `invoices --format csv`: the rows keyed by account (one month in these logs).
fn invoices(log: &str, accounts: &str, extra: &[&str]) -> HashMap<String, HashMap<String, String>> {
    let mut args = vec!["invoices", log, "--accounts", accounts, "--format", "csv"];
    args.extend_from_slice(extra);
    let out = stdout(&args);
    assert!(
        out.starts_with(
            "month,account,agents,billable,free,unpriced,cost,budget,overage,invoiced_on,currency\n"
        ),
        "{out}"
    );
    parse_csv(&out, b',')
        .into_iter()
        .map(|r| (r["account"].clone(), r))
        .collect()
}

/// The rate in force for a France market cell on a date, as `waprice rates` gives it.
fn fr_rate(currency: &str, column: &str) -> Decimal {
    let out = stdout(&[
        "rates",
        "--country",
        "FR",
        "--currency",
        currency,
        "--date",
        "2025-08-15",
        "--format",
        "csv",
    ]);
    dec(&parse_csv(&out, b',')[0][column])
}

#[test]
fn two_accounts_have_their_own_cost_budget_overage_and_currency() {
    let rows = invoices(
        &platform("two-accounts.csv"),
        &platform("accounts.csv"),
        &[],
    );
    assert_eq!(rows.len(), 2, "{rows:?}");
    // acme: 600 marketing messages of its own number, and 10 of the number it hands over to
    // beta on 2025-08-15 (sent the 10th); 10 agents: 50 EUR.
    let acme = &rows["acme"];
    let cost = fr_rate("EUR", "marketing") * Decimal::from(610);
    assert_eq!(acme["billable"], "610");
    assert_eq!(dec(&acme["cost"]), cost);
    assert_eq!(dec(&acme["budget"]), dec("50"));
    assert_eq!(dec(&acme["overage"]), cost - dec("50"));
    assert_eq!(acme["invoiced_on"], "2025-09-01");
    assert_eq!(acme["currency"], "EUR");
    // beta, billed in USD from USD cards: 100 of its own and the 20 sent after the move;
    // 25 agents: three blocks of 54 USD, not reached.
    let beta = &rows["beta"];
    assert_eq!(beta["billable"], "120");
    assert_eq!(beta["currency"], "USD");
    assert_eq!(
        dec(&beta["cost"]),
        fr_rate("USD", "marketing") * Decimal::from(120)
    );
    assert_eq!(dec(&beta["budget"]), dec("162"));
    assert_eq!(dec(&beta["overage"]), Decimal::ZERO);
    assert_eq!(beta["agents"], "25");
}

/// `--decimal-comma`: the same lines, separated by semicolons, every amount with a comma.
#[test]
fn decimal_comma_invoices_hold_the_same_figures() {
    let (log, accounts) = (platform("two-accounts.csv"), platform("accounts.csv"));
    let plain = invoices(&log, &accounts, &[]);
    let out = stdout(&[
        "invoices",
        &log,
        "--accounts",
        &accounts,
        "--format",
        "csv",
        "--decimal-comma",
    ]);
    let comma: HashMap<String, HashMap<String, String>> = parse_csv(&out, b';')
        .into_iter()
        .map(|r| (r["account"].clone(), r))
        .collect();
    assert_eq!(comma.len(), plain.len());
    for (account, row) in &plain {
        for (column, value) in row {
            let expected = match column.as_str() {
                "cost" | "budget" | "overage" => value.replace('.', ","),
                _ => value.clone(),
            };
            assert_eq!(comma[account][column], expected, "{account} {column}");
        }
    }
    assert!(comma["acme"]["cost"].contains(','), "{out}");
}

#[test]
fn the_table_puts_the_largest_overage_first_with_a_total_per_currency() {
    let out = stdout(&[
        "invoices",
        &platform("two-accounts.csv"),
        "--accounts",
        &platform("accounts.csv"),
    ]);
    let acme = out.find("acme").unwrap();
    let beta = out.find("beta").unwrap();
    assert!(acme < beta, "{out}");
    assert!(
        out.contains("72.35 EUR") && out.contains("17.18 USD"),
        "{out}"
    );
    let totals: Vec<&str> = out.lines().filter(|l| l.contains("total")).collect();
    assert_eq!(totals.len(), 2, "{out}");
    assert!(
        out.contains("rate card: EUR 2025-07-01") && out.contains("rate card: USD"),
        "{out}"
    );
}

#[test]
fn json_carries_the_same_figures() {
    let out = stdout(&[
        "invoices",
        &platform("two-accounts.csv"),
        "--accounts",
        &platform("accounts.csv"),
        "--format",
        "json",
    ]);
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    let csv = invoices(
        &platform("two-accounts.csv"),
        &platform("accounts.csv"),
        &[],
    );
    for line in doc["invoices"].as_array().unwrap() {
        let row = &csv[line["account"].as_str().unwrap()];
        for field in [
            "cost",
            "budget",
            "overage",
            "invoiced_on",
            "currency",
            "month",
        ] {
            assert_eq!(line[field].as_str().unwrap(), row[field], "{field}");
        }
        assert_eq!(line["billable"].to_string(), row["billable"]);
    }
    assert_eq!(doc["totals"].as_array().unwrap().len(), 2);
}

#[test]
fn a_number_moves_between_accounts_on_its_date() {
    // Without the dated rows, the number stays with acme all month.
    let dir = tempfile::tempdir().unwrap();
    let accounts = dir.path().join("accounts.csv");
    std::fs::write(
        &accounts,
        "account,business,agents,currency\nacme,+33100000001,10,EUR\nbeta,+33100000002,25,USD\nacme,+33100000003,10,EUR\n",
    )
    .unwrap();
    let stays = invoices(
        &platform("two-accounts.csv"),
        accounts.to_str().unwrap(),
        &[],
    );
    assert_eq!(stays["acme"]["billable"], "630");
    assert_eq!(stays["beta"]["billable"], "100");
    let moves = invoices(
        &platform("two-accounts.csv"),
        &platform("accounts.csv"),
        &[],
    );
    assert_eq!(moves["acme"]["billable"], "610");
    assert_eq!(moves["beta"]["billable"], "120");
}

#[test]
fn a_number_keeps_its_windows_across_a_move_and_every_shard_bills_it_so() {
    // +34 910 000 301 moves from clinic to pharmacy on 2024-03-16. A customer wrote at 23:00
    // the day before, under clinic; the reply at 07:00 is inside that window, so it opens a
    // service conversation (pharmacy's, free in its WABA's free tier) instead of being
    // rejected. The reply at 08:00 rides on the conversation clinic opened at 22:05.
    let (log, accounts) = (
        platform("moving-window.csv"),
        platform("moving-window-accounts.csv"),
    );
    let one = invoices(&log, &accounts, &[]);
    let counts = |lines: &HashMap<String, HashMap<String, String>>, account: &str| {
        let l = &lines[account];
        (l["billable"].clone(), l["free"].clone())
    };
    assert_eq!(counts(&one, "clinic"), ("0".into(), "1".into()));
    assert_eq!(counts(&one, "pharmacy"), ("1".into(), "1".into()));
    // A shard replays the whole log: its accounts' lines are the one run's.
    let mut sharded = HashMap::new();
    for k in 1..=3 {
        sharded.extend(invoices(&log, &accounts, &["--shard", &format!("{k}/3")]));
    }
    assert_eq!(sharded, one);
}

#[test]
fn the_free_tier_counts_per_waba() {
    let log = platform("waba-free-tier.csv");
    // 800 service conversations per number in October 2023.
    let two = invoices(&log, &platform("waba-two-accounts.csv"), &[]);
    for account in ["acme", "beta"] {
        assert_eq!(two[account]["free"], "800", "{account}");
        assert_eq!(two[account]["billable"], "0", "{account}");
        assert_eq!(dec(&two[account]["cost"]), Decimal::ZERO);
    }
    let one = invoices(&log, &platform("waba-one-account.csv"), &[]);
    assert_eq!(one["acme"]["free"], "1000");
    assert_eq!(one["acme"]["billable"], "600");
    assert!(dec(&one["acme"]["cost"]) > Decimal::ZERO);
    // The waba column splits one account into two WABAs, each with its own free tier.
    let split = invoices(&log, &platform("waba-one-account-two-wabas.csv"), &[]);
    assert_eq!(split["acme"]["free"], "1600");
    assert_eq!(split["acme"]["billable"], "0");
}

#[test]
fn numbers_no_account_lists_go_to_unassigned_or_fail_with_strict_accounts() {
    let log = platform("with-unlisted.csv");
    let out = waprice()
        .args([
            "invoices",
            &log,
            "--accounts",
            &platform("accounts.csv"),
            "--format",
            "csv",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("+33100000009") && stderr.contains("first on line 732"),
        "{stderr}"
    );
    let rows: HashMap<String, HashMap<String, String>> =
        parse_csv(&String::from_utf8(out.stdout).unwrap(), b',')
            .into_iter()
            .map(|r| (r["account"].clone(), r))
            .collect();
    let u = &rows["unassigned"];
    assert_eq!(u["billable"], "3");
    assert_eq!(dec(&u["budget"]), Decimal::ZERO);
    assert_eq!(dec(&u["overage"]), dec(&u["cost"]));
    assert!(dec(&u["cost"]) > Decimal::ZERO);
    let table = stdout(&["invoices", &log, "--accounts", &platform("accounts.csv")]);
    assert!(
        table.contains("business +33100000009 is in no row"),
        "{table}"
    );
    waprice()
        .args([
            "invoices",
            &log,
            "--accounts",
            &platform("accounts.csv"),
            "--strict-accounts",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "--strict-accounts: business +33100000009",
        ));
    // A log whose numbers are all listed passes --strict-accounts.
    waprice()
        .args([
            "invoices",
            &platform("two-accounts.csv"),
            "--accounts",
            &platform("accounts.csv"),
            "--strict-accounts",
        ])
        .assert()
        .success();
}

#[test]
fn an_account_disagreeing_with_itself_is_refused_naming_both_lines() {
    let dir = tempfile::tempdir().unwrap();
    let accounts = dir.path().join("accounts.csv");
    std::fs::write(
        &accounts,
        "account,business,agents,currency\nacme,+33100000001,10,EUR\nacme,+33100000003,10,USD\n",
    )
    .unwrap();
    waprice()
        .args([
            "invoices",
            &platform("two-accounts.csv"),
            "--accounts",
            accounts.to_str().unwrap(),
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "currency EUR on line 2 but USD on line 3",
        ));
}

#[test]
fn agents_by_month_gives_a_month_its_own_budget() {
    let dir = tempfile::tempdir().unwrap();
    let months = dir.path().join("agents.csv");
    std::fs::write(&months, "account,month,agents\nacme,2025-08,21\n").unwrap();
    let rows = invoices(
        &platform("two-accounts.csv"),
        &platform("accounts.csv"),
        &["--agents-by-month", months.to_str().unwrap()],
    );
    assert_eq!(rows["acme"]["agents"], "21");
    assert_eq!(dec(&rows["acme"]["budget"]), dec("150"));
    assert_eq!(dec(&rows["acme"]["overage"]), Decimal::ZERO);
}

#[test]
fn estimate_by_account_is_the_long_format_with_an_account_column() {
    let out = stdout(&[
        "estimate",
        &platform("two-accounts.csv"),
        "--accounts",
        &platform("accounts.csv"),
        "--by",
        "account",
        "--format",
        "csv",
    ]);
    assert!(
        out.starts_with("month,account,billable,free,cost,currency\n"),
        "{out}"
    );
    let inv = invoices(
        &platform("two-accounts.csv"),
        &platform("accounts.csv"),
        &[],
    );
    for r in parse_csv(&out, b',') {
        assert_eq!(r["cost"], inv[&r["account"]]["cost"]);
    }
    waprice()
        .args([
            "estimate",
            &platform("two-accounts.csv"),
            "--accounts",
            &platform("accounts.csv"),
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--by account"));
}

// ---- The sum of the accounts is the bill ---------------------------------------------------

const BUSINESSES: [&str; 3] = ["+33100000001", "+33100000002", "+33100000003"];

/// A small log over three business numbers: (seconds after the start, business, customer,
/// what the row is).
fn gen_platform_log() -> impl Strategy<Value = (i64, Vec<(i64, usize, usize, usize)>)> {
    (
        prop::sample::select(&[1_696_118_400i64, 1_719_792_000, 1_756_684_800][..]),
        prop::collection::vec((0i64..20_000, 0usize..3, 0usize..4, 0usize..5), 1..50),
    )
}

fn write_log(
    dir: &Path,
    name: &str,
    start: i64,
    rows: &[(i64, usize, usize, usize)],
    keep: &[usize],
) -> String {
    let mut text = String::from("timestamp,direction,category,recipient,business\n");
    let mut t = start;
    for &(gap, business, customer, what) in rows {
        t += gap;
        if !keep.contains(&business) {
            continue;
        }
        let (direction, category) = [
            ("inbound", ""),
            ("outbound", "service"),
            ("outbound", "marketing"),
            ("outbound", "utility"),
            ("outbound", "authentication"),
        ][what];
        text.push_str(&format!(
            "{t},{direction},{category},+3361200000{customer},{}\n",
            BUSINESSES[business]
        ));
    }
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 8, ..ProptestConfig::default() })]

    /// Billing the platform's log per account gives each account what `estimate` gives for
    /// the log cut by hand to that account's numbers; and over all accounts, the sum of the
    /// accounts' costs is the cost `estimate --by account` reports.
    #[test]
    fn each_account_costs_what_its_own_log_costs(
        (start, rows) in gen_platform_log(),
        owner in prop::collection::vec(0usize..2, 3),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let log = write_log(dir.path(), "all.csv", start, &rows, &[0, 1, 2]);
        let mut accounts = String::from("account,business,agents\n");
        for (b, o) in owner.iter().enumerate() {
            accounts.push_str(&format!("account{o},{},10\n", BUSINESSES[b]));
        }
        let accounts_path = dir.path().join("accounts.csv");
        std::fs::write(&accounts_path, accounts).unwrap();
        let out = stdout(&["invoices", &log, "--accounts", accounts_path.to_str().unwrap(), "--format", "csv"]);
        let mut per_account: BTreeMap<String, Decimal> = BTreeMap::new();
        for r in parse_csv(&out, b',') {
            *per_account.entry(r["account"].clone()).or_default() += dec(&r["cost"]);
        }
        let mut sum = Decimal::ZERO;
        for o in 0..2 {
            let keep: Vec<usize> = (0..3).filter(|&b| owner[b] == o).collect();
            let own = write_log(dir.path(), &format!("account{o}.csv"), start, &rows, &keep);
            let est = estimate_csv(&own, &[]);
            let cost: Decimal = parse_csv(&est, b',').iter().map(|r| dec(&r["cost"])).sum();
            prop_assert_eq!(per_account.get(&format!("account{o}")).copied().unwrap_or_default(), cost);
            sum += cost;
        }
        let by_account = stdout(&["estimate", &log, "--accounts", accounts_path.to_str().unwrap(), "--by", "account", "--format", "csv"]);
        let total: Decimal = parse_csv(&by_account, b',').iter().map(|r| dec(&r["cost"])).sum();
        prop_assert_eq!(total, sum);
        // And it is estimate's cost for the whole log: these logs are far below the 1,000
        // free conversations a WABA gets, and load no volume tiers, so one WABA or several
        // bill the same.
        let whole: Decimal = parse_csv(&estimate_csv(&log, &[]), b',').iter().map(|r| dec(&r["cost"])).sum();
        prop_assert_eq!(whole, sum);
    }

    /// `--shard K/N` for every K, merged, is the unsharded run, whatever the log and N.
    #[test]
    fn shards_merged_are_the_whole_run(
        (start, rows) in gen_platform_log(),
        owner in prop::collection::vec(0usize..3, 3),
        n in 1u32..5,
    ) {
        let dir = tempfile::tempdir().unwrap();
        // The third number is in no row of the accounts file: its units go to `unassigned`.
        let log = write_log(dir.path(), "all.csv", start, &rows, &[0, 1, 2]);
        let mut accounts = String::from("account,business,agents\n");
        for (b, o) in owner.iter().enumerate().take(2) {
            accounts.push_str(&format!("account{o},{},10\n", BUSINESSES[b]));
        }
        let accounts_path = dir.path().join("accounts.csv");
        std::fs::write(&accounts_path, accounts).unwrap();
        let accounts_path = accounts_path.to_str().unwrap();
        let mut files = Vec::new();
        for k in 1..=n {
            let file = dir.path().join(format!("{k}.json"));
            stdout(&["invoices", &log, "--accounts", accounts_path, "--shard", &format!("{k}/{n}"), "--format", "json", "-o", file.to_str().unwrap()]);
            files.push(file.to_str().unwrap().to_string());
        }
        for format in ["csv", "json"] {
            let single = stdout(&["invoices", &log, "--accounts", accounts_path, "--format", format]);
            let mut args = vec!["merge", "--format", format];
            args.extend(files.iter().map(String::as_str));
            prop_assert_eq!(stdout(&args), single);
        }
    }
}

#[test]
fn volume_tiers_count_per_waba() {
    // Six utility messages to India in August 2026, three from each of two numbers; the
    // synthetic table's first tier ends at the 3rd message of a month.
    let log = platform("tiers-two-numbers.csv");
    let tiers = data("cards/tiers-synthetic.csv");
    let extra = ["--tiers", tiers.as_str()];
    let two = invoices(&log, &platform("waba-two-accounts.csv"), &extra);
    let one = invoices(&log, &platform("waba-one-account.csv"), &extra);
    // Each account's three messages stay in the first tier: they cost the same, and the
    // account that has all six reaches cheaper tiers.
    assert_eq!(two["acme"]["cost"], two["beta"]["cost"]);
    let apart = dec(&two["acme"]["cost"]) + dec(&two["beta"]["cost"]);
    assert!(dec(&one["acme"]["cost"]) < apart, "{one:?} {two:?}");
    // One account is one WABA: the same bill as estimate on the whole log.
    let est = estimate_csv(&log, &extra);
    assert_eq!(
        dec(&parse_csv(&est, b',')[0]["cost"]),
        dec(&one["acme"]["cost"])
    );
}

#[test]
fn invoices_are_the_same_streamed_read_whole_or_from_stdin() {
    let log = "samples/platform-2024-03.csv";
    let accounts = "samples/platform-accounts.csv";
    let args = |file: &str| {
        [
            "invoices".to_string(),
            file.to_string(),
            "--accounts".into(),
            accounts.into(),
            "--format".into(),
            "csv".into(),
        ]
    };
    let streamed = stdout(&args(log).iter().map(String::as_str).collect::<Vec<_>>());
    // The rows backwards: out of time order, so the log is read whole and sorted.
    let text = std::fs::read_to_string(log).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    lines[1..].reverse();
    let dir = tempfile::tempdir().unwrap();
    let reversed = dir.path().join("reversed.csv");
    std::fs::write(&reversed, lines.join("\n") + "\n").unwrap();
    let sorted = stdout(
        &args(reversed.to_str().unwrap())
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
    );
    assert_eq!(streamed, sorted);
    let piped = waprice()
        .args(args("-"))
        .write_stdin(text.as_bytes())
        .output()
        .unwrap();
    assert_eq!(String::from_utf8(piped.stdout).unwrap(), streamed);
}

#[test]
fn an_account_in_a_currency_no_card_is_in_is_an_error_naming_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let accounts = dir.path().join("accounts.csv");
    std::fs::write(
        &accounts,
        "account,business,agents,currency,budget\nbakery,+33 1 84 60 10 01,5,EUR,\nsushi,+33 1 84 60 20 01,3,JPY,9000\n",
    )
    .unwrap();
    let accounts = accounts.to_str().unwrap();
    let out = waprice()
        .args([
            "invoices",
            "samples/platform-2024-03.csv",
            "--accounts",
            accounts,
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains(&format!(
            "{accounts}, line 3: account 'sushi' is billed in JPY, and no rate card is in JPY"
        )),
        "{err}"
    );
    assert!(err.contains("load one with --tariff FILE"), "{err}");
}
