//! A log its caller holds as a table (the Python package's Arrow tables) rather than as CSV
//! text: named columns, and each row's cells as text. Its rows are read by the same row parser
//! as a CSV log's records ([`super::reader::LogReader::from_table`]), so every rule of reading
//! a value (timestamps, directions, categories, numbers, column names) is the CSV log's.

use super::records::Row;

/// A log as a table: its column names and its rows.
pub trait Table: Send + Sync {
    /// The column names, in order: what a CSV log's header line gives.
    fn header(&self) -> Vec<String>;
    /// A reading of the rows from the first (a log out of time order is read twice).
    fn rows(&self) -> Box<dyn TableRows + Send>;
}

/// One reading of a table's rows, in order.
pub trait TableRows {
    /// Fills `row` (cleared first) with the next row's cells, in header order, each as the
    /// text a CSV log would hold; false after the last row.
    fn next(&mut self, row: &mut Row) -> bool;
}
