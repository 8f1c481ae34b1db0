//! The facade as an embedder uses it: logs in memory, with and without hooks.

use super::*;
use std::sync::Mutex;

const HEADER: &str = "timestamp,direction,category,recipient\n";

/// Ten marketing messages a day apart to French customers, August 2025 (per-message pricing).
fn rows() -> Vec<String> {
    (0..10)
        .map(|i| {
            format!(
                "2025-08-{:02}T10:00:00Z,outbound,marketing,+3361234567{i}\n",
                i + 1
            )
        })
        .collect()
}

fn settings(body: &str) -> LogSettings {
    LogSettings::new(LogSource::Bytes(
        format!("{HEADER}{body}").into_bytes().into(),
    ))
}

fn budget() -> Budget {
    Budget::for_agents("EUR", 10, true).unwrap()
}

/// The warnings a run gave.
#[derive(Default)]
struct Collect(Mutex<Vec<String>>);

impl Hooks for Collect {
    fn warn(&self, message: &str) {
        self.0.lock().unwrap().push(message.to_string());
    }
    fn reading(&self, _size: Option<u64>) -> Option<Arc<dyn Reading>> {
        None
    }
}

#[test]
fn a_log_out_of_time_order_costs_what_the_same_log_in_order_costs() {
    let t = Tariffs::bundled("EUR").unwrap();
    let in_order = rows().concat();
    let mut shuffled = rows();
    shuffled.swap(0, 9);
    shuffled.swap(3, 6);
    let a = tally(&settings(&in_order), &t, None).unwrap();
    let b = tally(&settings(&shuffled.concat()), &t, None).unwrap();
    assert_eq!(a.events, 10);
    assert_eq!(b.events, 10);
    // France marketing on the EUR card of 2025-07-01: 0.1186 a message.
    assert_eq!(a.tally.total().cost, "1.186".parse().unwrap());
    assert_eq!(a.tally.total().cost, b.tally.total().cost);
    let report = |ls: &LogSettings, x: &Tallied| x.report(ls, &t, &budget(), None).months;
    assert_eq!(
        format!("{:?}", report(&settings(&in_order), &a)),
        format!("{:?}", report(&settings(&shuffled.concat()), &b))
    );
}

#[test]
fn skipped_rows_reach_the_hooks_and_the_notes() {
    let t = Tariffs::bundled("EUR").unwrap();
    let body = format!(
        "{}not a time,outbound,marketing,+33612345670\n",
        rows().concat()
    );
    let hooks = Arc::new(Collect::default());
    let mut ls = settings(&body);
    ls.input.skip_invalid = true;
    ls.hooks = Some(hooks.clone());
    let report = estimate(&ls, &t, &budget(), None).unwrap();
    let warnings = hooks.0.lock().unwrap();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].starts_with(
            "<log>: read 11 rows; skipped 1 invalid and 0 before 2022-02-01\n  skipped: "
        ),
        "{warnings:?}"
    );
    assert!(
        report
            .notes
            .iter()
            .any(|n| n.contains("10 business messages + 1 skipped")),
        "{:?}",
        report.notes
    );
}

#[test]
fn a_log_whose_every_row_was_skipped_is_an_error_not_an_empty_bill() {
    let t = Tariffs::bundled("EUR").unwrap();
    let mut ls = settings("not a time,outbound,marketing,+33612345670\n");
    ls.input.skip_invalid = true;
    let err = estimate(&ls, &t, &budget(), None).unwrap_err();
    assert!(
        err.to_string().contains("every row was skipped (1 of 1)"),
        "{err}"
    );
}

#[test]
fn invoices_without_accounts_are_an_error_not_a_panic() {
    let t = Tariffs::bundled("EUR").unwrap();
    let err = invoices(&settings(&rows().concat()), &t, false)
        .err()
        .expect("no accounts, no invoices");
    assert!(err.to_string().contains("accounts"), "{err:#}");
}

/// A log held as a table of text cells (what the Python package builds from Arrow columns),
/// in two batches; with `written`, every column is written out a range of rows at a time
/// (as the package's columns of numbers are; ranges of 3 rows in tests).
struct TextTable {
    header: Vec<String>,
    rows: Arc<Vec<Vec<String>>>,
    written: bool,
}

impl Table for TextTable {
    fn header(&self) -> Vec<String> {
        self.header.clone()
    }
    fn batches(&self, _: &[crate::input::table::Use]) -> Vec<crate::input::table::Batch> {
        use crate::input::table::{Batch, Column, TextColumn};
        let text = |rows: &[Vec<String>], c: usize| {
            let mut column = TextColumn::default();
            for r in rows {
                column.push(r.get(c).map_or(&b""[..], |cell| cell.as_bytes()));
            }
            column.finish()
        };
        let half = self.rows.len() / 2;
        [0..half, half..self.rows.len()]
            .into_iter()
            .map(|range| Batch {
                rows: range.len(),
                columns: (0..self.header.len())
                    .map(|c| match self.written {
                        false => text(&self.rows[range.clone()], c),
                        true => {
                            let (rows, start) = (Arc::clone(&self.rows), range.start);
                            Column::Written(Arc::new(move |first, end| {
                                text(&rows[start + first..start + end], c)
                            }))
                        }
                    })
                    .collect(),
            })
            .collect()
    }
}

fn table(lines: &[String]) -> LogSettings {
    table_written(lines, false)
}

fn table_written(lines: &[String], written: bool) -> LogSettings {
    let cells = |l: &str| {
        l.trim_end()
            .split(',')
            .map(String::from)
            .collect::<Vec<_>>()
    };
    LogSettings::new(LogSource::Table(Arc::new(TextTable {
        header: cells(HEADER),
        rows: Arc::new(lines.iter().map(|l| cells(l)).collect()),
        written,
    })))
}

#[test]
fn a_table_of_the_logs_cells_costs_what_the_log_costs_in_order_or_not() {
    let t = Tariffs::bundled("EUR").unwrap();
    let mut shuffled = rows();
    shuffled.swap(0, 9);
    for (lines, written) in [(rows(), false), (shuffled.clone(), false), (shuffled, true)] {
        let from_csv = tally(&settings(&lines.concat()), &t, None).unwrap();
        let from_table = tally(&table_written(&lines, written), &t, None).unwrap();
        assert_eq!(from_table.events, 10);
        let report = |ls: &LogSettings, x: &Tallied| {
            let r = x.report(ls, &t, &budget(), None);
            format!("{:?} {:?}", r.months, r.notes)
        };
        assert_eq!(
            report(&table(&lines), &from_table),
            report(&settings(&lines.concat()), &from_csv)
        );
    }
}

#[test]
fn a_bad_cell_of_a_table_is_named_by_the_line_it_would_be_on_as_csv() {
    let t = Tariffs::bundled("EUR").unwrap();
    let mut lines = rows();
    lines[2] = "2025-08-03T10:00:00Z,outbound,promo,+33612345672\n".into();
    let err = tally(&table(&lines), &t, None).err().unwrap().to_string();
    let csv_err = tally(&settings(&lines.concat()), &t, None)
        .err()
        .unwrap()
        .to_string();
    assert_eq!(err, csv_err.replace("<log>", "<table>"));
    assert!(
        err.starts_with("<table>, line 4, column 'category': unknown category (value 'promo')"),
        "{err}"
    );
}

#[test]
fn a_part_of_a_log_billed_with_the_logs_start_presumes_what_the_whole_log_presumes() {
    // A reply 26 hours after the log's first message, with no customer message before it:
    // outside the log's first 24 hours, so rejected; billed alone, it is its log's first
    // message and presumed inside a window opened before the log.
    let whole = settings(
        "2025-08-01T08:00:00Z,outbound,marketing,+33612345670\n\
         2025-08-02T10:00:00Z,outbound,service,+33612345671\n",
    );
    let part = settings("2025-08-02T10:00:00Z,outbound,service,+33612345671\n");
    let t = Tariffs::bundled("EUR").unwrap();
    let start = log_start(&whole, &t).unwrap().unwrap();
    assert_eq!(start, 1_754_035_200_000);
    let rejected = |ls: &LogSettings| {
        let report = estimate(ls, &t, &budget(), None).unwrap();
        report
            .notes
            .iter()
            .find(|n| n.starts_with("not units:"))
            .map(|n| n.contains("1 free-form messages rejected"))
            .unwrap()
    };
    assert!(rejected(&whole));
    assert!(!rejected(&part));
    let mut with_start = part.clone();
    with_start.engine.log_start = Some(start);
    assert!(rejected(&with_start));
}
