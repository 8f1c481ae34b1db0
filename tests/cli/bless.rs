//! `WAPRICE_BLESS=1`: rewrites a pinned output and shows what changed, so a re-blessed
//! snapshot is reviewed, not taken on trust. The diff goes straight to the terminal's stderr
//! (not through the test harness's capture), one `-`/`+` line per removed/added line.

use std::io::Write;
use std::path::Path;

/// Writes `new` to `path` and prints the line diff against what was there (nothing when equal).
pub fn rewrite(path: &Path, new: &str) {
    let old = std::fs::read_to_string(path).unwrap_or_default();
    std::fs::write(path, new).unwrap();
    if old != new {
        let mut err = std::io::stderr().lock();
        let _ = err.write_all(diff(&path.display().to_string(), &old, new).as_bytes());
    }
}

/// A line diff from the longest common subsequence: `-N text` for a line removed at old line
/// N, `+N text` for one added at new line N.
pub fn diff(name: &str, old: &str, new: &str) -> String {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    // lcs[i][j]: the longest common subsequence of a[i..] and b[j..].
    let mut lcs = vec![vec![0u32; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let mut out = format!("WAPRICE_BLESS rewrote {name}:\n");
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            i += 1;
            j += 1;
        } else if i < a.len() && (j == b.len() || lcs[i + 1][j] >= lcs[i][j + 1]) {
            out.push_str(&format!("-{} {}\n", i + 1, a[i]));
            i += 1;
        } else {
            out.push_str(&format!("+{} {}\n", j + 1, b[j]));
            j += 1;
        }
    }
    out
}

#[test]
fn the_diff_shows_removed_and_added_lines_with_their_numbers() {
    assert_eq!(
        diff("f", "a\nb\nc\n", "a\nB\nc\nd\n"),
        "WAPRICE_BLESS rewrote f:\n-2 b\n+2 B\n+4 d\n"
    );
    assert_eq!(diff("f", "same\n", "same\n"), "WAPRICE_BLESS rewrote f:\n");
}
