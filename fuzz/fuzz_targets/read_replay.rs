//! Fuzzes the whole library pipeline on arbitrary bytes, through the same facade as the binary
//! (`waprice::pipeline`): the CSV reader, the engine, the pricer, the tally and its notes,
//! and the three renderers. Whatever the input, nothing may
//! panic: bad input must come back as a `ReadError`.
//!
//! The same bytes with CRLF line endings must give the same estimate, and the record
//! splitter must split them into the same fields as the csv crate, whatever its buffer size.
//!
//! The first byte chooses the options (skip flags, time zone, what-if date, service
//! allowance, currency); the rest is the log.
#![no_main]

use chrono::NaiveDate;
use libfuzzer_sys::fuzz_target;
use rust_decimal::Decimal;
use std::sync::OnceLock;
use waprice::budget::Budget;
use waprice::engine::EngineConfig;
use waprice::input::reader::InputOptions;
use waprice::input::records::{Records, Row};
use waprice::pipeline::{self, LogSettings, LogSource, Tallied, Tariffs};
use waprice::render::{self, csv::CsvStyle};
use waprice::report::Report;

/// The bundled cards, priced in EUR and in USD.
fn tariffs(currency: usize) -> &'static Tariffs {
    static T: OnceLock<[Tariffs; 2]> = OnceLock::new();
    &T.get_or_init(|| ["EUR", "USD"].map(|c| Tariffs::bundled(c).expect("bundled cards load")))
        [currency]
}

const ZONES: [chrono_tz::Tz; 4] = [
    chrono_tz::UTC,
    chrono_tz::Europe::Paris,
    chrono_tz::America::New_York,
    chrono_tz::Pacific::Chatham, // +12:45 / +13:45: offsets off the hour
];

fuzz_target!(|data: &[u8]| {
    let Some((&flags, log)) = data.split_first() else {
        return;
    };
    same_fields_as_the_csv_crate(log, 1 + usize::from(flags & 63));
    let t = tariffs(usize::from(flags >> 7));
    let as_of = match flags >> 5 & 3 {
        1 => NaiveDate::from_ymd_opt(2022, 3, 1),
        2 => NaiveDate::from_ymd_opt(2026, 10, 15),
        _ => None,
    };
    // The settings `waprice estimate` would build from the flags, for these bytes.
    let settings = |bytes: &[u8], as_of: Option<NaiveDate>| LogSettings {
        input: InputOptions {
            name: "fuzz.csv".to_string(),
            skip_invalid: flags & 1 != 0,
            skip_unsupported: flags & 2 != 0,
            ..InputOptions::default()
        },
        timezone: ZONES[usize::from(flags >> 2) & 3],
        engine: EngineConfig {
            free_service_allowance: if flags & 0x10 != 0 { 2 } else { 0 },
            as_of,
            ..EngineConfig::default()
        },
        ..LogSettings::new(LogSource::Bytes(bytes.into()))
    };
    let ls = settings(log, None);
    let read = pipeline::tally(&ls, t, None);
    // The same bytes with CRLF line endings (every LF preceded by a CR) must read the same:
    // same success or failure, and the same estimate.
    let crlf: Vec<u8> = log.iter().fold(Vec::new(), |mut v, &b| {
        if b == b'\n' {
            v.push(b'\r');
        }
        v.push(b);
        v
    });
    let ls_crlf = settings(&crlf, None);
    let read_crlf = pipeline::tally(&ls_crlf, t, None);
    let (tallied, tallied_crlf) = match (read, read_crlf) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(_), Err(_)) => return,
        (a, b) => panic!(
            "LF and CRLF read differently: {:?} vs {:?}",
            a.map(|r| r.stats),
            b.map(|r| r.stats)
        ),
    };
    let actual = report(&ls, t, &tallied);
    let mut out = Vec::new();
    let mut out_crlf = Vec::new();
    render::json::estimate(&actual, &mut out).unwrap();
    let actual_crlf = report(&ls_crlf, t, &tallied_crlf);
    render::json::estimate(&actual_crlf, &mut out_crlf).unwrap();
    assert!(
        out == out_crlf,
        "LF and CRLF give different estimates:\n{}\n{}",
        String::from_utf8_lossy(&out),
        String::from_utf8_lossy(&out_crlf)
    );
    match as_of {
        None => {
            render::table::estimate(&actual, render::table::Chart::Unicode, &mut out).unwrap();
            render::csv::estimate(&actual, CsvStyle::default(), &mut out).unwrap();
            render::json::estimate(&actual, &mut out).unwrap();
        }
        Some(as_of) => {
            let ls_what_if = settings(log, Some(as_of));
            let what_if = pipeline::tally(&ls_what_if, t, None).expect("read once already");
            let what_if = report(&ls_what_if, t, &what_if);
            let compare = render::what_if::Comparison {
                actual: &actual,
                what_if: &what_if,
                as_of,
            };
            render::what_if::table(&compare, &mut out).unwrap();
            render::what_if::csv(&compare, CsvStyle::default(), &mut out).unwrap();
            render::what_if::json(&compare, &mut out).unwrap();
        }
    }
});

/// The report `waprice estimate` prints for a tallied log, after checking the invariants every
/// replay must keep.
fn report(ls: &LogSettings, t: &Tariffs, tallied: &Tallied) -> Report {
    let stats = &tallied.stats;
    // Every business message gets exactly one verdict, and every row read is accounted for.
    assert_eq!(
        tallied.events, stats.business,
        "one event per business message"
    );
    assert_eq!(
        stats.rows,
        stats.inbound
            + stats.business
            + stats.skipped_invalid
            + stats.skipped_unsupported
            + stats.skipped_other_channel,
        "every row read is accounted for"
    );
    let total = tallied.tally.total();
    assert!(total.cost >= Decimal::ZERO, "cost is never negative");
    assert!(
        total.units() <= stats.business,
        "no more units than business messages"
    );
    let budget = Budget::for_agents(&t.currency, 10, true).expect("EUR and USD have a budget");
    tallied.report(ls, t, &budget, None)
}

/// The splitter (fast path and csv_core for quoted records) against the csv crate itself.
fn same_fields_as_the_csv_crate(bytes: &[u8], capacity: usize) {
    let mut records = Records::with_capacity(bytes, capacity);
    let mut row = Row::default();
    let mut ours = Vec::new();
    while records.read(&mut row).expect("reading a slice cannot fail") {
        ours.push(row.iter().map(<[u8]>::to_vec).collect::<Vec<_>>());
    }
    let theirs: Vec<Vec<Vec<u8>>> = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes)
        .byte_records()
        .map(|r| {
            r.expect("csv reads any bytes")
                .iter()
                .map(<[u8]>::to_vec)
                .collect()
        })
        .collect();
    assert_eq!(
        ours, theirs,
        "split differently from the csv crate (buffer {capacity})"
    );
}
