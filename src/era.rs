//! The calendar of rule changes: the eras and the dates they start on, the free tier, and
//! when authentication-international began per country. Dates are local dates in the WABA
//! time zone (docs/rules.md, Vocabulary). A bottom module: it imports nothing of the domain.

use chrono::NaiveDate;

/// The pricing rule era a message falls in (docs/rules.md, Era A to Era D).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Era {
    /// 2022-02-01 .. 2023-05-31: user-/business-initiated conversations.
    A,
    /// 2023-06-01 .. 2025-06-30: conversations per category.
    B,
    /// 2025-07-01 .. 2026-09-30: per delivered template.
    C,
    /// 2026-10-01 on: service and in-window utility charged too.
    D,
}

impl Era {
    /// The era as the report names it: its letter and what Meta charges by in it.
    pub fn describe(self) -> &'static str {
        match self {
            Era::A => "A (conversations: user-/business-initiated, 1,000 free a month)",
            Era::B => "B (conversations per category)",
            Era::C => "C (per message; service and in-window utility free)",
            Era::D => "D (per message; service and in-window utility charged)",
        }
    }
    /// Units in eras A and B are conversations, later ones messages.
    pub fn is_conversation_based(self) -> bool {
        matches!(self, Era::A | Era::B)
    }
}

const fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(y, m, d) {
        Some(d) => d,
        None => panic!("bad constant date"),
    }
}

/// The first date any supported rule covers; earlier rows are rejected (docs/rules.md, rule 1.6).
pub const SUPPORTED_FROM: NaiveDate = date(2022, 2, 1);
/// The first day of era B (conversations per category).
pub const ERA_B_FROM: NaiveDate = date(2023, 6, 1);
/// From this date every era B service conversation is free.
pub const FREE_SERVICE_FROM: NaiveDate = date(2024, 11, 1);
/// The first day of era C (per-message pricing).
pub const ERA_C_FROM: NaiveDate = date(2025, 7, 1);
/// The first day of era D (service and in-window utility charged).
pub const ERA_D_FROM: NaiveDate = date(2026, 10, 1);

/// The free tier of eras A and B: conversations a month per WABA.
pub const FREE_TIER_CONVERSATIONS: u32 = 1_000;

/// Authentication-international start dates per customer country (docs/rules.md, Authentication-international).
pub const AUTH_INTL_START: [(&str, NaiveDate); 18] = [
    ("ID", date(2024, 6, 1)),
    ("IN", date(2024, 7, 1)),
    ("EG", date(2025, 2, 1)),
    ("MY", date(2025, 2, 1)),
    ("NG", date(2025, 2, 1)),
    ("PK", date(2025, 2, 1)),
    ("SA", date(2025, 2, 1)),
    ("ZA", date(2025, 2, 1)),
    ("AE", date(2025, 2, 1)),
    ("BD", date(2026, 10, 1)),
    ("IQ", date(2026, 10, 1)),
    ("NP", date(2026, 10, 1)),
    ("LK", date(2026, 10, 1)),
    ("KZ", date(2026, 10, 1)),
    ("KW", date(2026, 10, 1)),
    ("MA", date(2026, 10, 1)),
    ("OM", date(2026, 10, 1)),
    ("UA", date(2026, 10, 1)),
];

/// The era a local date falls in (dates before [`SUPPORTED_FROM`] count as era A; the readers
/// refuse them first).
pub fn era_of(d: NaiveDate) -> Era {
    if d >= ERA_D_FROM {
        Era::D
    } else if d >= ERA_C_FROM {
        Era::C
    } else if d >= ERA_B_FROM {
        Era::B
    } else {
        Era::A
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_boundary_day_belongs_to_the_new_era() {
        assert_eq!(era_of(date(2023, 5, 31)), Era::A);
        assert_eq!(era_of(date(2023, 6, 1)), Era::B);
        assert_eq!(era_of(date(2025, 6, 30)), Era::B);
        assert_eq!(era_of(date(2025, 7, 1)), Era::C);
        assert_eq!(era_of(date(2026, 9, 30)), Era::C);
        assert_eq!(era_of(date(2026, 10, 1)), Era::D);
    }
}
