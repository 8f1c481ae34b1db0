//! Opening a log: a file, `-` for standard input; gzip and zstd detected by their magic bytes
//! (never by the file name, so `log.csv` that is really gzip, or a pipe, still reads).

use flate2::read::MultiGzDecoder;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};

/// An opened input and its size in bytes when known (for progress).
pub struct Source {
    pub reader: Box<dyn Read + Send>,
    pub size: Option<u64>,
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

/// Wraps a reader so that gzip or zstd data is decompressed transparently. Concatenated
/// members (`cat a.gz b.gz`, `cat a.zst b.zst`) read as one stream, as `zcat`/`zstdcat` do.
pub fn decompress(reader: Box<dyn Read + Send>) -> io::Result<Box<dyn Read + Send>> {
    let mut buffered = BufReader::with_capacity(256 * 1024, reader);
    let magic = buffered.fill_buf()?;
    if magic.starts_with(&GZIP_MAGIC) {
        Ok(Box::new(BufReader::with_capacity(
            256 * 1024,
            MultiGzDecoder::new(buffered),
        )))
    } else if magic.starts_with(&ZSTD_MAGIC) {
        // A log at rest may be compressed with a long window (`zstd --long=31`); allow it
        // rather than fail on a file the zstd tool itself reads.
        let mut decoder = zstd::stream::read::Decoder::with_buffer(buffered)?;
        decoder.window_log_max(31)?;
        Ok(Box::new(BufReader::with_capacity(256 * 1024, decoder)))
    } else {
        Ok(Box::new(buffered))
    }
}
