//! The table people read. Its width depends only on the data (no terminal detection), so
//! the output is the same in a terminal, a pipe or a test.

use super::money;
use crate::event::UnitCategory;
use crate::report::{By, Report, Totals};
use comfy_table::{presets, Cell, CellAlignment, ContentArrangement, Table};
use rust_decimal::Decimal;
use std::io::Write;

/// Every table waprice prints, in one style.
pub fn new_table() -> Table {
    let mut t = Table::new();
    t.load_preset(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Disabled)
        .force_no_tty();
    t
}

/// A right-aligned cell, for numbers.
pub fn right(s: impl ToString) -> Cell {
    Cell::new(s).set_alignment(CellAlignment::Right)
}

fn short_name(c: UnitCategory) -> &'static str {
    match c {
        UnitCategory::AuthenticationInternational => "auth intl",
        UnitCategory::UserInitiated => "user init.",
        UnitCategory::BusinessInitiated => "business init.",
        other => other.name(),
    }
}

/// A month's cost; "≥" marks a lower bound when some units had no rate.
fn cost(t: &Totals) -> String {
    if t.unpriced > 0 {
        format!("≥ {}", money(t.cost))
    } else {
        money(t.cost)
    }
}

/// Marks after a month's cost: `*` when derived rates priced some of its units, `†` when
/// substitute rates did.
fn marks(t: &Totals) -> &'static str {
    match (t.derived > 0, t.substituted > 0) {
        (false, false) => "",
        (true, false) => " *",
        (false, true) => " †",
        (true, true) => " *†",
    }
}

/// The bar chart under the monthly table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Chart {
    /// No chart (`--no-chart`).
    None,
    /// Bars of block characters.
    Unicode,
    /// Bars of `#` (`--ascii`), for terminals without block characters.
    Ascii,
}

/// Width of the chart's bars, in characters.
const CHART_WIDTH: u32 = 40;

/// `estimate`'s table: the months against the budget (or the breakdown), the chart and the
/// notes.
pub fn estimate(report: &Report, chart: Chart, mut out: impl Write) -> std::io::Result<()> {
    let table = match &report.breakdown {
        None => monthly(report),
        Some(_) => breakdown(report),
    };
    writeln!(out, "{table}")?;
    if report.breakdown.is_none() && chart != Chart::None && !report.months.is_empty() {
        for line in bars(report, chart == Chart::Ascii) {
            writeln!(out, "{line}")?;
        }
    }
    if report.breakdown.is_none() {
        let t = &report.total;
        if t.derived > 0 {
            writeln!(out, "* the cost uses derived rates (see the notes)")?;
        }
        if t.substituted > 0 {
            writeln!(out, "† the cost uses substitute rates (see the notes)")?;
        }
    }
    if !report.notes.is_empty() {
        writeln!(out, "notes:")?;
        for n in &report.notes {
            writeln!(out, "- {n}")?;
        }
    }
    Ok(())
}

fn monthly(report: &Report) -> Table {
    // Category columns with no billable unit in any month are left out; CSV keeps them all.
    let shown: Vec<UnitCategory> = UnitCategory::ALL
        .into_iter()
        .filter(|c| report.total.billable[c.index()] > 0)
        .collect();
    let show_unpriced = report.total.unpriced > 0;
    let mut t = new_table();
    let mut header: Vec<&str> = vec!["month"];
    header.extend(shown.iter().map(|c| short_name(*c)));
    header.extend(["free", "billable"]);
    if show_unpriced {
        header.push("unpriced");
    }
    header.extend(["cost", "budget", "overage", "invoiced on", "used"]);
    t.set_header(header);
    let cur = &report.currency;
    for m in &report.months {
        let tot = &m.totals;
        let mut row: Vec<Cell> = vec![Cell::new(m.month)];
        row.extend(shown.iter().map(|c| right(tot.billable[c.index()])));
        row.extend([right(tot.free), right(tot.billable_total())]);
        if show_unpriced {
            row.push(right(tot.unpriced));
        }
        row.extend([
            right(format!("{} {cur}{}", cost(tot), marks(tot))),
            right(money(m.budget.budget)),
            right(money(m.budget.overage)),
            Cell::new(if m.budget.overage > Decimal::ZERO {
                m.budget.invoiced_on.to_string()
            } else {
                "-".into()
            }),
            right(m.budget.used_percent.map_or("-".into(), |p| {
                format!(
                    "{:.1}%",
                    p.round_dp_with_strategy(
                        1,
                        rust_decimal::RoundingStrategy::MidpointAwayFromZero
                    )
                )
            })),
        ]);
        t.add_row(row);
    }
    let tot = &report.total;
    let mut row: Vec<Cell> = vec![Cell::new("total")];
    row.extend(shown.iter().map(|c| right(tot.billable[c.index()])));
    row.extend([right(tot.free), right(tot.billable_total())]);
    if show_unpriced {
        row.push(right(tot.unpriced));
    }
    row.extend([
        right(format!("{} {cur}{}", cost(tot), marks(tot))),
        right(money(report.budget_total)),
        right(money(report.overage_total)),
        Cell::new(""),
        Cell::new(""),
    ]);
    t.add_row(row);
    t
}

fn breakdown(report: &Report) -> Table {
    let mut t = new_table();
    let tiers = report.by == Some(By::Tier);
    let mut header = vec!["month", "market", "category"];
    if tiers {
        header.push("tier");
    }
    header.extend(["billable", "free", "cost"]);
    t.set_header(header);
    for l in report.breakdown.iter().flatten() {
        let mut row = vec![
            Cell::new(l.month),
            Cell::new(l.market.as_deref().unwrap_or("")),
            Cell::new(l.category.map_or("", |c| c.name())),
        ];
        if tiers {
            row.push(Cell::new(l.tier.map(|b| b.to_string()).unwrap_or_default()));
        }
        row.extend([
            right(l.billable),
            right(l.free),
            right(format!(
                "{}{} {}",
                if l.unpriced > 0 { "≥ " } else { "" },
                money(l.cost),
                report.currency
            )),
        ]);
        t.add_row(row);
    }
    t
}

/// One bar per month, cost against the budget line, on a fixed scale: the largest of the
/// month costs and the budget spans the full width. Unicode bars use eighth blocks.
pub fn bars(report: &Report, ascii: bool) -> Vec<String> {
    let budget = report
        .months
        .first()
        .map_or(Decimal::ZERO, |m| m.budget.budget);
    let max = report
        .months
        .iter()
        .map(|m| m.totals.cost)
        .fold(budget, Decimal::max);
    let eighths = |d: Decimal| -> u32 {
        if max.is_zero() {
            return 0;
        }
        let e = (d * Decimal::from(CHART_WIDTH * 8) / max).round();
        u32::try_from(e.mantissa() / 10i128.pow(e.scale()))
            .unwrap_or(0)
            .min(CHART_WIDTH * 8)
    };
    let marker = (!budget.is_zero()).then(|| (eighths(budget) / 8).min(CHART_WIDTH - 1));
    let (full, mark, partial): (char, char, &[char]) = if ascii {
        ('#', '|', &[' ', ' ', ' ', ' ', '#', '#', '#', '#'])
    } else {
        ('█', '│', &[' ', '▏', '▎', '▍', '▌', '▋', '▊', '▉'])
    };
    let mut lines = vec![format!(
        "cost per month, {} = budget {} {}",
        mark,
        money(budget),
        report.currency
    )];
    for m in &report.months {
        let e = eighths(m.totals.cost);
        let bar: String = (0..CHART_WIDTH)
            .map(|i| {
                let c = if i < e / 8 {
                    full
                } else if i == e / 8 {
                    partial[(e % 8) as usize]
                } else {
                    ' '
                };
                if Some(i) == marker {
                    mark
                } else {
                    c
                }
            })
            .collect();
        lines.push(format!(
            "{} {} {} {}",
            m.month,
            bar,
            cost(&m.totals),
            report.currency
        ));
    }
    lines
}
