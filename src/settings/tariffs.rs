//! Rate cards and tier tables from the command line: bundled, loaded files, overrides.

use crate::cli::TariffArgs;
use anyhow::{Context, Result};
use chrono::NaiveDate;
use waprice::error::BadInput;
use waprice::pipeline::options::{self, Spelling};
use waprice::tariff::files;
use waprice::tariff::market::MarketMap;
use waprice::tariff::meta_csv::Overrides;
use waprice::tariff::sheet::{self, Want};

use super::*;

pub(crate) fn date(s: &str, option: &str) -> Result<NaiveDate, BadInput> {
    options::date(s, option.trim_start_matches('-'), Spelling::Cli)
}

/// `--tariff-date` and `--tariff-currency`.
pub(crate) fn overrides(date_arg: &Option<String>, currency: &Option<String>) -> Result<Overrides> {
    Ok(options::overrides(
        date_arg.as_deref(),
        currency.as_deref(),
        Spelling::Cli,
    )?)
}

/// Reads the files named by an option: (origin, text); a workbook through its sheet of list
/// rates (`--tariff`) or of tiers (`--tiers`).
pub(crate) fn read_files(paths: &[String], option: &str) -> Result<Vec<(String, String)>> {
    let want = if option == "--tiers" {
        Want::Tiers
    } else {
        Want::Card
    };
    paths
        .iter()
        .map(|path| read_tariff_file(path, option, want))
        .collect()
}

pub(crate) fn read_tariff_file(path: &str, option: &str, want: Want) -> Result<(String, String)> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {option} {path}"))?;
    let source = sheet::read(path, bytes, want)?;
    tariff_notes(&source.notes);
    Ok((source.origin, source.text))
}

/// What reading a tariff file left out or overrode goes to stderr, beside the report.
pub(crate) fn tariff_notes(notes: &[String]) {
    for n in notes {
        eprintln!("waprice: note: {n}");
    }
}

/// The library's [`Tariffs`] from the command line.
pub trait TariffsFromArgs: Sized {
    /// Cards (bundled and `--tariff`), without tiers.
    fn from_args(a: &TariffArgs) -> Result<Self>;
    /// Cards (bundled and `--tariff`) and `--tiers` tables, in any layout.
    fn with_tiers(a: &TariffArgs, tier_files: &[String]) -> Result<Self>;
}

impl TariffsFromArgs for Tariffs {
    fn from_args(a: &TariffArgs) -> Result<Tariffs> {
        Tariffs::with_tiers(a, &[])
    }

    fn with_tiers(a: &TariffArgs, tier_files: &[String]) -> Result<Tariffs> {
        // Read and load one option's files after the other, so that notes and errors come in
        // the order of the options.
        let markets = MarketMap::bundled();
        let ov = overrides(&a.tariff_date, &a.tariff_currency)?;
        let (cards, meta_cards, notes) =
            files::load_cards(&markets, &read_files(&a.tariffs, "--tariff")?, &ov)?;
        tariff_notes(&notes);
        let (tiers, meta_tiers, notes) =
            files::load_tiers(&markets, &read_files(tier_files, "--tiers")?, &ov)?;
        tariff_notes(&notes);
        files::overrides_used(&ov, meta_cards + meta_tiers)?;
        Tariffs::new(markets, cards, tiers, &a.currency)
    }
}
