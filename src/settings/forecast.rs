//! `waprice forecast`'s arguments, validated: the date, the countries and their volumes (from
//! the flags, `--country CC:LIST` or a `--volumes` file), the budget and the output.

use super::{budget, Tariffs, TariffsFromArgs};
use crate::cli::ForecastArgs;
use anyhow::{Context, Result};
use chrono::NaiveDate;
use waprice::budget::Budget;
use waprice::country::CountryId;
use waprice::era::ERA_B_FROM;
use waprice::error::BadInput;
use waprice::forecast::Volumes;
use waprice::render::csv::CsvStyle;
use waprice::render::Format;

pub struct ForecastSettings {
    pub tariffs: Tariffs,
    pub date: NaiveDate,
    pub countries: Vec<(CountryId, Volumes)>,
    pub allowance: u64,
    pub budget: Budget,
    pub format: Format,
    pub csv: CsvStyle,
    /// `-o FILE`.
    pub output: Option<String>,
}

impl ForecastSettings {
    pub fn from_args(a: &ForecastArgs) -> Result<ForecastSettings> {
        let tariffs = Tariffs::from_args(&a.tariff)?;
        let date = match &a.date {
            Some(d) => NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").map_err(|_| {
                BadInput::new(format!("--date {d}: not a date")).hint("write dates as YYYY-MM-DD")
            })?,
            None => chrono::Utc::now().date_naive(),
        };
        if date < ERA_B_FROM {
            return Err(BadInput::new(format!("--date {date}: forecasts start on 2023-06-01"))
                .hint("before June 2023 Meta billed user-/business-initiated conversations; estimate a log instead")
                .into());
        }
        let flags = Volumes {
            marketing: a.marketing,
            utility: a.utility,
            utility_in_window: a.utility_in_window,
            authentication: a.authentication,
            authentication_international: a.authentication_international,
            service: a.service,
        };
        // The volume flags go to each --country given without volumes of its own: with none
        // such, they would be dropped without a word.
        if flags != Volumes::default() && !a.country.iter().any(|spec| !spec.contains(':')) {
            let set: Vec<String> = [
                ("marketing", a.marketing),
                ("utility", a.utility),
                ("utility-in-window", a.utility_in_window),
                ("authentication", a.authentication),
                (
                    "authentication-international",
                    a.authentication_international,
                ),
                ("service", a.service),
            ]
            .into_iter()
            .filter(|(_, n)| *n > 0)
            .map(|(name, n)| format!("--{name} {n}"))
            .collect();
            return Err(BadInput::new(format!(
                "{} would apply to no country: volume options go to each --country given without volumes of its own, and there is none",
                set.join(" ")
            ))
            .hint("add --country CC for them to apply to, or put them in a country's list: --country FR:marketing=2000,utility=500")
            .into());
        }
        let mut countries = Vec::new();
        for spec in &a.country {
            let (code, volumes) = match spec.split_once(':') {
                Some((code, list)) => (code, parse_volumes(list, spec)?),
                None => (spec.as_str(), flags.clone()),
            };
            countries.push((country(&tariffs, code)?, volumes));
        }
        if let Some(path) = &a.volumes {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read --volumes {path}"))?;
            for (code, volumes, line) in parse_volume_file(&text, path)? {
                let id = country(&tariffs, &code).map_err(|e| {
                    BadInput::new(format!(
                        "{path}, line {line}, column 'country': unknown country (value '{}')",
                        waprice::error::cut(&code)
                    ))
                    .hint(e.hint.unwrap_or_default())
                })?;
                countries.push((id, volumes));
            }
        }
        if countries.is_empty() {
            return Err(
                BadInput::new("forecast needs at least one --country or --volumes FILE")
                    .hint(
                        "for example: waprice forecast --country FR --marketing 2000 --utility 500",
                    )
                    .into(),
            );
        }
        for (_, v) in &countries {
            if v.utility_in_window > v.utility {
                return Err(
                    BadInput::new("--utility-in-window is more than the utility volume")
                        .hint(
                            "it counts the utility templates sent inside a customer service window",
                        )
                        .into(),
                );
            }
        }
        let (format, csv) = crate::settings::output(&a.output)?;
        Ok(ForecastSettings {
            budget: budget(&tariffs.currency, a.budget.as_deref(), a.agents)?,
            tariffs,
            date,
            countries,
            allowance: a.free_service_allowance,
            format,
            csv,
            output: a.output.output.clone(),
        })
    }
}

fn country(t: &Tariffs, code: &str) -> Result<CountryId, BadInput> {
    crate::settings::country_arg(&t.markets, code)
}

fn set(v: &mut Volumes, name: &str, n: u64) -> bool {
    match name.trim().to_ascii_lowercase().as_str() {
        "marketing" => v.marketing = n,
        "utility" => v.utility = n,
        "utility_in_window" => v.utility_in_window = n,
        "authentication" => v.authentication = n,
        "authentication_international" => v.authentication_international = n,
        "service" => v.service = n,
        _ => return false,
    }
    true
}

const CATEGORY_HINT: &str =
    "categories are marketing, utility, utility_in_window, authentication, authentication_international, service";

fn parse_volumes(list: &str, spec: &str) -> Result<Volumes, BadInput> {
    let mut v = Volumes::default();
    for item in list.split(',').filter(|s| !s.trim().is_empty()) {
        let parsed = item
            .split_once('=')
            .and_then(|(k, n)| Some((k, n.trim().parse::<u64>().ok()?)));
        match parsed {
            Some((k, n)) if set(&mut v, k, n) => {}
            _ => {
                return Err(
                    BadInput::new(format!("--country {spec}: cannot read '{item}'"))
                        .hint(format!("write CC:category=N,...; {CATEGORY_HINT}")),
                )
            }
        }
    }
    Ok(v)
}

/// The volume file's rows: country, volumes and line.
fn parse_volume_file(text: &str, path: &str) -> Result<Vec<(String, Volumes, u64)>, BadInput> {
    let mut r = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = r
        .headers()
        .map_err(|e| BadInput::new(format!("{path}: {e}")))?
        .clone();
    let Some(i_country) = headers
        .iter()
        .position(|h| h.eq_ignore_ascii_case("country"))
    else {
        return Err(BadInput::new(format!("{path}: no 'country' column")).hint(CATEGORY_HINT));
    };
    // A category given twice: which of its volumes to count is not for waprice to guess.
    for (i, h) in headers.iter().enumerate() {
        if let Some(j) = (i + 1..headers.len()).find(|&j| headers[j].eq_ignore_ascii_case(h)) {
            return Err(BadInput::new(format!(
                "{path}: the header has two columns named '{}' (columns {} and {}) (line 1, the header)",
                waprice::error::cut(h),
                i + 1,
                j + 1
            ))
            .hint("keep one column per category"));
        }
    }
    let mut out = Vec::new();
    let mut lines = waprice::lines::LineCounter::new(text);
    for record in r.records() {
        let mut record = record.map_err(|e| BadInput::new(format!("{path}: {e}")))?;
        lines.fix(&mut record);
        let line = record.position().map_or(0, |p| p.line());
        let mut v = Volumes::default();
        for (i, h) in headers.iter().enumerate() {
            if i == i_country {
                continue;
            }
            let cell = record.get(i).unwrap_or("");
            let n = if cell.is_empty() {
                Some(0)
            } else {
                cell.parse::<u64>().ok()
            };
            match n {
                Some(n) if set(&mut v, h, n) => {}
                _ => {
                    return Err(BadInput::new(format!(
                        "{path}, line {line}, column '{}': not a volume (value '{}')",
                        waprice::error::cut(h),
                        waprice::error::cut(cell)
                    ))
                    .hint(CATEGORY_HINT))
                }
            }
        }
        out.push((record.get(i_country).unwrap_or("").to_string(), v, line));
    }
    Ok(out)
}
