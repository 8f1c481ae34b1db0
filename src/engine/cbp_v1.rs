//! Era A (2022-02-01 .. 2023-05-31): one conversation at a time per pair, user-initiated when
//! the customer service window is open, business-initiated otherwise; the first 1,000
//! conversations of a month per WABA are free (docs/rules.md, Era A).

use super::windows::{PairState, ANY, DAY};
use super::{BusinessMessage, Counters, Verdict};
use crate::event::{Charge, UnitCategory};

pub fn business_message(
    st: &mut PairState,
    m: &BusinessMessage,
    counters: &mut Counters,
) -> Verdict {
    let category = if m.in_csw(st) {
        UnitCategory::UserInitiated
    } else {
        UnitCategory::BusinessInitiated
    };
    if st.conversation_open(ANY, m.t) {
        return (category, Charge::Covered);
    }
    st.conversation_until[ANY] = m.t + DAY;
    let charge = if counters.take_free_tier(m.month) {
        Charge::FreeTier
    } else {
        Charge::Conversation
    };
    (category, charge)
}
