//! `waprice merge FILE...`: the shards' JSON put back together (waprice::shards::merge) and
//! printed exactly as the unsharded run prints it, in any format.

use super::invoices::print;
use crate::settings::MergeSettings;
use anyhow::Result;
use waprice::shards::merge;

pub fn run(s: &MergeSettings) -> Result<()> {
    let (inv, by_account) = merge(&s.files)?;
    print(
        &inv,
        s.format,
        s.csv,
        by_account,
        s.html,
        s.output.as_deref(),
    )
}
