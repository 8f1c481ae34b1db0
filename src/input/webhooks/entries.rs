//! Reading one payload: its inbound messages and the statuses of business messages.

use super::*;

impl Reader<'_> {
    /// A bad line or entry: an error, or with `--skip-invalid` counted and skipped.
    pub(super) fn problem(&mut self, e: BadInput) -> Result<(), ReadError> {
        if !self.options.skip_invalid {
            return Err(e.into());
        }
        self.out.stats.skipped += 1;
        let stats = &mut self.out.log.stats;
        stats.rows += 1;
        stats.skipped_invalid += 1;
        stats.remember(e);
        Ok(())
    }

    /// A message dated before any supported pricing rule: an error, or with
    /// `--skip-unsupported` counted and skipped.
    pub(super) fn unsupported(&mut self, e: BadInput) -> Result<(), ReadError> {
        if !self.options.skip_unsupported {
            return Err(e.into());
        }
        let stats = &mut self.out.log.stats;
        stats.rows += 1;
        stats.skipped_unsupported += 1;
        stats.remember(e);
        Ok(())
    }

    /// Reads the whole JSON values at the start of `chunk` and forgets them; an unfinished
    /// value stays for the next lines (at `eof`, it is an error).
    pub(super) fn values(&mut self, chunk: &mut Chunk, eof: bool) -> Result<(), ReadError> {
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
    pub(super) fn unreadable(&mut self, e: &serde_json::Error, line: u64) -> Result<(), ReadError> {
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

    /// One payload: each change of each entry, in order.
    pub(super) fn payload(&mut self, payload: &Payload, line: u64) -> Result<(), ReadError> {
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
                self.change(change, top, line)?;
            }
        }
        Ok(())
    }

    /// One change of a payload: a `messages` change's inbound messages and statuses, all
    /// with its business number; any other field is counted as other.
    fn change(&mut self, change: &Change, top: Path, line: u64) -> Result<(), ReadError> {
        let file = self.file;
        if let Some(field) = &change.field {
            if !matches!(field, Scalar::Str(s) if s == "messages") {
                self.out.stats.other += 1;
                return Ok(());
            }
        }
        let Some(value) = &change.value else {
            let err = FieldError {
                field: format!("entry[{}].changes[{}].value", top.entry, top.change),
                value: String::new(),
                what: "missing".into(),
                hint: "a messages change carries messages[] or statuses[] in its value",
            };
            return self.problem(err.into_bad(file, line));
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
            return Ok(());
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
                return Ok(());
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
        Ok(())
    }

    /// The business number of a change: `metadata.display_phone_number`, else
    /// `metadata.phone_number_id`, else the log's single business.
    pub(super) fn business(&mut self, value: &Value, path: Path) -> Result<u32, FieldError> {
        let pairs = &mut self.out.log.pairs;
        let Some(meta) = &value.metadata else {
            return Ok(pairs.business(b""));
        };
        match &meta.display_phone_number {
            Some(Scalar::Str(s)) if !s.trim().is_empty() => {
                let n = number(
                    &meta.display_phone_number,
                    path,
                    "metadata.display_phone_number",
                )?;
                Ok(pairs.business(crate::phone::write_digits(n, &mut self.business_buf)))
            }
            Some(Scalar::Int(_)) => {
                let n = number(
                    &meta.display_phone_number,
                    path,
                    "metadata.display_phone_number",
                )?;
                Ok(pairs.business(crate::phone::write_digits(n, &mut self.business_buf)))
            }
            _ => match &meta.phone_number_id {
                Some(Scalar::Str(s)) => Ok(pairs.business(s.trim().as_bytes())),
                Some(Scalar::Int(n)) => Ok(pairs.business(n.to_string().as_bytes())),
                _ => Ok(pairs.business(b"")),
            },
        }
    }

    pub(super) fn pair(
        &mut self,
        customer: Customer,
        business: u32,
        path: Path,
        field: &str,
        v: &Option<Scalar>,
    ) -> Result<u32, FieldError> {
        let markets = self.markets;
        let pairs = &mut self.out.log.pairs;
        match customer {
            Customer::Number(digits) => pairs
                .intern(business, digits, |n| markets.country_of(n))
                .map_err(|e| bad(path, field, v.as_ref(), e.to_string(), e.hint())),
            Customer::User(key, country) => Ok(pairs
                .intern(business, key, |_| {
                    Ok::<_, std::convert::Infallible>(country)
                })
                .unwrap_or_else(|never| match never {})),
        }
    }

    /// The customer of a message: its phone number when the payload gives one, else its
    /// business-scoped user id, whose country comes from `contacts[].country_code` (the
    /// contact with that id, or the only one), else from the id's country prefix (`US.…`).
    pub(super) fn customer(
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
        Ok(Customer::User(self.out.log.pairs.user_id(id), country))
    }

    pub(super) fn inbound(
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

    /// One item of `statuses[]`: what it says about its business message (when it was sent,
    /// delivered, read or failed; Meta's pricing and conversation) is merged into the
    /// message's [`Pending`] entry.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn status(
        &mut self,
        s: &Status,
        path: Path,
        business: u32,
        contacts: &[Contact],
        line: u64,
        item: usize,
    ) -> Result<(), FieldError> {
        let id = text(
            &s.id,
            path,
            "id",
            "every status names its message's wamid in \"id\"",
        )?;
        let Some((status, rank)) = self.billing_status(s, path)? else {
            return Ok(());
        };
        let time = seconds(&s.timestamp, path, "timestamp")?;
        let customer = self.customer(
            (&s.recipient_id, "recipient_id"),
            (&s.recipient_user_id, "recipient_user_id"),
            contacts,
            path,
        )?;
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
            failure_code(s)
        } else {
            None
        };
        let conversation = match &s.conversation {
            None => None,
            Some(c) => Some(self.conversation(c, path, &mut unknown)?),
        };
        // Sequence: the status's place in the file, for equal times.
        let seq = (line << 16) | (item as u64 & 0xffff);
        let index = self.pending_message(id, customer, business, s, path)?;
        let news = self.pending[index].merge(StatusNews {
            status,
            at: (time, seq, line),
            failure_code,
            unknown,
            pricing: pricing.map(|pr| (pr, rank)),
            conversation,
        });
        if news {
            self.out.stats.statuses += 1;
        } else {
            self.out.stats.duplicates += 1;
        }
        Ok(())
    }

    /// The status's name and the rank its pricing has among the statuses of one message
    /// (delivered 3, read 2, sent 1, failed 0); `None` for a status that says nothing about
    /// billing (`deleted`, `warning`: counted as other).
    fn billing_status<'s>(
        &mut self,
        s: &'s Status,
        path: Path,
    ) -> Result<Option<(&'s str, u8)>, FieldError> {
        const STATUS_HINT: &str = "Meta's statuses are sent, delivered, read and failed";
        let status = text(&s.status, path, "status", STATUS_HINT)?;
        let rank = match status {
            "sent" => 1,
            "read" | "played" => 2,
            "delivered" => 3,
            "failed" => 0,
            "deleted" | "warning" => {
                // Says nothing about billing.
                self.out.stats.other += 1;
                return Ok(None);
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
        Ok(Some((status, rank)))
    }

    /// A status's `conversation` object, its id interned; an origin waprice does not know is
    /// recorded in `unknown`.
    fn conversation(
        &mut self,
        c: &Conversation,
        path: Path,
        unknown: &mut Option<u16>,
    ) -> Result<MetaConversation, FieldError> {
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
                unknown,
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
        Ok(MetaConversation {
            id: interned,
            origin,
            expiration,
        })
    }

    /// The index in `pending` of message `id`: its entry from an earlier status (which must
    /// name the same customer), else a new one, its conversation pair interned.
    fn pending_message(
        &mut self,
        id: &str,
        customer: Customer,
        business: u32,
        s: &Status,
        path: Path,
    ) -> Result<usize, FieldError> {
        if let Some(&i) = self.pending_ids.get(id) {
            if self.pending[i as usize].customer != customer.key() {
                return Err(bad(
                    path,
                    "recipient_id",
                    s.recipient_id.as_ref(),
                    format!("another status of message {id} names another recipient"),
                    "the statuses of one message id come from one conversation: check that lines were not mixed between accounts",
                ));
            }
            return Ok(i as usize);
        }
        let pair = self.pair(customer, business, path, "recipient_id", &s.recipient_id)?;
        let i = self.pending.len();
        self.pending_ids.insert(id.into(), i as u32);
        self.pending.push(Pending {
            // The map owns the id until `finish` moves it here: one allocation per message.
            id: Box::default(),
            pair,
            customer: customer.key(),
            sent: None,
            delivered: None,
            read: None,
            failed: None,
            failure_code: None,
            pricing: None,
            conversation: None,
            unknown: None,
        });
        Ok(i)
    }
}

/// The first error code of a failed status (`errors[].code`), when it is a number.
fn failure_code(s: &Status) -> Option<u32> {
    s.errors.first().and_then(|e| match &e.code {
        Some(Scalar::Int(n)) => u32::try_from(*n).ok(),
        Some(Scalar::Str(t)) => t.trim().parse().ok(),
        _ => None,
    })
}

/// What one status tells about its business message.
struct StatusNews<'s> {
    /// `sent`, `delivered`, `read`, `played` or `failed`.
    status: &'s str,
    /// (time ms, sequence, line) of the status.
    at: (i64, u64, u64),
    failure_code: Option<u32>,
    unknown: Option<u16>,
    /// Its pricing, with the rank of the status (delivered 3, read 2, sent 1).
    pricing: Option<(MetaPricing, u8)>,
    conversation: Option<MetaConversation>,
}

impl Pending {
    /// Merges one status into what is known of the message: the earliest time of each
    /// status, the first failure code and unknown value, the pricing of the highest-ranked
    /// status, the conversation's first origin and expiration. Whether it told something new
    /// about the message's times (else it is a duplicate: Meta retries deliveries).
    fn merge(&mut self, news: StatusNews<'_>) -> bool {
        let before = (self.sent, self.delivered, self.read, self.failed);
        match news.status {
            "sent" => earliest(&mut self.sent, news.at),
            "delivered" => earliest(&mut self.delivered, news.at),
            "read" | "played" => earliest(&mut self.read, news.at),
            _ => {
                earliest(&mut self.failed, news.at);
                if self.failure_code.is_none() {
                    self.failure_code = news.failure_code;
                }
            }
        }
        if self.unknown.is_none() {
            self.unknown = news.unknown;
        }
        let new = before != (self.sent, self.delivered, self.read, self.failed);
        if let Some((pr, rank)) = news.pricing {
            if self.pricing.is_none_or(|(_, r)| rank > r) {
                self.pricing = Some((pr, rank));
            }
        }
        if let Some(c) = news.conversation {
            self.conversation = Some(match self.conversation {
                Some(old) => MetaConversation {
                    origin: old.origin.or(c.origin),
                    expiration: old.expiration.or(c.expiration),
                    ..c
                },
                None => c,
            });
        }
        new
    }
}
