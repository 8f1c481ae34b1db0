//! Physical line numbers of CSV text, counted the same way everywhere: `\n`, `\r\n` and a
//! lone `\r` are one line break each. A bottom module: it imports nothing of the domain, and
//! every reader of CSV (the log reader, rate cards, tier tables, the market map, forecast
//! volumes) uses it.

/// The line breaks in `bytes`: a `\r`, or a `\n` not right after a `\r` (`after_cr` carries
/// whether the byte before `bytes` was one, and is left saying whether their last byte is).
pub fn line_breaks(bytes: &[u8], after_cr: &mut bool) -> u64 {
    if !*after_cr && memchr::memchr(b'\r', bytes).is_none() {
        // Most text has no `\r`: its breaks are its `\n`s, counted in a loop the compiler
        // vectorises (the count of a file's first half before its second is read).
        return bytes.iter().filter(|&&b| b == b'\n').count() as u64;
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
