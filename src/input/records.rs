//! Splitting a log into records, faster than a general CSV parser on the rows logs are made
//! of. A row with no quote is found with memchr (SIMD) and its separators (a comma, or `;`,
//! tab or `|`) eight bytes at a time; a record that holds a quote goes through `csv_core`,
//! the csv crate's own parser, so quoting means exactly what it means to the csv crate. Line breaks are `\n`, `\r\n` or a
//! lone `\r`; empty lines are skipped, as the csv crate does. Unlike the csv crate, a
//! record's position is the physical line it starts on, counting every kind of line break
//! and the skipped empty lines, so that errors point at the line a person sees.

use super::table::CellTime;
use crate::lines::line_breaks;
use std::io::{self, Read};
use std::ops::Index;

/// One record: its fields back to back, each followed by a comma (quoted fields may hold
/// commas of their own: fields are found by `ends`, never by searching), and the line it
/// starts on. Reused from row to row, so reading allocates nothing once warm.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Row {
    bytes: Vec<u8>,
    /// Where each field ends in `bytes`; field i starts one byte after field i - 1 ends.
    ends: Vec<usize>,
    line: u64,
    /// Whether a field may hold a line break: only a quoted field can.
    quoted: bool,
}

impl Row {
    /// A row of the given fields (for tests and callers that build rows by hand).
    pub fn from_fields<B: AsRef<[u8]>>(fields: &[B]) -> Row {
        let mut row = Row::default();
        for f in fields {
            row.push_field(f.as_ref());
        }
        row.quoted = true;
        row
    }

    /// Empties the row, keeping its buffers.
    pub fn clear(&mut self) {
        self.bytes.clear();
        self.ends.clear();
        self.quoted = false;
    }

    /// Appends a field (its bytes as they are: no quoting applies).
    #[inline]
    pub fn push_field(&mut self, field: &[u8]) {
        self.bytes.extend_from_slice(field);
        self.ends.push(self.bytes.len());
        self.bytes.push(b',');
    }

    /// How many fields the row has.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether the row has no field.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Field `i`'s bytes as written (unquoted), `None` past the last field.
    pub fn get(&self, i: usize) -> Option<&[u8]> {
        let end = *self.ends.get(i)?;
        let start = if i == 0 { 0 } else { self.ends[i - 1] + 1 };
        Some(&self.bytes[start..end])
    }

    /// Every field's bytes, in order.
    pub fn iter(&self) -> impl Iterator<Item = &[u8]> {
        (0..self.len()).filter_map(|i| self.get(i))
    }

    /// Every field's bytes (with separators between them).
    pub fn as_slice(&self) -> &[u8] {
        &self.bytes
    }

    /// The line of the input the record starts on (1-based).
    pub fn line(&self) -> u64 {
        self.line
    }

    /// Sets the line the record is reported on.
    pub fn set_line(&mut self, line: u64) {
        self.line = line;
    }

    /// Whether a field may hold a line break (`\n` or `\r`): false for a record read without
    /// a quote, which ends at the first line break.
    pub fn may_hold_line_breaks(&self) -> bool {
        self.quoted
    }
}

/// One record's cells, however they are held: a [`Row`] split from text, or a row of a table
/// read where its columns lie ([`super::table::TableRow`]). The row parser reads every log
/// through it, so a value means the same whichever way it came.
pub trait Record {
    /// How many fields the record has.
    fn len(&self) -> usize;
    /// Whether the record has no field.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Field `i`'s bytes as written (unquoted), `None` past the last field.
    fn get(&self, i: usize) -> Option<&[u8]>;
    /// Field `i` as the time a table holds it as; `None` for a text field.
    fn time(&self, i: usize) -> Option<CellTime>;
    /// The line the record is reported on.
    fn line(&self) -> u64;
    /// Field `i` as text: its bytes, or a time written as RFC 3339.
    fn text(&self, i: usize) -> Option<std::borrow::Cow<'_, [u8]>> {
        match self.time(i) {
            Some(t) => {
                let mut text = Vec::with_capacity(32);
                t.write_text(&mut text);
                Some(text.into())
            }
            None => self.get(i).map(Into::into),
        }
    }
}

impl Record for Row {
    #[inline]
    fn len(&self) -> usize {
        Row::len(self)
    }
    #[inline]
    fn get(&self, i: usize) -> Option<&[u8]> {
        Row::get(self, i)
    }
    /// A row split from text holds no time but as text.
    #[inline]
    fn time(&self, _: usize) -> Option<CellTime> {
        None
    }
    #[inline]
    fn line(&self) -> u64 {
        Row::line(self)
    }
}

impl Index<usize> for Row {
    type Output = [u8];
    fn index(&self, i: usize) -> &[u8] {
        self.get(i).expect("field index within the row")
    }
}

const INITIAL_BUFFER: usize = 256 * 1024;

/// The records of a delimited log, read from `input` one at a time into a reused [`Row`]: RFC
/// 4180 quoting, any line ending, a byte-order mark skipped, each record's line counted.
pub struct Records<R> {
    input: R,
    buf: Vec<u8>,
    /// Unread bytes are `buf[start..end]`.
    start: usize,
    end: usize,
    eof: bool,
    /// The line the next unread byte is on (1-based).
    line: u64,
    /// The last byte consumed was a `\r`: a `\n` right after it ends the same line.
    after_cr: bool,
    /// Whether a UTF-8 byte-order mark at the start of the input was looked for yet.
    bom_checked: bool,
    /// The last record read was a quoted one the end of the input cut: it had no line break
    /// after it, outside its quotes.
    cut_by_end: bool,
    core: csv_core::Reader,
    out: Vec<u8>,
    ends: Vec<usize>,
    /// The byte between fields.
    delimiter: u8,
}

impl<R: Read> Records<R> {
    /// Records of `input`, separated by commas until [`Records::set_delimiter`].
    pub fn new(input: R) -> Records<R> {
        Records::with_capacity(input, INITIAL_BUFFER)
    }

    /// With a buffer of `capacity` bytes to start with (tests use tiny ones, so that records
    /// cross buffer boundaries everywhere).
    pub fn with_capacity(input: R, capacity: usize) -> Records<R> {
        Records {
            input,
            buf: vec![0; capacity.max(1)],
            start: 0,
            end: 0,
            eof: false,
            line: 1,
            after_cr: false,
            bom_checked: false,
            cut_by_end: false,
            core: primed_core(b','),
            out: vec![0; 1024],
            ends: vec![0; 64],
            delimiter: b',',
        }
    }

    /// Records of `input` that starts inside a text, where a record starts on line `line`,
    /// separated by `delimiter`: the rest of a file whose start another reader reads. No
    /// byte-order mark is looked for: past the start of a file one is data.
    pub fn continuing(input: R, line: u64, delimiter: u8) -> Records<R> {
        let mut records = Records::new(input);
        records.line = line;
        records.bom_checked = true;
        records.set_delimiter(delimiter);
        records
    }

    /// Numbers the records from `line` (for input that starts inside a text, before any
    /// record is read).
    pub fn start_at_line(&mut self, line: u64) {
        self.line = line;
    }

    /// The line the next record starts on, unless a line break or a quote comes first; at the
    /// end of the input, one more than the line breaks read.
    pub fn line(&self) -> u64 {
        self.line
    }

    /// Whether the last record read ran into the end of the input inside a quoted field: the
    /// input ended inside a record, not after one. A reader of a file's first half whose last
    /// record this is did not stop where a record starts, and the second half's reader did
    /// not start at one either.
    pub fn cut_by_end(&self) -> bool {
        self.cut_by_end
    }

    /// Fields are separated by `delimiter` (a comma until this is called). Set before the
    /// first record is read.
    pub fn set_delimiter(&mut self, delimiter: u8) {
        self.delimiter = delimiter;
        self.core = primed_core(delimiter);
    }

    /// The byte between fields.
    pub fn delimiter(&self) -> u8 {
        self.delimiter
    }

    /// Up to `n` bytes from the start of the unread input (fewer at its end), not consumed:
    /// what the input is, before any record is read.
    pub fn peek(&mut self, n: usize) -> io::Result<&[u8]> {
        while self.end - self.start < n && !self.eof {
            self.fill()?;
        }
        let end = self.end.min(self.start + n);
        Ok(&self.buf[self.start..end])
    }

    /// Reads the next record into `record`; false at the end of the input.
    pub fn read(&mut self, record: &mut Row) -> io::Result<bool> {
        record.clear();
        if !self.bom_checked {
            // A byte-order mark at the very start of the file is not data (the csv crate
            // drops it too); anywhere else it is.
            while self.end - self.start < BOM.len() && !self.eof {
                self.fill()?;
            }
            if self.buf[self.start..self.end].starts_with(BOM) {
                self.consume(BOM.len());
            }
            self.bom_checked = true;
        }
        loop {
            if self.start == self.end {
                if self.eof {
                    return Ok(false);
                }
                self.fill()?;
                continue;
            }
            if self.after_cr {
                self.after_cr = false;
                if self.buf[self.start] == b'\n' {
                    self.consume(1);
                    continue;
                }
            }
            let unread = &self.buf[self.start..self.end];
            // The line's end and its separators, found in one pass; they are dropped when
            // the line turns out to hold a quote or to go on past the buffer.
            let (len, terminator) = match scan_line(unread, self.delimiter, &mut record.ends) {
                Some(i) if unread[i] == b'"' => {
                    record.ends.clear();
                    return self.read_quoted(record);
                }
                Some(i) if unread[i] == b'\r' => {
                    if i + 1 == unread.len() && !self.eof {
                        // Whether a \n follows decides where the next line starts.
                        record.ends.clear();
                        self.fill()?;
                        continue;
                    }
                    (
                        i,
                        if unread.get(i + 1) == Some(&b'\n') {
                            2
                        } else {
                            1
                        },
                    )
                }
                Some(i) => (i, 1),
                None if !self.eof => {
                    record.ends.clear();
                    self.fill()?;
                    continue;
                }
                None => (unread.len(), 0),
            };
            if len == 0 {
                // An empty line.
                self.consume(terminator);
                self.line += 1;
                continue;
            }
            // The line as it is (separators included), and where its fields end.
            record.bytes.extend_from_slice(&unread[..len]);
            record.bytes.push(b',');
            record.ends.push(len);
            record.line = self.line;
            self.consume(len + terminator);
            self.line += 1;
            self.cut_by_end = false;
            return Ok(true);
        }
    }

    /// The first record, as text (invalid UTF-8 shown as U+FFFD): a file's header. Empty for
    /// an empty file.
    pub fn header(&mut self) -> io::Result<Vec<String>> {
        let mut row = Row::default();
        self.read(&mut row)?;
        Ok(row
            .iter()
            .map(|f| String::from_utf8_lossy(f).into_owned())
            .collect())
    }

    /// A record that holds a quote, parsed by csv_core from where the unread bytes start.
    fn read_quoted(&mut self, record: &mut Row) -> io::Result<bool> {
        use csv_core::ReadRecordResult::*;
        record.line = self.line;
        record.quoted = true;
        let (mut out_len, mut ends_len) = (0, 0);
        loop {
            // csv_core ends a record at a line break it consumes; given no input at the end,
            // it ends the record it is in, whatever quote is open.
            self.cut_by_end = self.start == self.end;
            let input = &self.buf[self.start..self.end];
            let (result, nin, nout, nend) =
                self.core
                    .read_record(input, &mut self.out[out_len..], &mut self.ends[ends_len..]);
            self.line += line_breaks(&input[..nin], &mut self.after_cr);
            self.consume(nin);
            out_len += nout;
            ends_len += nend;
            match result {
                InputEmpty => {
                    if self.start == self.end && !self.eof {
                        self.fill()?;
                    }
                }
                OutputFull => self.out.resize(self.out.len() * 2, 0),
                OutputEndsFull => self.ends.resize(self.ends.len() * 2, 0),
                Record => break,
                End => return Ok(false),
            }
        }
        let mut from = 0;
        for &to in &self.ends[..ends_len] {
            record.push_field(&self.out[from..to]);
            from = to;
        }
        // The record ended at a line break csv_core consumed: the line count moved on already.
        // At the end of the input without one, it did not, and nothing follows anyway.
        Ok(true)
    }

    fn consume(&mut self, n: usize) {
        self.start += n;
    }

    /// Reads more input after the unread bytes (moved to the front, the buffer doubled when
    /// one record fills it); sets `eof` when there is no more.
    fn fill(&mut self) -> io::Result<()> {
        if self.start > 0 {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        if self.end == self.buf.len() {
            self.buf.resize(self.buf.len() * 2, 0);
        }
        loop {
            match self.input.read(&mut self.buf[self.end..]) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(());
                }
                Ok(n) => {
                    self.end += n;
                    return Ok(());
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        }
    }
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// A csv_core reader past its first call: csv_core drops a byte-order mark at the start of
/// the first input it is given, which here is wherever the first quoted record happens to
/// be. Records strips the file's own mark itself, so csv_core is first fed an empty line,
/// which it skips without changing its state.
fn primed_core(delimiter: u8) -> csv_core::Reader {
    let mut core = csv_core::ReaderBuilder::new().delimiter(delimiter).build();
    let (mut out, mut ends) = ([0u8; 1], [0usize; 1]);
    let _ = core.read_record(b"\n", &mut out, &mut ends);
    core
}

/// Where the line at the start of `unread` stops being plain text: its first `\n`, `\r` or
/// `"` (`None`: there is none in `unread`), with the position of every `delimiter` before it
/// pushed to `ends`. One pass, 16 bytes at a time (SSE2, part of the x86_64 baseline), where
/// a search for the line's end and then a scan for its separators took two.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn scan_line(unread: &[u8], delimiter: u8, ends: &mut Vec<usize>) -> Option<usize> {
    use std::arch::x86_64::*;
    /// Appends `base + i` for every bit `i` set in `bits`.
    #[inline(always)]
    fn push_bits(mut bits: u32, base: usize, ends: &mut Vec<usize>) {
        while bits != 0 {
            ends.push(base + bits.trailing_zeros() as usize);
            bits &= bits - 1;
        }
    }
    let mut at = 0;
    // SAFETY: SSE2 is part of the x86_64 baseline, and every load reads the 16 bytes at
    // `at..at + 16`, which the loop's condition keeps inside `unread`.
    #[allow(unused_unsafe)]
    unsafe {
        let byte = |b: u8| _mm_set1_epi8(b as i8);
        let (lf, cr, quote, sep) = (byte(b'\n'), byte(b'\r'), byte(b'"'), byte(delimiter));
        while at + 16 <= unread.len() {
            let v = _mm_loadu_si128(unread.as_ptr().add(at).cast());
            let stops = _mm_or_si128(
                _mm_or_si128(_mm_cmpeq_epi8(v, lf), _mm_cmpeq_epi8(v, cr)),
                _mm_cmpeq_epi8(v, quote),
            );
            let stops = _mm_movemask_epi8(stops) as u32;
            let seps = _mm_movemask_epi8(_mm_cmpeq_epi8(v, sep)) as u32;
            if stops != 0 {
                let stop = stops.trailing_zeros();
                push_bits(seps & ((1 << stop) - 1), at, ends);
                return Some(at + stop as usize);
            }
            push_bits(seps, at, ends);
            at += 16;
        }
    }
    for (i, &b) in unread[at..].iter().enumerate() {
        if matches!(b, b'\n' | b'\r' | b'"') {
            return Some(at + i);
        }
        if b == delimiter {
            ends.push(at + i);
        }
    }
    None
}

/// [`scan_line`] on targets without SSE2.
#[cfg(not(target_arch = "x86_64"))]
#[inline(always)]
fn scan_line(unread: &[u8], delimiter: u8, ends: &mut Vec<usize>) -> Option<usize> {
    portable_scan_line(unread, delimiter, ends)
}

/// [`scan_line`] without SSE2: the line's end by memchr, then its separators eight bytes at a
/// time. Built for the tests too, which check it against the same cases as the SSE2 scan.
#[cfg(any(test, not(target_arch = "x86_64")))]
fn portable_scan_line(unread: &[u8], delimiter: u8, ends: &mut Vec<usize>) -> Option<usize> {
    let end = memchr::memchr3(b'\n', b'\r', b'"', unread);
    let row = &unread[..end.unwrap_or(unread.len())];
    if delimiter == b',' {
        separators::<b','>(row, ends);
    } else {
        other_separators(row, delimiter, ends);
    }
    end
}

/// [`separators`] for a separator other than the comma.
#[cfg(any(test, not(target_arch = "x86_64")))]
#[inline(never)]
fn other_separators(row: &[u8], delimiter: u8, out: &mut Vec<usize>) {
    match delimiter {
        b';' => separators::<b';'>(row, out),
        b'\t' => separators::<b'\t'>(row, out),
        b'|' => separators::<b'|'>(row, out),
        d => row
            .iter()
            .enumerate()
            .filter(|&(_, &b)| b == d)
            .for_each(|(i, _)| out.push(i)),
    }
}

/// Appends the position of every separator `D` in `row`, eight bytes at a time: a separator
/// becomes a zero byte after XOR, and zero bytes are found exactly (no false positives from
/// borrows) with the carry-free test below. `D` is a constant, so that the comma's loop is
/// the one it always was.
#[cfg(any(test, not(target_arch = "x86_64")))]
fn separators<const D: u8>(row: &[u8], out: &mut Vec<usize>) {
    let splat: u64 = u64::from_ne_bytes([D; 8]);
    const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    let mut chunks = row.chunks_exact(8);
    let mut base = 0;
    for chunk in &mut chunks {
        let x = u64::from_le_bytes(chunk.try_into().expect("8 bytes")) ^ splat;
        // High bit of each byte set where the byte of x is zero.
        let mut zero = !(((x & LOW7) + LOW7) | x | LOW7);
        while zero != 0 {
            out.push(base + (zero.trailing_zeros() / 8) as usize);
            zero &= zero - 1;
        }
        base += 8;
    }
    for (i, &b) in chunks.remainder().iter().enumerate() {
        if b == D {
            out.push(base + i);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lines::LineCounter;
    use proptest::prelude::*;

    fn split(input: &[u8], capacity: usize) -> Vec<(u64, Vec<Vec<u8>>)> {
        let mut records = Records::with_capacity(input, capacity);
        let mut row = Row::default();
        let mut out = Vec::new();
        while records.read(&mut row).unwrap() {
            out.push((row.line(), row.iter().map(<[u8]>::to_vec).collect()));
        }
        out
    }

    /// What the csv crate makes of the same bytes (flexible, no header).
    fn csv_crate(input: &[u8]) -> Vec<Vec<Vec<u8>>> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(input);
        reader
            .byte_records()
            .map(|r| r.unwrap().iter().map(<[u8]>::to_vec).collect())
            .collect()
    }

    fn fields(v: &[&str]) -> Vec<Vec<u8>> {
        v.iter().map(|f| f.as_bytes().to_vec()).collect()
    }

    /// A cut inside a quoted field is seen as one; a cut between rows, quoted or not, is not.
    #[test]
    fn a_cut_inside_quotes_is_seen() {
        let text = b"a,\"x\ny\"\nb,c\n\"d\",e\nf,g\n";
        let ends = |cut: usize| {
            let mut first = Records::with_capacity(&text[..cut], 4);
            let mut row = Row::default();
            while first.read(&mut row).unwrap() {}
            (first.cut_by_end(), first.line())
        };
        assert_eq!(ends(5), (true, 2), "after a,\"x\\n");
        assert_eq!(ends(8), (false, 3), "after the quoted row");
        assert_eq!(ends(12), (false, 4), "after b,c");
        assert_eq!(ends(18), (false, 5), "after \"d\",e");
    }

    #[test]
    fn lines_count_every_kind_of_break_and_the_empty_lines() {
        let input = b"h1,h2\r\n\r\na,b\n\nc,\"x\r\ny\"\rd,e";
        for capacity in [1, 2, 3, 7, 64] {
            assert_eq!(
                split(input, capacity),
                vec![
                    (1, fields(&["h1", "h2"])),
                    (3, fields(&["a", "b"])),
                    (5, fields(&["c", "x\r\ny"])),
                    (7, fields(&["d", "e"])),
                ],
                "capacity {capacity}"
            );
        }
    }

    #[test]
    fn empty_fields_and_a_last_line_without_a_break() {
        assert_eq!(
            split(b",a,,\n,", 4),
            vec![(1, fields(&["", "a", "", ""])), (2, fields(&["", ""]))]
        );
        assert!(split(b"", 4).is_empty());
        assert!(split(b"\n\r\n\r", 4).is_empty());
    }

    /// Separators at every position of lines of every length up to 40 (two blocks of 16 and
    /// a tail), each line cut by a `\n`, `\r` or `"` at every position after it, or not at all:
    /// the scan in use and the portable one (other targets') alike.
    fn every_position<const D: u8>() {
        for len in 0..40 {
            for at in 0..len {
                for filler in [b'a', b'+', b'-', b',', 0u8, 0xFF, D ^ 0x80, D + 1, D - 1] {
                    for (stop, cut) in (0..=len).flat_map(|i| [(i, b'\n'), (i, b'\r'), (i, b'"')]) {
                        let mut row = vec![filler; len];
                        row[at] = D;
                        if at + 3 < len {
                            row[at + 3] = D;
                        }
                        if stop < len {
                            row[stop] = cut;
                        }
                        let end = row.iter().position(|b| matches!(b, b'\n' | b'\r' | b'"'));
                        let expected: Vec<usize> =
                            (0..end.unwrap_or(len)).filter(|&i| row[i] == D).collect();
                        for scan in [scan_line, portable_scan_line] {
                            let mut found = Vec::new();
                            assert_eq!(scan(&row, D, &mut found), end, "{row:?}");
                            assert_eq!(found, expected, "{row:?}");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn separators_are_found_in_every_byte_position() {
        every_position::<b','>();
        every_position::<b';'>();
        every_position::<b'\t'>();
        every_position::<b'|'>();
    }

    #[test]
    fn other_separators_split_like_the_csv_crate() {
        for d in [b';', b'\t', b'|'] {
            let text = "a;b\t\"c;d\"|e,f\n;\"x\ny\";\n"
                .replace(';', "\u{1}")
                .replace(char::from(d), ";")
                .replace('\u{1}', &char::from(d).to_string());
            let input = text.as_bytes();
            for capacity in [1, 3, 64] {
                let mut records = Records::with_capacity(input, capacity);
                records.set_delimiter(d);
                let mut row = Row::default();
                let mut ours = Vec::new();
                while records.read(&mut row).unwrap() {
                    ours.push(row.iter().map(<[u8]>::to_vec).collect::<Vec<_>>());
                }
                let theirs: Vec<Vec<Vec<u8>>> = csv::ReaderBuilder::new()
                    .has_headers(false)
                    .flexible(true)
                    .delimiter(d)
                    .from_reader(input)
                    .byte_records()
                    .map(|r| r.unwrap().iter().map(<[u8]>::to_vec).collect())
                    .collect();
                assert_eq!(ours, theirs, "{text:?} capacity {capacity}");
                assert!(ours[0].len() >= 2, "{ours:?}");
            }
        }
    }

    #[test]
    fn peeking_consumes_nothing() {
        let input = b"\xEF\xBB\xBFh1,h2\na,b\n";
        let mut records = Records::with_capacity(&input[..], 2);
        assert_eq!(records.peek(5).unwrap(), b"\xEF\xBB\xBFh1");
        assert_eq!(records.peek(100).unwrap(), input);
        let mut row = Row::default();
        assert!(records.read(&mut row).unwrap());
        assert_eq!(row.iter().collect::<Vec<_>>(), vec![b"h1", b"h2"]);
    }

    #[test]
    fn a_byte_order_mark_counts_only_at_the_start_of_the_file() {
        for capacity in [1, 2, 3, 4, 64] {
            // Before the header, and alone on the first line.
            assert_eq!(
                split(b"\xEF\xBB\xBFh\n", capacity),
                vec![(1, fields(&["h"]))]
            );
            assert_eq!(
                split(b"\xEF\xBB\xBF\nh\n", capacity),
                vec![(2, fields(&["h"]))]
            );
            assert!(split(b"\xEF\xBB\xBF", capacity).is_empty());
            // Before a quoted record later on, it is data, as in the csv crate.
            let later = b"h\n\xEF\xBB\xBF\"a\",b\n";
            let ours: Vec<Vec<Vec<u8>>> = split(later, capacity).into_iter().map(|r| r.1).collect();
            assert_eq!(ours, csv_crate(later), "capacity {capacity}");
            assert_eq!(ours[1][0], b"\xEF\xBB\xBF\"a\"".to_vec());
        }
    }

    proptest! {
        /// The csv crate's records, their lines fixed by LineCounter, start on the lines
        /// Records says (for inputs without quoted line breaks, where both are defined alike).
        #[test]
        fn line_counter_agrees_with_records(
            tokens in proptest::collection::vec(
                prop_oneof![Just("a"), Just(","), Just("\n"), Just("\r"), Just("\r\n"), Just(" ")],
                0..60,
            ),
        ) {
            let text = tokens.concat();
            let ours: Vec<u64> = split(text.as_bytes(), 64).into_iter().map(|r| r.0).collect();
            let mut counter = LineCounter::new(&text);
            let theirs: Vec<u64> = csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .from_reader(text.as_bytes())
                .records()
                .map(|r| {
                    let mut r = r.unwrap();
                    counter.fix(&mut r);
                    r.position().unwrap().line()
                })
                .collect();
            prop_assert_eq!(ours, theirs);
        }

        /// Any bytes split into the same fields as the csv crate's, whatever the buffer size.
        #[test]
        fn fields_are_the_csv_crates(
            tokens in proptest::collection::vec(
                prop_oneof![
                    Just(&b"a"[..]), Just(&b","[..]), Just(&b"\""[..]), Just(&b"\n"[..]),
                    Just(&b"\r"[..]), Just(&b" "[..]), Just(BOM), Just(&b"\xEF"[..]),
                ],
                0..80,
            ),
            capacity in 1usize..40,
        ) {
            let input = tokens.concat();
            let ours: Vec<Vec<Vec<u8>>> = split(&input, capacity).into_iter().map(|r| r.1).collect();
            prop_assert_eq!(ours, csv_crate(&input));
        }

        /// A text cut after any `\n` and read as two halves gives the records, lines included,
        /// of the whole text read at once, whenever the first half's reader ends where a
        /// record starts (not cut inside quotes) on the line the count of its breaks gives.
        #[test]
        fn halves_read_as_the_whole(
            tokens in proptest::collection::vec(
                prop_oneof![
                    Just(&b"a"[..]), Just(&b","[..]), Just(&b"\""[..]), Just(&b"\n"[..]),
                    Just(&b"\r"[..]), Just(&b"\r\n"[..]), Just(&b"\n\n"[..]),
                ],
                0..80,
            ),
            capacity in 1usize..40,
        ) {
            let input = tokens.concat();
            let whole = split(&input, capacity);
            for cut in (0..input.len()).filter(|&i| input[i] == b'\n').map(|i| i + 1) {
                let mut first = Records::with_capacity(&input[..cut], capacity);
                let mut row = Row::default();
                let mut records = Vec::new();
                while first.read(&mut row).unwrap() {
                    records.push((row.line(), row.iter().map(<[u8]>::to_vec).collect()));
                }
                let line = 1 + crate::lines::line_breaks(&input[..cut], &mut false);
                if first.cut_by_end() || first.line() != line {
                    continue;
                }
                let mut second = Records::continuing(&input[cut..], line, b',');
                while second.read(&mut row).unwrap() {
                    records.push((row.line(), row.iter().map(<[u8]>::to_vec).collect()));
                }
                prop_assert_eq!(&records, &whole, "cut at {}", cut);
            }
        }
    }
}
