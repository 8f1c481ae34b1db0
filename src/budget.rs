//! Callbell's included WhatsApp budget (docs/rules.md, Callbell's budget): 50 EUR or 54 USD a month for each
//! 10 active agents; any excess is invoiced at cost on the 1st of the next month. Unused
//! budget does not roll over.

use crate::calendar::Month;
use chrono::NaiveDate;
use rust_decimal::Decimal;

/// Where the monthly budget comes from, for the report's assumptions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BudgetBasis {
    /// Callbell's rule for this many agents (`--agents`, default 10).
    Agents {
        /// The account's active agents.
        agents: u32,
        /// Whether `agents` is the default (no `--agents` given).
        defaulted: bool,
    },
    /// `--budget AMOUNT`.
    Explicit,
}

#[derive(Debug, Clone, PartialEq, Eq)]
/// The monthly amount a customer account has included, and where it comes from.
pub struct Budget {
    /// The included amount per calendar month, in the billing currency.
    pub monthly: Decimal,
    /// Where the amount comes from, for the report's assumptions.
    pub basis: BudgetBasis,
}

/// One month measured against the budget.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BudgetLine {
    /// The month's included amount.
    pub budget: Decimal,
    /// What the month costs beyond the budget (never negative).
    pub overage: Decimal,
    /// The date Callbell invoices the overage (the 1st of the next month).
    pub invoiced_on: NaiveDate,
    /// cost / budget x 100; `None` when the budget is zero.
    pub used_percent: Option<Decimal>,
}

/// Callbell's included amount per 10 agents, per currency; other currencies need `--budget`.
pub fn per_ten_agents(currency: &str) -> Option<Decimal> {
    match currency {
        "EUR" => Some(Decimal::from(50)),
        "USD" => Some(Decimal::from(54)),
        _ => None,
    }
}

impl Budget {
    /// Callbell's budget for `agents` active agents: the amount x ceil(agents / 10).
    pub fn for_agents(currency: &str, agents: u32, defaulted: bool) -> Option<Budget> {
        let blocks = agents.div_ceil(10);
        per_ten_agents(currency).map(|amount| Budget {
            monthly: amount * Decimal::from(blocks),
            basis: BudgetBasis::Agents { agents, defaulted },
        })
    }

    /// A budget of `amount` a month (`--budget AMOUNT` or the accounts file's `budget` column).
    pub fn explicit(amount: Decimal) -> Budget {
        Budget {
            monthly: amount,
            basis: BudgetBasis::Explicit,
        }
    }

    /// The month's cost against this budget: the overage, when it is invoiced, the share used.
    pub fn line(&self, month: Month, cost: Decimal) -> BudgetLine {
        let overage = (cost - self.monthly).max(Decimal::ZERO);
        let used_percent = if self.monthly.is_zero() {
            None
        } else {
            Some(cost * Decimal::from(100) / self.monthly)
        };
        BudgetLine {
            budget: self.monthly,
            overage,
            invoiced_on: month.next().first_day(),
            used_percent,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn budget_per_started_block_of_ten_agents() {
        assert_eq!(
            Budget::for_agents("EUR", 10, true).unwrap().monthly,
            dec("50")
        );
        assert_eq!(
            Budget::for_agents("EUR", 11, false).unwrap().monthly,
            dec("100")
        );
        assert_eq!(
            Budget::for_agents("USD", 1, false).unwrap().monthly,
            dec("54")
        );
        assert_eq!(
            Budget::for_agents("USD", 30, false).unwrap().monthly,
            dec("162")
        );
        assert!(Budget::for_agents("GBP", 10, false).is_none());
    }

    #[test]
    fn overage_is_invoiced_on_the_first_of_next_month() {
        let b = Budget::for_agents("EUR", 10, true).unwrap();
        let dec_2024 = Month(2024 * 12 + 11);
        let line = b.line(dec_2024, dec("62.3456"));
        assert_eq!(line.overage, dec("12.3456"));
        assert_eq!(
            line.invoiced_on,
            NaiveDate::from_ymd_opt(2025, 1, 1).unwrap()
        );
        assert_eq!(line.used_percent, Some(dec("124.6912")));
        let under = b.line(dec_2024, dec("20"));
        assert_eq!(under.overage, Decimal::ZERO);
        assert_eq!(under.used_percent, Some(dec("40")));
    }

    #[test]
    fn zero_budget_has_no_percentage() {
        let line = Budget::explicit(Decimal::ZERO).line(Month(2024 * 12), dec("1.5"));
        assert_eq!(line.overage, dec("1.5"));
        assert_eq!(line.used_percent, None);
    }

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config::with_cases(2000))]

        /// More agents never raise the overage, in either currency, whatever the cost; the
        /// overage is never negative and never more than the cost.
        #[test]
        fn more_agents_never_raise_the_overage(
            agents in 1u32..500,
            more in 0u32..500,
            cents in 0u64..100_000_000,
            usd in proptest::bool::ANY,
        ) {
            let currency = if usd { "USD" } else { "EUR" };
            let cost = Decimal::new(cents as i64, 4);
            let month = Month(2025 * 12);
            let few = Budget::for_agents(currency, agents, false).unwrap().line(month, cost);
            let many = Budget::for_agents(currency, agents + more, false).unwrap().line(month, cost);
            proptest::prop_assert!(many.overage <= few.overage);
            proptest::prop_assert!(many.overage >= Decimal::ZERO && few.overage <= cost);
        }
    }
}
