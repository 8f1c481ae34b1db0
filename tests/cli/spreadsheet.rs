//! Output for spreadsheets: CSV that no spreadsheet evaluates as a formula, and the byte-order
//! mark Excel on Windows needs.

use super::{parse_csv, waprice};

const NAMES: &str = "tests/data/spreadsheet/formula-names.csv";

fn run_ok(args: &[&str]) -> Vec<u8> {
    let out = waprice().args(args).output().unwrap();
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

#[test]
fn ledger_keeps_business_names_that_look_like_formulas_as_text() {
    let text = String::from_utf8(run_ok(&["ledger", NAMES])).unwrap();
    let rows = parse_csv(&text, b',');
    let business: Vec<&str> = rows.iter().map(|r| r["business"].as_str()).collect();
    assert_eq!(business, ["'=1+1", "'+cmd", "'@SUM(A1)", "'-2+3", "plain"]);
    // Numbers waprice writes itself stay numbers: E.164 recipients and rates.
    let recipients: Vec<&str> = rows.iter().map(|r| r["recipient"].as_str()).collect();
    assert_eq!(
        recipients,
        [
            "+33612345678",
            "+33612345679",
            "+4915123456789",
            "+33612345678",
            "+33612345670"
        ]
    );
    assert!(rows.iter().all(|r| r["rate"].parse::<f64>().is_ok()));
    // No field anywhere begins with a formula character unless it is a number.
    for line in text.lines() {
        for field in line.split(',') {
            if let Some(c @ ('=' | '+' | '-' | '@')) = field.chars().next() {
                assert!(
                    field[1..].chars().all(|c| c.is_ascii_digit() || c == '.'),
                    "{c} begins {field:?}"
                );
            }
        }
    }
}

#[test]
fn decimal_comma_ledger_keeps_names_as_text_too() {
    let text = String::from_utf8(run_ok(&["ledger", NAMES, "--decimal-comma"])).unwrap();
    let rows = parse_csv(&text, b';');
    assert_eq!(rows[0]["business"], "'=1+1");
    assert_eq!(rows[2]["business"], "'@SUM(A1)");
    assert_eq!(rows[0]["recipient"], "+33612345678");
    assert_eq!(rows[0]["rate"], "0,1186");
}

#[test]
fn negative_amounts_stay_numbers() {
    // Re-priced under the 2026-11 card the difference is negative: a signed number, not text.
    let text = String::from_utf8(run_ok(&[
        "estimate",
        NAMES,
        "--format",
        "csv",
        "--as-of",
        "2026-11-01",
    ]))
    .unwrap();
    let rows = parse_csv(&text, b',');
    for r in &rows {
        assert!(r["difference"].starts_with('-'), "{r:?}");
        assert!(r["difference"].parse::<f64>().unwrap() < 0.0);
    }
}

#[test]
fn bom_starts_csv_output_and_only_csv() {
    let plain = run_ok(&["estimate", NAMES, "--format", "csv"]);
    let with_bom = run_ok(&["estimate", NAMES, "--format", "csv", "--bom"]);
    assert_eq!(&with_bom[..3], b"\xEF\xBB\xBF");
    assert_eq!(&with_bom[3..], &plain[..]);
    let ledger = run_ok(&["ledger", NAMES, "--bom"]);
    assert!(ledger.starts_with(b"\xEF\xBB\xBFtime,business,"));
    let out = waprice()
        .args(["rates", "--country", "FR", "--bom"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--bom applies to CSV output"));
}
