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

// ---- --format xlsx: the workbook against the CSV of the same run -------------------------

use calamine::{Data, Reader, Xlsx};

type Book = Xlsx<std::io::BufReader<std::fs::File>>;

/// Runs waprice with `-o` into a temporary file and opens the workbook.
fn workbook(args: &[&str]) -> (tempfile::TempDir, Book) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.xlsx");
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["--format", "xlsx", "-o", path.to_str().unwrap()]);
    run_ok(&all);
    let book = calamine::open_workbook(&path).unwrap();
    (dir, book)
}

fn csv_rows(args: &[&str]) -> (Vec<String>, Vec<Vec<String>>) {
    let text = String::from_utf8(run_ok(args)).unwrap();
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let header = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r
        .records()
        .map(|rec| rec.unwrap().iter().map(String::from).collect())
        .collect();
    (header, rows)
}

/// What the cell should be, given the CSV field and the column's name: text columns are
/// strings (whatever they look like), empty fields are empty cells, the rest numbers.
fn expect_cell(column: &str, field: &str, text_columns: &[&str]) -> Data {
    if field.is_empty() {
        Data::Empty
    } else if text_columns.contains(&column) {
        // The CSV's guard against formulas is not part of the value: the cell is text anyway.
        let field = field.strip_prefix('\'').unwrap_or(field);
        Data::String(field.to_string())
    } else {
        Data::Float(
            field
                .parse::<f64>()
                .unwrap_or_else(|_| panic!("{column}: {field}")),
        )
    }
}

/// Checks a sheet cell by cell against CSV rows; `date_columns` are compared as dates.
fn same_as_csv(
    sheet: &calamine::Range<Data>,
    header: &[String],
    rows: &[Vec<String>],
    text_columns: &[&str],
    date_columns: &[&str],
) {
    for (c, h) in header.iter().enumerate() {
        assert_eq!(
            sheet.get((0, c)),
            Some(&Data::String(h.clone())),
            "header {c}"
        );
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, field) in row.iter().enumerate() {
            let cell = sheet.get((r + 1, c)).unwrap_or(&Data::Empty);
            let column = header[c].as_str();
            if date_columns.contains(&column) {
                let Data::DateTime(dt) = cell else {
                    panic!("row {r} {column}: {cell:?} is not a date")
                };
                let got = dt.as_datetime().unwrap();
                let want = if field.len() == 10 {
                    chrono::NaiveDate::parse_from_str(field, "%Y-%m-%d")
                        .unwrap()
                        .and_hms_opt(0, 0, 0)
                        .unwrap()
                } else {
                    chrono::DateTime::parse_from_rfc3339(field)
                        .unwrap()
                        .naive_local()
                };
                assert_eq!(got, want, "row {r} {column}");
            } else {
                assert_eq!(
                    *cell,
                    expect_cell(column, field, text_columns),
                    "row {r} column {column}"
                );
            }
        }
    }
}

/// The totals row under `rows`: `SUM` formulas whose cached values are the CSV's sums.
fn totals_row(
    book: &mut Book,
    sheet: &str,
    header: &[String],
    rows: &[Vec<String>],
    summed: &[&str],
) {
    let range = book.worksheet_range(sheet).unwrap();
    let formulas = book.worksheet_formula(sheet).unwrap();
    let at = rows.len() + 1;
    assert_eq!(range.get((at, 0)), Some(&Data::String("total".into())));
    for (c, h) in header.iter().enumerate() {
        if !summed.contains(&h.as_str()) {
            continue;
        }
        let sum: rust_decimal::Decimal = rows
            .iter()
            .filter(|r| !r[c].is_empty())
            .map(|r| r[c].parse::<rust_decimal::Decimal>().unwrap())
            .sum();
        let letter = (b'A' + c as u8) as char;
        // calamine gives the formula as Excel stores it, without its `=`.
        let f = formulas
            .get_value((at as u32, c as u32))
            .unwrap_or_else(|| panic!("no formula under {h}"));
        assert_eq!(f, &format!("SUM({letter}2:{letter}{at})"), "{h}");
        assert_eq!(
            range.get((at, c)),
            Some(&Data::Float(sum.to_string().parse().unwrap())),
            "{h}"
        );
    }
}

const SUPPORT: &str = "samples/support-2026-10-11.csv";

#[test]
fn estimate_workbook_matches_its_csv_cell_by_cell() {
    let (_dir, mut book) = workbook(&["estimate", SUPPORT]);
    assert_eq!(book.sheet_names(), ["months", "markets", "notes"]);
    let (header, rows) = csv_rows(&["estimate", SUPPORT, "--format", "csv"]);
    let months = book.worksheet_range("months").unwrap();
    // Months are text, not dates: "2026-10" stays "2026-10".
    same_as_csv(&months, &header, &rows, &["month", "currency"], &[]);
    assert!(matches!(months.get((1, 0)), Some(Data::String(m)) if m == "2026-10"));
    let summed: Vec<&str> = header
        .iter()
        .map(String::as_str)
        .filter(|h| !["month", "currency"].contains(h))
        .collect();
    totals_row(&mut book, "months", &header, &rows, &summed);

    let (header, rows) = csv_rows(&[
        "estimate",
        SUPPORT,
        "--format",
        "csv",
        "--by",
        "market,category",
    ]);
    let markets = book.worksheet_range("markets").unwrap();
    same_as_csv(
        &markets,
        &header,
        &rows,
        &["month", "market", "category", "currency"],
        &[],
    );
    totals_row(
        &mut book,
        "markets",
        &header,
        &rows,
        &["billable", "free", "cost"],
    );

    // The notes of the table, one a row, on their own sheet.
    let notes = book.worksheet_range("notes").unwrap();
    let table = String::from_utf8(run_ok(&["estimate", SUPPORT, "--no-chart"])).unwrap();
    let n = notes.rows().count();
    assert!(n > 3);
    for row in notes.rows().skip(1) {
        let Data::String(note) = &row[0] else {
            panic!("{row:?}")
        };
        assert!(table.contains(&format!("- {note}")), "{note}");
    }
}

#[test]
fn ledger_workbook_matches_its_csv_and_keeps_names_as_text() {
    let text = [
        "business",
        "recipient",
        "market",
        "category",
        "pricing",
        "tier",
        "currency",
        "month",
        "card",
        "rate_source",
    ];
    for log in [SUPPORT, NAMES] {
        let (_dir, mut book) = workbook(&["ledger", log]);
        let (header, rows) = csv_rows(&["ledger", log]);
        let sheet = book.worksheet_range("ledger").unwrap();
        same_as_csv(&sheet, &header, &rows, &text, &["time"]);
        totals_row(&mut book, "ledger", &header, &rows, &["rate"]);
        // The only formulas are the totals.
        let formulas = book.worksheet_formula("ledger").unwrap();
        assert_eq!(formulas.used_cells().count(), 1);
    }
    let (_dir, mut book) = workbook(&["ledger", NAMES]);
    let sheet = book.worksheet_range("ledger").unwrap();
    let business: Vec<&Data> = (1..=5).map(|r| sheet.get((r, 1)).unwrap()).collect();
    assert_eq!(
        business,
        ["=1+1", "+cmd", "@SUM(A1)", "-2+3", "plain"]
            .map(|s| Data::String(s.into()))
            .iter()
            .collect::<Vec<_>>()
    );
    assert_eq!(
        sheet.get((1, 2)),
        Some(&Data::String("+33612345678".into()))
    );
}

#[test]
fn estimate_with_ledger_sheet_carries_the_ledger() {
    let (_dir, mut book) = workbook(&["estimate", NAMES, "--ledger-sheet"]);
    assert_eq!(book.sheet_names(), ["months", "markets", "ledger", "notes"]);
    let (header, rows) = csv_rows(&["ledger", NAMES]);
    let sheet = book.worksheet_range("ledger").unwrap();
    let text = [
        "business",
        "recipient",
        "market",
        "category",
        "pricing",
        "tier",
        "currency",
        "month",
        "card",
        "rate_source",
    ];
    same_as_csv(&sheet, &header, &rows, &text, &["time"]);
}

#[test]
fn rates_and_forecast_workbooks_match_their_csv() {
    let (_dir, mut book) = workbook(&["rates", "--date", "2026-10-15"]);
    let (header, rows) = csv_rows(&["rates", "--date", "2026-10-15", "--format", "csv"]);
    let sheet = book.worksheet_range("rates").unwrap();
    same_as_csv(
        &sheet,
        &header,
        &rows,
        &["market", "currency", "source"],
        &["effective_from"],
    );

    let args = [
        "forecast",
        "--country",
        "FR",
        "--country",
        "DE:marketing=10",
        "--marketing",
        "2000",
        "--utility",
        "500",
        "--date",
        "2026-10-15",
    ];
    let (_dir, mut book) = workbook(&args);
    let mut csv_args = args.to_vec();
    csv_args.extend(["--format", "csv"]);
    let (header, rows) = csv_rows(&csv_args);
    // The CSV's last three rows are the total, the budget and the overage.
    let (lines, sums) = rows.split_at(rows.len() - 3);
    let sheet = book.worksheet_range("forecast").unwrap();
    same_as_csv(
        &sheet,
        &header,
        lines,
        &["country", "market", "category", "currency"],
        &[],
    );
    totals_row(
        &mut book,
        "forecast",
        &header,
        lines,
        &["volume", "free", "billable", "cost"],
    );
    let cost = header.iter().position(|h| h == "cost").unwrap();
    for (i, (label, row)) in ["total", "budget", "overage"].iter().zip(sums).enumerate() {
        let at = lines.len() + 1 + i;
        assert_eq!(sheet.get((at, 0)), Some(&Data::String(label.to_string())));
        assert_eq!(
            sheet.get((at, cost)),
            Some(&Data::Float(row[cost].parse().unwrap()))
        );
    }
}

#[test]
fn xlsx_is_refused_where_it_does_not_apply() {
    for (args, needle) in [
        (
            &["tariffs", "--format", "xlsx"][..],
            "--format xlsx: tariffs",
        ),
        (
            &["estimate", NAMES, "--ledger-sheet"][..],
            "--ledger-sheet adds a sheet",
        ),
        (
            &[
                "estimate",
                NAMES,
                "--format",
                "xlsx",
                "--ledger-sheet",
                "--as-of",
                "2026-11-01",
                "-o",
                "x.xlsx",
            ][..],
            "--ledger-sheet goes with an estimate, not --as-of",
        ),
        (
            &["ledger", NAMES, "--format", "xlsx", "--bom", "-o", "x.xlsx"][..],
            "apply to CSV",
        ),
    ] {
        let out = waprice().args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(needle),
            "{args:?}"
        );
    }
}

#[test]
fn a_workbook_goes_to_a_pipe_when_there_is_no_file() {
    let out = run_ok(&["rates", "--country", "FR", "--format", "xlsx"]);
    assert_eq!(&out[..2], b"PK");
    let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(out)).unwrap();
    assert!(book.worksheet_range("rates").is_ok());
}

/// Writes a log of `n` marketing templates in era D (each a unit, so a ledger row).
fn big_log(path: &std::path::Path, n: u64) {
    use std::io::Write;
    let mut w = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    writeln!(w, "timestamp,direction,category,recipient").unwrap();
    for i in 0..n {
        let (day, s) = (1 + i / 86_400 % 28, i % 86_400);
        writeln!(
            w,
            "2026-11-{day:02}T{:02}:{:02}:{:02}Z,outbound,marketing,+336{:08}",
            s / 3600,
            s / 60 % 60,
            s % 60,
            i % 100_000_000
        )
        .unwrap();
    }
}

/// Excel's row limit on real ledgers: the largest a sheet takes (1,048,574 rows between the
/// header and the totals) checked cell by cell against its CSV, and two rows more refused
/// with a pointer to CSV. Heavy (minutes in a debug build):
/// `cargo test --test cli row_limit -- --ignored`.
#[test]
#[ignore]
fn a_ledger_at_and_past_excels_row_limit() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("big.csv");
    big_log(&log, 1_048_574);
    let log = log.to_str().unwrap();
    let (_book_dir, mut book) = workbook(&["ledger", log, "--no-progress"]);
    let (header, rows) = csv_rows(&["ledger", log, "--no-progress"]);
    assert_eq!(rows.len(), 1_048_574);
    let sheet = book.worksheet_range("ledger").unwrap();
    let text = [
        "business",
        "recipient",
        "market",
        "category",
        "pricing",
        "tier",
        "currency",
        "month",
        "card",
        "rate_source",
    ];
    same_as_csv(&sheet, &header, &rows, &text, &["time"]);
    assert_eq!(sheet.height(), 1_048_576);

    let over = dir.path().join("over.csv");
    big_log(&over, 1_048_576);
    let out_path = dir.path().join("over.xlsx");
    let out = waprice()
        .args([
            "ledger",
            over.to_str().unwrap(),
            "--no-progress",
            "--format",
            "xlsx",
            "-o",
        ])
        .arg(&out_path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("more than the 1048576 rows"), "{err}");
    assert!(err.contains("--format csv"), "{err}");
    assert!(!out_path.exists());
}

/// The workbooks open in LibreOffice and render to PDF without error. Not run by default
/// (LibreOffice is large and not in CI): `cargo test --test cli soffice -- --ignored`, on a
/// machine with `soffice` on the PATH; without it the test says so and passes.
#[test]
#[ignore]
fn workbooks_render_in_libreoffice_soffice() {
    let found = std::process::Command::new("soffice")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        eprintln!("skipped: no soffice on the PATH (apt-get install libreoffice-calc-nogui)");
        return;
    }
    let runs: [&[&str]; 3] = [
        &["estimate", SUPPORT, "--ledger-sheet"],
        &["ledger", NAMES],
        &[
            "forecast",
            "--country",
            "FR",
            "--marketing",
            "2000",
            "--date",
            "2026-10-15",
        ],
    ];
    for args in runs {
        let (dir, _book) = workbook(args);
        let out = std::process::Command::new("soffice")
            .args(["--headless", "--convert-to", "pdf", "--outdir"])
            .arg(dir.path())
            .arg(dir.path().join("out.xlsx"))
            .env("HOME", dir.path())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let pdf = std::fs::read(dir.path().join("out.pdf")).unwrap();
        assert!(pdf.starts_with(b"%PDF") && pdf.len() > 1000, "{args:?}");
    }
}

#[test]
fn dash_o_writes_the_same_bytes_to_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("estimate.csv");
    let stdout = run_ok(&["estimate", NAMES, "--format", "csv"]);
    let quiet = run_ok(&[
        "estimate",
        NAMES,
        "--format",
        "csv",
        "-o",
        path.to_str().unwrap(),
    ]);
    assert!(quiet.is_empty());
    assert_eq!(std::fs::read(&path).unwrap(), stdout);
}

#[test]
fn a_workbook_is_never_written_to_a_terminal() {
    // `script` runs the command on a pseudo-terminal (util-linux); without it there is no
    // terminal to test with.
    let bin = assert_cmd::cargo::cargo_bin("waprice");
    let command = format!("{} rates --country FR --format xlsx", bin.display());
    let Ok(out) = std::process::Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .output()
    else {
        eprintln!("skipped: no `script` to give the command a terminal");
        return;
    };
    let seen = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{seen}");
    assert!(
        seen.contains("writes a binary file, not text for a terminal"),
        "{seen}"
    );
    assert!(seen.contains("-o FILE"), "{seen}");
    assert!(!seen.contains("PK"), "{seen}");
}

#[test]
fn as_of_workbook_matches_its_csv() {
    let base = ["estimate", NAMES, "--as-of", "2026-11-01"];
    let (_dir, mut book) = workbook(&base);
    assert_eq!(book.sheet_names(), ["as_of", "notes"]);
    let mut csv_args = base.to_vec();
    csv_args.extend(["--format", "csv"]);
    let (header, rows) = csv_rows(&csv_args);
    let sheet = book.worksheet_range("as_of").unwrap();
    same_as_csv(&sheet, &header, &rows, &["month", "currency"], &[]);
    // Negative differences are negative numbers.
    let difference = header.iter().position(|h| h == "difference").unwrap();
    assert!(matches!(sheet.get((1, difference)), Some(Data::Float(d)) if *d < 0.0));
    let summed: Vec<&str> = header
        .iter()
        .map(String::as_str)
        .filter(|h| !["month", "currency"].contains(h))
        .collect();
    totals_row(&mut book, "as_of", &header, &rows, &summed);
    let notes = book.worksheet_range("notes").unwrap();
    assert!(notes
        .rows()
        .any(|r| matches!(&r[0], Data::String(n) if n.starts_with("as of 2026-11-01: "))));
}

// ---- invoices and estimate --by account as workbooks ---------------------------------------

const PLATFORM: [&str; 4] = [
    "samples/platform-2024-03.csv",
    "--accounts",
    "samples/platform-accounts.csv",
    "--no-progress",
];
const FORMULA_ACCOUNTS: [&str; 3] = [
    NAMES,
    "--accounts",
    "tests/data/spreadsheet/formula-accounts.csv",
];

/// Under the rows, one totals row per currency: `SUMIF` formulas over the rows of that
/// currency, cached values the CSV's sums for the currency.
fn totals_per_currency(
    book: &mut Book,
    sheet: &str,
    header: &[String],
    rows: &[Vec<String>],
    summed: &[&str],
) {
    let range = book.worksheet_range(sheet).unwrap();
    let formulas = book.worksheet_formula(sheet).unwrap();
    let key = header.iter().position(|h| h == "currency").unwrap();
    let mut currencies: Vec<&str> = rows.iter().map(|r| r[key].as_str()).collect();
    currencies.sort();
    currencies.dedup();
    let last = rows.len() + 1;
    let key_letter = (b'A' + key as u8) as char;
    for (i, currency) in currencies.iter().enumerate() {
        let at = last + i;
        assert_eq!(range.get((at, 0)), Some(&Data::String("total".into())));
        assert_eq!(
            range.get((at, key)),
            Some(&Data::String(currency.to_string()))
        );
        for (c, h) in header.iter().enumerate() {
            if !summed.contains(&h.as_str()) {
                continue;
            }
            let sum: rust_decimal::Decimal = rows
                .iter()
                .filter(|r| r[key] == *currency)
                .map(|r| r[c].parse::<rust_decimal::Decimal>().unwrap())
                .sum();
            let letter = (b'A' + c as u8) as char;
            let f = formulas
                .get_value((at as u32, c as u32))
                .unwrap_or_else(|| panic!("no formula under {h}"));
            assert_eq!(
                f,
                &format!("SUMIF({key_letter}2:{key_letter}{last},\"{currency}\",{letter}2:{letter}{last})"),
                "{h}"
            );
            assert_eq!(
                range.get((at, c)),
                Some(&Data::Float(sum.to_string().parse().unwrap())),
                "{currency} {h}"
            );
        }
    }
    assert_eq!(
        range.height(),
        last + currencies.len(),
        "nothing under the totals"
    );
}

#[test]
fn invoices_workbook_matches_its_csv_cell_by_cell() {
    for log in [&PLATFORM[..], &FORMULA_ACCOUNTS[..]] {
        let mut args = vec!["invoices"];
        args.extend(log);
        let (_dir, mut book) = workbook(&args);
        assert_eq!(book.sheet_names(), ["invoices", "notes"]);
        args.extend(["--format", "csv"]);
        let (header, rows) = csv_rows(&args);
        let sheet = book.worksheet_range("invoices").unwrap();
        same_as_csv(
            &sheet,
            &header,
            &rows,
            &["month", "account", "currency"],
            &["invoiced_on"],
        );
        totals_per_currency(
            &mut book,
            "invoices",
            &header,
            &rows,
            &["billable", "free", "unpriced", "cost", "budget", "overage"],
        );
        // The notes, as the table gives them.
        args.truncate(args.len() - 2);
        let table = String::from_utf8(run_ok(&args)).unwrap();
        let notes = book.worksheet_range("notes").unwrap();
        assert!(notes.rows().count() > 3);
        for row in notes.rows().skip(1) {
            let Data::String(note) = &row[0] else {
                panic!("{row:?}")
            };
            assert!(table.contains(&format!("- {note}")), "{note}");
        }
    }
}

#[test]
fn account_names_that_look_like_formulas_stay_text_in_csv_and_workbook() {
    let mut args = vec!["invoices"];
    args.extend(FORMULA_ACCOUNTS);
    let (_dir, mut book) = workbook(&args);
    let sheet = book.worksheet_range("invoices").unwrap();
    let names: Vec<&Data> = (1..4).map(|r| sheet.get((r, 1)).unwrap()).collect();
    assert_eq!(
        names,
        [
            &Data::String("+cmd".into()),
            &Data::String("=1+1".into()),
            &Data::String("@SUM(A1)".into())
        ]
    );
    // No cell of the sheet is a formula but the totals.
    let formulas = book.worksheet_formula("invoices").unwrap();
    let (first, _) = formulas.start().unwrap();
    for (r, _, f) in formulas.used_cells() {
        let r = r as u32 + first;
        assert!(f.starts_with("SUMIF(") && r >= 5, "row {r}: {f}");
    }
    args.extend(["--format", "csv"]);
    let (_, rows) = csv_rows(&args);
    let names: Vec<&str> = rows.iter().map(|r| r[1].as_str()).collect();
    assert_eq!(names, ["'+cmd", "'=1+1", "'@SUM(A1)", "unassigned"]);
}

#[test]
fn estimate_by_account_workbook_is_the_long_format() {
    let mut args = vec!["estimate"];
    args.extend(PLATFORM);
    args.extend(["--by", "account"]);
    let (_dir, mut book) = workbook(&args);
    assert_eq!(book.sheet_names(), ["accounts", "notes"]);
    args.extend(["--format", "csv"]);
    let (header, rows) = csv_rows(&args);
    let sheet = book.worksheet_range("accounts").unwrap();
    same_as_csv(
        &sheet,
        &header,
        &rows,
        &["month", "account", "currency"],
        &[],
    );
    totals_per_currency(
        &mut book,
        "accounts",
        &header,
        &rows,
        &["billable", "free", "cost"],
    );
}
