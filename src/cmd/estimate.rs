//! `waprice estimate LOG`: the month-by-month bill against the Callbell budget.

use super::replay;
use crate::settings::EstimateSettings;
use anyhow::Result;
use std::io::Write;
use waprice::pricing::Quote;
use waprice::render::{self, Format};
use waprice::report::notes::{notes, tier_notes, NoteContext};
use waprice::report::{Report, Tally};

pub fn run(s: &EstimateSettings) -> Result<()> {
    let t = &s.tariffs;
    let log = replay::read(&s.log, t)?;
    let mut tally = Tally::default();
    replay::replay(&s.log, t, &log, |e, market, quote| {
        let card_date = match quote {
            Quote::Priced(r) => Some(t.cards.row(r.row).effective_from),
            _ => None,
        };
        tally.add(e, market, quote, card_date);
        Ok(())
    })?;

    let market_name = |m| t.markets.market_name(m).to_string();
    let card_source = |date: chrono::NaiveDate| {
        let mut sources: Vec<&str> = t
            .cards
            .rows()
            .iter()
            .filter(|r| r.currency == t.currency && r.effective_from == date)
            .map(|r| {
                if r.origin.starts_with("bundled") {
                    "bundled"
                } else {
                    r.origin.as_str()
                }
            })
            .collect();
        sources.sort();
        sources.dedup();
        sources.join(", ")
    };
    let cx = NoteContext {
        currency: &t.currency,
        timezone: s.log.timezone.name(),
        budget: &s.budget,
        free_service_allowance: s.log.engine.free_service_allowance,
        auth_intl: s.log.auth_intl.clone(),
        market_name: &market_name,
        card_source: &card_source,
        skipped_invalid: log.stats.skipped_invalid,
        skipped_unsupported: log.stats.skipped_unsupported,
        rows: log.stats.rows,
        inbound: log.stats.inbound,
        strict: s.log.strict,
    };
    let mut notes = notes(&tally, &cx);
    // Volume tiers go with the rate notes, before the events that are not units.
    let at = notes
        .iter()
        .position(|n| n.starts_with("not units:"))
        .unwrap_or(notes.len());
    let tiers = tier_notes(&tally, t.tiers.has_currency(&t.currency), &market_name);
    notes.splice(at..at, tiers);
    let report = Report::build(&tally, &t.currency, &s.budget, s.by, market_name, notes);
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    match s.format {
        Format::Table => render::table::estimate(&report, &mut out)?,
        Format::Csv => render::csv::estimate(&report, &mut out)?,
        Format::Json => render::json::estimate(&report, &mut out)?,
    }
    out.flush()?;
    Ok(())
}
