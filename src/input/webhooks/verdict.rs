//! What Meta says about a business message: its pricing verdict, and the counts of what the
//! reader found (`WebhookStats`).

use super::*;

// ---- What Meta says about a business message ------------------------------------------

/// `pricing.pricing_model`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetaPricingModel {
    /// Conversation-based pricing (before 2025-07-01, and the utility switch-over).
    Cbp,
    /// Per-message pricing.
    Pmp,
}

impl MetaPricingModel {
    /// As Meta writes it (`CBP`, `PMP`).
    pub fn name(self) -> &'static str {
        match self {
            MetaPricingModel::Cbp => "CBP",
            MetaPricingModel::Pmp => "PMP",
        }
    }
}

/// `pricing.type` (per-message pricing).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetaPricingType {
    /// A message charged at its rate.
    Regular,
    /// Free: a service message inside the customer service window.
    FreeCustomerService,
    /// Free: a message inside a free entry point window.
    FreeEntryPoint,
}

impl MetaPricingType {
    /// As Meta writes it (`free_customer_service`).
    pub fn name(self) -> &'static str {
        match self {
            MetaPricingType::Regular => "regular",
            MetaPricingType::FreeCustomerService => "free_customer_service",
            MetaPricingType::FreeEntryPoint => "free_entry_point",
        }
    }
}

/// `pricing.category` and `conversation.origin.type`: the categories Meta reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MetaCategory {
    /// Marketing templates.
    Marketing,
    /// Marketing messages sent through the Marketing Messages API (Meta's `marketing_lite`),
    /// billed as marketing.
    MarketingLite,
    /// Utility templates.
    Utility,
    /// Authentication templates at the market's own rate.
    Authentication,
    /// Authentication templates at the authentication-international rate.
    AuthenticationInternational,
    /// Free-form (service) messages.
    Service,
    /// A free entry-point conversation or window.
    ReferralConversion,
    /// Before June 2023.
    UserInitiated,
    /// Before June 2023: a conversation opened by a business template.
    BusinessInitiated,
}

impl MetaCategory {
    pub(super) fn parse(s: &str) -> Option<MetaCategory> {
        Some(match s {
            "marketing" => MetaCategory::Marketing,
            "marketing_lite" => MetaCategory::MarketingLite,
            "utility" => MetaCategory::Utility,
            "authentication" => MetaCategory::Authentication,
            // `pricing.category` spells it with a hyphen, `origin.type` with an underscore.
            "authentication-international" | "authentication_international" => {
                MetaCategory::AuthenticationInternational
            }
            "service" => MetaCategory::Service,
            "referral_conversion" => MetaCategory::ReferralConversion,
            "user_initiated" => MetaCategory::UserInitiated,
            "business_initiated" => MetaCategory::BusinessInitiated,
            _ => return None,
        })
    }

    /// As `pricing.category` spells it.
    pub fn name(self) -> &'static str {
        match self {
            MetaCategory::Marketing => "marketing",
            MetaCategory::MarketingLite => "marketing_lite",
            MetaCategory::Utility => "utility",
            MetaCategory::Authentication => "authentication",
            MetaCategory::AuthenticationInternational => "authentication-international",
            MetaCategory::Service => "service",
            MetaCategory::ReferralConversion => "referral_conversion",
            MetaCategory::UserInitiated => "user_initiated",
            MetaCategory::BusinessInitiated => "business_initiated",
        }
    }

    /// As `conversation.origin.type` spells it.
    pub fn origin_name(self) -> &'static str {
        match self {
            MetaCategory::AuthenticationInternational => "authentication_international",
            other => other.name(),
        }
    }

    /// The message kind this category implies, when it implies one. Per-message categories
    /// name the template's category; `service` is a free-form message. Conversation-era
    /// categories name the conversation, so a free-form message riding on a marketing
    /// conversation says `marketing` (and is read as a marketing template, which the rules
    /// treat the same way). `user_initiated` and `referral_conversion` say nothing about the
    /// message: `None`.
    pub(super) fn kind(self) -> Option<Kind> {
        Some(match self {
            MetaCategory::Marketing | MetaCategory::MarketingLite => {
                Kind::Template(TemplateCategory::Marketing)
            }
            MetaCategory::Utility => Kind::Template(TemplateCategory::Utility),
            MetaCategory::Authentication | MetaCategory::AuthenticationInternational => {
                Kind::Template(TemplateCategory::Authentication)
            }
            MetaCategory::Service => Kind::FreeForm,
            // A business-initiated conversation is opened by a template; its category did not
            // matter before June 2023.
            MetaCategory::BusinessInitiated => Kind::Template(TemplateCategory::Marketing),
            MetaCategory::UserInitiated | MetaCategory::ReferralConversion => return None,
        })
    }
}

/// The `pricing` object of a message's statuses (from `delivered`, else `read`, else `sent`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MetaPricing {
    /// `pricing.pricing_model`: per conversation or per message.
    pub model: Option<MetaPricingModel>,
    /// `pricing.type`: charged, or free and why.
    pub kind: Option<MetaPricingType>,
    /// `pricing.category`, when waprice knows the value.
    pub category: Option<MetaCategory>,
    /// `pricing.billable`: whether Meta says it charges the message.
    pub billable: Option<bool>,
}

/// The `conversation` object (conversation-based pricing, and entry-point windows later).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MetaConversation {
    /// Index into [`WebhookLog::conversation_ids`].
    pub id: u32,
    /// `origin.type`: the category of the conversation, when waprice knows the value.
    pub origin: Option<MetaCategory>,
    /// `expiration_timestamp` in ms (only `sent` statuses carry it).
    pub expiration: Option<i64>,
}

/// What happened to a business message, by its statuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// A `delivered` status (or `read`/`played`, which imply delivery).
    Delivered,
    /// Only `sent`: counted as delivered at its send time, as the CSV reader counts `sent`.
    SentOnly,
    /// `failed` and never delivered; the first error's code (131047: outside the service window).
    Failed {
        /// The first error code of its failed statuses, if any.
        code: Option<u32>,
    },
}

/// Where the category the engine uses for a business message came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CategorySource {
    /// `--sent FILE`.
    Sent,
    /// Meta's `pricing.category`.
    Meta,
    /// Meta's category named the conversation, not the message (`user_initiated`,
    /// `referral_conversion`) or there was none: free-form when the customer wrote in the
    /// 24h before, else a template (Meta delivered it, so it was one or the other).
    Inferred,
    /// A failed message without pricing: marketing for 131049 (a marketing template Meta held
    /// back), else free-form (a failed message is never billed, so it matters only for display).
    Failure,
}

/// Meta's verdict on one business message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetaVerdict {
    /// A pricing value waprice does not know (index into [`WebhookStats::unknown`]): Meta's
    /// verdict cannot be read, so the message is left out of the comparison.
    pub unknown: Option<u16>,
    /// The message id (wamid).
    pub id: Box<str>,
    /// Delivered, sent only, or failed.
    pub outcome: Outcome,
    /// The message's `pricing`, from its highest-ranked status (delivered, read, sent).
    pub pricing: Option<MetaPricing>,
    /// The message's `conversation`, its origin and expiration from whichever status has them.
    pub conversation: Option<MetaConversation>,
    /// Where the category the engine used came from.
    pub category_source: CategorySource,
    /// 1-based line of the status that gave the message its time.
    pub line: u64,
}

/// What the input held. Every entry lands in exactly one bucket: a customer message, a
/// status, a duplicate, another change, an error payload or a skipped entry
/// ([`WebhookStats::entries`]). An entry is an item of `messages[]` or `statuses[]`, a change
/// that carries none (another field, `value.errors[]`, nothing), or a payload that could not be
/// read (skipped with `--skip-invalid`).
#[derive(Debug, Clone, Default)]
pub struct WebhookStats {
    /// Non-blank lines of input.
    pub lines: u64,
    /// JSON values read: payloads, or (in a JSON array) its elements.
    pub payloads: u64,
    /// Customer messages (`messages[]`), each counted once.
    pub messages: u64,
    /// Statuses (`statuses[]`) that told something new about a business message.
    pub statuses: u64,
    /// Inbound messages or statuses seen again (Meta retries deliveries).
    pub duplicates: u64,
    /// Changes whose `field` is not `messages`, `system` notices, statuses that say nothing
    /// about billing (`deleted`, `warning`), and payloads or changes with nothing in them.
    pub other: u64,
    /// Changes that carry `value.errors[]`: Meta reporting a problem, not a message.
    pub error_payloads: u64,
    /// Entries skipped with `--skip-invalid`.
    pub skipped: u64,
    /// Business messages known only by a `sent` status, counted as delivered at their send time.
    pub sent_only: u64,
    /// Business messages whose category came from `--sent`.
    pub categories_from_sent: u64,
    /// Business messages whose category came from Meta's `pricing.category`.
    pub categories_from_meta: u64,
    /// Business messages whose kind was inferred from the customer service window.
    pub categories_inferred: u64,
    /// Failed business messages without pricing, read by their error code.
    pub categories_of_failures: u64,
    /// Failed messages without pricing, by their error code (`None`: no code).
    pub failures: BTreeMap<Option<u32>, u64>,
    /// Charge values waprice does not know, as "field 'value'", with the number of business
    /// messages Meta priced with each (a message counts once, under the first it carried).
    pub unknown: Vec<(String, u64)>,
    /// `--sent` rows whose id has no status in the webhooks.
    pub sent_without_status: u64,
    /// Business messages whose `--sent` category differs from Meta's per-message category.
    pub recategorised: u64,
}

impl WebhookStats {
    /// The sum of the buckets: every entry read.
    pub fn entries(&self) -> u64 {
        self.messages
            + self.statuses
            + self.duplicates
            + self.other
            + self.error_payloads
            + self.skipped
    }

    /// Business messages Meta priced with a value waprice does not know.
    pub fn unknown_messages(&self) -> u64 {
        self.unknown.iter().map(|(_, n)| n).sum()
    }

    /// One line accounting for every entry, for the notes under a report.
    pub fn accounting(&self) -> String {
        format!(
            "read {} line{}, {} payload{}: {} entr{} = {} customer message{} + {} status{} + {} duplicate{} (Meta retries) + {} other change{} or notice{} + {} error payload{} + {} skipped",
            self.lines,
            plural(self.lines),
            self.payloads,
            plural(self.payloads),
            self.entries(),
            if self.entries() == 1 { "y" } else { "ies" },
            self.messages,
            plural(self.messages),
            self.statuses,
            if self.statuses == 1 { "" } else { "es" },
            self.duplicates,
            plural(self.duplicates),
            self.other,
            plural(self.other),
            plural(self.other),
            self.error_payloads,
            plural(self.error_payloads),
            self.skipped,
        )
    }

    /// What the notes say about failed messages without pricing: each error code with the
    /// kind of message it was read as.
    pub fn failures_note(&self) -> Option<String> {
        if self.failures.is_empty() {
            return None;
        }
        let parts: Vec<String> = self
            .failures
            .iter()
            .map(|(code, n)| {
                let code = code.map_or("no error code".to_string(), |c| c.to_string());
                let kind = if code == "131049" {
                    "a marketing template"
                } else {
                    "free-form"
                };
                format!("{n} with {code} read as {kind}")
            })
            .collect();
        Some(format!(
            "{} failed without pricing ({})",
            self.categories_of_failures,
            parts.join(", ")
        ))
    }

    /// The pricing values waprice does not know, for the notes (`None` when there are none).
    pub fn unknown_note(&self) -> Option<String> {
        if self.unknown.is_empty() {
            return None;
        }
        let names: Vec<String> = self
            .unknown
            .iter()
            .map(|(name, n)| format!("{name} ({n} message{})", plural(*n)))
            .collect();
        Some(names.join(", "))
    }
}

pub(super) fn plural(n: u64) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// A webhook file read into a log, with Meta's verdict beside each business message.
#[derive(Debug, Default)]
pub struct WebhookLog {
    /// The messages as the engine replays them, in time order.
    pub log: Log,
    /// Same length and order as `log.messages`: `Some` for business messages.
    pub meta: Vec<Option<MetaVerdict>>,
    /// Meta's conversation ids, interned.
    pub conversation_ids: Vec<Box<str>>,
    /// Where every entry of the input went.
    pub stats: WebhookStats,
}
