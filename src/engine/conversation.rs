//! What the engine tells about its conversations after deciding a message, for those who set
//! the engine's verdicts beside someone else's (reconcile): which conversation held the
//! message, and whether the customer service window was open. Read-only; the windows
//! themselves stay inside the engine.

use super::windows::{PairState, ANY, AUTHENTICATION, MARKETING, SERVICE, UTILITY};
use super::Engine;
use crate::event::{BillingEvent, Charge, Era};
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
    if e.charge == Charge::SwitchOver {
        return vec![key(UTILITY)];
    }
    if !e.era.is_conversation_based() || !(e.charge.is_unit() || e.charge == Charge::Covered) {
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
        _ if e.charge != Charge::Covered => vec![key(SERVICE)],
        _ => [MARKETING, UTILITY, AUTHENTICATION, SERVICE]
            .into_iter()
            .filter(|&s| st.conversation_open(s, t))
            .map(key)
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::Calendar;
    use crate::country::CountryId;
    use crate::engine::EngineConfig;
    use crate::message::Message;
    use crate::pairs::Pairs;

    const H: i64 = 3_600_000;

    fn at(s: &str) -> i64 {
        chrono::DateTime::parse_from_rfc3339(s)
            .unwrap()
            .timestamp_millis()
    }

    /// Replays `(customer, hours after t0, kind)` and gives, per business message, its charge
    /// and the conversations the engine says held it.
    fn keys(t0: i64, rows: &[(u64, i64, Kind)]) -> Vec<(Charge, Vec<ConversationKey>)> {
        let config = EngineConfig::default();
        let mut engine = Engine::new(&config, Calendar::new(chrono_tz::Tz::UTC));
        let mut pairs = Pairs::default();
        let b = pairs.business(b"");
        let mut out = Vec::new();
        for &(customer, h, kind) in rows {
            let pair = pairs
                .intern(b, 33_600_000_000 + customer, |_| Ok::<_, ()>(CountryId(0)))
                .unwrap();
            let m = Message {
                time: t0 + h * H,
                pair,
                kind,
                delivered: true,
                delivery_confirmed: false,
            };
            if let Some(e) = engine.push(&m, &pairs) {
                out.push((e.charge, engine.conversations_of(&e, kind)));
            }
        }
        out
    }

    #[test]
    fn a_reply_riding_in_era_b_may_belong_to_every_open_conversation_in_slot_order() {
        let t0 = at("2024-03-04T08:00:00Z");
        let got = keys(
            t0,
            &[
                (1, 0, Kind::Template(TemplateCategory::Marketing)),
                (1, 1, Kind::Inbound { entry_point: false }),
                (1, 2, Kind::Template(TemplateCategory::Utility)),
                (1, 3, Kind::FreeForm),
            ],
        );
        let marketing = ConversationKey {
            pair: 0,
            window: MARKETING as u8,
            until: t0 + 24 * H,
        };
        let utility = ConversationKey {
            pair: 0,
            window: UTILITY as u8,
            until: t0 + 26 * H,
        };
        assert_eq!(got[0].1, vec![marketing]);
        assert_eq!(got[1].1, vec![utility]);
        assert_eq!(got[2], (Charge::Covered, vec![marketing, utility]));
        assert!(!marketing.is_free_entry_point());
    }

    #[test]
    fn a_free_entry_point_conversation_and_per_message_eras() {
        let t0 = at("2024-03-04T08:00:00Z");
        let got = keys(
            t0,
            &[
                (2, 0, Kind::Inbound { entry_point: true }),
                (2, 1, Kind::Template(TemplateCategory::Marketing)),
            ],
        );
        let fep = got[0].1[0];
        assert_eq!(got[0].0, Charge::FreeEntryPoint);
        assert!(fep.is_free_entry_point());
        assert_eq!(fep.until, t0 + H + 72 * H);
        // Era C prices messages, not conversations: no conversation holds them.
        let got = keys(
            at("2025-09-01T08:00:00Z"),
            &[(1, 0, Kind::Template(TemplateCategory::Marketing))],
        );
        assert_eq!(got, vec![(Charge::Message, vec![])]);
    }

    /// Era A had one conversation a pair, whatever the template: a marketing template opens it,
    /// and a utility template and a free-form reply in its 24 hours are held by that one.
    #[test]
    fn in_era_a_every_message_of_a_pair_belongs_to_its_one_conversation() {
        let t0 = at("2022-06-01T08:00:00Z");
        let got = keys(
            t0,
            &[
                (3, 0, Kind::Template(TemplateCategory::Marketing)),
                (3, 2, Kind::Template(TemplateCategory::Utility)),
                (3, 3, Kind::FreeForm),
            ],
        );
        let one = ConversationKey {
            pair: 0,
            window: ANY as u8,
            until: t0 + 24 * H,
        };
        assert_eq!(got.len(), 3, "{got:?}");
        for (charge, held) in &got {
            assert_eq!(held, &vec![one], "{charge:?}");
        }
    }

    #[test]
    fn the_service_window_is_open_for_24_hours_after_the_customer_writes() {
        let config = EngineConfig::default();
        let mut engine = Engine::new(&config, Calendar::new(chrono_tz::Tz::UTC));
        let mut pairs = Pairs::default();
        let b = pairs.business(b"");
        let pair = pairs
            .intern(b, 33_612_345_678, |_| Ok::<_, ()>(CountryId(0)))
            .unwrap();
        let t = at("2025-09-01T08:00:00Z");
        let m = Message {
            time: t,
            pair,
            kind: Kind::Inbound { entry_point: false },
            delivered: true,
            delivery_confirmed: false,
        };
        assert!(engine.push(&m, &pairs).is_none());
        assert!(engine.service_window_open(pair, t + 24 * H - 1));
        assert!(!engine.service_window_open(pair, t + 24 * H));
    }
}
