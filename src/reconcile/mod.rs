//! Reconciliation: replays a webhook log through the engine and compares, message by message,
//! waprice's verdict with the one Meta reported in its status webhooks.
//!
//! - Per-message pricing (PMP): Meta's `pricing.type` (regular, free_customer_service,
//!   free_entry_point) and `category` against the engine's verdict for the same message.
//! - Conversation-based pricing (CBP): Meta's `conversation.id` groups messages into
//!   conversations. The first message of a group in the log opened it; the engine must have
//!   opened a conversation with that message, of the same category (`origin.type`), billed or
//!   free for the same reason, and covered exactly the same other messages.
//! - Failures: a `failed` status is never billed; one with error 131047 (free-form outside the
//!   service window) agrees when the engine, too, sees no open service window.
//!
//! Meta's webhooks carry no price, so Meta's verdicts are priced with the same rate cards as
//! waprice's: the cost difference comes from the verdicts alone, never from rate data.

pub mod analytics;
pub mod notes;

use crate::calendar::{Calendar, Month};
use crate::engine::{ConversationKey as Key, Engine, EngineConfig};
use crate::era::FREE_SERVICE_FROM;
use crate::event::{BillingEvent, Charge, Era, UnitCategory};
use crate::input::webhooks::{
    MetaCategory, MetaPricingModel, MetaPricingType, MetaVerdict, Outcome, WebhookLog,
};
use crate::message::Kind;
use crate::price::Pricer;
use crate::tariff::market::{MarketId, MarketMap};
use rust_decimal::Decimal;
use std::collections::{BTreeMap, HashMap};

/// Meta's error for a free-form message outside the customer service window.
pub const OUTSIDE_WINDOW: u32 = 131_047;
/// The free tier of the conversation eras, as the engine counts it.
const FREE_TIER: u32 = crate::era::FREE_TIER_CONVERSATIONS;

/// Meta's verdict on a message, in waprice's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetaSays {
    /// A verdict waprice also gives (`conversation`, `message`, `free_tier`, `covered`, …).
    Charge(Charge),
    /// `billable: false` with nothing saying why.
    Free,
    /// No pricing and no failure: nothing to compare.
    Nothing,
}

impl MetaSays {
    /// The verdict as the comparison names it (empty for nothing).
    pub fn name(self) -> &'static str {
        match self {
            MetaSays::Charge(p) => p.name(),
            MetaSays::Free => "free",
            MetaSays::Nothing => "",
        }
    }
    /// Whether Meta charges the unit (a conversation or a message at a rate).
    pub fn is_billed(self) -> bool {
        matches!(self, MetaSays::Charge(p) if p.is_billed())
    }
}

/// What disagrees on a message (a set of these).
pub const PRICING: u8 = 1;
/// The categories disagree.
pub const CATEGORY: u8 = 2;
/// The conversations disagree (the conversation eras).
pub const CONVERSATION: u8 = 4;

/// The `differs` column: which of pricing, category and conversation disagree.
pub fn differs_name(d: u8) -> String {
    let mut parts = Vec::new();
    for (bit, name) in [
        (PRICING, "pricing"),
        (CATEGORY, "category"),
        (CONVERSATION, "conversation"),
    ] {
        if d & bit != 0 {
            parts.push(name);
        }
    }
    parts.join(";")
}

/// One business message, both verdicts side by side.
#[derive(Debug, Clone)]
pub struct Line {
    /// Index into the log's messages (and `WebhookLog::meta`).
    pub message: usize,
    /// The engine's billing event for the message.
    pub event: BillingEvent,
    /// The market the customer's country is in on the event's date.
    pub market: MarketId,
    /// The engine's verdict as compared: the event's, except that a message Meta failed with
    /// 131047 is `rejected` when the engine too sees no open service window.
    pub engine: Charge,
    /// The category compared on the engine's side: its conversation's in the conversation
    /// eras, the message's otherwise; `None` inside a free entry point window.
    pub engine_category: Option<UnitCategory>,
    /// The engine's conversation (numbered from 1 in order of opening), conversation eras only.
    pub engine_conversation: Option<u32>,
    /// Meta's verdict in waprice's words.
    pub meta: MetaSays,
    /// The category Meta's pricing or conversation names; `None` when it names none waprice
    /// compares.
    pub meta_category: Option<UnitCategory>,
    /// Meta's verdict exists (pricing or failure).
    pub compared: bool,
    /// Meta priced it with a value waprice does not know: left out of the agreement figures
    /// (billed units and costs too), counted as a message only.
    pub unknown: bool,
    /// [`PRICING`] | [`CATEGORY`] | [`CONVERSATION`]; 0 when the verdicts agree.
    pub differs: u8,
    /// The price of each side's verdict (`None` when billed but unpriced; zero when free).
    pub engine_cost: Option<Decimal>,
    /// The price of Meta's verdict (`None` when billed but unpriced; zero when free).
    pub meta_cost: Option<Decimal>,
}

impl Line {
    /// Meta gave a verdict and it agrees on pricing, category and conversation.
    pub fn agrees(&self) -> bool {
        self.compared && self.differs == 0
    }
    /// Whether waprice charges the unit.
    pub fn engine_billed(&self) -> bool {
        self.engine.is_billed()
    }
    /// Whether Meta charges the unit.
    pub fn meta_billed(&self) -> bool {
        self.meta.is_billed()
    }
    /// Both billed it, under the same category.
    pub fn billed_agrees(&self) -> bool {
        self.engine_billed() && self.meta_billed() && self.differs & CATEGORY == 0
    }
}

/// Agreement figures of a month (or of the whole file).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Figures {
    /// Business messages (one per message id).
    pub messages: u64,
    /// Those Meta gave a verdict on.
    pub compared: u64,
    /// Those on which waprice and Meta agree on everything.
    pub agreeing: u64,
    /// Units billed by waprice, by Meta, and by both under the same category.
    pub billed_waprice: u64,
    /// Units billed by Meta.
    pub billed_meta: u64,
    /// Units billed by both under the same category.
    pub billed_agreeing: u64,
    /// Units (billed and free) the engine counts: what Meta's analytics count.
    pub units_waprice: u64,
    /// What waprice's verdicts cost.
    pub cost_waprice: Decimal,
    /// What Meta's verdicts cost (at waprice's rates).
    pub cost_meta: Decimal,
    /// Billed units without a rate on either side (their cost is missing from the sums).
    pub unpriced_waprice: u64,
    /// Billed units of Meta's verdicts without a rate.
    pub unpriced_meta: u64,
}

impl Figures {
    fn add(&mut self, l: &Line) {
        self.messages += 1;
        if l.unknown {
            // Meta's verdict cannot be read: only waprice's unit is counted (for analytics).
            self.units_waprice += u64::from(l.event.charge.is_unit());
            return;
        }
        self.compared += u64::from(l.compared);
        self.agreeing += u64::from(l.agrees());
        self.billed_waprice += u64::from(l.engine_billed());
        self.billed_meta += u64::from(l.meta_billed());
        self.billed_agreeing += u64::from(l.billed_agrees());
        self.units_waprice += u64::from(l.event.charge.is_unit());
        match l.engine_cost {
            Some(c) => self.cost_waprice += c,
            None => self.unpriced_waprice += 1,
        }
        match l.meta_cost {
            Some(c) => self.cost_meta += c,
            None => self.unpriced_meta += 1,
        }
    }

    /// Share of compared messages on which both agree, in percent (`None` with none compared).
    pub fn agreement(&self) -> Option<Decimal> {
        percent(self.agreeing, self.compared)
    }

    /// Share of billed units (billed by either side) that both billed alike.
    pub fn billed_agreement(&self) -> Option<Decimal> {
        let union = self.billed_waprice + self.billed_meta - self.billed_agreeing;
        percent(self.billed_agreeing, union)
    }

    /// waprice's cost minus the cost of Meta's verdicts.
    pub fn cost_difference(&self) -> Decimal {
        self.cost_waprice - self.cost_meta
    }
}

fn percent(part: u64, whole: u64) -> Option<Decimal> {
    (whole > 0).then(|| Decimal::from(part) * Decimal::ONE_HUNDRED / Decimal::from(whole))
}

/// The whole comparison.
#[derive(Debug, Clone, Default)]
pub struct Reconciliation {
    /// Each business message, both verdicts side by side, in time order.
    pub lines: Vec<Line>,
    /// The figures of each month.
    pub months: BTreeMap<Month, Figures>,
    /// The figures of the whole input.
    pub total: Figures,
    /// Disagreements by kind: ("waprice verdict", "Meta verdict") → count.
    pub mismatches: BTreeMap<(String, String), u64>,
}

impl Reconciliation {
    /// Disagreements by kind, most frequent first.
    pub fn mismatches_by_count(&self) -> Vec<((String, String), u64)> {
        let mut v: Vec<_> = self
            .mismatches
            .iter()
            .map(|(k, n)| (k.clone(), *n))
            .collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        v
    }
}

fn unit_category(c: MetaCategory) -> Option<UnitCategory> {
    Some(match c {
        MetaCategory::Marketing | MetaCategory::MarketingLite => UnitCategory::Marketing,
        MetaCategory::Utility => UnitCategory::Utility,
        MetaCategory::Authentication => UnitCategory::Authentication,
        MetaCategory::AuthenticationInternational => UnitCategory::AuthenticationInternational,
        MetaCategory::Service => UnitCategory::Service,
        MetaCategory::UserInitiated => UnitCategory::UserInitiated,
        MetaCategory::BusinessInitiated => UnitCategory::BusinessInitiated,
        MetaCategory::ReferralConversion => return None,
    })
}

/// Meta's pricing model for a message: as it says, else by the era of the message.
fn model_of(v: &MetaVerdict, era: Era) -> MetaPricingModel {
    v.pricing
        .and_then(|p| p.model)
        .unwrap_or(if era.is_conversation_based() {
            MetaPricingModel::Cbp
        } else {
            MetaPricingModel::Pmp
        })
}

/// Meta's free tier, counted over Meta's conversations the way Meta bills them.
struct Tier {
    month: Month,
    used: u32,
}

impl Tier {
    fn take(&mut self, month: Month) -> bool {
        if month != self.month {
            *self = Tier { month, used: 0 };
        }
        self.used += 1;
        self.used <= FREE_TIER
    }
}

/// What Meta says about a message that opened (was the first in the log of) a conversation.
fn cbp_opening(v: &MetaVerdict, e: &BillingEvent, tier: &mut Tier) -> MetaSays {
    let Some(p) = v.pricing else {
        return MetaSays::Nothing;
    };
    let category = v.conversation.and_then(|c| c.origin).or(p.category);
    if category == Some(MetaCategory::ReferralConversion) {
        return MetaSays::Charge(Charge::FreeEntryPoint);
    }
    // Meta marks free-tier conversations billable (they are free on the invoice); only free
    // entry points, and service from 2024-11-01, are not.
    let billable = p.billable != Some(false);
    let service = category == Some(MetaCategory::Service);
    match e.era {
        Era::A if billable => MetaSays::Charge(if tier.take(e.month) {
            Charge::FreeTier
        } else {
            Charge::Conversation
        }),
        _ if service && e.date >= FREE_SERVICE_FROM => MetaSays::Charge(Charge::FreeService),
        _ if service && billable => MetaSays::Charge(if tier.take(e.month) {
            Charge::FreeTier
        } else {
            Charge::Conversation
        }),
        _ if billable => MetaSays::Charge(Charge::Conversation),
        _ => MetaSays::Free,
    }
}

/// What Meta says about a message priced per message.
fn pmp(v: &MetaVerdict) -> MetaSays {
    let Some(p) = v.pricing else {
        return MetaSays::Nothing;
    };
    MetaSays::Charge(match (p.kind, p.billable, p.category) {
        (Some(MetaPricingType::Regular), _, _) => Charge::Message,
        (Some(MetaPricingType::FreeCustomerService), _, _) => Charge::FreeCustomerService,
        (Some(MetaPricingType::FreeEntryPoint), _, _) => Charge::FreeEntryPoint,
        (None, _, Some(MetaCategory::ReferralConversion)) => Charge::FreeEntryPoint,
        (None, Some(true), _) => Charge::Message,
        (None, Some(false), _) => return MetaSays::Free,
        (None, None, _) => return MetaSays::Nothing,
    })
}

/// Replays `wl` and compares every business message's verdict with Meta's.
pub fn reconcile(
    wl: &WebhookLog,
    config: &EngineConfig,
    calendar: Calendar,
    markets: &MarketMap,
    pricer: &Pricer,
) -> Reconciliation {
    let log = &wl.log;
    let mut engine = Engine::new(config, calendar);
    let mut lines: Vec<Line> = Vec::with_capacity(log.stats.business as usize);
    let mut keys: Vec<Vec<Key>> = Vec::with_capacity(lines.capacity());
    for (i, m) in log.messages.iter().enumerate() {
        let Some(e) = engine.push(m, &log.pairs) else {
            continue;
        };
        let v = wl.meta[i]
            .as_ref()
            .expect("a business message has Meta's verdict");
        let mut compared_as = e.charge;
        if v.outcome
            == (Outcome::Failed {
                code: Some(OUTSIDE_WINDOW),
            })
            && m.kind == Kind::FreeForm
            && !engine.service_window_open(m.pair, m.time)
        {
            compared_as = Charge::Rejected;
        }
        keys.push(engine.conversations_of(&e, m.kind));
        lines.push(Line {
            message: i,
            event: e,
            market: markets.market_at(log.pairs.customer_of(e.pair).country, e.date),
            engine: compared_as,
            engine_category: Some(e.category),
            engine_conversation: None,
            meta: MetaSays::Nothing,
            meta_category: None,
            compared: false,
            unknown: v.unknown.is_some(),
            differs: 0,
            engine_cost: None,
            meta_cost: None,
        });
    }
    let verdict = |l: &Line| wl.meta[l.message].as_ref().expect("business message");

    // Meta's conversations: the lines carrying each conversation id, in time order.
    let grouped = |l: &Line| {
        let v = verdict(l);
        v.conversation.is_some()
            && !matches!(v.outcome, Outcome::Failed { .. })
            && model_of(v, l.event.era) == MetaPricingModel::Cbp
    };
    let mut meta_groups: HashMap<u32, Vec<usize>> = HashMap::new();
    for (n, l) in lines.iter().enumerate() {
        if grouped(l) {
            let id = verdict(l).conversation.expect("grouped").id;
            meta_groups.entry(id).or_default().push(n);
        }
    }

    // The engine's conversations: unambiguous lines first, then a free-form message riding
    // in era B goes to the open conversation Meta put it in when there is such a one.
    let mut engine_groups: HashMap<Key, Vec<usize>> = HashMap::new();
    let mut key_meta: HashMap<Key, u32> = HashMap::new();
    let mut chosen: Vec<Option<Key>> = vec![None; lines.len()];
    for (n, ks) in keys.iter().enumerate() {
        if ks.len() == 1 {
            chosen[n] = Some(ks[0]);
            if let Some(c) = verdict(&lines[n]).conversation {
                key_meta.entry(ks[0]).or_insert(c.id);
            }
        }
    }
    for (n, ks) in keys.iter().enumerate() {
        if ks.len() > 1 {
            let meta_id = verdict(&lines[n]).conversation.map(|c| c.id);
            let pick = ks
                .iter()
                .find(|k| meta_id.is_some() && key_meta.get(k).copied() == meta_id)
                .unwrap_or(&ks[0]);
            chosen[n] = Some(*pick);
        }
    }
    let mut labels: HashMap<Key, (u32, Option<UnitCategory>)> = HashMap::new();
    for (n, k) in chosen.iter().enumerate() {
        let Some(k) = *k else { continue };
        engine_groups.entry(k).or_default().push(n);
        let next = labels.len() as u32 + 1;
        let l = &lines[n];
        // The conversation's category is its opening message's (free entry point: none).
        let category = (!k.is_free_entry_point()).then_some(l.event.category);
        let label = labels.entry(k).or_insert((next, category));
        lines[n].engine_conversation = Some(label.0);
        lines[n].engine_category = label.1;
    }

    // Meta's verdicts, in waprice's words.
    let mut tier = Tier {
        month: Month(i32::MIN),
        used: 0,
    };
    for (n, l) in lines.iter_mut().enumerate() {
        let v = verdict(l);
        let e = l.event;
        let (says, category) = match v.outcome {
            Outcome::Failed { code } => (
                MetaSays::Charge(if code == Some(OUTSIDE_WINDOW) {
                    Charge::Rejected
                } else {
                    Charge::Undelivered
                }),
                None,
            ),
            _ => match model_of(v, e.era) {
                MetaPricingModel::Cbp => {
                    let category = v
                        .conversation
                        .and_then(|c| c.origin)
                        .or(v.pricing.and_then(|p| p.category));
                    let opener = v
                        .conversation
                        .and_then(|c| meta_groups.get(&c.id))
                        .is_none_or(|g| g[0] == n);
                    let says = if v.pricing.is_none() {
                        MetaSays::Nothing
                    } else if !e.era.is_conversation_based() {
                        MetaSays::Charge(Charge::SwitchOver)
                    } else if !opener {
                        MetaSays::Charge(Charge::Covered)
                    } else {
                        cbp_opening(v, &e, &mut tier)
                    };
                    (says, category)
                }
                MetaPricingModel::Pmp => (pmp(v), v.pricing.and_then(|p| p.category)),
            },
        };
        // A pricing value waprice does not know: Meta's verdict cannot be read.
        let says = if v.unknown.is_some() {
            MetaSays::Nothing
        } else {
            says
        };
        l.meta = says;
        l.meta_category = category.and_then(unit_category);
        l.compared = says != MetaSays::Nothing;
        if !e.era.is_conversation_based() && e.charge != Charge::SwitchOver {
            // Per message: the message's own category (none inside an entry point window).
            l.engine_category = (e.charge != Charge::FreeEntryPoint).then_some(e.category);
        }
        if e.charge == Charge::SwitchOver {
            l.engine_category = Some(UnitCategory::Utility);
        }
    }

    // Conversation membership: a message agrees when its engine conversation and its Meta
    // conversation hold the same messages.
    let mut group_agrees: HashMap<Key, bool> = HashMap::new();
    for (k, members) in &engine_groups {
        let first = lines[members[0]].message;
        let meta_id = wl.meta[first]
            .as_ref()
            .and_then(|v| v.conversation)
            .map(|c| c.id);
        let same = members.iter().all(|&n| {
            grouped(&lines[n]) && verdict(&lines[n]).conversation.map(|c| c.id) == meta_id
        });
        let size_matches = meta_id
            .and_then(|id| meta_groups.get(&id))
            .is_some_and(|g| g.len() == members.len());
        group_agrees.insert(*k, same && size_matches);
    }

    let mut out = Reconciliation::default();
    for n in 0..lines.len() {
        let mut differs = 0;
        let l = &lines[n];
        if l.compared {
            let pricing_agrees = match l.meta {
                MetaSays::Charge(p) => p == l.engine,
                MetaSays::Free => l.engine.is_unit() && !l.engine.is_billed(),
                MetaSays::Nothing => true,
            };
            if !pricing_agrees {
                differs |= PRICING;
            }
            if let (Some(a), Some(b)) = (l.engine_category, l.meta_category) {
                if a != b && l.engine != Charge::Rejected {
                    differs |= CATEGORY;
                }
            }
            if grouped(l) {
                let ok = chosen[n].is_some_and(|k| group_agrees.get(&k) == Some(&true));
                if !ok {
                    differs |= CONVERSATION;
                }
            }
        }
        let e = l.event;
        let engine_cost = pricer.quote(&e, l.market).value();
        let meta_cost = match l.meta {
            MetaSays::Charge(p) if p.is_billed() => {
                let meta_event = BillingEvent {
                    charge: p,
                    category: l.meta_category.unwrap_or(e.category),
                    ..e
                };
                pricer.quote(&meta_event, l.market).value()
            }
            _ => Some(Decimal::ZERO),
        };
        let l = &mut lines[n];
        l.differs = differs;
        l.engine_cost = engine_cost;
        l.meta_cost = meta_cost;
        if differs != 0 {
            let side = |p: &str, c: Option<UnitCategory>| match c {
                Some(c) => format!("{p} {}", c.name()),
                None => p.to_string(),
            };
            *out.mismatches
                .entry((
                    side(l.engine.name(), l.engine_category),
                    side(l.meta.name(), l.meta_category),
                ))
                .or_default() += 1;
        }
        out.months.entry(e.month).or_default().add(l);
        out.total.add(l);
    }
    out.lines = lines;
    out
}

#[cfg(test)]
mod tests;
