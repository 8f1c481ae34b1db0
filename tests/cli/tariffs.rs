//! Meta's own tariff files: rate cards as downloaded, volume tiers,
//! authentication-international start dates, and `waprice tariffs [check]`, on the real binary.
//! Fixtures are in tests/data/cards/: Meta's layouts written by hand, with the header's
//! embedded newline; the rates are those of the bundled cards they transcribe, except in the
//! files named synthetic.

use super::*;

fn card(name: &str) -> String {
    data(&format!("cards/{name}"))
}

/// Runs waprice and returns stdout, asserting success.
fn ok(args: &[&str]) -> String {
    let out = waprice().args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// A file in a temporary directory (kept alive by the returned guard).
fn temp(name: &str, text: &str) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    let path = path.to_str().unwrap().to_string();
    (dir, path)
}

/// (recipient, category, tier, rate) of every ledger row.
fn ledger(args: &[&str]) -> Vec<(String, String, String, String)> {
    let mut all = vec!["ledger"];
    all.extend_from_slice(args);
    ok(&all)
        .lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[2].into(), f[4].into(), f[6].into(), f[7].into())
        })
        .collect()
}

// ---- --tariff with Meta's rate-card CSV ------------------------------------------------

#[test]
fn a_meta_card_as_downloaded_prices_the_log() {
    // The EUR card of July 2026 in Meta's layout (CRLF, `€`, embedded newline in the header),
    // dated October 2026 and with France marketing changed, is what an era D log is priced
    // with: there is no bundled EUR card of October 2026.
    let text = std::fs::read_to_string(card("eur-2026-07-01.meta.csv"))
        .unwrap()
        .replace("effective July 1, 2026", "effective October 1, 2026")
        .replace("France,€,0.0712,", "France,€,0.0750,");
    let (_dir, path) = temp("eur-2026-10.csv", &text);
    let log = data("example4-era-d.csv");
    // Bundled: marketing 0.0712 + utility 2 x 0.0248 + service at the utility rate 0.0248.
    assert_eq!(
        estimate_csv(&log, &[]),
        rows(&["2026-10,1,2,0,0,1,0,0,0,4,0,0.1456,50,0,EUR,0,0"])
    );
    assert_eq!(
        estimate_csv(&log, &["--tariff", &path]),
        rows(&["2026-10,1,2,0,0,1,0,0,0,4,0,0.1494,50,0,EUR,0,0"])
    );
    let table = ok(&["estimate", &log, "--tariff", &path]);
    assert!(
        table.contains(&format!(
            "rate card: EUR 2026-10-01 priced 2026-10 ({path})"
        )),
        "{table}"
    );
}

#[test]
fn every_currency_spelling_and_card_era_loads() {
    // `$US` cells on a per-message card: its rows replace the bundled ones, so `rates`
    // names Meta's title as the source.
    let usd = ok(&[
        "rates",
        "--country",
        "SA",
        "--currency",
        "USD",
        "--date",
        "2026-10-15",
        "--format",
        "csv",
        "--tariff",
        &card("usd-2026-10-01.meta.csv"),
    ]);
    assert!(
        // Authentication-international is empty on the card (not known here): the earlier
        // card's value applies, as for any partial card, and the source says which card.
        usd.contains("Saudi Arabia,0.0576,0.0107,0.0107,0.0598,0.0107,,,USD,2026-10-01,\"USD 2026-10-01 (marketing, utility, authentication, service): Cost per message in USD on the WhatsApp Business Platform, effective October 1, 2026; USD 2026-01-01 (authentication_international): "),
        "{usd}"
    );
    // `US$` on a conversation card of June 2023; its `n/a` is no value, never a zero (the
    // column shows the later card's rate, which `rates` notes as a substitute).
    let conv = ok(&[
        "rates",
        "--market",
        "Malaysia",
        "--currency",
        "USD",
        "--date",
        "2023-07-01",
        "--format",
        "csv",
        "--tariff",
        &card("usd-2023-06-01.conversation.meta.csv"),
    ]);
    assert!(
        conv.contains(
            "Malaysia,0.0860,0.0200,0.0180,0.0418,0.0220,,,USD,2023-06-01,\"USD 2023-06-01 (marketing, utility, authentication, service): Cost per conversation in USD on the WhatsApp Business Platform, effective June 1, 2023; USD 2025-10-01 substitute (authentication_international): "
        ),
        "{conv}"
    );
    // `EUR` with Business-Initiated / User-Initiated columns (2022): example 8's three
    // billed conversations at France's 0.1186, priced from the file.
    let path = card("eur-2022-02-01.conversation.meta.csv");
    assert_eq!(
        estimate_csv(&data("example8-era-a-free-tier.csv"), &["--tariff", &path]),
        rows(&["2022-03,0,0,0,0,0,0,3,1000,3,0,0.3558,50,0,EUR,0,0"])
    );
    assert!(ok(&[
        "estimate",
        &data("example8-era-a-free-tier.csv"),
        "--tariff",
        &path
    ])
    .contains(&format!(
        "rate card: EUR 2022-02-01 priced 2022-03 ({path})"
    )));
}

#[test]
fn tariff_date_and_currency_override_or_replace_the_title_line() {
    let bare = "Market,Currency,Marketing,Utility,Authentication,\"Authentication-\nInternational\",Service\nFrance,$US,0.0900,0.0310,0.0310,n/a,0.0310\n";
    let (_dir, path) = temp("no-title.csv", bare);
    fails_with(
        &["rates", "--currency", "USD", "--tariff", &path],
        "",
        2,
        &["no effective date", "hint: pass --tariff-date YYYY-MM-DD"],
    );
    let out = ok(&[
        "rates",
        "--country",
        "FR",
        "--currency",
        "USD",
        "--date",
        "2027-01-15",
        "--format",
        "csv",
        "--tariff",
        &path,
        "--tariff-date",
        "2027-01-01",
    ]);
    assert!(
        out.contains("France,0.0900,0.0310,0.0310,,0.0310,,,USD,2027-01-01,Meta rate-card CSV (no title line)"),
        "{out}"
    );
}

#[test]
fn a_currency_override_that_contradicts_the_rows_is_an_error() {
    fails_with(
        &[
            "tariffs",
            "--tariff",
            &card("usd-2023-06-01.conversation.meta.csv"),
            "--tariff-currency",
            "GBP",
        ],
        "",
        2,
        &["line 4, column 'Currency': this row is in USD, the card in GBP"],
    );
    fails_with(
        &[
            "tariffs",
            "--tariff",
            &card("usd-2023-06-01.conversation.meta.csv"),
            "--tariff-date",
            "2025-10-01",
        ],
        "",
        2,
        &["a per-conversation card dated 2025-10-01 (from --tariff-date)"],
    );
    fails_with(
        &["tariffs", "--tariff-date", "2025-10-01"],
        "",
        2,
        &["--tariff-date and --tariff-currency describe a file in Meta's CSV layout"],
    );
}

#[test]
fn bad_cards_name_the_line_and_what_was_expected() {
    let title =
        "Cost per message in EUR on the WhatsApp Business Platform, effective October 1, 2026\n";
    let header = "Market,Currency,Marketing,Utility,Authentication,\"Authentication-\nInternational\",Service\n";
    let cases: [(&str, &[&str]); 5] = [
        (
            // A misspelt rate column would leave its rates out: refused (an unknown column
            // is left out with a note, see below).
            "Market,Currency,Marketing,Authentification\nFrance,EUR,0.07,0.01\n",
            &[
                "line 2: 'Authentification' is not a rate-card column; is it Authentication?",
                "hint: expected Market, Currency",
            ],
        ),
        (
            // The header spans lines 2-3, so France is on line 4.
            &format!("{header}France,EUR,0.07,0,02,0.02,n/a,0.02\n"),
            &["line 4: 8 fields but the header has 7", "decimal point"],
        ),
        (
            &format!("{header}France,EUR,0.07,free,0.02,n/a,0.02\n"),
            &["line 4, column 'Utility': not a rate (value 'free')"],
        ),
        (
            &format!("{header}Atlantis,EUR,0.07,0.02,0.02,n/a,0.02\n"),
            &[
                "line 4, column 'Market': unknown market (value 'Atlantis')",
                "hint: markets are named as on Meta's cards",
            ],
        ),
        (
            &format!("{header}France,£,0.07,0.02,0.02,n/a,0.02\n"),
            &["this row is in GBP, the card in EUR"],
        ),
    ];
    for (body, needles) in cases {
        // Downloads may come with CRLF line endings: the lines named are the same.
        for eol in ["\n", "\r\n"] {
            let text = format!("{title}{body}").replace('\n', eol);
            let (_dir, path) = temp("bad.csv", &text);
            fails_with(&["rates", "--tariff", &path], "", 2, needles);
        }
    }
    // waprice's layout, CRLF and a blank line: the bad rate is on line 4.
    let (_dir, path) = temp(
        "bad.csv",
        "currency,effective_from,market,marketing\r\nEUR,2026-07-01,France,0.07\r\n\r\nEUR,2026-07-01,Germany,lots\r\n",
    );
    fails_with(
        &["rates", "--tariff", &path],
        "",
        2,
        &["bad.csv, line 4, column 'marketing'", "(value 'lots')"],
    );
    // Not a card at all: a message log given to --tariff.
    fails_with(
        &["rates", "--tariff", &data("example1-era-b-categories.csv")],
        "",
        2,
        &[
            "example1-era-b-categories.csv, line 1: not a rate card or tier table (it starts 'timestamp,direction",
            "hint: expected Meta's rate card as downloaded",
        ],
    );
    // Cards and tier tables each have their option.
    fails_with(
        &["rates", "--tariff", &card("tiers-synthetic.meta.csv")],
        "",
        2,
        &["is a volume-tier table", "--tiers"],
    );
}

// ---- Volume tiers ------------------------------------------------------------------------

/// The India log: authentication templates from 3 August 2026, authentication-international
/// from 10 August (the business's eligibility), utility outside and inside the service window,
/// a marketing template, and one more authentication template in September.
const INDIA: &str = "tiers-india-2026-08.csv";
const ELIGIBLE: [&str; 4] = [
    "--business-country",
    "FR",
    "--auth-intl-since",
    "2026-08-10",
];

#[test]
fn tiers_are_marginal_and_auth_intl_continues_the_authentication_count() {
    // Synthetic thresholds A < B < C = 3 < 5 < 8, in Meta's tier layouts (category groups of
    // From, To, Tier, Rate, Discount; and the `"Market\n(per rate card)"` header with a Rate
    // type column beside Rate) and in waprice's.
    for tiers in [
        "tiers-synthetic.meta.csv",
        "tiers-synthetic.per-rate-card.meta.csv",
        "tiers-synthetic.csv",
    ] {
        let mut args = vec![data(INDIA)];
        args.extend(ELIGIBLE.iter().map(|s| s.to_string()));
        args.extend(["--tiers".to_string(), card(tiers)]);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let got = ledger(&args);
        let want: Vec<(&str, &str, &str, &str)> = vec![
            ("+919800000001", "authentication", "1:3", "0.0012"),
            ("+919800000001", "utility", "1:3", "0.0012"),
            ("+919800000002", "authentication", "1:3", "0.0012"),
            // Free inside the service window: no tier, and not counted.
            ("+919800000002", "utility", "", "0"),
            ("+919800000003", "authentication", "1:3", "0.0012"),
            ("+919800000003", "utility", "1:3", "0.0012"),
            ("+919800000004", "authentication", "4:5", "0.0010"),
            ("+919800000004", "utility", "1:3", "0.0012"),
            ("+919800000005", "utility", "4:5", "0.0011"),
            // Eligible from 10 August: the 5th authentication message of the month is in
            // tier 4:5 at the authentication-international tier rate.
            (
                "+919800000005",
                "authentication_international",
                "4:5",
                "0.0240",
            ),
            (
                "+919800000006",
                "authentication_international",
                "6:8",
                "0.0227",
            ),
            (
                "+919800000007",
                "authentication_international",
                "6:8",
                "0.0227",
            ),
            (
                "+919800000008",
                "authentication_international",
                "6:8",
                "0.0227",
            ),
            (
                "+919800000009",
                "authentication_international",
                "9+",
                "0.0214",
            ),
            ("+919800000001", "marketing", "", "0.0099"),
            // September starts again at the list rate.
            (
                "+919800000001",
                "authentication_international",
                "1:3",
                "0.0252",
            ),
        ];
        let want: Vec<(String, String, String, String)> = want
            .into_iter()
            .map(|(a, b, c, d)| (a.into(), b.into(), c.into(), d.into()))
            .collect();
        assert_eq!(got, want, "{tiers}");
        assert_eq!(
            estimate_csv(args[0], &args[1..]),
            rows(&[
                "2026-08,1,4,4,5,0,0,0,1,14,0,0.1327,50,0,EUR,0,0",
                "2026-09,0,0,0,1,0,0,0,0,1,0,0.0252,50,0,EUR,0,0"
            ]),
            "{tiers}"
        );
    }
}

#[test]
fn tier_counts_do_not_depend_on_row_order() {
    // A log in reverse order is read whole and sorted (streaming gives up on it): the tier
    // counters start again with the sorted replay, so the bill is the same.
    let text = std::fs::read_to_string(data(INDIA)).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    lines[1..].reverse();
    let tiers = card("tiers-synthetic.csv");
    let mut args = vec!["estimate", "-", "--format", "csv", "--tiers", &tiers];
    args.extend_from_slice(&ELIGIBLE);
    let out = waprice()
        .args(&args)
        .write_stdin(lines.join("\n"))
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        rows(&[
            "2026-08,1,4,4,5,0,0,0,1,14,0,0.1327,50,0,EUR,0,0",
            "2026-09,0,0,0,1,0,0,0,0,1,0,0.0252,50,0,EUR,0,0"
        ])
    );
}

#[test]
fn estimate_by_tier_breaks_each_market_and_category_down_per_tier() {
    let mut args: Vec<&str> = ELIGIBLE.to_vec();
    let tiers = card("tiers-synthetic.meta.csv");
    args.extend(["--tiers", &tiers, "--by", "tier"]);
    assert_eq!(
        estimate_csv(&data(INDIA), &args),
        "month,market,category,tier,billable,free,cost,currency\n\
         2026-08,India,marketing,,1,0,0.0099,EUR\n\
         2026-08,India,utility,,0,1,0,EUR\n\
         2026-08,India,utility,1:3,3,0,0.0036,EUR\n\
         2026-08,India,utility,4:5,1,0,0.0011,EUR\n\
         2026-08,India,authentication,1:3,3,0,0.0036,EUR\n\
         2026-08,India,authentication,4:5,1,0,0.0010,EUR\n\
         2026-08,India,authentication_international,4:5,1,0,0.0240,EUR\n\
         2026-08,India,authentication_international,6:8,3,0,0.0681,EUR\n\
         2026-08,India,authentication_international,9+,1,0,0.0214,EUR\n\
         2026-09,India,authentication_international,1:3,1,0,0.0252,EUR\n"
    );
    let india = data(INDIA);
    let mut table_args = vec!["estimate", india.as_str()];
    table_args.extend_from_slice(&args);
    let table = ok(&table_args);
    assert!(
        table.contains("volume tiers: India authentication_international in 2026-08: 1 in tier 4:5, 3 in tier 6:8, 1 in tier 9+"),
        "{table}"
    );
    assert!(table.contains("┆ tier ┆"), "{table}");
}

#[test]
fn without_tier_tables_list_rates_apply_and_the_notes_say_so() {
    let got = ledger(&[&data(INDIA)]);
    assert!(got.iter().all(|r| r.2.is_empty()), "{got:?}");
    assert!(got
        .iter()
        .any(|r| r.1 == "authentication" && r.3 == "0.0012"));
    let table = ok(&["estimate", &data(INDIA)]);
    assert!(
        table.contains("volume tiers: none loaded, so 14 charged utility and authentication messages paid list rates (waprice bundles no tier table"),
        "{table}"
    );
    // Tiers of another currency than the estimate's are refused, not silently ignored.
    fails_with(
        &[
            "estimate",
            &data(INDIA),
            "--currency",
            "USD",
            "--tiers",
            &card("tiers-synthetic.csv"),
        ],
        "",
        2,
        &["no volume-tier table in USD: the --tiers files are in EUR"],
    );
}

#[test]
fn bad_tier_tables_name_the_line() {
    let gap = std::fs::read_to_string(card("tiers-synthetic.meta.csv"))
        .unwrap()
        .replace(",,6,8,Tier 2,0.0010", ",,7,8,Tier 2,0.0010");
    let (_dir, path) = temp("gap.csv", &gap);
    fails_with(
        &["ledger", &data(INDIA), "--tiers", &path],
        "",
        2,
        &["line 6: the utility tier of India starts at 7 but the tier before it (line 5) ends at 5"],
    );
    let (_dir2, early) = temp(
        "early.csv",
        "currency,effective_from,market,category,threshold,rate\nEUR,2025-06-01,India,utility,3,0.001\n",
    );
    fails_with(
        &["ledger", &data(INDIA), "--tiers", &early],
        "",
        2,
        &["line 2, column 'effective_from': volume tiers start with per-message pricing on 2025-07-01"],
    );
    fails_with(
        &[
            "ledger",
            &data(INDIA),
            "--tiers",
            &card("eur-2026-07-01.meta.csv"),
        ],
        "",
        2,
        &["is a rate card", "--tariff"],
    );
}

// ---- Authentication-international (docs/rules.md) -----------------------------------------

/// Authentication templates on both sides of each country's start date: ID 2024-06-01,
/// IN 2024-07-01, EG 2025-02-01, MA 2026-10-01, one to France, one to Kazakhstan (+7 7).
fn auth_categories(extra: &[&str]) -> Vec<(String, String)> {
    let mut args = vec![data("auth-intl-start-dates.csv")];
    args.extend(["--currency", "USD"].map(String::from));
    args.extend(extra.iter().map(|s| s.to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    ledger(&args).into_iter().map(|r| (r.0, r.1)).collect()
}

fn categories(v: &[(&str, &str)]) -> Vec<(String, String)> {
    v.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

const A: &str = "authentication";
const AI: &str = "authentication_international";

#[test]
fn auth_intl_starts_on_each_countrys_date() {
    assert_eq!(
        auth_categories(&[
            "--business-country",
            "FR",
            "--auth-intl-since",
            "2024-01-01"
        ]),
        categories(&[
            ("+6281200000001", A),
            ("+6281200000002", AI),
            ("+919800010001", A),
            ("+919800010002", AI),
            ("+201000000001", A),
            ("+201000000002", AI),
            ("+919800010003", AI),
            ("+212600000001", A),
            ("+212600000002", AI),
            ("+33600000001", A),
            ("+77010000001", AI),
        ])
    );
    // Without the flags, authentication is charged at the authentication rate.
    assert!(auth_categories(&[]).iter().all(|(_, c)| c == A));
}

#[test]
fn the_business_country_always_pays_the_domestic_rate_and_exceptions_move_one_country() {
    // A business in Indonesia: Indonesian customers stay domestic.
    let id = auth_categories(&[
        "--business-country",
        "ID",
        "--auth-intl-since",
        "2024-01-01",
    ]);
    assert_eq!(id[1], ("+6281200000002".to_string(), A.to_string()));
    assert_eq!(id[3], ("+919800010002".to_string(), AI.to_string()));
    // Meta's eligibility email gave India a later start: 2025-03-01.
    let ex = auth_categories(&[
        "--business-country",
        "FR",
        "--auth-intl-since",
        "2024-01-01",
        "--auth-intl-except",
        "IN=2025-03-01",
    ]);
    assert_eq!(ex[3], ("+919800010002".to_string(), A.to_string()));
    assert_eq!(ex[6], ("+919800010003".to_string(), AI.to_string()));
    assert_eq!(ex[1], ("+6281200000002".to_string(), AI.to_string()));
    let notes = ok(&[
        "estimate",
        &data("auth-intl-start-dates.csv"),
        "--currency",
        "USD",
        "--business-country",
        "FR",
        "--auth-intl-since",
        "2024-01-01",
        "--auth-intl-except",
        "IN=2025-03-01",
    ]);
    assert!(
        notes.contains("authentication-international: on, business in FR, eligible since 2024-01-01; IN from 2025-03-01 (--auth-intl-except)"),
        "{notes}"
    );
}

#[test]
fn auth_intl_exceptions_are_checked() {
    let log = data("auth-intl-start-dates.csv");
    let base = [
        "estimate",
        &log,
        "--business-country",
        "IN",
        "--auth-intl-since",
        "2024-01-01",
    ];
    for (except, needle) in [
        (
            "IN=2025-01-01",
            "IN is the business's own country, which always pays the domestic authentication rate",
        ),
        (
            "FR=2025-01-01",
            "FR has no authentication-international rate",
        ),
        ("ID:2025-01-01", "expected CC=DATE"),
        ("ID=2025-13-01", "--auth-intl-except 2025-13-01: not a date"),
    ] {
        let mut args = base.to_vec();
        args.extend(["--auth-intl-except", except]);
        fails_with(&args, "", 2, &[needle]);
    }
    fails_with(
        &["estimate", &log, "--auth-intl-except", "ID=2025-01-01"],
        "",
        2,
        &["--auth-intl-except needs --business-country and --auth-intl-since"],
    );
}

// ---- waprice tariffs ---------------------------------------------------------------------

#[test]
fn tariffs_lists_bundled_and_loaded_cards() {
    let all = ok(&["tariffs", "--format", "csv"]);
    assert!(all.starts_with("kind,currency,effective_from,priced_per,markets,market_list,columns,tiers,confidence,origin,source\n"));
    assert!(all.contains("card,USD,2026-10-01,message,47,"), "{all}");
    assert!(all.contains(",\"44 high, 3 medium\",bundled,"), "{all}");
    assert!(
        all.contains("card,EUR,2022-02-01,conversation,32,"),
        "{all}"
    );
    let eur = ok(&[
        "tariffs",
        "--currency",
        "EUR",
        "--format",
        "csv",
        "--tariff",
        &card("eur-2026-07-01.meta.csv"),
        "--tiers",
        &card("tiers-synthetic.meta.csv"),
    ]);
    assert!(!eur.contains("card,USD"), "{eur}");
    assert!(
        eur.contains("card,EUR,2026-07-01,message,38,Argentina; Brazil; Chile;"),
        "{eur}"
    );
    assert!(
        eur.contains(&format!(
            ",user file,{},\"Cost per message in EUR",
            card("eur-2026-07-01.meta.csv")
        )),
        "{eur}"
    );
    assert!(
        eur.contains("tiers,EUR,2026-07-01,message,1,India,authentication_international,\"1:3 0.0252, 4:5 0.0240, 6:8 0.0227, 9+ 0.0214\",user file,"),
        "{eur}"
    );
    assert!(
        eur.contains("tiers,EUR,2026-07-01,message,1,Brazil,utility,1+ 0.0056,"),
        "{eur}"
    );
    let table = ok(&["tariffs", "--currency", "USD"]);
    assert!(
        table.contains("rate cards: 11 (one per currency and effective date"),
        "{table}"
    );
    assert!(
        table.contains("volume tiers: none loaded; waprice bundles none"),
        "{table}"
    );
}

#[test]
fn tariffs_check_reports_what_a_new_card_changes() {
    let usd = ok(&[
        "tariffs",
        "check",
        &card("usd-2026-10-01.meta.csv"),
        "--format",
        "csv",
    ]);
    for line in [
        "USD,2026-10-01,Saudi Arabia,marketing,0.0501,2026-07-01,0.0576,up",
        "USD,2026-10-01,Turkey,utility,0.0053,2026-01-01,0.0009,down",
        "USD,2026-10-01,France,marketing,0.0859,2026-01-01,0.0859,same",
        // Charged service is new in October 2026: compared with no free-service zero.
        "USD,2026-10-01,France,service,,,0.03,first",
        "USD,2026-10-01,Kazakhstan,authentication_international,,,0.16,first",
    ] {
        assert!(usd.contains(line), "missing {line} in\n{usd}");
    }
    let table = ok(&["tariffs", "check", &card("usd-2026-10-01.meta.csv")]);
    assert!(table.contains("- markets added (no earlier USD rate): Bangladesh, Hong Kong, Hungary, Iraq, Kazakhstan,"), "{table}");
    assert!(
        table.contains("- rates: 11 up, 2 down, 88 unchanged, 91 first rates, 0 now n/a"),
        "{table}"
    );
    assert!(table.contains("replaces 47 rows of the USD 2026-10-01 card already loaded (bundled); 0 of them with different values"), "{table}");
    // A card that differs from the bundled one of its date says so.
    let text = std::fs::read_to_string(card("usd-2026-10-01.meta.csv"))
        .unwrap()
        .replace("Turkey,$US,0.0109,", "Turkey,$US,0.0110,");
    let (_dir, path) = temp("usd.csv", &text);
    assert!(ok(&["tariffs", "check", &path])
        .contains("replaces 47 rows of the USD 2026-10-01 card already loaded (bundled); 1 of them with different values"));
    // An invalid card fails like --tariff does.
    let (_dir2, bad) = temp("bad.csv", "Cost per message in EUR, effective October 1, 2026\nMarket,Currency,Marketing\nFrance,EUR,seven\n");
    fails_with(
        &["tariffs", "check", &bad],
        "",
        2,
        &["line 3, column 'Marketing': not a rate"],
    );
}

#[test]
fn tariffs_check_pinned_output_and_tier_files() {
    pinned(
        "tariffs-check-eur-2026-07.txt",
        &stdout(&["tariffs", "check", &card("eur-2026-07-01.meta.csv")]),
    );
    let tiers = ok(&[
        "tariffs",
        "check",
        &card("tiers-synthetic.meta.csv"),
        "--format",
        "csv",
    ]);
    assert!(
        tiers.starts_with("currency,effective_from,market,category,tier,rate\n"),
        "{tiers}"
    );
    assert!(
        tiers.contains("EUR,2026-07-01,India,utility,9+,0.0009\n"),
        "{tiers}"
    );
    let waprice_layout = ok(&[
        "tariffs",
        "check",
        &card("tiers-synthetic.csv"),
        "--format",
        "csv",
    ]);
    assert!(
        waprice_layout.contains("EUR,2026-07-01,India,authentication,1:3,list rate\n"),
        "{waprice_layout}"
    );
}

// ---- Meta's files as they come: extra columns, qualified headers, typos, workbooks ---------

/// Runs waprice and returns (stdout, stderr), asserting success.
fn ok_with_stderr(args: &[&str]) -> (String, String) {
    let out = waprice().args(args).output().unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(out.status.success(), "{args:?}: {stderr}");
    (String::from_utf8(out.stdout).unwrap(), stderr)
}

fn rates_fr_eur(tariff: &str) -> (String, String) {
    ok_with_stderr(&[
        "rates",
        "--country",
        "FR",
        "--currency",
        "EUR",
        "--date",
        "2026-07-15",
        "--format",
        "csv",
        "--tariff",
        tariff,
    ])
}

#[test]
fn a_list_rates_sheet_with_an_extra_column_loads_and_names_it() {
    // The 2026 list-rate sheet adds a "Meta Business Agent" column after Service: the card
    // prices as without it, and the column is named in a note, never an abort.
    let path = card("eur-2026-07-01.list-rates.meta.csv");
    let (plain, plain_err) = rates_fr_eur(&card("eur-2026-07-01.meta.csv"));
    let (wide, wide_err) = rates_fr_eur(&path);
    assert_eq!(wide, plain);
    assert!(plain_err.is_empty(), "{plain_err}");
    let note =
        format!("{path}, line 2: ignored column 'Meta Business Agent': not a rate waprice prices");
    assert_eq!(wide_err, format!("waprice: note: {note}\n"));
    let check = ok(&["tariffs", "check", &path]);
    assert!(
        check.contains("- replaces 38 rows of the EUR 2026-07-01 card already loaded (bundled); 0 of them with different values\n"),
        "{check}"
    );
    assert!(check.ends_with(&format!("notes:\n- {note}\n")), "{check}");
    let json = ok(&["tariffs", "check", &path, "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["cards"][0]["notes"][0], note.as_str());
    assert_eq!(v["cards"][0]["replaces"]["rows"], 38);
    assert_eq!(v["cards"][0]["replaces"]["added"], 0);
}

#[test]
fn a_currency_typo_needs_the_option_that_settles_it() {
    let path = card("gbp-2026-07-01.currency-typo.meta.csv");
    let rates = |extra: &[&str]| {
        let mut args = vec![
            "rates",
            "--market",
            "United Kingdom",
            "--currency",
            "GBP",
            "--date",
            "2026-07-15",
            "--format",
            "csv",
            "--tariff",
            &path,
        ];
        args.extend_from_slice(extra);
        args.iter().map(|s| s.to_string()).collect::<Vec<_>>()
    };
    let args = rates(&[]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    fails_with(
        &args,
        "",
        2,
        &[
            "line 5, column 'Currency': 'GBD' is no currency, and the card is in GBP (value 'GBD')",
            "hint: if the cell is a typo, pass --tariff-currency GBP",
        ],
    );
    let args = rates(&["--tariff-currency", "GBP"]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (out, err) = ok_with_stderr(&args);
    assert!(
        out.contains(
            "United Kingdom,0.0458,0.0159,0.0159,,,,,GBP,2026-07-01,\"GBP 2026-07-01 (marketing, utility): Cost per message in GBP"
        ),
        "{out}"
    );
    assert_eq!(
        err,
        format!("waprice: note: {path}: --tariff-currency GBP overrides the Currency cell of 1 row (first on line 5: 'GBD')\n")
    );
    // A cell naming another real currency is no typo: the option does not hide it.
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace("Kingdom,GBD,", "Kingdom,USD,");
    let (_dir, other) = temp("usd-cell.csv", &text);
    fails_with(
        &["tariffs", "check", &other, "--tariff-currency", "GBP"],
        "",
        2,
        &["line 5, column 'Currency': this row is in USD, the card in GBP"],
    );
}

#[test]
fn tariffs_check_reports_rates_added_and_removed_against_a_card_of_its_date() {
    // Against the bundled card of the same date: Turkey's marketing rate changed, a rate where
    // the bundled card has none (Bangladesh authentication-international: a SYNTHETIC value),
    // and none where it has one (France's service rate left empty).
    let text = std::fs::read_to_string(card("usd-2026-10-01.meta.csv"))
        .unwrap()
        .replace("Turkey,$US,0.0109,", "Turkey,$US,0.0110,")
        .replace(
            "Bangladesh,$US,0.0732,0.0037,0.0037,,0.0037",
            "Bangladesh,$US,0.0732,0.0037,0.0037,0.0500,0.0037",
        )
        .replace(
            "France,$US,0.0859,0.03,0.03,n/a,0.03",
            "France,$US,0.0859,0.03,0.03,n/a,",
        );
    let (_dir, path) = temp("usd.csv", &text);
    let out = ok(&["tariffs", "check", &path]);
    assert!(
        out.contains(
            "- replaces 47 rows of the USD 2026-10-01 card already loaded (bundled); 3 of them with different values: 1 rate changed, 1 rate added, 1 rate removed\n\
             \x20 added Bangladesh authentication_international: none -> 0.0500\n\
             \x20 removed France service: 0.03 -> none\n\
             \x20 changed Turkey marketing: 0.0109 -> 0.0110\n"
        ),
        "{out}"
    );
    let json = ok(&["tariffs", "check", &path, "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let r = &v["cards"][0]["replaces"];
    assert_eq!(
        (&r["changed"], &r["added"], &r["removed"]),
        (&1.into(), &1.into(), &1.into())
    );
    assert_eq!(
        r["cells"][0],
        serde_json::json!({"market": "Bangladesh", "category": "authentication_international", "loaded": null, "file": "0.0500", "change": "added"})
    );
}

#[test]
fn a_workbook_is_read_from_its_list_rates_and_tier_sheets() {
    let book = card("eur-2026-07-01.meta.xlsx");
    let sheets = format!(
        "waprice: note: {book}: read sheet 'List rates' of the workbook's 3 ('Read me', 'List rates', 'Volume tiers')\n"
    );
    // Every rate of the sheet equals the bundled card of its date: the numbers, stored as
    // binary floats, read back as the decimals written.
    let (out, err) = ok_with_stderr(&["tariffs", "check", &book]);
    assert!(
        out.starts_with(&format!("EUR 2026-07-01 card, priced per message: {book}, sheet 'List rates' (Meta's rate-card CSV, title 'Cost per message in EUR on the WhatsApp Business Platform, effective July 1, 2026')\nvalid: 38 markets, 123 rates, 67 n/a\n")),
        "{out}"
    );
    assert!(out.contains("0 of them with different values\n"), "{out}");
    assert!(
        out.contains(&format!(
            "- {book}, sheet 'List rates', line 3: ignored column 'Meta Business Agent'"
        )),
        "{out}"
    );
    assert_eq!(err, sheets);
    let (from_book, _) = rates_fr_eur(&book);
    assert_eq!(
        from_book.lines().nth(1),
        rates_fr_eur(&card("eur-2026-07-01.meta.csv"))
            .0
            .lines()
            .nth(1)
    );
    // --tiers takes the tier sheet: the same bill as the tier CSV, and the same rates (a
    // workbook keeps no trailing zeros: 0.001 for 0.0010), the formula's 0.0011 included.
    let india = data(INDIA);
    let args = vec!["estimate", india.as_str(), "--format", "csv", "--tiers"];
    let csv_tiers = card("tiers-synthetic.meta.csv");
    let with = |tiers: &str, cmd: &str| {
        let mut a = args.clone();
        a[0] = cmd;
        a.push(tiers);
        a.extend_from_slice(&ELIGIBLE);
        if cmd == "ledger" {
            a.retain(|x| *x != "--format" && *x != "csv");
        }
        ok_with_stderr(&a)
    };
    let (book_bill, err) = with(&book, "estimate");
    assert_eq!(book_bill, with(&csv_tiers, "estimate").0);
    assert!(err.contains("read sheet 'Volume tiers'"), "{err}");
    let rates = |ledger: String| -> Vec<(String, rust_decimal::Decimal)> {
        ledger
            .lines()
            .skip(1)
            .map(|l| {
                let f: Vec<&str> = l.split(',').collect();
                (f[6].to_string(), dec(f[7]))
            })
            .collect()
    };
    let book_rates = rates(with(&book, "ledger").0);
    assert_eq!(book_rates, rates(with(&csv_tiers, "ledger").0));
    assert!(book_rates.contains(&("4:5".to_string(), dec("0.0011"))));
    // A workbook with no sheet of rates, and a broken one, say what to do.
    fails_with(
        &["rates", "--tariff", &card("no-rates.meta.xlsx")],
        "",
        2,
        &[
            "no-rates.meta.xlsx: no sheet of the workbook holds a rate card (sheets: 'Read me';",
            "hint: export the List rates sheet as CSV",
        ],
    );
    let (_dir, broken) = temp("broken.xlsx", "PK\u{3}\u{4} not really a workbook");
    fails_with(
        &["tariffs", "check", &broken],
        "",
        2,
        &[
            "broken.xlsx: cannot read the workbook",
            "hint: export the List rates sheet as CSV",
        ],
    );
}

#[test]
fn a_csv_in_a_legacy_encoding_is_refused_with_a_hint() {
    // "€" saved as Windows-1252 (0x80) instead of UTF-8.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cp1252.csv");
    std::fs::write(
        &path,
        b"Cost per message in EUR, effective July 1, 2026\nMarket,Currency,Marketing\nFrance,\x80,0.0712\n",
    )
    .unwrap();
    fails_with(
        &["rates", "--tariff", path.to_str().unwrap()],
        "",
        2,
        &[
            "cp1252.csv, line 3: not UTF-8 text (byte 0x80) and not a spreadsheet",
            "hint: save the file as CSV UTF-8",
        ],
    );
}
