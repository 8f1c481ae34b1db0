//! Putting the statuses together: one business message per message id, in time order.

use super::*;

/// Every message of the input before sorting: the message, its place in the file (for equal
/// times) and, for a business message, the rest of what the webhooks said about it.
type Unsorted = Vec<(Message, u64, Option<Business>)>;

impl Reader<'_> {
    /// Turns the gathered statuses into business messages, sorts everything by time (equal
    /// times in file order) and infers the kinds Meta's categories do not give.
    pub(super) fn finish(mut self, calendar: &Calendar) -> Result<WebhookLog, ReadError> {
        let supported_from = calendar.start_of_day_ms(SUPPORTED_FROM);
        let pending = self.ids_into_place();
        let business = self.business_messages(pending, supported_from)?;
        let all = self.in_time_order(business, supported_from)?;
        self.fill_log(all);
        self.out.log.stats.input_notes = self.notes();
        Ok(self.out)
    }

    /// Moves the message ids and the conversation ids out of their maps into the pending
    /// messages and the output, where they stay.
    fn ids_into_place(&mut self) -> Vec<Pending> {
        let mut pending = std::mem::take(&mut self.pending);
        for (id, i) in self.pending_ids.drain() {
            pending[i as usize].id = id;
        }
        let mut ids: Vec<Box<str>> = vec![Box::default(); self.conversation_ids.len()];
        for (id, i) in self.conversation_ids.drain() {
            ids[i as usize] = id;
        }
        self.out.conversation_ids = ids;
        pending
    }

    /// One business message per pending message id (those dated before any supported rule
    /// are unsupported), with the counts of where their categories came from.
    fn business_messages(
        &mut self,
        pending: Vec<Pending>,
        supported_from: i64,
    ) -> Result<Vec<Business>, ReadError> {
        let mut business = Vec::with_capacity(pending.len());
        let mut sent_matched = 0u64;
        let mut unknown_counts = vec![0u64; self.unknown.names.len()];
        for p in pending {
            let (outcome, (time, seq, line)) = outcome(&p);
            if time < supported_from {
                let err = BadInput::new(format!(
                    "{}, line {line}: message {} is dated before 2022-02-01, the first date any supported pricing rule covers",
                    self.file, p.id
                ))
                .hint("remove older payloads or pass --skip-unsupported to skip and count them");
                self.unsupported(err)?;
                continue;
            }
            let pricing = p.pricing.map(|(pr, _)| pr);
            let from_sent = self.sent.and_then(|s| s.get(&p.id));
            if from_sent.is_some() {
                sent_matched += 1;
            }
            let (kind, source) = self.category(from_sent, pricing, outcome);
            if let Some(u) = p.unknown {
                unknown_counts[usize::from(u)] += 1;
            }
            if outcome == Outcome::SentOnly {
                self.out.stats.sent_only += 1;
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
        Ok(business)
    }

    /// A business message's category and where it came from: the `--sent` file, else Meta's
    /// per-message category, else (failed without pricing) its error code, else inferred
    /// later from the customer service window. Counted in the stats, with the messages whose
    /// `--sent` category differs from Meta's.
    fn category(
        &mut self,
        from_sent: Option<Kind>,
        pricing: Option<MetaPricing>,
        outcome: Outcome,
    ) -> (Kind, CategorySource) {
        let from_meta = pricing
            .and_then(|pr| pr.category)
            .and_then(MetaCategory::kind);
        if let (Some(s), Some(m), Some(MetaPricingModel::Pmp)) =
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
        (kind, source)
    }

    /// The customer messages (those dated before any supported rule are unsupported) and the
    /// business messages together, by time, equal times in file order.
    fn in_time_order(
        &mut self,
        business: Vec<Business>,
        supported_from: i64,
    ) -> Result<Unsorted, ReadError> {
        let mut all: Unsorted = Vec::new();
        for (m, line) in std::mem::take(&mut self.inbound) {
            if m.time < supported_from {
                let err = BadInput::new(format!(
                    "{}, line {line}: an inbound message is dated before 2022-02-01, the first date any supported pricing rule covers",
                    self.file
                ))
                .hint("remove older payloads or pass --skip-unsupported to skip and count them");
                self.unsupported(err)?;
                continue;
            }
            all.push((m, line << 16, None));
        }
        for b in business {
            all.push((b.message, b.seq, Some(b)));
        }
        all.sort_by_key(|(m, seq, _)| (m.time, *seq));
        Ok(all)
    }

    /// Puts the sorted messages into the log, Meta's verdicts beside them, and gives the
    /// business messages whose kind Meta's category did not give one: free-form inside the
    /// customer service window, else a template (Meta delivered it, so it was one or the
    /// other).
    fn fill_log(&mut self, all: Unsorted) {
        let mut last_inbound = vec![i64::MIN; self.out.log.pairs.pair_count()];
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
                        m.kind = inferred_kind(&m, &b.verdict, last_inbound[m.pair as usize]);
                    }
                    log.stats.business += 1;
                    self.out.meta.push(Some(b.verdict));
                }
            }
            log.stats.rows += 1;
            log.messages.push(m);
        }
    }

    /// The notes under a report: the accounting of every entry, and what the input lacked or
    /// held that waprice does not know.
    fn notes(&self) -> Vec<String> {
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
        notes
    }
}

/// What happened to a pending message, by its statuses, and the (time ms, sequence, line)
/// of the status that gives it its time: delivery (or reading), else the send time of a
/// failed message (else its failure), else its send time alone.
fn outcome(p: &Pending) -> (Outcome, (i64, u64, u64)) {
    match (p.delivered.or(p.read), p.failed, p.sent) {
        (Some(d), _, _) => (Outcome::Delivered, d),
        (None, Some(f), sent) => (
            Outcome::Failed {
                code: p.failure_code,
            },
            sent.unwrap_or(f),
        ),
        (None, None, Some(s)) => (Outcome::SentOnly, s),
        (None, None, None) => unreachable!("a pending message has at least one status"),
    }
}

/// The kind of a business message whose category Meta did not give: free-form inside the
/// customer service window (the customer's `last_inbound` less than 24h before) or when Meta
/// says the conversation was `user_initiated`, else a marketing template.
fn inferred_kind(m: &Message, verdict: &MetaVerdict, last_inbound: i64) -> Kind {
    // Meta's `user_initiated` says a service window was open when the conversation opened,
    // even if the capture lacks the customer message: delivered, it is read as free-form
    // (billed inside that window).
    let user_initiated = verdict.outcome == Outcome::Delivered
        && verdict
            .conversation
            .and_then(|c| c.origin)
            .or(verdict.pricing.and_then(|p| p.category))
            == Some(MetaCategory::UserInitiated);
    if user_initiated || (last_inbound != i64::MIN && m.time < last_inbound + MS_PER_DAY) {
        Kind::FreeForm
    } else {
        Kind::Template(TemplateCategory::Marketing)
    }
}
