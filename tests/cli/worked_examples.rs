//! The worked examples and extra rule cases, written once as data in
//! `tools/refcheck/examples/` (NAME.csv, NAME.expected, optional NAME.args; see that folder's
//! README), run through the binary by `cargo test` as well as by the Python reference in CI. A
//! rule change that breaks an example fails here without Python.

use super::expected_rows::{example_names, first_difference, rows};
use super::*;

const DIR: &str = "tools/refcheck/examples";

/// One example: the binary's differences from the expected file, if any.
fn check(name: &str) -> Option<String> {
    let base = format!("{DIR}/{name}");
    let expected = rows(&std::fs::read_to_string(format!("{base}.expected")).unwrap());
    let mut args: Vec<String> = match std::fs::read_to_string(format!("{base}.args")) {
        Ok(text) => {
            // Plain words only, so that this split and the reference's shell split agree.
            assert!(
                !text.contains(['"', '\'', '\\']),
                "{base}.args: quotes are not supported here"
            );
            text.split_whitespace()
                .map(|w| match w.strip_prefix('@') {
                    Some(file) => format!("{DIR}/{file}"),
                    None => w.to_string(),
                })
                .collect()
        }
        Err(_) => Vec::new(),
    };
    let currencies: std::collections::BTreeSet<&String> = expected
        .values()
        .filter_map(|r| r.get("currency"))
        .collect();
    assert!(
        currencies.len() <= 1,
        "{name}: expected file mixes currencies"
    );
    if let Some(c) = currencies.first() {
        args.extend(["--currency".to_string(), c.to_string()]);
    }
    let log = format!("{base}.csv");
    let mut all = vec!["estimate", log.as_str(), "--format", "csv", "--no-progress"];
    all.extend(args.iter().map(String::as_str));
    let out = waprice().args(&all).output().unwrap();
    if !out.status.success() {
        return Some(format!(
            "{name}: exit {:?}: {}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let got = rows(&String::from_utf8(out.stdout).unwrap());
    first_difference(name, &expected, &got)
}

#[test]
fn every_worked_example_gives_its_expected_estimate() {
    let names = example_names(DIR);
    assert!(names.len() >= 30, "only {} examples in {DIR}", names.len());
    // Every worked example of docs/rules.md (ex01..ex08) is among them.
    for n in 1..=8 {
        let prefix = format!("ex{n:02}");
        assert!(
            names.iter().any(|x| x.starts_with(&prefix)),
            "{prefix} missing"
        );
    }
    let failures: Vec<String> = names.iter().filter_map(|n| check(n)).collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
