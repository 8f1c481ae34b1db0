//! CSV output: the estimate's monthly rows or the `--by` long format, in the plain style
//! (`,` between fields, `.` in numbers) or for comma-decimal spreadsheets (`--decimal-comma`:
//! `;` between fields, `,` in numbers), which French or German Excel opens as numbers.
//!
//! Every CSV waprice writes goes through [`SafeWriter`]: a field that a spreadsheet would take
//! for a formula (it begins with `=`, `+`, `-`, `@`, a tab or a carriage return) is written
//! with a leading `'`, unless it is a plain number (`+33612345678`, `-13.19`, `-13,19`), which
//! no spreadsheet evaluates as anything but a number. Names from the user's own files
//! (`=1+1`, `+cmd`, `@SUM(A1)`) stay text.

use super::{exact, BREAKDOWN_HEADER, BREAKDOWN_TIER_HEADER, ESTIMATE_HEADER};
use crate::event::UnitCategory;
use crate::report::{By, Report};
use rust_decimal::Decimal;
use std::io::Write;

/// How a CSV is written for its reader: the separator and decimal mark, and a byte-order mark.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CsvStyle {
    /// `--decimal-comma`: `;` between fields and `,` in numbers, as spreadsheets in most of
    /// Europe read CSV.
    pub decimal_comma: bool,
    /// A UTF-8 byte-order mark first, so that Excel on Windows reads accents right.
    pub bom: bool,
}

/// UTF-8's byte-order mark.
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

impl CsvStyle {
    /// A writer in this style; the byte-order mark, if asked for, is written at once.
    pub fn writer<W: Write>(self, mut out: W) -> std::io::Result<SafeWriter<W>> {
        if self.bom {
            out.write_all(BOM)?;
        }
        Ok(SafeWriter::new(
            ::csv::WriterBuilder::new()
                .delimiter(if self.decimal_comma { b';' } else { b',' })
                .from_writer(out),
        ))
    }

    /// A decimal at full precision in this style.
    pub fn decimal(self, d: Decimal) -> String {
        self.number(exact(d))
    }

    /// A number already written with a `.` decimal point, in this style.
    pub fn number(self, s: String) -> String {
        if self.decimal_comma {
            s.replace('.', ",")
        } else {
            s
        }
    }
}

/// Whether a spreadsheet would read `field` as a formula: it begins with `=`, `+`, `-`, `@`,
/// a tab or a carriage return and is not a plain number.
pub fn needs_quote(field: &[u8]) -> bool {
    match field.first() {
        Some(b'=' | b'@' | b'\t' | b'\r') => true,
        Some(b'+' | b'-') => !is_plain_number(&field[1..]),
        _ => false,
    }
}

/// Digits, with at most one `.` or `,` between digits: what waprice writes for amounts,
/// counts and E.164 numbers after the sign.
fn is_plain_number(s: &[u8]) -> bool {
    let (int, frac) = match s.iter().position(|&b| b == b'.' || b == b',') {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let digits = |p: &[u8]| !p.is_empty() && p.iter().all(u8::is_ascii_digit);
    digits(int) && frac.is_none_or(digits)
}

/// The I/O error under a csv writer's error (writing fails only on I/O).
fn io_error(e: ::csv::Error) -> std::io::Error {
    if !e.is_io_error() {
        return std::io::Error::other(e);
    }
    match e.into_kind() {
        ::csv::ErrorKind::Io(e) => e,
        other => std::io::Error::other(format!("{other:?}")),
    }
}

/// A CSV writer that keeps every field a spreadsheet would evaluate as text (see the module's
/// rule). Numbers and ordinary text go through untouched, without a copy.
pub struct SafeWriter<W: Write> {
    inner: ::csv::Writer<W>,
    scratch: Vec<u8>,
}

impl<W: Write> SafeWriter<W> {
    /// Wraps a csv writer.
    pub fn new(inner: ::csv::Writer<W>) -> Self {
        SafeWriter {
            inner,
            scratch: Vec::new(),
        }
    }

    /// A writer in the plain style (for CSV that takes no `--decimal-comma`).
    pub fn plain(out: W) -> Self {
        Self::new(::csv::Writer::from_writer(out))
    }

    /// Writes one record. A failed write is the `std::io::Error` itself (not wrapped in a
    /// csv error), so a closed pipe is seen as one wherever the error goes.
    pub fn write_record<I, T>(&mut self, record: I) -> std::io::Result<()>
    where
        I: IntoIterator<Item = T>,
        T: AsRef<[u8]>,
    {
        for field in record {
            let field = field.as_ref();
            if needs_quote(field) {
                self.scratch.clear();
                self.scratch.push(b'\'');
                self.scratch.extend_from_slice(field);
                self.inner.write_field(&self.scratch).map_err(io_error)?;
            } else {
                self.inner.write_field(field).map_err(io_error)?;
            }
        }
        self.inner
            .write_record(std::iter::empty::<&[u8]>())
            .map_err(io_error)
    }

    /// Writes out what the csv writer holds.
    pub fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// `estimate --format csv`: one row per month, or per breakdown line with `--by`.
pub fn estimate(report: &Report, style: CsvStyle, out: impl Write) -> std::io::Result<()> {
    let mut w = style.writer(out)?;
    match &report.breakdown {
        None => {
            w.write_record(ESTIMATE_HEADER)?;
            for m in &report.months {
                let t = &m.totals;
                let mut row: Vec<String> = vec![m.month.to_string()];
                row.extend(
                    UnitCategory::ALL
                        .iter()
                        .map(|c| t.billable[c.index()].to_string()),
                );
                row.extend([
                    t.free.to_string(),
                    t.billable_total().to_string(),
                    t.unpriced.to_string(),
                    style.decimal(t.cost),
                    style.decimal(m.budget.budget),
                    style.decimal(m.budget.overage),
                    report.currency.clone(),
                    t.derived.to_string(),
                    t.substituted.to_string(),
                ]);
                w.write_record(&row)?;
            }
        }
        Some(lines) if report.by == Some(By::Tier) => {
            w.write_record(BREAKDOWN_TIER_HEADER)?;
            for l in lines {
                w.write_record([
                    l.month.to_string(),
                    l.market.clone().unwrap_or_default(),
                    l.category.map(|c| c.name().to_string()).unwrap_or_default(),
                    l.tier.map(|t| t.to_string()).unwrap_or_default(),
                    l.billable.to_string(),
                    l.free.to_string(),
                    style.decimal(l.cost),
                    report.currency.clone(),
                ])?;
            }
        }
        Some(lines) => {
            w.write_record(BREAKDOWN_HEADER)?;
            for l in lines {
                w.write_record([
                    l.month.to_string(),
                    l.market.clone().unwrap_or_default(),
                    l.category.map(|c| c.name().to_string()).unwrap_or_default(),
                    l.billable.to_string(),
                    l.free.to_string(),
                    style.decimal(l.cost),
                    report.currency.clone(),
                ])?;
            }
        }
    }
    w.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(style: CsvStyle, fields: &[&str]) -> String {
        let mut out = Vec::new();
        {
            let mut w = style.writer(&mut out).unwrap();
            w.write_record(fields).unwrap();
            w.flush().unwrap();
        }
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn formula_like_names_are_kept_as_text() {
        assert_eq!(
            written(
                CsvStyle::default(),
                &["=1+1", "+cmd", "@SUM(A1)", "-x", "\tA", "\rB"]
            ),
            "'=1+1,'+cmd,'@SUM(A1),'-x,'\tA,\"'\rB\"\n"
        );
        // A sign with more than a number after it is a formula to a spreadsheet.
        assert_eq!(
            written(CsvStyle::default(), &["-1+1", "+", "-"]),
            "'-1+1,'+,'-\n"
        );
    }

    #[test]
    fn numbers_waprice_writes_stay_numbers() {
        assert_eq!(
            written(
                CsvStyle::default(),
                &["+33612345678", "-13.19", "0.0712", "2024-03", "a=b"]
            ),
            "+33612345678,-13.19,0.0712,2024-03,a=b\n"
        );
        let comma = CsvStyle {
            decimal_comma: true,
            bom: false,
        };
        assert_eq!(written(comma, &["-13,19", "=x"]), "-13,19;'=x\n");
    }

    #[test]
    fn bom_comes_first_once() {
        let style = CsvStyle {
            decimal_comma: false,
            bom: true,
        };
        let out = written(style, &["é"]);
        assert_eq!(out.as_bytes()[..3], *BOM);
        assert_eq!(&out[3..], "é\n");
    }
}
