#!/usr/bin/env bash
# Median of 5 runs (wall seconds, CPU seconds, peak RSS) of the parse-only baseline and of
# `waprice estimate LOG --currency USD --format csv --no-progress` on each log given, with the
# 1-minute load average at the end: bench/med5.sh LOG...  (BIN=DIR for other binaries: DIR/waprice
# and DIR/examples/baseline; the baseline is skipped for .zst logs).
set -uo pipefail
bin=${BIN:-$(dirname "$0")/../target/release}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
measure() { local t; t=$(mktemp); /usr/bin/time -v "$@" >/dev/null 2>"$t"; awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; secs = s } /User time/ {u=$2} /System time/ {sy=$2} /Maximum resident set size/ { rss = $2 } END { printf "%s %s %s %s\n", secs, u, sy, rss }' "$t"; rm -f "$t"; }
med() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
for f in "$@"; do
  : > $tmp/m_b; : > $tmp/m_e; : > $tmp/m_r; : > $tmp/m_u
  for i in 1 2 3 4 5; do
    if [[ $f != *.zst ]]; then measure "$bin/examples/baseline" "$f" | awk '{print $1}' >> $tmp/m_b; fi
    measure "$bin/waprice" estimate "$f" --currency USD --format csv --no-progress > $tmp/m_x
    awk '{print $1}' $tmp/m_x >> $tmp/m_e; awk '{print $4}' $tmp/m_x >> $tmp/m_r; awk '{print $2+$3}' $tmp/m_x >> $tmp/m_u
  done
  b=$(med < $tmp/m_b); e=$(med < $tmp/m_e); r=$(med < $tmp/m_r); u=$(med < $tmp/m_u)
  echo "$(basename "$f") baseline_med=${b:-na} estimate_med=$e cpu_med=$u rss_kb_med=$r all_e=$(tr '\n' ' ' < $tmp/m_e) all_b=$(tr '\n' ' ' < $tmp/m_b) load=$(cut -d' ' -f1 /proc/loadavg)"
done
