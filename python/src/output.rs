//! Results as Arrow batches with the CSV's columns: counts as int64, money as decimal128 with
//! [`SCALE`] decimals (exact: a value that would not fit is an error, never rounded), months
//! and other text as strings, `invoiced_on` as a date.

use anyhow::{anyhow, Result};
use arrow_array::builder::{Date32Builder, Decimal128Builder, Int64Builder, StringBuilder};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{Field, Schema};
use rust_decimal::Decimal;
use std::sync::Arc;
use waprice::error::BadInput;
use waprice::event::UnitCategory;
use waprice::pipeline::Row;
use waprice::render::invoices::{BY_ACCOUNT_HEADER, INVOICES_HEADER};
use waprice::render::ledger::HEADER as LEDGER_HEADER;
use waprice::render::what_if::{Comparison, HEADER as WHAT_IF_HEADER};
use waprice::render::{BREAKDOWN_HEADER, BREAKDOWN_TIER_HEADER, ESTIMATE_HEADER};
use waprice::report::invoices::Invoices;
use waprice::report::{BreakdownLine, By, Report};

/// Decimals of every money column: cards give rates to at most a few decimals, and sums and
/// derived rates stay far within 18.
pub const SCALE: i8 = 18;
/// The widest decimal128.
const PRECISION: u8 = 38;

/// `d` as a decimal128 of [`SCALE`] decimals, or an error when it would not be exact.
fn money(d: Decimal) -> Result<i128> {
    let d = if d.scale() > SCALE as u32 {
        d.normalize()
    } else {
        d
    };
    let too_wide = || -> anyhow::Error {
        BadInput::new(format!(
            "the amount {d} does not fit a decimal128({PRECISION}, {SCALE}) exactly"
        ))
        .hint("waprice never rounds money; report this amount to waprice's maintainers")
        .into()
    };
    if d.scale() > SCALE as u32 {
        return Err(too_wide());
    }
    let v = 10i128
        .checked_pow(SCALE as u32 - d.scale())
        .and_then(|p| d.mantissa().checked_mul(p))
        .ok_or_else(too_wide)?;
    if v.unsigned_abs() >= 10u128.pow(u32::from(PRECISION)) {
        return Err(too_wide());
    }
    Ok(v)
}

fn money_builder() -> Result<Decimal128Builder> {
    Decimal128Builder::new()
        .with_precision_and_scale(PRECISION, SCALE)
        .map_err(|e| anyhow!("{e}"))
}

fn count(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn batch(columns: Vec<(&str, ArrayRef)>) -> Result<RecordBatch> {
    let fields: Vec<Field> = columns
        .iter()
        .map(|(name, a)| Field::new(*name, a.data_type().clone(), true))
        .collect();
    let arrays = columns.into_iter().map(|(_, a)| a).collect();
    RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays).map_err(|e| anyhow!("{e}"))
}

/// The months of `waprice estimate --format csv`, or with `--by` its long format.
pub fn estimate(report: &Report) -> Result<RecordBatch> {
    match &report.breakdown {
        Some(lines) => breakdown(report, lines),
        None => months(report),
    }
}

/// `--by`: one line per month and market, category (and tier).
fn breakdown(report: &Report, lines: &[BreakdownLine]) -> Result<RecordBatch> {
    let (mut month, mut market, mut category, mut tier) = (
        StringBuilder::new(),
        StringBuilder::new(),
        StringBuilder::new(),
        StringBuilder::new(),
    );
    let (mut billable, mut free) = (Int64Builder::new(), Int64Builder::new());
    let mut cost = money_builder()?;
    let mut currency = StringBuilder::new();
    for l in lines {
        month.append_value(l.month.to_string());
        market.append_value(l.market.clone().unwrap_or_default());
        category.append_value(l.category.map(|c| c.name()).unwrap_or_default());
        tier.append_value(l.tier.map(|t| t.to_string()).unwrap_or_default());
        billable.append_value(count(l.billable));
        free.append_value(count(l.free));
        cost.append_value(money(l.cost)?);
        currency.append_value(&report.currency);
    }
    let mut columns: Vec<ArrayRef> = vec![
        Arc::new(month.finish()),
        Arc::new(market.finish()),
        Arc::new(category.finish()),
    ];
    let header: &[&str] = if report.by == Some(By::Tier) {
        columns.push(Arc::new(tier.finish()));
        &BREAKDOWN_TIER_HEADER
    } else {
        &BREAKDOWN_HEADER
    };
    columns.extend([
        Arc::new(billable.finish()) as ArrayRef,
        Arc::new(free.finish()),
        Arc::new(cost.finish()),
        Arc::new(currency.finish()),
    ]);
    batch(header.iter().copied().zip(columns).collect())
}

/// The months: one line per calendar month.
fn months(report: &Report) -> Result<RecordBatch> {
    let mut month = StringBuilder::new();
    let mut counts: Vec<Int64Builder> = (0..UnitCategory::ALL.len() + 3)
        .map(|_| Int64Builder::new())
        .collect();
    let (mut cost, mut budget, mut overage) =
        (money_builder()?, money_builder()?, money_builder()?);
    let mut currency = StringBuilder::new();
    let (mut derived, mut substituted) = (Int64Builder::new(), Int64Builder::new());
    for m in &report.months {
        let t = &m.totals;
        month.append_value(m.month.to_string());
        for c in UnitCategory::ALL {
            counts[c.index()].append_value(count(t.billable[c.index()]));
        }
        let n = UnitCategory::ALL.len();
        counts[n].append_value(count(t.free));
        counts[n + 1].append_value(count(t.billable_total()));
        counts[n + 2].append_value(count(t.unpriced));
        cost.append_value(money(t.cost)?);
        budget.append_value(money(m.budget.budget)?);
        overage.append_value(money(m.budget.overage)?);
        currency.append_value(&report.currency);
        derived.append_value(count(t.derived));
        substituted.append_value(count(t.substituted));
    }
    let mut columns: Vec<ArrayRef> = vec![Arc::new(month.finish())];
    columns.extend(counts.iter_mut().map(|b| Arc::new(b.finish()) as ArrayRef));
    columns.push(Arc::new(cost.finish()));
    columns.push(Arc::new(budget.finish()));
    columns.push(Arc::new(overage.finish()));
    columns.push(Arc::new(currency.finish()));
    columns.push(Arc::new(derived.finish()));
    columns.push(Arc::new(substituted.finish()));
    batch(ESTIMATE_HEADER.iter().copied().zip(columns).collect())
}

/// The lines of `waprice invoices --format csv`.
pub fn invoices(inv: &Invoices) -> Result<RecordBatch> {
    let (mut month, mut account, mut currency) = (
        StringBuilder::new(),
        StringBuilder::new(),
        StringBuilder::new(),
    );
    let (mut agents, mut billable, mut free, mut unpriced) = (
        Int64Builder::new(),
        Int64Builder::new(),
        Int64Builder::new(),
        Int64Builder::new(),
    );
    let (mut cost, mut budget, mut overage) =
        (money_builder()?, money_builder()?, money_builder()?);
    let mut invoiced_on = Date32Builder::new();
    let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).expect("a date");
    for l in &inv.lines {
        month.append_value(l.month.to_string());
        account.append_value(&l.account);
        agents.append_value(i64::from(l.agents));
        billable.append_value(count(l.billable));
        free.append_value(count(l.free));
        unpriced.append_value(count(l.unpriced));
        cost.append_value(money(l.cost)?);
        budget.append_value(money(l.budget)?);
        overage.append_value(money(l.overage)?);
        invoiced_on.append_value((l.invoiced_on - epoch).num_days() as i32);
        currency.append_value(&l.currency);
    }
    let columns: [ArrayRef; 11] = [
        Arc::new(month.finish()),
        Arc::new(account.finish()),
        Arc::new(agents.finish()),
        Arc::new(billable.finish()),
        Arc::new(free.finish()),
        Arc::new(unpriced.finish()),
        Arc::new(cost.finish()),
        Arc::new(budget.finish()),
        Arc::new(overage.finish()),
        Arc::new(invoiced_on.finish()),
        Arc::new(currency.finish()),
    ];
    batch(INVOICES_HEADER.iter().copied().zip(columns).collect())
}

/// The lines of `waprice estimate --accounts FILE --by account --format csv`.
pub fn by_account(inv: &Invoices) -> Result<RecordBatch> {
    let (mut month, mut account, mut currency) = (
        StringBuilder::new(),
        StringBuilder::new(),
        StringBuilder::new(),
    );
    let (mut billable, mut free) = (Int64Builder::new(), Int64Builder::new());
    let mut cost = money_builder()?;
    for l in &inv.lines {
        month.append_value(l.month.to_string());
        account.append_value(&l.account);
        billable.append_value(count(l.billable));
        free.append_value(count(l.free));
        cost.append_value(money(l.cost)?);
        currency.append_value(&l.currency);
    }
    let columns: [ArrayRef; 6] = [
        Arc::new(month.finish()),
        Arc::new(account.finish()),
        Arc::new(billable.finish()),
        Arc::new(free.finish()),
        Arc::new(cost.finish()),
        Arc::new(currency.finish()),
    ];
    batch(BY_ACCOUNT_HEADER.iter().copied().zip(columns).collect())
}

/// The months of `waprice estimate --as-of DATE --format csv`: the actual bill and the
/// what-if side by side.
pub fn what_if(c: &Comparison) -> Result<RecordBatch> {
    let mut month = StringBuilder::new();
    let mut counts: Vec<Int64Builder> = (0..4).map(|_| Int64Builder::new()).collect();
    let (mut actual, mut as_of, mut difference) =
        (money_builder()?, money_builder()?, money_builder()?);
    let mut currency = StringBuilder::new();
    for l in c.lines() {
        month.append_value(l.month.to_string());
        counts[0].append_value(count(l.actual.billable_total()));
        counts[1].append_value(count(l.actual.free));
        counts[2].append_value(count(l.what_if.billable_total()));
        counts[3].append_value(count(l.what_if.free));
        actual.append_value(money(l.actual.cost)?);
        as_of.append_value(money(l.what_if.cost)?);
        difference.append_value(money(l.what_if.cost - l.actual.cost)?);
        currency.append_value(&c.actual.currency);
    }
    let mut counts = counts
        .into_iter()
        .map(|mut b| Arc::new(b.finish()) as ArrayRef);
    let mut next = || counts.next().expect("four count columns");
    let columns: [ArrayRef; 9] = [
        Arc::new(month.finish()),
        next(),
        next(),
        Arc::new(actual.finish()),
        next(),
        next(),
        Arc::new(as_of.finish()),
        Arc::new(difference.finish()),
        Arc::new(currency.finish()),
    ];
    batch(WHAT_IF_HEADER.iter().copied().zip(columns).collect())
}

/// The rows of `waprice ledger`, as they come.
pub struct Ledger {
    text: Vec<StringBuilder>,
    rate: Decimal128Builder,
}

impl Default for Ledger {
    fn default() -> Self {
        Ledger {
            text: (0..11).map(|_| StringBuilder::new()).collect(),
            rate: money_builder().expect("a valid decimal type"),
        }
    }
}

impl Ledger {
    pub fn push(&mut self, r: &Row) -> Result<()> {
        let business = String::from_utf8_lossy(r.business);
        let values = [
            r.time,
            &business,
            r.recipient,
            r.market,
            r.category,
            r.pricing,
            r.tier,
            r.currency,
            r.month,
            r.card,
            r.source,
        ];
        for (b, v) in self.text.iter_mut().zip(values) {
            b.append_value(v);
        }
        match r.rate {
            Some(d) => self.rate.append_value(money(d)?),
            None => self.rate.append_null(),
        }
        Ok(())
    }

    pub fn finish(mut self) -> Result<RecordBatch> {
        let mut text = self
            .text
            .iter_mut()
            .map(|b| Arc::new(b.finish()) as ArrayRef);
        let mut columns = Vec::new();
        for name in LEDGER_HEADER {
            let array: ArrayRef = if name == "rate" {
                Arc::new(self.rate.finish())
            } else {
                text.next().expect("a column per name")
            };
            columns.push((name, array));
        }
        drop(text);
        batch(columns)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_exact_or_an_error() {
        assert_eq!(
            money("0.0712".parse().unwrap()).unwrap(),
            71_200_000_000_000_000
        );
        assert_eq!(
            money("-13.19".parse().unwrap()).unwrap(),
            -13_190_000_000_000_000_000
        );
        assert!(money("0.0000000000000000001".parse().unwrap()).is_err());
        assert_eq!(
            money("1.50000000000000000000".parse().unwrap()).unwrap(),
            1_500_000_000_000_000_000
        );
    }
}
