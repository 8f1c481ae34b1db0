//! Logs as spreadsheets and other tools write them: separators, date shapes, `--date-format`,
//! `--delimiter`, and the loud outcomes (every row skipped, dates after today, `--as-of` out
//! of range, binary files, huge headers). Through the real binary, on files in tests/data/.

use super::*;

fn formats(name: &str) -> String {
    format!("tests/data/formats/{name}")
}

/// `waprice COMMAND FILE ARGS`: (exit code, stdout, stderr).
fn run(command: &str, file: &str, args: &[&str]) -> (i32, String, String) {
    let out = waprice()
        .arg(command)
        .arg(file)
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The same 500 rows (the start of samples/fr-shop-2024-03.csv), written with each separator
/// and each date shape, and the options that read them.
const SHAPES: &[(&str, &[&str])] = &[
    ("semicolon.csv", &[]),
    ("semicolon.csv", &["--delimiter", ";"]),
    ("tab.tsv", &[]),
    ("tab.tsv", &["--delimiter", "tab"]),
    ("pipe.csv", &[]),
    ("space-offset.csv", &[]),
    ("rfc2822.csv", &[]),
    ("unix.csv", &[]),
    ("unix.csv", &["--date-format", "unix"]),
    ("slashes-local.csv", &[]),
    ("day-first.csv", &["--date-format", "%d/%m/%Y %H:%M:%S"]),
    (
        "day-first-dots.csv",
        &["--date-format", "%d.%m.%Y %H:%M:%S"],
    ),
    (
        "month-first.csv",
        &["--date-format", "%m/%d/%Y %I:%M:%S %p"],
    ),
    ("excel.csv", &["--date-format", "excel"]),
];

#[test]
fn the_same_log_in_every_shape_gives_the_same_estimate_and_ledger() {
    let zone = ["--timezone", "Europe/Paris"];
    let estimate = |file: &str, args: &[&str]| {
        let (code, out, err) = run(
            "estimate",
            &formats(file),
            &[&["--format", "csv"][..], &zone, args].concat(),
        );
        assert_eq!(code, 0, "{file} {args:?}: {err}");
        out
    };
    let expected = estimate("iso.csv", &[]);
    // A real bill: March 2024, era B, conversations of several categories.
    assert!(
        expected.starts_with(&format!("{HEADER}2024-03,")),
        "{expected}"
    );
    let march: Vec<&str> = expected.lines().nth(1).unwrap().split(',').collect();
    assert!(
        march[1].parse::<u32>().unwrap() > 0 && march[2].parse::<u32>().unwrap() > 0,
        "{expected}"
    );
    let (_, ledger, _) = run("ledger", &formats("iso.csv"), &zone);
    assert!(ledger.lines().count() > 50, "{ledger}");
    for (file, args) in SHAPES {
        assert_eq!(estimate(file, args), expected, "{file} {args:?}");
        let (code, out, err) = run("ledger", &formats(file), &[&zone[..], args].concat());
        assert_eq!((code, out.as_str()), (0, ledger.as_str()), "{file}: {err}");
    }
}

#[test]
fn day_first_and_serial_dates_are_never_guessed() {
    // Without --date-format, each is refused with the option that reads it.
    let (code, _, err) = run("estimate", &formats("day-first.csv"), &[]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("day-first.csv, line 2, column 'timestamp': a day/month date: which comes first is never guessed (value '01/03/2024 10:48:45')"), "{err}");
    assert!(err.contains("hint: add --date-format '%d/%m/%Y %H:%M:%S' if this is 1 March 2024 (day first), or --date-format '%m/%d/%Y %H:%M:%S' if it is 3 January 2024 (month first)"), "{err}");
    let (code, _, err) = run("estimate", &formats("excel.csv"), &[]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("hint: as a spreadsheet's serial date this is 2024-03-01 10:48:45: add --date-format excel"),
        "{err}"
    );
    // A day past 12 read month first is refused, never moved to another month.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("thirteenth.csv");
    std::fs::write(
        &path,
        "timestamp;direction;category;recipient\n13/03/2024 10:00;outbound;marketing;+33612345678\n",
    )
    .unwrap();
    let (code, _, err) = run(
        "estimate",
        path.to_str().unwrap(),
        &["--date-format", "%m/%d/%Y %H:%M"],
    );
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("not a valid date or time (value '13/03/2024 10:00')"),
        "{err}"
    );
    let (code, _, err) = run("estimate", path.to_str().unwrap(), &[]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains(
            "hint: the day comes first (13 March 2024): add --date-format '%d/%m/%Y %H:%M'"
        ),
        "{err}"
    );
    // A row in another shape than --date-format's is told the pattern that reads it.
    let (code, _, err) = run(
        "estimate",
        &formats("day-first.csv"),
        &["--date-format", "%d/%m/%Y %H:%M"],
    );
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("not in the shape --date-format gives")
            && err.contains("add --date-format '%d/%m/%Y %H:%M:%S'"),
        "{err}"
    );
}

#[test]
fn bad_date_formats_and_delimiters_are_usage_errors() {
    let log = formats("iso.csv");
    for (args, needles) in [
        (
            &["--date-format", "dd/mm/yyyy"][..],
            &[
                "--date-format dd/mm/yyyy: not a strftime pattern, excel or unix",
                "hint: give a strftime pattern",
            ][..],
        ),
        (
            &["--date-format", "%d/%m/%Y"],
            &["the pattern must read the date and the time of day"],
        ),
        (
            &["--delimiter", ":"],
            &[
                "--delimiter :: not a field separator",
                "hint: use , ; | or tab",
            ],
        ),
        (
            &["--input", "meta-webhooks", "--date-format", "excel"],
            &["--date-format and --delimiter describe a CSV log"],
        ),
        (
            &["--as-of", "2021-01-01"],
            &[
                "--as-of 2021-01-01: before 2022-02-01",
                "hint: give a date from 2022-02-01 on",
            ],
        ),
    ] {
        let (code, out, err) = run("estimate", &log, args);
        assert_eq!((code, out.as_str()), (2, ""), "{args:?}: {err}");
        assert!(err.starts_with("error: "), "{err}");
        for n in needles {
            assert!(err.contains(n), "{args:?}: missing {n:?} in {err}");
        }
    }
    // --as-of on the first supported day is fine.
    let (code, _, err) = run("estimate", &log, &["--as-of", "2022-02-01"]);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn a_forced_comma_on_a_semicolon_file_says_which_delimiter_reads_it() {
    let (code, _, err) = run("estimate", &formats("semicolon.csv"), &["--delimiter", ","]);
    assert_eq!(code, 2);
    assert!(
        err.contains("hint: the header is one column holding ';': pass --delimiter ';'"),
        "{err}"
    );
    let (code, _, err) = run("estimate", &formats("iso.csv"), &["--delimiter", ";"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("hint: the header is one column holding ',': pass --delimiter ','"),
        "{err}"
    );
}

#[test]
fn a_row_with_an_extra_semicolon_is_not_read_shifted() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shifted.csv");
    std::fs::write(
        &path,
        "timestamp;direction;category;recipient\n2025-09-01T10:00:00Z;outbound;marketing;+33612345678\n2025-09-01T10:05:00Z;outbound;;utility;+33612345678\n",
    )
    .unwrap();
    let (code, _, err) = run("estimate", path.to_str().unwrap(), &[]);
    assert_eq!(code, 2);
    assert!(
        err.contains("line 3: row has 5 fields but the header has 4")
            && err.contains("a field holding a semicolon must be enclosed in double quotes"),
        "{err}"
    );
}

#[test]
fn messages_dated_after_today_are_warned_about_on_stderr_and_in_the_notes() {
    let file = "tests/data/bad/future-dates.csv";
    let warning = "1 message is dated after today (the first: line 4, column 'timestamp', 2099-09-01 10:10:00 in UTC): a mistyped year? It is priced with the latest rules and rate cards";
    let (code, out, err) = run("estimate", file, &["--no-chart"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains(&format!("waprice: warning: {file}: {warning}")),
        "{err}"
    );
    assert!(out.contains(&format!("notes:\n- {warning}\n")), "{out}");
    let (_, json, _) = run("estimate", file, &["--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(json["notes"][0], warning, "{json}");
    // Without such a message, no warning.
    let (_, out, err) = run("estimate", &formats("iso.csv"), &[]);
    assert!(!err.contains("after today") && !out.contains("after today"));
}

#[test]
fn every_row_skipped_is_an_error_with_the_count_of_each_reason() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("all-bad.csv");
    std::fs::write(
        &path,
        "timestamp,direction,category,recipient\n45356,outbound,marketing,+33612345678\n45357,outbound,marketing,+33612345678\n2024-03-05T10:00:00Z,sideways,marketing,+33612345678\n2021-03-05T10:00:00Z,outbound,marketing,+33612345678\n",
    )
    .unwrap();
    let path = path.to_str().unwrap();
    for command in ["estimate", "ledger"] {
        let (code, out, err) = run(command, path, &["--skip-invalid", "--skip-unsupported"]);
        assert_eq!((code, out.as_str()), (2, ""), "{err}");
        assert!(err.contains("all-bad.csv: every row was skipped (4 of 4), so nothing was estimated: 2 × column 'timestamp': a number too small for Unix time"), "{err}");
        assert!(
            err.contains("; 1 × column 'direction': unknown direction; 1 × column 'timestamp': before 2022-02-01"),
            "{err}"
        );
        assert!(
            err.contains("the first is line 2, column 'timestamp' (value '45356')")
                && err.contains("hint: as a spreadsheet's serial date this is 2024-03-05: add --date-format excel"),
            "{err}"
        );
    }
    // One good row is an estimate, its skipped rows reported as before.
    let mut text = std::fs::read_to_string(path).unwrap();
    text.push_str("2024-03-06T10:00:00Z,outbound,marketing,+33612345678\n");
    std::fs::write(path, text).unwrap();
    let (code, _, err) = run("estimate", path, &["--skip-invalid", "--skip-unsupported"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("read 5 rows; skipped 3 invalid and 1 before 2022-02-01"),
        "{err}"
    );
}

#[test]
fn a_five_megabyte_header_is_never_echoed_whole() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("wide.csv");
    let header = format!("timestamp,direction,{}\n", "x".repeat(5 << 20));
    std::fs::write(&path, header + "2025-09-01T10:00:00Z,outbound,y\n").unwrap();
    let (code, _, err) = run("estimate", path.to_str().unwrap(), &[]);
    assert_eq!(code, 2);
    assert!(
        err.contains("missing required columns category, recipient"),
        "{err}"
    );
    assert!(err.contains(&format!("{}…", "x".repeat(80))), "{err}");
    assert!(err.len() < 1_000, "{} bytes", err.len());
}
