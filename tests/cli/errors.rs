//! Errors a user sees: file, line, column and value, `--skip-invalid`, `--skip-unsupported`,
//! exit codes (2 bad usage or input, 1 runtime failure) and a closed pipe.

use super::*;

const OK_ROW: &str = "2025-09-01T10:00:00Z,outbound,marketing,+33612345678\n";

#[test]
fn missing_required_column_is_reported_before_any_row() {
    fails_with(
        &["estimate", "-"],
        "timestamp,category,recipient\nnot-a-time,marketing,+33612345678\n",
        2,
        &["missing required column direction", "hint:"],
    );
}

#[test]
fn bad_values_name_file_line_column_and_value() {
    let h = "timestamp,direction,category,recipient\n";
    fails_with(
        &["estimate", "-"],
        &format!("{h}{OK_ROW}2025-13-01T10:00:00Z,outbound,marketing,+33612345678\n"),
        2,
        &[
            "<stdin>, line 3, column 'timestamp'",
            "'2025-13-01T10:00:00Z'",
            "hint:",
        ],
    );
    fails_with(
        &["estimate", "-"],
        &format!("{h}2025-09-01T10:00:00Z,sideways,marketing,+33612345678\n"),
        2,
        &["line 2, column 'direction'", "unknown direction"],
    );
    fails_with(
        &["estimate", "-"],
        &format!("{h}2025-09-01T10:00:00Z,outbound,promo,+33612345678\n"),
        2,
        &["column 'category'", "'promo'"],
    );
    fails_with(
        &["estimate", "-"],
        &format!("{h}2025-09-01T10:00:00Z,outbound,marketing,12345\n"),
        2,
        &["column 'recipient'", "'12345'"],
    );
    fails_with(
        &["estimate", "-"],
        &format!("{h}2025-09-01T10:00:00Z,outbound,marketing,+999 1234 5678\n"),
        2,
        &["column 'recipient'"],
    );
    fails_with(
        &["estimate", "-"],
        &format!("{h}2025-09-01T10:00:00Z,outbound,marketing\n"),
        2,
        &["line 2", "fields"],
    );
}

#[test]
fn skip_invalid_skips_and_counts() {
    let log = format!("timestamp,direction,category,recipient\n{OK_ROW}garbage,outbound,marketing,+33612345678\n{OK_ROW}");
    waprice()
        .args(["estimate", "-", "--format", "csv", "--skip-invalid"])
        .write_stdin(log)
        .assert()
        .success()
        .stdout(predicate::str::contains("2025-09,2,"))
        .stderr(predicate::str::contains("skipped 1 invalid"));
}

#[test]
fn rows_before_2022_02_01_need_skip_unsupported() {
    let log = format!("timestamp,direction,category,recipient\n2022-01-31T23:00:00Z,outbound,marketing,+33612345678\n{OK_ROW}");
    fails_with(
        &["estimate", "-"],
        &log,
        2,
        &["line 2", "before 2022-02-01", "--skip-unsupported"],
    );
    waprice()
        .args(["estimate", "-", "--format", "csv", "--skip-unsupported"])
        .write_stdin(log)
        .assert()
        .success()
        .stderr(predicate::str::contains("1 before 2022-02-01"));
}

#[test]
fn bad_options_exit_2_and_io_failures_exit_1() {
    let f = data("example1-era-b-categories.csv");
    fails_with(
        &["estimate", &f, "--currency", "XYZ"],
        "",
        2,
        &["no rate card in currency 'XYZ'"],
    );
    fails_with(
        &["estimate", &f, "--timezone", "Mars/Olympus"],
        "",
        2,
        &["not an IANA time zone"],
    );
    fails_with(&["estimate", &f, "--currency", "GBP"], "", 2, &["--budget"]);
    fails_with(&["estimate", &f, "--by", "week"], "", 2, &["--by"]);
    fails_with(
        &["estimate", &f, "--business-country", "FR"],
        "",
        2,
        &["go together"],
    );
    fails_with(
        &["estimate", "tests/data/no-such-file.csv"],
        "",
        1,
        &["cannot open"],
    );
}

#[test]
fn a_closed_pipe_ends_quietly_with_success() {
    let bin = assert_cmd::cargo::cargo_bin("waprice");
    // Outputs far larger than a pipe's buffer, so that writing meets the closed pipe: CSV
    // streamed row by row, CSV and JSON written whole.
    for args in [
        "ledger samples/support-2026-10-11.csv",
        "tariffs --coverage --currency USD --format csv",
        "tariffs --coverage --currency USD --format json",
    ] {
        let out = std::process::Command::new("bash")
            .arg("-c")
            .arg(format!(
                "set -o pipefail; '{}' {args} | head -1",
                bin.display()
            ))
            .output()
            .unwrap();
        assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 1);
        assert!(
            out.status.success(),
            "{args}: stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(String::from_utf8_lossy(&out.stderr), "", "{args}");
    }
}
