//! Output options: format, CSV style, the output file, and country arguments.

use crate::cli::{FormatArg, OutputArgs};
use anyhow::{Context, Result};
use waprice::error::BadInput;
use waprice::render::csv::CsvStyle;
use waprice::render::Format;
use waprice::tariff::market::{CountryId, MarketMap};

/// `--format` and `--decimal-comma`, checked together (and `-o` for a workbook).
pub fn output(o: &OutputArgs) -> Result<(Format, CsvStyle), BadInput> {
    let format = output_format(o.format)?;
    if format == Format::Xlsx {
        waprice::render::xlsx::check_destination(o.output.as_deref())?;
    }
    Ok((format, csv_style(format, o.decimal_comma, o.bom)?))
}

/// Standard output, or the file `-o` names.
pub fn open_output(path: Option<&str>) -> Result<std::io::BufWriter<Box<dyn std::io::Write>>> {
    let out: Box<dyn std::io::Write> = match path {
        None | Some("-") => Box::new(std::io::stdout().lock()),
        Some(p) => {
            Box::new(std::fs::File::create(p).with_context(|| format!("cannot write -o {p}"))?)
        }
    };
    Ok(std::io::BufWriter::new(out))
}

/// `--format` of a command that writes no workbook.
pub(crate) fn text_format(f: FormatArg, command: &str) -> Result<Format, BadInput> {
    match output_format(f)? {
        Format::Xlsx => Err(BadInput::new(format!(
            "--format xlsx: {command} writes table, CSV or JSON"
        ))
        .hint("use --format csv and open the CSV in a spreadsheet")),
        f => Ok(f),
    }
}

/// `--decimal-comma` shapes CSV only: with another format it is a usage error, not ignored.
pub(crate) fn csv_style(
    format: Format,
    decimal_comma: bool,
    bom: bool,
) -> Result<CsvStyle, BadInput> {
    if decimal_comma && format != Format::Csv {
        return Err(BadInput::new("--decimal-comma applies to CSV output").hint("add --format csv"));
    }
    if bom && format != Format::Csv {
        return Err(BadInput::new("--bom applies to CSV output").hint("add --format csv"));
    }
    Ok(CsvStyle { decimal_comma, bom })
}

/// `--country`: an ISO code (FR) or a calling code (+33, 33).
pub fn country_arg(markets: &MarketMap, code: &str) -> Result<CountryId, BadInput> {
    let code = code.trim();
    let found = if code.starts_with('+') || code.chars().all(|c| c.is_ascii_digit()) {
        markets.country_by_calling_code(code)
    } else {
        markets.country_by_iso(code)
    };
    found.ok_or_else(|| {
        BadInput::new(format!("--country {code}: unknown country")).hint(
            "use an ISO code (FR) or a calling code (+33); countries on none of Meta's lists pay the market Other",
        )
    })
}

pub(crate) fn output_format(f: FormatArg) -> Result<Format, BadInput> {
    Ok(match f {
        FormatArg::Table => Format::Table,
        FormatArg::Csv => Format::Csv,
        FormatArg::Json => Format::Json,
        FormatArg::Xlsx => Format::Xlsx,
        FormatArg::Html => {
            return Err(BadInput::new(
                "--format html: only estimate, invoices and merge write an HTML report",
            )
            .hint("use --format table, csv, json or xlsx"))
        }
    })
}

/// [`output`] for the commands that also write HTML: with `--format html`, the format the
/// other settings see is the table's, and the third value is true.
pub fn output_or_html(o: &OutputArgs) -> Result<(Format, CsvStyle, bool), BadInput> {
    if o.format == FormatArg::Html {
        return Ok((
            Format::Table,
            csv_style(Format::Table, o.decimal_comma, o.bom)?,
            true,
        ));
    }
    let (format, csv) = output(o)?;
    Ok((format, csv, false))
}
