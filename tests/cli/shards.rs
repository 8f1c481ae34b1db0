//! `--shard K/N` and `waprice merge`: shards of one run put back together are that run,
//! byte for byte, and shards that are not one run's are refused.

use super::*;
use calamine::{Data, Reader, Xlsx};
use std::path::{Path, PathBuf};

const LOG: &str = "samples/platform-2024-03.csv";
const ACCOUNTS: &str = "samples/platform-accounts.csv";

/// The command's arguments on the platform sample (`estimate` gets `--by account`).
fn base(command: &str) -> Vec<String> {
    let mut a: Vec<String> = [command, LOG, "--accounts", ACCOUNTS]
        .iter()
        .map(|s| s.to_string())
        .collect();
    if command == "estimate" {
        a.extend(["--by".into(), "account".into()]);
    }
    a
}

fn run(args: &[String]) -> std::process::Output {
    waprice().args(args).output().unwrap()
}

fn ok(args: &[String]) -> Vec<u8> {
    let out = run(args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Runs `--shard k/n` for every k into `dir`, as JSON; the files in shard order.
fn shards(dir: &Path, command: &str, n: u32) -> Vec<String> {
    (1..=n)
        .map(|k| {
            let path = dir.join(format!("{command}-{k}-of-{n}.json"));
            let mut a = base(command);
            a.extend([
                "--shard".into(),
                format!("{k}/{n}"),
                "--format".into(),
                "json".into(),
                "-o".into(),
                path.to_str().unwrap().into(),
            ]);
            ok(&a);
            path.to_str().unwrap().to_string()
        })
        .collect()
}

fn merge(files: &[String], extra: &[&str]) -> std::process::Output {
    let mut a = vec!["merge".to_string()];
    a.extend(files.iter().cloned());
    a.extend(extra.iter().map(|s| s.to_string()));
    run(&a)
}

#[test]
fn four_shards_merged_are_one_run_byte_for_byte_in_every_text_format() {
    let dir = tempfile::tempdir().unwrap();
    for command in ["invoices", "estimate"] {
        let files = shards(dir.path(), command, 4);
        for format in ["csv", "json", "table", "html"] {
            let mut one = base(command);
            one.extend(["--format".into(), format.into()]);
            let single = ok(&one);
            // In any order.
            let mut given = files.clone();
            given.reverse();
            let merged = merge(&given, &["--format", format]);
            assert!(
                merged.status.success(),
                "{command} {format}: {}",
                String::from_utf8_lossy(&merged.stderr)
            );
            assert_eq!(
                String::from_utf8(merged.stdout).unwrap(),
                String::from_utf8(single).unwrap(),
                "{command} --format {format}"
            );
        }
        // Each account's lines are in exactly one shard, and every shard says what it left
        // to the others.
        let mut seen: Vec<String> = Vec::new();
        for (k, f) in files.iter().enumerate() {
            let doc: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(f).unwrap()).unwrap();
            let key = if command == "invoices" {
                "invoices"
            } else {
                "rows"
            };
            for l in doc[key].as_array().unwrap() {
                seen.push(l["account"].as_str().unwrap().to_string());
            }
            assert_eq!(doc["shard"]["k"], k as u64 + 1);
            assert_eq!(doc["shard"]["n"], 4);
            let last = doc["notes"]
                .as_array()
                .unwrap()
                .last()
                .unwrap()
                .as_str()
                .unwrap();
            assert!(last.starts_with(&format!("shard {}/4: ", k + 1)), "{last}");
        }
        seen.sort();
        let before = seen.len();
        seen.dedup();
        assert_eq!(before, seen.len(), "an account in two shards");
        assert_eq!(seen.len(), 6, "{seen:?}");
    }
    // Unsharded JSON carries no shard.
    let mut one = base("invoices");
    one.extend(["--format".into(), "json".into()]);
    let single: serde_json::Value = serde_json::from_slice(&ok(&one)).unwrap();
    assert!(single.get("shard").is_none());
}

/// Every sheet of two workbooks, cell by cell.
fn same_workbook(a: &Path, b: &Path) {
    let mut a: Xlsx<_> = calamine::open_workbook(a).unwrap();
    let mut b: Xlsx<_> = calamine::open_workbook(b).unwrap();
    assert_eq!(a.sheet_names(), b.sheet_names());
    for name in a.sheet_names() {
        let (ra, rb) = (
            a.worksheet_range(&name).unwrap(),
            b.worksheet_range(&name).unwrap(),
        );
        assert_eq!(ra.get_size(), rb.get_size(), "{name}");
        let cells: Vec<&Data> = ra.cells().map(|(_, _, c)| c).collect();
        let other: Vec<&Data> = rb.cells().map(|(_, _, c)| c).collect();
        assert_eq!(cells, other, "{name}");
        assert_eq!(
            a.worksheet_formula(&name).unwrap(),
            b.worksheet_formula(&name).unwrap(),
            "{name}"
        );
    }
}

#[test]
fn merged_workbook_is_the_single_runs_workbook() {
    let dir = tempfile::tempdir().unwrap();
    let files = shards(dir.path(), "invoices", 3);
    let single: PathBuf = dir.path().join("single.xlsx");
    let merged: PathBuf = dir.path().join("merged.xlsx");
    let mut one = base("invoices");
    one.extend(["--format", "xlsx", "-o", single.to_str().unwrap()].map(String::from));
    ok(&one);
    let out = merge(
        &files,
        &["--format", "xlsx", "-o", merged.to_str().unwrap()],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    same_workbook(&single, &merged);
}

fn refused(out: std::process::Output, needles: &[&str]) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    for n in needles {
        assert!(err.contains(n), "{n:?} not in {err}");
    }
    assert!(
        out.stdout.is_empty(),
        "nothing is printed when merge refuses"
    );
}

#[test]
fn merge_refuses_shards_that_are_not_one_whole_run() {
    let dir = tempfile::tempdir().unwrap();
    let files = shards(dir.path(), "invoices", 4);
    // A shard missing.
    refused(merge(&files[..3], &[]), &["shard 4/4 missing", &files[0]]);
    // The same shard twice (overlap).
    let copy = dir.path().join("copy.json");
    std::fs::copy(&files[1], &copy).unwrap();
    let mut twice = files.clone();
    twice.push(copy.to_str().unwrap().into());
    refused(
        merge(&twice, &[]),
        &["are both shard 2/4", &files[1], copy.to_str().unwrap()],
    );
    // Shards of another split.
    let three = shards(&dir.path().join(""), "estimate", 3);
    let mut mixed = files[..2].to_vec();
    mixed.push(three[2].clone());
    refused(merge(&mixed, &[]), &["not the same output"]);
    // Shards of another log: same accounts, a log with one row fewer.
    let text = std::fs::read_to_string(LOG).unwrap();
    let cut: Vec<&str> = text.lines().collect();
    let other_log = dir.path().join("other.csv");
    std::fs::write(&other_log, cut[..cut.len() - 1].join("\n") + "\n").unwrap();
    let other = dir.path().join("other-4.json");
    ok(&[
        "invoices",
        other_log.to_str().unwrap(),
        "--accounts",
        ACCOUNTS,
        "--shard",
        "4/4",
        "--format",
        "json",
        "-o",
        other.to_str().unwrap(),
    ]
    .map(String::from));
    let mut foreign = files[..3].to_vec();
    foreign.push(other.to_str().unwrap().into());
    refused(
        merge(&foreign, &[]),
        &["come from different runs", other.to_str().unwrap()],
    );
    // A shard whose lines were edited.
    let edited = dir.path().join("edited.json");
    let doc = std::fs::read_to_string(&files[0]).unwrap();
    let doc = doc.replacen("\"billable\": ", "\"billable\": 1", 1);
    std::fs::write(&edited, doc).unwrap();
    let mut tampered = files[1..].to_vec();
    tampered.push(edited.to_str().unwrap().into());
    refused(merge(&tampered, &[]), &["not to the run's fingerprint"]);
    // Not a shard at all.
    let whole = dir.path().join("whole.json");
    let mut one = base("invoices");
    one.extend(["--format", "json", "-o", whole.to_str().unwrap()].map(String::from));
    ok(&one);
    refused(
        merge(&[whole.to_str().unwrap().into()], &[]),
        &["not the output of a --shard K/N run"],
    );
}

#[test]
fn shard_must_be_k_of_n_and_needs_accounts() {
    for bad in ["0/4", "5/4", "4", "x/y", "1/0"] {
        let mut a = base("invoices");
        a.extend(["--shard".into(), bad.into()]);
        let out = run(&a);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{bad}: {err}");
        assert!(err.contains("1 <= K <= N"), "{bad}: {err}");
    }
    let out = waprice()
        .args(["estimate", LOG, "--shard", "1/2"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--accounts"));
}

#[test]
fn the_unassigned_account_goes_to_the_shard_its_name_hashes_to() {
    // FNV-1a 64 of "unassigned" modulo 4, plus one.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in b"unassigned" {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    let k = (h % 4) as u32 + 1;
    for shard in 1..=4 {
        let mut a = base("invoices");
        a.extend([
            "--shard".into(),
            format!("{shard}/4"),
            "--format".into(),
            "csv".into(),
        ]);
        let text = String::from_utf8(ok(&a)).unwrap();
        assert_eq!(
            text.contains(",unassigned,"),
            shard == k,
            "shard {shard}: {text}"
        );
    }
}
