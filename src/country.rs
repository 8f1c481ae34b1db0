//! Countries and their calling codes: [`CountryId`], and the lookup from a number's digits to
//! its country (docs/rules.md, Markets). A number's country comes from its calling code, and
//! inside a shared code (+1, +7) from the leading digits of the national number (prefixes).
//! Lookups touch only integer tables.
//!
//! A bottom module: it imports nothing of the domain but the phone number's error. The table is
//! built from the countries `tariffs/markets.csv` lists (`tariff::market` reads that
//! file and keeps the dated country -> market map on top of it). Calling codes the ITU assigns
//! to a country or territory that the file does not list get a synthetic country
//! ("Unlisted (+53)", no ISO code).

use std::collections::BTreeMap;

use crate::phone::{digit_count, PhoneError, MIN_DIGITS, POW10};

/// A country of a [`Countries`] table (an index into it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CountryId(pub u16);

/// Country calling codes assigned by the ITU to a country or territory (ITU-T E.164, geographic
/// codes), as in use in 2026. Codes for global services (800, 808, 870, 878, 881, 882, 883, 888,
/// 979, 991) are deliberately absent: they have no country. So are spare codes (e.g. 28x, 671, 684,
/// 999) and 388 (withdrawn European numbering space).
pub const ASSIGNED_CODES: &[u16] = &[
    1, 7, // zones 1 and 7
    20, 27, // zone 2, two digits
    211, 212, 213, 216, 218, //
    220, 221, 222, 223, 224, 225, 226, 227, 228, 229, //
    230, 231, 232, 233, 234, 235, 236, 237, 238, 239, //
    240, 241, 242, 243, 244, 245, 246, 247, 248, 249, //
    250, 251, 252, 253, 254, 255, 256, 257, 258, //
    260, 261, 262, 263, 264, 265, 266, 267, 268, 269, //
    290, 291, 297, 298, 299, //
    30, 31, 32, 33, 34, 36, 39, // zone 3, two digits
    350, 351, 352, 353, 354, 355, 356, 357, 358, 359, //
    370, 371, 372, 373, 374, 375, 376, 377, 378, 379, //
    380, 381, 382, 383, 385, 386, 387, 389, //
    40, 41, 43, 44, 45, 46, 47, 48, 49, // zone 4, two digits
    420, 421, 423, //
    51, 52, 53, 54, 55, 56, 57, 58, // zone 5, two digits
    500, 501, 502, 503, 504, 505, 506, 507, 508, 509, //
    590, 591, 592, 593, 594, 595, 596, 597, 598, 599, //
    60, 61, 62, 63, 64, 65, 66, // zone 6, two digits
    670, 672, 673, 674, 675, 676, 677, 678, 679, //
    680, 681, 682, 683, 685, 686, 687, 688, 689, //
    690, 691, 692, //
    81, 82, 84, 86, // zone 8, two digits
    850, 852, 853, 855, 856, 880, 886, //
    90, 91, 92, 93, 94, 95, 98, // zone 9, two digits
    960, 961, 962, 963, 964, 965, 966, 967, 968, //
    970, 971, 972, 973, 974, 975, 976, 977, //
    992, 993, 994, 995, 996, 998,
];

/// The main country of calling codes that several countries share (the ITU's first assignee). When
/// markets.csv gives a code several rows without prefixes, this one is the code's default.
const MAIN_COUNTRY: &[(u16, &str)] = &[
    (1, "US"),
    (7, "RU"),
    (39, "IT"),
    (44, "GB"),
    (47, "NO"),
    (61, "AU"),
    (212, "MA"),
    (262, "RE"),
    (290, "SH"),
    (358, "FI"),
    (590, "GP"),
    (599, "CW"),
];

/// Calling codes are 1 to 3 digits, so a code's value is its slot: 1..=9, 10..=99, 100..=999.
const CODE_SLOTS: usize = 1000;
const NO_CODE: u16 = u16::MAX;
const NO_COUNTRY: u16 = u16::MAX;
/// Four leading digits: 1000..=9999.
const LEAD_FIRST: u64 = 1000;
const LEADS: usize = 9000;
const LEAD_SLOW: u16 = u16::MAX;
const LEAD_UNASSIGNED: u16 = u16::MAX - 1;

/// A country as a list of countries gives it (a row of markets.csv).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    /// ISO 3166 alpha-2, upper case.
    pub iso: String,
    /// The country's English name, as the markets file writes it.
    pub name: String,
    /// Its calling code (1 for the US and Canada).
    pub code: u16,
    /// Leading digits of the national number that select this country inside its code, as
    /// sorted `(len, value)`; empty for the code's default.
    pub prefixes: Vec<(u32, u64)>,
}

/// Two listed countries claim the same prefix of a calling code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PrefixClash {
    /// The country (index into the list) that claims the prefix second.
    pub country: usize,
    /// The country that claimed it first.
    pub owner: usize,
    /// The prefix, as `(len, value)`.
    pub prefix: (u32, u64),
}

#[derive(Debug, Clone)]
struct Country {
    /// ISO 3166 alpha-2, upper case; empty for a synthetic country.
    iso: String,
    name: String,
    code: u16,
}

#[derive(Debug, Clone, Copy)]
struct Prefix {
    len: u32,
    value: u64,
    country: CountryId,
}

#[derive(Debug, Clone)]
struct Code {
    default: CountryId,
    /// Range into `Countries::prefixes`, longest prefixes first.
    prefixes: (u32, u32),
}

/// Countries and their calling codes: the listed ones first (their `CountryId` is their index
/// in the list), then one synthetic country per assigned calling code the list does not give.
#[derive(Debug, Clone)]
pub struct Countries {
    countries: Vec<Country>,
    /// How many of `countries` were listed; the rest are synthetic.
    listed: usize,
    prefixes: Vec<Prefix>,
    codes: Vec<Code>,
    /// Calling code -> index into `codes`, or `NO_CODE`.
    slots: Box<[u16]>,
    /// The first four digits of a number (1000..=9999, less 1000) -> its country when they
    /// decide it, `LEAD_UNASSIGNED`, or `LEAD_SLOW` when a longer prefix may apply: one
    /// division and one load per row instead of a walk through codes and prefixes.
    by_lead: Box<[u16]>,
    /// `(a - 'A') * 26 + (b - 'A')` -> country, or `NO_COUNTRY`.
    by_iso: Box<[u16]>,
}

impl Countries {
    /// The table of `listed` (ISO codes unique, each valid for [`iso_slot`]), plus a synthetic
    /// country for every assigned calling code they leave out. Among several countries without
    /// prefixes on one code, the ITU's first assignee is the code's default (else the first
    /// listed). Refuses a prefix two countries claim.
    pub fn build(listed: &[Listed]) -> Result<Countries, PrefixClash> {
        let mut by_iso = vec![NO_COUNTRY; 26 * 26].into_boxed_slice();
        let mut countries = Vec::with_capacity(listed.len() + ASSIGNED_CODES.len());
        for (k, l) in listed.iter().enumerate() {
            if let Some(slot) = iso_slot(&l.iso) {
                by_iso[slot] = checked_id(k, "countries");
            }
            countries.push(Country {
                iso: l.iso.clone(),
                name: l.name.clone(),
                code: l.code,
            });
        }

        // Calling codes: prefixes per code, and one default country per code.
        let mut per_code: BTreeMap<u16, (Vec<usize>, Vec<Prefix>)> = BTreeMap::new();
        for (k, l) in listed.iter().enumerate() {
            let (defaults, prefixes) = per_code.entry(l.code).or_default();
            if l.prefixes.is_empty() {
                defaults.push(k);
            }
            for &(len, value) in &l.prefixes {
                if let Some(p) = prefixes.iter().find(|p| p.len == len && p.value == value) {
                    return Err(PrefixClash {
                        country: k,
                        owner: usize::from(p.country.0),
                        prefix: (len, value),
                    });
                }
                prefixes.push(Prefix {
                    len,
                    value,
                    country: CountryId(k as u16),
                });
            }
        }
        for &code in ASSIGNED_CODES {
            per_code.entry(code).or_default();
        }

        let mut table = Countries {
            countries,
            listed: listed.len(),
            prefixes: Vec::new(),
            codes: Vec::with_capacity(per_code.len()),
            slots: vec![NO_CODE; CODE_SLOTS].into_boxed_slice(),
            by_lead: Box::default(),
            by_iso,
        };
        for (code, (defaults, mut prefixes)) in per_code {
            let default = match defaults.as_slice() {
                [] => {
                    table.countries.push(Country {
                        iso: String::new(),
                        name: format!("Unlisted (+{code})"),
                        code,
                    });
                    table.countries.len() - 1
                }
                [only] => *only,
                several => {
                    let main = MAIN_COUNTRY
                        .iter()
                        .find(|(c, _)| *c == code)
                        .and_then(|(_, iso)| several.iter().find(|&&k| listed[k].iso == *iso));
                    *main.unwrap_or(&several[0])
                }
            };
            prefixes.sort_by(|a, b| b.len.cmp(&a.len).then(a.value.cmp(&b.value)));
            let start = table.prefixes.len() as u32;
            table.prefixes.extend(prefixes);
            table.slots[usize::from(code)] = checked_id(table.codes.len(), "calling codes");
            table.codes.push(Code {
                default: CountryId(checked_id(default, "countries")),
                prefixes: (start, table.prefixes.len() as u32),
            });
        }
        table.by_lead = (LEAD_FIRST..LEAD_FIRST + LEADS as u64)
            .map(|lead| table.lead_country(lead))
            .collect();
        Ok(table)
    }

    /// What the four leading digits `lead` of any number of at least 7 digits say of its
    /// country (for `by_lead`), by the same walk as [`Countries::country_of_slow`].
    fn lead_country(&self, lead: u64) -> u16 {
        for len in (1..=3u32).rev() {
            let known = 4 - len;
            let code = lead / POW10[known as usize];
            let slot = self.slots[code as usize];
            if slot == NO_CODE {
                continue;
            }
            let code = &self.codes[usize::from(slot)];
            let national = lead % POW10[known as usize];
            let (start, end) = code.prefixes;
            // Longest prefixes first, as the walk tries them.
            for p in &self.prefixes[start as usize..end as usize] {
                if p.len > known {
                    if p.value / POW10[(p.len - known) as usize] == national {
                        return LEAD_SLOW; // the next digits decide
                    }
                } else if national / POW10[(known - p.len) as usize] == p.value {
                    return p.country.0;
                }
            }
            return code.default.0;
        }
        LEAD_UNASSIGNED
    }

    /// The country of a normalised number: the longest matching calling code (1 to 3 digits); inside
    /// a code shared by several countries, the country whose prefix matches the start of the national
    /// number (longest prefix wins), else the code's default (its row without prefixes; the
    /// synthetic "Unlisted (+N)" country for an assigned code markets.csv does not list).
    /// Global and unassigned codes are [`PhoneError::UnassignedCode`].
    pub fn country_of(&self, digits: u64) -> Result<CountryId, PhoneError> {
        if digits >= POW10[MIN_DIGITS - 1] {
            let lead = digits / POW10[digit_count(digits) as usize - 4];
            match self.by_lead[(lead - LEAD_FIRST) as usize] {
                LEAD_SLOW => {}
                LEAD_UNASSIGNED => return Err(PhoneError::UnassignedCode),
                country => return Ok(CountryId(country)),
            }
        }
        self.country_of_slow(digits)
    }

    /// [`Countries::country_of`] by walking codes and prefixes.
    pub(crate) fn country_of_slow(&self, digits: u64) -> Result<CountryId, PhoneError> {
        let n = digit_count(digits) as usize;
        for len in (1..=3usize).rev() {
            if n <= len {
                continue;
            }
            let rest = n - len;
            let code = digits / POW10[rest];
            let slot = self.slots[code as usize];
            if slot == NO_CODE {
                continue;
            }
            let code = &self.codes[usize::from(slot)];
            let national = digits % POW10[rest];
            let (start, end) = code.prefixes;
            for p in &self.prefixes[start as usize..end as usize] {
                if p.len as usize <= rest && national / POW10[rest - p.len as usize] == p.value {
                    return Ok(p.country);
                }
            }
            return Ok(code.default);
        }
        Err(PhoneError::UnassignedCode)
    }

    /// ISO 3166 alpha-2, case-insensitive ("fr", "FR").
    pub fn country_by_iso(&self, iso: &str) -> Option<CountryId> {
        match self.by_iso[iso_slot(iso.trim())?] {
            NO_COUNTRY => None,
            k => Some(CountryId(k)),
        }
    }

    /// "+33", "33", "+1" -> the default country of that calling code (the row without prefixes; for
    /// +1 the US). An assigned code markets.csv does not list gives its synthetic "Unlisted" country;
    /// global and unassigned codes give None.
    pub fn country_by_calling_code(&self, code: &str) -> Option<CountryId> {
        let code = code.trim();
        let code = parse_code(code.strip_prefix('+').unwrap_or(code))?;
        match self.slots[usize::from(code)] {
            NO_CODE => None,
            slot => Some(self.codes[usize::from(slot)].default),
        }
    }

    /// ISO 3166 alpha-2 in upper case; empty for an unlisted calling code's synthetic country.
    pub fn iso(&self, c: CountryId) -> &str {
        &self.countries[usize::from(c.0)].iso
    }

    /// The country's English name.
    pub fn country_name(&self, c: CountryId) -> &str {
        &self.countries[usize::from(c.0)].name
    }

    /// The country's calling code.
    pub fn calling_code(&self, c: CountryId) -> u16 {
        self.countries[usize::from(c.0)].code
    }

    /// Every country's calling code, in `CountryId` order.
    pub fn calling_codes(&self) -> impl Iterator<Item = u16> + '_ {
        self.countries.iter().map(|c| c.code)
    }

    /// How many countries the table holds, synthetic ones included (`CountryId`s are
    /// `0..len()`).
    pub fn len(&self) -> usize {
        self.countries.len()
    }

    /// Whether the table holds no country (never, once built: every assigned calling code has
    /// one).
    pub fn is_empty(&self) -> bool {
        self.countries.is_empty()
    }

    /// Whether `c` is a synthetic country (an assigned calling code the list does not give).
    pub fn is_synthetic(&self, c: CountryId) -> bool {
        usize::from(c.0) >= self.listed
    }
}

fn checked_id(k: usize, what: &str) -> u16 {
    match u16::try_from(k) {
        // The top two values are markers (`NO_CODE`, `LEAD_SLOW`, `LEAD_UNASSIGNED`).
        Ok(id) if id < LEAD_UNASSIGNED => id,
        _ => panic!("more than {} {what} in a market map", LEAD_UNASSIGNED),
    }
}

/// The table slot of a two-letter ISO code, any case; None for anything else.
pub fn iso_slot(iso: &str) -> Option<usize> {
    match iso.as_bytes() {
        &[a, b] if a.is_ascii_alphabetic() && b.is_ascii_alphabetic() => Some(
            usize::from(a.to_ascii_uppercase() - b'A') * 26
                + usize::from(b.to_ascii_uppercase() - b'A'),
        ),
        _ => None,
    }
}

/// A calling code: 1 to 3 ASCII digits, not starting with 0.
pub fn parse_code(s: &str) -> Option<u16> {
    let b = s.as_bytes();
    if b.is_empty() || b.len() > 3 || b[0] == b'0' || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    s.parse().ok()
}
