//! The windowing engine: replays messages in time order and decides, for each business
//! message, what Meta counts. Windows live per (business, customer) pair; the free tier and
//! the service allowance are counted per month across pairs, which is why messages must
//! arrive in global time order (equal times in file order).
//!
//! Rules common to every era (delivery, 131047 rejections, entry points) are applied here;
//! each era's own rules live in one file behind the same `business_message` function.

pub mod cbp_v1;
pub mod cbp_v2;
pub mod era;
pub mod per_message;
pub mod windows;

use crate::calendar::{Calendar, Month};
use crate::event::{BillingEvent, Era, Pricing, UnitCategory};
use crate::message::{Kind, Message, TemplateCategory};
use crate::parties::Parties;
use crate::tariff::market::CountryId;
use chrono::NaiveDate;
use windows::PairState;

/// What a rule decides for one business message: the unit's category and why it costs what it costs.
pub type Verdict = (UnitCategory, Pricing);

/// Choices the log cannot tell.
#[derive(Debug, Clone, Default)]
pub struct EngineConfig {
    /// Free service messages per business number per month in era D (`--free-service-allowance`).
    pub free_service_allowance: u32,
    /// Per customer country (indexed by `CountryId`): the first date an authentication
    /// template to that country pays the authentication-international rate, or `None`.
    /// Empty when authentication-international is off (spec section 5).
    pub auth_intl_from: Vec<Option<NaiveDate>>,
    /// What-if (`--as-of`): apply the rules and cards in force on this date to every message,
    /// keeping its time, its windows and its month.
    pub as_of: Option<NaiveDate>,
}

/// A business message as the era rules see it.
#[derive(Debug, Clone, Copy)]
pub struct BusinessMessage {
    pub t: i64,
    pub date: NaiveDate,
    pub month: Month,
    pub era: Era,
    pub kind: Kind,
    pub business: u32,
    /// Whether an authentication template here pays the international rate.
    pub auth_intl: bool,
}

impl BusinessMessage {
    pub fn template_unit_category(&self, category: TemplateCategory) -> UnitCategory {
        match category {
            TemplateCategory::Marketing => UnitCategory::Marketing,
            TemplateCategory::Utility => UnitCategory::Utility,
            TemplateCategory::Authentication if self.auth_intl => {
                UnitCategory::AuthenticationInternational
            }
            TemplateCategory::Authentication => UnitCategory::Authentication,
        }
    }

    fn natural_category(&self) -> UnitCategory {
        match self.kind {
            Kind::Template(c) => self.template_unit_category(c),
            _ => UnitCategory::Service,
        }
    }
}

/// Counters shared by all pairs: the monthly free tier (eras A and B, one WABA per log) and
/// the era D service allowance (per business number).
#[derive(Debug, Clone)]
pub struct Counters {
    tier_month: Month,
    tier_used: u32,
    allowance_limit: u32,
    allowance_used: Vec<(Month, u32)>,
}

impl Counters {
    fn new(allowance_limit: u32) -> Counters {
        Counters {
            tier_month: Month(i32::MIN),
            tier_used: 0,
            allowance_limit,
            allowance_used: Vec::new(),
        }
    }

    /// Takes one of the month's free-tier conversations, if any is left.
    pub fn take_free_tier(&mut self, month: Month) -> bool {
        if month != self.tier_month {
            self.tier_month = month;
            self.tier_used = 0;
        }
        if self.tier_used < era::FREE_TIER_CONVERSATIONS {
            self.tier_used += 1;
            true
        } else {
            false
        }
    }

    /// Takes one of the business number's free service messages for the month, if any is left.
    pub fn take_allowance(&mut self, business: u32, month: Month) -> bool {
        if self.allowance_limit == 0 {
            return false;
        }
        let b = business as usize;
        if self.allowance_used.len() <= b {
            self.allowance_used.resize(b + 1, (Month(i32::MIN), 0));
        }
        let used = &mut self.allowance_used[b];
        if used.0 != month {
            *used = (month, 0);
        }
        if used.1 < self.allowance_limit {
            used.1 += 1;
            true
        } else {
            false
        }
    }
}

/// Every pair's windows, in blocks of a fixed size: a pair state is a cache line, and one
/// vector of a million of them would be copied (and its memory touched anew) at every
/// doubling; blocks are allocated once and never move.
#[derive(Default)]
struct PairStates {
    blocks: Vec<Vec<PairState>>,
    len: usize,
}

const BLOCK_BITS: u32 = 14;
const BLOCK: usize = 1 << BLOCK_BITS;

impl PairStates {
    fn len(&self) -> usize {
        self.len
    }

    fn push(&mut self, state: PairState) {
        if self.len.is_multiple_of(BLOCK) {
            self.blocks.push(Vec::with_capacity(BLOCK));
        }
        self.blocks.last_mut().expect("a block").push(state);
        self.len += 1;
    }

    #[inline]
    fn prefetch(&self, pair: u32) {
        let pair = pair as usize;
        if let Some(block) = self.blocks.get(pair >> BLOCK_BITS) {
            crate::prefetch::prefetch(block.as_ptr().wrapping_add(pair & (BLOCK - 1)));
        }
    }
}

impl std::ops::Index<u32> for PairStates {
    type Output = PairState;
    fn index(&self, pair: u32) -> &PairState {
        let pair = pair as usize;
        &self.blocks[pair >> BLOCK_BITS][pair & (BLOCK - 1)]
    }
}

impl std::ops::IndexMut<u32> for PairStates {
    fn index_mut(&mut self, pair: u32) -> &mut PairState {
        let pair = pair as usize;
        &mut self.blocks[pair >> BLOCK_BITS][pair & (BLOCK - 1)]
    }
}

/// Replays messages one at a time; they must come in time order. The engine keeps what it
/// needs of each pair (business number, customer country) beside its windows, so the hot
/// loop touches one compact state per message.
pub struct Engine<'a> {
    config: &'a EngineConfig,
    calendar: Calendar,
    pairs: PairStates,
    counters: Counters,
}

impl<'a> Engine<'a> {
    pub fn new(config: &'a EngineConfig, calendar: Calendar) -> Engine<'a> {
        Engine {
            config,
            calendar,
            pairs: PairStates::default(),
            counters: Counters::new(config.free_service_allowance),
        }
    }

    /// A pair's windows as they stand after the messages pushed so far: which conversation
    /// covered a message, and whether the service window was open (for reconcile).
    pub fn pair_state(&self, pair: u32) -> &PairState {
        &self.pairs[pair]
    }

    /// Replays one message; business messages produce exactly one event. `parties` must know
    /// the message's pair (pairs may be added between calls, as a streaming reader does).
    pub fn push(&mut self, m: &Message, parties: &Parties) -> Option<BillingEvent> {
        while self.pairs.len() <= m.pair as usize {
            let p = self.pairs.len() as u32;
            self.add_pair(parties.pair_of(p).business, parties.customer_of(p).country);
        }
        self.push_known(m)
    }

    /// Makes the next pair id known: its business number and its customer's country.
    pub fn add_pair(&mut self, business: u32, country: CountryId) {
        self.pairs.push(PairState {
            business,
            country,
            ..PairState::default()
        });
    }

    pub fn pair_count(&self) -> usize {
        self.pairs.len()
    }

    /// Asks the CPU for a pair's windows ahead of [`Engine::push_known`] (a hint only).
    #[inline]
    pub fn prefetch(&self, pair: u32) {
        self.pairs.prefetch(pair);
    }

    /// [`Engine::push`] for a message whose pair was added with [`Engine::add_pair`].
    pub fn push_known(&mut self, m: &Message) -> Option<BillingEvent> {
        let st = &mut self.pairs[m.pair];
        if let Kind::Inbound { entry_point } = m.kind {
            st.inbound(m.time, entry_point);
            return None;
        }
        let actual = self.calendar.local_date(m.time);
        let date = self.config.as_of.unwrap_or(actual);
        let era = era::era_of(date);
        let country = st.country;
        let auth_intl = matches!(m.kind, Kind::Template(TemplateCategory::Authentication))
            && matches!(self.config.auth_intl_from.get(country.0 as usize), Some(Some(from)) if date >= *from);
        let bm = BusinessMessage {
            t: m.time,
            date,
            month: Month::of(actual),
            era,
            kind: m.kind,
            business: st.business,
            auth_intl,
        };
        let (category, pricing) = decide(st, &bm, &mut self.counters, m.delivered);
        Some(BillingEvent {
            time: m.time,
            date,
            month: bm.month,
            era,
            pair: m.pair,
            country,
            category,
            pricing,
        })
    }
}

/// The rules common to every era, then the era's own.
fn decide(
    st: &mut PairState,
    m: &BusinessMessage,
    counters: &mut Counters,
    delivered: bool,
) -> Verdict {
    let category = m.natural_category();
    if !delivered {
        return (category, Pricing::Undelivered);
    }
    if m.kind == Kind::FreeForm && !st.in_csw(m.t) {
        return (category, Pricing::Rejected);
    }
    st.enter_era(m.era);
    let opened_fep = st.answer_entry_point(m.t);
    if opened_fep || st.in_fep(m.t) {
        let pricing = if opened_fep || !m.era.is_conversation_based() {
            Pricing::FreeEntryPoint
        } else {
            Pricing::Covered
        };
        let category = if m.era == Era::A {
            UnitCategory::UserInitiated
        } else {
            category
        };
        return (category, pricing);
    }
    match m.era {
        Era::A => cbp_v1::business_message(st, m, counters),
        Era::B => cbp_v2::business_message(st, m, counters),
        Era::C | Era::D => per_message::business_message(st, m, counters),
    }
}

/// Replays a whole log in time order. `messages` must be sorted by time (stably, so equal
/// times keep file order).
pub fn replay(
    messages: &[Message],
    parties: &Parties,
    config: &EngineConfig,
    calendar: Calendar,
    mut sink: impl FnMut(BillingEvent),
) {
    replay_while(messages, parties, config, calendar, |e| {
        sink(e);
        true
    });
}

/// [`replay`], stopping as soon as `sink` returns false (its consumer gave up).
pub fn replay_while(
    messages: &[Message],
    parties: &Parties,
    config: &EngineConfig,
    calendar: Calendar,
    mut sink: impl FnMut(BillingEvent) -> bool,
) {
    let mut engine = Engine::new(config, calendar);
    for (i, m) in messages.iter().enumerate() {
        if let Some(ahead) = messages.get(i + crate::prefetch::AHEAD) {
            engine.prefetch(ahead.pair);
        }
        if let Some(event) = engine.push(m, parties) {
            if !sink(event) {
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests;
