//! What the engine tells about its conversations after deciding a message, for those who set
//! the engine's verdicts beside someone else's (reconcile): which conversation held the
//! message, and whether the customer service window was open. Read-only; the windows
//! themselves stay inside the engine.

use super::windows::{PairState, ANY, AUTHENTICATION, MARKETING, SERVICE, UTILITY};
use super::Engine;
use crate::event::{BillingEvent, Era, Pricing};
use crate::message::{Kind, TemplateCategory};

/// The window a conversation lives in: a conversation slot of the pair (one per category in
/// era B, one in era A), or its free entry point window.
const FREE_ENTRY_POINT: u8 = 4;

/// A conversation as the engine keeps it: the pair, the window it lives in and its end. Two
/// messages share an engine conversation exactly when they share this key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ConversationKey {
    /// The (business, customer) pair.
    pub pair: u32,
    /// The window: 0 to 3 for a conversation slot (era A uses 0 only; era B marketing,
    /// utility, authentication, service), 4 for the free entry point window.
    pub window: u8,
    /// The end of the conversation, in milliseconds since the epoch.
    pub until: i64,
}

impl ConversationKey {
    /// Whether the conversation is a free entry point one (it has no category of its own).
    pub fn is_free_entry_point(&self) -> bool {
        self.window == FREE_ENTRY_POINT
    }
}

fn slot_of(c: TemplateCategory) -> usize {
    match c {
        TemplateCategory::Marketing => MARKETING,
        TemplateCategory::Utility => UTILITY,
        TemplateCategory::Authentication => AUTHENTICATION,
    }
}

impl Engine<'_> {
    /// The engine conversations that may hold the message `e` was just decided for (`kind` is
    /// the message's kind), read from the pair's windows right after [`Engine::push`]: none for
    /// a message priced per message, one, or for a free-form message riding in era B, every
    /// open one (slot order: marketing, utility, authentication, service).
    pub fn conversations_of(&self, e: &BillingEvent, kind: Kind) -> Vec<ConversationKey> {
        conversations(e, kind, &self.pairs[e.pair])
    }

    /// Whether the pair's customer service window (the one the log shows) is open at `t`, as
    /// the windows stand after the messages pushed so far.
    pub fn service_window_open(&self, pair: u32, t: i64) -> bool {
        self.pairs[pair].in_csw(t)
    }
}

fn conversations(e: &BillingEvent, kind: Kind, st: &PairState) -> Vec<ConversationKey> {
    let t = e.time;
    let pair = e.pair;
    let key = |slot: usize| ConversationKey {
        pair,
        window: slot as u8,
        until: st.conversation_until[slot],
    };
    if e.pricing == Pricing::SwitchOver {
        return vec![key(UTILITY)];
    }
    if !e.era.is_conversation_based() || !(e.pricing.is_unit() || e.pricing == Pricing::Covered) {
        return Vec::new();
    }
    if st.in_fep(t) {
        return vec![ConversationKey {
            pair,
            window: FREE_ENTRY_POINT,
            until: st.fep_until,
        }];
    }
    match (e.era, kind) {
        (Era::A, _) => vec![key(ANY)],
        (_, Kind::Template(c)) => vec![key(slot_of(c))],
        _ if e.pricing != Pricing::Covered => vec![key(SERVICE)],
        _ => [MARKETING, UTILITY, AUTHENTICATION, SERVICE]
            .into_iter()
            .filter(|&s| st.conversation_open(s, t))
            .map(key)
            .collect(),
    }
}
