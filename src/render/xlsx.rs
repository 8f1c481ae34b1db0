//! XLSX output: one workbook per run, a sheet per view, typed cells.
//!
//! Text stays text (phone numbers, months, names from the user's files, however they begin:
//! a cell written as a string is never evaluated), money is a number with the currency's
//! number format, counts are integers, dates are dates. The header row is frozen, columns are
//! as wide as their longest value, and a sheet with totals ends with a row of `SUM` formulas.
//!
//! Precision: Excel stores every number as an IEEE double. A money cell holds the double
//! nearest to the exact decimal, and the file carries the shortest digits that read back to
//! that double, which are the decimal's own digits whenever it has at most 15 significant
//! digits (every rate and cost of the bundled cards, and any amount under a billion at six
//! decimals). Beyond 15 significant digits Excel rounds; the CSV and JSON outputs keep every
//! digit.
//!
//! Sheets are written row by row in constant-memory mode, so a ledger of a million rows
//! needs no more memory than one of ten; past Excel's 1,048,576 rows a sheet refuses the row
//! with an error pointing to CSV.

use crate::error::BadInput;
use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};
use rust_decimal::Decimal;
use rust_xlsxwriter::{ExcelDateTime, Format, FormatAlign, Formula, Workbook, Worksheet};
use std::io::Write;

/// Excel's rows per sheet, the header included.
pub const MAX_ROWS: u32 = 1_048_576;

/// What a column holds, which decides its cells' type and number format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A string, never evaluated.
    Text,
    /// An amount in the workbook's currency.
    Money,
    /// A whole number.
    Count,
    /// A percentage from 0 to 100 (as the CSV writes it), shown with two decimals and `%`.
    Percent,
    /// A calendar date.
    Date,
    /// A date and a time of day (in the time zone the notes name).
    DateTime,
}

/// One cell's value. `Empty` leaves the cell blank.
#[derive(Debug, Clone, Copy)]
pub enum Value<'a> {
    /// Text.
    Text(&'a str),
    /// A number kept to its last digit (rates, costs in the sheet's currency).
    Decimal(Decimal),
    /// An amount in the given currency (registered with [`Book::add_currency`]), for sheets
    /// whose rows are in several currencies.
    Money(Decimal, &'a str),
    /// A whole count.
    Count(u64),
    /// A date cell.
    Date(NaiveDate),
    /// A date and time cell.
    DateTime(NaiveDateTime),
    /// A blank cell.
    Empty,
}

impl<'a> Value<'a> {
    /// Text, or a blank cell for the empty string.
    pub fn text(s: &'a str) -> Value<'a> {
        if s.is_empty() {
            Value::Empty
        } else {
            Value::Text(s)
        }
    }
}

/// One column of a sheet: its header, its kind of cell and whether the total row sums it.
pub struct Column<'a> {
    /// The header.
    pub name: &'a str,
    /// What its cells hold.
    pub kind: Kind,
    /// Summed in the totals row.
    pub total: bool,
}

impl<'a> Column<'a> {
    /// A column the total row leaves blank.
    pub fn new(name: &'a str, kind: Kind) -> Column<'a> {
        Column {
            name,
            kind,
            total: false,
        }
    }

    /// A column the total row sums.
    pub fn summed(name: &'a str, kind: Kind) -> Column<'a> {
        Column {
            name,
            kind,
            total: true,
        }
    }
}

struct Formats {
    header: Format,
    money: Format,
    count: Format,
    percent: Format,
    date: Format,
    datetime: Format,
    bold_money: Format,
    bold_count: Format,
    bold: Format,
    /// Per currency code: the money format and its bold twin ([`Value::Money`]).
    currencies: Vec<(String, Format, Format)>,
}

impl Formats {
    /// The money format of `currency` (bold for totals), or the workbook's own.
    fn money_in(&self, currency: &str, bold: bool) -> &Format {
        match self.currencies.iter().find(|(c, _, _)| c == currency) {
            Some((_, plain, strong)) => {
                if bold {
                    strong
                } else {
                    plain
                }
            }
            None if bold => &self.bold_money,
            None => &self.money,
        }
    }
}

/// A workbook being written.
pub struct Book {
    wb: Workbook,
    formats: Formats,
    /// The most rows a sheet takes, the header included (Excel's limit; lower in tests).
    max_rows: u32,
}

/// Excel's number format for an amount in `currency`: at least two decimals, up to ten more
/// shown as they are, the ISO code after the number.
pub fn money_format(currency: &str) -> String {
    let code: String = currency
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    format!("#,##0.00########\\ \"{code}\";\\-#,##0.00########\\ \"{code}\"")
}

impl Book {
    /// A workbook whose money cells are in `currency`.
    pub fn new(currency: &str) -> Book {
        let money = Format::new().set_num_format(money_format(currency));
        let count = Format::new().set_num_format("#,##0");
        let bold = Format::new().set_bold();
        Book {
            wb: Workbook::new(),
            formats: Formats {
                header: Format::new()
                    .set_bold()
                    .set_align(FormatAlign::Center)
                    .set_background_color(0xDDEBF7),
                bold_money: money.clone().set_bold(),
                bold_count: count.clone().set_bold(),
                money,
                count,
                percent: Format::new().set_num_format("0.00\\ \"%\""),
                date: Format::new().set_num_format("yyyy-mm-dd"),
                datetime: Format::new().set_num_format("yyyy-mm-dd hh:mm:ss"),
                bold,
                currencies: Vec::new(),
            },
            max_rows: MAX_ROWS,
        }
    }

    /// Registers `currency` for [`Value::Money`] cells (before the sheets that use it).
    pub fn add_currency(&mut self, currency: &str) {
        if self
            .formats
            .currencies
            .iter()
            .any(|(c, _, _)| c == currency)
        {
            return;
        }
        let f = Format::new().set_num_format(money_format(currency));
        self.formats
            .currencies
            .push((currency.to_string(), f.clone(), f.set_bold()));
    }

    #[cfg(test)]
    fn with_max_rows(mut self, n: u32) -> Book {
        self.max_rows = n;
        self
    }

    /// A new sheet named `name` with a frozen header row of `columns`.
    pub fn sheet<'b>(
        &'b mut self,
        name: &str,
        columns: &'b [Column<'b>],
    ) -> Result<Sheet<'b>, rust_xlsxwriter::XlsxError> {
        let ws = self.wb.add_worksheet_with_constant_memory();
        ws.set_name(name)?;
        ws.set_freeze_panes(1, 0)?;
        // Printed (or saved as PDF): landscape, all columns on one page wide, the header
        // repeated on every page.
        ws.set_landscape().set_print_fit_to_pages(1, 0);
        ws.set_repeat_rows(0, 0)?;
        let mut widths = Vec::with_capacity(columns.len());
        for (i, c) in columns.iter().enumerate() {
            ws.write_string_with_format(0, i as u16, c.name, &self.formats.header)?;
            widths.push(c.name.chars().count() + 2);
        }
        Ok(Sheet {
            ws,
            f: &self.formats,
            columns,
            widths,
            row: 1,
            max_rows: self.max_rows,
        })
    }

    /// A sheet of notes, one a row.
    pub fn notes<S: AsRef<str>>(&mut self, notes: &[S]) -> Result<(), rust_xlsxwriter::XlsxError> {
        let columns = [Column::new("notes", Kind::Text)];
        let mut s = self.sheet("notes", &columns)?;
        for n in notes {
            s.ws.write_string(s.row, 0, n.as_ref())?;
            s.row += 1;
        }
        // Notes are sentences: a wide column, not one as wide as the longest note.
        s.ws.set_column_width(0, 120)?;
        Ok(())
    }

    /// Writes the workbook to `path`, or to standard output when there is none (or `-`).
    pub fn save(self, path: Option<&str>) -> anyhow::Result<()> {
        match path {
            None | Some("-") => self.write_to(std::io::stdout().lock()),
            Some(p) => {
                let mut wb = self.wb;
                wb.save(p)
                    .map_err(|e| anyhow::anyhow!("cannot write -o {p}: {e}"))
            }
        }
    }

    /// Writes the workbook to `out`.
    pub fn write_to(mut self, mut out: impl Write) -> anyhow::Result<()> {
        let bytes = self.wb.save_to_buffer()?;
        out.write_all(&bytes)?;
        out.flush()?;
        Ok(())
    }
}

/// A sheet being written, row by row.
pub struct Sheet<'b> {
    ws: &'b mut Worksheet,
    f: &'b Formats,
    columns: &'b [Column<'b>],
    widths: Vec<usize>,
    row: u32,
    max_rows: u32,
}

/// The error for a sheet with more rows than Excel takes.
pub fn too_many_rows(sheet: &str, max_rows: u32) -> BadInput {
    BadInput::new(format!(
        "the {sheet} sheet needs more than the {max_rows} rows an Excel sheet holds"
    ))
    .hint("write it as CSV (--format csv), which has no row limit")
}

impl Sheet<'_> {
    /// Appends a row of values, one per column.
    pub fn row(&mut self, values: &[Value]) -> anyhow::Result<()> {
        // The totals row needs one more.
        let reserve = u32::from(self.columns.iter().any(|c| c.total));
        if self.row + reserve >= self.max_rows {
            return Err(too_many_rows(self.ws.name().as_str(), self.max_rows).into());
        }
        for (i, (v, c)) in values.iter().zip(self.columns).enumerate() {
            let col = i as u16;
            let row = self.row;
            let width = match *v {
                Value::Empty => 0,
                Value::Text(s) => {
                    self.ws.write_string(row, col, s)?;
                    s.chars().count()
                }
                Value::Count(n) => {
                    self.ws
                        .write_number_with_format(row, col, n as f64, &self.f.count)?;
                    digits(n) + digits(n) / 3
                }
                Value::Decimal(d) => {
                    let f = match c.kind {
                        Kind::Percent => &self.f.percent,
                        _ => &self.f.money,
                    };
                    self.ws.write_number_with_format(row, col, to_f64(d), f)?;
                    decimal_len(d) + 5
                }
                Value::Money(d, currency) => {
                    let f = self.f.money_in(currency, false);
                    self.ws.write_number_with_format(row, col, to_f64(d), f)?;
                    decimal_len(d) + currency.len() + 2
                }
                Value::Date(d) => {
                    self.ws
                        .write_datetime_with_format(row, col, date(d)?, &self.f.date)?;
                    10
                }
                Value::DateTime(t) => {
                    self.ws
                        .write_datetime_with_format(row, col, datetime(t)?, &self.f.datetime)?;
                    19
                }
            };
            self.widths[i] = self.widths[i].max(width + 2);
        }
        self.row += 1;
        Ok(())
    }

    /// Ends the sheet: a totals row labelled `label` in the first column, with a `SUM` formula
    /// under every summed column (its cached value is `totals`' entry for the column, so a
    /// reader that does not recalculate still sees the total), then the column widths.
    pub fn finish(self, label: &str, totals: &[Option<Decimal>]) -> anyhow::Result<()> {
        self.finish_with(label, totals, &[])
    }

    /// [`Sheet::finish`], then under the totals row one labelled row per `extra` amount, in
    /// the last summed money column (a budget and an overage under a total cost).
    pub fn finish_with(
        self,
        label: &str,
        totals: &[Option<Decimal>],
        extra: &[(&str, Decimal)],
    ) -> anyhow::Result<()> {
        let mut s = self;
        // Totals (bold, with thousands separators) are wider than the values above them.
        let amounts = totals
            .iter()
            .enumerate()
            .filter_map(|(i, t)| t.map(|t| (i, t)))
            .chain(extra.iter().filter_map(|(_, a)| {
                s.columns
                    .iter()
                    .rposition(|c| c.total && c.kind == Kind::Money)
                    .map(|i| (i, *a))
            }))
            .collect::<Vec<_>>();
        for (i, t) in amounts {
            if let Some(w) = s.widths.get_mut(i) {
                let len = t.to_string().len();
                *w = (*w).max(len + len / 3 + 8);
            }
        }
        if s.columns.iter().any(|c| c.total) && s.row > 1 {
            let row = s.row;
            s.ws.write_string_with_format(row, 0, label, &s.f.bold)?;
            for (i, c) in s.columns.iter().enumerate().filter(|(_, c)| c.total) {
                let col = i as u16;
                let letter = rust_xlsxwriter::utility::column_number_to_name(col);
                let mut formula = Formula::new(format!("=SUM({letter}2:{letter}{row})"));
                if let Some(Some(v)) = totals.get(i) {
                    formula = formula.set_result(v.to_string());
                }
                let f = match c.kind {
                    Kind::Count => &s.f.bold_count,
                    _ => &s.f.bold_money,
                };
                s.ws.write_formula_with_format(row, col, formula, f)?;
            }
        }
        let money = s
            .columns
            .iter()
            .rposition(|c| c.total && c.kind == Kind::Money);
        if let Some(col) = money {
            for (i, (name, amount)) in extra.iter().enumerate() {
                let row = s.row + 1 + i as u32;
                s.ws.write_string_with_format(row, 0, *name, &s.f.bold)?;
                s.ws.write_number_with_format(row, col as u16, to_f64(*amount), &s.f.bold_money)?;
            }
        }
        for (i, w) in s.widths.iter().enumerate() {
            s.ws.set_column_width(i as u16, (*w).min(60) as f64)?;
        }
        Ok(())
    }
}

impl Sheet<'_> {
    /// Ends a sheet whose rows are in several currencies: under the rows, one totals row per
    /// currency, labelled `label` in the first column and with the currency in column
    /// `key`, and under every summed column a `SUMIF` formula over the rows of that currency
    /// (cached value: the group's entry for the column); then the column widths.
    pub fn finish_per_currency(
        self,
        label: &str,
        key: usize,
        groups: &[(&str, Vec<Option<Decimal>>)],
    ) -> anyhow::Result<()> {
        let mut s = self;
        let last = s.row;
        let key_letter = rust_xlsxwriter::utility::column_number_to_name(key as u16);
        for (currency, totals) in groups {
            if last == 1 {
                break;
            }
            let row = s.row;
            s.ws.write_string_with_format(row, 0, label, &s.f.bold)?;
            s.ws.write_string_with_format(row, key as u16, *currency, &s.f.bold)?;
            for (i, c) in s.columns.iter().enumerate().filter(|(_, c)| c.total) {
                let col = i as u16;
                let letter = rust_xlsxwriter::utility::column_number_to_name(col);
                let mut formula = Formula::new(format!(
                    "=SUMIF({key_letter}2:{key_letter}{last},\"{}\",{letter}2:{letter}{last})",
                    currency.replace('"', "\"\"")
                ));
                if let Some(Some(v)) = totals.get(i) {
                    formula = formula.set_result(v.to_string());
                    let len = v.to_string().len();
                    s.widths[i] = s.widths[i].max(len + len / 3 + currency.len() + 6);
                }
                let f = match c.kind {
                    Kind::Count => &s.f.bold_count,
                    _ => s.f.money_in(currency, true),
                };
                s.ws.write_formula_with_format(row, col, formula, f)?;
            }
            s.row += 1;
        }
        for (i, w) in s.widths.iter().enumerate() {
            s.ws.set_column_width(i as u16, (*w).min(60) as f64)?;
        }
        Ok(())
    }
}

/// The double nearest to `d`, read from its exact digits (so that the file carries those
/// digits back whenever a double can hold them).
pub fn to_f64(d: Decimal) -> f64 {
    d.to_string().parse().unwrap_or(f64::NAN)
}

/// The length of `d` written out, without writing it.
fn decimal_len(d: Decimal) -> usize {
    let m = d.mantissa().unsigned_abs();
    let digits = m.checked_ilog10().unwrap_or(0) as usize + 1;
    let scale = d.scale() as usize;
    let body = if scale == 0 {
        digits
    } else {
        digits.max(scale + 1) + 1
    };
    body + usize::from(d.is_sign_negative() && m != 0)
}

fn digits(n: u64) -> usize {
    n.checked_ilog10().unwrap_or(0) as usize + 1
}

fn date(d: NaiveDate) -> Result<ExcelDateTime, rust_xlsxwriter::XlsxError> {
    ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)
}

fn datetime(t: NaiveDateTime) -> Result<ExcelDateTime, rust_xlsxwriter::XlsxError> {
    date(t.date())?.and_hms(t.hour() as u16, t.minute() as u8, t.second() as f64)
}

/// Refuses to write a workbook to a terminal.
pub fn check_destination(path: Option<&str>) -> Result<(), BadInput> {
    use std::io::IsTerminal;
    if path.is_none() && std::io::stdout().is_terminal() {
        return Err(
            BadInput::new("--format xlsx writes a binary file, not text for a terminal")
                .hint("write it to a file with -o FILE (e.g. -o report.xlsx)"),
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{Data, Reader, Xlsx};
    use std::str::FromStr;

    fn read(bytes: Vec<u8>, sheet: &str) -> calamine::Range<Data> {
        let mut x: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        x.worksheet_range(sheet).unwrap()
    }

    fn saved(b: Book) -> Vec<u8> {
        let mut out = Vec::new();
        b.write_to(&mut out).unwrap();
        out
    }

    #[test]
    fn cells_are_typed_and_text_is_never_a_formula() {
        let mut b = Book::new("EUR");
        let cols = [
            Column::new("name", Kind::Text),
            Column::summed("count", Kind::Count),
            Column::summed("cost", Kind::Money),
            Column::new("day", Kind::Date),
        ];
        let mut s = b.sheet("view", &cols).unwrap();
        let d = |s| Decimal::from_str(s).unwrap();
        s.row(&[
            Value::Text("=1+1"),
            Value::Count(3),
            Value::Decimal(d("0.0712")),
            Value::Date(NaiveDate::from_ymd_opt(2025, 9, 2).unwrap()),
        ])
        .unwrap();
        s.row(&[
            Value::Text("+33612345678"),
            Value::Count(4),
            Value::Decimal(d("-13.19")),
            Value::Empty,
        ])
        .unwrap();
        s.finish("total", &[None, Some(d("7")), Some(d("-13.1188")), None])
            .unwrap();
        let r = read(saved(b), "view");
        assert_eq!(r.get((1, 0)), Some(&Data::String("=1+1".into())));
        assert_eq!(r.get((2, 0)), Some(&Data::String("+33612345678".into())));
        assert_eq!(r.get((1, 1)), Some(&Data::Float(3.0)));
        assert_eq!(r.get((1, 2)), Some(&Data::Float(0.0712)));
        assert_eq!(r.get((2, 2)), Some(&Data::Float(-13.19)));
        assert!(matches!(r.get((1, 3)), Some(Data::DateTime(_))));
        assert_eq!(r.get((3, 0)), Some(&Data::String("total".into())));
        assert_eq!(r.get((3, 1)), Some(&Data::Float(7.0)));
    }

    #[test]
    fn the_totals_row_is_a_sum_formula() {
        let mut b = Book::new("USD");
        let cols = [
            Column::new("month", Kind::Text),
            Column::summed("cost", Kind::Money),
        ];
        let mut s = b.sheet("months", &cols).unwrap();
        for m in ["2025-01", "2025-02"] {
            s.row(&[Value::Text(m), Value::Decimal(Decimal::ONE)])
                .unwrap();
        }
        s.finish("total", &[None, Some(Decimal::TWO)]).unwrap();
        let mut x: Xlsx<_> = Xlsx::new(std::io::Cursor::new(saved(b))).unwrap();
        let f = x.worksheet_formula("months").unwrap();
        assert_eq!(f.get_value((3, 1)).map(String::as_str), Some("SUM(B2:B3)"));
    }

    #[test]
    fn a_sheet_past_the_row_limit_is_refused_with_a_pointer_to_csv() {
        let mut b = Book::new("EUR").with_max_rows(3);
        let cols = [Column::new("n", Kind::Count)];
        let mut s = b.sheet("ledger", &cols).unwrap();
        s.row(&[Value::Count(1)]).unwrap();
        s.row(&[Value::Count(2)]).unwrap();
        let e = s.row(&[Value::Count(3)]).unwrap_err();
        let e = e.downcast::<BadInput>().unwrap();
        assert!(
            e.what.contains("ledger sheet needs more than the 3 rows"),
            "{e}"
        );
        assert!(e.hint.unwrap().contains("--format csv"));
    }

    #[test]
    fn decimal_len_is_the_written_length() {
        for s in [
            "0",
            "0.0712",
            "-13.19",
            "1234567.891234",
            "-0.0474",
            "100",
            "0.00000001",
        ] {
            let d = Decimal::from_str(s).unwrap();
            assert_eq!(decimal_len(d), d.to_string().len(), "{s}");
        }
    }

    #[test]
    fn money_keeps_its_digits_up_to_fifteen() {
        for s in ["0.0712", "1234567.891234", "-0.0474", "0.00000001"] {
            let d = Decimal::from_str(s).unwrap();
            assert_eq!(to_f64(d).to_string(), s.trim_start_matches('+'));
        }
        assert_eq!(
            money_format("EUR"),
            "#,##0.00########\\ \"EUR\";\\-#,##0.00########\\ \"EUR\""
        );
    }
}
