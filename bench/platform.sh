#!/usr/bin/env bash
# A platform month: `waprice invoices` (per account) and `waprice estimate` on the same
# generated platform log (genlog's `platform` profile: one month of era D).
#   bench/platform.sh [ROWS] [CUSTOMERS] [ACCOUNTS] [NUMBERS]
#   (default 10000000 rows, rows/50 customers, 10000 accounts, 2 x accounts numbers)
# Prints a Markdown table: wall and CPU (user + system) seconds, rows/s, MB/s, peak RSS, and the
# 1-minute load average
# just before each run (other work on the machine makes the wall times upper bounds).
# Logs are generated (deterministically) under ${BENCH_DIR:-/tmp/waprice-bench-platform};
# each command's output is kept next to them.
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-10000000}
customers=${2:-$((rows / 50))}
accounts=${3:-10000}
numbers=${4:-$((2 * accounts))}
dir=${BENCH_DIR:-/tmp/waprice-bench-platform}
mkdir -p "$dir"
cargo build --release --quiet --bin waprice
cargo build --release --quiet --manifest-path tools/genlog/Cargo.toml
genlog=tools/genlog/target/release/genlog
bin=target/release/waprice

log="$dir/platform-$rows-$customers-$accounts-$numbers.csv"
acc="$dir/accounts-$accounts-$numbers.csv"
if [ ! -s "$log" ] || [ ! -s "$acc" ]; then
  "$genlog" platform --rows "$rows" --customers "$customers" --accounts "$accounts" \
    --numbers "$numbers" --out "$log" --accounts-out "$acc"
fi

# Runs a command under /usr/bin/time -v, its output to $1 and time's report to $1.time;
# prints "seconds cpu_seconds max_rss_kb".
measure() {
  local t out=$1
  shift
  t=$out.time
  /usr/bin/time -v "$@" >"$out" 2>"$t"
  awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; secs = s }
              /User time \(seconds\)|System time \(seconds\)/ { cpu += $2 }
              /Maximum resident set size/ { rss = $2 }
              END { printf "%s %s %s\n", secs, cpu, rss }' "$t"
}

bytes=$(stat -c %s "$log")
name=$(basename "$log" .csv)
echo "| command | rows | customers | MB | wall s | CPU s | rows/s | MB/s | peak RSS MB | load |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for cmd in invoices estimate; do
  if [ "$cmd" = invoices ]; then
    args=(invoices "$log" --accounts "$acc" --format csv --no-progress)
  else
    args=(estimate "$log" --format csv --no-progress)
  fi
  load=$(cut -d' ' -f1 /proc/loadavg)
  read -r s cpu rss < <(measure "$dir/$name.$cmd.csv" "$bin" "${args[@]}")
  awk -v cmd="$cmd" -v rows="$rows" -v cust="$customers" -v bytes="$bytes" -v s="$s" -v cpu="$cpu" -v rss="$rss" -v load="$load" 'BEGIN {
    printf "| %s | %d | %d | %.0f | %.2f | %.2f | %.0f | %.0f | %.0f | %s |\n",
      cmd, rows, cust, bytes / 1e6, s, cpu, rows / s, bytes / 1e6 / s, rss / 1024, load }'
done
