// How an example's expected estimate is compared with what was printed, shared by the binary's
// run of the examples (tests/cli/worked_examples.rs, as a module) and the library's
// (src/pipeline/worked_examples.rs, through `include!`), so both judge a row the same way.

use std::collections::BTreeMap;

/// The columns that name a row in `estimate`'s outputs (plain, `--by`, `--as-of`).
const KEYS: [&str; 4] = ["month", "market", "category", "tier"];

/// An estimate CSV's rows by their key columns, each with its other cells by column name.
pub type Rows = BTreeMap<Vec<String>, BTreeMap<String, String>>;

/// The examples in `dir` (each `NAME.csv` with its `NAME.expected`), sorted by name.
pub fn example_names(dir: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| {
            let name = e.unwrap().file_name().into_string().unwrap();
            name.strip_suffix(".csv").map(str::to_string)
        })
        .collect();
    names.sort();
    names
}

/// Reads an estimate CSV (plain, `--by` or `--as-of`).
pub fn rows(text: &str) -> Rows {
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let headers = r.headers().unwrap().clone();
    r.records()
        .map(|record| {
            let mut cells: BTreeMap<String, String> = headers
                .iter()
                .zip(record.unwrap().iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect();
            let key = KEYS.iter().filter_map(|k| cells.remove(*k)).collect();
            (key, cells)
        })
        .collect()
}

/// The first way `got` differs from `expected` in the rows and the columns the expected file
/// gives; numbers compare as decimals (`0.2200` is `0.22`), anything else as text.
pub fn first_difference(name: &str, expected: &Rows, got: &Rows) -> Option<String> {
    if got.keys().ne(expected.keys()) {
        return Some(format!(
            "{name}: rows {:?}, expected {:?}",
            got.keys().collect::<Vec<_>>(),
            expected.keys().collect::<Vec<_>>()
        ));
    }
    for (key, want) in expected {
        for (column, value) in want {
            let have = got[key]
                .get(column)
                .map_or("(no such column)", String::as_str);
            let same = match (
                value.parse::<rust_decimal::Decimal>(),
                have.parse::<rust_decimal::Decimal>(),
            ) {
                (Ok(a), Ok(b)) => a == b,
                _ => value == have,
            };
            if !same {
                return Some(format!(
                    "{name} {key:?} {column}: expected {value}, got {have}"
                ));
            }
        }
    }
    None
}
