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

mod entries;
mod fields;
mod finish;
mod payload;
mod sent;
mod verdict;
use fields::*;
use payload::*;
pub use sent::*;
pub use verdict::*;

use super::reader::{InputOptions, Log, ReadError};
use super::records::{Records, Row};
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
    /// Charge and the rank of the status it came from (delivered 3, read 2, sent 1).
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
/// [`crate::pairs::Pairs`]) and the country the payload gives for it.
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

#[cfg(test)]
mod tests;
