//! The setup the README promises: `rust-version` in Cargo.toml, and the version README's
//! Install section names, are the highest `rust-version` of the crates Cargo.lock pins, read
//! from their manifests in cargo's registry cache (where cargo put them to build this test).
//! Crates only built on other platforms are not in the cache and are not counted.

use std::path::PathBuf;

fn version(s: &str) -> Vec<u32> {
    let mut v: Vec<u32> = s.split('.').map(|p| p.parse().unwrap()).collect();
    while v.len() < 3 {
        v.push(0);
    }
    v
}

/// The `rust-version` of a manifest's `[package]` section.
fn rust_version(manifest: &str) -> Option<&str> {
    let mut in_package = false;
    for line in manifest.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_package = line == "[package]";
        } else if in_package {
            if let Some(rest) = line.strip_prefix("rust-version") {
                let value = rest.trim_start().strip_prefix('=')?.trim();
                return Some(value.trim_matches('"'));
            }
        }
    }
    None
}

#[test]
fn rust_version_is_what_the_locked_crates_need() {
    let lock = std::fs::read_to_string("Cargo.lock").unwrap();
    let mut pinned = Vec::new();
    for block in lock.split("[[package]]").skip(1) {
        let field = |key: &str| {
            block.lines().find_map(|l| {
                l.strip_prefix(key)
                    .and_then(|r| r.trim_start().strip_prefix('='))
                    .map(|v| v.trim().trim_matches('"').to_string())
            })
        };
        if field("source ").is_some_and(|s| s.starts_with("registry+")) {
            pinned.push((field("name ").unwrap(), field("version ").unwrap()));
        }
    }
    assert!(
        pinned.len() > 50,
        "{} registry crates in Cargo.lock",
        pinned.len()
    );

    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").unwrap()).join(".cargo"));
    let sources: Vec<PathBuf> = std::fs::read_dir(cargo_home.join("registry/src"))
        .unwrap_or_else(|e| panic!("cargo's registry cache in {cargo_home:?}: {e}"))
        .map(|d| d.unwrap().path())
        .collect();
    let mut found = 0;
    let mut needed = (vec![0, 0, 0], String::new());
    for (name, v) in &pinned {
        let manifest = sources
            .iter()
            .map(|s| s.join(format!("{name}-{v}/Cargo.toml")))
            .find(|p| p.exists());
        let Some(manifest) = manifest else { continue };
        found += 1;
        let text = std::fs::read_to_string(manifest).unwrap();
        if let Some(rv) = rust_version(&text) {
            if version(rv) > needed.0 {
                needed = (version(rv), format!("{name} {v} needs {rv}"));
            }
        }
    }
    // This test's own dependencies were built, so most of the lock is in the cache.
    assert!(
        found * 2 > pinned.len(),
        "only {found} of {} locked crates found in {sources:?}",
        pinned.len()
    );

    let ours = rust_version(&std::fs::read_to_string("Cargo.toml").unwrap())
        .expect("rust-version in Cargo.toml")
        .to_string();
    assert_eq!(
        version(&ours),
        needed.0,
        "Cargo.toml says rust-version {ours}; the locked crates need more or less: {}",
        needed.1
    );
    let readme = std::fs::read_to_string("README.md").unwrap();
    assert!(
        readme.contains(&format!("Rust toolchain, {ours} or later")),
        "README's Install section should name Rust {ours}"
    );
}
