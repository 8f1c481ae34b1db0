#!/usr/bin/env bash
# Benchmark: waprice estimate against the parse-only baseline on the same file.
#   bench/run.sh [ROWS] [CUSTOMERS]      (default 10000000 rows, 1000000 customers)
# GENLOG_ARGS passes more generator options, e.g. another mix:
#   GENLOG_ARGS="--inbound-share 0.38 --free-form-share 0.33" bench/run.sh 10000000 100000
# Prints a Markdown table: rows/s, MB/s, estimate/baseline throughput ratio, peak RSS.
# Logs are generated (deterministically) under ${BENCH_DIR:-/tmp/waprice-bench}.
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-10000000}
customers=${2:-$((rows / 10))}
dir=${BENCH_DIR:-/tmp/waprice-bench}
mkdir -p "$dir"
cargo build --release --quiet --bin waprice --example baseline
cargo build --release --quiet --manifest-path tools/genlog/Cargo.toml
genlog=tools/genlog/target/release/genlog
bin=target/release

# Other generator options go into the logs' names as a checksum, so mixes do not collide.
read -r -a extra <<<"${GENLOG_ARGS:-}"
tag=""
[ ${#extra[@]} -eq 0 ] || tag="-mix$(printf '%s' "${GENLOG_ARGS}" | cksum | cut -d' ' -f1)"
sorted="$dir/bench-$rows-$customers$tag-sorted.csv"
shuffled="$dir/bench-$rows-$customers$tag-shuffled.csv"
[ -s "$sorted" ] || "$genlog" bench --rows "$rows" --customers "$customers" "${extra[@]}" --out "$sorted"
[ -s "$shuffled" ] || "$genlog" bench --rows "$rows" --customers "$customers" "${extra[@]}" --shuffle --out "$shuffled"

# Runs a command under /usr/bin/time -v; prints "seconds max_rss_kb".
measure() {
  local t
  t=$(mktemp)
  /usr/bin/time -v "$@" >/dev/null 2>"$t"
  awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; secs = s }
              /Maximum resident set size/ { rss = $2 }
              END { printf "%s %s\n", secs, rss }' "$t"
  rm -f "$t"
}

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo
echo "| log | rows | MB | baseline s | estimate s | rows/s | MB/s | estimate/baseline | peak RSS MB |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
for f in "$sorted" "$shuffled"; do
  bytes=$(stat -c %s "$f")
  read -r bs _ < <(measure "$bin/examples/baseline" "$f")
  read -r es rss < <(measure "$bin/waprice" estimate "$f" --currency USD --format csv --no-progress)
  awk -v name="$(basename "$f")" -v rows="$rows" -v bytes="$bytes" -v bs="$bs" -v es="$es" -v rss="$rss" 'BEGIN {
    printf "| %s | %d | %.0f | %.2f | %.2f | %.0f | %.0f | %.0f%% | %.0f |\n",
      name, rows, bytes / 1e6, bs, es, rows / es, bytes / 1e6 / es, 100 * bs / es, rss / 1024 }'
done
