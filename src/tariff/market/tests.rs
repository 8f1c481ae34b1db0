use super::*;
use crate::country::ASSIGNED_CODES;
use crate::phone::{digit_count, normalise, PhoneError, MIN_DIGITS, POW10};

const HEADER: &str = "iso2,country,calling_code,prefixes,market,from,until\n";

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn map() -> MarketMap {
    MarketMap::bundled()
}

/// The country of a formatted number.
fn country(m: &MarketMap, number: &str) -> Result<CountryId, PhoneError> {
    m.country_of(normalise(number.as_bytes()).unwrap())
}

/// ISO code and market name of a formatted number on a date.
fn lookup(m: &MarketMap, number: &str, on: &str) -> (String, String) {
    let c = country(m, number).unwrap_or_else(|e| panic!("{number}: {e}"));
    let market = m.market_at(c, date(on));
    (m.iso(c).to_string(), m.market_name(market).to_string())
}

fn pair(iso: &str, market: &str) -> (String, String) {
    (iso.to_string(), market.to_string())
}

fn parse(body: &str) -> Result<MarketMap, BadInput> {
    MarketMap::parse(&format!("{HEADER}{body}"), "test.csv")
}

fn parse_err(body: &str) -> BadInput {
    match parse(body) {
        Ok(_) => panic!("parsed, but should not have:\n{body}"),
        Err(e) => e,
    }
}

#[test]
fn bundled_map_parses() {
    let m = map();
    // Every line of the bundled file is one row; every ISO code in it is a country.
    for line in BUNDLED.lines().skip(1) {
        let iso = &line[..2];
        let c = m
            .country_by_iso(iso)
            .unwrap_or_else(|| panic!("{iso} missing"));
        assert_eq!(m.iso(c), iso);
    }
    assert!(m.market_by_name("Other").is_some());
}

#[test]
fn nanp_area_codes_select_the_country() {
    let m = map();
    let d = "2026-01-15";
    assert_eq!(
        lookup(&m, "+1 212 555 0123", d),
        pair("US", "North America")
    );
    assert_eq!(
        lookup(&m, "+1 416 555 0123", d),
        pair("US", "North America")
    );
    assert_eq!(
        lookup(&m, "+1 876 555 0123", d),
        pair("JM", "Rest of Latin America")
    );
    assert_eq!(
        lookup(&m, "+1 658 555 0123", d),
        pair("JM", "Rest of Latin America")
    );
    assert_eq!(
        lookup(&m, "+1 809 555 0123", d),
        pair("DO", "Rest of Latin America")
    );
    assert_eq!(
        lookup(&m, "+1 849 555 0123", d),
        pair("DO", "Rest of Latin America")
    );
    assert_eq!(
        lookup(&m, "+1 787 555 0123", d),
        pair("PR", "Rest of Latin America")
    );
    assert_eq!(
        lookup(&m, "+1 939 555 0123", d),
        pair("PR", "Rest of Latin America")
    );
    assert_eq!(lookup(&m, "+1 242 555 0123", d), pair("BS", "Other"));
    assert_eq!(lookup(&m, "+1 684 555 0123", d), pair("AS", "Other"));
    assert_eq!(lookup(&m, "+1 340 555 0123", d), pair("VI", "Other"));
    assert_eq!(
        m.country_name(country(&m, "+1 242 555 0123").unwrap()),
        "Bahamas"
    );
    assert_eq!(m.calling_code(country(&m, "+1 876 555 0123").unwrap()), 1);
}

#[test]
fn kazakhstan_inside_plus_seven() {
    let m = map();
    assert_eq!(
        lookup(&m, "+7 701 234 5678", "2026-09-30"),
        pair("KZ", "Other")
    );
    assert_eq!(
        lookup(&m, "+7 701 234 5678", "2026-10-01"),
        pair("KZ", "Kazakhstan")
    );
    assert_eq!(
        lookup(&m, "+7 600 234 5678", "2027-01-01"),
        pair("KZ", "Kazakhstan")
    );
    assert_eq!(
        lookup(&m, "+7 912 345 6789", "2026-09-30"),
        pair("RU", "Russia")
    );
    assert_eq!(
        lookup(&m, "+7 912 345 6789", "2026-10-01"),
        pair("RU", "Russia")
    );
    assert_eq!(
        lookup(&m, "+7 495 123 4567", "2024-01-01"),
        pair("RU", "Russia")
    );
}

#[test]
fn dated_moves() {
    let m = map();
    let zw = "+263 77 123 4567";
    assert_eq!(lookup(&m, zw, "2022-02-01"), pair("ZW", "Other"));
    assert_eq!(lookup(&m, zw, "2025-09-30"), pair("ZW", "Other"));
    assert_eq!(lookup(&m, zw, "2025-10-01"), pair("ZW", "Rest of Africa"));
    let hu = "+36 20 123 4567";
    assert_eq!(
        lookup(&m, hu, "2026-06-30"),
        pair("HU", "Rest of Central & Eastern Europe")
    );
    assert_eq!(lookup(&m, hu, "2026-07-01"), pair("HU", "Hungary"));
    assert_eq!(lookup(&m, hu, "2030-01-01"), pair("HU", "Hungary"));
    // Extreme dates stay in range.
    let c = country(&m, hu).unwrap();
    assert_eq!(
        m.market_name(m.market_at(c, NaiveDate::MIN)),
        "Rest of Central & Eastern Europe"
    );
    assert_eq!(m.market_name(m.market_at(c, NaiveDate::MAX)), "Hungary");
}

#[test]
fn unlisted_assigned_codes_pay_other() {
    let m = map();
    for number in [
        "+53 5 123 4567",
        "+262 692 12 34 56",
        "+590 690 12 34 56",
        "+383 44 123 456",
    ] {
        let c = country(&m, number).unwrap_or_else(|e| panic!("{number}: {e}"));
        assert_eq!(m.iso(c), "", "{number}");
        assert_eq!(
            m.market_name(m.market_at(c, date("2026-01-01"))),
            "Other",
            "{number}"
        );
        assert_eq!(
            m.market_name(m.market_at(c, date("2022-01-01"))),
            "Other",
            "{number}"
        );
    }
    let cuba = country(&m, "+53 5 123 4567").unwrap();
    assert_eq!(m.country_name(cuba), "Unlisted (+53)");
    assert_eq!(m.calling_code(cuba), 53);
    assert_eq!(m.country_by_calling_code("+53"), Some(cuba));
    // Each unlisted code is its own country.
    assert_ne!(country(&m, "+262 692 12 34 56").unwrap(), cuba);
}

#[test]
fn every_assigned_code_has_a_country() {
    let m = map();
    for &code in ASSIGNED_CODES {
        let number = u64::from(code) * POW10[10 - digit_count(u64::from(code)) as usize] + 1;
        let c = m
            .country_of(number)
            .unwrap_or_else(|e| panic!("+{code}: {e}"));
        assert_eq!(m.calling_code(c), code);
    }
}

#[test]
fn global_and_unassigned_codes_are_errors() {
    let m = map();
    for number in [
        "+881 6 1234 5678",
        "+999 123 4567",
        "+800 1234 5678",
        "+808 1234 5678",
        "+870 773 123 456",
        "+878 1 0 1234 5678",
        "+882 16 1234 5678",
        "+883 5100 1234 5678",
        "+888 1234 5678",
        "+979 1234 5678",
        "+280 1234567",
        "+671 123 4567",
        "+684 123 4567",
    ] {
        assert_eq!(
            country(&m, number),
            Err(PhoneError::UnassignedCode),
            "{number}"
        );
    }
    assert_eq!(m.country_by_calling_code("+881"), None);
    assert_eq!(m.country_by_calling_code("999"), None);
    // Too few digits to hold a code and a national number.
    assert_eq!(m.country_of(0), Err(PhoneError::UnassignedCode));
    assert_eq!(m.country_of(1), Err(PhoneError::UnassignedCode));
}

#[test]
fn two_and_three_digit_codes() {
    let m = map();
    let d = "2026-01-15";
    assert_eq!(lookup(&m, "+33 6 12 34 56 78", d), pair("FR", "France"));
    assert_eq!(lookup(&m, "+34 612 345 678", d), pair("ES", "Spain"));
    assert_eq!(
        lookup(&m, "+351 912 345 678", d),
        pair("PT", "Rest of Western Europe")
    );
    assert_eq!(
        lookup(&m, "+353 85 123 4567", d),
        pair("IE", "Rest of Western Europe")
    );
    assert_eq!(
        lookup(&m, "+358 40 123 4567", d),
        pair("FI", "Rest of Western Europe")
    );
    assert_eq!(
        lookup(&m, "+359 88 123 4567", d),
        pair("BG", "Rest of Central & Eastern Europe")
    );
    assert_eq!(lookup(&m, "+20 10 1234 5678", d), pair("EG", "Egypt"));
    assert_eq!(lookup(&m, "+27 82 123 4567", d), pair("ZA", "South Africa"));
    assert_eq!(
        lookup(&m, "+212 6 12 34 56 78", d),
        pair("MA", "Rest of Africa")
    );
    assert_eq!(
        lookup(&m, "+971 50 123 4567", d),
        pair("AE", "United Arab Emirates")
    );
    // 1 and 7 followed by digits that look like other codes stay +1 / +7.
    assert_eq!(
        lookup(&m, "+1 351 555 0123", d),
        pair("US", "North America")
    );
    assert_eq!(lookup(&m, "+7 351 123 4567", d), pair("RU", "Russia"));
}

#[test]
fn longest_calling_code_wins() {
    // A made-up two-digit code 38 next to the real three-digit 381 and 385.
    let m = parse(
        "XA,Fake38,38,,Fake Market,,\n\
         RS,Serbia,381,,Rest of Central & Eastern Europe,,\n",
    )
    .unwrap();
    let d = "2026-01-01";
    assert_eq!(
        lookup(&m, "+381 60 123 4567", d),
        pair("RS", "Rest of Central & Eastern Europe")
    );
    assert_eq!(lookup(&m, "+384 60 123 4567", d), pair("XA", "Fake Market"));
    // 385 is assigned (Croatia) but unlisted here: its own code beats the shorter 38.
    let hr = country(&m, "+385 91 123 4567").unwrap();
    assert_eq!(m.country_name(hr), "Unlisted (+385)");
    assert_eq!(m.market_name(m.market_at(hr, date(d))), "Other");
}

#[test]
fn longest_prefix_wins() {
    let m = parse(
        "RU,Russia,7,,Russia,,\n\
         KZ,Kazakhstan,7,6 7,Kazakhstan,,\n\
         XB,Fake77,7,77,Fake Market,,\n",
    )
    .unwrap();
    let d = "2026-01-01";
    assert_eq!(lookup(&m, "+7 770 123 4567", d), pair("XB", "Fake Market"));
    assert_eq!(lookup(&m, "+7 701 123 4567", d), pair("KZ", "Kazakhstan"));
    assert_eq!(lookup(&m, "+7 612 123 4567", d), pair("KZ", "Kazakhstan"));
    assert_eq!(lookup(&m, "+7 912 123 4567", d), pair("RU", "Russia"));
}

#[test]
fn prefixes_may_start_with_zero() {
    let m = parse(
        "IT,Italy,39,,Italy,,\n\
         VA,Vatican,39,06698,Other,,\n",
    )
    .unwrap();
    let d = "2026-01-01";
    assert_eq!(lookup(&m, "+39 06 698 12345", d), pair("VA", "Other"));
    assert_eq!(lookup(&m, "+39 06 123 45678", d), pair("IT", "Italy"));
    assert_eq!(lookup(&m, "+39 6698 123456", d), pair("IT", "Italy"));
}

/// The four-digit lead table answers exactly as the walk through codes and prefixes, for
/// every lead and number length, on the bundled map and on maps with long and zero prefixes.
#[test]
fn the_lead_table_agrees_with_the_walk() {
    let maps = [
        map(),
        parse("RU,Russia,7,,Russia,,\nKZ,Kazakhstan,7,6 7,Kazakhstan,,\nXB,Fake77,7,77,Fake Market,,\nXC,Fake7701,7,7701 77021,Other,,\n").unwrap(),
        parse("IT,Italy,39,,Italy,,\nVA,Vatican,39,06698,Other,,\n").unwrap(),
    ];
    for m in &maps {
        for lead in 1000..10_000u64 {
            for len in MIN_DIGITS..=15 {
                let scale = POW10[len - 4];
                for tail in [0, scale / 7, scale / 3, scale - 1] {
                    let n = lead * scale + tail;
                    assert_eq!(m.country_of(n), m.country_of_slow(n), "{n}");
                }
            }
        }
    }
}

proptest::proptest! {
    #[test]
    fn lead_table_agrees_on_any_number(n in 1_000_000u64..1_000_000_000_000_000) {
        let m = map();
        proptest::prop_assert_eq!(m.country_of(n), m.country_of_slow(n));
    }
}

#[test]
fn lookups_by_iso_code_and_name() {
    let m = map();
    let fr = m.country_by_iso("FR").unwrap();
    assert_eq!(m.country_by_iso("fr"), Some(fr));
    assert_eq!(m.country_by_iso(" Fr "), Some(fr));
    assert_eq!(m.iso(fr), "FR");
    assert_eq!(m.country_name(fr), "France");
    assert_eq!(m.calling_code(fr), 33);
    assert_eq!(m.country_by_iso("XX"), None);
    assert_eq!(m.country_by_iso("F"), None);
    assert_eq!(m.country_by_iso("FRA"), None);
    assert_eq!(m.country_by_iso(""), None);
    assert_eq!(m.country_by_iso("1A"), None);

    assert_eq!(m.country_by_calling_code("+33"), Some(fr));
    assert_eq!(m.country_by_calling_code("33"), Some(fr));
    assert_eq!(m.country_by_calling_code(" +33 "), Some(fr));
    assert_eq!(m.country_by_calling_code("+1"), m.country_by_iso("US"));
    assert_eq!(m.country_by_calling_code("+7"), m.country_by_iso("RU"));
    assert_eq!(m.country_by_calling_code("+358"), m.country_by_iso("FI"));
    assert_eq!(m.country_by_calling_code("+033"), None);
    assert_eq!(m.country_by_calling_code("+1234"), None);
    assert_eq!(m.country_by_calling_code("FR"), None);
    assert_eq!(m.country_by_calling_code(""), None);
}

#[test]
fn us_and_canada_share_plus_one() {
    let m = map();
    let us = m.country_by_iso("US").unwrap();
    let ca = m.country_by_iso("CA").unwrap();
    assert_ne!(us, ca);
    assert_eq!(m.calling_code(ca), 1);
    assert_eq!(
        m.market_name(m.market_at(ca, date("2026-01-01"))),
        "North America"
    );
    assert_eq!(country(&m, "+1 416 555 0123"), Ok(us));
    // The main country wins whatever the file order.
    let m = parse(
        "CA,Canada,1,,North America,,\n\
         US,United States,1,,North America,,\n",
    )
    .unwrap();
    assert_eq!(m.iso(country(&m, "+1 212 555 0123").unwrap()), "US");
    let m = parse(
        "US,United States,1,,North America,,\n\
         CA,Canada,1,,North America,,\n",
    )
    .unwrap();
    assert_eq!(m.iso(country(&m, "+1 212 555 0123").unwrap()), "US");
    // Without a main country, the first in file order.
    let m = parse(
        "XB,Second,999,,Fake,,\n\
         XA,First,999,,Fake,,\n",
    )
    .unwrap();
    assert_eq!(m.iso(country(&m, "+999 123 4567").unwrap()), "XB");
    // The same markets split into different rows are still the same markets.
    parse(
        "US,United States,1,,North America,,2026-01-01\n\
         US,United States,1,,North America,2026-01-01,\n\
         CA,Canada,1,,North America,,\n",
    )
    .unwrap();
}

#[test]
fn shared_defaults_with_different_markets_are_an_error() {
    let e = parse_err(
        "US,United States,1,,North America,,\n\
         CA,Canada,1,,Canada,,\n",
    );
    let at = e.at.clone().unwrap();
    assert_eq!(
        (at.line, at.column.as_str(), at.value.as_str()),
        (3, "market", "Canada")
    );
    assert!(e.what.contains("+1"), "{e}");
    // Different from a date on is different too.
    parse_err(
        "US,United States,1,,North America,,\n\
         CA,Canada,1,,North America,,2027-01-01\n\
         CA,Canada,1,,Canada,2027-01-01,\n",
    );
}

#[test]
fn market_names_and_interning() {
    let mut m = map();
    let na = m.market_by_name("North America").unwrap();
    assert_eq!(m.market_by_name("north america"), Some(na));
    assert_eq!(m.market_by_name("  NORTH AMERICA "), Some(na));
    assert_eq!(m.market_name(na), "North America");
    assert_eq!(
        m.market_by_name("rest of africa").map(|x| m.market_name(x)),
        Some("Rest of Africa")
    );
    assert_eq!(m.market_by_name("Atlantis"), None);

    let names = m.market_names();
    assert!(names.contains(&"Other"));
    assert!(names.contains(&"Kazakhstan"));
    let mut sorted = names.clone();
    sorted.sort_by_key(|s| s.to_lowercase());
    assert_eq!(names, sorted);
    let count = names.len();
    assert_eq!(m.market_names(), names, "stable");

    assert_eq!(m.intern_market("north AMERICA"), na);
    assert_eq!(m.market_names().len(), count);
    let atl = m.intern_market("Atlantis");
    assert_eq!(m.market_by_name("atlantis"), Some(atl));
    assert_eq!(m.market_name(atl), "Atlantis");
    assert_eq!(m.intern_market("ATLANTIS"), atl);
    assert_eq!(m.market_names().len(), count + 1);
    assert!(m.market_names().contains(&"Atlantis"));
}

#[test]
fn markets_are_case_insensitive_in_the_file() {
    let m = parse(
        "FR,France,33,,France,,\n\
         MC,Monaco,377,,FRANCE,,\n\
         AD,Andorra,376,,other,,\n",
    )
    .unwrap();
    let fr = m.market_at(m.country_by_iso("FR").unwrap(), date("2026-01-01"));
    let mc = m.market_at(m.country_by_iso("MC").unwrap(), date("2026-01-01"));
    let ad = m.market_at(m.country_by_iso("AD").unwrap(), date("2026-01-01"));
    assert_eq!(fr, mc);
    assert_eq!(m.market_name(ad), "Other");
    assert_eq!(m.market_names(), vec!["France", "Other"]);
}

#[test]
fn dates_no_row_covers_pay_other() {
    let m = parse(
        "ZW,Zimbabwe,263,,Rest of Africa,2025-10-01,2026-01-01\n\
         ZW,Zimbabwe,263,,Rest of Africa,2026-02-01,\n",
    )
    .unwrap();
    let zw = m.country_by_iso("ZW").unwrap();
    let at = |d| m.market_name(m.market_at(zw, date(d)));
    assert_eq!(at("2025-09-30"), "Other");
    assert_eq!(at("2025-10-01"), "Rest of Africa");
    assert_eq!(at("2025-12-31"), "Rest of Africa");
    assert_eq!(at("2026-01-01"), "Other");
    assert_eq!(at("2026-01-31"), "Other");
    assert_eq!(at("2026-02-01"), "Rest of Africa");
    let m = parse("HU,Hungary,36,,Hungary,,2026-07-01\n").unwrap();
    let hu = m.country_by_iso("HU").unwrap();
    assert_eq!(
        m.market_name(m.market_at(hu, date("2026-06-30"))),
        "Hungary"
    );
    assert_eq!(m.market_name(m.market_at(hu, date("2026-07-01"))), "Other");
}

#[test]
fn rows_in_any_order() {
    let m = parse(
        "HU,Hungary,36,,Hungary,2026-07-01,\n\
         HU,Hungary,36,,Rest of Central & Eastern Europe,,2026-07-01\n",
    )
    .unwrap();
    let hu = m.country_by_iso("HU").unwrap();
    let at = |d| m.market_name(m.market_at(hu, date(d)));
    assert_eq!(at("2026-06-30"), "Rest of Central & Eastern Europe");
    assert_eq!(at("2026-07-01"), "Hungary");
}

/// (line, column, value) of an error.
fn place(e: &BadInput) -> (u64, String, String) {
    let at = e.at.clone().unwrap_or_else(|| panic!("no location: {e}"));
    (at.line, at.column, at.value)
}

fn place_of(line: u64, column: &str, value: &str) -> (u64, String, String) {
    (line, column.to_string(), value.to_string())
}

#[test]
fn parse_errors_name_line_column_and_value() {
    let ok = "FR,France,33,,France,,\n";
    let cases: &[(&str, (u64, &str, &str))] = &[
        ("F,France,33,,France,,\n", (2, "iso2", "F")),
        ("F1,France,33,,France,,\n", (2, "iso2", "F1")),
        (",France,33,,France,,\n", (2, "iso2", "")),
        ("FR,,33,,France,,\n", (2, "country", "")),
        ("FR,France,+33,,France,,\n", (2, "calling_code", "+33")),
        ("FR,France,033,,France,,\n", (2, "calling_code", "033")),
        ("FR,France,3333,,France,,\n", (2, "calling_code", "3333")),
        ("FR,France,,,France,,\n", (2, "calling_code", "")),
        ("FR,France,33,6a,France,,\n", (2, "prefixes", "6a")),
        ("FR,France,33,6 6,France,,\n", (2, "prefixes", "6 6")),
        ("FR,France,33,,,,\n", (2, "market", "")),
        ("FR,France,33,,France,2026-7-1,\n", (2, "from", "2026-7-1")),
        (
            "FR,France,33,,France,2026-02-30,\n",
            (2, "from", "2026-02-30"),
        ),
        (
            "FR,France,33,,France,01/07/2026,\n",
            (2, "from", "01/07/2026"),
        ),
        ("FR,France,33,,France,,soon\n", (2, "until", "soon")),
        (
            "FR,France,33,,France,2026-07-01,2026-07-01\n",
            (2, "until", "2026-07-01"),
        ),
        (
            "FR,France,33,,France,2026-07-02,2026-07-01\n",
            (2, "until", "2026-07-01"),
        ),
    ];
    for (row, want) in cases {
        let e = parse_err(&format!("{ok}\n{row}"));
        // The blank line still counts: the bad row is on line 4.
        let (line, column, value) = *want;
        assert_eq!(place(&e), place_of(line + 2, column, value), "{row}: {e}");
        assert!(e.hint.is_some(), "{row}: no hint");
        let shown = e.to_string();
        assert!(shown.starts_with("test.csv, line 4, column"), "{shown}");
    }
}

#[test]
fn overlapping_rows_are_an_error() {
    let e = parse_err(
        "HU,Hungary,36,,Rest of Central & Eastern Europe,,2026-07-01\n\
         HU,Hungary,36,,Hungary,2026-06-01,\n",
    );
    assert_eq!(place(&e), place_of(3, "from", "2026-06-01"));
    assert!(e.what.contains("line 2"), "{e}");
    // Two open-ended rows overlap; the later line is the one reported.
    let e = parse_err(
        "HU,Hungary,36,,Hungary,2026-07-01,\n\
         HU,Hungary,36,,Hungary,,\n",
    );
    assert_eq!(place(&e), place_of(3, "from", ""));
    let e = parse_err(
        "HU,Hungary,36,,Hungary,2026-07-01,\n\
         FR,France,33,,France,,\n\
         HU,Hungary,36,,Rest of Central & Eastern Europe,2026-01-01,2026-07-02\n",
    );
    assert_eq!(place(&e), place_of(4, "from", "2026-01-01"));
    // Touching rows do not overlap (until is exclusive).
    parse(
        "HU,Hungary,36,,Rest of Central & Eastern Europe,,2026-07-01\n\
         HU,Hungary,36,,Hungary,2026-07-01,\n",
    )
    .unwrap();
}

#[test]
fn rows_of_a_country_must_agree() {
    let e = parse_err(
        "KZ,Kazakhstan,7,6 7,Other,,2026-10-01\n\
         KZ,Kazakhstan,7,7,Kazakhstan,2026-10-01,\n",
    );
    assert_eq!(place(&e), place_of(3, "prefixes", "7"));
    let e = parse_err(
        "KZ,Kazakhstan,7,6 7,Other,,2026-10-01\n\
         KZ,Kazakhstan,77,6 7,Kazakhstan,2026-10-01,\n",
    );
    assert_eq!(place(&e), place_of(3, "calling_code", "77"));
    let e = parse_err(
        "KZ,Kazakhstan,7,6 7,Other,,2026-10-01\n\
         kz,Kazakstan,7,6 7,Kazakhstan,2026-10-01,\n",
    );
    assert_eq!(place(&e), place_of(3, "country", "Kazakstan"));
    // The same prefixes in another order and case of the ISO code are the same.
    parse(
        "KZ,Kazakhstan,7,6 7,Other,,2026-10-01\n\
         kz,Kazakhstan,7,7  6,Kazakhstan,2026-10-01,\n",
    )
    .unwrap();
}

#[test]
fn a_prefix_belongs_to_one_country() {
    let e = parse_err(
        "DO,Dominican Republic,1,809 829 849,Rest of Latin America,,\n\
         JM,Jamaica,1,876 829,Rest of Latin America,,\n",
    );
    assert_eq!(place(&e), place_of(3, "prefixes", "829 876"));
    assert!(e.what.contains("829") && e.what.contains("line 2"), "{e}");
    // The same prefix under different calling codes is fine.
    parse(
        "DO,Dominican Republic,1,809,Rest of Latin America,,\n\
         KZ,Kazakhstan,7,809,Other,,\n",
    )
    .unwrap();
}

#[test]
fn structural_errors() {
    let e = MarketMap::parse("iso2,country,calling_code,prefixes,market,from\n", "m.csv")
        .err()
        .unwrap();
    assert!(e.what.contains("'until'"), "{e}");
    assert!(e.hint.as_deref().unwrap().contains("iso2,country"), "{e}");
    let e = MarketMap::parse("", "m.csv").err().unwrap();
    assert!(e.what.contains("no 'iso2' column"), "{e}");
    let e = parse_err("FR,France,33,,France,,\nDE,Germany,49,,Germany\n");
    assert!(e.what.starts_with("test.csv, line 3:"), "{e}");
    assert!(e.what.contains("has 5 fields"), "{e}");
    let e = parse_err("FR,France,33,,France,,\n\n\nDE,Germany,49,,Germany\n");
    assert!(e.what.starts_with("test.csv, line 5:"), "{e}");
}

#[test]
fn line_numbers_count_blank_lines_and_crlf() {
    let text = "iso2,country,calling_code,prefixes,market,from,until\r\n\
                FR,France,33,,France,,\r\n\
                \r\n\
                \r\n\
                DE,Germany,49,,Germany,,\r\n\
                \n\
                ES,Spain,34,,Spain,2026-13-01,\r\n";
    let e = MarketMap::parse(text, "m.csv").err().unwrap();
    assert_eq!(place(&e), place_of(7, "from", "2026-13-01"));
    let text = "iso2,country,calling_code,prefixes,market,from,until\n\
                HU,Hungary,36,,Hungary,2026-07-01,\n\
                \n\
                HU,Hungary,36,,Hungary,2026-01-01,2026-08-01\n";
    let e = MarketMap::parse(text, "m.csv").err().unwrap();
    assert_eq!(place(&e), place_of(4, "from", "2026-01-01"));
    assert!(e.what.contains("line 2"), "{e}");
}

#[test]
fn header_order_case_spaces_and_bom() {
    let m = MarketMap::parse(
        "\u{feff}Market, ISO2 ,Country,Calling_Code,Prefixes,From,Until\n\
         France , fr , France , 33 ,, 2022-01-01 ,\n",
        "m.csv",
    )
    .unwrap();
    let fr = m.country_by_iso("FR").unwrap();
    assert_eq!(m.iso(fr), "FR");
    assert_eq!(m.country_name(fr), "France");
    assert_eq!(m.market_name(m.market_at(fr, date("2022-01-01"))), "France");
    assert_eq!(m.market_name(m.market_at(fr, date("2021-12-31"))), "Other");
    // Errors name the column as the header writes it.
    let e = MarketMap::parse(
        "Market,ISO2,Country,Calling_Code,Prefixes,From,Until\nFrance,FRA,France,33,,,\n",
        "m.csv",
    )
    .err()
    .unwrap();
    assert_eq!(place(&e), place_of(2, "ISO2", "FRA"));
}
