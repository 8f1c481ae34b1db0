//! How to read a log: input format, columns, dates, numbers, engine options.

use crate::cli::{InputFormatArg, LogArgs};
use anyhow::Result;
use chrono::NaiveDate;
use chrono_tz::Tz;
use std::str::FromStr;
use std::sync::Arc;
use waprice::engine::{auth_intl_from, EngineConfig};
use waprice::era::{AUTH_INTL_START, SUPPORTED_FROM};
use waprice::error::BadInput;
use waprice::input::columns::Field;
use waprice::input::date_format::DateFormat;
use waprice::input::reader::InputOptions;
use waprice::input::templates::TemplateCatalogue;
use waprice::message::TemplateCategory;
use waprice::phone::numbering::{NumberingPlan, Region};
use waprice::pipeline::LogSource;
use waprice::tariff::market::{CountryId, MarketMap};

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
        let default_country = match &a.default_country {
            None => None,
            Some(cc) => Some(
                NumberingPlan::bundled()
                    .region(cc)
                    .cloned()
                    .ok_or_else(|| {
                        BadInput::new(format!("--default-country {cc}: unknown country"))
                            .hint("use the ISO code of the country whose national numbers the log holds, such as US, FR or GB")
                    })?,
            ),
        };
        let templates = match &a.templates {
            None => None,
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|e| {
                    BadInput::new(format!("--templates {path}: cannot read it: {e}"))
                        .hint("give the path of a template list (JSON) or catalogue (CSV)")
                })?;
                Some(Arc::new(TemplateCatalogue::parse(&text, path)?))
            }
        };
        let uncategorised_as = match a.template_category.as_deref().map(str::trim) {
            None => None,
            Some(c) => Some(match c.to_ascii_lowercase().as_str() {
                "marketing" | "marketing_lite" => TemplateCategory::Marketing,
                "utility" => TemplateCategory::Utility,
                "authentication" => TemplateCategory::Authentication,
                _ => {
                    return Err(BadInput::new(format!(
                        "--template-category {c}: not a template category"
                    ))
                    .hint("use marketing, utility or authentication: the category of the templates your business sends outside customer service windows")
                    .into())
                }
            }),
        };
        if templates.is_some() && uncategorised_as.is_some() {
            return Err(BadInput::new("--templates and --template-category both say what categories are")
                .hint("use --templates for a log with a template column, --template-category for a log without any")
                .into());
        }
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
    let day = date(d, "--as-of")?;
    if day < SUPPORTED_FROM {
        return Err(BadInput::new(format!(
            "--as-of {day}: before 2022-02-01, the first date any supported pricing rule covers"
        ))
        .hint("give a date from 2022-02-01 on"));
    }
    Ok(day)
}

/// `--by tier`, alone or with both market and category, in any order.
pub(crate) fn is_tier_breakdown(s: &str) -> bool {
    let mut dims: Vec<&str> = s.split(',').collect();
    dims.sort_unstable();
    dims == ["tier"] || dims == ["category", "market", "tier"]
}

/// Authentication-international needs both flags (docs/rules.md, Authentication-international); `--auth-intl-except`
/// gives some customer countries their own start date, as Meta's eligibility email does.
pub(crate) fn auth_intl(
    a: &LogArgs,
    markets: &MarketMap,
) -> Result<(EngineConfig, Option<String>)> {
    let (country, since) = match (&a.rules.business_country, &a.rules.auth_intl_since) {
        (None, None) if a.rules.auth_intl_except.is_empty() => {
            return Ok((EngineConfig::default(), None))
        }
        (Some(c), Some(s)) => (c, date(s, "--auth-intl-since")?),
        (None, None) => {
            return Err(BadInput::new("--auth-intl-except needs --business-country and --auth-intl-since")
                .hint("it changes the start date of some countries for a business that is eligible")
                .into())
        }
        _ => {
            return Err(BadInput::new("--business-country and --auth-intl-since go together")
                .hint("authentication-international applies only when the business says it is eligible: pass both")
                .into())
        }
    };
    let home = markets.country_by_iso(country.trim()).ok_or_else(|| {
        BadInput::new(format!("--business-country {country}: unknown country"))
            .hint("use an ISO 3166 code such as FR, US, IN")
    })?;
    let with_rate: Vec<&str> = AUTH_INTL_START.iter().map(|(iso, _)| *iso).collect();
    let mut exceptions: Vec<(CountryId, NaiveDate)> = Vec::new();
    let mut note = format!("{}, eligible since {since}", markets.iso(home));
    for x in &a.rules.auth_intl_except {
        let (cc, d) = x.split_once('=').ok_or_else(|| {
            BadInput::new(format!("--auth-intl-except {x}: expected CC=DATE"))
                .hint("for example --auth-intl-except IN=2025-03-15")
        })?;
        let d = date(d, "--auth-intl-except")?;
        let c = markets.country_by_iso(cc.trim()).ok_or_else(|| {
            BadInput::new(format!("--auth-intl-except {x}: unknown country '{cc}'"))
                .hint("use an ISO 3166 code such as IN")
        })?;
        let iso = markets.iso(c);
        let Some((_, start)) = AUTH_INTL_START.iter().find(|(i, _)| *i == iso) else {
            return Err(BadInput::new(format!(
                "--auth-intl-except {x}: {iso} has no authentication-international rate"
            ))
            .hint(format!("countries with one: {}", with_rate.join(", ")))
            .into());
        };
        if c == home {
            return Err(BadInput::new(format!(
                "--auth-intl-except {x}: {iso} is the business's own country, which always pays the domestic authentication rate"
            ))
            .into());
        }
        if exceptions.iter().any(|(e, _)| *e == c) {
            return Err(BadInput::new(format!("--auth-intl-except: {iso} is given twice")).into());
        }
        exceptions.push((c, d));
        note.push_str(&if d < *start {
            format!("; {iso} from {start} (its start date; --auth-intl-except said {d})")
        } else {
            format!("; {iso} from {d} (--auth-intl-except)")
        });
    }
    Ok((
        EngineConfig {
            auth_intl_from: auth_intl_from(markets, home, since, &exceptions),
            ..EngineConfig::default()
        },
        Some(note),
    ))
}
