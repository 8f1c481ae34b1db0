//! Tariff files as they come off a download: CSV text, or a spreadsheet workbook (Meta
//! publishes its cards as `.xlsx` too, with the list rates and the volume tiers on separate
//! sheets). A workbook's sheet is turned into CSV text, one line per sheet row, so every
//! layout is read by the same code and errors name the sheet's row as the line.

use crate::error::BadInput;
use calamine::{open_workbook_auto_from_rs, Data, Reader};
use std::fmt::Write as _;
use std::io::Cursor;

/// What a file is loaded as, to choose a workbook's sheet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Want {
    /// `--tariff`: the sheet of list rates.
    Card,
    /// `--tiers`: the sheet of volume tiers.
    Tiers,
    /// `tariffs check`: the list rates, else the tiers.
    Any,
}

/// A tariff file's text, and where it came from.
#[derive(Debug, Clone)]
pub struct Source {
    /// The path, with the sheet for a workbook: `rates.xlsx, sheet 'List rates'`.
    pub origin: String,
    /// The sheet (or file) as CSV text.
    pub text: String,
    /// Which sheet was read, for the user.
    pub notes: Vec<String>,
}

const EXPORT: &str = "export the List rates sheet as CSV (UTF-8) and pass that file";

/// Reads a tariff file's bytes: UTF-8 text as is, a workbook (xlsx, xls, xlsb, ods) through
/// its sheet of list rates or tiers.
pub fn read(path: &str, bytes: Vec<u8>, want: Want) -> Result<Source, BadInput> {
    let workbook = bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]);
    if workbook {
        return read_workbook(path, bytes, want);
    }
    match String::from_utf8(bytes) {
        Ok(text) => Ok(Source {
            origin: path.to_string(),
            text,
            notes: Vec::new(),
        }),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let bytes = e.as_bytes();
            let line = 1 + bytes[..at].iter().filter(|&&b| b == b'\n').count();
            Err(BadInput::new(format!(
                "{path}, line {line}: not UTF-8 text (byte 0x{:02X}) and not a spreadsheet",
                bytes[at]
            ))
            .hint("save the file as CSV UTF-8, or pass Meta's .xlsx workbook as downloaded"))
        }
    }
}

/// A cell as CSV text. Numbers are stored as binary floats in a workbook; they are written
/// with the 15 significant digits a spreadsheet shows, so 0.0038 reads back as 0.0038 and a
/// computed 0.0038000000000000004 does too (rates become exact decimals from this text).
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => {
            // One sheet row is one line: a line break inside a cell becomes a space.
            s.split(['\r', '\n']).collect::<Vec<_>>().join(" ")
        }
        Data::Int(i) => i.to_string(),
        Data::Float(f) => shown_float(*f),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) => match d.as_datetime() {
            Some(dt) if d.is_datetime() => dt.date().format("%Y-%m-%d").to_string(),
            _ => shown_float(d.as_f64()),
        },
        // Never read as n/a or a number: the rate parsers refuse it with its row and column.
        Data::Error(e) => format!("spreadsheet error {e}"),
    }
}

fn shown_float(f: f64) -> String {
    if !f.is_finite() {
        return f.to_string();
    }
    let rounded: f64 = format!("{f:.14e}").parse().unwrap_or(f);
    let s = rounded.to_string();
    if s == "-0" {
        "0".to_string()
    } else {
        s
    }
}

/// A sheet as CSV text, with blank lines for the empty rows above its first cell so that line
/// numbers are the sheet's row numbers.
fn to_csv(range: &calamine::Range<Data>) -> String {
    let mut out = String::new();
    let Some((row0, col0)) = range.start() else {
        return out;
    };
    for _ in 0..row0 {
        out.push('\n');
    }
    for row in range.rows() {
        let mut fields: Vec<String> = vec![String::new(); col0 as usize];
        fields.extend(row.iter().map(cell_text));
        while fields.last().is_some_and(|f| f.is_empty()) {
            fields.pop();
        }
        for (i, f) in fields.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            if f.contains([',', '"', '\n', '\r']) || f.starts_with(' ') || f.ends_with(' ') {
                let _ = write!(out, "\"{}\"", f.replace('"', "\"\""));
            } else {
                out.push_str(f);
            }
        }
        out.push('\n');
    }
    out
}

/// What a sheet holds, from its first rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Holds {
    Card,
    Tiers,
    Nothing,
}

fn holds(text: &str, origin: &str) -> Holds {
    use super::files::{detect, Layout};
    match detect(text, origin) {
        Ok(Layout::MetaTiers | Layout::WapriceTiers) => Holds::Tiers,
        Ok(_) => Holds::Card,
        Err(_) => Holds::Nothing,
    }
}

/// Letters only, lowercase: a sheet's name by meaning.
fn key(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

fn read_workbook(path: &str, bytes: Vec<u8>, want: Want) -> Result<Source, BadInput> {
    let mut book = open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|e| {
        BadInput::new(format!("{path}: cannot read the workbook: {e}")).hint(EXPORT)
    })?;
    let names = book.sheet_names();
    let mut sheets: Vec<(String, String, Holds)> = Vec::new();
    for name in &names {
        let origin = format!("{path}, sheet '{name}'");
        // A sheet that cannot be read (a chart sheet, say) holds no rates.
        let Ok(range) = book.worksheet_range(name) else {
            continue;
        };
        let text = to_csv(&range);
        let h = holds(&text, &origin);
        sheets.push((name.clone(), text, h));
    }
    let named = |s: &&(String, String, Holds), words: &[&str]| {
        let k = key(&s.0);
        words.iter().any(|w| k.contains(w))
    };
    let pick = |h: Holds, words: &[&str]| {
        sheets
            .iter()
            .filter(|s| s.2 == h)
            .find(|s| named(s, words))
            .or_else(|| sheets.iter().find(|s| s.2 == h))
    };
    let cards = || pick(Holds::Card, &["listrate", "ratecard"]);
    let tiers = || pick(Holds::Tiers, &["tier", "volume"]);
    let chosen = match want {
        Want::Card => cards(),
        Want::Tiers => tiers(),
        Want::Any => cards().or_else(tiers),
    };
    let list: Vec<String> = sheets.iter().map(|s| format!("'{}'", s.0)).collect();
    let Some((name, text, _)) = chosen else {
        let what = match want {
            Want::Tiers => "a volume-tier table",
            _ => "a rate card",
        };
        return Err(BadInput::new(format!(
            "{path}: no sheet of the workbook holds {what} (sheets: {}; none has a header line starting with 'Market' within its first 20 rows)",
            if list.is_empty() { "none".to_string() } else { list.join(", ") }
        ))
        .hint(EXPORT));
    };
    let mut notes = Vec::new();
    if sheets.len() > 1 {
        notes.push(format!(
            "{path}: read sheet '{name}' of the workbook's {} ({})",
            sheets.len(),
            list.join(", ")
        ));
    }
    Ok(Source {
        origin: format!("{path}, sheet '{name}'"),
        text: text.clone(),
        notes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_read_as_a_spreadsheet_shows_them() {
        assert_eq!(shown_float(0.0712), "0.0712");
        assert_eq!(shown_float(0.0038000000000000004), "0.0038");
        assert_eq!(shown_float(0.1 + 0.2), "0.3");
        assert_eq!(shown_float(100000.0), "100000");
        assert_eq!(shown_float(1e-5), "0.00001");
        assert_eq!(shown_float(0.0), "0");
    }

    #[test]
    fn cells_become_one_csv_line_per_row() {
        assert_eq!(
            cell_text(&Data::String("Market\n(per rate card)".into())),
            "Market (per rate card)"
        );
        assert_eq!(cell_text(&Data::Int(250000)), "250000");
        assert!(
            cell_text(&Data::Error(calamine::CellErrorType::NA)).starts_with("spreadsheet error")
        );
    }

    #[test]
    fn text_that_is_neither_utf8_nor_a_workbook_is_refused_with_a_hint() {
        // "€" in Windows-1252 is 0x80.
        let e = read(
            "card.csv",
            b"Market,Currency\nFrance,\x80,0.07\n".to_vec(),
            Want::Card,
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("card.csv, line 2: not UTF-8 text (byte 0x80)"),
            "{e}"
        );
        assert!(e.contains("save the file as CSV UTF-8"), "{e}");
        let e = read("card.xlsx", b"PK\x03\x04broken".to_vec(), Want::Card)
            .unwrap_err()
            .to_string();
        assert!(e.contains("card.xlsx: cannot read the workbook"), "{e}");
        assert!(e.contains("export the List rates sheet as CSV"), "{e}");
    }
}
