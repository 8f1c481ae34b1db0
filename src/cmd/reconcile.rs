//! `waprice reconcile --webhooks FILE`: replays Meta's webhooks through the engine and says,
//! month by month, on how many messages and billed units waprice and Meta agree, and what the
//! disagreements cost; `--diff FILE` lists every disagreement with both verdicts.

use crate::settings::ReconcileSettings;
use anyhow::{anyhow, Context, Result};
use std::io::Write;
use waprice::calendar::Calendar;
use waprice::price::Pricer;
use waprice::reconcile::analytics;
use waprice::reconcile::notes::{notes, pct, Run};
use waprice::reconcile::reconcile;
use waprice::render::reconcile as render;
use waprice::render::xlsx::Book;
use waprice::render::Format;

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
        std::fs::File::create(path)
            .and_then(|file| {
                let out = std::io::BufWriter::new(file);
                render::diff(out, &wl, &rec, &t.markets, s.log.timezone)
            })
            .with_context(|| format!("cannot write --diff {path}"))?;
    }
    let run = Run {
        currency: &t.currency,
        diff: s.diff.as_deref(),
        sent: s.log.sent.as_deref(),
        auth_intl: s.log.auth_intl.as_deref(),
        timezone: s.log.timezone,
    };
    let notes = notes(&run, &wl, &rec, analytics.as_ref(), disagreements);
    let cur = &t.currency;
    if s.format == Format::Xlsx {
        let mut book = Book::new(cur);
        render::xlsx(&rec, analytics.as_ref(), cur, &notes, &mut book)?;
        book.save(s.output.as_deref())?;
    } else {
        let mut out = crate::settings::open_output(s.output.as_deref())?;
        match s.format {
            Format::Table => render::table(&rec, analytics.as_ref(), cur, &notes, &mut out)?,
            Format::Csv => render::csv(&rec, analytics.as_ref(), cur, &mut out)?,
            Format::Json => render::json(&rec, analytics.as_ref(), cur, &notes, &mut out)?,
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
