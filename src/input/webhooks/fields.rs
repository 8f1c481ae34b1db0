//! The values of a payload's fields, each read with the path of the field and a hint when it
//! is wrong.

use super::*;

// ---- Field errors -----------------------------------------------------------------------

/// Where a value sits inside a payload: `entry[e].changes[c].value.<list>[i].<field>`.
#[derive(Clone, Copy)]
pub(super) struct Path {
    pub(super) entry: usize,
    pub(super) change: usize,
    pub(super) list: &'static str,
    pub(super) item: usize,
}

impl Path {
    pub(super) fn to(self, field: &str) -> String {
        if self.list.is_empty() {
            format!(
                "entry[{}].changes[{}].value.{field}",
                self.entry, self.change
            )
        } else {
            format!(
                "entry[{}].changes[{}].value.{}[{}].{field}",
                self.entry, self.change, self.list, self.item
            )
        }
    }
}

/// A bad field: its path, the value, what is wrong and how to fix it.
pub(super) struct FieldError {
    pub(super) field: String,
    pub(super) value: String,
    pub(super) what: String,
    pub(super) hint: &'static str,
}

impl FieldError {
    pub(super) fn into_bad(self, file: &str, line: u64) -> BadInput {
        let mut value = self.value;
        if value.len() > 80 {
            let mut cut = 80;
            while !value.is_char_boundary(cut) {
                cut -= 1;
            }
            value.truncate(cut);
            value.push('…');
        }
        BadInput::new(format!(
            "{file}, line {line}, field '{}': {} (value '{value}')",
            self.field, self.what
        ))
        .hint(self.hint)
    }
}

pub(super) fn bad(
    path: Path,
    field: &str,
    value: Option<&Scalar>,
    what: impl Into<String>,
    hint: &'static str,
) -> FieldError {
    FieldError {
        field: path.to(field),
        value: value.map_or_else(String::new, Scalar::shown),
        what: what.into(),
        hint,
    }
}

pub(super) fn text<'s>(
    v: &'s Option<Scalar>,
    path: Path,
    field: &str,
    hint: &'static str,
) -> Result<&'s str, FieldError> {
    match v {
        Some(Scalar::Str(s)) if !s.trim().is_empty() => Ok(s.trim()),
        None => Err(bad(path, field, None, "missing", hint)),
        Some(Scalar::Str(_)) => Err(bad(path, field, v.as_ref(), "empty", hint)),
        Some(other) => Err(bad(path, field, Some(other), "not a string", hint)),
    }
}

pub(super) const TIME_HINT: &str =
    "Meta sends Unix seconds as a string, like \"timestamp\": \"1719999999\"";

/// Unix seconds (a string of digits, or a number) to ms, checked for range.
pub(super) fn seconds(v: &Option<Scalar>, path: Path, field: &str) -> Result<i64, FieldError> {
    let secs = match v {
        Some(Scalar::Int(n)) => Some(*n),
        Some(Scalar::Str(s)) => {
            let s = s.trim();
            if !s.is_empty() && s.len() <= 11 && s.bytes().all(|b| b.is_ascii_digit()) {
                s.parse::<i64>().ok()
            } else {
                None
            }
        }
        None => return Err(bad(path, field, None, "missing", TIME_HINT)),
        _ => None,
    };
    match secs {
        Some(s) if (0..TOO_LATE_MS / 1000).contains(&s) => Ok(s * 1000),
        Some(_) => Err(bad(
            path,
            field,
            v.as_ref(),
            "timestamp out of range",
            TIME_HINT,
        )),
        None => Err(bad(path, field, v.as_ref(), "not Unix seconds", TIME_HINT)),
    }
}

pub(super) const PHONE_HINT: &str =
    "Meta sends numbers as digits with the country code, like \"33612345678\"";

pub(super) fn number(v: &Option<Scalar>, path: Path, field: &str) -> Result<u64, FieldError> {
    let raw = match v {
        Some(Scalar::Str(s)) => s.as_bytes(),
        Some(Scalar::Int(n)) if *n > 0 => return phone_digits(&n.to_string(), v, path, field),
        None => return Err(bad(path, field, None, "missing", PHONE_HINT)),
        Some(other) => {
            return Err(bad(
                path,
                field,
                Some(other),
                "not a phone number",
                PHONE_HINT,
            ))
        }
    };
    phone::normalise(raw).map_err(|e| bad(path, field, v.as_ref(), e.to_string(), e.hint()))
}

pub(super) fn phone_digits(
    s: &str,
    v: &Option<Scalar>,
    path: Path,
    field: &str,
) -> Result<u64, FieldError> {
    phone::normalise(s.as_bytes())
        .map_err(|e| bad(path, field, v.as_ref(), e.to_string(), e.hint()))
}

pub(super) const CATEGORY_HINT: &str =
    "Meta's categories are marketing, marketing_lite, utility, authentication, \
     authentication-international, service, referral_conversion (and before June 2023 \
     user_initiated, business_initiated)";

/// Charge values waprice does not know, interned: "field 'value'" -> index.
#[derive(Default)]
pub(super) struct Unknown {
    pub(super) names: Vec<String>,
}

impl Unknown {
    pub(super) fn index(&mut self, field: &str, value: &str) -> u16 {
        let name = format!("{field} '{value}'");
        match self.names.iter().position(|n| *n == name) {
            Some(i) => i as u16,
            None => {
                // More than 65,535 different unknown values: count them under the last one.
                if self.names.len() < usize::from(u16::MAX) {
                    self.names.push(name);
                }
                (self.names.len() - 1) as u16
            }
        }
    }
}

/// A category, `None` when absent; a category waprice does not know is recorded in
/// `unknown` (never an error: Meta adds categories, such as `general_purpose_ai`).
pub(super) fn category(
    v: &Option<Scalar>,
    path: Path,
    field: &str,
    unknown: &mut Option<u16>,
    names: &mut Unknown,
) -> Result<Option<MetaCategory>, FieldError> {
    match v {
        None => Ok(None),
        Some(Scalar::Str(s)) => match MetaCategory::parse(s.trim()) {
            Some(c) => Ok(Some(c)),
            None => {
                unknown.get_or_insert(names.index(field, s.trim()));
                Ok(None)
            }
        },
        Some(other) => Err(bad(path, field, Some(other), "not a string", CATEGORY_HINT)),
    }
}

/// The `pricing` object and, when one of its values is unknown to waprice, that value.
pub(super) fn pricing(
    p: &PricingPayload,
    path: Path,
    names: &mut Unknown,
) -> Result<(MetaPricing, Option<u16>), FieldError> {
    let mut unknown = None;
    let model = match &p.pricing_model {
        None => None,
        Some(Scalar::Str(s)) if s.trim().eq_ignore_ascii_case("CBP") => Some(MetaPricingModel::Cbp),
        Some(Scalar::Str(s)) if s.trim().eq_ignore_ascii_case("PMP") => Some(MetaPricingModel::Pmp),
        Some(Scalar::Str(s)) => {
            unknown.get_or_insert(names.index("pricing.pricing_model", s.trim()));
            None
        }
        Some(other) => {
            return Err(bad(
                path,
                "pricing.pricing_model",
                Some(other),
                "not a string",
                "Meta's pricing models are CBP (conversation-based) and PMP (per message)",
            ))
        }
    };
    let kind = match &p.kind {
        None => None,
        Some(Scalar::Str(s)) => match s.trim() {
            "regular" => Some(MetaPricingType::Regular),
            "free_customer_service" => Some(MetaPricingType::FreeCustomerService),
            "free_entry_point" => Some(MetaPricingType::FreeEntryPoint),
            other => {
                unknown.get_or_insert(names.index("pricing.type", other));
                None
            }
        },
        Some(other) => {
            return Err(bad(
                path,
                "pricing.type",
                Some(other),
                "not a string",
                "Meta's pricing types are regular, free_customer_service and free_entry_point",
            ))
        }
    };
    let billable = match &p.billable {
        None => None,
        Some(Scalar::Bool(b)) => Some(*b),
        Some(Scalar::Str(s)) if s.eq_ignore_ascii_case("true") => Some(true),
        Some(Scalar::Str(s)) if s.eq_ignore_ascii_case("false") => Some(false),
        Some(other) => {
            return Err(bad(
                path,
                "pricing.billable",
                Some(other),
                "not true or false",
                "Meta sends \"billable\": true or false",
            ))
        }
    };
    let category = category(&p.category, path, "pricing.category", &mut unknown, names)?;
    Ok((
        MetaPricing {
            model,
            kind,
            category,
            billable,
        },
        unknown,
    ))
}

/// A customer's country from `contacts[].country_code`: an ISO code (`US`) or a calling code
/// (`1`, `+1`).
pub(super) fn contact_country(v: &Scalar, markets: &Countries) -> Option<CountryId> {
    match v {
        Scalar::Str(s) => {
            let s = s.trim();
            if s.len() == 2 && s.bytes().all(|b| b.is_ascii_alphabetic()) {
                markets.country_by_iso(s)
            } else {
                markets.country_by_calling_code(s)
            }
        }
        Scalar::Int(n) => markets.country_by_calling_code(&n.to_string()),
        _ => None,
    }
}
