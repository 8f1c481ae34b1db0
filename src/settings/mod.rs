//! Raw command-line arguments become validated settings before any work starts: every
//! usage error (exit code 2) is found here, not halfway through a 10 GB log.
//!
//! One file per concern: `log` (reading a log), `tariffs` (cards and tiers), `output`
//! (formats and files), `commands` (each subcommand's settings), `forecast` (the forecast's
//! date and volumes, from flags or a file).

mod commands;
mod forecast;
mod log;
mod output;
mod tariffs;

pub use waprice::pipeline::{InputFormat, LogSettings, Tariffs};

pub(crate) use self::commands::*;
pub(crate) use self::forecast::*;
pub(crate) use self::log::*;
pub(crate) use self::output::*;
pub(crate) use self::tariffs::*;
