//! What the engine emits: one event per business message (or per conversation opened),
//! saying what Meta counts and why.

use crate::calendar::Month;
use crate::country::CountryId;
pub use crate::era::Era;
use chrono::NaiveDate;

/// The category a unit is counted under (the estimate's columns).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum UnitCategory {
    /// Marketing templates (conversations in era B).
    Marketing,
    /// Utility templates (conversations in era B).
    Utility,
    /// Authentication templates at the market's own rate.
    Authentication,
    /// Authentication templates at the authentication-international rate, which Meta charges
    /// for customers of some countries from a start date (docs/rules.md).
    AuthenticationInternational,
    /// Free-form messages, or service conversations in era B.
    Service,
    /// Era A conversations opened by the customer.
    UserInitiated,
    /// Era A conversations opened by a business template.
    BusinessInitiated,
}

impl UnitCategory {
    /// Every category, in the estimate's column order.
    pub const ALL: [UnitCategory; 7] = [
        UnitCategory::Marketing,
        UnitCategory::Utility,
        UnitCategory::Authentication,
        UnitCategory::AuthenticationInternational,
        UnitCategory::Service,
        UnitCategory::UserInitiated,
        UnitCategory::BusinessInitiated,
    ];

    /// The category as the outputs name it (`authentication_international`).
    pub fn name(self) -> &'static str {
        match self {
            UnitCategory::Marketing => "marketing",
            UnitCategory::Utility => "utility",
            UnitCategory::Authentication => "authentication",
            UnitCategory::AuthenticationInternational => "authentication_international",
            UnitCategory::Service => "service",
            UnitCategory::UserInitiated => "user_initiated",
            UnitCategory::BusinessInitiated => "business_initiated",
        }
    }

    /// The category's place in [`UnitCategory::ALL`], for arrays indexed by category.
    pub fn index(self) -> usize {
        self as usize
    }
}

/// How an event is charged: billed (a conversation or a message), free and why, or not a unit
/// at all. Written as the ledger's `pricing` column and compared with Meta's `pricing` in reconcile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Charge {
    /// A billed conversation (eras A, B).
    Conversation,
    /// A billed message (eras C, D).
    Message,
    /// Within the month's 1,000 free conversations (era A) or service conversations (era B).
    FreeTier,
    /// An era B service conversation from 2024-11-01, when all service became free.
    FreeService,
    /// Opened or covered by a free entry-point window.
    FreeEntryPoint,
    /// Free inside the customer service window (era C: free-form and utility).
    FreeCustomerService,
    /// Within `--free-service-allowance` (era D).
    FreeAllowance,
    /// A utility template covered by a utility conversation opened before 2025-07-01.
    SwitchOver,
    /// Rode on an already open conversation: not a unit of its own.
    Covered,
    /// Free-form outside the customer service window: Meta rejects it (error 131047).
    Rejected,
    /// The log says it was not delivered.
    Undelivered,
}

impl Charge {
    /// The pricing as the ledger's `pricing` column names it.
    pub fn name(self) -> &'static str {
        match self {
            Charge::Conversation => "conversation",
            Charge::Message => "message",
            Charge::FreeTier => "free_tier",
            Charge::FreeService => "free_service",
            Charge::FreeEntryPoint => "free_entry_point",
            Charge::FreeCustomerService => "free_customer_service",
            Charge::FreeAllowance => "free_allowance",
            Charge::SwitchOver => "switch_over",
            Charge::Covered => "covered",
            Charge::Rejected => "rejected",
            Charge::Undelivered => "undelivered",
        }
    }

    /// A unit Meta counts (billed or free).
    pub fn is_unit(self) -> bool {
        !matches!(
            self,
            Charge::Covered | Charge::Rejected | Charge::Undelivered
        )
    }

    /// A unit Meta charges for: a conversation or a message at a rate (not free).
    pub fn is_billed(self) -> bool {
        matches!(self, Charge::Conversation | Charge::Message)
    }
}

/// Why a free-form message with no customer message before it in the log still counts as
/// inside a customer service window: a log is a window onto a longer history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum Presumed {
    /// Nothing presumed: the log shows the window (or the message is no free-form message
    /// outside one).
    #[default]
    No,
    /// The row says it was delivered (a delivered/read/played status or a delivery time):
    /// Meta delivers free-form messages only inside a window, so one was open.
    Delivered,
    /// No evidence, but in the log's first 24h with no customer message of its pair before it:
    /// taken as inside a window opened before the log began (`--log-starts-clean` turns this off).
    BeforeLog,
}

/// One verdict of the engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BillingEvent {
    /// The message's billing time (ms since epoch, UTC); for a conversation, its opening.
    pub time: i64,
    /// The date whose rules, market map and rate cards apply: the local date in the WABA time
    /// zone (or the `--as-of` date in a what-if).
    pub date: NaiveDate,
    /// The calendar month the unit is counted in (always the message's own).
    pub month: Month,
    /// The era of the unit's date.
    pub era: Era,
    /// The (business, customer) pair, an index into [`crate::pairs::Pairs`].
    pub pair: u32,
    /// The customer's country: with `date`, it gives the market.
    pub country: CountryId,
    /// What Meta counts the unit as.
    pub category: UnitCategory,
    /// Why it costs what it costs: a rate, free (and why), or nothing.
    pub charge: Charge,
    /// A service window the log does not show, presumed for this free-form message.
    pub presumed: Presumed,
    /// With `--accounts`: the customer account and the WABA the unit is billed to (0 without).
    pub account: u32,
    /// With `--accounts`: the WABA the unit is billed to (0 without).
    pub waba: u32,
}
