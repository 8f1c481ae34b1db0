//! The worked examples and rule cases written once as data in `tools/refcheck/examples/`
//! (NAME.csv, NAME.expected, optional NAME.args), run here through the library facade, with
//! no binary and no command line: a broken rule fails the library's own tests. The binary's
//! tests and the Python reference run the same files.

use super::*;
use crate::budget::Budget;
use crate::engine::auth_intl_from;
use crate::render::csv::CsvStyle;
use crate::render::what_if::Comparison;
use chrono::NaiveDate;
use std::str::FromStr;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tools/refcheck/examples");

// `example_names`, `rows` and `first_difference`: how the binary's tests judge an example too.
include!("../../tests/cli/expected_rows.rs");

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// One example priced by the library: its CSV, as `estimate --format csv` prints it.
fn estimate_csv(name: &str, currency: &str) -> Result<String> {
    let base = format!("{DIR}/{name}");
    let args = std::fs::read_to_string(format!("{base}.args")).unwrap_or_default();
    let mut ls = LogSettings::new(LogSource::File(format!("{base}.csv")));
    let (mut cards, mut tiers) = (Vec::new(), Vec::new());
    let (mut by, mut as_of, mut budget, mut business, mut since) = (None, None, None, None, None);
    let mut words = args.split_whitespace();
    while let Some(option) = words.next() {
        let mut value = || words.next().expect("a value after the option");
        let file = |v: &str| {
            let path = format!("{DIR}/{}", v.strip_prefix('@').unwrap());
            let text = std::fs::read_to_string(&path).unwrap();
            (path, text)
        };
        match option {
            "--timezone" => ls.timezone = chrono_tz::Tz::from_str(value()).unwrap(),
            "--log-starts-clean" => ls.engine.log_starts_clean = true,
            "--free-service-allowance" => {
                ls.engine.free_service_allowance = value().parse().unwrap()
            }
            "--budget" => budget = Some(Budget::explicit(value().parse().unwrap())),
            "--business-country" => business = Some(value()),
            "--auth-intl-since" => since = Some(date(value())),
            "--as-of" => as_of = Some(date(value())),
            "--tariff" => cards.push(file(value())),
            "--tiers" => tiers.push(file(value())),
            "--by" => {
                by = Some(match value() {
                    "market" => By::Market,
                    "category" => By::Category,
                    "market,category" => By::MarketCategory,
                    "tier" => By::Tier,
                    other => panic!("{name}: --by {other} is not mapped here"),
                })
            }
            other => panic!("{name}.args: {other} is not mapped to the library here: add it"),
        }
    }
    let t = Tariffs::load(currency, &cards, &tiers, &Overrides::default(), &mut |_| {})?;
    if let (Some(home), Some(since)) = (business, since) {
        let home = t.markets.country_by_iso(home).unwrap();
        ls.engine.auth_intl_from = auth_intl_from(&t.markets, home, since, &[]);
    }
    let budget = budget.unwrap_or_else(|| Budget::for_agents(currency, 10, true).unwrap());
    let mut out = Vec::new();
    let style = CsvStyle {
        decimal_comma: false,
        bom: false,
    };
    match as_of {
        None => crate::render::csv::estimate(&estimate(&ls, &t, &budget, by)?, style, &mut out)?,
        Some(as_of) => {
            let log = read(&ls, &t)?;
            let actual = tally(&ls, &t, Some(&log))?.report(&ls, &t, &budget, None);
            let mut what_if = ls.clone();
            what_if.engine.as_of = Some(as_of);
            let what_if = tally(&what_if, &t, Some(&log))?.report(&what_if, &t, &budget, None);
            let compare = Comparison {
                actual: &actual,
                what_if: &what_if,
                as_of,
            };
            crate::render::what_if::csv(&compare, style, &mut out)?;
        }
    }
    Ok(String::from_utf8(out).unwrap())
}

/// One example: how the library's estimate differs from the expected file, if it does.
fn check(name: &str) -> Option<String> {
    let expected = rows(&std::fs::read_to_string(format!("{DIR}/{name}.expected")).unwrap());
    let currency = expected
        .values()
        .find_map(|r| r.get("currency"))
        .map_or("EUR", String::as_str);
    let got = match estimate_csv(name, currency) {
        Ok(csv) => rows(&csv),
        Err(e) => return Some(format!("{name}: error: {e:#}")),
    };
    first_difference(name, &expected, &got)
}

#[test]
fn every_worked_example_gives_its_expected_estimate_through_the_library() {
    let names = example_names(DIR);
    assert!(names.len() >= 40, "only {} examples in {DIR}", names.len());
    let failures: Vec<String> = names.iter().filter_map(|n| check(n)).collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
