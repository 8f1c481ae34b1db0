//! Era B (2023-06-01 .. 2025-06-30): conversations per category, several open at once.
//! A template opens a conversation of its category unless one is open; a free-form message
//! rides on any open conversation, else opens a service conversation (docs/rules.md, Era B).

use super::windows::{PairState, AUTHENTICATION, DAY, MARKETING, SERVICE, UTILITY};
use super::{BusinessMessage, Counters, Verdict};
use crate::era::FREE_SERVICE_FROM;
use crate::event::{Pricing, UnitCategory};
use crate::message::{Kind, TemplateCategory};

pub fn business_message(
    st: &mut PairState,
    m: &BusinessMessage,
    counters: &mut Counters,
) -> Verdict {
    match m.kind {
        Kind::Template(category) => {
            let slot = match category {
                TemplateCategory::Marketing => MARKETING,
                TemplateCategory::Utility => UTILITY,
                TemplateCategory::Authentication => AUTHENTICATION,
            };
            let unit = m.template_unit_category(category);
            if st.conversation_open(slot, m.t) {
                return (unit, Pricing::Covered);
            }
            st.conversation_until[slot] = m.t + DAY;
            (unit, Pricing::Conversation)
        }
        _ => {
            if st.any_conversation_open(m.t) {
                return (UnitCategory::Service, Pricing::Covered);
            }
            st.conversation_until[SERVICE] = m.t + DAY;
            let pricing = if m.date >= FREE_SERVICE_FROM {
                Pricing::FreeService
            } else if counters.take_free_tier(m.month) {
                Pricing::FreeTier
            } else {
                Pricing::Conversation
            };
            (UnitCategory::Service, pricing)
        }
    }
}
