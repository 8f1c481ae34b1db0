//! `waprice tariffs`: the rate cards waprice knows (bundled and loaded) and the tier tables
//! loaded; `waprice tariffs check FILE`: is a new card readable, and what does it change
//! against the rates in force the day before it (markets added, rates up and down). That is
//! what a user wants to see on the day Meta publishes a card.

mod check;
mod check_card;
mod check_data;
mod check_tiers;
mod list;
use check::check;
use list::list;

use crate::settings::TariffsSettings;
use anyhow::Result;
use comfy_table::{presets, Cell as TableCell, CellAlignment, ContentArrangement, Table};
use std::io::Write;

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

fn new_table() -> Table {
    let mut t = Table::new();
    t.load_preset(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Disabled)
        .force_no_tty();
    t
}

fn right(s: impl ToString) -> TableCell {
    TableCell::new(s).set_alignment(CellAlignment::Right)
}
