//! Fuzzes the whole library pipeline on arbitrary bytes: the CSV reader, the engine, the
//! pricer, the tally and its notes, and the three renderers. Whatever the input, nothing may
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
use waprice::calendar::Calendar;
use waprice::engine::{self, EngineConfig};
use waprice::input::reader::{read_log, InputOptions, Log};
use waprice::input::split::{Records, Row};
use waprice::pricing::{Pricer, Quote};
use waprice::render::{self, csv::CsvStyle};
use waprice::report::notes::{notes, NoteContext};
use waprice::report::{Report, Tally};
use waprice::tariff::card::RateCards;
use waprice::tariff::market::MarketMap;

struct Tariffs {
    markets: MarketMap,
    cards: RateCards,
}

fn tariffs() -> &'static Tariffs {
    static T: OnceLock<Tariffs> = OnceLock::new();
    T.get_or_init(|| {
        let markets = MarketMap::bundled();
        let cards = RateCards::load(&markets, &[]).expect("bundled cards load");
        Tariffs { markets, cards }
    })
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
    let t = tariffs();
    let zone = ZONES[usize::from(flags >> 2) & 3];
    let calendar = Calendar::new(zone);
    let options = InputOptions {
        name: "fuzz.csv".to_string(),
        columns: Vec::new(),
        skip_invalid: flags & 1 != 0,
        skip_unsupported: flags & 2 != 0,
        ..InputOptions::default()
    };
    let read = read_log(log, &options, &calendar, &t.markets);
    // The same bytes with CRLF line endings (every LF preceded by a CR) must read the same:
    // same success or failure, and the same estimate.
    let crlf: Vec<u8> = log.iter().fold(Vec::new(), |mut v, &b| {
        if b == b'\n' {
            v.push(b'\r');
        }
        v.push(b);
        v
    });
    let read_crlf = read_log(&crlf[..], &options, &calendar, &t.markets);
    let (log, log_crlf) = match (read, read_crlf) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(_), Err(_)) => return,
        (a, b) => panic!(
            "LF and CRLF read differently: {:?} vs {:?}",
            a.map(|l| l.stats),
            b.map(|l| l.stats)
        ),
    };
    let as_of = match flags >> 5 & 3 {
        1 => NaiveDate::from_ymd_opt(2022, 3, 1),
        2 => NaiveDate::from_ymd_opt(2026, 10, 15),
        _ => None,
    };
    let currency = if flags & 0x80 != 0 { "USD" } else { "EUR" };
    let allowance = if flags & 0x10 != 0 { 2 } else { 0 };
    let actual = report(t, &log, zone, currency, allowance, None);
    let mut out = Vec::new();
    let mut out_crlf = Vec::new();
    render::json::estimate(&actual, &mut out).unwrap();
    let actual_crlf = report(t, &log_crlf, zone, currency, allowance, None);
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
            let what_if = report(t, &log, zone, currency, allowance, Some(as_of));
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

/// Replays, prices and tallies the log as `waprice estimate` does, checking the invariants
/// every replay must keep.
fn report(
    t: &Tariffs,
    log: &Log,
    zone: chrono_tz::Tz,
    currency: &str,
    allowance: u32,
    as_of: Option<NaiveDate>,
) -> Report {
    let config = EngineConfig {
        free_service_allowance: allowance,
        auth_intl_from: Vec::new(),
        as_of,
    };
    let pricer = Pricer::new(&t.cards, currency);
    let mut tally = Tally::default();
    let mut events = 0u64;
    engine::replay(
        &log.messages,
        &log.parties,
        &config,
        Calendar::new(zone),
        |e| {
            events += 1;
            let market = t
                .markets
                .market_at(log.parties.customer_of(e.pair).country, e.date);
            let quote = pricer.quote(&e, market);
            let card_date = match &quote {
                Quote::Priced(r) => Some(t.cards.row(r.row).effective_from),
                _ => None,
            };
            tally.add(&e, market, &quote, card_date);
        },
    );
    // Every business message gets exactly one verdict, and every row read is accounted for.
    assert_eq!(events, log.stats.business, "one event per business message");
    assert_eq!(
        log.stats.rows,
        log.stats.inbound
            + log.stats.business
            + log.stats.skipped_invalid
            + log.stats.skipped_unsupported,
        "every row read is accounted for"
    );
    let total = tally.total();
    assert!(total.cost >= Decimal::ZERO, "cost is never negative");
    assert!(
        total.units() <= log.stats.business,
        "no more units than business messages"
    );
    let budget = Budget::for_agents(currency, 10, true).expect("EUR and USD have a budget");
    let market_name = |m| t.markets.market_name(m).to_string();
    let card_source = |_d: NaiveDate| "bundled".to_string();
    let cx = NoteContext {
        currency,
        timezone: zone.name(),
        budget: &budget,
        free_service_allowance: allowance,
        auth_intl: None,
        market_name: &market_name,
        card_source: &card_source,
        skipped_invalid: log.stats.skipped_invalid,
        skipped_unsupported: log.stats.skipped_unsupported,
        rows: log.stats.rows,
        inbound: log.stats.inbound,
        strict: false,
    };
    let notes = notes(&tally, &cx);
    Report::build(&tally, currency, &budget, None, market_name, notes)
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
        .map(|r| r.expect("csv reads any bytes").iter().map(<[u8]>::to_vec).collect())
        .collect();
    assert_eq!(ours, theirs, "split differently from the csv crate (buffer {capacity})");
}
