//! `waprice man` and `waprice completions`: they come from the command definitions.

use super::*;

#[test]
fn completions_and_man_page_come_from_the_command_definitions() {
    for shell in ["bash", "zsh", "fish"] {
        let out = stdout(&["completions", shell]);
        assert!(
            out.contains("forecast") && out.contains("decimal-comma"),
            "{shell}"
        );
    }
    let man = stdout(&["man"]);
    assert!(man.contains(".TH waprice 1"), "{man}");
}

#[test]
fn man_writes_a_page_per_subcommand_with_its_options() {
    let page = stdout(&["man", "estimate"]);
    assert!(page.contains(".TH waprice-estimate 1"), "{page}");
    assert!(page.contains("free\\-service\\-allowance"), "{page}");
    let nested = stdout(&["man", "tariffs", "check"]);
    assert!(nested.contains(".TH waprice-tariffs-check 1"), "{nested}");

    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("man1");
    waprice()
        .args(["man", "--dir", out_dir.to_str().unwrap()])
        .assert()
        .success();
    for name in [
        "waprice",
        "waprice-estimate",
        "waprice-ledger",
        "waprice-tariffs-check",
    ] {
        let page = std::fs::read_to_string(out_dir.join(format!("{name}.1"))).unwrap();
        assert!(page.contains(&format!(".TH {name} 1")), "{name}");
    }

    waprice()
        .args(["man", "estimat"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no manual page for 'estimat'"))
        .stderr(predicate::str::contains("estimate, invoices, ledger"));
}
