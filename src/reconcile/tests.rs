use super::*;
use crate::input::reader::InputOptions;
use crate::input::webhooks::read_webhooks;
use crate::tariff::card::RateCards;
use chrono_tz::Tz;
use serde_json::{json, Value};
use std::str::FromStr;

const FR: &str = "33612345678";
const H: i64 = 3600;
/// 2025-09-08T08:00:00Z (era C).
const C: i64 = 1_757_318_400;
/// 2024-03-04T08:00:00Z (era B).
const B: i64 = 1_709_539_200;

fn envelope(value: Value) -> String {
    let mut value = value;
    value["metadata"] = json!({"display_phone_number": "33186760000"});
    json!({"object": "whatsapp_business_account",
           "entry": [{"changes": [{"value": value, "field": "messages"}]}]})
    .to_string()
}

fn inbound(id: &str, secs: i64) -> String {
    envelope(
        json!({"messages": [{"from": FR, "id": id, "timestamp": secs.to_string(), "type": "text"}]}),
    )
}

fn delivered(id: &str, secs: i64, pricing: Value, conversation: Option<Value>) -> String {
    let mut s = json!({"id": id, "status": "delivered", "timestamp": secs.to_string(),
                       "recipient_id": FR, "pricing": pricing});
    if let Some(c) = conversation {
        s["conversation"] = c;
    }
    envelope(json!({"statuses": [s]}))
}

fn pmp(kind: &str, category: &str) -> Value {
    json!({"billable": kind == "regular", "pricing_model": "PMP", "type": kind, "category": category})
}

fn cbp(id: &str, secs: i64, conversation: &str, origin: &str, billable: bool) -> String {
    delivered(
        id,
        secs,
        json!({"billable": billable, "pricing_model": "CBP", "category": origin}),
        Some(json!({"id": conversation, "origin": {"type": origin}})),
    )
}

fn run(lines: &[String]) -> Reconciliation {
    let markets = MarketMap::bundled();
    let cards = RateCards::load(&markets, &[]).unwrap();
    let text = lines.join("\n");
    let wl = read_webhooks(
        text.as_bytes(),
        &InputOptions::default(),
        None,
        &Calendar::new(Tz::UTC),
        &markets,
    )
    .unwrap();
    reconcile(
        &wl,
        &EngineConfig::default(),
        Calendar::new(Tz::UTC),
        &markets,
        &Pricer::new(&cards, "USD"),
    )
}

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

#[test]
fn per_message_verdicts_agree_or_name_what_differs() {
    let r = run(&[
        delivered("wamid.1", C, pmp("regular", "marketing"), None),
        inbound("wamid.in", C + 2 * H),
        delivered(
            "wamid.2",
            C + 3 * H,
            pmp("free_customer_service", "service"),
            None,
        ),
        // Meta charged a utility template the engine sees inside the service window.
        delivered("wamid.3", C + 4 * H, pmp("regular", "utility"), None),
    ]);
    assert_eq!(r.lines.len(), 3);
    assert!(r.lines[0].agrees() && r.lines[1].agrees());
    let l = &r.lines[2];
    assert_eq!(l.engine, Charge::FreeCustomerService);
    assert_eq!(l.meta, MetaSays::Charge(Charge::Message));
    assert_eq!(l.differs, PRICING);
    assert_eq!(
        (r.total.messages, r.total.compared, r.total.agreeing),
        (3, 3, 2)
    );
    assert_eq!(r.total.agreement().unwrap().round_dp(2), d("66.67"));
    assert_eq!(
        (
            r.total.billed_waprice,
            r.total.billed_meta,
            r.total.billed_agreeing
        ),
        (1, 2, 1)
    );
    assert_eq!(r.total.billed_agreement(), Some(d("50")));
    // USD France in 2025-09 (the 2024-11-01 card carried over): marketing 0.1432, utility 0.03.
    assert_eq!(r.total.cost_waprice, d("0.1432"));
    assert_eq!(r.total.cost_meta, d("0.1732"));
    assert_eq!(r.total.cost_difference(), d("-0.0300"));
    assert_eq!(
        r.mismatches.get(&(
            "free_customer_service utility".to_string(),
            "message utility".to_string()
        )),
        Some(&1)
    );
}

#[test]
fn conversation_ids_must_group_the_same_messages_as_the_engine() {
    // The engine: one marketing conversation covering both templates. Meta agrees...
    let same = run(&[
        cbp("wamid.1", B, "m1", "marketing", true),
        cbp("wamid.2", B + H, "m1", "marketing", true),
    ]);
    assert_eq!(same.total.agreeing, 2);
    assert_eq!(same.lines[1].meta, MetaSays::Charge(Charge::Covered));
    assert_eq!(
        same.lines[0].engine_conversation,
        same.lines[1].engine_conversation
    );
    // ...or opened a second conversation: both messages disagree on grouping.
    let split = run(&[
        cbp("wamid.1", B, "m1", "marketing", true),
        cbp("wamid.2", B + H, "m2", "marketing", true),
    ]);
    assert_eq!(split.lines[0].differs, CONVERSATION);
    assert_eq!(split.lines[1].differs, PRICING | CONVERSATION);
    assert_eq!(split.total.billed_meta, 2);
    // ...or put two engine conversations (after 24h) into one.
    let merged = run(&[
        cbp("wamid.1", B, "m1", "marketing", true),
        cbp("wamid.2", B + 25 * H, "m1", "marketing", true),
    ]);
    assert_eq!(merged.lines[1].engine, Charge::Conversation);
    assert_eq!(merged.lines[1].meta, MetaSays::Charge(Charge::Covered));
    assert!(merged.lines.iter().all(|l| l.differs & CONVERSATION != 0));
}

#[test]
fn conversation_category_is_compared_for_messages_riding_on_it() {
    // A free-form reply rides on the open marketing conversation: Meta says marketing.
    let r = run(&[
        cbp("wamid.1", B, "m1", "marketing", true),
        inbound("wamid.in", B + H),
        cbp("wamid.2", B + 2 * H, "m1", "marketing", true),
        cbp("wamid.3", B + 3 * H, "u1", "utility", true),
        // Service in 2024-03 is within the month's free tier on both sides.
        inbound("wamid.in2", B + 30 * H),
        cbp("wamid.4", B + 30 * H + 60, "s1", "service", true),
    ]);
    assert!(r.lines.iter().all(Line::agrees), "{:?}", r.lines);
    assert_eq!(r.lines[3].meta, MetaSays::Charge(Charge::FreeTier));
    assert_eq!(r.lines[1].engine_category, Some(UnitCategory::Marketing));
}

#[test]
fn free_form_riding_in_era_b_goes_to_the_open_conversation_meta_names() {
    // Marketing and utility conversations both open; Meta puts the reply in the utility one.
    let r = run(&[
        inbound("wamid.in", B - H),
        delivered(
            "wamid.1",
            B,
            json!({"billable": true, "pricing_model": "CBP", "category": "marketing"}),
            Some(json!({"id": "m1", "origin": {"type": "marketing"}})),
        ),
        cbp("wamid.2", B + H, "u1", "utility", true),
        delivered(
            "wamid.3",
            B + 2 * H,
            json!({"billable": true, "pricing_model": "CBP", "category": "service"}),
            Some(json!({"id": "u1", "origin": {"type": "utility"}})),
        ),
    ]);
    assert!(r.lines.iter().all(Line::agrees), "{:?}", r.lines);
    assert_eq!(
        r.lines[2].engine_conversation,
        r.lines[1].engine_conversation
    );
}

#[test]
fn a_131047_failure_agrees_only_when_the_engine_sees_no_service_window() {
    let fail = |id: &str, secs: i64| {
        envelope(
            json!({"statuses": [{"id": id, "status": "failed", "timestamp": secs.to_string(),
            "recipient_id": FR, "errors": [{"code": 131047}]}]}),
        )
    };
    let closed = run(&[inbound("wamid.in", C), fail("wamid.1", C + 25 * H)]);
    assert_eq!(closed.lines[0].engine, Charge::Rejected);
    assert!(closed.lines[0].agrees());
    let open = run(&[inbound("wamid.in", C), fail("wamid.1", C + H)]);
    assert_eq!(open.lines[0].engine, Charge::Undelivered);
    assert_eq!(open.lines[0].meta, MetaSays::Charge(Charge::Rejected));
    assert_eq!(open.lines[0].differs, PRICING);
}

#[test]
fn era_a_free_tier_is_counted_over_metas_conversations() {
    // 2022-05: business-initiated, billable on Meta's side, free on the invoice (free tier).
    let a = 1_651_392_000;
    let r = run(&[
        cbp("wamid.1", a, "a1", "business_initiated", true),
        cbp("wamid.2", a + H, "a1", "business_initiated", true),
    ]);
    assert_eq!(r.lines[0].meta, MetaSays::Charge(Charge::FreeTier));
    assert_eq!(r.lines[0].engine, Charge::FreeTier);
    assert!(r.lines.iter().all(Line::agrees));
}

#[test]
fn messages_without_pricing_are_not_compared() {
    let r = run(&[envelope(
        json!({"statuses": [{"id": "wamid.1", "status": "delivered",
        "timestamp": C.to_string(), "recipient_id": FR}]}),
    )]);
    assert_eq!((r.total.messages, r.total.compared), (1, 0));
    assert_eq!(r.total.agreement(), None);
    assert!(!r.lines[0].agrees());
}

#[test]
fn differs_names_each_part() {
    assert_eq!(differs_name(PRICING | CONVERSATION), "pricing;conversation");
    assert_eq!(differs_name(0), "");
}
