//! Opening a log: a file, `-` for standard input, gzip detected by its magic bytes.

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

/// Wraps a reader so that gzip data is decompressed transparently.
pub fn decompress(reader: Box<dyn Read + Send>) -> io::Result<Box<dyn Read + Send>> {
    let mut buffered = BufReader::with_capacity(256 * 1024, reader);
    let magic = buffered.fill_buf()?;
    if magic.starts_with(&[0x1f, 0x8b]) {
        Ok(Box::new(BufReader::with_capacity(
            256 * 1024,
            MultiGzDecoder::new(buffered),
        )))
    } else {
        Ok(Box::new(buffered))
    }
}
