//! How to read a log: input format, columns, dates, numbers, engine options.

use crate::cli::{InputFormatArg, LogArgs};
use anyhow::Result;
use chrono::NaiveDate;
use chrono_tz::Tz;
use std::str::FromStr;
use std::sync::Arc;
use waprice::engine::EngineConfig;
use waprice::error::BadInput;
use waprice::input::columns::Field;
use waprice::input::date_format::DateFormat;
use waprice::input::reader::InputOptions;
use waprice::input::templates::TemplateCatalogue;
use waprice::message::TemplateCategory;
use waprice::phone::numbering::Region;
use waprice::pipeline::options::{self, Spelling};
use waprice::pipeline::LogSource;
use waprice::tariff::market::MarketMap;

use super::*;

/// The library's [`LogSettings`] from the command line.
pub trait LogSettingsFromArgs: Sized {
    /// Every option of how to read the log and which rules apply, validated.
    fn from_args(a: &LogArgs, markets: &MarketMap) -> Result<Self>;
}

impl LogSettingsFromArgs for LogSettings {
    fn from_args(a: &LogArgs, markets: &MarketMap) -> Result<LogSettings> {
        let timezone = Tz::from_str(a.rules.timezone.trim()).map_err(|_| {
            BadInput::new(format!(
                "--timezone {}: not an IANA time zone",
                a.rules.timezone
            ))
            .hint("use a name such as UTC, Europe/Paris or America/Sao_Paulo")
        })?;
        let mut columns = Vec::new();
        for c in &a.columns {
            let (name, header) = c.split_once('=').ok_or_else(|| {
                BadInput::new(format!("--column {c}: expected NAME=HEADER"))
                    .hint("for example --column timestamp=\"Date Sent\"")
            })?;
            let field = Field::parse(name).ok_or_else(|| {
                let names: Vec<&str> = Field::ALL.iter().map(|f| f.name()).collect();
                BadInput::new(format!("--column {c}: unknown column name '{name}'"))
                    .hint(format!("names are {}", names.join(", ")))
            })?;
            columns.push((field, header.trim().to_string()));
        }
        let (engine, auth_intl) = auth_intl(a, markets)?;
        let format = match a.input {
            InputFormatArg::Csv | InputFormatArg::Twilio => InputFormat::Csv,
            InputFormatArg::MetaWebhooks => InputFormat::MetaWebhooks,
        };
        let reading = ReadingChoices::from_args(a)?;
        if format == InputFormat::MetaWebhooks && reading.any() {
            return Err(BadInput::new(
                "--default-country, --templates and --template-category apply to CSV logs, not --input meta-webhooks",
            )
            .hint("Meta's payloads carry international numbers and the pricing category")
            .into());
        }
        if format == InputFormat::Csv && a.sent.is_some() {
            return Err(BadInput::new("--sent goes with --input meta-webhooks")
                .hint("a CSV log carries each template's category itself; --sent gives the categories Meta's webhooks lack")
                .into());
        }
        if format == InputFormat::MetaWebhooks && !columns.is_empty() {
            return Err(
                BadInput::new("--column applies to CSV logs, not --input meta-webhooks")
                    .hint("webhook payloads are read by Meta's field names")
                    .into(),
            );
        }
        let (date_format, delimiter) = date_and_delimiter(a, format)?;
        let path = a.log.clone();
        Ok(LogSettings {
            format,
            sent: a.sent.clone(),
            input: InputOptions {
                name: if path == "-" {
                    "<stdin>".into()
                } else {
                    path.clone()
                },
                columns,
                skip_invalid: a.rules.skip_invalid,
                skip_unsupported: a.rules.skip_unsupported,
                default_country: reading.default_country,
                templates: reading.templates,
                uncategorised: reading.uncategorised_as.is_some(),
                twilio: a.input == InputFormatArg::Twilio,
                date_format,
                delimiter,
            },
            source: LogSource::File(path),
            timezone,
            engine: EngineConfig {
                free_service_allowance: a.rules.free_service_allowance,
                uncategorised_as: reading.uncategorised_as,
                log_starts_clean: a.rules.log_starts_clean,
                ..engine
            },
            strict: a.strict_tariffs,
            auth_intl,
            hooks: Some(Arc::new(crate::terminal::Terminal {
                progress: !a.rules.no_progress,
            })),
            parallel_from: waprice::pipeline::PARALLEL_FROM,
        })
    }
}

/// How to read what a log leaves unsaid: national numbers, template names, no categories.
pub(crate) struct ReadingChoices {
    default_country: Option<Region>,
    templates: Option<Arc<TemplateCatalogue>>,
    uncategorised_as: Option<TemplateCategory>,
}

impl ReadingChoices {
    fn from_args(a: &LogArgs) -> Result<ReadingChoices> {
        let default_country = a
            .default_country
            .as_deref()
            .map(|cc| options::default_country(cc, Spelling::Cli))
            .transpose()?;
        let (templates, uncategorised_as) = options::categories(
            a.templates.as_deref(),
            a.template_category.as_deref(),
            Spelling::Cli,
        )?;
        Ok(ReadingChoices {
            default_country,
            templates,
            uncategorised_as,
        })
    }

    fn any(&self) -> bool {
        self.default_country.is_some()
            || self.templates.is_some()
            || self.uncategorised_as.is_some()
    }
}

/// `--date-format` and `--delimiter`, which describe a CSV log.
pub(crate) fn date_and_delimiter(
    a: &LogArgs,
    format: InputFormat,
) -> Result<(DateFormat, Option<u8>), BadInput> {
    if format != InputFormat::Csv && (a.date_format.is_some() || a.delimiter.is_some()) {
        return Err(
            BadInput::new("--date-format and --delimiter describe a CSV log")
                .hint("webhook payloads carry Unix timestamps and are JSON"),
        );
    }
    let date_format = match &a.date_format {
        None => DateFormat::Auto,
        Some(f) => f.parse().map_err(|e: String| {
            BadInput::new(e).hint(
                "give a strftime pattern with the date and the time of day, such as '%d/%m/%Y %H:%M' or '%m/%d/%Y %I:%M %p', or excel, or unix",
            )
        })?,
    };
    let delimiter = match a.delimiter.as_deref() {
        None => None,
        Some(d) => Some(match d {
            "," => b',',
            ";" => b';',
            "|" => b'|',
            "\t" | "\\t" => b'\t',
            t if t.eq_ignore_ascii_case("tab") => b'\t',
            _ => {
                return Err(BadInput::new(format!(
                    "--delimiter {}: not a field separator waprice reads",
                    waprice::error::cut(d)
                ))
                .hint("use , ; | or tab"))
            }
        }),
    };
    Ok((date_format, delimiter))
}

/// `--as-of DATE`: a date some supported pricing rule covers.
pub(crate) fn as_of(d: &str) -> Result<NaiveDate, BadInput> {
    options::as_of(d, Spelling::Cli)
}

/// Authentication-international needs both flags (docs/rules.md, Authentication-international); `--auth-intl-except`
/// gives some customer countries their own start date, as Meta's eligibility email does.
pub(crate) fn auth_intl(
    a: &LogArgs,
    markets: &MarketMap,
) -> Result<(EngineConfig, Option<String>)> {
    options::auth_intl(
        markets,
        a.rules.business_country.as_deref(),
        a.rules.auth_intl_since.as_deref(),
        &a.rules.auth_intl_except,
        Spelling::Cli,
    )
}
