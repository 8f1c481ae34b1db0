//! The rate history and the provenance of every price, on the real binary: published cards
//! of 2023–2026, EUR cards derived by a stated rule, and which kind of rate priced each unit
//! in the ledger, the estimate, `rates` and `tariffs --coverage`.

use super::*;

/// `rates --format csv` for one country: the market's row as (column, value) pairs.
fn rates_row(
    country: &str,
    currency: &str,
    date: &str,
) -> std::collections::BTreeMap<String, String> {
    let out = stdout(&[
        "rates",
        "--country",
        country,
        "--currency",
        currency,
        "--date",
        date,
        "--format",
        "csv",
    ]);
    let mut rows = parse_csv(&out, b',');
    assert_eq!(rows.len(), 1, "{out}");
    rows.remove(0).into_iter().collect()
}

/// `rates --format json`: the card each cell came from.
fn rates_cards(country: &str, currency: &str, date: &str) -> serde_json::Value {
    let out = stdout(&[
        "rates",
        "--country",
        country,
        "--currency",
        currency,
        "--date",
        date,
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    v["rates"][0]["cards"].clone()
}

#[test]
fn germany_2023_eur_rates_are_the_published_verbatim_ones() {
    let r = rates_row("DE", "EUR", "2023-07-01");
    assert_eq!(
        (
            r["marketing"].as_str(),
            r["utility"].as_str(),
            r["authentication"].as_str(),
            r["service"].as_str()
        ),
        ("0.1131", "0.0707", "0.0636", "0.0679")
    );
    assert_eq!(r["effective_from"], "2023-06-01");
    let cards = rates_cards("DE", "EUR", "2023-07-01");
    for c in ["marketing", "utility", "authentication", "service"] {
        assert_eq!(cards[c], "EUR 2023-06-01", "{c}: published, not derived");
    }
    // The table names the published card alone.
    let table = stdout(&[
        "rates",
        "--country",
        "DE",
        "--currency",
        "EUR",
        "--date",
        "2023-07-01",
    ]);
    assert!(table.contains("┆ EUR 2023-06-01 │"), "{table}");
}

#[test]
fn france_in_march_2024_marketing_is_published_the_rest_derived() {
    let r = rates_row("FR", "EUR", "2024-03-15");
    assert_eq!(r["marketing"], "0.1186");
    assert_eq!(r["utility"], "0.0636", "round(0.0768 x 0.8283, 4)");
    assert_eq!(r["service"], "0.0712", "the 2022 EUR user-initiated rate");
    let cards = rates_cards("FR", "EUR", "2024-03-15");
    assert_eq!(cards["marketing"], "EUR 2023-06-01");
    assert_eq!(cards["utility"], "EUR 2023-06-01 derived");
    let table = stdout(&[
        "rates",
        "--country",
        "FR",
        "--currency",
        "EUR",
        "--date",
        "2024-03-15",
    ]);
    assert!(
        table.contains(
            "EUR 2023-06-01: marketing; EUR 2023-06-01 derived: utility, authentication, service"
        ),
        "{table}"
    );
}

#[test]
fn usd_history_has_the_2024_utility_cut_and_marketing_changes() {
    let utility = |date| rates_row("BR", "USD", date)["utility"].clone();
    assert_eq!(utility("2024-07-15"), "0.0350");
    assert_eq!(utility("2024-09-15"), "0.008");
    let marketing = |date| rates_row("IN", "USD", date)["marketing"].clone();
    assert_eq!(marketing("2024-07-15"), "0.0099");
    assert_eq!(marketing("2024-10-15"), "0.0107");
    // India service before it became free, and Chile's June-2023 row.
    assert_eq!(rates_row("IN", "USD", "2024-07-15")["service"], "0.0040");
    let chile = rates_row("CL", "USD", "2023-07-01");
    assert_eq!(
        (
            chile["marketing"].as_str(),
            chile["utility"].as_str(),
            chile["service"].as_str()
        ),
        ("0.0889", "0.0586", "0.0454")
    );
}

#[test]
fn india_inr_marketing_rose_on_2026_01_01() {
    assert_eq!(rates_row("IN", "INR", "2025-12-15")["marketing"], "0.7846");
    assert_eq!(rates_row("IN", "INR", "2026-02-15")["marketing"], "0.8631");
}

#[test]
fn the_french_sample_uses_no_substitute_for_france_and_says_what_is_derived() {
    let file = "samples/fr-shop-2024-03.csv";
    let table = stdout(&["estimate", file]);
    assert!(!table.contains("substitute: France"), "{table}");
    assert!(
        !table.contains("substitute:"),
        "no substitute at all: {table}"
    );
    assert!(table.contains("109.69 EUR *"), "{table}");
    assert!(table.contains("* the cost uses derived rates"), "{table}");
    assert!(
        table.contains("- derived: 473 units in 2024-03 priced at rates derived"),
        "{table}"
    );
    assert!(
        table.contains("France utility, France authentication"),
        "{table}"
    );
    let csv = parse_csv(&estimate_csv(file, &[]), b',');
    assert_eq!(
        (csv[0]["derived"].as_str(), csv[0]["substituted"].as_str()),
        ("473", "0")
    );
    // The ledger names the card and the kind of every billed unit's rate.
    let ledger = parse_csv(&stdout(&["ledger", file]), b',');
    let mut kinds: std::collections::BTreeMap<(String, String), (String, String)> =
        Default::default();
    for r in &ledger {
        if r["pricing"] == "conversation" {
            kinds.insert(
                (r["market"].clone(), r["category"].clone()),
                (r["card"].clone(), r["rate_source"].clone()),
            );
        } else {
            assert_eq!(
                (r["card"].as_str(), r["rate_source"].as_str()),
                ("", ""),
                "{r:?}"
            );
        }
    }
    let kind = |m: &str, c: &str| kinds[&(m.to_string(), c.to_string())].clone();
    let k = |card: &str, src: &str| (card.to_string(), src.to_string());
    assert_eq!(
        kind("France", "marketing"),
        k("EUR 2023-06-01", "published")
    );
    assert_eq!(kind("France", "utility"), k("EUR 2023-06-01", "derived"));
    assert_eq!(kind("Germany", "utility"), k("EUR 2023-06-01", "published"));
    // Derived units counted in the estimate are the ledger's derived rows.
    let derived = ledger
        .iter()
        .filter(|r| r["rate_source"] == "derived")
        .count();
    assert_eq!(derived, 473);
}

#[test]
fn json_estimate_carries_derived_and_substituted_counts() {
    let out = stdout(&[
        "estimate",
        "samples/fr-shop-2024-03.csv",
        "--format",
        "json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["months"][0]["derived"], 473);
    assert_eq!(v["months"][0]["substituted"], 0);
}

#[test]
fn a_substitute_is_counted_and_marked_where_no_card_of_the_right_model_exists() {
    // USD September 2025: France has no per-message USD card before 2025-10-01.
    let csv = parse_csv(
        &estimate_csv(&data("example4-era-c.csv"), &["--currency", "USD"]),
        b',',
    );
    assert_eq!(
        (csv[0]["derived"].as_str(), csv[0]["substituted"].as_str()),
        ("0", "2")
    );
    let ledger = parse_csv(
        &stdout(&["ledger", &data("example4-era-c.csv"), "--currency", "USD"]),
        b',',
    );
    let charged: Vec<(&str, &str)> = ledger
        .iter()
        .filter(|r| r["pricing"] == "message")
        .map(|r| (r["card"].as_str(), r["rate_source"].as_str()))
        .collect();
    assert_eq!(
        charged,
        vec![
            ("USD 2024-11-01", "substitute"),
            ("USD 2024-11-01", "substitute")
        ]
    );
    let table = stdout(&["estimate", &data("example4-era-c.csv"), "--currency", "USD"]);
    assert!(table.contains("0.17 USD †"), "{table}");
}

#[test]
fn derived_and_unpriced_units_say_so_in_the_ledger() {
    // India authentication-international in EUR, July 2024: derived from USD 0.028.
    let log = "timestamp,direction,category,recipient\n2024-07-10T10:00:00Z,outbound,authentication,+919800000001\n";
    let out = waprice()
        .args([
            "ledger",
            "-",
            "--business-country",
            "FR",
            "--auth-intl-since",
            "2024-07-01",
        ])
        .write_stdin(log)
        .output()
        .unwrap();
    let ledger = String::from_utf8(out.stdout).unwrap();
    let rows = parse_csv(&ledger, b',');
    assert_eq!(rows[0]["category"], "authentication_international");
    // A derived EUR auth-intl rate exists for India from 2024-07-01.
    assert_eq!(
        (
            rows[0]["rate"].as_str(),
            rows[0]["card"].as_str(),
            rows[0]["rate_source"].as_str()
        ),
        ("0.0232", "EUR 2024-07-01", "derived")
    );
    // No GBP card has France at any date: unpriced, with no card.
    let log = "timestamp,direction,category,recipient\n2024-07-10T10:00:00Z,outbound,marketing,+33612345678\n";
    let out = waprice()
        .args(["ledger", "-", "--currency", "GBP"])
        .write_stdin(log)
        .output()
        .unwrap();
    let rows = parse_csv(&String::from_utf8(out.stdout).unwrap(), b',');
    assert_eq!(
        (
            rows[0]["rate"].as_str(),
            rows[0]["card"].as_str(),
            rows[0]["rate_source"].as_str()
        ),
        ("", "", "unpriced")
    );
}

#[test]
fn tariffs_lists_derived_cards_as_such() {
    let csv = stdout(&["tariffs", "--currency", "EUR", "--format", "csv"]);
    assert!(
        csv.contains("\nderived card,EUR,2023-06-01,conversation,31,"),
        "{csv}"
    );
    assert!(
        csv.contains("\ncard,EUR,2023-06-01,conversation,2,"),
        "{csv}"
    );
    let table = stdout(&["tariffs", "--currency", "EUR"]);
    assert!(
        table.contains("┆ derived          ┆ bundled derived │"),
        "{table}"
    );
    assert!(
        table.contains("- EUR 2023-06-01 derived: derived: round(USD 2023-06-01 x 0.8283, 4)"),
        "{table}"
    );
    let json: serde_json::Value = serde_json::from_str(&stdout(&[
        "tariffs",
        "--currency",
        "EUR",
        "--format",
        "json",
    ]))
    .unwrap();
    let derived: Vec<&serde_json::Value> = json["cards"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["derived"] == true)
        .collect();
    assert!(!derived.is_empty());
    assert!(derived.iter().all(|c| c["confidence"] == "derived"));
}

#[test]
fn coverage_says_per_market_category_and_month_what_kind_of_rate_is_in_force() {
    let csv = stdout(&[
        "tariffs",
        "--coverage",
        "--currency",
        "EUR",
        "--from",
        "2023-05",
        "--to",
        "2023-07",
        "--format",
        "csv",
    ]);
    assert!(
        csv.starts_with("market,category,month,rate,card,rate_source\n"),
        "{csv}"
    );
    for line in [
        "Germany,marketing,2023-07,0.1131,EUR 2023-06-01,published",
        "France,utility,2023-07,0.0636,EUR 2023-06-01,derived",
        "France,business_initiated,2023-05,0.1186,EUR 2022-02-01,published",
        "Germany,authentication_international,2023-07,,,unpriced",
    ] {
        assert!(csv.contains(&format!("\n{line}\n")), "{line} in {csv}");
    }
    // Era A months bill no marketing: no such row.
    assert!(!csv.contains("\nGermany,marketing,2023-05,"), "{csv}");
    let table = stdout(&[
        "tariffs",
        "--coverage",
        "--currency",
        "EUR",
        "--from",
        "2023-05",
        "--to",
        "2023-07",
    ]);
    assert!(table.contains("P published  d derived"), "{table}");
    let line = |label: &str| {
        table
            .lines()
            .find(|l| l.starts_with(label))
            .unwrap_or_else(|| panic!("{label} in {table}"))
            .split_at(label.len())
            .1
            .trim()
            .to_string()
    };
    assert_eq!(line("Germany marketing "), "PP");
    assert_eq!(line("France utility "), "dd");
    assert_eq!(line("France user_initiated "), "P");
    // Hong Kong became a market of its own on 2026-07-01: no cell before.
    let csv = stdout(&[
        "tariffs",
        "--coverage",
        "--currency",
        "EUR",
        "--from",
        "2026-06",
        "--to",
        "2026-07",
        "--format",
        "csv",
    ]);
    assert!(!csv.contains("\nHong Kong,marketing,2026-06,"), "{csv}");
    assert!(csv.contains("\nHong Kong,marketing,2026-07,"), "{csv}");
    // --coverage needs a currency; a bad month is refused with the flag named.
    let out = waprice().args(["tariffs", "--coverage"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--coverage needs --currency"));
    let out = waprice()
        .args([
            "tariffs",
            "--coverage",
            "--currency",
            "EUR",
            "--from",
            "2023-13",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--from 2023-13: not a month"));
}

#[test]
fn cards_in_other_currencies_price_their_markets() {
    let idr = rates_row("ID", "IDR", "2026-10-15");
    assert_eq!(
        (idr["marketing"].as_str(), idr["service"].as_str()),
        ("586.33", "356.65")
    );
    let brl = rates_row("BR", "BRL", "2026-10-15");
    assert_eq!(
        (brl["marketing"].as_str(), brl["service"].as_str()),
        ("0.3217", "0.0350")
    );
}

/// A line whose rates come from two cards (Brazil in USD, August 2024: a partial card lowered
/// utility only) carries the newer card's date and names both cards with their categories,
/// so a spreadsheet row never dates 0.008 to a card that said 0.0350.
#[test]
fn a_rates_line_from_two_cards_is_dated_by_the_newer_and_names_both() {
    let r = rates_row("BR", "USD", "2024-08-01");
    assert_eq!(
        (r["utility"].as_str(), r["marketing"].as_str()),
        ("0.008", "0.0625")
    );
    assert_eq!(r["effective_from"], "2024-08-01");
    let source = &r["source"];
    let newer = source.find("USD 2024-08-01 (utility): ").expect(source);
    let older = source
        .find("USD 2023-06-01 (marketing, authentication, service): ")
        .expect(source);
    assert!(newer < older, "newest card first: {source}");
    // The month before, every rate came from the 2023 card: its date and source alone.
    let july = rates_row("BR", "USD", "2024-07-15");
    assert_eq!(
        (july["utility"].as_str(), july["effective_from"].as_str()),
        ("0.0350", "2023-06-01")
    );
    assert!(
        !july["source"].contains("USD 2023-06-01 ("),
        "{}",
        july["source"]
    );
}
