//! `waprice man`: manual pages (roff) from the command definitions, so they list every option
//! with its --help text. `waprice man` prints waprice(1), `waprice man estimate` the page of one
//! subcommand (waprice-estimate(1)), `waprice man --dir DIR` writes all of them.

use anyhow::{Context, Result};
use std::path::PathBuf;
use waprice::error::BadInput;

pub fn run(cli: clap::Command, command: &[String], dir: &Option<PathBuf>) -> Result<()> {
    if let Some(dir) = dir {
        return std::fs::create_dir_all(dir)
            .and_then(|()| clap_mangen::generate_to(cli, dir))
            .with_context(|| format!("cannot write the manual pages into {}", dir.display()));
    }
    let mut page = cli.disable_help_subcommand(true);
    // Built, subcommands know their full names (waprice-estimate) for their pages' titles.
    page.build();
    for name in command {
        page = match page.find_subcommand(name) {
            Some(sub) => sub.clone(),
            None => {
                let known: Vec<&str> = page.get_subcommands().map(|s| s.get_name()).collect();
                return Err(BadInput::new(format!("no manual page for '{name}'"))
                    .hint(format!("one of: {}", known.join(", ")))
                    .into());
            }
        };
    }
    clap_mangen::Man::new(page)
        .render(&mut std::io::stdout())
        .map_err(anyhow::Error::from)
}
