//! The comparison as a table for people: per month, messages and billed units on which both
//! sides agree, and the cost of each side's verdicts.

use super::*;

/// A percentage for people: one decimal.
pub(super) fn pct(p: Option<Decimal>) -> String {
    p.map_or("-".into(), |p| {
        format!(
            "{:.1}%",
            p.round_dp_with_strategy(1, RoundingStrategy::MidpointAwayFromZero)
        )
    })
}

/// A percentage for programs: two decimals, as a string (empty or null when undefined).
pub(super) fn pct_exact(p: Option<Decimal>) -> Option<String> {
    p.map(|p| {
        format!(
            "{:.2}",
            p.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
        )
    })
}

pub(super) fn right(s: impl ToString) -> Cell {
    Cell::new(s).set_alignment(CellAlignment::Right)
}

/// Money for the table; "≥" when some billed units had no rate.
pub(super) fn cost(d: Decimal, unpriced: u64) -> String {
    if unpriced > 0 {
        format!("≥ {}", money(d))
    } else {
        money(d)
    }
}

pub(super) fn new_table() -> Table {
    let mut t = Table::new();
    t.load_preset(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Disabled)
        .force_no_tty();
    t
}

pub(super) fn figures_row(label: String, f: &Figures) -> Vec<Cell> {
    vec![
        Cell::new(label),
        right(f.messages),
        right(f.compared),
        right(f.agreeing),
        right(pct(f.agreement())),
        right(f.billed_waprice),
        right(f.billed_meta),
        right(f.billed_agreeing),
        right(pct(f.billed_agreement())),
        right(cost(f.cost_waprice, f.unpriced_waprice)),
        right(cost(f.cost_meta, f.unpriced_meta)),
        right(money(f.cost_difference())),
    ]
}

pub(super) fn table(
    rec: &Reconciliation,
    analytics: Option<&Analytics>,
    cur: &str,
    notes: &[String],
    mut out: impl Write,
) -> std::io::Result<()> {
    let mut t = new_table();
    t.set_header(vec![
        "month".to_string(),
        "messages".into(),
        "compared".into(),
        "agree".into(),
        "agreement".into(),
        "billed waprice".into(),
        "billed Meta".into(),
        "billed alike".into(),
        "billed agreement".into(),
        format!("cost waprice {cur}"),
        format!("cost Meta {cur}"),
        "difference".into(),
    ]);
    for (month, f) in &rec.months {
        t.add_row(figures_row(month.to_string(), f));
    }
    t.add_row(figures_row("total".into(), &rec.total));
    writeln!(out, "{t}")?;
    if let Some(a) = analytics {
        let unit = match a.kind {
            analytics::Kind::Pricing => "messages",
            analytics::Kind::Conversation => "conversations",
        };
        let mut t = new_table();
        t.set_header(vec![
            "month".to_string(),
            format!("Meta {unit}"),
            format!("waprice {unit}"),
            "Meta billed".into(),
            "waprice billed".into(),
            format!("Meta cost {cur}"),
            format!("waprice cost {cur}"),
            "difference".into(),
        ]);
        for month in months(rec, Some(a)) {
            let f = rec.months.get(&month).cloned().unwrap_or_default();
            let m = a.months.get(&month).cloned().unwrap_or_default();
            t.add_row(vec![
                Cell::new(month),
                right(m.volume),
                right(f.units_waprice),
                right(m.billed.map_or("-".into(), |b| b.to_string())),
                right(f.billed_waprice),
                right(m.cost.map_or("-".into(), money)),
                right(cost(f.cost_waprice, f.unpriced_waprice)),
                right(m.cost.map_or("-".into(), |c| money(f.cost_waprice - c))),
            ]);
        }
        writeln!(out, "Meta's {}:", a.kind.name())?;
        writeln!(out, "{t}")?;
    }
    if !notes.is_empty() {
        writeln!(out, "notes:")?;
        for n in notes {
            writeln!(out, "- {n}")?;
        }
    }
    Ok(())
}
