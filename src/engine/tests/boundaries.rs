//! Every rule's edge, to the millisecond: windows end at exactly +24h and +72h, the free tier
//! gives exactly 1,000 conversations, and each dated rule (era, free service, month,
//! authentication-international) starts at local midnight of its first day, not a
//! millisecond earlier or later, in zones with and without daylight saving time.

use super::*;
use chrono::TimeZone;
use chrono_tz::{America, Asia};

const DAY: i64 = 24 * H;

#[test]
fn era_b_template_conversation_ends_at_exactly_24h() {
    for c in [T::Marketing, T::Utility, T::Authentication] {
        let v = one(
            "2024-03-04T09:00:00Z",
            &[Row::Tpl(0, c), Row::Tpl(DAY - 1, c), Row::Tpl(DAY, c)],
        );
        let u = v[0].0;
        assert_eq!(
            v,
            vec![(u, Conversation), (u, Covered), (u, Conversation)],
            "{c:?}"
        );
    }
}

#[test]
fn era_b_service_conversation_ends_at_exactly_24h() {
    // The service conversation opens with the reply at +1ms; a second inbound keeps the
    // service window open so the replies at +24h are not rejected.
    let v = one(
        "2024-03-04T09:00:00Z",
        &[
            Row::In(0),
            Row::Free(1),
            Row::In(20 * H),
            Row::Free(DAY),
            Row::Free(DAY + 1),
        ],
    );
    assert_eq!(
        v,
        vec![
            (U::Service, FreeTier),
            (U::Service, Covered),
            (U::Service, FreeTier)
        ]
    );
}

#[test]
fn era_a_conversation_ends_at_exactly_24h() {
    let v = one(
        "2022-03-04T09:00:00Z",
        &[
            Row::Tpl(0, T::Marketing),
            Row::Tpl(DAY - 1, T::Utility),
            Row::Tpl(DAY, T::Marketing),
        ],
    );
    assert_eq!(
        v,
        vec![
            (U::BusinessInitiated, FreeTier),
            (U::BusinessInitiated, Covered),
            (U::BusinessInitiated, FreeTier)
        ]
    );
}

#[test]
fn free_entry_point_window_ends_at_exactly_72h() {
    // Era B: messages inside the window are covered, the first one after opens a conversation.
    let v = one(
        "2024-03-04T09:00:00Z",
        &[
            Row::Ep(0),
            Row::Tpl(H, T::Marketing),
            Row::Tpl(H + 3 * DAY - 1, T::Utility),
            Row::Tpl(H + 3 * DAY, T::Utility),
        ],
    );
    assert_eq!(
        v,
        vec![
            (U::Marketing, FreeEntryPoint),
            (U::Utility, Covered),
            (U::Utility, Conversation)
        ]
    );
    // Era C: free inside, one message billed after.
    let v = one(
        "2025-09-01T09:00:00Z",
        &[
            Row::Ep(0),
            Row::Tpl(H, T::Marketing),
            Row::Tpl(H + 3 * DAY - 1, T::Marketing),
            Row::Tpl(H + 3 * DAY, T::Marketing),
        ],
    );
    assert_eq!(
        v,
        vec![
            (U::Marketing, FreeEntryPoint),
            (U::Marketing, FreeEntryPoint),
            (U::Marketing, MSG)
        ]
    );
}

#[test]
fn entry_point_answered_a_millisecond_before_24h_opens_the_window() {
    let v = one(
        "2025-09-01T09:00:00Z",
        &[Row::Ep(0), Row::Tpl(DAY - 1, T::Marketing)],
    );
    assert_eq!(v, vec![(U::Marketing, FreeEntryPoint)]);
}

#[test]
fn service_window_ends_at_exactly_24h() {
    let v = one(
        "2025-09-01T09:00:00Z",
        &[Row::In(0), Row::Free(DAY - 1), Row::Free(DAY)],
    );
    assert_eq!(
        v,
        vec![(U::Service, FreeCustomerService), (U::Service, Rejected)]
    );
}

/// `n` customers (ids from 10) each opening a conversation a minute apart from `at`: an era A
/// template, or in era B an inbound message and a free-form reply.
fn conversations(n: u32, era_b: bool) -> Vec<(u32, Row)> {
    let mut rows = Vec::new();
    for i in 0..n {
        let t = i64::from(i) * 60_000;
        if era_b {
            rows.push((10 + i, Row::In(t)));
            rows.push((10 + i, Row::Free(t + 1)));
        } else {
            rows.push((10 + i, Row::Tpl(t, T::Marketing)));
        }
    }
    rows
}

#[test]
fn the_1000th_conversation_is_free_and_the_1001st_is_billed() {
    for (start, era_b) in [
        ("2022-03-02T00:00:00Z", false),
        ("2024-03-02T00:00:00Z", true),
    ] {
        let v = replay_rows(
            start,
            &conversations(1001, era_b),
            &EngineConfig::default(),
            Tz::UTC,
        );
        assert_eq!(v.len(), 1001);
        assert_eq!(v[999].1, FreeTier, "the 1,000th, era B: {era_b}");
        assert_eq!(v[1000].1, Conversation, "the 1,001st, era B: {era_b}");
    }
}

#[test]
fn the_free_tier_restarts_at_local_midnight_of_the_first() {
    // 1,000 conversations in March in Kolkata (+05:30); then one a millisecond before April
    // starts there (billed: March's tier is used up) and one at midnight (April's first, free).
    for (year, era_b) in [(2023, false), (2024, true)] {
        let start = format!("{year}-03-02T00:00:00Z");
        let april = ms(&format!("{year}-04-01T00:00:00+05:30")) - ms(&start);
        let mut rows = conversations(1000, era_b);
        for (c, t) in [(5000, april - 1), (5001, april)] {
            if era_b {
                rows.push((c, Row::In(t - 1)));
                rows.push((c, Row::Free(t)));
            } else {
                rows.push((c, Row::Tpl(t, T::Marketing)));
            }
        }
        let v = replay_rows(&start, &rows, &EngineConfig::default(), Asia::Kolkata);
        assert_eq!(v.len(), 1002);
        assert_eq!(v[999].1, FreeTier, "era B: {era_b}");
        assert_eq!(v[1000].1, Conversation, "1ms before April, era B: {era_b}");
        assert_eq!(v[1001].1, FreeTier, "April's first, era B: {era_b}");
    }
}

/// One message for customer 1 a millisecond before local midnight starts `date` in `tz`,
/// and one for customer 2 at midnight (after an inbound an hour before, for free-form).
fn either_side_of_midnight(
    date: &str,
    tz: Tz,
    row: fn(i64) -> Row,
    config: &EngineConfig,
) -> Vec<(U, Charge)> {
    let midnight = tz
        .from_local_datetime(
            &chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d")
                .unwrap()
                .and_hms_opt(0, 0, 0)
                .unwrap(),
        )
        .earliest()
        .unwrap()
        .timestamp_millis();
    let start = chrono::DateTime::from_timestamp_millis(midnight - H)
        .unwrap()
        .to_rfc3339();
    let rows = [
        (1, Row::In(0)),
        (2, Row::In(0)),
        (1, row(H - 1)),
        (2, row(H)),
    ];
    replay_rows(&start, &rows, config, tz)
}

const ZONES: [Tz; 3] = [Asia::Kolkata, America::New_York, Tz::Europe__Paris];

#[test]
fn each_era_starts_at_local_midnight_of_its_first_day() {
    let cfg = EngineConfig::default();
    let marketing = |t| Row::Tpl(t, T::Marketing);
    let free_form = |t| Row::Free(t);
    for tz in ZONES {
        // Era A to B: one conversation for any reason, then one per category.
        assert_eq!(
            either_side_of_midnight("2023-06-01", tz, marketing, &cfg),
            vec![(U::UserInitiated, FreeTier), (U::Marketing, Conversation)],
            "{tz}"
        );
        // Era B: service conversations free from 2024-11-01.
        assert_eq!(
            either_side_of_midnight("2024-11-01", tz, free_form, &cfg),
            vec![(U::Service, FreeTier), (U::Service, FreeService)],
            "{tz}"
        );
        // Era B to C: per message.
        assert_eq!(
            either_side_of_midnight("2025-07-01", tz, marketing, &cfg),
            vec![(U::Marketing, Conversation), (U::Marketing, MSG)],
            "{tz}"
        );
        // Era C to D: free-form in the service window is charged.
        assert_eq!(
            either_side_of_midnight("2026-10-01", tz, free_form, &cfg),
            vec![(U::Service, FreeCustomerService), (U::Service, MSG)],
            "{tz}"
        );
    }
}

#[test]
fn authentication_international_starts_at_local_midnight_of_the_start_date() {
    let from = chrono::NaiveDate::from_ymd_opt(2025, 2, 1).unwrap();
    let cfg = EngineConfig {
        auth_intl_from: vec![Some(from)],
        ..EngineConfig::default()
    };
    let auth = |t| Row::Tpl(t, T::Authentication);
    for tz in ZONES {
        assert_eq!(
            either_side_of_midnight("2025-02-01", tz, auth, &cfg),
            vec![
                (U::Authentication, Conversation),
                (U::AuthenticationInternational, Conversation)
            ],
            "{tz}"
        );
    }
    // Per message too (era D; a start date on the first day of era D).
    let cfg = EngineConfig {
        auth_intl_from: vec![Some(chrono::NaiveDate::from_ymd_opt(2026, 10, 15).unwrap())],
        ..EngineConfig::default()
    };
    for tz in ZONES {
        assert_eq!(
            either_side_of_midnight("2026-10-15", tz, auth, &cfg),
            vec![
                (U::Authentication, MSG),
                (U::AuthenticationInternational, MSG)
            ],
            "{tz}"
        );
    }
}

#[test]
fn the_era_d_allowance_restarts_at_local_midnight_of_the_first() {
    // One free service message a month: used on 31 October, a millisecond before November
    // starts in Kolkata; the one at midnight is November's; the next one is billed.
    let cfg = EngineConfig {
        free_service_allowance: 1,
        ..EngineConfig::default()
    };
    let rows = [
        (0, Row::In(0)),
        (0, Row::Free(H - 2)),
        (0, Row::Free(H - 1)),
        (0, Row::Free(H)),
        (0, Row::Free(H + 1)),
    ];
    let v = replay_rows("2026-10-31T23:00:00+05:30", &rows, &cfg, Asia::Kolkata);
    assert_eq!(
        v,
        vec![
            (U::Service, FreeAllowance),
            (U::Service, MSG),
            (U::Service, FreeAllowance),
            (U::Service, MSG)
        ]
    );
}

#[test]
fn each_pair_keeps_its_customers_country() {
    // Authentication-international applies to customers of country 1 only: the engine must
    // look at each pair's own customer, not a default country.
    let from = chrono::NaiveDate::from_ymd_opt(2025, 2, 1).unwrap();
    let cfg = EngineConfig {
        auth_intl_from: vec![None, Some(from)],
        ..EngineConfig::default()
    };
    let mut pairs = Pairs::default();
    let b = pairs.business(b"");
    let t = ms("2025-09-01T10:00:00Z");
    let messages: Vec<Message> = [(33_600_000_001u64, 0u16), (919_800_000_001, 1)]
        .iter()
        .enumerate()
        .map(|(i, &(number, country))| Message {
            time: t + i as i64,
            pair: pairs
                .intern(b, number, |_| Ok::<_, ()>(CountryId(country)))
                .unwrap(),
            kind: Kind::Template(T::Authentication),
            delivered: true,
            delivery_confirmed: false,
        })
        .collect();
    let mut out = Vec::new();
    replay(&messages, &pairs, &cfg, Calendar::new(Tz::UTC), |e| {
        out.push((e.country, e.category))
    });
    assert_eq!(
        out,
        vec![
            (CountryId(0), U::Authentication),
            (CountryId(1), U::AuthenticationInternational)
        ]
    );
}
