//! Metamorphic properties of the rules, on random logs replayed in-process: changes to a log
//! that must not change what Meta counts (moving it by a week, splitting it where no window is
//! open) or may change it only one way (an extra inbound message never adds a rejection).
//! Each property runs `CASES` logs (`PROPTEST_CASES` overrides); docs/testing.md has the
//! counts and times.

use super::*;
use proptest::prelude::*;

const DAY: i64 = 24 * H;
const CASES: u32 = 1000;

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(CASES),
        max_shrink_iters: 512,
        ..ProptestConfig::default()
    }
}

/// Gaps between consecutive rows, at and around every window edge (in milliseconds).
const GAPS: [i64; 12] = [
    0,
    1,
    60_000,
    H,
    DAY - 1,
    DAY,
    DAY + 1,
    3 * DAY - 1,
    3 * DAY,
    3 * DAY + 1,
    30 * H,
    5 * DAY,
];

/// Starts well inside one era and one side of the 2024-11-01 free-service date, with room
/// for a log of up to 60 rows 5 days apart, moved by a week.
const STARTS: [&str; 5] = [
    "2022-03-01T10:00:00Z",
    "2023-06-05T10:00:00Z",
    "2024-11-05T10:00:00Z",
    "2025-07-05T10:00:00Z",
    "2026-10-05T10:00:00Z",
];

/// Zones with and without DST, and off the hour.
const ZONES: [Tz; 5] = [
    Tz::UTC,
    Tz::Europe__Paris,
    Tz::Asia__Kolkata,
    Tz::America__Sao_Paulo,
    Tz::Pacific__Chatham,
];

fn category() -> impl Strategy<Value = T> {
    prop::sample::select(&[T::Marketing, T::Utility, T::Authentication][..])
}

/// One row at time `t`: 0 inbound, 1 entry point, 2 template, 3 free-form, 4 failed template.
fn row_at(kind: u8, c: T, t: i64) -> Row {
    match kind {
        0 => Row::In(t),
        1 => Row::Ep(t),
        2 => Row::Tpl(t, c),
        3 => Row::Free(t),
        _ => Row::Failed(t, c),
    }
}

fn time_of(row: Row) -> i64 {
    match row {
        Row::In(t)
        | Row::Ep(t)
        | Row::Tpl(t, _)
        | Row::Free(t)
        | Row::Delivered(t)
        | Row::Failed(t, _) => t,
    }
}

fn shifted(row: Row, d: i64) -> Row {
    match row {
        Row::In(t) => Row::In(t + d),
        Row::Ep(t) => Row::Ep(t + d),
        Row::Tpl(t, c) => Row::Tpl(t + d, c),
        Row::Free(t) => Row::Free(t + d),
        Row::Delivered(t) => Row::Delivered(t + d),
        Row::Failed(t, c) => Row::Failed(t + d, c),
    }
}

/// Rows of up to four customers (customer 3 talks to a second business number), times from 0.
fn rows(max: usize) -> impl Strategy<Value = Vec<(u32, Row)>> {
    prop::collection::vec(
        (
            prop::sample::select(&GAPS[..]),
            prop_oneof![3 => Just(0u8), 1 => Just(1), 4 => Just(2), 3 => Just(3), 1 => Just(4)],
            category(),
            0u32..4,
        ),
        1..max,
    )
    .prop_map(|cells| {
        let mut t = 0;
        cells
            .into_iter()
            .map(|(gap, kind, c, customer)| {
                t += gap;
                (customer, row_at(kind, c, t))
            })
            .collect()
    })
}

/// The first instant at which every window the rows opened is closed: the latest end of a
/// service, conversation or free entry point window, or of an entry point's 24h to reply.
/// Also returns the customer whose window closes last. Replayed under the same `cfg` as the
/// property: with another (say, replies presumed inside a window opened before the log) the
/// windows, and so the split instant, differ.
fn all_windows_closed(start: &str, rows: &[(u32, Row)], tz: Tz, cfg: &EngineConfig) -> (i64, u32) {
    let mut pairs = Pairs::default();
    let businesses = [pairs.business(b""), pairs.business(b"second")];
    let t0 = ms(start);
    let mut customer_of = Vec::new();
    let mut messages: Vec<Message> = rows
        .iter()
        .map(|&(p, row)| {
            let (t, kind, delivered, confirmed) = match row {
                Row::In(h) => (h, Kind::Inbound { entry_point: false }, true, false),
                Row::Ep(h) => (h, Kind::Inbound { entry_point: true }, true, false),
                Row::Tpl(h, c) => (h, Kind::Template(c), true, false),
                Row::Free(h) => (h, Kind::FreeForm, true, false),
                Row::Delivered(h) => (h, Kind::FreeForm, true, true),
                Row::Failed(h, c) => (h, Kind::Template(c), false, false),
            };
            let b = businesses[usize::from(p == 3)];
            let pair = pairs
                .intern(b, 33_600_000_000 + u64::from(p), |_| {
                    Ok::<_, ()>(CountryId(0))
                })
                .unwrap();
            if customer_of.len() <= pair as usize {
                customer_of.resize(pair as usize + 1, 0);
            }
            customer_of[pair as usize] = p;
            Message {
                time: t0 + t,
                pair,
                kind,
                delivered,
                delivery_confirmed: confirmed,
            }
        })
        .collect();
    messages.sort_by_key(|m| m.time);
    let mut engine = Engine::new(cfg, Calendar::new(tz));
    for m in &messages {
        engine.push(m, &pairs);
    }
    let mut end = (i64::MIN, 0);
    for pair in 0..engine.pair_count() as u32 {
        let st = &engine.pairs[pair];
        let waiting = if st.entry_point_at == windows::CLOSED {
            windows::CLOSED
        } else {
            st.entry_point_at + DAY
        };
        let windows = [st.csw_until, st.fep_until, waiting];
        for until in windows.into_iter().chain(st.conversation_until) {
            if until > end.0 {
                end = (until, customer_of[pair as usize]);
            }
        }
    }
    end
}

fn at(t0: i64) -> String {
    chrono::DateTime::from_timestamp_millis(t0)
        .unwrap()
        .to_rfc3339()
}

proptest! {
    #![proptest_config(config())]

    /// Moving a whole log by a week, inside one era and one side of every dated rule,
    /// changes no verdict (and so no count): windows and counters follow the messages.
    #[test]
    fn moving_a_log_by_a_week_changes_no_count(
        log in rows(60),
        start in prop::sample::select(&STARTS[..]),
        tz in prop::sample::select(&ZONES[..]),
    ) {
        let cfg = EngineConfig::default();
        let t0 = ms(start);
        let before = replay_rows(&at(t0), &log, &cfg, tz);
        let after = replay_rows(&at(t0 + 7 * DAY), &log, &cfg, tz);
        prop_assert_eq!(before, after);
    }

    /// An extra customer message (with or without an entry point) never turns a message
    /// into a rejected one: it can only open the service window, never close it. With
    /// `--log-starts-clean`: otherwise an extra message before the log's first row moves the
    /// log's start, and with it the first 24h in which replies are presumed inside a window
    /// opened before the log (by design).
    #[test]
    fn an_extra_inbound_message_never_adds_a_rejection(
        log in rows(50),
        start in prop::sample::select(&STARTS[..]),
        customer in 0u32..4,
        entry_point in any::<bool>(),
        at_row in any::<prop::sample::Index>(),
        offset in prop::sample::select(&[0i64, 1, -1, H][..]),
    ) {
        let cfg = EngineConfig {
            log_starts_clean: true,
            ..EngineConfig::default()
        };
        let t = (time_of(at_row.get(&log).1) + offset).max(0);
        let mut more = log.clone();
        more.push((customer, if entry_point { Row::Ep(t) } else { Row::In(t) }));
        let before = replay_rows(start, &log, &cfg, Tz::UTC);
        let after = replay_rows(start, &more, &cfg, Tz::UTC);
        // Inbound messages produce no verdict: the business messages line up one to one.
        prop_assert_eq!(before.len(), after.len());
        for (i, (b, a)) in before.iter().zip(&after).enumerate() {
            prop_assert!(
                a.1 != Rejected || b.1 == Rejected,
                "message {} rejected only with the extra inbound at +{}ms: {:?}", i, t, a
            );
        }
    }

    /// Splitting a log at the first instant where no window is open (every service,
    /// conversation and free entry point window closed, no entry point waiting for a reply)
    /// and replaying both parts on their own gives the same verdicts as the whole. The
    /// second part starts exactly there, or a little later. Each part is replayed as holding
    /// its whole history (`--log-starts-clean`): otherwise a reply in the second part's first
    /// 24h is, by design, presumed inside a window opened before that part began.
    #[test]
    fn splitting_where_no_window_is_open_gives_the_same_units(
        first in rows(30),
        second in rows(30).prop_map(|r| {
            let first = time_of(r[0].1);
            r.into_iter().map(|(c, row)| (c, shifted(row, -first))).collect::<Vec<_>>()
        }),
        start in prop::sample::select(&STARTS[..]),
        later in prop::sample::select(&[0i64, 0, 0, 1, H, 20 * DAY][..]),
        same_customer in any::<bool>(),
        tz in prop::sample::select(&ZONES[..]),
    ) {
        let cfg = EngineConfig {
            log_starts_clean: true,
            ..EngineConfig::default()
        };
        let t0 = ms(start);
        let last = first.iter().map(|&(_, r)| time_of(r)).max().unwrap();
        let (closed, customer) = all_windows_closed(&at(t0), &first, tz, &cfg);
        let split = closed.max(t0 + last) - t0 + later;
        // Half the time the second part starts with the customer whose window closed last.
        let mut second = second;
        if same_customer {
            second[0].0 = customer;
        }
        let whole: Vec<(u32, Row)> = first
            .iter()
            .copied()
            .chain(second.iter().map(|&(c, r)| (c, shifted(r, split))))
            .collect();
        let mut parts = replay_rows(&at(t0), &first, &cfg, tz);
        // The second part's first row is at its time 0: at the split instant itself.
        parts.extend(replay_rows(&at(t0 + split), &second, &cfg, tz));
        prop_assert_eq!(replay_rows(&at(t0), &whole, &cfg, tz), parts);
    }
}
