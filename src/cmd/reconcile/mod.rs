//! `waprice reconcile --webhooks FILE`: replays Meta's webhooks through the engine and says,
//! month by month, on how many messages and billed units waprice and Meta agree, and what the
//! disagreements cost; `--diff FILE` lists every disagreement with both verdicts.

mod data;
mod notes;
mod table;
use data::*;
use notes::*;
use table::*;

use crate::settings::ReconcileSettings;
use anyhow::{anyhow, Context, Result};
use chrono::{DateTime, Offset, SecondsFormat, TimeZone};
use comfy_table::{presets, Cell, CellAlignment, ContentArrangement, Table};
use rust_decimal::{Decimal, RoundingStrategy};
use serde_json::{json, Map, Value};
use std::collections::BTreeSet;
use std::io::Write;
use waprice::calendar::{Calendar, Month};
use waprice::input::webhooks::{Outcome, WebhookLog};
use waprice::pricing::Pricer;
use waprice::reconcile::analytics::{self, Analytics};
use waprice::reconcile::{differs_name, reconcile, Figures, Reconciliation};
use waprice::render::{exact, money, Format};

/// The `--diff` file's header.
pub const DIFF_HEADER: [&str; 18] = [
    "id",
    "time",
    "business",
    "recipient",
    "market",
    "waprice_pricing",
    "waprice_category",
    "waprice_conversation",
    "meta_pricing",
    "meta_category",
    "meta_conversation",
    "meta_pricing_model",
    "meta_type",
    "meta_billable",
    "meta_origin",
    "meta_status",
    "category_source",
    "differs",
];

/// The CSV report's header (one row per month).
pub const CSV_HEADER: [&str; 17] = [
    "month",
    "messages",
    "compared",
    "agreeing",
    "agreement_percent",
    "billed_waprice",
    "billed_meta",
    "billed_agreeing",
    "billed_agreement_percent",
    "cost_waprice",
    "cost_meta",
    "cost_difference",
    "units_waprice",
    "analytics_volume",
    "analytics_billed",
    "analytics_cost",
    "currency",
];

pub fn run(s: &ReconcileSettings) -> Result<()> {
    let t = &s.tariffs;
    let wl = waprice::pipeline::read_webhooks(&s.log, t)?;
    let pricer = Pricer::new(&t.cards, &t.currency);
    let rec = reconcile(
        &wl,
        &s.log.engine,
        Calendar::new(s.log.timezone),
        &t.markets,
        &pricer,
    );
    let analytics = match &s.analytics {
        None => None,
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read --analytics {path}"))?;
            Some(analytics::read_analytics(
                &text,
                path,
                &mut Calendar::new(s.log.timezone),
            )?)
        }
    };
    let disagreements = rec.total.compared - rec.total.agreeing;
    if let Some(path) = &s.diff {
        write_diff(path, s, &wl, &rec).with_context(|| format!("cannot write --diff {path}"))?;
    }
    let notes = notes(s, &wl, &rec, analytics.as_ref(), disagreements);
    let cur = &t.currency;
    if s.format == Format::Xlsx {
        xlsx(&rec, analytics.as_ref(), cur, &notes, s.output.as_deref())?;
    } else {
        let mut out = crate::settings::open_output(s.output.as_deref())?;
        match s.format {
            Format::Table => table(&rec, analytics.as_ref(), cur, &notes, &mut out)?,
            Format::Csv => csv(&rec, analytics.as_ref(), cur, &mut out)?,
            Format::Json => json(&rec, analytics.as_ref(), cur, &notes, &mut out)?,
            Format::Xlsx => unreachable!("written above"),
        }
        out.flush()?;
    }
    if let (Some(min), Some(got)) = (s.fail_under, rec.total.agreement()) {
        if got < min {
            return Err(anyhow!(
                "agreement {} of messages is below --fail-under {min}% ({disagreements} disagreement{}{})",
                pct(Some(got)),
                if disagreements == 1 { "" } else { "s" },
                s.diff
                    .as_ref()
                    .map_or(String::new(), |d| format!(", listed in {d}"))
            ));
        }
    }
    Ok(())
}
