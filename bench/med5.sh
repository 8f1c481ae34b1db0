#!/usr/bin/env bash
# Median of 5 runs (wall seconds, CPU seconds, peak RSS) of the parse-only baseline and of
# `waprice estimate LOG --currency USD --format csv --no-progress` on each log given, with the
# 1-minute load average at the end: bench/med5.sh LOG...  (BIN=DIR for other binaries: DIR/waprice
# and DIR/examples/baseline; the baseline is skipped for .zst logs).
# The runs are interleaved: each of the 5 rounds runs every log once, so that logs compared
# with each other (a LOG.zst and its LOG, given both) see the same state of a noisy machine.
# For a LOG.zst given with its LOG, a last line gives the ratio of their medians.
set -uo pipefail
bin=${BIN:-$(dirname "$0")/../target/release}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
measure() { local t; t=$(mktemp); /usr/bin/time -v "$@" >/dev/null 2>"$t"; awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; secs = s } /User time/ {u=$2} /System time/ {sy=$2} /Maximum resident set size/ { rss = $2 } END { printf "%s %s %s %s\n", secs, u, sy, rss }' "$t"; rm -f "$t"; }
med() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
logs=("$@")
for i in 1 2 3 4 5; do
  for k in "${!logs[@]}"; do
    f=${logs[$k]}
    if [[ $f != *.zst ]]; then measure "$bin/examples/baseline" "$f" | awk '{print $1}' >> "$tmp/b$k"; fi
    measure "$bin/waprice" estimate "$f" --currency USD --format csv --no-progress > "$tmp/x"
    awk '{print $1}' "$tmp/x" >> "$tmp/e$k"; awk '{print $4}' "$tmp/x" >> "$tmp/r$k"; awk '{print $2+$3}' "$tmp/x" >> "$tmp/u$k"
  done
done
for k in "${!logs[@]}"; do
  f=${logs[$k]}; touch "$tmp/b$k"
  b=$(med < "$tmp/b$k"); e=$(med < "$tmp/e$k"); r=$(med < "$tmp/r$k"); u=$(med < "$tmp/u$k")
  echo "$e" > "$tmp/med$k"
  echo "$(basename "$f") baseline_med=${b:-na} estimate_med=$e cpu_med=$u rss_kb_med=$r all_e=$(tr '\n' ' ' < "$tmp/e$k") all_b=$(tr '\n' ' ' < "$tmp/b$k")"
done
for k in "${!logs[@]}"; do
  f=${logs[$k]}
  [[ $f == *.zst ]] || continue
  for j in "${!logs[@]}"; do
    if [[ ${logs[$j]} == "${f%.zst}" ]]; then
      awk -v z="$(cat "$tmp/med$k")" -v p="$(cat "$tmp/med$j")" -v n="$(basename "$f")" 'BEGIN { printf "%s against the plain file: %.2f / %.2f s = %.2fx\n", n, z, p, z / p }'
    fi
  done
done
echo "load=$(cut -d' ' -f1 /proc/loadavg)"
