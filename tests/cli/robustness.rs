//! Robustness, through the real binary: a corpus of bad inputs with the outcome of
//! each (tests/data/bad/), inputs the fuzzer found (tests/data/fuzz/), and properties of the
//! whole pipeline on generated logs (proptest).

use super::*;
use proptest::prelude::*;
use rust_decimal::Decimal;
use std::collections::BTreeMap;

// ---- The bad-input corpus -----------------------------------------------------------------

/// What a user sees for one file of tests/data/bad/.
struct Case {
    file: &'static str,
    args: &'static [&'static str],
    /// Exit code: 0 = an estimate, 2 = bad input.
    code: i32,
    /// On success: the CSV rows after the header, exactly.
    rows: &'static str,
    /// Strings stderr must contain (on failure it must also start with `error: `).
    stderr: &'static [&'static str],
}

/// The bill of the corpus's well-formed log: a marketing template billed, an in-window
/// utility template free.
const BILL: &str = "2025-09,1,0,0,0,0,0,0,1,1,0,0.1186,50,0,EUR,0,0\n";

const CORPUS: &[Case] = &[
    Case {
        file: "bom.csv",
        args: &[],
        code: 0,
        rows: BILL,
        stderr: &[],
    },
    // A mark alone on the first line: dropped, then the empty line skipped.
    Case {
        file: "bom-own-line.csv",
        args: &[],
        code: 0,
        rows: BILL,
        stderr: &[],
    },
    Case {
        file: "crlf.csv",
        args: &[],
        code: 0,
        rows: BILL,
        stderr: &[],
    },
    Case {
        file: "cr-only.csv",
        args: &[],
        code: 0,
        rows: BILL,
        stderr: &[],
    },
    // Errors name the physical line: \r\n and a lone \r are one line break each, and
    // empty lines count (the csv crate said line 2 for line 6 here).
    Case {
        file: "crlf-blank-lines-bad-row.csv",
        args: &[],
        code: 2,
        rows: "",
        stderr: &["crlf-blank-lines-bad-row.csv, line 6, column 'direction': unknown direction (value 'bogus')"],
    },
    Case {
        file: "cr-only-bad-row.csv",
        args: &[],
        code: 2,
        rows: "",
        stderr: &["cr-only-bad-row.csv, line 3, column 'direction': unknown direction (value 'bogus')"],
    },
    Case {
        file: "quoted-commas-newlines.csv",
        args: &[],
        code: 2,
        rows: "",
        // The 5th record starts on line 8: quoted line breaks are counted.
        stderr: &[
            "quoted-commas-newlines.csv, line 8, column 'category': unknown category (value 'promo')",
            "hint:",
        ],
    },
    Case {
        file: "quoted-commas-newlines.csv",
        args: &["--skip-invalid"],
        code: 0,
        rows: BILL,
        stderr: &["read 4 rows; skipped 1 invalid", "line 8"],
    },
    Case {
        file: "empty.csv",
        args: &[],
        code: 2,
        rows: "",
        stderr: &["empty.csv: the file is empty: no header row", "hint:"],
    },
    Case {
        file: "blank-lines-only.csv",
        args: &[],
        code: 2,
        rows: "",
        stderr: &["blank-lines-only.csv: the file is empty", "hint:"],
    },
    Case {
        file: "header-only.csv",
        args: &[],
        code: 0,
        rows: "",
        stderr: &[],
    },
    Case {
        file: "ragged-long.csv",
        args: &[],
        code: 2,
        rows: "",
        stderr: &[
            "ragged-long.csv, line 3: row has 5 fields but the header has 4 (field 5 is '+33612345678')",
            "hint: a field holding a comma must be enclosed in double quotes",
        ],
    },
    Case {
        file: "ragged-short.csv",
        args: &[],
        code: 2,
        rows: "",
        stderr: &[
            "ragged-short.csv, line 3, column 'recipient': row has 3 fields but the header has 4",
            "hint:",
        ],
    },
    Case {
        file: "ragged-short-optional.csv",
        args: &[],
        code: 0,
        rows: BILL,
        stderr: &[],
    },
    Case {
        file: "invalid-utf8.csv",
        args: &[],
        code: 2,
        rows: "",
        stderr: &[
            "invalid-utf8.csv, line 3, column 'direction': unknown direction (value 'outb\u{FFFD}und')",
            "hint:",
        ],
    },
    Case {
        file: "invalid-utf8-unread-column.csv",
        args: &[],
        code: 0,
        rows: BILL,
        stderr: &[],
    },
    Case {
        file: "one-mb-field-unread.csv",
        args: &[],
        code: 0,
        rows: BILL,
        stderr: &[],
    },
    Case {
        file: "one-mb-field-recipient.csv",
        args: &[],
        code: 2,
        rows: "",
        stderr: &[
            "one-mb-field-recipient.csv, line 2, column 'recipient': has 1048578 digits",
            "666666…')",
            "hint:",
        ],
    },
    Case {
        // 25 digits after a 0: longer than any country's national numbers (it made the
        // numbering plan index past its table of powers of ten).
        file: "long-national-recipient.csv",
        args: &[],
        code: 2,
        rows: "",
        stderr: &[
            "long-national-recipient.csv, line 2, column 'recipient': has no country calling code",
            "hint: add --default-country CC",
        ],
    },
    Case {
        file: "unknown-direction.csv",
        args: &[],
        code: 2,
        rows: "",
        stderr: &[
            "unknown-direction.csv, line 3, column 'direction': unknown direction (value 'sideways')",
            "hint: use inbound",
        ],
    },
    Case {
        file: "unknown-category.csv",
        args: &[],
        code: 2,
        rows: "",
        stderr: &[
            "unknown-category.csv, line 3, column 'category': unknown category (value 'promotion')",
            "hint: templates are marketing",
        ],
    },
    Case {
        file: "timestamps-out-of-range.csv",
        args: &[],
        code: 2,
        rows: "",
        stderr: &[
            "timestamps-out-of-range.csv, line 2, column 'timestamp': timestamp out of range (value '9999-12-31T23:59:59Z')",
            "hint: use RFC 3339",
        ],
    },
    Case {
        file: "timestamps-out-of-range.csv",
        args: &["--skip-invalid"],
        code: 0,
        rows: "2025-09,1,0,0,0,0,0,0,0,1,0,0.1186,50,0,EUR,0,0\n",
        stderr: &[
            "read 6 rows; skipped 5 invalid",
            "line 3, column 'timestamp': not a valid date or time (value '99999999999999999')",
            "line 4, column 'timestamp': not a valid date or time (value '2025-02-29T10:00:00Z')",
            "line 5, column 'timestamp': not a timestamp (value '-1700000000')",
            "line 6, column 'timestamp': not a valid date or time (value '2025-09-01T25:00:00Z')",
        ],
    },
    Case {
        file: "before-2022-02-01.csv",
        args: &[],
        code: 2,
        rows: "",
        stderr: &[
            "before-2022-02-01.csv, line 2, column 'timestamp': before 2022-02-01",
            "'2022-01-31T23:59:59Z'",
            "hint: remove older rows or pass --skip-unsupported",
        ],
    },
    Case {
        file: "before-2022-02-01.csv",
        args: &["--skip-unsupported"],
        code: 0,
        rows: "2025-09,1,0,0,0,0,0,0,0,1,0,0.1186,50,0,EUR,0,0\n",
        stderr: &["read 3 rows; skipped 0 invalid and 2 before 2022-02-01"],
    },
    Case {
        file: "duplicate-headers.csv",
        args: &[],
        code: 2,
        rows: "",
        stderr: &[
            "duplicate-headers.csv: the header has two columns named 'recipient' (columns 4 and 5)",
            "hint: rename or remove one of them",
        ],
    },
    Case {
        file: "duplicate-unread-headers.csv",
        args: &[],
        code: 0,
        rows: BILL,
        stderr: &[],
    },
    Case {
        file: "utf16.csv",
        args: &[],
        code: 2,
        rows: "",
        stderr: &[
            "utf16.csv: the file is UTF-16 text, not UTF-8",
            "hint: a spreadsheet's \"Unicode text\" is UTF-16: save the file as \"CSV UTF-8",
        ],
    },
    Case {
        file: "semicolons.csv",
        args: &[],
        code: 0,
        rows: "2025-09,1,0,0,0,0,0,0,1,1,0,0.1186,50,0,EUR,0,0\n",
        stderr: &[],
    },
    Case {
        file: "semicolons.csv",
        args: &["--delimiter", ","],
        code: 2,
        rows: "",
        stderr: &[
            "missing required columns",
            "hint: the header is one column holding ';': pass --delimiter ';'",
        ],
    },
    Case {
        file: "binary.csv",
        args: &[],
        code: 2,
        rows: "",
        stderr: &[
            "binary.csv: not a text CSV file (binary data at byte 93)",
            "hint: waprice reads a message log as CSV text",
        ],
    },
    Case {
        file: "only-separators.csv",
        args: &[],
        code: 2,
        rows: "",
        stderr: &[
            "only-separators.csv: no column names in the header",
            "hint: the header line holds only separators",
        ],
    },
    Case {
        file: "day-first-dates.csv",
        args: &[],
        code: 2,
        rows: "",
        stderr: &[
            "day-first-dates.csv, line 2, column 'timestamp': a day/month date: which comes first is never guessed (value '05/09/2025 10:00')",
            "hint: add --date-format '%d/%m/%Y %H:%M' if this is 5 September 2025 (day first), or --date-format '%m/%d/%Y %H:%M' if it is 9 May 2025 (month first)",
        ],
    },
    Case {
        file: "day-first-dates.csv",
        args: &["--date-format", "%d/%m/%Y %H:%M"],
        code: 0,
        rows: "2025-09,1,0,0,0,0,0,0,0,1,0,0.1186,50,0,EUR,0,0\n",
        stderr: &[],
    },
    Case {
        file: "excel-serial-dates.csv",
        args: &[],
        code: 2,
        rows: "",
        stderr: &[
            "excel-serial-dates.csv, line 2, column 'timestamp': a number too small for Unix time",
            "hint: as a spreadsheet's serial date this is 2025-09-01 10:00:00: add --date-format excel",
        ],
    },
    Case {
        file: "excel-serial-dates.csv",
        args: &["--skip-invalid", "--skip-unsupported"],
        code: 2,
        rows: "",
        stderr: &[
            "excel-serial-dates.csv: every row was skipped (2 of 2), so nothing was estimated: 2 × column 'timestamp': a number too small for Unix time",
            "add --date-format excel; --skip-invalid and --skip-unsupported are for a few bad rows, not a whole log",
        ],
    },
    Case {
        file: "excel-serial-dates.csv",
        args: &["--date-format", "excel"],
        code: 0,
        rows: "2025-09,1,0,0,0,0,0,0,0,1,0,0.1186,50,0,EUR,0,0\n",
        stderr: &[],
    },
    Case {
        file: "future-dates.csv",
        args: &[],
        code: 0,
        rows: "2025-09,1,1,0,0,0,0,0,0,2,0,0.1434,50,0,EUR,0,0\n",
        stderr: &["warning: future-dates.csv: 1 message is dated after today (the first: line 4, column 'timestamp', 2099-09-01 10:10:00 in UTC): a mistyped year?"],
    },
    Case {
        file: "unclosed-quote.csv",
        args: &["--skip-invalid"],
        code: 2,
        rows: "",
        stderr: &[
            "unclosed-quote.csv, line 3: a quoted field holds 1 line like rows of the log: a quote is probably never closed",
            "hint: close the quote",
        ],
    },
    Case {
        file: "unclosed-quote-short-rows.csv",
        args: &[],
        code: 2,
        rows: "",
        stderr: &[
            "unclosed-quote-short-rows.csv, line 3: a quoted field holds 8 lines like rows of the log: a quote is probably never closed",
        ],
    },
    Case {
        file: "unclosed-quote-read-column-short-rows.csv",
        args: &["--skip-invalid"],
        code: 2,
        rows: "",
        stderr: &[
            "unclosed-quote-read-column-short-rows.csv, line 3: a quoted field holds 8 lines like rows of the log: a quote is probably never closed",
        ],
    },
    Case {
        file: "unclosed-quote-last-column.csv",
        args: &[],
        code: 2,
        rows: "",
        stderr: &[
            "unclosed-quote-last-column.csv, line 2: a quoted field holds 2 lines like rows of the log",
            "even with --skip-invalid",
        ],
    },
];

fn bad(file: &str) -> String {
    format!("tests/data/bad/{file}")
}

#[test]
fn every_bad_input_has_its_documented_outcome() {
    for case in CORPUS {
        let out = waprice()
            .current_dir("tests/data/bad")
            .args(["estimate", case.file, "--format", "csv"])
            .args(case.args)
            .output()
            .unwrap();
        let (stdout, stderr) = (
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
        );
        let what = format!("{} {:?}: stderr {stderr}", case.file, case.args);
        assert_eq!(out.status.code(), Some(case.code), "{what}");
        if case.code == 0 {
            assert_eq!(stdout, HEADER.to_string() + case.rows, "{what}");
        } else {
            assert!(stderr.starts_with("error: "), "{what}");
            assert_eq!(stdout, "", "{what}");
        }
        for needle in case.stderr {
            assert!(stderr.contains(needle), "missing {needle:?} in {what}");
        }
        // An error is a few lines, whatever the size of the bad value.
        assert!(stderr.len() < 2_000, "{what}");
    }
}

#[test]
fn every_corpus_file_has_an_outcome_and_a_line_in_the_docs() {
    let readme = std::fs::read_to_string("docs/robustness.md").unwrap();
    let mut files: Vec<String> = std::fs::read_dir("tests/data/bad")
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|f| f.ends_with(".csv"))
        .collect();
    files.sort();
    assert!(files.len() >= 20, "{files:?}");
    for f in &files {
        assert!(
            CORPUS.iter().any(|c| c.file == f),
            "tests/data/bad/{f} has no expected outcome in CORPUS"
        );
        assert!(
            readme.contains(&format!("`{f}`")),
            "tests/data/bad/{f} is not in docs/robustness.md's table"
        );
    }
}

/// Runs `args` and checks the process ended the way a user can act on: success, or exit 2
/// with one `error:` message; never a panic, never exit 1 (that is for I/O failures).
fn ends_cleanly(args: &[&str], stdin: Option<Vec<u8>>) -> std::process::Output {
    let mut cmd = waprice();
    cmd.args(args);
    if let Some(stdin) = stdin {
        cmd.write_stdin(stdin);
    }
    let out = cmd.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("panicked") && !stderr.contains("RUST_BACKTRACE"),
        "{args:?} panicked: {stderr}"
    );
    match out.status.code() {
        Some(0) => {}
        Some(2) => assert!(stderr.starts_with("error: "), "{args:?}: {stderr}"),
        other => panic!("{args:?} exited with {other:?}: {stderr}"),
    }
    out
}

#[test]
fn no_bad_input_panics_in_any_command_or_format() {
    for file in std::fs::read_dir("tests/data/bad").unwrap() {
        let path = file.unwrap().path();
        let path = path.to_str().unwrap();
        for args in [
            &["estimate", path][..],
            &["estimate", path, "--format", "json", "--skip-invalid"],
            &[
                "estimate",
                path,
                "--skip-invalid",
                "--skip-unsupported",
                "--as-of",
                "2026-10-01",
            ],
            &[
                "ledger",
                path,
                "--skip-invalid",
                "--timezone",
                "Asia/Kolkata",
            ],
        ] {
            ends_cleanly(args, None);
        }
    }
}

#[test]
fn header_only_log_is_an_empty_estimate_that_says_why() {
    let out = stdout(&["estimate", &bad("header-only.csv")]);
    assert!(
        out.contains("- empty log: the file has a header but no rows, so there is nothing to bill"),
        "{out}"
    );
    assert!(out.contains("- rows: 0 read = 0 inbound"), "{out}");
    assert!(
        out.contains("│ total ┆    0 ┆        0 ┆ 0.00 EUR"),
        "{out}"
    );
    let json: serde_json::Value = serde_json::from_str(&stdout(&[
        "estimate",
        &bad("header-only.csv"),
        "--format",
        "json",
    ]))
    .unwrap();
    assert_eq!(json["months"], serde_json::json!([]));
    assert_eq!(
        stdout(&["ledger", &bad("header-only.csv")]),
        "time,business,recipient,market,category,pricing,tier,rate,currency,month,card,rate_source\n"
    );
    // A log with rows says nothing of the kind.
    assert!(!stdout(&["estimate", &bad("bom.csv")]).contains("empty log"));
}

#[test]
fn quoted_commas_and_line_breaks_stay_inside_their_field() {
    let ledger = stdout(&[
        "ledger",
        &bad("quoted-commas-newlines.csv"),
        "--skip-invalid",
    ]);
    let rows = parse_csv(&ledger, b',');
    assert_eq!(rows.len(), 2, "{ledger}");
    for r in &rows {
        assert_eq!(r["business"], "Acme, Inc");
        assert_eq!(r["recipient"], "+33612345678");
    }
}

#[test]
fn a_row_longer_than_the_header_is_never_read_shifted() {
    // The body's unquoted comma would shift an empty field into category: a marketing
    // template read as a free-form message, free in the customer service window.
    let log = "timestamp,direction,recipient,body,category\n\
               2025-09-01T10:00:00Z,inbound,+33612345678,hi,\n\
               2025-09-01T10:05:00Z,outbound,+33612345678,Sale today,,marketing\n";
    fails_with(
        &["estimate", "-"],
        log,
        2,
        &[
            "<stdin>, line 3: row has 6 fields but the header has 5 (field 6 is 'marketing')",
            "hint: a field holding a comma must be enclosed in double quotes",
        ],
    );
    waprice()
        .args(["estimate", "-", "--skip-invalid", "--format", "csv"])
        .write_stdin(log)
        .assert()
        .success()
        .stdout(HEADER)
        .stderr(predicate::str::contains("read 2 rows; skipped 1 invalid"));
}

/// An unclosed quote turns every later line into the text of one field. In a column waprice
/// does not read, those rows used to vanish with exit 0 (here: a marketing template, so a
/// bill of 0.00 instead of 0.12); with --skip-invalid they were skipped as one row. Rows that
/// leave out their trailing optional fields (fewer separators than the header) vanished too:
/// 2 messages billed of 10.
#[test]
fn an_unclosed_quote_never_swallows_later_rows() {
    for file in [
        "unclosed-quote.csv",
        "unclosed-quote-last-column.csv",
        "unclosed-quote-short-rows.csv",
        "unclosed-quote-read-column-short-rows.csv",
    ] {
        let path = bad(file);
        for skip in [&[][..], &["--skip-invalid"]] {
            let args = [&["estimate", path.as_str()][..], skip].concat();
            fails_with(&args, "", 2, &["a quote is probably never closed", "hint:"]);
        }
    }
    // A quoted field with line breaks that do not look like rows is still read.
    let log = "timestamp,direction,category,recipient,note\n\
               2025-09-01T10:00:00Z,outbound,marketing,+33612345678,\"Dear customer,\nyour order, as agreed,\nships\"\n";
    waprice()
        .args(["estimate", "-", "--format", "csv"])
        .write_stdin(log)
        .assert()
        .success()
        .stdout(predicate::str::contains("2025-09,1,"));
}

#[test]
fn a_delivery_time_before_2022_is_reported_in_its_own_column() {
    fails_with(
        &["estimate", "-"],
        "timestamp,delivered_at,direction,category,recipient\n\
         2025-09-01T10:00:00Z,2021-09-01T10:00:00Z,outbound,marketing,+33612345678\n",
        2,
        &[
            "line 2, column 'delivered_at': before 2022-02-01",
            "(value '2021-09-01T10:00:00Z')",
        ],
    );
}

// ---- Inputs the fuzzer found ----------------------------------------------------------------

/// Every file in tests/data/fuzz/ was made by `cargo fuzz` (see docs/robustness.md): inputs
/// that crashed it (`crash-*`; none so far) and a sample of its corpus that reaches the engine
/// (`ok-*`) or each kind of error (`err-*`). The first byte is the fuzz target's option byte;
/// the rest is the log, run here through the binary with the same options.
#[test]
fn inputs_the_fuzzer_found_end_cleanly() {
    let dir: Vec<_> = std::fs::read_dir("tests/data/fuzz").unwrap().collect();
    assert!(dir.len() >= 20, "tests/data/fuzz/ lost its inputs");
    for file in dir {
        let path = file.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        let Some((&flags, log)) = bytes.split_first() else {
            continue;
        };
        let mut options = Vec::new();
        if flags & 1 != 0 {
            options.push("--skip-invalid");
        }
        if flags & 2 != 0 {
            options.push("--skip-unsupported");
        }
        let zones = ["UTC", "Europe/Paris", "America/New_York", "Pacific/Chatham"];
        options.extend(["--timezone", zones[usize::from(flags >> 2) & 3]]);
        if flags & 0x10 != 0 {
            options.extend(["--free-service-allowance", "2"]);
        }
        if flags & 0x80 != 0 {
            options.extend(["--currency", "USD"]);
        }
        let as_of: &[&str] = match flags >> 5 & 3 {
            1 => &["--as-of", "2022-03-01"],
            2 => &["--as-of", "2026-10-15"],
            _ => &[],
        };
        let estimate = [&["estimate", "-", "--format", "json"][..], &options, as_of].concat();
        let out = ends_cleanly(&estimate, Some(log.to_vec()));
        let name = path.file_name().unwrap().to_str().unwrap();
        let expected = if name.starts_with("err-") { 2 } else { 0 };
        assert_eq!(out.status.code(), Some(expected), "{name}");
        ends_cleanly(
            &[&["ledger", "-"][..], &options].concat(),
            Some(log.to_vec()),
        );
    }
}

// ---- Properties of the whole pipeline on generated logs -------------------------------------
//
// Logs are generated here (not by the engine's internals, which are being restructured for
// speed) and run through the binary, so each property states what a user would check by hand.
// Case counts are modest: each case runs the binary a few times.

/// Customers in several markets (France twice, Spain, Germany, US, the Dominican Republic
/// inside +1, India, Brazil, the UK, Nigeria), as digits with the country calling code.
const CUSTOMERS: [&str; 10] = [
    "33612345678",
    "33798765432",
    "34612345678",
    "4915112345678",
    "12125551234",
    "18095551234",
    "919812345678",
    "5511987654321",
    "447911123456",
    "2348031234567",
];
const BUSINESSES: [&str; 2] = ["33186760000", "33186760001"];

/// Windows of time around each rule change, in Unix seconds (UTC), where logs start.
const STARTS: [i64; 8] = [
    1_646_132_400, // 2022-03-01T11:00:00Z, era A
    1_685_440_800, // 2023-05-30T10:00:00Z, across eras A -> B
    1_709_287_200, // 2024-03-01T10:00:00Z, era B (EUR prices with substitutes)
    1_730_282_400, // 2024-10-30T10:00:00Z, across the end of paid service conversations
    1_751_191_200, // 2025-06-29T10:00:00Z, across eras B -> C (utility switch-over)
    1_756_720_800, // 2025-09-01T10:00:00Z, era C
    1_790_676_000, // 2026-09-29T10:00:00Z, across eras C -> D
    1_791_194_400, // 2026-10-05T10:00:00Z, era D
];

/// Gaps between consecutive rows: equal times, minutes, hours, and the edges of the 24h and
/// 72h windows (which are half-open).
const GAPS: [i64; 9] = [
    0, 60, 1_800, 10_800, 86_340, 86_400, 86_460, 259_200, 432_000,
];

#[derive(Debug, Clone)]
enum What {
    Inbound {
        entry_point: bool,
    },
    /// 0 marketing, 1 marketing_lite, 2 utility, 3 authentication.
    Template(u8),
    /// 0 empty, 1 service, 2 text.
    FreeForm(u8),
}

#[derive(Debug, Clone)]
struct Row {
    /// Unix seconds.
    t: i64,
    what: What,
    customer: usize,
    business: usize,
    delivered: bool,
}

impl Row {
    fn is_business(&self) -> bool {
        !matches!(self.what, What::Inbound { .. })
    }
}

#[derive(Debug, Clone)]
struct GenLog {
    rows: Vec<Row>,
    with_business: bool,
    currency: &'static str,
    /// `--timezone`: where months and rule dates start.
    zone: &'static str,
    /// `--free-service-allowance` (era D, per business number and month).
    allowance: &'static str,
}

/// Zones with DST, without, and with offsets off the hour.
const ZONES: [&str; 5] = [
    "UTC",
    "Europe/Paris",
    "America/New_York",
    "America/Sao_Paulo",
    "Pacific/Chatham",
];

fn what() -> impl Strategy<Value = What> {
    prop_oneof![
        4 => any::<u8>().prop_map(|b| What::Inbound { entry_point: b % 6 == 0 }),
        4 => (0u8..4).prop_map(What::Template),
        3 => (0u8..3).prop_map(What::FreeForm),
    ]
}

fn gen_log(max_rows: usize) -> impl Strategy<Value = GenLog> {
    (
        prop::sample::select(&STARTS[..]),
        1usize..=4, // customers in the log
        prop::collection::vec(
            (
                prop::sample::select(&GAPS[..]),
                what(),
                0usize..4,
                0usize..2,
                prop::bool::weighted(0.9),
            ),
            1..max_rows,
        ),
        any::<bool>(),
        prop::sample::select(&["EUR", "USD"][..]),
        prop::sample::select(&ZONES[..]),
        prop::sample::select(&["0", "0", "1", "3"][..]),
    )
        .prop_map(
            |(start, customers, cells, with_business, currency, zone, allowance)| {
                let mut t = start;
                let rows = cells
                    .into_iter()
                    .map(|(gap, what, customer, business, delivered)| {
                        t += gap;
                        Row {
                            t,
                            what,
                            customer: customer % customers,
                            business: if with_business { business } else { 0 },
                            delivered,
                        }
                    })
                    .collect();
                GenLog {
                    rows,
                    with_business,
                    currency,
                    zone,
                    allowance,
                }
            },
        )
}

/// How a row's number and time are written: every style means the same number and instant.
#[derive(Debug, Clone, Copy, Default)]
struct Style {
    phone: u8,
    time: u8,
}

fn phone(digits: &str, style: u8) -> String {
    let (a, b) = digits.split_at(2);
    let (b, c) = b.split_at(3);
    match style % 8 {
        0 => format!("+{digits}"),
        1 => digits.to_string(),
        2 => format!("00{digits}"),
        3 => format!("whatsapp:+{digits}"),
        4 => format!("+{a} {b} {c}"),
        5 => format!("+{a} ({b}) {}-{}", &c[..2], &c[2..]),
        6 => format!("  +{a}.{b}.{c} "),
        _ => format!("+{a}\u{a0}{b}\u{202f}{c}"),
    }
}

fn time(t: i64, style: u8, zone: &str) -> String {
    use chrono::TimeZone;
    let utc = chrono::DateTime::from_timestamp(t, 0).unwrap();
    let tz: chrono_tz::Tz = zone.parse().unwrap();
    let local = utc.with_timezone(&tz).naive_local();
    // A local time that clocks going back show twice reads as the earlier instant (docs/design.md):
    // write those with an offset instead.
    let style = match tz.from_local_datetime(&local) {
        chrono::LocalResult::Single(_) => style,
        _ => 0,
    };
    match style % 9 {
        0 => utc.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        1 => utc
            .with_timezone(&chrono::FixedOffset::east_opt(5 * 3600 + 1800).unwrap())
            .to_rfc3339(),
        2 => local.format("%Y-%m-%d %H:%M:%S").to_string(), // local time in --timezone
        3 => t.to_string(),
        4 => (t * 1000).to_string(),
        // As exports write them: RFC 2822 (quoted: it holds a comma), an offset after a
        // space, slashes, fractional Unix seconds.
        5 => format!("\"{}\"", utc.to_rfc2822()),
        6 => utc.format("%Y-%m-%d %H:%M:%S +0000").to_string(),
        7 => local.format("%Y/%m/%d %H:%M:%S").to_string(),
        _ => format!("{t}.000"),
    }
}

impl GenLog {
    /// The options every command on this log runs with.
    fn options(&self) -> [&'static str; 6] {
        [
            "--currency",
            self.currency,
            "--timezone",
            self.zone,
            "--free-service-allowance",
            self.allowance,
        ]
    }

    /// `command -` with this log's options and `extra`.
    fn args(&self, command: &'static str, extra: &[&'static str]) -> Vec<&'static str> {
        [&[command, "-"][..], &self.options(), extra].concat()
    }

    /// The log as CSV, each row written in the style `style(row index)` gives.
    fn csv_styled(&self, style: impl Fn(usize) -> Style) -> String {
        let mut out = String::from("timestamp,direction,category,recipient,entry_point,status");
        out.push_str(if self.with_business {
            ",business\n"
        } else {
            "\n"
        });
        for (i, r) in self.rows.iter().enumerate() {
            let s = style(i);
            let (direction, category, entry_point) = match r.what {
                What::Inbound { entry_point } => {
                    ("inbound", "", if entry_point { "ctwa" } else { "" })
                }
                What::Template(c) => (
                    "outbound",
                    ["marketing", "marketing_lite", "utility", "authentication"][usize::from(c)],
                    "",
                ),
                What::FreeForm(c) => ("outbound", ["", "service", "text"][usize::from(c)], ""),
            };
            let status = if r.delivered { "delivered" } else { "failed" };
            out.push_str(&format!(
                "{},{direction},{category},\"{}\",{entry_point},{status}",
                time(r.t, s.time, self.zone),
                phone(CUSTOMERS[r.customer], s.phone)
            ));
            if self.with_business {
                out.push_str(&format!(
                    ",\"{}\"",
                    phone(BUSINESSES[r.business], s.phone / 8)
                ));
            }
            out.push('\n');
        }
        out
    }

    fn csv(&self) -> String {
        self.csv_styled(|_| Style::default())
    }

    fn delivered_business(&self) -> u64 {
        self.rows
            .iter()
            .filter(|r| r.is_business() && r.delivered)
            .count() as u64
    }
}

/// The note on messages dated after today names the line of the first in file order, which
/// moves when rows are permuted: that line number is blanked out for comparing.
fn any_first_line(json: String) -> String {
    match json.split_once("(the first: line ") {
        Some((before, after)) => {
            let rest = after.trim_start_matches(|c: char| c.is_ascii_digit());
            format!("{before}(the first: line N{rest}")
        }
        None => json,
    }
}

/// Runs a command on a log given as a file (`-` in `args` is replaced by its path); it must
/// succeed. A file in time order is streamed, an unsorted one read whole and sorted.
fn run(args: &[&str], log: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("log.csv");
    std::fs::write(&path, log).unwrap();
    let path = path.to_str().unwrap();
    let args: Vec<&str> = args
        .iter()
        .map(|&a| if a == "-" { path } else { a })
        .collect();
    run_with(waprice().args(&args), &args, log)
}

/// [`run`] with the log on standard input, which is always read whole and sorted.
fn run_stdin(args: &[&str], log: &str) -> String {
    run_with(waprice().args(args).write_stdin(log.to_string()), args, log)
}

fn run_with(cmd: &mut assert_cmd::Command, args: &[&str], log: &str) -> String {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{args:?} failed: {}\n{log}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn estimate_json(log: &GenLog, text: &str) -> String {
    run(&log.args("estimate", &["--format", "json"]), text)
}

fn estimate_csv_of(log: &GenLog, text: &str) -> String {
    run(&log.args("estimate", &["--format", "csv"]), text)
}

fn ledger(log: &GenLog, text: &str) -> String {
    run(&log.args("ledger", &[]), text)
}

/// Per month, every additive column of `estimate --format csv`.
fn month_sums(csv: &str) -> BTreeMap<String, BTreeMap<String, Decimal>> {
    const ADDITIVE: [&str; 11] = [
        "marketing",
        "utility",
        "authentication",
        "authentication_international",
        "service",
        "user_initiated",
        "business_initiated",
        "free",
        "billable",
        "unpriced",
        "cost",
    ];
    parse_csv(csv, b',')
        .into_iter()
        .map(|row| {
            let sums = ADDITIVE
                .iter()
                .map(|c| (c.to_string(), dec(&row[*c])))
                .collect();
            (row["month"].clone(), sums)
        })
        .collect()
}

/// The numbers of the `rows:` note of `estimate`.
#[derive(Debug, PartialEq, Eq)]
struct RowNote {
    read: u64,
    inbound: u64,
    business: u64,
    skipped: u64,
    billed: u64,
    free: u64,
    covered: u64,
    rejected: u64,
    undelivered: u64,
}

fn row_note(json: &str) -> RowNote {
    let v: serde_json::Value = serde_json::from_str(json).unwrap();
    let note = v["notes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|n| n.as_str())
        .find(|n| n.starts_with("rows: "))
        .unwrap_or_else(|| panic!("no rows: note in {json}"));
    let n: Vec<u64> = note
        .split(|c: char| !c.is_ascii_digit())
        .filter(|w| !w.is_empty())
        .map(|w| w.parse().unwrap())
        .collect();
    assert_eq!(n.len(), 9, "{note}");
    RowNote {
        read: n[0],
        inbound: n[1],
        business: n[2],
        skipped: n[3],
        billed: n[4],
        free: n[5],
        covered: n[6],
        rejected: n[7],
        undelivered: n[8],
    }
}

/// The same log with its rows shuffled, except that rows with equal times keep their
/// relative order (the one order the rules depend on, docs/rules.md, Vocabulary).
fn permuted(log: &GenLog, keys: &[u32]) -> GenLog {
    let mut order: Vec<usize> = (0..log.rows.len()).collect();
    order.sort_by_key(|&i| (keys[i % keys.len()], i));
    // Each time's positions, refilled with that time's rows in file order.
    let mut by_time: BTreeMap<i64, std::collections::VecDeque<usize>> = BTreeMap::new();
    for (i, r) in log.rows.iter().enumerate() {
        by_time.entry(r.t).or_default().push_back(i);
    }
    let rows = order
        .iter()
        .map(|&i| {
            let j = by_time
                .get_mut(&log.rows[i].t)
                .unwrap()
                .pop_front()
                .unwrap();
            log.rows[j].clone()
        })
        .collect();
    GenLog {
        rows,
        ..log.clone()
    }
}

/// `cases` per property, or `PROPTEST_CASES` when set (to run many more by hand).
/// The same log with some rows moved after later ones (swaps of neighbours less than an
/// hour apart with different times): a file sorted by send time whose delivery times lag.
fn late(log: &GenLog, keys: &[u32]) -> GenLog {
    let mut rows = log.rows.clone();
    for i in 1..rows.len() {
        let (a, b) = (rows[i - 1].t, rows[i].t);
        if keys[i % keys.len()].is_multiple_of(2) && a != b && (a - b).abs() < 3_600 {
            rows.swap(i - 1, i);
        }
    }
    GenLog {
        rows,
        ..log.clone()
    }
}

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(cases),
        max_shrink_iters: 256,
        ..ProptestConfig::default()
    }
}

/// A log large enough for the paths small logs never take: many reading batches, the sort on
/// two cores (from 65,536 messages) and the replay handing events over in many batches, over
/// eras B, C and D. Streamed in time order, shuffled (read whole and sorted) and on standard
/// input, it gives the same estimate and ledger. Every row has its own time, so
/// the order of ties cannot differ.
#[test]
fn a_large_log_streamed_shuffled_or_piped_gives_the_same_bill() {
    let mut rng = 0x9E37_79B9_7F4A_7C15u64;
    let mut next = move || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    let start = 1_706_745_600i64; // 2024-02-01T00:00:00Z: era B, then C and D
    let mut rows = Vec::new();
    for i in 0..80_000i64 {
        let r = next();
        let t = start + i * 1_200 + (r % 600) as i64; // every row its own second
        let customer = 33_600_000_000u64 + (r >> 20) % 4_000;
        let row = match (r >> 8) % 8 {
            0..=2 => format!("{t},inbound,,+{customer},"),
            3 => format!("{t},outbound,marketing,+{customer},delivered"),
            4 => format!("{t},outbound,utility,+{customer},read"),
            5 => format!("{t},outbound,authentication,+{customer},"),
            6 => format!("{t},outbound,,+{customer},"),
            _ => format!("{t},outbound,marketing,+{customer},failed"),
        };
        rows.push(row);
    }
    let header = "timestamp,direction,category,recipient,status\n";
    let sorted = format!("{header}{}\n", rows.join("\n"));
    // A fixed shuffle (Fisher-Yates on the same generator).
    for i in (1..rows.len()).rev() {
        let j = (next() % (i as u64 + 1)) as usize;
        rows.swap(i, j);
    }
    let shuffled = format!("{header}{}\n", rows.join("\n"));
    let estimate = ["estimate", "-", "--format", "csv", "--currency", "USD"];
    let ledger = ["ledger", "-", "--currency", "USD"];
    let expected = (run(&estimate, &sorted), run(&ledger, &sorted));
    assert!(expected.0.lines().count() > 20, "{}", expected.0);
    assert_eq!(
        (run(&estimate, &shuffled), run(&ledger, &shuffled)),
        expected,
        "shuffled"
    );
    assert_eq!(
        (
            run_stdin(&estimate, &shuffled),
            run_stdin(&ledger, &shuffled)
        ),
        expected,
        "standard input"
    );
}

proptest! {
    #![proptest_config(config(24))]

    /// Permuting rows with different timestamps never changes the bill or the ledger, whether
    /// the log is streamed (a file in time order, or nearly: rows up to an hour late are put
    /// back in place), read whole and sorted (a shuffled file), or read from standard input.
    #[test]
    fn permuting_rows_never_changes_the_bill(
        log in gen_log(40),
        keys in prop::collection::vec(any::<u32>(), 40),
    ) {
        let sorted = log.csv();
        let expected = (
            any_first_line(estimate_json(&log, &sorted)),
            ledger(&log, &sorted),
        );
        let stdin = (
            any_first_line(run_stdin(&log.args("estimate", &["--format", "json"]), &sorted)),
            run_stdin(&log.args("ledger", &[]), &sorted),
        );
        prop_assert_eq!(&stdin, &expected, "standard input");
        for (how, other) in [("shuffled", permuted(&log, &keys)), ("late", late(&log, &keys))] {
            let text = other.csv();
            let got = (any_first_line(estimate_json(&log, &text)), ledger(&log, &text));
            prop_assert_eq!(&got, &expected, "{}", how);
        }
    }

    /// Splitting a log by customer and summing the parts' estimates gives the whole, month by
    /// month. Valid because windows never cross customers and these logs (under 40 rows) are
    /// far below the only counters shared across customers: the 1,000 free conversations a
    /// month of eras A and B. The era D allowance (per business number) is shared too, so it
    /// is 0 here.
    #[test]
    fn splitting_by_customer_and_summing_gives_the_whole(log in gen_log(40)) {
        let log = GenLog { allowance: "0", ..log };
        let csv_of = |l: &GenLog| estimate_csv_of(l, &l.csv());
        let whole = month_sums(&csv_of(&log));
        let mut sum: BTreeMap<String, BTreeMap<String, Decimal>> = BTreeMap::new();
        for customer in 0..CUSTOMERS.len() {
            let rows: Vec<Row> =
                log.rows.iter().filter(|r| r.customer == customer).cloned().collect();
            if rows.is_empty() {
                continue;
            }
            let part = GenLog { rows, ..log.clone() };
            for (month, cols) in month_sums(&csv_of(&part)) {
                let m = sum.entry(month).or_default();
                for (col, v) in cols {
                    *m.entry(col).or_default() += v;
                }
            }
        }
        prop_assert_eq!(whole, sum);
    }

    /// Units (and so billable units) never outnumber delivered business messages; cost is
    /// never negative and is the sum of the ledger's rates, month by month; the ledger has one
    /// row per unit; and every row is accounted for in the `rows:` note.
    #[test]
    fn units_cost_ledger_and_row_accounting_agree(log in gen_log(60)) {
        let text = log.csv();
        let estimate = estimate_csv_of(&log, &text);
        let months = month_sums(&estimate);
        let zero = Decimal::ZERO;
        let total = |col: &str| months.values().map(|m| m[col]).sum::<Decimal>();
        prop_assert!(total("billable") + total("free") <= Decimal::from(log.delivered_business()));
        let mut ledger_cost: BTreeMap<String, Decimal> = BTreeMap::new();
        let mut ledger_units: BTreeMap<String, Decimal> = BTreeMap::new();
        let mut not_units: BTreeMap<String, u64> = BTreeMap::new();
        for row in parse_csv(&ledger(&log, &text), b',') {
            let pricing = row["pricing"].clone();
            if pricing == "rejected" || pricing == "undelivered" {
                prop_assert_eq!(&row["rate"], "");
                *not_units.entry(pricing).or_default() += 1;
                continue;
            }
            *ledger_units.entry(row["month"].clone()).or_default() += Decimal::ONE;
            let rate = if row["rate"].is_empty() { zero } else { dec(&row["rate"]) };
            prop_assert!(rate >= zero, "negative rate {}", rate);
            *ledger_cost.entry(row["month"].clone()).or_default() += rate;
        }
        for (month, m) in &months {
            prop_assert!(m["cost"] >= zero);
            prop_assert!(m["billable"] <= Decimal::from(log.delivered_business()));
            prop_assert_eq!(ledger_cost.get(month).copied().unwrap_or(zero), m["cost"], "{}", month);
            prop_assert_eq!(ledger_units.get(month).copied().unwrap_or(zero), m["billable"] + m["free"]);
        }
        prop_assert_eq!(ledger_units.len(), months.len());

        let note = row_note(&estimate_json(&log, &text));
        let inbound = log.rows.iter().filter(|r| !r.is_business()).count() as u64;
        let business = log.rows.len() as u64 - inbound;
        let undelivered = log.rows.iter().filter(|r| r.is_business() && !r.delivered).count() as u64;
        prop_assert_eq!(note.read, log.rows.len() as u64);
        prop_assert_eq!(note.inbound, inbound);
        prop_assert_eq!(note.business, business);
        prop_assert_eq!(note.skipped, 0);
        prop_assert_eq!(
            note.billed + note.free + note.covered + note.rejected + note.undelivered,
            note.business
        );
        prop_assert_eq!(Decimal::from(note.billed), total("billable"));
        prop_assert_eq!(Decimal::from(note.free), total("free"));
        prop_assert_eq!(note.undelivered, undelivered);
        prop_assert_eq!(note.undelivered, not_units.get("undelivered").copied().unwrap_or(0));
        prop_assert_eq!(note.rejected, not_units.get("rejected").copied().unwrap_or(0));
    }

    /// The same log written with other phone-number and timestamp formatting (`+33 6 12…`,
    /// `0033…`, `whatsapp:+33…`, no-break spaces; RFC 3339 with any offset, local time, Unix
    /// seconds or milliseconds) gives the same bill and the same ledger.
    #[test]
    fn number_and_time_formatting_never_changes_the_bill(
        log in gen_log(40),
        styles in prop::collection::vec((0u8..64, 0u8..9), 40),
    ) {
        let plain = log.csv();
        let styled = log.csv_styled(|i| {
            let (phone, time) = styles[i % styles.len()];
            Style { phone, time }
        });
        prop_assert_eq!(estimate_json(&log, &plain), estimate_json(&log, &styled));
        prop_assert_eq!(ledger(&log, &plain), ledger(&log, &styled));
    }

    /// Rows that cannot be read (`--skip-invalid`) or predate every rule (`--skip-unsupported`)
    /// are counted as skipped and change nothing else: rows read = inbound + business + skipped.
    #[test]
    fn skipped_rows_are_counted_and_change_nothing_else(
        log in gen_log(30),
        junk in prop::collection::vec((0usize..30, 0usize..5), 1..6),
    ) {
        const JUNK: [&str; 5] = [
            "yesterday,outbound,marketing,+33612345678,,",
            "2025-09-01T10:00:00Z,sideways,marketing,+33612345678,,",
            "2025-09-01T10:00:00Z,outbound,promo,+33612345678,,",
            "2025-09-01T10:00:00Z,outbound,marketing,+800 1234 5678,,",
            "2021-12-31T10:00:00Z,outbound,marketing,+33612345678,,",
        ];
        let log = GenLog { with_business: false, ..log };
        let clean = log.csv();
        let mut lines: Vec<&str> = clean.lines().collect();
        for &(at, j) in &junk {
            lines.insert(1 + at % lines.len(), JUNK[j]);
        }
        let dirty = lines.join("\n");
        let skip = ["--skip-invalid", "--skip-unsupported"];
        let args = |format: &'static str| log.args("estimate", &[&["--format", format][..], &skip].concat());
        prop_assert_eq!(run(&args("csv"), &dirty), estimate_csv_of(&log, &clean));
        let note = row_note(&run(&args("json"), &dirty));
        let clean_note = row_note(&estimate_json(&log, &clean));
        prop_assert_eq!(note.read, clean_note.read + junk.len() as u64);
        prop_assert_eq!(note.skipped, junk.len() as u64);
        prop_assert_eq!(note.read, note.inbound + note.business + note.skipped);
        prop_assert_eq!(
            RowNote { read: 0, skipped: 0, ..note },
            RowNote { read: 0, skipped: 0, ..clean_note }
        );
    }
}

#[test]
fn control_characters_in_a_bad_value_are_escaped_in_the_error() {
    // A log could carry terminal escape sequences; the error shows them, inert, on one line.
    let out = waprice()
        .args(["estimate", "-"])
        .write_stdin(
            "timestamp,direction,category,recipient\n\
             2025-09-01T10:00:00Z,\x1b[2J\x1b[31mout,marketing,+33612345678\n",
        )
        .output()
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr.starts_with(
            "error: <stdin>, line 2, column 'direction': unknown direction (value '\\u{1b}[2J\\u{1b}[31mout')\n  hint: "
        ),
        "{stderr}"
    );
    assert!(!stderr.contains('\x1b'), "{stderr}");
}

/// With --skip-invalid, the warning shows the first few skipped rows; the rest are counted per
/// reason, so that a reason seen only after the examples is not missing from it.
#[test]
fn skipped_rows_past_the_examples_are_counted_per_reason() {
    let mut log = String::from("timestamp,direction,category,recipient\n");
    for i in 0..8 {
        log.push_str(&format!(
            "2025-08-01T10:0{i}:00Z,sideways,marketing,+3361234567{i}\n"
        ));
    }
    log.push_str("2025-08-01T11:00:00Z,outbound,promo,+33612345670\n");
    log.push_str("2025-08-01T11:01:00Z,outbound,marketing,+33612345670\n");
    waprice()
        .args(["estimate", "-", "--skip-invalid", "--format", "csv"])
        .write_stdin(log)
        .assert()
        .code(0)
        .stderr(predicate::str::contains("read 10 rows; skipped 9 invalid"))
        .stderr(predicate::str::contains(
            "(4 more not shown; all 9: 8 × column 'direction': unknown direction; 1 × column 'category': unknown category)",
        ));
}

/// Multi-line notes whose lines hold separators and a word that is a direction (`customer`,
/// `in`, `User`, `Sent`) are text, not rows swallowed by a quote: they are read. Swallowed
/// rows written with spaces after the separators are still rows.
#[test]
fn notes_with_direction_words_are_read_and_spaced_swallowed_rows_are_not() {
    let header = "timestamp,direction,category,recipient,note\n";
    let row = "2025-08-01T10:00:00Z,outbound,marketing,+33612345670,";
    for note in [
        "\"vip\nnew,customer,promo,august\"",
        "\"Stock check:\nA12,in,stock,yes\nB7,out,of stock,no\"",
        "\"Hi there\nBob,User,Admin,Guest\nthanks\"",
        "\"Order 12345678, shipped\n2025-08-02,Sent,parcel,+33 6 12\"",
    ] {
        waprice()
            .args(["estimate", "-", "--format", "csv"])
            .write_stdin(format!("{header}{row}{note}\n"))
            .assert()
            .success()
            .stdout(predicate::str::contains("2025-08,1,"));
    }
    let mut spaced = format!("{header}{row}\"hi\n");
    for i in 2..5 {
        spaced.push_str(&format!(
            "2025-08-01T10:0{i}:00Z, outbound, marketing, +3361234567{i}\n"
        ));
    }
    fails_with(
        &["estimate", "-", "--skip-invalid"],
        &spaced,
        2,
        &["a quoted field holds 3 lines like rows of the log: a quote is probably never closed"],
    );
}
