//! A platform's month-end: one line per customer account and month, each measured against
//! that account's own budget, in that account's own currency.

use crate::calendar::Month;
use chrono::NaiveDate;
use rust_decimal::Decimal;

/// One account's month: what `waprice invoices` prints per row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceLine {
    /// The month.
    pub month: Month,
    /// The customer account's name.
    pub account: String,
    /// Its active agents that month (which set its budget).
    pub agents: u32,
    /// Units billed.
    pub billable: u64,
    /// Free units.
    pub free: u64,
    /// Billed units without a rate (missing from `cost`: a lower bound).
    pub unpriced: u64,
    /// What the billed units cost, in `currency`.
    pub cost: Decimal,
    /// The account's included amount for the month.
    pub budget: Decimal,
    /// What the month costs beyond the budget.
    pub overage: Decimal,
    /// The day the overage is invoiced (the 1st of the next month).
    pub invoiced_on: NaiveDate,
    /// The account's currency.
    pub currency: String,
}

/// Cost, budget and overage summed over the lines of one currency (never across currencies).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurrencyTotal {
    /// The currency.
    pub currency: String,
    /// Cost of its lines.
    pub cost: Decimal,
    /// Budget of its lines.
    pub budget: Decimal,
    /// Overage of its lines.
    pub overage: Decimal,
}

/// What a `--shard K/N` run adds to its JSON, so that `waprice merge` can put the shards
/// back together exactly and refuse shards that do not belong together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShardMark {
    /// This shard (1..=N).
    pub k: u32,
    /// How many shards the run is split into.
    pub n: u32,
    /// FNV-1a 64 (16 hex digits) of the JSON the unsharded run prints: the same in every
    /// shard of one run, different for another log or other settings (whenever a figure or
    /// a note differs), and what the merged result must hash to.
    pub fingerprint: String,
    /// Accounts of the file (and `unassigned`) in this shard.
    pub accounts: u64,
    /// Business messages of accounts in other shards: replayed, not billed here.
    pub other_messages: u64,
}

#[derive(Debug, Clone)]
/// The month-end of a platform: a line per customer account and month, and the notes.
pub struct Invoices {
    /// By month, then account name.
    pub lines: Vec<InvoiceLine>,
    /// What the numbers rest on, as for an estimate.
    pub notes: Vec<String>,
    /// With `--shard`: which shard these lines are.
    pub shard: Option<ShardMark>,
}

impl Invoices {
    /// The lines sorted by month, then account.
    pub fn new(mut lines: Vec<InvoiceLine>, notes: Vec<String>) -> Invoices {
        lines.sort_by(|a, b| (a.month, &a.account).cmp(&(b.month, &b.account)));
        Invoices {
            lines,
            notes,
            shard: None,
        }
    }

    /// One total per currency, currencies in alphabetical order.
    pub fn totals(&self) -> Vec<CurrencyTotal> {
        let mut totals: Vec<CurrencyTotal> = Vec::new();
        for l in &self.lines {
            let t = match totals.iter_mut().find(|t| t.currency == l.currency) {
                Some(t) => t,
                None => {
                    totals.push(CurrencyTotal {
                        currency: l.currency.clone(),
                        cost: Decimal::ZERO,
                        budget: Decimal::ZERO,
                        overage: Decimal::ZERO,
                    });
                    totals.last_mut().expect("just pushed")
                }
            };
            t.cost += l.cost;
            t.budget += l.budget;
            t.overage += l.overage;
        }
        totals.sort_by(|a, b| a.currency.cmp(&b.currency));
        totals
    }

    /// The lines by overage, largest first (then month and account): the table's order.
    pub fn by_overage(&self) -> Vec<&InvoiceLine> {
        let mut lines: Vec<&InvoiceLine> = self.lines.iter().collect();
        lines.sort_by(|a, b| {
            b.overage
                .cmp(&a.overage)
                .then_with(|| (a.month, &a.account).cmp(&(b.month, &b.account)))
        });
        lines
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(account: &str, cost: i64, budget: i64, currency: &str) -> InvoiceLine {
        InvoiceLine {
            month: Month(2024 * 12 + 2),
            account: account.into(),
            agents: 10,
            billable: 1,
            free: 0,
            unpriced: 0,
            cost: Decimal::from(cost),
            budget: Decimal::from(budget),
            overage: Decimal::from((cost - budget).max(0)),
            invoiced_on: NaiveDate::from_ymd_opt(2024, 4, 1).unwrap(),
            currency: currency.into(),
        }
    }

    #[test]
    fn totals_never_mix_currencies_and_the_table_order_is_by_overage() {
        let inv = Invoices::new(
            vec![
                line("b", 70, 50, "EUR"),
                line("a", 60, 50, "EUR"),
                line("c", 100, 54, "USD"),
            ],
            vec![],
        );
        let totals = inv.totals();
        assert_eq!(totals.len(), 2);
        assert_eq!(
            (totals[0].cost, totals[0].overage),
            (Decimal::from(130), Decimal::from(30))
        );
        assert_eq!(totals[1].overage, Decimal::from(46));
        let order: Vec<&str> = inv
            .by_overage()
            .iter()
            .map(|l| l.account.as_str())
            .collect();
        assert_eq!(order, ["c", "b", "a"]);
        assert_eq!(inv.lines[0].account, "a");
    }
}
