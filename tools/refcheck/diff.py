#!/usr/bin/env python3
"""Differential check: ref.py vs `waprice estimate LOG --format csv` on generated logs.

    diff.py [--seeds 1..300 | --seeds 5,9,12] [--era mixed] [--rows N] [--cost] [--no-options]
            [--no-shrink] [--bin PATH] [--out DIR]

For each seed: generate a log and its options (gen.py: rule options, and unless --no-options a
currency, authentication-international, a tier table, a loaded card), replay it with ref.py (in
process) and the binary with the same options, and compare the output row by row (the unit
columns; with --cost the money columns too); for some seeds, a second run with --as-of or --by.
On a disagreement: print the first differing row, shrink the log (drop rows while the same
disagreement persists) and write DIR/seed-N.csv (+ .args, the option files, .ledger) for the
minimal reproducer.  Exit status 1 if any seed disagrees.
"""
import argparse
import contextlib
import csv
import io
import os
import shlex
import subprocess
import sys
import tempfile
import time
from decimal import Decimal

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import gen  # noqa: E402
import ref  # noqa: E402
from common import UNIT_COLS  # noqa: E402

BIN = os.environ.get("WAPRICE", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "target", "release", "waprice"))


def opt(args, name, default):
    return args[args.index(name) + 1] if name in args else default


COST = False
KEYS = ("month", "market", "category", "tier")


def parse_table(text):
    """estimate CSV (plain, --by or --as-of) -> {(key columns): {other column: text}}"""
    out = {}
    for r in csv.DictReader(io.StringIO(text)):
        key = tuple(r[k] for k in KEYS if k in r)
        out[key] = {c: v for c, v in r.items() if c not in KEYS}
    return out


def run_ref_inproc(path, args):
    try:
        err = io.StringIO()
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
            a = ref.parser().parse_args([path] + list(args) + (["--cost"] if COST else []))
            text, _ = ref.render(a)
        return ("ok", parse_table(text))
    except SystemExit as e:
        return ("error", "%s %s" % (e, err.getvalue().strip()))


def run_bin(path, args, binpath):
    cmd = [binpath, "estimate", path, "--format", "csv", "--no-progress"] + args
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    except subprocess.TimeoutExpired:
        return ("error", "timeout")
    if p.returncode != 0:
        return ("error", "rc=%d %s" % (p.returncode, p.stderr.strip()[-400:]))
    try:
        return ("ok", parse_table(p.stdout))
    except Exception as e:  # unparsable output
        return ("error", "bad output: %s: %r" % (e, p.stdout[:300]))


def same_value(x, y):
    try:
        return Decimal(x) == Decimal(y)
    except Exception:
        return x == y


def table_diff(a, b, plain_units_only):
    """-> (key, {column: (ref, bin)}) for the first row that differs, else None. Rows missing on
    one side count as zeros. Without --cost, a plain estimate compares only the unit columns."""
    for key in sorted(set(a) | set(b)):
        ra, rb = a.get(key), b.get(key)
        cols = sorted(set(ra or {}) | set(rb or {}))
        if plain_units_only:
            cols = [c for c in cols if c in UNIT_COLS]
        d = {}
        for c in cols:
            if c == "currency" and (ra is None or rb is None):
                continue
            x = (ra or {}).get(c, "0") or "0"
            y = (rb or {}).get(c, "0") or "0"
            if not same_value(x, y):
                d[c] = (x, y)
        if d:
            return key, d
    return None


def verdict(path, args, binpath):
    """-> (signature or None, detail, ref_result, bin_result)"""
    r = run_ref_inproc(path, args)
    b = run_bin(path, args, binpath)
    if r[0] == "error" and b[0] == "error":
        return ("both_error",), "ref: %s | bin: %s" % (r[1], b[1]), r, b
    if r[0] == "error":
        return ("ref_error",), r[1], r, b
    if b[0] == "error":
        return ("bin_error",), b[1], r, b
    plain = "--by" not in args and "--as-of" not in args
    d = table_diff(r[1], b[1], plain and not COST)
    if d is None:
        return None, "", r, b
    return ("diff",) + tuple(sorted(d[1])), "%s %s" % (",".join(d[0]), {k: "ref %s bin %s" % v for k, v in d[1].items()}), r, b


def shrink(header, rows, args, binpath, sig, tmpdir, budget_s=240):
    path = os.path.join(tmpdir, "shrink.csv")
    t0 = time.time()

    def test(cand):
        with open(path, "w", newline="") as f:
            f.write(header + "".join(cand))
        s, *_ = verdict(path, args, binpath)
        return s == sig

    n = 2
    while len(rows) >= 2 and time.time() - t0 < budget_s:
        chunk = (len(rows) + n - 1) // n
        reduced = False
        for i in range(0, len(rows), chunk):
            cand = rows[:i] + rows[i + chunk:]
            if cand and test(cand):
                rows = cand
                n = max(n - 1, 2)
                reduced = True
                break
        if not reduced:
            if n >= len(rows):
                break
            n = min(len(rows), n * 2)
    # drop options that are not needed
    with open(path, "w", newline="") as f:
        f.write(header + "".join(rows))
    for group in (["--free-service-allowance"], ["--timezone"], ["--agents"], ["--tariff"],
                  ["--tiers"], ["--auth-intl-except"], ["--business-country", "--auth-intl-since"],
                  ["--log-starts-clean"]):
        cand_args = list(args)
        for o in group:
            if o in cand_args:
                i = cand_args.index(o)
                del cand_args[i:i + (1 if o == "--log-starts-clean" else 2)]
        if cand_args != args and verdict(path, cand_args, binpath)[0] == sig:
            args = cand_args
    return rows, args


def fmt_table(res):
    if res[0] != "ok":
        return "ERROR " + res[1]
    lines = []
    for k in sorted(res[1]):
        lines.append(",".join(k) + ": " + ",".join("%s=%s" % kv for kv in res[1][k].items()))
    return "\n".join(lines)


def parse_seeds(s):
    if ".." in s:
        a, b = s.split("..")
        return list(range(int(a), int(b) + 1))
    return [int(x) for x in s.split(",")]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", default="1..100")
    ap.add_argument("--era", default="mixed")
    ap.add_argument("--rows", type=int, default=None)
    ap.add_argument("--no-shrink", action="store_true")
    ap.add_argument("--bin", default=BIN)
    ap.add_argument("--out", default=os.path.join(HERE, "failures"))
    ap.add_argument("--quiet", action="store_true")
    ap.add_argument("--bulk-prob", type=float, default=0.9)
    ap.add_argument("--cost", action="store_true",
                    help="also compare the money columns (unpriced, cost, budget, overage, currency,"
                         " derived, substituted)")
    ap.add_argument("--no-options", action="store_true",
                    help="logs with their rule options only: no --currency, authentication-"
                         "international, tiers, loaded card, --as-of or --by")
    a = ap.parse_args()
    global COST
    COST = a.cost
    os.makedirs(a.out, exist_ok=True)
    seeds = parse_seeds(a.seeds)
    agree = 0
    sigs = {}
    runs_done = 0
    with tempfile.TemporaryDirectory() as tmp:
        for seed in seeds:
            if a.no_options:
                text, args = gen.generate(seed, a.era, a.rows, None, a.bulk_prob)
                extra, files = [], {}
            else:
                text, args, extra, files = gen.generate(seed, a.era, a.rows, None, a.bulk_prob,
                                                        options=True)
            for name, content in files.items():
                with open(os.path.join(tmp, name), "w", newline="") as f:
                    f.write(content)
            args = [os.path.join(tmp, x[1:]) if x.startswith("@") else x for x in args]
            path = os.path.join(tmp, "log.csv")
            with open(path, "w", newline="") as f:
                f.write(text)
            bad = None
            for run_args in [args] + [args + x for x in extra]:
                runs_done += 1
                sig, detail, r, b = verdict(path, run_args, a.bin)
                if sig is not None:
                    bad = (sig, detail, run_args)
                    break
            if bad is None:
                agree += 1
                if not a.quiet:
                    print("seed %d: agree (%d rows, %s%s)%s" % (
                        seed, text.count("\n") - 1, " ".join(args),
                        "".join(" + run " + " ".join(x) for x in extra),
                        " [both error: %s]" % r[1] if detail else ""))
                continue
            sig, detail, args = bad
            print("seed %d: DISAGREE %s: %s" % (seed, sig[0], detail))
            lines = text.splitlines(keepends=True)
            header, rows = lines[0], lines[1:]
            if not a.no_shrink:
                rows, args = shrink(header, rows, args, a.bin, sig, tmp)
            base = os.path.join(a.out, "seed-%d" % seed)
            with open(base + ".csv", "w", newline="") as f:
                f.write(header + "".join(rows))
            for name, content in files.items():
                with open(base + "." + name, "w", newline="") as f:
                    f.write(content)
            args = [base + "." + os.path.basename(x) if x.startswith(tmp + os.sep) else x
                    for x in args]
            with open(base + ".args", "w") as f:
                f.write(" ".join(shlex.quote(x) for x in args) + "\n")
            _, detail2, r2, b2 = verdict(base + ".csv", args, a.bin)
            ledger = []
            try:
                with contextlib.redirect_stdout(io.StringIO()):
                    ref.render(ref.parser().parse_args([base + ".csv"] + args + ["--cost"]), ledger)
            except SystemExit as e:
                ledger.append(str(e))
            with open(base + ".ledger", "w") as f:
                f.write("\n".join(ledger) + "\n")
            print("  minimal log (%d rows) %s  args: %s" % (len(rows), base + ".csv", " ".join(args)))
            print("    " + (header + "".join(rows)).rstrip("\n").replace("\n", "\n    "))
            print("  first difference: %s" % detail2)
            print("  ref:\n    " + fmt_table(r2).replace("\n", "\n    "))
            print("  bin:\n    " + fmt_table(b2).replace("\n", "\n    "))
            print("  ref ledger:\n    " + "\n    ".join(ledger))
            sigs.setdefault(sig, []).append(seed)
            sys.stdout.flush()
    print("\nseeds compared: %d (%d runs), agree: %d, disagree: %d"
          % (len(seeds), runs_done, agree, len(seeds) - agree))
    for sig, ss in sigs.items():
        print("  %s: seeds %s" % (" ".join(sig), ",".join(map(str, ss))))
    sys.exit(0 if agree == len(seeds) else 1)


if __name__ == "__main__":
    main()
