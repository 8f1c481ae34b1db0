//! `--format html`: one self-contained, printable page (XHTML, so any XML parser reads it):
//! inline SVG charts, the tables of the CSV of the same run, and the notes. No script, no
//! stylesheet or font from the network; every text from the user's files is escaped.
//!
//! The tables are the CSV of the same view read back (without the `'` that keeps a formula-like
//! name from being evaluated in a spreadsheet), so they carry the same figures at the same
//! precision; the charts round to cents, as the table output does.

use super::csv::{needs_quote, CsvStyle};
use super::money;
use crate::calendar::Month;
use crate::report::invoices::{InvoiceLine, Invoices};
use crate::report::Report;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write;

/// Text for XML: `&`, `<`, `>`, `"` and `'` escaped, control characters (which XML 1.0 does
/// not allow) dropped.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "
body { font-family: 'DejaVu Sans', Arial, Helvetica, sans-serif; font-size: 10.5pt; color: #1f2933; margin: 2em; }
h1 { font-size: 16pt; margin-bottom: 0.2em; }
h2 { font-size: 12.5pt; margin-top: 1.6em; border-bottom: 1px solid #cbd2d9; padding-bottom: 0.2em; }
p.sub { color: #52606d; margin-top: 0; }
table { border-collapse: collapse; margin: 0.6em 0; }
th, td { border: 1px solid #cbd2d9; padding: 2px 4px; }
td { white-space: nowrap; }
table { font-size: 8.5pt; }
th { background: #ddebf7; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
tr.total td { font-weight: bold; background: #f5f7fa; }
ul.notes li { margin: 0.15em 0; }
svg { display: block; margin: 0.6em 0; }
svg text { font-family: 'DejaVu Sans', Arial, Helvetica, sans-serif; font-size: 11px; fill: #1f2933; }
@media print { body { margin: 0; } h2 { break-after: avoid; } table, svg { break-inside: avoid; } }
@page { size: A4 landscape; margin: 12mm; }
";

/// The page being written.
struct Page {
    body: String,
}

impl Page {
    fn new() -> Page {
        Page {
            body: String::new(),
        }
    }

    fn h1(&mut self, title: &str, sub: &str) {
        let _ = write!(
            self.body,
            "<h1>{}</h1>\n<p class=\"sub\">{}</p>\n",
            esc(title),
            esc(sub)
        );
    }

    fn h2(&mut self, title: &str) {
        let _ = writeln!(self.body, "<h2>{}</h2>", esc(title));
    }

    /// A table of CSV text (header and rows), numbers right-aligned; `totals` rows in bold.
    fn table(&mut self, id: &str, csv: &[u8], totals: &[Vec<String>]) {
        let (header, rows) = read_csv(csv);
        let _ = writeln!(self.body, "<table id=\"{}\">", esc(id));
        self.body.push_str("<thead><tr>");
        for h in &header {
            // Long names (authentication_international) may break after an underscore.
            let _ = write!(self.body, "<th>{}</th>", esc(h).replace('_', "_<wbr/>"));
        }
        self.body.push_str("</tr></thead>\n<tbody>\n");
        for row in &rows {
            self.row(row, "");
        }
        for row in totals {
            self.row(row, " class=\"total\"");
        }
        self.body.push_str("</tbody>\n</table>\n");
    }

    fn row(&mut self, row: &[String], class: &str) {
        let _ = write!(self.body, "<tr{class}>");
        for f in row {
            let digits = f.strip_prefix('-').unwrap_or(f);
            let numeric = !digits.is_empty()
                && digits.chars().all(|c| c.is_ascii_digit() || c == '.')
                && digits.matches('.').count() <= 1;
            let _ = write!(
                self.body,
                "<td{}>{}</td>",
                if numeric { " class=\"n\"" } else { "" },
                esc(f)
            );
        }
        self.body.push_str("</tr>\n");
    }

    fn notes(&mut self, notes: &[String]) {
        if notes.is_empty() {
            return;
        }
        self.h2("Notes");
        self.body.push_str("<ul class=\"notes\">\n");
        for n in notes {
            let _ = writeln!(self.body, "<li>{}</li>", esc(n));
        }
        self.body.push_str("</ul>\n");
    }

    fn write(self, title: &str, mut out: impl Write) -> std::io::Result<()> {
        write!(
            out,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n{}</body>\n</html>\n",
            esc(title),
            self.body
        )
    }
}

/// CSV as waprice wrote it, read back: the header and the rows, each field without the `'`
/// that kept a formula-like text from being evaluated.
pub fn read_csv(csv: &[u8]) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = ::csv::ReaderBuilder::new().from_reader(csv);
    let header = r
        .headers()
        .map(|h| h.iter().map(str::to_string).collect())
        .unwrap_or_default();
    let rows = r
        .records()
        .filter_map(Result::ok)
        .map(|rec| rec.iter().map(unguard).collect())
        .collect();
    (header, rows)
}

fn unguard(field: &str) -> String {
    match field.strip_prefix('\'') {
        Some(rest) if needs_quote(rest.as_bytes()) => rest.to_string(),
        _ => field.to_string(),
    }
}

/// One bar of a chart: its label, its value, and (for cost against budget) the budget.
struct Bar {
    label: String,
    value: Decimal,
    budget: Option<Decimal>,
}

fn f(d: Decimal) -> f64 {
    d.to_f64().unwrap_or(0.0)
}

/// Vertical bars (cost per month) with each month's budget as a dashed line across its bar.
fn month_chart(page: &mut Page, title: &str, currency: &str, bars: &[Bar]) {
    let (w, h, left, bottom, top) = (760.0, 260.0, 70.0, 40.0, 30.0);
    let max = bars
        .iter()
        .map(|b| f(b.value).max(b.budget.map_or(0.0, f)))
        .fold(0.0, f64::max);
    let max = if max <= 0.0 { 1.0 } else { max * 1.1 };
    let plot_h = h - bottom - top;
    let slot = (w - left - 10.0) / bars.len().max(1) as f64;
    let bar_w = (slot * 0.6).min(60.0);
    let y = |v: f64| top + plot_h - v / max * plot_h;
    let _ = writeln!(
        page.body,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-label=\"{}\">",
        esc(title)
    );
    let _ = writeln!(
        page.body,
        "<text x=\"{left}\" y=\"16\" font-weight=\"bold\">{}</text>",
        esc(title)
    );
    // Axis with four gridlines.
    for i in 0..=4 {
        let v = max / 4.0 * f64::from(i);
        let _ = writeln!(
            page.body,
            "<line x1=\"{left}\" x2=\"{}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"#e4e7eb\"/><text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{v:.2}</text>",
            w - 10.0,
            left - 6.0,
            y(v) + 4.0,
            y = y(v)
        );
    }
    for (i, b) in bars.iter().enumerate() {
        let cx = left + slot * (i as f64 + 0.5);
        let v = f(b.value);
        let over = b.budget.is_some_and(|budget| b.value > budget);
        let _ = writeln!(
            page.body,
            "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{bar_w:.1}\" height=\"{:.1}\" fill=\"{}\"><title>{}: {} {}</title></rect>",
            cx - bar_w / 2.0,
            y(v),
            (top + plot_h - y(v)).max(0.0),
            if over { "#d64545" } else { "#3e7cb1" },
            esc(&b.label),
            money(b.value),
            esc(currency)
        );
        let _ = writeln!(
            page.body,
            "<text x=\"{cx:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text><text x=\"{cx:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
            y(v) - 4.0,
            money(b.value),
            h - bottom + 16.0,
            esc(&b.label)
        );
        if let Some(budget) = b.budget {
            let by = y(f(budget));
            let _ = writeln!(
                page.body,
                "<line x1=\"{:.1}\" x2=\"{:.1}\" y1=\"{by:.1}\" y2=\"{by:.1}\" stroke=\"#1f2933\" stroke-width=\"2\" stroke-dasharray=\"5 3\"><title>budget {}: {} {}</title></line>",
                cx - slot / 2.0 + 4.0,
                cx + slot / 2.0 - 4.0,
                esc(&b.label),
                money(budget),
                esc(currency)
            );
        }
    }
    let legend_y = h - 8.0;
    let _ = writeln!(
        page.body,
        "<rect x=\"{left}\" y=\"{:.1}\" width=\"10\" height=\"10\" fill=\"#3e7cb1\"/><text x=\"{}\" y=\"{legend_y}\">cost ({})</text><rect x=\"{}\" y=\"{:.1}\" width=\"10\" height=\"10\" fill=\"#d64545\"/><text x=\"{}\" y=\"{legend_y}\">cost over budget</text>{}",
        legend_y - 9.0,
        left + 14.0,
        esc(currency),
        left + 130.0,
        legend_y - 9.0,
        left + 144.0,
        if bars.iter().any(|b| b.budget.is_some()) {
            format!(
                "<line x1=\"{}\" x2=\"{}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"#1f2933\" stroke-width=\"2\" stroke-dasharray=\"5 3\"/><text x=\"{}\" y=\"{legend_y}\">budget</text>",
                left + 270.0,
                left + 290.0,
                legend_y - 4.0,
                legend_y - 4.0,
                left + 296.0
            )
        } else {
            String::new()
        }
    );
    page.body.push_str("</svg>\n");
}

/// Horizontal bars: the largest overages, largest first.
fn overage_chart(page: &mut Page, title: &str, currency: &str, bars: &[Bar]) {
    let row_h = 22.0;
    let (w, left, top) = (760.0, 230.0, 28.0);
    let h = top + row_h * bars.len() as f64 + 10.0;
    let max = bars.iter().map(|b| f(b.value)).fold(0.0, f64::max);
    let max = if max <= 0.0 { 1.0 } else { max };
    let span = w - left - 120.0;
    let _ = writeln!(
        page.body,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-label=\"{}\">",
        esc(title)
    );
    let _ = writeln!(
        page.body,
        "<text x=\"0\" y=\"16\" font-weight=\"bold\">{}</text>",
        esc(title)
    );
    for (i, b) in bars.iter().enumerate() {
        let y = top + row_h * i as f64;
        let len = (f(b.value) / max * span).max(1.0);
        let _ = writeln!(
            page.body,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text><rect x=\"{left}\" y=\"{y:.1}\" width=\"{len:.1}\" height=\"{:.1}\" fill=\"#d64545\"/><text x=\"{:.1}\" y=\"{:.1}\">{} {}</text>",
            left - 8.0,
            y + 14.0,
            esc(&b.label),
            row_h - 6.0,
            left + len + 6.0,
            y + 14.0,
            money(b.value),
            esc(currency)
        );
    }
    page.body.push_str("</svg>\n");
}

/// `estimate --format html`: cost per month against the budget, the months (and the `--by`
/// breakdown) as in the CSV, and the notes.
pub fn estimate(report: &Report, log: &str, mut out: impl Write) -> std::io::Result<()> {
    let mut page = Page::new();
    let title = format!("WhatsApp cost estimate: {log}");
    page.h1(
        &title,
        &format!(
            "{} months, cost {} {}, budget {} {}, overage {} {}",
            report.months.len(),
            money(report.total.cost),
            report.currency,
            money(report.budget_total),
            report.currency,
            money(report.overage_total),
            report.currency
        ),
    );
    let bars: Vec<Bar> = report
        .months
        .iter()
        .map(|m| Bar {
            label: m.month.to_string(),
            value: m.totals.cost,
            budget: Some(m.budget.budget),
        })
        .collect();
    month_chart(
        &mut page,
        &format!("Cost per month against the budget ({})", report.currency),
        &report.currency,
        &bars,
    );
    page.h2("Months");
    let months = Report {
        breakdown: None,
        by: None,
        ..report.clone()
    };
    let mut csv = Vec::new();
    super::csv::estimate(&months, CsvStyle::default(), &mut csv)?;
    page.table("months", &csv, &[]);
    if report.breakdown.is_some() {
        page.h2("Breakdown");
        let mut csv = Vec::new();
        super::csv::estimate(report, CsvStyle::default(), &mut csv)?;
        page.table("breakdown", &csv, &[]);
    }
    page.notes(&report.notes);
    page.write(&title, &mut out)
}

/// The months of `lines` in `currency`: cost, and (unless `by_account`) the sum of budgets.
fn month_bars(lines: &[InvoiceLine], currency: &str, with_budget: bool) -> Vec<Bar> {
    let mut months: BTreeMap<Month, (Decimal, Decimal)> = BTreeMap::new();
    for l in lines.iter().filter(|l| l.currency == currency) {
        let m = months.entry(l.month).or_default();
        m.0 += l.cost;
        m.1 += l.budget;
    }
    months
        .into_iter()
        .map(|(month, (cost, budget))| Bar {
            label: month.to_string(),
            value: cost,
            budget: with_budget.then_some(budget),
        })
        .collect()
}

/// How many overages the chart shows per currency.
const TOP_OVERAGES: usize = 12;

/// `invoices --format html` (or with `by_account`, `estimate --by account`): per currency the
/// cost per month against the accounts' budgets and the largest overages, the lines as in
/// the CSV with a total per currency, and the notes.
pub fn invoices(inv: &Invoices, by_account: bool, mut out: impl Write) -> std::io::Result<()> {
    let mut page = Page::new();
    let title = if by_account {
        "WhatsApp cost per account"
    } else {
        "WhatsApp invoices per account"
    };
    let totals = inv.totals();
    let accounts: std::collections::BTreeSet<&str> =
        inv.lines.iter().map(|l| l.account.as_str()).collect();
    let summary: Vec<String> = totals
        .iter()
        .map(|t| {
            if by_account {
                format!("cost {} {}", money(t.cost), t.currency)
            } else {
                format!(
                    "cost {} {c}, budget {} {c}, overage {} {c}",
                    money(t.cost),
                    money(t.budget),
                    money(t.overage),
                    c = t.currency
                )
            }
        })
        .collect();
    page.h1(
        title,
        &format!("{} accounts; {}", accounts.len(), summary.join("; ")),
    );
    for t in &totals {
        let bars = month_bars(&inv.lines, &t.currency, !by_account);
        let chart = if by_account {
            format!("Cost per month ({})", t.currency)
        } else {
            format!(
                "Cost per month against the accounts' budgets ({})",
                t.currency
            )
        };
        month_chart(&mut page, &chart, &t.currency, &bars);
        if by_account {
            continue;
        }
        let top: Vec<Bar> = inv
            .by_overage()
            .into_iter()
            .filter(|l| l.currency == t.currency && l.overage > Decimal::ZERO)
            .take(TOP_OVERAGES)
            .map(|l| Bar {
                label: format!("{} {}", l.account, l.month),
                value: l.overage,
                budget: None,
            })
            .collect();
        if top.is_empty() {
            let _ = writeln!(
                page.body,
                "<p>No account went over its budget in {}.</p>",
                esc(&t.currency)
            );
        } else {
            overage_chart(
                &mut page,
                &format!("Largest overages ({})", t.currency),
                &t.currency,
                &top,
            );
        }
    }
    page.h2(if by_account { "Accounts" } else { "Invoices" });
    let mut csv = Vec::new();
    let (header_len, total_rows): (usize, Vec<Vec<String>>) = if by_account {
        super::invoices::by_account_csv(inv, CsvStyle::default(), &mut csv)?;
        (super::invoices::BY_ACCOUNT_HEADER.len(), Vec::new())
    } else {
        super::invoices::csv(inv, CsvStyle::default(), &mut csv)?;
        let rows = totals
            .iter()
            .map(|t| {
                let mut row = vec![String::new(); super::invoices::INVOICES_HEADER.len()];
                row[0] = "total".into();
                row[6] = t.cost.to_string();
                row[7] = t.budget.to_string();
                row[8] = t.overage.to_string();
                row[10] = t.currency.clone();
                row
            })
            .collect();
        (super::invoices::INVOICES_HEADER.len(), rows)
    };
    debug_assert!(total_rows.iter().all(|r| r.len() == header_len));
    page.table(
        if by_account { "accounts" } else { "invoices" },
        &csv,
        &total_rows,
    );
    page.notes(&inv.notes);
    page.write(title, &mut out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_text_is_escaped_and_formula_guards_are_undone() {
        assert_eq!(
            esc("<b>&\"x\"'</b>\u{7}"),
            "&lt;b&gt;&amp;&quot;x&quot;&#39;&lt;/b&gt;"
        );
        assert_eq!(unguard("'=1+1"), "=1+1");
        assert_eq!(unguard("'quoted"), "'quoted");
        assert_eq!(unguard("-12.5"), "-12.5");
    }
}
