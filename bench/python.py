"""Benchmark: waprice.estimate on a log held as an Arrow table, against the command line on
the same rows as CSV.

    python bench/python.py LOG.csv [--bin target/release/waprice] [--repeat 3]

The CSV is read into Arrow first (every column as text, and again with pyarrow's own types:
timestamps as timestamps), outside the timing: a data team's table is in memory already. The
three runs take turns, --repeat rounds of them, so that a change in the machine's load falls
on all three alike. Each run's wall time and CPU time (user + system: this process's for the
package, the child's for the command line) are kept; the median of the rounds (by wall time)
is printed as a Markdown table, with the range of the wall times and the load average before
and after.
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
import subprocess
import time

import pyarrow as pa
import pyarrow.csv as pacsv

import waprice


def once(run):
    """Wall and CPU seconds (user + system) of one run, and its result."""
    before = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = run()
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = sum(
        (a.ru_utime - b.ru_utime) + (a.ru_stime - b.ru_stime) for a, b in zip(after, before)
    )
    return wall, cpu, result


def median(runs):
    """The median run by wall time, and the range of the wall times."""
    ordered = sorted(runs, key=lambda r: r[0])
    return ordered[len(ordered) // 2], (ordered[0][0], ordered[-1][0])


parser = argparse.ArgumentParser()
parser.add_argument("log")
parser.add_argument("--bin", default="target/release/waprice")
parser.add_argument("--repeat", type=int, default=3)
ARGS = parser.parse_args()

header = next(csv.reader(open(ARGS.log, newline="")))
t0 = time.perf_counter()
text = pacsv.read_csv(
    ARGS.log,
    convert_options=pacsv.ConvertOptions(
        column_types={h: pa.string() for h in header}, strings_can_be_null=False
    ),
)
read_text = time.perf_counter() - t0
t0 = time.perf_counter()
typed = pacsv.read_csv(ARGS.log)
read_typed = time.perf_counter() - t0
rows = text.num_rows

runs = {
    "cli": lambda: subprocess.run(
        [ARGS.bin, "estimate", ARGS.log, "--format", "csv", "--no-progress"],
        check=True, capture_output=True, text=True).stdout,
    "text": lambda: waprice.estimate(text),
    "typed": lambda: waprice.estimate(typed),
}
load_before = os.getloadavg()
done = {name: [] for name in runs}
for _ in range(ARGS.repeat):
    for name, run in runs.items():
        done[name].append(once(run))
load_after = os.getloadavg()
(cli, cli_range), (as_text, text_range), (as_typed, typed_range) = (
    median(done[n]) for n in ("cli", "text", "typed")
)

# The same bill, whichever way it came.
cli_cost = [line.split(",")[11] for line in cli[2].splitlines()[1:]]
for name, r in (("text", as_text), ("typed", as_typed)):
    got = [str(d.normalize()) if d else "0" for d in r[2].column("cost").to_pylist()]
    from decimal import Decimal
    assert [Decimal(c) for c in cli_cost] == [Decimal(g) for g in got], name

print(f"{rows:,} rows; reading the CSV into Arrow (not timed below): {read_text:.2f} s as text, "
      f"{read_typed:.2f} s with pyarrow's types ({dict((f.name, str(f.type)) for f in typed.schema)})")
print()
print(f"load average (1, 5, 15 min) before: {load_before[0]:.2f} {load_before[1]:.2f} "
      f"{load_before[2]:.2f}; after: {load_after[0]:.2f} {load_after[1]:.2f} {load_after[2]:.2f}")
print()
print(f"| run (median of {ARGS.repeat}) | wall s | wall s, range | CPU s (user + system) | rows/s (wall) |")
print("|---|---|---|---|---|")
for name, (wall, cpu, _), (low, high) in (
    ("CLI `waprice estimate LOG.csv`", cli, cli_range),
    ("`waprice.estimate(table)`, text columns", as_text, text_range),
    ("`waprice.estimate(table)`, pyarrow's types", as_typed, typed_range),
):
    print(f"| {name} | {wall:.2f} | {low:.2f}–{high:.2f} | {cpu:.2f} | {rows / wall / 1e6:.2f}M |")
