#!/usr/bin/env bash
# Seeds the fuzz corpus with real logs: the first 60 lines of every test log and sample, each
# behind a few option bytes (the target's first byte: skip flags, time zone, --as-of,
# allowance, currency). Run from fuzz/: ./seed.sh && cargo +nightly fuzz run read_replay ...
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p corpus/read_replay
for f in ../tests/data/*.csv ../samples/*.csv; do
  for flags in 00 03 24 48 9f 51; do
    { printf "\\x$flags"; head -n 60 "$f"; } > "corpus/read_replay/seed-$(basename "$f" .csv)-$flags"
  done
done
ls corpus/read_replay | wc -l
