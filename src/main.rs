//! The `waprice` binary: parse, validate, dispatch, and map errors to exit codes
//! (0 ok, 1 runtime failure, 2 bad usage or bad input; a closed pipe is not an error).

mod cli;
mod cmd;
mod settings;
mod terminal;

use clap::{CommandFactory, Parser};
use std::process::ExitCode;
use waprice::error::BadInput;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let result = match &cli.command {
        cli::Command::Estimate(a) => {
            settings::EstimateSettings::from_args(a).and_then(|s| cmd::estimate::run(&s))
        }
        cli::Command::Invoices(a) => {
            settings::InvoicesSettings::from_args(a).and_then(|s| cmd::invoices::run(&s))
        }
        cli::Command::Merge(a) => {
            settings::MergeSettings::from_args(a).and_then(|s| cmd::merge::run(&s))
        }
        cli::Command::Ledger(a) => {
            settings::LedgerSettings::from_args(a).and_then(|s| cmd::ledger::run(&s))
        }
        cli::Command::Forecast(a) => {
            settings::ForecastSettings::from_args(a).and_then(|s| cmd::forecast::run(&s))
        }
        cli::Command::Completions { shell } => {
            let mut command = cli::Cli::command();
            clap_complete::generate(*shell, &mut command, "waprice", &mut std::io::stdout());
            Ok(())
        }
        cli::Command::Man { command, dir } => cmd::man::run(cli::Cli::command(), command, dir),
        cli::Command::Rates(a) => {
            settings::RatesSettings::from_args(a).and_then(|s| cmd::rates::run(&s))
        }
        cli::Command::Reconcile(a) => {
            settings::ReconcileSettings::from_args(a).and_then(|s| cmd::reconcile::run(&s))
        }
        cli::Command::Tariffs(a) => {
            settings::TariffsSettings::from_args(a).and_then(|s| cmd::tariffs::run(&s))
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            if e.chain().any(|c| c.is::<BadInput>()) {
                ExitCode::from(2)
            } else {
                ExitCode::from(1)
            }
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        let io = c.downcast_ref::<std::io::Error>().or_else(|| {
            match c.downcast_ref::<csv::Error>()?.kind() {
                csv::ErrorKind::Io(io) => Some(io),
                _ => None,
            }
        });
        io.is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
