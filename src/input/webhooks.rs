//! Reads Meta's WhatsApp Cloud API webhooks into the same [`Log`] the CSV reader produces, and
//! keeps, for each business message, what Meta said about it (its pricing verdict).
//!
//! The input is the payloads exactly as Meta posts them
//! (`{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":…}]}]}`):
//! one per line (NDJSON), a JSON array of them, or JSON values one after another, compact or
//! pretty-printed.
//! Inbound `messages[]` become customer messages (a `referral` marks an entry point); the
//! `statuses[]` of one message id (sent, delivered, read, failed) become one business message,
//! billed at its delivery time. A customer known only by a business-scoped user id (Meta's
//! BSUID: `recipient_id` empty, `recipient_user_id` set) is keyed by that id, its country taken
//! from `contacts[].country_code` (else the id's country prefix). Values waprice does not know
//! in `pricing` (a new category such as `general_purpose_ai`) are counted and named, never fatal.
//! Every entry of the input lands in one bucket of [`WebhookStats`].
//!
//! Lines are parsed into borrowed structs (no String per field); only a business message's id
//! and each distinct conversation id are kept as owned strings, once each.

use super::reader::{InputOptions, Log, ReadError};
use super::split::{Records, Row};
use crate::calendar::{Calendar, MS_PER_DAY};
use crate::country::{Countries, CountryId};
use crate::era::SUPPORTED_FROM;
use crate::error::{BadInput, Location};
use crate::message::{Kind, Message, TemplateCategory};
use crate::phone;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::io::BufRead;

/// Timestamps from this instant on are rejected as out of range (2100-01-01T00:00:00Z).
const TOO_LATE_MS: i64 = 4_102_444_800_000;
const SKIPPED_EXAMPLES: usize = 5;

// ---- What Meta says about a business message ------------------------------------------

/// `pricing.pricing_model`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PricingModel {
    /// Conversation-based pricing (before 2025-07-01, and the utility switch-over).
    Cbp,
    /// Per-message pricing.
    Pmp,
}

impl PricingModel {
    pub fn name(self) -> &'static str {
        match self {
            PricingModel::Cbp => "CBP",
            PricingModel::Pmp => "PMP",
        }
    }
}

/// `pricing.type` (per-message pricing).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PricingType {
    Regular,
    FreeCustomerService,
    FreeEntryPoint,
}

impl PricingType {
    pub fn name(self) -> &'static str {
        match self {
            PricingType::Regular => "regular",
            PricingType::FreeCustomerService => "free_customer_service",
            PricingType::FreeEntryPoint => "free_entry_point",
        }
    }
}

/// `pricing.category` and `conversation.origin.type`: the categories Meta reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MetaCategory {
    Marketing,
    MarketingLite,
    Utility,
    Authentication,
    AuthenticationInternational,
    Service,
    /// A free entry-point conversation or window.
    ReferralConversion,
    /// Before June 2023.
    UserInitiated,
    BusinessInitiated,
}

impl MetaCategory {
    fn parse(s: &str) -> Option<MetaCategory> {
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
    fn kind(self) -> Option<Kind> {
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
    pub model: Option<PricingModel>,
    pub kind: Option<PricingType>,
    pub category: Option<MetaCategory>,
    pub billable: Option<bool>,
}

/// The `conversation` object (conversation-based pricing, and entry-point windows later).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MetaConversation {
    /// Index into [`WebhookLog::conversation_ids`].
    pub id: u32,
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
    Failed { code: Option<u32> },
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
    pub outcome: Outcome,
    pub pricing: Option<MetaPricing>,
    pub conversation: Option<MetaConversation>,
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
    pub sent_only: u64,
    pub categories_from_sent: u64,
    pub categories_from_meta: u64,
    pub categories_inferred: u64,
    pub categories_of_failures: u64,
    /// Failed messages without pricing, by their error code (`None`: no code).
    pub failures: BTreeMap<Option<u32>, u64>,
    /// Pricing values waprice does not know, as "field 'value'", with the number of business
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

fn plural(n: u64) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// A webhook file read into a log, with Meta's verdict beside each business message.
#[derive(Debug, Default)]
pub struct WebhookLog {
    pub log: Log,
    /// Same length and order as `log.messages`: `Some` for business messages.
    pub meta: Vec<Option<MetaVerdict>>,
    /// Meta's conversation ids, interned.
    pub conversation_ids: Vec<Box<str>>,
    pub stats: WebhookStats,
}

// ---- `--sent FILE`: the business's own categories ---------------------------------------

/// Template categories by message id, from a CSV of sent messages (`--sent FILE`).
#[derive(Debug, Clone, Default)]
pub struct SentCategories {
    by_id: HashMap<Box<str>, Kind>,
    pub rows: u64,
    pub skipped_invalid: u64,
}

impl SentCategories {
    pub fn get(&self, id: &str) -> Option<Kind> {
        self.by_id.get(id).copied()
    }
    pub fn len(&self) -> usize {
        self.by_id.len()
    }
    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }
}

const SENT_ID: [&str; 4] = ["id", "message_id", "wamid", "message id"];
const SENT_CATEGORY: [&str; 3] = ["category", "template_category", "type"];

/// A log category value as the CSV reader reads it: a template or a free-form message.
fn log_category(value: &str) -> Option<Kind> {
    let v = value.trim().to_ascii_lowercase();
    Some(match v.as_str() {
        "marketing" | "marketing_lite" => Kind::Template(TemplateCategory::Marketing),
        "utility" => Kind::Template(TemplateCategory::Utility),
        "authentication" => Kind::Template(TemplateCategory::Authentication),
        "" | "service" | "text" | "free_form" | "session" => Kind::FreeForm,
        _ => return None,
    })
}

/// Reads `--sent FILE`: a CSV with a header naming the message id (`id`, `message_id`,
/// `wamid`) and its category (`category`, `template_category`, `type`); other columns are
/// ignored. Categories are the log's (marketing, marketing_lite, utility, authentication;
/// empty, service, text, free_form, session = free-form).
pub fn read_sent(
    input: impl std::io::Read,
    name: &str,
    skip_invalid: bool,
) -> Result<SentCategories, ReadError> {
    // The log's own splitter: errors name the physical line, whatever the line endings.
    let mut reader = Records::new(input);
    let headers = reader.header().map_err(ReadError::Io)?;
    let find = |names: &[&str]| {
        headers
            .iter()
            .position(|h| names.iter().any(|n| h.trim().eq_ignore_ascii_case(n)))
    };
    let (Some(id_col), Some(cat_col)) = (find(&SENT_ID), find(&SENT_CATEGORY)) else {
        return Err(BadInput::new(format!(
            "--sent {name}: the header needs a message id column and a category column (found: {})",
            headers.join(", ")
        ))
        .hint("name them id (or message_id, wamid) and category (or template_category, type)")
        .into());
    };
    let mut sent = SentCategories::default();
    let mut row = Row::default();
    while reader.read(&mut row).map_err(ReadError::Io)? {
        if row.iter().all(|f| f.trim_ascii().is_empty()) {
            continue;
        }
        sent.rows += 1;
        let line = row.line();
        let cell = |col: usize| row.get(col).unwrap_or(b"");
        let at = |col: usize| Location {
            file: name.to_string(),
            line,
            column: headers.get(col).map_or("", String::as_str).to_string(),
            value: String::from_utf8_lossy(cell(col)).into_owned(),
        };
        let (id, category) = (
            std::str::from_utf8(cell(id_col)).map(str::trim),
            std::str::from_utf8(cell(cat_col)),
        );
        let problem = match (id, category) {
            (Err(_), _) => Some(
                BadInput::new("not UTF-8")
                    .at(at(id_col))
                    .hint("save the file as CSV UTF-8"),
            ),
            (_, Err(_)) => Some(
                BadInput::new("not UTF-8")
                    .at(at(cat_col))
                    .hint("save the file as CSV UTF-8"),
            ),
            (Ok(""), _) => Some(
                BadInput::new("empty message id")
                    .at(at(id_col))
                    .hint("each row needs the wamid Meta returned when the message was sent"),
            ),
            (Ok(id), Ok(category)) => match log_category(category) {
                None => Some(BadInput::new("unknown category").at(at(cat_col)).hint(
                    "templates are marketing, marketing_lite, utility or authentication; \
                     free-form messages are empty, service, text, free_form or session",
                )),
                Some(kind) => match sent.by_id.get(id) {
                    Some(&other) if other != kind => Some(
                        BadInput::new("this message id has another category on an earlier row")
                            .at(at(cat_col))
                            .hint("a message has one category: remove the conflicting row"),
                    ),
                    _ => {
                        sent.by_id.insert(id.into(), kind);
                        None
                    }
                },
            },
        };
        if let Some(e) = problem {
            if !skip_invalid {
                return Err(e.into());
            }
            sent.skipped_invalid += 1;
        }
    }
    Ok(sent)
}

// ---- Meta's payload, borrowed from the line ---------------------------------------------

/// A JSON leaf as Meta may send it: Meta writes timestamps and numbers as strings, and a
/// few producers re-encode them as numbers, so any scalar is accepted here and checked
/// later, where the error can name the field.
#[derive(Debug, Clone)]
enum Scalar<'a> {
    Str(Cow<'a, str>),
    Int(i64),
    Bool(bool),
    Other(&'static str),
}

impl Scalar<'_> {
    fn shown(&self) -> String {
        match self {
            Scalar::Str(s) => s.to_string(),
            Scalar::Int(n) => n.to_string(),
            Scalar::Bool(b) => b.to_string(),
            Scalar::Other(what) => what.to_string(),
        }
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Scalar<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Scalar<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string, number or boolean")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Scalar::Str(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Scalar::Str(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(Scalar::Str(Cow::Owned(v)))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                Ok(Scalar::Int(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                Ok(i64::try_from(v).map_or(Scalar::Other("a number too large"), Scalar::Int))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
                Ok(Scalar::Other("a number with a fraction"))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
                Ok(Scalar::Bool(v))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Self::Value, A::Error> {
                while m.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Scalar::Other("an object"))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<Self::Value, A::Error> {
                while s.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Scalar::Other("an array"))
            }
        }
        d.deserialize_any(V)
    }
}

#[derive(Deserialize)]
struct Payload<'a> {
    #[serde(borrow)]
    object: Option<Scalar<'a>>,
    #[serde(borrow)]
    entry: Option<Vec<Entry<'a>>>,
}

#[derive(Deserialize)]
struct Entry<'a> {
    #[serde(borrow, default)]
    changes: Vec<Change<'a>>,
}

#[derive(Deserialize)]
struct Change<'a> {
    #[serde(borrow)]
    field: Option<Scalar<'a>>,
    #[serde(borrow)]
    value: Option<Value<'a>>,
}

#[derive(Deserialize)]
struct Value<'a> {
    #[serde(borrow)]
    metadata: Option<Metadata<'a>>,
    #[serde(borrow, default)]
    messages: Vec<Inbound<'a>>,
    #[serde(borrow, default)]
    statuses: Vec<Status<'a>>,
    #[serde(borrow, default)]
    contacts: Vec<Contact<'a>>,
    /// Meta reporting a problem with the change (not with one message).
    errors: Option<IgnoredAny>,
}

/// `contacts[]`: who the customer is (with business-scoped user ids, its country).
#[derive(Deserialize)]
struct Contact<'a> {
    #[serde(borrow)]
    user_id: Option<Scalar<'a>>,
    #[serde(borrow)]
    country_code: Option<Scalar<'a>>,
}

#[derive(Deserialize)]
struct Metadata<'a> {
    #[serde(borrow)]
    display_phone_number: Option<Scalar<'a>>,
    #[serde(borrow)]
    phone_number_id: Option<Scalar<'a>>,
}

#[derive(Deserialize)]
struct Inbound<'a> {
    #[serde(borrow)]
    from: Option<Scalar<'a>>,
    /// The customer's business-scoped user id (BSUID), when `from` has no number.
    #[serde(borrow)]
    from_user_id: Option<Scalar<'a>>,
    #[serde(borrow)]
    id: Option<Scalar<'a>>,
    #[serde(borrow)]
    timestamp: Option<Scalar<'a>>,
    #[serde(borrow, rename = "type")]
    kind: Option<Scalar<'a>>,
    referral: Option<IgnoredAny>,
}

#[derive(Deserialize)]
struct Status<'a> {
    #[serde(borrow)]
    id: Option<Scalar<'a>>,
    #[serde(borrow)]
    status: Option<Scalar<'a>>,
    #[serde(borrow)]
    timestamp: Option<Scalar<'a>>,
    #[serde(borrow)]
    recipient_id: Option<Scalar<'a>>,
    /// The customer's business-scoped user id (BSUID), when `recipient_id` has no number.
    #[serde(borrow)]
    recipient_user_id: Option<Scalar<'a>>,
    #[serde(borrow, default)]
    errors: Vec<StatusError<'a>>,
    #[serde(borrow)]
    conversation: Option<Conversation<'a>>,
    #[serde(borrow)]
    pricing: Option<Pricing<'a>>,
}

#[derive(Deserialize)]
struct StatusError<'a> {
    #[serde(borrow)]
    code: Option<Scalar<'a>>,
}

#[derive(Deserialize)]
struct Conversation<'a> {
    #[serde(borrow)]
    id: Option<Scalar<'a>>,
    #[serde(borrow)]
    origin: Option<Origin<'a>>,
    #[serde(borrow)]
    expiration_timestamp: Option<Scalar<'a>>,
}

#[derive(Deserialize)]
struct Origin<'a> {
    #[serde(borrow, rename = "type")]
    kind: Option<Scalar<'a>>,
}

#[derive(Deserialize)]
struct Pricing<'a> {
    #[serde(borrow)]
    billable: Option<Scalar<'a>>,
    #[serde(borrow)]
    pricing_model: Option<Scalar<'a>>,
    #[serde(borrow, rename = "type")]
    kind: Option<Scalar<'a>>,
    #[serde(borrow)]
    category: Option<Scalar<'a>>,
}

// ---- Field errors -----------------------------------------------------------------------

/// Where a value sits inside a payload: `entry[e].changes[c].value.<list>[i].<field>`.
#[derive(Clone, Copy)]
struct Path {
    entry: usize,
    change: usize,
    list: &'static str,
    item: usize,
}

impl Path {
    fn to(self, field: &str) -> String {
        if self.list.is_empty() {
            format!(
                "entry[{}].changes[{}].value.{field}",
                self.entry, self.change
            )
        } else {
            format!(
                "entry[{}].changes[{}].value.{}[{}].{field}",
                self.entry, self.change, self.list, self.item
            )
        }
    }
}

/// A bad field: its path, the value, what is wrong and how to fix it.
struct FieldError {
    field: String,
    value: String,
    what: String,
    hint: &'static str,
}

impl FieldError {
    fn into_bad(self, file: &str, line: u64) -> BadInput {
        let mut value = self.value;
        if value.len() > 80 {
            let mut cut = 80;
            while !value.is_char_boundary(cut) {
                cut -= 1;
            }
            value.truncate(cut);
            value.push('…');
        }
        BadInput::new(format!(
            "{file}, line {line}, field '{}': {} (value '{value}')",
            self.field, self.what
        ))
        .hint(self.hint)
    }
}

fn bad(
    path: Path,
    field: &str,
    value: Option<&Scalar>,
    what: impl Into<String>,
    hint: &'static str,
) -> FieldError {
    FieldError {
        field: path.to(field),
        value: value.map_or_else(String::new, Scalar::shown),
        what: what.into(),
        hint,
    }
}

fn text<'s>(
    v: &'s Option<Scalar>,
    path: Path,
    field: &str,
    hint: &'static str,
) -> Result<&'s str, FieldError> {
    match v {
        Some(Scalar::Str(s)) if !s.trim().is_empty() => Ok(s.trim()),
        None => Err(bad(path, field, None, "missing", hint)),
        Some(Scalar::Str(_)) => Err(bad(path, field, v.as_ref(), "empty", hint)),
        Some(other) => Err(bad(path, field, Some(other), "not a string", hint)),
    }
}

const TIME_HINT: &str = "Meta sends Unix seconds as a string, like \"timestamp\": \"1719999999\"";

/// Unix seconds (a string of digits, or a number) to ms, checked for range.
fn seconds(v: &Option<Scalar>, path: Path, field: &str) -> Result<i64, FieldError> {
    let secs = match v {
        Some(Scalar::Int(n)) => Some(*n),
        Some(Scalar::Str(s)) => {
            let s = s.trim();
            if !s.is_empty() && s.len() <= 11 && s.bytes().all(|b| b.is_ascii_digit()) {
                s.parse::<i64>().ok()
            } else {
                None
            }
        }
        None => return Err(bad(path, field, None, "missing", TIME_HINT)),
        _ => None,
    };
    match secs {
        Some(s) if (0..TOO_LATE_MS / 1000).contains(&s) => Ok(s * 1000),
        Some(_) => Err(bad(
            path,
            field,
            v.as_ref(),
            "timestamp out of range",
            TIME_HINT,
        )),
        None => Err(bad(path, field, v.as_ref(), "not Unix seconds", TIME_HINT)),
    }
}

const PHONE_HINT: &str = "Meta sends numbers as digits with the country code, like \"33612345678\"";

fn number(v: &Option<Scalar>, path: Path, field: &str) -> Result<u64, FieldError> {
    let raw = match v {
        Some(Scalar::Str(s)) => s.as_bytes(),
        Some(Scalar::Int(n)) if *n > 0 => return phone_digits(&n.to_string(), v, path, field),
        None => return Err(bad(path, field, None, "missing", PHONE_HINT)),
        Some(other) => {
            return Err(bad(
                path,
                field,
                Some(other),
                "not a phone number",
                PHONE_HINT,
            ))
        }
    };
    phone::normalise(raw).map_err(|e| bad(path, field, v.as_ref(), e.to_string(), e.hint()))
}

fn phone_digits(s: &str, v: &Option<Scalar>, path: Path, field: &str) -> Result<u64, FieldError> {
    phone::normalise(s.as_bytes())
        .map_err(|e| bad(path, field, v.as_ref(), e.to_string(), e.hint()))
}

const CATEGORY_HINT: &str =
    "Meta's categories are marketing, marketing_lite, utility, authentication, \
     authentication-international, service, referral_conversion (and before June 2023 \
     user_initiated, business_initiated)";

/// Pricing values waprice does not know, interned: "field 'value'" -> index.
#[derive(Default)]
struct Unknown {
    names: Vec<String>,
}

impl Unknown {
    fn index(&mut self, field: &str, value: &str) -> u16 {
        let name = format!("{field} '{value}'");
        match self.names.iter().position(|n| *n == name) {
            Some(i) => i as u16,
            None => {
                // More than 65,535 different unknown values: count them under the last one.
                if self.names.len() < usize::from(u16::MAX) {
                    self.names.push(name);
                }
                (self.names.len() - 1) as u16
            }
        }
    }
}

/// A category, `None` when absent; a category waprice does not know is recorded in
/// `unknown` (never an error: Meta adds categories, such as `general_purpose_ai`).
fn category(
    v: &Option<Scalar>,
    path: Path,
    field: &str,
    unknown: &mut Option<u16>,
    names: &mut Unknown,
) -> Result<Option<MetaCategory>, FieldError> {
    match v {
        None => Ok(None),
        Some(Scalar::Str(s)) => match MetaCategory::parse(s.trim()) {
            Some(c) => Ok(Some(c)),
            None => {
                unknown.get_or_insert(names.index(field, s.trim()));
                Ok(None)
            }
        },
        Some(other) => Err(bad(path, field, Some(other), "not a string", CATEGORY_HINT)),
    }
}

/// The `pricing` object and, when one of its values is unknown to waprice, that value.
fn pricing(
    p: &Pricing,
    path: Path,
    names: &mut Unknown,
) -> Result<(MetaPricing, Option<u16>), FieldError> {
    let mut unknown = None;
    let model = match &p.pricing_model {
        None => None,
        Some(Scalar::Str(s)) if s.trim().eq_ignore_ascii_case("CBP") => Some(PricingModel::Cbp),
        Some(Scalar::Str(s)) if s.trim().eq_ignore_ascii_case("PMP") => Some(PricingModel::Pmp),
        Some(Scalar::Str(s)) => {
            unknown.get_or_insert(names.index("pricing.pricing_model", s.trim()));
            None
        }
        Some(other) => {
            return Err(bad(
                path,
                "pricing.pricing_model",
                Some(other),
                "not a string",
                "Meta's pricing models are CBP (conversation-based) and PMP (per message)",
            ))
        }
    };
    let kind = match &p.kind {
        None => None,
        Some(Scalar::Str(s)) => match s.trim() {
            "regular" => Some(PricingType::Regular),
            "free_customer_service" => Some(PricingType::FreeCustomerService),
            "free_entry_point" => Some(PricingType::FreeEntryPoint),
            other => {
                unknown.get_or_insert(names.index("pricing.type", other));
                None
            }
        },
        Some(other) => {
            return Err(bad(
                path,
                "pricing.type",
                Some(other),
                "not a string",
                "Meta's pricing types are regular, free_customer_service and free_entry_point",
            ))
        }
    };
    let billable = match &p.billable {
        None => None,
        Some(Scalar::Bool(b)) => Some(*b),
        Some(Scalar::Str(s)) if s.eq_ignore_ascii_case("true") => Some(true),
        Some(Scalar::Str(s)) if s.eq_ignore_ascii_case("false") => Some(false),
        Some(other) => {
            return Err(bad(
                path,
                "pricing.billable",
                Some(other),
                "not true or false",
                "Meta sends \"billable\": true or false",
            ))
        }
    };
    let category = category(&p.category, path, "pricing.category", &mut unknown, names)?;
    Ok((
        MetaPricing {
            model,
            kind,
            category,
            billable,
        },
        unknown,
    ))
}

/// A customer's country from `contacts[].country_code`: an ISO code (`US`) or a calling code
/// (`1`, `+1`).
fn contact_country(v: &Scalar, markets: &Countries) -> Option<CountryId> {
    match v {
        Scalar::Str(s) => {
            let s = s.trim();
            if s.len() == 2 && s.bytes().all(|b| b.is_ascii_alphabetic()) {
                markets.country_by_iso(s)
            } else {
                markets.country_by_calling_code(s)
            }
        }
        Scalar::Int(n) => markets.country_by_calling_code(&n.to_string()),
        _ => None,
    }
}

// ---- Reading ------------------------------------------------------------------------------

/// The statuses of one message id gathered so far.
struct Pending {
    id: Box<str>,
    pair: u32,
    customer: u64,
    /// (time ms, sequence, line) of the earliest status of each kind.
    sent: Option<(i64, u64, u64)>,
    delivered: Option<(i64, u64, u64)>,
    read: Option<(i64, u64, u64)>,
    failed: Option<(i64, u64, u64)>,
    failure_code: Option<u32>,
    /// Pricing and the rank of the status it came from (delivered 3, read 2, sent 1).
    pricing: Option<(MetaPricing, u8)>,
    conversation: Option<MetaConversation>,
    /// The first pricing value waprice does not know, from any of its statuses.
    unknown: Option<u16>,
}

fn earliest(slot: &mut Option<(i64, u64, u64)>, v: (i64, u64, u64)) {
    if slot.is_none_or(|s| v.0 < s.0) {
        *slot = Some(v);
    }
}

/// Who a message is with: a phone number, or a business-scoped user id (its key in
/// [`crate::parties::Parties`]) and the country the payload gives for it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Customer {
    Number(u64),
    User(u64, CountryId),
}

impl Customer {
    fn key(self) -> u64 {
        match self {
            Customer::Number(n) | Customer::User(n, _) => n,
        }
    }
}

/// The business message a message id becomes, before sorting.
struct Business {
    message: Message,
    seq: u64,
    verdict: MetaVerdict,
    /// The kind must be inferred from the customer service window after sorting.
    infer: bool,
}

struct Reader<'o> {
    file: &'o str,
    options: &'o InputOptions,
    sent: Option<&'o SentCategories>,
    markets: &'o Countries,
    out: WebhookLog,
    inbound: Vec<(Message, u64)>,
    seen_inbound: HashSet<Box<str>>,
    pending: Vec<Pending>,
    pending_ids: HashMap<Box<str>, u32>,
    conversation_ids: HashMap<Box<str>, u32>,
    business_buf: [u8; 20],
    unknown: Unknown,
}

/// Reads a webhook file: payloads one per line (NDJSON), a JSON array of payloads, or JSON
/// values one after another, compact or pretty-printed. With `sent`, a business message's
/// category comes from it (matched by message id) and Meta's `pricing.category` only where it
/// has no row.
pub fn read_webhooks(
    mut input: impl BufRead,
    options: &InputOptions,
    sent: Option<&SentCategories>,
    calendar: &Calendar,
    markets: &Countries,
) -> Result<WebhookLog, ReadError> {
    let mut r = Reader {
        file: options.name.as_str(),
        options,
        sent,
        markets,
        out: WebhookLog::default(),
        inbound: Vec::new(),
        seen_inbound: HashSet::new(),
        pending: Vec::new(),
        pending_ids: HashMap::new(),
        conversation_ids: HashMap::new(),
        business_buf: [0; 20],
        unknown: Unknown::default(),
    };
    // Lines are gathered until they close a JSON value: one line in NDJSON, several in a
    // pretty-printed payload or array.
    let mut chunk = Chunk::default();
    let mut bytes = Vec::new();
    let mut number = 0u64;
    loop {
        bytes.clear();
        if input.read_until(b'\n', &mut bytes).map_err(ReadError::Io)? == 0 {
            break;
        }
        number += 1;
        let Ok(line) = std::str::from_utf8(&bytes) else {
            r.out.stats.lines += 1;
            r.out.stats.payloads += 1;
            let shown = String::from_utf8_lossy(&bytes);
            let shown: String = shown.trim().chars().take(80).collect();
            r.problem(
                BadInput::new(format!(
                    "{}, line {number}: not UTF-8 (value '{shown}')",
                    r.file
                ))
                .hint("Meta posts webhooks as UTF-8 JSON: save the capture as UTF-8"),
            )?;
            continue;
        };
        if line.trim().is_empty() {
            if !chunk.text.is_empty() {
                chunk.text.push_str(line);
            }
            continue;
        }
        r.out.stats.lines += 1;
        if chunk.text.trim_start().starts_with('{') && !chunk.closed() && starts_a_payload(line) {
            // An unfinished payload, then a line that is a whole payload of its own: the
            // first was cut short (a truncated NDJSON line). Report it and go on from this
            // line. (Inside an array, a whole payload per line is the array's element.)
            r.values(&mut chunk, true)?;
        }
        if chunk.text.is_empty() {
            chunk.line = number;
        }
        chunk.push(line);
        if chunk.closed() {
            r.values(&mut chunk, false)?;
        }
    }
    if !chunk.text.is_empty() {
        r.values(&mut chunk, true)?;
    }
    r.finish(calendar)
}

/// Lines gathered until they close a JSON value, and the nesting depth at their end.
#[derive(Default)]
struct Chunk {
    text: String,
    /// 1-based line of the first byte of `text`.
    line: u64,
    depth: u32,
    in_string: bool,
    escaped: bool,
}

impl Chunk {
    fn push(&mut self, line: &str) {
        for &b in line.as_bytes() {
            if self.in_string {
                if self.escaped {
                    self.escaped = false;
                } else if b == b'\\' {
                    self.escaped = true;
                } else if b == b'"' {
                    self.in_string = false;
                }
                continue;
            }
            match b {
                b'"' => self.in_string = true,
                b'{' | b'[' => self.depth += 1,
                b'}' | b']' => self.depth = self.depth.saturating_sub(1),
                _ => {}
            }
        }
        self.text.push_str(line);
    }

    /// Forgets the first `n` bytes, whole values: the depth of what is left is unchanged.
    fn consume(&mut self, n: usize) {
        self.line += newlines(&self.text[..n]);
        self.text.drain(..n);
        if self.text.trim().is_empty() {
            *self = Chunk {
                line: self.line,
                ..Chunk::default()
            };
        }
    }

    /// Forgets the first `n` bytes, not whole values: what is left is scanned again.
    fn cut(&mut self, n: usize) {
        let line = self.line + newlines(&self.text[..n]);
        let rest = self.text.split_off(n);
        *self = Chunk {
            line,
            ..Chunk::default()
        };
        if !rest.trim().is_empty() {
            self.push(&rest);
        }
    }

    /// Whether the text so far may be whole values (every bracket closed, no string open).
    fn closed(&self) -> bool {
        self.depth == 0 && !self.in_string
    }
}

fn newlines(s: &str) -> u64 {
    s.bytes().filter(|&b| b == b'\n').count() as u64
}

/// A line that is, by itself, a whole webhook payload (an object naming `object` or `entry`).
fn starts_a_payload(line: &str) -> bool {
    let t = line.trim();
    t.starts_with('{')
        && matches!(
            serde_json::from_str::<Payload>(t),
            Ok(p) if p.object.is_some() || p.entry.is_some()
        )
}

/// A JSON parse error as the user reads it, without serde's own position.
fn json_error(e: &serde_json::Error) -> String {
    let msg = e.to_string();
    msg.rfind(" at line ")
        .map_or(msg.as_str(), |i| &msg[..i])
        .to_string()
}

const PAYLOAD_HINT: &str = "give Meta's payloads as it posts them, one per line (NDJSON), as a JSON array, or one after another: \
     {\"object\":\"whatsapp_business_account\",\"entry\":[{\"changes\":[{\"field\":\"messages\",\"value\":{…}}]}]}";

impl Reader<'_> {
    /// A bad line or entry: an error, or with `--skip-invalid` counted and skipped.
    fn problem(&mut self, e: BadInput) -> Result<(), ReadError> {
        if !self.options.skip_invalid {
            return Err(e.into());
        }
        self.out.stats.skipped += 1;
        let stats = &mut self.out.log.stats;
        stats.rows += 1;
        stats.skipped_invalid += 1;
        if stats.skipped_examples.len() < SKIPPED_EXAMPLES {
            stats.skipped_examples.push(e);
        }
        Ok(())
    }

    /// Reads the whole JSON values at the start of `chunk` and forgets them; an unfinished
    /// value stays for the next lines (at `eof`, it is an error).
    fn values(&mut self, chunk: &mut Chunk, eof: bool) -> Result<(), ReadError> {
        loop {
            let text = chunk.text.as_str();
            let start = text.len() - text.trim_start().len();
            if start == text.len() {
                chunk.consume(text.len());
                return Ok(());
            }
            let line = chunk.line + newlines(&text[..start]);
            let rest = &text[start..];
            let read = if rest.starts_with('[') {
                let mut values =
                    serde_json::Deserializer::from_str(rest).into_iter::<Vec<&RawValue>>();
                match values.next() {
                    Some(Ok(array)) => {
                        for v in array {
                            let at = v.get().as_ptr() as usize - rest.as_ptr() as usize;
                            let line = line + newlines(&rest[..at]);
                            self.out.stats.payloads += 1;
                            match serde_json::from_str::<Payload>(v.get()) {
                                Ok(p) => self.payload(&p, line)?,
                                Err(e) => self.unreadable(&e, line)?,
                            }
                        }
                        Ok(values.byte_offset())
                    }
                    Some(Err(e)) => Err(e),
                    None => Ok(rest.len()),
                }
            } else {
                let mut values = serde_json::Deserializer::from_str(rest).into_iter::<Payload>();
                match values.next() {
                    Some(Ok(p)) => {
                        self.out.stats.payloads += 1;
                        self.payload(&p, line)?;
                        Ok(values.byte_offset())
                    }
                    Some(Err(e)) => Err(e),
                    None => Ok(rest.len()),
                }
            };
            match read {
                // Whole values leave the nesting depth of what follows as it was.
                Ok(end) => chunk.consume(start + end),
                Err(e) if e.is_eof() && !eof => return Ok(()),
                Err(e) => {
                    // A bad value, reported at the line where it starts. Reading goes on at
                    // the next line that starts with `{` or `[` (a payload of its own).
                    self.out.stats.payloads += 1;
                    self.unreadable(&e, line)?;
                    let mut cut = text.len();
                    let mut pos = start + rest.find('\n').map_or(rest.len(), |i| i + 1);
                    while pos < text.len() {
                        let l = &text[pos..];
                        if l.starts_with('{') || l.starts_with('[') {
                            cut = pos;
                            break;
                        }
                        pos += l.find('\n').map_or(l.len(), |i| i + 1);
                    }
                    chunk.cut(cut);
                }
            }
        }
    }

    /// A value that is not JSON, or not a payload in Meta's shape.
    fn unreadable(&mut self, e: &serde_json::Error, line: u64) -> Result<(), ReadError> {
        let file = self.file;
        let (line, column) = if e.is_eof() {
            // Cut short: the value's first line says which one.
            (line, e.column())
        } else if e.column() == 0 && e.line() > 1 {
            // At a line break (inside a string that never closed): the line it ends.
            (line + e.line() as u64 - 2, 0)
        } else {
            // The error's own line, counted from the value's first.
            (line + e.line() as u64 - 1, e.column())
        };
        self.problem(
            BadInput::new(format!(
                "{file}, line {line}: not a webhook payload in Meta's shape (character {column}): {}",
                json_error(e)
            ))
            .hint(PAYLOAD_HINT),
        )
    }

    fn payload(&mut self, payload: &Payload, line: u64) -> Result<(), ReadError> {
        let file = self.file;
        if let Some(object) = &payload.object {
            if !matches!(object, Scalar::Str(s) if s == "whatsapp_business_account") {
                return self.problem(BadInput::new(format!(
                    "{file}, line {line}, field 'object': not a WhatsApp Business Account webhook (value '{}')",
                    crate::error::cut(&object.shown())
                ))
                .hint("waprice reads the webhooks Meta posts for the messages field of a WhatsApp Business Account"));
            }
        }
        let Some(entries) = &payload.entry else {
            return self.problem(
                BadInput::new(format!("{file}, line {line}, field 'entry': missing"))
                    .hint("a webhook payload carries its changes in entry[].changes[]"),
            );
        };
        if entries.iter().all(|e| e.changes.is_empty()) {
            // A payload with nothing in it.
            self.out.stats.other += 1;
            return Ok(());
        }
        for (e, entry) in entries.iter().enumerate() {
            for (c, change) in entry.changes.iter().enumerate() {
                let top = Path {
                    entry: e,
                    change: c,
                    list: "",
                    item: 0,
                };
                if let Some(field) = &change.field {
                    if !matches!(field, Scalar::Str(s) if s == "messages") {
                        self.out.stats.other += 1;
                        continue;
                    }
                }
                let Some(value) = &change.value else {
                    let err = FieldError {
                        field: format!("entry[{e}].changes[{c}].value"),
                        value: String::new(),
                        what: "missing".into(),
                        hint: "a messages change carries messages[] or statuses[] in its value",
                    };
                    self.problem(err.into_bad(file, line))?;
                    continue;
                };
                if value.errors.is_some() {
                    // Meta reporting a problem with the change: one entry of its own.
                    self.out.stats.error_payloads += 1;
                }
                let items = value.messages.len() + value.statuses.len();
                if items == 0 {
                    if value.errors.is_none() {
                        self.out.stats.other += 1;
                    }
                    continue;
                }
                let business = match self.business(value, top) {
                    Ok(b) => b,
                    Err(err) => {
                        // Every message of this change needs the business number: all skipped.
                        self.problem(err.into_bad(file, line))?;
                        let more = items as u64 - 1;
                        self.out.stats.skipped += more;
                        self.out.log.stats.rows += more;
                        self.out.log.stats.skipped_invalid += more;
                        continue;
                    }
                };
                for (i, m) in value.messages.iter().enumerate() {
                    let path = Path {
                        list: "messages",
                        item: i,
                        ..top
                    };
                    if let Err(err) = self.inbound(m, path, business, &value.contacts, line) {
                        self.problem(err.into_bad(file, line))?;
                    }
                }
                for (i, s) in value.statuses.iter().enumerate() {
                    let path = Path {
                        list: "statuses",
                        item: i,
                        ..top
                    };
                    if let Err(err) = self.status(s, path, business, &value.contacts, line, i) {
                        self.problem(err.into_bad(file, line))?;
                    }
                }
            }
        }
        Ok(())
    }

    /// The business number of a change: `metadata.display_phone_number`, else
    /// `metadata.phone_number_id`, else the log's single business.
    fn business(&mut self, value: &Value, path: Path) -> Result<u32, FieldError> {
        let parties = &mut self.out.log.parties;
        let Some(meta) = &value.metadata else {
            return Ok(parties.business(b""));
        };
        match &meta.display_phone_number {
            Some(Scalar::Str(s)) if !s.trim().is_empty() => {
                let n = number(
                    &meta.display_phone_number,
                    path,
                    "metadata.display_phone_number",
                )?;
                Ok(parties.business(write_digits(n, &mut self.business_buf)))
            }
            Some(Scalar::Int(_)) => {
                let n = number(
                    &meta.display_phone_number,
                    path,
                    "metadata.display_phone_number",
                )?;
                Ok(parties.business(write_digits(n, &mut self.business_buf)))
            }
            _ => match &meta.phone_number_id {
                Some(Scalar::Str(s)) => Ok(parties.business(s.trim().as_bytes())),
                Some(Scalar::Int(n)) => Ok(parties.business(n.to_string().as_bytes())),
                _ => Ok(parties.business(b"")),
            },
        }
    }

    fn pair(
        &mut self,
        customer: Customer,
        business: u32,
        path: Path,
        field: &str,
        v: &Option<Scalar>,
    ) -> Result<u32, FieldError> {
        let markets = self.markets;
        let parties = &mut self.out.log.parties;
        match customer {
            Customer::Number(digits) => parties
                .intern(business, digits, |n| markets.country_of(n))
                .map_err(|e| bad(path, field, v.as_ref(), e.to_string(), e.hint())),
            Customer::User(key, country) => Ok(parties
                .intern(business, key, |_| {
                    Ok::<_, std::convert::Infallible>(country)
                })
                .unwrap_or_else(|never| match never {})),
        }
    }

    /// The customer of a message: its phone number when the payload gives one, else its
    /// business-scoped user id, whose country comes from `contacts[].country_code` (the
    /// contact with that id, or the only one), else from the id's country prefix (`US.…`).
    fn customer(
        &mut self,
        (number_v, number_field): (&Option<Scalar>, &str),
        (user_v, user_field): (&Option<Scalar>, &str),
        contacts: &[Contact],
        path: Path,
    ) -> Result<Customer, FieldError> {
        let has_number = match number_v {
            Some(Scalar::Str(s)) => !s.trim().is_empty(),
            Some(Scalar::Int(_)) => true,
            Some(_) => true, // not a number: `number` says why
            None => false,
        };
        let user = match user_v {
            Some(Scalar::Str(s)) if !s.trim().is_empty() => Some(s.trim()),
            _ => None,
        };
        let Some(id) = user.filter(|_| !has_number) else {
            return number(number_v, path, number_field).map(Customer::Number);
        };
        let contact = contacts
            .iter()
            .find(|c| matches!(&c.user_id, Some(Scalar::Str(u)) if u.trim() == id))
            .or(if contacts.len() == 1 {
                contacts.first()
            } else {
                None
            });
        let country = match contact.and_then(|c| c.country_code.as_ref()) {
            Some(code) => Some(contact_country(code, self.markets).ok_or_else(|| {
                bad(
                    path,
                    "contacts[].country_code",
                    Some(code),
                    "unknown country code",
                    "Meta gives the customer's country as an ISO code (US) or a calling code (1)",
                )
            })?),
            None => id
                .split_once('.')
                .filter(|(cc, _)| cc.len() == 2)
                .and_then(|(cc, _)| self.markets.country_by_iso(cc)),
        };
        let Some(country) = country else {
            return Err(bad(
                path,
                user_field,
                user_v.as_ref(),
                "cannot tell the customer's country: no phone number, no contacts[].country_code, no country prefix in the user id",
                "a business-scoped user id needs the customer's country to price the message: keep the contacts[] of the payload",
            ));
        };
        Ok(Customer::User(self.out.log.parties.user_id(id), country))
    }

    fn inbound(
        &mut self,
        m: &Inbound,
        path: Path,
        business: u32,
        contacts: &[Contact],
        line: u64,
    ) -> Result<(), FieldError> {
        const ID_HINT: &str = "every inbound message has its wamid in \"id\"";
        let id = text(&m.id, path, "id", ID_HINT)?;
        if matches!(&m.kind, Some(Scalar::Str(k)) if k == "system") {
            // A notice from WhatsApp (the customer changed number), not the customer writing.
            self.out.stats.other += 1;
            return Ok(());
        }
        let time = seconds(&m.timestamp, path, "timestamp")?;
        let customer = self.customer(
            (&m.from, "from"),
            (&m.from_user_id, "from_user_id"),
            contacts,
            path,
        )?;
        if self.seen_inbound.contains(id) {
            self.out.stats.duplicates += 1;
            return Ok(());
        }
        let pair = self.pair(customer, business, path, "from", &m.from)?;
        self.out.stats.messages += 1;
        self.seen_inbound.insert(id.into());
        self.inbound.push((
            Message {
                time,
                pair,
                kind: Kind::Inbound {
                    entry_point: m.referral.is_some(),
                },
                delivered: true,
                delivery_confirmed: false,
            },
            line,
        ));
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn status(
        &mut self,
        s: &Status,
        path: Path,
        business: u32,
        contacts: &[Contact],
        line: u64,
        item: usize,
    ) -> Result<(), FieldError> {
        const STATUS_HINT: &str = "Meta's statuses are sent, delivered, read and failed";
        let id = text(
            &s.id,
            path,
            "id",
            "every status names its message's wamid in \"id\"",
        )?;
        let status = text(&s.status, path, "status", STATUS_HINT)?;
        let rank = match status {
            "sent" => 1,
            "read" | "played" => 2,
            "delivered" => 3,
            "failed" => 0,
            "deleted" | "warning" => {
                // Says nothing about billing.
                self.out.stats.other += 1;
                return Ok(());
            }
            _ => {
                return Err(bad(
                    path,
                    "status",
                    s.status.as_ref(),
                    "unknown status",
                    STATUS_HINT,
                ))
            }
        };
        let time = seconds(&s.timestamp, path, "timestamp")?;
        let customer = self.customer(
            (&s.recipient_id, "recipient_id"),
            (&s.recipient_user_id, "recipient_user_id"),
            contacts,
            path,
        )?;
        let digits = customer.key();
        let mut unknown = None;
        let pricing = match &s.pricing {
            Some(p) => {
                let (pricing, u) = pricing(p, path, &mut self.unknown)?;
                unknown = unknown.or(u);
                Some(pricing)
            }
            None => None,
        };
        let failure_code = if status == "failed" {
            s.errors.first().and_then(|e| match &e.code {
                Some(Scalar::Int(n)) => u32::try_from(*n).ok(),
                Some(Scalar::Str(t)) => t.trim().parse().ok(),
                _ => None,
            })
        } else {
            None
        };
        let conversation = match &s.conversation {
            None => None,
            Some(c) => {
                let cid = text(
                    &c.id,
                    path,
                    "conversation.id",
                    "a conversation object names its id",
                )?;
                let origin = match &c.origin {
                    Some(o) => category(
                        &o.kind,
                        path,
                        "conversation.origin.type",
                        &mut unknown,
                        &mut self.unknown,
                    )?,
                    None => None,
                };
                let expiration = match &c.expiration_timestamp {
                    None => None,
                    v => Some(seconds(v, path, "conversation.expiration_timestamp")?),
                };
                let next = self.conversation_ids.len() as u32;
                let interned = match self.conversation_ids.get(cid) {
                    Some(&i) => i,
                    None => {
                        // The map owns the id; `finish` moves it into the output.
                        self.conversation_ids.insert(cid.into(), next);
                        next
                    }
                };
                Some(MetaConversation {
                    id: interned,
                    origin,
                    expiration,
                })
            }
        };
        // Sequence: the status's place in the file, for equal times.
        let seq = (line << 16) | (item as u64 & 0xffff);
        let index = match self.pending_ids.get(id) {
            Some(&i) => {
                let p = &self.pending[i as usize];
                if p.customer != digits {
                    return Err(bad(
                        path,
                        "recipient_id",
                        s.recipient_id.as_ref(),
                        format!("another status of message {id} names another recipient"),
                        "the statuses of one message id come from one conversation: check that lines were not mixed between accounts",
                    ));
                }
                i as usize
            }
            None => {
                let pair = self.pair(customer, business, path, "recipient_id", &s.recipient_id)?;
                let i = self.pending.len();
                self.pending_ids.insert(id.into(), i as u32);
                self.pending.push(Pending {
                    // The map owns the id until `finish` moves it here: one allocation per message.
                    id: Box::default(),
                    pair,
                    customer: digits,
                    sent: None,
                    delivered: None,
                    read: None,
                    failed: None,
                    failure_code: None,
                    pricing: None,
                    conversation: None,
                    unknown: None,
                });
                i
            }
        };
        let p = &mut self.pending[index];
        let at = (time, seq, line);
        let before = (p.sent, p.delivered, p.read, p.failed);
        match status {
            "sent" => earliest(&mut p.sent, at),
            "delivered" => earliest(&mut p.delivered, at),
            "read" | "played" => earliest(&mut p.read, at),
            _ => {
                earliest(&mut p.failed, at);
                if p.failure_code.is_none() {
                    p.failure_code = failure_code;
                }
            }
        }
        if p.unknown.is_none() {
            p.unknown = unknown;
        }
        if before == (p.sent, p.delivered, p.read, p.failed) {
            self.out.stats.duplicates += 1;
        } else {
            self.out.stats.statuses += 1;
        }
        if let Some(pr) = pricing {
            if p.pricing.is_none_or(|(_, r)| rank > r) {
                p.pricing = Some((pr, rank));
            }
        }
        if let Some(c) = conversation {
            p.conversation = Some(match p.conversation {
                Some(old) => MetaConversation {
                    origin: old.origin.or(c.origin),
                    expiration: old.expiration.or(c.expiration),
                    ..c
                },
                None => c,
            });
        }
        Ok(())
    }

    /// Turns the gathered statuses into business messages, sorts everything by time (equal
    /// times in file order) and infers the kinds Meta's categories do not give.
    fn finish(mut self, calendar: &Calendar) -> Result<WebhookLog, ReadError> {
        let supported_from = calendar.start_of_day_ms(SUPPORTED_FROM);
        let file = self.file;
        let mut business = Vec::with_capacity(self.pending.len());
        let mut pending = std::mem::take(&mut self.pending);
        for (id, i) in self.pending_ids.drain() {
            pending[i as usize].id = id;
        }
        let mut ids: Vec<Box<str>> = vec![Box::default(); self.conversation_ids.len()];
        for (id, i) in self.conversation_ids.drain() {
            ids[i as usize] = id;
        }
        self.out.conversation_ids = ids;
        let mut sent_matched = 0u64;
        let mut unknown_counts = vec![0u64; self.unknown.names.len()];
        for p in pending {
            let (outcome, at) = match (p.delivered.or(p.read), p.failed, p.sent) {
                (Some(d), _, _) => (Outcome::Delivered, d),
                (None, Some(f), sent) => (
                    Outcome::Failed {
                        code: p.failure_code,
                    },
                    sent.unwrap_or(f),
                ),
                (None, None, Some(s)) => (Outcome::SentOnly, s),
                (None, None, None) => unreachable!("a pending message has at least one status"),
            };
            let (time, seq, line) = at;
            if time < supported_from {
                let err = BadInput::new(format!(
                    "{file}, line {line}: message {} is dated before 2022-02-01, the first date any supported pricing rule covers",
                    p.id
                ))
                .hint("remove older payloads or pass --skip-unsupported to skip and count them");
                if !self.options.skip_unsupported {
                    return Err(err.into());
                }
                let stats = &mut self.out.log.stats;
                stats.rows += 1;
                stats.skipped_unsupported += 1;
                if stats.skipped_examples.len() < SKIPPED_EXAMPLES {
                    stats.skipped_examples.push(err);
                }
                continue;
            }
            let pricing = p.pricing.map(|(pr, _)| pr);
            let from_sent = self.sent.and_then(|s| s.get(&p.id));
            if from_sent.is_some() {
                sent_matched += 1;
            }
            let from_meta = pricing
                .and_then(|pr| pr.category)
                .and_then(MetaCategory::kind);
            if let (Some(s), Some(m), Some(PricingModel::Pmp)) =
                (from_sent, from_meta, pricing.and_then(|pr| pr.model))
            {
                if s != m {
                    self.out.stats.recategorised += 1;
                }
            }
            let (kind, source) = match (from_sent, from_meta, outcome) {
                (Some(k), _, _) => (k, CategorySource::Sent),
                (None, Some(k), _) => (k, CategorySource::Meta),
                (None, None, Outcome::Failed { code }) if pricing.is_none() => (
                    if code == Some(131_049) {
                        Kind::Template(TemplateCategory::Marketing)
                    } else {
                        Kind::FreeForm
                    },
                    CategorySource::Failure,
                ),
                (None, None, _) => (Kind::FreeForm, CategorySource::Inferred),
            };
            let stats = &mut self.out.stats;
            match source {
                CategorySource::Sent => stats.categories_from_sent += 1,
                CategorySource::Meta => stats.categories_from_meta += 1,
                CategorySource::Inferred => stats.categories_inferred += 1,
                CategorySource::Failure => {
                    stats.categories_of_failures += 1;
                    if let Outcome::Failed { code } = outcome {
                        *stats.failures.entry(code).or_default() += 1;
                    }
                }
            }
            if let Some(u) = p.unknown {
                unknown_counts[usize::from(u)] += 1;
            }
            if outcome == Outcome::SentOnly {
                stats.sent_only += 1;
            }
            business.push(Business {
                message: Message {
                    time,
                    pair: p.pair,
                    kind,
                    delivered: !matches!(outcome, Outcome::Failed { .. }),
                    // Meta's delivered or read status proves the service window was open.
                    delivery_confirmed: outcome == Outcome::Delivered,
                },
                seq,
                infer: source == CategorySource::Inferred,
                verdict: MetaVerdict {
                    unknown: p.unknown,
                    id: p.id,
                    outcome,
                    pricing,
                    conversation: p.conversation,
                    category_source: source,
                    line,
                },
            });
        }
        if let Some(sent) = self.sent {
            self.out.stats.sent_without_status = (sent.len() as u64).saturating_sub(sent_matched);
        }
        self.out.stats.unknown = std::mem::take(&mut self.unknown.names)
            .into_iter()
            .zip(unknown_counts)
            .collect();

        let mut all: Vec<(Message, u64, Option<Business>)> = Vec::new();
        for (m, line) in std::mem::take(&mut self.inbound) {
            if m.time < supported_from {
                let err = BadInput::new(format!(
                    "{file}, line {line}: an inbound message is dated before 2022-02-01, the first date any supported pricing rule covers"
                ))
                .hint("remove older payloads or pass --skip-unsupported to skip and count them");
                if !self.options.skip_unsupported {
                    return Err(err.into());
                }
                let stats = &mut self.out.log.stats;
                stats.rows += 1;
                stats.skipped_unsupported += 1;
                if stats.skipped_examples.len() < SKIPPED_EXAMPLES {
                    stats.skipped_examples.push(err);
                }
                continue;
            }
            all.push((m, line << 16, None));
        }
        for b in business {
            all.push((b.message, b.seq, Some(b)));
        }
        all.sort_by_key(|(m, seq, _)| (m.time, *seq));

        // Kinds Meta's category did not give: free-form inside the customer service window,
        // else a template (Meta delivered it, so it was one or the other).
        let mut last_inbound = vec![i64::MIN; self.out.log.parties.pair_count()];
        let log = &mut self.out.log;
        log.messages.reserve(all.len());
        self.out.meta.reserve(all.len());
        for (mut m, _, b) in all {
            match b {
                None => {
                    last_inbound[m.pair as usize] = m.time;
                    log.stats.inbound += 1;
                    self.out.meta.push(None);
                }
                Some(b) => {
                    if b.infer {
                        let last = last_inbound[m.pair as usize];
                        // Meta's `user_initiated` says a service window was open when the
                        // conversation opened, even if the capture lacks the customer message:
                        // delivered, it is read as free-form (billed inside that window).
                        let user_initiated = b.verdict.outcome == Outcome::Delivered
                            && b.verdict
                                .conversation
                                .and_then(|c| c.origin)
                                .or(b.verdict.pricing.and_then(|p| p.category))
                                == Some(MetaCategory::UserInitiated);
                        m.kind =
                            if user_initiated || (last != i64::MIN && m.time < last + MS_PER_DAY) {
                                Kind::FreeForm
                            } else {
                                Kind::Template(TemplateCategory::Marketing)
                            };
                    }
                    log.stats.business += 1;
                    self.out.meta.push(Some(b.verdict));
                }
            }
            log.stats.rows += 1;
            log.messages.push(m);
        }
        let st = &self.out.stats;
        let mut notes = vec![format!("webhooks: {}", st.accounting())];
        if st.messages == 0 && st.statuses == 0 {
            notes.push(
                "webhooks: no customer message and no status of a business message in the input, so there is nothing to bill; check that the capture holds the messages field".into(),
            );
        }
        if let Some(values) = st.unknown_note() {
            notes.push(format!(
                "webhooks: Meta priced {} business message{} with values waprice does not know ({values}); waprice bills them by its own rules, as free-form inside the customer service window, else as a template",
                st.unknown_messages(),
                plural(st.unknown_messages())
            ));
        }
        self.out.log.stats.input_notes = notes;
        Ok(self.out)
    }
}

/// `+` and the decimal digits of `n`, written into `buf` without allocating.
fn write_digits(mut n: u64, buf: &mut [u8; 20]) -> &[u8] {
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    i -= 1;
    buf[i] = b'+';
    &buf[i..]
}

#[cfg(test)]
mod tests;
