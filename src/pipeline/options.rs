//! Options as a user writes them, read into the library's settings: one reading for the
//! command line (`--tariff-date 2024-01-01`) and the Python package (`tariff_date="2024-01-01"`),
//! which differ only in how an option is spelled in messages ([`Spelling`]). Each function
//! gives the error, with its hint, that the option's value earns.

use crate::budget::Budget;
use crate::engine::{auth_intl_from, EngineConfig};
use crate::era::{AUTH_INTL_START, SUPPORTED_FROM};
use crate::error::BadInput;
use crate::input::templates::TemplateCatalogue;
use crate::message::TemplateCategory;
use crate::phone::numbering::{NumberingPlan, Region};
use crate::report::By;
use crate::tariff::market::{CountryId, MarketMap};
use crate::tariff::meta_csv::{currency_code, Overrides};
use anyhow::Result;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::str::FromStr;
use std::sync::Arc;

/// How options are spelled in messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Spelling {
    /// The command line's: `--tariff-date`, `--tariff-date 2024-01-01`.
    Cli,
    /// The Python package's keyword arguments: `tariff_date`, `tariff_date=2024-01-01`.
    Python,
}

impl Spelling {
    /// An option's name; `option` is the command line's without its dashes (`tariff-date`).
    pub fn name(self, option: &str) -> String {
        match self {
            Spelling::Cli => format!("--{option}"),
            Spelling::Python => option.replace('-', "_"),
        }
    }

    /// An option with a value: `--tariff-date 2024-01-01` or `tariff_date=2024-01-01`.
    pub fn given(self, option: &str, value: &str) -> String {
        match self {
            Spelling::Cli => format!("--{option} {value}"),
            Spelling::Python => format!("{}={value}", self.name(option)),
        }
    }
}

/// A `YYYY-MM-DD` date given to `option`.
pub fn date(s: &str, option: &str, sp: Spelling) -> Result<NaiveDate, BadInput> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| {
        BadInput::new(format!("{}: not a date", sp.given(option, s)))
            .hint("write dates as YYYY-MM-DD")
    })
}

/// `as-of`: the date whose rules and cards re-price the log, one some supported pricing rule
/// covers.
pub fn as_of(d: &str, sp: Spelling) -> Result<NaiveDate, BadInput> {
    let day = date(d, "as-of", sp)?;
    if day < SUPPORTED_FROM {
        return Err(BadInput::new(format!(
            "{}: before 2022-02-01, the first date any supported pricing rule covers",
            sp.given("as-of", &day.to_string())
        ))
        .hint("give a date from 2022-02-01 on"));
    }
    Ok(day)
}

/// `tariff-date` and `tariff-currency`: what a card file in Meta's layout is taken to say.
pub fn overrides(
    tariff_date: Option<&str>,
    tariff_currency: Option<&str>,
    sp: Spelling,
) -> Result<Overrides, BadInput> {
    Ok(Overrides {
        date: tariff_date
            .map(|d| date(d, "tariff-date", sp))
            .transpose()?,
        currency: tariff_currency
            .map(|c| {
                currency_code(c).ok_or_else(|| {
                    BadInput::new(format!(
                        "{}: not a currency",
                        sp.given("tariff-currency", c)
                    ))
                    .hint("use an ISO code such as EUR or USD ($US, US$, € are understood too)")
                })
            })
            .transpose()?,
    })
}

/// `default-country`: the numbering plan of national numbers.
pub fn default_country(cc: &str, sp: Spelling) -> Result<Region, BadInput> {
    NumberingPlan::bundled().region(cc).cloned().ok_or_else(|| {
        BadInput::new(format!("{}: unknown country", sp.given("default-country", cc)))
            .hint("use the ISO code of the country whose national numbers the log holds, such as US, FR or GB")
    })
}

/// What says the categories a log leaves unsaid: `templates` (the path of a catalogue file)
/// or `template-category` (the category of templates sent outside windows), not both.
pub fn categories(
    templates: Option<&str>,
    template_category: Option<&str>,
    sp: Spelling,
) -> Result<(Option<Arc<TemplateCatalogue>>, Option<TemplateCategory>)> {
    let templates = match templates {
        None => None,
        Some(path) => {
            let what = "a template list (JSON) or catalogue (CSV)";
            let text = read_text(path, "templates", sp, what)?;
            Some(Arc::new(TemplateCatalogue::parse(&text, path)?))
        }
    };
    let uncategorised_as = match template_category.map(str::trim) {
        None => None,
        Some(c) => Some(match c.to_ascii_lowercase().as_str() {
            "marketing" | "marketing_lite" => TemplateCategory::Marketing,
            "utility" => TemplateCategory::Utility,
            "authentication" => TemplateCategory::Authentication,
            _ => {
                return Err(BadInput::new(format!(
                    "{}: not a template category",
                    sp.given("template-category", c)
                ))
                .hint("use marketing, utility or authentication: the category of the templates your business sends outside customer service windows")
                .into())
            }
        }),
    };
    if templates.is_some() && uncategorised_as.is_some() {
        return Err(BadInput::new(format!(
            "{} and {} both say what categories are",
            sp.name("templates"),
            sp.name("template-category")
        ))
        .hint(format!(
            "use {} for a log with a template column, {} for a log without any",
            sp.name("templates"),
            sp.name("template-category")
        ))
        .into());
    }
    Ok((templates, uncategorised_as))
}

/// The file of `option` (`templates`, `agents-by-month`) as text.
pub fn read_text(path: &str, option: &str, sp: Spelling, what: &str) -> Result<String, BadInput> {
    std::fs::read_to_string(path).map_err(|e| {
        BadInput::new(format!("{}: cannot read it: {e}", sp.given(option, path)))
            .hint(format!("give the path of {what}"))
    })
}

/// What `estimate` breaks its months down by (`by`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Breakdown {
    /// Per month and market, category or tier.
    Report(By),
    /// Per month and account (with an accounts file).
    Account,
}

/// `by`: `market`, `category`, `market,category` (either order), `tier` (alone or with both)
/// or `account`; spaces and case do not matter.
pub fn breakdown(by: &str, sp: Spelling) -> Result<Breakdown, BadInput> {
    let s = by.replace(' ', "").to_ascii_lowercase();
    let mut dims: Vec<&str> = s.split(',').collect();
    dims.sort_unstable();
    Ok(match dims.as_slice() {
        ["account"] => Breakdown::Account,
        ["market"] => Breakdown::Report(By::Market),
        ["category"] => Breakdown::Report(By::Category),
        ["category", "market"] => Breakdown::Report(By::MarketCategory),
        // A tier only means something inside its market and category.
        ["tier"] | ["category", "market", "tier"] => Breakdown::Report(By::Tier),
        _ => {
            let by = |v: &str| match sp {
                Spelling::Cli => sp.given("by", v),
                Spelling::Python => format!("by=\"{v}\""),
            };
            return Err(
                BadInput::new(format!("{}: unknown breakdown", sp.given("by", &s))).hint(format!(
                    "use {}, {}, {}, {} (which is per market and category), or {} with {}",
                    by("market"),
                    by("category"),
                    by("market,category"),
                    by("tier"),
                    by("account"),
                    sp.name("accounts")
                )),
            );
        }
    })
}

/// `estimate` with an accounts file: it goes with the breakdown by account (and that with
/// it), and not with the what-if of `as-of`.
pub fn estimate_accounts(
    by_account: bool,
    accounts: bool,
    as_of: bool,
    sp: Spelling,
) -> Result<(), BadInput> {
    let (account, with_accounts) = match sp {
        Spelling::Cli => ("--by account", "--accounts FILE"),
        Spelling::Python => ("by=\"account\"", "accounts"),
    };
    if accounts && !by_account {
        return Err(BadInput::new(match sp {
            Spelling::Cli => format!("estimate --accounts prints one line per account and month: it needs {account}"),
            Spelling::Python => format!("estimate with accounts gives one line per account and month: it needs {account}"),
        })
        .hint(match sp {
            Spelling::Cli => format!("add {account}, or run waprice invoices LOG --accounts FILE for budgets and overage per account"),
            Spelling::Python => format!("add {account}, or call waprice.invoices(table, accounts) for budgets and overage per account"),
        }));
    }
    if accounts && as_of {
        return Err(BadInput::new(format!(
            "{} does not go with {}",
            sp.name("as-of"),
            sp.name("accounts")
        ))
        .hint(format!("run the what-if without {}", sp.name("accounts"))));
    }
    if by_account && !accounts {
        return Err(BadInput::new(format!("{account} needs {with_accounts}"))
            .hint("the accounts file says which business numbers belong to which account"));
    }
    Ok(())
}

/// Callbell's budget: `budget` (an amount), else 50 EUR (54 USD) per started 10 `agents` (10
/// when neither is given).
pub fn budget(
    currency: &str,
    amount: Option<&str>,
    agents: Option<u32>,
    sp: Spelling,
) -> Result<Budget, BadInput> {
    match (amount, agents) {
        (Some(amount), _) => {
            let value = Decimal::from_str(amount.trim())
                .ok()
                .filter(|d| !d.is_sign_negative())
                .ok_or_else(|| {
                    BadInput::new(format!("{}: not an amount", sp.given("budget", amount)))
                        .hint("write it like 150 or 49.90")
                })?;
            Ok(Budget::explicit(value))
        }
        (None, Some(0)) => Err(BadInput::new(format!(
            "{}: a Callbell plan has at least one agent",
            sp.given("agents", "0")
        ))
        .hint(format!(
            "for no included budget, pass {}",
            sp.given("budget", "0")
        ))),
        (None, agents) => Budget::for_agents(currency, agents.unwrap_or(10), agents.is_none())
            .ok_or_else(|| {
                BadInput::new(format!(
                    "Callbell's included budget is defined in EUR and USD, not {currency}"
                ))
                .hint(format!(
                    "pass the monthly budget in that currency with {}",
                    sp.given("budget", "AMOUNT")
                ))
            }),
    }
}

/// Authentication-international: `business-country` and `auth-intl-since` go together;
/// `auth-intl-except` (`CC=DATE` each) gives some customer countries their own start date, as
/// Meta's eligibility email does. The engine's rule and the note ("FR, eligible since ..."),
/// or the defaults when none is given.
pub fn auth_intl(
    markets: &MarketMap,
    business_country: Option<&str>,
    auth_intl_since: Option<&str>,
    auth_intl_except: &[String],
    sp: Spelling,
) -> Result<(EngineConfig, Option<String>)> {
    let (country, since) = match (business_country, auth_intl_since) {
        (None, None) if auth_intl_except.is_empty() => return Ok((EngineConfig::default(), None)),
        (Some(c), Some(s)) => (c, date(s, "auth-intl-since", sp)?),
        (None, None) => {
            return Err(BadInput::new(format!(
                "{} needs {} and {}",
                sp.name("auth-intl-except"),
                sp.name("business-country"),
                sp.name("auth-intl-since")
            ))
            .hint("it changes the start date of some countries for a business that is eligible")
            .into())
        }
        _ => {
            return Err(BadInput::new(format!(
                "{} and {} go together",
                sp.name("business-country"),
                sp.name("auth-intl-since")
            ))
            .hint("authentication-international applies only when the business says it is eligible: pass both")
            .into())
        }
    };
    let home = markets.country_by_iso(country.trim()).ok_or_else(|| {
        BadInput::new(format!(
            "{}: unknown country",
            sp.given("business-country", country)
        ))
        .hint("use an ISO 3166 code such as FR, US, IN")
    })?;
    let with_rate: Vec<&str> = AUTH_INTL_START.iter().map(|(iso, _)| *iso).collect();
    let mut exceptions: Vec<(CountryId, NaiveDate)> = Vec::new();
    let mut note = format!("{}, eligible since {since}", markets.iso(home));
    let except = sp.name("auth-intl-except");
    for x in auth_intl_except {
        let given = sp.given("auth-intl-except", x);
        let (cc, d) = x.split_once('=').ok_or_else(|| {
            BadInput::new(format!("{given}: expected CC=DATE")).hint(format!(
                "for example {}",
                sp.given("auth-intl-except", "IN=2025-03-15")
            ))
        })?;
        let d = date(d, "auth-intl-except", sp)?;
        let c = markets.country_by_iso(cc.trim()).ok_or_else(|| {
            BadInput::new(format!("{given}: unknown country '{cc}'"))
                .hint("use an ISO 3166 code such as IN")
        })?;
        let iso = markets.iso(c);
        let Some((_, start)) = AUTH_INTL_START.iter().find(|(i, _)| *i == iso) else {
            return Err(BadInput::new(format!(
                "{given}: {iso} has no authentication-international rate"
            ))
            .hint(format!("countries with one: {}", with_rate.join(", ")))
            .into());
        };
        if c == home {
            return Err(BadInput::new(format!(
                "{given}: {iso} is the business's own country, which always pays the domestic authentication rate"
            ))
            .into());
        }
        if exceptions.iter().any(|(e, _)| *e == c) {
            return Err(BadInput::new(format!("{except}: {iso} is given twice")).into());
        }
        exceptions.push((c, d));
        note.push_str(&if d < *start {
            format!("; {iso} from {start} (its start date; {except} said {d})")
        } else {
            format!("; {iso} from {d} ({except})")
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_spell_the_option_as_the_caller_does() {
        let cli = date("2024-13-01", "tariff-date", Spelling::Cli).unwrap_err();
        assert_eq!(
            cli.to_string(),
            "--tariff-date 2024-13-01: not a date\n  hint: write dates as YYYY-MM-DD"
        );
        let py = date("2024-13-01", "tariff-date", Spelling::Python).unwrap_err();
        assert!(py
            .to_string()
            .starts_with("tariff_date=2024-13-01: not a date\n"));
        let e = auth_intl(
            &MarketMap::bundled(),
            Some("FR"),
            None,
            &[],
            Spelling::Python,
        )
        .unwrap_err();
        assert!(e
            .to_string()
            .starts_with("business_country and auth_intl_since go together"));
    }

    #[test]
    fn breakdowns_in_any_order_and_case() {
        let b = |s| breakdown(s, Spelling::Cli).unwrap();
        assert_eq!(b("Category, market"), Breakdown::Report(By::MarketCategory));
        assert_eq!(b("tier,market,category"), Breakdown::Report(By::Tier));
        assert_eq!(b(" account"), Breakdown::Account);
        assert!(breakdown("market,tier", Spelling::Cli).is_err());
    }
}
