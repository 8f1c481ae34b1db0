//! What a log file is, from its first bytes: text or not, and which separator its header uses.

use crate::error::BadInput;

/// How many bytes are looked at for binary data.
pub const BINARY_CHECK_BYTES: usize = 8 * 1024;
/// How many bytes of the header line are looked at for its separator.
pub const SNIFF_BYTES: usize = 64 * 1024;

/// The separators a header line is searched for, in the order that breaks a tie.
const SEPARATORS: [u8; 4] = [b',', b';', b'\t', b'|'];

/// A UTF-16 text or binary data in the first [`BINARY_CHECK_BYTES`] of `start` is an error
/// saying what the file is: a NUL byte is never in a text CSV.
pub fn check_text(start: &[u8], file: &str) -> Result<(), BadInput> {
    let head = &start[..start.len().min(BINARY_CHECK_BYTES)];
    if head.starts_with(b"\xFF\xFE") || head.starts_with(b"\xFE\xFF") || looks_utf16(head) {
        return Err(BadInput::new(format!(
            "{file}: the file is UTF-16 text, not UTF-8"
        ))
        .hint("a spreadsheet's \"Unicode text\" is UTF-16: save the file as \"CSV UTF-8 (comma delimited)\""));
    }
    let Some(at) = memchr::memchr(0, head) else {
        return Ok(());
    };
    let err = BadInput::new(format!(
        "{file}: not a text CSV file (binary data at byte {})",
        at + 1
    ));
    Err(if head.starts_with(b"PK\x03\x04") {
        err.hint("this is a zip archive, such as an Excel workbook (.xlsx): save it as \"CSV UTF-8 (comma delimited)\" and give waprice that file")
    } else {
        err.hint("waprice reads a message log as CSV text (UTF-8; plain, gzip or zstd); check that LOG names the right file")
    })
}

/// UTF-16 without a byte-order mark: text whose every other byte is NUL (ASCII characters
/// in UTF-16, little or big endian) over the first 64 bytes.
fn looks_utf16(head: &[u8]) -> bool {
    let n = head.len().min(64) & !1;
    if n < 8 {
        return false;
    }
    let pairs = head[..n].chunks_exact(2);
    let le = pairs.clone().all(|p| p[0] != 0 && p[1] == 0);
    let be = pairs.clone().all(|p| p[0] == 0 && p[1] != 0);
    le || be
}

/// The separator of a log: the one of `,` `;` tab `|` found most often outside quotes on its
/// header line (the first line of `start`), a comma on a tie or when there is none.
pub fn delimiter(start: &[u8]) -> u8 {
    let start = start.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(start);
    let mut counts = [0usize; SEPARATORS.len()];
    let mut quoted = false;
    for &b in start {
        match b {
            b'"' => quoted = !quoted,
            b'\n' | b'\r' if !quoted => break,
            _ if !quoted => {
                if let Some(i) = SEPARATORS.iter().position(|&s| s == b) {
                    counts[i] += 1;
                }
            }
            _ => {}
        }
    }
    let mut best = 0;
    for i in 1..SEPARATORS.len() {
        if counts[i] > counts[best] {
            best = i;
        }
    }
    SEPARATORS[best]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_separator_is_the_headers_commonest() {
        assert_eq!(delimiter(b"a,b,c\n1;2;3;4;5\n"), b',');
        assert_eq!(delimiter(b"\xEF\xBB\xBFa;b;c\r\n"), b';');
        assert_eq!(delimiter(b"a\tb\tc"), b'\t');
        assert_eq!(delimiter(b"a|b|c|d\n"), b'|');
        assert_eq!(delimiter(b"\"a;b\",c\n"), b',');
        assert_eq!(delimiter(b"\"Date, sent\";to;from\n"), b';');
        // A tie, or nothing: a comma.
        assert_eq!(delimiter(b"a,b;c\n"), b',');
        assert_eq!(delimiter(b"timestamp\n"), b',');
        assert_eq!(delimiter(b""), b',');
    }

    #[test]
    fn binary_and_utf16_files_are_named() {
        let e = check_text(b"abc\0def", "f.csv").unwrap_err().to_string();
        assert!(
            e.starts_with("f.csv: not a text CSV file (binary data at byte 4)"),
            "{e}"
        );
        let e = check_text(b"PK\x03\x04\x14\0\x06\0", "f.xlsx")
            .unwrap_err()
            .to_string();
        assert!(e.contains("byte 6") && e.contains("Excel workbook"), "{e}");
        for utf16 in [
            &b"\xFF\xFEt\0i\0m\0e\0"[..],
            b"t\0i\0m\0e\0s\0t\0a\0m\0p\0",
            b"\0t\0i\0m\0e\0s\0t\0a\0m\0p",
        ] {
            let e = check_text(utf16, "u.csv").unwrap_err().to_string();
            assert!(e.contains("UTF-16"), "{e}");
        }
        // A NUL past the first 8 KB is not looked for.
        let mut late = vec![b'a'; BINARY_CHECK_BYTES];
        late.push(0);
        assert!(check_text(&late, "f").is_ok());
        assert!(check_text(b"timestamp,direction\n", "f").is_ok());
    }
}
