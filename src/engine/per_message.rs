//! Eras C (2025-07-01 .. 2026-09-30) and D (2026-10-01 on): every delivered business message
//! is a unit. Era C: free-form and utility inside the service window are free; era D charges
//! them, with an optional free service allowance (docs/rules.md, Era C and Era D).

use super::windows::{PairState, UTILITY};
use super::{BusinessMessage, Counters, Verdict};
use crate::event::{Charge, Era, UnitCategory};
use crate::message::{Kind, TemplateCategory};

pub fn business_message(
    st: &mut PairState,
    m: &BusinessMessage,
    counters: &mut Counters,
) -> Verdict {
    match (m.kind, m.era) {
        (Kind::Template(TemplateCategory::Utility), era) => {
            // A utility conversation opened before 2025-07-01 keeps covering utility templates.
            if st.conversation_open(UTILITY, m.t) {
                (UnitCategory::Utility, Charge::SwitchOver)
            } else if era == Era::C && st.in_csw(m.t) {
                (UnitCategory::Utility, Charge::FreeCustomerService)
            } else {
                (UnitCategory::Utility, Charge::Message)
            }
        }
        (Kind::Template(category), _) => (m.template_unit_category(category), Charge::Message),
        (_, Era::D) => {
            if counters.take_allowance(m.business, m.month) {
                (UnitCategory::Service, Charge::FreeAllowance)
            } else {
                (UnitCategory::Service, Charge::Message)
            }
        }
        _ => (UnitCategory::Service, Charge::FreeCustomerService),
    }
}
