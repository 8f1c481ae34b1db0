#!/bin/sh
# Differential check of ref.py against the waprice binary.
#   ./diff.sh [K] [extra diff.py options]     (seeds 1..K, default 300)
# Unless WAPRICE points to a binary, builds the committed HEAD of the repository (git archive into
# ./snap, cargo target ./target), so the repository is only read, never written.
set -e
cd "$(dirname "$0")"
K=${1:-300}; [ $# -gt 0 ] && shift
if [ -z "$WAPRICE" ]; then
  rm -rf snap && mkdir snap
  git -C "$(git rev-parse --show-toplevel)" archive HEAD | tar -x -C snap
  git -C "$(git rev-parse --show-toplevel)" rev-parse HEAD > snap/COMMIT
  CARGO_TARGET_DIR=$PWD/target cargo build --release --quiet --manifest-path snap/Cargo.toml
  WAPRICE=$PWD/target/release/waprice
  echo "waprice built from the repository commit $(cat snap/COMMIT)"
fi
export WAPRICE
python3 run_examples.py | tail -1
python3 probe.py | grep -c DIFFERENT | sed 's/^/probes with different output (see probe.py): /'
python3 diff.py --seeds 1..$K --quiet "$@"
