//! The notes under an estimate: what priced which months, what could not be priced, what was
//! not a unit, and every assumption made, so that each number can be explained.

use super::Tally;
use crate::budget::{Budget, BudgetBasis};
use crate::calendar::Month;
use crate::era::ERA_C_FROM;
use crate::event::{Charge, Era, Presumed, UnitCategory};
use crate::tariff::market::MarketId;
use std::collections::BTreeMap;

/// What the notes need besides the tally.
pub struct NoteContext<'a> {
    /// The report's currency.
    pub currency: &'a str,
    /// The WABA time zone's name.
    pub timezone: &'a str,
    /// The budget the months were measured against.
    pub budget: &'a Budget,
    /// `--free-service-allowance`: free era D service messages per business number and month.
    pub free_service_allowance: u32,
    /// "FR since 2025-01-01" when authentication-international is on.
    pub auth_intl: Option<String>,
    /// A market's name.
    pub market_name: &'a dyn Fn(MarketId) -> String,
    /// Where the cards used were loaded from, per (date, derived).
    pub card_source: &'a dyn Fn(chrono::NaiveDate, bool) -> String,
    /// Rows skipped as invalid (`--skip-invalid`).
    pub skipped_invalid: u64,
    /// Rows skipped as dated before any supported rule (`--skip-unsupported`).
    pub skipped_unsupported: u64,
    /// Rows of another channel (SMS in a Twilio export), left out.
    pub skipped_other_channel: u64,
    /// How the log was read where it left things unsaid (national numbers, categories).
    pub reading: Vec<String>,
    /// What the input's reader says about it (beside the row accounting).
    pub input_notes: &'a [String],
    /// Rows read (blank lines aside) and how many were inbound.
    pub rows: u64,
    /// Of `rows`, customer messages.
    pub inbound: u64,
    /// `--strict-tariffs`: a substitute rate or an unpriced unit would have been an error.
    pub strict: bool,
}

/// "2024-03" or "2024-03..2024-05" for a set of months (gaps listed separately).
pub fn month_ranges<'m>(months: impl IntoIterator<Item = &'m Month>) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut run: Option<(Month, Month)> = None;
    let flush = |run: (Month, Month), out: &mut Vec<String>| {
        if run.0 == run.1 {
            out.push(run.0.to_string());
        } else {
            out.push(format!("{}..{}", run.0, run.1));
        }
    };
    for &m in months {
        run = match run {
            Some((a, b)) if b.next() == m => Some((a, m)),
            Some(r) => {
                flush(r, &mut out);
                Some((m, m))
            }
            None => Some((m, m)),
        };
    }
    if let Some(r) = run {
        flush(r, &mut out);
    }
    out.join(", ")
}

fn units(n: u64) -> String {
    if n == 1 {
        "1 unit".to_string()
    } else {
        format!("{n} units")
    }
}

fn plural(n: u64) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn sum(m: &BTreeMap<Month, u64>) -> u64 {
    m.values().sum()
}

/// The notes under an estimate of `t`: what priced which months, what could not be priced,
/// what was not a unit, and every assumption made.
pub fn notes(t: &Tally, cx: &NoteContext) -> Vec<String> {
    let mut notes = Vec::new();
    if cx.rows == 0 && cx.input_notes.is_empty() {
        // A header and nothing else: a valid log of a period without traffic, or an export that
        // went wrong; either way the user must see that the zero comes from no rows at all.
        notes.push(
            "empty log: the file has a header but no rows, so there is nothing to bill; check the export if traffic was expected"
                .to_string(),
        );
    }
    // Eras per month, grouped.
    let mut by_era: BTreeMap<Era, Vec<Month>> = BTreeMap::new();
    for (&month, eras) in &t.eras {
        for &era in eras {
            by_era.entry(era).or_default().push(month);
        }
    }
    for (era, months) in &by_era {
        notes.push(format!(
            "rules: era {} for {}",
            era.describe(),
            month_ranges(months)
        ));
    }
    // Cards per month, grouped by card date.
    let mut by_card: BTreeMap<(chrono::NaiveDate, bool), Vec<Month>> = BTreeMap::new();
    for (&month, dates) in &t.cards {
        for &d in dates {
            by_card.entry(d).or_default().push(month);
        }
    }
    for ((date, derived), months) in &by_card {
        notes.push(format!(
            "rate card: {} {}{} priced {} ({})",
            cx.currency,
            date,
            if *derived { " derived" } else { "" },
            month_ranges(months),
            (cx.card_source)(*date, *derived)
        ));
    }
    // One line per month whose cost uses derived rates: how many units, from which cells.
    let mut derived_by_month: BTreeMap<Month, (u64, BTreeMap<chrono::NaiveDate, Vec<String>>)> =
        BTreeMap::new();
    for ((market, column, date), months) in &t.derived {
        for (&month, &n) in months {
            let e = derived_by_month.entry(month).or_default();
            e.0 += n;
            e.1.entry(*date).or_default().push(format!(
                "{} {}",
                (cx.market_name)(*market),
                column.name()
            ));
        }
    }
    for (month, (n, cards)) in &derived_by_month {
        let cards: Vec<String> = cards
            .iter()
            .map(|(date, cells)| {
                format!(
                    "{} {} derived card: {}",
                    cx.currency,
                    date,
                    cells.join(", ")
                )
            })
            .collect();
        notes.push(format!(
            "derived: {} in {} priced at rates derived by a stated rule from another currency's card, not published by Meta in {} (rule and evidence: tariffs/SOURCES.md); {}",
            units(*n),
            month,
            cx.currency,
            cards.join("; ")
        ));
    }
    for ((market, column, date), months) in &t.substitutes {
        notes.push(format!(
            "substitute: {} {} in {} priced from the {} card of {} ({}): {}",
            (cx.market_name)(*market),
            column.name(),
            month_ranges(months.keys()),
            cx.currency,
            date,
            units(sum(months)),
            if months.keys().next().is_some_and(|m| *date > m.first_day()) {
                "no earlier card of that currency has this rate"
            } else {
                "a card of the other pricing model (conversation vs per-message) carried over"
            },
        ));
    }
    for (market, months) in &t.service_at_utility {
        notes.push(format!(
            "service at utility rate: {} service messages to {} in {} priced at the utility rate (no {} card from 2026-10-01 has its service rate; Meta prices service at the utility rate)",
            sum(months),
            (cx.market_name)(*market),
            month_ranges(months.keys()),
            cx.currency
        ));
    }
    for ((market, column), months) in &t.unpriced {
        notes.push(format!(
            "UNPRICED: {} billable {} unit{} to {} in {}: no {} rate at any date, so those months' cost is a lower bound; supply one with --tariff FILE",
            sum(months),
            column.name(),
            if sum(months) == 1 { "" } else { "s" },
            (cx.market_name)(*market),
            month_ranges(months.keys()),
            cx.currency
        ));
    }
    let rejected = t.count(Charge::Rejected);
    let undelivered = t.count(Charge::Undelivered);
    let covered = t.count(Charge::Covered);
    notes.push(format!(
        "not units: {rejected} free-form messages rejected outside the customer service window (Meta error 131047), \
         {undelivered} not delivered, {covered} rode on an open conversation"
    ));
    // Windows the log does not show: each kind in its own line, never silent.
    if let Some(&n) = t.presumed.get(&Presumed::Delivered) {
        notes.push(format!(
            "delivered replies: {n} free-form message{} outside every customer service window the log shows {} billed as inside one: the log says {} delivered, and Meta delivers free-form messages only inside a window (the customer message that opened it is not in the log)",
            plural(n),
            if n == 1 { "was" } else { "were" },
            if n == 1 { "it was" } else { "they were" },
        ));
    }
    if let Some(&n) = t.presumed.get(&Presumed::BeforeLog) {
        notes.push(format!(
            "window before the log: {n} free-form message{} in the log's first 24h, with no customer message of {} pair before {} and no delivery status, {} taken as inside a customer service window opened before the log began; pass --log-starts-clean if the log holds the whole history (such messages are then rejected)",
            plural(n),
            if n == 1 { "its" } else { "their" },
            if n == 1 { "it" } else { "them" },
            if n == 1 { "was" } else { "were" },
        ));
    }
    notes.extend(cx.input_notes.iter().cloned());
    // Row accounting: every row read is a customer message, a business message with a verdict, or skipped.
    let business: u64 = t.verdicts.values().map(sum).sum();
    let billed = t.count(Charge::Conversation) + t.count(Charge::Message);
    notes.push(format!(
        "rows: {} read = {} inbound + {} business messages + {} skipped; business messages = {} billed units + {} free units + {covered} covered by an open conversation + {rejected} rejected + {undelivered} undelivered",
        cx.rows,
        cx.inbound,
        business,
        cx.skipped_invalid + cx.skipped_unsupported + cx.skipped_other_channel,
        billed,
        business - billed - covered - rejected - undelivered,
    ));
    if cx.skipped_invalid > 0 || cx.skipped_unsupported > 0 {
        notes.push(format!(
            "skipped rows: {} invalid (--skip-invalid), {} before 2022-02-01 (--skip-unsupported)",
            cx.skipped_invalid, cx.skipped_unsupported
        ));
    }
    if cx.skipped_other_channel > 0 {
        notes.push(format!(
            "skipped rows: {} SMS row{} (a customer number without whatsapp:), not billed by Meta",
            cx.skipped_other_channel,
            if cx.skipped_other_channel == 1 {
                ""
            } else {
                "s"
            }
        ));
    }
    notes.extend(cx.reading.iter().cloned());
    notes.push(match &cx.budget.basis {
        BudgetBasis::Agents { agents, defaulted } => format!(
            "budget: {} {} a month for {} agents{} (Callbell includes {} per 10 agents; set --agents or --budget)",
            cx.budget.monthly,
            cx.currency,
            agents,
            if *defaulted { ", the default" } else { "" },
            crate::budget::per_ten_agents(cx.currency).unwrap_or_default(),
        ),
        BudgetBasis::Explicit => format!("budget: {} {} a month (--budget)", cx.budget.monthly, cx.currency),
    });
    notes.push("overage is invoiced at cost on the 1st of the next month; unused budget does not roll over".to_string());
    if by_era.contains_key(&Era::D) {
        notes.push(format!(
            "free service allowance: {} messages per business number per month{}",
            cx.free_service_allowance,
            if cx.free_service_allowance == 0 {
                " (assumed zero; Meta does not publish one; --free-service-allowance N)"
            } else {
                ""
            }
        ));
    }
    notes.push(match &cx.auth_intl {
        Some(s) => format!("authentication-international: on, business in {s}"),
        None => "authentication-international: off (enable with --business-country CC --auth-intl-since DATE)".to_string(),
    });
    notes.push(format!(
        "months and rule dates in time zone {}",
        cx.timezone
    ));
    if cx.strict {
        notes.push("--strict-tariffs: no substitute or unpriced rate was used".to_string());
    }
    notes
}

/// What volume tiers did (docs/rules.md, Volume tiers): per market, category and month, how many charged
/// messages each tier priced; and how many charged utility and authentication messages of
/// eras C and D paid list rates because no tier table applied to them.
pub fn tier_notes(
    t: &Tally,
    tables_loaded: bool,
    market_name: &dyn Fn(MarketId) -> String,
) -> Vec<String> {
    let tiered_categories = [
        UnitCategory::Utility,
        UnitCategory::Authentication,
        UnitCategory::AuthenticationInternational,
    ];
    let per_message = Month::of(ERA_C_FROM);
    let mut list_rate: BTreeMap<(MarketId, UnitCategory), u64> = BTreeMap::new();
    for (&(month, market, category), cell) in &t.cells {
        if month >= per_message && tiered_categories.contains(&category) {
            let tiered: u64 = t
                .tiers
                .iter()
                .filter(|(k, _)| (k.0, k.1, k.2) == (month, market, category))
                .map(|(_, v)| v.billable_total())
                .sum();
            let n = cell.billable_total() - tiered;
            if n > 0 {
                *list_rate.entry((market, category)).or_default() += n;
            }
        }
    }
    let mut notes = Vec::new();
    if !tables_loaded {
        let n: u64 = list_rate.values().sum();
        if n > 0 {
            notes.push(format!(
                "volume tiers: none loaded, so {n} charged utility and authentication message{} paid list rates (waprice bundles no tier table: no public source publishes Meta's; load Meta's volume-tier CSV with --tiers FILE)",
                if n == 1 { "" } else { "s" }
            ));
        }
        return notes;
    }
    let mut by_group: BTreeMap<(MarketId, UnitCategory, Month), Vec<String>> = BTreeMap::new();
    for (&(month, market, category, tier), v) in &t.tiers {
        by_group
            .entry((market, category, month))
            .or_default()
            .push(format!("{} in tier {tier}", v.billable_total()));
    }
    for ((market, category, month), parts) in by_group {
        notes.push(format!(
            "volume tiers: {} {} in {month}: {}",
            market_name(market),
            category.name(),
            parts.join(", ")
        ));
    }
    for ((market, category), n) in list_rate {
        notes.push(format!(
            "volume tiers: no tier table for {} {} in force, so {n} charged message{} paid the list rate",
            market_name(market),
            category.name(),
            if n == 1 { "" } else { "s" }
        ));
    }
    notes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn month_ranges_groups_consecutive_months() {
        let ms = [Month(24_290), Month(24_291), Month(24_292), Month(24_295)];
        assert_eq!(month_ranges(&ms), "2024-03..2024-05, 2024-08");
        assert_eq!(month_ranges(&[]), "");
    }
}
