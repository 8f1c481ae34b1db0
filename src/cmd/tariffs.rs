//! `waprice tariffs`: the rate cards waprice knows (bundled and loaded) and the tier tables
//! loaded; `waprice tariffs check FILE`: is a new card readable, and what does it change
//! against the rates in force the day before it (markets added, rates up and down). That is
//! what a user wants to see on the day Meta publishes a card. Rendered by
//! waprice::render::tariffs (and render::coverage for `--coverage`).

use crate::settings::{TariffsCheckSettings, TariffsListSettings, TariffsSettings};
use anyhow::Result;
use std::io::Write;
use waprice::rates::coverage;
use waprice::render::tariffs::{self as render, List, TierCheck};
use waprice::render::{self as renderers, write_notes, Format};
use waprice::tariff::compare::{baseline_origins, compare_file};
use waprice::tariff::files::{self, Layout};
use waprice::tariff::summary::card_infos;
use waprice::tariff::tier::TierTable;

pub fn run(s: &TariffsSettings) -> Result<()> {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    match s {
        TariffsSettings::List(l) => list(l, &mut out)?,
        TariffsSettings::Check(c) => check(c, &mut out)?,
    }
    out.flush()?;
    Ok(())
}

fn list(s: &TariffsListSettings, out: &mut impl Write) -> Result<()> {
    if let (Some((from, to)), Some(currency)) = (s.coverage, s.currency.as_deref()) {
        let c = coverage(&s.cards, &s.markets, currency, from, to);
        match s.format {
            Format::Xlsx => unreachable!("--format xlsx is refused before"),
            Format::Json => renderers::coverage::json(&c, out)?,
            Format::Csv => renderers::coverage::csv(&c, out)?,
            Format::Table => renderers::coverage::table(&c, out)?,
        }
        return Ok(());
    }
    let cards = card_infos(&s.cards, &s.markets, s.currency.as_deref());
    let tiers: Vec<&TierTable> = s
        .tiers
        .tables()
        .iter()
        .filter(|t| s.currency.as_deref().is_none_or(|c| c == t.currency))
        .collect();
    let l = List {
        cards: &cards,
        tiers: &tiers,
        markets: &s.markets,
    };
    match s.format {
        Format::Xlsx => unreachable!("--format xlsx is refused before"),
        Format::Table => render::list_table(&l, out)?,
        Format::Csv => render::list_csv(&l, out)?,
        Format::Json => render::list_json(&l, out)?,
    }
    Ok(())
}

/// `waprice tariffs check FILE`: is a new card or tier table readable, and what it changes.
fn check(s: &TariffsCheckSettings, out: &mut impl Write) -> Result<()> {
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
                render::check_card(&mut *out, c, &source, &against)?;
            }
            write_notes(out, &file.notes)?;
        }
        Format::Csv => {
            notes_to_stderr(&file.notes);
            render::check_cards_csv(out, &comparisons)?;
        }
        Format::Json => render::check_cards_json(out, &comparisons, &s.path, &layout, &file)?,
    }
    Ok(())
}

/// A tier file: valid or not, and what it holds.
fn check_tiers(s: &TariffsCheckSettings, out: &mut impl Write) -> Result<()> {
    let files::TierFile {
        layout,
        tables,
        notes,
    } = files::read_tiers(&s.text, &s.path, &s.markets, &s.overrides)?;
    let c = TierCheck {
        path: &s.path,
        layout: &layout,
        tables: &tables,
        notes: &notes,
        markets: &s.markets,
    };
    match s.format {
        Format::Xlsx => unreachable!("--format xlsx is refused before"),
        Format::Table => render::check_tiers_table(&c, out)?,
        Format::Csv => {
            notes_to_stderr(&notes);
            render::check_tiers_csv(&c, out)?;
        }
        Format::Json => render::check_tiers_json(&c, out)?,
    }
    Ok(())
}

/// The notes of a CSV report, which has no place for them.
fn notes_to_stderr(notes: &[String]) {
    for n in notes {
        eprintln!("waprice: note: {n}");
    }
}
