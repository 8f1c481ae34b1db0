//! The rules, message by message: docs/rules.md's worked examples and every era boundary.

use super::*;
use crate::event::Charge::{
    Conversation, Covered, FreeAllowance, FreeCustomerService, FreeEntryPoint, FreeService,
    FreeTier, Rejected, SwitchOver, Undelivered,
};
/// A billed message (`Charge::Message`; the name clashes with `message::Message`).
const MSG: Charge = Charge::Message;
use crate::country::CountryId;
use crate::event::UnitCategory as U;
use crate::message::TemplateCategory as T;
use chrono_tz::Tz;

const H: i64 = 3_600_000;

#[derive(Debug, Clone, Copy)]
enum Row {
    In(i64),
    Ep(i64),
    Tpl(i64, T),
    Free(i64),
    /// A free-form message whose row proves delivery (a delivered/read status or a delivery time).
    Delivered(i64),
    Failed(i64, T),
}

fn ms(s: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(s)
        .unwrap()
        .timestamp_millis()
}

/// Replays rows; the u32 picks the customer (pair 3 talks to a second business number).
/// Rows are sorted by time first (stably, as the reader does).
fn replay_rows(
    start: &str,
    rows: &[(u32, Row)],
    config: &EngineConfig,
    tz: Tz,
) -> Vec<(U, Charge)> {
    let mut pairs = Pairs::default();
    let b = pairs.business(b"");
    let b2 = pairs.business(b"second");
    let t0 = ms(start);
    let mut messages: Vec<Message> = rows
        .iter()
        .map(|&(p, row)| {
            let (t, kind, delivered, delivery_confirmed) = match row {
                Row::In(h) => (h, Kind::Inbound { entry_point: false }, true, false),
                Row::Ep(h) => (h, Kind::Inbound { entry_point: true }, true, false),
                Row::Tpl(h, c) => (h, Kind::Template(c), true, false),
                Row::Free(h) => (h, Kind::FreeForm, true, false),
                Row::Delivered(h) => (h, Kind::FreeForm, true, true),
                Row::Failed(h, c) => (h, Kind::Template(c), false, false),
            };
            let pair = pairs
                .intern(
                    if p == 3 { b2 } else { b },
                    33_600_000_000 + u64::from(p),
                    |_| Ok::<_, ()>(CountryId(0)),
                )
                .unwrap();
            Message {
                time: t0 + t,
                pair,
                kind,
                delivered,
                delivery_confirmed,
            }
        })
        .collect();
    messages.sort_by_key(|m| m.time);
    let mut out = Vec::new();
    replay(&messages, &pairs, config, Calendar::new(tz), |e| {
        out.push((e.category, e.charge))
    });
    out
}

fn one(start: &str, rows: &[Row]) -> Vec<(U, Charge)> {
    let rows: Vec<(u32, Row)> = rows.iter().map(|&r| (0, r)).collect();
    replay_rows(start, &rows, &EngineConfig::default(), Tz::UTC)
}

fn billed(v: &[(U, Charge)]) -> Vec<U> {
    v.iter()
        .filter(|(_, p)| p.is_billed())
        .map(|(c, _)| *c)
        .collect()
}

#[test]
fn example_1_era_b_templates_open_one_conversation_per_category() {
    let v = one(
        "2024-03-04T00:00:00Z",
        &[
            Row::Tpl(0, T::Marketing),
            Row::Tpl(4 * H, T::Utility),
            Row::Tpl(10 * H, T::Utility),
        ],
    );
    assert_eq!(
        v,
        vec![
            (U::Marketing, Conversation),
            (U::Utility, Conversation),
            (U::Utility, Covered)
        ]
    );
}

#[test]
fn example_2_era_b_free_form_rides_on_marketing_then_opens_service() {
    let rows = [
        Row::Tpl(0, T::Marketing),
        Row::In(4 * H),
        Row::Free(5 * H),
        Row::Free(25 * H),
        Row::Free(26 * H),
    ];
    // Before 2024-11-01 the service conversation is within the month's free tier.
    let v = one("2024-03-04T00:00:00Z", &rows);
    assert_eq!(
        v,
        vec![
            (U::Marketing, Conversation),
            (U::Service, Covered),
            (U::Service, FreeTier),
            (U::Service, Covered)
        ]
    );
    // From 2024-11-01 service conversations are free.
    let v = one("2024-11-04T00:00:00Z", &rows);
    assert_eq!(v[2], (U::Service, FreeService));
}

#[test]
fn example_3_entry_point_window_is_free_and_closes_conversations() {
    let v = one(
        "2024-03-04T00:00:00Z",
        &[
            Row::Tpl(0, T::Marketing),
            Row::Ep(10 * H),
            Row::Tpl(22 * H, T::Marketing),
            Row::Free(23 * H),
            Row::Tpl(60 * H, T::Utility),
            Row::Tpl(22 * H + 72 * H - 1, T::Utility),
            Row::Tpl(22 * H + 72 * H, T::Utility),
        ],
    );
    assert_eq!(
        v,
        vec![
            (U::Marketing, Conversation),
            (U::Marketing, FreeEntryPoint),
            (U::Service, Covered),
            (U::Utility, Covered),
            (U::Utility, Covered),
            (U::Utility, Conversation),
        ]
    );
}

#[test]
fn example_4_era_c_and_d() {
    let rows = [
        Row::Tpl(0, T::Marketing),
        Row::In(2 * H),
        Row::Free(3 * H),
        Row::Tpl(4 * H, T::Utility),
        Row::Tpl(30 * H, T::Utility),
    ];
    let c = one("2025-09-01T00:00:00Z", &rows);
    assert_eq!(
        c,
        vec![
            (U::Marketing, MSG),
            (U::Service, FreeCustomerService),
            (U::Utility, FreeCustomerService),
            (U::Utility, MSG)
        ]
    );
    let d = one("2026-10-05T00:00:00Z", &rows);
    assert_eq!(
        billed(&d),
        vec![U::Marketing, U::Service, U::Utility, U::Utility]
    );
}

#[test]
fn example_5_era_a_user_and_business_initiated() {
    let v = one(
        "2022-05-02T13:13:00Z",
        &[
            Row::In(0),
            Row::Free(0),
            Row::Tpl(26 * H + 32 * 60_000, T::Utility),
        ],
    );
    assert_eq!(
        v,
        vec![
            (U::UserInitiated, FreeTier),
            (U::BusinessInitiated, FreeTier)
        ]
    );
    let v = one(
        "2022-05-02T10:00:00Z",
        &[Row::Tpl(0, T::Marketing), Row::Tpl(3 * H, T::Utility)],
    );
    assert_eq!(
        v,
        vec![
            (U::BusinessInitiated, FreeTier),
            (U::BusinessInitiated, Covered)
        ]
    );
}

#[test]
fn example_6_utility_conversation_survives_the_switch_until_it_expires() {
    let v = one(
        "2025-06-30T20:00:00Z",
        &[
            Row::Tpl(0, T::Utility),
            Row::Tpl(14 * H, T::Utility),
            Row::Tpl(25 * H, T::Utility),
            Row::Tpl(14 * H + 1, T::Marketing),
        ],
    );
    assert_eq!(
        v,
        vec![
            (U::Utility, Conversation),
            (U::Utility, SwitchOver),
            (U::Marketing, MSG),
            (U::Utility, MSG)
        ]
    );
}

#[test]
fn example_7_free_form_outside_the_window_is_rejected_and_opens_nothing() {
    let v = one(
        "2025-03-01T10:00:00Z",
        &[
            Row::In(0),
            Row::Free(24 * H + 60_000),
            Row::Tpl(24 * H + 120_000, T::Marketing),
        ],
    );
    assert_eq!(
        v,
        vec![(U::Service, Rejected), (U::Marketing, Conversation)]
    );
}

/// Example 7 again, with something after the rejection that an opened window would change:
/// the customer writes again and the business replies. The reply opens its own service
/// conversation; had the rejected message opened one, the reply would ride on it. (A
/// template first, so that the pair is already in its era when the rejection comes.)
#[test]
fn example_7_the_rejected_message_opens_no_window_a_later_reply_could_ride_on() {
    let v = one(
        "2025-03-01T09:00:00Z",
        &[
            Row::Tpl(0, T::Marketing),
            Row::In(H),
            Row::Free(25 * H + 60_000),
            Row::In(25 * H + 30 * 60_000),
            Row::Free(26 * H),
        ],
    );
    assert_eq!(
        v,
        vec![
            (U::Marketing, Conversation),
            (U::Service, Rejected),
            (U::Service, FreeService)
        ]
    );
}

#[test]
fn example_8_era_a_free_tier_is_1000_conversations_a_month_across_customers() {
    // 1,003 business-initiated conversations in March 2022, each with its own customer.
    let rows: Vec<(u32, Row)> = (0..1003)
        .map(|i| (10 + i, Row::Tpl(i64::from(i) * 60_000, T::Marketing)))
        .collect();
    let v = replay_rows(
        "2022-03-01T00:00:00Z",
        &rows,
        &EngineConfig::default(),
        Tz::UTC,
    );
    assert_eq!(v.iter().filter(|(_, p)| *p == FreeTier).count(), 1000);
    assert_eq!(billed(&v), vec![U::BusinessInitiated; 3]);
    // The tier resets with the month: one more in April is free again.
    let april = replay_rows(
        "2022-03-31T23:59:00Z",
        &[
            (1, Row::Tpl(0, T::Marketing)),
            (2, Row::Tpl(60_000, T::Marketing)),
        ],
        &EngineConfig::default(),
        Tz::UTC,
    );
    assert_eq!(
        april,
        vec![
            (U::BusinessInitiated, FreeTier),
            (U::BusinessInitiated, FreeTier)
        ]
    );
}

#[test]
fn era_b_service_free_tier_ends_on_2024_11_01() {
    let mut rows = Vec::new();
    for i in 0..3 {
        rows.push((i, Row::In(0)));
        rows.push((i, Row::Free(1)));
    }
    let v = replay_rows(
        "2024-10-31T23:00:00Z",
        &rows,
        &EngineConfig::default(),
        Tz::UTC,
    );
    assert_eq!(v, vec![(U::Service, FreeTier); 3]);
    let v = replay_rows(
        "2024-11-01T00:00:00Z",
        &rows,
        &EngineConfig::default(),
        Tz::UTC,
    );
    assert_eq!(v, vec![(U::Service, FreeService); 3]);
}

#[test]
fn a_month_with_more_than_1000_service_conversations_bills_the_rest() {
    // 1,002 customers each open a service conversation in March 2024; marketing does not use the tier.
    let mut rows = Vec::new();
    for i in 0..1002u32 {
        let t = i64::from(i) * 60_000;
        rows.push((10 + i, Row::In(t)));
        rows.push((10 + i, Row::Free(t + 1)));
        rows.push((10 + i, Row::Tpl(t + 2, T::Marketing)));
    }
    let v = replay_rows(
        "2024-03-01T00:00:00Z",
        &rows,
        &EngineConfig::default(),
        Tz::UTC,
    );
    assert_eq!(v.iter().filter(|(_, p)| *p == FreeTier).count(), 1000);
    let billed = billed(&v);
    assert_eq!(billed.iter().filter(|c| **c == U::Service).count(), 2);
    assert_eq!(billed.iter().filter(|c| **c == U::Marketing).count(), 1002);
}

#[test]
fn no_era_a_conversation_covers_a_message_in_era_b() {
    let v = one(
        "2023-05-31T20:00:00Z",
        &[Row::Tpl(0, T::Marketing), Row::Tpl(5 * H, T::Marketing)],
    );
    assert_eq!(
        v,
        vec![
            (U::BusinessInitiated, FreeTier),
            (U::Marketing, Conversation)
        ]
    );
}

#[test]
fn era_boundaries_follow_the_waba_time_zone() {
    // 2025-06-30T23:30Z is already 2025-07-01 in Paris: per-message pricing.
    let rows = [(0, Row::Tpl(0, T::Marketing))];
    let utc = replay_rows(
        "2025-06-30T23:30:00Z",
        &rows,
        &EngineConfig::default(),
        Tz::UTC,
    );
    let paris = replay_rows(
        "2025-06-30T23:30:00Z",
        &rows,
        &EngineConfig::default(),
        chrono_tz::Europe::Paris,
    );
    assert_eq!(utc, vec![(U::Marketing, Conversation)]);
    assert_eq!(paris, vec![(U::Marketing, MSG)]);
}

#[test]
fn undelivered_messages_open_nothing() {
    let v = one(
        "2024-03-04T00:00:00Z",
        &[Row::Failed(0, T::Marketing), Row::Tpl(H, T::Marketing)],
    );
    assert_eq!(
        v,
        vec![(U::Marketing, Undelivered), (U::Marketing, Conversation)]
    );
}

#[test]
fn an_undelivered_reply_does_not_use_up_the_entry_point() {
    let v = one(
        "2025-09-01T00:00:00Z",
        &[
            Row::Ep(0),
            Row::Failed(H, T::Marketing),
            Row::Tpl(2 * H, T::Marketing),
        ],
    );
    assert_eq!(
        v,
        vec![(U::Marketing, Undelivered), (U::Marketing, FreeEntryPoint)]
    );
}

#[test]
fn entry_point_answered_24h_later_lapses() {
    let v = one(
        "2025-09-01T00:00:00Z",
        &[
            Row::Ep(0),
            Row::Tpl(24 * H, T::Marketing),
            Row::Tpl(25 * H, T::Marketing),
        ],
    );
    assert_eq!(v, vec![(U::Marketing, MSG), (U::Marketing, MSG)]);
}

#[test]
fn entry_point_window_needs_a_service_window_for_free_form() {
    let v = one(
        "2025-09-01T00:00:00Z",
        &[
            Row::Ep(0),
            Row::Tpl(H, T::Marketing),
            Row::Free(30 * H),
            Row::Tpl(30 * H, T::Utility),
        ],
    );
    assert_eq!(
        v,
        vec![
            (U::Marketing, FreeEntryPoint),
            (U::Service, Rejected),
            (U::Utility, FreeEntryPoint)
        ]
    );
}

#[test]
fn era_d_service_allowance_is_per_business_number_and_month() {
    let config = EngineConfig {
        free_service_allowance: 1,
        ..EngineConfig::default()
    };
    let rows = [
        (0, Row::In(0)),
        (0, Row::Free(1)),
        (0, Row::Free(2)),
        (3, Row::In(3)),
        (3, Row::Free(4)),
    ];
    let v = replay_rows("2026-10-05T00:00:00Z", &rows, &config, Tz::UTC);
    assert_eq!(
        v,
        vec![
            (U::Service, FreeAllowance),
            (U::Service, MSG),
            (U::Service, FreeAllowance)
        ]
    );
}

#[test]
fn windows_are_per_business_number() {
    // Pair 3 belongs to another business number: the customer window of pair 0 does not cover
    // it (past the log's first 24h, where no window opened before the log is presumed).
    let rows = [
        (0, Row::Tpl(0, T::Marketing)),
        (0, Row::In(30 * H)),
        (3, Row::Free(31 * H)),
    ];
    let v = replay_rows(
        "2025-09-01T00:00:00Z",
        &rows,
        &EngineConfig::default(),
        Tz::UTC,
    );
    assert_eq!(v[1], (U::Service, Rejected));
}

#[test]
fn authentication_international_from_the_country_start_date() {
    let from = chrono::NaiveDate::from_ymd_opt(2025, 2, 1).unwrap();
    let config = EngineConfig {
        auth_intl_from: vec![Some(from)],
        ..EngineConfig::default()
    };
    let rows = [(0, Row::Tpl(0, T::Authentication))];
    let before = replay_rows("2025-01-31T12:00:00Z", &rows, &config, Tz::UTC);
    let after = replay_rows("2025-09-01T12:00:00Z", &rows, &config, Tz::UTC);
    assert_eq!(before, vec![(U::Authentication, Conversation)]);
    assert_eq!(after, vec![(U::AuthenticationInternational, MSG)]);
}

// ---- A log is a window onto a longer history ----------------------------------------------

/// Replays one customer's rows and returns each business message's verdict and presumption.
fn presumed(start: &str, rows: &[Row], starts_clean: bool) -> Vec<(U, Charge, Presumed)> {
    let config = EngineConfig {
        log_starts_clean: starts_clean,
        ..EngineConfig::default()
    };
    let mut pairs = Pairs::default();
    let b = pairs.business(b"");
    let pair = pairs
        .intern(b, 33_612_345_678, |_| Ok::<_, ()>(CountryId(0)))
        .unwrap();
    let t0 = ms(start);
    let messages: Vec<Message> = rows
        .iter()
        .map(|&row| {
            let (t, kind, confirmed) = match row {
                Row::In(h) => (h, Kind::Inbound { entry_point: false }, false),
                Row::Tpl(h, c) => (h, Kind::Template(c), false),
                Row::Free(h) => (h, Kind::FreeForm, false),
                Row::Delivered(h) => (h, Kind::FreeForm, true),
                _ => unreachable!("not used here"),
            };
            Message {
                time: t0 + t,
                pair,
                kind,
                delivered: true,
                delivery_confirmed: confirmed,
            }
        })
        .collect();
    let mut out = Vec::new();
    replay(&messages, &pairs, &config, Calendar::new(Tz::UTC), |e| {
        out.push((e.category, e.charge, e.presumed))
    });
    out
}

use crate::event::Presumed::{BeforeLog, Delivered, No};

#[test]
fn a_reply_in_the_first_24h_is_inside_a_window_opened_before_the_log_in_every_era() {
    for (start, verdict) in [
        ("2023-03-01T00:30:00Z", (U::UserInitiated, FreeTier)),
        ("2024-03-01T00:30:00Z", (U::Service, FreeTier)),
        ("2025-03-01T00:30:00Z", (U::Service, FreeService)),
        ("2025-09-01T00:30:00Z", (U::Service, FreeCustomerService)),
        ("2026-11-01T00:30:00Z", (U::Service, MSG)),
    ] {
        assert_eq!(
            presumed(start, &[Row::Free(0)], false),
            vec![(verdict.0, verdict.1, BeforeLog)],
            "{start}"
        );
        assert_eq!(
            presumed(start, &[Row::Free(0)], true),
            vec![(U::Service, Rejected, No)],
            "{start} with --log-starts-clean"
        );
    }
}

#[test]
fn the_presumed_window_ends_with_the_logs_first_24h() {
    let v = presumed(
        "2026-11-01T00:00:00Z",
        &[
            Row::Tpl(0, T::Marketing),
            Row::Free(24 * H - 1),
            Row::Free(24 * H),
        ],
        false,
    );
    assert_eq!(
        v,
        vec![
            (U::Marketing, MSG, No),
            (U::Service, MSG, BeforeLog),
            (U::Service, Rejected, No)
        ]
    );
}

#[test]
fn delivery_evidence_proves_a_window_at_any_time_even_when_the_log_starts_clean() {
    for clean in [false, true] {
        let v = presumed(
            "2026-11-01T00:00:00Z",
            &[
                Row::Tpl(0, T::Marketing),
                Row::Delivered(40 * H),
                Row::In(50 * H),
                Row::Delivered(51 * H),
            ],
            clean,
        );
        assert_eq!(
            v,
            vec![
                (U::Marketing, MSG, No),
                (U::Service, MSG, Delivered),
                (U::Service, MSG, No)
            ],
            "clean {clean}"
        );
    }
}

#[test]
fn a_presumed_window_decides_only_its_own_message() {
    // Era C: the utility template after the presumed reply is outside every window: charged.
    let c = presumed(
        "2025-09-01T00:00:00Z",
        &[Row::Free(H), Row::Tpl(2 * H, T::Utility), Row::Free(3 * H)],
        false,
    );
    assert_eq!(
        c,
        vec![
            (U::Service, FreeCustomerService, BeforeLog),
            (U::Utility, MSG, No),
            (U::Service, FreeCustomerService, BeforeLog)
        ]
    );
    // Era A: a delivered reply opens a user-initiated conversation (not a business-initiated
    // one); a template after it, past the conversation, opens a business-initiated one.
    let a = presumed(
        "2023-03-10T00:00:00Z",
        &[
            Row::Tpl(0, T::Marketing),
            Row::Delivered(30 * H),
            Row::Tpl(31 * H, T::Utility),
            Row::Tpl(60 * H, T::Utility),
        ],
        false,
    );
    assert_eq!(
        a,
        vec![
            (U::BusinessInitiated, FreeTier, No),
            (U::UserInitiated, FreeTier, Delivered),
            (U::BusinessInitiated, Covered, No),
            (U::BusinessInitiated, FreeTier, No)
        ]
    );
}

#[test]
fn the_free_tier_is_counted_per_waba_and_month() {
    let mut counters = Counters::new(0);
    let march = Month(2024 * 12 + 2);
    let taken = |c: &mut Counters, waba, month, n| {
        c.waba = waba;
        (0..n).filter(|_| c.take_free_tier(month)).count()
    };
    assert_eq!(taken(&mut counters, 0, march, 1001), 1000);
    // Another WABA has a tier of its own, and the first is still used up.
    assert_eq!(taken(&mut counters, 1, march, 800), 800);
    assert_eq!(taken(&mut counters, 0, march, 1), 0);
    assert_eq!(taken(&mut counters, 1, march, 300), 200);
    // A new month starts every WABA's tier again.
    assert_eq!(taken(&mut counters, 0, march.next(), 1000), 1000);
}

mod boundaries;
mod properties;
