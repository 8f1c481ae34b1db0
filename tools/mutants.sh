#!/usr/bin/env bash
# Mutation testing of the billing rules with cargo-mutants: each mutant is a small change to
# the code (a comparison flipped, a constant changed, a function body replaced); a mutant that
# `cargo test` does not catch shows a rule no test states. docs/testing.md has the results.
#
#   tools/mutants.sh                  the rule modules below (hours on two cores)
#   tools/mutants.sh FILE...          only these files, e.g. tools/mutants.sh src/calendar.rs
#   MUTANTS_TIMEOUT=120 MUTANTS_TEST_ARGS="--lib" tools/mutants.sh src/calendar.rs
#                                     per-mutant test timeout (s); arguments for `cargo test`
#                                     (--lib: only the unit tests, much faster per mutant)
#   MUTANTS_OPTS="--iterate" tools/mutants.sh ...   more cargo-mutants options (--iterate: only
#                                     the mutants the previous run in mutants.out/ did not catch)
#
# Installs cargo-mutants (cargo install --locked) when it is missing. Works on a copy of the
# tree (the working tree is never changed); results go to mutants.out/ (caught.txt, missed.txt,
# timeout.txt, unviable.txt, outcomes.json).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! cargo mutants --version >/dev/null 2>&1; then
  echo "== installing cargo-mutants (cargo install --locked cargo-mutants)"
  cargo install --locked cargo-mutants
fi

files=("$@")
if [ ${#files[@]} -eq 0 ]; then
  files=(
    src/calendar.rs
    src/engine/mod.rs src/era.rs src/engine/windows.rs src/engine/conversation.rs
    src/engine/cbp_v1.rs src/engine/cbp_v2.rs src/engine/per_message.rs
    src/price.rs
    src/tariff/card.rs src/tariff/tier.rs
  )
fi
args=()
for f in "${files[@]}"; do args+=(--file "$f"); done
test_args=()
for a in ${MUTANTS_TEST_ARGS:-}; do test_args+=(--cargo-test-arg "$a"); done
# One job: the machine has two cores and the build itself uses both.
# shellcheck disable=SC2086
cargo mutants --jobs 1 --timeout "${MUTANTS_TIMEOUT:-300}" ${MUTANTS_OPTS:-} "${args[@]}" "${test_args[@]}"
