//! The notes under the comparison: what was compared, what was not, and why.

use super::analytics::{self, Analytics};
use super::Reconciliation;
use crate::input::webhooks::WebhookLog;
use chrono_tz::Tz;
use rust_decimal::{Decimal, RoundingStrategy};

/// What the notes say about the run's settings.
pub struct Run<'a> {
    /// The currency both sides are priced in.
    pub currency: &'a str,
    /// `--diff FILE`.
    pub diff: Option<&'a str>,
    /// `--sent FILE`.
    pub sent: Option<&'a str>,
    /// The business's country with authentication-international on.
    pub auth_intl: Option<&'a str>,
    /// The WABA time zone.
    pub timezone: Tz,
}

/// A percentage for people: one decimal, `-` when undefined.
pub fn pct(p: Option<Decimal>) -> String {
    p.map_or("-".into(), |p| {
        format!(
            "{:.1}%",
            p.round_dp_with_strategy(1, RoundingStrategy::MidpointAwayFromZero)
        )
    })
}

/// "1 line", "2 lines", "3 statuses".
fn count(n: u64, what: &str) -> String {
    match (n, what.ends_with('s')) {
        (1, _) => format!("1 {what}"),
        (_, true) => format!("{n} {what}es"),
        _ => format!("{n} {what}s"),
    }
}

/// The notes under a comparison of `wl` by `rec` (and Meta's `analytics`, if given).
pub fn notes(
    s: &Run,
    wl: &WebhookLog,
    rec: &Reconciliation,
    analytics: Option<&Analytics>,
    disagreements: u64,
) -> Vec<String> {
    let cur = s.currency;
    let tot = &rec.total;
    let st = &wl.stats;
    let mut notes = Vec::new();
    let either = tot.billed_waprice + tot.billed_meta - tot.billed_agreeing;
    notes.push(format!(
        "agreement: waprice and Meta agree on {} of {} message{} Meta priced or failed ({}); of {} unit{} billed by either side, {} {} billed alike by both ({})",
        tot.agreeing,
        tot.compared,
        if tot.compared == 1 { "" } else { "s" },
        pct(tot.agreement()),
        either,
        if either == 1 { "" } else { "s" },
        tot.billed_agreeing,
        if tot.billed_agreeing == 1 { "is" } else { "are" },
        pct(tot.billed_agreement()),
    ));
    let unknown = st.unknown_messages();
    if let Some(values) = st.unknown_note() {
        notes.push(format!(
            "not compared: Meta priced {unknown} message{} with values waprice does not know: {values}; they are left out of the agreement figures, the billed units and the costs compared (estimate bills them by waprice's own rules)",
            if unknown == 1 { "" } else { "s" }
        ));
    }
    let unpriced = tot.messages - tot.compared - unknown;
    if unpriced > 0 {
        notes.push(format!(
            "not compared: {unpriced} message{} had no pricing in their statuses (and did not fail)",
            if unpriced == 1 { "" } else { "s" }
        ));
    }
    for ((w, m), n) in rec.mismatches_by_count() {
        notes.push(format!(
            "disagreement: {n} message{} waprice says {w}, Meta says {m}",
            if n == 1 { "" } else { "s" }
        ));
    }
    if disagreements > 0 {
        notes.push(match s.diff {
            Some(d) => format!(
                "{disagreements} disagreement{} written to {d}, with both verdicts",
                if disagreements == 1 { "" } else { "s" }
            ),
            None => format!(
                "{disagreements} disagreement{}: list them with both verdicts with --diff FILE",
                if disagreements == 1 { "" } else { "s" }
            ),
        });
    }
    notes.push(format!(
        "Meta's verdicts are priced with the same {cur} rate cards as waprice's (webhooks carry no price): the difference is waprice's cost minus theirs"
    ));
    if tot.unpriced_waprice + tot.unpriced_meta > 0 {
        notes.push(format!(
            "UNPRICED: {} billed units of waprice and {} of Meta have no {cur} rate, so those costs are lower bounds; supply rates with --tariff FILE",
            tot.unpriced_waprice, tot.unpriced_meta
        ));
    }
    let mut cats = vec![format!(
        "{} from Meta's pricing.category",
        st.categories_from_meta
    )];
    if s.sent.is_some() {
        cats.insert(0, format!("{} from --sent", st.categories_from_sent));
    }
    if st.categories_inferred > 0 {
        cats.push(format!(
            "{} inferred (Meta's category named the conversation, not the message: free-form inside the customer service window, else a template)",
            st.categories_inferred
        ));
    }
    if let Some(failures) = st.failures_note() {
        cats.push(failures);
    }
    notes.push(format!("template categories: {}", cats.join(", ")));
    if let Some(sent) = s.sent {
        if st.recategorised > 0 {
            notes.push(format!(
                "recategorised: Meta priced {} message{} under another category than {sent} gives (Meta may have recategorised the template)",
                st.recategorised,
                if st.recategorised == 1 { "" } else { "s" }
            ));
        }
        if st.sent_without_status > 0 {
            notes.push(format!(
                "{sent}: {} messages have no status in the webhooks and are not compared",
                st.sent_without_status
            ));
        }
    }
    if st.sent_only > 0 {
        notes.push(format!(
            "sent only: {} messages have no delivered, read or failed status; counted as delivered at their send time",
            st.sent_only
        ));
    }
    let log = &wl.log.stats;
    notes.push(format!(
        "{}; the statuses are those of {}{}",
        st.accounting(),
        count(log.business, "business message"),
        if log.skipped_unsupported > 0 {
            format!(
                ", and {} dated before 2022-02-01 (--skip-unsupported)",
                count(log.skipped_unsupported, "message")
            )
        } else {
            String::new()
        }
    ));
    if let Some(a) = analytics {
        notes.push(format!(
            "analytics: Meta's {} ({} data points) counts {}, free ones included, as waprice's units do; Meta calls these figures approximate (the invoice is final)",
            a.kind.name(),
            a.points,
            match a.kind {
                analytics::Kind::Pricing => "delivered messages",
                analytics::Kind::Conversation => "conversations",
            }
        ));
        if a.months.values().all(|m| m.cost.is_none()) {
            notes.push("analytics: the response has no cost (Meta returns none for accounts billed through a partner's credit line)".into());
        }
    }
    notes.push(match s.auth_intl {
        Some(a) => format!("authentication-international: on, business in {a}"),
        None => "authentication-international: off (enable with --business-country CC --auth-intl-since DATE)".into(),
    });
    notes.push(format!(
        "months and rule dates in time zone {}",
        s.timezone.name()
    ));
    notes
}
