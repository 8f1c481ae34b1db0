//! `waprice tariffs check FILE`: is a new card or tier table readable, and what it changes.

use super::check_card::card_table;
use super::check_data::{cards_csv, cards_json};
use super::check_tiers::check_tiers;
use crate::settings::TariffsCheckSettings;
use anyhow::Result;
use std::io::Write;
use waprice::render::Format;
use waprice::tariff::compare::{baseline_origins, compare_file};
use waprice::tariff::files::{self, Layout};

pub(super) fn check(s: &TariffsCheckSettings, out: &mut impl Write) -> Result<()> {
    let layout = files::detect(&s.text, &s.path)?;
    if matches!(layout, Layout::MetaTiers | Layout::WapriceTiers) {
        return check_tiers(s, out);
    }
    let file = files::read_cards(&s.text, &s.path, &s.markets, &s.overrides)?;
    let comparisons = compare_file(&file.rows, &s.baseline, &s.markets);
    let against = baseline_origins(&s.baseline);
    match s.format {
        Format::Xlsx => unreachable!("--format xlsx is refused before"),
        Format::Table => {
            let source = format!(
                "{} ({}{})",
                s.path,
                layout.describe(),
                file.title
                    .as_ref()
                    .filter(|t| !t.text.is_empty())
                    .map(|t| format!(", title '{}'", t.text))
                    .unwrap_or_default()
            );
            for c in &comparisons {
                card_table(out, c, &source, &against)?;
            }
            write_notes(out, &file.notes)?;
        }
        Format::Csv => {
            notes_to_stderr(&file.notes);
            cards_csv(out, &comparisons)?;
        }
        Format::Json => cards_json(out, &comparisons, &s.path, &layout, &file)?,
    }
    Ok(())
}

/// What reading the file left out or overrode, under the report.
pub(super) fn write_notes(out: &mut impl Write, notes: &[String]) -> Result<()> {
    if !notes.is_empty() {
        writeln!(out, "notes:")?;
        for n in notes {
            writeln!(out, "- {n}")?;
        }
    }
    Ok(())
}

/// The notes of a CSV report, which has no place for them.
pub(super) fn notes_to_stderr(notes: &[String]) {
    for n in notes {
        eprintln!("waprice: note: {n}");
    }
}
