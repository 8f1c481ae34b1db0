//! Era B (2023-06-01 .. 2025-06-30): conversations per category, several open at once.
//! A template opens a conversation of its category unless one is open; a free-form message
//! rides on any open conversation, else opens a service conversation (docs/rules.md, Era B).

use super::windows::{PairState, AUTHENTICATION, DAY, MARKETING, SERVICE, UTILITY};
use super::{BusinessMessage, Counters, Verdict};
use crate::era::FREE_SERVICE_FROM;
use crate::event::{Charge, UnitCategory};
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
                return (unit, Charge::Covered);
            }
            st.conversation_until[slot] = m.t + DAY;
            (unit, Charge::Conversation)
        }
        _ => {
            if st.any_conversation_open(m.t) {
                return (UnitCategory::Service, Charge::Covered);
            }
            st.conversation_until[SERVICE] = m.t + DAY;
            let charge = if m.date >= FREE_SERVICE_FROM {
                Charge::FreeService
            } else if counters.take_free_tier(m.month) {
                Charge::FreeTier
            } else {
                Charge::Conversation
            };
            (UnitCategory::Service, charge)
        }
    }
}
