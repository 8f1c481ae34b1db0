//! The windows kept per (business, customer) pair. Windows are half-open: a window opened at
//! `t` for `d` covers `t <= x < t + d`. `CLOSED` is a time before anything.

use crate::calendar::MS_PER_DAY;
use crate::country::CountryId;
use crate::event::Era;

pub const CLOSED: i64 = i64::MIN;
pub const DAY: i64 = MS_PER_DAY;
/// A free entry point window opened from 2023-06-01 (eras B, C, D) lasts 72h.
pub const ENTRY_POINT_WINDOW: i64 = 3 * MS_PER_DAY;
/// In era A every conversation, the free entry point one included, was a fixed 24h session.
pub const ENTRY_POINT_WINDOW_ERA_A: i64 = DAY;

/// How long a free entry point window opened in `era` lasts. The length is fixed when the
/// window opens: one opened in era A keeps its 24h after 2023-06-01.
pub fn entry_point_window(era: Era) -> i64 {
    if era == Era::A {
        ENTRY_POINT_WINDOW_ERA_A
    } else {
        ENTRY_POINT_WINDOW
    }
}

/// Conversation slots: era B keeps one per category; era A uses only `ANY`.
pub const MARKETING: usize = 0;
pub const UTILITY: usize = 1;
pub const AUTHENTICATION: usize = 2;
pub const SERVICE: usize = 3;
pub const ANY: usize = 0;

/// One cache line per pair: the replay touches one per message.
#[derive(Debug, Clone, Copy)]
#[repr(align(64))]
pub struct PairState {
    /// Customer service window: end of the 24h after the customer's last message.
    pub csw_until: i64,
    /// An entry-point message still waiting for the business's first reply.
    pub entry_point_at: i64,
    /// Free entry point window end.
    pub fep_until: i64,
    /// Open conversations' ends (era A: slot `ANY`; era B: one per category).
    pub conversation_until: [i64; 4],
    /// The era of the pair's last business message: conversations do not cross eras.
    pub era: Era,
    /// The pair's business number (for the per-number service allowance).
    pub business: u32,
    /// The customer's country (for its market and authentication-international).
    pub country: CountryId,
}

impl Default for PairState {
    fn default() -> Self {
        PairState {
            csw_until: CLOSED,
            entry_point_at: CLOSED,
            fep_until: CLOSED,
            conversation_until: [CLOSED; 4],
            era: Era::A,
            business: 0,
            country: CountryId(0),
        }
    }
}

impl PairState {
    pub fn in_csw(&self, t: i64) -> bool {
        t < self.csw_until
    }
    pub fn in_fep(&self, t: i64) -> bool {
        t < self.fep_until
    }
    pub fn conversation_open(&self, slot: usize, t: i64) -> bool {
        t < self.conversation_until[slot]
    }
    pub fn any_conversation_open(&self, t: i64) -> bool {
        self.conversation_until.iter().any(|&until| t < until)
    }
    pub fn close_conversations(&mut self) {
        self.conversation_until = [CLOSED; 4];
    }

    /// A customer message: (re)starts the service window; an entry point waits for a reply
    /// unless a free entry point window is already open (then it does nothing).
    pub fn inbound(&mut self, t: i64, entry_point: bool) {
        self.csw_until = t + DAY;
        if entry_point && !self.in_fep(t) {
            self.entry_point_at = t;
        }
    }

    /// Moves the pair into the era of a business message. Billing conversations never cross
    /// an era boundary, except a utility conversation open at the 2025-07-01 switch, which
    /// keeps covering utility templates until it expires (docs/rules.md, Era C). Service and entry
    /// point windows are facts about the chat and carry over.
    pub fn enter_era(&mut self, era: Era) {
        if era == self.era {
            return;
        }
        let utility = self.conversation_until[UTILITY];
        self.close_conversations();
        if self.era == Era::B && era == Era::C {
            self.conversation_until[UTILITY] = utility;
        }
        self.era = era;
    }

    /// The business's first delivered message after an entry point: within 24h it opens a
    /// free entry point window (closing every open conversation) as long as `era` gives it,
    /// later the entry point lapses. Returns true when a window opened.
    pub fn answer_entry_point(&mut self, t: i64, era: Era) -> bool {
        if self.entry_point_at == CLOSED {
            return false;
        }
        let opens = t < self.entry_point_at + DAY;
        self.entry_point_at = CLOSED;
        if opens {
            self.fep_until = t + entry_point_window(era);
            self.close_conversations();
        }
        opens
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: i64 = 3_600_000;

    #[test]
    fn service_window_is_half_open_and_restarted_by_each_inbound() {
        let mut s = PairState::default();
        s.inbound(0, false);
        assert!(s.in_csw(24 * H - 1));
        assert!(!s.in_csw(24 * H));
        s.inbound(10 * H, false);
        assert!(s.in_csw(33 * H));
    }

    #[test]
    fn entry_point_opens_a_72h_window_only_when_answered_within_24h() {
        let mut s = PairState::default();
        s.inbound(0, true);
        s.conversation_until[MARKETING] = 5 * H;
        assert!(s.answer_entry_point(24 * H - 1, Era::B));
        assert!(s.in_fep(24 * H - 1 + 72 * H - 1));
        assert!(!s.in_fep(24 * H - 1 + 72 * H));
        assert!(
            !s.any_conversation_open(24 * H - 1),
            "opening the window closes conversations"
        );

        let mut late = PairState::default();
        late.inbound(0, true);
        assert!(!late.answer_entry_point(24 * H, Era::B));
        assert!(
            !late.answer_entry_point(25 * H, Era::B),
            "a lapsed entry point is gone"
        );
    }

    #[test]
    fn an_era_a_entry_point_window_lasts_24h_and_keeps_it_after_the_era_ends() {
        let mut s = PairState::default();
        s.inbound(0, true);
        assert!(s.answer_entry_point(2 * H, Era::A));
        assert!(s.in_fep(26 * H - 1));
        assert!(!s.in_fep(26 * H), "era A: a fixed 24h session");
        // Opened in era A, it keeps its 24h even when the next message is in era B.
        s.enter_era(Era::B);
        assert_eq!(s.fep_until, 26 * H);
    }

    #[test]
    fn entry_point_inside_an_open_window_does_nothing() {
        let mut s = PairState::default();
        s.inbound(0, true);
        assert!(s.answer_entry_point(H, Era::B));
        s.inbound(10 * H, true);
        assert!(!s.answer_entry_point(11 * H, Era::B));
        assert_eq!(s.fep_until, H + 72 * H);
    }

    #[test]
    fn only_a_utility_conversation_survives_the_switch_to_per_message_pricing() {
        let mut s = PairState {
            era: Era::B,
            ..PairState::default()
        };
        s.conversation_until = [10 * H; 4];
        s.enter_era(Era::C);
        assert_eq!(s.conversation_until, [CLOSED, 10 * H, CLOSED, CLOSED]);

        let mut a = PairState::default();
        a.conversation_until[ANY] = 10 * H;
        a.enter_era(Era::B);
        assert!(
            !a.any_conversation_open(H),
            "no era A conversation covers era B"
        );
    }
}
