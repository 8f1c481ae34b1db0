//! Phone numbers: normalise to digits (docs/rules.md, Markets).
//!
//! Billing needs only the country of a number, so a number is reduced to its digits (country calling
//! code first) and packed into a `u64`: the same customer is the same integer however the log formats
//! the number. [`normalise`] is on the hot path (once per row), so it makes a single pass over the
//! bytes and never allocates.
//!
//! A bottom module: it imports nothing of the domain; the log reader, the webhook reader, the
//! market map and the accounts file all read numbers through it. [`numbering`] holds the
//! numbering plans that say which national numbers are possible.

pub mod numbering;

use numbering::Region;
use std::fmt;

/// Why a value cannot be read as a phone number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhoneError {
    /// No digits at all (empty cell, only spaces, a lone `+` or `whatsapp:`).
    Empty,
    /// A byte that cannot be part of a phone number (the first one found).
    BadChar(u8),
    /// Fewer than 7 digits (the count, after dropping a leading `00`).
    TooShort(usize),
    /// More than 15 digits (the count, after dropping a leading `00`).
    TooLong(usize),
    /// Written like a national number (a trunk 0, parentheses or dashes, no `+` or `00`):
    /// without the country calling code.
    NoCallingCode,
    /// With `--default-country`: a trunk 0, yet no possible national number of that country.
    NotNational,
    /// The digits after the calling code have a length no number of that code has: a
    /// national number read as international, or a digit too many or too few.
    Impossible {
        /// The calling code the number starts with.
        code: u16,
        /// Digits after the calling code.
        national: u8,
        /// Bit n set: n digits after the code are possible.
        lengths: u32,
    },
    /// The number starts with no calling code assigned to a country (an unassigned code, or a
    /// global one such as +800 or +881). Returned by `MarketMap::country_of`, not by [`normalise`].
    UnassignedCode,
}

/// Fewest digits a number may have, country calling code included.
pub const MIN_DIGITS: usize = 7;
/// Most digits a number may have, country calling code included (E.164).
pub const MAX_DIGITS: usize = 15;

impl fmt::Display for PhoneError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            PhoneError::Empty => write!(f, "is empty; a phone number is needed"),
            PhoneError::BadChar(b) if b.is_ascii_graphic() => write!(
                f,
                "contains '{}', which cannot be part of a phone number",
                b as char
            ),
            PhoneError::BadChar(b) if b.is_ascii() => write!(
                f,
                "contains the control character 0x{b:02X}, which cannot be part of a phone number"
            ),
            PhoneError::BadChar(b) => write!(
                f,
                "contains a non-ASCII character (byte 0x{b:02X}), which cannot be part of a phone number"
            ),
            PhoneError::TooShort(n) => write!(
                f,
                "has {n} digit{}; a number needs {MIN_DIGITS} to {MAX_DIGITS} digits including the country calling code",
                if n == 1 { "" } else { "s" }
            ),
            PhoneError::TooLong(n) => write!(
                f,
                "has {n} digits; a number has at most {MAX_DIGITS} digits including the country calling code"
            ),
            PhoneError::NoCallingCode => write!(
                f,
                "has no country calling code: written without + or 00, with a leading 0, parentheses or dashes, it looks like a national number"
            ),
            PhoneError::NotNational => write!(
                f,
                "starts with a trunk 0 but is no possible national number of the --default-country"
            ),
            PhoneError::Impossible {
                code,
                national,
                lengths,
            } => {
                let possible: Vec<String> = (0..32)
                    .filter(|n| lengths & (1u32 << n) != 0)
                    .map(|n| n.to_string())
                    .collect();
                write!(
                    f,
                    "is not a possible number of calling code +{code}: {national} digit{} after +{code}, where its numbers have {}",
                    if national == 1 { "" } else { "s" },
                    match possible.as_slice() {
                        [] => "none".to_string(),
                        [one] => one.clone(),
                        [init @ .., last] => format!("{} or {last}", init.join(", ")),
                    }
                )
            }
            PhoneError::UnassignedCode => write!(
                f,
                "starts with a calling code that belongs to no country, so its market is unknown"
            ),
        }
    }
}

impl std::error::Error for PhoneError {}

impl PhoneError {
    /// How to fix the value, for the `hint:` line of an error.
    pub fn hint(&self) -> &'static str {
        match self {
            PhoneError::Empty => {
                "every row needs the customer's number in international form, like +33 6 12 34 56 78"
            }
            PhoneError::BadChar(_) => {
                "a number may hold only digits, a leading +, spaces, dashes, dots and parentheses, \
                 with an optional whatsapp: prefix, like +33 6 12 34 56 78"
            }
            PhoneError::TooShort(_) => {
                "write numbers in international form with the country calling code, like +33 6 12 34 56 78"
            }
            PhoneError::TooLong(_) => {
                "write one number per cell, without an extension, in international form, like +33 6 12 34 56 78"
            }
            PhoneError::NoCallingCode => {
                "add --default-country CC to read national numbers as numbers of country CC, \
                 or write numbers in international form: 06 12 34 56 78 in France is +33 6 12 34 56 78"
            }
            PhoneError::NotNational => {
                "check --default-country, or write the number in international form with + and its calling code"
            }
            PhoneError::Impossible { .. } => {
                "if the log holds national numbers, add --default-country CC; otherwise correct the number"
            }
            PhoneError::UnassignedCode => {
                "check the country calling code; global codes such as +800 (freephone) or +881 (satellite) \
                 have no country and cannot be priced"
            }
        }
    }
}

/// Normalise a number to its digits, packed as a `u64` (at most 15 digits, so it fits), reading
/// it as international (with or without its `+`): the form of Meta's `wa_id` and of business
/// numbers. The log reader reads customers with [`read_customer`], which also knows national
/// numbers.
///
/// Accepts surrounding ASCII whitespace, an optional `whatsapp:` prefix (any case), one `+` before the
/// first digit, and as separators anywhere: ASCII whitespace, dashes, dots, parentheses and the
/// no-break spaces U+00A0 and U+202F (spreadsheets put them in formatted numbers). A `(0)` (the
/// trunk prefix some write after the calling code, `+44 (0)7700 900123`) is dropped. Without a
/// `+`, a leading `00` international prefix is dropped. Anything else is [`PhoneError::BadChar`].
///
/// Errors, in this order: the first bad byte; no digits ([`PhoneError::Empty`]); a first digit of 0
/// after dropping `00` ([`PhoneError::NoCallingCode`]); fewer than 7 or more than 15 digits.
///
/// `+33 6-12.34 (56) 78`, `0033612345678`, `whatsapp:+33612345678` and `33612345678` all give
/// `33612345678`.
pub fn normalise(raw: &[u8]) -> Result<u64, PhoneError> {
    if let Some(n) = plain_international(raw) {
        return Ok(n);
    }
    scan(raw)?.international()
}

/// The ways most logs write numbers, read in one pass: after an optional `whatsapp:`, a `+`
/// and 7 to 15 digits not starting with 0, with spaces, dashes or parentheses between them
/// (`+33 6 12 34 56 78`, `+1 (212) 555-0101`); or plain digits, after an optional `00`, the
/// same. [`scan`] gives the same value; this only skips its bookkeeping, and leaves every
/// other way of writing (a `(0)`, a dot, a leading 0, a bad byte) to it.
#[inline]
fn plain_international(raw: &[u8]) -> Option<u64> {
    const PREFIX: &[u8] = b"whatsapp:";
    let raw = match raw.get(..PREFIX.len()) {
        Some(p) if matches!(p[0], b'w' | b'W') && p.eq_ignore_ascii_case(PREFIX) => {
            &raw[PREFIX.len()..]
        }
        _ => raw,
    };
    let (digits, marks) = match raw {
        [b'+', rest @ ..] => (rest, true),
        [b'0', b'0', rest @ ..] => (rest, false),
        _ => (raw, false),
    };
    if !matches!(digits.first(), Some(b'1'..=b'9')) {
        return None;
    }
    if (MIN_DIGITS..=MAX_DIGITS).contains(&digits.len()) {
        if let Some(value) = digits_value(digits) {
            return Some(value);
        }
    }
    let mut value = 0u64;
    let mut count = 0;
    for (i, &b) in digits.iter().enumerate() {
        match b {
            b'0'..=b'9' => {
                value = value * 10 + u64::from(b - b'0');
                count += 1;
                if count > MAX_DIGITS {
                    return None;
                }
            }
            // `(0)` is a trunk prefix [`scan`] drops.
            b' ' | b'-' | b')' if marks => {}
            b'(' if marks && digits.get(i + 1) != Some(&b'0') => {}
            _ => return None,
        }
    }
    (count >= MIN_DIGITS).then_some(value)
}

/// The value of up to 16 ASCII digits, eight at a time; `None` when a byte is no digit.
#[inline(always)]
fn digits_value(digits: &[u8]) -> Option<u64> {
    // Zeros in front add nothing.
    let mut buf = [b'0'; 16];
    buf.get_mut(16usize.checked_sub(digits.len())?..)?
        .copy_from_slice(digits);
    let high = u64::from_le_bytes(buf[..8].try_into().expect("8 bytes"));
    let low = u64::from_le_bytes(buf[8..].try_into().expect("8 bytes"));
    if !(eight_digits(high) && eight_digits(low)) {
        return None;
    }
    Some(eight_digits_value(high) * 100_000_000 + eight_digits_value(low))
}

/// Whether the eight bytes of `x` are all ASCII digits: each is 0x30..=0x3F, and still is
/// with 6 added (so its low half is at most 9).
#[inline(always)]
fn eight_digits(x: u64) -> bool {
    const HIGH: u64 = 0xF0F0_F0F0_F0F0_F0F0;
    const ZEROS: u64 = 0x3030_3030_3030_3030;
    x & HIGH == ZEROS && x.wrapping_add(0x0606_0606_0606_0606) & HIGH == ZEROS
}

/// The value of eight ASCII digits read little-endian (the first digit in the lowest byte):
/// pairs of digits, then pairs of pairs, then the two halves.
#[inline(always)]
fn eight_digits_value(x: u64) -> u64 {
    let x = x - 0x3030_3030_3030_3030;
    let x = (x * 10 + (x >> 8)) & 0x00FF_00FF_00FF_00FF;
    let x = (x * 100 + (x >> 16)) & 0x0000_FFFF_0000_FFFF;
    (x.wrapping_mul(10_000) + (x >> 32)) & 0xFFFF_FFFF
}

/// Reads a customer's number as the log writes it. With a `+` or `00` it is international.
/// Otherwise, with a default region (`--default-country`), it is read as a national number of
/// that region first (its trunk prefix dropped), then as international; without one, plain
/// digits are international (Meta's `wa_id` form), and a number written the national way
/// (a trunk `0`, parentheses or dashes) is [`PhoneError::NoCallingCode`]: read as
/// international it would land in another country.
pub fn read_customer(raw: &[u8], default: Option<&Region>) -> Result<u64, PhoneError> {
    let plain = if default.is_none() || raw.first() == Some(&b'+') {
        plain_international(raw)
    } else {
        None
    };
    match plain {
        Some(n) => Ok(n),
        None => read_scanned(raw, default),
    }
}

/// [`read_customer`] by [`scan`], for any way of writing a number.
fn read_scanned(raw: &[u8], default: Option<&Region>) -> Result<u64, PhoneError> {
    let w = scan(raw)?;
    if w.international {
        return w.international();
    }
    if let Some(region) = default {
        if let Some(n) = region.national(w.value, w.count) {
            return Ok(n);
        }
        if w.trunk_zero {
            return Err(PhoneError::NotNational);
        }
        return w.international();
    }
    if w.national_look {
        return Err(PhoneError::NoCallingCode);
    }
    w.international()
}

/// A number's digits as written, before deciding how to read them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Written {
    /// The digits' value (after a dropped `00` or `(0)`).
    pub value: u64,
    /// How many digits, leading zeros included.
    pub count: u32,
    /// The first of them.
    first: u8,
    /// Written with a `+` or a leading `00`.
    pub international: bool,
    /// Not international, and starting with a 0 (a trunk prefix).
    pub trunk_zero: bool,
    /// Not international, and written the way national numbers are: a trunk 0, parentheses
    /// or dashes.
    pub national_look: bool,
}

impl Written {
    /// The digits read as an international number: calling code first.
    fn international(&self) -> Result<u64, PhoneError> {
        if self.count > 0 && self.first == 0 {
            return Err(PhoneError::NoCallingCode);
        }
        let n = self.count as usize;
        if n < MIN_DIGITS {
            return Err(PhoneError::TooShort(n));
        }
        if n > MAX_DIGITS {
            return Err(PhoneError::TooLong(n));
        }
        Ok(self.value)
    }
}

/// Reads the digits of any way of writing a number, and how it was written.
#[inline]
pub fn scan(raw: &[u8]) -> Result<Written, PhoneError> {
    const PREFIX: &[u8] = b"whatsapp:";
    let raw = without_float_fraction(raw);
    let mut i = 0;
    while i < raw.len() && raw[i].is_ascii_whitespace() {
        i += 1;
    }
    if raw.len() - i >= PREFIX.len() && raw[i..i + PREFIX.len()].eq_ignore_ascii_case(PREFIX) {
        i += PREFIX.len();
    }

    let mut value: u64 = 0;
    let mut count: u32 = 0;
    // The first three digits, to drop a leading 00 and to spot a leading 0 after it.
    let mut lead = [0u8; 3];
    let mut plus = false;
    let mut marks = false;
    while i < raw.len() {
        let b = raw[i];
        i += 1;
        match b {
            // `(0)` after some digits: a trunk prefix written beside the calling code.
            b'(' if count > 0 && raw.get(i..i + 2) == Some(&b"0)"[..]) => i += 2,
            b'0'..=b'9' => {
                let d = b - b'0';
                if count < 3 {
                    lead[count as usize] = d;
                }
                count += 1;
                // Wraps only past 19 digits, which is TooLong anyway.
                value = value.wrapping_mul(10).wrapping_add(u64::from(d));
            }
            b'-' | b'(' | b')' => marks = true,
            b' ' | b'\t' | b'\n' | b'\r' | b'\x0C' | b'.' => {}
            b'+' if !plus && count == 0 => plus = true,
            // U+00A0 NO-BREAK SPACE
            0xC2 if raw.get(i) == Some(&0xA0) => i += 1,
            // U+202F NARROW NO-BREAK SPACE
            0xE2 if raw.get(i..i + 2) == Some(&[0x80u8, 0xAF][..]) => i += 2,
            _ => return Err(PhoneError::BadChar(b)),
        }
    }

    if count == 0 {
        return Err(PhoneError::Empty);
    }
    // Leading zeros add nothing to `value`, so dropping 00 only changes the count.
    let dropped = !plus && count >= 2 && lead[0] == 0 && lead[1] == 0;
    let international = plus || dropped;
    let (count, first) = if dropped {
        (count - 2, lead[2])
    } else {
        (count, lead[0])
    };
    let trunk_zero = !international && first == 0;
    Ok(Written {
        value,
        count,
        first,
        international,
        trunk_zero,
        national_look: !international && (trunk_zero || marks),
    })
}

/// A number a spreadsheet wrote as a float (`33612345678.0`): the digits before the point.
/// Dots elsewhere are separators (`06.12.34.56.78`), but one point followed only by zeros after
/// a run of digits is a float's fraction; read as a separator it would add a digit and make
/// another customer of the same person.
fn without_float_fraction(raw: &[u8]) -> &[u8] {
    let t = raw.trim_ascii();
    let Some(dot) = t.iter().position(|&b| b == b'.') else {
        return raw;
    };
    let (int, frac) = (&t[..dot], &t[dot + 1..]);
    let digits = int.strip_prefix(b"+").unwrap_or(int);
    if !digits.is_empty()
        && digits.iter().all(u8::is_ascii_digit)
        && !frac.is_empty()
        && frac.iter().all(|&b| b == b'0')
    {
        int
    } else {
        raw
    }
}

/// Number of decimal digits of a normalised number (for prefix matching); 1 for 0.
/// 10^i for i in 0..20: the digit arithmetic of numbers held as `u64` (every power a `u64`
/// holds).
pub const POW10: [u64; 20] = {
    let mut p = [1u64; 20];
    let mut i = 1;
    while i < 20 {
        p[i] = p[i - 1] * 10;
        i += 1;
    }
    p
};

/// On the hot path (twice a row): the bit length gives the count to within one, and one
/// comparison settles it.
#[inline]
pub fn digit_count(n: u64) -> u32 {
    // floor(bits * log10(2)), with 1233 / 4096 for log10(2): exact for every u64 bit length.
    let bits = 64 - (n | 1).leading_zeros();
    let guess = (bits * 1233) >> 12;
    guess + u32::from((n | 1) >= POW10[guess as usize])
}

/// `+` and the decimal digits of `n` (a normalised number), written into `buf` without
/// allocating: how a business number is interned, whichever reader found it.
pub fn write_digits(mut n: u64, buf: &mut [u8; 20]) -> &[u8] {
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    i -= 1;
    buf[i] = b'+';
    &buf[i..]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> Result<u64, PhoneError> {
        normalise(s.as_bytes())
    }

    #[test]
    fn a_number_written_as_a_float_is_the_same_customer() {
        assert_eq!(n("33612345678.0"), Ok(33_612_345_678));
        assert_eq!(n(" +33612345678.00 "), Ok(33_612_345_678));
        // Dots as separators still are separators.
        assert_eq!(n("+33 6.12.34.56.78"), Ok(33_612_345_678));
        assert_eq!(n("3361234567.8"), Ok(33_612_345_678));
    }

    #[test]
    fn every_accepted_format_gives_the_same_digits() {
        for raw in [
            "33612345678",
            "+33612345678",
            "+33 6 12 34 56 78",
            "+33 6-12.34 (56) 78",
            "0033612345678",
            "00 33 6 12 34 56 78",
            "whatsapp:+33612345678",
            "WhatsApp:+33 6 12 34 56 78",
            "WHATSAPP:0033612345678",
            "whatsapp: 33612345678",
            "  +33612345678\t",
            "\t\n whatsapp:+33612345678 \r\n",
            "(+33) 6 12 34 56 78",
            "+33\u{a0}6\u{a0}12\u{a0}34\u{a0}56\u{a0}78",
            "+33\u{202f}6\u{202f}12\u{202f}34\u{202f}56\u{202f}78",
            "+33.6.12.34.56.78",
            "33-6-12-34-56-78",
        ] {
            assert_eq!(n(raw), Ok(33_612_345_678), "{raw:?}");
        }
    }

    #[test]
    fn other_countries() {
        assert_eq!(n("+1 (212) 555-0123"), Ok(12_125_550_123));
        assert_eq!(n("whatsapp:+7 701 234 5678"), Ok(77_012_345_678));
        assert_eq!(n("00 1 876 555 0100"), Ok(18_765_550_100));
        // Italian numbers keep the 0 after the calling code.
        assert_eq!(n("+39 06 1234 5678"), Ok(390_612_345_678));
    }

    #[test]
    fn length_limits() {
        assert_eq!(n("+1234567"), Ok(1_234_567));
        assert_eq!(n("+123456"), Err(PhoneError::TooShort(6)));
        assert_eq!(n("1"), Err(PhoneError::TooShort(1)));
        assert_eq!(n("+123456789012345"), Ok(123_456_789_012_345));
        assert_eq!(n("+1234567890123456"), Err(PhoneError::TooLong(16)));
        assert_eq!(n("1234567890123456789012345"), Err(PhoneError::TooLong(25)));
        // 00 does not count towards the length.
        assert_eq!(n("00123456789012345"), Ok(123_456_789_012_345));
        assert_eq!(n("00123456"), Err(PhoneError::TooShort(6)));
        assert_eq!(n("00"), Err(PhoneError::TooShort(0)));
    }

    #[test]
    fn empty_values() {
        for raw in ["", "   ", "\t", "+", "whatsapp:", "WhatsApp: ", "( ) - ."] {
            assert_eq!(n(raw), Err(PhoneError::Empty), "{raw:?}");
        }
    }

    #[test]
    fn bad_characters() {
        assert_eq!(n("+33 6 12 34 56 78 ext 5"), Err(PhoneError::BadChar(b'e')));
        assert_eq!(n("33612345678x"), Err(PhoneError::BadChar(b'x')));
        assert_eq!(n("+33/612345678"), Err(PhoneError::BadChar(b'/')));
        // A + only before the first digit, and only once.
        assert_eq!(n("33+612345678"), Err(PhoneError::BadChar(b'+')));
        assert_eq!(n("++33612345678"), Err(PhoneError::BadChar(b'+')));
        // The prefix only at the start, and spelled right.
        assert_eq!(n("+33612345678 whatsapp:"), Err(PhoneError::BadChar(b'w')));
        assert_eq!(n("whatsap:+33612345678"), Err(PhoneError::BadChar(b'w')));
        assert_eq!(n("tel:+33612345678"), Err(PhoneError::BadChar(b't')));
        // Non-ASCII other than the no-break spaces.
        assert_eq!(n("+33\u{2013}612345678"), Err(PhoneError::BadChar(0xE2)));
        assert_eq!(n("+33\u{e9}612345678"), Err(PhoneError::BadChar(0xC3)));
        assert_eq!(n("+33\u{0}612345678"), Err(PhoneError::BadChar(0)));
        // A truncated no-break space is a bad byte, not a separator.
        assert_eq!(normalise(b"+33\xC2"), Err(PhoneError::BadChar(0xC2)));
        assert_eq!(normalise(b"+33\xE2\x80"), Err(PhoneError::BadChar(0xE2)));
    }

    #[test]
    fn national_numbers_have_no_calling_code() {
        assert_eq!(n("06 12 34 56 78"), Err(PhoneError::NoCallingCode));
        assert_eq!(n("0612"), Err(PhoneError::NoCallingCode));
        assert_eq!(n("000 33 612345678"), Err(PhoneError::NoCallingCode));
        // With a +, 00 is not an international prefix.
        assert_eq!(n("+0033612345678"), Err(PhoneError::NoCallingCode));
        assert_eq!(n("+0 612345678"), Err(PhoneError::NoCallingCode));
    }

    #[test]
    fn messages_and_hints() {
        assert_eq!(
            PhoneError::TooShort(5).to_string(),
            "has 5 digits; a number needs 7 to 15 digits including the country calling code"
        );
        assert_eq!(
            PhoneError::TooShort(1).to_string(),
            "has 1 digit; a number needs 7 to 15 digits including the country calling code"
        );
        assert!(PhoneError::BadChar(b'x').to_string().contains("'x'"));
        assert!(PhoneError::BadChar(0xE2).to_string().contains("0xE2"));
        assert!(PhoneError::BadChar(b'\t').to_string().contains("0x09"));
        assert!(PhoneError::TooLong(16).to_string().contains("16 digits"));
        for e in [
            PhoneError::Empty,
            PhoneError::BadChar(b'x'),
            PhoneError::TooShort(3),
            PhoneError::TooLong(20),
            PhoneError::NoCallingCode,
            PhoneError::NotNational,
            PhoneError::Impossible {
                code: 212,
                national: 7,
                lengths: 1 << 9,
            },
            PhoneError::UnassignedCode,
        ] {
            assert!(!e.to_string().is_empty());
            assert!(!e.hint().is_empty());
        }
        assert!(PhoneError::NoCallingCode
            .hint()
            .contains("+33 6 12 34 56 78"));
        assert_eq!(
            PhoneError::Impossible {
                code: 44,
                national: 8,
                lengths: (1 << 7) | (1 << 9) | (1 << 10)
            }
            .to_string(),
            "is not a possible number of calling code +44: 8 digits after +44, where its numbers have 7, 9 or 10"
        );
        assert!(PhoneError::UnassignedCode.hint().contains("+881"));
    }

    proptest::proptest! {
        /// The bit-length digit count agrees with the decimal logarithm.
        #[test]
        fn digit_count_agrees_with_ilog10(n: u64) {
            proptest::prop_assert_eq!(digit_count(n), n.checked_ilog10().map_or(1, |l| l + 1));
        }

        /// The shortcut for plain digits answers as the general walk does.
        #[test]
        fn plain_digits_shortcut_agrees(plus: bool, digits in "[0-9]{0,18}") {
            let raw = format!("{}{digits}", if plus { "+" } else { "" });
            proptest::prop_assert_eq!(normalise(raw.as_bytes()), scan(raw.as_bytes()).and_then(|w| w.international()));
        }

        /// The one-pass reading of written numbers (a prefix, `+` or `00`, spaces, dashes,
        /// parentheses, a `(0)`) answers as the general walk does, values and errors alike.
        #[test]
        fn written_numbers_shortcut_agrees(raw in "(whatsapp:|WhatsApp:| )?[+0]{0,2}[0-9 ()\\-.+]{0,22}") {
            let raw = raw.as_bytes();
            proptest::prop_assert_eq!(read_customer(raw, None), read_scanned(raw, None));
            proptest::prop_assert_eq!(normalise(raw), scan(raw).and_then(|w| w.international()));
        }
    }

    #[test]
    fn digits_eight_at_a_time() {
        assert_eq!(
            digits_value(b"1234567890123456"),
            Some(1_234_567_890_123_456)
        );
        assert_eq!(
            digits_value(b"9999999999999999"),
            Some(9_999_999_999_999_999)
        );
        assert_eq!(digits_value(b"0000000000000001"), Some(1));
        assert_eq!(digits_value(b"5"), Some(5));
        assert_eq!(digits_value(b""), Some(0));
        assert_eq!(digits_value(b"12345678901234567"), None);
        // The bytes on either side of the digits, anywhere.
        for bad in [b'/', b':', b'?', b' ', b'a', 0x39 + 0x80] {
            for at in 0..15 {
                let mut d = *b"123456789012345";
                d[at] = bad;
                assert_eq!(digits_value(&d), None, "{bad} at {at}");
            }
        }
    }

    #[test]
    fn written_numbers_read_in_one_pass() {
        for (raw, n) in [
            ("+33 6 12 34 56 78", 33_612_345_678),
            ("+1 (212) 555-0101", 12_125_550_101),
            ("whatsapp:+447700900123", 447_700_900_123),
            ("0033612345678", 33_612_345_678),
            ("+44 (0)20 7946 0958", 442_079_460_958),
        ] {
            assert_eq!(
                plain_international(raw.as_bytes()).or_else(|| normalise(raw.as_bytes()).ok()),
                Some(n),
                "{raw}"
            );
            assert_eq!(read_customer(raw.as_bytes(), None), Ok(n), "{raw}");
        }
        // The trunk prefix in parentheses is left to the general walk, which drops it.
        assert_eq!(plain_international(b"+44 (0)20 7946 0958"), None);
    }

    #[test]
    fn digit_counts() {
        assert_eq!(digit_count(0), 1);
        assert_eq!(digit_count(7), 1);
        assert_eq!(digit_count(10), 2);
        assert_eq!(digit_count(99), 2);
        assert_eq!(digit_count(1_234_567), 7);
        assert_eq!(digit_count(33_612_345_678), 11);
        assert_eq!(digit_count(999_999_999_999_999), 15);
        assert_eq!(digit_count(1_000_000_000_000_000), 16);
        assert_eq!(digit_count(u64::MAX), 20);
    }
}
