//! The windowing engine: replays messages in time order and decides, for each business
//! message, what Meta counts. Windows live per (business, customer) pair; the free tier and
//! the service allowance are counted per month across pairs, which is why messages must
//! arrive in global time order (equal times in file order).
//!
//! Rules common to every era (delivery, 131047 rejections and the windows a log cannot show,
//! entry points) are applied here; each era's own rules live in one file behind the same
//! `business_message` function.

mod auth_intl;
mod cbp_v1;
mod cbp_v2;
mod conversation;
mod per_message;
mod windows;

use crate::calendar::{Calendar, Month};
use crate::country::CountryId;
use crate::era;
use crate::event::{BillingEvent, Charge, Era, Presumed, UnitCategory};
use crate::message::{Kind, Message, TemplateCategory};
use crate::pairs::Pairs;
pub use auth_intl::auth_intl_from;
use chrono::NaiveDate;
pub use conversation::ConversationKey;
use windows::PairState;

/// What a rule decides for one business message: the unit's category and why it costs what it costs.
pub type Verdict = (UnitCategory, Charge);

/// Choices the log cannot tell.
#[derive(Debug, Clone, Default)]
pub struct EngineConfig {
    /// Free service messages per business number per month in era D (`--free-service-allowance`).
    pub free_service_allowance: u32,
    /// Per customer country (indexed by `CountryId`): the first date an authentication
    /// template to that country pays the authentication-international rate, or `None`.
    /// Empty when authentication-international is off (docs/rules.md, Authentication-international).
    pub auth_intl_from: Vec<Option<NaiveDate>>,
    /// What-if (`--as-of`): apply the rules and cards in force on this date to every message,
    /// keeping its time, its windows and its month.
    pub as_of: Option<NaiveDate>,
    /// The category of a [`Kind::Uncategorised`] message sent outside a customer service
    /// window (`--template-category`); the reader gives such messages only when it is set.
    pub uncategorised_as: Option<TemplateCategory>,
    /// `--log-starts-clean`: the log holds the whole history, so a free-form message without
    /// delivery evidence in its first 24h is not presumed inside a window opened before it.
    pub log_starts_clean: bool,
    /// `--accounts`: each business number's account and WABA (the scope of the free tier);
    /// without it the log is one account and one WABA.
    pub accounts: Option<std::sync::Arc<crate::accounts::Accounts>>,
    /// The time (ms since the Unix epoch) of the first message of the whole log, when the
    /// messages replayed are part of it (a Spark job's group of accounts): the log's first
    /// 24 hours, in which a reply is presumed inside a window opened before the log, count
    /// from it. `None`: from the first message replayed.
    pub log_start: Option<i64>,
}

/// A business message as the era rules see it.
#[derive(Debug, Clone, Copy)]
pub struct BusinessMessage {
    /// Its billing time (ms since the Unix epoch, UTC).
    pub t: i64,
    /// Its local date in the WABA time zone: the date whose rules apply.
    pub date: NaiveDate,
    /// The calendar month it is counted in.
    pub month: Month,
    /// The pricing era of its date.
    pub era: Era,
    /// What was sent: a template of a category, or a free-form message.
    pub kind: Kind,
    /// The business number that sent it (its id in [`Pairs`]).
    pub business: u32,
    /// Whether an authentication template here pays the international rate.
    pub auth_intl: bool,
    /// A free-form message outside every window the log shows, presumed inside one all the same.
    pub presumed: Presumed,
}

impl BusinessMessage {
    /// Inside a customer service window: one the log shows, or one presumed for this message.
    pub fn in_csw(&self, st: &PairState) -> bool {
        self.presumed != Presumed::No || st.in_csw(self.t)
    }
}

impl BusinessMessage {
    pub(crate) fn template_unit_category(&self, category: TemplateCategory) -> UnitCategory {
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

/// Counters shared by all pairs: the monthly free tier (eras A and B, per WABA) and
/// the era D service allowance (per business number).
#[derive(Debug, Clone)]
pub struct Counters {
    /// The WABA of the message being decided (0 without `--accounts`).
    waba: u32,
    /// Per WABA: the month counted and the free-tier conversations taken in it.
    tier_used: Vec<(Month, u32)>,
    allowance_limit: u32,
    allowance_used: Vec<(Month, u32)>,
}

impl Counters {
    fn new(allowance_limit: u32) -> Counters {
        Counters {
            waba: 0,
            tier_used: Vec::new(),
            allowance_limit,
            allowance_used: Vec::new(),
        }
    }

    /// Takes one of the month's free-tier conversations, if any is left.
    pub fn take_free_tier(&mut self, month: Month) -> bool {
        let w = self.waba as usize;
        if self.tier_used.len() <= w {
            self.tier_used.resize(w + 1, (Month(i32::MIN), 0));
        }
        let used = &mut self.tier_used[w];
        if used.0 != month {
            *used = (month, 0);
        }
        if used.1 < era::FREE_TIER_CONVERSATIONS {
            used.1 += 1;
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
    /// The time of the first message replayed: the log's earliest (messages come in time order).
    log_start: Option<i64>,
}

impl<'a> Engine<'a> {
    /// An engine that replays messages under `config`, dating them with `calendar` (the WABA's
    /// time zone).
    pub fn new(config: &'a EngineConfig, calendar: Calendar) -> Engine<'a> {
        Engine {
            config,
            calendar,
            pairs: PairStates::default(),
            counters: Counters::new(config.free_service_allowance),
            log_start: None,
        }
    }

    /// Replays one message; business messages produce exactly one event. `pairs` must know
    /// the message's pair (pairs may be added between calls, as a streaming reader does).
    pub fn push(&mut self, m: &Message, pairs: &Pairs) -> Option<BillingEvent> {
        while self.pairs.len() <= m.pair as usize {
            let p = self.pairs.len() as u32;
            self.add_pair(pairs.pair_of(p).business, pairs.customer_of(p).country);
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

    pub(crate) fn pair_count(&self) -> usize {
        self.pairs.len()
    }

    /// Asks the CPU for a pair's windows ahead of [`Engine::push_known`] (a hint only).
    #[inline]
    pub fn prefetch(&self, pair: u32) {
        self.pairs.prefetch(pair);
    }

    /// [`Engine::push`] for a message whose pair was added with [`Engine::add_pair`].
    pub fn push_known(&mut self, m: &Message) -> Option<BillingEvent> {
        let log_start = *self
            .log_start
            .get_or_insert(self.config.log_start.map_or(m.time, |s| s.min(m.time)));
        let st = &mut self.pairs[m.pair];
        if let Kind::Inbound { entry_point } = m.kind {
            st.inbound(m.time, entry_point);
            return None;
        }
        let kind = match m.kind {
            Kind::Uncategorised if st.in_csw(m.time) => Kind::FreeForm,
            Kind::Uncategorised => Kind::Template(
                self.config
                    .uncategorised_as
                    .unwrap_or(TemplateCategory::Marketing),
            ),
            kind => kind,
        };
        let actual = self.calendar.local_date(m.time);
        let date = self.config.as_of.unwrap_or(actual);
        let era = era::era_of(date);
        let country = st.country;
        let auth_intl = matches!(kind, Kind::Template(TemplateCategory::Authentication))
            && matches!(self.config.auth_intl_from.get(country.0 as usize), Some(Some(from)) if date >= *from);
        let bm = BusinessMessage {
            t: m.time,
            date,
            month: Month::of(actual),
            era,
            kind,
            business: st.business,
            auth_intl,
            presumed: presume(st, m, log_start, self.config.log_starts_clean),
        };
        let (account, waba) = match &self.config.accounts {
            Some(accounts) => accounts.locate(st.business, actual),
            None => (0, 0),
        };
        self.counters.waba = waba;
        let (category, charge) = decide(st, &bm, &mut self.counters, m.delivered);
        Some(BillingEvent {
            time: m.time,
            date,
            month: bm.month,
            era,
            pair: m.pair,
            country,
            category,
            charge,
            presumed: bm.presumed,
            account,
            waba,
        })
    }
}

/// A log that begins mid-conversation: a free-form message outside every window
/// the log shows is presumed inside one opened before the log when its row proves delivery,
/// or (unless the log starts clean) when it comes in the log's first 24h with no customer
/// message of its pair before it. Neither opens or extends a window for any other message.
fn presume(st: &PairState, m: &Message, log_start: i64, starts_clean: bool) -> Presumed {
    if m.kind != Kind::FreeForm || !m.delivered || st.in_csw(m.time) {
        Presumed::No
    } else if m.delivery_confirmed {
        Presumed::Delivered
    } else if !starts_clean && st.csw_until == windows::CLOSED && m.time < log_start + windows::DAY
    {
        Presumed::BeforeLog
    } else {
        Presumed::No
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
        return (category, Charge::Undelivered);
    }
    if m.kind == Kind::FreeForm && !m.in_csw(st) {
        return (category, Charge::Rejected);
    }
    st.enter_era(m.era);
    let opened_fep = st.answer_entry_point(m.t, m.era);
    if opened_fep || st.in_fep(m.t) {
        let charge = if opened_fep || !m.era.is_conversation_based() {
            Charge::FreeEntryPoint
        } else {
            Charge::Covered
        };
        let category = if m.era == Era::A {
            UnitCategory::UserInitiated
        } else {
            category
        };
        return (category, charge);
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
    pairs: &Pairs,
    config: &EngineConfig,
    calendar: Calendar,
    mut sink: impl FnMut(BillingEvent),
) {
    replay_while(messages, pairs, config, calendar, |e| {
        sink(e);
        true
    });
}

/// [`replay`], stopping as soon as `sink` returns false (its consumer gave up).
pub fn replay_while(
    messages: &[Message],
    pairs: &Pairs,
    config: &EngineConfig,
    calendar: Calendar,
    mut sink: impl FnMut(BillingEvent) -> bool,
) {
    let mut engine = Engine::new(config, calendar);
    for (i, m) in messages.iter().enumerate() {
        if let Some(ahead) = messages.get(i + crate::prefetch::AHEAD) {
            engine.prefetch(ahead.pair);
        }
        if let Some(event) = engine.push(m, pairs) {
            if !sink(event) {
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests;
