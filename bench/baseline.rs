//! The floor nobody can beat: the csv crate reading every record of a log with one reused
//! `ByteRecord`, touching each field. `waprice estimate` is measured against it.
//!
//! cargo run --release --example baseline -- LOG

use std::io::Read;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).ok_or("usage: baseline LOG")?;
    let file = std::fs::File::open(&path)?;
    let input: Box<dyn Read> = Box::new(std::io::BufReader::with_capacity(256 * 1024, file));
    let mut reader = csv::ReaderBuilder::new().flexible(true).from_reader(input);
    let mut record = csv::ByteRecord::new();
    let (mut rows, mut bytes) = (0u64, 0u64);
    while reader.read_byte_record(&mut record)? {
        rows += 1;
        bytes += record.iter().map(|f| f.len() as u64).sum::<u64>();
    }
    println!("{rows} rows, {bytes} field bytes");
    Ok(())
}
