//! README and docs/: every console example is the binary's real output.

use super::*;

/// Splits a command line on spaces, keeping "double quoted" words together.
fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    for ch in line.chars() {
        match ch {
            '"' => quoted = !quoted,
            ' ' if !quoted => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            c => cur.push(c),
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

#[test]
fn readme_examples_show_real_output() {
    let checked = console_examples_show_real_output("README.md");
    assert!(checked >= 6, "only {checked} README examples found");
}

/// The console examples of docs/ are checked the same way as the README's.
#[test]
fn docs_examples_show_real_output() {
    let mut docs: Vec<_> = std::fs::read_dir("docs")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    docs.sort();
    let checked: usize = docs
        .iter()
        .map(|p| console_examples_show_real_output(p.to_str().unwrap()))
        .sum();
    assert!(checked >= 6, "only {checked} examples found in docs/");
}

/// Runs every ```console block of a Markdown file and compares its output with the binary's
/// (WAPRICE_BLESS=1 rewrites them); returns how many were checked.
fn console_examples_show_real_output(file: &str) -> usize {
    let readme = std::fs::read_to_string(file).unwrap();
    let mut updated = String::new();
    let mut checked = 0;
    let mut rest = readme.as_str();
    while let Some(start) = rest.find("```console\n$ ") {
        let body_start = start + "```console\n".len();
        let end = body_start + rest[body_start..].find("\n```").expect("closed block");
        let block = &rest[body_start..end];
        // The command may go on over lines ending in a backslash.
        let mut command_end = 0;
        while let Some(nl) = block[command_end..].find('\n') {
            if !block[..command_end + nl].ends_with('\\') {
                break;
            }
            command_end += nl + 1;
        }
        let split = block[command_end..]
            .find('\n')
            .map_or(block.len(), |nl| command_end + nl);
        let written = &block[..split];
        let expected = block.get(split + 1..).unwrap_or("");
        let joined = written.replace("\\\n", " ");
        let command = joined.trim_start_matches("$ ");
        let (command, head) = match command.split_once(" | head -") {
            Some((c, n)) => (c, Some(n.trim().parse::<usize>().unwrap())),
            None => (command, None),
        };
        let args = words(
            command
                .strip_prefix("cargo run --release -- ")
                .or_else(|| command.strip_prefix("waprice "))
                .unwrap(),
        );
        let out = waprice().args(&args).output().unwrap();
        assert!(out.status.success(), "{file} example failed: {command}");
        let text = String::from_utf8(out.stdout).unwrap();
        let mut actual: Vec<&str> = text.lines().collect();
        if let Some(n) = head {
            actual.truncate(n);
        }
        let actual = actual.join("\n");
        updated.push_str(&rest[..body_start]);
        updated.push_str(written);
        updated.push('\n');
        updated.push_str(&actual);
        if std::env::var_os("WAPRICE_BLESS").is_none() {
            assert_eq!(
                actual, expected,
                "{file}: output of `{command}` is stale (WAPRICE_BLESS=1 updates it)"
            );
        }
        checked += 1;
        rest = &rest[end..];
    }
    updated.push_str(rest);
    if std::env::var_os("WAPRICE_BLESS").is_some() {
        bless::rewrite(Path::new(file), &updated);
    }
    checked
}
