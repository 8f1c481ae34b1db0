use super::*;
use crate::calendar::Calendar;
use chrono_tz::Tz;
use serde_json::{json, Value};

const FR: &str = "33612345678";
/// 2025-09-08T10:00:00Z
const T: i64 = 1_757_325_600;

fn envelope(value: Value) -> String {
    let mut value = value;
    value["messaging_product"] = json!("whatsapp");
    value["metadata"] = json!({"display_phone_number": "33186760000", "phone_number_id": "1065"});
    json!({"object": "whatsapp_business_account",
           "entry": [{"id": "1022", "changes": [{"value": value, "field": "messages"}]}]})
    .to_string()
}

fn inbound(id: &str, secs: i64, referral: bool) -> String {
    let mut m = json!({"from": FR, "id": id, "timestamp": secs.to_string(), "type": "text",
                       "text": {"body": "hi"}});
    if referral {
        m["referral"] = json!({"source_type": "ad", "source_id": "1", "ctwa_clid": "x"});
    }
    envelope(json!({"contacts": [{"wa_id": FR}], "messages": [m]}))
}

fn status(
    id: &str,
    st: &str,
    secs: i64,
    pricing: Option<Value>,
    conversation: Option<Value>,
) -> String {
    let mut s = json!({"id": id, "status": st, "timestamp": secs.to_string(), "recipient_id": FR});
    if let Some(p) = pricing {
        s["pricing"] = p;
    }
    if let Some(c) = conversation {
        s["conversation"] = c;
    }
    envelope(json!({"statuses": [s]}))
}

fn pmp(kind: &str, category: &str) -> Option<Value> {
    Some(
        json!({"billable": kind == "regular", "pricing_model": "PMP", "type": kind, "category": category}),
    )
}

fn options(skip_invalid: bool) -> InputOptions {
    InputOptions {
        name: "hooks.ndjson".into(),
        skip_invalid,
        ..InputOptions::default()
    }
}

fn read_with(
    lines: &[String],
    o: &InputOptions,
    sent: Option<&SentCategories>,
) -> Result<WebhookLog, ReadError> {
    let text = lines.join("\n");
    read_webhooks(
        text.as_bytes(),
        o,
        sent,
        &Calendar::new(Tz::UTC),
        &crate::tariff::market::MarketMap::bundled(),
    )
}

fn read(lines: &[String]) -> WebhookLog {
    read_with(lines, &options(false), None).unwrap()
}

fn error(lines: &[String]) -> String {
    match read_with(lines, &options(false), None) {
        Err(ReadError::Bad(e)) => e.to_string(),
        other => panic!(
            "expected bad input, got {:?}",
            other.map(|w| w.log.messages)
        ),
    }
}

#[test]
fn statuses_of_one_id_become_one_business_message_at_its_delivery_time() {
    let conv = json!({"id": "c1", "expiration_timestamp": (T + 86_400).to_string(), "origin": {"type": "utility"}});
    let w = read(&[
        inbound("wamid.in", T - 3600, true),
        status(
            "wamid.b",
            "sent",
            T - 5,
            pmp("free_customer_service", "utility"),
            Some(conv),
        ),
        status(
            "wamid.b",
            "delivered",
            T,
            pmp("free_customer_service", "utility"),
            None,
        ),
        status("wamid.b", "read", T + 60, None, None),
    ]);
    assert_eq!(w.log.messages.len(), 2);
    let (inb, biz) = (w.log.messages[0], w.log.messages[1]);
    assert_eq!(inb.kind, Kind::Inbound { entry_point: true });
    assert_eq!(
        biz.time,
        T * 1000,
        "billed at the delivered status, not sent or read"
    );
    assert_eq!(biz.kind, Kind::Template(TemplateCategory::Utility));
    assert!(biz.delivered);
    assert_eq!(
        w.log
            .pairs
            .business_name(w.log.pairs.pair_of(biz.pair).business),
        b"+33186760000"
    );
    let v = w.meta[1].as_ref().unwrap();
    assert!(w.meta[0].is_none());
    assert_eq!(&*v.id, "wamid.b");
    assert_eq!(v.outcome, Outcome::Delivered);
    let p = v.pricing.unwrap();
    assert_eq!(
        (p.model, p.kind, p.category, p.billable),
        (
            Some(MetaPricingModel::Pmp),
            Some(MetaPricingType::FreeCustomerService),
            Some(MetaCategory::Utility),
            Some(false)
        )
    );
    let c = v.conversation.unwrap();
    assert_eq!(&*w.conversation_ids[c.id as usize], "c1");
    assert_eq!(c.origin, Some(MetaCategory::Utility));
    assert_eq!(c.expiration, Some((T + 86_400) * 1000));
    assert_eq!(
        (w.log.stats.rows, w.log.stats.inbound, w.log.stats.business),
        (2, 1, 1)
    );
    assert_eq!(w.stats.statuses, 3);
}

#[test]
fn failed_messages_are_not_delivered_and_keep_their_error_code() {
    let failed = envelope(json!({"statuses": [{"id": "wamid.f", "status": "failed",
        "timestamp": T.to_string(), "recipient_id": FR,
        "errors": [{"code": 131047, "title": "Re-engagement message"}]}]}));
    let w = read(&[failed]);
    let m = w.log.messages[0];
    assert!(!m.delivered);
    assert_eq!(
        m.kind,
        Kind::FreeForm,
        "131047 is only ever a free-form message"
    );
    let v = w.meta[0].as_ref().unwrap();
    assert_eq!(
        v.outcome,
        Outcome::Failed {
            code: Some(131_047)
        }
    );
    assert_eq!(v.category_source, CategorySource::Failure);
}

#[test]
fn retried_deliveries_are_counted_once_and_read_alone_means_delivered() {
    let line = inbound("wamid.in", T, false);
    let w = read(&[
        line.clone(),
        line,
        status(
            "wamid.r",
            "read",
            T + 10,
            pmp("free_customer_service", "service"),
            None,
        ),
        status(
            "wamid.r",
            "read",
            T + 10,
            pmp("free_customer_service", "service"),
            None,
        ),
    ]);
    assert_eq!(w.log.messages.len(), 2);
    assert_eq!(w.stats.duplicates, 2);
    assert_eq!(w.meta[1].as_ref().unwrap().outcome, Outcome::Delivered);
    assert_eq!(w.log.messages[1].kind, Kind::FreeForm);
}

#[test]
fn sent_file_categories_win_and_recategorised_templates_are_counted() {
    let sent = read_sent(
        "id,template,category\nwamid.a,order,utility\nwamid.gone,x,marketing\n".as_bytes(),
        "sent.csv",
        false,
    )
    .unwrap();
    let w = read_with(
        &[status(
            "wamid.a",
            "delivered",
            T,
            pmp("regular", "marketing"),
            None,
        )],
        &options(false),
        Some(&sent),
    )
    .unwrap();
    assert_eq!(
        w.log.messages[0].kind,
        Kind::Template(TemplateCategory::Utility)
    );
    assert_eq!(
        w.meta[0].as_ref().unwrap().category_source,
        CategorySource::Sent
    );
    assert_eq!(w.stats.recategorised, 1);
    assert_eq!(w.stats.sent_without_status, 1);
}

#[test]
fn conversation_categories_are_resolved_by_the_service_window() {
    // referral_conversion says nothing about the message: free-form when the customer wrote
    // in the last 24h, else a template (Meta delivered it).
    let fep = || {
        Some(json!({"billable": false, "pricing_model": "CBP", "category": "referral_conversion"}))
    };
    let w = read(&[
        inbound("wamid.in", T, true),
        status("wamid.1", "delivered", T + 3600, fep(), None),
        status("wamid.2", "delivered", T + 86_400, fep(), None),
    ]);
    assert_eq!(w.log.messages[1].kind, Kind::FreeForm);
    assert_eq!(
        w.log.messages[2].kind,
        Kind::Template(TemplateCategory::Marketing)
    );
    assert_eq!(w.stats.categories_inferred, 2);
}

#[test]
fn equal_times_keep_file_order() {
    let w = read(&[
        inbound("wamid.in", T, false),
        status(
            "wamid.b",
            "delivered",
            T,
            pmp("free_customer_service", "service"),
            None,
        ),
    ]);
    assert!(matches!(w.log.messages[0].kind, Kind::Inbound { .. }));
    let w = read(&[
        status(
            "wamid.b",
            "delivered",
            T,
            pmp("free_customer_service", "service"),
            None,
        ),
        inbound("wamid.in", T, false),
    ]);
    assert!(matches!(w.log.messages[1].kind, Kind::Inbound { .. }));
}

#[test]
fn errors_name_file_line_field_and_value_with_a_hint() {
    let ok = inbound("wamid.in", T, false);
    let e = error(&[
        ok.clone(),
        status(
            "wamid.b",
            "delivered",
            T,
            Some(json!({"pricing_model": "PMP", "category": 7})),
            None,
        ),
    ]);
    assert!(
        e.contains("hooks.ndjson, line 2, field 'entry[0].changes[0].value.statuses[0].pricing.category': not a string (value '7')"),
        "{e}"
    );
    assert!(e.contains("hint:"), "{e}");
    let e = error(&[ok.clone(), ok.replace(&format!("\"{T}\""), "\"yesterday\"")]);
    assert!(
        e.contains(
            "line 2, field 'entry[0].changes[0].value.messages[0].timestamp': not Unix seconds"
        ),
        "{e}"
    );
    let e = error(&[ok.replace(FR, "12345")]);
    assert!(e.contains("messages[0].from"), "{e}");
    let e = error(&["{\"entry\": [".into()]);
    assert!(
        e.contains("line 1: not a webhook payload in Meta's shape"),
        "{e}"
    );
    let e = error(&[status("wamid.b", "bounced", T, None, None)]);
    assert!(
        e.contains("statuses[0].status': unknown status (value 'bounced')"),
        "{e}"
    );
    let e = error(&[json!({"object": "page", "entry": []}).to_string()]);
    assert!(e.contains("field 'object'"), "{e}");
}

#[test]
fn skip_invalid_skips_and_counts_each_bad_entry() {
    let ok = inbound("wamid.in", T, false);
    let lines = [
        ok.clone(),
        "not json".to_string(),
        status("wamid.b", "bounced", T, pmp("regular", "marketing"), None),
        status(
            "wamid.c",
            "delivered",
            T + 1,
            pmp("regular", "marketing"),
            None,
        ),
    ];
    let w = read_with(&lines, &options(true), None).unwrap();
    assert_eq!(w.log.stats.skipped_invalid, 2);
    assert_eq!(w.log.messages.len(), 2);
    assert_eq!(w.log.stats.rows, 4, "rows = inbound + business + skipped");
    assert_eq!(w.log.stats.skipped_examples.len(), 2);
}

#[test]
fn before_2022_02_01_needs_skip_unsupported() {
    let old = status(
        "wamid.old",
        "delivered",
        1_640_995_200,
        pmp("regular", "marketing"),
        None,
    );
    let e = error(std::slice::from_ref(&old));
    assert!(e.contains("before 2022-02-01"), "{e}");
    let o = InputOptions {
        skip_unsupported: true,
        ..options(false)
    };
    let w = read_with(&[old], &o, None).unwrap();
    assert_eq!(w.log.stats.skipped_unsupported, 1);
    assert!(w.log.messages.is_empty());
}

#[test]
fn other_fields_and_system_messages_are_ignored() {
    let other = json!({"object": "whatsapp_business_account", "entry": [{"changes": [
        {"field": "message_template_status_update", "value": {"event": "APPROVED"}}]}]})
    .to_string();
    let system = envelope(
        json!({"messages": [{"from": FR, "id": "wamid.s", "timestamp": T.to_string(),
        "type": "system", "system": {"body": "changed number"}}]}),
    );
    let w = read(&[other, system]);
    assert!(w.log.messages.is_empty());
    assert_eq!(w.stats.other, 2);
    assert_eq!(w.stats.entries(), 2);
}

#[test]
fn sent_file_needs_its_columns_and_known_categories() {
    let e = read_sent("wamid,kind\nx,utility\n".as_bytes(), "s.csv", false).unwrap_err();
    assert!(
        e.to_string()
            .contains("needs a message id column and a category column"),
        "{e}"
    );
    let e = read_sent("id,category\nwamid.a,promo\n".as_bytes(), "s.csv", false).unwrap_err();
    assert!(
        e.to_string()
            .contains("s.csv, line 2, column 'category': unknown category"),
        "{e}"
    );
    let s = read_sent(
        "id,category\nwamid.a,promo\nwamid.b,\n".as_bytes(),
        "s.csv",
        true,
    )
    .unwrap();
    assert_eq!((s.len(), s.skipped_invalid), (1, 1));
    assert_eq!(s.get("wamid.b"), Some(Kind::FreeForm));
}

#[test]
fn unknown_pricing_categories_and_types_are_counted_and_named_never_fatal() {
    let ai = Some(
        json!({"billable": true, "pricing_model": "PMP", "type": "regular", "category": "general_purpose_ai"}),
    );
    let new_type = Some(
        json!({"billable": false, "pricing_model": "PMP", "type": "free_agent", "category": "service"}),
    );
    let w = read(&[
        inbound("wamid.in", T, false),
        status("wamid.a", "sent", T + 1, ai.clone(), None),
        status("wamid.a", "delivered", T + 2, ai, None),
        status("wamid.b", "delivered", T + 3, new_type, None),
        status(
            "wamid.c",
            "delivered",
            T + 4,
            pmp("regular", "marketing"),
            None,
        ),
    ]);
    assert_eq!(
        w.stats.unknown,
        vec![
            ("pricing.category 'general_purpose_ai'".to_string(), 1),
            ("pricing.type 'free_agent'".to_string(), 1)
        ]
    );
    assert_eq!(w.stats.unknown_messages(), 2);
    let unknown: Vec<bool> = w
        .meta
        .iter()
        .flatten()
        .map(|v| v.unknown.is_some())
        .collect();
    assert_eq!(unknown, vec![true, true, false]);
    assert_eq!(w.log.stats.business, 3);
}

#[test]
fn statuses_keyed_by_business_scoped_user_ids_take_the_country_from_the_contacts() {
    let bsuid = |id: &str, user: &str, secs: i64, contacts: Value| {
        envelope(
            json!({"contacts": contacts, "statuses": [{"id": id, "status": "delivered",
            "timestamp": secs.to_string(), "recipient_id": "", "recipient_user_id": user,
            "pricing": {"billable": true, "pricing_model": "PMP", "type": "regular", "category": "marketing"}}]}),
        )
    };
    let w = read(&[
        bsuid(
            "wamid.u1",
            "BR.1349120865530274",
            T,
            json!([{"user_id": "BR.1349120865530274", "country_code": "FR"}]),
        ),
        // The same customer again (same id, same pair); no contacts: its id's prefix.
        bsuid("wamid.u2", "BR.1349120865530274", T + 1, json!([])),
        bsuid("wamid.u3", "DE.77", T + 2, json!([])),
        // A calling code as the contact's country.
        bsuid(
            "wamid.u4",
            "XX.5",
            T + 3,
            json!([{"user_id": "XX.5", "country_code": "44"}]),
        ),
    ]);
    let m = &crate::tariff::market::MarketMap::bundled();
    let countries: Vec<&str> = w
        .log
        .messages
        .iter()
        .map(|msg| m.iso(w.log.pairs.customer_of(msg.pair).country))
        .collect();
    assert_eq!(countries, vec!["FR", "FR", "DE", "GB"]);
    assert_eq!(w.log.messages[0].pair, w.log.messages[1].pair);
    let first = w.log.pairs.customer_of(w.log.messages[0].pair).number;
    assert_eq!(w.log.pairs.recipient(first), "BR.1349120865530274");

    let e = error(&[bsuid("wamid.x", "9999", T, json!([]))]);
    assert!(
        e.contains("statuses[0].recipient_user_id': cannot tell the customer's country"),
        "{e}"
    );
}

#[test]
fn every_entry_lands_in_one_bucket_and_the_buckets_add_up() {
    let other = json!({"object": "whatsapp_business_account", "entry": [{"changes": [
        {"field": "account_update", "value": {"event": "VERIFIED_ACCOUNT"}}]}]})
    .to_string();
    let errors = envelope(json!({"errors": [{"code": 131000, "title": "Something went wrong"}]}));
    let empty = json!({"object": "whatsapp_business_account", "entry": []}).to_string();
    let delivered = status(
        "wamid.b",
        "delivered",
        T + 10,
        pmp("regular", "marketing"),
        None,
    );
    let lines = [
        inbound("wamid.in", T, false),
        inbound("wamid.in", T, false),
        delivered.clone(),
        delivered,
        status("wamid.b", "read", T + 20, None, None),
        status("wamid.b", "deleted", T + 30, None, None),
        other,
        errors,
        empty,
        "{not json".into(),
    ];
    let w = read_with(&lines, &options(true), None).unwrap();
    let st = &w.stats;
    assert_eq!(st.lines, 10);
    assert_eq!(st.payloads, 10);
    assert_eq!(
        (
            st.messages,
            st.statuses,
            st.duplicates,
            st.other,
            st.error_payloads,
            st.skipped
        ),
        (1, 2, 2, 3, 1, 1)
    );
    assert_eq!(st.entries(), 10, "one line, one entry: {}", st.accounting());
    assert!(
        st.accounting().starts_with("read 10 lines, 10 payloads: 10 entries = 1 customer message + 2 statuses + 2 duplicates"),
        "{}",
        st.accounting()
    );
}

#[test]
fn a_json_array_and_pretty_printed_or_concatenated_payloads_read_like_ndjson() {
    let lines = [
        inbound("wamid.in", T, false),
        status(
            "wamid.b",
            "delivered",
            T + 10,
            pmp("regular", "marketing"),
            None,
        ),
    ];
    let ndjson = read(&lines);
    let values: Vec<Value> = lines
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let array = serde_json::to_string_pretty(&Value::Array(values.clone())).unwrap();
    let pretty = values
        .iter()
        .map(|v| serde_json::to_string_pretty(v).unwrap())
        .collect::<Vec<_>>()
        .join("\n\n");
    let concatenated = lines.join("");
    let array_per_line = format!("[\n{}\n]", lines.join(",\n"));
    for (name, text) in [
        ("array", array),
        ("array, one payload a line", array_per_line),
        ("pretty", pretty),
        ("concatenated", concatenated),
    ] {
        let w = read(&[text]);
        assert_eq!(w.log.messages, ndjson.log.messages, "{name}");
        assert_eq!(w.stats.payloads, 2, "{name}");
        assert_eq!(w.stats.entries(), 2, "{name}");
    }
}

#[test]
fn a_cut_payload_is_reported_at_its_line_and_the_next_ones_are_read() {
    let ok = inbound("wamid.in", T, false);
    let cut = status(
        "wamid.b",
        "delivered",
        T + 10,
        pmp("regular", "utility"),
        None,
    );
    let cut = cut[..cut.len() / 2].to_string();
    let e = error(&[ok.clone(), cut.clone(), ok.clone()]);
    assert!(
        e.contains("hooks.ndjson, line 2: not a webhook payload in Meta's shape"),
        "{e}"
    );
    let e = error(&[ok.clone(), cut.clone()]);
    assert!(e.contains("line 2: not a webhook payload"), "{e}");
    assert!(e.contains("EOF while parsing"), "{e}");
    let w = read_with(
        &[cut, inbound("wamid.in2", T + 5, false), ok],
        &options(true),
        None,
    )
    .unwrap();
    assert_eq!(w.stats.skipped, 1);
    assert_eq!(w.stats.messages, 2);
}

#[test]
fn failures_without_pricing_name_each_error_code() {
    let failed = |id: &str, code: u32| {
        envelope(
            json!({"statuses": [{"id": id, "status": "failed", "timestamp": T.to_string(),
            "recipient_id": FR, "errors": [{"code": code, "title": "x"}]}]}),
        )
    };
    let w = read(&[
        failed("wamid.1", 131_047),
        failed("wamid.2", 131_049),
        failed("wamid.3", 130_472),
        failed("wamid.4", 130_472),
    ]);
    assert_eq!(
        w.stats.failures_note().unwrap(),
        "4 failed without pricing (2 with 130472 read as free-form, 1 with 131047 read as free-form, 1 with 131049 read as a marketing template)"
    );
}

#[test]
fn a_line_that_is_not_utf8_is_bad_input_naming_its_line() {
    let mut bytes = inbound("wamid.in", T, false).into_bytes();
    bytes.extend_from_slice(b"\n{\"object\": \"\xff\xfe\"}\n");
    let read = |skip| {
        read_webhooks(
            &bytes[..],
            &options(skip),
            None,
            &Calendar::new(Tz::UTC),
            &crate::tariff::market::MarketMap::bundled(),
        )
    };
    match read(false) {
        Err(ReadError::Bad(e)) => assert!(
            e.to_string().contains("hooks.ndjson, line 2: not UTF-8"),
            "{e}"
        ),
        other => panic!("expected bad input, got {:?}", other.map(|w| w.stats)),
    }
    let w = read(true).unwrap();
    assert_eq!((w.stats.messages, w.stats.skipped), (1, 1));
    assert_eq!(w.stats.entries(), 2);
}
