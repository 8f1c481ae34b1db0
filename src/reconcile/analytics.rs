//! Meta's own monthly figures: a `pricing_analytics` (per-message era) or
//! `conversation_analytics` (conversation era) response of the Graph API, summed per month
//! to set beside waprice's units and cost.
//!
//! Numbers are read from their JSON text, never through a float: `"cost": 0.0353` is the
//! decimal 0.0353.

use crate::calendar::{Calendar, Month};
use crate::error::BadInput;
use rust_decimal::Decimal;
use serde::Deserialize;
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::str::FromStr;

/// Which endpoint the response came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `pricing_analytics`: `volume` counts delivered messages (free ones included).
    Pricing,
    /// `conversation_analytics`: `conversation` counts conversations (free ones included).
    Conversation,
}

impl Kind {
    /// The field Meta's API answers under (`pricing_analytics`, `conversation_analytics`).
    pub fn name(self) -> &'static str {
        match self {
            Kind::Pricing => "pricing_analytics",
            Kind::Conversation => "conversation_analytics",
        }
    }
}

/// One month of Meta's figures.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MonthFigures {
    /// Messages (pricing) or conversations (conversation analytics), free ones included.
    pub volume: u64,
    /// Of those, the ones of type `REGULAR` (charged); `None` when the response has no type
    /// dimension.
    pub billed: Option<u64>,
    /// `None` when no data point of the month carries a cost (Meta returns none for accounts
    /// billed through a partner's credit line).
    pub cost: Option<Decimal>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
/// Meta's own monthly totals, from an analytics response, to set beside the replay's.
pub struct Analytics {
    /// Which analytics the response holds.
    pub kind: Kind,
    /// Meta's figures per month.
    pub months: BTreeMap<Month, MonthFigures>,
    /// How many data points the response held.
    pub points: u64,
}

#[derive(Deserialize)]
struct Response<'a> {
    #[serde(borrow)]
    pricing_analytics: Option<Section<'a>>,
    #[serde(borrow)]
    conversation_analytics: Option<Section<'a>>,
    /// The section itself, without its wrapper.
    #[serde(borrow)]
    data: Option<Vec<Block<'a>>>,
}

#[derive(Deserialize)]
struct Section<'a> {
    #[serde(borrow, default)]
    data: Vec<Block<'a>>,
}

#[derive(Deserialize)]
struct Block<'a> {
    #[serde(borrow, default)]
    data_points: Vec<Point<'a>>,
}

#[derive(Deserialize)]
struct Point<'a> {
    #[serde(borrow)]
    start: Option<&'a RawValue>,
    #[serde(borrow)]
    volume: Option<&'a RawValue>,
    #[serde(borrow)]
    conversation: Option<&'a RawValue>,
    #[serde(borrow)]
    cost: Option<&'a RawValue>,
    #[serde(borrow)]
    pricing_type: Option<Cow<'a, str>>,
    #[serde(borrow)]
    conversation_type: Option<Cow<'a, str>>,
}

const HINT: &str = "pass the JSON Meta returns for GET /<WABA_ID>?fields=pricing_analytics.start(…).end(…).granularity(DAILY).dimensions([\"PRICING_CATEGORY\",\"PRICING_TYPE\"]) (or conversation_analytics)";

fn bad(name: &str, point: usize, field: &str, value: &RawValue, what: &str) -> BadInput {
    BadInput::new(format!(
        "--analytics {name}: data point {point}, field '{field}': {what} (value '{}')",
        crate::error::cut(value.get())
    ))
    .hint(HINT)
}

/// A JSON number (or a string holding one) as an exact decimal.
fn decimal(raw: &RawValue) -> Option<Decimal> {
    let text = raw.get().trim().trim_matches('"');
    if text.contains(['e', 'E']) {
        Decimal::from_scientific(text).ok()
    } else {
        Decimal::from_str(text).ok()
    }
}

fn whole(raw: &RawValue) -> Option<u64> {
    raw.get().trim().trim_matches('"').parse().ok()
}

/// Reads a `pricing_analytics` or `conversation_analytics` response; months are those of each
/// data point's `start` in the calendar's time zone.
pub fn read_analytics(
    text: &str,
    name: &str,
    calendar: &mut Calendar,
) -> Result<Analytics, BadInput> {
    let response: Response = serde_json::from_str(text).map_err(|e| {
        BadInput::new(format!(
            "--analytics {name}: not an analytics response (line {}, column {}): {e}",
            e.line(),
            e.column()
        ))
        .hint(HINT)
    })?;
    let (kind, blocks) = match (
        response.pricing_analytics,
        response.conversation_analytics,
        response.data,
    ) {
        (Some(p), _, _) => (Some(Kind::Pricing), p.data),
        (None, Some(c), _) => (Some(Kind::Conversation), c.data),
        (None, None, Some(d)) => (None, d),
        (None, None, None) => {
            return Err(BadInput::new(format!(
                "--analytics {name}: no pricing_analytics or conversation_analytics in it"
            ))
            .hint(HINT))
        }
    };
    let points: Vec<&Point> = blocks.iter().flat_map(|b| &b.data_points).collect();
    let kind = kind.unwrap_or(if points.iter().any(|p| p.conversation.is_some()) {
        Kind::Conversation
    } else {
        Kind::Pricing
    });
    let mut months: BTreeMap<Month, MonthFigures> = BTreeMap::new();
    let typed = points.iter().any(|p| match kind {
        Kind::Pricing => p.pricing_type.is_some(),
        Kind::Conversation => p.conversation_type.is_some(),
    });
    for (i, p) in points.iter().enumerate() {
        let n = i + 1;
        let start = p.start.ok_or_else(|| {
            BadInput::new(format!("--analytics {name}: data point {n} has no start")).hint(HINT)
        })?;
        let secs = whole(start)
            .filter(|s| *s < 4_102_444_800)
            .ok_or_else(|| bad(name, n, "start", start, "not Unix seconds"))?;
        let month = Month::of(calendar.local_date(secs as i64 * 1000));
        let (field, raw) = match kind {
            Kind::Pricing => ("volume", p.volume),
            Kind::Conversation => ("conversation", p.conversation),
        };
        let volume = match raw {
            None => 0,
            Some(raw) => whole(raw).ok_or_else(|| bad(name, n, field, raw, "not a count"))?,
        };
        let cost = match p.cost {
            None => None,
            Some(raw) => {
                Some(decimal(raw).ok_or_else(|| bad(name, n, "cost", raw, "not an amount"))?)
            }
        };
        let regular = match kind {
            Kind::Pricing => p.pricing_type.as_deref(),
            Kind::Conversation => p.conversation_type.as_deref(),
        }
        .is_some_and(|t| t.eq_ignore_ascii_case("REGULAR"));
        let m = months.entry(month).or_default();
        m.volume += volume;
        if typed {
            *m.billed.get_or_insert(0) += if regular { volume } else { 0 };
        }
        if let Some(c) = cost {
            *m.cost.get_or_insert(Decimal::ZERO) += c;
        }
    }
    Ok(Analytics {
        kind,
        months,
        points: points.len() as u64,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::Tz;

    #[test]
    fn pricing_analytics_sums_months_exactly_and_counts_regular_as_billed() {
        let text = r#"{"pricing_analytics":{"data":[{"data_points":[
            {"start":1756684800,"end":1756771200,"country":"FR","pricing_type":"REGULAR","pricing_category":"MARKETING","volume":2,"cost":0.1412},
            {"start":1756771200,"end":1756857600,"country":"FR","pricing_type":"FREE_CUSTOMER_SERVICE","pricing_category":"SERVICE","volume":3,"cost":0},
            {"start":1759276800,"end":1759363200,"country":"FR","pricing_type":"REGULAR","pricing_category":"UTILITY","volume":1,"cost":1e-2}
        ]}]},"id":"1"}"#;
        let a = read_analytics(text, "a.json", &mut Calendar::new(Tz::UTC)).unwrap();
        assert_eq!(a.kind, Kind::Pricing);
        let sept = &a.months[&Month(2025 * 12 + 8)];
        assert_eq!(sept.volume, 5);
        assert_eq!(sept.billed, Some(2));
        assert_eq!(sept.cost, Some(Decimal::from_str("0.1412").unwrap()));
        let oct = &a.months[&Month(2025 * 12 + 9)];
        assert_eq!(oct.cost, Some(Decimal::from_str("0.01").unwrap()));
    }

    #[test]
    fn conversation_analytics_without_cost_or_type_says_so() {
        let text = r#"{"conversation_analytics":{"data":[{"data_points":[
            {"start":1709251200,"end":1709337600,"conversation":4}]}]}}"#;
        let a = read_analytics(text, "c.json", &mut Calendar::new(Tz::UTC)).unwrap();
        assert_eq!(a.kind, Kind::Conversation);
        let m = &a.months[&Month(2024 * 12 + 2)];
        assert_eq!((m.volume, m.billed, m.cost), (4, None, None));
    }

    #[test]
    fn bad_values_name_the_data_point_and_field() {
        let text = r#"{"pricing_analytics":{"data":[{"data_points":[{"start":1756684800,"volume":1,"cost":"lots"}]}]}}"#;
        let e = read_analytics(text, "a.json", &mut Calendar::new(Tz::UTC)).unwrap_err();
        assert!(e.to_string().contains("data point 1, field 'cost'"), "{e}");
        let e = read_analytics("{}", "a.json", &mut Calendar::new(Tz::UTC)).unwrap_err();
        assert!(e.to_string().contains("no pricing_analytics"), "{e}");
    }
}
