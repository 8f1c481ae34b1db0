//! Opening a log: a file, `-` for standard input; gzip and zstd detected by their magic bytes
//! (never by the file name, so `log.csv` that is really gzip, or a pipe, still reads).

use flate2::read::MultiGzDecoder;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::sync::mpsc;

/// An opened input and its size in bytes when known (for progress).
pub struct Source {
    /// The bytes as stored ([`decompress`] reads through gzip or zstd).
    pub reader: Box<dyn Read + Send>,
    /// The file's size in bytes, when known (not for standard input).
    pub size: Option<u64>,
    /// The path as given, for messages (`<stdin>` for standard input).
    pub name: String,
}

/// Opens `path` ("-" = stdin). Gzip input (by magic bytes, whatever the name) is decompressed.
pub fn open(path: &str) -> io::Result<Source> {
    let (raw, size, name): (Box<dyn Read + Send>, Option<u64>, String) = if path == "-" {
        (Box::new(io::stdin()), None, "<stdin>".to_string())
    } else {
        let file = File::open(path)?;
        let size = file.metadata().ok().map(|m| m.len());
        (Box::new(file), size, path.to_string())
    };
    Ok(Source {
        reader: raw,
        size,
        name,
    })
}

/// The first bytes of a gzip member (RFC 1952).
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];
/// The first bytes of a zstd frame (RFC 8878, 0xFD2FB528 little-endian).
const ZSTD_MAGIC: [u8; 4] = [0x28, 0xb5, 0x2f, 0xfd];

/// Whether bytes starting with `magic` are gzip or zstd data.
pub fn is_compressed(magic: &[u8]) -> bool {
    magic.starts_with(&GZIP_MAGIC) || magic.starts_with(&ZSTD_MAGIC)
}

/// Wraps a reader so that gzip or zstd data is decompressed transparently. Concatenated
/// members (`cat a.gz b.gz`, `cat a.zst b.zst`) read as one stream, as `zcat`/`zstdcat` do.
pub fn decompress(reader: Box<dyn Read + Send>) -> io::Result<Box<dyn Read + Send>> {
    let mut buffered = BufReader::with_capacity(256 * 1024, reader);
    let magic = buffered.fill_buf()?;
    if magic.starts_with(&GZIP_MAGIC) {
        Ok(Box::new(DecodeAhead::spawn(MultiGzDecoder::new(buffered))))
    } else if magic.starts_with(&ZSTD_MAGIC) {
        // A log at rest may be compressed with a long window (`zstd --long=31`); allow it
        // rather than fail on a file the zstd tool itself reads.
        let mut decoder = zstd::stream::read::Decoder::with_buffer(buffered)?;
        decoder.window_log_max(31)?;
        Ok(Box::new(DecodeAhead::spawn(decoder)))
    } else {
        // Plain text: the bytes looked at come first, then the rest straight from the source,
        // so that a reader with a buffer of its own (the log's) gets them without a copy
        // through this one.
        let head = buffered.buffer().to_vec();
        Ok(Box::new(io::Cursor::new(head).chain(buffered.into_inner())))
    }
}

/// Decompressed bytes handed over per chunk: large enough that the hand-over costs nothing
/// next to decoding it, small enough that a few in flight stay a few megabytes.
const CHUNK: usize = 1024 * 1024;
/// Chunks decoded ahead of the reader.
const CHUNKS_AHEAD: usize = 4;

/// Decompresses on its own thread, so that decoding overlaps the parsing instead of adding
/// to it (the parser is the slowest stage; on two cores the decoder fits beside it).
struct DecodeAhead {
    chunks: mpsc::Receiver<io::Result<Vec<u8>>>,
    /// Chunks read go back to the decoder: a fresh megabyte per chunk cost page faults and
    /// zeroing on the decoding thread, which on two cores shares the CPU with the others.
    spent: mpsc::Sender<Vec<u8>>,
    current: Vec<u8>,
    at: usize,
    done: bool,
}

impl DecodeAhead {
    fn spawn<R: Read + Send + 'static>(mut decoder: R) -> Self {
        let (tx, rx) = mpsc::sync_channel(CHUNKS_AHEAD);
        let (spent, recycled) = mpsc::channel::<Vec<u8>>();
        std::thread::spawn(move || loop {
            let mut chunk = recycled.try_recv().unwrap_or_default();
            // Every chunk has CHUNK initialised bytes (a recycled one keeps them), so none is
            // zeroed again.
            chunk.resize(CHUNK, 0);
            let mut filled = 0;
            let result = loop {
                match decoder.read(&mut chunk[filled..]) {
                    Ok(0) => break Ok(()),
                    Ok(n) => {
                        filled += n;
                        if filled == CHUNK {
                            break Ok(());
                        }
                    }
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => break Err(e),
                }
            };
            chunk.truncate(filled);
            let last = filled < CHUNK;
            let sent = match result {
                Ok(()) if filled == 0 => true,
                Ok(()) => tx.send(Ok(chunk)).is_ok(),
                Err(e) => {
                    // The bytes decoded before the error still go first, then the error.
                    let ok = filled == 0 || tx.send(Ok(chunk)).is_ok();
                    let _ = ok && tx.send(Err(e)).is_ok();
                    return;
                }
            };
            // A closed receiver means the reader stopped early (an error, or --limit): stop.
            if !sent || last {
                return;
            }
        });
        DecodeAhead {
            chunks: rx,
            spent,
            current: Vec::new(),
            at: 0,
            done: false,
        }
    }
}

impl Read for DecodeAhead {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.at == self.current.len() {
            if self.done {
                return Ok(0);
            }
            match self.chunks.recv() {
                Ok(Ok(chunk)) => {
                    let spent = std::mem::replace(&mut self.current, chunk);
                    if spent.capacity() > 0 {
                        // The decoder may have ended already: then the chunk just goes.
                        let _ = self.spent.send(spent);
                    }
                    self.at = 0;
                }
                Ok(Err(e)) => {
                    self.done = true;
                    return Err(e);
                }
                // The decoder thread ends after the last chunk: the end of the input.
                Err(mpsc::RecvError) => {
                    self.done = true;
                    return Ok(0);
                }
            }
        }
        let n = buf.len().min(self.current.len() - self.at);
        buf[..n].copy_from_slice(&self.current[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// Several chunks' worth of lines, so chunk boundaries fall inside lines.
    fn text() -> Vec<u8> {
        let mut t = Vec::new();
        for i in 0..(3 * CHUNK / 20) {
            writeln!(t, "line {i:>12}").unwrap();
        }
        t
    }

    fn read_all(data: Vec<u8>) -> io::Result<Vec<u8>> {
        let mut out = Vec::new();
        decompress(Box::new(io::Cursor::new(data)))?.read_to_end(&mut out)?;
        Ok(out)
    }

    #[test]
    fn compressed_input_over_many_chunks_reads_back_exactly() {
        let plain = text();
        assert!(plain.len() > 2 * CHUNK);
        assert_eq!(
            read_all(zstd::encode_all(&plain[..], 1).unwrap()).unwrap(),
            plain
        );
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&plain).unwrap();
        assert_eq!(read_all(gz.finish().unwrap()).unwrap(), plain);
        assert_eq!(read_all(plain.clone()).unwrap(), plain);
    }

    #[test]
    fn a_cut_stream_gives_its_bytes_then_an_error() {
        let plain = text();
        let zst = zstd::encode_all(&plain[..], 1).unwrap();
        let mut reader =
            decompress(Box::new(io::Cursor::new(zst[..zst.len() / 2].to_vec()))).unwrap();
        let mut out = Vec::new();
        let err = reader.read_to_end(&mut out).unwrap_err();
        assert!(!out.is_empty() && out.len() < plain.len());
        assert_eq!(&plain[..out.len()], &out[..]);
        assert!(err.to_string().contains("incomplete"), "{err}");
    }
}
