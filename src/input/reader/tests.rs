use super::*;
use chrono_tz::Tz;

fn read(rows: &str) -> Result<Log, ReadError> {
    let text = format!("timestamp,direction,category,recipient,entry_point,status\n{rows}");
    let options = InputOptions {
        name: "t.csv".into(),
        ..InputOptions::default()
    };
    read_log(
        text.as_bytes(),
        &options,
        &Calendar::new(Tz::UTC),
        &crate::tariff::market::MarketMap::bundled(),
    )
}

fn kinds(rows: &str) -> Vec<(Kind, bool)> {
    read(rows)
        .unwrap()
        .messages
        .iter()
        .map(|m| (m.kind, m.delivered))
        .collect()
}

const T: &str = "2025-09-01T10:00:00Z";
const N: &str = "+33612345678";

#[test]
fn every_direction_alias() {
    for d in [
        "inbound", "in", "incoming", "received", "user", "customer", "INBOUND", " In ",
    ] {
        assert_eq!(
            kinds(&format!("{T},{d},,{N},,\n")),
            vec![(Kind::Inbound { entry_point: false }, true)],
            "{d}"
        );
    }
    for d in [
        "outbound",
        "out",
        "outgoing",
        "sent",
        "business",
        "outbound-api",
        "outbound-reply",
        "Outbound",
    ] {
        assert_eq!(
            kinds(&format!("{T},{d},,{N},,\n")),
            vec![(Kind::FreeForm, true)],
            "{d}"
        );
    }
}

#[test]
fn every_category_alias() {
    for (c, kind) in [
        ("marketing", Kind::Template(TemplateCategory::Marketing)),
        (
            "marketing_lite",
            Kind::Template(TemplateCategory::Marketing),
        ),
        ("utility", Kind::Template(TemplateCategory::Utility)),
        (
            "authentication",
            Kind::Template(TemplateCategory::Authentication),
        ),
        (
            "AUTHENTICATION",
            Kind::Template(TemplateCategory::Authentication),
        ),
        ("", Kind::FreeForm),
        ("service", Kind::FreeForm),
        ("text", Kind::FreeForm),
        ("free_form", Kind::FreeForm),
        ("session", Kind::FreeForm),
    ] {
        assert_eq!(
            kinds(&format!("{T},outbound,{c},{N},,\n")),
            vec![(kind, true)],
            "{c}"
        );
    }
    // Ignored on inbound rows.
    assert_eq!(
        kinds(&format!("{T},inbound,whatever,{N},,\n")),
        vec![(Kind::Inbound { entry_point: false }, true)]
    );
}

#[test]
fn every_status_and_entry_point_value() {
    for (st, delivered, confirmed) in [
        ("", true, false),
        ("delivered", true, true),
        ("read", true, true),
        ("played", true, true),
        ("sent", true, false),
        ("failed", false, false),
        ("undelivered", false, false),
        ("rejected", false, false),
        // Twilio's: on their way, or not delivered.
        ("queued", true, false),
        ("accepted", true, false),
        ("sending", true, false),
        ("scheduled", true, false),
        ("partially_delivered", true, false),
        ("Partially_Delivered", true, false),
        ("canceled", false, false),
        ("cancelled", false, false),
        ("DELIVERED", true, true),
    ] {
        let m = read(&format!("{T},outbound,utility,{N},,{st}\n"))
            .unwrap()
            .messages[0];
        assert_eq!(
            (m.delivered, m.delivery_confirmed),
            (delivered, confirmed),
            "{st}"
        );
    }
    for (ep, flag) in [
        ("ctwa", true),
        ("page_cta", true),
        ("true", true),
        ("yes", true),
        ("1", true),
        ("", false),
        ("false", false),
        ("no", false),
        ("0", false),
    ] {
        assert_eq!(
            kinds(&format!("{T},inbound,,{N},{ep},\n")),
            vec![(Kind::Inbound { entry_point: flag }, true)],
            "{ep}"
        );
    }
}

#[test]
fn the_same_customer_however_the_number_is_written() {
    let log = read(&format!("{T},inbound,,+33 6 12 34 56 78,,\n{T},inbound,,0033612345678,,\n{T},inbound,,whatsapp:+33612345678,,\n{T},inbound,,+33 (0)6 12 34 56 78,,\n{T},inbound,,33 6.12.34.56.78,,\n")).unwrap();
    assert_eq!(log.pairs.customer_count(), 1);
    assert_eq!(log.pairs.pair_count(), 1);
}

#[test]
fn bad_values_name_line_column_and_value() {
    let err = read(&format!("{T},outbound,,{N},,\n{T},outbound,,{N},,lost\n")).unwrap_err();
    let ReadError::Bad(e) = err else {
        panic!("not bad input")
    };
    let at = e.at.as_deref().unwrap();
    assert_eq!(
        (at.line, at.column.as_str(), at.value.as_str()),
        (3, "status", "lost")
    );
    assert!(e.hint.is_some());
}
