//! The compact, normalised form of one log row, as the engine sees it.
//!
//! Strings stop at the reader: a message carries only integers (time, an interned
//! (business, customer) pair) and small enums, so tens of millions of them stay cheap.

/// A template's category as Meta approved it (docs/rules.md, rule 1.4: taken from the row, never inferred).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TemplateCategory {
    /// Marketing: promotions, offers, re-engagement.
    Marketing,
    /// Utility: updates on a transaction the customer made or asked for.
    Utility,
    /// Authentication: one-time codes.
    Authentication,
}

impl TemplateCategory {
    /// The category as Meta and the outputs name it.
    pub fn name(self) -> &'static str {
        match self {
            TemplateCategory::Marketing => "marketing",
            TemplateCategory::Utility => "utility",
            TemplateCategory::Authentication => "authentication",
        }
    }
}

/// What a row is, as far as billing cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A customer's message; `entry_point` when it came from a Click-to-WhatsApp ad or Page button.
    Inbound {
        /// Whether it came through an entry point (opens a free entry point window).
        entry_point: bool,
    },
    /// A template message sent by the business.
    Template(TemplateCategory),
    /// Any other business message (text, media, interactive): a service message.
    FreeForm,
    /// A business message whose log says nothing of its kind (an export without categories):
    /// the engine takes it as free-form inside a customer service window, and outside one as
    /// a template of the category the user states (`--template-category`), since only a
    /// template can be delivered there.
    Uncategorised,
}

impl Kind {
    /// Whether the business sent it (a template, free-form or uncategorised message).
    pub fn is_business(self) -> bool {
        !matches!(self, Kind::Inbound { .. })
    }
}

/// One row of the log, normalised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Message {
    /// Billing time in milliseconds since the Unix epoch (UTC): delivery time when the log has
    /// one, else send time (docs/rules.md, rule 1.5).
    pub time: i64,
    /// Interned (business number, customer) pair: windows are kept per pair.
    pub pair: u32,
    /// What the message is, as far as billing cares.
    pub kind: Kind,
    /// False for rows whose status says failed/undelivered/rejected (docs/rules.md, rule 1.1). Always true inbound.
    pub delivered: bool,
    /// The row proves delivery: a `delivered`, `read` or `played` status, or a delivery time
    /// (in webhooks, a delivered/read status). A free-form message delivered was inside a
    /// customer service window, whether or not the log shows the customer message that opened it.
    pub delivery_confirmed: bool,
}
