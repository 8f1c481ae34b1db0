//! The lines above Meta's header: the unit, the currency and the date a card or tier table
//! is effective from.

use super::*;

/// An ISO 4217 code from the ways Meta's files write currencies: `$US`, `US$`, `€`, `£`, `₹`,
/// `R$`, `Rp`, `A$`, `S$`, `MX$`, `RM`, `S/`, or any three letters. `$` alone is ambiguous.
pub fn currency_code(s: &str) -> Option<String> {
    let t: String = s
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_uppercase();
    let t = t.trim_end_matches(['.', ',', ':', ';']);
    let code = match t {
        "$US" | "US$" | "USD" | "U.S.$" | "US-DOLLAR" | "USDOLLAR" | "USDOLLARS" => "USD",
        "€" | "EUR" | "EURO" | "EUROS" => "EUR",
        "£" | "GBP" | "UK£" => "GBP",
        "₹" | "INR" | "RS" => "INR",
        "R$" | "BRL" => "BRL",
        "RP" | "IDR" => "IDR",
        "A$" | "AU$" | "AUD" => "AUD",
        "MX$" | "MXN" => "MXN",
        "S$" | "SGD" => "SGD",
        "RM" | "MYR" => "MYR",
        "S/" | "PEN" => "PEN",
        other if other.len() == 3 && other.bytes().all(|b| b.is_ascii_uppercase()) => other,
        _ => return None,
    };
    Some(code.to_string())
}

pub(super) fn month_number(word: &str) -> Option<u32> {
    const MONTHS: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    let w = word.to_ascii_lowercase();
    let w = w.trim_end_matches('.');
    if w.len() < 3 {
        return None;
    }
    MONTHS
        .iter()
        .position(|m| m.starts_with(w) && (w.len() >= 3))
        .map(|i| i as u32 + 1)
}

pub(super) fn day_number(word: &str) -> Option<u32> {
    let w = word.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    w.parse().ok().filter(|d| (1..=31).contains(d))
}

/// The date after "effective": `October 1, 2026`, `1 October 2026`, `Oct 1 2026`, `2026-10-01`.
pub(super) fn effective_date(rest: &str) -> Option<NaiveDate> {
    let words: Vec<&str> = rest
        .split(|c: char| c.is_whitespace() || c == ',')
        .map(|w| w.trim_end_matches(['.', ')', ';', ':']))
        .filter(|w| !w.is_empty())
        .skip_while(|w| matches!(w.to_ascii_lowercase().as_str(), "from" | "as" | "of" | "on"))
        .take(3)
        .collect();
    let first = words.first()?;
    if let Ok(d) = NaiveDate::parse_from_str(first, "%Y-%m-%d") {
        return Some(d);
    }
    let year: i32 = words.get(2)?.parse().ok()?;
    let (month, day) = match (month_number(first), day_number(first)) {
        (Some(m), _) => (m, day_number(words[1])?),
        (None, Some(d)) => (month_number(words[1])?, d),
        _ => return None,
    };
    NaiveDate::from_ymd_opt(year, month, day)
}

/// Reads the title lines above a header.
pub fn title(records: &[StringRecord]) -> Title {
    let mut t = Title::default();
    let lines: Vec<String> = records
        .iter()
        .map(|r| {
            let fields: Vec<&str> = r.iter().collect();
            let end = fields
                .iter()
                .rposition(|f| !f.trim().is_empty())
                .map_or(0, |i| i + 1);
            fields[..end].join(",").trim().to_string()
        })
        .filter(|l| !l.is_empty())
        .collect();
    t.line = records
        .iter()
        .find(|r| r.iter().any(|f| !f.trim().is_empty()))
        .and_then(|r| r.position())
        .map_or(1, |p| p.line());
    t.text = lines.join(" ");
    let lower = t.text.to_lowercase();
    t.tiers = lower.contains("volume tier") || lower.contains("volume-tier");
    for (words, unit) in [
        ("per message", Unit::Message),
        ("per conversation", Unit::Conversation),
    ] {
        if let Some(at) = lower.find(words) {
            t.unit = Some(unit);
            let after = &t.text[at + words.len()..];
            if let Some(rest) = after.trim_start().strip_prefix("in ") {
                let mut tokens = rest.split(|c: char| c.is_whitespace() || c == ',');
                let first = tokens.next().unwrap_or("");
                let second = tokens.next().unwrap_or("");
                let code =
                    currency_code(first).or_else(|| currency_code(&format!("{first}{second}")));
                t.currency = Some((first.to_string(), code));
            }
        }
    }
    if let Some(at) = lower.find("effective") {
        t.date = effective_date(&t.text[at + "effective".len()..]);
    }
    t
}

/// The ISO 4217 codes of current currencies: a Currency cell naming one of them is a currency,
/// anything else (`GBD`) is a typo that `--tariff-currency` may override.
pub(super) const ISO_4217: &str = "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB \
    BRL BSD BTN BWP BYN BZD CAD CDF CHF CLP CNY COP CRC CUC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB \
    EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY \
    KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR \
    MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF \
    SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD \
    TZS UAH UGX USD UYU UZS VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG ZWL";

/// Whether a code is a current ISO 4217 currency.
pub fn is_iso_currency(code: &str) -> bool {
    code.len() == 3 && ISO_4217.split_whitespace().any(|c| c == code)
}
