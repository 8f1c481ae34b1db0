//! Numbering plans: which lengths a number may have after its country calling code, and how a
//! country writes its national numbers (the trunk prefix). Data: `tariffs/numbering.csv`,
//! generated from libphonenumber's metadata by `tools/numbering/generate.py`.
//!
//! A number that is impossible for its calling code is almost always a national number read as
//! an international one (`2125550101`, a New York number, read as +212, Morocco), so the log
//! reader refuses it instead of billing it in the wrong market; `--default-country` says how to
//! read national numbers.

use super::POW10;
use std::sync::OnceLock;

const BUNDLED: &str = include_str!("../../tariffs/numbering.csv");

/// Most digits a national significant number may have in the metadata (Germany lists 15; the
/// reader caps whole numbers at 15 digits anyway).
const MAX_NATIONAL: u32 = 17;

/// One region of libphonenumber's metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Region {
    /// ISO 3166 alpha-2, upper case.
    pub iso: String,
    /// The region's calling code (1 for the US).
    pub calling_code: u16,
    /// The trunk prefix dialled before national numbers (`0` in France, `1` in the US), if any.
    pub national_prefix: Option<u64>,
    /// Digits of the trunk prefix (it may start with 0, so its value alone does not say).
    pub national_prefix_len: u32,
    /// Bit `n` set: a national significant number of `n` digits is possible.
    pub lengths: u32,
}

impl Region {
    /// Whether `n` digits after the calling code can be a number of this region.
    pub fn possible_length(&self, n: u32) -> bool {
        n <= MAX_NATIONAL && self.lengths & (1 << n) != 0
    }

    /// Reads national digits (`value` with `count` digits, leading zeros included in the count)
    /// as a number of this region: the trunk prefix is dropped when what follows has a possible
    /// length, as libphonenumber does with a default region. Gives the international digits.
    pub fn national(&self, value: u64, count: u32) -> Option<u64> {
        // No plan has national numbers of 20 digits or more (E.164 allows 15 in all), and
        // `value` could not hold them: such a cell is no national number of any country.
        if count as usize >= POW10.len() {
            return None;
        }
        if let Some(prefix) = self.national_prefix {
            let rest = count.checked_sub(self.national_prefix_len)?;
            if rest > 0 && value / POW10[rest as usize] == prefix && self.possible_length(rest) {
                return Some(self.international(value % POW10[rest as usize], rest));
            }
        }
        // Without its trunk prefix, a national number does not start with 0 (except where
        // the plan has no trunk prefix and keeps the 0, as Italy does).
        let leading_zero = count > 0 && value < POW10[count as usize - 1];
        if self.possible_length(count) && (!leading_zero || self.national_prefix.is_none()) {
            return Some(self.international(value, count));
        }
        None
    }

    fn international(&self, national: u64, count: u32) -> u64 {
        u64::from(self.calling_code) * POW10[count as usize] + national
    }
}

/// Every region's plan, and per calling code the lengths any of its regions allows.
#[derive(Debug, Clone)]
pub struct NumberingPlan {
    regions: Vec<Region>,
    /// Calling code (1..=999) -> union of its regions' lengths; 0 when no region has the code.
    by_code: Box<[u32]>,
}

/// Mexico's WhatsApp ids keep the `1` that mobile numbers carried before 2019 (`52 1 55…`):
/// libphonenumber no longer lists that length, but Meta's `wa_id` still uses it.
const MX_LEGACY_MOBILE: (u16, u32, u64) = (52, 11, 1);

impl NumberingPlan {
    /// The plan bundled at build time.
    pub fn bundled() -> &'static NumberingPlan {
        static PLAN: OnceLock<NumberingPlan> = OnceLock::new();
        PLAN.get_or_init(|| {
            NumberingPlan::parse(BUNDLED).expect("the bundled numbering.csv is valid (tested)")
        })
    }

    fn parse(text: &str) -> Result<NumberingPlan, String> {
        let mut regions = Vec::new();
        let mut by_code = vec![0u32; 1000].into_boxed_slice();
        for (i, line) in text.lines().enumerate().skip(1) {
            let bad = || format!("numbering.csv line {}: '{line}'", i + 1);
            let cells: Vec<&str> = line.split(',').collect();
            let [iso, code, prefix, lengths] = cells[..] else {
                return Err(bad());
            };
            let calling_code: u16 = code.parse().map_err(|_| bad())?;
            if !(1..1000).contains(&calling_code) || iso.len() != 2 {
                return Err(bad());
            }
            let mut mask = 0u32;
            for l in lengths.split_whitespace() {
                let n: u32 = l.parse().map_err(|_| bad())?;
                if n > MAX_NATIONAL {
                    return Err(bad());
                }
                mask |= 1 << n;
            }
            let national_prefix = match prefix {
                "" => None,
                p => Some(p.parse::<u64>().map_err(|_| bad())?),
            };
            by_code[usize::from(calling_code)] |= mask;
            regions.push(Region {
                iso: iso.to_string(),
                calling_code,
                national_prefix,
                national_prefix_len: prefix.len() as u32,
                lengths: mask,
            });
        }
        Ok(NumberingPlan { regions, by_code })
    }

    /// The region of an ISO code (any case).
    pub fn region(&self, iso: &str) -> Option<&Region> {
        self.regions
            .iter()
            .find(|r| r.iso.eq_ignore_ascii_case(iso.trim()))
    }

    /// Whether international digits `number` can be a number of calling code `code`: the
    /// digits after the code have a length one of the code's regions allows. Codes no region
    /// has (none in use today) are not checked.
    pub fn possible(&self, number: u64, code: u16) -> bool {
        let mask = self.by_code.get(usize::from(code)).copied().unwrap_or(0);
        if mask == 0 {
            return true;
        }
        let n = super::digit_count(number) - super::digit_count(u64::from(code));
        if n <= MAX_NATIONAL && mask & (1 << n) != 0 {
            return true;
        }
        let (mx, len, lead) = MX_LEGACY_MOBILE;
        code == mx && n == len && number / POW10[len as usize - 1] % 10 == lead
    }

    /// For each country of a market map (indexed by `CountryId`), the whole numbers' possible
    /// digit counts, calling code included (bit n: n digits), or all bits where the plan has
    /// no region for the code: one load and one test per row in the log reader.
    pub fn total_lengths(&self, calling_codes: impl Iterator<Item = u16>) -> Vec<u64> {
        calling_codes
            .map(|code| {
                let mask = self.lengths_of(code);
                if mask == 0 {
                    return u64::MAX;
                }
                let mut total = u64::from(mask) << super::digit_count(u64::from(code));
                if code == MX_LEGACY_MOBILE.0 {
                    // Checked in full by `possible` when this bit lets a number through.
                    total |= 1 << (2 + MX_LEGACY_MOBILE.1);
                }
                total
            })
            .collect()
    }

    /// Bit n set: n digits after calling code `code` are possible in one of its regions.
    pub fn lengths_of(&self, code: u16) -> u32 {
        self.by_code.get(usize::from(code)).copied().unwrap_or(0)
    }

    /// The regions where digits written without a calling code (`value`, `count` digits)
    /// are a possible national number, the likeliest first: for the hint of an error.
    pub fn national_candidates(&self, value: u64, count: u32) -> Vec<&str> {
        let mut found: Vec<&Region> = self
            .regions
            .iter()
            .filter(|r| r.national(value, count).is_some())
            .collect();
        found.sort_by_key(|r| {
            let rank = LIKELY.iter().position(|&iso| iso == r.iso);
            // Ten digits starting 2-9 whose fourth digit is 2-9 is the North American plan's shape.
            let nanp = r.calling_code == 1 && count == 10 && is_nanp(value);
            (!nanp, rank.unwrap_or(LIKELY.len()), r.iso.clone())
        });
        // One country per calling code: the 25 countries of +1 are one suggestion.
        let mut codes = Vec::new();
        found
            .into_iter()
            .filter(|r| {
                let new = !codes.contains(&r.calling_code);
                codes.push(r.calling_code);
                new
            })
            .map(|r| r.iso.as_str())
            .collect()
    }
}

/// `NXX NXX XXXX`: area code and exchange both start with 2-9.
fn is_nanp(value: u64) -> bool {
    let area = value / 10_000_000;
    let exchange = value / 10_000 % 1000;
    (200..1000).contains(&area) && exchange >= 200
}

/// Countries whose national numbers most often reach a business log, to order the suggestions
/// of an error (WhatsApp's largest markets first).
const LIKELY: &[&str] = &[
    "US", "IN", "BR", "MX", "ID", "GB", "DE", "FR", "IT", "ES", "CO", "AR", "TR", "NG", "ZA", "PK",
    "EG", "SA", "AE", "NL", "CA", "AU",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn plan() -> &'static NumberingPlan {
        NumberingPlan::bundled()
    }

    #[test]
    fn bundled_plan_has_every_region() {
        let p = plan();
        assert!(p.regions.len() > 240);
        let fr = p.region("fr").unwrap();
        assert_eq!(
            (fr.calling_code, fr.national_prefix, fr.lengths),
            (33, Some(0), 1 << 9)
        );
        assert_eq!(p.region("US").unwrap().national_prefix, Some(1));
        assert_eq!(p.region("IT").unwrap().national_prefix, None);
        assert!(p.region("XX").is_none());
    }

    #[test]
    fn lengths_after_the_calling_code() {
        let p = plan();
        assert!(p.possible(33_612_345_678, 33));
        assert!(!p.possible(3_361_234_567, 33)); // 8 digits after +33
        assert!(!p.possible(330_612_345_678, 33)); // the trunk 0 kept: 10 digits
        assert!(p.possible(12_125_550_101, 1));
        assert!(!p.possible(2_125_550_101, 212)); // a New York number read as Morocco
        assert!(p.possible(212_612_345_678, 212));
        assert!(p.possible(447_700_900_123, 44));
        // Mexico: 10 digits, and the legacy mobile 1 of WhatsApp ids.
        assert!(p.possible(525_512_345_678, 52));
        assert!(p.possible(5_215_512_345_678, 52));
        assert!(!p.possible(5_225_512_345_678, 52));
    }

    #[test]
    fn national_numbers_with_a_default_region() {
        let p = plan();
        let us = p.region("US").unwrap();
        assert_eq!(us.national(2_125_550_101, 10), Some(12_125_550_101));
        assert_eq!(us.national(12_125_550_101, 11), Some(12_125_550_101));
        assert_eq!(us.national(447_700_900_123, 12), None);
        let fr = p.region("FR").unwrap();
        assert_eq!(fr.national(612_345_678, 10), Some(33_612_345_678)); // 06 12 34 56 78
        assert_eq!(fr.national(612_345_678, 9), Some(33_612_345_678));
        assert_eq!(fr.national(33_612_345_678, 11), None);
        let gb = p.region("GB").unwrap();
        assert_eq!(gb.national(7_700_900_123, 11), Some(447_700_900_123));
        // Italy keeps its leading 0 after the calling code.
        let it = p.region("IT").unwrap();
        assert_eq!(it.national(612_345_678, 10), Some(390_612_345_678));
    }

    #[test]
    fn suggestions_put_the_likely_country_first() {
        let p = plan();
        assert_eq!(p.national_candidates(2_125_550_101, 10)[0], "US");
        assert_eq!(p.national_candidates(6_465_550_104, 10)[0], "US");
        let fr = p.national_candidates(612_345_678, 10);
        assert!(fr.contains(&"FR"), "{fr:?}");
    }
}
